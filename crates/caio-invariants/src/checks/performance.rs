//! INV-CAIO-0006: in-process routing latency over many eligible candidates.

use super::{Ctx, Outcome};
use crate::counterexample::Evidence;
use crate::random::Gen;
use crate::scenario::{self, Scenario};
use caio_core::policy::PolicySet;
use caio_core::request::Request;
use caio_core::routing::Identity;
use std::time::Instant;

pub(crate) fn latency(ctx: &mut Ctx<'_>) -> Outcome {
    let n = ctx.params.count("candidates").max(1) as usize;
    let bound = ctx.params.get("max_latency_ms");
    let warmup = ctx.params.count("warmup");
    let mut g = Gen::for_trial(ctx.seed, ctx.id, 0);
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
    let s = Scenario {
        services,
        rules: Vec::new(),
        identity: Identity::Anonymous,
        request,
    };
    let policies = PolicySet::default();
    let candidates = s.candidates();
    let engine = ctx.engine;
    let mut coverage = super::Coverage::new();
    for _ in 0..warmup {
        std::hint::black_box(engine.route(&s.request, &s.identity, &candidates, &policies));
    }
    let mut times = Vec::with_capacity(ctx.trials as usize);
    let mut request = s.request.clone();
    for trial in 0..ctx.trials {
        request.seed = trial;
        let start = Instant::now();
        let d = engine.route(&request, &s.identity, &candidates, &policies);
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        if trial == 0 {
            let eligible = d.steps.first().map_or(0, |st| st.eligible().count());
            coverage.insert("eligible candidates".into(), eligible as u64);
        }
        std::hint::black_box(d);
        (ctx.tick)();
    }
    coverage.insert("timed decisions".into(), ctx.trials);
    times.sort_by(f64::total_cmp);
    let median = if times.is_empty() {
        0.0
    } else if times.len() % 2 == 1 {
        times[times.len() / 2]
    } else {
        (times[times.len() / 2 - 1] + times[times.len() / 2]) / 2.0
    };
    let mut out = if median > bound {
        Outcome::failed(
            ctx.trials,
            0,
            format!(
                "the median route over {n} candidates took {median:.3} ms, over the bound of {bound} ms"
            ),
            Some(Evidence::Scenario(Box::new(s))),
        )
    } else {
        Outcome {
            trials: ctx.trials,
            ..Outcome::default()
        }
    };
    out.coverage = coverage;
    out.median_ms = Some(median);
    out
}
