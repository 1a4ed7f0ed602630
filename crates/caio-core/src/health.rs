//! Per-service execution stats (SPEC §8), pure: attempts fold into counts,
//! EWMAs, a rolling window of recent latencies and the circuit breaker; the
//! routing core sees them as [`ServiceStats`] (SPEC §5: h is the EWMA
//! success rate; the window's p95 may replace the declared one).
//!
//! What counts:
//! - a success (2xx) and a transient or failed attempt move the success
//!   EWMA, the counts and the circuit;
//! - a rejected attempt (4xx other than 429: the request was refused, the
//!   service answered) is counted apart and leaves health alone — a bad
//!   payload must not open every circuit;
//! - the latency window, the latency EWMA and the percentiles hold
//!   successful attempts only (a timeout measures caio's patience, not the
//!   service);
//! - every attempt slower than the contract's p99, or costlier than the
//!   request's `max_cost`, is a guarantee violation;
//! - spend adds up what successful attempts cost;
//! - h recovers toward its prior (1) with time: [`recovered`] is
//!   `1 − (1 − h)·2^(−Δt/15 min)`, Δt from the last success or failure to
//!   the decision's time, which routing takes as an input.

use crate::attempt::{Attempt, AttemptResult};
use crate::circuit::{self, Circuit};
use crate::routing::ServiceStats;
use serde::{Deserialize, Serialize};

/// The EWMA weight of the newest observation.
pub(crate) const ALPHA: f64 = 0.2;
/// How many recent latencies the window keeps.
pub(crate) const WINDOW: usize = 100;
/// The half-life of h's recovery toward 1, in ms: 15 minutes.
pub const RECOVERY_HALF_LIFE_MS: i64 = 15 * 60 * 1000;

/// h recovered toward its prior at `now_ms`:
/// `1 − (1 − h)·2^(−Δt/15 min)`, Δt = `now_ms − observed_at_ms` (no
/// recovery without an observation time, or for a time before it).
pub fn recovered(h: f64, observed_at_ms: Option<i64>, now_ms: i64) -> f64 {
    let h = clamp01(h);
    let Some(at) = observed_at_ms else {
        return h;
    };
    let dt = now_ms.saturating_sub(at);
    if dt <= 0 {
        return h;
    }
    let factor = (-(dt as f64) / RECOVERY_HALF_LIFE_MS as f64).exp2();
    clamp01(1.0 - (1.0 - h) * factor)
}

/// Everything caio remembers about one service's executions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    /// Successful (2xx) attempts.
    pub successes: u64,
    /// Transient and failed attempts.
    pub failures: u64,
    /// 4xx responses other than 429.
    pub rejections: u64,
    /// EWMA of success (1 = success), starting from 1 (no history).
    pub ewma_success: f64,
    /// EWMA of the latency of successes, in ms; `None` before the first.
    pub ewma_latency_ms: Option<f64>,
    /// Latencies of recent successes in ms, oldest first, at most 100.
    pub latencies: Vec<f64>,
    /// Attempts that broke a guarantee (slower than p99, costlier than `max_cost`).
    pub guarantee_violations: u64,
    /// The service's circuit breaker.
    pub circuit: Circuit,
    /// What successful attempts cost, summed (the contract's currency).
    #[serde(default)]
    pub spend: f64,
    /// When the last success or failure was observed (Unix ms).
    #[serde(default)]
    pub observed_at_ms: Option<i64>,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            successes: 0,
            failures: 0,
            rejections: 0,
            ewma_success: 1.0,
            ewma_latency_ms: None,
            latencies: Vec::new(),
            guarantee_violations: 0,
            circuit: Circuit::default(),
            spend: 0.0,
            observed_at_ms: None,
        }
    }
}

/// Nearest-rank percentiles of the latency window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    /// Median, in ms.
    pub p50: f64,
    /// 95th percentile, in ms.
    pub p95: f64,
    /// 99th percentile, in ms.
    pub p99: f64,
}

