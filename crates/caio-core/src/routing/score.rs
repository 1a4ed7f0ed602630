//! The master equation (SPEC §5):
//!
//! ```text
//! J(s) = w_q·q(s) + w_h·h(s) + w_t·t(s,r) − w_c·ĉ(s,r) − w_l·ℓ̂(s) − w_r·ρ(s)
//! ```
//!
//! with q the declared accuracy (0.5 when undeclared), h the observed success
//! rate (1 without history), t the preferred-tag fraction plus policy
//! `prefer` bonuses (clamped to [0, 1]), ĉ and ℓ̂ the request's cost estimate
//! and the p95 latency divided by their largest values among the eligible
//! candidates, and ρ = clamp(risk + 10·(1 − availability) + 0.2·[degraded]).

use super::pipeline::{Evaluated, StepEval};
use super::{Composed, Control, MIN_OBSERVATIONS, Metrics, ServiceStats, Terms};
use crate::contract::ServiceContract;
use crate::lifecycle::ServiceStatus;
use crate::request::{Input, Request, Weights};

/// q when a contract declares no accuracy.
pub(crate) const DEFAULT_ACCURACY: f64 = 0.5;

/// The numbers of a contract the master equation and the requirement stage
/// read, copied out of it once (the compiled form holds one per candidate).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Figures {
    pub(crate) p95: f64,
    pub(crate) availability: f64,
    pub(crate) accuracy: Option<f64>,
    pub(crate) per_request: f64,
    pub(crate) per_1k_input: f64,
    pub(crate) per_1k_output: f64,
    pub(crate) risk: f64,
}

impl Figures {
    pub(crate) fn of(contract: &ServiceContract) -> Figures {
        Figures {
            p95: contract.guarantees.latency_ms.p95,
            availability: contract.guarantees.availability,
            accuracy: contract.guarantees.accuracy,
            per_request: contract.cost.per_request,
            per_1k_input: contract.cost.per_1k_input_tokens,
            per_1k_output: contract.cost.per_1k_output_tokens,
            risk: contract.risk,
        }
    }

    /// Whether every figure is in the range a validated contract allows
    /// (latency > 0, availability in (0, 1], accuracy and risk in [0, 1],
    /// prices ≥ 0, all finite): a stored form that says otherwise is not
    /// read back.
    pub(crate) fn in_range(&self) -> bool {
        let price = |x: f64| x.is_finite() && x >= 0.0;
        let unit = |x: f64| (0.0..=1.0).contains(&x);
        self.p95.is_finite()
            && self.p95 > 0.0
            && self.availability > 0.0
            && self.availability <= 1.0
            && self.accuracy.is_none_or(unit)
            && unit(self.risk)
            && price(self.per_request)
            && price(self.per_1k_input)
            && price(self.per_1k_output)
    }

    /// Estimated cost: `per_request + tokens/1000 · per_1k_input + expected_output_tokens/1000 · per_1k_output`.
    pub(crate) fn estimate(&self, input: &Input) -> f64 {
        self.per_request
            + input.tokens as f64 / 1000.0 * self.per_1k_input
            + input.expected_output_tokens as f64 / 1000.0 * self.per_1k_output
    }

    /// The p95 used for requirements and ℓ: the observed one when at least
    /// [`MIN_OBSERVATIONS`] latencies exist and it is worse than declared.
    fn effective_p95(&self, stats: &ServiceStats) -> f64 {
        let declared = self.p95;
        match stats.observed_p95_ms {
            Some(observed) if stats.observations >= MIN_OBSERVATIONS && observed > declared => {
                observed
            }
            _ => declared,
        }
    }

    /// ρ = clamp(risk + 10·(1 − availability) + 0.2·[degraded], 0, 1).
    fn rho(&self, status: ServiceStatus) -> f64 {
        let degraded = if status == ServiceStatus::Degraded {
            0.2
        } else {
            0.0
        };
        unit(self.risk + (1.0 - self.availability) * 10.0 + degraded)
    }

    /// What the candidate would contribute to a route.
    pub(crate) fn metrics(
        &self,
        status: ServiceStatus,
        stats: &ServiceStats,
        input: &Input,
    ) -> Metrics {
        Metrics {
            latency_p95_ms: self.effective_p95(stats),
            availability: self.availability,
            accuracy: self.accuracy,
            cost: self.estimate(input),
            risk: self.rho(status),
        }
    }
}

