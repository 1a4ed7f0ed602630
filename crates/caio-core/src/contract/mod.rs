//! Service contracts (`apiVersion: caio/v1`): the typed model, its shape, the
//! validator and the `contract new` templates.
//!
//! A contract is read in two layers, both reporting spans: [`schema::CONTRACT`]
//! checks syntax and types, [`validate`] checks meaning. Only a file that passes
//! both becomes a [`ServiceContract`].

pub mod schema;
pub mod templates;
pub mod validate;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use validate::{ContractFile, ValidationRun, validate_documents, validate_text};

/// The only contract format this binary understands.
pub const API_VERSION: &str = "caio/v1";

/// One AI service as its operator describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceContract {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub service_id: String,
    pub name: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub capabilities: Vec<Capability>,
    pub guarantees: Guarantees,
    pub cost: Cost,
    pub privacy: Privacy,
    #[serde(default)]
    pub access: Access,
    pub endpoint: Endpoint,
    #[serde(default)]
    pub risk: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capability {
    #[serde(rename = "type")]
    pub kind: String,
    /// Accepted input modalities; `None` accepts any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Vec<Modality>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Vec<Modality>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_input_tokens: Option<u64>,
    /// ISO 639-1 codes; `None` accepts any language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    Text,
    Image,
    Audio,
    Video,
    Embedding,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guarantees {
    pub latency_ms: Latency,
    pub availability: f64,
    /// Operator-measured quality score in [0, 1], if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Latency {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    pub currency: String,
    pub per_request: f64,
    pub per_1k_input_tokens: f64,
    pub per_1k_output_tokens: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Privacy {
    pub hosting: Hosting,
    pub regions: Vec<String>,
    pub max_data_class: DataClass,
    #[serde(default)]
    pub pii_allowed: bool,
    #[serde(default)]
    pub retention_days: u64,
    #[serde(default)]
    pub trains_on_customer_data: bool,
}

/// Where a service runs, from most to least private.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hosting {
    OnPrem,
    Internal,
    External,
}

/// Sensitivity of data, ordered `public < internal < confidential < restricted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataClass {
    Public,
    Internal,
    Confidential,
    Restricted,
}

/// Verified trust of a caller, ordered `low < medium < high`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum Trust {
    #[default]
    Low,
    Medium,
    High,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Access {
    #[serde(default)]
    pub min_trust: Trust,
    /// Roles allowed to use the service; `None` allows any role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<String>>,
    /// Tenants allowed to use the service; `None` allows any tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenants: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub url: String,
    #[serde(default = "default_method")]
    pub method: String,
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<Auth>,
    /// Extra literal headers (never secrets; those come from `auth.env`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
}

pub(crate) const DEFAULT_TIMEOUT_MS: u64 = 30_000;

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
    pub scheme: AuthScheme,
    pub env: String,
    /// Header name for `scheme: header`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthScheme {
    /// `Authorization: Bearer <secret>`.
    Bearer,
    /// `<header>: <secret>`.
    Header,
}

/// The JSON Schema (draft 2020-12) of a contract, generated from [`schema::CONTRACT`].
pub fn schema() -> serde_json::Value {
    crate::shape::json_schema(
        &schema::CONTRACT,
        "urn:caio:schema:contract:v1",
        "caio service contract (caio/v1)",
        "A service contract for caio: capabilities, guarantees, cost, privacy, access and endpoint of one AI service.",
    )
}
