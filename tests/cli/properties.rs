//! Property tests of the routing core (SPEC §5, §6, §7, §8), checked
//! against the independent oracle of `caio-invariants` (the one `caio
//! verify-invariants` uses: SPEC §13, one oracle, not two that drift) —
//! never through caio's own scorer, pipeline or search:
//!
//! - (a) the decision does not depend on the order of the candidates, of the
//!   policy rules, or of the policy files (single steps and chains);
//! - (b) the eligible set, each rejection's stage and rules, every score and
//!   the chosen service agree with the oracle's brute-force pipeline and
//!   master equation;
//! - (c) every control component is finite, in [0, 1], and (single step)
//!   equal to its definition;
//! - (d) chain search equals exhaustive enumeration of the eligible
//!   combinations (using the engine's per-step scores), and the composed
//!   guarantees are those of the chosen chain;
//! - (e) adding a `deny` or `require` rule never enlarges the eligible set;
//! - (f) the panic guard (SPEC §8): with every otherwise-eligible service's
//!   circuit open, the one that opened earliest is probed, alone;
//! - determinism: the same inputs give the same decision twice.
//!
//! The scenarios are the oracle's own types, drawn here by proptest (which
//! shrinks a failure) rather than by the seeded generator of
//! `verify-invariants`: random but valid contracts built as structs (a
//! property checks that the contract validator accepts them), requests with
//! defaults applied, principals (anonymous, simulated, refused) and policy
//! sets written as YAML text and read by the real loader.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use caio_core::contract::{
    Access, Capability, Cost, DataClass, Endpoint, Guarantees, Hosting, Latency, Modality, Privacy,
    ServiceContract, Trust,
};
use caio_core::lifecycle::ServiceStatus;
use caio_core::policy::PolicySet;
use caio_core::policy::load::load_text;
use caio_core::principal::{AuthFailure, Principal};
use caio_core::request::{Input, Priority, Request, Step, Weights};
use caio_core::routing::{self, Decision, Identity, Outcome, ServiceStats, Stage};
use caio_invariants::oracle::{self, EPS, Facts, Judged, clamp01, facts, offered};
use caio_invariants::rules::{Atom, Cond, Effect, LANGS, REGIONS, ROLES, Rule, TAGS, policy_text};
use caio_invariants::scenario::{Scenario, Service};
use proptest::prelude::*;
use proptest::sample::{Index, select, subsequence};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Cases per property (`PROPTEST_CASES` overrides, for long searches).
const CASES: u32 = 96;
/// The chain search is where the subtle bugs are: more cases.
const CHAIN_CASES: u32 = 256;

const TENANTS: &[&str] = &["acme", "globex", "initech"];
const CHAIN_CAPS: &[&str] = &["ocr", "translate", "summarize"];

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------

/// The services in registration order.
fn identity_order(s: &Scenario) -> Vec<usize> {
    (0..s.services.len()).collect()
}

/// The rules in `order`, spread over policy files by `file_of` (the file
/// index of each position), each file read by the real loader.
fn policies_in(s: &Scenario, order: &[usize], file_of: &[usize]) -> PolicySet {
    let files = file_of.iter().copied().max().map_or(1, |m| m + 1);
    let mut all = Vec::new();
    for f in 0..files {
        let rules: Vec<Rule> = order
            .iter()
            .enumerate()
            .filter(|(pos, _)| file_of.get(*pos).copied().unwrap_or(0) == f)
            .map(|(_, &i)| s.rules[i].clone())
            .collect();
        all.extend(load_policies(&format!("gen-{f}.yaml"), &rules));
    }
    PolicySet::new(all)
}

/// The rules as written, in one file.
fn natural_policies(s: &Scenario) -> PolicySet {
    let order: Vec<usize> = (0..s.rules.len()).collect();
    policies_in(s, &order, &[])
}

/// Routes with the candidates in `order`.
fn route_with(s: &Scenario, order: &[usize], policies: &PolicySet) -> Decision {
    routing::route(&s.request, &s.identity, &s.candidates_in(order), policies)
}

/// Routes with the candidates in registration order and the rules as written.
fn route(s: &Scenario) -> Decision {
    route_with(s, &identity_order(s), &natural_policies(s))
}

fn load_policies(label: &str, rules: &[Rule]) -> Vec<caio_core::policy::Policy> {
    let text = policy_text(rules);
    let file = load_text(label, &text, Path::new("."));
    assert!(
        file.report.is_valid(),
        "generated policy file is invalid:\n{text}\n{:#?}",
        file.report
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.code, p.message))
            .collect::<Vec<_>>()
    );
    assert_eq!(file.policies.len(), rules.len(), "{text}");
    file.policies
}

/// A service that most requests may use: active, no access or capability
/// restrictions, any data. Mixed with [`service`] so that scenarios have
/// several eligible candidates as well as rejections at every stage.
fn open_service() -> BoxedStrategy<Service> {
    service()
        .prop_map(|mut s| {
            if matches!(s.status, ServiceStatus::Drained | ServiceStatus::Disabled) {
                s.status = ServiceStatus::Active;
            }
            s.stats.circuit_open = false;
            s.contract.access = Access::default();
            let offered = &mut s.contract.capabilities[0];
            offered.input = None;
            offered.languages = None;
            offered.max_input_tokens = None;
            s.contract.privacy.max_data_class = DataClass::Restricted;
            s.contract.privacy.pii_allowed = true;
            s
        })
        .boxed()
}

/// When a circuit opened: few distinct values, so that equal times (the
/// id decides) and unknown times happen.
fn opened_at() -> BoxedStrategy<Option<i64>> {
    prop::option::weighted(0.9, select(vec![1_000i64, 2_000, 3_000])).boxed()
}

/// One in `1 + open` services is unrestricted.
fn any_service(open: u32) -> BoxedStrategy<Service> {
    prop_oneof![1 => service(), open => open_service()].boxed()
}

