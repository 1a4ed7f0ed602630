//! The checks that judge route calls of the pure core: determinism,
//! correctness, guarantee preservation, authorization, privacy, tenant
//! isolation and trait constraints.

use super::{Coverage, Ctx, Outcome, count, ids, profile, scenario_loop};
use crate::engine::Engine;
use crate::lab::TempDir;
use crate::oracle::{self, EPS, Judged};
use crate::random::Gen;
use crate::rules::{self, RuleMix, View};
use crate::scenario::{self, Scenario, Service};
use caio_core::policy::PolicySet;
use caio_core::routing::{Decision, Identity, Outcome as RouteOutcome};
use std::collections::BTreeMap;

/// The scenario's policy set; a refusal by the loader is a generator bug.
pub(crate) fn policies(s: &Scenario) -> Result<PolicySet, String> {
    s.policies().map_err(|e| format!("internal: {}", e.0))
}

pub(crate) fn route(engine: &dyn Engine, s: &Scenario) -> Result<Decision, String> {
    let policies = policies(s)?;
    Ok(engine.route(&s.request, &s.identity, &s.candidates(), &policies))
}

fn json(d: &Decision) -> serde_json::Value {
    serde_json::to_value(d).unwrap_or(serde_json::Value::Null)
}

fn chosen_ids(d: &Decision) -> Vec<&str> {
    d.chosen.iter().map(|c| c.service_id.as_str()).collect()
}

/// What differs between two decisions, in a few words.
pub(crate) fn difference(a: &Decision, b: &Decision) -> String {
    if a.outcome != b.outcome {
        return format!("outcome {} vs {}", a.outcome.as_str(), b.outcome.as_str());
    }
    if chosen_ids(a) != chosen_ids(b) {
        return format!("chose {} vs {}", ids(chosen_ids(a)), ids(chosen_ids(b)));
    }
    if a.score != b.score {
        return format!("score {:?} vs {:?}", a.score, b.score);
    }
    "the candidates' scores, terms or explanations differ".to_string()
}

/// The chosen services with the step each serves (index, step).
fn chosen<'s>(s: &'s Scenario, d: &Decision) -> Result<Vec<(&'s Service, usize)>, String> {
    d.chosen
        .iter()
        .enumerate()
        .map(|(i, c)| {
            s.service(&c.service_id)
                .map(|svc| (svc, i))
                .ok_or_else(|| format!("chose `{}`, which is not a candidate", c.service_id))
        })
        .collect()
}

fn is_refused(identity: &Identity) -> bool {
    matches!(identity, Identity::Refused { .. })
}

fn outcome_coverage(cov: &mut Coverage, s: &Scenario, d: &Decision) {
    count(cov, format!("outcome {}", d.outcome.as_str()));
    if s.request.is_chain() {
        count(cov, "chains");
    }
}

// ---------------------------------------------------------------------------
// INV-CAIO-0001 Determinism
// ---------------------------------------------------------------------------

pub(crate) fn determinism(ctx: &mut Ctx<'_>) -> Outcome {
    let p = profile(ctx);
    let every = ctx.params.count("registry_every");
    let judge = move |engine: &dyn Engine, s: &Scenario, salt: u64, cov: &mut Coverage| {
        let policies = policies(s)?;
        let base = engine.route(&s.request, &s.identity, &s.candidates(), &policies);
        let expected = json(&base);
        outcome_coverage(cov, s, &base);
        if ties(&base) {
            count(cov, "ties");
        }
        let same = |d: &Decision, how: &str| -> Result<(), String> {
            if json(d) == expected {
                Ok(())
            } else {
                Err(format!(
                    "{how} changed the decision: {}",
                    difference(&base, d)
                ))
            }
        };
        same(
            &engine.route(&s.request, &s.identity, &s.candidates(), &policies),
            "a second run",
        )?;
        let mut renamed = s.request.clone();
        renamed.request_id = Some(format!("another-request-{salt:x}"));
        same(
            &engine.route(&renamed, &s.identity, &s.candidates(), &policies),
            "another request_id",
        )?;
        let n = s.services.len();
        let mut g = Gen::from_seed(salt);
        for _ in 0..3 {
            let order = g.permutation(n);
            same(
                &engine.route(&s.request, &s.identity, &s.candidates_in(&order), &policies),
                &format!("registering the services in the order {order:?}"),
            )?;
        }
        let reversed: Vec<usize> = (0..n).rev().collect();
        same(
            &engine.route(
                &s.request,
                &s.identity,
                &s.candidates_in(&reversed),
                &policies,
            ),
            "registering the services in reverse order",
        )?;
        if s.rules.len() > 1 {
            let mut r = s.clone();
            r.rules.reverse();
            let reordered = self::policies(&r)?;
            same(
                &engine.route(&s.request, &s.identity, &s.candidates(), &reordered),
                "writing the policy rules in reverse order",
            )?;
        }
        if every > 0 && salt.is_multiple_of(every) {
            count(cov, "registered in two homes");
            for k in 0..2 {
                let order = if k == 0 {
                    (0..n).collect()
                } else {
                    g.permutation(n)
                };
                let d = via_registry(engine, s, &order, &policies)?;
                same(
                    &d,
                    &format!("registering in a fresh home in the order {order:?}"),
                )?;
            }
        }
        Ok(())
    };
    scenario_loop(ctx, &p, scenario::scenario, &judge)
}

