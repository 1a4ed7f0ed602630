//! Route requests (SPEC §5): the typed model with its defaults, the shape that
//! checks them, and the reader that turns JSON text into a [`Request`] or into
//! spanned diagnostics.
//!
//! A request is read in three passes: strict JSON syntax (serde_json, so
//! trailing commas or garbage after the document are errors), the structural
//! check of the request's shape over a spanned tree (every problem, with line
//! and column), then the typed value. A JSON `null` means "absent" everywhere.

use crate::contract::schema::{
    BOOL, CAPABILITY_ID, DATA_CLASSES, HOSTINGS, LANGUAGE_STR, MODALITY, NAMES, NON_EMPTY_NAMES,
    NON_NEGATIVE_INT, POSITIVE, PRICE, TEXT, UNIT,
};
use crate::contract::{DataClass, Hosting, Modality};
use crate::diagnostic::{FileReport, Problem};
use crate::shape::{self, Field, ListShape, NumShape, Shape, StrShape};
use crate::yaml::{self, Kind, LineIndex, Node, Span};
use serde::{Deserialize, Serialize};

/// One route request, with the defaults of SPEC §5 applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The client's own id; not part of the decision's inputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The capability type of a single-step request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capability: Option<String>,
    /// What a single-step request sends.
    #[serde(default)]
    pub input: Input,
    /// Sensitivity of the data (default: internal, no PII).
    #[serde(default)]
    pub data: Data,
    /// Hard bounds.
    #[serde(default)]
    pub requirements: Requirements,
    /// Soft preferences: they reorder candidates or remove named ones.
    #[serde(default)]
    pub preferences: Preferences,
    /// The caller's token, if the request carries one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<RequestAuth>,
    /// The steps of a chain request, replacing `capability` and `input`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<Vec<Step>>,
    /// Seed of the tie-break among equal scores (default 0, at most [`MAX_SEED`]).
    #[serde(default)]
    pub seed: u64,
    /// Request fields to leave out of the trace, as dotted paths
    /// (`auth.token` is always left out).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redact: Vec<String>,
    /// The body `route --execute` sends (any JSON, nulls kept). Not part of
    /// the decision's inputs, and never written to the trace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<serde_json::Value>,
}

/// What one step sends.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Modalities the request sends; `None` claims nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modalities: Option<Vec<Modality>>,
    /// Input size in tokens (default 0).
    #[serde(default)]
    pub tokens: u64,
    /// Expected output size in tokens (default 0).
    #[serde(default)]
    pub expected_output_tokens: u64,
    /// ISO 639-1 language code, if the request names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// How sensitive a request's data is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Data {
    /// Its data class (default internal).
    #[serde(default = "default_class")]
    pub class: DataClass,
    /// Whether it holds personal data (default false).
    #[serde(default)]
    pub contains_pii: bool,
}

fn default_class() -> DataClass {
    DataClass::Internal
}

impl Default for Data {
    fn default() -> Self {
        Data {
            class: default_class(),
            contains_pii: false,
        }
    }
}

/// Hard bounds: a candidate that breaks one is rejected (for chains, the
/// composed values are checked).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirements {
    /// Upper bound on the p95 latency, in ms (> 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_latency_p95_ms: Option<f64>,
    /// Lower bound on availability, in [0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_availability: Option<f64>,
    /// Lower bound on declared accuracy, in [0, 1]; a service that declares none fails it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_accuracy: Option<f64>,
    /// Upper bound on the estimated cost of the request (≥ 0, in the registry's currency).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_cost: Option<f64>,
    /// Where data may be processed: a service's regions must be a subset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<String>>,
    /// Tags a service must carry, all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Hosting kinds allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosting: Option<Vec<Hosting>>,
    /// The control signal's least confidence, in [0, 1]: a closer call is
    /// `no_route` with stage `control` (SPEC §5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_confidence: Option<f64>,
    /// The chosen service's greatest risk ρ, in [0, 1]: a riskier choice is
    /// `no_route` with stage `control`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_risk: Option<f64>,
}

/// Soft preferences: they reorder candidates, or remove named services.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// The weight profile (default balanced).
    #[serde(default)]
    pub priority: Priority,
    /// Explicit weights, instead of a priority profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<Weights>,
    /// Tags that raise a service's score (the t term).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefer_tags: Vec<String>,
    /// Service ids never to route to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_services: Vec<String>,
}

/// A weight profile of the master equation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// The default profile: (q, h, t, c, l, r) = (0.30, 0.15, 0.10, 0.15, 0.15, 0.15).
    #[default]
    Balanced,
    /// Cost weighs most: (0.15, 0.10, 0.05, 0.45, 0.10, 0.15).
    Cost,
    /// Latency weighs most: (0.15, 0.10, 0.05, 0.10, 0.45, 0.15).
    Latency,
    /// Accuracy weighs most: (0.50, 0.15, 0.05, 0.10, 0.10, 0.10).
    Quality,
}

pub(crate) const PRIORITIES: &[&str] = &["balanced", "cost", "latency", "quality"];

impl Priority {
    /// Every profile, in the order `route --help` lists them.
    pub const ALL: [Priority; 4] = [
        Priority::Balanced,
        Priority::Cost,
        Priority::Latency,
        Priority::Quality,
    ];

