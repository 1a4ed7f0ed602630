//! The pipeline of SPEC §5 for one step: status → capability → access →
//! privacy → policy → requirement → preference. The first stage that rejects
//! a candidate ends its evaluation; every reason found in that stage is
//! recorded with the rule that fired.

use super::compiled::{Compiled, Query, Row};
use super::score::Scale;
use super::{
    BRIEF_TOP, Candidate, CandidateResult, Choice, Detail, Identity, Metrics, Rejection, RuleName,
    Stage, StepResult, Tally, Wording, guard, score,
};
use crate::contract::{Capability, ServiceContract};
use crate::lifecycle::ServiceStatus;
use crate::policy::paths::{Context, Facts, class_name, hosting_name, modality_name, trust_name};
use crate::policy::{PolicySet, StepPolicies};
use crate::principal::Principal;
use crate::request::{Request, Step};
use std::ops::Range;
use std::rc::Rc;

/// One candidate of one step, evaluated.
///
/// Kept within 128 bytes, which the compiler copies inline: a step holds
/// one per candidate, written once and read in every pass. Its contract is
/// the candidate's (`row.candidate`); its score is `score` when `scored`;
/// its rejections lie in its step's (`rejected`), so evaluating a
/// candidate allocates nothing of its own.
#[derive(Debug, Clone)]
pub(crate) struct Evaluated<'a> {
    /// Its row of the compiled form (its id and version, shared).
    pub(crate) row: &'a Row,
    /// Its observed success rate, 1 without history (h, before clamping).
    pub(crate) success_rate: f64,
    /// Where its rejections lie in [`StepEval::rejections`] (empty when
    /// none rejects it).
    pub(crate) rejected: Range<u32>,
    /// The `prefer` rules that apply (shared with the step's candidates
    /// the same rules prefer).
    pub(crate) preferred_by: Option<Rc<[String]>>,
    /// Sum of the weights of the `prefer` rules that apply.
    pub(crate) bonus: f64,
    /// How many of the request's distinct preferred tags it carries.
    pub(crate) tag_hits: u32,
    pub(crate) metrics: Metrics,
    /// J(s), when `scored`.
    score: f64,
    /// Set for eligible candidates (and for the panic guard's probe); its
    /// terms follow from the step's [`Scale`].
    scored: bool,
    /// The panic guard's half-open probe: scored as if its circuit were
    /// closed, but still rejected with `circuit-open` (it is not eligible).
    pub(crate) probe: bool,
}

impl Evaluated<'_> {
    /// J(s), for eligible candidates (and the panic guard's probe).
    pub(crate) fn score(&self) -> Option<f64> {
        self.scored.then_some(self.score)
    }

    pub(crate) fn set_score(&mut self, score: f64) {
        self.score = score;
        self.scored = true;
    }

    /// Passed every stage (the panic guard's probe is scored, not eligible).
    fn is_eligible(&self) -> bool {
        self.scored && !self.probe
    }

    /// Whether a stage rejects it.
    pub(crate) fn is_rejected(&self) -> bool {
        !self.rejected.is_empty()
    }

    /// The public result of this candidate (its rejections move out of
    /// its step's, `all`, into it), its terms computed with its step's
    /// `scale`.
    fn result(&self, scale: &Scale, all: &mut [Rejection]) -> CandidateResult {
        let rejections = all
            .get_mut(self.rejected.start as usize..self.rejected.end as usize)
            .map_or_else(Vec::new, |held| {
                held.iter_mut()
                    .map(|r| Rejection {
                        stage: r.stage,
                        rule: std::mem::take(&mut r.rule),
                        message: std::mem::take(&mut r.message),
                    })
                    .collect()
            });
        CandidateResult {
            service_id: self.row.service_id.clone(),
            service_version: self.row.version.clone(),
            eligible: self.is_eligible(),
            score: self.score(),
            terms: self.scored.then(|| scale.terms(self)),
            rejections,
            preferred_by: self.preferred_by.clone(),
            metrics: self.metrics,
        }
    }
}

