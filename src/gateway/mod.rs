//! Execution of a routed request (SPEC §8): `caio route --execute`.
//!
//! - [`execute`] turns a decision into a [`Plan`] (targets in the
//!   decision's score order, auth headers from the environment, checked
//!   before any network call) and runs it: retries, failover, one deadline;
//! - [`retry`] is the pure retry policy: what is transient, the backoff
//!   with seeded jitter, `Retry-After`;
//! - [`circuit`] is the pure circuit-breaker state machine;
//! - [`health`] folds attempts into per-service stats (EWMA, latency
//!   window, percentiles, guarantee violations) and projects them onto the
//!   routing core's `ServiceStats`;
//! - [`http`] is the one [`Transport`] that touches the network (ureq).
//!
//! Everything but [`http`] runs against the [`Transport`] and [`Clock`]
//! traits, so tests drive retries, deadlines and backoff without sockets or
//! real waiting.

pub mod circuit;
pub mod execute;
pub mod health;
pub mod http;
pub mod retry;

use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

pub use execute::{Execution, Plan, Target, execute, plan};

/// One request header. A secret value (an auth header) is wiped on drop
/// and never shown by `Debug`.
pub struct Header {
    pub name: String,
    value: zeroize::Zeroizing<String>,
    pub secret: bool,
}

impl Header {
    pub fn plain(name: &str, value: &str) -> Header {
        Header {
            name: name.to_string(),
            value: zeroize::Zeroizing::new(value.to_string()),
            secret: false,
        }
    }

    pub fn secret(name: &str, value: zeroize::Zeroizing<String>) -> Header {
        Header {
            name: name.to_string(),
            value,
            secret: true,
        }
    }

    pub fn value(&self) -> &str {
        &self.value
    }
}

impl std::fmt::Debug for Header {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value = if self.secret {
            "<secret>"
        } else {
            self.value.as_str()
        };
        write!(f, "{}: {value}", self.name)
    }
}

/// What a transport is asked to send.
#[derive(Debug)]
pub struct Call<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: &'a [Header],
    pub body: &'a [u8],
    /// For the whole exchange, body included.
    pub timeout: Duration,
}

/// An HTTP response, whatever its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub retry_after: Option<String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// Why no response came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub class: ErrorClass,
    /// What went wrong, for people (never a header value).
    pub detail: String,
}

impl Failure {
    pub fn new(class: ErrorClass, detail: impl Into<String>) -> Failure {
        Failure {
            class,
            detail: detail.into(),
        }
    }
}

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

/// Sends one call. Implementations: [`http::UreqTransport`], and scripted
/// ones in tests.
pub trait Transport {
    fn send(&self, call: &Call<'_>) -> Result<Response, Failure>;
}

/// Monotonic time since execution began, and waiting.
pub trait Clock {
    fn elapsed(&self) -> Duration;
    fn sleep(&self, d: Duration);
}

/// The real clock.
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    start: Instant,
}

impl SystemClock {
    pub fn start() -> SystemClock {
        SystemClock {
            start: Instant::now(),
        }
    }
}

impl Clock for SystemClock {
    fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
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
    Retry { after_ms: u64, reason: String },
    /// The next candidate in the decision's score order.
    Failover { to: String, reason: String },
    /// Nothing more was tried.
    Stop { reason: String },
}

/// Observed latency above the contract's p99 (SPEC §8).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    pub guarantee: Guarantee,
    pub declared_ms: f64,
    pub observed_ms: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Guarantee {
    LatencyP99Ms,
}

/// One HTTP attempt, as the trace records it (SPEC §9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    pub service_id: String,
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
    pub result: AttemptResult,
    /// When it started, in ms after execution began.
    pub started_ms: f64,
    /// How long it took, in ms.
    pub latency_ms: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guarantee_violation: Option<Violation>,
    /// A half-open probe of an open circuit (the panic guard).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub probe: bool,
    pub next: Next,
}

impl Attempt {
    /// `503`, `timeout`, … for tables.
    pub fn outcome_label(&self) -> String {
        match (self.status, self.error) {
            (Some(s), _) => s.to_string(),
            (None, Some(e)) => e.as_str().to_string(),
            (None, None) => "-".to_string(),
        }
    }
}

/// Milliseconds with microsecond precision: short in records, finite.
pub fn millis(d: Duration) -> f64 {
    d.as_micros() as f64 / 1000.0
}
