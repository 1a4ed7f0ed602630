//! INV-CAIO-CONTROL-0001: the control signal u* is bounded, and a small
//! change of one input moves it boundedly.
//!
//! Bounds (δ the relative size of the change, W = Σ weights): changing a
//! bound by ×(1+δ), one service's risk by +δ, its p95 or prices by ×(1+δ)
//! or its availability by −δ/10 moves every J by at most W·δ (each term
//! moves by at most δ), so the gap J₁ − J₂ by at most 2·W·δ and the
//! confidence clamp(10·(J₁ − J₂)) by at most 20·W·δ; with the same service
//! chosen, each headroom and the risk move by at most δ. A change that
//! crosses a rule threshold (eligibility or a `prefer` bonus changes) is a
//! legitimate jump: only the bounds are checked then.

use super::routing::{first_step, route};
use super::{Coverage, Ctx, Outcome, count, profile, scenario_loop};
use crate::engine::Engine;
use crate::oracle;
use crate::random::Gen;
use crate::scenario::{self, Scenario};
use caio_core::routing::{Control, Outcome as RouteOutcome};

pub(crate) fn stability(ctx: &mut Ctx<'_>) -> Outcome {
    let mut p = profile(ctx);
    p.chain = 0.15;
    p.bounds = 0.5;
    let delta = ctx.params.get("perturbation");
    let judge = move |engine: &dyn Engine, s: &Scenario, salt: u64, cov: &mut Coverage| {
        judge(engine, s, salt, delta, cov)
    };
    scenario_loop(ctx, &p, scenario::scenario, &judge)
}

fn components(u: &Control) -> [(&'static str, f64); 4] {
    [
        ("confidence", u.confidence),
        ("latency_headroom", u.latency_headroom),
        ("budget_headroom", u.budget_headroom),
        ("risk", u.risk),
    ]
}

fn bounded(u: &Control, what: &str) -> Result<(), String> {
    for (name, x) in components(u) {
        if !(x.is_finite() && (0.0..=1.0).contains(&x)) {
            return Err(format!(
                "{what}: control component {name} = {x} is outside [0, 1]"
            ));
        }
    }
    Ok(())
}

fn judge(
    engine: &dyn Engine,
    s: &Scenario,
    salt: u64,
    delta: f64,
    cov: &mut Coverage,
) -> Result<(), String> {
    let d = route(engine, s)?;
    count(cov, format!("outcome {}", d.outcome.as_str()));
    let Some(u) = d.control else {
        if d.outcome == RouteOutcome::Routed {
            return Err("a routed decision without a control signal".into());
        }
        return Ok(());
    };
    bounded(&u, "the decision")?;
    if s.request.is_chain() {
        count(cov, "chains bounded");
        return Ok(());
    }
    let before = first_step(s);
    let eligible: Vec<usize> = before
        .iter()
        .filter(|j| j.eligible())
        .map(|j| j.index)
        .collect();
    if eligible.is_empty() {
        // A panic-guard probe (SPEC §8): nothing eligible to perturb.
        count(cov, "probes bounded");
        return Ok(());
    }
    let mut g = Gen::from_seed(salt);
    let mut t = s.clone();
    let q = &s.request.requirements;
    let mut kinds: Vec<u8> = vec![2, 3, 4, 5];
    if q.max_latency_p95_ms.is_some() {
        kinds.push(0);
    }
    if q.max_cost.is_some_and(|m| m > 0.0) {
        kinds.push(1);
    }
    let kind = *g.pick(&kinds);
    let k = *g.pick(&eligible);
    let what = match kind {
        0 => {
            let m = t.request.requirements.max_latency_p95_ms.get_or_insert(1.0);
            *m *= 1.0 + delta;
            "max_latency_p95_ms ×(1+δ)".to_string()
        }
        1 => {
            let m = t.request.requirements.max_cost.get_or_insert(1.0);
            *m *= 1.0 + delta;
            "max_cost ×(1+δ)".to_string()
        }
        2 => {
            let c = &mut t.services[k].contract;
            if c.risk + delta > 1.0 {
                return Ok(());
            }
            c.risk += delta;
            format!("risk of `{}` +δ", c.service_id)
        }
        3 => {
            let c = &mut t.services[k].contract;
            let l = &mut c.guarantees.latency_ms;
            l.p50 *= 1.0 + delta;
            l.p95 *= 1.0 + delta;
            l.p99 *= 1.0 + delta;
            format!("latency of `{}` ×(1+δ)", c.service_id)
        }
        4 => {
            let c = &mut t.services[k].contract;
            c.cost.per_request *= 1.0 + delta;
            c.cost.per_1k_input_tokens *= 1.0 + delta;
            c.cost.per_1k_output_tokens *= 1.0 + delta;
            format!("prices of `{}` ×(1+δ)", c.service_id)
        }
        _ => {
            let c = &mut t.services[k].contract;
            if c.guarantees.availability <= delta / 10.0 {
                return Ok(());
            }
            c.guarantees.availability -= delta / 10.0;
            format!("availability of `{}` −δ/10", c.service_id)
        }
    };
    let d2 = route(engine, &t)?;
    let after = first_step(&t);
    let crossed = before.len() != after.len()
        || before
            .iter()
            .zip(&after)
            .any(|(a, b)| a.eligible() != b.eligible() || a.bonus != b.bonus);
    let Some(u2) = d2.control else {
        if crossed {
            return Ok(());
        }
        return Err(format!(
            "after {what} (δ = {delta}) the decision has no control signal ({})",
            d2.outcome.as_str()
        ));
    };
    bounded(&u2, &format!("after {what}"))?;
    if crossed {
        count(cov, "threshold crossed");
        return Ok(());
    }
    let w = oracle::weights(&s.request).iter().sum::<f64>();
    let slack = 1e-9;
    let dc = (u2.confidence - u.confidence).abs();
    if dc > 20.0 * w * delta * (1.0 + 1e-9) + slack {
        return Err(format!(
            "{what} (δ = {delta}) moved confidence by {dc} ({} → {}), more than 20·Σw·δ = {}",
            u.confidence,
            u2.confidence,
            20.0 * w * delta
        ));
    }
    let same_choice = d
        .chosen
        .iter()
        .map(|c| &c.service_id)
        .eq(d2.chosen.iter().map(|c| &c.service_id));
    if same_choice {
        for ((name, a), (_, b)) in components(&u).into_iter().zip(components(&u2)).skip(1) {
            if (a - b).abs() > delta * (1.0 + 1e-9) + slack {
                return Err(format!(
                    "{what} (δ = {delta}) moved {name} by {} ({a} → {b}) with the same choice",
                    (a - b).abs()
                ));
            }
        }
        count(cov, "perturbations, same choice");
    } else {
        count(cov, "perturbations, choice changed");
    }
    Ok(())
}