/// One step: its candidates (those offering the capability), sorted by id.
///
/// With [`Detail::Brief`] a candidate a stage rejects is counted and
/// dropped as soon as it is evaluated — a brief result lists only eligible
/// candidates — unless an open circuit is all that rejects it, which the
/// panic guard looks for. With [`Detail::Full`] every candidate is kept.
#[derive(Debug, Clone)]
pub struct StepEval<'a> {
    pub(crate) index: usize,
    pub(crate) capability: String,
    pub(crate) candidates: Vec<Evaluated<'a>>,
    /// Every kept candidate's rejections, one after the other (each
    /// candidate's `rejected` says where its own lie).
    pub(crate) rejections: Vec<Rejection>,
    /// Every candidate offering the capability, counted as it was
    /// evaluated (kept or not).
    pub(crate) tally: Tally,
    /// What the scores were normalised by.
    pub(crate) scale: Scale,
}

/// What every candidate of a request is evaluated against.
#[derive(Debug, Clone, Copy)]
pub struct Env<'r> {
    /// The request being routed.
    pub request: &'r Request,
    /// Who is asking.
    pub identity: &'r Identity,
    /// The principal access rules and policies see.
    pub principal: &'r Principal,
    /// The rules in force.
    pub policies: &'r PolicySet,
    /// The requirement stage checks only what holds per step (accuracy,
    /// tags, hosting); latency, availability and cost are checked on the
    /// composed chain.
    pub chained: bool,
    /// How much of the decision is spelled out (whether rejections carry
    /// their messages).
    pub detail: Detail,
}

impl<'r> Env<'r> {
    /// What the policy stage sees of `candidate` at step `index`, whose
    /// contract offers the step's capability as its `offered_at`-th (and
    /// says `facts`, and `sets` when read from a compiled form), at the
    /// estimated cost `estimate`.
    #[allow(clippy::too_many_arguments)] // each is a distinct input
    pub(super) fn policy_context<'c>(
        &self,
        index: usize,
        step: &'c Step,
        offered_at: usize,
        facts: Facts,
        compiled: Option<(&'c Compiled, &'c Row)>,
        candidate: &Candidate<'c>,
        estimate: f64,
    ) -> Context<'c>
    where
        'r: 'c,
    {
        Context {
            request: self.request,
            capability: &step.capability,
            step: index,
            input: &step.input,
            principal: self.principal,
            anonymous: self.identity.is_anonymous(),
            service: candidate.contract,
            facts,
            compiled,
            offered_at: Some(offered_at),
            status: candidate.status,
            estimate,
        }
    }
}

/// Runs the pipeline for every candidate offering `step.capability`, then
/// scores the eligible ones. `compiled` is the compiled form of
/// `candidates` ([`Compiled::new`]).
pub fn evaluate_step<'a>(
    env: &Env<'a>,
    index: usize,
    step: &Step,
    compiled: &'a Compiled,
    candidates: &[Candidate<'a>],
) -> StepEval<'a> {
    let mut policies = env.policies.for_step();
    let query = Query::new(
        compiled,
        env.request,
        env.principal,
        matches!(env.identity, Identity::Refused { .. }),
        step,
    );
    let offers = compiled.offers(&step.capability);
    let mut evaluated: Vec<Evaluated<'a>> = Vec::with_capacity(offers.len());
    let mut rejections: Vec<Rejection> = Vec::new();
    let mut tally = Tally::default();
    // The largest cost estimate and p95 among the eligible, which the
    // terms are normalised by, found as the candidates are evaluated.
    let (mut max_cost, mut max_p95) = (0.0f64, 0.0f64);
    for offer in offers {
        let Some(row) = compiled.rows.get(offer.row as usize) else {
            continue;
        };
        let Some(candidate) = candidates.get(row.candidate as usize) else {
            continue;
        };
        let start = rejections.len();
        query.early(compiled, candidate, row, offer, &mut rejections);
        let held = &rejections[start..];
        if env.detail == Detail::Brief && !held.is_empty() && !guard::only_circuit(held) {
            // Most candidates of a large registry end here: counted, and
            // neither kept nor measured.
            tally.count(false, held);
            rejections.truncate(start);
            continue;
        }
        // Pushed, then evaluated where it lies: no copy of the evaluation
        // moves through the stack.
        evaluated.push(Evaluated {
            row,
            success_rate: candidate.stats.success_rate.unwrap_or(1.0),
            rejected: 0..0,
            preferred_by: None,
            bonus: 0.0,
            tag_hits: 0,
            metrics: row
                .figures
                .metrics(candidate.status, &candidate.stats, &step.input),
            score: 0.0,
            scored: false,
            probe: false,
        });
        let Some(e) = evaluated.last_mut() else {
            continue;
        };
        if rejections.len() == start {
            evaluate(
                env,
                &mut policies,
                &query,
                compiled,
                index,
                step,
                offer.capability as usize,
                candidate,
                e,
                &mut rejections,
            );
        } else if env.detail.wording() == Wording::Messages {
            // A stage rejects, and the decision is worded: the stage
            // functions say why (the same rules, with their messages).
            rejections.truncate(start);
            let mut out = Reasons::new(&mut rejections, Wording::Messages);
            match candidate.contract.get() {
                Some(contract) => {
                    let Some(offered) = contract.capabilities.get(offer.capability as usize) else {
                        // A form built from another list (the caller's bug): skipped.
                        evaluated.pop();
                        continue;
                    };
                    early_stages(env, index, step, offered, contract, candidate, &mut out);
                }
                None => unreadable(candidate, &mut out),
            }
        }
        e.rejected = start as u32..rejections.len() as u32;
        // A candidate no stage rejects is scored below: eligible.
        let held = &rejections[start..];
        tally.count(held.is_empty(), held);
        if held.is_empty() {
            max_cost = max_cost.max(e.metrics.cost);
            max_p95 = max_p95.max(e.metrics.latency_p95_ms);
        } else if env.detail == Detail::Brief && !guard::only_circuit(held) {
            rejections.truncate(start);
            evaluated.pop();
        }
    }
    let scale = Scale::new(max_cost, max_p95, &env.request.preferences.prefer_tags);
    score::score_step(&mut evaluated, &scale, &env.request.weights());
    StepEval {
        index,
        capability: step.capability.clone(),
        candidates: evaluated,
        rejections,
        tally,
        scale,
    }
}