/// Estimated cost of `input` on `contract` ([`Figures::estimate`]).
pub(crate) fn estimate(contract: &ServiceContract, input: &Input) -> f64 {
    Figures::of(contract).estimate(input)
}

/// [`Figures::metrics`] of `contract`.
pub(crate) fn metrics(
    contract: &ServiceContract,
    status: ServiceStatus,
    stats: &ServiceStats,
    input: &Input,
) -> Metrics {
    Figures::of(contract).metrics(status, stats, input)
}

/// Clamps to [0, 1]; NaN becomes 0.
pub(crate) fn unit(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }
}

/// What one step's terms are normalised by: the largest cost estimate and
/// p95 among its eligible candidates, and how many distinct tags the
/// request prefers.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Scale {
    max_cost: f64,
    max_p95: f64,
    wanted_tags: usize,
}

impl Scale {
    /// The scale of a step whose eligible candidates' largest cost estimate
    /// and p95 are `max_cost` and `max_p95` (0 when none is eligible), for
    /// a request preferring `prefer_tags`.
    pub(crate) fn new(max_cost: f64, max_p95: f64, prefer_tags: &[String]) -> Scale {
        // `tag_hits` counts the distinct preferred tags each candidate carries.
        let mut wanted: Vec<&str> = prefer_tags.iter().map(String::as_str).collect();
        wanted.sort_unstable();
        wanted.dedup();
        Scale {
            max_cost,
            max_p95,
            wanted_tags: wanted.len(),
        }
    }

    /// The terms of J(s) for an eligible candidate of the step. A score
    /// and the terms a result shows are computed by this one function, so
    /// they agree to the bit.
    pub(crate) fn terms(&self, e: &Evaluated<'_>) -> Terms {
        let tag_fraction = if self.wanted_tags == 0 {
            0.0
        } else {
            f64::from(e.tag_hits) / self.wanted_tags as f64
        };
        Terms {
            q: e.metrics.accuracy.unwrap_or(DEFAULT_ACCURACY),
            h: unit(e.success_rate),
            t: unit(tag_fraction + e.bonus),
            c: if self.max_cost > 0.0 {
                e.metrics.cost / self.max_cost
            } else {
                0.0
            },
            l: if self.max_p95 > 0.0 {
                e.metrics.latency_p95_ms / self.max_p95
            } else {
                0.0
            },
            r: e.metrics.risk,
        }
    }
}

/// Scores the eligible candidates of one step (their terms follow from
/// `scale`: [`Scale::terms`]).
pub(crate) fn score_step(evals: &mut [Evaluated<'_>], scale: &Scale, weights: &Weights) {
    for e in evals.iter_mut().filter(|e| !e.is_rejected()) {
        let score = j(weights, &scale.terms(e));
        e.set_score(score);
    }
}

/// The master equation.
pub(crate) fn j(w: &Weights, t: &Terms) -> f64 {
    w.q * t.q + w.h * t.h + w.t * t.t - w.c * t.c - w.l * t.l - w.r * t.r
}

/// The control signal u* of a routed decision. `chosen` holds the chosen
/// index of each step; `runner_up` is the best alternative's total score.
pub(crate) fn control(
    request: &Request,
    total: f64,
    runner_up: Option<f64>,
    composed: &Composed,
    chosen: &[&Metrics],
) -> Control {
    let confidence = match runner_up {
        Some(j2) => unit(10.0 * (total - j2)),
        None => 1.0,
    };
    let req = &request.requirements;
    let latency_headroom = req
        .max_latency_p95_ms
        .map_or(1.0, |max| unit(1.0 - composed.latency_p95_ms / max));
    let budget_headroom = match req.max_cost {
        None => 1.0,
        Some(0.0) if composed.cost == 0.0 => 1.0,
        Some(0.0) => 0.0,
        Some(max) => unit(1.0 - composed.cost / max),
    };
    let risk = chosen.iter().map(|m| m.risk).fold(0.0, f64::max);
    Control {
        confidence,
        latency_headroom,
        budget_headroom,
        risk: unit(risk),
    }
}

/// The best score among a step's eligible candidates other than `except`.
pub(crate) fn runner_up(eval: &StepEval<'_>, except: usize) -> Option<f64> {
    eval.candidates
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != except)
        .filter_map(|(_, c)| c.score())
        .reduce(f64::max)
}
