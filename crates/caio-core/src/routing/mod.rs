//! The routing core (SPEC §5, §6): pure — no SQLite, no clock, no I/O, no
//! hash-map order. Given a request, the caller's identity, the candidate
//! contracts with their status and stats, and the policy set, [`route`]
//! returns a [`Decision`]: every candidate with its terms or rejections, the
//! chosen service(s), the control signal, the composed guarantees and a
//! one-line summary.
//!
//! - [`Compiled`] is the compiled candidate form the stages read, built once
//!   per candidate list ([`route_compiled`]; [`route`] compiles per call);
//! - [`pipeline`] runs the seven stages for one candidate;
//! - `score` holds the master equation and its terms;
//! - `chain` composes guarantees and searches the best feasible chain;
//! - `guard` is the panic guard: a half-open probe when every
//!   otherwise-eligible candidate's circuit is open;
//! - [`tiebreak`] is the seeded ChaCha20 shuffle among equal scores;
//! - [`explain`] adds what `--explain` shows beyond the decision, computed
//!   only when it is shown.

pub(crate) mod chain;
mod compiled;
pub(crate) use compiled::{Listed, Row, Sets};
pub mod explain;
pub(crate) mod guard;
mod name;
pub mod pipeline;
mod routed;
pub(crate) mod score;
pub mod tiebreak;

pub use compiled::Compiled;
pub use name::{Name, RuleName};
pub use routed::{ContractRef, Routed};

use crate::contract::{ServiceContract, StoredContract};
use crate::lifecycle::ServiceStatus;
use crate::policy::PolicySet;
use crate::principal::{AuthFailure, Principal};
use crate::request::{Request, Weights};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Scores closer than this are ties.
pub(crate) const TIE_EPSILON: f64 = 1e-9;

/// What execution history says about a service (SPEC §8); the default is
/// "no history".
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ServiceStats {
    /// EWMA of observed success (1 = always succeeded); `None` without history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_rate: Option<f64>,
    /// How many latencies were observed.
    #[serde(default)]
    pub observations: u64,
    /// The observed p95 latency over the recent window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_p95_ms: Option<f64>,
    /// When `success_rate` was last observed (Unix milliseconds, from the
    /// edge's clock): h recovers from there to the decision's time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_at_ms: Option<i64>,
    /// The circuit breaker is open: the service is skipped.
    #[serde(default)]
    pub circuit_open: bool,
    /// When the open circuit opened (Unix milliseconds, from the edge's
    /// clock): the panic guard probes the circuit that opened earliest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circuit_opened_at_ms: Option<i64>,
}

/// Observations needed before the observed p95 may replace the declared one.
pub(crate) const MIN_OBSERVATIONS: u64 = 20;

/// A candidate's contract: parsed, or stored and parsed the first time
/// something reads past the compiled candidate form (wording a rejection,
/// a rule that reads more of the service, explaining). Routing over a
/// compiled form reads only its id and version.
#[derive(Debug, Clone, Copy)]
pub enum CandidateContract<'a> {
    /// A contract already parsed.
    Parsed(&'a ServiceContract),
    /// A stored contract, parsed on first read.
    Stored(&'a StoredContract),
}

impl<'a> CandidateContract<'a> {
    /// The service id.
    pub fn service_id(self) -> &'a str {
        match self {
            CandidateContract::Parsed(c) => &c.service_id,
            CandidateContract::Stored(c) => c.service_id(),
        }
    }

    /// The contract version.
    pub fn version(self) -> &'a str {
        match self {
            CandidateContract::Parsed(c) => &c.version,
            CandidateContract::Stored(c) => c.version(),
        }
    }

    /// The contract; `None` when a stored body cannot be read back (the
    /// candidate is then rejected, never chosen on a guess).
    pub fn get(self) -> Option<&'a ServiceContract> {
        match self {
            CandidateContract::Parsed(c) => Some(c),
            CandidateContract::Stored(c) => c.get(),
        }
    }
}