/// The status, capability, access and privacy stages, stopping at the
/// first that rejects.
fn early_stages(
    env: &Env<'_>,
    index: usize,
    step: &Step,
    offered: &Capability,
    contract: &ServiceContract,
    candidate: &Candidate<'_>,
    out: &mut Reasons<'_>,
) {
    status(candidate, out);
    if out.is_empty() {
        capability(env.request, index, step, offered, out);
    }
    if out.is_empty() {
        access(env.identity, env.principal, contract, out);
    }
    if out.is_empty() {
        privacy(env.request, contract, out);
    }
}

/// A candidate whose stored contract cannot be read back where it is
/// needed (to word a rejection, or for a rule that reads it): rejected,
/// never chosen on what the compiled form alone says.
pub(super) fn unreadable(candidate: &Candidate<'_>, out: &mut Reasons<'_>) {
    out.add(Stage::Status, "contract-unreadable", || {
        let c = candidate.contract;
        format!(
            "{}: the database was modified outside caio; restore it from a backup",
            crate::contract::unreadable(c.service_id(), c.version())
        )
    });
}

/// The policy, requirement and preference stages of a candidate the early
/// stages admitted; its rejections are pushed to `rejections`.
#[allow(clippy::too_many_arguments)] // one call site; each is a distinct input
fn evaluate<'a>(
    env: &Env<'a>,
    policies: &mut StepPolicies<'a>,
    query: &Query,
    compiled: &Compiled,
    index: usize,
    step: &Step,
    offered_at: usize,
    candidate: &Candidate<'a>,
    e: &mut Evaluated<'a>,
    rejections: &mut Vec<Rejection>,
) {
    let request = env.request;
    let start = rejections.len();
    if !policies.is_empty() {
        if policies.reads_contract() && candidate.contract.get().is_none() {
            unreadable(
                candidate,
                &mut Reasons::new(rejections, env.detail.wording()),
            );
            return;
        }
        let ctx = env.policy_context(
            index,
            step,
            offered_at,
            e.row.facts,
            Some((compiled, e.row)),
            candidate,
            e.metrics.cost,
        );
        let verdict = policies.evaluate(&ctx, env.detail.wording());
        if !verdict.rejections.is_empty() {
            rejections.extend(verdict.rejections.iter().map(Rejection::from));
            return;
        }
        e.preferred_by.clone_from(&verdict.preferred_by);
        e.bonus = verdict.bonus;
    }
    query.unmet(
        compiled,
        request,
        e.row,
        &e.metrics,
        env.chained,
        rejections,
    );
    if rejections.len() > start {
        // Worded by the stage function when the decision is.
        if env.detail.wording() == Wording::Messages {
            rejections.truncate(start);
            let mut out = Reasons::new(rejections, Wording::Messages);
            match candidate.contract.get() {
                Some(contract) => requirement(request, contract, &e.metrics, env.chained, &mut out),
                None => unreadable(candidate, &mut out),
            }
        }
        return;
    }
    if !request.preferences.exclude_services.is_empty() {
        let mut out = Reasons::new(rejections, env.detail.wording());
        preference(request, &e.row.service_id, &mut out);
        if !out.is_empty() {
            return;
        }
    }
    e.tag_hits = query.preferred_tags(compiled, e.row);
}

