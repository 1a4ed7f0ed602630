//! Policies (SPEC §7): `kind: PolicySet` documents of `deny`, `require` and
//! `prefer` rules over `request.*`, `principal.*` and `service.*` attributes.
//!
//! - [`paths`] is the table of attributes;
//! - `condition` compiles, evaluates and explains conditions;
//! - [`load`] reads and validates policy files (and their `tests:`);
//! - `PolicySet::evaluate` is the `policy` stage of the routing pipeline.
//!
//! A set is identified by the BLAKE3 hash of its canonical JSON form (rules
//! sorted by id, tests left out), so decisions can name and replay it.

pub(crate) mod condition;
pub mod load;
pub mod paths;
pub mod testing;

use crate::lifecycle::ServiceStatus;
use crate::routing::Sets;
use crate::routing::{RuleName, Wording};
use condition::Condition;
use paths::{Context, Facts};
use serde_json::Value;
use std::rc::Rc;

/// What a rule does to a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Rejects a candidate when `when` and `match` hold.
    Deny,
    /// When `when` holds, rejects a candidate that fails `match`.
    Require,
    /// Adds `weight` to t(s, r) when `when` and `match` hold.
    Prefer,
}

pub(crate) const EFFECTS: &[&str] = &["deny", "require", "prefer"];

/// One rule.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The rule id (a lowercase letter, then a-z, 0-9 and `-`), unique across the set;
    /// rejections name it.
    pub id: String,
    /// What the rule does.
    pub effect: Effect,
    pub(crate) when: Option<Condition>,
    pub(crate) matches: Option<Condition>,
    /// The rule's own rejection message, shown before the clause that decided.
    pub message: Option<String>,
    /// The `prefer` bonus added to t(s, r).
    pub weight: f64,
    /// The rule as written (JSON), for storage and the set's hash.
    pub source: Value,
}

/// The rules in force, sorted by id.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    policies: Vec<Policy>,
}

/// A rule that rejected a candidate at the policy stage.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PolicyRejection {
    pub(crate) rule: RuleName,
    pub(crate) message: String,
}

/// The policy stage's rejection of a candidate, as its result records it.
impl From<&PolicyRejection> for crate::routing::Rejection {
    fn from(r: &PolicyRejection) -> crate::routing::Rejection {
        crate::routing::Rejection {
            stage: crate::routing::Stage::Policy,
            rule: r.rule.clone(),
            message: r.message.clone(),
        }
    }
}

/// What the policy stage says about one candidate.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PolicyVerdict {
    /// Every deny/require rule that rejects the candidate, and every rule
    /// that could not be evaluated, in rule-id order.
    pub(crate) rejections: Vec<PolicyRejection>,
    /// The `prefer` rules that apply, in rule-id order.
    pub(crate) preferred_by: Vec<String>,
    /// The sum of their weights (added in rule-id order).
    pub(crate) bonus: f64,
}

impl PolicySet {
    /// A set from rules; ids must be unique (the loader checks).
    pub fn new(mut policies: Vec<Policy>) -> PolicySet {
        policies.sort_by(|a, b| a.id.cmp(&b.id));
        PolicySet { policies }
    }

    /// This set with `other`'s rules added. A rule in both (same id, same
    /// text) is kept once; the id of a rule that differs between the two is
    /// the error.
    pub fn union(self, other: PolicySet) -> Result<PolicySet, String> {
        let mut rules = self.policies;
        for rule in other.policies {
            match rules.iter().find(|r| r.id == rule.id) {
                Some(same) if same.source == rule.source => {}
                Some(_) => return Err(rule.id),
                None => rules.push(rule),
            }
        }
        Ok(PolicySet::new(rules))
    }

