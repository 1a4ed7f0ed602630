//! Chains (SPEC §6): guarantee composition and the exact search for the best
//! feasible combination.
//!
//! Composition of s1 → … → sn: latency percentiles add (a conservative
//! bound), availability multiplies, accuracy is the minimum (unknown if any
//! step declares none), cost adds, regions intersect, hosting is the least
//! private, retention the maximum.
//!
//! **Search.** Maximise Σ step scores subject to the end-to-end bounds on
//! latency (Σ p95 ≤ L), cost (Σ cost ≤ C) and availability (Π a ≥ A).
//! Depth-first branch and bound over the steps in order, each step's
//! candidates best score first, with three prunings from suffix tables
//! computed once: a branch is cut when even the fastest (cheapest, most
//! available) completion breaks a bound, and a step's remaining candidates
//! are cut when even the best-scoring completion cannot beat the incumbent.
//! Worst case O(Π nᵢ) = O(n^k) visits for k steps of n candidates (bounds that
//! interlock adversarially); in practice the score bound cuts almost every
//! branch, and 5 steps × 50 candidates take well under a millisecond (see
//! the `routing` benchmark).
//!
//! **Ties.** Let M be the best total. Among the feasible chains scoring at
//! least M − 1e-9, the winner is the first in lexicographic order of per-step
//! ranks, where each step's eligible candidates (sorted by id) are ranked by
//! one ChaCha20 shuffle per step, drawn in step order from the RNG seeded with
//! the request's seed. A second depth-first pass in rank order finds it.

use super::pipeline::StepEval;
use super::{Composed, Metrics, TIE_EPSILON, tiebreak};
use crate::contract::ServiceContract;
use crate::request::Request;

/// Slack for sums evaluated in a different order than the bound tables.
const ROUNDING: f64 = 1e-12;

/// Composes the guarantees of the chosen services, in step order.
pub fn compose(metrics: &[&Metrics], contracts: &[&ServiceContract]) -> Composed {
    let mut regions: Vec<String> = contracts
        .first()
        .map(|c| c.privacy.regions.clone())
        .unwrap_or_default();
    for c in contracts.iter().skip(1) {
        regions.retain(|r| c.privacy.regions.contains(r));
    }
    regions.sort();
    regions.dedup();
    Composed {
        latency_p95_ms: metrics.iter().map(|m| m.latency_p95_ms).sum(),
        availability: metrics.iter().map(|m| m.availability).product(),
        accuracy: metrics
            .iter()
            .map(|m| m.accuracy)
            .try_fold(f64::INFINITY, |acc, a| a.map(|a| acc.min(a))),
        cost: metrics.iter().map(|m| m.cost).sum(),
        currency: contracts
            .first()
            .map(|c| c.cost.currency.clone())
            .unwrap_or_default(),
        regions,
        hosting: contracts
            .iter()
            .map(|c| c.privacy.hosting)
            .max()
            .unwrap_or(crate::contract::Hosting::OnPrem),
        retention_days: contracts
            .iter()
            .map(|c| c.privacy.retention_days)
            .max()
            .unwrap_or(0),
    }
}

/// One eligible candidate, as the search sees it.
#[derive(Debug, Clone, Copy)]
pub struct Item {
    /// Index into the step's candidates.
    pub index: usize,
    pub score: f64,
    pub latency: f64,
    pub cost: f64,
    pub availability: f64,
}

/// The end-to-end bounds.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub max_latency: f64,
    pub max_cost: f64,
    pub min_availability: f64,
}

impl Bounds {
    pub fn of(request: &Request) -> Bounds {
        let r = &request.requirements;
        Bounds {
            max_latency: r.max_latency_p95_ms.unwrap_or(f64::INFINITY),
            max_cost: r.max_cost.unwrap_or(f64::INFINITY),
            min_availability: r.min_availability.unwrap_or(0.0),
        }
    }

    fn feasible(&self, latency: f64, cost: f64, availability: f64) -> bool {
        latency <= self.max_latency
            && cost <= self.max_cost
            && availability >= self.min_availability
    }
}

