//! What `route --explain` adds to a decision (SPEC §5): every stage that
//! would reject a candidate (the pipeline stops at the first), "did you
//! mean" for a capability no service offers, and what a principal would need
//! to pass the access stage.
//!
//! Computed only when an explanation is shown, after [`super::route`]: the
//! pipeline itself never runs a stage past the first rejection, and none of
//! this is part of a decision or its trace.

use super::pipeline::{self, Env};
use super::{
    Candidate, CandidateResult, Decision, Detail, Identity, Rejection, Stage, Wording, score,
};
use crate::contract::Trust;
use crate::policy::PolicySet;
use crate::policy::paths::Facts;
use crate::request::Request;
use serde::Serialize;

/// The explanation of one decision, one entry per step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// Per step, in order.
    pub steps: Vec<StepExplanation>,
}

/// The explanation of one step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepExplanation {
    /// The step's capability.
    pub capability: String,
    /// Set when no service offers the capability at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown_capability: Option<UnknownCapability>,
    /// Every rejected candidate with the stages after the first that would
    /// reject it too, by service id.
    pub rejected: Vec<AllRejections>,
    /// What the rejected-at-access candidates need of the principal.
    pub access: Vec<AccessHint>,
}

/// A capability no candidate offers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnknownCapability {
    /// The registered capability closest to the requested one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub did_you_mean: Option<String>,
    /// Every capability some service offers, sorted.
    pub registered: Vec<String>,
}

/// One rejected candidate's rejections beyond the first stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AllRejections {
    /// The service.
    pub service_id: String,
    /// The rejections of every stage after the first rejecting one, in
    /// stage order (the first stage's are the decision's own).
    pub later: Vec<Rejection>,
}

/// What would let a principal through a candidate's access stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccessHint {
    /// The service.
    pub service_id: String,
    /// The trust it requires, when the principal's is lower.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_trust: Option<Trust>,
    /// One of these roles, when the principal has none of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// One of these tenants, when the principal is in none of them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenants: Option<Vec<String>>,
    /// The other stages (`stage(rule)`) that would still reject the
    /// candidate for such a principal; empty when it would be eligible.
    pub still_rejected_by: Vec<String>,
}

impl Identity {
    /// The principal access rules and policies saw: anonymous for no token
    /// or a refused one.
    pub fn acting_principal(&self) -> crate::principal::Principal {
        self.principal()
    }
}

impl CandidateResult {
    /// The estimated cost of the request on this service, in the registry's
    /// currency (what ĉ normalises).
    pub fn cost(&self) -> f64 {
        self.metrics.cost
    }

    /// The p95 latency used for this service, in ms (what ℓ̂ normalises):
    /// the declared one, or the observed one when worse and well measured.
    pub fn latency_p95_ms(&self) -> f64 {
        self.metrics.latency_p95_ms
    }

    /// The declared availability (what ρ's unavailability term reads).
    pub fn availability(&self) -> f64 {
        self.metrics.availability
    }
}