fn ties(d: &Decision) -> bool {
    d.steps.iter().any(|step| {
        let scores: Vec<f64> = step.eligible().filter_map(|c| c.score).collect();
        let best = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        scores.iter().filter(|s| best - **s <= EPS).count() > 1
    })
}

/// Registers the scenario's contracts in a fresh home in `order`, reads the
/// candidates back through the capability index, and routes.
fn via_registry(
    engine: &dyn Engine,
    s: &Scenario,
    order: &[usize],
    policies: &PolicySet,
) -> Result<Decision, String> {
    use caio_store::registry::{Change, NewContract};
    let fail = |e: caio_store::Error| format!("the registry refused the scenario: {e}");
    let dir = TempDir::new("caio-invariants").map_err(|e| format!("internal: {e}"))?;
    let home = caio_store::home::Home {
        path: dir.path().join("home"),
    };
    let mut store =
        caio_store::Store::open(&home, caio_store::DEFAULT_BUSY_TIMEOUT).map_err(fail)?;
    let contracts: Vec<NewContract<'_>> = order
        .iter()
        .map(|&i| NewContract {
            contract: &s.services[i].contract,
            source: "generated",
        })
        .collect();
    let change = Change {
        now: jiff::Timestamp::now(),
        actor: "verify-invariants".into(),
    };
    store
        .add_contracts(&contracts, false, &change)
        .map_err(fail)?;
    let mut loaded = BTreeMap::new();
    for step in s.request.steps() {
        for record in store
            .services_for_capability(&step.capability)
            .map_err(fail)?
        {
            loaded.insert(record.service_id.clone(), record);
        }
    }
    let services: Vec<Service> = loaded
        .into_values()
        .filter_map(|r| {
            let original = s.service(&r.service_id)?;
            Some(Service {
                contract: r.contract,
                status: original.status,
                stats: original.stats,
            })
        })
        .collect();
    let again = Scenario {
        services,
        ..s.clone()
    };
    Ok(engine.route(&s.request, &s.identity, &again.candidates(), policies))
}

// ---------------------------------------------------------------------------
// INV-CAIO-0002 Correctness
// ---------------------------------------------------------------------------

pub(crate) fn correctness(ctx: &mut Ctx<'_>) -> Outcome {
    let p = profile(ctx);
    scenario_loop(ctx, &p, scenario::scenario, &judge_correctness)
}

