//! The panic guard (SPEC §8): routing skips services whose circuit breaker
//! is open, but when *every* candidate that would otherwise be eligible is
//! skipped only for that reason, caio does not fail closed on health alone.
//! It picks the one whose circuit opened earliest for a half-open probe.
//!
//! The probe is scored as if it were the only eligible candidate, keeps its
//! `circuit-open` rejection (it is not eligible: adding a rule never makes
//! a service eligible) and is marked as a probe in the decision. The rule
//! is a pure function of the stats snapshot — the opening times come in as
//! values from the edge — so replaying a decision reproduces the probe.
//!
//! Only single-step requests are guarded: `route --execute` runs single
//! steps, and a probe is an execution concept.

use super::pipeline::{Env, StepEval, evaluate_step};
use super::{Candidate, Compiled, Rejection, Stage};
use crate::request::Step;

/// The rule of the rejection the guard looks past.
pub(crate) const CIRCUIT_OPEN: &str = "circuit-open";

/// Whether an open circuit is all that rejects a candidate with these
/// `rejections`: what the guard looks past.
pub(crate) fn only_circuit(rejections: &[Rejection]) -> bool {
    !rejections.is_empty()
        && rejections
            .iter()
            .all(|r| r.stage == Stage::Status && r.rule == CIRCUIT_OPEN)
}

/// Returns `eval` unchanged unless the guard applies; then the step
/// re-evaluated with the probe's circuit treated as half-open.
pub(crate) fn panic_guard<'a>(
    env: &Env<'a>,
    step: &Step,
    compiled: &'a Compiled,
    candidates: &[Candidate<'a>],
    eval: StepEval<'a>,
) -> StepEval<'a> {
    if eval.candidates.iter().any(|c| c.score().is_some()) {
        return eval;
    }
    let open: Vec<&str> = eval
        .candidates
        .iter()
        .filter(|e| only_circuit(eval.rejections_of(e)))
        .map(|e| e.row.service_id.as_str())
        .collect();
    if open.is_empty() {
        return eval;
    }
    // Which of them would be eligible with a closed circuit?
    let closed = |keep_open: &dyn Fn(&str) -> bool| -> Vec<Candidate<'a>> {
        candidates
            .iter()
            .map(|c| {
                let mut c = *c;
                if !keep_open(c.contract.service_id()) {
                    c.stats.circuit_open = false;
                }
                c
            })
            .collect()
    };
    let all_closed = closed(&|id| !open.contains(&id));
    let trial = evaluate_step(env, eval.index, step, compiled, &all_closed);
    // The evaluation is in id order, so the first minimum is the smallest id
    // among equal opening times; an unknown time counts as earliest.
    let opened_at = |e: &&super::pipeline::Evaluated<'_>| {
        all_closed
            .get(e.row.candidate as usize)
            .and_then(|c| c.stats.circuit_opened_at_ms)
            .unwrap_or(i64::MIN)
    };
    let Some(probe) = trial
        .candidates
        .iter()
        .filter(|e| e.score().is_some())
        .min_by_key(opened_at)
        .map(|e| e.row.service_id.to_string())
    else {
        return eval;
    };
    let half_open = closed(&|id| id != probe);
    let mut guarded = evaluate_step(env, eval.index, step, compiled, &half_open);
    // The probe keeps the rejections it had with its circuit open.
    let start = guarded.rejections.len() as u32;
    if let Some(o) = eval
        .candidates
        .iter()
        .find(|o| o.row.service_id.as_str() == probe)
    {
        guarded.rejections.extend_from_slice(eval.rejections_of(o));
    }
    let kept = start..guarded.rejections.len() as u32;
    for e in &mut guarded.candidates {
        if e.row.service_id.as_str() == probe {
            e.probe = true;
            e.rejected = kept.clone();
        }
    }
    // It was counted eligible when evaluated with its circuit closed.
    let (tally, all) = (&mut guarded.tally, &guarded.rejections);
    tally.uncount_eligible();
    tally.count(false, all.get(kept.start as usize..).unwrap_or(&[]));
    guarded
}

#[cfg(test)]
mod tests {
    use crate::contract::for_tests as contract;
    use crate::lifecycle::ServiceStatus;
    use crate::policy::PolicySet;
    use crate::request::Request;
    use crate::routing::{Candidate, Identity, Outcome, ServiceStats, route};

    fn open_at(ms: Option<i64>) -> ServiceStats {
        ServiceStats {
            circuit_open: true,
            circuit_opened_at_ms: ms,
            ..ServiceStats::default()
        }
    }

