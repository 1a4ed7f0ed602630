//! Trace records, format v2 (SPEC §9): a record that does not grow with the
//! registry. What many decisions share — the candidate set (the contract
//! versions and statuses considered), the policy set and the stats
//! snapshot of the candidates with history — is stored once as a
//! content-addressed [`Object`] and referenced by hash. The record keeps
//! the decision's digest: the
//! chosen step(s) with their terms, the control signal, the composed
//! guarantees, the top 5 eligible of each step and the rejections counted
//! by stage and by rule. The per-candidate explanation is recomputed from
//! the objects by the pure core ([`crate::routing::route`]), and
//! [`digest`] of the recomputed decision must equal the stored one.
//!
//! ```text
//! object = BLAKE3("caio-object-v1\n" ‖ kind ‖ "\n" ‖ JCS(body))
//! hash_n = BLAKE3("caio-trace-v2\n" ‖ hash_{n−1} ‖ JCS(record_n))
//! ```

use crate::attempt::Attempt;
use crate::canonical::{self, JcsError};
use crate::policy::PolicySet;
use crate::request::Request;
use crate::routing::{
    Choice, Composed, ContractRef, Control, Decision, Identity, Outcome, Routed, ServiceStats,
    Terms,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

use super::{ExecutionRecord, redact};

/// The domain prefix of a v2 record's chain hash.
pub const DOMAIN_V2: &[u8] = b"caio-trace-v2\n";

/// The domain prefix of an object's hash.
pub const OBJECT_DOMAIN: &[u8] = b"caio-object-v1\n";

/// The version number a v2 record carries.
pub const VERSION: u32 = 2;

/// How many eligible candidates of a step a record keeps, best first:
/// those a [`Detail::Brief`](crate::routing::Detail::Brief) decision lists.
pub const TOP: usize = crate::routing::BRIEF_TOP;

/// The kind of the candidate-set object.
pub const CANDIDATES: &str = "candidates";
/// The kind of the stats-snapshot object.
pub const STATS: &str = "stats";
/// The kind of the policy-set object.
pub const POLICIES: &str = "policies";

/// The object kind spelled `kind`, when it is one.
pub fn object_kind(kind: &str) -> Option<&'static str> {
    [CANDIDATES, POLICIES, STATS]
        .into_iter()
        .find(|k| *k == kind)
}

/// What one route call leaves in the trace (format v2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraceRecord {
    /// When the call was made (RFC 3339 UTC), from the edge's clock: the
    /// decision time.
    pub at: String,
    /// Execution attempts (`route --execute`), in order; left out when
    /// there were none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<Attempt>,
    /// The decision's time (Unix ms) each h recovered to, when the stats
    /// were read with a clock; replay routes at it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at_ms: Option<i64>,
    /// The decision's digest.
    pub decision: Digest,
    /// How execution ended (`route --execute` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<ExecutionRecord>,
    /// Who asked (for a refused token: only the kind of failure).
    pub identity: Identity,
    /// The inputs shared with other decisions, by hash.
    pub objects: Objects,
    /// How routing ended.
    pub outcome: Outcome,
    /// The paths removed or masked in the request before hashing; left
    /// out when none was.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redacted: Vec<String>,
    /// The request, without its token, its payload and the paths it
    /// listed under `redact`; credential-shaped strings masked; fields at
    /// their defaults (SPEC §5) left out.
    pub request: serde_json::Value,
    /// The tie-break seed.
    pub seed: u64,
    /// The record format: 2. (The last key in canonical order, which is
    /// how a chain tells a v2 record from a v1 one.)
    pub v: u32,
}