    /// The rules, sorted by id.
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// Whether the set has no rule.
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// The canonical document of the set: what is stored and hashed.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "apiVersion": crate::contract::API_VERSION,
            "kind": "PolicySet",
            "policies": self.policies.iter().map(|p| p.source.clone()).collect::<Vec<_>>(),
        })
    }

    /// `hex(BLAKE3(JCS(set)))` and the canonical text it hashes.
    pub fn canonical(&self) -> Result<(String, String), crate::canonical::JcsError> {
        let body = crate::canonical::to_jcs(&self.to_json())?;
        Ok((content_hash(&body), body))
    }

    /// Runs every rule against one candidate. Deny and require rules reject;
    /// prefer rules add their weight; a rule that cannot be evaluated rejects
    /// (fail closed). Rules run in id order, so the verdict does not depend
    /// on the order of rules or files.
    pub(crate) fn evaluate(&self, ctx: &Context<'_>) -> PolicyVerdict {
        let mut step = self.for_step();
        let verdict = step.evaluate(ctx, Wording::Messages);
        PolicyVerdict {
            rejections: verdict.rejections.clone(),
            preferred_by: verdict
                .preferred_by
                .as_ref()
                .map_or_else(Vec::new, |ids| ids.to_vec()),
            bonus: verdict.bonus,
        }
    }
}

/// The content hash of a policy set whose canonical text is `body` (what
/// `caio policy show` prints and a `policies` trace object's body hashes
/// to).
pub fn content_hash(body: &str) -> String {
    blake3::hash(body.as_bytes()).to_hex().to_string()
}

/// A policy set prepared for one request step: it gives the same verdicts
/// as [`PolicySet::evaluate`], but a `when` clause that reads no `service.*`
/// attribute is evaluated once — with the step's first candidate — instead
/// of once per candidate: request and principal attributes are the same for
/// every candidate of a step. A rule whose clause is then false is dropped
/// for the step's other candidates (most rules, for most requests).
#[derive(Debug)]
pub(crate) struct StepPolicies<'p> {
    /// The rules in force, each with its id as its rejections name it.
    rules: Vec<(&'p Policy, RuleName, When)>,
    /// Whether the rules that cannot apply to this step are dropped.
    pruned: bool,
    /// Whether a rule left reads a candidate's contract beyond what the
    /// compiled form holds ([`paths::reads_contract`]).
    reads_contract: bool,
    /// What the verdicts are kept by, once the rules left are known.
    memo: Memo,
    /// The verdicts given so far, by what `memo` keeps them by (at most
    /// [`VERDICTS`]), so a candidate like another is not evaluated again.
    verdicts: Vec<(Key, StepVerdict)>,
    /// The last verdict, when not kept among `verdicts`.
    last: StepVerdict,
    /// The `prefer` rules that apply to the candidate being evaluated.
    preferring: Vec<&'p str>,
    /// Every set of `prefer` rules that applied to a candidate so far, at
    /// most [`PREFERRED_SETS`]: the candidates of a step share a few.
    preferred_sets: Vec<Rc<[String]>>,
}

/// How many distinct sets of `prefer` rules a step shares among its
/// candidates; a set past them is built for its candidate alone.
const PREFERRED_SETS: usize = 16;

/// How many verdicts a step keeps by facts and status (a registry has a
/// handful of combinations; past these, candidates are evaluated).
const VERDICTS: usize = 32;

/// What a step's verdicts are kept by: what the rules left read of the
/// service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Memo {
    /// Not kept: a rule reads more of the service (or the rules are not
    /// known yet).
    Nothing,
    /// Its facts and status.
    Facts,
    /// Its facts, status, regions and tags: kept only for verdicts without
    /// messages, since a message quotes a list as its contract orders it.
    Sets,
}

/// What a verdict is kept by.
type Key = (Facts, ServiceStatus, Option<Sets>);

/// What is known of a rule's `when` clause within one step.
#[derive(Debug)]
enum When {
    /// No clause: the rule always applies.
    Always,
    /// The clause reads the service: evaluated per candidate.
    PerCandidate,
    /// Not evaluated yet.
    Pending,
    Known(Result<bool, condition::EvalError>),
}

/// What the policy stage says about one candidate.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct StepVerdict {
    /// As [`PolicyVerdict::rejections`].
    pub(crate) rejections: Vec<PolicyRejection>,
    /// As [`PolicyVerdict::preferred_by`], shared with the step's other
    /// candidates that the same rules prefer; `None` when none applies.
    pub(crate) preferred_by: Option<Rc<[String]>>,
    /// As [`PolicyVerdict::bonus`].
    pub(crate) bonus: f64,
}

