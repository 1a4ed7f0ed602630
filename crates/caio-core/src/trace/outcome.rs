//! Outcome records (SPEC §9): how a call that caio routed but did not
//! execute went, as its caller reports it (`caio trace outcome`). An
//! outcome is a record of its own, chained like a decision (format v2, the
//! same domain), that names the decision it reports on by seq and hash.
//!
//! The service's stats learn from it exactly as from an executed attempt:
//! [`OutcomeRecord::attempt`] is the attempt it stands for, and the store
//! folds that attempt with the same code as `route --execute`'s. What both
//! kinds of record observed of a service — one [`Observation`] per attempt
//! or outcome — is what `caio slo` and `caio metrics` count.

use crate::attempt::{Attempt, AttemptResult, Guarantee, Next, Violation};
use crate::contract::ServiceContract;
use serde::{Deserialize, Serialize};

/// The value of an outcome record's `kind`.
pub const KIND: &str = "outcome";

/// The longest error text a record keeps, in bytes.
pub const MAX_ERROR_BYTES: usize = 500;

/// How the caller's call went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The service answered and the answer was used.
    Ok,
    /// The call failed (an error, a timeout, an unusable answer).
    Error,
}

impl Status {
    /// `ok` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Error => "error",
        }
    }
}

/// The kind tag of an outcome record (always `outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An outcome record.
    Outcome,
}

/// What a caller reports about one call.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// How it went; `None` is refused.
    pub status: Option<Status>,
    /// How long the call took, in ms (required when it went well: the
    /// latency window and the SLOs learn from it).
    pub latency_ms: Option<f64>,
    /// Input tokens the service counted.
    pub input_tokens: Option<u64>,
    /// Output tokens the service counted.
    pub output_tokens: Option<u64>,
    /// What went wrong (with `error` only).
    pub error: Option<String>,
}

/// The decision an outcome reports on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRef {
    /// Its decision id (the first 32 hex characters of its hash).
    pub decision_id: String,
    /// Its chain hash, hex.
    pub hash: String,
    /// Its seq.
    pub seq: i64,
}

/// An outcome record, as hashed (RFC 8785): keys in canonical order, `v`
/// last, so that the chain hashes it with the v2 domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRecord {
    /// When the outcome was reported (RFC 3339 UTC).
    pub at: String,
    /// What the call cost, in the contract's currency: `per_request +
    /// input_tokens/1000 · per_1k_input + output_tokens/1000 ·
    /// per_1k_output` (a count not given counts 0); successful calls only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// The currency of `cost` (the contract's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The decision reported on.
    pub decision: DecisionRef,
    /// What went wrong, masked and truncated (status `error` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Set when the latency exceeded the contract's p99.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guarantee_violation: Option<Violation>,
    /// Input tokens, as reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u64>,
    /// Always `outcome`.
    pub kind: Kind,
    /// The call's latency in ms, as reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
    /// Output tokens, as reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u64>,
    /// The decision's principal.
    pub principal: String,
    /// The service called.
    pub service_id: String,
    /// Its contract version, as the decision chose it.
    pub service_version: String,
    /// How the call went.
    pub status: Status,
    /// The record format: 2.
    pub v: u32,
}

/// Why a report cannot become a record (the caller's input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// No status.
    MissingStatus,
    /// Status `ok` without a latency.
    MissingLatency,
    /// A latency that is negative or not a number.
    BadLatency,
    /// An error text with status `ok`.
    ErrorWithOk,
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Invalid::MissingStatus => "the status is missing: say `ok` or `error`",
            Invalid::MissingLatency => {
                "an `ok` outcome needs its latency (latency_ms): the latency window and the SLOs learn from it"
            }
            Invalid::BadLatency => "the latency must be a finite number of ms, 0 or more",
            Invalid::ErrorWithOk => "an error text goes with status `error`, not `ok`",
        })
    }
}

