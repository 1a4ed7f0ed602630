//! Service contracts (`apiVersion: caio/v1`): the typed model, its shape, the
//! validator and the `contract new` templates.
//!
//! A contract is read in two layers, both reporting spans: `schema::CONTRACT`
//! checks syntax and types, [`validate`] checks meaning. Only a file that passes
//! both becomes a [`ServiceContract`].

pub mod schema;
mod stored;
pub mod templates;
pub mod validate;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use stored::{StoredContract, unreadable};
pub use validate::{ContractFile, ValidationRun, validate_documents, validate_text};

/// The only contract format this binary understands.
pub const API_VERSION: &str = "caio/v1";

/// One AI service as its operator describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceContract {
    /// `apiVersion`: always [`API_VERSION`].
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    /// Unique id of the service in a registry: `^[a-z0-9][a-z0-9-]{1,62}$`.
    pub service_id: String,
    /// Human-readable name.
    pub name: String,
    /// Semantic version of this contract; the registry keeps every version.
    pub version: String,
    /// Who operates the service, e.g. `openai` or `inhouse`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Free text for operators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Labels that requests can prefer and registry listings filter on.
    #[serde(default)]
    pub tags: Vec<String>,
    /// What the service can do: at least one, each type at most once.
    pub capabilities: Vec<Capability>,
    /// Latency, availability and accuracy promises.
    pub guarantees: Guarantees,
    /// Prices.
    pub cost: Cost,
    /// Where data goes and what may be sent.
    pub privacy: Privacy,
    /// Who may use the service (default: anyone, trust low).
    #[serde(default)]
    pub access: Access,
    /// How `route --execute` calls the service.
    pub endpoint: Endpoint,
    /// Operator-assessed risk in [0, 1] (default 0), a term of the score.
    #[serde(default)]
    pub risk: f64,
}

/// One thing a service can do, and on what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capability {
    /// The capability id requests ask for (`type` in YAML), e.g. `chat`, `embedding`:
    /// `^[a-z][a-z0-9_.-]*$`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Accepted input modalities; `None` accepts any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Vec<Modality>>,
    /// Produced output modalities; `None` means any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Vec<Modality>>,
    /// The largest request the service accepts, in input tokens (> 0); `None` means no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_input_tokens: Option<u64>,
    /// ISO 639-1 codes; `None` accepts any language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
}

/// A kind of content a capability takes or produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    /// Text.
    Text,
    /// Images.
    Image,
    /// Audio.
    Audio,
    /// Video.
    Video,
    /// Embedding vectors.
    Embedding,
}

/// What the operator promises about the service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guarantees {
    /// Latency percentiles, in ms.
    pub latency_ms: Latency,
    /// Promised availability as a fraction in (0, 1], e.g. 0.999.
    pub availability: f64,
    /// Operator-measured quality score in [0, 1], if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
}

/// Declared latency percentiles in ms: 0 < p50 ≤ p95 ≤ p99.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Latency {
    /// Median latency, in ms.
    pub p50: f64,
    /// 95th-percentile latency, in ms.
    pub p95: f64,
    /// 99th-percentile latency, in ms.
    pub p99: f64,
}

/// Prices, all ≥ 0 and all required (0 when none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    /// ISO 4217 code; one currency per registry.
    pub currency: String,
    /// Fixed price per call.
    pub per_request: f64,
    /// Price per 1,000 input tokens.
    pub per_1k_input_tokens: f64,
    /// Price per 1,000 output tokens.
    pub per_1k_output_tokens: f64,
}

/// Where request data goes and what may be sent there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Privacy {
    /// Where the service runs.
    pub hosting: Hosting,
    /// Regions where request data is processed (at least one), e.g. `eu`.
    pub regions: Vec<String>,
    /// The most sensitive data class accepted.
    pub max_data_class: DataClass,
    /// Whether personal data may be sent (default false).
    #[serde(default)]
    pub pii_allowed: bool,
    /// Days the provider keeps request data (default 0).
    #[serde(default)]
    pub retention_days: u64,
    /// Whether the provider trains on request data (default false).
    #[serde(default)]
    pub trains_on_customer_data: bool,
}

/// Where a service runs, from most to least private.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hosting {
    /// On premises (`on_prem`): the most private.
    OnPrem,
    /// Run inside the organisation (`internal`).
    Internal,
    /// Run by an outside provider (`external`): the least private.
    External,
}

/// Sensitivity of data, ordered `public < internal < confidential < restricted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataClass {
    /// `public`: the least sensitive.
    Public,
    /// `internal`.
    Internal,
    /// `confidential`.
    Confidential,
    /// `restricted`: the most sensitive.
    Restricted,
}

/// Verified trust of a caller, ordered `low < medium < high`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum Trust {
    // The CLI lists the bare values (`--trust low|medium|high`): each
    // variant's `value(help)` keeps its doc comment out of help, man pages
    // and completions.
    /// The lowest trust, and the default.
    #[default]
    #[cfg_attr(feature = "clap", value(help = None::<&str>))]
    Low,
    /// Medium trust.
    #[cfg_attr(feature = "clap", value(help = None::<&str>))]
    Medium,
    /// The highest trust.
    #[cfg_attr(feature = "clap", value(help = None::<&str>))]
    High,
}

/// Who may use a service.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Access {
    /// The lowest verified caller trust allowed (default low).
    #[serde(default)]
    pub min_trust: Trust,
    /// Roles allowed to use the service; `None` allows any role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// Tenants allowed to use the service; `None` allows any tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenants: Option<Vec<String>>,
}

