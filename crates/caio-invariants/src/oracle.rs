//! The independent oracle: SPEC §4–§7 re-implemented by brute force from the
//! specification text, never through caio's pipeline, scorer or chain
//! search. It decides, for one scenario, which candidates are eligible (and
//! the first stage that rejects the others), what J each eligible candidate
//! scores, the best feasible chain by exhaustive enumeration, and the
//! composed guarantees of any choice.

use super::rules::{self, View};
use super::scenario::{Scenario, Service};
use caio_core::contract::{Capability, Trust};
use caio_core::lifecycle::ServiceStatus;
use caio_core::principal::Principal;
use caio_core::request::{Input, Priority, Request, Step};
use caio_core::routing::{Identity, Stage};

/// Scores closer than this are ties (SPEC §5).
pub const EPS: f64 = 1e-9;

/// Who access rules and policies see.
#[derive(Debug, Clone)]
pub(crate) struct Who {
    pub(crate) principal: Principal,
    pub(crate) anonymous: bool,
    pub(crate) refused: bool,
}

pub(crate) fn who(identity: &Identity) -> Who {
    let nobody = Principal {
        name: "anonymous".into(),
        tenant: None,
        roles: Vec::new(),
        trust: Trust::Low,
    };
    match identity {
        Identity::Authenticated { principal } | Identity::Simulated { principal } => Who {
            principal: principal.clone(),
            anonymous: false,
            refused: false,
        },
        Identity::Anonymous => Who {
            principal: nobody,
            anonymous: true,
            refused: false,
        },
        Identity::Refused { .. } => Who {
            principal: nobody,
            anonymous: true,
            refused: true,
        },
    }
}

/// What a service contributes to one step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Facts {
    /// Declared p95, or the observed one when worse and ≥ 20 observations.
    pub p95: f64,
    /// The request's estimated cost on this service.
    pub cost: f64,
    /// Declared availability.
    pub availability: f64,
    /// Declared accuracy, if any.
    pub accuracy: Option<f64>,
    /// `ρ = clamp(risk + 10·(1 − availability) + 0.2·[degraded], 0, 1)`.
    pub rho: f64,
}

/// Clamps to [0, 1], and a NaN to 0: SPEC §5 wants every control component
/// finite and in [0, 1], and the engine's clamp maps NaN to 0 too.
pub fn clamp01(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }
}

/// What `s` contributes to a step with this input (SPEC §5).
pub fn facts(s: &Service, input: &Input) -> Facts {
    let c = &s.contract;
    let declared = c.guarantees.latency_ms.p95;
    let p95 = match s.stats.observed_p95_ms {
        Some(o) if s.stats.observations >= 20 && o > declared => o,
        _ => declared,
    };
    let cost = c.cost.per_request
        + input.tokens as f64 / 1000.0 * c.cost.per_1k_input_tokens
        + input.expected_output_tokens as f64 / 1000.0 * c.cost.per_1k_output_tokens;
    let degraded = if s.status == ServiceStatus::Degraded {
        0.2
    } else {
        0.0
    };
    Facts {
        p95,
        cost,
        availability: c.guarantees.availability,
        accuracy: c.guarantees.accuracy,
        rho: clamp01(c.risk + (1.0 - c.guarantees.availability) * 10.0 + degraded),
    }
}

/// The capability of type `capability` that `s` offers, if any.
pub fn offered<'a>(s: &'a Service, capability: &str) -> Option<&'a Capability> {
    s.contract
        .capabilities
        .iter()
        .find(|c| c.kind == capability)
}

/// The oracle's view of one candidate of one step.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    /// Index into the scenario's services.
    pub(crate) index: usize,
    /// Its service id.
    pub id: String,
    /// What it contributes to the step.
    pub facts: Facts,
    /// The first stage that rejects, with every rule of that stage.
    pub rejected: Option<(Stage, Vec<String>)>,
    /// Sum of the weights of the prefer rules that apply.
    pub(crate) bonus: f64,
    /// J, for eligible candidates.
    pub j: Option<f64>,
    /// Rejected only because its circuit is open: what the panic guard of
    /// SPEC §8 may probe when nothing is eligible.
    pub(crate) probe: bool,
}

impl Judged {
    /// Whether no stage rejects it.
    pub fn eligible(&self) -> bool {
        self.rejected.is_none()
    }
}