impl<'a> From<&'a ServiceContract> for CandidateContract<'a> {
    fn from(c: &'a ServiceContract) -> CandidateContract<'a> {
        CandidateContract::Parsed(c)
    }
}

impl<'a> From<&'a StoredContract> for CandidateContract<'a> {
    fn from(c: &'a StoredContract) -> CandidateContract<'a> {
        CandidateContract::Stored(c)
    }
}

/// One service the router may consider.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// Its active contract.
    pub contract: CandidateContract<'a>,
    /// Its registry status.
    pub status: ServiceStatus,
    /// Why the status was set, when someone said.
    pub status_reason: Option<&'a str>,
    /// Its execution history.
    pub stats: ServiceStats,
}

impl<'a> Candidate<'a> {
    /// An active service without history.
    pub fn active(contract: &'a ServiceContract) -> Candidate<'a> {
        Candidate {
            contract: CandidateContract::Parsed(contract),
            status: ServiceStatus::Active,
            status_reason: None,
            stats: ServiceStats::default(),
        }
    }
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Identity {
    /// No token.
    Anonymous,
    /// A token that maps to a stored principal.
    Authenticated {
        /// The stored principal.
        principal: Principal,
    },
    /// A principal given on the command line (stateless mode only).
    Simulated {
        /// The principal as written.
        principal: Principal,
    },
    /// A token that was refused.
    Refused {
        /// Why it was refused.
        failure: AuthFailure,
    },
}

impl Identity {
    /// The identity an authentication result gives: `had_token` tells an authenticated
    /// caller from an anonymous one.
    pub fn from_auth(result: Result<Principal, AuthFailure>, had_token: bool) -> Identity {
        match result {
            Ok(principal) if had_token => Identity::Authenticated { principal },
            Ok(_) => Identity::Anonymous,
            Err(failure) => Identity::Refused { failure },
        }
    }

    /// The principal policies and access rules see (anonymous when refused).
    pub(crate) fn principal(&self) -> Principal {
        match self {
            Identity::Authenticated { principal } | Identity::Simulated { principal } => {
                principal.clone()
            }
            Identity::Anonymous | Identity::Refused { .. } => Principal::anonymous(),
        }
    }

    pub(crate) fn is_anonymous(&self) -> bool {
        matches!(self, Identity::Anonymous | Identity::Refused { .. })
    }

    /// The name recorded in decisions.
    pub(crate) fn name(&self) -> String {
        match self {
            Identity::Refused { .. } => "(refused)".into(),
            other => other.principal().name,
        }
    }
}

/// The pipeline stages, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Drained or disabled services, and open circuits.
    Status,
    /// Modalities, language and `max_input_tokens`.
    Capability,
    /// Authentication, trust, roles and tenant.
    Access,
    /// Data class, PII and regions.
    Privacy,
    /// The policy rules.
    Policy,
    /// The request's hard bounds (latency, availability, accuracy, cost, tags, hosting).
    Requirement,
    /// `exclude_services`.
    Preference,
}

impl Stage {
    /// The stage's name, as decisions spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Status => "status",
            Stage::Capability => "capability",
            Stage::Access => "access",
            Stage::Privacy => "privacy",
            Stage::Policy => "policy",
            Stage::Requirement => "requirement",
            Stage::Preference => "preference",
        }
    }
}

/// How much of a decision is spelled out. Every detail gives the same
/// decision — outcome, choices, scores, control signal, guarantees,
/// summary, and each step's [`Tally`] of candidates and rejections by stage
/// and rule; what differs is what is listed for people, and listing every
/// candidate with the messages of its rejections is most of a decision's
/// cost over a large registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// Every candidate listed, each rejection with its message: what
    /// `caio route` shows.
    #[default]
    Full,
    /// Each step lists only its best [`BRIEF_TOP`] eligible candidates and
    /// counts the rest; no rejection is worded. What a trace record keeps
    /// and a batch line without its candidate list shows.
    Brief,
}

