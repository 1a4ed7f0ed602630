//! What one execution attempt was, as traces record it and health folds it
//! (SPEC §8, §9): the data, free of the transport that produced it.

use crate::contract::Protocol;
use crate::provider::{FinishReason, ProviderError, Usage};
use serde::{Deserialize, Serialize};

/// The kinds of failure without a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// No connection: refused, unreachable, unknown host.
    Connect,
    /// The attempt's timeout (or the overall deadline) ran out.
    Timeout,
    /// The connection broke while talking (reset, closed early).
    Network,
    /// The TLS handshake or certificate check failed.
    Tls,
    /// The server spoke broken HTTP.
    Protocol,
    /// The request could not be built (bad URL or header).
    Request,
    /// The response body is larger than caio accepts.
    TooLarge,
}

impl ErrorClass {
    /// The class as the trace spells it: `connect`, `timeout`, …, `too_large`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Connect => "connect",
            ErrorClass::Timeout => "timeout",
            ErrorClass::Network => "network",
            ErrorClass::Tls => "tls",
            ErrorClass::Protocol => "protocol",
            ErrorClass::Request => "request",
            ErrorClass::TooLarge => "too_large",
        }
    }
}

/// How one attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptResult {
    /// A 2xx response.
    Success,
    /// Worth retrying: connect error, timeout, broken connection, 429, 5xx.
    Transient,
    /// The service refused the request (4xx other than 429): not retried,
    /// and not held against the service's health.
    Rejected,
    /// Not worth retrying on this service (TLS, protocol, redirect, too
    /// large): failed over.
    Failed,
}

/// What caio did after an attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Next {
    /// The response was used.
    Done,
    /// The same service again after a wait.
    Retry {
        /// The wait before the retry, in ms.
        after_ms: u64,
        /// Why the attempt was retried, for people.
        reason: String,
    },
    /// The next candidate in the decision's score order.
    Failover {
        /// The id of the service tried next.
        to: String,
        /// Why this service was given up, for people.
        reason: String,
    },
    /// Nothing more was tried.
    Stop {
        /// Why execution ended here, for people.
        reason: String,
    },
}

/// Observed latency above the contract's p99 (SPEC §8).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// The guarantee that was broken.
    pub guarantee: Guarantee,
    /// The contract's declared value, in ms.
    pub declared_ms: f64,
    /// The attempt's latency, in ms.
    pub observed_ms: f64,
}

/// Actual cost above the request's `requirements.max_cost` (SPEC §8).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CostViolation {
    /// The request's bound.
    pub max_cost: f64,
    /// What the attempt cost, from its usage and the contract's prices.
    pub cost: f64,
}

/// A declared guarantee an attempt can be measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Guarantee {
    /// `latency.p99_ms`: the contract's 99th-percentile latency.
    LatencyP99Ms,
}

/// One HTTP attempt, as the trace records it (SPEC §9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// The id of the service attempted.
    pub service_id: String,
    /// The contract version (semver) attempted.
    pub service_version: String,
    /// This service's attempt number: 1 to 3.
    pub attempt: u32,
    /// The HTTP status, when a response came back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The kind of failure, when none did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorClass>,
    /// The failure, for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// How the attempt ended.
    pub result: AttemptResult,
    /// When it started, in ms after execution began.
    pub started_ms: f64,
    /// How long it took, in ms.
    pub latency_ms: f64,
    /// Set when the latency exceeded the contract's p99.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guarantee_violation: Option<Violation>,
    /// A half-open probe of an open circuit (the panic guard).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub probe: bool,
    /// The protocol spoken (absent in records written before protocols).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    /// The model asked for: the contract's `endpoint.model`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Tokens used, as the provider reported them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// What the attempt cost, in the contract's currency: per_request +
    /// usage × prices (successful provider attempts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// Why the model stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<FinishReason>,
    /// Time to the first streamed text, in ms (`--stream`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttft_ms: Option<f64>,
    /// Bytes of text delivered before a stream ended (`--stream`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_bytes: Option<u64>,
    /// What the provider said went wrong (masked, escaped, truncated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_error: Option<ProviderError>,
    /// Set when the actual cost exceeded the request's `max_cost`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_violation: Option<CostViolation>,
    /// What caio did next.
    pub next: Next,
}

impl Attempt {
    /// Attempt `n` of a service, with nothing observed yet.
    pub fn new(service_id: &str, service_version: &str, n: u32) -> Attempt {
        Attempt {
            service_id: service_id.to_string(),
            service_version: service_version.to_string(),
            attempt: n,
            status: None,
            error: None,
            detail: None,
            result: AttemptResult::Failed,
            started_ms: 0.0,
            latency_ms: 0.0,
            guarantee_violation: None,
            probe: false,
            protocol: None,
            model: None,
            usage: None,
            cost: None,
            finish_reason: None,
            ttft_ms: None,
            delivered_bytes: None,
            provider_error: None,
            cost_violation: None,
            next: Next::Done,
        }
    }

    /// How many guarantees the attempt broke (latency p99, max_cost).
    pub fn violations(&self) -> u64 {
        u64::from(self.guarantee_violation.is_some()) + u64::from(self.cost_violation.is_some())
    }

    /// `503`, `timeout`, … for tables.
    pub fn outcome_label(&self) -> String {
        match (self.status, self.error) {
            (Some(s), _) => s.to_string(),
            (None, Some(e)) => e.as_str().to_string(),
            (None, None) => "-".to_string(),
        }
    }
}
