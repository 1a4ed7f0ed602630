//! `caio verify-invariants` (SPEC §11): the invariants of SPEC §11 as
//! executable properties.
//!
//! - [`spec`] reads the invariant files (`invariants/*.yaml`);
//! - `random`, [`scenario`] and [`rules`] draw seeded random registries,
//!   principals, policy sets, requests and chains;
//! - [`oracle`] judges them independently of the engine (brute force);
//! - [`engine`] is the interface to what is tested, with caio's own
//!   components by default, so tests can inject broken ones;
//! - `checks` holds one check per invariant;
//! - `lab` is a temporary home with principals and real tokens;
//! - `counterexample` shrinks a violation and writes replayable files;
//! - [`run`] runs a set and returns the [`Scorecard`].
//!
//! The public API is what the `caio` binary and its tests use: [`run`] and
//! the scorecard, the invariant files ([`spec`]), the components under test
//! ([`engine`]), and the oracle with its scenarios ([`oracle`], [`scenario`],
//! [`rules`]), which the property tests share (one oracle, SPEC §13).

#![warn(missing_docs)]

mod checks;
mod counterexample;
pub mod engine;
mod lab;
pub mod oracle;
mod random;
pub mod rules;
pub mod scenario;
pub mod spec;

use caio_core::contract::ServiceContract;
pub use checks::Coverage;
use engine::Engine;
use serde::Serialize;
use spec::Invariant;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The version of the scorecard format.
pub(crate) const SCORECARD_VERSION: u32 = 1;

/// How to run a set of invariants.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// The run's seed (`--seed`): with it, every trial draws the same
    /// scenario again.
    pub seed: u64,
    /// Overrides every invariant's `trials`.
    pub trials: Option<u64>,
    /// Contracts mixed into the generated registries (`--contracts`).
    pub pool: Vec<ServiceContract>,
    /// Where counterexamples go: one directory per violated invariant.
    pub counterexamples: PathBuf,
}

/// The result of a run: what `--out` writes and `--format json` prints.
/// Only `duration_ms`, `median_ms` and `scaling_ratio` differ between two runs with the same
/// seed.
#[derive(Debug, Clone, Serialize)]
pub struct Scorecard {
    /// The scorecard format's version.
    pub version: u32,
    /// The run's seed.
    pub seed: u64,
    /// The `--trials` override, if any.
    pub trials_override: Option<u64>,
    /// How many invariants held.
    pub passed: usize,
    /// How many were violated.
    pub failed: usize,
    /// The whole run's wall time, in ms.
    pub duration_ms: f64,
    /// Each invariant's result, in the order run.
    pub invariants: Vec<Entry>,
}

impl Scorecard {
    /// Whether every invariant held.
    pub fn all_passed(&self) -> bool {
        self.failed == 0
    }
}

/// Whether an invariant held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every trial held.
    Pass,
    /// A trial violated it.
    Fail,
}

/// One invariant's result.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The invariant's id, e.g. `INV-CAIO-0001`.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The built-in check it ran.
    pub check: &'static str,
    /// How bad a violation is.
    pub severity: spec::Severity,
    /// Whether it held.
    pub result: Status,
    /// Trials run (up to and including the violating one).
    pub trials: u64,
    /// Its wall time, in ms.
    pub duration_ms: f64,
    /// Performance: the measured median latency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median_ms: Option<f64>,
    /// Performance: how many times longer the larger registry took.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scaling_ratio: Option<f64>,
    /// How often each situation occurred in the trials.
    pub coverage: Coverage,
    /// What violated it, if something did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violation: Option<ViolationReport>,
}

/// A violation, as the scorecard reports it.
#[derive(Debug, Clone, Serialize)]
pub struct ViolationReport {
    /// The trial (0-based) that failed: `--seed` plus this trial reproduce it.
    pub trial: u64,
    /// What went wrong, for the shrunk counterexample.
    pub message: String,
    /// The directory of the counterexample files (absent when none could be
    /// written, or the violation has no scenario).
    pub counterexample: Option<String>,
}

/// Milliseconds, finite, rounded to 0.001.
fn millis(start: Instant) -> f64 {
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    if ms.is_finite() {
        (ms * 1000.0).round() / 1000.0
    } else {
        0.0
    }
}

/// The trials an invariant runs.
pub fn trials(inv: &Invariant, opts: &RunOptions) -> u64 {
    opts.trials.unwrap_or_else(|| inv.params.trials())
}

/// Runs `invariants` against `engine`. `tick` is called after every trial;
/// `started` before each invariant.
pub fn run(
    invariants: &[Invariant],
    opts: &RunOptions,
    engine: &dyn Engine,
    started: &mut dyn FnMut(&Invariant),
    tick: &mut dyn FnMut(),
) -> Scorecard {
    let start = Instant::now();
    let mut base = scenario::Profile::default();
    if let Some(first) = opts.pool.first() {
        base.currency = first.cost.currency.clone();
        base.pool = opts.pool.clone();
    }
    let mut entries = Vec::new();
    for inv in invariants {
        started(inv);
        let begun = Instant::now();
        let mut ctx = checks::Ctx {
            engine,
            seed: opts.seed,
            id: &inv.id,
            params: &inv.params,
            trials: trials(inv, opts),
            base: &base,
            tick,
        };
        let outcome = checks::run(inv.check, &mut ctx);
        let duration_ms = millis(begun);
        let violation = outcome.violation.map(|v| {
            let dir = opts.counterexamples.join(&inv.id);
            let written = v.evidence.as_ref().and_then(|evidence| {
                counterexample::write(
                    &dir,
                    counterexample::Origin {
                        invariant: &inv.id,
                        title: &inv.title,
                        check: inv.check.name(),
                        seed: opts.seed,
                        trial: v.trial,
                    },
                    &v.message,
                    evidence,
                )
                .ok()
            });
            ViolationReport {
                trial: v.trial,
                message: v.message,
                counterexample: written.map(|p| display(&p)),
            }
        });
        entries.push(Entry {
            id: inv.id.clone(),
            title: inv.title.clone(),
            check: inv.check.name(),
            severity: inv.severity,
            result: if violation.is_some() {
                Status::Fail
            } else {
                Status::Pass
            },
            trials: outcome.trials,
            duration_ms,
            median_ms: outcome
                .median_ms
                .filter(|m| m.is_finite())
                .map(|m| (m * 1e6).round() / 1e6),
            scaling_ratio: outcome
                .scaling_ratio
                .filter(|r| r.is_finite())
                .map(|r| (r * 1e3).round() / 1e3),
            coverage: outcome.coverage,
            violation,
        });
    }
    let failed = entries.iter().filter(|e| e.result == Status::Fail).count();
    Scorecard {
        version: SCORECARD_VERSION,
        seed: opts.seed,
        trials_override: opts.trials,
        passed: entries.len() - failed,
        failed,
        duration_ms: millis(start),
        invariants: entries,
    }
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

#[cfg(test)]
mod tests;
