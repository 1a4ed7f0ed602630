//! Scenarios: a registry of services (contracts with status and execution
//! stats), a policy set, who is asking and a request — drawn at random from a
//! `Gen` within the valid domain, covering ties (exact copies under other
//! ids), empty eligible sets, every rejection stage, extreme but valid
//! numbers and many tenants.

use super::random::Gen;
use super::rules::{self, LANGS, REGIONS, ROLES, Rule, RuleMix, TAGS};
use caio_core::contract::{
    Access, Capability, Cost, DataClass, Endpoint, Guarantees, Hosting, Latency, Modality, Privacy,
    ServiceContract, Trust,
};
use caio_core::lifecycle::ServiceStatus;
use caio_core::policy::PolicySet;
use caio_core::principal::{AuthFailure, Principal};
use caio_core::request::{Input, Priority, Request, Step, Weights};
use caio_core::routing::{Candidate, Identity, ServiceStats};
use std::collections::BTreeMap;

/// One registered service as the router sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// Its contract (valid, in the registry's currency).
    pub contract: ServiceContract,
    /// Its lifecycle status.
    pub status: ServiceStatus,
    /// Its execution stats (success rate, observed p95, circuit).
    pub stats: ServiceStats,
}

/// Everything one route call is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The candidates, in registration order, with unique ids.
    pub services: Vec<Service>,
    /// The policy rules, with unique ids, in written order.
    pub rules: Vec<Rule>,
    /// Who asks.
    pub identity: Identity,
    /// The request, defaults applied.
    pub request: Request,
}

/// A generated policy file the real loader refused: a bug in the generator.
#[derive(Debug, Clone)]
pub(crate) struct BadPolicies(pub(crate) String);

impl Scenario {
    /// The candidates in registration order.
    pub(crate) fn candidates(&self) -> Vec<Candidate<'_>> {
        self.candidates_in(&(0..self.services.len()).collect::<Vec<_>>())
    }

    /// The candidates in `order` (indexes into `services`).
    pub fn candidates_in(&self, order: &[usize]) -> Vec<Candidate<'_>> {
        order
            .iter()
            .map(|&i| {
                let s = &self.services[i];
                Candidate {
                    contract: (&s.contract).into(),
                    status: s.status,
                    status_reason: None,
                    stats: s.stats,
                }
            })
            .collect()
    }

    /// The rules as one policy file.
    pub(crate) fn policy_text(&self) -> String {
        rules::policy_text(&self.rules)
    }

    /// The rules read by the real policy loader.
    pub(crate) fn policies(&self) -> Result<PolicySet, BadPolicies> {
        let text = self.policy_text();
        let file =
            caio_core::policy::load::load_text("generated.yaml", &text, std::path::Path::new("."));
        if !file.report.is_valid() || file.policies.len() != self.rules.len() {
            let problems: Vec<String> = file
                .report
                .problems
                .iter()
                .map(|p| format!("{}: {}", p.code, p.message))
                .collect();
            return Err(BadPolicies(format!(
                "the generated policy file was refused: {}\n{text}",
                problems.join("; ")
            )));
        }
        Ok(PolicySet::new(file.policies))
    }

    /// The service with this id.
    pub(crate) fn service(&self, id: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.contract.service_id == id)
    }
}