/// The preference stage: the services the request excludes.
pub(super) fn preference(request: &Request, service_id: &str, out: &mut Reasons<'_>) {
    let excluded = &request.preferences.exclude_services;
    if !excluded.is_empty() && excluded.iter().any(|x| x == service_id) {
        out.add(Stage::Preference, "exclude_services", || {
            "excluded by the request's preferences.exclude_services".into()
        });
    }
}

/// Where the stages put the reasons they reject a candidate for. Each
/// reason names its stage and rule; its message, for people, is built only
/// when the decision is worded ([`Wording::Messages`]). The list may hold
/// other candidates' reasons before this one's.
pub(crate) struct Reasons<'o> {
    list: &'o mut Vec<Rejection>,
    /// Where this candidate's reasons start in `list`.
    start: usize,
    wording: Wording,
}

impl<'o> Reasons<'o> {
    pub(crate) fn new(list: &'o mut Vec<Rejection>, wording: Wording) -> Reasons<'o> {
        Reasons {
            start: list.len(),
            list,
            wording,
        }
    }

    /// Records that `rule` of `stage` rejects; `message` is called only
    /// when the decision is worded.
    fn add(&mut self, stage: Stage, rule: &'static str, message: impl FnOnce() -> String) {
        let message = match self.wording {
            Wording::Messages => message(),
            Wording::RulesOnly => String::new(),
        };
        self.list.push(Rejection {
            stage,
            rule: RuleName::check(rule),
            message,
        });
    }

    fn is_empty(&self) -> bool {
        self.list.len() == self.start
    }
}

pub(super) fn status(candidate: &Candidate<'_>, out: &mut Reasons<'_>) {
    let why = |s: &str| match candidate.status_reason {
        Some(reason) => format!("service is {s}: {reason}"),
        None => format!("service is {s}"),
    };
    match candidate.status {
        ServiceStatus::Drained | ServiceStatus::Disabled => {
            let s = candidate.status.as_str();
            out.add(Stage::Status, s, || why(s));
        }
        ServiceStatus::Active | ServiceStatus::Degraded => {}
    }
    if candidate.stats.circuit_open {
        out.add(Stage::Status, "circuit-open", || {
            "the circuit breaker is open after consecutive failures".into()
        });
    }
}

/// The capability stage. Request values in messages go through
/// [`Request::quote`], which hides what the request redacts.
pub(super) fn capability(
    request: &Request,
    index: usize,
    step: &Step,
    offered: &Capability,
    out: &mut Reasons<'_>,
) {
    let input = &step.input;
    // Paths are only built for a message: this stage runs for every candidate.
    let quote = |field: &str, value: &dyn std::fmt::Display| {
        request.quote(&format!("{}.{field}", request.input_path(index)), value)
    };
    if let (Some(sent), Some(accepted)) = (&input.modalities, &offered.input)
        && sent.iter().any(|m| !accepted.contains(m))
    {
        out.add(Stage::Capability, "modalities", || {
            let missing: Vec<&str> = sent
                .iter()
                .filter(|m| !accepted.contains(m))
                .map(|m| modality_name(*m))
                .collect();
            let accepted: Vec<&str> = accepted.iter().map(|m| modality_name(*m)).collect();
            format!(
                "does not accept {} input (accepts {})",
                quote("modalities", &missing.join(", ")),
                accepted.join(", ")
            )
        });
    }
    if let (Some(language), Some(languages)) = (&input.language, &offered.languages)
        && !languages.contains(language)
    {
        out.add(Stage::Capability, "language", || {
            format!(
                "does not support language `{}` (supports {})",
                quote("language", language),
                languages.join(", ")
            )
        });
    }
    if let Some(max) = offered.max_input_tokens
        && input.tokens > max
    {
        out.add(Stage::Capability, "max_input_tokens", || {
            format!(
                "{} input tokens exceed the limit of {max}",
                quote("tokens", &input.tokens)
            )
        });
    }
}

pub(super) fn access(
    identity: &Identity,
    principal: &Principal,
    contract: &ServiceContract,
    out: &mut Reasons<'_>,
) {
    if let Identity::Refused { .. } = identity {
        out.add(Stage::Access, "authentication", || {
            "authentication failed".into()
        });
        return;
    }
    let access = &contract.access;
    if principal.trust < access.min_trust {
        out.add(Stage::Access, "min_trust", || {
            format!(
                "requires trust {}, principal `{}` has {}",
                trust_name(access.min_trust),
                principal.name,
                trust_name(principal.trust)
            )
        });
    }
    if let Some(roles) = &access.roles
        && !principal.roles.iter().any(|r| roles.contains(r))
    {
        out.add(Stage::Access, "roles", || {
            format!(
                "requires one of the roles {}, principal `{}` has {}",
                roles.join(", "),
                principal.name,
                if principal.roles.is_empty() {
                    "none".to_string()
                } else {
                    principal.roles.join(", ")
                }
            )
        });
    }
    if let Some(tenants) = &access.tenants {
        let allowed = principal
            .tenant
            .as_ref()
            .is_some_and(|t| tenants.contains(t));
        if !allowed {
            out.add(Stage::Access, "tenants", || {
                format!(
                    "only for tenants {}, principal `{}` is {}",
                    tenants.join(", "),
                    principal.name,
                    principal
                        .tenant
                        .as_ref()
                        .map_or("in no tenant".to_string(), |t| format!("in tenant {t}"))
                )
            });
        }
    }
}

pub(super) fn privacy(request: &Request, contract: &ServiceContract, out: &mut Reasons<'_>) {
    let privacy = &contract.privacy;
    let data = &request.data;
    if data.class > privacy.max_data_class {
        out.add(Stage::Privacy, "max_data_class", || {
            format!(
                "accepts data up to {}, the request's data is {}",
                class_name(privacy.max_data_class),
                request.quote("data.class", class_name(data.class))
            )
        });
    }
    if data.contains_pii && !privacy.pii_allowed {
        out.add(Stage::Privacy, "pii_allowed", || {
            "the request contains PII and the service does not allow it".into()
        });
    }
    if let Some(allowed) = &request.requirements.regions
        && privacy.regions.iter().any(|r| !allowed.contains(r))
    {
        out.add(Stage::Privacy, "regions", || {
            let outside: Vec<&str> = privacy
                .regions
                .iter()
                .filter(|r| !allowed.contains(r))
                .map(String::as_str)
                .collect();
            format!(
                "processes data in {} outside the allowed regions {}",
                outside.join(", "),
                request.quote("requirements.regions", allowed.join(", "))
            )
        });
    }
}

pub(super) fn requirement(
    request: &Request,
    contract: &ServiceContract,
    m: &Metrics,
    chained: bool,
    out: &mut Reasons<'_>,
) {
    let req = &request.requirements;
    let num = crate::canonical::display_tidy;
    let bound =
        |field: &str, value: f64| request.quote(&format!("requirements.{field}"), num(value));
    if !chained {
        if let Some(max) = req.max_latency_p95_ms
            && m.latency_p95_ms > max
        {
            out.add(Stage::Requirement, "max_latency_p95_ms", || {
                format!(
                    "p95 latency {} ms exceeds {} ms",
                    num(m.latency_p95_ms),
                    bound("max_latency_p95_ms", max)
                )
            });
        }
        if let Some(min) = req.min_availability
            && m.availability < min
        {
            out.add(Stage::Requirement, "min_availability", || {
                format!(
                    "availability {} is below {}",
                    num(m.availability),
                    bound("min_availability", min)
                )
            });
        }
        if let Some(max) = req.max_cost
            && m.cost > max
        {
            out.add(Stage::Requirement, "max_cost", || {
                format!(
                    "estimated cost {} {} exceeds {}",
                    num(m.cost),
                    contract.cost.currency,
                    bound("max_cost", max)
                )
            });
        }
    }
    if let Some(min) = req.min_accuracy {
        match m.accuracy {
            None => out.add(Stage::Requirement, "min_accuracy", || {
                format!(
                    "declares no accuracy, {} required",
                    bound("min_accuracy", min)
                )
            }),
            Some(a) if a < min => out.add(Stage::Requirement, "min_accuracy", || {
                format!(
                    "accuracy {} is below {}",
                    num(a),
                    bound("min_accuracy", min)
                )
            }),
            Some(_) => {}
        }
    }
    if let Some(tags) = &req.tags
        && tags.iter().any(|t| !contract.tags.contains(t))
    {
        out.add(Stage::Requirement, "tags", || {
            let missing: Vec<&str> = tags
                .iter()
                .filter(|t| !contract.tags.contains(t))
                .map(String::as_str)
                .collect();
            format!(
                "lacks the required tags {}",
                request.quote("requirements.tags", missing.join(", "))
            )
        });
    }
    if let Some(hosting) = &req.hosting
        && !hosting.contains(&contract.privacy.hosting)
    {
        out.add(Stage::Requirement, "hosting", || {
            let allowed: Vec<&str> = hosting.iter().map(|h| hosting_name(*h)).collect();
            format!(
                "hosting {} is not among {}",
                hosting_name(contract.privacy.hosting),
                request.quote("requirements.hosting", allowed.join(", "))
            )
        });
    }
}

impl<'a> StepEval<'a> {
    /// The public result: eligible candidates best first (the chosen one
    /// first among ties), then the rejected ones by id — with
    /// [`Detail::Brief`], only the best [`BRIEF_TOP`] eligible ones. Every
    /// candidate is counted either way. The evaluation is used up: its
    /// rejections move into the result.
    pub fn into_result(mut self, chosen: Option<usize>, detail: Detail) -> StepResult {
        // Every candidate was counted as it was evaluated; a brief result
        // keeps the places of the best eligible ones.
        let mut tally = std::mem::take(&mut self.tally);
        let mut best: Vec<u128> = Vec::new();
        if detail == Detail::Brief {
            for (i, e) in self.candidates.iter().enumerate() {
                if e.is_eligible() {
                    keep_best(&mut best, order_key(e.score(), Some(i) == chosen, i));
                }
            }
        }
        tally.settle();
        let mut summary = tally.summary();
        if let Some(probe) = self.candidates.iter().find(|e| e.probe) {
            summary.push_str(&format!(
                "; panic guard: every otherwise-eligible service's circuit is open, \
                 half-open probe of {} (its circuit opened earliest)",
                probe.row.service_id
            ));
        }
        let candidates = match detail {
            Detail::Full => self.every_result(chosen),
            Detail::Brief => {
                let mut results = Vec::with_capacity(best.len());
                for key in best {
                    if let Some(e) = self.candidates.get(key as u32 as usize) {
                        results.push(e.result(&self.scale, &mut self.rejections));
                    }
                }
                results
            }
        };
        StepResult {
            capability: self.capability,
            candidates,
            tally: Some(tally),
            summary,
        }
    }

