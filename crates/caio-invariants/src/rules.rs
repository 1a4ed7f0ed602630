//! Generated policy rules: a small model of the policy language (SPEC §7)
//! that the generator writes out as YAML for the real loader, and that the
//! oracle evaluates by itself — never through `policy::condition`.

use super::random::Gen;
use caio_core::contract::{Capability, DataClass, Hosting, ServiceContract, Trust};
use caio_core::lifecycle::ServiceStatus;
use caio_core::request::{Input, Request};

/// The regions generated services process data in and requests allow.
pub const REGIONS: &[&str] = &["eu", "us", "ap"];
/// The tags generated services carry and requests prefer or require.
pub const TAGS: &[&str] = &["eu", "us", "fast", "cheap", "llm", "internal"];
/// The roles of generated principals and access rules.
pub const ROLES: &[&str] = &["analyst", "engineer", "free-tier", "auditor"];
/// The languages of generated capabilities and requests.
pub const LANGS: &[&str] = &["en", "fr", "de"];

/// What a rule does when it applies (SPEC §7).
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Rejects the candidates its `match` holds for.
    Deny,
    /// Rejects the candidates its `match` does not hold for.
    Require,
    /// With the weight added to t.
    Prefer(f64),
}

/// One policy rule: `effect` applies where `when` holds (always without
/// one), to the candidates `matches` selects (all without one).
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Its id, unique in the set.
    pub id: String,
    /// What it does.
    pub effect: Effect,
    /// When it applies.
    pub when: Option<Cond>,
    /// The `match` condition.
    pub matches: Option<Cond>,
}

/// A condition over the request, the principal and the candidate.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// One attribute test.
    Atom(Atom),
    /// Holds when the inner condition does not.
    Not(Box<Cond>),
    /// Holds when one clause does (stops at the first that does).
    Any(Vec<Cond>),
    /// Holds when every clause does (stops at the first that does not).
    All(Vec<Cond>),
}