impl OutcomeRecord {
    /// The record of `report` on `decision`, which chose `contract`
    /// (`service_version` as the decision named it) for `principal`; `at`
    /// is the edge's clock.
    pub fn new(
        decision: DecisionRef,
        principal: &str,
        contract: &ServiceContract,
        service_version: &str,
        report: &Report,
        at: String,
    ) -> Result<OutcomeRecord, Invalid> {
        let status = report.status.ok_or(Invalid::MissingStatus)?;
        if let Some(ms) = report.latency_ms
            && !(ms.is_finite() && ms >= 0.0)
        {
            return Err(Invalid::BadLatency);
        }
        if status == Status::Ok && report.latency_ms.is_none() {
            return Err(Invalid::MissingLatency);
        }
        if status == Status::Ok && report.error.is_some() {
            return Err(Invalid::ErrorWithOk);
        }
        let p99 = contract.guarantees.latency_ms.p99;
        let guarantee_violation =
            report
                .latency_ms
                .filter(|ms| *ms > p99)
                .map(|observed_ms| Violation {
                    guarantee: Guarantee::LatencyP99Ms,
                    declared_ms: p99,
                    observed_ms,
                });
        let cost = (status == Status::Ok).then(|| {
            let c = &contract.cost;
            c.per_request
                + report.input_tokens.unwrap_or(0) as f64 / 1000.0 * c.per_1k_input_tokens
                + report.output_tokens.unwrap_or(0) as f64 / 1000.0 * c.per_1k_output_tokens
        });
        let cost = cost.filter(|c| c.is_finite());
        Ok(OutcomeRecord {
            at,
            currency: cost.map(|_| contract.cost.currency.clone()),
            cost,
            decision,
            error: report.error.as_deref().map(clean_error),
            guarantee_violation,
            input_tokens: report.input_tokens,
            kind: Kind::Outcome,
            latency_ms: report.latency_ms,
            output_tokens: report.output_tokens,
            principal: principal.to_string(),
            service_id: contract.service_id.clone(),
            service_version: service_version.to_string(),
            status,
            v: super::v2::VERSION,
        })
    }

    /// The attempt this outcome stands for: what the service's stats fold,
    /// as they fold an executed attempt.
    pub fn attempt(&self) -> Attempt {
        Attempt {
            detail: self.error.clone(),
            result: match self.status {
                Status::Ok => AttemptResult::Success,
                Status::Error => AttemptResult::Failed,
            },
            latency_ms: self.latency_ms.unwrap_or(0.0),
            guarantee_violation: self.guarantee_violation,
            cost: self.cost,
            next: Next::Done,
            ..Attempt::new(&self.service_id, &self.service_version, 1)
        }
    }
}

/// An error text as a record keeps it: credential-shaped runs masked, at
/// most [`MAX_ERROR_BYTES`] bytes (cut at a character boundary, marked
/// with `…`).
fn clean_error(text: &str) -> String {
    let masked = super::masked_credentials(text).unwrap_or_else(|| text.to_string());
    if masked.len() <= MAX_ERROR_BYTES {
        return masked;
    }
    let mut end = MAX_ERROR_BYTES - '…'.len_utf8();
    while !masked.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &masked[..end])
}

/// What one attempt or reported outcome observed of a service: the rows
/// `caio slo` and `caio metrics` count.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// The service.
    pub service_id: String,
    /// `success`, `failure` or `rejected` (a 4xx other than 429: the
    /// request was refused, which is not held against the service).
    pub result: &'static str,
    /// The latency of a success, in ms.
    pub latency_ms: Option<f64>,
    /// What it cost, when known.
    pub cost: Option<f64>,
    /// Guarantees it broke.
    pub violations: u32,
    /// `executed` (through `route --execute`) or `reported` (an outcome).
    pub source: &'static str,
}

impl Observation {
    /// What an attempt observed; `source` says where it came from.
    pub fn of(a: &Attempt, source: &'static str) -> Observation {
        let result = match a.result {
            AttemptResult::Success => "success",
            AttemptResult::Rejected => "rejected",
            AttemptResult::Transient | AttemptResult::Failed => "failure",
        };
        Observation {
            service_id: a.service_id.clone(),
            result,
            latency_ms: (a.result == AttemptResult::Success && a.latency_ms.is_finite())
                .then_some(a.latency_ms.max(0.0)),
            cost: a.cost.filter(|c| c.is_finite()),
            violations: u32::try_from(a.violations()).unwrap_or(u32::MAX),
            source,
        }
    }
}

/// The observations of a stored record, in order: one per execution
/// attempt of a decision, one for an outcome; none for a record that does
/// not read ([`super::Indexed::observations`]).
pub fn observations(body: &str) -> Vec<Observation> {
    super::Indexed::read(body)
        .map(|i| i.observations())
        .unwrap_or_default()
}