/// How a check wants its scenarios: what to stress.
#[derive(Debug, Clone)]
pub(crate) struct Profile {
    /// Services per scenario (1..=max, plus tie copies).
    pub(crate) max_services: usize,
    /// Probability of a chain request.
    pub(crate) chain: f64,
    /// Weight of unrestricted services (against 1 for fully random ones).
    pub(crate) open: u32,
    /// Probability that a service restricts roles / tenants.
    pub(crate) roles: f64,
    /// Relative weights of a service's min_trust: low, medium, high.
    pub(crate) trust: [u32; 3],
    pub(crate) tenant_restricted: f64,
    /// The tenants principals and services are drawn from.
    pub(crate) tenants: Vec<String>,
    /// At most this many rules.
    pub(crate) max_rules: usize,
    pub(crate) mix: RuleMix,
    /// Relative weights of anonymous, simulated and refused callers.
    pub(crate) identity: [u32; 3],
    /// Probability of each end-to-end bound (latency, availability, cost).
    pub(crate) bounds: f64,
    /// Probability of each trait requirement (tags, hosting, regions).
    pub(crate) traits: f64,
    /// Probability that the request carries sensitive data or PII.
    pub(crate) sensitive: f64,
    /// Probability that a service has extreme (but valid) numbers.
    pub(crate) extremes: f64,
    /// Non-active statuses and execution stats.
    pub(crate) statuses: bool,
    /// Contracts (from `--contracts`) mixed into the generated registries.
    pub(crate) pool: Vec<ServiceContract>,
    /// The registry's currency.
    pub(crate) currency: String,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            max_services: 10,
            chain: 0.25,
            open: 1,
            roles: 0.08,
            trust: [12, 2, 1],
            tenant_restricted: 0.08,
            tenants: tenants(3),
            max_rules: 3,
            mix: RuleMix::default(),
            identity: [6, 12, 1],
            bounds: 0.25,
            traits: 0.07,
            sensitive: 0.1,
            extremes: 0.05,
            statuses: true,
            pool: Vec::new(),
            currency: "USD".into(),
        }
    }
}

/// `tenant-00`, `tenant-01`, …
pub(crate) fn tenants(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("tenant-{i:02}")).collect()
}

const CHAIN_CAPS: &[&str] = &["ocr", "translate", "summarize", "classify"];

/// A whole scenario: single step or chain.
pub(crate) fn scenario(g: &mut Gen, p: &Profile) -> Scenario {
    if g.chance(p.chain) {
        chain_scenario(g, p)
    } else {
        single_scenario(g, p)
    }
}

/// A single-step request over 1..=max services (a few offering only
/// `embedding`; some exact copies of others under another id, for ties).
pub(crate) fn single_scenario(g: &mut Gen, p: &Profile) -> Scenario {
    let n = g.int(1, p.max_services.max(1) as u64) as usize;
    let mut services: Vec<Service> = (0..n).map(|_| any_service(g, p, "chat")).collect();
    for _ in 0..g.below(3) {
        let copy = g.pick(&services).clone();
        services.push(copy);
    }
    name_services(&mut services);
    mix_pool(g, p, &mut services);
    let capability = if g.chance(0.05) {
        "embedding".to_string()
    } else if !p.pool.is_empty() && g.chance(0.3) {
        let caps: Vec<&str> = services
            .iter()
            .flat_map(|s| s.contract.capabilities.iter().map(|c| c.kind.as_str()))
            .collect();
        g.pick(&caps).to_string()
    } else {
        "chat".to_string()
    };
    let step = Step {
        capability,
        input: input(g),
    };
    finish(g, p, services, vec![step])
}

/// A chain of 2–3 steps, each offered by 1–5 services, sometimes one
/// service offering several steps.
pub(crate) fn chain_scenario(g: &mut Gen, p: &Profile) -> Scenario {
    let n = g.int(2, 3) as usize;
    let mut services = Vec::new();
    for cap in CHAIN_CAPS.iter().take(n) {
        for _ in 0..g.int(1, 5) {
            services.push(any_service(g, p, cap));
        }
    }
    if g.chance(0.3) {
        let mut s = any_service(g, p, CHAIN_CAPS[0]);
        let template = s.contract.capabilities[0].clone();
        s.contract.capabilities = g
            .subset(&CHAIN_CAPS[..n], 2, n)
            .iter()
            .map(|k| Capability {
                kind: k.to_string(),
                ..template.clone()
            })
            .collect();
        services.push(s);
    }
    name_services(&mut services);
    let steps = CHAIN_CAPS
        .iter()
        .take(n)
        .map(|c| Step {
            capability: c.to_string(),
            input: input(g),
        })
        .collect();
    finish(g, p, services, steps)
}

fn finish(g: &mut Gen, p: &Profile, services: Vec<Service>, steps: Vec<Step>) -> Scenario {
    let rules: Vec<Rule> = (0..g.int(0, p.max_rules as u64))
        .map(|i| {
            let mut r = rules::rule(g, &p.mix, &p.tenants, services.len());
            r.id = format!("rule-{i:02}");
            r
        })
        .collect();
    let identity = identity(g, p);
    let request = request(g, p, &services, &steps);
    Scenario {
        services,
        rules,
        identity,
        request,
    }
}