/// One attribute test. Those marked "fails closed" cannot be evaluated for
/// some candidates, which must then be rejected (SPEC §7).
#[derive(Debug, Clone, PartialEq)]
pub enum Atom {
    /// `request.data.contains_pii` is this.
    Pii(bool),
    /// `service.privacy.hosting` is one of these.
    HostingIn(Vec<Hosting>),
    /// `principal.tenant` is one of these (false without a tenant).
    TenantIn(Vec<String>),
    /// Every region of `service.privacy.regions` is one of these.
    RegionsSubsetOf(Vec<&'static str>),
    /// `principal.roles` contains this role.
    RolesContain(&'static str),
    /// `service.cost.estimate` ≤ this.
    EstimateLte(f64),
    /// `service.guarantees.accuracy` ≥ this. Fails closed when the service
    /// declares no accuracy.
    AccuracyGte(f64),
    /// `request.data.class` ≥ this.
    ClassGte(DataClass),
    /// `service.privacy.retention_days` > this.
    RetentionGt(u64),
    /// `service.tags` contains this tag.
    TagsContain(&'static str),
    /// `service.tags` contains one of these.
    TagsContainAny(Vec<&'static str>),
    /// `principal.trust` ≥ this.
    TrustGte(Trust),
    /// `service.risk` < this.
    RiskLt(f64),
    /// `request.requirements.max_cost` > this. Fails closed when the
    /// request has no max_cost.
    MaxCostGt(f64),
    /// `service.status` is this.
    Status(ServiceStatus),
    /// `principal.anonymous` is this.
    Anonymous(bool),
    /// The declared `service.guarantees.latency_ms.p95` ≤ this.
    DeclaredP95Lte(f64),
    /// `service.privacy.trains_on_customer_data` is this.
    Trains(bool),
    /// Whether `service.access.roles` exists.
    RolesExist(bool),
    /// `request.input.language` is one of these (false without one).
    LanguageIn(Vec<&'static str>),
    /// `service.capability.languages` contains this language. Fails closed
    /// when the offered capability lists no languages. The seeded
    /// generator does not draw it (its scenarios stay as they were); the
    /// property tests do.
    LanguagesContain(&'static str),
    /// `service.service_id` is this.
    ServiceId(String),
}

/// What a rule sees of one candidate: the oracle's own view.
#[derive(Debug, Clone, Copy)]
pub(crate) struct View<'a> {
    pub(crate) request: &'a Request,
    pub(crate) input: &'a Input,
    pub(crate) principal: &'a caio_core::principal::Principal,
    pub(crate) anonymous: bool,
    pub(crate) contract: &'a ServiceContract,
    pub(crate) offered: &'a Capability,
    pub(crate) status: ServiceStatus,
    pub(crate) estimate: f64,
}

/// What the rules say about one candidate.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RuleOutcome {
    /// Ids of the rules that reject it (deny/require, and rules that cannot
    /// be evaluated).
    pub(crate) rejected_by: Vec<String>,
    /// Sum of the weights of the prefer rules that hold.
    pub(crate) bonus: f64,
}

pub(crate) fn verdict(rules: &[Rule], v: &View<'_>) -> RuleOutcome {
    let mut out = RuleOutcome::default();
    for rule in rules {
        let when = rule.when.as_ref().map_or(Ok(true), |w| w.eval(v));
        let decided = when.and_then(|w| {
            if !w {
                return Ok(None);
            }
            rule.matches
                .as_ref()
                .map_or(Ok(true), |m| m.eval(v))
                .map(Some)
        });
        match (&rule.effect, decided) {
            (_, Err(())) => out.rejected_by.push(rule.id.clone()),
            (_, Ok(None)) => {}
            (Effect::Deny, Ok(Some(true))) | (Effect::Require, Ok(Some(false))) => {
                out.rejected_by.push(rule.id.clone())
            }
            (Effect::Prefer(w), Ok(Some(true))) => out.bonus += w,
            _ => {}
        }
    }
    out.rejected_by.sort();
    out
}

impl Atom {
    /// `path: value`, as a policy author writes it.
    fn yaml(&self) -> String {
        match self {
            Atom::Pii(b) => format!("request.data.contains_pii: {b}"),
            Atom::HostingIn(h) => {
                let names: Vec<&str> = h.iter().map(|h| hosting_name(*h)).collect();
                format!("service.privacy.hosting: {{ in: {} }}", list(&names))
            }
            Atom::TenantIn(t) => {
                let names: Vec<&str> = t.iter().map(String::as_str).collect();
                format!("principal.tenant: {{ in: {} }}", list(&names))
            }
            Atom::RegionsSubsetOf(r) => {
                format!("service.privacy.regions: {{ subset_of: {} }}", list(r))
            }
            Atom::RolesContain(r) => format!("principal.roles: {{ contains: {r} }}"),
            Atom::EstimateLte(x) => format!("service.cost.estimate: {{ lte: {x} }}"),
            Atom::AccuracyGte(x) => format!("service.guarantees.accuracy: {{ gte: {x} }}"),
            Atom::ClassGte(c) => format!("request.data.class: {{ gte: {} }}", class_name(*c)),
            Atom::RetentionGt(n) => format!("service.privacy.retention_days: {{ gt: {n} }}"),
            Atom::TagsContain(t) => format!("service.tags: {{ contains: {t} }}"),
            Atom::TagsContainAny(t) => format!("service.tags: {{ contains_any: {} }}", list(t)),
            Atom::TrustGte(t) => format!("principal.trust: {{ gte: {} }}", trust_name(*t)),
            Atom::RiskLt(x) => format!("service.risk: {{ lt: {x} }}"),
            Atom::MaxCostGt(x) => format!("request.requirements.max_cost: {{ gt: {x} }}"),
            Atom::Status(s) => format!("service.status: {}", s.as_str()),
            Atom::Anonymous(b) => format!("principal.anonymous: {b}"),
            Atom::DeclaredP95Lte(x) => {
                format!("service.guarantees.latency_ms.p95: {{ lte: {x} }}")
            }
            Atom::Trains(b) => format!("service.privacy.trains_on_customer_data: {b}"),
            Atom::RolesExist(b) => format!("service.access.roles: {{ exists: {b} }}"),
            Atom::LanguageIn(l) => format!("request.input.language: {{ in: {} }}", list(l)),
            Atom::LanguagesContain(l) => {
                format!("service.capability.languages: {{ contains: {l} }}")
            }
            Atom::ServiceId(id) => format!("service.service_id: {id}"),
        }
    }

    /// The SPEC §7 meaning; `Err` when the atom cannot be evaluated.
    fn eval(&self, v: &View<'_>) -> Result<bool, ()> {
        let c = v.contract;
        let p = v.principal;
        Ok(match self {
            Atom::Pii(b) => v.request.data.contains_pii == *b,
            Atom::HostingIn(h) => h.contains(&c.privacy.hosting),
            // `in` over an absent attribute is false.
            Atom::TenantIn(t) => p.tenant.as_ref().is_some_and(|x| t.contains(x)),
            Atom::RegionsSubsetOf(r) => c.privacy.regions.iter().all(|x| r.contains(&x.as_str())),
            Atom::RolesContain(r) => p.roles.iter().any(|x| x == r),
            Atom::EstimateLte(x) => v.estimate <= *x,
            Atom::AccuracyGte(x) => c.guarantees.accuracy.ok_or(())? >= *x,
            Atom::ClassGte(k) => v.request.data.class >= *k,
            Atom::RetentionGt(n) => c.privacy.retention_days > *n,
            Atom::TagsContain(t) => c.tags.iter().any(|x| x == t),
            Atom::TagsContainAny(t) => t.iter().any(|t| c.tags.iter().any(|x| x == t)),
            Atom::TrustGte(t) => p.trust >= *t,
            Atom::RiskLt(x) => c.risk < *x,
            Atom::MaxCostGt(x) => v.request.requirements.max_cost.ok_or(())? > *x,
            Atom::Status(s) => v.status == *s,
            Atom::Anonymous(b) => v.anonymous == *b,
            Atom::DeclaredP95Lte(x) => c.guarantees.latency_ms.p95 <= *x,
            Atom::Trains(b) => c.privacy.trains_on_customer_data == *b,
            Atom::RolesExist(b) => c.access.roles.is_some() == *b,
            Atom::LanguageIn(l) => v.input.language.as_deref().is_some_and(|x| l.contains(&x)),
            Atom::LanguagesContain(l) => v
                .offered
                .languages
                .as_ref()
                .ok_or(())?
                .iter()
                .any(|x| x == l),
            Atom::ServiceId(id) => &c.service_id == id,
        })
    }
}

impl Cond {
    pub(crate) fn yaml(&self) -> String {
        let join = |cs: &[Cond]| cs.iter().map(Cond::yaml).collect::<Vec<_>>().join(", ");
        match self {
            Cond::Atom(a) => format!("{{ {} }}", a.yaml()),
            Cond::Not(c) => format!("{{ not: {} }}", c.yaml()),
            Cond::Any(cs) => format!("{{ any: [{}] }}", join(cs)),
            Cond::All(cs) => format!("{{ all: [{}] }}", join(cs)),
        }
    }

    /// `all` stops at its first false clause and `any` at its first true
    /// one, in written order; an error before that fails the rule.
    fn eval(&self, v: &View<'_>) -> Result<bool, ()> {
        match self {
            Cond::Atom(a) => a.eval(v),
            Cond::Not(c) => Ok(!c.eval(v)?),
            Cond::Any(cs) => {
                for c in cs {
                    if c.eval(v)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Cond::All(cs) => {
                for c in cs {
                    if !c.eval(v)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
        }
    }
}

/// The rules as one policy file.
pub fn policy_text(rules: &[Rule]) -> String {
    let mut t = String::from("apiVersion: caio/v1\nkind: PolicySet\npolicies:");
    if rules.is_empty() {
        t.push_str(" []\n");
        return t;
    }
    t.push('\n');
    for r in rules {
        let effect = match r.effect {
            Effect::Deny => "deny",
            Effect::Require => "require",
            Effect::Prefer(_) => "prefer",
        };
        t.push_str(&format!("  - id: {}\n    effect: {effect}\n", r.id));
        if let Some(w) = &r.when {
            t.push_str(&format!("    when: {}\n", w.yaml()));
        }
        if let Some(m) = &r.matches {
            t.push_str(&format!("    match: {}\n", m.yaml()));
        }
        if let Effect::Prefer(w) = r.effect {
            t.push_str(&format!("    weight: {w}\n"));
        }
    }
    t
}

/// What kinds of rules a scenario draws.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RuleMix {
    pub(crate) deny: u32,
    pub(crate) require: u32,
    pub(crate) prefer: u32,
    /// Weight of atoms over the principal (tenant, roles, trust).
    pub(crate) principal_atoms: u32,
}

impl Default for RuleMix {
    fn default() -> Self {
        RuleMix {
            deny: 1,
            require: 1,
            prefer: 2,
            principal_atoms: 3,
        }
    }
}

pub(crate) fn rule(g: &mut Gen, mix: &RuleMix, tenants: &[String], services: usize) -> Rule {
    let effect = match g.weighted(&[mix.deny, mix.require, mix.prefer]) {
        0 => Effect::Deny,
        1 => Effect::Require,
        _ => Effect::Prefer(round(g.unit())),
    };
    let when = g.chance(0.6).then(|| cond(g, mix, tenants, services, 2));
    let mut matches = g.chance(0.9).then(|| cond(g, mix, tenants, services, 2));
    if effect == Effect::Require && matches.is_none() {
        matches = Some(cond(g, mix, tenants, services, 2));
    }
    Rule {
        id: String::new(),
        effect,
        when,
        matches,
    }
}

/// Numbers written to YAML and read back exactly: a few decimals.
fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn cond(g: &mut Gen, mix: &RuleMix, tenants: &[String], services: usize, depth: u32) -> Cond {
    if depth == 0 || g.chance(0.7) {
        return Cond::Atom(atom(g, mix, tenants, services));
    }
    match g.below(3) {
        0 => Cond::Not(Box::new(cond(g, mix, tenants, services, depth - 1))),
        1 => Cond::Any(
            (0..g.int(1, 3))
                .map(|_| cond(g, mix, tenants, services, depth - 1))
                .collect(),
        ),
        _ => Cond::All(
            (0..g.int(1, 3))
                .map(|_| cond(g, mix, tenants, services, depth - 1))
                .collect(),
        ),
    }
}

fn atom(g: &mut Gen, mix: &RuleMix, tenants: &[String], services: usize) -> Atom {
    let hostings = [Hosting::OnPrem, Hosting::Internal, Hosting::External];
    let p = mix.principal_atoms;
    match g.weighted(&[
        3, 3, p, 3, p, 3, 1, 3, 2, 3, 3, p, 3, 1, 3, 2, 3, 2, 2, 2, 2,
    ]) {
        0 => Atom::Pii(g.chance(0.5)),
        1 => Atom::HostingIn(g.subset(&hostings, 1, 2)),
        2 if !tenants.is_empty() => Atom::TenantIn(g.subset(tenants, 1, 2)),
        2 => Atom::Anonymous(g.chance(0.5)),
        3 => Atom::RegionsSubsetOf(g.subset(REGIONS, 1, 2)),
        4 => Atom::RolesContain(ROLES[g.index(ROLES.len())]),
        5 => Atom::EstimateLte(round(g.range(0.0, 0.1))),
        6 => Atom::AccuracyGte(*g.pick(&[0.5, 0.75, 0.8])),
        7 => Atom::ClassGte(*g.pick(&[DataClass::Internal, DataClass::Confidential])),
        8 => Atom::RetentionGt(*g.pick(&[0, 30])),
        9 => Atom::TagsContain(TAGS[g.index(TAGS.len())]),
        10 => Atom::TagsContainAny(g.subset(TAGS, 1, 2)),
        11 => Atom::TrustGte(*g.pick(&[Trust::Medium, Trust::High])),
        12 => Atom::RiskLt(round(g.range(0.0, 0.5))),
        13 => Atom::MaxCostGt(*g.pick(&[0.0, 0.01])),
        14 => Atom::Status(*g.pick(&[ServiceStatus::Active, ServiceStatus::Degraded])),
        15 => Atom::Anonymous(g.chance(0.5)),
        16 => Atom::DeclaredP95Lte(round(g.range(50.0, 3000.0))),
        17 => Atom::Trains(g.chance(0.5)),
        18 => Atom::RolesExist(g.chance(0.5)),
        19 => Atom::LanguageIn(g.subset(LANGS, 1, 2)),
        _ => Atom::ServiceId(format!("svc-{:02}", g.below(services.max(1) as u64))),
    }
}

pub(crate) fn hosting_name(h: Hosting) -> &'static str {
    match h {
        Hosting::OnPrem => "on_prem",
        Hosting::Internal => "internal",
        Hosting::External => "external",
    }
}

pub(crate) fn class_name(c: DataClass) -> &'static str {
    match c {
        DataClass::Public => "public",
        DataClass::Internal => "internal",
        DataClass::Confidential => "confidential",
        DataClass::Restricted => "restricted",
    }
}

pub(crate) fn trust_name(t: Trust) -> &'static str {
    match t {
        Trust::Low => "low",
        Trust::Medium => "medium",
        Trust::High => "high",
    }
}

fn list(items: &[&str]) -> String {
    format!("[{}]", items.join(", "))
}
