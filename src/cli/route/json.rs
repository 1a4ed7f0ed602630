//! The `--format json` document of a decision (SPEC §5).

use super::*;

/// The `--format json` document of SPEC §5.
#[derive(Serialize)]
pub struct RouteJson<'a> {
    /// The input line (batch only), as error lines give it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) line: Option<usize>,
    decision_id: &'a str,
    /// Where the record went; absent when nothing was appended.
    #[serde(skip_serializing_if = "Option::is_none")]
    trace: Option<&'a Appended>,
    outcome: &'static str,
    service_id: Option<&'a str>,
    service_version: Option<&'a str>,
    score: Option<f64>,
    steps: &'a [caio_core::routing::Choice],
    control: Option<&'a caio_core::routing::Control>,
    guarantees: Option<GuaranteesJson>,
    /// Left out of batch lines unless --explain or --top asks for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    candidates: Option<Vec<CandidateJson<'a>>>,
    summary: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    principal: &'a str,
    policy_set: &'a str,
    seed: u64,
    weights: caio_core::request::Weights,
    /// What `--execute` did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) execution: Option<execute::ExecutionJson<'a>>,
    /// With --explain (and for a no-route): "did you mean" and access hints
    /// per step; each candidate's later rejections are in `candidates`.
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<ExplanationJson<'a>>,
}

#[derive(Serialize)]
struct ExplanationJson<'a> {
    steps: Vec<StepExplanationJson<'a>>,
}

#[derive(Serialize)]
struct StepExplanationJson<'a> {
    capability: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    unknown_capability: Option<&'a caio_core::routing::explain::UnknownCapability>,
    access_hints: &'a [caio_core::routing::explain::AccessHint],
}

/// A candidate's raw values beside its normalised terms: cost in the
/// registry's currency, p95 in ms.
#[derive(Serialize)]
struct RawJson<'a> {
    cost: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    currency: Option<&'a str>,
    latency_p95_ms: f64,
    availability: f64,
}

#[derive(Serialize)]
struct GuaranteesJson {
    latency_p95_ms: f64,
    availability: f64,
    accuracy: Option<f64>,
    cost: f64,
    currency: String,
    regions: Vec<String>,
}

#[derive(Serialize)]
struct CandidateJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    step: Option<usize>,
    service_id: &'a str,
    service_version: &'a str,
    eligible: bool,
    score: Option<f64>,
    terms: Option<&'a Terms>,
    /// Beside `terms`, when eligible.
    #[serde(skip_serializing_if = "Option::is_none")]
    raw: Option<RawJson<'a>>,
    rejections: &'a [caio_core::routing::Rejection],
    /// With --explain: the stages after the first that would reject it too.
    #[serde(skip_serializing_if = "Option::is_none")]
    later_rejections: Option<&'a [caio_core::routing::Rejection]>,
    #[serde(skip)]
    step_index: usize,
}

impl<'a> RouteJson<'a> {
    /// The document; `listed: false` leaves the per-candidate array out
    /// (batch lines without --explain or --top).
    pub fn new(
        routed: &'a Routed,
        traced: &'a Traced,
        top: Option<usize>,
        listed: bool,
    ) -> RouteJson<'a> {
        let d = &routed.decision;
        let single = d.chosen.len() == 1 && d.steps.len() == 1;
        let chained = d.steps.len() > 1 || d.chosen.len() > 1;
        let mut candidates = Vec::new();
        for (i, step) in d.steps.iter().enumerate().filter(|_| listed) {
            let mut shown_eligible = 0;
            for c in &step.candidates {
                if c.eligible {
                    if top.is_some_and(|k| shown_eligible >= k) {
                        continue;
                    }
                    shown_eligible += 1;
                }
                candidates.push(CandidateJson {
                    step: chained.then_some(i + 1),
                    service_id: &c.service_id,
                    service_version: &c.service_version,
                    eligible: c.eligible,
                    score: c.score,
                    terms: c.terms.as_ref(),
                    raw: c.terms.is_some().then(|| RawJson {
                        cost: c.cost(),
                        currency: d.guarantees.as_ref().map(|g| g.currency.as_str()),
                        latency_p95_ms: c.latency_p95_ms(),
                        availability: c.availability(),
                    }),
                    rejections: &c.rejections,
                    later_rejections: None,
                    step_index: i,
                });
            }
        }
        RouteJson {
            line: None,
            decision_id: &traced.decision_id,
            trace: traced.trace.as_ref(),
            outcome: d.outcome.as_str(),
            service_id: single.then(|| d.chosen[0].service_id.as_str()),
            service_version: single.then(|| d.chosen[0].service_version.as_str()),
            score: d.score,
            steps: &d.chosen,
            control: d.control.as_ref(),
            guarantees: d.guarantees.as_ref().map(|g| GuaranteesJson {
                latency_p95_ms: g.latency_p95_ms,
                availability: g.availability,
                accuracy: g.accuracy,
                cost: g.cost,
                currency: g.currency.clone(),
                regions: g.regions.clone(),
            }),
            candidates: listed.then_some(candidates),
            summary: &d.summary,
            reason: d.reason.as_deref(),
            principal: &d.principal,
            policy_set: &routed.policy_set,
            seed: d.seed,
            weights: d.weights,
            execution: None,
            explanation: None,
        }
    }

    /// Adds what an explanation says: every candidate's later rejections
    /// and each step's hints.
    pub fn explain(&mut self, explanation: &'a caio_core::routing::explain::Explanation) {
        if let Some(candidates) = &mut self.candidates {
            for c in candidates.iter_mut().filter(|c| !c.eligible) {
                c.later_rejections = explanation
                    .steps
                    .get(c.step_index)
                    .and_then(|s| s.rejected.iter().find(|r| r.service_id == c.service_id))
                    .map(|r| r.later.as_slice())
                    .filter(|later| !later.is_empty());
            }
        }
        self.explanation = Some(ExplanationJson {
            steps: explanation
                .steps
                .iter()
                .map(|s| StepExplanationJson {
                    capability: &s.capability,
                    unknown_capability: s.unknown_capability.as_ref(),
                    access_hints: &s.access,
                })
                .collect(),
        });
    }
}
