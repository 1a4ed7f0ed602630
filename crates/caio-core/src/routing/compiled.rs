//! The compiled candidate form (SPEC §12): what the pipeline reads of each
//! candidate, laid out once per candidate list in one contiguous table —
//! numbers, small enums, and the string sets (roles, tenants, regions, tags,
//! languages) as interned ids in one shared array — so that routing reads
//! neither the contracts nor their strings where they lie on the heap.
//!
//! The form is built by [`Compiled::new`] when the candidate list changes
//! (the store's router keeps it for as long as its registry snapshot) and
//! is read by every route over that list. Its checks decide which rules of
//! a stage reject; when a decision is worded, a stage that rejects is run
//! again by the stage functions of [`super::pipeline`] on the contract,
//! which word the rejections. Both must agree: the differential tests
//! against the oracle and the unit tests below hold them to it.

use super::name::{Name, RuleName};
use super::score::Figures;
use super::{Candidate, Rejection, Stage};
use crate::contract::{DataClass, Hosting, Modality, ServiceContract, Trust};
use crate::lifecycle::ServiceStatus;
use crate::policy::paths::Facts;
use crate::principal::Principal;
use crate::request::{Request, Step};
use std::collections::BTreeMap;

/// A run of interned ids in [`Compiled::ids`], sorted and without
/// duplicates; equal sets share one run, so equal spans are equal sets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Span {
    start: u32,
    len: u32,
}

/// What the pipeline reads of one candidate's contract.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// Its position in the candidate list the form was built from.
    pub(crate) candidate: u32,
    pub(crate) service_id: Name,
    pub(crate) version: Name,
    /// What the access and privacy stages and most rules read.
    pub(crate) facts: Facts,
    roles: Option<Span>,
    tenants: Option<Span>,
    regions: Span,
    tags: Span,
    pub(crate) figures: Figures,
}

/// Which region and tag sets a candidate has, as its row names them: two
/// rows have equal `Sets` exactly when they have the same sets (whatever
/// the order and repeats in their contracts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sets {
    regions: Span,
    tags: Span,
}

impl Row {
    /// Its region and tag sets.
    pub(crate) fn sets(&self) -> Sets {
        Sets {
            regions: self.regions,
            tags: self.tags,
        }
    }
}

/// One capability a candidate offers.
#[derive(Debug, Clone)]
pub(crate) struct Offer {
    /// Index into [`Compiled::rows`].
    pub(crate) row: u32,
    /// Index into the contract's `capabilities`.
    pub(crate) capability: u32,
    /// Accepted input modalities as a bit mask; `None` accepts any.
    input: Option<u8>,
    languages: Option<Span>,
    max_input_tokens: Option<u64>,
}

/// The compiled form of a candidate list: rows in (id, version) order, and
/// per capability the rows that offer it, in the same order.
#[derive(Debug, Clone, Default)]
pub struct Compiled {
    pub(crate) rows: Vec<Row>,
    /// Capability kind → its offers, sorted by kind.
    offers: Vec<(String, Vec<Offer>)>,
    ids: Vec<u32>,
    interned: BTreeMap<String, u32>,
}

fn modality_bit(m: Modality) -> u8 {
    match m {
        Modality::Text => 1,
        Modality::Image => 2,
        Modality::Audio => 4,
        Modality::Video => 8,
        Modality::Embedding => 16,
    }
}

fn hosting_bit(h: Hosting) -> u8 {
    match h {
        Hosting::OnPrem => 1,
        Hosting::Internal => 2,
        Hosting::External => 4,
    }
}

/// Records that `rule` of `stage` rejects, without a message (the stage
/// functions word it when the decision is worded).
#[cold]
fn reject(out: &mut Vec<Rejection>, stage: Stage, rule: &'static str) {
    out.push(Rejection {
        stage,
        rule: RuleName::check(rule),
        message: String::new(),
    });
}

fn mask(modalities: &[Modality]) -> u8 {
    modalities.iter().fold(0, |m, x| m | modality_bit(*x))
}

struct Builder {
    ids: Vec<u32>,
    interned: BTreeMap<String, u32>,
    /// Every set given a run so far, by its ids.
    spans: BTreeMap<Vec<u32>, Span>,
}