impl Health {
    /// Folds one attempt in, at `now_ms`; returns what the circuit did.
    pub fn record(&mut self, a: &Attempt, now_ms: i64) -> Option<circuit::Change> {
        self.guarantee_violations += a.violations();
        let healthy = match a.result {
            AttemptResult::Rejected => {
                self.rejections += 1;
                return None;
            }
            AttemptResult::Success => true,
            AttemptResult::Transient | AttemptResult::Failed => false,
        };
        let x = if healthy { 1.0 } else { 0.0 };
        // The EWMA moves from h as it has recovered since the last observation.
        let h = recovered(self.ewma_success, self.observed_at_ms, now_ms);
        self.ewma_success = clamp01(ALPHA * x + (1.0 - ALPHA) * h);
        self.observed_at_ms = Some(now_ms);
        if healthy {
            self.successes += 1;
            if let Some(cost) = a.cost.filter(|c| c.is_finite() && *c > 0.0) {
                self.spend += cost;
            }
            let latency = if a.latency_ms.is_finite() {
                a.latency_ms.max(0.0)
            } else {
                0.0
            };
            self.ewma_latency_ms = Some(match self.ewma_latency_ms {
                Some(e) => ALPHA * latency + (1.0 - ALPHA) * e,
                None => latency,
            });
            self.latencies.push(latency);
            if self.latencies.len() > WINDOW {
                let excess = self.latencies.len() - WINDOW;
                self.latencies.drain(..excess);
            }
            self.circuit.on_success()
        } else {
            self.failures += 1;
            self.circuit.on_failure(now_ms, a.probe)
        }
    }

    pub(crate) fn percentiles(&self) -> Option<Percentiles> {
        let mut sorted: Vec<f64> = self
            .latencies
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let rank = |p: f64| {
            let n = sorted.len();
            let i = ((p / 100.0) * n as f64).ceil() as usize;
            sorted[i.clamp(1, n) - 1]
        };
        Some(Percentiles {
            p50: rank(50.0),
            p95: rank(95.0),
            p99: rank(99.0),
        })
    }

    /// `registry set-status … --reset-circuit`: the circuit closed and
    /// forgotten, h back at its prior; counts, latencies and spend stay.
    pub fn reset(&mut self) {
        self.circuit.reset();
        self.ewma_success = 1.0;
    }

    /// What the routing core sees at `now_ms`: h as stored, with the time
    /// it was observed (the core lets it recover to the decision's time).
    pub fn stats(&self, now_ms: i64) -> ServiceStats {
        let executed = self.successes + self.failures > 0;
        let open = self.circuit.is_open(now_ms);
        ServiceStats {
            success_rate: executed.then_some(clamp01(self.ewma_success)),
            observed_at_ms: if executed { self.observed_at_ms } else { None },
            observations: self.latencies.len() as u64,
            observed_p95_ms: self.percentiles().map(|p| p.p95),
            circuit_open: open,
            circuit_opened_at_ms: if open {
                self.circuit.opened_at_ms
            } else {
                None
            },
        }
    }
}

/// The stats as `registry show` and `list` present them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Successful (2xx) attempts.
    pub successes: u64,
    /// Transient and failed attempts.
    pub failures: u64,
    /// Attempts the service refused (4xx other than 429).
    pub rejections: u64,
    /// h as routing sees it now: the EWMA success rate, recovered toward 1
    /// since the last observation.
    pub success_rate: f64,
    /// The stored EWMA success rate, before recovery.
    pub ewma_success: f64,
    /// When the last success or failure was observed, RFC 3339 UTC.
    pub observed_at: Option<String>,
    /// What successful attempts cost, summed.
    pub spend: f64,
    /// EWMA of the latency of successes, in ms.
    pub ewma_latency_ms: Option<f64>,
    /// Latencies in the window.
    pub observations: usize,
    /// Percentiles of the window.
    pub latency_ms: Option<Percentiles>,
    /// Attempts that broke a guarantee (latency p99, max_cost).
    pub guarantee_violations: u64,
    /// The circuit breaker.
    pub circuit: CircuitSummary,
}

/// A circuit breaker as `registry show` presents it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CircuitSummary {
    /// Its state at the time of the summary.
    pub state: circuit::State,
    /// Failures since the last success.
    pub consecutive_failures: u32,
    /// How many times it has opened.
    pub times_opened: u32,
    /// RFC 3339 UTC.
    pub(crate) opened_at: Option<String>,
    /// When its open period ends (or ended, while half-open), RFC 3339 UTC; `None` when closed.
    pub open_until: Option<String>,
}