impl Detail {
    /// Whether rejections carry their messages.
    pub(crate) fn wording(self) -> Wording {
        match self {
            Detail::Full => Wording::Messages,
            Detail::Brief => Wording::RulesOnly,
        }
    }
}

/// How many eligible candidates of each step a [`Detail::Brief`] decision
/// lists, best first (what a trace record keeps of them).
pub const BRIEF_TOP: usize = 5;

/// Whether the stages build rejection messages (the policy stage reads it
/// too). Every rejection names its stage and rule either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wording {
    /// Every rejection with its message.
    Messages,
    /// Every rejection with an empty message.
    RulesOnly,
}

/// Why a candidate was rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejection {
    /// The stage that rejected.
    pub stage: Stage,
    /// The rule that fired: a policy id, or what was checked (e.g.
    /// `min_trust`, `circuit-open`); not copied per rejection.
    pub rule: RuleName,
    /// What was wrong, for people (empty in a [`Detail::Brief`] decision).
    pub message: String,
}

/// The six terms of the master equation for one eligible candidate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Terms {
    /// Declared accuracy (0.5 when undeclared).
    pub q: f64,
    /// Observed success rate (1 without history).
    pub h: f64,
    /// Preferred-tag fraction plus policy `prefer` bonuses, clamped to [0, 1].
    pub t: f64,
    /// Estimated cost divided by the largest estimate among the eligible (0 if all are 0).
    pub c: f64,
    /// p95 latency divided by the largest p95 among the eligible.
    pub l: f64,
    /// ρ: `clamp(risk + 10·(1 − availability) + 0.2·[degraded], 0, 1)`.
    pub r: f64,
}

/// One candidate's evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateResult {
    /// The service (shared with the compiled form: a decision copies no id).
    pub service_id: Name,
    /// Its contract version.
    pub service_version: Name,
    /// Whether it passed every stage.
    pub eligible: bool,
    /// J(s), when eligible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The terms of J(s), when eligible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terms: Option<Terms>,
    /// Every reason the first rejecting stage found; empty when eligible.
    pub rejections: Vec<Rejection>,
    /// The rules of `prefer` policies that applied (shared by the
    /// candidates the same rules prefer); `None` when none did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) preferred_by: Option<std::rc::Rc<[String]>>,
    /// What the candidate would contribute to a route.
    pub(crate) metrics: Metrics,
}

/// The guarantees of one candidate for this request.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct Metrics {
    /// Declared p95, or the observed one when worse and well measured.
    pub(crate) latency_p95_ms: f64,
    pub(crate) availability: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) accuracy: Option<f64>,
    /// Estimated cost of the request.
    pub(crate) cost: f64,
    /// ρ: risk + unavailability + degradation, in [0, 1].
    pub(crate) risk: f64,
}

/// The chosen service of one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    /// The step's capability.
    pub capability: String,
    /// The chosen service.
    pub service_id: String,
    /// Its contract version.
    pub service_version: String,
    /// Its score J(s) for this step.
    pub score: f64,
    /// The panic guard chose this service although its circuit is open: a
    /// half-open probe (SPEC §8).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub probe: bool,
}

/// One step's candidates.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepResult {
    pub(crate) capability: String,
    /// Eligible candidates first, best first; then the rejected, by id. A
    /// [`Detail::Brief`] decision lists only the best [`BRIEF_TOP`]
    /// eligible ones ([`StepResult::tally`] counts them all).
    pub candidates: Vec<CandidateResult>,
    /// The counts, as the router made them (not serialised: a stored
    /// decision lists every candidate, which gives them again).
    #[serde(skip)]
    pub(crate) tally: Option<Tally>,
    pub(crate) summary: String,
}

impl StepResult {
    /// The eligible candidates, best first.
    pub fn eligible(&self) -> impl Iterator<Item = &CandidateResult> {
        self.candidates.iter().filter(|c| c.eligible)
    }