impl PolicySet {
    /// The set prepared for the candidates of one request step.
    pub(crate) fn for_step(&self) -> StepPolicies<'_> {
        let rules: Vec<_> = self
            .policies
            .iter()
            .map(|p| {
                let when = match &p.when {
                    None => When::Always,
                    Some(c) if reads_service(c) => When::PerCandidate,
                    Some(_) => When::Pending,
                };
                (p, RuleName::from(p.id.as_str()), when)
            })
            .collect();
        StepPolicies {
            reads_contract: rules.iter().any(|(p, _, _)| p.reads_contract()),
            rules,
            pruned: false,
            memo: Memo::Nothing,
            verdicts: Vec::new(),
            last: StepVerdict::default(),
            preferring: Vec::new(),
            preferred_sets: Vec::new(),
        }
    }
}

impl<'p> StepPolicies<'p> {
    /// Whether no rule is in force.
    pub(crate) fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether a rule in force reads a candidate's contract beyond what
    /// the compiled form holds: a candidate whose stored contract cannot be
    /// read back is then rejected before the rules run (fail closed).
    pub(crate) fn reads_contract(&self) -> bool {
        self.reads_contract
    }

    /// [`PolicySet::evaluate`] for one candidate of the step; every `ctx`
    /// must share the step's request, input, capability and principal. A
    /// rejection's message is built only with [`Wording::Messages`].
    pub(crate) fn evaluate(&mut self, ctx: &Context<'_>, wording: Wording) -> &StepVerdict {
        // The verdict is read where it is kept, never copied out: its place
        // among `verdicts`, or `last`.
        let known = self
            .key(ctx, wording)
            .and_then(|key| self.verdicts.iter().position(|(k, _)| *k == key));
        let kept = match known {
            Some(at) => Some(at),
            None => {
                let verdict = self.evaluate_rules(ctx, wording);
                if !self.pruned {
                    self.prune();
                }
                match self.key(ctx, wording) {
                    Some(key) if self.verdicts.len() < VERDICTS => {
                        self.verdicts.push((key, verdict));
                        Some(self.verdicts.len() - 1)
                    }
                    _ => {
                        self.last = verdict;
                        None
                    }
                }
            }
        };
        kept.and_then(|at| self.verdicts.get(at))
            .map_or(&self.last, |(_, v)| v)
    }

    /// What the verdict for `ctx` is kept by, when it is kept.
    fn key(&self, ctx: &Context<'_>, wording: Wording) -> Option<Key> {
        match self.memo {
            Memo::Nothing => None,
            Memo::Facts => Some((ctx.facts, ctx.status, None)),
            Memo::Sets => match (wording, ctx.sets()) {
                (Wording::RulesOnly, Some(sets)) => Some((ctx.facts, ctx.status, Some(sets))),
                _ => None,
            },
        }
    }

    /// Drops the rules whose `when` clause, which reads no service, is
    /// false (every such clause is known once a candidate was evaluated),
    /// and keeps verdicts by facts (or facts and sets) when the rules left
    /// read no more of the service.
    fn prune(&mut self) {
        self.rules
            .retain(|(_, _, when)| !matches!(when, When::Known(Ok(false))));
        self.pruned = true;
        self.reads_contract = self.rules.iter().any(|(p, _, _)| p.reads_contract());
        let reads_only = |sets: bool| {
            let only = |c: &Condition| reads_only_facts(c, sets);
            self.rules.iter().all(|(policy, _, when)| {
                let when_reads = match when {
                    When::PerCandidate => policy.when.as_ref().is_none_or(only),
                    When::Always | When::Pending | When::Known(_) => true,
                };
                when_reads && policy.matches.as_ref().is_none_or(only)
            })
        };
        self.memo = if reads_only(false) {
            Memo::Facts
        } else if reads_only(true) {
            Memo::Sets
        } else {
            Memo::Nothing
        };
    }

