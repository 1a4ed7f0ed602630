//! The compiled candidate form (SPEC §12): what the pipeline reads of each
//! candidate, laid out once per candidate list in one contiguous table —
//! numbers, small enums, and the string sets (roles, tenants, regions, tags,
//! languages) as interned ids in one shared array — so that routing reads
//! neither the contracts nor their strings where they lie on the heap.
//!
//! The form is built by [`Compiled::new`] when the candidate list changes
//! and is read by every route over that list; a store keeps it with the
//! list ([`Compiled::encode`], [`Compiled::decode`]), so a route over stored
//! contracts parses none of them. Its checks decide which rules of
//! a stage reject; when a decision is worded, a stage that rejects is run
//! again by the stage functions of [`super::pipeline`] on the contract,
//! which word the rejections. Both must agree: the differential tests
//! against the oracle and the unit tests below hold them to it.

use super::chain::Served;
use super::name::{Name, RuleName};
use super::score::Figures;
use super::{Candidate, Rejection, Stage};
use crate::contract::{DataClass, Hosting, Modality, ServiceContract, Trust};
use crate::lifecycle::ServiceStatus;
use crate::policy::paths::Facts;
use crate::principal::Principal;
use crate::request::{Request, Step};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A run of interned ids in [`Compiled::ids`]: a set (sorted, without
/// duplicates) or a list as its contract orders it. Equal runs share one,
/// so two set spans are equal exactly when their sets are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Span {
    start: u32,
    len: u32,
}

/// What the pipeline reads of one candidate's contract; its id and version
/// are [`Name`]s, or strings as [`Compiled::encode`] writes the row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Row<N = Name> {
    /// Its position in the candidate list the form was built from.
    pub(crate) candidate: u32,
    pub(crate) service_id: N,
    pub(crate) version: N,
    /// What the access and privacy stages and most rules read.
    pub(crate) facts: Facts,
    roles: Option<Span>,
    tenants: Option<Span>,
    regions: Span,
    tags: Span,
    /// Its regions and tags as its contract lists them (order and repeats
    /// kept): what a rule reads and a composition reports.
    listed_regions: Span,
    listed_tags: Span,
    /// Its cost currency (an interned id).
    currency: u32,
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

impl<N> Row<N> {
    /// The same row with its id and version given as `service_id` and
    /// `version`.
    fn named<M>(&self, service_id: M, version: M) -> Row<M> {
        Row {
            candidate: self.candidate,
            service_id,
            version,
            facts: self.facts,
            roles: self.roles,
            tenants: self.tenants,
            regions: self.regions,
            tags: self.tags,
            listed_regions: self.listed_regions,
            listed_tags: self.listed_tags,
            currency: self.currency,
            figures: self.figures,
        }
    }
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
#[derive(Debug, Clone, Serialize, Deserialize)]
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

/// A list of strings as a row holds it (ids into the form's strings).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Listed<'a> {
    compiled: &'a Compiled,
    ids: &'a [u32],
}

impl<'a> Listed<'a> {
    /// Its strings, in order.
    pub(crate) fn iter(self) -> impl Iterator<Item = &'a str> + Clone {
        let strings = &self.compiled.strings;
        self.ids
            .iter()
            .map(move |&id| strings.get(id as usize).map_or("", |s| &**s))
    }
}

/// The version of [`Compiled::encode`]'s bytes: a form of another is not
/// read back (its store rebuilds it).
const ENCODING: u8 = 1;

/// The compiled form of a candidate list: rows in (id, version) order, and
/// per capability the rows that offer it, in the same order.
#[derive(Debug, Clone, Default)]
pub struct Compiled {
    pub(crate) rows: Vec<Row>,
    /// Capability kind → its offers, sorted by kind.
    offers: Vec<(String, Vec<Offer>)>,
    ids: Vec<u32>,
    /// Every interned string, by id.
    strings: Vec<Box<str>>,
    interned: BTreeMap<Box<str>, u32>,
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
/// functions word it when the decision is worded). Most candidates of a
/// large registry are rejected: this is the common path, not a cold one.
#[inline]
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
    strings: Vec<Box<str>>,
    interned: BTreeMap<Box<str>, u32>,
    /// Every run of ids given so far (a set, or a list in its order).
    spans: BTreeMap<Vec<u32>, Span>,
}