/// How `route --execute` calls a service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// The http:// or https:// URL called.
    pub url: String,
    /// How requests and responses are shaped (default `http`: the payload
    /// is sent unchanged). Left out of the canonical form when `http`, so
    /// contracts written before protocols existed keep their hash.
    #[serde(default, skip_serializing_if = "Protocol::is_http")]
    pub protocol: Protocol,
    /// The provider's model name, e.g. `gpt-4o-mini`; required by every
    /// protocol but `http`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// HTTP method: `POST` (default), `GET` or `PUT`.
    #[serde(default = "default_method")]
    pub method: String,
    /// Per-attempt timeout, in ms (default 30000).
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// How to authenticate; `None` sends no credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<Auth>,
    /// Extra literal headers (never secrets; those come from `auth.env`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
}

pub(crate) const DEFAULT_TIMEOUT_MS: u64 = 30_000;

/// How `route --execute` talks to a service (SPEC §2, §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    /// The payload is sent unchanged and the body returned as it is (in-house services).
    #[default]
    Http,
    /// OpenAI Chat Completions (`/v1/chat/completions`) and compatible servers:
    /// vLLM, Ollama, Azure OpenAI, Mistral, Groq, …
    OpenaiChat,
    /// OpenAI Embeddings (`/v1/embeddings`) and compatible servers.
    OpenaiEmbeddings,
    /// OpenAI Audio Transcriptions (`/v1/audio/transcriptions`): a multipart upload.
    OpenaiTranscription,
    /// Anthropic Messages (`/v1/messages`).
    AnthropicMessages,
}

impl Protocol {
    /// Every protocol, in the order the docs list them.
    pub const ALL: [Protocol; 5] = [
        Protocol::Http,
        Protocol::OpenaiChat,
        Protocol::OpenaiEmbeddings,
        Protocol::OpenaiTranscription,
        Protocol::AnthropicMessages,
    ];

    /// The protocol as contracts spell it: `http`, `openai-chat`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "http",
            Protocol::OpenaiChat => "openai-chat",
            Protocol::OpenaiEmbeddings => "openai-embeddings",
            Protocol::OpenaiTranscription => "openai-transcription",
            Protocol::AnthropicMessages => "anthropic-messages",
        }
    }

    /// Whether this is the plain `http` protocol (the default).
    pub fn is_http(&self) -> bool {
        *self == Protocol::Http
    }

    /// Whether the protocol needs `endpoint.model`.
    pub fn needs_model(self) -> bool {
        !self.is_http()
    }

    /// Whether responses can be streamed as server-sent events (`--stream`).
    pub fn streams(self) -> bool {
        matches!(self, Protocol::OpenaiChat | Protocol::AnthropicMessages)
    }
}

fn default_method() -> String {
    "POST".into()
}

fn default_timeout_ms() -> u64 {
    DEFAULT_TIMEOUT_MS
}

/// How to authenticate to the service: the secret is read from an environment
/// variable at call time and never stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    /// How the secret is sent (default `bearer`).
    #[serde(default)]
    pub scheme: AuthScheme,
    /// The name of the environment variable holding the secret (never the secret).
    pub env: String,
    /// Header name for `scheme: header`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
}

/// How a secret is sent to a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthScheme {
    /// `Authorization: Bearer <secret>` (the default).
    #[default]
    Bearer,
    /// `<header>: <secret>`.
    Header,
}

/// The JSON Schema (draft 2020-12) of a contract, generated from the same shape `contract
/// validate` checks.
pub fn schema() -> serde_json::Value {
    let mut schema = crate::shape::json_schema(
        &schema::CONTRACT,
        "urn:caio:schema:contract:v1",
        "caio service contract (caio/v1)",
        "A service contract for caio: capabilities, guarantees, cost, privacy, access and endpoint of one AI service.",
    );
    // The two conditional requirements `contract validate` checks as
    // meaning, stated for editors too: a provider protocol needs a model,
    // `scheme: header` needs the header's name.
    if let Some(endpoint) = schema
        .pointer_mut("/properties/endpoint")
        .and_then(serde_json::Value::as_object_mut)
    {
        endpoint.insert(
            "if".into(),
            serde_json::json!({
                "properties": { "protocol": { "not": { "const": "http" } } },
                "required": ["protocol"]
            }),
        );
        endpoint.insert("then".into(), serde_json::json!({ "required": ["model"] }));
    }
    if let Some(auth) = schema
        .pointer_mut("/properties/endpoint/properties/auth")
        .and_then(serde_json::Value::as_object_mut)
    {
        auth.insert(
            "if".into(),
            serde_json::json!({
                "properties": { "scheme": { "const": "header" } },
                "required": ["scheme"]
            }),
        );
        auth.insert("then".into(), serde_json::json!({ "required": ["header"] }));
    }
    schema
}

/// A valid chat contract for tests: `id`, internal, EU, with the given
/// declared accuracy.
#[cfg(test)]
pub(crate) fn for_tests(id: &str, accuracy: f64) -> ServiceContract {
    let text = format!(
        "apiVersion: caio/v1
service_id: {id}
name: {id}
version: 1.0.0
capabilities: [{{ type: chat }}]
guarantees: {{ latency_ms: {{ p50: 100, p95: 200, p99: 400 }}, availability: 0.999, accuracy: {accuracy} }}
cost: {{ currency: USD, per_request: 0.01, per_1k_input_tokens: 0, per_1k_output_tokens: 0 }}
privacy: {{ hosting: internal, regions: [eu], max_data_class: restricted }}
endpoint: {{ url: http://127.0.0.1:9/x }}
"
    );
    let file = validate::validate_text("c.yaml", &text);
    file.contract
        .unwrap_or_else(|| panic!("{:?}", file.report.problems))
}