    /// The profile's name: `balanced`, `cost`, `latency` or `quality`.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Balanced => "balanced",
            Priority::Cost => "cost",
            Priority::Latency => "latency",
            Priority::Quality => "quality",
        }
    }

    /// The weight table of SPEC §5.
    pub fn weights(self) -> Weights {
        let w = |q, h, t, c, l, r| Weights { q, h, t, c, l, r };
        match self {
            Priority::Balanced => w(0.30, 0.15, 0.10, 0.15, 0.15, 0.15),
            Priority::Cost => w(0.15, 0.10, 0.05, 0.45, 0.10, 0.15),
            Priority::Latency => w(0.15, 0.10, 0.05, 0.10, 0.45, 0.15),
            Priority::Quality => w(0.50, 0.15, 0.05, 0.10, 0.10, 0.10),
        }
    }
}

/// Weights of the master equation's six terms.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    /// Weight of quality (declared accuracy).
    #[serde(default)]
    pub q: f64,
    /// Weight of history (observed success rate).
    #[serde(default)]
    pub h: f64,
    /// Weight of tag and policy preferences.
    #[serde(default)]
    pub t: f64,
    /// Weight of normalised cost (subtracted).
    #[serde(default)]
    pub c: f64,
    /// Weight of normalised latency (subtracted).
    #[serde(default)]
    pub l: f64,
    /// Weight of risk (subtracted).
    #[serde(default)]
    pub r: f64,
}

/// The largest explicit weight accepted: keeps every score finite.
pub(crate) const MAX_WEIGHT: f64 = 1000.0;

/// How the caller authenticates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestAuth {
    /// The caller's token (`caio_…`), as `caio principal add` printed it; never written to
    /// the trace.
    pub token: String,
}

/// One step of a chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The capability type of this step.
    pub capability: String,
    /// What the step sends.
    #[serde(default)]
    pub input: Input,
}

impl Request {
    /// A single-step request for `capability` with every default.
    pub fn for_capability(capability: &str) -> Request {
        Request {
            request_id: None,
            capability: Some(capability.to_string()),
            input: Input::default(),
            data: Data::default(),
            requirements: Requirements::default(),
            preferences: Preferences::default(),
            auth: None,
            chain: None,
            seed: 0,
            redact: Vec::new(),
            payload: None,
        }
    }

    /// The steps to route: the chain, or the one capability with `input`.
    pub fn steps(&self) -> Vec<Step> {
        match (&self.chain, &self.capability) {
            (Some(chain), _) => chain.clone(),
            (None, Some(capability)) => vec![Step {
                capability: capability.clone(),
                input: self.input.clone(),
            }],
            (None, None) => Vec::new(),
        }
    }

    /// The capability of each step, in step order ([`Request::steps`]
    /// without copying the steps).
    pub fn capabilities(&self) -> impl Iterator<Item = &str> {
        let chain = self.chain.iter().flatten().map(|s| s.capability.as_str());
        let single = match self.chain {
            None => self.capability.as_deref(),
            Some(_) => None,
        };
        chain.chain(single)
    }

    /// The weights in force: explicit ones, else the priority's profile.
    pub(crate) fn weights(&self) -> Weights {
        self.preferences
            .weights
            .unwrap_or_else(|| self.preferences.priority.weights())
    }

    /// Whether the request is a chain (`chain` is set).
    pub fn is_chain(&self) -> bool {
        self.chain.is_some()
    }

    /// The token, if the request carries one.
    pub fn token(&self) -> Option<&str> {
        self.auth.as_ref().map(|a| a.token.as_str())
    }

    /// Whether the trace leaves the value at `path` out: `path` is, or lies
    /// under, one of the paths listed in `redact` (or `auth.token` or
    /// `payload`, which are always left out).
    pub fn redacts(&self, path: &str) -> bool {
        let covers = |r: &str| {
            path.strip_prefix(r)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        };
        ALWAYS_REDACTED.iter().any(|r| covers(r)) || self.redact.iter().any(|r| covers(r))
    }

    /// How a decision quotes the request's value at `path`: the value, or
    /// [`REDACTED`] when the request redacts that path. Every message that
    /// repeats a request value goes through here, so a redacted value never
    /// reaches a trace record through an explanation.
    pub(crate) fn quote(&self, path: &str, value: impl std::fmt::Display) -> String {
        if self.redacts(path) {
            REDACTED.to_string()
        } else {
            value.to_string()
        }
    }

    /// Where the input of step `index` lives in the request: `input`, or
    /// `chain.<index>.input` for a chain.
    pub fn input_path(&self, index: usize) -> String {
        if self.is_chain() {
            format!("chain.{index}.input")
        } else {
            "input".to_string()
        }
    }
}

/// What a decision shows in place of a redacted request value.
pub(crate) const REDACTED: &str = "[redacted]";

/// Paths no trace record ever holds.
pub const ALWAYS_REDACTED: &[&str] = &["auth.token", "payload"];

/// Request paths `redact` may name (a chain's steps add `chain.<i>.input`
/// and the fields under it). What is not here is recorded by the decision
/// itself and cannot be hidden: the capabilities, the seed and the weights
/// (`preferences.priority`, `preferences.weights`).
pub(crate) const REDACTABLE: &[&str] = &[
    "auth",
    "auth.token",
    "data",
    "data.class",
    "data.contains_pii",
    "input",
    "input.expected_output_tokens",
    "input.language",
    "input.modalities",
    "input.tokens",
    "payload",
    "preferences.exclude_services",
    "preferences.prefer_tags",
    "request_id",
    "requirements",
    "requirements.hosting",
    "requirements.max_cost",
    "requirements.max_latency_p95_ms",
    "requirements.max_risk",
    "requirements.min_accuracy",
    "requirements.min_availability",
    "requirements.min_confidence",
    "requirements.regions",
    "requirements.tags",
];

