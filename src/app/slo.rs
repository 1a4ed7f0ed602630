//! The SLO report (SPEC §14): every registered service's window of
//! observations (executions through caio and outcomes its callers
//! reported) judged against its active contract by the pure core.

use crate::error::Error;
use caio_core::slo::{self, Observed, Promised, ServiceReport, Verdict, Window};
use caio_core::time::timestamp;
use caio_store::Store;
use caio_store::registry::{ListFilter, ServiceRecord};
use serde::Serialize;

/// `caio slo`'s report.
#[derive(Debug, Serialize)]
pub struct Report {
    /// When it was made: the window ends here (RFC 3339).
    pub at: String,
    /// `1h`, `24h`, `7d` or `30d`.
    pub window: Window,
    /// The fewest calls (and successes) a window needs to be judged.
    pub min_observations: u64,
    /// `met` only when no judged service breached its contract, none had
    /// too few calls, and at least one was judged; else `breached` or
    /// `insufficient_data`.
    pub verdict: Verdict,
    /// How many services got each verdict.
    pub summary: Summary,
    /// One report per service, by id.
    pub services: Vec<ServiceReport>,
}

/// Services by verdict.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// Kept their promises.
    pub met: usize,
    /// Broke one, or burn their budget too fast.
    pub breached: usize,
    /// Too few calls to judge.
    pub insufficient_data: usize,
    /// No calls in the window.
    pub no_traffic: usize,
}

/// Judges every active service (or only `service`) over `window`, ending
/// at `now`.
pub fn report(
    store: &Store,
    now: jiff::Timestamp,
    window: Window,
    service: Option<&str>,
) -> Result<Report, Error> {
    let services: Vec<ServiceRecord> = match service {
        Some(id) => vec![store.show_service(id, None)?],
        None => store.list_services(&ListFilter::default())?,
    };
    let until = timestamp(now);
    let starts = slo::bounds(now, window).map(timestamp);
    let mut reports = Vec::with_capacity(services.len());
    let mut summary = Summary::default();
    for s in &services {
        let g = &s.contract.guarantees;
        let promised = Promised {
            availability: g.availability,
            latency_ms: slo::Latency {
                p50: g.latency_ms.p50,
                p95: g.latency_ms.p95,
                p99: g.latency_ms.p99,
            },
            currency: s.contract.cost.currency.clone(),
        };
        let observed = Observed {
            window: store.observation_counts(&s.service_id, &starts[0], &until)?,
            latencies: store.observed_latencies(&s.service_id, &starts[0], &until)?,
            burn: [
                store.observation_counts(&s.service_id, &starts[1], &until)?,
                store.observation_counts(&s.service_id, &starts[2], &until)?,
            ],
        };
        let r = slo::evaluate(&s.service_id, &s.version, &promised, &observed);
        match r.verdict {
            Verdict::Met => summary.met += 1,
            Verdict::Breached => summary.breached += 1,
            Verdict::InsufficientData => summary.insufficient_data += 1,
            Verdict::NoTraffic => summary.no_traffic += 1,
        }
        reports.push(r);
    }
    // A service asked for by name is judged even without traffic.
    let asked_idle = service.is_some() && summary.no_traffic > 0;
    let verdict = if summary.breached > 0 {
        Verdict::Breached
    } else if summary.insufficient_data > 0 || summary.met == 0 || asked_idle {
        Verdict::InsufficientData
    } else {
        Verdict::Met
    };
    Ok(Report {
        at: until,
        window,
        min_observations: slo::MIN_OBSERVATIONS,
        verdict,
        summary,
        services: reports,
    })
}