    /// Every candidate of the step counted, listed or not.
    pub fn tally(&self) -> Cow<'_, Tally> {
        match &self.tally {
            Some(tally) => Cow::Borrowed(tally),
            None => {
                let mut tally = Tally::default();
                for c in &self.candidates {
                    tally.count(c.eligible, &c.rejections);
                }
                tally.settle();
                Cow::Owned(tally)
            }
        }
    }

    /// Whether every candidate of the step is listed (not a
    /// [`Detail::Brief`] cut).
    pub fn is_complete(&self) -> bool {
        self.tally
            .as_ref()
            .is_none_or(|t| t.candidates == self.candidates.len())
    }
}

/// Two steps are equal when they list the same candidates, say the same
/// and count the same (a stored step's counts are those of its list).
impl PartialEq for StepResult {
    fn eq(&self, other: &StepResult) -> bool {
        self.capability == other.capability
            && self.candidates == other.candidates
            && self.summary == other.summary
            && self.tally() == other.tally()
    }
}

/// A step's candidates counted: how many it considered, how many were
/// eligible, and what rejected the others.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tally {
    /// The candidates offering the step's capability.
    pub candidates: usize,
    /// How many of them were eligible.
    pub eligible: usize,
    /// The rejected ones by the stage that rejected them, in stage order.
    pub by_stage: Vec<(Stage, usize)>,
    /// Every rule that rejected a candidate, by stage then rule.
    pub by_rule: Vec<RuleTally>,
}

/// How often one rule rejected.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleTally {
    /// The rule's stage.
    pub stage: Stage,
    /// The rule (a policy id, or what was checked).
    pub rule: RuleName,
    /// The candidates it rejected.
    pub candidates: usize,
    /// The rejections it gave (a rule may give a candidate several).
    pub rejections: usize,
}

impl Tally {
    /// Counts one candidate: eligible, or rejected for `rejections` (all
    /// of one stage, the first that rejected it).
    pub(crate) fn count(&mut self, eligible: bool, rejections: &[Rejection]) {
        self.candidates += 1;
        if eligible {
            self.eligible += 1;
            return;
        }
        if let Some(first) = rejections.first() {
            match self.by_stage.iter_mut().find(|(s, _)| *s == first.stage) {
                Some((_, n)) => *n += 1,
                None => self.by_stage.push((first.stage, 1)),
            }
        }
        let mut previous: Option<&Rejection> = None;
        for r in rejections {
            let at = match self
                .by_rule
                .iter()
                .position(|t| t.stage == r.stage && same_text(&t.rule, &r.rule))
            {
                Some(at) => at,
                None => {
                    self.by_rule.push(RuleTally {
                        stage: r.stage,
                        rule: r.rule.clone(),
                        candidates: 0,
                        rejections: 0,
                    });
                    self.by_rule.len() - 1
                }
            };
            let tally = &mut self.by_rule[at];
            tally.rejections += 1;
            // A rule that repeats itself for one candidate counts it once.
            if previous.is_none_or(|p| p.stage != r.stage || !same_text(&p.rule, &r.rule)) {
                tally.candidates += 1;
            }
            previous = Some(r);
        }
    }

    /// Takes back the count of one eligible candidate (one the panic
    /// guard then counts as the probe it is).
    pub(crate) fn uncount_eligible(&mut self) {
        self.candidates = self.candidates.saturating_sub(1);
        self.eligible = self.eligible.saturating_sub(1);
    }

    /// Puts the counts in their order (stage, then rule), whatever order
    /// the candidates were counted in.
    pub(crate) fn settle(&mut self) {
        self.by_stage.sort_by_key(|(stage, _)| *stage);
        self.by_rule
            .sort_by(|a, b| a.stage.cmp(&b.stage).then_with(|| a.rule.cmp(&b.rule)));
    }

