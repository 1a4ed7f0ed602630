//! Invariant files (`invariants/*.yaml`): one property each — `id`, `title`,
//! `statement`, the built-in `check` it runs, its `parameters` and
//! `severity` — read with the same spanned diagnostics as contracts and
//! policy sets (codes `invariant::…`).

use caio_core::diagnostic::{FileReport, Problem, Severity as ProblemSeverity};
use caio_core::shape::{self, Field, Pattern, Shape, StrShape};
use caio_core::source;
use caio_core::yaml::{Kind, Node, Span};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every diagnostic code of invariant files, with what it means.
pub const CODES: &[(&str, &str)] = &[
    (
        "invariant::unreadable",
        "the path does not exist or cannot be read",
    ),
    (
        "invariant::not-regular-file",
        "the path is a FIFO, socket or device, not a regular file",
    ),
    (
        "invariant::no-files",
        "a directory holds no *.yaml or *.yml file",
    ),
    (
        "invariant::too-large",
        "the file is larger than the 1 MiB limit",
    ),
    ("invariant::not-utf8", "the file is not UTF-8 text"),
    ("invariant::empty", "the file holds no YAML document"),
    ("invariant::yaml-syntax", "the file is not well-formed YAML"),
    (
        "invariant::resource-limit",
        "nesting, node count or alias expansion over the budget",
    ),
    (
        "invariant::unknown-key",
        "a key the format does not define (with a suggestion)",
    ),
    ("invariant::missing-key", "a required key is absent"),
    ("invariant::wrong-type", "a value has the wrong type"),
    (
        "invariant::invalid-value",
        "a value outside its allowed set (severity)",
    ),
    (
        "invariant::duplicate-key",
        "a key appears twice in one mapping",
    ),
    (
        "invariant::invalid-id",
        "an id that is not INV-CAIO-NNNN or INV-CAIO-AREA-NNNN",
    ),
    (
        "invariant::unknown-check",
        "a check caio does not have (with a suggestion)",
    ),
    (
        "invariant::unknown-parameter",
        "a parameter the check does not take (with a suggestion)",
    ),
    (
        "invariant::out-of-range",
        "a parameter outside its range, or not a whole number where one is needed",
    ),
    (
        "invariant::duplicate-id",
        "two files define the same invariant id",
    ),
];

pub(crate) const FORMAT: source::DocumentKind = source::DocumentKind {
    prefix: "invariant",
    noun: "invariant",
    empty_help: "start from one of the shipped files in invariants/",
};

/// The built-in properties an invariant file can run; [`Check::describe`]
/// says what each does. Each shipped invariant file runs one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Check {
    /// INV-CAIO-0001: same inputs and seed, same decision.
    Determinism,
    /// INV-CAIO-0002: the choice is eligible and maximises J.
    Correctness,
    /// INV-CAIO-0003: one trace record per call; the chain verifies.
    Traceability,
    /// INV-CAIO-0004: never routed to a service the principal may not use.
    Security,
    /// INV-CAIO-0005: composed guarantees meet the requirements.
    GuaranteePreservation,
    /// INV-CAIO-0006: routing cost grows linearly with the candidates, from a small base.
    Performance,
    /// INV-CAIO-SEC-0001: bad tokens are refused; no token is anonymous.
    Authentication,
    /// INV-CAIO-SEC-0002: access rules and deny/require rules hold.
    Authorization,
    /// INV-CAIO-SEC-0003: data class, PII and regions hold.
    Privacy,
    /// INV-CAIO-SEC-0004: tenant-restricted services stay with their tenants.
    TenantIsolation,
    /// INV-CAIO-SEC-0005: no token or redacted field is traced; refusals are.
    AuditTrail,
    /// INV-CAIO-SEC-0006: any change to the stored chain is detected.
    DataIntegrity,
    /// INV-CAIO-CONTROL-0001: the control signal is bounded and stable.
    ControlStability,
    /// INV-CAIO-CONTROL-0002: required tags, hosting and regions hold.
    TraitConstraints,
}

