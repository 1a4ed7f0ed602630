//! The attributes a policy can address (`request.*`, `principal.*`,
//! `service.*`), their types, and how each is read from an evaluation context.
//!
//! The table is the single source of truth: validation checks paths and
//! operand types against it, evaluation reads values through it, and the
//! README lists it.

use crate::contract::schema::{DATA_CLASSES, MODALITIES, TRUST_LEVELS};
use crate::contract::{Capability, DataClass, Hosting, Modality, ServiceContract, Trust};
use crate::lifecycle::ServiceStatus;
use crate::principal::Principal;
use crate::request::{Input, PRIORITIES, Request};
use crate::routing::{CandidateContract, Compiled, Listed, Row, Sets};

/// The type of an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    Str,
    Num,
    Bool,
    /// A list of free-form strings (tags, regions, roles).
    StrList,
    /// One of a closed set of values; `ordered` when the list is ascending
    /// (data classes, trust, hosting) so `lt`…`gte` apply.
    Enum {
        values: &'static [&'static str],
        ordered: bool,
    },
    /// A list of values from a closed set (modalities).
    EnumList(&'static [&'static str]),
}

impl Ty {
    pub(crate) fn is_list(self) -> bool {
        matches!(self, Ty::StrList | Ty::EnumList(_))
    }

    /// The closed set of values of the type or of its items, if any.
    pub(crate) fn values(self) -> Option<&'static [&'static str]> {
        match self {
            Ty::Enum { values, .. } | Ty::EnumList(values) => Some(values),
            _ => None,
        }
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Ty::Str => "a string",
            Ty::Num => "a number",
            Ty::Bool => "a boolean",
            Ty::StrList => "a list of strings",
            Ty::Enum { ordered: true, .. } => "an ordered enumeration",
            Ty::Enum { .. } => "an enumeration",
            Ty::EnumList(_) => "a list of enumeration values",
        }
    }
}

/// A value read from the context.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val<'a> {
    /// The attribute is optional and not set.
    Missing,
    Str(&'a str),
    Num(f64),
    Bool(bool),
    List(List<'a>),
}

/// A list value, borrowed where it lies (a rule reads one per candidate).
#[derive(Debug, Clone, Copy)]
pub(crate) enum List<'a> {
    Strings(&'a [String]),
    Modalities(&'a [Modality]),
    /// A list of a compiled candidate form.
    Listed(Listed<'a>),
}

impl<'a> List<'a> {
    /// Its items, in order.
    pub(crate) fn iter(self) -> impl Iterator<Item = &'a str> + Clone {
        let (strings, modalities, listed): (&[String], &[Modality], _) = match self {
            List::Strings(s) => (s, &[], None),
            List::Modalities(m) => (&[], m, None),
            List::Listed(l) => (&[], &[], Some(l)),
        };
        strings
            .iter()
            .map(String::as_str)
            .chain(modalities.iter().map(|m| modality_name(*m)))
            .chain(listed.into_iter().flat_map(Listed::iter))
    }

    pub(crate) fn contains(self, item: &str) -> bool {
        self.iter().any(|s| s == item)
    }
}

/// Lists are equal when their items are.
impl PartialEq for List<'_> {
    fn eq(&self, other: &List<'_>) -> bool {
        self.iter().eq(other.iter())
    }
}

impl std::fmt::Display for Val<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Val::Missing => f.write_str("not set"),
            Val::Str(s) => f.write_str(s),
            Val::Num(n) => f.write_str(&crate::canonical::display_tidy(*n)),
            Val::Bool(b) => write!(f, "{b}"),
            Val::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(item)?;
                }
                f.write_str("]")
            }
        }
    }
}

