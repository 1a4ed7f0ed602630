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
//! Before searching, each step's candidates are grouped by value (score,
//! latency, cost, availability, bit for bit: interchangeable in every total,
//! and a registry that replicates services has thousands of candidates with
//! a handful of values), and the values strictly dominated by another
//! (higher score by more than 1e-9, and no worse latency, cost or
//! availability) are dropped: they can be neither the best chain nor tie
//! with it. With four criteria this keeps a handful of values per step. A
//! best chain through a value that several candidates share is tied by its
//! twin, which makes the runner-up total the best one.
//!
//! **Ties.** Let M be the best total. Among the feasible chains scoring at
//! least M − 1e-9, the winner is the first in lexicographic order of per-step
//! ranks, where each step's eligible candidates (sorted by id) are ranked by
//! one ChaCha20 shuffle per step, drawn in step order from the RNG seeded with
//! the request's seed. A second depth-first pass in rank order finds it.

use super::pipeline::StepEval;
use super::{Composed, Metrics, TIE_EPSILON, tiebreak};
use crate::request::Request;

/// Slack for sums evaluated in a different order than the bound tables.
const ROUNDING: f64 = 1e-12;

/// Composes the guarantees of the chosen services, in step order.
pub(crate) fn compose(metrics: &[&Metrics], served: &[Served<'_>]) -> Composed {
    let mut regions: Vec<String> = served
        .first()
        .map(|s| s.regions.iter().map(|r| r.to_string()).collect())
        .unwrap_or_default();
    for s in served.iter().skip(1) {
        regions.retain(|r| s.regions.contains(&r.as_str()));
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
        currency: served
            .first()
            .map(|s| s.currency.to_string())
            .unwrap_or_default(),
        regions,
        hosting: served
            .iter()
            .map(|s| s.hosting)
            .max()
            .unwrap_or(crate::contract::Hosting::OnPrem),
        retention_days: served.iter().map(|s| s.retention_days).max().unwrap_or(0),
    }
}

/// What a composition reads of one chosen service besides its metrics
/// (from the compiled form: no contract is read).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Served<'a> {
    /// Its regions, as its contract lists them.
    pub(crate) regions: Vec<&'a str>,
    pub(crate) currency: &'a str,
    pub(crate) hosting: crate::contract::Hosting,
    pub(crate) retention_days: u64,
}

/// One eligible candidate, as the search sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item {
    /// Index into the step's candidates.
    pub(crate) index: usize,
    pub(crate) score: f64,
    pub(crate) latency: f64,
    pub(crate) cost: f64,
    pub(crate) availability: f64,
}

/// The end-to-end bounds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    pub(crate) max_latency: f64,
    pub(crate) max_cost: f64,
    pub(crate) min_availability: f64,
}

impl Bounds {
    pub(crate) fn of(request: &Request) -> Bounds {
        let r = &request.requirements;
        Bounds {
            max_latency: r.max_latency_p95_ms.unwrap_or(f64::INFINITY),
            max_cost: r.max_cost.unwrap_or(f64::INFINITY),
            min_availability: r.min_availability.unwrap_or(0.0),
        }
    }

    /// Whether a complete chain, composed in step order, meets every bound.
    fn fits(&self, latency: f64, cost: f64, availability: f64) -> bool {
        latency <= self.max_latency
            && cost <= self.max_cost
            && availability >= self.min_availability
    }

    /// Whether a partial chain may still fit, judged with the suffix tables.
    /// Those sums are added in another order than the final composition, so
    /// the test allows for rounding; the exact test is [`Bounds::fits`] on
    /// the complete chain.
    fn may_fit(&self, latency: f64, cost: f64, availability: f64) -> bool {
        let slack = |bound: f64| bound.abs() * 1e-9 + 1e-12;
        latency <= self.max_latency + slack(self.max_latency)
            && cost <= self.max_cost + slack(self.max_cost)
            && availability >= self.min_availability - slack(self.min_availability)
    }
}

/// The outcome of [`Search::best_two`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Best {
    /// The best feasible total.
    pub(crate) total: f64,
    /// One chain (candidate index per step) reaching it.
    pub(crate) path: Vec<usize>,
    /// The best total among the feasible chains other than `path`.
    pub(crate) second: Option<f64>,
}