    /// `3/7 services eligible: 2 policy(eu-residency), 2 access(min_trust)`:
    /// each candidate counts once per stage(rule) that rejected it; most
    /// frequent first, then alphabetical.
    pub(crate) fn summary(&self) -> String {
        let mut reasons: Vec<(String, usize)> = self
            .by_rule
            .iter()
            .map(|t| (format!("{}({})", t.stage.as_str(), t.rule), t.candidates))
            .collect();
        reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let head = format!("{}/{} services eligible", self.eligible, self.candidates);
        if reasons.is_empty() {
            head
        } else {
            let parts: Vec<String> = reasons.iter().map(|(k, n)| format!("{n} {k}")).collect();
            format!("{head}: {}", parts.join(", "))
        }
    }
}

/// How routing a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A service was chosen for every step.
    Routed,
    /// No eligible service (or no feasible chain).
    NoRoute,
    /// Authentication failed.
    Refused,
}

impl Outcome {
    /// `routed`, `no_route` or `refused`, as decisions spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Routed => "routed",
            Outcome::NoRoute => "no_route",
            Outcome::Refused => "refused",
        }
    }
}

/// The control signal u* (SPEC §5): every component finite and in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Control {
    /// clamp(10·(J₁ − J₂), 0, 1) for the best and runner-up scores; 1 without a runner-up.
    pub confidence: f64,
    /// clamp(1 − p95 / max_latency_p95_ms, 0, 1); 1 without a bound.
    pub latency_headroom: f64,
    /// clamp(1 − cost / max_cost, 0, 1); 1 without a bound, or when both are 0.
    pub budget_headroom: f64,
    /// ρ of the chosen service (the largest over a chain's steps).
    pub risk: f64,
}

/// The guarantees of the chosen route, composed over a chain (SPEC §6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Composed {
    /// p95 latency in ms, summed over the steps.
    pub latency_p95_ms: f64,
    /// Availability, multiplied over the steps.
    pub availability: f64,
    /// The minimum declared accuracy; `None` when a step declares none.
    pub accuracy: Option<f64>,
    /// Estimated cost, summed over the steps.
    pub cost: f64,
    /// The currency of the costs (one per registry).
    pub currency: String,
    /// The regions every step processes data in (the intersection), sorted.
    pub regions: Vec<String>,
    pub(crate) hosting: crate::contract::Hosting,
    pub(crate) retention_days: u64,
}

/// The outcome of routing one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// How it ended.
    pub outcome: Outcome,
    /// Who asked: the principal's name, `anonymous`, or `(refused)`.
    pub principal: String,
    /// The tie-break seed used.
    pub seed: u64,
    /// The weights in force.
    pub weights: Weights,
    /// Every step's candidates (one step unless a chain).
    pub steps: Vec<StepResult>,
    /// One per step when routed.
    pub chosen: Vec<Choice>,
    /// The total score (the sum of step scores for a chain).
    pub score: Option<f64>,
    /// The control signal, when routed.
    pub control: Option<Control>,
    /// The composed guarantees of the chosen route, when routed.
    pub guarantees: Option<Composed>,
    /// Why nothing was routed, beyond the per-candidate rejections.
    pub reason: Option<String>,
    /// One line: `0/7 services eligible: 3 policy(eu-residency), …`.
    pub summary: String,
}

