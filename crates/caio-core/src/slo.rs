//! Service level reports (SPEC §14): what each service delivered — its
//! execution attempts and the outcomes its callers reported — against what
//! its contract promises, over a window.
//!
//! - **Availability**: successes / (successes + failures) against the
//!   contract's `availability` (rejections, a 4xx other than 429, are the
//!   request's fault and are left out, as health leaves them out).
//! - **Latency**: the nearest-rank p50/p95/p99 of the successes against
//!   the contract's `latency_ms` percentiles.
//! - **Error budget**: the contract allows a fraction `1 − availability`
//!   of calls to fail; `consumed` is the observed failure rate over that
//!   (1 = the whole budget of the window spent, above 1 = overspent).
//! - **Burn rate** over the last 1 h and 6 h: the same ratio over those
//!   windows. Following the multiwindow rule of the Google SRE workbook
//!   ("Alerting on SLOs"), a service *pages* when it burns at 14.4× or
//!   more over both: at that rate 2 % of a 30-day budget goes in one hour,
//!   and the 6-hour window confirms it is not a blip.
//!
//! Too few observations are never a pass: a window with fewer than
//! [`MIN_OBSERVATIONS`] calls (or successes, for latency) is judged
//! `insufficient_data`, and a burn rate over fewer calls does not page.
//! This module is pure: the windows' counts come in as values, and time
//! only as the bounds the caller computes with [`bounds`].

use serde::Serialize;

/// The fewest calls (and, for latency, successes) a window needs to be
/// judged; the same bound after which routing trusts an observed p95.
pub const MIN_OBSERVATIONS: u64 = 20;

/// The burn rate that pages when both burn windows reach it.
pub const PAGE_BURN_RATE: f64 = 14.4;

/// A report window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Window {
    /// The last hour.
    #[serde(rename = "1h")]
    Hour,
    /// The last 24 hours.
    #[serde(rename = "24h")]
    Day,
    /// The last 7 days.
    #[serde(rename = "7d")]
    Week,
    /// The last 30 days: the period the error budget is usually set for.
    #[serde(rename = "30d")]
    Month,
}

impl Window {
    /// `1h`, `24h`, `7d` or `30d`.
    pub fn as_str(self) -> &'static str {
        match self {
            Window::Hour => "1h",
            Window::Day => "24h",
            Window::Week => "7d",
            Window::Month => "30d",
        }
    }

    /// Its length in seconds.
    pub fn seconds(self) -> i64 {
        match self {
            Window::Hour => 3_600,
            Window::Day => 86_400,
            Window::Week => 7 * 86_400,
            Window::Month => 30 * 86_400,
        }
    }
}

/// The burn-rate windows, in seconds: 1 h and 6 h.
pub const BURN_WINDOWS: [i64; 2] = [3_600, 6 * 3_600];

/// The starts of the report window and of the two burn windows, for a
/// report at `now`: the observations at or after a start (and not after
/// `now`) fall in its window.
pub fn bounds(now: jiff::Timestamp, window: Window) -> [jiff::Timestamp; 3] {
    let back = |secs: i64| {
        now.checked_sub(jiff::SignedDuration::from_secs(secs))
            .unwrap_or(jiff::Timestamp::MIN)
    };
    [
        back(window.seconds()),
        back(BURN_WINDOWS[0]),
        back(BURN_WINDOWS[1]),
    ]
}

/// What a contract promises, as the report compares it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Promised {
    /// `guarantees.availability`.
    pub availability: f64,
    /// `guarantees.latency_ms`: p50, p95, p99.
    pub latency_ms: Latency,
    /// `cost.currency`.
    pub currency: String,
}

/// Latency percentiles, in ms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
}

/// Calls counted over a window.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Counts {
    /// Successful calls.
    pub successes: u64,
    /// Failed calls (errors, timeouts, 5xx, 429).
    pub failures: u64,
    /// Calls the service refused (4xx other than 429).
    pub rejected: u64,
    /// Calls that broke a guarantee (slower than p99).
    pub violations: u64,
    /// What the calls cost, summed.
    pub spend: f64,
}

impl Counts {
    /// The calls availability is judged on.
    fn judged(&self) -> u64 {
        self.successes + self.failures
    }

    /// failures / (successes + failures); `None` without calls.
    fn error_rate(&self) -> Option<f64> {
        let n = self.judged();
        (n > 0).then(|| self.failures as f64 / n as f64)
    }
}

/// What the report was given for one service.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// The report window's counts.
    pub window: Counts,
    /// The latencies of the window's successes, in ms (any order).
    pub latencies: Vec<f64>,
    /// The counts of the last hour and of the last six hours.
    pub burn: [Counts; 2],
}

/// How a service did over the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Enough observations, and every promise kept.
    Met,
    /// A promise broken, or the error budget burning too fast.
    Breached,
    /// Some calls, but too few to judge: never a pass.
    InsufficientData,
    /// No calls at all in the window.
    NoTraffic,
}