/// One parameter a check takes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParamDef {
    pub(crate) name: &'static str,
    pub(crate) doc: &'static str,
    pub(crate) default: f64,
    pub(crate) integer: bool,
    pub(crate) min: f64,
    pub(crate) max: f64,
}

const fn int(name: &'static str, doc: &'static str, default: f64, min: f64, max: f64) -> ParamDef {
    ParamDef {
        name,
        doc,
        default,
        integer: true,
        min,
        max,
    }
}

const fn num(name: &'static str, doc: &'static str, default: f64, min: f64, max: f64) -> ParamDef {
    ParamDef {
        name,
        doc,
        default,
        integer: false,
        min,
        max,
    }
}

/// The most trials an invariant runs (its file's `trials`, or `--trials`).
pub const MAX_TRIALS: u64 = 10_000_000;

const TRIALS: ParamDef = int(
    "trials",
    "how many generated scenarios (or timed decisions) to check",
    100.0,
    1.0,
    MAX_TRIALS as f64,
);
const MAX_SERVICES: ParamDef = int(
    "max_services",
    "services per generated registry (plus copies, for ties)",
    10.0,
    1.0,
    200.0,
);
const PRINCIPALS: ParamDef = int(
    "principals",
    "principals created in the temporary home (about a quarter revoked)",
    8.0,
    1.0,
    200.0,
);

impl Check {
    /// Every check, in SPEC §11 order.
    pub const ALL: [Check; 14] = [
        Check::Determinism,
        Check::Correctness,
        Check::Traceability,
        Check::Security,
        Check::GuaranteePreservation,
        Check::Performance,
        Check::Authentication,
        Check::Authorization,
        Check::Privacy,
        Check::TenantIsolation,
        Check::AuditTrail,
        Check::DataIntegrity,
        Check::ControlStability,
        Check::TraitConstraints,
    ];