/// Routes `request` among `candidates` (any order; only those offering a
/// requested capability are considered), with every h as observed.
pub fn route(
    request: &Request,
    identity: &Identity,
    candidates: &[Candidate<'_>],
    policies: &PolicySet,
) -> Decision {
    route_at(request, identity, candidates, policies, None)
}

/// [`route`] at the decision time `now_ms` (Unix ms): each candidate's h
/// first recovers toward 1 from when it was observed
/// ([`crate::health::recovered`]). The time is an input, recorded in the
/// trace, so a replay recomputes the same h.
pub fn route_at(
    request: &Request,
    identity: &Identity,
    candidates: &[Candidate<'_>],
    policies: &PolicySet,
    now_ms: Option<i64>,
) -> Decision {
    let compiled = Compiled::new(candidates);
    route_compiled(
        request,
        identity,
        candidates,
        &compiled,
        policies,
        now_ms,
        Detail::Full,
    )
}

/// [`route_at`] with the compiled form of `candidates` built beforehand
/// ([`Compiled::new`] of the same list, in the same order; the stats and
/// statuses are read from `candidates`), spelled out as `detail` says:
/// what a caller routing many requests over one candidate list does. A
/// form built from another list is the caller's bug: debug builds assert
/// that the lengths match, and a row whose candidate does not exist is
/// skipped.
pub fn route_compiled(
    request: &Request,
    identity: &Identity,
    candidates: &[Candidate<'_>],
    compiled: &Compiled,
    policies: &PolicySet,
    now_ms: Option<i64>,
    detail: Detail,
) -> Decision {
    debug_assert!(compiled.len() <= candidates.len());
    let recovering = now_ms.is_some()
        && candidates
            .iter()
            .any(|c| c.stats.success_rate.is_some() && c.stats.observed_at_ms.is_some());
    if let (true, Some(now)) = (recovering, now_ms) {
        let recovered: Vec<Candidate<'_>> = candidates
            .iter()
            .map(|c| {
                let mut c = *c;
                c.stats.success_rate = c
                    .stats
                    .success_rate
                    .map(|h| crate::health::recovered(h, c.stats.observed_at_ms, now));
                c
            })
            .collect();
        return decide(request, identity, &recovered, compiled, policies, detail);
    }
    decide(request, identity, candidates, compiled, policies, detail)
}

fn decide(
    request: &Request,
    identity: &Identity,
    candidates: &[Candidate<'_>],
    compiled: &Compiled,
    policies: &PolicySet,
    detail: Detail,
) -> Decision {
    let steps = request.steps();
    let chained = request.is_chain();
    let principal = identity.principal();
    let weights = request.weights();
    let env = pipeline::Env {
        request,
        identity,
        principal: &principal,
        policies,
        chained,
        detail,
    };
    let refused = matches!(identity, Identity::Refused { .. });
    let results: Vec<pipeline::StepEval<'_>> = steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let eval = pipeline::evaluate_step(&env, i, step, compiled, candidates);
            if chained || refused {
                eval
            } else {
                guard::panic_guard(&env, step, compiled, candidates, eval)
            }
        })
        .collect();

    let pick = if refused {
        Err(Some("authentication failed".to_string()))
    } else if results.is_empty() {
        Err(Some("the request names no capability".to_string()))
    } else if chained {
        chain::best_chain(request, &results)
    } else {
        single(&results[0], request.seed)
    };
    let outcome = match (&pick, refused) {
        (_, true) => Outcome::Refused,
        (Ok(_), _) => Outcome::Routed,
        (Err(_), _) => Outcome::NoRoute,
    };
    let chosen_idx = pick.as_ref().ok().map(|(idx, _)| idx);
    let (chosen, score, control, guarantees) = match chosen_idx {
        Some(idx) => {
            let chosen: Vec<Choice> = results.iter().map(|e| e.choice(idx[e.index])).collect();
            let metrics: Vec<&Metrics> = results
                .iter()
                .map(|e| &e.candidates[idx[e.index]].metrics)
                .collect();
            let served: Vec<chain::Served<'_>> = results
                .iter()
                .map(|e| compiled.served(e.candidates[idx[e.index]].row))
                .collect();
            let total: f64 = chosen.iter().map(|c| c.score).sum();
            let composed = chain::compose(&metrics, &served);
            let runner_up = pick.as_ref().ok().and_then(|(_, runner_up)| *runner_up);
            let control = score::control(request, total, runner_up, &composed, &metrics);
            (chosen, Some(total), Some(control), Some(composed))
        }
        None => (Vec::new(), None, None, None),
    };
    let step_results: Vec<StepResult> = results
        .into_iter()
        .map(|eval| {
            let chosen = chosen_idx.map(|c| c[eval.index]);
            eval.into_result(chosen, detail)
        })
        .collect();
    let mut reason = pick.err().flatten();
    // The control signal is actionable (SPEC §5): an ambiguous or risky
    // choice becomes no_route, the would-be choice kept in the decision.
    let mut outcome = outcome;
    if let (Some(control), Some(score)) = (&control, score)
        && let Some(refusal) = control_refusal(request, control, score, &chosen, &step_results)
    {
        outcome = Outcome::NoRoute;
        reason = Some(refusal);
    }
    let summary = summary_line(&step_results, reason.as_deref(), chained);
    Decision {
        outcome,
        principal: identity.name(),
        seed: request.seed,
        weights,
        steps: step_results,
        chosen,
        score,
        control,
        guarantees,
        reason,
        summary,
    }
}

/// Why the control signal refuses a choice (`requirements.min_confidence`,
/// `requirements.max_risk`), naming the best and runner-up scores.
fn control_refusal(
    request: &Request,
    control: &Control,
    score: f64,
    chosen: &[Choice],
    steps: &[StepResult],
) -> Option<String> {
    let r = &request.requirements;
    let ids: Vec<&str> = chosen.iter().map(|c| c.service_id.as_str()).collect();
    let runner_up = steps
        .first()
        .filter(|_| steps.len() == 1)
        .and_then(|s| s.eligible().nth(1))
        .and_then(|c| Some(format!("runner-up {} {:.4}", c.service_id, c.score?)))
        .unwrap_or_else(|| "no runner-up".to_string());
    if let Some(min) = r.min_confidence
        && control.confidence < min
    {
        return Some(format!(
            "control(min_confidence): confidence {:.2} is below {min} — best {} {score:.4}, {runner_up}; \
             the would-be choice is recorded",
            control.confidence,
            ids.join(" → ")
        ));
    }
    if let Some(max) = r.max_risk
        && control.risk > max
    {
        return Some(format!(
            "control(max_risk): the choice {} has risk {:.2}, above {max} (score {score:.4}, {runner_up}); \
             the would-be choice is recorded",
            ids.join(" → "),
            control.risk
        ));
    }
    None
}

/// The best eligible candidate of a single-step request, ties broken by the
/// seeded shuffle (SPEC §5).
fn single(
    eval: &pipeline::StepEval<'_>,
    seed: u64,
) -> Result<(Vec<usize>, Option<f64>), Option<String>> {
    let best = eval
        .candidates
        .iter()
        .filter_map(|c| c.score())
        .fold(f64::NEG_INFINITY, f64::max);
    if best == f64::NEG_INFINITY {
        return Err(None);
    }
    // The best itself is always tied (also an unbounded one, which no
    // difference can tell from itself).
    let tied: Vec<usize> = eval
        .candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            c.score()
                .is_some_and(|s| s == best || best - s <= TIE_EPSILON)
        })
        .map(|(i, _)| i)
        .collect();
    // `candidates` is sorted by id, so `tied` is too.
    let pick = tiebreak::first_after_shuffle(&tied, seed).ok_or(None)?;
    Ok((vec![pick], score::runner_up(eval, pick)))
}

/// `0/7 services eligible: 3 policy(eu-residency), 2 access(min_trust)`; for
/// a chain, one such clause per step.
fn summary_line(steps: &[StepResult], reason: Option<&str>, chained: bool) -> String {
    let mut parts: Vec<String> = if chained {
        steps
            .iter()
            .enumerate()
            .map(|(i, s)| format!("step {} {}: {}", i + 1, s.capability, s.summary))
            .collect()
    } else {
        steps.iter().map(|s| s.summary.clone()).collect()
    };
    if let Some(reason) = reason
        && chained
    {
        parts.push(reason.to_string());
    }
    parts.join("; ")
}

/// `a == b` for short names (rule ids, attribute values), deciding most
/// pairs without a call to `memcmp`: the same bytes in place (a fixed rule
/// name) are equal, and most unequal names differ in length or first byte.
/// The routing core compares such names for every candidate.
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    (a.as_ptr() == b.as_ptr() && a.len() == b.len())
        || (a.len() == b.len() && a.as_bytes().first() == b.as_bytes().first() && a == b)
}
