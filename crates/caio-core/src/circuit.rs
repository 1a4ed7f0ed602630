//! The circuit breaker (SPEC §8), pure: after 5 consecutive failures a
//! service's circuit opens for 30 s × the number of times it has opened,
//! capped at 10 min (Envoy's outlier ejection); a success closes it.
//!
//! States, with `now` always passed in (Unix milliseconds):
//!
//! ```text
//! closed ──5th consecutive failure──▶ open ──open_until passes──▶ half-open
//!   ▲                                  │                             │
//!   └───────────── success ────────────┴──────── success ────────────┘
//!                  half-open ──failure──▶ open again (times_opened + 1)
//! ```
//!
//! Routing skips an open circuit; a half-open one is routed to normally,
//! and its first failure re-opens it, its first success closes it. A
//! failure of the panic guard's probe re-opens an open circuit too (it
//! then becomes the latest opened, so the next probe goes elsewhere).
//! Failures of attempts that were already under way when the circuit
//! opened (another caio process) do not extend it.

use serde::{Deserialize, Serialize};

/// Consecutive failures that open the circuit.
pub(crate) const FAILURE_THRESHOLD: u32 = 5;
/// The first open period; the n-th opening lasts n times as long.
pub(crate) const BASE_OPEN_MS: i64 = 30_000;
/// The longest open period.
pub(crate) const MAX_OPEN_MS: i64 = 600_000;

/// One service's breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Circuit {
    /// Failures since the last success; the circuit opens at 5.
    pub consecutive_failures: u32,
    /// How many times it has opened (never decreases, except by a reset).
    pub times_opened: u32,
    /// When it last opened; cleared when a success closes it.
    pub opened_at_ms: Option<i64>,
    /// Until when it is open; cleared when a success closes it.
    pub open_until_ms: Option<i64>,
}

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The circuit opened.
    Opened {
        /// Until when it is open (Unix ms).
        until_ms: i64,
        /// How many times it has opened, this time included.
        times: u32,
    },
    /// A success closed an open or half-open circuit.
    Closed,
}

/// How a circuit looks from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Routed normally.
    Closed,
    /// Skipped by routing until its open period is over (but for the panic guard's probe).
    Open,
    /// The open period is over; the next result decides.
    HalfOpen,
}

impl State {
    /// `closed`, `open` or `half-open`, as tables show it.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Closed => "closed",
            State::Open => "open",
            State::HalfOpen => "half-open",
        }
    }
}

impl Circuit {
    /// The state at `now_ms` (Unix ms).
    pub fn state(&self, now_ms: i64) -> State {
        match (self.opened_at_ms, self.open_until_ms) {
            (_, Some(until)) if now_ms < until => State::Open,
            (Some(_), _) | (_, Some(_)) => State::HalfOpen,
            (None, None) => State::Closed,
        }
    }

    pub(crate) fn is_open(&self, now_ms: i64) -> bool {
        self.state(now_ms) == State::Open
    }

    /// The open period of the `times`-th opening.
    pub(crate) fn open_period_ms(times: u32) -> i64 {
        BASE_OPEN_MS
            .saturating_mul(i64::from(times))
            .min(MAX_OPEN_MS)
    }

    pub(crate) fn on_success(&mut self) -> Option<Change> {
        self.consecutive_failures = 0;
        let was_open = self.opened_at_ms.is_some() || self.open_until_ms.is_some();
        self.opened_at_ms = None;
        self.open_until_ms = None;
        was_open.then_some(Change::Closed)
    }

    /// A failure at `now_ms`; `probe` when it was the panic guard's probe
    /// of this open circuit.
    pub(crate) fn on_failure(&mut self, now_ms: i64, probe: bool) -> Option<Change> {
        self.consecutive_failures = self.consecutive_failures.saturating_add(1);
        let open = self.is_open(now_ms);
        if self.consecutive_failures < FAILURE_THRESHOLD || (open && !probe) {
            return None;
        }
        self.times_opened = self.times_opened.saturating_add(1);
        let until_ms = now_ms.saturating_add(Self::open_period_ms(self.times_opened));
        self.opened_at_ms = Some(now_ms);
        self.open_until_ms = Some(until_ms);
        Some(Change::Opened {
            until_ms,
            times: self.times_opened,
        })
    }