/// The search over eligible items per step.
pub(crate) struct Search<'a> {
    steps: &'a [Vec<Item>],
    bounds: Bounds,
    /// For each depth d, the best / least / greatest value over steps d..n.
    best_score: Vec<f64>,
    least_latency: Vec<f64>,
    least_cost: Vec<f64>,
    most_availability: Vec<f64>,
}

impl<'a> Search<'a> {
    pub(crate) fn new(steps: &'a [Vec<Item>], bounds: Bounds) -> Search<'a> {
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

    /// The best feasible total with one chain reaching it, and the best
    /// total among the other feasible chains, in one search.
    pub(crate) fn best_two(&self) -> Option<Best> {
        let mut order: Vec<Vec<Item>> = self.steps.to_vec();
        for items in &mut order {
            items.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.index.cmp(&b.index)));
        }
        let mut best = None;
        let mut path = Vec::with_capacity(order.len());
        self.maximise(&order, 0, 0.0, 0.0, 0.0, 1.0, &mut path, &mut best);
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
        path: &mut Vec<usize>,
        best: &mut Option<Best>,
    ) {
        if d == order.len() {
            if !self.bounds.fits(latency, cost, availability) {
                return;
            }
            match best {
                None => {
                    *best = Some(Best {
                        total,
                        path: path.clone(),
                        second: None,
                    })
                }
                Some(b) if total > b.total => {
                    b.second = Some(b.total);
                    b.total = total;
                    b.path.clone_from(path);
                }
                Some(b) if b.second.is_none_or(|s| total > s) => b.second = Some(total),
                Some(_) => {}
            }
            return;
        }
        // A subtree matters while it can beat the second best (and so,
        // possibly, the best).
        let floor = best
            .as_ref()
            .map_or(f64::NEG_INFINITY, |b| b.second.unwrap_or(f64::NEG_INFINITY));
        for item in &order[d] {
            let t = total + item.score;
            if t + self.best_score[d + 1] + ROUNDING <= floor {
                break; // sorted by score: no later item does better
            }
            let Some((l, c, a)) = self.extend(d, latency, cost, availability, item) else {
                continue;
            };
            path.push(item.index);
            self.maximise(order, d + 1, t, l, c, a, path, best);
            path.pop();
        }
    }

    /// The partial chain's latency, cost and availability with `item` added
    /// at step `d`, or `None` when even the best completion cannot fit.
    fn extend(
        &self,
        d: usize,
        latency: f64,
        cost: f64,
        availability: f64,
        item: &Item,
    ) -> Option<(f64, f64, f64)> {
        let (l, c, a) = (
            latency + item.latency,
            cost + item.cost,
            availability * item.availability,
        );
        self.bounds
            .may_fit(
                l + self.least_latency[d + 1],
                c + self.least_cost[d + 1],
                a * self.most_availability[d + 1],
            )
            .then_some((l, c, a))
    }