impl Verdict {
    /// As the report spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Breached => "breached",
            Verdict::InsufficientData => "insufficient_data",
            Verdict::NoTraffic => "no_traffic",
        }
    }
}

/// Availability over the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AvailabilityReport {
    /// The contract's.
    pub promised: f64,
    /// successes / (successes + failures); `None` without calls.
    pub observed: Option<f64>,
    /// Whether the promise was kept; `None` with too few calls.
    pub met: Option<bool>,
}

/// Latency over the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatencyReport {
    /// The contract's percentiles.
    pub promised: Latency,
    /// The successes' percentiles; `None` without successes.
    pub observed: Option<Latency>,
    /// How many successes they are computed over.
    pub observations: u64,
    /// Whether every observed percentile is within its promise; `None`
    /// with too few successes.
    pub met: Option<bool>,
}

/// The error budget over the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetReport {
    /// The fraction of calls allowed to fail: 1 − availability.
    pub allowed_failure_rate: f64,
    /// How many failures the window's calls allowed.
    pub allowed_failures: f64,
    /// The observed failure rate over the allowed one (1 = the whole
    /// budget); `None` without calls, or when the contract allows no
    /// failure (availability 1) and some happened (which breaches
    /// availability).
    pub consumed: Option<f64>,
}

/// One burn-rate window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BurnWindow {
    /// `1h` or `6h`.
    pub window: &'static str,
    /// Calls judged in it.
    pub calls: u64,
    /// Failures in it.
    pub failures: u64,
    /// failure rate / (1 − availability); `None` without calls or when no
    /// failure is allowed.
    pub rate: Option<f64>,
}

/// The burn rates and whether they page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BurnReport {
    /// The last hour, then the last six hours.
    pub windows: [BurnWindow; 2],
    /// The rate that pages over both windows: 14.4.
    pub page_at: f64,
    /// Whether both windows burn at `page_at` or more; `None` when either
    /// has fewer than [`MIN_OBSERVATIONS`] calls.
    pub paging: Option<bool>,
}

/// One service over one window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceReport {
    /// The service.
    pub service_id: String,
    /// Its contract version.
    pub version: String,
    /// All calls in the window (rejected ones included).
    pub requests: u64,
    /// The window's counts.
    pub counts: Counts,
    /// Availability.
    pub availability: AvailabilityReport,
    /// Latency.
    pub latency_ms: LatencyReport,
    /// What the window's calls cost.
    pub spend: Spend,
    /// The error budget.
    pub error_budget: BudgetReport,
    /// The burn rates.
    pub burn_rate: BurnReport,
    /// The verdict.
    pub verdict: Verdict,
    /// What was broken, for people (empty unless breached).
    pub breaches: Vec<String>,
    /// Why the window cannot be judged (with `insufficient_data`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insufficient: Option<String>,
}

/// An amount of money.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spend {
    /// The amount.
    pub amount: f64,
    /// Its currency.
    pub currency: String,
}

/// Nearest-rank percentile `p` (0–100) of sorted values.
fn nearest_rank(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let i = ((p / 100.0) * n as f64).ceil() as usize;
    sorted[i.clamp(1, n) - 1]
}

fn ratio(rate: Option<f64>, allowed: f64) -> Option<f64> {
    let rate = rate?;
    if allowed > 0.0 {
        Some(rate / allowed)
    } else if rate == 0.0 {
        Some(0.0)
    } else {
        None
    }
}

fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

fn ms(x: f64) -> String {
    crate::canonical::display_tidy(x).to_string()
}