fn service() -> BoxedStrategy<Service> {
    let latency = prop_oneof![select(vec![100.0, 250.0, 400.0, 900.0]), 50.0f64..3000.0];
    let availability = prop_oneof![select(vec![0.9, 0.99, 0.995, 0.999, 1.0]), 0.9f64..=1.0];
    let accuracy = prop::option::weighted(
        0.8,
        prop_oneof![select(vec![0.6, 0.75, 0.8, 0.9]), 0.0f64..=1.0],
    );
    let price = |max: f64| prop_oneof![Just(0.0), select(vec![max / 10.0, max / 2.0]), 0.0..max];
    let cost = (price(0.02), price(0.01), price(0.03));
    let risk = prop_oneof![Just(0.0), select(vec![0.1, 0.2]), 0.0f64..=0.5];
    let offered = (
        prop_oneof![9 => Just("chat"), 1 => Just("embedding")],
        prop::option::weighted(
            0.2,
            subsequence(
                vec![Modality::Text, Modality::Image, Modality::Audio],
                1..=2,
            ),
        ),
        prop::option::weighted(0.2, select(vec![1000u64, 4000, 8000, 32000, 128000])),
        prop::option::weighted(0.2, subsequence(LANGS.to_vec(), 1..=3)),
    )
        .prop_map(|(kind, input, max_input_tokens, languages)| Capability {
            kind: kind.to_string(),
            input,
            output: None,
            max_input_tokens,
            languages: languages.map(|l| strings(&l)),
        });
    let privacy = (
        select(vec![Hosting::OnPrem, Hosting::Internal, Hosting::External]),
        subsequence(REGIONS.to_vec(), 1..=2),
        prop_oneof![
            1 => Just(DataClass::Public),
            2 => Just(DataClass::Internal),
            5 => Just(DataClass::Confidential),
            4 => Just(DataClass::Restricted),
        ],
        prop::bool::weighted(0.5),
        select(vec![0u64, 30, 90]),
        prop::bool::weighted(0.3),
    )
        .prop_map(
            |(hosting, regions, max_data_class, pii_allowed, retention_days, trains)| Privacy {
                hosting,
                regions: strings(&regions),
                max_data_class,
                pii_allowed,
                retention_days,
                trains_on_customer_data: trains,
            },
        );
    let access = (
        prop_oneof![12 => Just(Trust::Low), 2 => Just(Trust::Medium), 1 => Just(Trust::High)],
        prop::option::weighted(0.07, subsequence(ROLES.to_vec(), 1..=2)),
        prop::option::weighted(0.07, subsequence(TENANTS.to_vec(), 1..=2)),
    )
        .prop_map(|(min_trust, roles, tenants)| Access {
            min_trust,
            roles: roles.map(|r| strings(&r)),
            tenants: tenants.map(|t| strings(&t)),
        });
    let contract = (
        (latency, availability, accuracy),
        cost,
        risk,
        offered,
        privacy,
        access,
        subsequence(TAGS.to_vec(), 0..=3),
    )
        .prop_map(
            |(
                (p95, availability, accuracy),
                (per_request, per_in, per_out),
                risk,
                offered,
                privacy,
                access,
                tags,
            )| {
                ServiceContract {
                    api_version: "caio/v1".into(),
                    service_id: "placeholder".into(),
                    name: "Generated".into(),
                    version: "1.0.0".into(),
                    provider: Some("gen".into()),
                    description: None,
                    tags: strings(&tags),
                    capabilities: vec![offered],
                    guarantees: Guarantees {
                        latency_ms: Latency {
                            p50: p95 / 2.0,
                            p95,
                            p99: p95 * 2.0,
                        },
                        availability,
                        accuracy,
                    },
                    cost: Cost {
                        currency: "USD".into(),
                        per_request,
                        per_1k_input_tokens: per_in,
                        per_1k_output_tokens: per_out,
                    },
                    privacy,
                    access,
                    endpoint: Endpoint {
                        url: "https://svc.example/v1".into(),
                        protocol: caio_core::contract::Protocol::Http,
                        model: None,
                        method: "POST".into(),
                        timeout_ms: 30_000,
                        auth: None,
                        headers: BTreeMap::new(),
                    },
                    risk,
                }
            },
        );
    let status = prop_oneof![
        30 => Just(ServiceStatus::Active),
        6 => Just(ServiceStatus::Degraded),
        1 => Just(ServiceStatus::Drained),
        1 => Just(ServiceStatus::Disabled),
    ];
    let stats = (
        prop::option::weighted(0.3, 0.0f64..=1.0),
        select(vec![0u64, 10, 20, 50]),
        prop::option::weighted(0.4, 50.0f64..4000.0),
        prop::bool::weighted(0.02),
        opened_at(),
    )
        .prop_map(
            |(success_rate, observations, observed_p95_ms, circuit_open, opened)| ServiceStats {
                success_rate,
                observations,
                observed_p95_ms,
                observed_at_ms: None,
                circuit_open,
                circuit_opened_at_ms: opened.filter(|_| circuit_open),
            },
        );
    (contract, status, stats)
        .prop_map(|(contract, status, stats)| Service {
            contract,
            status,
            stats,
        })
        .boxed()
}

fn principal() -> BoxedStrategy<Principal> {
    (
        prop::option::weighted(0.7, select(TENANTS.to_vec())),
        subsequence(ROLES.to_vec(), 0..=2),
        select(vec![Trust::Low, Trust::Medium, Trust::High]),
    )
        .prop_map(|(tenant, roles, trust)| Principal {
            name: "generated".into(),
            tenant: tenant.map(str::to_string),
            roles: strings(&roles),
            trust,
        })
        .boxed()
}

fn identity() -> BoxedStrategy<Identity> {
    prop_oneof![
        6 => Just(Identity::Anonymous),
        12 => principal().prop_map(|principal| Identity::Simulated { principal }),
        1 => Just(Identity::Refused { failure: AuthFailure::Unknown }),
    ]
    .boxed()
}

fn input() -> BoxedStrategy<Input> {
    (
        prop::option::weighted(
            0.15,
            subsequence(
                vec![Modality::Text, Modality::Image, Modality::Audio],
                1..=2,
            ),
        ),
        prop_oneof![1 => Just(0u64), 4 => 1u64..4_000, 1 => 4_000u64..20_000],
        prop_oneof![Just(0u64), 1u64..4_000],
        prop::option::weighted(0.15, select(LANGS.to_vec())),
    )
        .prop_map(
            |(modalities, tokens, expected_output_tokens, language)| Input {
                modalities,
                tokens,
                expected_output_tokens,
                language: language.map(str::to_string),
            },
        )
        .boxed()
}