/// The hashes of the inputs a record shares with other decisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objects {
    /// The candidate set: an object of kind `candidates`.
    pub candidates: String,
    /// The policy set: an object of kind `policies`, whose body is the
    /// set's canonical JSON (its BLAKE3 is the set's content hash, as
    /// `caio policy show` prints it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policies: Option<String>,
    /// The policy set's content hash, in a record written before the set
    /// was kept as an object (replay finds the set by it where `policy
    /// apply` kept it); left out when `policies` names the set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_set: Option<String>,
    /// How many rules the policy set holds.
    pub policy_rules: usize,
    /// The stats snapshot (an object of kind `stats`), when a candidate
    /// had history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stats: Option<String>,
}

/// A decision without its per-candidate explanation, which is recomputed.
/// The weights in force are not kept: they follow from the request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Digest {
    /// The chosen service of each step (in step order), when routed.
    pub chosen: Vec<Chosen>,
    /// The control signal, when routed (each component rounded to
    /// [`TERM_DIGITS`] decimals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control: Option<Control>,
    /// The composed guarantees of the chosen route, when routed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guarantees: Option<Composed>,
    /// Who asked: the principal's name, `anonymous`, or `(refused)`.
    pub principal: String,
    /// Why nothing was routed, beyond the per-candidate rejections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The total score, when routed (rounded to [`TERM_DIGITS`] decimals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Each step: its top eligible candidates and its rejections counted
    /// (the one-line summary is rebuilt from them, not stored).
    pub steps: Vec<StepDigest>,
}

/// The chosen service of one step (its capability is the request's for
/// that step).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chosen {
    /// The chosen service.
    pub service_id: String,
    /// Its contract version.
    pub service_version: String,
    /// Its score J(s) for this step (rounded to [`TERM_DIGITS`] decimals).
    pub score: f64,
    /// The panic guard chose this service although its circuit is open: a
    /// half-open probe (SPEC §8).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub probe: bool,
}

impl Chosen {
    /// The choice of a step whose capability is `capability`.
    pub fn choice(&self, capability: &str) -> Choice {
        Choice {
            capability: capability.to_string(),
            service_id: self.service_id.clone(),
            service_version: self.service_version.clone(),
            score: self.score,
            probe: self.probe,
        }
    }
}

/// One step of a decision, digested.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepDigest {
    /// How many candidates the step had.
    pub candidates: usize,
    /// How many were eligible.
    pub eligible: usize,
    /// Rejected candidates by the first stage that rejected them (left
    /// out when none was rejected).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rejected_by_stage: BTreeMap<String, usize>,
    /// Rejections by rule, within each candidate's first rejecting stage
    /// (left out when none was rejected).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rejected_by_rule: BTreeMap<String, usize>,
    /// The best eligible candidates, best first (at most [`TOP`] in all),
    /// as runs of candidates with equal terms.
    pub top: Vec<Ranked>,
}

/// A run of consecutive top candidates with equal terms, as a record keeps
/// it: `[[i, …], [q, h, t, c, l, r]]`. Each `i` is the candidate's place
/// in the record's candidate set (the `candidates` object, which gives
/// its id, version and contract hash); the terms of J(s) are rounded to
/// [`TERM_DIGITS`] decimals (their score follows from them and the
/// request's weights).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranked(pub Vec<usize>, pub [f64; 6]);

/// The decimals a record keeps of each term, score and control-signal
/// component: as fine as the 1e-9 within which scores tie, and free of the
/// float noise (`0.12000000000000009`) that would otherwise fill a record.
pub const TERM_DIGITS: i32 = 9;

impl Ranked {
    /// The terms, rounded as a record keeps them.
    pub fn terms(&self) -> Terms {
        let [q, h, t, c, l, r] = self.1;
        Terms { q, h, t, c, l, r }
    }
}

/// `x` rounded to [`TERM_DIGITS`] decimals.
fn rounded(x: f64) -> f64 {
    let scale = 10f64.powi(TERM_DIGITS);
    let r = (x * scale).round() / scale;
    if r.is_finite() { r } else { x }
}