/// Explains `decision`, made by [`super::route`] from the same `request`,
/// `identity`, `candidates` and `policies`. `registered` lists every
/// capability a service offers (for "did you mean"); it is only read when a
/// step has no candidate.
pub fn explain(
    request: &Request,
    identity: &Identity,
    candidates: &[Candidate<'_>],
    policies: &PolicySet,
    decision: &Decision,
    registered: &[String],
) -> Explanation {
    let principal = identity.principal();
    let env = Env {
        request,
        identity,
        principal: &principal,
        policies,
        chained: request.is_chain(),
        detail: Detail::Full,
    };
    let steps = request
        .steps()
        .iter()
        .zip(&decision.steps)
        .enumerate()
        .map(|(index, (step, result))| {
            let mut out = StepExplanation {
                capability: step.capability.clone(),
                unknown_capability: None,
                rejected: Vec::new(),
                access: Vec::new(),
            };
            if result.candidates.is_empty() {
                let mut known: Vec<String> = registered.to_vec();
                known.sort();
                known.dedup();
                let names: Vec<&str> = known.iter().map(String::as_str).collect();
                out.unknown_capability = Some(UnknownCapability {
                    did_you_mean: crate::shape::did_you_mean(&step.capability, &names)
                        .map(str::to_string),
                    registered: known,
                });
                return out;
            }
            for rejected in result.candidates.iter().filter(|c| !c.eligible) {
                let Some(candidate) = candidates
                    .iter()
                    .find(|c| c.contract.service_id() == &*rejected.service_id)
                else {
                    continue;
                };
                let all = every_stage(&env, index, step, candidate);
                let first = rejected.rejections.first().map(|r| r.stage);
                let later: Vec<Rejection> = all
                    .iter()
                    .filter(|r| first.is_some_and(|f| r.stage > f))
                    .cloned()
                    .collect();
                if let Some(hint) = access_hint(candidate, &all) {
                    out.access.push(hint);
                }
                out.rejected.push(AllRejections {
                    service_id: rejected.service_id.to_string(),
                    later,
                });
            }
            out
        })
        .collect();
    Explanation { steps }
}

/// Every stage's rejections of one candidate, in stage order: the
/// pipeline's stages, none skipped.
fn every_stage(
    env: &Env<'_>,
    index: usize,
    step: &crate::request::Step,
    candidate: &Candidate<'_>,
) -> Vec<Rejection> {
    let Some(contract) = candidate.contract.get() else {
        let mut out = Vec::new();
        pipeline::unreadable(
            candidate,
            &mut pipeline::Reasons::new(&mut out, Wording::Messages),
        );
        return out;
    };
    let Some((offered_at, offered)) = contract
        .capabilities
        .iter()
        .enumerate()
        .find(|(_, c)| c.kind == step.capability)
    else {
        return Vec::new();
    };
    let request = env.request;
    let metrics = score::metrics(contract, candidate.status, &candidate.stats, &step.input);
    let mut out = Vec::new();
    let mut reasons = pipeline::Reasons::new(&mut out, Wording::Messages);
    pipeline::status(candidate, &mut reasons);
    pipeline::capability(request, index, step, offered, &mut reasons);
    pipeline::access(env.identity, env.principal, contract, &mut reasons);
    pipeline::privacy(request, contract, &mut reasons);
    let ctx = env.policy_context(
        index,
        step,
        offered_at,
        Facts::of(contract),
        None,
        candidate,
        metrics.cost,
    );
    out.extend(
        env.policies
            .evaluate(&ctx)
            .rejections
            .iter()
            .map(Rejection::from),
    );
    let mut reasons = pipeline::Reasons::new(&mut out, Wording::Messages);
    pipeline::requirement(request, contract, &metrics, env.chained, &mut reasons);
    pipeline::preference(request, &contract.service_id, &mut reasons);
    out
}

/// What the principal lacks for `candidate`'s access rules, when the
/// access stage rejects it for trust, roles or tenant (not for a refused
/// token: that request is refused as a whole).
fn access_hint(candidate: &Candidate<'_>, all: &[Rejection]) -> Option<AccessHint> {
    let contract = candidate.contract.get()?;
    let access = &contract.access;
    let failed = |rule: &str| {
        all.iter()
            .any(|r| r.stage == Stage::Access && r.rule == rule)
    };
    let hint = AccessHint {
        service_id: contract.service_id.clone(),
        min_trust: failed("min_trust").then_some(access.min_trust),
        roles: access.roles.clone().filter(|_| failed("roles")),
        tenants: access.tenants.clone().filter(|_| failed("tenants")),
        still_rejected_by: Vec::new(),
    };
    if hint.min_trust.is_none() && hint.roles.is_none() && hint.tenants.is_none() {
        return None;
    }
    let mut still: Vec<String> = all
        .iter()
        .filter(|r| r.stage != Stage::Access)
        .map(|r| format!("{}({})", r.stage.as_str(), r.rule))
        .collect();
    still.dedup();
    Some(AccessHint {
        still_rejected_by: still,
        ..hint
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::ServiceContract;
    use crate::principal::Principal;
    use crate::routing::route;

    fn contract(yaml: &str) -> ServiceContract {
        let file = crate::contract::validate::validate_text("c.yaml", yaml);
        assert!(file.report.is_valid(), "{:?}", file.report.problems);
        file.contract.expect("a valid contract")
    }

    const BASE: &str = "apiVersion: caio/v1
service_id: ID
name: ID
version: 1.0.0
capabilities: [{ type: chat }]
guarantees: { latency_ms: { p50: 100, p95: 200, p99: 400 }, availability: 0.999 }
cost: { currency: USD, per_request: 0.01, per_1k_input_tokens: 0, per_1k_output_tokens: 0 }
privacy: { hosting: external, regions: [us], max_data_class: public }
endpoint: { url: http://127.0.0.1:9/x }
";

    fn with(id: &str, extra: &str) -> ServiceContract {
        contract(&format!("{}{extra}", BASE.replace("ID", id)))
    }

    #[test]
    fn every_failing_stage_is_listed_after_the_first() {
        let strict = with(
            "strict",
            "access: { min_trust: high, roles: [analyst], tenants: [acme] }\n",
        );
        let open = with("open", "");
        let candidates = [Candidate::active(&strict), Candidate::active(&open)];
        let mut request = Request::for_capability("chat");
        request.data.class = crate::contract::DataClass::Internal;
        let identity = Identity::Anonymous;
        let policies = PolicySet::default();
        let decision = route(&request, &identity, &candidates, &policies);
        let explanation = explain(&request, &identity, &candidates, &policies, &decision, &[]);
        let step = &explanation.steps[0];
        assert_eq!(step.rejected.len(), 2);
        let strict_rejected = step
            .rejected
            .iter()
            .find(|r| r.service_id == "strict")
            .unwrap();
        // First stage (access) is the decision's; privacy comes after it.
        let later: Vec<(Stage, &str)> = strict_rejected
            .later
            .iter()
            .map(|r| (r.stage, r.rule.as_ref()))
            .collect();
        assert_eq!(later, [(Stage::Privacy, "max_data_class")]);
        let hint = &step.access[0];
        assert_eq!(hint.service_id, "strict");
        assert_eq!(hint.min_trust, Some(Trust::High));
        assert_eq!(hint.roles.as_deref(), Some(&["analyst".to_string()][..]));
        assert_eq!(hint.tenants.as_deref(), Some(&["acme".to_string()][..]));
        assert_eq!(hint.still_rejected_by, ["privacy(max_data_class)"]);
        // `open` fails privacy only: no access hint, nothing later.
        let open_rejected = step
            .rejected
            .iter()
            .find(|r| r.service_id == "open")
            .unwrap();
        assert!(open_rejected.later.is_empty());
        assert_eq!(step.access.len(), 1);
    }

    #[test]
    fn a_principal_with_enough_trust_gets_no_hint() {
        let strict = with("strict", "access: { min_trust: medium }\n");
        let candidates = [Candidate::active(&strict)];
        let mut request = Request::for_capability("chat");
        request.data.class = crate::contract::DataClass::Public;
        let policies = PolicySet::default();
        let identity = Identity::Simulated {
            principal: Principal {
                trust: Trust::High,
                ..Principal::anonymous()
            },
        };
        let decision = route(&request, &identity, &candidates, &policies);
        let explanation = explain(&request, &identity, &candidates, &policies, &decision, &[]);
        assert!(explanation.steps[0].access.is_empty());
        assert!(explanation.steps[0].rejected.is_empty());
        // Anonymous: trust low, so it needs medium and would then be eligible.
        let decision = route(&request, &Identity::Anonymous, &candidates, &policies);
        let explanation = explain(
            &request,
            &Identity::Anonymous,
            &candidates,
            &policies,
            &decision,
            &[],
        );
        let hint = &explanation.steps[0].access[0];
        assert_eq!(hint.min_trust, Some(Trust::Medium));
        assert!(hint.still_rejected_by.is_empty());
    }

    #[test]
    fn an_unknown_capability_gets_did_you_mean_and_the_registered_list() {
        let candidates: [Candidate<'_>; 0] = [];
        let request = Request::for_capability("chta");
        let policies = PolicySet::default();
        let decision = route(&request, &Identity::Anonymous, &candidates, &policies);
        let registered = [
            "embedding".to_string(),
            "chat".to_string(),
            "chat".to_string(),
        ];
        let explanation = explain(
            &request,
            &Identity::Anonymous,
            &candidates,
            &policies,
            &decision,
            &registered,
        );
        let unknown = explanation.steps[0].unknown_capability.as_ref().unwrap();
        assert_eq!(unknown.did_you_mean.as_deref(), Some("chat"));
        assert_eq!(unknown.registered, ["chat", "embedding"]);
    }
}