/// Everything a policy can see about one candidate for one request step.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    pub(crate) request: &'a Request,
    /// The step being routed: the request's capability and input, or one
    /// step of a chain.
    pub(crate) capability: &'a str,
    /// The index of that step (0 for a single-step request).
    pub(crate) step: usize,
    pub(crate) input: &'a Input,
    pub(crate) principal: &'a Principal,
    /// True when the request carried no token.
    pub(crate) anonymous: bool,
    /// Its contract, read only by a rule on an attribute the compiled
    /// form does not hold (parsed then, when stored).
    pub(crate) service: CandidateContract<'a>,
    /// What is read most of the service, copied out of its contract.
    pub(crate) facts: Facts,
    /// Its row of a compiled candidate form, when the context comes from
    /// one: its region and tag sets, and the lists as its contract orders
    /// them, are read there (only by a rule that asks).
    pub(crate) compiled: Option<(&'a Compiled, &'a Row)>,
    /// Where the service's capability for this step is in its contract,
    /// when it offers it (read only by a rule that asks).
    pub(crate) offered_at: Option<usize>,
    pub(crate) status: ServiceStatus,
    /// The estimated cost of this step on this service.
    pub(crate) estimate: f64,
}

/// The attributes of a service that rules and the early stages read for
/// every candidate, copied out of its contract: the compiled candidate
/// form keeps them in its table, so reading them touches no contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Facts {
    pub(crate) min_trust: Trust,
    pub(crate) max_data_class: DataClass,
    pub(crate) pii_allowed: bool,
    pub(crate) hosting: Hosting,
    pub(crate) trains_on_customer_data: bool,
    pub(crate) retention_days: u64,
}

impl Facts {
    pub(crate) fn of(contract: &ServiceContract) -> Facts {
        Facts {
            min_trust: contract.access.min_trust,
            max_data_class: contract.privacy.max_data_class,
            pii_allowed: contract.privacy.pii_allowed,
            hosting: contract.privacy.hosting,
            trains_on_customer_data: contract.privacy.trains_on_customer_data,
            retention_days: contract.privacy.retention_days,
        }
    }
}

impl<'a> Context<'a> {
    /// The service's capability for this step, when it offers it.
    pub(crate) fn offered(&self) -> Option<&'a Capability> {
        self.offered_at
            .and_then(|i| self.service.get()?.capabilities.get(i))
    }

    /// Which region and tag sets the service has, when the context comes
    /// from a compiled candidate form.
    pub(crate) fn sets(&self) -> Option<Sets> {
        self.compiled.map(|(_, row)| row.sets())
    }

    /// Its regions and tags as its contract lists them, from the compiled
    /// form; `None` without one.
    fn listed(&self) -> Option<(Listed<'a>, Listed<'a>)> {
        self.compiled.map(|(compiled, row)| compiled.listed(row))
    }

    /// `read` of the service's contract: missing when a stored body cannot
    /// be read back (the policy stage rejects such a candidate before a
    /// rule that reads its contract runs).
    fn contract(&self, read: impl FnOnce(&'a ServiceContract) -> Val<'a>) -> Val<'a> {
        self.service.get().map_or(Val::Missing, read)
    }

    /// How an explanation shows `value`, the value of attribute `path`:
    /// hidden when it is a request field the request redacts.
    pub(crate) fn shown(&self, path: &str, value: &Val<'_>) -> String {
        let Some(field) = path.strip_prefix("request.") else {
            return value.to_string();
        };
        match field.strip_prefix("input.") {
            Some(f) => {
                let at = self.request.input_path(self.step);
                self.request.quote(&format!("{at}.{f}"), value)
            }
            None => self.request.quote(field, value),
        }
    }
}

/// One addressable attribute.
pub struct PathDef {
    /// The attribute path, e.g. `service.privacy.hosting`.
    pub path: &'static str,
    pub(crate) ty: Ty,
    /// What the attribute holds, as `policy validate --help` lists it.
    pub doc: &'static str,
    pub(crate) get: for<'a> fn(&Context<'a>) -> Val<'a>,
}

impl std::fmt::Debug for PathDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.path)
    }
}