/// A content-addressed input, stored once and referenced by hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    /// `candidates`, `policies` or `stats`.
    pub kind: &'static str,
    /// `BLAKE3("caio-object-v1\n" ‖ kind ‖ "\n" ‖ body)`, hex.
    pub hash: String,
    /// The body's canonical JSON.
    pub body: String,
}

impl Object {
    /// The object of `kind` holding `body`.
    pub fn new(kind: &'static str, body: &impl Serialize) -> Result<Object, JcsError> {
        let body = canonical::to_jcs(body)?;
        Ok(Object {
            kind,
            hash: object_hash(kind, &body),
            body,
        })
    }
}

/// The hash of an object of `kind` whose canonical JSON is `body`, hex.
pub fn object_hash(kind: &str, body: &str) -> String {
    let mut h = blake3::Hasher::new();
    h.update(OBJECT_DOMAIN);
    h.update(kind.as_bytes());
    h.update(b"\n");
    h.update(body.as_bytes());
    super::hex(h.finalize().as_bytes())
}

/// The digest of a decision: what a v2 record keeps of it. `contracts` is
/// the decision's candidate set (as its `candidates` object lists it): a
/// top candidate is kept as its place there.
pub fn digest(decision: &Decision, contracts: &[ContractRef]) -> Digest {
    let place = |id: &str| {
        contracts
            .binary_search_by(|c| c.service_id.as_str().cmp(id))
            .ok()
            .filter(|&i| contracts[i].service_id == id)
            .or_else(|| contracts.iter().position(|c| c.service_id == id))
    };
    Digest {
        chosen: decision
            .chosen
            .iter()
            .map(|c| Chosen {
                service_id: c.service_id.clone(),
                service_version: c.service_version.clone(),
                score: rounded(c.score),
                probe: c.probe,
            })
            .collect(),
        control: decision.control.map(|c| Control {
            confidence: rounded(c.confidence),
            latency_headroom: rounded(c.latency_headroom),
            budget_headroom: rounded(c.budget_headroom),
            risk: rounded(c.risk),
        }),
        guarantees: decision.guarantees.clone(),
        principal: decision.principal.clone(),
        reason: decision.reason.clone(),
        score: decision.score.map(rounded),
        steps: decision
            .steps
            .iter()
            .map(|step| {
                let tally = step.tally();
                let mut rejected_by_stage = BTreeMap::new();
                for (stage, n) in &tally.by_stage {
                    *rejected_by_stage
                        .entry(stage.as_str().to_string())
                        .or_default() += n;
                }
                let mut rejected_by_rule = BTreeMap::new();
                for t in &tally.by_rule {
                    *rejected_by_rule.entry(t.rule.to_string()).or_default() += t.rejections;
                }
                let mut top: Vec<Ranked> = Vec::new();
                for c in step.eligible().take(TOP) {
                    let (Some(terms), Some(i)) = (c.terms, place(&c.service_id)) else {
                        continue;
                    };
                    let terms = [terms.q, terms.h, terms.t, terms.c, terms.l, terms.r].map(rounded);
                    match top.last_mut() {
                        Some(run) if run.1 == terms => run.0.push(i),
                        _ => top.push(Ranked(vec![i], terms)),
                    }
                }
                StepDigest {
                    candidates: tally.candidates,
                    eligible: tally.eligible,
                    rejected_by_stage,
                    rejected_by_rule,
                    top,
                }
            })
            .collect(),
    }
}

/// A route call's record and the objects it references: `policies` is the
/// policy set the decision was made with (`routed.policy_set` is its
/// content hash, which the record leaves to its object). `at` is the
/// edge's clock.
pub fn record(
    request: &Request,
    routed: &Routed,
    policies: &PolicySet,
    at: String,
) -> Result<(TraceRecord, Vec<Arc<Object>>), JcsError> {
    record_with(
        request,
        routed,
        at,
        None,
        Arc::new(policies_object(policies)?),
    )
}