impl Builder {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(id) = self.interned.get(s) {
            return *id;
        }
        let id = self.strings.len() as u32;
        self.strings.push(Box::from(s));
        self.interned.insert(Box::from(s), id);
        id
    }

    /// The run of `strings` as a set: sorted, without repeats.
    fn span(&mut self, strings: &[String]) -> Span {
        let mut set: Vec<u32> = strings.iter().map(|s| self.id(s)).collect();
        set.sort_unstable();
        set.dedup();
        self.run(set)
    }

    /// The run of `strings` as listed.
    fn listed(&mut self, strings: &[String]) -> Span {
        let list: Vec<u32> = strings.iter().map(|s| self.id(s)).collect();
        self.run(list)
    }

    fn run(&mut self, ids: Vec<u32>) -> Span {
        if let Some(span) = self.spans.get(&ids) {
            return *span;
        }
        let span = Span {
            start: self.ids.len() as u32,
            len: ids.len() as u32,
        };
        self.ids.extend_from_slice(&ids);
        self.spans.insert(ids, span);
        span
    }
}

impl Compiled {
    /// Compiles `candidates` (any order). Routing with this form must be
    /// given the same list, in the same order. A candidate whose stored
    /// contract cannot be read back is left out (it offers nothing): a
    /// caller that compiles stored contracts checks them first, and fails
    /// closed.
    pub fn new(candidates: &[Candidate<'_>]) -> Compiled {
        let mut order: Vec<(usize, &ServiceContract)> = candidates
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.contract.get().map(|c| (i, c)))
            .collect();
        order.sort_by(|(_, a), (_, b)| {
            (&a.service_id, &a.version).cmp(&(&b.service_id, &b.version))
        });
        let mut b = Builder {
            ids: Vec::new(),
            strings: Vec::new(),
            interned: BTreeMap::new(),
            spans: BTreeMap::new(),
        };
        // One shared table of ids and one of versions, in row order.
        let names = |field: fn(&ServiceContract) -> &str| {
            Name::table(order.iter().map(|(_, c)| Box::from(field(c))).collect()).into_iter()
        };
        let names = names(|c| &c.service_id).zip(names(|c| &c.version));
        let mut rows = Vec::with_capacity(order.len());
        let mut offers: BTreeMap<String, Vec<Offer>> = BTreeMap::new();
        for ((r, &(i, c)), (service_id, version)) in order.iter().enumerate().zip(names) {
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
                listed_regions: b.listed(&privacy.regions),
                listed_tags: b.listed(&c.tags),
                currency: b.id(&c.cost.currency),
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
            strings: b.strings,
            interned: b.interned,
        }
    }

    /// The form as bytes, for a store to keep with the candidate list it
    /// was built from ([`Compiled::decode`] reads it back).
    pub fn encode(&self) -> Vec<u8> {
        let rows: Vec<Row<&str>> = self
            .rows
            .iter()
            .map(|r| r.named(r.service_id.as_str(), r.version.as_str()))
            .collect();
        let offers: Vec<(&str, &[Offer])> = self
            .offers
            .iter()
            .map(|(k, o)| (k.as_str(), o.as_slice()))
            .collect();
        let strings: Vec<&str> = self.strings.iter().map(|s| &**s).collect();
        // Serialising plain data to a vector cannot fail; an empty form
        // would only be rebuilt.
        postcard::to_allocvec(&(ENCODING, rows, offers, &self.ids, strings)).unwrap_or_default()
    }