/// A bound of the request: either a free value, or exactly the value of
/// one candidate (or, for chains, of one combination), so that boundaries
/// (`≤`, `≥`) are exercised.
#[derive(Debug, Clone)]
struct Bound {
    exact: bool,
    /// Chains: the combination of each step's extreme (fastest, cheapest,
    /// most available) candidates, the tightest feasible bound.
    extreme: bool,
    picks: Vec<Index>,
    scale: f64,
    free: f64,
}

fn bound(p: f64, free: impl Strategy<Value = f64> + 'static) -> BoxedStrategy<Option<Bound>> {
    prop::option::weighted(
        p,
        (
            prop::bool::weighted(0.6),
            prop::bool::weighted(0.35),
            prop::collection::vec(any::<Index>(), 3),
            prop_oneof![3 => Just(1.0), 1 => 0.7f64..1.3],
            free,
        )
            .prop_map(|(exact, extreme, picks, scale, free)| Bound {
                exact,
                extreme,
                picks,
                scale,
                free,
            }),
    )
    .boxed()
}

impl Bound {
    /// One candidate's value (single step).
    fn one(&self, values: &[f64]) -> f64 {
        if self.exact && !values.is_empty() {
            *self.picks[0].get(values)
        } else {
            self.free
        }
    }

    /// One combination's composed value, steps in order (chains): `values`
    /// holds the values of each step's candidates; `best` picks the extreme
    /// one of a step.
    fn combo(
        &self,
        values: &[Vec<f64>],
        init: f64,
        op: fn(f64, f64) -> f64,
        best: fn(f64, f64) -> f64,
    ) -> f64 {
        if !self.exact || values.iter().any(Vec::is_empty) {
            return self.free;
        }
        let v = values
            .iter()
            .zip(&self.picks)
            .fold(init, |acc, (step, pick)| {
                let value = if self.extreme {
                    step.iter().copied().reduce(best).unwrap()
                } else {
                    *pick.get(step)
                };
                op(acc, value)
            });
        v * self.scale
    }
}

/// Everything of a request except what depends on the candidates.
#[derive(Debug, Clone)]
struct RequestParts {
    data: (DataClass, bool),
    latency: Option<Bound>,
    availability: Option<Bound>,
    accuracy: Option<Bound>,
    cost: Option<Bound>,
    regions: Option<Vec<&'static str>>,
    tags: Option<Vec<&'static str>>,
    hosting: Option<Vec<Hosting>>,
    priority: Priority,
    weights: Option<Weights>,
    prefer_tags: Vec<&'static str>,
    exclude: Vec<Index>,
    seed: u64,
}

/// `chain`: bounds on latency, cost and availability are likelier (they
/// are what the chain search is about).
fn request_parts(chain: bool) -> BoxedStrategy<RequestParts> {
    let data = (
        prop_oneof![
            3 => Just(DataClass::Public),
            6 => Just(DataClass::Internal),
            2 => Just(DataClass::Confidential),
            1 => Just(DataClass::Restricted),
        ],
        prop::bool::weighted(0.07),
    );
    let p = if chain { 0.7 } else { 0.25 };
    let bounds = (
        bound(p, 50.0f64..4000.0),
        bound(p / 2.0, 0.85f64..=1.0),
        bound(0.15, 0.0f64..=1.0),
        bound(p, prop_oneof![Just(0.0), 0.0f64..0.2]),
    );
    let traits = (
        prop::option::weighted(0.07, subsequence(REGIONS.to_vec(), 1..=3)),
        prop::option::weighted(0.05, subsequence(TAGS.to_vec(), 1..=1)),
        prop::option::weighted(
            0.1,
            subsequence(
                vec![Hosting::OnPrem, Hosting::Internal, Hosting::External],
                1..=2,
            ),
        ),
    );
    let weight = || prop_oneof![Just(0.0), 0.0f64..3.0];
    let weights = prop::option::weighted(
        0.2,
        (weight(), weight(), weight(), weight(), weight(), weight()).prop_map(
            |(q, h, t, c, l, r)| {
                let q = if [q, h, t, c, l, r].iter().all(|w| *w == 0.0) {
                    1.0
                } else {
                    q
                };
                Weights { q, h, t, c, l, r }
            },
        ),
    );
    let prefs = (
        select(Priority::ALL.to_vec()),
        weights,
        subsequence(TAGS.to_vec(), 0..=2),
        prop::collection::vec(any::<Index>(), 0..=1),
        prop_oneof![
            Just(0u64),
            Just(1),
            Just(42),
            any::<u32>().prop_map(u64::from)
        ],
    );
    (data, bounds, traits, prefs)
        .prop_map(
            |(
                data,
                (latency, availability, accuracy, cost),
                (regions, tags, hosting),
                (priority, weights, prefer_tags, exclude, seed),
            )| RequestParts {
                data,
                latency,
                availability,
                accuracy,
                cost,
                regions,
                tags,
                hosting,
                priority,
                weights,
                prefer_tags,
                exclude,
                seed,
            },
        )
        .boxed()
}