    /// Its name in invariant files (`check: determinism`).
    pub fn name(self) -> &'static str {
        match self {
            Check::Determinism => "determinism",
            Check::Correctness => "correctness",
            Check::Traceability => "traceability",
            Check::Security => "security",
            Check::GuaranteePreservation => "guarantee-preservation",
            Check::Performance => "performance",
            Check::Authentication => "authentication",
            Check::Authorization => "authorization",
            Check::Privacy => "privacy",
            Check::TenantIsolation => "tenant-isolation",
            Check::AuditTrail => "audit-trail",
            Check::DataIntegrity => "data-integrity",
            Check::ControlStability => "control-stability",
            Check::TraitConstraints => "trait-constraints",
        }
    }

    pub(crate) fn parse(name: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.name() == name)
    }

    pub(crate) fn names() -> Vec<&'static str> {
        Check::ALL.iter().map(|c| c.name()).collect()
    }

    /// What the check does, for the README and `--help`.
    pub fn describe(self) -> &'static str {
        match self {
            Check::Determinism => {
                "routes each scenario again, with another request_id, the candidates permuted and reversed, the rules reordered, and (every `registry_every` trials) registered in two fresh homes in different orders; every decision must be identical"
            }
            Check::Correctness => {
                "a brute-force oracle judges every candidate's stages and J and enumerates every chain; the chosen route must be eligible, feasible and within 1e-9 of the best total"
            }
            Check::Traceability => {
                "routes through a fresh home with real tokens; each call must append exactly one record holding its outcome and choice, and the chain must verify"
            }
            Check::Security => {
                "routes with tokens of principals stored in a fresh home; a refused token never routes and the chosen service's access rules admit the authenticated principal"
            }
            Check::GuaranteePreservation => {
                "the composed guarantees of a routed decision equal the oracle's composition and meet the requirements; worsening one chosen service never improves the composition, and a chain meeting bounds still meets them when improved"
            }
            Check::Performance => {
                "times in-process routing over `candidates` and `candidates × scale` eligible services, interleaved; the smaller median must stay under `max_latency_ms` and, when `max_ratio` is set, the ratio of the medians under it (growth no worse than linear)"
            }
            Check::Authentication => {
                "presents no token, valid, revoked, unknown, tampered and malformed tokens to a fresh home; only valid ones authenticate, no token is anonymous, and refused calls never route"
            }
            Check::Authorization => {
                "simulated principals with roles and trust against services with access rules and policies on principal attributes; the chosen service admits the principal and no deny/require rule rejects it"
            }
            Check::Privacy => {
                "sensitive data, PII and region requirements; the chosen service accepts the data class, allows PII when present and processes data only in allowed regions"
            }
            Check::TenantIsolation => {
                "many tenants and tenant-restricted services; a tenant-restricted service is only chosen for one of its tenants"
            }
            Check::AuditTrail => {
                "routes with tokens and `redact:` paths through a fresh home; records hold no token and no redacted field, list what was redacted, and every refusal is traced"
            }
            Check::DataIntegrity => {
                "builds a chain of real records, then changes one byte of a record, its hash, its link or a lookup column, deletes, swaps, moves or truncates records; verification against a kept checkpoint must fail for each"
            }
            Check::ControlStability => {
                "every control component is finite and in [0, 1]; a relative change δ of one input that crosses no rule threshold moves confidence by at most 20·Σw·δ and the other components (same choice) by at most δ"
            }
            Check::TraitConstraints => {
                "requirements.tags, requirements.hosting and requirements.regions hold for every chosen service"
            }
        }
    }

    /// The parameters this check takes (`trials` first).
    pub(crate) fn parameters(self) -> &'static [ParamDef] {
        match self {
            Check::Determinism => &[TRIALS, MAX_SERVICES, REGISTRY_EVERY],
            Check::Correctness
            | Check::GuaranteePreservation
            | Check::Authorization
            | Check::Privacy
            | Check::TraitConstraints => &[TRIALS, MAX_SERVICES],
            Check::TenantIsolation => &[TRIALS, MAX_SERVICES, TENANTS],
            Check::ControlStability => &[TRIALS, MAX_SERVICES, PERTURBATION],
            Check::Traceability | Check::Security | Check::Authentication => {
                &[TRIALS, MAX_SERVICES, PRINCIPALS]
            }
            Check::AuditTrail => &[TRIALS, MAX_SERVICES, PRINCIPALS, REDACTED_VALUES],
            Check::DataIntegrity => &[TRIALS, PRINCIPALS, RECORDS],
            Check::Performance => &[TRIALS, CANDIDATES, SCALE, MAX_RATIO, MAX_LATENCY_MS, WARMUP],
        }
    }
}

const REGISTRY_EVERY: ParamDef = int(
    "registry_every",
    "register every n-th scenario in two fresh homes (0: never)",
    10.0,
    0.0,
    1e7,
);
const REDACTED_VALUES: ParamDef = int(
    "redacted_values",
    "1: the values of redacted fields must not appear anywhere in a record, explanations \
     included (max_cost, language); 0: only the request held in the record is checked",
    1.0,
    0.0,
    1.0,
);
const TENANTS: ParamDef = int(
    "tenants",
    "tenants principals and services are drawn from",
    24.0,
    1.0,
    10_000.0,
);
const PERTURBATION: ParamDef = num(
    "perturbation",
    "relative size δ of the change of one input",
    1e-3,
    1e-9,
    0.1,
);
const RECORDS: ParamDef = int(
    "records",
    "records in the chain that is tampered with",
    24.0,
    2.0,
    10_000.0,
);
const CANDIDATES: ParamDef = int(
    "candidates",
    "eligible services per timed decision",
    1000.0,
    1.0,
    100_000.0,
);
const MAX_LATENCY_MS: ParamDef = num(
    "max_latency_ms",
    "bound on the median in-process routing latency, in ms",
    10.0,
    1e-6,
    1e6,
);
const WARMUP: ParamDef = int("warmup", "untimed decisions before timing", 20.0, 0.0, 1e6);
const SCALE: ParamDef = int(
    "scale",
    "how many times more candidates the second registry holds",
    10.0,
    2.0,
    1_000.0,
);
const MAX_RATIO: ParamDef = num(
    "max_ratio",
    "bound on median(candidates × scale) / median(candidates), 1.5 × scale allowing linear \
     growth; 0: measured and reported, not bounded",
    0.0,
    0.0,
    1e6,
);