    /// The form [`Compiled::encode`] wrote, for a list of `candidates`
    /// candidates; `None` when the bytes are not such a form (another
    /// encoding, or damaged: every index is checked, so a form read back
    /// never points outside itself or the list).
    pub fn decode(bytes: &[u8], candidates: usize) -> Option<Compiled> {
        type Decoded<'a> = (
            u8,
            Vec<Row<&'a str>>,
            Vec<(&'a str, Vec<Offer>)>,
            Vec<u32>,
            Vec<&'a str>,
        );
        let (encoding, rows, offers, ids, strings): Decoded<'_> =
            postcard::from_bytes(bytes).ok()?;
        if encoding != ENCODING {
            return None;
        }
        let span_ok = |s: Span| {
            (s.start as usize)
                .checked_add(s.len as usize)
                .is_some_and(|end| end <= ids.len())
        };
        let opt_ok = |s: Option<Span>| s.is_none_or(span_ok);
        let rows_ok = rows.iter().all(|r| {
            r.figures.in_range()
                && (r.candidate as usize) < candidates
                && (r.currency as usize) < strings.len()
                && opt_ok(r.roles)
                && opt_ok(r.tenants)
                && [r.regions, r.tags, r.listed_regions, r.listed_tags]
                    .into_iter()
                    .all(span_ok)
        });
        let offers_ok = offers.iter().all(|(_, o)| {
            o.iter()
                .all(|o| (o.row as usize) < rows.len() && opt_ok(o.languages))
        }) && offers.windows(2).all(|w| w[0].0 < w[1].0);
        // Rows in (id, version) order, as the pipeline and `position` read them.
        let sorted = rows
            .windows(2)
            .all(|w| (w[0].service_id, w[0].version) < (w[1].service_id, w[1].version));
        if !rows_ok || !offers_ok || !sorted || ids.iter().any(|&id| id as usize >= strings.len()) {
            return None;
        }
        let service_ids = Name::table(rows.iter().map(|r| Box::from(r.service_id)).collect());
        let versions = Name::table(rows.iter().map(|r| Box::from(r.version)).collect());
        let names = service_ids.into_iter().zip(versions);
        let rows = rows
            .iter()
            .zip(names)
            .map(|(r, (service_id, version))| r.named(service_id, version))
            .collect();
        let strings: Vec<Box<str>> = strings.into_iter().map(Box::from).collect();
        let interned = strings
            .iter()
            .enumerate()
            .map(|(id, s)| (s.clone(), id as u32))
            .collect();
        Some(Compiled {
            rows,
            offers: offers
                .into_iter()
                .map(|(k, o)| (k.to_string(), o))
                .collect(),
            ids,
            strings,
            interned,
        })
    }

    /// A row's regions and tags as its contract lists them.
    pub(crate) fn listed(&self, row: &Row) -> (Listed<'_>, Listed<'_>) {
        (
            Listed {
                compiled: self,
                ids: self.set(row.listed_regions),
            },
            Listed {
                compiled: self,
                ids: self.set(row.listed_tags),
            },
        )
    }