/// The search over eligible items per step.
pub struct Search<'a> {
    steps: &'a [Vec<Item>],
    bounds: Bounds,
    /// For each depth d, the best / least / greatest value over steps d..n.
    best_score: Vec<f64>,
    least_latency: Vec<f64>,
    least_cost: Vec<f64>,
    most_availability: Vec<f64>,
}

impl<'a> Search<'a> {
    pub fn new(steps: &'a [Vec<Item>], bounds: Bounds) -> Search<'a> {
        let n = steps.len();
        let mut best_score = vec![0.0; n + 1];
        let mut least_latency = vec![0.0; n + 1];
        let mut least_cost = vec![0.0; n + 1];
        let mut most_availability = vec![1.0; n + 1];
        for d in (0..n).rev() {
            let items = &steps[d];
            best_score[d] =
                best_score[d + 1] + fold(items, |i| i.score, f64::max, f64::NEG_INFINITY);
            least_latency[d] =
                least_latency[d + 1] + fold(items, |i| i.latency, f64::min, f64::INFINITY);
            least_cost[d] = least_cost[d + 1] + fold(items, |i| i.cost, f64::min, f64::INFINITY);
            most_availability[d] =
                most_availability[d + 1] * fold(items, |i| i.availability, f64::max, 0.0);
        }
        Search {
            steps,
            bounds,
            best_score,
            least_latency,
            least_cost,
            most_availability,
        }
    }

    /// The best feasible total, excluding the chain `exclude` if given.
    pub fn best_total(&self, exclude: Option<&[usize]>) -> Option<f64> {
        let mut order: Vec<Vec<Item>> = self.steps.to_vec();
        for items in &mut order {
            items.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
        }
        let mut best = None;
        let mut path = Vec::with_capacity(order.len());
        self.maximise(&order, 0, 0.0, 0.0, 0.0, 1.0, exclude, &mut path, &mut best);
        best
    }

    #[allow(clippy::too_many_arguments)]
    fn maximise(
        &self,
        order: &[Vec<Item>],
        d: usize,
        total: f64,
        latency: f64,
        cost: f64,
        availability: f64,
        exclude: Option<&[usize]>,
        path: &mut Vec<usize>,
        best: &mut Option<f64>,
    ) {
        if d == order.len() {
            if exclude != Some(path.as_slice()) && best.is_none_or(|b| total > b) {
                *best = Some(total);
            }
            return;
        }
        for item in &order[d] {
            let t = total + item.score;
            if let Some(b) = *best
                && t + self.best_score[d + 1] + ROUNDING <= b
            {
                break; // sorted by score: no later item does better
            }
            let (l, c, a) = (
                latency + item.latency,
                cost + item.cost,
                availability * item.availability,
            );
            if !self.bounds.feasible(
                l + self.least_latency[d + 1],
                c + self.least_cost[d + 1],
                a * self.most_availability[d + 1],
            ) {
                continue;
            }
            path.push(item.index);
            self.maximise(order, d + 1, t, l, c, a, exclude, path, best);
            path.pop();
        }
    }

    /// The first chain in rank order whose total reaches `floor`.
    pub fn first_reaching(&self, ranked: &[Vec<Item>], floor: f64) -> Option<Vec<usize>> {
        let mut path = Vec::with_capacity(ranked.len());
        self.descend(ranked, 0, 0.0, 0.0, 0.0, 1.0, floor, &mut path)
            .then_some(path)
    }

    #[allow(clippy::too_many_arguments)]
    fn descend(
        &self,
        ranked: &[Vec<Item>],
        d: usize,
        total: f64,
        latency: f64,
        cost: f64,
        availability: f64,
        floor: f64,
        path: &mut Vec<usize>,
    ) -> bool {
        if d == ranked.len() {
            return total >= floor;
        }
        for item in &ranked[d] {
            let t = total + item.score;
            if t + self.best_score[d + 1] + ROUNDING < floor {
                continue;
            }
            let (l, c, a) = (
                latency + item.latency,
                cost + item.cost,
                availability * item.availability,
            );
            if !self.bounds.feasible(
                l + self.least_latency[d + 1],
                c + self.least_cost[d + 1],
                a * self.most_availability[d + 1],
            ) {
                continue;
            }
            path.push(item.index);
            if self.descend(ranked, d + 1, t, l, c, a, floor, path) {
                return true;
            }
            path.pop();
        }
        false
    }
}

fn fold(items: &[Item], f: impl Fn(&Item) -> f64, op: fn(f64, f64) -> f64, init: f64) -> f64 {
    items.iter().map(f).fold(init, op)
}

/// The eligible items of each step, in candidate (id) order.
pub fn items(results: &[StepEval<'_>]) -> Vec<Vec<Item>> {
    results
        .iter()
        .map(|eval| {
            eval.candidates
                .iter()
                .enumerate()
                .filter_map(|(index, c)| {
                    c.score.map(|score| Item {
                        index,
                        score,
                        latency: c.metrics.latency_p95_ms,
                        cost: c.metrics.cost,
                        availability: c.metrics.availability,
                    })
                })
                .collect()
        })
        .collect()
}

/// Each step's items in rank order: one seeded shuffle per step, in order.
pub fn ranked(items: &[Vec<Item>], seed: u64) -> Vec<Vec<Item>> {
    let mut rng = tiebreak::rng(seed);
    items
        .iter()
        .map(|step| {
            let mut step = step.clone();
            tiebreak::shuffle(&mut step, &mut rng);
            step
        })
        .collect()
}

/// The chosen candidate index of each step, or why there is none (`None`
/// when a step has no eligible candidate: its summary says why).
pub fn best_chain(
    request: &Request,
    results: &[StepEval<'_>],
) -> Result<Vec<usize>, Option<String>> {
    let items = items(results);
    if items.iter().any(Vec::is_empty) {
        return Err(None);
    }
    let bounds = Bounds::of(request);
    let search = Search::new(&items, bounds);
    let Some(best) = search.best_total(None) else {
        return Err(Some(infeasible(&search, request)));
    };
    let ranked = ranked(&items, request.seed);
    search
        .first_reaching(&ranked, best - TIE_EPSILON)
        .ok_or_else(|| Some("internal: the tie-break pass found no chain".to_string()))
}

/// The best total of a feasible chain other than `chosen`.
pub fn runner_up(request: &Request, results: &[StepEval<'_>], chosen: &[usize]) -> Option<f64> {
    let items = items(results);
    Search::new(&items, Bounds::of(request)).best_total(Some(chosen))
}

/// Why no combination is feasible, naming the bounds that cannot be met.
fn infeasible(search: &Search<'_>, request: &Request) -> String {
    let num = crate::canonical::display_number;
    let r = &request.requirements;
    let mut alone = Vec::new();
    if let Some(max) = r.max_latency_p95_ms
        && search.least_latency[0] > max
    {
        alone.push(format!(
            "max_latency_p95_ms (the fastest chain takes {} ms > {} ms)",
            num(search.least_latency[0]),
            num(max)
        ));
    }
    if let Some(max) = r.max_cost
        && search.least_cost[0] > max
    {
        alone.push(format!(
            "max_cost (the cheapest chain costs {} > {})",
            num(super::pipeline::round_cost(search.least_cost[0])),
            num(max)
        ));
    }
    if let Some(min) = r.min_availability
        && search.most_availability[0] < min
    {
        alone.push(format!(
            "min_availability (the most available chain reaches {} < {})",
            num(search.most_availability[0]),
            num(min)
        ));
    }
    if alone.is_empty() {
        "no combination of eligible services meets the end-to-end requirements together \
         (each bound alone can be met)"
            .to_string()
    } else {
        format!(
            "no combination of eligible services meets the end-to-end requirements: {}",
            alone.join("; ")
        )
    }
}