    /// Every candidate's result, in result order.
    fn every_result(&mut self, chosen: Option<usize>) -> Vec<CandidateResult> {
        // Scored candidates first, best first, the chosen one first among
        // equal scores, then by position (id order); the rest by position.
        // Each candidate's place is one integer, so the sort compares
        // integers and never chases a candidate.
        let mut order: Vec<u128> = self
            .candidates
            .iter()
            .enumerate()
            .map(|(i, e)| order_key(e.score(), Some(i) == chosen, i))
            .collect();
        order.sort_unstable();
        // Built in id order, where the evaluations lie one after the other
        // in memory, then moved into result order in place: reading the
        // evaluations in result order instead costs a cache miss each from
        // a few thousand candidates on (10,000: 1.45 → 1.65 ms).
        let mut candidates: Vec<CandidateResult> = self
            .candidates
            .iter()
            .map(|e| e.result(&self.scale, &mut self.rejections))
            .collect();
        let from: Vec<usize> = order.iter().map(|key| *key as u32 as usize).collect();
        permute(&mut candidates, &from);
        candidates
    }

    /// The rejections of `e`, one of this step's candidates.
    pub(crate) fn rejections_of(&self, e: &Evaluated<'_>) -> &[Rejection] {
        self.rejections
            .get(e.rejected.start as usize..e.rejected.end as usize)
            .unwrap_or(&[])
    }