    /// Every rule left, for one candidate.
    fn evaluate_rules(&mut self, ctx: &Context<'_>, wording: Wording) -> StepVerdict {
        let mut verdict = StepVerdict::default();
        self.preferring.clear();
        for (policy, rule, when) in &mut self.rules {
            let policy: &'p Policy = policy;
            let holds = match when {
                When::Always => Ok(true),
                When::PerCandidate => policy.when.as_ref().map_or(Ok(true), |c| c.eval(ctx)),
                When::Known(known) => known.clone(),
                When::Pending => {
                    let known = policy.when.as_ref().map_or(Ok(true), |c| c.eval(ctx));
                    *when = When::Known(known.clone());
                    known
                }
            };
            match holds.and_then(|holds| policy.applies_when(holds, ctx, wording)) {
                Err(e) => verdict.rejections.push(PolicyRejection {
                    rule: rule.clone(),
                    message: match wording {
                        Wording::Messages => format!("policy error: {}", e.0),
                        Wording::RulesOnly => String::new(),
                    },
                }),
                Ok(Applies::No) => {}
                Ok(Applies::Reject(message)) => verdict.rejections.push(PolicyRejection {
                    rule: rule.clone(),
                    message,
                }),
                Ok(Applies::Prefer) => {
                    self.preferring.push(&policy.id);
                    verdict.bonus += policy.weight;
                }
            }
        }
        if !self.preferring.is_empty() {
            verdict.preferred_by = Some(self.preferred_set());
        }
        verdict
    }

    /// The rules in `preferring` as a shared list: the one already made
    /// for another candidate, else a new one.
    fn preferred_set(&mut self) -> Rc<[String]> {
        let same = |set: &&Rc<[String]>| {
            set.len() == self.preferring.len()
                && set.iter().zip(&self.preferring).all(|(a, b)| a == b)
        };
        if let Some(set) = self.preferred_sets.iter().find(same) {
            return Rc::clone(set);
        }
        let set: Rc<[String]> = self.preferring.iter().map(|id| id.to_string()).collect();
        if self.preferred_sets.len() < PREFERRED_SETS {
            self.preferred_sets.push(Rc::clone(&set));
        }
        set
    }
}

/// Whether a condition reads of the service only its facts and status
/// ([`paths::is_fact`]).
fn reads_only_facts(c: &Condition, sets: bool) -> bool {
    match c {
        Condition::All(items) | Condition::Any(items) => {
            items.iter().all(|c| reads_only_facts(c, sets))
        }
        Condition::Not(inner) => reads_only_facts(inner, sets),
        Condition::Test { path, .. } => {
            paths::is_request_or_principal(path.path)
                || paths::is_fact(path.path)
                || (sets && paths::is_set(path.path))
        }
    }
}

/// Whether a condition reads an attribute of the contract itself
/// ([`paths::reads_contract`]).
fn reads_contract(c: &Condition) -> bool {
    match c {
        Condition::All(items) | Condition::Any(items) => items.iter().any(reads_contract),
        Condition::Not(inner) => reads_contract(inner),
        Condition::Test { path, .. } => paths::reads_contract(path.path),
    }
}

/// Whether a condition reads any `service.*` attribute (the only ones that
/// differ between the candidates of a step).
fn reads_service(c: &Condition) -> bool {
    match c {
        Condition::All(items) | Condition::Any(items) => items.iter().any(reads_service),
        Condition::Not(inner) => reads_service(inner),
        Condition::Test { path, .. } => !paths::is_request_or_principal(path.path),
    }
}

enum Applies {
    No,
    Reject(String),
    Prefer,
}

impl Policy {
    /// Whether its clauses read a candidate's contract beyond what the
    /// compiled form holds.
    fn reads_contract(&self) -> bool {
        self.when.as_ref().is_some_and(reads_contract)
            || self.matches.as_ref().is_some_and(reads_contract)
    }

    /// What the rule does to a candidate, once its `when` clause is known
    /// to give `when` (an absent clause gives true).
    fn applies_when(
        &self,
        when: bool,
        ctx: &Context<'_>,
        wording: Wording,
    ) -> Result<Applies, condition::EvalError> {
        if !when {
            return Ok(Applies::No);
        }
        let matches = match &self.matches {
            Some(c) => c.eval(ctx)?,
            None => true,
        };
        let explain = |default| match wording {
            Wording::Messages => self.explain(ctx, default),
            Wording::RulesOnly => String::new(),
        };
        Ok(match (self.effect, matches) {
            (Effect::Deny, true) => Applies::Reject(explain("denied")),
            (Effect::Require, false) => Applies::Reject(explain("requirement not met")),
            (Effect::Prefer, true) => Applies::Prefer,
            _ => Applies::No,
        })
    }