    fn decide(cands: &[Candidate<'_>], request: &Request) -> crate::routing::Decision {
        route(request, &Identity::Anonymous, cands, &PolicySet::default())
    }

    #[test]
    fn all_open_probes_the_earliest_and_says_so() {
        let (a, b, c) = (
            contract("svc-a", 0.9),
            contract("svc-b", 0.5),
            contract("svc-c", 0.7),
        );
        let mut ca = Candidate::active(&a);
        ca.stats = open_at(Some(3_000));
        let mut cb = Candidate::active(&b);
        cb.stats = open_at(Some(1_000));
        let mut cc = Candidate::active(&c);
        cc.stats = open_at(Some(2_000));
        let d = decide(&[ca, cb, cc], &Request::for_capability("chat"));
        assert_eq!(d.outcome, Outcome::Routed);
        assert_eq!(d.chosen[0].service_id, "svc-b");
        assert!(d.chosen[0].probe);
        let step = &d.steps[0];
        assert_eq!(step.eligible().count(), 0, "a probe is not eligible");
        let probed = step
            .candidates
            .iter()
            .find(|c| &*c.service_id == "svc-b")
            .unwrap();
        assert_eq!(probed.rejections[0].rule, "circuit-open");
        assert!(probed.score.is_some());
        assert!(
            d.summary.contains("half-open probe of svc-b"),
            "{}",
            d.summary
        );
        // The same inputs in another order give the same decision.
        assert_eq!(d, decide(&[cc, ca, cb], &Request::for_capability("chat")));
    }

    /// A brief decision keeps only the candidates an open circuit alone
    /// rejects: it probes the same service, and counts the probe and the
    /// dropped candidates as a full one does.
    #[test]
    fn a_brief_decision_probes_and_counts_as_a_full_one() {
        use crate::routing::{Compiled, Detail, route_compiled};
        let (a, b, c, d) = (
            contract("svc-a", 0.9),
            contract("svc-b", 0.5),
            contract("svc-c", 0.7),
            contract("svc-d", 0.8),
        );
        let mut ca = Candidate::active(&a);
        ca.stats = open_at(Some(3_000));
        let mut cb = Candidate::active(&b);
        cb.stats = open_at(Some(1_000));
        let mut cc = Candidate::active(&c);
        cc.status = ServiceStatus::Drained;
        let mut cd = Candidate::active(&d);
        cd.stats = open_at(Some(500));
        cd.status = ServiceStatus::Disabled;
        let candidates = [ca, cb, cc, cd];
        let compiled = Compiled::new(&candidates);
        let request = Request::for_capability("chat");
        let decide = |detail| {
            route_compiled(
                &request,
                &Identity::Anonymous,
                &candidates,
                &compiled,
                &PolicySet::default(),
                None,
                detail,
            )
        };
        let (full, brief) = (decide(Detail::Full), decide(Detail::Brief));
        assert_eq!(full.chosen[0].service_id, "svc-b");
        assert!(full.chosen[0].probe);
        assert_eq!(brief.chosen, full.chosen);
        assert_eq!(brief.summary, full.summary);
        assert_eq!(brief.steps[0].tally(), full.steps[0].tally());
        let tally = full.steps[0].tally();
        assert_eq!((tally.candidates, tally.eligible), (4, 0));
        assert!(brief.steps[0].candidates.is_empty(), "nothing eligible");
    }

    #[test]
    fn one_closed_candidate_means_no_guard() {
        let (a, b) = (contract("svc-a", 0.9), contract("svc-b", 0.5));
        let mut ca = Candidate::active(&a);
        ca.stats = open_at(Some(1));
        let cb = Candidate::active(&b);
        let d = decide(&[ca, cb], &Request::for_capability("chat"));
        assert_eq!(d.chosen[0].service_id, "svc-b");
        assert!(!d.chosen[0].probe);
        assert!(!d.summary.contains("panic guard"));
    }

    #[test]
    fn a_service_rejected_for_another_reason_is_never_probed() {
        let (a, b) = (contract("svc-a", 0.9), contract("svc-b", 0.5));
        let mut ca = Candidate::active(&a);
        ca.stats = open_at(Some(1));
        ca.status = ServiceStatus::Drained;
        let mut cb = Candidate::active(&b);
        cb.stats = open_at(Some(2));
        // b would be eligible with a closed circuit; a is also drained.
        let d = decide(&[ca, cb], &Request::for_capability("chat"));
        assert_eq!(d.chosen[0].service_id, "svc-b");
        // A requirement that b breaks: nothing is otherwise eligible.
        let mut request = Request::for_capability("chat");
        request.requirements.min_accuracy = Some(0.8);
        let d = decide(&[ca, cb], &request);
        assert_eq!(d.outcome, Outcome::NoRoute);
        assert!(d.chosen.is_empty());
    }

    #[test]
    fn unknown_opening_times_count_as_earliest_then_ids_decide() {
        let (a, b) = (contract("svc-a", 0.9), contract("svc-b", 0.5));
        let mut ca = Candidate::active(&a);
        ca.stats = open_at(Some(5));
        let mut cb = Candidate::active(&b);
        cb.stats = open_at(None);
        let d = decide(&[ca, cb], &Request::for_capability("chat"));
        assert_eq!(d.chosen[0].service_id, "svc-b");
        ca.stats = open_at(Some(5));
        cb.stats = open_at(Some(5));
        let d = decide(&[cb, ca], &Request::for_capability("chat"));
        assert_eq!(d.chosen[0].service_id, "svc-a");
    }

    #[test]
    fn chains_are_not_guarded() {
        let a = contract("svc-a", 0.9);
        let mut ca = Candidate::active(&a);
        ca.stats = open_at(Some(1));
        let request: Request = serde_json::from_value(serde_json::json!({
            "chain": [{ "capability": "chat" }, { "capability": "chat" }]
        }))
        .unwrap();
        let d = decide(&[ca], &request);
        assert_eq!(d.outcome, Outcome::NoRoute);
    }
}