pub(crate) fn name_services(services: &mut [Service]) {
    for (i, s) in services.iter_mut().enumerate() {
        s.contract.service_id = format!("svc-{i:02}");
    }
}

/// Replaces some services by contracts of the pool (with their own ids).
fn mix_pool(g: &mut Gen, p: &Profile, services: &mut [Service]) {
    if p.pool.is_empty() {
        return;
    }
    let mut used: Vec<String> = Vec::new();
    for s in services.iter_mut() {
        if g.chance(0.3) {
            let c = g.pick(&p.pool);
            if used.contains(&c.service_id) {
                continue;
            }
            used.push(c.service_id.clone());
            s.contract = c.clone();
        }
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// One in `1 + open` services is fully random; the others are open to
/// most requests (active, no access or capability restrictions, any data).
pub(crate) fn any_service(g: &mut Gen, p: &Profile, capability: &str) -> Service {
    let mut s = service(g, p, capability);
    if g.below(u64::from(p.open) + 1) > 0 {
        open_up(&mut s);
    }
    s
}

/// Removes what would reject the service for most requests.
pub(crate) fn open_up(s: &mut Service) {
    if matches!(s.status, ServiceStatus::Drained | ServiceStatus::Disabled) {
        s.status = ServiceStatus::Active;
    }
    s.stats.circuit_open = false;
    s.contract.access = Access::default();
    for offered in &mut s.contract.capabilities {
        offered.input = None;
        offered.languages = None;
        offered.max_input_tokens = None;
    }
    s.contract.privacy.max_data_class = DataClass::Restricted;
    s.contract.privacy.pii_allowed = true;
}

/// A random valid service offering `capability` (one in ten offers
/// `embedding` instead of `chat`).
pub(crate) fn service(g: &mut Gen, p: &Profile, capability: &str) -> Service {
    let extreme = g.chance(p.extremes);
    let p95 = if extreme {
        *g.pick(&[0.001, 1e-6, 1e9, 86_400_000.0])
    } else if g.chance(0.5) {
        *g.pick(&[100.0, 250.0, 400.0, 900.0])
    } else {
        g.range(50.0, 3000.0)
    };
    let availability = if extreme {
        *g.pick(&[1.0, 1e-6, 0.5])
    } else if g.chance(0.5) {
        *g.pick(&[0.9, 0.99, 0.995, 0.999, 1.0])
    } else {
        g.range(0.9, 1.0)
    };
    let accuracy = if g.chance(0.2) {
        None
    } else if extreme {
        Some(*g.pick(&[0.0, 1.0]))
    } else if g.chance(0.5) {
        Some(*g.pick(&[0.6, 0.75, 0.8, 0.9]))
    } else {
        Some(g.unit())
    };
    let price = |g: &mut Gen, max: f64| {
        if extreme && g.chance(0.5) {
            *g.pick(&[0.0, 1e6])
        } else {
            match g.below(3) {
                0 => 0.0,
                1 => *g.pick(&[max / 10.0, max / 2.0]),
                _ => g.range(0.0, max),
            }
        }
    };
    let cost = Cost {
        currency: p.currency.clone(),
        per_request: price(g, 0.02),
        per_1k_input_tokens: price(g, 0.01),
        per_1k_output_tokens: price(g, 0.03),
    };
    let risk = match g.below(3) {
        0 => 0.0,
        1 => *g.pick(&[0.1, 0.2]),
        _ if extreme => 1.0,
        _ => g.range(0.0, 0.5),
    };
    let kind = if capability == "chat" && g.chance(0.1) {
        "embedding"
    } else {
        capability
    };
    let modalities = [Modality::Text, Modality::Image, Modality::Audio];
    let offered = Capability {
        kind: kind.to_string(),
        input: g.chance(0.2).then(|| g.subset(&modalities, 1, 2)),
        output: None,
        max_input_tokens: g
            .chance(0.2)
            .then(|| *g.pick(&[1000u64, 4000, 8000, 32000, 128000])),
        languages: g.chance(0.2).then(|| strings(&g.subset(LANGS, 1, 3))),
    };
    let privacy = Privacy {
        hosting: *g.pick(&[Hosting::OnPrem, Hosting::Internal, Hosting::External]),
        regions: strings(&g.subset(REGIONS, 1, 2)),
        max_data_class: [
            DataClass::Public,
            DataClass::Internal,
            DataClass::Confidential,
            DataClass::Restricted,
        ][g.weighted(&[1, 2, 5, 4])],
        pii_allowed: g.chance(0.5),
        retention_days: *g.pick(&[0, 30, 90]),
        trains_on_customer_data: g.chance(0.3),
    };
    let access = Access {
        min_trust: [Trust::Low, Trust::Medium, Trust::High][g.weighted(&p.trust)],
        roles: g.chance(p.roles).then(|| strings(&g.subset(ROLES, 1, 2))),
        tenants: (g.chance(p.tenant_restricted) && !p.tenants.is_empty())
            .then(|| g.subset(&p.tenants, 1, 3)),
    };
    let contract = ServiceContract {
        api_version: caio_core::contract::API_VERSION.into(),
        service_id: "placeholder".into(),
        name: "Generated service".into(),
        version: "1.0.0".into(),
        provider: Some("generated".into()),
        description: None,
        tags: strings(&g.subset(TAGS, 0, 3)),
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
        cost,
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
    };
    let (status, stats) = if p.statuses {
        let status = [
            ServiceStatus::Active,
            ServiceStatus::Degraded,
            ServiceStatus::Drained,
            ServiceStatus::Disabled,
        ][g.weighted(&[30, 6, 1, 1])];
        let stats = ServiceStats {
            success_rate: g.chance(0.3).then(|| g.unit()),
            observations: *g.pick(&[0, 10, 20, 50]),
            observed_p95_ms: g.chance(0.4).then(|| g.range(50.0, 4000.0)),
            circuit_open: g.chance(0.02),
            ..ServiceStats::default()
        };
        (status, stats)
    } else {
        (ServiceStatus::Active, ServiceStats::default())
    };
    Service {
        contract,
        status,
        stats,
    }
}

pub(crate) fn principal(g: &mut Gen, p: &Profile, name: &str) -> Principal {
    Principal {
        name: name.to_string(),
        tenant: (g.chance(0.8) && !p.tenants.is_empty()).then(|| g.pick(&p.tenants).clone()),
        roles: strings(&g.subset(ROLES, 0, 2)),
        trust: *g.pick(&[Trust::Low, Trust::Medium, Trust::High]),
    }
}

pub(crate) fn identity(g: &mut Gen, p: &Profile) -> Identity {
    match g.weighted(&p.identity) {
        0 => Identity::Anonymous,
        1 => Identity::Simulated {
            principal: principal(g, p, "generated"),
        },
        _ => Identity::Refused {
            failure: *g.pick(&[
                AuthFailure::Unknown,
                AuthFailure::Revoked,
                AuthFailure::Malformed,
            ]),
        },
    }
}

pub(crate) fn input(g: &mut Gen) -> Input {
    let modalities = [Modality::Text, Modality::Image, Modality::Audio];
    Input {
        modalities: g.chance(0.15).then(|| g.subset(&modalities, 1, 2)),
        tokens: match g.weighted(&[1, 4, 1, 1]) {
            0 => 0,
            1 => g.int(1, 4_000),
            2 => g.int(4_000, 20_000),
            // Extreme: a request no service should be asked for, still valid.
            _ => *g.pick(&[1_000_000, 1_000_000_000_000]),
        },
        expected_output_tokens: if g.chance(0.5) { 0 } else { g.int(1, 4_000) },
        language: g.chance(0.15).then(|| g.pick(LANGS).to_string()),
    }
}

/// What a service would contribute to a step (the generator's own view,
/// for placing bounds on candidates' exact values).
fn declared(s: &Service, input: &Input) -> Values {
    let c = &s.contract;
    let cost = c.cost.per_request
        + input.tokens as f64 / 1000.0 * c.cost.per_1k_input_tokens
        + input.expected_output_tokens as f64 / 1000.0 * c.cost.per_1k_output_tokens;
    (
        c.guarantees.latency_ms.p95,
        c.guarantees.availability,
        cost,
        c.guarantees.accuracy,
    )
}

/// A candidate's p95, availability, cost and accuracy for one step.
type Values = (f64, f64, f64, Option<f64>);

/// A request for `steps`; bounds are either free or exactly the value of
/// one candidate (or of one combination of a chain), to hit `≤`/`≥`.
pub(crate) fn request(g: &mut Gen, p: &Profile, services: &[Service], steps: &[Step]) -> Request {
    let mut r = Request::for_capability(&steps[0].capability);
    if steps.len() == 1 {
        r.input = steps[0].input.clone();
    } else {
        r.capability = None;
        r.chain = Some(steps.to_vec());
    }
    if g.chance(p.sensitive) {
        r.data.class = *g.pick(&[DataClass::Confidential, DataClass::Restricted]);
        r.data.contains_pii = g.chance(0.5);
    } else {
        r.data.class = [DataClass::Public, DataClass::Internal][g.weighted(&[1, 2])];
    }
    // Each step's candidates' (p95, availability, cost, accuracy).
    let per_step: Vec<Vec<Values>> = steps
        .iter()
        .map(|step| {
            services
                .iter()
                .filter(|s| {
                    s.contract
                        .capabilities
                        .iter()
                        .any(|c| c.kind == step.capability)
                })
                .map(|s| declared(s, &step.input))
                .collect()
        })
        .collect();
    let pick_combo = |g: &mut Gen,
                      f: &dyn Fn(&Values) -> f64,
                      fold: fn(f64, f64) -> f64,
                      init: f64|
     -> Option<f64> {
        if per_step.iter().any(Vec::is_empty) || !g.chance(0.6) {
            return None;
        }
        let v = per_step
            .iter()
            .map(|values| f(g.pick(values)))
            .fold(init, fold);
        Some(if g.chance(0.25) {
            v * g.range(0.7, 1.3)
        } else {
            v
        })
    };
    let req = &mut r.requirements;
    if g.chance(p.bounds) {
        req.max_latency_p95_ms = Some(
            pick_combo(g, &|x| x.0, |a, b| a + b, 0.0)
                .unwrap_or_else(|| g.range(50.0, 4000.0))
                .max(1e-9),
        );
    }
    if g.chance(p.bounds / 2.0) {
        req.min_availability = Some(
            pick_combo(g, &|x| x.1, |a, b| a * b, 1.0)
                .unwrap_or_else(|| g.range(0.85, 1.0))
                .clamp(0.0, 1.0),
        );
    }
    if g.chance(p.bounds) {
        req.max_cost = Some(
            pick_combo(g, &|x| x.2, |a, b| a + b, 0.0)
                .unwrap_or_else(|| {
                    if g.chance(0.3) {
                        0.0
                    } else {
                        g.range(0.0, 0.2)
                    }
                })
                .max(0.0),
        );
    }
    if g.chance(0.15) {
        let accuracies: Vec<f64> = per_step[0].iter().filter_map(|x| x.3).collect();
        req.min_accuracy = Some(if !accuracies.is_empty() && g.chance(0.6) {
            *g.pick(&accuracies)
        } else {
            g.unit()
        });
    }
    if g.chance(p.traits) {
        req.regions = Some(strings(&g.subset(REGIONS, 1, 3)));
    }
    if g.chance(p.traits) {
        req.tags = Some(strings(&g.subset(TAGS, 1, 2)));
    }
    if g.chance(p.traits) {
        req.hosting = Some(g.subset(
            &[Hosting::OnPrem, Hosting::Internal, Hosting::External],
            1,
            2,
        ));
    }
    let prefs = &mut r.preferences;
    if g.chance(0.2) {
        let mut w = || {
            if g.chance(0.3) {
                0.0
            } else {
                (g.range(0.0, 3.0) * 1000.0).round() / 1000.0
            }
        };
        let mut weights = Weights {
            q: w(),
            h: w(),
            t: w(),
            c: w(),
            l: w(),
            r: w(),
        };
        if [
            weights.q, weights.h, weights.t, weights.c, weights.l, weights.r,
        ]
        .iter()
        .all(|x| *x == 0.0)
        {
            weights.q = 1.0;
        }
        prefs.weights = Some(weights);
    } else {
        prefs.priority = *g.pick(&Priority::ALL);
    }
    prefs.prefer_tags = strings(&g.subset(TAGS, 0, 2));
    if g.chance(0.1) && !services.is_empty() {
        prefs.exclude_services = vec![g.pick(services).contract.service_id.clone()];
    }
    r.seed = match g.below(4) {
        0 => 0,
        1 => 1,
        2 => 42,
        _ => g.below(1 << 32),
    };
    r
}