    /// The rejection message: the rule's own message (or a default), then
    /// the clause that decided.
    fn explain(&self, ctx: &Context<'_>, default: &str) -> String {
        let head = self.message.as_deref().unwrap_or(default);
        match (&self.matches, &self.when) {
            (Some(m), _) => format!("{head}: {}", m.explain(ctx)),
            (None, Some(w)) => format!("{head}: {}", w.explain(ctx)),
            (None, None) => head.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::ServiceContract;
    use crate::lifecycle::ServiceStatus;
    use crate::principal::Principal;
    use crate::request::Request;

    fn contract(text: &str) -> ServiceContract {
        crate::contract::validate_text("c.yaml", text)
            .contract
            .expect("valid contract")
    }

    fn gpt4o() -> ServiceContract {
        contract(include_str!("../../../../contracts/openai-gpt-4o.yaml"))
    }

    fn set(rules: &str) -> PolicySet {
        let text = format!("apiVersion: caio/v1\nkind: PolicySet\npolicies:\n{rules}");
        let file = load::load_text("p.yaml", &text, std::path::Path::new("."));
        assert!(file.report.is_valid(), "{:?}", file.report.problems);
        PolicySet::new(file.policies)
    }

    #[test]
    fn a_union_keeps_shared_rules_once_and_refuses_contradictions() {
        let a = "  - id: a\n    effect: deny\n    match: { service.privacy.hosting: external }\n";
        let b = "  - id: b\n    effect: deny\n    match: { service.privacy.hosting: on_prem }\n";
        let a2 = "  - id: a\n    effect: deny\n    match: { service.privacy.hosting: internal }\n";
        let both = set(&format!("{a}{b}"));
        let union = set(a).union(set(&format!("{b}{a}"))).expect("no conflict");
        assert_eq!(union.canonical().unwrap(), both.canonical().unwrap());
        assert_eq!(
            set(b).union(set(a2.trim_end())).unwrap().policies().len(),
            2
        );
        assert_eq!(set(a).union(set(a2)).err().as_deref(), Some("a"));
    }

    /// What the policy stage sees of `c`, an active service offering chat
    /// first, for a chat request; `compiled`: its row of a compiled form.
    fn context<'a>(
        request: &'a Request,
        principal: &'a Principal,
        c: &'a ServiceContract,
        compiled: Option<(&'a crate::routing::Compiled, &'a crate::routing::Row)>,
    ) -> Context<'a> {
        Context {
            request,
            capability: "chat",
            step: 0,
            input: &request.input,
            principal,
            anonymous: principal.name == "anonymous",
            service: c.into(),
            facts: Facts::of(c),
            compiled,
            offered_at: (!c.capabilities.is_empty()).then_some(0),
            status: ServiceStatus::Active,
            estimate: 0.01,
        }
    }

    fn verdict(
        set: &PolicySet,
        request: &Request,
        principal: &Principal,
        c: &ServiceContract,
    ) -> PolicyVerdict {
        set.evaluate(&context(request, principal, c, None))
    }

    fn pii_request() -> Request {
        let mut r = Request::for_capability("chat");
        r.data.contains_pii = true;
        r
    }

    #[test]
    fn deny_require_prefer() {
        let s = set(
            "  - id: no-pii-external\n    effect: deny\n    when: { request.data.contains_pii: true }\n    match: { service.privacy.hosting: { in: [external] } }\n    message: PII stays inside\n\
             \x20 - id: eu-only\n    effect: require\n    when: { principal.tenant: acme }\n    match: { service.privacy.regions: { subset_of: [eu] } }\n\
             \x20 - id: likes-us\n    effect: prefer\n    weight: 0.25\n    match: { service.tags: { contains: us } }\n",
        );
        let c = gpt4o();
        let anon = Principal::anonymous();
        let v = verdict(&s, &Request::for_capability("chat"), &anon, &c);
        assert!(v.rejections.is_empty());
        assert_eq!(v.preferred_by, ["likes-us"]);
        assert_eq!(v.bonus, 0.25);

        let v = verdict(&s, &pii_request(), &anon, &c);
        assert_eq!(v.rejections.len(), 1);
        assert_eq!(v.rejections[0].rule, "no-pii-external");
        assert_eq!(
            v.rejections[0].message,
            "PII stays inside: service.privacy.hosting in [external] (is external)"
        );

        let acme = Principal {
            tenant: Some("acme".into()),
            ..Principal::anonymous()
        };
        let v = verdict(&s, &pii_request(), &acme, &c);
        let rules: Vec<&str> = v.rejections.iter().map(|r| r.rule.as_str()).collect();
        assert_eq!(
            rules,
            ["eu-only", "no-pii-external"],
            "every rule, in id order"
        );
        assert!(
            v.rejections[0].message.contains("subset_of [eu] (is [us])"),
            "{}",
            v.rejections[0].message
        );
    }