const CLASS: Ty = Ty::Enum {
    values: DATA_CLASSES,
    ordered: true,
};
const TRUST: Ty = Ty::Enum {
    values: TRUST_LEVELS,
    ordered: true,
};
/// Hosting from most to least private.
pub(crate) const HOSTING_ORDER: &[&str] = &["on_prem", "internal", "external"];
const HOSTING: Ty = Ty::Enum {
    values: HOSTING_ORDER,
    ordered: true,
};
const PRIORITY: Ty = Ty::Enum {
    values: PRIORITIES,
    ordered: false,
};
const STATUS: Ty = Ty::Enum {
    values: &["active", "degraded", "drained", "disabled"],
    ordered: false,
};
const MODALITY_LIST: Ty = Ty::EnumList(MODALITIES);

fn opt_num(v: Option<f64>) -> Val<'static> {
    v.map_or(Val::Missing, Val::Num)
}

fn opt_str(v: Option<&str>) -> Val<'_> {
    v.map_or(Val::Missing, Val::Str)
}

fn list(items: &[String]) -> Val<'_> {
    Val::List(List::Strings(items))
}

fn opt_list(items: Option<&Vec<String>>) -> Val<'_> {
    items.map_or(Val::Missing, |i| list(i))
}

fn modalities(items: Option<&Vec<Modality>>) -> Val<'_> {
    items.map_or(Val::Missing, |i| Val::List(List::Modalities(i)))
}

pub(crate) fn modality_name(m: Modality) -> &'static str {
    match m {
        Modality::Text => "text",
        Modality::Image => "image",
        Modality::Audio => "audio",
        Modality::Video => "video",
        Modality::Embedding => "embedding",
    }
}

pub(crate) fn class_name(c: DataClass) -> &'static str {
    DATA_CLASSES[c as usize]
}

pub(crate) fn trust_name(t: Trust) -> &'static str {
    TRUST_LEVELS[t as usize]
}

pub(crate) fn hosting_name(h: Hosting) -> &'static str {
    match h {
        Hosting::OnPrem => "on_prem",
        Hosting::Internal => "internal",
        Hosting::External => "external",
    }
}

macro_rules! path {
    ($path:literal, $ty:expr, $doc:literal, |$c:ident| $get:expr) => {
        PathDef {
            path: $path,
            ty: $ty,
            doc: $doc,
            get: |$c| $get,
        }
    };
}