/// How bad a violation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// `low`
    Low,
    /// `medium`
    Medium,
    /// `high`
    High,
    /// `critical`
    Critical,
}

pub(crate) const SEVERITIES: &[&str] = &["critical", "high", "medium", "low"];

/// A check's parameters, defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Params {
    values: BTreeMap<&'static str, f64>,
}

impl Params {
    pub(crate) fn defaults(check: Check) -> Params {
        Params {
            values: check
                .parameters()
                .iter()
                .map(|d| (d.name, d.default))
                .collect(),
        }
    }

    /// A parameter's value (0 for a name the check does not take).
    pub(crate) fn get(&self, name: &str) -> f64 {
        self.values.get(name).copied().unwrap_or(0.0)
    }

    pub(crate) fn count(&self, name: &str) -> u64 {
        self.get(name).max(0.0) as u64
    }

    pub(crate) fn trials(&self) -> u64 {
        self.count("trials")
    }

    pub(crate) fn set(&mut self, name: &'static str, value: f64) {
        self.values.insert(name, value);
    }
}

/// One invariant, read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Invariant {
    /// Its id, e.g. `INV-CAIO-0001`, unique in the set.
    pub id: String,
    pub(crate) title: String,
    pub(crate) statement: String,
    pub(crate) check: Check,
    pub(crate) severity: Severity,
    pub(crate) params: Params,
    /// Where it was read from.
    pub(crate) path: String,
}

pub(crate) static INVARIANT_ID: Pattern = Pattern {
    regex: "^INV-CAIO(-[A-Z]+)?-[0-9]{4}$",
    values: None,
    check: is_invariant_id,
    code: "invalid-id",
    describe: "an invariant id such as INV-CAIO-0001 or INV-CAIO-SEC-0001",
};

fn is_invariant_id(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("INV-CAIO-") else {
        return false;
    };
    let (area, number) = match rest.rsplit_once('-') {
        Some((area, number)) => (Some(area), number),
        None => (None, rest),
    };
    number.len() == 4
        && number.bytes().all(|b| b.is_ascii_digit())
        && area.is_none_or(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_uppercase()))
}

static TEXT: Shape = Shape::Str(StrShape::ANY);
static ANY: Shape = Shape::Any;
static ID: Shape = Shape::Str(StrShape {
    one_of: &[],
    pattern: Some(&INVARIANT_ID),
});
static SEVERITY: Shape = Shape::Str(StrShape {
    one_of: SEVERITIES,
    pattern: None,
});

/// The structure of an invariant file.
pub(crate) static INVARIANT: Shape = Shape::Object(&[
    Field::required(
        "id",
        &ID,
        "the invariant's id, e.g. INV-CAIO-0001 (unique across files)",
    ),
    Field::required("title", &TEXT, "a short name, e.g. Determinism"),
    Field::required("statement", &TEXT, "the property, in words and symbols"),
    Field::required("check", &TEXT, "the built-in check it runs"),
    Field::required("severity", &SEVERITY, "critical, high, medium or low"),
    Field::optional(
        "parameters",
        &ANY,
        "the check's parameters (trials, bounds); defaults apply to those left out",
    ),
    Field::optional("description", &TEXT, "more about the invariant"),
]);

/// One file, read and checked.
#[derive(Debug, Clone)]
pub struct InvariantFile {
    /// The file's problems, with its text for rendering them.
    pub report: FileReport,
    pub(crate) invariant: Option<Invariant>,
    id_span: Option<Span>,
}

/// Every file of one run.
#[derive(Debug, Clone, Default)]
pub struct InvariantRun {
    /// Each file, in the order read.
    pub files: Vec<InvariantFile>,
}