/// Runs the seven stages of SPEC §5 for one candidate.
fn judge(s: &Scenario, step: &Step, index: usize, offered: &Capability, who: &Who) -> Judged {
    let svc = &s.services[index];
    let req = &s.request;
    let chained = req.chain.is_some();
    let c = &svc.contract;
    let f = facts(svc, &step.input);
    let mut first: Option<(Stage, Vec<String>)> = None;
    let mut rejecting_stages = 0;
    let mut stage = |stage: Stage, rules: Vec<String>| {
        if !rules.is_empty() {
            rejecting_stages += 1;
        }
        if first.is_none() && !rules.is_empty() {
            first = Some((stage, rules));
        }
    };
    let s_ = |x: &str| x.to_string();

    // 1. status
    let mut r = Vec::new();
    match svc.status {
        ServiceStatus::Drained => r.push(s_("drained")),
        ServiceStatus::Disabled => r.push(s_("disabled")),
        _ => {}
    }
    if svc.stats.circuit_open {
        r.push(s_("circuit-open"));
    }
    stage(Stage::Status, r);

    // 2. capability
    let mut r = Vec::new();
    if let (Some(sent), Some(accepted)) = (&step.input.modalities, &offered.input)
        && sent.iter().any(|m| !accepted.contains(m))
    {
        r.push(s_("modalities"));
    }
    if let (Some(lang), Some(langs)) = (&step.input.language, &offered.languages)
        && !langs.contains(lang)
    {
        r.push(s_("language"));
    }
    if offered
        .max_input_tokens
        .is_some_and(|m| step.input.tokens > m)
    {
        r.push(s_("max_input_tokens"));
    }
    stage(Stage::Capability, r);

    // 3. access
    let mut r = Vec::new();
    if who.refused {
        r.push(s_("authentication"));
    } else {
        r.extend(access_breaches(&who.principal, c).into_iter().map(s_));
    }
    stage(Stage::Access, r);

    // 4. privacy
    stage(
        Stage::Privacy,
        privacy_breaches(req, c).into_iter().map(s_).collect(),
    );

    // 5. policy
    let verdict = rules::verdict(
        &s.rules,
        &View {
            request: req,
            input: &step.input,
            principal: &who.principal,
            anonymous: who.anonymous,
            contract: c,
            offered,
            status: svc.status,
            estimate: f.cost,
        },
    );
    stage(Stage::Policy, verdict.rejected_by.clone());

    // 6. requirement (latency, availability, cost: on the composed chain)
    let q = &req.requirements;
    let mut r = Vec::new();
    if !chained {
        if q.max_latency_p95_ms.is_some_and(|m| f.p95 > m) {
            r.push(s_("max_latency_p95_ms"));
        }
        if q.min_availability.is_some_and(|m| f.availability < m) {
            r.push(s_("min_availability"));
        }
        if q.max_cost.is_some_and(|m| f.cost > m) {
            r.push(s_("max_cost"));
        }
    }
    if let Some(min) = q.min_accuracy
        && f.accuracy.is_none_or(|a| a < min)
    {
        r.push(s_("min_accuracy"));
    }
    r.extend(trait_breaches(req, c).into_iter().map(s_));
    stage(Stage::Requirement, r);

    // 7. preference
    if req.preferences.exclude_services.contains(&c.service_id) {
        stage(Stage::Preference, vec![s_("exclude_services")]);
    }

    let probe = rejecting_stages == 1
        && first
            .as_ref()
            .is_some_and(|(st, rules)| *st == Stage::Status && rules == &["circuit-open"]);
    Judged {
        index,
        id: c.service_id.clone(),
        facts: f,
        rejected: first,
        bonus: verdict.bonus,
        j: None,
        probe,
    }
}

/// Which access rules (SPEC §4) a principal breaks for a contract.
pub(crate) fn access_breaches(
    p: &Principal,
    c: &caio_core::contract::ServiceContract,
) -> Vec<&'static str> {
    let mut r = Vec::new();
    if p.trust < c.access.min_trust {
        r.push("min_trust");
    }
    if let Some(roles) = &c.access.roles
        && !p.roles.iter().any(|x| roles.contains(x))
    {
        r.push("roles");
    }
    if let Some(tenants) = &c.access.tenants
        && !p.tenant.as_ref().is_some_and(|t| tenants.contains(t))
    {
        r.push("tenants");
    }
    r
}

/// Which privacy rules (SPEC §5 stage 4) a request breaks on a contract.
pub(crate) fn privacy_breaches(
    req: &Request,
    c: &caio_core::contract::ServiceContract,
) -> Vec<&'static str> {
    let mut r = Vec::new();
    if req.data.class > c.privacy.max_data_class {
        r.push("max_data_class");
    }
    if req.data.contains_pii && !c.privacy.pii_allowed {
        r.push("pii_allowed");
    }
    if let Some(allowed) = &req.requirements.regions
        && c.privacy.regions.iter().any(|x| !allowed.contains(x))
    {
        r.push("regions");
    }
    r
}

