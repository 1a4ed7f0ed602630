//! One check per invariant. A check draws `trials` scenarios from its own
//! ChaCha20 stream, runs them through an [`Engine`] (caio itself unless a
//! test injects a broken component), judges the result with the oracle,
//! and stops at the first violation with a shrunk counterexample.

mod control;
mod performance;
mod routing;
mod store;

use super::counterexample::{self, Evidence};
use super::engine::Engine;
use super::random::Gen;
use super::scenario::{Profile, Scenario};
use super::spec::{Check, Params};
use std::collections::BTreeMap;

/// How often each situation was met (ties, stages, outcomes…): evidence
/// that the trials covered what matters.
pub type Coverage = BTreeMap<String, u64>;

pub(crate) fn count(cov: &mut Coverage, key: impl Into<String>) {
    *cov.entry(key.into()).or_default() += 1;
}

/// What one check run needs.
pub(crate) struct Ctx<'a> {
    pub(crate) engine: &'a dyn Engine,
    pub(crate) seed: u64,
    /// The invariant's id: names the random stream.
    pub(crate) id: &'a str,
    pub(crate) params: &'a Params,
    pub(crate) trials: u64,
    /// Registry-wide settings (contract pool, currency).
    pub(crate) base: &'a Profile,
    /// Called after each trial.
    pub(crate) tick: &'a mut dyn FnMut(),
}

/// A violated invariant: where, what, and the evidence.
#[derive(Debug, Clone)]
pub(crate) struct Violation {
    pub(crate) trial: u64,
    pub(crate) message: String,
    pub(crate) evidence: Option<Evidence>,
}

/// The result of one check run.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    /// Trials run (up to and including a violating one).
    pub(crate) trials: u64,
    pub(crate) violation: Option<Violation>,
    pub(crate) coverage: Coverage,
    /// Performance: the median latency measured, in ms.
    pub(crate) median_ms: Option<f64>,
    /// Performance: median at `candidates × scale` over the median at
    /// `candidates`.
    pub(crate) scaling_ratio: Option<f64>,
}

impl Outcome {
    fn failed(trials: u64, trial: u64, message: String, evidence: Option<Evidence>) -> Outcome {
        Outcome {
            trials,
            violation: Some(Violation {
                trial,
                message,
                evidence,
            }),
            ..Outcome::default()
        }
    }
}

/// Runs one check.
pub(crate) fn run(check: Check, ctx: &mut Ctx<'_>) -> Outcome {
    match check {
        Check::Determinism => routing::determinism(ctx),
        Check::Correctness => routing::correctness(ctx),
        Check::GuaranteePreservation => routing::guarantees(ctx),
        Check::Authorization => routing::authorization(ctx),
        Check::Privacy => routing::privacy(ctx),
        Check::TenantIsolation => routing::tenant_isolation(ctx),
        Check::TraitConstraints => routing::traits(ctx),
        Check::ControlStability => control::stability(ctx),
        Check::Performance => performance::latency(ctx),
        Check::Traceability => store::traceability(ctx),
        Check::Security => store::security(ctx),
        Check::Authentication => store::authentication(ctx),
        Check::AuditTrail => store::audit_trail(ctx),
        Check::DataIntegrity => store::data_integrity(ctx),
    }
}

/// A judgement of one scenario: `Err` is a violation. `salt` seeds any
/// randomness the judge itself needs, so a re-judgement is identical.
pub(crate) type Judge<'j> =
    dyn Fn(&dyn Engine, &Scenario, u64, &mut Coverage) -> Result<(), String> + 'j;

/// The loop shared by the checks that judge single route calls: generate,
/// judge, and on a violation shrink the scenario with the same judge.
pub(crate) fn scenario_loop(
    ctx: &mut Ctx<'_>,
    profile: &Profile,
    generate: fn(&mut Gen, &Profile) -> Scenario,
    judge: &Judge<'_>,
) -> Outcome {
    let mut coverage = Coverage::new();
    // A panic in the engine is a violation like any other.
    let judge = |engine: &dyn Engine, s: &Scenario, salt: u64, cov: &mut Coverage| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| judge(engine, s, salt, cov)))
            .unwrap_or_else(|panic| Err(format!("panicked: {}", panic_message(&panic))))
    };
    for trial in 0..ctx.trials {
        let mut g = Gen::for_trial(ctx.seed, ctx.id, trial);
        let s = generate(&mut g, profile);
        let salt = g.u64();
        if let Err(message) = judge(ctx.engine, &s, salt, &mut coverage) {
            let engine = ctx.engine;
            let mut fails = |c: &Scenario| judge(engine, c, salt, &mut Coverage::new()).err();
            let (s, message) = counterexample::shrink(s, message, &mut fails);
            (ctx.tick)();
            let mut out = Outcome::failed(
                trial + 1,
                trial,
                message,
                Some(Evidence::Scenario(Box::new(s))),
            );
            out.coverage = coverage;
            return out;
        }
        (ctx.tick)();
    }
    Outcome {
        trials: ctx.trials,
        coverage,
        ..Outcome::default()
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

/// The base profile with this check's number of services.
pub(crate) fn profile(ctx: &Ctx<'_>) -> Profile {
    let mut p = ctx.base.clone();
    let max = ctx.params.count("max_services");
    if max > 0 {
        p.max_services = max as usize;
    }
    p
}

/// `{a, b}` for messages.
pub(crate) fn ids<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let v: Vec<&str> = items.into_iter().collect();
    format!("[{}]", v.join(", "))
}
