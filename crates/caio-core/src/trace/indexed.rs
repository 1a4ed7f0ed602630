//! What the store indexes of a record, derived from the record itself: the
//! lookup columns next to it ([`Index`]), its audit terms (`trace list`
//! filters, `trace stats`), the objects it references and what it
//! observed of services (`caio slo`, `caio metrics`).
//!
//! [`Indexed::read`] reads all of it in one pass over the record's JSON,
//! borrowing the text instead of copying it. An append derives the rows
//! it writes with it, and `trace verify` checks the stored rows against
//! it, so the two cannot disagree.

use super::outcome::{self, Observation};
use super::{ExecutionOutcome, record_version, v2};
use crate::attempt::Attempt;
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;

/// The `kind` column of a decision record.
pub const DECISION: &str = "decision";

/// The lookup columns stored next to a record (derived from it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Index {
    /// The first 32 hex characters of the chain hash.
    pub decision_id: String,
    /// The record's `at`.
    pub at: String,
    /// A decision's outcome (`routed`, `no_route`, `refused`); an outcome
    /// record's status (`ok`, `error`).
    pub outcome: String,
    /// The chosen service ids, comma-separated (an outcome's service).
    pub services: String,
    /// The decision's principal name.
    pub principal: String,
    /// `decision` or `outcome`.
    pub kind: String,
    /// An outcome's decision seq.
    pub refers_to: Option<i64>,
    /// How a decision's `--execute` ended (`succeeded`, `failed`,
    /// `not_started`).
    pub executed: Option<String>,
    /// A decision's candidates, over all its steps.
    pub candidates: Option<i64>,
}

/// The kinds of audit term (`trace list` filters, `trace stats --by`).
pub mod term {
    /// A chosen service.
    pub const SERVICE: &str = "service";
    /// The principal's name.
    pub const PRINCIPAL: &str = "principal";
    /// The principal's tenant.
    pub const TENANT: &str = "tenant";
    /// A requested capability (each step's, for a chain).
    pub const CAPABILITY: &str = "capability";
    /// A stage that rejected a candidate first.
    pub const STAGE: &str = "stage";
    /// A rule that rejected a candidate.
    pub const RULE: &str = "rule";
    /// `routed`, `no_route` or `refused`.
    pub const OUTCOME: &str = "outcome";
    /// `ok` or `failed`: how `--execute` ended, or what a caller reported.
    pub const EXECUTED: &str = "executed";

    /// Every kind, in a fixed order.
    pub const ALL: [&str; 8] = [
        SERVICE, PRINCIPAL, TENANT, CAPABILITY, STAGE, RULE, OUTCOME, EXECUTED,
    ];
}