impl Builder {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(id) = self.interned.get(s) {
            return *id;
        }
        let id = self.interned.len() as u32;
        self.interned.insert(s.to_string(), id);
        id
    }

    fn span(&mut self, strings: &[String]) -> Span {
        let mut set: Vec<u32> = strings.iter().map(|s| self.id(s)).collect();
        set.sort_unstable();
        set.dedup();
        if let Some(span) = self.spans.get(&set) {
            return *span;
        }
        let span = Span {
            start: self.ids.len() as u32,
            len: set.len() as u32,
        };
        self.ids.extend_from_slice(&set);
        self.spans.insert(set, span);
        span
    }
}

impl Compiled {
    /// Compiles `candidates` (any order). Routing with this form must be
    /// given the same list, in the same order.
    pub fn new(candidates: &[Candidate<'_>]) -> Compiled {
        let mut order: Vec<usize> = (0..candidates.len()).collect();
        let key = |i: usize| {
            let c = candidates[i].contract;
            (&c.service_id, &c.version)
        };
        order.sort_by(|a, b| key(*a).cmp(&key(*b)));
        let mut b = Builder {
            ids: Vec::new(),
            interned: BTreeMap::new(),
            spans: BTreeMap::new(),
        };
        // One shared table of ids and one of versions, in row order.
        let names = |field: fn(&ServiceContract) -> &str| {
            Name::table(
                order
                    .iter()
                    .map(|&i| Box::from(field(candidates[i].contract)))
                    .collect(),
            )
            .into_iter()
        };
        let names = names(|c| &c.service_id).zip(names(|c| &c.version));
        let mut rows = Vec::with_capacity(order.len());
        let mut offers: BTreeMap<String, Vec<Offer>> = BTreeMap::new();
        for ((r, &i), (service_id, version)) in order.iter().enumerate().zip(names) {
            let c = candidates[i].contract;
            let access = &c.access;
            let privacy = &c.privacy;
            rows.push(Row {
                candidate: i as u32,
                service_id,
                version,
                facts: Facts::of(c),
                roles: access.roles.as_deref().map(|s| b.span(s)),
                tenants: access.tenants.as_deref().map(|s| b.span(s)),
                regions: b.span(&privacy.regions),
                tags: b.span(&c.tags),
                figures: Figures::of(c),
            });
            // The pipeline evaluates a candidate once per step, against the
            // first capability of its contract with the step's kind.
            let mut seen: Vec<&str> = Vec::new();
            for (k, cap) in c.capabilities.iter().enumerate() {
                if seen.contains(&cap.kind.as_str()) {
                    continue;
                }
                seen.push(&cap.kind);
                let offer = Offer {
                    row: r as u32,
                    capability: k as u32,
                    input: cap.input.as_deref().map(mask),
                    languages: cap.languages.as_deref().map(|s| b.span(s)),
                    max_input_tokens: cap.max_input_tokens,
                };
                offers.entry(cap.kind.clone()).or_default().push(offer);
            }
        }
        Compiled {
            rows,
            offers: offers.into_iter().collect(),
            ids: b.ids,
            interned: b.interned,
        }
    }

    /// How many candidates the form was built from.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether it was built from no candidate.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The candidates offering `capability`, in (id, version) order.
    pub(crate) fn offers(&self, capability: &str) -> &[Offer] {
        match self
            .offers
            .binary_search_by(|(k, _)| k.as_str().cmp(capability))
        {
            Ok(i) => &self.offers[i].1,
            Err(_) => &[],
        }
    }

    fn set(&self, span: Span) -> &[u32] {
        let start = span.start as usize;
        self.ids
            .get(start..start + span.len as usize)
            .unwrap_or(&[])
    }

    fn lookup(&self, s: &str) -> Option<u32> {
        self.interned.get(s).copied()
    }

    fn lookup_all(&self, strings: &[String]) -> Vec<u32> {
        strings.iter().filter_map(|s| self.lookup(s)).collect()
    }
}

/// What one step asks, in the compiled form's ids: built once per step.
pub(crate) struct Query {
    refused: bool,
    trust: Trust,
    roles: Vec<u32>,
    tenant: Option<u32>,
    class: DataClass,
    pii: bool,
    regions: Option<Vec<u32>>,
    modalities: Option<u8>,
    /// The request's language, when it names one: its id if interned.
    language: Option<Option<u32>>,
    tokens: u64,
    /// Required tags: their ids, and whether every one is interned.
    tags: Option<(Vec<u32>, bool)>,
    hosting: Option<u8>,
    /// The preferred tags (deduplicated) that some candidate carries.
    prefer: Vec<u32>,
}

impl Query {
    pub(crate) fn new(
        compiled: &Compiled,
        request: &Request,
        principal: &Principal,
        refused: bool,
        step: &Step,
    ) -> Query {
        let req = &request.requirements;
        let mut prefer: Vec<&str> = request
            .preferences
            .prefer_tags
            .iter()
            .map(String::as_str)
            .collect();
        prefer.sort_unstable();
        prefer.dedup();
        Query {
            refused,
            trust: principal.trust,
            roles: compiled.lookup_all(&principal.roles),
            tenant: principal.tenant.as_deref().and_then(|t| compiled.lookup(t)),
            class: request.data.class,
            pii: request.data.contains_pii,
            regions: req.regions.as_deref().map(|r| compiled.lookup_all(r)),
            modalities: step.input.modalities.as_deref().map(mask),
            language: step.input.language.as_deref().map(|l| compiled.lookup(l)),
            tokens: step.input.tokens,
            tags: req.tags.as_deref().map(|t| {
                let ids = compiled.lookup_all(t);
                let all_known = ids.len() == t.len();
                (ids, all_known)
            }),
            hosting: req
                .hosting
                .as_deref()
                .map(|h| h.iter().fold(0, |m, x| m | hosting_bit(*x))),
            prefer: prefer.iter().filter_map(|t| compiled.lookup(t)).collect(),
        }
    }