    #[test]
    fn unset_attributes_fail_closed_unless_guarded() {
        let mut c = gpt4o();
        c.guarantees.accuracy = None;
        let anon = Principal::anonymous();
        let r = Request::for_capability("chat");
        let unguarded = set(
            "  - id: accurate\n    effect: require\n    match: { service.guarantees.accuracy: { gte: 0.8 } }\n",
        );
        let v = verdict(&unguarded, &r, &anon, &c);
        assert_eq!(v.rejections.len(), 1);
        assert!(
            v.rejections[0].message.starts_with("policy error:"),
            "{}",
            v.rejections[0].message
        );

        let guarded = set(
            "  - id: accurate-if-declared\n    effect: deny\n    match:\n      all:\n        - { service.guarantees.accuracy: { exists: true } }\n        - { service.guarantees.accuracy: { lt: 0.8 } }\n",
        );
        assert!(verdict(&guarded, &r, &anon, &c).rejections.is_empty());
        c.guarantees.accuracy = Some(0.5);
        assert_eq!(verdict(&guarded, &r, &anon, &c).rejections.len(), 1);

        // Equality and `in` on an unset value are false; `not_in` is true.
        let tenantless = set(
            "  - id: a\n    effect: deny\n    when: { principal.tenant: acme }\n\
             \x20 - id: b\n    effect: deny\n    when: { principal.tenant: { in: [acme] } }\n\
             \x20 - id: c\n    effect: prefer\n    weight: 0.1\n    when: { principal.tenant: { not_in: [acme] } }\n",
        );
        let v = verdict(&tenantless, &r, &anon, &c);
        assert!(v.rejections.is_empty());
        assert_eq!(v.preferred_by, ["c"]);
    }

    #[test]
    fn ordered_values_and_key_order() {
        let c = gpt4o();
        let anon = Principal::anonymous();
        let mut r = Request::for_capability("chat");
        r.data.class = crate::contract::DataClass::Confidential;
        let a = set(
            "  - id: sensitive\n    effect: deny\n    match: { request.data.class: { gte: confidential }, service.privacy.hosting: { gt: internal } }\n",
        );
        let b = set(
            "  - id: sensitive\n    effect: deny\n    match: { service.privacy.hosting: { gt: internal }, request.data.class: { gte: confidential } }\n",
        );
        let va = verdict(&a, &r, &anon, &c);
        assert_eq!(va, verdict(&b, &r, &anon, &c));
        assert_eq!(va.rejections.len(), 1);
        assert_eq!(
            a.canonical().unwrap().0,
            b.canonical().unwrap().0,
            "same set, same hash"
        );
        r.data.class = crate::contract::DataClass::Internal;
        assert!(verdict(&a, &r, &anon, &c).rejections.is_empty());
    }