impl RequestParts {
    /// The request: `steps` of one (single) or more (chain) capabilities,
    /// with bounds resolved against the candidates.
    fn resolve(&self, services: &[Service], steps: &[Step]) -> Request {
        let mut r = Request::for_capability(&steps[0].capability);
        if steps.len() == 1 {
            r.input = steps[0].input.clone();
        } else {
            r.capability = None;
            r.chain = Some(steps.to_vec());
        }
        r.data.class = self.data.0;
        r.data.contains_pii = self.data.1;
        // Each step's candidates' values, in registration order.
        let per_step = |f: &dyn Fn(&Service, &Step) -> Option<f64>| -> Vec<Vec<f64>> {
            steps
                .iter()
                .map(|step| {
                    services
                        .iter()
                        .filter(|s| offered(s, &step.capability).is_some())
                        .filter_map(|s| f(s, step))
                        .collect()
                })
                .collect()
        };
        let p95 = per_step(&|s, _| Some(facts(s, &Input::default()).p95));
        let avail = per_step(&|s, _| Some(s.contract.guarantees.availability));
        let acc = per_step(&|s, _| s.contract.guarantees.accuracy);
        let cost = per_step(&|s, step| Some(facts(s, &step.input).cost));
        let req = &mut r.requirements;
        let add = |a: f64, b: f64| a + b;
        let mul = |a: f64, b: f64| a * b;
        if steps.len() == 1 {
            req.max_latency_p95_ms = self.latency.as_ref().map(|b| b.one(&p95[0]));
            req.min_availability = self
                .availability
                .as_ref()
                .map(|b| b.one(&avail[0]).min(1.0));
            req.max_cost = self.cost.as_ref().map(|b| b.one(&cost[0]));
        } else {
            req.max_latency_p95_ms = self
                .latency
                .as_ref()
                .map(|b| b.combo(&p95, 0.0, add, f64::min));
            req.min_availability = self
                .availability
                .as_ref()
                .map(|b| b.combo(&avail, 1.0, mul, f64::max).min(1.0));
            req.max_cost = self
                .cost
                .as_ref()
                .map(|b| b.combo(&cost, 0.0, add, f64::min));
        }
        req.min_accuracy = self.accuracy.as_ref().map(|b| b.one(&acc[0]).min(1.0));
        req.regions = self.regions.as_ref().map(|r| strings(r));
        req.tags = self.tags.as_ref().map(|t| strings(t));
        req.hosting = self.hosting.clone();
        let prefs = &mut r.preferences;
        prefs.priority = self.priority;
        prefs.weights = self.weights;
        prefs.prefer_tags = strings(&self.prefer_tags);
        prefs.exclude_services = self
            .exclude
            .iter()
            .map(|i| i.get(services).contract.service_id.clone())
            .collect();
        r.seed = self.seed;
        r
    }
}

/// A single-step `chat` request over 1–12 services (some of them exact
/// copies under another id, so that ties happen; a few offer only
/// `embedding`), with 0–3 rules.
fn single_scenario() -> BoxedStrategy<Scenario> {
    (
        prop::collection::vec(any_service(1), 1..=10),
        prop::collection::vec(any::<Index>(), 0..=2),
        identity(),
        prop::collection::vec(rule(), 0..=3),
        input(),
        request_parts(false),
    )
        .prop_map(|(mut services, copies, identity, rules, input, parts)| {
            for c in copies {
                let copy = c.get(&services).clone();
                services.push(copy);
            }
            for (i, s) in services.iter_mut().enumerate() {
                s.contract.service_id = format!("svc-{i:02}");
            }
            let steps = [Step {
                capability: "chat".into(),
                input,
            }];
            let request = parts.resolve(&services, &steps);
            Scenario {
                services,
                identity,
                rules: number_rules(rules),
                request,
            }
        })
        .boxed()
}

/// A chain of 2–3 steps, each offered by 1–5 services, plus possibly one
/// service offering several steps (so at most 6 candidates per step).
fn chain_scenario() -> BoxedStrategy<Scenario> {
    (
        2usize..=3,
        prop::collection::vec(prop::collection::vec(any_service(3), 1..=5), 3),
        prop::collection::vec(
            (any_service(3), subsequence(vec![0usize, 1, 2], 2..=3)),
            0..=1,
        ),
        prop::collection::vec(input(), 3),
        identity(),
        prop::collection::vec(rule(), 0..=2),
        request_parts(true),
    )
        .prop_map(|(n, per_step, multi, inputs, identity, rules, parts)| {
            let mut services = Vec::new();
            for (step, group) in per_step.into_iter().enumerate().take(n) {
                for mut s in group {
                    s.contract.capabilities[0].kind = CHAIN_CAPS[step].into();
                    services.push(s);
                }
            }
            for (mut s, steps) in multi {
                let template = s.contract.capabilities[0].clone();
                s.contract.capabilities = steps
                    .iter()
                    .map(|&i| Capability {
                        kind: CHAIN_CAPS[i].into(),
                        ..template.clone()
                    })
                    .collect();
                services.push(s);
            }
            for (i, s) in services.iter_mut().enumerate() {
                s.contract.service_id = format!("svc-{i:02}");
            }
            let steps: Vec<Step> = inputs
                .into_iter()
                .take(n)
                .enumerate()
                .map(|(i, input)| Step {
                    capability: CHAIN_CAPS[i].into(),
                    input,
                })
                .collect();
            let request = parts.resolve(&services, &steps);
            Scenario {
                services,
                identity,
                rules: number_rules(rules),
                request,
            }
        })
        .boxed()
}

fn any_scenario() -> BoxedStrategy<Scenario> {
    prop_oneof![2 => single_scenario(), 1 => chain_scenario()].boxed()
}

// ---------------------------------------------------------------------------
// Policy rules, in the oracle's model (written as YAML for the loader)
// ---------------------------------------------------------------------------

fn atom() -> BoxedStrategy<Atom> {
    let hostings = subsequence(
        vec![Hosting::OnPrem, Hosting::Internal, Hosting::External],
        1..=2,
    );
    prop_oneof![
        3 => any::<bool>().prop_map(Atom::Pii),
        3 => hostings.prop_map(Atom::HostingIn),
        3 => subsequence(TENANTS.to_vec(), 1..=2).prop_map(|t| Atom::TenantIn(strings(&t))),
        3 => subsequence(REGIONS.to_vec(), 1..=2).prop_map(Atom::RegionsSubsetOf),
        3 => select(ROLES.to_vec()).prop_map(Atom::RolesContain),
        3 => prop_oneof![0.0f64..0.1, select(vec![0.002, 0.01])].prop_map(Atom::EstimateLte),
        1 => select(vec![0.5, 0.75, 0.8]).prop_map(Atom::AccuracyGte),
        3 => select(vec![DataClass::Internal, DataClass::Confidential]).prop_map(Atom::ClassGte),
        3 => select(vec![0u64, 30]).prop_map(Atom::RetentionGt),
        3 => select(TAGS.to_vec()).prop_map(Atom::TagsContain),
        3 => subsequence(TAGS.to_vec(), 1..=2).prop_map(Atom::TagsContainAny),
        3 => select(vec![Trust::Medium, Trust::High]).prop_map(Atom::TrustGte),
        3 => (0.0f64..0.5).prop_map(Atom::RiskLt),
        1 => select(vec![0.0, 0.01]).prop_map(Atom::MaxCostGt),
        3 => select(vec![ServiceStatus::Active, ServiceStatus::Degraded]).prop_map(Atom::Status),
        3 => any::<bool>().prop_map(Atom::Anonymous),
        3 => (50.0f64..3000.0).prop_map(Atom::DeclaredP95Lte),
        3 => any::<bool>().prop_map(Atom::Trains),
        3 => any::<bool>().prop_map(Atom::RolesExist),
        3 => subsequence(LANGS.to_vec(), 1..=2).prop_map(Atom::LanguageIn),
        1 => select(LANGS.to_vec()).prop_map(Atom::LanguagesContain),
        3 => (0usize..12).prop_map(|i| Atom::ServiceId(format!("svc-{i:02}"))),
    ]
    .boxed()
}