    /// The first chain in rank order whose total reaches `floor`.
    pub(crate) fn first_reaching(&self, ranked: &[Vec<Item>], floor: f64) -> Option<Vec<usize>> {
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
            return total >= floor && self.bounds.fits(latency, cost, availability);
        }
        for item in &ranked[d] {
            let t = total + item.score;
            if t + self.best_score[d + 1] + ROUNDING < floor {
                continue;
            }
            let Some((l, c, a)) = self.extend(d, latency, cost, availability, item) else {
                continue;
            };
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
pub(crate) fn items(results: &[StepEval<'_>]) -> Vec<Vec<Item>> {
    results
        .iter()
        .map(|eval| {
            eval.candidates
                .iter()
                .enumerate()
                .filter_map(|(index, c)| {
                    c.score().map(|score| Item {
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
pub(crate) fn ranked(items: &[Vec<Item>], seed: u64) -> Vec<Vec<Item>> {
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

/// The chosen candidate index of each step and the runner-up total (the
/// best feasible chain other than the chosen one), or why there is none
/// (`None` when a step has no eligible candidate: its summary says why).
pub(crate) fn best_chain(
    request: &Request,
    results: &[StepEval<'_>],
) -> Result<(Vec<usize>, Option<f64>), Option<String>> {
    let items = items(results);
    if items.iter().any(Vec::is_empty) {
        return Err(None);
    }
    let bounds = Bounds::of(request);
    choose(&items, bounds, request.seed).ok_or_else(|| {
        let values: Vec<Vec<Item>> = items.iter().map(|s| Groups::of(s).values).collect();
        let (kept, _) = split_dominated(&values);
        Some(infeasible(&Search::new(&kept, bounds), request))
    })
}

/// The chosen chain (item index per step) and the runner-up total, or
/// `None` when no chain fits the bounds.
pub(crate) fn choose(
    items: &[Vec<Item>],
    bounds: Bounds,
    seed: u64,
) -> Option<(Vec<usize>, Option<f64>)> {
    // The search runs over distinct values: candidates equal in score,
    // latency, cost and availability are interchangeable in every total.
    let groups: Vec<Groups> = items.iter().map(|step| Groups::of(step)).collect();
    let values: Vec<Vec<Item>> = groups.iter().map(|g| g.values.clone()).collect();
    let (kept, dominated) = split_dominated(&values);
    let search = Search::new(&kept, bounds);
    let best = search.best_two()?;
    // A chain through a value more than one candidate has is tied by the
    // chain through its twin: the runner-up total is the best one.
    let mut second = best.second;
    if best
        .path
        .iter()
        .zip(&groups)
        .any(|(&index, g)| g.size_of(index) > 1)
    {
        second = Some(best.total);
    }
    // Ranks come from shuffling every eligible candidate, so dropping the
    // dominated ones afterwards leaves the order of the others unchanged.
    let ranked: Vec<Vec<Item>> = ranked(items, seed)
        .into_iter()
        .zip(groups.iter().zip(&dominated))
        .map(|(step, (g, gone))| {
            let gone: Vec<Option<usize>> = gone.iter().map(|v| g.value_of(v.index)).collect();
            step.into_iter()
                .filter(|i| !gone.contains(&g.value_of(i.index)))
                .collect()
        })
        .collect();
    // The best chain reaches the floor, so this pass always finds one.
    let chosen = search.first_reaching(&ranked, best.total - TIE_EPSILON)?;
    // Every chain of kept values but `best.path` scores at most
    // `best.second`. A chain with a dominated value scores at most the
    // chain with its dominator instead, so it can only be the runner-up when
    // that chain is `best.path` itself: try each dominated value in place.
    let path: Vec<&Item> = best
        .path
        .iter()
        .enumerate()
        .filter_map(|(s, &i)| kept[s].iter().find(|it| it.index == i))
        .collect();
    for (d, gone) in dominated.iter().enumerate() {
        for a in gone {
            let mut chain = path.clone();
            chain[d] = a;
            let (t, l, c, av) = chain.iter().fold((0.0, 0.0, 0.0, 1.0), |(t, l, c, av), i| {
                (t + i.score, l + i.latency, c + i.cost, av * i.availability)
            });
            if bounds.fits(l, c, av) && second.is_none_or(|s| t > s) {
                second = Some(t);
            }
        }
    }
    // If the tie-break chose another chain than `best.path`, that one is
    // the runner-up.
    let runner_up = if chosen == best.path {
        second
    } else {
        Some(best.total)
    };
    Some((chosen, runner_up))
}

/// One step's eligible items grouped by value (score, latency, cost and
/// availability, bit for bit). Generated or replicated registries have
/// thousands of candidates with a handful of distinct values; the search
/// and the dominance test then work on the values, not the candidates.
struct Groups {
    /// The first item (in candidate order) of each value, in order.
    values: Vec<Item>,
    /// How many items have each value.
    sizes: Vec<usize>,
    /// Each item's candidate index and value, sorted by candidate index.
    of: Vec<(usize, usize)>,
}

impl Groups {
    fn of(step: &[Item]) -> Groups {
        let key = |i: &Item| [i.score, i.latency, i.cost, i.availability].map(f64::to_bits);
        let mut seen: std::collections::BTreeMap<[u64; 4], usize> =
            std::collections::BTreeMap::new();
        let mut groups = Groups {
            values: Vec::new(),
            sizes: Vec::new(),
            of: Vec::with_capacity(step.len()),
        };
        for item in step {
            let value = *seen.entry(key(item)).or_insert_with(|| {
                groups.values.push(*item);
                groups.sizes.push(0);
                groups.values.len() - 1
            });
            groups.sizes[value] += 1;
            groups.of.push((item.index, value));
        }
        groups.of.sort_unstable();
        groups
    }

    /// The value of the item with candidate index `index`.
    fn value_of(&self, index: usize) -> Option<usize> {
        self.of
            .binary_search_by_key(&index, |&(i, _)| i)
            .ok()
            .map(|at| self.of[at].1)
    }

    /// How many items share the value of the item `index`.
    fn size_of(&self, index: usize) -> usize {
        self.value_of(index).map_or(0, |v| self.sizes[v])
    }
}

/// Splits each step's items into those that may be part of a best chain and
/// those strictly dominated: another item scores more than 1e-9 higher with
/// no worse latency, cost or availability. A dominated item can never be in
/// the best chain nor tie with it (swapping in its dominator keeps the chain
/// feasible and raises the total by more than the tie margin).
fn split_dominated(items: &[Vec<Item>]) -> (Vec<Vec<Item>>, Vec<Vec<Item>>) {
    items
        .iter()
        .map(|step| {
            step.iter().partition(|a| {
                !step.iter().any(|b| {
                    b.score > a.score + TIE_EPSILON
                        && b.latency <= a.latency
                        && b.cost <= a.cost
                        && b.availability >= a.availability
                })
            })
        })
        .unzip()
}

/// Why no combination is feasible, naming the bounds that cannot be met.
fn infeasible(search: &Search<'_>, request: &Request) -> String {
    let num = crate::canonical::display_tidy;
    let bound =
        |field: &str, value: f64| request.quote(&format!("requirements.{field}"), num(value));
    let r = &request.requirements;
    let mut alone = Vec::new();
    if let Some(max) = r.max_latency_p95_ms
        && search.least_latency[0] > max
    {
        alone.push(format!(
            "max_latency_p95_ms (the fastest chain takes {} ms > {} ms)",
            num(search.least_latency[0]),
            bound("max_latency_p95_ms", max)
        ));
    }
    if let Some(max) = r.max_cost
        && search.least_cost[0] > max
    {
        alone.push(format!(
            "max_cost (the cheapest chain costs {} > {})",
            num(search.least_cost[0]),
            bound("max_cost", max)
        ));
    }
    if let Some(min) = r.min_availability
        && search.most_availability[0] < min
    {
        alone.push(format!(
            "min_availability (the most available chain reaches {} < {})",
            num(search.most_availability[0]),
            bound("min_availability", min)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn item(index: usize, score: f64, latency: f64, cost: f64) -> Item {
        Item {
            index,
            score,
            latency,
            cost,
            availability: 1.0,
        }
    }

    fn bounds(max_latency: f64, max_cost: f64) -> Bounds {
        Bounds {
            max_latency,
            max_cost,
            min_availability: 0.0,
        }
    }

    /// Every combination, the slow way.
    fn brute(steps: &[Vec<Item>], b: Bounds) -> Option<f64> {
        let mut best: Option<f64> = None;
        let mut idx = vec![0usize; steps.len()];
        loop {
            let chosen: Vec<&Item> = idx.iter().enumerate().map(|(d, &i)| &steps[d][i]).collect();
            let (t, l, c) = chosen.iter().fold((0.0, 0.0, 0.0), |(t, l, c), i| {
                (t + i.score, l + i.latency, c + i.cost)
            });
            if l <= b.max_latency && c <= b.max_cost && best.is_none_or(|x| t > x) {
                best = Some(t);
            }
            let mut d = 0;
            loop {
                if d == steps.len() {
                    return best;
                }
                idx[d] += 1;
                if idx[d] < steps[d].len() {
                    break;
                }
                idx[d] = 0;
                d += 1;
            }
        }
    }

    #[test]
    fn the_greedy_chain_is_not_taken_when_it_breaks_a_bound() {
        // Best per step: 0 then 0 (latency 2000 + 1500 > 3000).
        let steps = vec![
            vec![item(0, 0.9, 2000.0, 0.0), item(1, 0.7, 500.0, 0.0)],
            vec![item(0, 0.8, 1500.0, 0.0), item(1, 0.5, 900.0, 0.0)],
        ];
        let search = Search::new(&steps, bounds(3000.0, f64::INFINITY));
        let two = search.best_two().unwrap();
        let best = two.total;
        // Feasible: 0.9 + 0.5 (2,900 ms) = 1.4 and 0.7 + 0.8 (2,000 ms) = 1.5.
        assert!((best - 1.5).abs() < 1e-12, "{best}");
        assert_eq!(Some(best), brute(&steps, bounds(3000.0, f64::INFINITY)));
        let ranked = ranked(&steps, 0);
        assert_eq!(
            search.first_reaching(&ranked, best - TIE_EPSILON),
            Some(vec![1, 0])
        );
        // The runner-up is the best other chain.
        assert_eq!(two.path, [1, 0]);
        let second = two.second.unwrap();
        assert!((second - 1.4).abs() < 1e-12, "{second}");
        // Nothing fits under 1,000 ms.
        assert_eq!(
            Search::new(&steps, bounds(1000.0, f64::INFINITY)).best_two(),
            None
        );
    }

    #[test]
    fn search_matches_brute_force_on_a_grid() {
        // A deterministic spread of scores, latencies and costs.
        let steps: Vec<Vec<Item>> = (0..3)
            .map(|d| {
                (0..6)
                    .map(|i| {
                        let x = (d * 7 + i * 13) % 11;
                        item(
                            i,
                            x as f64 / 10.0,
                            100.0 * ((i * 5 + d) % 7 + 1) as f64,
                            0.01 * ((i + 2 * d) % 5) as f64,
                        )
                    })
                    .collect()
            })
            .collect();
        for max_latency in [300.0, 700.0, 1200.0, 2100.0, f64::INFINITY] {
            for max_cost in [0.0, 0.03, 0.08, f64::INFINITY] {
                let b = bounds(max_latency, max_cost);
                let got = Search::new(&steps, b).best_two().map(|two| two.total);
                let want = brute(&steps, b);
                match (got, want) {
                    (Some(g), Some(w)) => {
                        assert!((g - w).abs() < 1e-9, "{max_latency} {max_cost}: {g} vs {w}")
                    }
                    (g, w) => assert_eq!(g, w, "{max_latency} {max_cost}"),
                }
            }
        }
    }

    /// The two best totals of distinct feasible chains, the slow way.
    fn brute_two(steps: &[Vec<Item>], b: Bounds) -> (Option<f64>, Option<f64>) {
        let mut totals = Vec::new();
        let mut idx = vec![0usize; steps.len()];
        'outer: loop {
            let chosen: Vec<&Item> = idx.iter().enumerate().map(|(d, &i)| &steps[d][i]).collect();
            let (t, l, c, a) = chosen.iter().fold((0.0, 0.0, 0.0, 1.0), |(t, l, c, a), i| {
                (t + i.score, l + i.latency, c + i.cost, a * i.availability)
            });
            if b.fits(l, c, a) {
                totals.push(t);
            }
            for d in 0..steps.len() {
                idx[d] += 1;
                if idx[d] < steps[d].len() {
                    continue 'outer;
                }
                idx[d] = 0;
            }
            break;
        }
        totals.sort_by(|x, y| y.total_cmp(x));
        (totals.first().copied(), totals.get(1).copied())
    }

    #[test]
    fn choice_and_runner_up_match_brute_force_with_dominated_items() {
        let mut rng = tiebreak::rng(7);
        use rand_chacha::rand_core::Rng;
        let mut unit = move || (rng.next_u64() % 1000) as f64 / 1000.0;
        for round in 0..200 {
            let steps: Vec<Vec<Item>> = (0..3)
                .map(|_| {
                    (0..5)
                        .map(|i| Item {
                            index: i,
                            score: (unit() * 10.0).round() / 10.0,
                            latency: 100.0 + (unit() * 5.0).round() * 100.0,
                            cost: (unit() * 4.0).round() / 100.0,
                            availability: 0.9 + (unit() * 10.0).round() / 100.0,
                        })
                        .collect()
                })
                .collect();
            let b = Bounds {
                max_latency: 300.0 + unit() * 1500.0,
                max_cost: unit() * 0.12,
                min_availability: unit() * 0.8,
            };
            let (want_best, want_second) = brute_two(&steps, b);
            match choose(&steps, b, round) {
                None => assert_eq!(want_best, None, "round {round}"),
                Some((chosen, runner_up)) => {
                    let total: f64 = chosen
                        .iter()
                        .enumerate()
                        .map(|(d, &i)| steps[d][i].score)
                        .sum();
                    let best = want_best.unwrap();
                    assert!(total >= best - 1e-9, "round {round}: {total} < {best}");
                    // The runner-up is the best of the other chains: the
                    // second total, or the best one when the tie-break chose
                    // a chain tied with it.
                    let expect = if (total - best).abs() <= 1e-12 {
                        want_second
                    } else {
                        Some(best)
                    };
                    match (runner_up, expect) {
                        (Some(g), Some(w)) => {
                            assert!((g - w).abs() < 1e-9, "round {round}: {g} vs {w}")
                        }
                        (g, w) => assert_eq!(g, w, "round {round}"),
                    }
                }
            }
        }
    }

    /// Thousands of candidates with a handful of values (a replicated
    /// registry): the search works on the values, and the choice and the
    /// runner-up still match brute force over every candidate.
    #[test]
    fn replicated_candidates_are_searched_by_value() {
        let values = [(0.9, 800.0, 0.02), (0.7, 300.0, 0.01), (0.5, 100.0, 0.0)];
        let steps: Vec<Vec<Item>> = (0..3)
            .map(|step| {
                (0..36)
                    .map(|i| {
                        let (score, latency, cost) = values[(i + step) % values.len()];
                        item(i, score, latency, cost)
                    })
                    .collect()
            })
            .collect();
        for (max_latency, max_cost) in [(2_400.0, 1.0), (1_500.0, 1.0), (700.0, 0.03)] {
            let b = bounds(max_latency, max_cost);
            let (best, second) = brute_two(&steps, b);
            let (chosen, runner_up) = choose(&steps, b, 3).unwrap();
            let total: f64 = chosen
                .iter()
                .enumerate()
                .map(|(d, &i)| steps[d][i].score)
                .sum();
            assert!((total - best.unwrap()).abs() < 1e-9, "{max_latency}");
            // Every value is held by 12 candidates: the best total is tied.
            assert_eq!(second, best);
            assert!((runner_up.unwrap() - best.unwrap()).abs() < 1e-9);
        }
        // And replicated values are grouped: 3 values for 36 candidates.
        let groups = Groups::of(&steps[0]);
        assert_eq!(groups.values.len(), 3);
        assert_eq!(groups.sizes, [12, 12, 12]);
        assert_eq!(groups.size_of(35), 12);
        assert_eq!(groups.value_of(0), groups.value_of(3));
        assert_ne!(groups.value_of(0), groups.value_of(1));
    }

    #[test]
    fn composition_rules() {
        let m = |p95: f64, a: f64, acc: Option<f64>, cost: f64| Metrics {
            latency_p95_ms: p95,
            availability: a,
            accuracy: acc,
            cost,
            risk: 0.1,
        };
        let text = include_str!("../../../../contracts/llama-3-70b-onprem.yaml");
        let onprem = crate::contract::validate_text("a.yaml", text)
            .contract
            .unwrap();
        let text = include_str!("../../../../contracts/mistral-large-eu.yaml");
        let external = crate::contract::validate_text("b.yaml", text)
            .contract
            .unwrap();
        let (a, b) = (
            m(100.0, 0.99, Some(0.9), 0.01),
            m(200.0, 0.98, Some(0.8), 0.02),
        );
        fn served(c: &crate::contract::ServiceContract) -> Served<'_> {
            Served {
                regions: c.privacy.regions.iter().map(String::as_str).collect(),
                currency: &c.cost.currency,
                hosting: c.privacy.hosting,
                retention_days: c.privacy.retention_days,
            }
        }
        let c = compose(&[&a, &b], &[served(&onprem), served(&external)]);
        assert_eq!(c.latency_p95_ms, 300.0);
        assert!((c.availability - 0.99 * 0.98).abs() < 1e-15);
        assert_eq!(c.accuracy, Some(0.8));
        assert!((c.cost - 0.03).abs() < 1e-15);
        assert_eq!(c.hosting, crate::contract::Hosting::External);
        assert_eq!(c.regions, ["eu"]);
        let undeclared = m(10.0, 1.0, None, 0.0);
        assert_eq!(
            compose(&[&a, &undeclared], &[served(&onprem), served(&onprem)]).accuracy,
            None
        );
    }
}