    pub(crate) fn choice(&self, i: usize) -> Choice {
        let e = &self.candidates[i];
        Choice {
            capability: self.capability.clone(),
            service_id: e.row.service_id.to_string(),
            service_version: e.row.version.to_string(),
            score: e.score().unwrap_or(0.0),
            probe: e.probe,
        }
    }
}

/// Adds `key` to `best`, the smallest [`BRIEF_TOP`] places seen so far in
/// ascending order (the best eligible candidates, in result order).
fn keep_best(best: &mut Vec<u128>, key: u128) {
    if best.len() == BRIEF_TOP && best.last().is_some_and(|last| key > *last) {
        return;
    }
    let at = best.partition_point(|k| *k < key);
    best.insert(at, key);
    best.truncate(BRIEF_TOP);
}

/// Moves `items[from[p]]` to position `p`, for every `p`, in place (`from`
/// is a permutation of the positions), following each cycle with swaps.
fn permute<T>(items: &mut [T], from: &[usize]) {
    let mut done = vec![false; items.len()];
    for start in 0..items.len().min(from.len()) {
        let mut at = start;
        while !done[at] {
            done[at] = true;
            let next = from[at];
            if next == start || next >= items.len() {
                break;
            }
            items.swap(at, next);
            at = next;
        }
    }
}

/// A candidate's place in a step's result as one integer (ascending):
/// scored before unscored; among the scored, higher score first (in
/// `f64::total_cmp` order), then the chosen one, then position; among the
/// unscored, position. The position is the low 32 bits.
fn order_key(score: Option<f64>, chosen: bool, position: usize) -> u128 {
    let position = u128::from(position as u32);
    match score {
        None => 1 << 127 | position,
        Some(score) => {
            // The bits of `score` as an unsigned integer in total_cmp order,
            // inverted: descending.
            let bits = score.to_bits();
            let ascending = if bits >> 63 == 1 {
                !bits
            } else {
                bits | 1 << 63
            };
            u128::from(!ascending) << 33 | u128::from(!chosen) << 32 | position
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{order_key, permute};
    use proptest::prelude::*;
    use std::cmp::Ordering;

    /// The order of SPEC §5's result, as comparisons.
    fn compare(a: &(Option<f64>, bool, usize), b: &(Option<f64>, bool, usize)) -> Ordering {
        match (a.0, b.0) {
            (Some(sa), Some(sb)) => sb.total_cmp(&sa).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => a.2.cmp(&b.2),
        }
    }

    fn score() -> impl Strategy<Value = Option<f64>> {
        prop_oneof![
            Just(None),
            (-2.0f64..2.0).prop_map(Some),
            prop::sample::select(vec![0.0, -0.0, 1.0, -1.0, f64::MAX, f64::MIN]).prop_map(Some),
        ]
    }

    proptest! {
        #[test]
        fn the_order_key_sorts_as_the_comparisons(
            scores in proptest::collection::vec(score(), 0..40),
            chosen in 0usize..40,
        ) {
            let items: Vec<(Option<f64>, bool, usize)> = scores
                .iter()
                .enumerate()
                .map(|(i, s)| (*s, i == chosen, i))
                .collect();
            let mut by_compare = items.clone();
            by_compare.sort_by(compare);
            let mut keys: Vec<u128> = items.iter().map(|(s, c, i)| order_key(*s, *c, *i)).collect();
            keys.sort_unstable();
            let by_key: Vec<usize> = keys.iter().map(|k| *k as u32 as usize).collect();
            let expected: Vec<usize> = by_compare.iter().map(|x| x.2).collect();
            prop_assert_eq!(&by_key, &expected);
            let mut moved: Vec<usize> = (0..items.len()).collect();
            permute(&mut moved, &by_key);
            prop_assert_eq!(moved, expected);
        }
    }
}