/// Which trait requirements (tags, hosting) a contract breaks.
pub(crate) fn trait_breaches(
    req: &Request,
    c: &caio_core::contract::ServiceContract,
) -> Vec<&'static str> {
    let q = &req.requirements;
    let mut r = Vec::new();
    if let Some(tags) = &q.tags
        && tags.iter().any(|t| !c.tags.contains(t))
    {
        r.push("tags");
    }
    if let Some(hosting) = &q.hosting
        && !hosting.contains(&c.privacy.hosting)
    {
        r.push("hosting");
    }
    r
}

/// The weight tables of SPEC §5.
pub(crate) fn weights(request: &Request) -> [f64; 6] {
    if let Some(w) = request.preferences.weights {
        return [w.q, w.h, w.t, w.c, w.l, w.r];
    }
    match request.preferences.priority {
        Priority::Balanced => [0.30, 0.15, 0.10, 0.15, 0.15, 0.15],
        Priority::Cost => [0.15, 0.10, 0.05, 0.45, 0.10, 0.15],
        Priority::Latency => [0.15, 0.10, 0.05, 0.10, 0.45, 0.15],
        Priority::Quality => [0.50, 0.15, 0.05, 0.10, 0.10, 0.10],
    }
}

/// Every candidate of one step (the services offering its capability),
/// with J for the eligible ones.
pub fn step(s: &Scenario, step: &Step) -> Vec<Judged> {
    let who = who(&s.identity);
    let mut judged: Vec<Judged> = s
        .services
        .iter()
        .enumerate()
        .filter_map(|(i, svc)| offered(svc, &step.capability).map(|o| judge(s, step, i, o, &who)))
        .collect();
    judged.sort_by(|a, b| a.id.cmp(&b.id));
    let eligible = || judged.iter().filter(|j| j.eligible());
    let max_cost = eligible().map(|j| j.facts.cost).fold(0.0, f64::max);
    let max_p95 = eligible().map(|j| j.facts.p95).fold(0.0, f64::max);
    let [wq, wh, wt, wc, wl, wr] = weights(&s.request);
    let mut wanted: Vec<&String> = s.request.preferences.prefer_tags.iter().collect();
    wanted.sort();
    wanted.dedup();
    for j in judged.iter_mut().filter(|j| j.eligible()) {
        let svc = &s.services[j.index];
        let f = j.facts;
        let q = f.accuracy.unwrap_or(0.5);
        let h = clamp01(svc.stats.success_rate.unwrap_or(1.0));
        let hits = wanted
            .iter()
            .filter(|t| svc.contract.tags.contains(t))
            .count();
        let fraction = if wanted.is_empty() {
            0.0
        } else {
            hits as f64 / wanted.len() as f64
        };
        let t = clamp01(fraction + j.bonus);
        let c = if max_cost > 0.0 {
            f.cost / max_cost
        } else {
            0.0
        };
        let l = if max_p95 > 0.0 { f.p95 / max_p95 } else { 0.0 };
        j.j = Some(wq * q + wh * h + wt * t - wc * c - wl * l - wr * f.rho);
    }
    judged
}

/// Every step of the request, judged.
pub(crate) fn steps(s: &Scenario) -> Vec<Vec<Judged>> {
    s.request.steps().iter().map(|st| step(s, st)).collect()
}

/// The panic guard's half-open probe of a single step (SPEC §8), with its
/// J: when nothing is eligible, the candidate rejected only because its
/// circuit is open whose circuit opened earliest (an unknown time first,
/// then by id), scored as the only eligible candidate. `None` for chains,
/// refused callers, or when something is eligible or nothing is probed.
pub fn probe(s: &Scenario, step: &Step) -> Option<(String, f64)> {
    if s.request.is_chain() || matches!(s.identity, Identity::Refused { .. }) {
        return None;
    }
    let judged = self::step(s, step);
    if judged.iter().any(Judged::eligible) {
        return None;
    }
    let opened = |j: &Judged| {
        s.services[j.index]
            .stats
            .circuit_opened_at_ms
            .unwrap_or(i64::MIN)
    };
    let chosen = judged
        .iter()
        .filter(|j| j.probe)
        .min_by(|a, b| opened(a).cmp(&opened(b)).then(a.id.cmp(&b.id)))?;
    let mut alone = s.clone();
    alone.services[chosen.index].stats.circuit_open = false;
    let j = self::step(&alone, step)
        .into_iter()
        .find(|j| j.index == chosen.index)?
        .j?;
    Some((chosen.id.clone(), j))
}

/// Composed guarantees of a chain (SPEC §6), in step order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Composition {
    pub(crate) latency: f64,
    pub(crate) availability: f64,
    pub(crate) accuracy: Option<f64>,
    pub(crate) cost: f64,
}