impl Health {
    /// The stats as `registry show` and `list` present them at `now_ms` (Unix ms).
    pub fn summary(&self, now_ms: i64) -> Summary {
        let time = |ms: Option<i64>| {
            ms.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
                .map(crate::time::timestamp)
        };
        Summary {
            successes: self.successes,
            failures: self.failures,
            rejections: self.rejections,
            success_rate: recovered(self.ewma_success, self.observed_at_ms, now_ms),
            ewma_success: clamp01(self.ewma_success),
            observed_at: time(self.observed_at_ms),
            spend: self.spend,
            ewma_latency_ms: self.ewma_latency_ms,
            observations: self.latencies.len(),
            latency_ms: self.percentiles(),
            guarantee_violations: self.guarantee_violations,
            circuit: CircuitSummary {
                state: self.circuit.state(now_ms),
                consecutive_failures: self.circuit.consecutive_failures,
                times_opened: self.circuit.times_opened,
                opened_at: time(self.circuit.opened_at_ms),
                open_until: time(self.circuit.open_until_ms),
            },
        }
    }
}

fn clamp01(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attempt::{Next, Violation};

    fn attempt(result: AttemptResult, latency_ms: f64) -> Attempt {
        Attempt {
            status: Some(200),
            result,
            latency_ms,
            next: Next::Done,
            ..Attempt::new("s", "1.0.0", 1)
        }
    }

    #[test]
    fn h_recovers_toward_one_with_a_fifteen_minute_half_life() {
        let m = RECOVERY_HALF_LIFE_MS;
        assert_eq!(recovered(0.2, Some(0), 0), 0.2);
        assert!((recovered(0.2, Some(0), m) - 0.6).abs() < 1e-12);
        assert!((recovered(0.2, Some(0), 2 * m) - 0.8).abs() < 1e-12);
        assert!(recovered(0.2, Some(0), 100 * m) > 0.999_999);
        assert_eq!(recovered(0.2, None, m), 0.2, "no time, no recovery");
        assert_eq!(
            recovered(0.2, Some(m), 0),
            0.2,
            "a clock behind the observation"
        );
        assert_eq!(recovered(1.0, Some(0), m), 1.0);
        assert_eq!(recovered(f64::NAN, Some(0), m), recovered(0.0, Some(0), m));
    }

    #[test]
    fn a_failure_long_ago_weighs_less_when_the_next_one_comes() {
        let mut h = Health::default();
        h.record(&attempt(AttemptResult::Transient, 1.0), 0);
        assert!((h.ewma_success - 0.8).abs() < 1e-12);
        // A quarter of an hour later h has recovered to 0.9 before the next failure.
        h.record(
            &attempt(AttemptResult::Transient, 1.0),
            RECOVERY_HALF_LIFE_MS,
        );
        assert!((h.ewma_success - 0.72).abs() < 1e-12, "{}", h.ewma_success);
        assert_eq!(h.observed_at_ms, Some(RECOVERY_HALF_LIFE_MS));
        let s = h.summary(2 * RECOVERY_HALF_LIFE_MS);
        assert!((s.success_rate - 0.86).abs() < 1e-12, "{}", s.success_rate);
        assert_eq!(s.ewma_success, h.ewma_success);
    }

    #[test]
    fn spend_and_cost_violations_are_counted_and_reset_keeps_them() {
        let mut h = Health::default();
        let mut paid = attempt(AttemptResult::Success, 5.0);
        paid.cost = Some(0.25);
        paid.cost_violation = Some(crate::attempt::CostViolation {
            max_cost: 0.1,
            cost: 0.25,
        });
        h.record(&paid, 0);
        h.record(&paid, 0);
        assert_eq!(h.spend, 0.5);
        assert_eq!(h.guarantee_violations, 2);
        for _ in 0..5 {
            h.record(&attempt(AttemptResult::Transient, 1.0), 10);
        }
        assert!(h.stats(10).circuit_open);
        h.reset();
        assert_eq!(h.ewma_success, 1.0);
        assert_eq!(h.circuit, Circuit::default());
        assert_eq!((h.successes, h.failures, h.spend), (2, 5, 0.5));
    }

    #[test]
    fn no_history_scores_like_the_spec_says() {
        let s = Health::default().stats(0);
        assert_eq!(s, ServiceStats::default());
    }

    #[test]
    fn successes_and_failures_move_the_ewma_and_counts() {
        let mut h = Health::default();
        h.record(&attempt(AttemptResult::Success, 10.0), 0);
        assert_eq!(h.stats(0).success_rate, Some(1.0));
        h.record(&attempt(AttemptResult::Transient, 5.0), 0);
        assert!((h.ewma_success - 0.8).abs() < 1e-12);
        h.record(&attempt(AttemptResult::Failed, 5.0), 0);
        assert!((h.ewma_success - 0.64).abs() < 1e-12);
        assert_eq!((h.successes, h.failures), (1, 2));
        assert_eq!(h.latencies, [10.0], "only successes are timed");
        h.record(&attempt(AttemptResult::Success, 20.0), 0);
        assert!((h.ewma_latency_ms.unwrap() - 12.0).abs() < 1e-12);
    }

    #[test]
    fn rejections_leave_health_and_the_circuit_alone() {
        let mut h = Health::default();
        for _ in 0..10 {
            assert_eq!(h.record(&attempt(AttemptResult::Rejected, 1.0), 0), None);
        }
        assert_eq!(h.rejections, 10);
        assert_eq!(h.circuit, Circuit::default());
        assert_eq!(h.stats(0), ServiceStats::default());
    }

    #[test]
    fn five_failures_open_the_circuit_and_routing_sees_it() {
        let mut h = Health::default();
        let mut changes = Vec::new();
        for _ in 0..5 {
            changes.push(h.record(&attempt(AttemptResult::Transient, 1.0), 1_000));
        }
        assert!(matches!(
            changes[4],
            Some(circuit::Change::Opened { times: 1, .. })
        ));
        let s = h.stats(2_000);
        assert!(s.circuit_open);
        assert_eq!(s.circuit_opened_at_ms, Some(1_000));
        let later = h.stats(31_000);
        assert!(!later.circuit_open);
        assert_eq!(later.circuit_opened_at_ms, None);
        assert_eq!(
            h.record(&attempt(AttemptResult::Success, 1.0), 31_500),
            Some(circuit::Change::Closed)
        );
    }

    #[test]
    fn the_window_keeps_the_latest_and_percentiles_are_nearest_rank() {
        let mut h = Health::default();
        for i in 1..=150 {
            h.record(&attempt(AttemptResult::Success, f64::from(i)), 0);
        }
        assert_eq!(h.latencies.len(), WINDOW);
        assert_eq!(h.latencies[0], 51.0);
        let p = h.percentiles().unwrap();
        assert_eq!((p.p50, p.p95, p.p99), (100.0, 145.0, 149.0));
        let s = h.stats(0);
        assert_eq!(s.observations, 100);
        assert_eq!(s.observed_p95_ms, Some(145.0));
        let mut one = Health::default();
        one.record(&attempt(AttemptResult::Success, 7.0), 0);
        let p = one.percentiles().unwrap();
        assert_eq!((p.p50, p.p95, p.p99), (7.0, 7.0, 7.0));
    }

    #[test]
    fn violations_are_counted_whatever_the_result() {
        let mut h = Health::default();
        let mut slow = attempt(AttemptResult::Success, 900.0);
        slow.guarantee_violation = Some(Violation {
            guarantee: crate::attempt::Guarantee::LatencyP99Ms,
            declared_ms: 500.0,
            observed_ms: 900.0,
        });
        h.record(&slow, 0);
        slow.result = AttemptResult::Rejected;
        h.record(&slow, 0);
        assert_eq!(h.guarantee_violations, 2);
    }

    #[test]
    fn non_finite_latencies_never_reach_the_stats() {
        let mut h = Health::default();
        h.record(&attempt(AttemptResult::Success, f64::NAN), 0);
        h.record(&attempt(AttemptResult::Success, f64::INFINITY), 0);
        let s = h.stats(0);
        assert!(s.observed_p95_ms.is_some_and(f64::is_finite));
        assert!(h.ewma_latency_ms.is_some_and(f64::is_finite));
    }
}