/// Everything derived from one record: its lookup columns and its audit
/// terms (`(kind, value)`, sorted and distinct). An outcome record adds
/// its `executed` term to the decision it reports on (`on_decision`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    /// The lookup columns.
    pub index: Index,
    /// The record's own audit terms.
    pub terms: Vec<(&'static str, String)>,
    /// An outcome's term on its decision: `(decision seq, executed term)`.
    pub on_decision: Option<(i64, (&'static str, String))>,
}

/// Derives the lookup columns and audit terms of a stored record, `None`
/// when it does not read as a record of either kind.
pub fn derive(body: &str, hash: &[u8; 32]) -> Option<Derived> {
    Indexed::read(body).map(|i| i.derived(hash))
}

impl Index {
    /// The columns a record and its hash imply.
    pub fn of(body: &str, hash: &[u8; 32]) -> Option<Index> {
        derive(body, hash).map(|d| d.index)
    }

    /// Whether these are the columns `body` and `hash` imply.
    pub(crate) fn matches(&self, body: &str, hash: &[u8; 32]) -> bool {
        Indexed::read(body).is_some_and(|i| i.matches(hash, self))
    }
}

/// What the store indexes of one record, read from its JSON in one pass
/// and borrowed from it where the JSON allows.
#[derive(Debug, Clone)]
pub struct Indexed<'a> {
    body: &'a str,
    /// The record's `at`.
    pub at: Cow<'a, str>,
    /// [`DECISION`] or [`outcome::KIND`].
    pub kind: &'static str,
    /// A decision's outcome, or an outcome record's status.
    pub outcome: &'static str,
    /// A decision's chosen services, or an outcome's service.
    pub services: Vec<Cow<'a, str>>,
    /// Who asked.
    pub principal: Cow<'a, str>,
    /// An outcome's decision seq.
    pub refers_to: Option<i64>,
    /// How a decision's `--execute` ended.
    pub executed: Option<ExecutionOutcome>,
    /// A decision's candidates, over all its steps.
    pub candidates: Option<i64>,
    /// The record's own audit terms, sorted and distinct.
    pub terms: Vec<(&'static str, Cow<'a, str>)>,
    /// An outcome's `executed` term value on its decision:
    /// `(decision seq, "ok" | "failed")`.
    pub on_decision: Option<(i64, &'static str)>,
    /// The objects a v2 record references: `(kind, hash)`.
    pub objects: Vec<(&'static str, Cow<'a, str>)>,
    attempts: Option<&'a RawValue>,
}

impl<'a> Indexed<'a> {
    /// Reads a stored record; `None` when it does not read as a record of
    /// either kind.
    pub fn read(body: &'a str) -> Option<Indexed<'a>> {
        let head: Head<'a> = serde_json::from_str(body).ok()?;
        let v2 = record_version(body) == 2;
        let objects = match head.objects {
            Some(o) if v2 => o.referenced(),
            _ => Vec::new(),
        };
        match head.kind.as_deref() {
            None => {
                let outcome = head.outcome?;
                let services: Vec<Cow<'a, str>> = head
                    .decision
                    .chosen?
                    .into_iter()
                    .map(|c| c.service_id)
                    .collect();
                let principal = head.decision.principal?;
                let mut terms: Vec<(&'static str, Cow<'a, str>)> = Vec::with_capacity(16);
                for s in &services {
                    terms.push((term::SERVICE, s.clone()));
                }
                terms.push((term::PRINCIPAL, principal.clone()));
                terms.push((term::OUTCOME, Cow::Borrowed(outcome.as_str())));
                if let Some(tenant) = head
                    .identity
                    .and_then(|i| i.principal)
                    .and_then(|p| p.tenant)
                {
                    terms.push((term::TENANT, tenant));
                }
                if let Some(r) = head.request {
                    if let Some(c) = r.capability {
                        terms.push((term::CAPABILITY, c));
                    }
                    for step in r.chain.unwrap_or_default() {
                        terms.push((term::CAPABILITY, step.capability));
                    }
                }
                if let Some(e) = head.execution {
                    terms.push((term::EXECUTED, Cow::Borrowed(e.outcome.term())));
                }
                let mut candidates = 0u64;
                for step in head.decision.steps {
                    match step.candidates {
                        HeadCandidates::Count(n) => {
                            candidates = candidates.saturating_add(n);
                            for stage in step.rejected_by_stage.0 {
                                terms.push((term::STAGE, stage));
                            }
                            for rule in step.rejected_by_rule.0 {
                                terms.push((term::RULE, rule));
                            }
                        }
                        HeadCandidates::Listed(list) => {
                            candidates = candidates.saturating_add(list.len() as u64);
                            for c in list.into_iter().filter(|c| !c.eligible) {
                                let mut rejections = c.rejections.into_iter();
                                if let Some(first) = rejections.next() {
                                    terms.push((term::STAGE, first.stage));
                                    terms.push((term::RULE, first.rule));
                                }
                                for r in rejections {
                                    terms.push((term::RULE, r.rule));
                                }
                            }
                        }
                    }
                }
                terms.sort_unstable();
                terms.dedup();
                Some(Indexed {
                    body,
                    at: head.at,
                    kind: DECISION,
                    outcome: outcome.as_str(),
                    services,
                    principal,
                    refers_to: None,
                    executed: head.execution.map(|e| e.outcome),
                    candidates: Some(i64::try_from(candidates).unwrap_or(i64::MAX)),
                    terms,
                    on_decision: None,
                    objects,
                    attempts: head.attempts,
                })
            }
            Some(outcome::KIND) if v2 => {
                let status = head.status?;
                let seq = head.decision.seq?;
                let term = match status {
                    outcome::Status::Ok => "ok",
                    outcome::Status::Error => "failed",
                };
                Some(Indexed {
                    body,
                    at: head.at,
                    kind: outcome::KIND,
                    outcome: status.as_str(),
                    services: vec![head.service_id?],
                    principal: head.principal?,
                    refers_to: Some(seq),
                    executed: None,
                    candidates: None,
                    terms: Vec::new(),
                    on_decision: Some((seq, term)),
                    objects,
                    attempts: head.attempts,
                })
            }
            Some(_) => None,
        }
    }

    /// The lookup columns, owned.
    pub fn index(&self, hash: &[u8; 32]) -> Index {
        Index {
            decision_id: super::decision_id(hash),
            at: self.at.to_string(),
            outcome: self.outcome.to_string(),
            services: self.services.join(","),
            principal: self.principal.to_string(),
            kind: self.kind.to_string(),
            refers_to: self.refers_to,
            executed: self.executed.map(|e| e.as_str().to_string()),
            candidates: self.candidates,
        }
    }

    /// Everything derived, owned.
    pub fn derived(&self, hash: &[u8; 32]) -> Derived {
        Derived {
            index: self.index(hash),
            terms: self
                .terms
                .iter()
                .map(|(k, v)| (*k, v.to_string()))
                .collect(),
            on_decision: self
                .on_decision
                .map(|(seq, value)| (seq, (term::EXECUTED, value.to_string()))),
        }
    }

    /// Whether `stored` are the lookup columns this record and `hash`
    /// imply (what comparing with [`Indexed::index`] answers, without
    /// building it).
    pub fn matches(&self, hash: &[u8; 32], stored: &Index) -> bool {
        decision_id_is(&stored.decision_id, hash)
            && stored.at == self.at
            && stored.outcome == self.outcome
            && joined_is(&stored.services, &self.services)
            && stored.principal == self.principal
            && stored.kind == self.kind
            && stored.refers_to == self.refers_to
            && stored.executed.as_deref() == self.executed.map(|e| e.as_str())
            && stored.candidates == self.candidates
    }

    /// Whether the record may have observed anything (an outcome, or a
    /// decision with attempts): [`Indexed::observations`] is empty when not.
    pub fn may_observe(&self) -> bool {
        self.kind == outcome::KIND || self.attempts.is_some_and(|raw| raw.get() != "[]")
    }

    /// What the record observed of services, in order: one observation per
    /// execution attempt of a decision, one for an outcome.
    pub fn observations(&self) -> Vec<Observation> {
        if self.kind == outcome::KIND {
            return match serde_json::from_str::<outcome::OutcomeRecord>(self.body) {
                Ok(o) => vec![Observation::of(&o.attempt(), "reported")],
                Err(_) => Vec::new(),
            };
        }
        match self.attempts {
            Some(raw) if self.may_observe() => serde_json::from_str::<Vec<Attempt>>(raw.get())
                .map(|attempts| {
                    attempts
                        .iter()
                        .map(|a| Observation::of(a, "executed"))
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}

/// Whether `stored` is the decision id of `hash`: its first 16 bytes in
/// lower-case hex.
fn decision_id_is(stored: &str, hash: &[u8; 32]) -> bool {
    let stored = stored.as_bytes();
    stored.len() == 32
        && hash[..16]
            .iter()
            .zip(stored.chunks_exact(2))
            .all(|(b, pair)| {
                pair[0] == super::HEX_DIGITS[usize::from(b >> 4)]
                    && pair[1] == super::HEX_DIGITS[usize::from(b & 0x0f)]
            })
}

/// Whether `stored` is `parts` joined with commas.
fn joined_is(stored: &str, parts: &[Cow<'_, str>]) -> bool {
    let mut rest = stored;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            match rest.strip_prefix(',') {
                Some(r) => rest = r,
                None => return false,
            }
        }
        match rest.strip_prefix(&**part) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    rest.is_empty()
}

/// The part of a record its index rows are derived from. A decision
/// record (either format) has `outcome`, `decision.principal`,
/// `decision.chosen`, `decision.steps`, `request` and `identity`; an
/// outcome record has `kind`, `status`, `service_id`, `principal` and
/// `decision.seq`; a v2 record has `objects`, and either may have
/// `attempts` (kept unparsed: most records have none). One pass reads any.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(borrow)]
    at: Cow<'a, str>,
    #[serde(default, borrow)]
    attempts: Option<&'a RawValue>,
    #[serde(default, borrow)]
    kind: Option<Cow<'a, str>>,
    #[serde(default)]
    outcome: Option<crate::routing::Outcome>,
    #[serde(borrow)]
    decision: HeadDecision<'a>,
    #[serde(default)]
    execution: Option<HeadExecution>,
    #[serde(default)]
    status: Option<outcome::Status>,
    #[serde(default, borrow)]
    service_id: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    principal: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    request: Option<HeadRequest<'a>>,
    #[serde(default, borrow)]
    identity: Option<HeadIdentity<'a>>,
    #[serde(default, borrow)]
    objects: Option<HeadObjects<'a>>,
}

#[derive(Deserialize)]
struct HeadDecision<'a> {
    #[serde(default, borrow)]
    principal: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    chosen: Option<Vec<Choice<'a>>>,
    #[serde(default)]
    seq: Option<i64>,
    #[serde(default, borrow)]
    steps: Vec<HeadStep<'a>>,
}

/// A chosen step, by its service id.
#[derive(Deserialize)]
struct Choice<'a> {
    #[serde(borrow)]
    service_id: Cow<'a, str>,
}

#[derive(Deserialize, Clone, Copy)]
struct HeadExecution {
    outcome: ExecutionOutcome,
}

/// A step of a decision: format 2 counts its candidates and rejections,
/// format 1 lists every candidate.
#[derive(Deserialize)]
struct HeadStep<'a> {
    #[serde(borrow)]
    candidates: HeadCandidates<'a>,
    #[serde(default, borrow)]
    rejected_by_stage: Keys<'a>,
    #[serde(default, borrow)]
    rejected_by_rule: Keys<'a>,
}

/// A step's candidates: counted (format 2) or listed (format 1).
enum HeadCandidates<'a> {
    Count(u64),
    Listed(Vec<HeadCandidate<'a>>),
}

impl<'de: 'a, 'a> Deserialize<'de> for HeadCandidates<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = HeadCandidates<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a count of candidates or a list of them")
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Self::Value, E> {
                Ok(HeadCandidates::Count(n))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(c) = seq.next_element()? {
                    list.push(c);
                }
                Ok(HeadCandidates::Listed(list))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

#[derive(Deserialize)]
struct HeadCandidate<'a> {
    eligible: bool,
    #[serde(default, borrow)]
    rejections: Vec<HeadRejection<'a>>,
}

#[derive(Deserialize)]
struct HeadRejection<'a> {
    #[serde(borrow)]
    stage: Cow<'a, str>,
    #[serde(borrow)]
    rule: Cow<'a, str>,
}

/// The keys of a JSON object (its values skipped).
#[derive(Default)]
struct Keys<'a>(Vec<Cow<'a, str>>);

/// A string borrowed from the JSON where it has no escapes.
#[derive(Deserialize)]
#[serde(transparent)]
struct Key<'a>(#[serde(borrow)] Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Keys<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Keys<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut keys = Vec::new();
                while let Some(Key(k)) = map.next_key()? {
                    map.next_value::<IgnoredAny>()?;
                    keys.push(k);
                }
                Ok(Keys(keys))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

#[derive(Deserialize)]
struct HeadRequest<'a> {
    #[serde(default, borrow)]
    capability: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    chain: Option<Vec<HeadRequestStep<'a>>>,
}

#[derive(Deserialize)]
struct HeadRequestStep<'a> {
    #[serde(borrow)]
    capability: Cow<'a, str>,
}

#[derive(Deserialize)]
struct HeadIdentity<'a> {
    #[serde(default, borrow)]
    principal: Option<HeadPrincipal<'a>>,
}

#[derive(Deserialize)]
struct HeadPrincipal<'a> {
    #[serde(default, borrow)]
    tenant: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
pub(crate) struct HeadObjects<'a> {
    #[serde(borrow)]
    candidates: Cow<'a, str>,
    #[serde(default, borrow)]
    policies: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    stats: Option<Cow<'a, str>>,
}

impl<'a> HeadObjects<'a> {
    /// The objects referenced: `(kind, hash)`, the candidate set first,
    /// then the policy set and the stats snapshot where the record has
    /// them.
    pub(crate) fn referenced(self) -> Vec<(&'static str, Cow<'a, str>)> {
        std::iter::once((v2::CANDIDATES, self.candidates))
            .chain(self.policies.map(|h| (v2::POLICIES, h)))
            .chain(self.stats.map(|h| (v2::STATS, h)))
            .collect()
    }
}