    /// The rules of the first of the status, capability, access and
    /// privacy stages that rejects the candidate, pushed to `out` without
    /// messages — the rules the stage functions of [`super::pipeline`]
    /// find, in their order; nothing when every stage passes. `out` may
    /// already hold other candidates' rejections: only what is pushed
    /// counts.
    #[inline]
    pub(crate) fn early(
        &self,
        compiled: &Compiled,
        candidate: &Candidate<'_>,
        row: &Row,
        offer: &Offer,
        out: &mut Vec<Rejection>,
    ) {
        let start = out.len();
        // Status.
        if matches!(
            candidate.status,
            ServiceStatus::Drained | ServiceStatus::Disabled
        ) {
            reject(out, Stage::Status, candidate.status.as_str());
        }
        if candidate.stats.circuit_open {
            reject(out, Stage::Status, "circuit-open");
        }
        if out.len() > start {
            return;
        }
        // Capability.
        if let (Some(sent), Some(accepted)) = (self.modalities, offer.input)
            && sent & !accepted != 0
        {
            reject(out, Stage::Capability, "modalities");
        }
        if let (Some(language), Some(languages)) = (self.language, offer.languages)
            && !language.is_some_and(|l| compiled.set(languages).contains(&l))
        {
            reject(out, Stage::Capability, "language");
        }
        if offer.max_input_tokens.is_some_and(|max| self.tokens > max) {
            reject(out, Stage::Capability, "max_input_tokens");
        }
        if out.len() > start {
            return;
        }
        // Access.
        if self.refused {
            reject(out, Stage::Access, "authentication");
            return;
        }
        if self.trust < row.facts.min_trust {
            reject(out, Stage::Access, "min_trust");
        }
        if let Some(roles) = row.roles {
            let roles = compiled.set(roles);
            if !self.roles.iter().any(|r| roles.contains(r)) {
                reject(out, Stage::Access, "roles");
            }
        }
        if let Some(tenants) = row.tenants
            && !self
                .tenant
                .is_some_and(|t| compiled.set(tenants).contains(&t))
        {
            reject(out, Stage::Access, "tenants");
        }
        if out.len() > start {
            return;
        }
        // Privacy.
        if self.class > row.facts.max_data_class {
            reject(out, Stage::Privacy, "max_data_class");
        }
        if self.pii && !row.facts.pii_allowed {
            reject(out, Stage::Privacy, "pii_allowed");
        }
        if let Some(allowed) = &self.regions
            && compiled
                .set(row.regions)
                .iter()
                .any(|r| !allowed.contains(r))
        {
            reject(out, Stage::Privacy, "regions");
        }
    }