fn cond() -> BoxedStrategy<Cond> {
    atom()
        .prop_map(Cond::Atom)
        .prop_recursive(2, 6, 3, |inner| {
            prop_oneof![
                inner.clone().prop_map(|c| Cond::Not(Box::new(c))),
                prop::collection::vec(inner.clone(), 1..=3).prop_map(Cond::Any),
                prop::collection::vec(inner, 1..=3).prop_map(Cond::All),
            ]
        })
        .boxed()
}

fn rule() -> BoxedStrategy<Rule> {
    (
        prop_oneof![
            1 => Just(Effect::Deny),
            1 => Just(Effect::Require),
            2 => (0.0f64..=1.0).prop_map(Effect::Prefer)
        ],
        prop::option::weighted(0.7, cond()),
        prop::option::weighted(0.9, cond()),
        cond(),
    )
        .prop_map(|(effect, when, matches, fallback)| {
            // A require rule needs a match.
            let matches = match (&effect, matches) {
                (Effect::Require, None) => Some(fallback),
                (_, m) => m,
            };
            Rule {
                id: String::new(),
                effect,
                when,
                matches,
            }
        })
        .boxed()
}

fn deny_or_require_rule() -> BoxedStrategy<Rule> {
    (any::<bool>(), prop::option::weighted(0.5, cond()), cond())
        .prop_map(|(deny, when, matches)| Rule {
            id: "zz-extra-rule".into(),
            effect: if deny { Effect::Deny } else { Effect::Require },
            when,
            matches: Some(matches),
        })
        .boxed()
}