fn judge_correctness(
    engine: &dyn Engine,
    s: &Scenario,
    _salt: u64,
    cov: &mut Coverage,
) -> Result<(), String> {
    let d = route(engine, s)?;
    let judged = oracle::steps(s);
    outcome_coverage(cov, s, &d);
    for step in &judged {
        if step.iter().all(|j| !j.eligible()) {
            count(cov, "empty eligible set");
        }
        for j in step {
            match &j.rejected {
                Some((stage, _)) => count(cov, format!("rejected at {}", stage.as_str())),
                None => count(cov, "eligible"),
            }
        }
        let best = step
            .iter()
            .filter_map(|j| j.j)
            .fold(f64::NEG_INFINITY, f64::max);
        if step
            .iter()
            .filter_map(|j| j.j)
            .filter(|x| best - x <= EPS)
            .count()
            > 1
        {
            count(cov, "ties");
        }
    }
    let refused = is_refused(&s.identity);
    match d.outcome {
        RouteOutcome::Refused if refused => return Ok(()),
        RouteOutcome::Refused => return Err("refused a caller who was not refused".into()),
        other if refused => {
            return Err(format!(
                "the caller's token was refused, but the outcome is {}",
                other.as_str()
            ));
        }
        _ => {}
    }
    if d.outcome == RouteOutcome::Routed && is_probe(s, &d, &judged) {
        count(cov, "panic-guard probes");
        return Ok(());
    }
    let best = oracle::best_total(&s.request, &judged);
    match (d.outcome, &best) {
        (RouteOutcome::NoRoute, None) => Ok(()),
        (RouteOutcome::NoRoute, Some((total, picks))) => Err(format!(
            "no_route, but {} is eligible and feasible with total J = {total}",
            ids(picks
                .iter()
                .map(|&i| s.services[i].contract.service_id.as_str()))
        )),
        (RouteOutcome::Routed, None) => Err(format!(
            "routed to {}, but no eligible and feasible choice exists",
            ids(chosen_ids(&d))
        )),
        (RouteOutcome::Routed, Some((best_total, picks))) => {
            let steps = s.request.steps();
            if d.chosen.len() != steps.len() {
                return Err(format!(
                    "{} steps but {} chosen services",
                    steps.len(),
                    d.chosen.len()
                ));
            }
            let mut total = 0.0;
            let mut facts = Vec::new();
            for (i, c) in d.chosen.iter().enumerate() {
                let Some(j) = judged[i].iter().find(|j| j.id == c.service_id) else {
                    return Err(format!(
                        "step {}: chose `{}`, which does not offer `{}`",
                        i + 1,
                        c.service_id,
                        steps[i].capability
                    ));
                };
                if let Some((stage, rules)) = &j.rejected {
                    return Err(format!(
                        "step {}: chose `{}`, which breaks a hard constraint: {}({})",
                        i + 1,
                        c.service_id,
                        stage.as_str(),
                        rules.join(", ")
                    ));
                }
                total += j.j.unwrap_or(f64::NAN);
                facts.push(j.facts);
            }
            if s.request.is_chain() {
                let composed = oracle::compose(&facts);
                if !oracle::feasible(&s.request, &composed) {
                    return Err(format!(
                        "chose the chain {}, which breaks the end-to-end bounds: {composed:?}",
                        ids(chosen_ids(&d))
                    ));
                }
            }
            if total < best_total - EPS {
                return Err(format!(
                    "chose {} with J = {total}, but {} has J = {best_total}",
                    ids(chosen_ids(&d)),
                    ids(picks
                        .iter()
                        .map(|&i| s.services[i].contract.service_id.as_str()))
                ));
            }
            let score = d.score.unwrap_or(f64::NAN);
            if score.is_nan() || (score - total).abs() > 1e-9 * total.abs().max(1.0) {
                return Err(format!(
                    "reported score {score} for {}, but J = {total}",
                    ids(chosen_ids(&d))
                ));
            }
            Ok(())
        }
        (RouteOutcome::Refused, _) => Ok(()),
    }
}

/// SPEC §8's panic guard: a single step where nothing is eligible, routed
/// to a candidate rejected only because its circuit is open.
fn is_probe(s: &Scenario, d: &Decision, judged: &[Vec<Judged>]) -> bool {
    !s.request.is_chain()
        && d.chosen.len() == 1
        && judged.len() == 1
        && judged[0].iter().all(|j| !j.eligible())
        && judged[0]
            .iter()
            .any(|j| j.probe && j.id == d.chosen[0].service_id)
}

// ---------------------------------------------------------------------------
// INV-CAIO-0005 Guarantee preservation
// ---------------------------------------------------------------------------

pub(crate) fn guarantees(ctx: &mut Ctx<'_>) -> Outcome {
    let mut p = profile(ctx);
    p.chain = 0.6;
    p.bounds = 0.7;
    p.identity = [4, 8, 1];
    scenario_loop(ctx, &p, scenario::scenario, &judge_guarantees)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-300) || a == b
}