impl InvariantRun {
    /// How many files have errors.
    pub fn invalid(&self) -> usize {
        self.files.iter().filter(|f| !f.report.is_valid()).count()
    }

    /// The invariants, sorted by id, when every file is valid.
    pub fn invariants(&self) -> Option<Vec<Invariant>> {
        let mut all: Vec<Invariant> = self
            .files
            .iter()
            .map(|f| f.invariant.clone())
            .collect::<Option<_>>()?;
        all.sort_by_key(|a| order_key(&a.id));
        Some(all)
    }
}

/// SPEC order: the core invariants, then SEC, then CONTROL, by number.
fn order_key(id: &str) -> (u8, String) {
    let area = if id.starts_with("INV-CAIO-SEC-") {
        1
    } else if id.starts_with("INV-CAIO-CONTROL-") {
        2
    } else if id.as_bytes().get(9).is_some_and(u8::is_ascii_digit) {
        0
    } else {
        3
    };
    (area, id.to_string())
}

/// The invariant files shipped with caio, compiled in: the default set.
pub(crate) const BUILTIN: &[(&str, &str)] = &[
    (
        "INV-CAIO-0001.yaml",
        include_str!("../invariants/INV-CAIO-0001.yaml"),
    ),
    (
        "INV-CAIO-0002.yaml",
        include_str!("../invariants/INV-CAIO-0002.yaml"),
    ),
    (
        "INV-CAIO-0003.yaml",
        include_str!("../invariants/INV-CAIO-0003.yaml"),
    ),
    (
        "INV-CAIO-0004.yaml",
        include_str!("../invariants/INV-CAIO-0004.yaml"),
    ),
    (
        "INV-CAIO-0005.yaml",
        include_str!("../invariants/INV-CAIO-0005.yaml"),
    ),
    (
        "INV-CAIO-0006.yaml",
        include_str!("../invariants/INV-CAIO-0006.yaml"),
    ),
    (
        "INV-CAIO-SEC-0001.yaml",
        include_str!("../invariants/INV-CAIO-SEC-0001.yaml"),
    ),
    (
        "INV-CAIO-SEC-0002.yaml",
        include_str!("../invariants/INV-CAIO-SEC-0002.yaml"),
    ),
    (
        "INV-CAIO-SEC-0003.yaml",
        include_str!("../invariants/INV-CAIO-SEC-0003.yaml"),
    ),
    (
        "INV-CAIO-SEC-0004.yaml",
        include_str!("../invariants/INV-CAIO-SEC-0004.yaml"),
    ),
    (
        "INV-CAIO-SEC-0005.yaml",
        include_str!("../invariants/INV-CAIO-SEC-0005.yaml"),
    ),
    (
        "INV-CAIO-SEC-0006.yaml",
        include_str!("../invariants/INV-CAIO-SEC-0006.yaml"),
    ),
    (
        "INV-CAIO-CONTROL-0001.yaml",
        include_str!("../invariants/INV-CAIO-CONTROL-0001.yaml"),
    ),
    (
        "INV-CAIO-CONTROL-0002.yaml",
        include_str!("../invariants/INV-CAIO-CONTROL-0002.yaml"),
    ),
];

/// The shipped set.
pub fn builtin() -> InvariantRun {
    let mut run = InvariantRun {
        files: BUILTIN
            .iter()
            .map(|(name, text)| load_text(&format!("invariants/{name} (built in)"), text))
            .collect(),
    };
    check_duplicate_ids(&mut run.files);
    run
}

/// Reads files and directories (recursively) as one set.
pub fn load_paths(paths: &[PathBuf]) -> InvariantRun {
    let mut files: Vec<InvariantFile> = caio_store::files::documents(&FORMAT, paths)
        .map(|document| {
            let label = document.label.clone();
            match document.parse(&FORMAT) {
                (text, Ok(node)) => check(label, text, &node),
                (text, Err(problem)) => InvariantFile {
                    report: FileReport::new(label, text, vec![problem]),
                    invariant: None,
                    id_span: None,
                },
            }
        })
        .collect();
    check_duplicate_ids(&mut files);
    InvariantRun { files }
}