/// Paths the decision records (so `redact` cannot hide them), and where.
const UNREDACTABLE: &[(&str, &str)] = &[
    (
        "capability",
        "every step of the decision names its capability",
    ),
    ("chain", "every step of the decision names its capability"),
    ("seed", "the decision records its seed, which replay needs"),
    ("preferences", "the decision records the weights in force"),
    (
        "preferences.priority",
        "the decision records the weights in force",
    ),
    (
        "preferences.weights",
        "the decision records the weights in force",
    ),
];

/// Whether `path` may be listed under `redact` in a request with `steps`
/// chain steps.
fn redactable(path: &str, steps: usize) -> bool {
    // A chain has no top-level input: its steps do.
    let top_input = path == "input" || path.starts_with("input.");
    if REDACTABLE.contains(&path) {
        return !(steps > 0 && top_input);
    }
    let Some(rest) = path.strip_prefix("chain.") else {
        return false;
    };
    let (index, field) = rest.split_once('.').unwrap_or((rest, ""));
    let in_range = index
        .parse::<usize>()
        .is_ok_and(|i| i < steps && i.to_string() == index);
    in_range
        && (field == "input"
            || field
                .strip_prefix("input.")
                .is_some_and(|f| REDACTABLE.contains(&format!("input.{f}").as_str())))
}

// ---------------------------------------------------------------------------
// Shape
// ---------------------------------------------------------------------------

static CAPABILITY: Shape = Shape::Str(StrShape {
    one_of: &[],
    pattern: Some(&CAPABILITY_ID),
});
static REGION_LIST: &Shape = &NON_EMPTY_NAMES;
static MODALITY_LIST: Shape = Shape::List(ListShape {
    item: &MODALITY,
    min_items: 0,
});
static HOSTING: Shape = Shape::Str(StrShape {
    one_of: HOSTINGS,
    pattern: None,
});
static HOSTING_LIST: Shape = Shape::List(ListShape {
    item: &HOSTING,
    min_items: 1,
});
static COUNT: &Shape = &NON_NEGATIVE_INT;
/// Seeds are integers every JSON implementation holds exactly (< 2^53).
pub const MAX_SEED: u64 = (1 << 53) - 1;

static SEED: Shape = Shape::Num(NumShape {
    integer: true,
    min: Some(0.0),
    exclusive_min: false,
    max: Some(MAX_SEED as f64),
});
static WEIGHT: Shape = Shape::Num(NumShape {
    integer: false,
    min: Some(0.0),
    exclusive_min: false,
    max: Some(MAX_WEIGHT),
});
static CLASS: Shape = Shape::Str(StrShape {
    one_of: DATA_CLASSES,
    pattern: None,
});
static PRIORITY: Shape = Shape::Str(StrShape {
    one_of: PRIORITIES,
    pattern: None,
});

pub(crate) static INPUT: Shape = Shape::Object(&[
    Field::optional(
        "modalities",
        &MODALITY_LIST,
        "input modalities: text, image, audio, video, embedding",
    ),
    Field::optional("tokens", COUNT, "input size in tokens"),
    Field::optional(
        "expected_output_tokens",
        COUNT,
        "expected output size in tokens",
    ),
    Field::optional("language", &LANGUAGE_STR, "ISO 639-1 language code"),
]);

pub(crate) static DATA: Shape = Shape::Object(&[
    Field::optional(
        "class",
        &CLASS,
        "public, internal (default), confidential or restricted",
    ),
    Field::optional(
        "contains_pii",
        &BOOL,
        "whether the data holds personal data (default false)",
    ),
]);

pub(crate) static REQUIREMENTS: Shape = Shape::Object(&[
    Field::optional(
        "max_latency_p95_ms",
        &POSITIVE,
        "upper bound on the p95 latency in ms",
    ),
    Field::optional(
        "min_availability",
        &UNIT,
        "lower bound on availability, in [0, 1]",
    ),
    Field::optional(
        "min_accuracy",
        &UNIT,
        "lower bound on declared accuracy, in [0, 1]",
    ),
    Field::optional(
        "max_cost",
        &PRICE,
        "upper bound on the estimated cost of the request",
    ),
    Field::optional(
        "min_confidence",
        &UNIT,
        "least confidence of the decision (control signal), in [0, 1]; a closer call is no_route",
    ),
    Field::optional(
        "max_risk",
        &UNIT,
        "greatest risk of the chosen service (control signal), in [0, 1]; a riskier choice is no_route",
    ),
    Field::optional(
        "regions",
        REGION_LIST,
        "regions where data may be processed",
    ),
    Field::optional("tags", &NAMES, "tags a service must carry, all of them"),
    Field::optional(
        "hosting",
        &HOSTING_LIST,
        "allowed hosting kinds: on_prem, internal, external",
    ),
]);

pub(crate) static WEIGHTS: Shape = Shape::Object(&[
    Field::optional("q", &WEIGHT, "weight of quality (accuracy)"),
    Field::optional("h", &WEIGHT, "weight of history (observed success)"),
    Field::optional("t", &WEIGHT, "weight of tag and policy preferences"),
    Field::optional("c", &WEIGHT, "weight of normalised cost (subtracted)"),
    Field::optional("l", &WEIGHT, "weight of normalised latency (subtracted)"),
    Field::optional("r", &WEIGHT, "weight of risk (subtracted)"),
]);

pub(crate) static PREFERENCES: Shape = Shape::Object(&[
    Field::optional(
        "priority",
        &PRIORITY,
        "weight profile: balanced, cost, latency or quality",
    ),
    Field::optional(
        "weights",
        &WEIGHTS,
        "explicit weights q, h, t, c, l, r (instead of priority)",
    ),
    Field::optional("prefer_tags", &NAMES, "tags that raise a service's score"),
    Field::optional(
        "exclude_services",
        &EXCLUDE,
        "service ids never to route to",
    ),
]);

