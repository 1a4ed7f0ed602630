//! INV-CAIO-0006: in-process routing cost grows linearly with the candidates.
//!
//! A wall-clock bound alone breaks on a busy machine; a ratio of two medians
//! timed in the same rounds does not, because noise slows both sizes alike.
//! The base size keeps an absolute bound, generous enough for that noise.

use super::{Ctx, Outcome};
use crate::counterexample::Evidence;
use crate::random::Gen;
use crate::scenario::{self, Scenario};
use caio_core::policy::PolicySet;
use caio_core::request::Request;
use caio_core::routing::{Compiled, Identity};
use std::time::Instant;

/// `n` eligible chat services and an anonymous request for chat.
fn registry(ctx: &Ctx<'_>, n: usize, stream: u64) -> Scenario {
    let mut g = Gen::for_trial(ctx.seed, ctx.id, stream);
    let mut p = ctx.base.clone();
    p.statuses = false;
    p.extremes = 0.0;
    let mut services: Vec<_> = (0..n)
        .map(|_| {
            let mut s = scenario::service(&mut g, &p, "chat");
            s.contract.capabilities[0].kind = "chat".into();
            scenario::open_up(&mut s);
            s
        })
        .collect();
    scenario::name_services(&mut services);
    let mut request = Request::for_capability("chat");
    request.data.class = caio_core::contract::DataClass::Public;
    Scenario {
        services,
        rules: Vec::new(),
        identity: Identity::Anonymous,
        request,
    }
}

fn median(times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    match times.len() {
        0 => 0.0,
        n if n % 2 == 1 => times[n / 2],
        n => (times[n / 2 - 1] + times[n / 2]) / 2.0,
    }
}

pub(crate) fn latency(ctx: &mut Ctx<'_>) -> Outcome {
    let n = ctx.params.count("candidates").max(1) as usize;
    let scale = ctx.params.count("scale").max(2);
    let bound = ctx.params.get("max_latency_ms");
    let max_ratio = ctx.params.get("max_ratio");
    let warmup = ctx.params.count("warmup");
    let small = registry(ctx, n, 0);
    let large = registry(ctx, n.saturating_mul(scale as usize), 1);
    let policies = PolicySet::default();
    let engine = ctx.engine;
    let (small_candidates, large_candidates) = (small.candidates(), large.candidates());
    // The compiled form is built when the registry changes, not per route.
    let (small_form, large_form) = (
        Compiled::new(&small_candidates),
        Compiled::new(&large_candidates),
    );
    for _ in 0..warmup {
        std::hint::black_box(engine.route_compiled(
            &small.request,
            &small.identity,
            &small_candidates,
            &small_form,
            &policies,
        ));
    }
    std::hint::black_box(engine.route_compiled(
        &large.request,
        &large.identity,
        &large_candidates,
        &large_form,
        &policies,
    ));
    let mut coverage = super::Coverage::new();
    // The large registry is timed once every `scale` rounds, so both sizes
    // cost about the same time and see the same machine.
    let mut small_times = Vec::with_capacity(ctx.trials as usize);
    let mut large_times = Vec::with_capacity((ctx.trials / scale + 1) as usize);
    let mut request = small.request.clone();
    for trial in 0..ctx.trials {
        request.seed = trial;
        let start = Instant::now();
        let d = engine.route_compiled(
            &request,
            &small.identity,
            &small_candidates,
            &small_form,
            &policies,
        );
        small_times.push(start.elapsed().as_secs_f64() * 1000.0);
        if trial == 0 {
            let eligible = d.steps.first().map_or(0, |st| st.eligible().count());
            coverage.insert("eligible candidates".into(), eligible as u64);
        }
        std::hint::black_box(d);
        if trial % scale == 0 {
            // One untimed route first, so that the larger size is timed as
            // warm as the smaller one (which ran just before): the ratio
            // then measures how the work grows, not a cold cache.
            std::hint::black_box(engine.route_compiled(
                &request,
                &large.identity,
                &large_candidates,
                &large_form,
                &policies,
            ));
            let start = Instant::now();
            let d = engine.route_compiled(
                &request,
                &large.identity,
                &large_candidates,
                &large_form,
                &policies,
            );
            large_times.push(start.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(d);
        }
        (ctx.tick)();
    }
    coverage.insert("timed decisions".into(), ctx.trials);
    coverage.insert("timed decisions at scale".into(), large_times.len() as u64);
    let base = median(&mut small_times);
    let scaled = median(&mut large_times);
    let ratio = if base > 0.0 { scaled / base } else { 0.0 };
    let large_n = n.saturating_mul(scale as usize);
    let failure = if base > bound {
        Some((
            format!(
                "the median route over {n} candidates took {base:.3} ms, over the bound of {bound} ms"
            ),
            small,
        ))
    } else if max_ratio > 0.0 && ratio > max_ratio {
        Some((
            format!(
                "routing {large_n} candidates took {ratio:.1}× as long as {n} ({scaled:.3} ms vs {base:.3} ms), \
                 over the bound of {max_ratio}×: cost grows faster than the registry"
            ),
            large,
        ))
    } else {
        None
    };
    let mut out = match failure {
        Some((message, s)) => Outcome::failed(
            ctx.trials,
            0,
            message,
            Some(Evidence::Scenario(Box::new(s))),
        ),
        None => Outcome {
            trials: ctx.trials,
            ..Outcome::default()
        },
    };
    out.coverage = coverage;
    out.median_ms = Some(base);
    out.scaling_ratio = Some(ratio);
    out
}
