//! `caio metrics` (SPEC §14): the home's state as Prometheus metrics —
//! decisions by outcome, candidates per decision, reported outcomes,
//! per-service calls by result, latency, health, circuit, guarantee
//! violations and spend, the trace's length and checkpoint age, and the
//! installed licenses' expiry.

use super::license_gate;
use super::vendor_keys;
use crate::error::Error;
use caio_core::circuit;
use caio_core::metrics::{CANDIDATE_BUCKETS, Family, Kind};
use caio_core::routing::Outcome;
use caio_store::home::Home;
use caio_store::registry::ListFilter;
use caio_store::{Store, StoreOptions};
use std::collections::BTreeMap;

fn label(name: &'static str, value: impl Into<String>) -> (&'static str, String) {
    (name, value.into())
}

fn seconds(t: jiff::Timestamp) -> f64 {
    t.as_millisecond() as f64 / 1000.0
}

/// Every metric family, in the order printed, at `now`.
pub fn gather(
    store: &Store,
    home: &Home,
    options: &StoreOptions,
    now: jiff::Timestamp,
) -> Result<Vec<Family>, Error> {
    let pruned = store.pruned_totals()?;
    let mut out = Vec::new();

    let mut info = Family::new(
        "caio_info",
        Kind::Gauge,
        "The caio version that wrote these metrics (always 1).",
    );
    info.add(vec![label("version", env!("CARGO_PKG_VERSION"))], 1.0);
    out.push(info);

    let live = store.decision_counts()?;
    let mut decisions = Family::new(
        "caio_decisions_total",
        Kind::Counter,
        "Route decisions recorded in the trace, by outcome (pruned ones included).",
    );
    for outcome in [Outcome::Routed, Outcome::NoRoute, Outcome::Refused] {
        let o = outcome.as_str();
        let n = live.get(o).copied().unwrap_or(0) + pruned.decisions.get(o).copied().unwrap_or(0);
        decisions.add(vec![label("outcome", o)], n as f64);
    }
    out.push(decisions);

    let observed = store.observation_totals()?;
    let mut reported = Family::new(
        "caio_outcomes_reported_total",
        Kind::Counter,
        "Outcomes callers reported with `caio trace outcome`, by result (pruned ones included).",
    );
    for result in ["success", "failure"] {
        let n = observed
            .get(&("reported".to_string(), result.to_string()))
            .copied()
            .unwrap_or(0)
            + pruned.reported.get(result).copied().unwrap_or(0);
        reported.add(vec![label("result", result)], n as f64);
    }
    out.push(reported);

    let h = store.candidate_histogram(&CANDIDATE_BUCKETS)?;
    let mut candidates = Family::new(
        "caio_decision_candidates",
        Kind::Histogram,
        "Candidate services per decision, over all its steps (pruned decisions included).",
    );
    for (i, bound) in CANDIDATE_BUCKETS.iter().enumerate() {
        let n = h.buckets[i] + pruned.candidate_buckets.get(i).copied().unwrap_or(0);
        candidates.add_with_suffix("_bucket", vec![label("le", bound.to_string())], n as f64);
    }
    let count = h.count + pruned.candidates_count;
    candidates.add_with_suffix("_bucket", vec![label("le", "+Inf")], count as f64);
    candidates.add_with_suffix("_sum", vec![], h.sum + pruned.candidates_sum);
    candidates.add_with_suffix("_count", vec![], count as f64);
    out.push(candidates);

    let health = store.all_health()?;
    let now_ms = now.as_millisecond();
    let mut requests = Family::new(
        "caio_service_requests_total",
        Kind::Counter,
        "Calls to the service (executed through caio or reported by callers), by result.",
    );
    let mut latency = Family::new(
        "caio_service_latency_seconds",
        Kind::Summary,
        "Latency of the service's last 100 successful calls (nearest-rank quantiles).",
    );
    let mut ratio = Family::new(
        "caio_service_success_ratio",
        Kind::Gauge,
        "h: the EWMA of the service's call successes, as routing scores it.",
    );
    let mut violations = Family::new(
        "caio_service_guarantee_violations_total",
        Kind::Counter,
        "Calls slower than the p99 the service's contract promises.",
    );
    let mut circuits = Family::new(
        "caio_service_circuit_state",
        Kind::Gauge,
        "The service's circuit breaker: 1 for its state (closed, open, half_open), else 0.",
    );
    for (service, stats) in &health {
        for (result, n) in [
            ("success", stats.successes),
            ("failure", stats.failures),
            ("rejected", stats.rejections),
        ] {
            requests.add(
                vec![label("service", service), label("result", result)],
                n as f64,
            );
        }
        let summary = stats.summary(now_ms);
        if let Some(p) = summary.latency_ms {
            for (q, ms) in [("0.5", p.p50), ("0.95", p.p95), ("0.99", p.p99)] {
                latency.add(
                    vec![label("service", service), label("quantile", q)],
                    ms / 1000.0,
                );
            }
        }
        ratio.add(vec![label("service", service)], summary.success_rate);
        violations.add(
            vec![label("service", service)],
            stats.guarantee_violations as f64,
        );
        let state = stats.circuit.state(now_ms);
        for (name, s) in [
            ("closed", circuit::State::Closed),
            ("open", circuit::State::Open),
            ("half_open", circuit::State::HalfOpen),
        ] {
            circuits.add(
                vec![label("service", service), label("state", name)],
                if state == s { 1.0 } else { 0.0 },
            );
        }
    }
    out.extend([requests, latency, ratio, violations, circuits]);

    let currencies: BTreeMap<String, String> = store
        .list_services(&ListFilter::default())?
        .into_iter()
        .map(|s| (s.service_id, s.contract.cost.currency))
        .collect();
    let mut spent = store.spend_by_service()?;
    for (service, amount) in &pruned.spend {
        *spent.entry(service.clone()).or_insert(0.0) += amount;
    }
    let mut spend = Family::new(
        "caio_service_spend_total",
        Kind::Counter,
        "What calls to the service cost, in its contract's currency (registered services).",
    );
    for (service, amount) in &spent {
        if let Some(currency) = currencies.get(service) {
            spend.add(
                vec![label("service", service), label("currency", currency)],
                *amount,
            );
        }
    }
    out.push(spend);

    let (head, _) = store.trace_head()?;
    let mut records = Family::new(
        "caio_trace_records",
        Kind::Gauge,
        "Records in the trace chain: the seq of its head (pruned records included).",
    );
    records.add(vec![], head as f64);
    out.push(records);
    let last = store.checkpoints()?.into_iter().max_by_key(|c| c.seq);
    let mut unsigned = Family::new(
        "caio_trace_unsigned_records",
        Kind::Gauge,
        "Records after the last signed checkpoint (`caio trace checkpoint`).",
    );
    unsigned.add(
        vec![],
        (head - last.as_ref().map_or(0, |c| c.seq)).max(0) as f64,
    );
    out.push(unsigned);
    if let Some(cp) = last
        && let Ok(at) = cp.at.parse::<jiff::Timestamp>()
    {
        let mut stamp = Family::new(
            "caio_trace_checkpoint_timestamp_seconds",
            Kind::Gauge,
            "When the last checkpoint was signed (Unix time).",
        );
        stamp.add(vec![], seconds(at));
        let mut age = Family::new(
            "caio_trace_checkpoint_age_seconds",
            Kind::Gauge,
            "How old the last checkpoint was when these metrics were written.",
        );
        age.add(vec![], (seconds(now) - seconds(at)).max(0.0));
        out.extend([stamp, age]);
    }

    let status = license_gate::status(Some(home), &vendor_keys::embedded_keys()?, options, now)?;
    let mut expiry = Family::new(
        "caio_license_expiry_timestamp_seconds",
        Kind::Gauge,
        "When each installed license expires (Unix time).",
    );
    let mut valid = Family::new(
        "caio_license_valid",
        Kind::Gauge,
        "1 when the installed license verifies and is valid or in its grace period, else 0.",
    );
    for l in &status.licenses {
        let customer = l.customer.clone().unwrap_or_default();
        if let Some(at) = l
            .expires_at
            .as_deref()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        {
            expiry.add(
                vec![label("license", &l.id), label("customer", &customer)],
                seconds(at),
            );
        }
        let ok = matches!(l.state.as_str(), "valid" | "grace");
        valid.add(
            vec![label("license", &l.id), label("customer", customer)],
            if ok { 1.0 } else { 0.0 },
        );
    }
    out.extend([expiry, valid]);
    Ok(out)
}