/// Judges one service over a window.
pub fn evaluate(
    service_id: &str,
    version: &str,
    promised: &Promised,
    observed: &Observed,
) -> ServiceReport {
    let c = observed.window;
    let allowed = (1.0 - promised.availability).max(0.0);
    let judged = c.judged();
    let enough_calls = judged >= MIN_OBSERVATIONS;

    let availability_observed = c.error_rate().map(|e| 1.0 - e);
    let availability = AvailabilityReport {
        promised: promised.availability,
        observed: availability_observed,
        met: enough_calls
            .then(|| availability_observed.is_some_and(|a| a + 1e-12 >= promised.availability)),
    };

    let mut sorted: Vec<f64> = observed
        .latencies
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    sorted.sort_by(f64::total_cmp);
    let latency_observed = (!sorted.is_empty()).then(|| Latency {
        p50: nearest_rank(&sorted, 50.0),
        p95: nearest_rank(&sorted, 95.0),
        p99: nearest_rank(&sorted, 99.0),
    });
    let enough_latencies = sorted.len() as u64 >= MIN_OBSERVATIONS;
    let p = &promised.latency_ms;
    let latency = LatencyReport {
        promised: *p,
        observed: latency_observed,
        observations: sorted.len() as u64,
        met: enough_latencies.then(|| {
            latency_observed.is_some_and(|o| o.p50 <= p.p50 && o.p95 <= p.p95 && o.p99 <= p.p99)
        }),
    };

    let error_budget = BudgetReport {
        allowed_failure_rate: allowed,
        allowed_failures: allowed * judged as f64,
        consumed: ratio(c.error_rate(), allowed),
    };

    let names = ["1h", "6h"];
    let windows = [0, 1].map(|i| {
        let b = observed.burn[i];
        BurnWindow {
            window: names[i],
            calls: b.judged(),
            failures: b.failures,
            rate: ratio(b.error_rate(), allowed),
        }
    });
    let burn_judged = windows.iter().all(|w| w.calls >= MIN_OBSERVATIONS);
    let paging = burn_judged.then(|| {
        windows
            .iter()
            // No budget at all and a failure: burning without bound.
            .all(|w| w.rate.is_none_or(|r| r >= PAGE_BURN_RATE) && w.failures > 0)
    });
    let burn_rate = BurnReport {
        windows,
        page_at: PAGE_BURN_RATE,
        paging,
    };

    let mut breaches = Vec::new();
    if availability.met == Some(false) {
        breaches.push(format!(
            "availability {} is below the promised {}",
            availability_observed.map_or_else(|| "-".into(), pct),
            pct(promised.availability)
        ));
    }
    if let (Some(false), Some(o)) = (latency.met, latency_observed) {
        let over: Vec<String> = [
            ("p50", o.p50, p.p50),
            ("p95", o.p95, p.p95),
            ("p99", o.p99, p.p99),
        ]
        .iter()
        .filter(|(_, seen, promise)| seen > promise)
        .map(|(name, seen, promise)| {
            format!(
                "{name} {} ms is above the promised {} ms",
                ms(*seen),
                ms(*promise)
            )
        })
        .collect();
        breaches.push(over.join(", "));
    }
    if paging == Some(true) {
        let rates: Vec<String> = burn_rate
            .windows
            .iter()
            .map(|w| {
                w.rate
                    .map_or_else(|| "unbounded".into(), |r| format!("{r:.1}×"))
            })
            .collect();
        breaches.push(format!(
            "the error budget burns at {} over 1 h and {} over 6 h (pages at {PAGE_BURN_RATE}× over both)",
            rates[0], rates[1]
        ));
    }

    let requests = judged + c.rejected;
    let (verdict, insufficient) = if !breaches.is_empty() {
        (Verdict::Breached, None)
    } else if requests == 0 {
        (Verdict::NoTraffic, None)
    } else if !enough_calls {
        (
            Verdict::InsufficientData,
            Some(format!(
                "{judged} call(s) in the window; at least {MIN_OBSERVATIONS} are needed to judge availability"
            )),
        )
    } else if !enough_latencies {
        (
            Verdict::InsufficientData,
            Some(format!(
                "{} success(es) in the window; at least {MIN_OBSERVATIONS} are needed to judge latency",
                sorted.len()
            )),
        )
    } else {
        (Verdict::Met, None)
    };

    ServiceReport {
        service_id: service_id.to_string(),
        version: version.to_string(),
        requests,
        counts: c,
        availability,
        latency_ms: latency,
        spend: Spend {
            amount: if c.spend.is_finite() { c.spend } else { 0.0 },
            currency: promised.currency.clone(),
        },
        error_budget,
        burn_rate,
        verdict,
        breaches,
        insufficient,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn promised(availability: f64) -> Promised {
        Promised {
            availability,
            latency_ms: Latency {
                p50: 100.0,
                p95: 200.0,
                p99: 400.0,
            },
            currency: "USD".into(),
        }
    }

    fn counts(successes: u64, failures: u64) -> Counts {
        Counts {
            successes,
            failures,
            ..Counts::default()
        }
    }

    fn observed(window: Counts, latency: f64, burn: [Counts; 2]) -> Observed {
        Observed {
            window,
            latencies: vec![latency; window.successes as usize],
            burn,
        }
    }

    #[test]
    fn a_service_that_keeps_its_promises_meets_them() {
        let r = evaluate(
            "s",
            "1",
            &promised(0.99),
            &observed(counts(200, 1), 90.0, [counts(20, 0), counts(60, 1)]),
        );
        assert_eq!(r.verdict, Verdict::Met, "{r:#?}");
        assert_eq!(r.availability.met, Some(true));
        assert_eq!(r.latency_ms.met, Some(true));
        let consumed = r.error_budget.consumed.unwrap();
        assert!((consumed - (1.0 / 201.0) / 0.01).abs() < 1e-9, "{consumed}");
        assert_eq!(r.burn_rate.paging, Some(false));
        assert_eq!(r.burn_rate.windows[0].rate, Some(0.0));
    }

    #[test]
    fn broken_promises_are_named() {
        let r = evaluate(
            "s",
            "1",
            &promised(0.99),
            &observed(counts(90, 10), 300.0, [counts(0, 0), counts(0, 0)]),
        );
        assert_eq!(r.verdict, Verdict::Breached);
        assert_eq!(
            r.breaches,
            [
                "availability 90.00% is below the promised 99.00%",
                "p50 300 ms is above the promised 100 ms, p95 300 ms is above the promised 200 ms"
            ]
        );
        assert_eq!(r.burn_rate.paging, None, "no calls in the burn windows");
    }

    /// The multiwindow rule: both windows at 14.4× or more page; a fast
    /// last hour that six hours do not confirm does not.
    #[test]
    fn the_budget_pages_only_when_both_windows_burn_fast() {
        // Budget 1 %: 14.4× is a failure rate of 14.4 %.
        let both = evaluate(
            "s",
            "1",
            &promised(0.99),
            &observed(counts(900, 100), 50.0, [counts(10, 10), counts(70, 30)]),
        );
        let rate = |r: &ServiceReport, i: usize| r.burn_rate.windows[i].rate.unwrap();
        assert!((rate(&both, 0) - 50.0).abs() < 1e-9);
        assert!((rate(&both, 1) - 30.0).abs() < 1e-9);
        assert_eq!(both.burn_rate.paging, Some(true));
        assert_eq!(both.verdict, Verdict::Breached);
        assert!(both.breaches[1].contains("50.0× over 1 h and 30.0× over 6 h"));

        let blip = evaluate(
            "s",
            "1",
            &promised(0.99),
            &observed(counts(990, 10), 50.0, [counts(10, 10), counts(90, 10)]),
        );
        assert!((rate(&blip, 1) - 10.0).abs() < 1e-9);
        assert_eq!(blip.burn_rate.paging, Some(false));

        // Too few calls in the last hour: no page, whatever the rate.
        let quiet = evaluate(
            "s",
            "1",
            &promised(0.99),
            &observed(counts(990, 10), 50.0, [counts(0, 5), counts(15, 10)]),
        );
        assert_eq!(quiet.burn_rate.paging, None);
    }

    #[test]
    fn too_few_calls_are_never_a_pass() {
        let few = evaluate(
            "s",
            "1",
            &promised(0.99),
            &observed(counts(19, 0), 50.0, [counts(0, 0); 2]),
        );
        assert_eq!(few.verdict, Verdict::InsufficientData);
        assert_eq!(few.availability.met, None);
        assert!(few.insufficient.unwrap().contains("19 call(s)"));
        // Enough calls, too few successes to judge latency, no breach.
        let mut slow_start = observed(counts(19, 0), 50.0, [counts(0, 0); 2]);
        slow_start.window.rejected = 30;
        slow_start.window.successes = 19;
        slow_start.window.failures = 1;
        let r = evaluate("s", "1", &promised(0.9), &slow_start);
        assert_eq!(r.verdict, Verdict::InsufficientData, "{r:#?}");
        assert_eq!(r.requests, 50);
        let none = evaluate(
            "s",
            "1",
            &promised(0.99),
            &observed(counts(0, 0), 50.0, [counts(0, 0); 2]),
        );
        assert_eq!(none.verdict, Verdict::NoTraffic);
        assert_eq!(none.error_budget.consumed, None);
    }

    #[test]
    fn a_promise_of_no_failure_has_no_budget_to_burn() {
        let r = evaluate(
            "s",
            "1",
            &promised(1.0),
            &observed(counts(99, 1), 50.0, [counts(19, 1), counts(49, 1)]),
        );
        assert_eq!(r.error_budget.consumed, None);
        assert_eq!(r.burn_rate.paging, Some(true), "{r:#?}");
        assert_eq!(r.verdict, Verdict::Breached);
        assert!(
            r.breaches[1].contains("unbounded over 1 h"),
            "{:?}",
            r.breaches
        );
        let clean = evaluate(
            "s",
            "1",
            &promised(1.0),
            &observed(counts(100, 0), 50.0, [counts(20, 0), counts(50, 0)]),
        );
        assert_eq!(clean.error_budget.consumed, Some(0.0));
        assert_eq!(clean.verdict, Verdict::Met);
    }

    #[test]
    fn windows_end_now_and_reach_back_their_length() {
        let now: jiff::Timestamp = "2026-06-30T12:00:00Z".parse().unwrap();
        let [start, hour, six] = bounds(now, Window::Week);
        assert_eq!(start.to_string(), "2026-06-23T12:00:00Z");
        assert_eq!(hour.to_string(), "2026-06-30T11:00:00Z");
        assert_eq!(six.to_string(), "2026-06-30T06:00:00Z");
    }
}