/// Reads one invariant text.
pub(crate) fn load_text(label: &str, text: &str) -> InvariantFile {
    match source::parse(&FORMAT, text) {
        Ok(node) => check(label.to_string(), text.to_string(), &node),
        Err(problem) => InvariantFile {
            report: FileReport::new(label.to_string(), text.to_string(), vec![problem]),
            invariant: None,
            id_span: None,
        },
    }
}

fn code(suffix: &str) -> String {
    format!("invariant::{suffix}")
}

fn check(label: String, text: String, node: &Node) -> InvariantFile {
    let mut problems = Vec::new();
    shape::check("invariant", node, &INVARIANT, "", &mut problems);
    let check = node.get("check").and_then(|n| {
        let name = n.as_str()?;
        match Check::parse(name) {
            Some(c) => Some(c),
            None => {
                let names = Check::names();
                let mut p = Problem::error(
                    code("unknown-check"),
                    n.span,
                    format!("caio has no check `{name}`"),
                );
                p = match shape::did_you_mean(name, &names) {
                    Some(s) => p.label(format!("did you mean `{s}`?")).help(format!(
                        "did you mean `{s}`? The checks are: {}",
                        names.join(", ")
                    )),
                    None => p
                        .label("unknown check")
                        .help(format!("the checks are: {}", names.join(", "))),
                };
                problems.push(p);
                None
            }
        }
    });
    let params = match (check, node.get("parameters")) {
        (Some(c), Some(p)) => check_params(c, p, &mut problems),
        (Some(c), None) => Some(Params::defaults(c)),
        (None, _) => None,
    };
    let ok = problems
        .iter()
        .all(|p| p.severity != ProblemSeverity::Error);
    let invariant = match (ok, check, params) {
        (true, Some(check), Some(params)) => {
            let s = |k: &str| {
                node.get(k)
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let severity = match node.get("severity").and_then(Node::as_str) {
                Some("critical") => Severity::Critical,
                Some("high") => Severity::High,
                Some("medium") => Severity::Medium,
                _ => Severity::Low,
            };
            Some(Invariant {
                id: s("id"),
                title: s("title").trim().to_string(),
                statement: s("statement").trim().to_string(),
                check,
                severity,
                params,
                path: label.clone(),
            })
        }
        _ => None,
    };
    InvariantFile {
        report: FileReport::new(label, text, problems),
        invariant,
        id_span: node.get("id").map(|n| n.span),
    }
}

fn check_params(check: Check, node: &Node, out: &mut Vec<Problem>) -> Option<Params> {
    let defs = check.parameters();
    let Some(entries) = node.as_map() else {
        out.push(
            Problem::error(
                code("wrong-type"),
                node.span,
                format!("`parameters` must be a mapping, found {}", node.type_name()),
            )
            .label("expected a mapping")
            .help("write `parameters:` with one `name: number` per line, e.g. `trials: 200`"),
        );
        return None;
    };
    let mut params = Params::defaults(check);
    let mut seen: Vec<&str> = Vec::new();
    let before = out.len();
    for (k, v) in entries {
        let Some(name) = k.as_str() else {
            out.push(
                Problem::error(
                    code("wrong-type"),
                    k.span,
                    "parameter names must be strings",
                )
                .label("not a string"),
            );
            continue;
        };
        if seen.contains(&name) {
            out.push(
                Problem::error(
                    code("duplicate-key"),
                    k.span,
                    format!("`parameters.{name}` is defined twice"),
                )
                .label("second definition")
                .help("keep one definition; YAML would silently use the last one"),
            );
            continue;
        }
        seen.push(name);
        let Some(def) = defs.iter().find(|d| d.name == name) else {
            let names: Vec<&str> = defs.iter().map(|d| d.name).collect();
            let mut p = Problem::error(
                code("unknown-parameter"),
                k.span,
                format!("check `{}` takes no parameter `{name}`", check.name()),
            );
            p = match shape::did_you_mean(name, &names) {
                Some(s) => p.label(format!("did you mean `{s}`?")).help(format!(
                    "did you mean `{s}`? `{}` takes: {}",
                    check.name(),
                    names.join(", ")
                )),
                None => p.label("unknown parameter").help(format!(
                    "`{}` takes: {}",
                    check.name(),
                    names.join(", ")
                )),
            };
            out.push(p);
            continue;
        };
        let value = match v.kind {
            Kind::Int(i) => Some(i as f64),
            Kind::Float(f) if !def.integer => Some(f),
            _ => None,
        };
        let range = if def.integer {
            format!("a whole number in [{}, {}]", def.min, def.max)
        } else {
            format!("a number in [{}, {}]", def.min, def.max)
        };
        match value {
            Some(x) if x.is_finite() && x >= def.min && x <= def.max => params.set(def.name, x),
            Some(_) => out.push(
                Problem::error(
                    code("out-of-range"),
                    v.span,
                    format!("`parameters.{name}` is outside its range"),
                )
                .label("out of range")
                .help(format!("`{name}` ({}) must be {range}", def.doc)),
            ),
            None => out.push(
                Problem::error(
                    code("wrong-type"),
                    v.span,
                    format!(
                        "`parameters.{name}` must be {range}, found {}",
                        v.type_name()
                    ),
                )
                .label(if def.integer {
                    "expected a whole number"
                } else {
                    "expected a number"
                })
                .help(format!("`{name}`: {}", def.doc)),
            ),
        }
    }
    (out.len() == before).then_some(params)
}

fn check_duplicate_ids(files: &mut [InvariantFile]) {
    let mut first: BTreeMap<String, String> = BTreeMap::new();
    for file in files.iter_mut() {
        let (Some(inv), Some(span)) = (&file.invariant, file.id_span) else {
            continue;
        };
        match first.get(&inv.id) {
            None => {
                first.insert(inv.id.clone(), file.report.path.clone());
            }
            Some(other) => {
                let id = inv.id.clone();
                let mut problems = std::mem::take(&mut file.report.problems);
                problems.push(
                    Problem::error(
                        code("duplicate-id"),
                        span,
                        format!("invariant `{id}` is already defined in {other}"),
                    )
                    .label("duplicate id")
                    .help("give each invariant its own id, or keep one of the two files"),
                );
                let text = (*file.report.text).clone();
                file.report = FileReport::new(file.report.path.clone(), text, problems);
                file.invariant = None;
            }
        }
    }
}

/// Whether `path` names a directory or file of invariants (for messages).
pub fn describe_source(path: Option<&Path>) -> String {
    match path {
        Some(p) => p.display().to_string(),
        None => "the built-in invariants/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    const VALID: &str = "id: INV-CAIO-0001\ntitle: Determinism\nstatement: same inputs, same decision\ncheck: determinism\nseverity: critical\nparameters:\n  trials: 50\n";

    fn codes(text: &str) -> Vec<String> {
        load_text("i.yaml", text)
            .report
            .problems
            .iter()
            .map(|p| p.code.clone())
            .collect()
    }

    #[test]
    fn a_valid_file_reads_with_defaults() {
        let f = load_text("i.yaml", VALID);
        assert!(f.report.is_valid(), "{:?}", f.report.problems);
        let inv = f.invariant.unwrap();
        assert_eq!(inv.check, Check::Determinism);
        assert_eq!(inv.params.trials(), 50);
        assert_eq!(inv.params.get("max_services"), 10.0);
    }

    #[test]
    fn unknown_check_and_parameter_get_suggestions() {
        let f = load_text(
            "i.yaml",
            &VALID
                .replace("check: determinism", "check: determinsm")
                .replace("trials: 50", "trails: 50"),
        );
        let p = &f.report.problems[0];
        assert_eq!(p.code, "invariant::unknown-check");
        assert!(p.label.contains("`determinism`"), "{}", p.label);
        assert_eq!(f.report.position(p), (4, 8));
        let f = load_text("i.yaml", &VALID.replace("trials: 50", "trails: 50"));
        let p = &f.report.problems[0];
        assert_eq!(p.code, "invariant::unknown-parameter");
        assert!(p.label.contains("`trials`"), "{}", p.label);
    }

    #[test]
    fn every_problem_is_reported() {
        let mut got = codes(
            "id: INV-1\ntitle: x\nstatment: y\ncheck: performance\nseverity: urgent\nparameters:\n  trials: 0\n  max_latency_ms: many\n",
        );
        got.sort();
        assert_eq!(
            got,
            [
                "invariant::invalid-id",
                "invariant::invalid-value",
                "invariant::missing-key",
                "invariant::out-of-range",
                "invariant::unknown-key",
                "invariant::wrong-type",
            ]
        );
        assert_eq!(
            codes(&VALID.replace("50", "2.5")),
            ["invariant::wrong-type"]
        );
    }

    /// `CODES` documents the codes: one the checker emits but `CODES`
    /// lacks would go undocumented.
    #[test]
    fn codes_lists_every_code_the_checker_emits() {
        let texts = [
            String::new(),
            "id: [".to_string(),
            "id: INV-1\ntitle: x\nstatment: y\ncheck: performance\nseverity: urgent\nparameters:\n  trials: 0\n  max_latency_ms: many\n".to_string(),
            VALID.replace("check: determinism", "check: determinsm"),
            VALID.replace("trials: 50", "trails: 50"),
            VALID.replace("  trials: 50", "  trials: 50\n  trials: 60"),
        ];
        let known: Vec<&str> = CODES.iter().map(|(c, _)| *c).collect();
        for text in &texts {
            for code in codes(text) {
                assert!(known.contains(&code.as_str()), "{code} is not in CODES");
            }
        }
    }

    #[test]
    fn ids() {
        for ok in [
            "INV-CAIO-0001",
            "INV-CAIO-SEC-0006",
            "INV-CAIO-CONTROL-0002",
        ] {
            assert!(is_invariant_id(ok), "{ok}");
        }
        for bad in [
            "INV-CAIO-1",
            "INV-CAIO--0001",
            "inv-caio-0001",
            "INV-CAIO-Sec-0001",
        ] {
            assert!(!is_invariant_id(bad), "{bad}");
        }
    }

    #[test]
    fn the_shipped_set_is_valid_complete_and_in_spec_order() {
        let run = builtin();
        for f in &run.files {
            assert!(
                f.report.is_valid(),
                "{}: {:?}",
                f.report.path,
                f.report.problems
            );
        }
        let all = run.invariants().unwrap();
        let ids: Vec<&str> = all.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "INV-CAIO-0001",
                "INV-CAIO-0002",
                "INV-CAIO-0003",
                "INV-CAIO-0004",
                "INV-CAIO-0005",
                "INV-CAIO-0006",
                "INV-CAIO-SEC-0001",
                "INV-CAIO-SEC-0002",
                "INV-CAIO-SEC-0003",
                "INV-CAIO-SEC-0004",
                "INV-CAIO-SEC-0005",
                "INV-CAIO-SEC-0006",
                "INV-CAIO-CONTROL-0001",
                "INV-CAIO-CONTROL-0002",
            ]
        );
        let mut checks: Vec<Check> = all.iter().map(|i| i.check).collect();
        checks.sort();
        checks.dedup();
        assert_eq!(checks.len(), 14, "one check per invariant");
    }

    #[test]
    fn duplicate_ids_across_files() {
        let mut files = vec![load_text("a.yaml", VALID), load_text("b.yaml", VALID)];
        check_duplicate_ids(&mut files);
        assert!(files[0].report.is_valid());
        assert_eq!(files[1].report.problems[0].code, "invariant::duplicate-id");
    }
}