/// Whether a stored record is an outcome (format v2 with `"kind":"outcome"`).
pub fn is_outcome(body: &str) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(default)]
        kind: Option<serde::de::IgnoredAny>,
    }
    super::record_version(body) == 2
        && serde_json::from_str::<Probe>(body).is_ok_and(|p| p.kind.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contract() -> ServiceContract {
        let yaml = "apiVersion: caio/v1
service_id: demo-chat
name: Demo
version: 1.2.0
capabilities: [{ type: chat }]
guarantees: { latency_ms: { p50: 100, p95: 400, p99: 800 }, availability: 0.99 }
cost: { currency: USD, per_request: 0.001, per_1k_input_tokens: 0.5, per_1k_output_tokens: 1.5 }
privacy: { hosting: external, regions: [us], max_data_class: internal }
endpoint:
  url: https://api.example.com/v1/chat
  auth: { scheme: bearer, env: DEMO_API_KEY }
";
        crate::contract::validate::validate_text("s.yaml", yaml)
            .contract
            .expect("a valid contract")
    }

    fn decision() -> DecisionRef {
        DecisionRef {
            decision_id: "ab".repeat(16),
            hash: "ab".repeat(32),
            seq: 3,
        }
    }

    fn report(status: Status, latency: Option<f64>) -> Report {
        Report {
            status: Some(status),
            latency_ms: latency,
            ..Report::default()
        }
    }

    #[test]
    fn an_outcome_record_is_v2_and_ends_with_its_version() {
        let mut r = report(Status::Ok, Some(900.0));
        r.input_tokens = Some(2000);
        r.output_tokens = Some(1000);
        let o =
            OutcomeRecord::new(decision(), "ana", &contract(), "1.2.0", &r, "t".into()).unwrap();
        let body = crate::canonical::to_jcs(&o).unwrap();
        assert!(body.ends_with(",\"v\":2}"), "{body}");
        assert!(body.contains("\"kind\":\"outcome\""), "{body}");
        assert!(is_outcome(&body));
        assert!((o.cost.unwrap() - (0.001 + 1.0 + 1.5)).abs() < 1e-12);
        let v = o.guarantee_violation.unwrap();
        assert_eq!((v.declared_ms, v.observed_ms), (800.0, 900.0));
        let a = o.attempt();
        assert_eq!(a.result, AttemptResult::Success);
        assert_eq!(a.latency_ms, 900.0);
        let back: OutcomeRecord = serde_json::from_str(&body).unwrap();
        assert_eq!(back, o);
        let obs = observations(&body);
        assert_eq!(obs.len(), 1);
        assert_eq!(
            (obs[0].result, obs[0].latency_ms, obs[0].violations),
            ("success", Some(900.0), 1)
        );
    }

    #[test]
    fn reports_that_say_too_little_or_contradict_themselves_are_refused() {
        let c = contract();
        let new = |r: &Report| OutcomeRecord::new(decision(), "a", &c, "1.2.0", r, "t".into());
        assert_eq!(new(&Report::default()), Err(Invalid::MissingStatus));
        assert_eq!(new(&report(Status::Ok, None)), Err(Invalid::MissingLatency));
        assert_eq!(
            new(&report(Status::Error, Some(f64::NAN))),
            Err(Invalid::BadLatency)
        );
        assert_eq!(
            new(&report(Status::Ok, Some(-1.0))),
            Err(Invalid::BadLatency)
        );
        let mut ok = report(Status::Ok, Some(1.0));
        ok.error = Some("boom".into());
        assert_eq!(new(&ok), Err(Invalid::ErrorWithOk));
        let failed = new(&report(Status::Error, None)).unwrap();
        assert_eq!(failed.cost, None, "a failed call costs nothing");
        assert_eq!(failed.attempt().result, AttemptResult::Failed);
    }

    #[test]
    fn error_texts_are_masked_and_bounded() {
        let mut r = report(Status::Error, None);
        r.error = Some(format!(
            "401 for key sk-abcdefghijklmnopqrstuvwxyz {}",
            "é".repeat(400)
        ));
        let o = OutcomeRecord::new(decision(), "a", &contract(), "1.2.0", &r, "t".into()).unwrap();
        let e = o.error.unwrap();
        assert!(e.starts_with("401 for key sk-*** "), "{e}");
        assert!(
            e.len() <= MAX_ERROR_BYTES && e.ends_with('…'),
            "{}",
            e.len()
        );
    }

    #[test]
    fn a_decision_record_observes_its_attempts() {
        let body = r#"{"at":"t","attempts":[{"attempt":1,"latency_ms":5,"next":{"action":"retry","after_ms":1,"reason":"503"},"result":"transient","service_id":"a","service_version":"1","started_ms":0,"status":503},{"attempt":2,"latency_ms":7,"next":{"action":"done"},"result":"success","service_id":"a","service_version":"1","started_ms":9,"status":200}],"decision":{"chosen":[{"service_id":"a"}],"principal":"p","steps":[]},"outcome":"routed","v":2}"#;
        assert!(!is_outcome(body));
        let obs = observations(body);
        assert_eq!(obs.len(), 2);
        assert_eq!((obs[0].result, obs[0].latency_ms), ("failure", None));
        assert_eq!((obs[1].result, obs[1].latency_ms), ("success", Some(7.0)));
        assert_eq!(obs[1].source, "executed");
    }
}