fn judge_guarantees(
    engine: &dyn Engine,
    s: &Scenario,
    salt: u64,
    cov: &mut Coverage,
) -> Result<(), String> {
    let d = route(engine, s)?;
    outcome_coverage(cov, s, &d);
    if d.outcome != RouteOutcome::Routed {
        return Ok(());
    }
    let steps = s.request.steps();
    let picked = chosen(s, &d)?;
    let facts: Vec<oracle::Facts> = picked
        .iter()
        .map(|(svc, i)| oracle::facts(svc, &steps[*i].input))
        .collect();
    let want = oracle::compose(&facts);
    let Some(g) = &d.guarantees else {
        return Err("a routed decision without composed guarantees".into());
    };
    let accuracy_matches = match (g.accuracy, want.accuracy) {
        (Some(a), Some(b)) => close(a, b),
        (None, None) => true,
        _ => false,
    };
    if !(close(g.latency_p95_ms, want.latency)
        && close(g.availability, want.availability)
        && close(g.cost, want.cost)
        && accuracy_matches)
    {
        return Err(format!(
            "the decision reports p95 {} ms, availability {}, cost {}, accuracy {:?} for {}, \
             but they compose to {} ms, {}, {}, {:?}",
            g.latency_p95_ms,
            g.availability,
            g.cost,
            g.accuracy,
            ids(chosen_ids(&d)),
            want.latency,
            want.availability,
            want.cost,
            want.accuracy
        ));
    }
    let q = &s.request.requirements;
    let broken: Vec<String> = [
        q.max_latency_p95_ms
            .filter(|m| g.latency_p95_ms > *m)
            .map(|m| format!("p95 {} ms > max_latency_p95_ms {m}", g.latency_p95_ms)),
        q.max_cost
            .filter(|m| g.cost > *m)
            .map(|m| format!("cost {} > max_cost {m}", g.cost)),
        q.min_availability
            .filter(|m| g.availability < *m)
            .map(|m| format!("availability {} < min_availability {m}", g.availability)),
        q.min_accuracy
            .filter(|m| g.accuracy.is_none_or(|a| a < *m))
            .map(|m| format!("accuracy {:?} < min_accuracy {m}", g.accuracy)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !broken.is_empty() {
        return Err(format!(
            "the chosen route {} breaks the requirements: {}",
            ids(chosen_ids(&d)),
            broken.join("; ")
        ));
    }
    count(cov, "composition checked");
    monotone(engine, s, &d, salt, cov)
}

/// The chosen services alone (each offering only the steps it was chosen
/// for), without rules, bounds or exclusions: every step is forced.
fn forced(s: &Scenario, d: &Decision) -> Result<Scenario, String> {
    let mut services: Vec<Service> = Vec::new();
    for c in &d.chosen {
        let Some(original) = s.service(&c.service_id) else {
            return Err(format!(
                "chose `{}`, which is not a candidate",
                c.service_id
            ));
        };
        let kinds: Vec<&str> = d
            .chosen
            .iter()
            .filter(|x| x.service_id == c.service_id)
            .map(|x| x.capability.as_str())
            .collect();
        if services
            .iter()
            .any(|x| x.contract.service_id == c.service_id)
        {
            continue;
        }
        let mut svc = original.clone();
        svc.contract
            .capabilities
            .retain(|cap| kinds.contains(&cap.kind.as_str()));
        services.push(svc);
    }
    let mut request = s.request.clone();
    request.requirements.max_latency_p95_ms = None;
    request.requirements.max_cost = None;
    request.requirements.min_availability = None;
    request.requirements.min_accuracy = None;
    request.preferences.exclude_services.clear();
    Ok(Scenario {
        services,
        rules: Vec::new(),
        identity: s.identity.clone(),
        request,
    })
}

fn monotone(
    engine: &dyn Engine,
    s: &Scenario,
    d: &Decision,
    salt: u64,
    cov: &mut Coverage,
) -> Result<(), String> {
    let better = forced(s, d)?;
    let d1 = route(engine, &better)?;
    let Some(g1) = d1.guarantees.clone() else {
        return Err(format!(
            "with only the chosen services {} and no bounds, the outcome is {}",
            ids(chosen_ids(d)),
            d1.outcome.as_str()
        ));
    };
    let mut g = Gen::from_seed(salt);
    let mut worse = better.clone();
    let k = g.index(worse.services.len());
    let factor = |g: &mut Gen| {
        if g.chance(0.3) {
            0.0
        } else {
            g.range(0.0, 0.5)
        }
    };
    let (a, b, c, w) = (
        factor(&mut g),
        factor(&mut g),
        factor(&mut g),
        factor(&mut g),
    );
    let svc = &mut worse.services[k].contract;
    let lat = &mut svc.guarantees.latency_ms;
    lat.p50 *= 1.0 + a;
    lat.p95 *= 1.0 + a;
    lat.p99 *= 1.0 + a;
    svc.guarantees.availability *= 1.0 - b;
    svc.cost.per_request *= 1.0 + c;
    svc.cost.per_1k_input_tokens *= 1.0 + c;
    svc.cost.per_1k_output_tokens *= 1.0 + c;
    if let Some(acc) = &mut svc.guarantees.accuracy {
        *acc = (*acc - w).max(0.0);
    }
    let worse_id = svc.service_id.clone();
    let d2 = route(engine, &worse)?;
    let Some(g2) = d2.guarantees.clone() else {
        return Err(format!(
            "worsening `{worse_id}` made the forced route {}",
            d2.outcome.as_str()
        ));
    };
    let accuracy_ok = match (g1.accuracy, g2.accuracy) {
        (Some(x), Some(y)) => y <= x,
        (None, None) => true,
        (Some(_), None) => true,
        (None, Some(_)) => false,
    };
    if g2.latency_p95_ms < g1.latency_p95_ms
        || g2.cost < g1.cost
        || g2.availability > g1.availability
        || !accuracy_ok
    {
        return Err(format!(
            "composition is not monotone: worsening `{worse_id}` (p95 ×{}, availability ×{}, \
             cost ×{}, accuracy −{w}) gives p95 {} → {} ms, cost {} → {}, availability {} → {}, \
             accuracy {:?} → {:?}",
            1.0 + a,
            1.0 - b,
            1.0 + c,
            g1.latency_p95_ms,
            g2.latency_p95_ms,
            g1.cost,
            g2.cost,
            g1.availability,
            g2.availability,
            g1.accuracy,
            g2.accuracy
        ));
    }
    // Bounds exactly at the worse route's composition: both routes meet them.
    for (label, base) in [("the worse route", &worse), ("the better route", &better)] {
        let mut bounded = base.clone();
        let r = &mut bounded.request.requirements;
        r.max_latency_p95_ms = Some(g2.latency_p95_ms);
        r.max_cost = Some(g2.cost);
        r.min_availability = Some(g2.availability);
        let d3 = route(engine, &bounded)?;
        if d3.outcome != RouteOutcome::Routed {
            return Err(format!(
                "{label} does not meet bounds exactly at the worse route's composition \
                 (max_latency_p95_ms {}, max_cost {}, min_availability {}): {}",
                g2.latency_p95_ms,
                g2.cost,
                g2.availability,
                d3.reason.as_deref().unwrap_or(&d3.summary)
            ));
        }
    }
    count(cov, "monotonicity checked");
    Ok(())
}

// ---------------------------------------------------------------------------
// INV-CAIO-SEC-0002 Authorization, SEC-0003 Privacy, SEC-0004 Access control,
// CONTROL-0002 Trait constraints: what must hold of every chosen service.
// ---------------------------------------------------------------------------

/// Checks `rule` against every chosen service of a routed decision.
fn each_chosen(
    engine: &dyn Engine,
    s: &Scenario,
    cov: &mut Coverage,
    rule: &dyn Fn(&Scenario, &Service, usize) -> Option<String>,
) -> Result<(), String> {
    let d = route(engine, s)?;
    outcome_coverage(cov, s, &d);
    if d.outcome != RouteOutcome::Routed {
        return Ok(());
    }
    if is_refused(&s.identity) {
        return Err("routed a request whose token was refused".into());
    }
    for (svc, step) in chosen(s, &d)? {
        if let Some(why) = rule(s, svc, step) {
            return Err(format!(
                "chose `{}`{}: {why}",
                svc.contract.service_id,
                if s.request.is_chain() {
                    format!(" for step {}", step + 1)
                } else {
                    String::new()
                }
            ));
        }
    }
    count(cov, "routed decisions checked");
    Ok(())
}

pub(crate) fn authorization(ctx: &mut Ctx<'_>) -> Outcome {
    let mut p = profile(ctx);
    p.identity = [2, 12, 1];
    p.roles = 0.5;
    p.trust = [4, 3, 2];
    p.max_rules = 4;
    p.mix = RuleMix {
        deny: 4,
        require: 2,
        prefer: 1,
        principal_atoms: 10,
    };
    let judge = |engine: &dyn Engine, s: &Scenario, _salt: u64, cov: &mut Coverage| {
        let who = oracle::who(&s.identity);
        let steps = s.request.steps();
        each_chosen(engine, s, cov, &|s, svc, step| {
            let breaches = oracle::access_breaches(&who.principal, &svc.contract);
            if !breaches.is_empty() {
                return Some(format!(
                    "its access rules exclude the principal ({})",
                    breaches.join(", ")
                ));
            }
            let offered = oracle::offered(svc, &steps[step].capability)?;
            let verdict = rules::verdict(
                &s.rules,
                &View {
                    request: &s.request,
                    input: &steps[step].input,
                    principal: &who.principal,
                    anonymous: who.anonymous,
                    contract: &svc.contract,
                    offered,
                    status: svc.status,
                    estimate: oracle::facts(svc, &steps[step].input).cost,
                },
            );
            (!verdict.rejected_by.is_empty()).then(|| {
                format!(
                    "the policy rules {} reject it",
                    ids(verdict.rejected_by.iter().map(String::as_str))
                )
            })
        })
    };
    scenario_loop(ctx, &p, scenario::scenario, &judge)
}

pub(crate) fn privacy(ctx: &mut Ctx<'_>) -> Outcome {
    let mut p = profile(ctx);
    p.sensitive = 0.6;
    p.traits = 0.3;
    let judge = |engine: &dyn Engine, s: &Scenario, _salt: u64, cov: &mut Coverage| {
        if s.request.data.contains_pii {
            count(cov, "requests with PII");
        }
        each_chosen(engine, s, cov, &|s, svc, _| {
            let breaches = oracle::privacy_breaches(&s.request, &svc.contract);
            (!breaches.is_empty()).then(|| {
                format!(
                    "it breaks the request's privacy ({}): data {:?}, PII {}, regions {:?}; \
                     the service accepts up to {:?}, PII {}, processes in {:?}",
                    breaches.join(", "),
                    s.request.data.class,
                    s.request.data.contains_pii,
                    s.request.requirements.regions,
                    svc.contract.privacy.max_data_class,
                    svc.contract.privacy.pii_allowed,
                    svc.contract.privacy.regions
                )
            })
        })
    };
    scenario_loop(ctx, &p, scenario::scenario, &judge)
}

pub(crate) fn tenant_isolation(ctx: &mut Ctx<'_>) -> Outcome {
    let mut p = profile(ctx);
    p.tenants = scenario::tenants(ctx.params.count("tenants").max(1) as usize);
    p.tenant_restricted = 0.6;
    p.identity = [2, 12, 1];
    let judge = |engine: &dyn Engine, s: &Scenario, _salt: u64, cov: &mut Coverage| {
        let who = oracle::who(&s.identity);
        each_chosen(engine, s, cov, &|_, svc, _| {
            let tenants = svc.contract.access.tenants.as_ref()?;
            let inside = who
                .principal
                .tenant
                .as_ref()
                .is_some_and(|t| tenants.contains(t));
            (!inside).then(|| {
                format!(
                    "it is restricted to the tenants {}, and the principal's tenant is {:?}",
                    ids(tenants.iter().map(String::as_str)),
                    who.principal.tenant
                )
            })
        })
    };
    scenario_loop(ctx, &p, scenario::scenario, &judge)
}

pub(crate) fn traits(ctx: &mut Ctx<'_>) -> Outcome {
    let mut p = profile(ctx);
    p.traits = 0.5;
    let judge = |engine: &dyn Engine, s: &Scenario, _salt: u64, cov: &mut Coverage| {
        each_chosen(engine, s, cov, &|s, svc, _| {
            let mut breaches = oracle::trait_breaches(&s.request, &svc.contract);
            if oracle::privacy_breaches(&s.request, &svc.contract).contains(&"regions") {
                breaches.push("regions");
            }
            (!breaches.is_empty()).then(|| {
                format!(
                    "it lacks a required trait ({}): tags {:?}, hosting {:?}, regions {:?} \
                     required; the service has tags {:?}, hosting {:?}, regions {:?}",
                    breaches.join(", "),
                    s.request.requirements.tags,
                    s.request.requirements.hosting,
                    s.request.requirements.regions,
                    svc.contract.tags,
                    svc.contract.privacy.hosting,
                    svc.contract.privacy.regions
                )
            })
        })
    };
    scenario_loop(ctx, &p, scenario::scenario, &judge)
}

/// For other checks: the judged candidates of a request's first step.
pub(crate) fn first_step(s: &Scenario) -> Vec<Judged> {
    oracle::steps(s).into_iter().next().unwrap_or_default()
}