    /// What a composition reads of a chosen row.
    pub(crate) fn served(&self, row: &Row) -> Served<'_> {
        let (regions, _) = self.listed(row);
        Served {
            regions: regions.iter().collect(),
            currency: self.strings.get(row.currency as usize).map_or("", |s| s),
            hosting: row.facts.hosting,
            retention_days: row.facts.retention_days,
        }
    }

    /// Where `service_id` is in the candidate list the form was built
    /// from (the list holds one version per service).
    pub fn position(&self, service_id: &str) -> Option<usize> {
        self.rows
            .binary_search_by(|r| r.service_id.as_str().cmp(service_id))
            .ok()
            .and_then(|i| self.rows.get(i))
            .map(|r| r.candidate as usize)
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

    /// A shipped contract's text, validated.
    fn parse(text: &str) -> ServiceContract {
        crate::contract::validate_text("c.yaml", text)
            .contract
            .expect("a valid contract")
    }

    /// Shipped contracts, parsed, and stored as a registry keeps them.
    fn shipped() -> (Vec<ServiceContract>, Vec<crate::contract::StoredContract>) {
        let texts = [
            include_str!("../../../../contracts/openai-gpt-4o.yaml"),
            include_str!("../../../../contracts/openai-gpt-4o-mini.yaml"),
            include_str!("../../../../contracts/anthropic-claude-sonnet.yaml"),
            include_str!("../../../../contracts/azure-openai-gpt-4o-eu.yaml"),
            include_str!("../../../../contracts/mistral-large-eu.yaml"),
            include_str!("../../../../contracts/llama-3-70b-onprem.yaml"),
            include_str!("../../../../contracts/vllm-mixtral-internal.yaml"),
            include_str!("../../../../contracts/google-gemini-flash.yaml"),
        ];
        let parsed: Vec<ServiceContract> = texts.iter().map(|t| parse(t)).collect();
        let stored = parsed
            .iter()
            .map(|c| {
                let body = serde_json::to_string(c).expect("serialisable");
                crate::contract::StoredContract::new(&c.service_id, &c.version, &body)
            })
            .collect();
        (parsed, stored)
    }

    /// Active candidates without history over stored contracts.
    fn active(stored: &[crate::contract::StoredContract]) -> Vec<Candidate<'_>> {
        stored
            .iter()
            .map(|c| Candidate {
                contract: c.into(),
                status: ServiceStatus::Active,
                status_reason: None,
                stats: ServiceStats::default(),
            })
            .collect()
    }

    fn policies(extra: &str) -> crate::policy::PolicySet {
        let mut all = Vec::new();
        for text in [
            include_str!("../../../../policies/eu-residency.yaml"),
            include_str!("../../../../policies/free-tier.yaml"),
            include_str!("../../../../policies/pii.yaml"),
            include_str!("../../../../policies/prefer-internal.yaml"),
            include_str!("../../../../policies/restricted-data.yaml"),
            extra,
        ] {
            if text.is_empty() {
                continue;
            }
            let file = crate::policy::load::load_text("p.yaml", text, std::path::Path::new("."));
            assert!(file.report.is_valid(), "{:?}", file.report.problems);
            all.extend(file.policies);
        }
        crate::policy::PolicySet::new(all)
    }

    /// Requests and callers that reach every shipped rule: an EU tenant on
    /// the free tier, personal data, restricted data, preferred tags.
    fn asks() -> Vec<(Request, Identity)> {
        let acme = Principal {
            name: "ana".into(),
            tenant: Some("acme".into()),
            roles: vec!["free-tier".into(), "ops".into()],
            trust: Trust::High,
        };
        let mut pii = Request::for_capability("chat");
        pii.data.contains_pii = true;
        let mut restricted = Request::for_capability("chat");
        restricted.data.class = DataClass::Restricted;
        let mut tagged = Request::for_capability("chat");
        tagged.preferences.prefer_tags = vec!["eu".into(), "fast".into()];
        let simulated = Identity::Simulated { principal: acme };
        vec![
            (Request::for_capability("chat"), Identity::Anonymous),
            (Request::for_capability("chat"), simulated.clone()),
            (pii, simulated.clone()),
            (restricted, Identity::Anonymous),
            (tagged, simulated),
        ]
    }

    fn decide(
        request: &Request,
        identity: &Identity,
        candidates: &[Candidate<'_>],
        compiled: &Compiled,
        set: &crate::policy::PolicySet,
        detail: crate::routing::Detail,
    ) -> serde_json::Value {
        let d = crate::routing::route_compiled(
            request, identity, candidates, compiled, set, None, detail,
        );
        serde_json::to_value(d).expect("serialisable")
    }

    #[test]
    fn a_decoded_form_over_stored_contracts_decides_as_the_parsed_ones_do() {
        use crate::routing::Detail;
        let (parsed, stored) = shipped();
        let set = policies("");
        let fresh: Vec<Candidate<'_>> = parsed.iter().map(Candidate::active).collect();
        let compiled = Compiled::new(&fresh);
        let decoded = Compiled::decode(&compiled.encode(), stored.len()).expect("read back");
        let lazy = active(&stored);
        for (request, identity) in asks() {
            let brief = decide(&request, &identity, &lazy, &decoded, &set, Detail::Brief);
            assert_eq!(
                brief,
                decide(&request, &identity, &fresh, &compiled, &set, Detail::Brief)
            );
        }
        // Brief decisions over the stored form read no contract: the
        // shipped rules read facts, sets and estimates only.
        assert!(stored.iter().all(|c| !c.is_parsed()));
        // Worded in full, a decision parses what it words, and says the same.
        for (request, identity) in asks() {
            let full = decide(&request, &identity, &lazy, &decoded, &set, Detail::Full);
            assert_eq!(
                full,
                decide(&request, &identity, &fresh, &compiled, &set, Detail::Full)
            );
        }
        assert!(stored.iter().any(|c| c.is_parsed()));
        // Each service is found where the list has it.
        for (i, c) in parsed.iter().enumerate() {
            assert_eq!(decoded.position(&c.service_id), Some(i));
        }
        assert_eq!(decoded.position("no-such-service"), None);
        // Chosen guarantees come from the form.
        let chosen = &compiled.rows[0];
        let served = decoded.served(&decoded.rows[0]);
        let contract = &parsed[chosen.candidate as usize];
        assert_eq!(served.currency, contract.cost.currency);
        assert_eq!(served.regions, contract.privacy.regions);
    }

    #[test]
    fn a_damaged_form_is_not_read_back() {
        let (parsed, _) = shipped();
        let fresh: Vec<Candidate<'_>> = parsed.iter().map(Candidate::active).collect();
        let bytes = Compiled::new(&fresh).encode();
        assert!(Compiled::decode(&bytes, parsed.len()).is_some());
        // Cut short, of another encoding, or for a shorter list.
        assert!(Compiled::decode(&bytes[..bytes.len() - 1], parsed.len()).is_none());
        let mut other = bytes.clone();
        other[0] = ENCODING + 1;
        assert!(Compiled::decode(&other, parsed.len()).is_none());
        assert!(Compiled::decode(&bytes, parsed.len() - 1).is_none());
        // Any byte altered: read back or refused, never a panic, and a form
        // read back points only inside itself and the list.
        let (set, request) = (policies(""), Request::for_capability("chat"));
        for at in 0..bytes.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                damaged[at] ^= flip;
                if let Some(form) = Compiled::decode(&damaged, parsed.len()) {
                    let detail = crate::routing::Detail::Full;
                    decide(&request, &Identity::Anonymous, &fresh, &form, &set, detail);
                }
            }
        }
    }

    #[test]
    fn figures_out_of_range_are_not_read_back_and_never_panic_a_route() {
        let mut parsed = [
            include_str!("../../../../contracts/bge-m3-internal.yaml"),
            include_str!("../../../../contracts/openai-embedding-3-small.yaml"),
            include_str!("../../../../contracts/mistral-embed-eu.yaml"),
            include_str!("../../../../contracts/openai-gpt-4o.yaml"),
            include_str!("../../../../contracts/openai-gpt-4o-mini.yaml"),
        ]
        .map(parse);
        // What no validated contract says, but a damaged store could (the
        // first two: what a fuzzed stored form said).
        parsed[0].guarantees.availability = -289_669.12;
        parsed[0].cost.per_request = 6.365987373e-314;
        parsed[1].cost.per_request = -2.898_403_142_262_943_8e171;
        parsed[1].cost.per_1k_input_tokens = 1.946_453_573_631_323_8e-5;
        parsed[2].cost.per_request = 8.065_892_737_347_638e-308;
        parsed[3].guarantees.latency_ms.p95 = f64::INFINITY;
        parsed[4].guarantees.accuracy = Some(f64::NAN);
        let candidates: Vec<Candidate<'_>> = parsed.iter().map(Candidate::active).collect();
        let compiled = Compiled::new(&candidates);
        assert!(Compiled::decode(&compiled.encode(), parsed.len()).is_none());
        for (capability, detail) in [
            ("embedding", crate::routing::Detail::Full),
            ("embedding", crate::routing::Detail::Brief),
            ("chat", crate::routing::Detail::Full),
        ] {
            let request = Request::for_capability(capability);
            let set = policies("");
            let d = decide(
                &request,
                &Identity::Anonymous,
                &candidates,
                &compiled,
                &set,
                detail,
            );
            assert!(d["chosen"].as_array().is_some_and(|c| c.len() <= 1), "{d}");
        }
    }

    #[test]
    fn an_unreadable_stored_contract_is_rejected_where_it_is_read() {
        use crate::routing::Detail;
        let (parsed, _) = shipped();
        let broken: Vec<crate::contract::StoredContract> = parsed
            .iter()
            .map(|c| crate::contract::StoredContract::new(&c.service_id, &c.version, "{"))
            .collect();
        let fresh: Vec<Candidate<'_>> = parsed.iter().map(Candidate::active).collect();
        let decoded =
            Compiled::decode(&Compiled::new(&fresh).encode(), parsed.len()).expect("read back");
        let lazy = active(&broken);
        let rules_of = |d: &serde_json::Value| -> Vec<String> {
            d["steps"][0]["candidates"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|c| c["rejections"].as_array().cloned().unwrap_or_default())
                .map(|r| r["rule"].as_str().unwrap_or("").to_string())
                .collect()
        };
        // A worded rejection needs the contract: it names the damage.
        let mut restricted = Request::for_capability("chat");
        restricted.data.class = DataClass::Restricted;
        let full = decide(
            &restricted,
            &Identity::Anonymous,
            &lazy,
            &decoded,
            &policies(""),
            Detail::Full,
        );
        let rules = rules_of(&full);
        assert!(
            !rules.is_empty() && rules.iter().all(|r| r == "contract-unreadable"),
            "{rules:?}"
        );
        // A rule that reads the contract rejects every candidate it reaches.
        let provider = "apiVersion: caio/v1\nkind: PolicySet\npolicies:\n  - id: no-acme\n    effect: deny\n    match: { service.provider: acme }\n";
        let set = policies(provider);
        let request = Request::for_capability("chat");
        let brief = decide(
            &request,
            &Identity::Anonymous,
            &lazy,
            &decoded,
            &set,
            Detail::Full,
        );
        assert_eq!(brief["outcome"], "no_route", "{brief}");
        assert!(rules_of(&brief).iter().all(|r| r == "contract-unreadable"));
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
                contract: (&contract).into(),
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