    /// The rules of the requirement stage that reject the candidate, for
    /// its metrics, pushed to `out` without messages (as
    /// [`super::pipeline::requirement`] finds them); nothing when it
    /// passes.
    #[inline]
    pub(crate) fn unmet(
        &self,
        compiled: &Compiled,
        request: &Request,
        row: &Row,
        m: &super::Metrics,
        chained: bool,
        out: &mut Vec<Rejection>,
    ) {
        let req = &request.requirements;
        if !chained {
            if req
                .max_latency_p95_ms
                .is_some_and(|max| m.latency_p95_ms > max)
            {
                reject(out, Stage::Requirement, "max_latency_p95_ms");
            }
            if req.min_availability.is_some_and(|min| m.availability < min) {
                reject(out, Stage::Requirement, "min_availability");
            }
            if req.max_cost.is_some_and(|max| m.cost > max) {
                reject(out, Stage::Requirement, "max_cost");
            }
        }
        if let Some(min) = req.min_accuracy
            && m.accuracy.is_none_or(|a| a < min)
        {
            reject(out, Stage::Requirement, "min_accuracy");
        }
        if let Some((tags, all_known)) = &self.tags {
            let have = compiled.set(row.tags);
            if !all_known || tags.iter().any(|t| !have.contains(t)) {
                reject(out, Stage::Requirement, "tags");
            }
        }
        if let Some(hosting) = self.hosting
            && hosting & hosting_bit(row.facts.hosting) == 0
        {
            reject(out, Stage::Requirement, "hosting");
        }
    }

    /// How many of the preferred tags the candidate carries.
    pub(crate) fn preferred_tags(&self, compiled: &Compiled, row: &Row) -> u32 {
        if self.prefer.is_empty() {
            return 0;
        }
        let have = compiled.set(row.tags);
        self.prefer.iter().filter(|t| have.contains(t)).count() as u32
    }
}

#[cfg(test)]
mod tests {
    //! The compiled checks against the stage functions that word the
    //! rejections: for any contract, request and principal, a compiled
    //! check finds the rules its stages find, in the same order.

    use super::*;
    use crate::contract::ServiceContract;
    use crate::routing::pipeline::{Reasons, access, capability, privacy, requirement, status};
    use crate::routing::{Identity, ServiceStats, Wording};
    use proptest::prelude::*;

    const WORDS: [&str; 6] = ["eu", "us", "ops", "acme", "en", "fr"];

    fn words() -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec(prop::sample::select(&WORDS[..]), 0..4)
            .prop_map(|w| w.into_iter().map(str::to_string).collect())
    }

    fn modalities() -> impl Strategy<Value = Vec<Modality>> {
        proptest::collection::vec(
            prop::sample::select(vec![Modality::Text, Modality::Image, Modality::Audio]),
            0..3,
        )
    }

    fn trust() -> impl Strategy<Value = Trust> {
        prop::sample::select(vec![Trust::Low, Trust::Medium, Trust::High])
    }

    fn class() -> impl Strategy<Value = DataClass> {
        prop::sample::select(vec![
            DataClass::Public,
            DataClass::Internal,
            DataClass::Confidential,
            DataClass::Restricted,
        ])
    }

    fn hosting() -> impl Strategy<Value = Hosting> {
        prop::sample::select(vec![Hosting::OnPrem, Hosting::Internal, Hosting::External])
    }