    /// A step whose rules read of the service only its facts gives one
    /// verdict per facts and status (messages included); a rule reading
    /// anything else of it is evaluated for every candidate.
    #[test]
    fn verdicts_are_shared_by_facts_only_when_the_rules_read_no_more() {
        let by_facts = set(
            "  - id: no-external\n    effect: deny\n    match: { service.privacy.hosting: external }\n\
             \x20 - id: prefer-internal\n    effect: prefer\n    weight: 0.2\n    match: { service.privacy.hosting: internal }\n",
        );
        let by_tags = set(
            "  - id: no-external\n    effect: deny\n    match: { service.privacy.hosting: external }\n\
             \x20 - id: eu-only\n    effect: require\n    match: { service.tags: { contains: eu } }\n",
        );
        let request = Request::for_capability("chat");
        let anon = Principal::anonymous();
        // Same facts (external gpt-4o copies), different tags; then an
        // internal one.
        let mut eu = gpt4o();
        eu.service_id = "eu".into();
        eu.tags = vec!["eu".into()];
        let mut us = gpt4o();
        us.service_id = "us".into();
        us.tags = vec!["us".into()];
        let mut internal = gpt4o();
        internal.privacy.hosting = crate::contract::Hosting::Internal;
        internal.tags = vec!["eu".into()];
        for s in [&by_facts, &by_tags] {
            let mut step = s.for_step();
            for c in [&eu, &us, &internal, &us, &eu, &internal] {
                let ctx = context(&request, &anon, c, None);
                let stepped = step.evaluate(&ctx, Wording::Messages);
                let whole = s.evaluate(&ctx);
                assert_eq!(stepped.rejections, whole.rejections, "{}", c.service_id);
                assert_eq!(
                    stepped
                        .preferred_by
                        .as_ref()
                        .map_or_else(Vec::new, |p| p.to_vec()),
                    whole.preferred_by
                );
            }
            // Two facts-and-status combinations seen, kept only where the
            // rules read nothing else of the service (a verdict with
            // messages is not kept by sets: a message quotes a list).
            let kept = step.verdicts.len();
            if std::ptr::eq(s, &by_facts) {
                assert_eq!((step.memo, kept), (Memo::Facts, 2));
            } else {
                assert_eq!((step.memo, kept), (Memo::Sets, 0));
            }
        }
    }

    /// Rules that read a service's regions or tags share a verdict, without
    /// messages, between candidates of the same facts and the same sets (in
    /// whatever order their contracts list them), and only between those.
    #[test]
    fn verdicts_without_messages_are_shared_by_facts_and_sets() {
        let s = set(
            "  - id: eu-only\n    effect: require\n    match: { service.privacy.regions: { subset_of: [eu] } }\n\
             \x20 - id: prefer-eu\n    effect: prefer\n    weight: 0.2\n    match: { service.tags: { contains: eu } }\n",
        );
        let request = Request::for_capability("chat");
        let anon = Principal::anonymous();
        let with = |id: &str, regions: &[&str], tags: &[&str]| {
            let mut c = gpt4o();
            c.service_id = id.into();
            c.privacy.regions = regions.iter().map(|r| r.to_string()).collect();
            c.tags = tags.iter().map(|t| t.to_string()).collect();
            c
        };
        let contracts = [
            with("a", &["eu", "us"], &["eu"]),
            with("b", &["us", "eu", "us"], &["eu"]),
            with("c", &["eu"], &["eu"]),
            with("d", &["eu"], &["us", "eu"]),
            with("e", &["eu"], &["eu", "us"]),
        ];
        let candidates: Vec<crate::routing::Candidate<'_>> = contracts
            .iter()
            .map(crate::routing::Candidate::active)
            .collect();
        let compiled = crate::routing::Compiled::new(&candidates);
        let mut step = s.for_step();
        for row in &compiled.rows {
            let c = &contracts[row.candidate as usize];
            let ctx = context(&request, &anon, c, Some((&compiled, row)));
            let whole = s.evaluate(&ctx);
            let stepped = step.evaluate(&ctx, Wording::RulesOnly);
            let rules =
                |r: &[PolicyRejection]| r.iter().map(|r| r.rule.clone()).collect::<Vec<_>>();
            assert_eq!(
                rules(&stepped.rejections),
                rules(&whole.rejections),
                "{}",
                c.service_id
            );
            assert_eq!(
                stepped
                    .preferred_by
                    .as_deref()
                    .map(<[String]>::to_vec)
                    .unwrap_or_default(),
                whole.preferred_by,
                "{}",
                c.service_id
            );
        }
        // {eu, us} and {eu} regions, {eu} and {eu, us} tags: a and b share
        // one verdict, c its own, d and e one.
        assert_eq!(step.memo, Memo::Sets);
        assert_eq!(step.verdicts.len(), 3);
    }