/// Every attribute a policy may use, sorted by path.
pub static PATHS: &[PathDef] = &[
    path!(
        "principal.anonymous",
        Ty::Bool,
        "true when the request carried no token",
        |c| Val::Bool(c.anonymous)
    ),
    path!("principal.name", Ty::Str, "the principal's name", |c| {
        Val::Str(&c.principal.name)
    }),
    path!(
        "principal.roles",
        Ty::StrList,
        "the principal's roles",
        |c| list(&c.principal.roles)
    ),
    path!(
        "principal.tenant",
        Ty::Str,
        "the principal's tenant (optional)",
        |c| opt_str(c.principal.tenant.as_deref())
    ),
    path!("principal.trust", TRUST, "low < medium < high", |c| {
        Val::Str(trust_name(c.principal.trust))
    }),
    path!(
        "request.capability",
        Ty::Str,
        "the capability of the step being routed",
        |c| Val::Str(c.capability)
    ),
    path!(
        "request.data.class",
        CLASS,
        "public < internal < confidential < restricted",
        |c| Val::Str(class_name(c.request.data.class))
    ),
    path!(
        "request.data.contains_pii",
        Ty::Bool,
        "whether the data holds personal data",
        |c| Val::Bool(c.request.data.contains_pii)
    ),
    path!(
        "request.input.expected_output_tokens",
        Ty::Num,
        "expected output tokens of the step",
        |c| Val::Num(c.input.expected_output_tokens as f64)
    ),
    path!(
        "request.input.language",
        Ty::Str,
        "ISO 639-1 language of the step (optional)",
        |c| opt_str(c.input.language.as_deref())
    ),
    path!(
        "request.input.modalities",
        MODALITY_LIST,
        "input modalities of the step (optional)",
        |c| modalities(c.input.modalities.as_ref())
    ),
    path!(
        "request.input.tokens",
        Ty::Num,
        "input tokens of the step",
        |c| Val::Num(c.input.tokens as f64)
    ),
    path!(
        "request.preferences.prefer_tags",
        Ty::StrList,
        "tags the request prefers",
        |c| list(&c.request.preferences.prefer_tags)
    ),
    path!(
        "request.preferences.priority",
        PRIORITY,
        "balanced, cost, latency or quality",
        |c| Val::Str(c.request.preferences.priority.as_str())
    ),
    path!(
        "request.requirements.max_cost",
        Ty::Num,
        "cost bound (optional)",
        |c| opt_num(c.request.requirements.max_cost)
    ),
    path!(
        "request.requirements.max_latency_p95_ms",
        Ty::Num,
        "p95 latency bound in ms (optional)",
        |c| opt_num(c.request.requirements.max_latency_p95_ms)
    ),
    path!(
        "request.requirements.min_accuracy",
        Ty::Num,
        "accuracy bound (optional)",
        |c| opt_num(c.request.requirements.min_accuracy)
    ),
    path!(
        "request.requirements.min_availability",
        Ty::Num,
        "availability bound (optional)",
        |c| opt_num(c.request.requirements.min_availability)
    ),
    path!(
        "request.requirements.regions",
        Ty::StrList,
        "allowed regions (optional)",
        |c| opt_list(c.request.requirements.regions.as_ref())
    ),
    path!(
        "service.access.min_trust",
        TRUST,
        "the lowest trust allowed",
        |c| Val::Str(trust_name(c.facts.min_trust))
    ),
    path!(
        "service.access.roles",
        Ty::StrList,
        "roles allowed (optional: any)",
        |c| c.contract(|s| opt_list(s.access.roles.as_ref()))
    ),
    path!(
        "service.access.tenants",
        Ty::StrList,
        "tenants allowed (optional: any)",
        |c| c.contract(|s| opt_list(s.access.tenants.as_ref()))
    ),
    path!(
        "service.capability.input",
        MODALITY_LIST,
        "input modalities of the offered capability (optional: any)",
        |c| modalities(c.offered().and_then(|o| o.input.as_ref()))
    ),
    path!(
        "service.capability.languages",
        Ty::StrList,
        "languages of the offered capability (optional: any)",
        |c| opt_list(c.offered().and_then(|o| o.languages.as_ref()))
    ),
    path!(
        "service.capability.max_input_tokens",
        Ty::Num,
        "input limit of the offered capability (optional)",
        |c| opt_num(
            c.offered()
                .and_then(|o| o.max_input_tokens)
                .map(|t| t as f64)
        )
    ),
    path!(
        "service.capability.output",
        MODALITY_LIST,
        "output modalities of the offered capability (optional)",
        |c| modalities(c.offered().and_then(|o| o.output.as_ref()))
    ),
    path!(
        "service.capability.type",
        Ty::Str,
        "the offered capability's type",
        |c| c
            .offered_at
            .map_or(Val::Missing, |_| Val::Str(c.capability))
    ),
    path!("service.cost.currency", Ty::Str, "ISO 4217 currency", |c| {
        c.contract(|s| Val::Str(&s.cost.currency))
    }),
    path!(
        "service.cost.estimate",
        Ty::Num,
        "estimated cost of this step on this service",
        |c| Val::Num(c.estimate)
    ),
    path!(
        "service.cost.per_1k_input_tokens",
        Ty::Num,
        "price per 1,000 input tokens",
        |c| c.contract(|s| Val::Num(s.cost.per_1k_input_tokens))
    ),
    path!(
        "service.cost.per_1k_output_tokens",
        Ty::Num,
        "price per 1,000 output tokens",
        |c| c.contract(|s| Val::Num(s.cost.per_1k_output_tokens))
    ),
    path!(
        "service.cost.per_request",
        Ty::Num,
        "price per request",
        |c| c.contract(|s| Val::Num(s.cost.per_request))
    ),
    path!(
        "service.guarantees.accuracy",
        Ty::Num,
        "declared accuracy (optional)",
        |c| c.contract(|s| opt_num(s.guarantees.accuracy))
    ),
    path!(
        "service.guarantees.availability",
        Ty::Num,
        "declared availability",
        |c| c.contract(|s| Val::Num(s.guarantees.availability))
    ),
    path!(
        "service.guarantees.latency_ms.p50",
        Ty::Num,
        "declared p50 latency in ms",
        |c| c.contract(|s| Val::Num(s.guarantees.latency_ms.p50))
    ),
    path!(
        "service.guarantees.latency_ms.p95",
        Ty::Num,
        "declared p95 latency in ms",
        |c| c.contract(|s| Val::Num(s.guarantees.latency_ms.p95))
    ),
    path!(
        "service.guarantees.latency_ms.p99",
        Ty::Num,
        "declared p99 latency in ms",
        |c| c.contract(|s| Val::Num(s.guarantees.latency_ms.p99))
    ),
    path!("service.name", Ty::Str, "display name", |c| c
        .contract(|s| Val::Str(&s.name))),
    path!(
        "service.privacy.hosting",
        HOSTING,
        "on_prem < internal < external (most to least private)",
        |c| Val::Str(hosting_name(c.facts.hosting))
    ),
    path!(
        "service.privacy.max_data_class",
        CLASS,
        "the most sensitive data class accepted",
        |c| Val::Str(class_name(c.facts.max_data_class))
    ),
    path!(
        "service.privacy.pii_allowed",
        Ty::Bool,
        "whether personal data is allowed",
        |c| Val::Bool(c.facts.pii_allowed)
    ),
    path!(
        "service.privacy.regions",
        Ty::StrList,
        "where data is processed",
        |c| match c.listed() {
            Some((regions, _)) => Val::List(List::Listed(regions)),
            None => c.contract(|s| list(&s.privacy.regions)),
        }
    ),
    path!(
        "service.privacy.retention_days",
        Ty::Num,
        "days data is retained",
        |c| Val::Num(c.facts.retention_days as f64)
    ),
    path!(
        "service.privacy.trains_on_customer_data",
        Ty::Bool,
        "whether the provider trains on the data",
        |c| Val::Bool(c.facts.trains_on_customer_data)
    ),
    path!("service.provider", Ty::Str, "provider (optional)", |c| {
        c.contract(|s| opt_str(s.provider.as_deref()))
    }),
    path!(
        "service.risk",
        Ty::Num,
        "operator-assessed risk in [0, 1]",
        |c| c.contract(|s| Val::Num(s.risk))
    ),
    path!("service.service_id", Ty::Str, "the service id", |c| {
        Val::Str(c.service.service_id())
    }),
    path!(
        "service.status",
        STATUS,
        "active or degraded (drained and disabled never reach policies)",
        |c| Val::Str(c.status.as_str())
    ),
    path!("service.tags", Ty::StrList, "the service's tags", |c| {
        match c.listed() {
            Some((_, tags)) => Val::List(List::Listed(tags)),
            None => c.contract(|s| list(&s.tags)),
        }
    }),
    path!("service.version", Ty::Str, "the contract version", |c| {
        Val::Str(c.service.version())
    }),
];