fn number_rules(rules: Vec<Rule>) -> Vec<Rule> {
    rules
        .into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            r.id = format!("rule-{i:02}");
            r
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The engine against the oracle
// ---------------------------------------------------------------------------

fn engine_eligible(d: &Decision, step: usize) -> BTreeSet<String> {
    d.steps[step]
        .eligible()
        .map(|c| c.service_id.to_string())
        .collect()
}

fn oracle_eligible(judged: &[Judged]) -> BTreeSet<String> {
    judged
        .iter()
        .filter(|j| j.eligible())
        .map(|j| j.id.clone())
        .collect()
}

fn json(d: &Decision) -> serde_json::Value {
    serde_json::to_value(d).expect("a decision serialises")
}

fn in_unit(x: f64) -> bool {
    x.is_finite() && (0.0..=1.0).contains(&x)
}

/// Every step's pipeline agrees with the oracle: the candidates, the
/// eligible set, each rejection's stage and rules, and each score.
fn check_steps(s: &Scenario, d: &Decision) -> Result<Vec<Vec<Judged>>, TestCaseError> {
    let steps = s.request.steps();
    prop_assert_eq!(d.steps.len(), steps.len());
    let mut all = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let judged = oracle::step(s, step);
        let engine = &d.steps[i];
        let ids: BTreeSet<String> = engine
            .candidates
            .iter()
            .map(|c| c.service_id.to_string())
            .collect();
        let expected: BTreeSet<String> = judged.iter().map(|j| j.id.clone()).collect();
        prop_assert_eq!(ids, expected, "step {}: the candidates", i);
        prop_assert_eq!(
            engine_eligible(d, i),
            oracle_eligible(&judged),
            "step {}: the eligible set",
            i
        );
        for c in &engine.candidates {
            let j = judged
                .iter()
                .find(|j| *j.id == *c.service_id)
                .expect("known");
            match &j.rejected {
                None => {
                    let (got, want) = (c.score.expect("eligible has a score"), j.j.unwrap());
                    prop_assert!(
                        (got - want).abs() <= EPS,
                        "step {}: {} scores {} but J = {}",
                        i,
                        c.service_id,
                        got,
                        want
                    );
                }
                Some((stage, rules)) => {
                    let stages: BTreeSet<Stage> = c.rejections.iter().map(|r| r.stage).collect();
                    prop_assert_eq!(
                        stages,
                        BTreeSet::from([*stage]),
                        "step {}: {} rejection stages",
                        i,
                        &c.service_id
                    );
                    let got: BTreeSet<&str> =
                        c.rejections.iter().map(|r| r.rule.as_ref()).collect();
                    let want: BTreeSet<&str> = rules.iter().map(String::as_str).collect();
                    prop_assert_eq!(got, want, "step {}: {} rules", i, &c.service_id);
                }
            }
        }
        all.push(judged);
    }
    Ok(all)
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

/// `cases` unless `PROPTEST_CASES` says otherwise; failures are printed
/// (minimal counterexample) but not persisted to files.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(cases),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(CASES))]

    /// The generator stays inside the valid domain: every generated contract
    /// (as JSON, which is YAML) passes `caio contract validate`.
    #[test]
    fn generated_contracts_are_valid(s in any_scenario()) {
        for svc in &s.services {
            let text = serde_json::to_string_pretty(&svc.contract).unwrap();
            let file = caio_core::contract::validate_text("generated.yaml", &text);
            prop_assert!(
                file.report.is_valid(),
                "{}\n{:?}",
                text,
                file.report.problems.iter().map(|p| &p.message).collect::<Vec<_>>()
            );
        }
    }

    /// (a) The decision is identical under any permutation of the candidates,
    /// of the rules, and of how the rules are spread over files.
    #[test]
    fn decision_ignores_candidate_rule_and_file_order(
        (s, order, rule_order, file_of) in any_scenario().prop_flat_map(|s| {
            let n = s.services.len();
            let m = s.rules.len();
            (
                Just(s),
                Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
                Just((0..m).collect::<Vec<usize>>()).prop_shuffle(),
                prop::collection::vec(0usize..3, m),
            )
        })
    ) {
        let baseline = route(&s);
        let permuted = route_with(&s, &order, &policies_in(&s, &rule_order, &file_of));
        prop_assert_eq!(json(&baseline), json(&permuted));
        // The reversed order too: the opposite of the sorted one.
        let reversed: Vec<usize> = (0..s.services.len()).rev().collect();
        let mut rules_reversed: Vec<usize> = (0..s.rules.len()).collect();
        rules_reversed.reverse();
        let reversed = route_with(&s, &reversed, &policies_in(&s, &rules_reversed, &[]));
        prop_assert_eq!(json(&baseline), json(&reversed));
    }

    /// (b) The pipeline and the master equation agree with the oracle, and
    /// the chosen service is eligible with the maximum J (ties within 1e-9).
    #[test]
    fn chosen_service_is_eligible_and_maximises_j(s in single_scenario()) {
        let d = route(&s);
        let judged = check_steps(&s, &d)?.remove(0);
        let eligible = oracle_eligible(&judged);
        let refused = matches!(s.identity, Identity::Refused { .. });
        match d.outcome {
            Outcome::Refused => prop_assert!(refused),
            Outcome::NoRoute => {
                prop_assert!(!refused);
                prop_assert!(eligible.is_empty(), "no_route with eligible {:?}", eligible);
                prop_assert!(oracle::probe(&s, &s.request.steps()[0]).is_none());
                prop_assert!(d.chosen.is_empty() && d.score.is_none());
            }
            Outcome::Routed if eligible.is_empty() => {
                let probe = oracle::probe(&s, &s.request.steps()[0]);
                prop_assert!(probe.is_some(), "routed with nothing eligible and no probe");
                let (id, j) = probe.unwrap();
                prop_assert_eq!(&d.chosen[0].service_id, &id);
                prop_assert!(d.chosen[0].probe);
                prop_assert!((d.score.unwrap() - j).abs() <= EPS);
            }
            Outcome::Routed => {
                prop_assert!(!refused);
                prop_assert_eq!(d.chosen.len(), 1);
                prop_assert!(!d.chosen[0].probe);
                let chosen = &d.chosen[0].service_id;
                prop_assert!(eligible.contains(chosen), "{} is not eligible", chosen);
                let best = judged.iter().filter_map(|j| j.j).fold(f64::NEG_INFINITY, f64::max);
                let j = judged.iter().find(|j| &j.id == chosen).and_then(|j| j.j).unwrap();
                prop_assert!(j >= best - EPS, "chose {} with J = {}, but the best J is {}", chosen, j, best);
                prop_assert!((d.score.unwrap() - j).abs() <= EPS);
            }
        }
    }

    /// (c) Every control component is finite and in [0, 1]; for a single
    /// step each one equals its SPEC §5 definition.
    #[test]
    fn control_components_are_in_the_unit_interval(s in any_scenario()) {
        let d = route(&s);
        prop_assert_eq!(d.control.is_some(), d.outcome == Outcome::Routed);
        let Some(u) = d.control else { return Ok(()) };
        for (name, x) in [
            ("confidence", u.confidence),
            ("latency_headroom", u.latency_headroom),
            ("budget_headroom", u.budget_headroom),
            ("risk", u.risk),
        ] {
            prop_assert!(in_unit(x), "{} = {}", name, x);
        }
        if s.request.chain.is_some() {
            return Ok(());
        }
        let judged = oracle::step(&s, &s.request.steps()[0]);
        let chosen = judged.iter().find(|j| j.id == d.chosen[0].service_id).unwrap();
        if d.chosen[0].probe {
            // The probe is scored alone: no runner-up.
            prop_assert_eq!(u.confidence, 1.0);
            return Ok(());
        }
        let j1 = chosen.j.unwrap();
        let runner_up = judged
            .iter()
            .filter(|j| j.id != chosen.id)
            .filter_map(|j| j.j)
            .reduce(f64::max);
        let confidence = runner_up.map_or(1.0, |j2| clamp01(10.0 * (j1 - j2)));
        prop_assert!((u.confidence - confidence).abs() <= 1e-7, "confidence {} vs {}", u.confidence, confidence);
        let req = &s.request.requirements;
        let f = chosen.facts;
        let latency = req.max_latency_p95_ms.map_or(1.0, |m| clamp01(1.0 - f.p95 / m));
        prop_assert!((u.latency_headroom - latency).abs() <= EPS);
        let budget = match req.max_cost {
            None => 1.0,
            Some(m) if m == 0.0 && f.cost == 0.0 => 1.0,
            Some(m) => clamp01(1.0 - f.cost / m),
        };
        prop_assert!((u.budget_headroom - budget).abs() <= EPS, "budget {} vs {}", u.budget_headroom, budget);
        prop_assert!((u.risk - f.rho).abs() <= EPS);
    }

    /// (e) Adding a deny or require rule never makes an ineligible service
    /// eligible (single steps and every step of a chain).
    #[test]
    fn a_deny_or_require_rule_never_enlarges_the_eligible_set(
        s in any_scenario(),
        extra in deny_or_require_rule(),
    ) {
        let before = route(&s);
        let mut more = s.clone();
        more.rules.push(extra);
        let after = route(&more);
        for i in 0..before.steps.len() {
            let (b, a) = (engine_eligible(&before, i), engine_eligible(&after, i));
            prop_assert!(a.is_subset(&b), "step {}: {:?} ⊄ {:?}", i, a, b);
        }
        if before.outcome != Outcome::Routed {
            prop_assert_ne!(after.outcome, Outcome::Routed);
        }
    }

    /// Determinism: the same inputs give the same decision, twice.
    #[test]
    fn the_same_inputs_give_the_same_decision(s in any_scenario()) {
        let policies = natural_policies(&s);
        let order = identity_order(&s);
        let first = json(&route_with(&s, &order, &policies));
        let second = json(&route_with(&s, &order, &policies));
        prop_assert_eq!(first, second);
    }

    /// (f) The panic guard: with circuits open on most services, the
    /// decision agrees with the oracle's probe (or its eligible set), in any
    /// candidate order, and the probe stays out of the eligible set.
    #[test]
    fn the_panic_guard_probes_the_earliest_opened_circuit(
        s in guarded_scenario(),
        shuffle in any::<u64>(),
    ) {
        let d = route(&s);
        let judged = check_steps(&s, &d)?.remove(0);
        let probe = oracle::probe(&s, &s.request.steps()[0]);
        match (&probe, d.outcome) {
            (Some((id, j)), Outcome::Routed) => {
                prop_assert_eq!(&d.chosen[0].service_id, id);
                prop_assert!(d.chosen[0].probe);
                prop_assert!((d.score.unwrap() - j).abs() <= EPS);
                prop_assert!(d.summary.contains("half-open probe"), "{}", d.summary);
            }
            (Some(_), other) => prop_assert!(false, "a probe was due, got {:?}", other),
            (None, _) => {
                prop_assert!(d.chosen.iter().all(|c| !c.probe));
                if d.outcome == Outcome::Routed {
                    prop_assert!(oracle_eligible(&judged).contains(&d.chosen[0].service_id));
                }
            }
        }
        let mut order = identity_order(&s);
        let mut x = shuffle;
        for i in (1..order.len()).rev() {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            order.swap(i, (x >> 33) as usize % (i + 1));
        }
        prop_assert_eq!(json(&d), json(&route_with(&s, &order, &natural_policies(&s))));
    }
}