    /// The per-step evaluation decides request-only `when` clauses once,
    /// and gives the verdicts of `PolicySet::evaluate` for every candidate,
    /// errors included.
    #[test]
    fn step_evaluation_matches_the_set() {
        let s = set(
            "  - id: a-pii\n    effect: deny\n    when: { request.data.contains_pii: true }\n    match: { service.privacy.hosting: { in: [external] } }\n\
             \x20 - id: b-unset-bound\n    effect: require\n    when: { request.requirements.max_cost: { lt: 1 } }\n    match: { service.risk: { lte: 0.5 } }\n\
             \x20 - id: c-service-when\n    effect: prefer\n    weight: 0.25\n    when: { service.tags: { contains: us } }\n\
             \x20 - id: d-mixed\n    effect: deny\n    when: { any: [{ principal.tenant: acme }, { service.privacy.hosting: internal }] }\n\
             \x20 - id: e-always\n    effect: prefer\n    weight: 0.1\n    match: { service.privacy.hosting: { in: [internal, on_prem] } }\n\
             \x20 - id: f-tenant\n    effect: require\n    when: { principal.tenant: { in: [acme] } }\n    match: { service.privacy.regions: { subset_of: [eu] } }\n",
        );
        let mut internal = gpt4o();
        internal.privacy.hosting = crate::contract::Hosting::Internal;
        internal.tags.clear();
        let contracts = [
            gpt4o(),
            internal,
            contract(include_str!("../../../../contracts/mistral-large-eu.yaml")),
        ];
        let acme = Principal {
            tenant: Some("acme".into()),
            ..Principal::anonymous()
        };
        let mut bounded = pii_request();
        bounded.requirements.max_cost = Some(0.5);
        for request in [Request::for_capability("chat"), pii_request(), bounded] {
            for principal in [Principal::anonymous(), acme.clone()] {
                let mut step = s.for_step();
                for c in &contracts {
                    let ctx = context(&request, &principal, c, None);
                    let whole = s.evaluate(&ctx);
                    let stepped = step.evaluate(&ctx, Wording::Messages);
                    assert_eq!(stepped.rejections, whole.rejections);
                    assert_eq!(
                        stepped
                            .preferred_by
                            .as_ref()
                            .map_or_else(Vec::new, |ids| ids.to_vec()),
                        whole.preferred_by
                    );
                    assert_eq!(stepped.bonus, whole.bonus);
                }
            }
        }
        // Candidates the same rules prefer share one list of them.
        let request = Request::for_capability("chat");
        let mut step = s.for_step();
        let mut internal = contracts[1].clone();
        let anon = Principal::anonymous();
        let lists: Vec<_> = [0, 1]
            .map(|i| {
                internal.service_id = format!("internal-{i}");
                let ctx = context(&request, &anon, &internal, None);
                step.evaluate(&ctx, Wording::RulesOnly)
                    .preferred_by
                    .clone()
                    .expect("e-always applies")
            })
            .into();
        assert_eq!(&*lists[0], ["e-always".to_string()]);
        assert!(Rc::ptr_eq(&lists[0], &lists[1]));
    }

    #[test]
    fn validation_reports_paths_operators_and_types() {
        let text = "apiVersion: caio/v1\nkind: PolicySet\npolicies:\n  - id: x\n    effect: deny\n    match: { service.privacy.hostng: external, service.tags: { containz: eu }, service.risk: { contains: 1 } }\n  - id: y\n    effect: require\n  - id: z\n    effect: prefer\n    match: { service.privacy.hosting: { in: [externl] } }\n";
        let file = load::load_text("p.yaml", text, std::path::Path::new("."));
        let mut codes: Vec<&str> = file
            .report
            .problems
            .iter()
            .map(|p| p.code.as_str())
            .collect();
        codes.sort();
        assert_eq!(
            codes,
            [
                "policy::invalid-value",
                "policy::missing-key",
                "policy::missing-key",
                "policy::type-mismatch",
                "policy::unknown-operator",
                "policy::unknown-path",
            ]
        );
        let unknown = file
            .report
            .problems
            .iter()
            .find(|p| p.code == "policy::unknown-path")
            .unwrap();
        assert!(
            unknown.label.contains("service.privacy.hosting"),
            "{}",
            unknown.label
        );
        assert_eq!(file.report.position(unknown), (6, 14));
    }
}
