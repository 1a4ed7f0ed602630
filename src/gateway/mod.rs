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

pub mod execute;
pub mod http;
pub mod retry;

pub use caio_core::attempt::{Attempt, AttemptResult, ErrorClass, Guarantee, Next, Violation};
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

/// Milliseconds with microsecond precision: short in records, finite.
pub fn millis(d: Duration) -> f64 {
    d.as_micros() as f64 / 1000.0
}