/// [`record`], with the shared objects already built (a router making many
/// decisions over the same candidates and policy set builds them once):
/// `candidates`, when given, must come from [`candidates_object`] over a
/// set equal to `routed.contracts`, and `policies` from
/// [`policies_object`] of the set `routed.policy_set` names.
pub fn record_with(
    request: &Request,
    routed: &Routed,
    at: String,
    candidates: Option<Arc<Object>>,
    policies: Arc<Object>,
) -> Result<(TraceRecord, Vec<Arc<Object>>), JcsError> {
    let (mut request, redacted) = redact(request);
    super::without_defaults(&mut request);
    let candidates = match candidates {
        Some(o) if o.kind == CANDIDATES => o,
        _ => Arc::new(candidates_object(&routed.contracts)?),
    };
    let policies_hash = policies.hash.clone();
    let mut objects = vec![candidates, policies];
    let stats = if routed.stats.is_empty() {
        None
    } else {
        let stats = Object::new(STATS, &routed.stats)?;
        let hash = stats.hash.clone();
        objects.push(Arc::new(stats));
        Some(hash)
    };
    let record = TraceRecord {
        at,
        attempts: Vec::new(),
        decided_at_ms: routed.decided_at_ms,
        decision: digest(&routed.decision, &routed.contracts),
        execution: None,
        identity: routed.identity.clone(),
        objects: Objects {
            candidates: objects[0].hash.clone(),
            policies: Some(policies_hash),
            policy_set: None,
            policy_rules: routed.policy_rules,
            stats,
        },
        outcome: routed.decision.outcome,
        redacted,
        request,
        seed: routed.decision.seed,
        v: VERSION,
    };
    Ok((record, objects))
}

/// The `candidates` object of a candidate set.
pub fn candidates_object(contracts: &[ContractRef]) -> Result<Object, JcsError> {
    Object::new(CANDIDATES, &contracts)
}

/// The `policies` object of a policy set: its body is the set's canonical
/// JSON, the text its content hash (`caio policy show`) is taken of.
pub fn policies_object(set: &PolicySet) -> Result<Object, JcsError> {
    let (_, body) = set.canonical()?;
    Ok(Object {
        kind: POLICIES,
        hash: object_hash(POLICIES, &body),
        body,
    })
}

/// The candidate set stored in a `candidates` object.
pub fn parse_candidates(body: &str) -> Result<Vec<ContractRef>, serde_json::Error> {
    serde_json::from_str(body)
}