static EXCLUDE: Shape = Shape::List(ListShape {
    item: &TEXT,
    min_items: 0,
});

static AUTH: Shape = Shape::Object(&[Field::required(
    "token",
    &TEXT,
    "the caller's token, as printed by `caio principal add`",
)]);

static STEP: Shape = Shape::Object(&[
    Field::required(
        "capability",
        &CAPABILITY,
        "the capability type of this step",
    ),
    Field::optional("input", &INPUT, "the step's input"),
]);

static CHAIN: Shape = Shape::List(ListShape {
    item: &STEP,
    min_items: 1,
});

/// The structure of a route request.
pub(crate) static REQUEST: Shape = Shape::Object(&[
    Field::optional(
        "request_id",
        &TEXT,
        "the client's own id (not part of the decision)",
    ),
    Field::optional(
        "capability",
        &CAPABILITY,
        "the capability type to route (or give `chain`)",
    ),
    Field::optional("input", &INPUT, "what the request sends"),
    Field::optional("data", &DATA, "sensitivity of the data"),
    Field::optional("requirements", &REQUIREMENTS, "hard bounds"),
    Field::optional("preferences", &PREFERENCES, "soft preferences"),
    Field::optional("auth", &AUTH, "the caller's token"),
    Field::optional(
        "chain",
        &CHAIN,
        "ordered steps, each with capability and input (instead of capability)",
    ),
    Field::optional(
        "seed",
        &SEED,
        "seed of the tie-break among equal scores (default 0)",
    ),
    Field::optional(
        "redact",
        &REDACT,
        "request fields to leave out of the trace, as dotted paths (auth.token always is)",
    ),
    Field::optional(
        "payload",
        &Shape::Any,
        "the body `route --execute` sends, any JSON (never written to the trace)",
    ),
]);

static REDACT: Shape = Shape::List(ListShape {
    item: &TEXT,
    min_items: 0,
});

/// Reads one request from JSON text. On failure the report holds every problem.
pub fn parse(path: &str, text: &str) -> Result<Request, FileReport> {
    // A snippet of any problem may show the token's line: it is masked.
    let fail = |problems: Vec<Problem>| {
        FileReport::with_secrets(
            path.to_string(),
            text.to_string(),
            problems,
            secret_spans(text),
        )
    };
    // A one-line request in plain JSON without nulls (every batch line,
    // mostly) is checked on the tree serde_json reads and, when the checks
    // pass, read once more straight into the request: the checks refuse
    // duplicate keys, and without nulls there is nothing to strip first.
    if !text.contains("null")
        && let Some(node) = yaml::plain_json(text)
    {
        let mut problems = Vec::new();
        shape::check("request", &node, &REQUEST, "", &mut problems);
        check_semantics(&node, &mut problems);
        if problems.is_empty() {
            return serde_json::from_str(text).map_err(|e| {
                let message = strip_position(&e.to_string());
                fail(vec![
                    Problem::error("request::wrong-type".into(), Span::new(0, 0), message)
                        .help("fix the request's value types"),
                ])
            });
        }
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        let offset = LineIndex::new(text).offset(e.line(), e.column());
        let message = strip_position(&e.to_string());
        fail(vec![
            Problem::error("request::json-syntax".into(), Span::new(offset, 0), message)
                .label("here")
                .help("a request is one JSON object; see `caio route --help`"),
        ])
    })?;
    let mut problems = Vec::new();
    // A one-line request in plain JSON (every batch line) is checked on a
    // tree serde_json reads. The spanned YAML reader gives the same tree for
    // such text; it reads the request again only when the check finds a
    // problem, so that every diagnostic keeps its exact position.
    let checked = yaml::plain_json(text).is_some_and(|mut node| {
        strip_nulls(&mut node);
        shape::check("request", &node, &REQUEST, "", &mut problems);
        check_semantics(&node, &mut problems);
        problems.is_empty()
    });
    if !checked {
        problems.clear();
        match yaml::parse(text) {
            Ok(mut node) => {
                strip_nulls(&mut node);
                shape::check("request", &node, &REQUEST, "", &mut problems);
                check_semantics(&node, &mut problems);
            }
            Err(e) => problems.push(
                Problem::error("request::json-syntax".into(), e.span, e.message)
                    .help("a request is one JSON object"),
            ),
        }
    }
    if !problems.is_empty() {
        return Err(fail(problems));
    }
    serde_json::from_value(without_nulls_but_payload(value)).map_err(|e| {
        fail(vec![
            Problem::error("request::wrong-type".into(), Span::new(0, 0), e.to_string())
                .help("fix the request's value types"),
        ])
    })
}

/// Reads a request value built in memory (policy tests, generated scenarios),
/// with the same checks; `allow_no_capability` accepts a request that names
/// neither `capability` nor `chain`.
pub(crate) fn from_node(node: &Node, allow_no_capability: bool) -> Result<Request, Vec<Problem>> {
    let payload = node.get("payload").map(Node::to_json);
    let mut node = node.clone();
    strip_nulls(&mut node);
    let mut problems = Vec::new();
    shape::check("request", &node, &REQUEST, "", &mut problems);
    check_semantics(&node, &mut problems);
    if allow_no_capability {
        problems.retain(|p| p.code != "request::no-capability");
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut request: Request = serde_json::from_value(node.to_json()).map_err(|e| {
        vec![
            Problem::error("request::wrong-type".into(), node.span, e.to_string())
                .help("fix the request's value types"),
        ]
    })?;
    request.payload = payload.filter(|p| !p.is_null());
    Ok(request)
}

/// The byte ranges a report of a request must mask, found in the raw text
/// so that malformed JSON is covered too: every string inside the value of
/// an `"auth"` key (whatever its shape or keys), every string value of a
/// `"token"` key, and anything shaped like a caio token.
fn secret_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    for key in ["\"auth\"", "\"token\""] {
        for (at, _) in text.match_indices(key) {
            let colon = skip_space(bytes, at + key.len());
            if bytes.get(colon) == Some(&b':') {
                spans.extend(value_strings(bytes, skip_space(bytes, colon + 1)));
            }
        }
    }
    let prefix = crate::principal::TOKEN_PREFIX;
    for (at, _) in text.match_indices(prefix) {
        let end = bytes[at..]
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-'))
            .map_or(bytes.len(), |n| at + n);
        spans.push(at..end);
    }
    spans
}

fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The contents of the string literal opening at `open`, and its end.
fn string_at(bytes: &[u8], open: usize) -> (std::ops::Range<usize>, usize) {
    let mut end = open + 1;
    while end < bytes.len() && bytes[end] != b'"' {
        end += if bytes[end] == b'\\' { 2 } else { 1 };
    }
    let end = end.min(bytes.len());
    (open + 1..end, end + 1)
}

/// Every string in the JSON value starting at `start` (a string, or an
/// object or array up to its matching close or the end of the text),
/// object keys excepted.
fn value_strings(bytes: &[u8], start: usize) -> Vec<std::ops::Range<usize>> {
    let mut found = Vec::new();
    match bytes.get(start) {
        Some(b'"') => found.push(string_at(bytes, start).0),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut i = start;
            while i < bytes.len() {
                match bytes[i] {
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    b'"' => {
                        let (range, next) = string_at(bytes, i);
                        if bytes.get(skip_space(bytes, next)) != Some(&b':') {
                            found.push(range);
                        }
                        i = next;
                        continue;
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {}
    }
    found
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Drops `key: null` entries everywhere: in a request, null means absent.
fn strip_nulls(node: &mut Node) {
    match &mut node.kind {
        Kind::Map(entries) => {
            entries.retain(|(_, v)| !matches!(v.kind, Kind::Null));
            for (_, v) in entries.iter_mut() {
                strip_nulls(v);
            }
        }
        Kind::Seq(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// [`without_nulls`], except inside `payload`: a body's nulls are data.
fn without_nulls_but_payload(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(mut map) => {
            let payload = map.remove("payload").filter(|p| !p.is_null());
            let mut value = without_nulls(serde_json::Value::Object(map));
            if let (Some(payload), Some(map)) = (payload, value.as_object_mut()) {
                map.insert("payload".into(), payload);
            }
            value
        }
        other => without_nulls(other),
    }
}

fn without_nulls(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

fn check_semantics(node: &Node, out: &mut Vec<Problem>) {
    if node.as_map().is_none() {
        return;
    }
    check_redact(node, out);
    match (node.key_node("capability"), node.key_node("chain")) {
        (None, None) => out.push(
            Problem::error(
                "request::no-capability".into(),
                Span::new(node.span.offset, 1),
                "the request names no capability",
            )
            .label("no `capability` or `chain` in this object")
            .help("add `\"capability\": \"chat\"` (or a `chain` of steps)"),
        ),
        (Some(_), Some(chain)) => out.push(
            Problem::error(
                "request::conflicting-keys".into(),
                chain.span,
                "`capability` and `chain` exclude each other",
            )
            .label("chain given here")
            .help("a chain names its capabilities per step; remove the top-level `capability`"),
        ),
        _ => {}
    }
    if let (Some(_), Some(input)) = (node.key_node("chain"), node.key_node("input")) {
        out.push(
            Problem::error(
                "request::conflicting-keys".into(),
                input.span,
                "a chain request gives its input per step",
            )
            .label("top-level input")
            .help("move `input` into the chain's steps"),
        );
    }
    if let Some(prefs) = node.get("preferences") {
        if let (Some(_), Some(weights)) = (prefs.key_node("priority"), prefs.key_node("weights")) {
            out.push(
                Problem::error(
                    "request::conflicting-keys".into(),
                    weights.span,
                    "`preferences.priority` and `preferences.weights` exclude each other",
                )
                .label("weights given here")
                .help("keep the profile (`priority`) or the explicit weights, not both"),
            );
        }
        if let Some(weights) = prefs.get("weights")
            && let Some(entries) = weights.as_map()
            && entries
                .iter()
                .all(|(_, v)| v.as_f64().is_some_and(|w| w == 0.0))
        {
            out.push(
                Problem::error(
                    "request::zero-weights".into(),
                    weights.span,
                    "every explicit weight is zero, so every service would score 0",
                )
                .label("all zero")
                .help("give at least one of q, h, t, c, l, r a positive weight"),
            );
        }
    }
}

/// Every `redact` entry must name a field the trace can leave out: a typo
/// would otherwise keep the value in every record without a word.
fn check_redact(node: &Node, out: &mut Vec<Problem>) {
    let Some(entries) = node.get("redact").and_then(Node::as_seq) else {
        return;
    };
    let steps = node
        .get("chain")
        .and_then(Node::as_seq)
        .map_or(0, |s| s.len());
    for entry in entries {
        let Some(path) = entry.as_str() else {
            continue;
        };
        if redactable(path, steps) {
            continue;
        }
        let problem = Problem::error(
            "request::redact-path".into(),
            entry.span,
            format!("`{path}` cannot be redacted"),
        );
        let problem = match UNREDACTABLE.iter().find(|(p, _)| *p == path) {
            Some((_, why)) => problem
                .label(*why)
                .help("remove this entry; the field stays in the trace"),
            None if steps > 0 && (path == "input" || path.starts_with("input.")) => problem
                .label("a chain gives its input per step")
                .help(format!(
                    "name each step's input, e.g. `chain.0.{path}` (steps 0 to {})",
                    steps - 1
                )),
            None if path.starts_with("chain.") && steps == 0 => problem
                .label("this request has no chain")
                .help("name the request's input instead, e.g. `input.language`"),
            None if path.starts_with("chain.") => {
                problem.label("not a step's input").help(format!(
                    "name a step's input as `chain.<i>.input` or `chain.<i>.input.<field>`, \
                     with i from 0 to {}",
                    steps - 1
                ))
            }
            None => {
                let problem = problem.label("no such request field");
                match shape::did_you_mean(path, REDACTABLE) {
                    Some(s) => problem.help(format!("did you mean `{s}`?")),
                    None => problem.help(format!("redactable paths: {}", REDACTABLE.join(", "))),
                }
            }
        };
        out.push(problem);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-line request without nulls is read straight into the request;
    /// it reads as the same request as through the tree (the fixtures, as
    /// files are written and as batch lines), and a duplicate key or a
    /// wrong type is still refused.
    #[test]
    fn a_plain_line_reads_as_the_same_request() {
        let fixtures = [
            (
                "chain-meeting-summary.json",
                include_str!("../../../fixtures/requests/chain-meeting-summary.json"),
            ),
            (
                "chain-rag-latency-bound.json",
                include_str!("../../../fixtures/requests/chain-rag-latency-bound.json"),
            ),
            (
                "chat-balanced.json",
                include_str!("../../../fixtures/requests/chat-balanced.json"),
            ),
            (
                "chat-cost-priority.json",
                include_str!("../../../fixtures/requests/chat-cost-priority.json"),
            ),
            (
                "chat-eu-confidential-pii.json",
                include_str!("../../../fixtures/requests/chat-eu-confidential-pii.json"),
            ),
            (
                "chat-explicit-weights.json",
                include_str!("../../../fixtures/requests/chat-explicit-weights.json"),
            ),
            (
                "chat-free-tier-cost-cap.json",
                include_str!("../../../fixtures/requests/chat-free-tier-cost-cap.json"),
            ),
            (
                "chat-latency-tight-p95.json",
                include_str!("../../../fixtures/requests/chat-latency-tight-p95.json"),
            ),
            (
                "chat-quality-min-accuracy.json",
                include_str!("../../../fixtures/requests/chat-quality-min-accuracy.json"),
            ),
            (
                "chat-restricted-hr.json",
                include_str!("../../../fixtures/requests/chat-restricted-hr.json"),
            ),
            (
                "chat-tight-budget.json",
                include_str!("../../../fixtures/requests/chat-tight-budget.json"),
            ),
            (
                "embedding-eu-multilingual.json",
                include_str!("../../../fixtures/requests/embedding-eu-multilingual.json"),
            ),
            (
                "no-route-restricted-us.json",
                include_str!("../../../fixtures/requests/no-route-restricted-us.json"),
            ),
            (
                "transcription-call-pii.json",
                include_str!("../../../fixtures/requests/transcription-call-pii.json"),
            ),
            (
                "tts-ivr-prompt.json",
                include_str!("../../../fixtures/requests/tts-ivr-prompt.json"),
            ),
            (
                "web-search-public.json",
                include_str!("../../../fixtures/requests/web-search-public.json"),
            ),
        ];
        for (name, text) in fixtures {
            let line =
                serde_json::to_string(&serde_json::from_str::<serde_json::Value>(text).unwrap())
                    .unwrap();
            assert!(!line.contains('\n') && !line.contains("null"), "{line}");
            assert!(yaml::plain_json(&line).is_some(), "{line}");
            let whole = parse(name, text).unwrap();
            assert_eq!(parse(name, &line).unwrap(), whole, "{name}");
        }
        let duplicate = r#"{"capability":"chat","capability":"embedding"}"#;
        assert!(!codes(duplicate).is_empty(), "{:?}", codes(duplicate));
        let wrong = r#"{"capability":"chat","input":{"tokens":-1}}"#;
        assert!(!codes(wrong).is_empty());
    }

    fn codes(text: &str) -> Vec<String> {
        match parse("r.json", text) {
            Ok(_) => Vec::new(),
            Err(report) => report.problems.iter().map(|p| p.code.clone()).collect(),
        }
    }

    fn unspanned(node: &Node) -> Node {
        Node {
            span: Span::default(),
            kind: match &node.kind {
                Kind::Seq(items) => Kind::Seq(items.iter().map(unspanned).collect()),
                Kind::Map(entries) => Kind::Map(
                    entries
                        .iter()
                        .map(|(k, v)| (unspanned(k), unspanned(v)))
                        .collect(),
                ),
                other => other.clone(),
            },
        }
    }

    /// The capabilities of a request are its steps' (a chain's, or the
    /// one capability's), without the steps copied.
    #[test]
    fn capabilities_are_the_steps_capabilities() {
        let chain = parse(
            "chain.json",
            include_str!("../../../fixtures/requests/chain-meeting-summary.json"),
        )
        .expect("a fixture request");
        let mut none = Request::for_capability("chat");
        none.capability = None;
        for request in [chain, Request::for_capability("chat"), none] {
            let steps: Vec<String> = request.steps().into_iter().map(|s| s.capability).collect();
            assert_eq!(request.capabilities().collect::<Vec<_>>(), steps);
        }
    }

    /// The plain JSON reader reads what the YAML reader reads, and declines
    /// what it might not read the same way.
    #[test]
    fn plain_json_lines_read_as_the_yaml_reader_reads_them() {
        let deep = format!("{{\"payload\": {}1{}}}", "[".repeat(20), "]".repeat(20));
        let texts = [
            r#"{"capability": "chat", "input": {"tokens": 100}, "seed": 4}"#,
            r#"{"capability":"chat","input":{"tokens":1e3,"language":"de"},"seed":-0}"#,
            r#"{"a": 1, "a": 2, "b": [true, false, null, 1.5, -7, 18446744073709551615]}"#,
            r#"{"s": "tab\there \"quoted\" back\\slash \/ \b\f\n\r"}"#,
            r#"{"s": "caf\u00e9 \u0000 \u0085 \u2028", "t": "Grüße, 日本語"}"#,
            r#"{"s": "\ud83d\ude00"}"#,
            "{\"s\": \"\u{85} \u{feff} \u{fffe}\"}",
            "{\"s\":\t\"x\"}",
            "{\"s\": 1}\r\n",
            "{\n\"s\": 1\n}",
            r##"{"k": "# not a comment", "&a": "*a", "!t": "!!str"}"##,
            r#"[1, {"x": []}, {}]"#,
            r#""just a string""#,
            &deep,
        ];
        for text in texts {
            assert!(
                serde_json::from_str::<serde_json::Value>(text).is_ok(),
                "{text}"
            );
            let Some(plain) = yaml::plain_json(text) else {
                continue;
            };
            let spanned = yaml::parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            assert_eq!(plain, unspanned(&spanned), "{text}");
        }
        for declined in [
            "{\"s\": -0}",
            "{\"s\":\t1}",
            "{\n\"s\": 1\n}",
            "{\"s\": \"\\ud83d\\ude00\"}",
            &deep,
        ] {
            assert!(yaml::plain_json(declined).is_none(), "{declined}");
        }
        assert!(yaml::plain_json(texts[0]).is_some());
    }

    /// A line read by serde_json and one read by the YAML reader give the
    /// same request, or the same diagnostics.
    #[test]
    fn plain_and_spanned_reads_agree_on_requests() {
        for text in [
            r#"{"capability": "chat", "input": {"tokens": 100, "modalities": ["text"]}, "seed": 4}"#,
            r#"{"chain": [{"capability": "chat"}], "capability": "chat"}"#,
            r#"{"capability": "chat", "seed": 1.5, "colour": "red"}"#,
            r#"{"capability": "chat", "capability": "chat"}"#,
            r#"{"capability": "chat", "preferences": {"weights": {"q": 0}}}"#,
            r#"{"capability": "chat", "redact": ["input.tokenz"]}"#,
        ] {
            let fast = parse("r.json", text);
            // The same text over two lines always takes the spanned reader.
            let slow_text = text.replacen(", ", ",\n", 1);
            let slow = parse("r.json", &slow_text);
            match (fast, slow) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
                (Err(a), Err(b)) => {
                    let codes = |r: &FileReport| {
                        r.problems
                            .iter()
                            .map(|p| (p.code.clone(), p.message.clone()))
                            .collect::<Vec<_>>()
                    };
                    assert_eq!(codes(&a), codes(&b), "{text}");
                    let spanned = yaml::parse(text).map(|_| ());
                    assert!(spanned.is_ok(), "{text}");
                    // The one-line report points where the YAML reader does.
                    let positions: Vec<_> = a.problems.iter().map(|p| a.position(p)).collect();
                    assert!(
                        positions.iter().all(|&(line, _)| line == 1),
                        "{text}: {positions:?}"
                    );
                }
                (a, b) => panic!("{text}: {a:?} vs {b:?}"),
            }
        }
    }

    #[test]
    fn tokens_are_masked_in_every_report_even_of_malformed_json() {
        for text in [
            "{\"capability\": \"chat\", \"auth\": {\"token\": \"caio_S3CRET\"}, \"seed\": \"x\"}",
            "{\"capability\": \"chat\",\n \"auth\": { \"token\" :\n \"caio_S3CRET\\\"x\" },\n}",
            "{\"auth\": {\"token\": \"caio_S3CRET",
            "{\"capability\": \"chat\", \"auth\": {\"token\": [\"S3CRET\"]}}",
            "{\"capability\": \"chat\", \"auth\": {\"tokn\": \"S3CRET\"}}",
            "{\"capability\": \"chat\", \"auth\": \"S3CRET\"}",
            "{\"capability\": \"chat\", \"request_id\": \"caio_S3CRETS3CRET\", \"x\": 1}",
        ] {
            let report = parse("r.json", text).expect_err("invalid");
            assert!(!report.text.contains("S3CRET"), "{}", report.text);
            assert_eq!(report.text.len(), text.len(), "offsets are kept");
        }
    }

    #[test]
    fn redaction_covers_the_listed_paths_and_everything_under_them() {
        let mut r = Request::for_capability("chat");
        r.redact = vec!["requirements".into(), "input.language".into()];
        for hidden in [
            "requirements",
            "requirements.max_cost",
            "input.language",
            "auth.token",
            "payload",
        ] {
            assert!(r.redacts(hidden), "{hidden}");
            assert_eq!(r.quote(hidden, 0.5), REDACTED);
        }
        for shown in ["input", "input.tokens", "requirementsx", "data.class"] {
            assert!(!r.redacts(shown), "{shown}");
        }
        assert_eq!(r.quote("input.tokens", 1500), "1500");
        assert_eq!(r.input_path(3), "input");
        r.chain = Some(Vec::new());
        assert_eq!(r.input_path(3), "chain.3.input");
    }

    #[test]
    fn redact_entries_must_name_a_redactable_field() {
        let with =
            |extra: &str, redact: &str| codes(&format!("{{{extra} \"redact\": [\"{redact}\"]}}"));
        let chat = "\"capability\": \"chat\",";
        let chain = "\"chain\": [{\"capability\": \"chat\"}, {\"capability\": \"chat\"}],";
        for ok in REDACTABLE {
            assert!(with(chat, ok).is_empty(), "{ok}");
            let in_chain = ok.starts_with("input");
            assert_eq!(with(chain, ok).is_empty(), !in_chain, "{ok} in a chain");
        }
        for ok in ["chain.0.input", "chain.1.input.language"] {
            assert!(with(chain, ok).is_empty(), "{ok}");
        }
        let bad = vec!["request::redact-path".to_string()];
        for refused in [
            "seed",
            "capability",
            "preferences.weights",
            "requirement.max_cost",
        ] {
            assert_eq!(with(chat, refused), bad, "{refused}");
        }
        for refused in [
            "chain.2.input",
            "chain.01.input",
            "chain.0.capability",
            "chain.0.input.x",
            "input",
            "input.language",
        ] {
            assert_eq!(with(chain, refused), bad, "{refused}");
        }
    }

    #[test]
    fn defaults_follow_the_spec() {
        let r = parse("r.json", r#"{"capability": "chat"}"#).unwrap();
        assert_eq!(r.data.class, DataClass::Internal);
        assert!(!r.data.contains_pii);
        assert_eq!(r.seed, 0);
        assert_eq!(r.preferences.priority, Priority::Balanced);
        assert_eq!(r.weights(), Priority::Balanced.weights());
        assert_eq!(r.steps().len(), 1);
    }

    #[test]
    fn spec_example_reads() {
        let text = r#"{
          "request_id": "optional-client-id",
          "capability": "chat",
          "input": { "modalities": ["text"], "tokens": 1200, "expected_output_tokens": 400, "language": "de" },
          "data": { "class": "confidential", "contains_pii": true },
          "requirements": { "max_latency_p95_ms": 1000, "min_availability": 0.995,
                            "min_accuracy": 0.8, "max_cost": 0.05, "regions": ["eu"] },
          "preferences": { "priority": "balanced", "prefer_tags": ["eu"], "exclude_services": [] },
          "auth": { "token": "caio_x" },
          "chain": null,
          "seed": 42
        }"#;
        let r = parse("r.json", text).unwrap();
        assert_eq!(r.seed, 42);
        assert_eq!(r.token(), Some("caio_x"));
        assert_eq!(
            r.requirements.regions.as_deref(),
            Some(&["eu".to_string()][..])
        );
        assert!(!r.is_chain());
    }

    #[test]
    fn strict_json_and_every_problem() {
        assert_eq!(
            codes(r#"{"capability": "chat",}"#),
            ["request::json-syntax"]
        );
        assert_eq!(
            codes(r#"{"capability": "chat"} x"#),
            ["request::json-syntax"]
        );
        let mut got = codes(
            r#"{"capabilty": "chat", "data": {"class": "secret"}, "seed": -1,
                "requirements": {"min_availability": 2}}"#,
        );
        got.sort();
        assert_eq!(
            got,
            [
                "request::invalid-value",
                "request::no-capability",
                "request::out-of-range",
                "request::out-of-range",
                "request::unknown-key",
            ]
        );
    }

    #[test]
    fn exclusive_keys_and_zero_weights() {
        assert_eq!(
            codes(r#"{"capability": "chat", "chain": [{"capability": "chat"}]}"#),
            ["request::conflicting-keys"]
        );
        assert_eq!(
            codes(
                r#"{"capability": "chat", "preferences": {"priority": "cost", "weights": {"q": 1}}}"#
            ),
            ["request::conflicting-keys"]
        );
        assert_eq!(
            codes(r#"{"capability": "chat", "preferences": {"weights": {"q": 0, "c": 0}}}"#),
            ["request::zero-weights"]
        );
        let r = parse(
            "r.json",
            r#"{"capability": "chat", "preferences": {"weights": {"q": 2, "c": 1}}}"#,
        )
        .unwrap();
        assert_eq!(r.weights().q, 2.0);
        assert_eq!(r.weights().h, 0.0);
    }

    #[test]
    fn positions_point_into_the_text() {
        let text = "{\n  \"capability\": \"chat\",\n  \"data\": {\"clas\": \"public\"}\n}";
        let report = parse("r.json", text).unwrap_err();
        let p = &report.problems[0];
        assert_eq!(p.code, "request::unknown-key");
        assert_eq!(report.position(p), (3, 12));
    }

    #[test]
    fn a_payload_is_any_json_and_keeps_its_nulls() {
        let r = parse(
            "r.json",
            r#"{"capability": "chat", "payload": {"messages": [{"role": "user", "content": "hi"}], "stop": null}}"#,
        )
        .unwrap();
        let payload = r.payload.unwrap();
        assert_eq!(payload["messages"][0]["content"], "hi");
        assert!(payload.as_object().unwrap().contains_key("stop"));
        let r = parse("r.json", r#"{"capability": "chat", "payload": "text"}"#).unwrap();
        assert_eq!(r.payload, Some(serde_json::json!("text")));
        let r = parse("r.json", r#"{"capability": "chat", "payload": null}"#).unwrap();
        assert_eq!(r.payload, None);
    }

    #[test]
    fn seeds_are_exact_json_integers() {
        let r = parse(
            "r.json",
            r#"{"capability": "chat", "seed": 9007199254740991}"#,
        )
        .unwrap();
        assert_eq!(r.seed, MAX_SEED);
        assert_eq!(
            codes(r#"{"capability": "chat", "seed": 9007199254740992}"#),
            ["request::out-of-range"]
        );
        assert_eq!(
            codes(r#"{"capability": "chat", "seed": 1.5}"#),
            ["request::wrong-type"]
        );
    }
}