/// A single-step scenario whose services mostly have open circuits.
fn guarded_scenario() -> BoxedStrategy<Scenario> {
    (
        single_scenario(),
        prop::collection::vec((prop::bool::weighted(0.8), opened_at()), 12),
    )
        .prop_map(|(mut s, circuits)| {
            for (svc, (open, at)) in s.services.iter_mut().zip(circuits) {
                svc.stats.circuit_open = open;
                svc.stats.circuit_opened_at_ms = at.filter(|_| open);
            }
            s
        })
        .boxed()
}

proptest! {
    #![proptest_config(config(CHAIN_CASES))]

    /// (d) Chain search equals exhaustive enumeration: the best total of the
    /// combinations of eligible candidates (engine per-step scores) meeting
    /// Σ p95 ≤ max_latency, Σ cost ≤ max_cost, Π availability ≥
    /// min_availability, or no_route when none does; the composed guarantees
    /// are those of the chosen chain.
    #[test]
    fn chain_search_equals_exhaustive_enumeration(s in chain_scenario()) {
        let d = route(&s);
        if matches!(s.identity, Identity::Refused { .. }) {
            prop_assert_eq!(d.outcome, Outcome::Refused);
            return Ok(());
        }
        let judged = check_steps(&s, &d)?;
        // Per step: (id, engine score, p95, cost, availability), eligible only.
        let items: Vec<Vec<(String, f64, Facts)>> = d
            .steps
            .iter()
            .zip(&judged)
            .map(|(step, judged)| {
                step.eligible()
                    .map(|c| {
                        let f = judged.iter().find(|j| *j.id == *c.service_id).unwrap().facts;
                        (c.service_id.to_string(), c.score.unwrap(), f)
                    })
                    .collect()
            })
            .collect();
        let bounds = &s.request.requirements;
        let max_latency = bounds.max_latency_p95_ms.unwrap_or(f64::INFINITY);
        let max_cost = bounds.max_cost.unwrap_or(f64::INFINITY);
        let min_availability = bounds.min_availability.unwrap_or(0.0);
        let compose = |pick: &[usize]| {
            let (mut total, mut l, mut c, mut a) = (0.0, 0.0, 0.0, 1.0);
            for (step, &k) in items.iter().zip(pick) {
                let (_, score, f) = &step[k];
                total += score;
                l += f.p95;
                c += f.cost;
                a *= f.availability;
            }
            (total, l, c, a)
        };
        let feasible = |(_, l, c, a): (f64, f64, f64, f64)| {
            l <= max_latency && c <= max_cost && a >= min_availability
        };
        // Every combination.
        let mut best: Option<(f64, Vec<usize>)> = None;
        let mut pick = vec![0usize; items.len()];
        let total_combos: usize = items.iter().map(Vec::len).product();
        for mut n in 0..total_combos {
            for (k, step) in pick.iter_mut().zip(&items) {
                *k = n % step.len();
                n /= step.len();
            }
            let composed = compose(&pick);
            if feasible(composed) && best.as_ref().is_none_or(|(b, _)| composed.0 > *b) {
                best = Some((composed.0, pick.clone()));
            }
        }
        match best {
            None => {
                prop_assert_eq!(
                    d.outcome, Outcome::NoRoute,
                    "the engine routed {:?} (score {:?}) but no combination is feasible",
                    d.chosen.iter().map(|c| &c.service_id).collect::<Vec<_>>(), d.score
                );
                prop_assert!(d.score.is_none() && d.chosen.is_empty());
            }
            Some((best, best_pick)) => {
                let best_ids: Vec<&String> =
                    best_pick.iter().zip(&items).map(|(&k, step)| &step[k].0).collect();
                prop_assert_eq!(
                    d.outcome, Outcome::Routed,
                    "no_route ({:?}), but {:?} is feasible with total {}",
                    &d.reason, best_ids, best
                );
                let total = d.score.unwrap();
                prop_assert!(
                    (total - best).abs() <= EPS,
                    "the engine's total {} vs the best {} ({:?})",
                    total, best, best_ids
                );
                // The chosen chain itself: eligible, feasible, scoring `total`.
                let chosen: Vec<usize> = d.chosen.iter().zip(&items).map(|(c, step)| {
                    step.iter().position(|(id, _, _)| *id == c.service_id).expect("chosen is eligible")
                }).collect();
                let composed = compose(&chosen);
                prop_assert!(feasible(composed), "the chosen chain breaks a bound: {:?}", composed);
                prop_assert!((composed.0 - total).abs() <= EPS);
                let g = d.guarantees.as_ref().unwrap();
                prop_assert!((g.latency_p95_ms - composed.1).abs() <= 1e-9 * composed.1.max(1.0));
                prop_assert!((g.cost - composed.2).abs() <= 1e-12);
                prop_assert!((g.availability - composed.3).abs() <= 1e-12);
                let accuracy = chosen.iter().zip(&items).map(|(&k, step)| step[k].2.accuracy)
                    .try_fold(f64::INFINITY, |m, a| a.map(|a| m.min(a)));
                prop_assert_eq!(g.accuracy, accuracy);
            }
        }
    }

    /// (d, boundary) A chain whose end-to-end bounds are exactly the
    /// composed values of one of its eligible combinations (Σ p95, Σ cost,
    /// Π availability, in step order, as the decision reports them) is
    /// feasible: the engine routes, with a total at least that combination's.
    #[test]
    fn a_chain_exactly_at_its_bounds_is_routed(
        s in chain_scenario(),
        picks in prop::collection::vec(any::<Index>(), 3),
    ) {
        let mut free = s.clone();
        let r = &mut free.request.requirements;
        (r.max_latency_p95_ms, r.max_cost, r.min_availability) = (None, None, None);
        let d0 = route(&free);
        if d0.outcome != Outcome::Routed {
            return Ok(());
        }
        // One eligible candidate per step, and the chain's composed values.
        let steps = s.request.steps();
        let (mut total, mut latency, mut cost, mut availability) = (0.0, 0.0, 0.0, 1.0);
        let mut ids = Vec::new();
        for ((step, result), pick) in steps.iter().zip(&d0.steps).zip(&picks) {
            let eligible: Vec<_> = result.eligible().collect();
            let c = pick.get(&eligible);
            let svc = s.services.iter().find(|x| *x.contract.service_id == *c.service_id).unwrap();
            let f = facts(svc, &step.input);
            total += c.score.unwrap();
            latency += f.p95;
            cost += f.cost;
            availability *= f.availability;
            ids.push(c.service_id.clone());
        }
        let mut bounded = s.clone();
        let r = &mut bounded.request.requirements;
        r.max_latency_p95_ms = Some(latency);
        r.max_cost = Some(cost);
        r.min_availability = Some(availability);
        let d = route(&bounded);
        // A policy may read `request.requirements.*`: then eligibility moved.
        let same = (0..steps.len()).all(|i| engine_eligible(&d0, i) == engine_eligible(&d, i));
        if !same {
            return Ok(());
        }
        prop_assert_eq!(
            d.outcome, Outcome::Routed,
            "{:?} composes to {} ms, cost {}, availability {}, exactly the bounds, but: {:?}",
            ids, latency, cost, availability, &d.reason
        );
        prop_assert!(d.score.unwrap() >= total - EPS);
    }
}