/// The stats snapshot stored in a `stats` object.
pub fn parse_stats(body: &str) -> Result<BTreeMap<String, ServiceStats>, serde_json::Error> {
    serde_json::from_str(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::for_tests as contract;

    #[test]
    fn object_hashes_follow_the_documented_formula() {
        let o = Object::new(STATS, &BTreeMap::<String, u32>::new()).unwrap();
        assert_eq!(o.body, "{}");
        let mut h = blake3::Hasher::new();
        h.update(b"caio-object-v1\nstats\n{}");
        assert_eq!(o.hash, super::super::hex(h.finalize().as_bytes()));
    }

    /// The top candidates are kept by their place in the candidate set, in
    /// runs of equal terms, rounded; the request loses its defaults and
    /// reads back as the same request.
    #[test]
    fn top_candidates_are_runs_of_places_with_rounded_terms() {
        let contracts = [
            contract("svc-d", 0.9),
            contract("svc-a", 0.7),
            contract("svc-c", 0.7),
            contract("svc-b", 0.1234567891),
        ];
        let candidates: Vec<crate::routing::Candidate<'_>> = contracts
            .iter()
            .map(|c| crate::routing::Candidate {
                contract: c.into(),
                status: crate::lifecycle::ServiceStatus::Active,
                status_reason: None,
                stats: ServiceStats::default(),
            })
            .collect();
        let request = Request::for_capability("chat");
        let policies = crate::policy::PolicySet::default();
        let decision =
            crate::routing::route(&request, &Identity::Anonymous, &candidates, &policies);
        let routed = Routed::new(
            decision,
            Identity::Anonymous,
            &candidates,
            "policy".into(),
            0,
            |_| "hash".into(),
        );
        let ids: Vec<&str> = routed
            .contracts
            .iter()
            .map(|c| c.service_id.as_str())
            .collect();
        assert_eq!(
            ids,
            ["svc-a", "svc-b", "svc-c", "svc-d"],
            "the candidate set is by id"
        );
        let (record, _) = record(&request, &routed, &policies, "t".into()).unwrap();
        let top = &record.decision.steps[0].top;
        // d (0.9) first, then a and c (equal terms) in one run, then b.
        let places: Vec<Vec<usize>> = top.iter().map(|r| r.0.clone()).collect();
        assert_eq!(places.concat().len(), 4);
        assert_eq!(places[0], [3]);
        assert!(
            places.contains(&vec![0, 2]) || places.contains(&vec![2, 0]),
            "{places:?}"
        );
        let b = top.iter().find(|r| r.0 == [1]).expect("b");
        assert_eq!(b.1[0], 0.123456789, "q rounded to 9 decimals");
        let body = canonical::to_jcs(&record).unwrap();
        assert!(body.contains("[[3],[0.9,1,"), "{body}");
        // Defaults are left out of the recorded request; reading it back
        // gives the request routed.
        assert_eq!(
            record.request,
            serde_json::json!({"capability": "chat", "seed": 0})
        );
        let again: Request = serde_json::from_value(record.request.clone()).unwrap();
        assert_eq!(again, request);
        assert!(
            !body.contains("\"attempts\"") && !body.contains("\"redacted\""),
            "{body}"
        );
        // Replay's digest of the same decision is the stored one.
        assert_eq!(digest(&routed.decision, &routed.contracts), record.decision);
    }

    #[test]
    fn a_v2_record_ends_with_its_version() {
        let routed = Routed::new(
            crate::routing::route(
                &Request::for_capability("chat"),
                &Identity::Anonymous,
                &[],
                &crate::policy::PolicySet::default(),
            ),
            Identity::Anonymous,
            &[],
            "policy".into(),
            0,
            |_| String::new(),
        );
        let policies = crate::policy::PolicySet::default();
        let (record, objects) = record(
            &Request::for_capability("chat"),
            &routed,
            &policies,
            "t".into(),
        )
        .unwrap();
        let body = canonical::to_jcs(&record).unwrap();
        assert!(body.ends_with(",\"v\":2}"), "{body}");
        assert_eq!(super::super::record_version(&body), 2);
        let kinds: Vec<&str> = objects.iter().map(|o| o.kind).collect();
        assert_eq!(
            kinds,
            [CANDIDATES, POLICIES],
            "no stats object without history"
        );
        assert_eq!(
            super::super::referenced_objects(&body),
            [
                (CANDIDATES, objects[0].hash.clone()),
                (POLICIES, objects[1].hash.clone())
            ]
        );
    }

    /// The policy-set object holds the text the set's content hash is
    /// taken of, so an auditor can check one against the other.
    #[test]
    fn the_policy_set_object_holds_what_its_content_hash_is_of() {
        let text = include_str!("../../../../policies/pii.yaml");
        let file = crate::policy::load::load_text("pii.yaml", text, std::path::Path::new("."));
        assert!(file.report.is_valid(), "{:?}", file.report.problems);
        let set = PolicySet::new(file.policies);
        assert!(!set.policies().is_empty());
        let object = policies_object(&set).unwrap();
        let (hash, body) = set.canonical().unwrap();
        assert_eq!(object.body, body);
        assert_eq!(blake3::hash(object.body.as_bytes()).to_hex().as_str(), hash);
        assert_eq!(object.hash, object_hash(POLICIES, &body));
        // The stored form reads back as the same set.
        let again = crate::policy::load::from_stored(&object.body).unwrap();
        assert_eq!(again.canonical().unwrap().0, hash);
    }
}