/// Whether `path` reads only the request (its step) and the principal —
/// the same for every candidate of a step — rather than the service.
pub(crate) fn is_request_or_principal(path: &str) -> bool {
    path.starts_with("request.") || path.starts_with("principal.")
}

/// Whether `path` reads one of the service's sets that [`Sets`] names:
/// every operator on them tests membership, so two services with the same
/// sets (whatever their order in the contracts) read alike.
pub(crate) fn is_set(path: &str) -> bool {
    matches!(path, "service.privacy.regions" | "service.tags")
}

/// Whether `path` reads the service's contract itself: an attribute that
/// neither the context's facts, sets and estimate nor the candidate's id,
/// version and status give (a stored contract is parsed for it).
pub(crate) fn reads_contract(path: &str) -> bool {
    path.starts_with("service.")
        && !is_fact(path)
        && !is_set(path)
        && !matches!(
            path,
            "service.cost.estimate"
                | "service.capability.type"
                | "service.service_id"
                | "service.version"
        )
}

/// Whether `path` reads of the service only its [`Facts`] or its status:
/// a rule reading nothing else of it says the same of every candidate
/// with the same facts and status.
pub(crate) fn is_fact(path: &str) -> bool {
    matches!(
        path,
        "service.access.min_trust"
            | "service.privacy.max_data_class"
            | "service.privacy.pii_allowed"
            | "service.privacy.hosting"
            | "service.privacy.retention_days"
            | "service.privacy.trains_on_customer_data"
            | "service.status"
    )
}

