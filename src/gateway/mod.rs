//! Execution of a routed request (SPEC §8): `caio route --execute`.
//!
//! - [`execute`] turns a decision into a [`Plan`] (targets in the
//!   decision's score order, each with its protocol's body and headers and
//!   the auth header from the environment; candidates whose secret is
//!   missing are skipped) and runs it: retries, failover, one deadline,
//!   streaming;
//! - [`sse`] frames server-sent events, [`multipart`] builds upload bodies;
//! - [`retry`] is the pure retry policy: what is transient, the backoff
//!   with seeded jitter, `Retry-After`;
//! - [`circuit`] is the pure circuit-breaker state machine;
//! - [`health`] folds attempts into per-service stats (EWMA, latency
//!   window, percentiles, guarantee violations) and projects them onto the
//!   routing core's `ServiceStats`;
//! - [`http`] is the one [`Transport`] that touches the network (ureq).
//!
//! What bodies mean — the canonical payload, each protocol's request and
//! response, stream events, provider errors, cost — is decided by the pure
//! `caio_core::provider`; this module moves the bytes.
//!
//! Everything but [`http`] runs against the [`Transport`] and [`Clock`]
//! traits, so tests drive retries, deadlines and backoff without sockets or
//! real waiting.

pub mod execute;
pub mod http;
pub mod multipart;
pub mod retry;
pub mod sse;

pub use caio_core::attempt::{Attempt, AttemptResult, ErrorClass, Guarantee, Next, Violation};
use std::time::{Duration, Instant};

pub use execute::{Execution, Plan, Target, execute, plan};
pub use multipart::InputFile;

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

/// A response as a transport hands it over: the head, and the body to be
/// read (all at once, or event by event when streamed).
pub struct Reply {
    pub status: u16,
    pub retry_after: Option<String>,
    pub content_type: Option<String>,
    /// Read errors carry a [`Failure`] (see [`Failure::of_read`]).
    pub body: Box<dyn std::io::Read>,
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .finish_non_exhaustive()
    }
}

/// An HTTP response, whatever its status, with its whole body.
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

    /// The failure behind an error of a body reader: the transport's own
    /// when it attached one, else a broken connection (or a timeout).
    pub fn of_read(e: &std::io::Error) -> Failure {
        if let Some(f) = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<Failure>())
        {
            return f.clone();
        }
        let class = match e.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => ErrorClass::Timeout,
            _ => ErrorClass::Network,
        };
        Failure::new(class, e.to_string())
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} error: {}", self.class.as_str(), self.detail)
    }
}

impl std::error::Error for Failure {}

/// Sends one call and hands the response over once its head is in.
/// Implementations: [`http::UreqTransport`], and scripted ones in tests.
pub trait Transport {
    fn send(&self, call: &Call<'_>) -> Result<Reply, Failure>;
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