pub(crate) fn compose(parts: &[Facts]) -> Composition {
    let mut out = Composition {
        latency: 0.0,
        availability: 1.0,
        accuracy: Some(f64::INFINITY),
        cost: 0.0,
    };
    for f in parts {
        out.latency += f.p95;
        out.availability *= f.availability;
        out.cost += f.cost;
        out.accuracy = match (out.accuracy, f.accuracy) {
            (Some(a), Some(b)) => Some(a.min(b)),
            _ => None,
        };
    }
    if parts.is_empty() {
        out.accuracy = None;
    }
    out
}

/// Whether a composition meets the request's end-to-end bounds.
pub(crate) fn feasible(req: &Request, c: &Composition) -> bool {
    let q = &req.requirements;
    q.max_latency_p95_ms.is_none_or(|m| c.latency <= m)
        && q.max_cost.is_none_or(|m| c.cost <= m)
        && q.min_availability.is_none_or(|m| c.availability >= m)
}

/// The best total J over every feasible combination of eligible candidates
/// (one per step), by exhaustive enumeration; `None` when none is feasible.
pub(crate) fn best_total(req: &Request, judged: &[Vec<Judged>]) -> Option<(f64, Vec<usize>)> {
    let items: Vec<Vec<&Judged>> = judged
        .iter()
        .map(|step| step.iter().filter(|j| j.eligible()).collect())
        .collect();
    if items.iter().any(Vec::is_empty) || items.is_empty() {
        return None;
    }
    let combos: usize = items.iter().map(Vec::len).product();
    let mut best: Option<(f64, Vec<usize>)> = None;
    let mut pick = vec![0usize; items.len()];
    for mut n in 0..combos {
        for (k, step) in pick.iter_mut().zip(&items) {
            *k = n % step.len();
            n /= step.len();
        }
        let chosen: Vec<&Judged> = pick.iter().zip(&items).map(|(&k, s)| s[k]).collect();
        let total: f64 = chosen.iter().filter_map(|j| j.j).sum();
        let facts: Vec<Facts> = chosen.iter().map(|j| j.facts).collect();
        // A single step's bounds were already applied per candidate.
        let single = req.chain.is_none();
        if (single || feasible(req, &compose(&facts)))
            && best.as_ref().is_none_or(|(b, _)| total > *b)
        {
            best = Some((total, chosen.iter().map(|j| j.index).collect()));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::random::Gen;
    use crate::scenario::{self, Profile};
    use caio_core::policy::PolicySet;
    use caio_core::routing::Outcome;

    /// The property tests once carried a second oracle whose clamp let a NaN
    /// through, while this one (and the engine) map it to 0. SPEC §5 settles
    /// it: every control component is finite and in [0, 1]. A service with
    /// p95 0 under `max_latency_p95_ms: 0` makes the latency headroom
    /// clamp(1 − 0/0) = clamp(NaN): 0 in the engine and in the oracle.
    #[test]
    fn a_nan_control_input_clamps_to_zero_as_in_the_engine() {
        assert_eq!(clamp01(f64::NAN), 0.0);
        assert_eq!(clamp01(f64::INFINITY), 1.0);
        assert_eq!(clamp01(f64::NEG_INFINITY), 0.0);

        let mut svc = scenario::service(&mut Gen::from_seed(7), &Profile::default(), "chat");
        svc.contract.capabilities[0].kind = "chat".into();
        scenario::open_up(&mut svc);
        svc.status = ServiceStatus::Active;
        svc.stats = Default::default();
        let latency = &mut svc.contract.guarantees.latency_ms;
        (latency.p50, latency.p95, latency.p99) = (0.0, 0.0, 0.0);
        let mut request = Request::for_capability("chat");
        request.requirements.max_latency_p95_ms = Some(0.0);
        let s = Scenario {
            services: vec![svc],
            rules: Vec::new(),
            identity: Identity::Anonymous,
            request,
        };

        let d = caio_core::routing::route(
            &s.request,
            &s.identity,
            &s.candidates(),
            &PolicySet::default(),
        );
        assert_eq!(d.outcome, Outcome::Routed, "{:?}", d.reason);
        let engine = d.control.expect("a routed decision has a control signal");
        let chosen = &step(&s, &s.request.steps()[0])[0];
        let max = s.request.requirements.max_latency_p95_ms.unwrap();
        let oracle = clamp01(1.0 - chosen.facts.p95 / max);
        assert!((1.0 - chosen.facts.p95 / max).is_nan());
        assert_eq!(engine.latency_headroom, 0.0);
        assert_eq!(oracle, engine.latency_headroom);
    }
}