// ---------------------------------------------------------------------------
// Counterexamples found by the properties, kept as plain tests
// ---------------------------------------------------------------------------

/// A plain active service: one capability, a flat price per request.
fn plain_service(id: &str, capability: &str, per_request: f64) -> Service {
    Service {
        contract: ServiceContract {
            api_version: "caio/v1".into(),
            service_id: id.into(),
            name: id.into(),
            version: "1.0.0".into(),
            provider: None,
            description: None,
            tags: Vec::new(),
            capabilities: vec![Capability {
                kind: capability.into(),
                input: None,
                output: None,
                max_input_tokens: None,
                languages: None,
            }],
            guarantees: Guarantees {
                latency_ms: Latency {
                    p50: 50.0,
                    p95: 100.0,
                    p99: 200.0,
                },
                availability: 0.999,
                accuracy: Some(0.8),
            },
            cost: Cost {
                currency: "USD".into(),
                per_request,
                per_1k_input_tokens: 0.0,
                per_1k_output_tokens: 0.0,
            },
            privacy: Privacy {
                hosting: Hosting::Internal,
                regions: strings(&["eu"]),
                max_data_class: DataClass::Restricted,
                pii_allowed: false,
                retention_days: 0,
                trains_on_customer_data: false,
            },
            access: Access::default(),
            endpoint: Endpoint {
                url: "https://svc.example/v1".into(),
                protocol: caio_core::contract::Protocol::Http,
                model: None,
                method: "POST".into(),
                timeout_ms: 30_000,
                auth: None,
                headers: BTreeMap::new(),
            },
            risk: 0.0,
        },
        status: ServiceStatus::Active,
        stats: ServiceStats::default(),
    }
}

/// Found by `chain_search_equals_exhaustive_enumeration` (minimal case:
/// one service per step, `max_cost` equal to the chain's composed cost).
///
/// Three steps priced 0.001, 0.001 and 0.008 under `max_cost: 0.01`. Added
/// in step order — as `compose` does, and as the decision reports — the
/// chain costs 0.001 + 0.001 + 0.008 = 0.01, within the bound. But the
/// search prunes a branch when `cost so far + cheapest completion` exceeds
/// the bound, and the cheapest completion is a suffix sum added in another
/// order: 0.001 + (0.008 + 0.001) = 0.010000000000000002 > 0.01. So the only
/// feasible chain is pruned and the engine answers no_route ("the cheapest
/// chain costs 0.01 > 0.01").
#[test]
fn a_chain_exactly_at_its_cost_bound_is_routed() {
    let mut request = Request::for_capability("ocr");
    request.capability = None;
    request.chain = Some(
        CHAIN_CAPS
            .iter()
            .map(|c| Step {
                capability: c.to_string(),
                input: Input::default(),
            })
            .collect(),
    );
    request.requirements.max_cost = Some(0.01);
    let s = Scenario {
        services: vec![
            plain_service("svc-ocr", "ocr", 0.001),
            plain_service("svc-translate", "translate", 0.001),
            plain_service("svc-summarize", "summarize", 0.008),
        ],
        identity: Identity::Anonymous,
        rules: Vec::new(),
        request,
    };
    // The oracle's view: in step order the chain costs exactly the bound.
    assert_eq!(0.0 + 0.001 + 0.001 + 0.008, 0.01);
    let d = route(&s);
    assert_eq!(
        d.outcome,
        Outcome::Routed,
        "the chain costs 0.01 ≤ max_cost 0.01, but: {:?}",
        d.reason
    );
    assert_eq!(d.guarantees.map(|g| g.cost), Some(0.01));
}