    /// `registry set-status … --reset-circuit`: closed, no failures, never opened.
    pub fn reset(&mut self) {
        *self = Circuit::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail_times(c: &mut Circuit, n: u32, now: i64) -> Option<Change> {
        let mut last = None;
        for _ in 0..n {
            last = c.on_failure(now, false);
        }
        last
    }

    #[test]
    fn opens_on_the_fifth_consecutive_failure_for_thirty_seconds() {
        let mut c = Circuit::default();
        assert_eq!(fail_times(&mut c, 4, 1_000), None);
        assert_eq!(c.state(1_000), State::Closed);
        assert_eq!(
            c.on_failure(1_000, false),
            Some(Change::Opened {
                until_ms: 31_000,
                times: 1
            })
        );
        assert!(c.is_open(30_999));
        assert_eq!(c.state(31_000), State::HalfOpen);
        assert_eq!(c.opened_at_ms, Some(1_000));
    }

    #[test]
    fn a_success_resets_the_count_and_closes() {
        let mut c = Circuit::default();
        fail_times(&mut c, 4, 0);
        assert_eq!(c.on_success(), None, "closed already: no change");
        assert_eq!(fail_times(&mut c, 4, 0), None, "the count started over");
        fail_times(&mut c, 1, 0);
        assert!(c.is_open(1));
        assert_eq!(c.on_success(), Some(Change::Closed));
        assert_eq!(c.state(1), State::Closed);
        assert_eq!(c.consecutive_failures, 0);
        assert_eq!(
            c.times_opened, 1,
            "history stays: the next opening lasts longer"
        );
    }

    #[test]
    fn half_open_failure_reopens_for_longer_capped_at_ten_minutes() {
        let mut c = Circuit::default();
        fail_times(&mut c, 5, 0);
        let mut now = 0;
        for times in 2..=25u32 {
            now = c.open_until_ms.unwrap();
            assert_eq!(c.state(now), State::HalfOpen);
            let change = c.on_failure(now, false);
            let period = (30_000 * i64::from(times)).min(600_000);
            assert_eq!(
                change,
                Some(Change::Opened {
                    until_ms: now + period,
                    times
                })
            );
        }
        assert_eq!(c.open_until_ms, Some(now + MAX_OPEN_MS));
    }

    #[test]
    fn failures_while_open_do_not_extend_it_unless_a_probe_failed() {
        let mut c = Circuit::default();
        fail_times(&mut c, 5, 0);
        assert_eq!(c.on_failure(10, false), None);
        assert_eq!(c.open_until_ms, Some(30_000));
        assert_eq!(c.times_opened, 1);
        assert_eq!(
            c.on_failure(20, true),
            Some(Change::Opened {
                until_ms: 20 + 60_000,
                times: 2
            })
        );
        assert_eq!(c.opened_at_ms, Some(20));
    }

    #[test]
    fn reset_forgets_everything() {
        let mut c = Circuit::default();
        fail_times(&mut c, 12, 0);
        c.reset();
        assert_eq!(c, Circuit::default());
        assert_eq!(c.state(0), State::Closed);
    }

    #[test]
    fn extreme_times_never_overflow() {
        let mut c = Circuit {
            consecutive_failures: u32::MAX,
            times_opened: u32::MAX,
            opened_at_ms: None,
            open_until_ms: None,
        };
        let change = c.on_failure(i64::MAX - 5, false);
        assert_eq!(
            change,
            Some(Change::Opened {
                until_ms: i64::MAX,
                times: u32::MAX
            })
        );
    }
}