/// The attribute at `path`, if it exists.
pub(crate) fn lookup(path: &str) -> Option<&'static PathDef> {
    PATHS
        .binary_search_by(|p| p.path.cmp(path))
        .ok()
        .map(|i| &PATHS[i])
}

/// Every path, for suggestions.
pub(crate) fn names() -> Vec<&'static str> {
    PATHS.iter().map(|p| p.path).collect()
}

/// The closest known path to a misspelt one: a path of the same root ending
/// in the same segment (a forgotten middle), else a sibling (same parent) by
/// the last segment (similar, or one containing the other), else by the
/// whole path, else by the last segment within the same root.
pub(crate) fn suggest(path: &str) -> Option<&'static str> {
    let last = |p: &'static str| p.rsplit('.').next().unwrap_or(p);
    let (parent, typed) = path.rsplit_once('.').unwrap_or(("", path));
    let root = path.split('.').next().unwrap_or("");
    let same_root: Vec<&'static str> = PATHS
        .iter()
        .map(|p| p.path)
        .filter(|p| !root.is_empty() && p.starts_with(root))
        .collect();
    // A path missing its middle (`service.hosting`).
    if let Some(p) = same_root.iter().copied().find(|p| last(p) == typed) {
        return Some(p);
    }
    let siblings: Vec<&'static str> = PATHS
        .iter()
        .map(|p| p.path)
        .filter(|p| p.rsplit_once('.').is_some_and(|(pp, _)| pp == parent))
        .collect();
    let sibling_names: Vec<&str> = siblings.iter().map(|p| last(p)).collect();
    let by_sibling = crate::shape::did_you_mean(typed, &sibling_names)
        .or_else(|| {
            sibling_names
                .iter()
                .copied()
                .find(|n| !typed.is_empty() && (n.contains(typed) || typed.contains(n)))
        })
        .and_then(|hit| siblings.iter().copied().find(|p| last(p) == hit));
    if by_sibling.is_some() {
        return by_sibling;
    }
    if let Some(s) = crate::shape::did_you_mean(path, &names()) {
        return Some(s);
    }
    let lasts: Vec<&str> = same_root.iter().map(|p| last(p)).collect();
    let hit = crate::shape::did_you_mean(typed, &lasts)?;
    same_root.into_iter().find(|p| last(p) == hit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_unique() {
        for pair in PATHS.windows(2) {
            assert!(
                pair[0].path < pair[1].path,
                "{} / {}",
                pair[0].path,
                pair[1].path
            );
        }
        use crate::contract::schema::HOSTINGS;
        assert_eq!(HOSTINGS.len(), HOSTING_ORDER.len());
        for h in HOSTINGS {
            assert!(HOSTING_ORDER.contains(h));
        }
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            suggest("service.privacy.hostng"),
            Some("service.privacy.hosting")
        );
        assert_eq!(
            suggest("request.data.pii"),
            Some("request.data.contains_pii")
        );
        assert_eq!(suggest("principal.tenants"), Some("principal.tenant"));
        assert_eq!(lookup("service.tags").map(|p| p.ty), Some(Ty::StrList));
        assert_eq!(suggest("service.hosting"), Some("service.privacy.hosting"));
        assert!(lookup("service.nope").is_none());
    }
}