    fn base() -> ServiceContract {
        let text = "apiVersion: caio/v1
service_id: svc
name: svc
version: 1.0.0
capabilities: [{ type: chat }]
guarantees: { latency_ms: { p50: 100, p95: 200, p99: 400 }, availability: 0.999, accuracy: 0.8 }
cost: { currency: USD, per_request: 0.01, per_1k_input_tokens: 0.001, per_1k_output_tokens: 0.002 }
privacy: { hosting: internal, regions: [eu], max_data_class: restricted }
endpoint: { url: http://127.0.0.1:9/x }
";
        let file = crate::contract::validate_text("c.yaml", text);
        file.contract.expect("a valid contract")
    }

    prop_compose! {
        fn contract()(
            roles in proptest::option::of(words()),
            tenants in proptest::option::of(words()),
            regions in words(),
            tags in words(),
            languages in proptest::option::of(words()),
            input in proptest::option::of(modalities()),
            max_input_tokens in proptest::option::of(0u64..3000),
            min_trust in trust(),
            max_data_class in class(),
            pii_allowed in any::<bool>(),
            hosting in hosting(),
            p95 in 50.0f64..800.0,
            availability in 0.9f64..1.0,
            accuracy in proptest::option::of(0.0f64..1.0),
        ) -> ServiceContract {
            let mut c = base();
            c.access.roles = roles;
            c.access.tenants = tenants;
            c.access.min_trust = min_trust;
            c.privacy.regions = regions;
            c.privacy.max_data_class = max_data_class;
            c.privacy.pii_allowed = pii_allowed;
            c.privacy.hosting = hosting;
            c.tags = tags;
            c.capabilities[0].languages = languages;
            c.capabilities[0].input = input;
            c.capabilities[0].max_input_tokens = max_input_tokens;
            c.guarantees.latency_ms.p95 = p95;
            c.guarantees.availability = availability;
            c.guarantees.accuracy = accuracy;
            c
        }
    }

    prop_compose! {
        fn asked()(
            roles in words(),
            tenant in proptest::option::of(prop::sample::select(&["acme", "globex", "eu"][..])),
            trust in trust(),
            class in class(),
            pii in any::<bool>(),
            regions in proptest::option::of(words()),
            tags in proptest::option::of(words()),
            hosting in proptest::option::of(proptest::collection::vec(hosting(), 0..3)),
            language in proptest::option::of(prop::sample::select(&["en", "fr", "de"][..])),
            modalities in proptest::option::of(modalities()),
            tokens in 0u64..4000,
            max_latency in proptest::option::of(50.0f64..800.0),
            min_availability in proptest::option::of(0.9f64..1.0),
            min_accuracy in proptest::option::of(0.0f64..1.0),
            max_cost in proptest::option::of(0.0f64..0.05),
            refused in any::<bool>(),
        ) -> (Request, Principal, bool) {
            let mut r = Request::for_capability("chat");
            r.data.class = class;
            r.data.contains_pii = pii;
            r.requirements.regions = regions;
            r.requirements.tags = tags;
            r.requirements.hosting = hosting;
            r.requirements.max_latency_p95_ms = max_latency;
            r.requirements.min_availability = min_availability;
            r.requirements.min_accuracy = min_accuracy;
            r.requirements.max_cost = max_cost;
            r.input.language = language.map(str::to_string);
            r.input.modalities = modalities;
            r.input.tokens = tokens;
            let principal = Principal {
                name: "p".into(),
                tenant: tenant.map(str::to_string),
                roles,
                trust,
            };
            (r, principal, refused)
        }
    }

    proptest! {
        #[test]
        fn compiled_checks_agree_with_the_stage_functions(
            contract in contract(),
            (request, principal, refused) in asked(),
            degraded in any::<bool>(),
            open in any::<bool>(),
            chained in any::<bool>(),
        ) {
            let candidate = Candidate {
                contract: &contract,
                status: if degraded { ServiceStatus::Degraded } else { ServiceStatus::Active },
                status_reason: None,
                stats: ServiceStats { circuit_open: open, ..ServiceStats::default() },
            };
            let compiled = Compiled::new(&[candidate]);
            let step = request.steps().remove(0);
            let query = Query::new(&compiled, &request, &principal, refused, &step);
            let row = &compiled.rows[0];
            let offer = &compiled.offers("chat")[0];
            let identity = if refused {
                Identity::Refused { failure: crate::principal::AuthFailure::Unknown }
            } else {
                Identity::Simulated { principal: principal.clone() }
            };
            // The stages find the same rules, in the same order, without
            // their messages.
            let rules = |out: &[Rejection]| -> Vec<(Stage, String)> {
                out.iter().map(|r| (r.stage, r.rule.to_string())).collect()
            };
            let mut out = Vec::new();
            let mut reasons = Reasons::new(&mut out, Wording::RulesOnly);
            status(&candidate, &mut reasons);
            if out.is_empty() {
                capability(&request, 0, &step, &contract.capabilities[0], &mut Reasons::new(&mut out, Wording::RulesOnly));
            }
            if out.is_empty() {
                access(&identity, &principal, &contract, &mut Reasons::new(&mut out, Wording::RulesOnly));
            }
            if out.is_empty() {
                privacy(&request, &contract, &mut Reasons::new(&mut out, Wording::RulesOnly));
            }
            // A step's rejections lie one after the other: what another
            // candidate was rejected for before changes nothing.
            let earlier = Rejection {
                stage: Stage::Status,
                rule: RuleName::check("disabled"),
                message: String::new(),
            };
            let mut compiled_out = vec![earlier];
            query.early(&compiled, &candidate, row, offer, &mut compiled_out);
            prop_assert_eq!(rules(&compiled_out[1..]), rules(&out));
            let metrics = row.figures.metrics(candidate.status, &candidate.stats, &step.input);
            let mut out = Vec::new();
            requirement(&request, &contract, &metrics, chained, &mut Reasons::new(&mut out, Wording::RulesOnly));
            let mut compiled_out = Vec::new();
            query.unmet(&compiled, &request, row, &metrics, chained, &mut compiled_out);
            prop_assert_eq!(rules(&compiled_out), rules(&out));
        }
    }
}
