//! The retry policy (SPEC §8), pure: which outcomes are transient, how long
//! to wait before the next attempt, and what `Retry-After` asks for.
//!
//! - transient: connect errors, timeouts, a connection broken mid-exchange,
//!   HTTP 429 and 5xx — retried on the same service;
//! - rejected: any other 4xx — the request itself is refused, so it is not
//!   retried (the next candidate may accept it);
//! - failed: TLS, protocol, redirects, an oversized body — not retried.
//!
//! Backoff is exponential with "equal jitter": before retry `n` (1, 2, …)
//! caio waits `d/2 + U·d/2` with `d = min(100 ms · 2^(n−1), 2 s)` and `U`
//! uniform in [0, 1) drawn from a ChaCha20 RNG seeded with the request's
//! seed (stream 1, apart from the tie-break's stream 0): the same request
//! retries on the same schedule. `Retry-After` (seconds or an HTTP date)
//! replaces the backoff when it asks for at most 10 s; a longer wait is
//! not honoured on this service: caio fails over instead.

use super::{AttemptResult, ErrorClass, Failure, Response};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::Rng;
use std::time::Duration;

/// At most this many attempts per candidate.
pub const MAX_ATTEMPTS_PER_CANDIDATE: u32 = 3;
/// At most this many candidates per request.
pub const MAX_CANDIDATES: usize = 3;
/// The first backoff step.
pub const BASE_BACKOFF: Duration = Duration::from_millis(100);
/// The largest backoff step (before jitter halves part of it).
pub const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// The longest `Retry-After` caio waits for.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(10);

/// How an attempt's outcome is judged, with the reason in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub result: AttemptResult,
    pub reason: String,
}

/// Judges one attempt's outcome.
pub fn classify(outcome: &Result<Response, Failure>) -> Classification {
    let v = |result, reason: String| Classification { result, reason };
    match outcome {
        Ok(r) if (200..300).contains(&r.status) => {
            v(AttemptResult::Success, format!("HTTP {}", r.status))
        }
        Ok(r) if r.status == 429 => v(AttemptResult::Transient, "HTTP 429 (rate limited)".into()),
        Ok(r) if r.status >= 500 => v(AttemptResult::Transient, format!("HTTP {}", r.status)),
        Ok(r) if (400..500).contains(&r.status) => v(
            AttemptResult::Rejected,
            format!("HTTP {} is not retried", r.status),
        ),
        Ok(r) => v(
            AttemptResult::Failed,
            format!("HTTP {} (caio does not follow redirects)", r.status),
        ),
        Err(f) => match f.class {
            ErrorClass::Connect | ErrorClass::Timeout | ErrorClass::Network => v(
                AttemptResult::Transient,
                format!("{} error: {}", f.class.as_str(), f.detail),
            ),
            ErrorClass::Tls | ErrorClass::Protocol | ErrorClass::Request | ErrorClass::TooLarge => {
                v(
                    AttemptResult::Failed,
                    format!("{} error: {}", f.class.as_str(), f.detail),
                )
            }
        },
    }
}

/// The RNG of one request's backoff jitter.
pub fn rng(seed: u64) -> ChaCha20Rng {
    let mut rng = caio_core::routing::tiebreak::rng(seed);
    rng.set_stream(1);
    rng
}

/// The wait before retry `n` (1-based): equal jitter over the exponential step.
pub fn backoff(n: u32, rng: &mut ChaCha20Rng) -> Duration {
    let step = BASE_BACKOFF
        .saturating_mul(1u32 << n.saturating_sub(1).min(16))
        .min(MAX_BACKOFF);
    let half = step / 2;
    // 53 random bits: a uniform fraction in [0, 1).
    let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    half + half.mul_f64(u)
}

/// What `Retry-After` asks for, relative to `now`: `None` when absent or
/// unreadable (then the backoff applies).
pub fn retry_after(value: &str, now: jiff::Timestamp) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(value)
        .ok()?;
    let wait = at.duration_since(now);
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

/// The wait before retry `n` of a transient outcome, or why the service
/// gets no more retries.
pub fn wait(
    n: u32,
    response: Option<&Response>,
    now: jiff::Timestamp,
    rng: &mut ChaCha20Rng,
) -> Result<Duration, String> {
    if n >= MAX_ATTEMPTS_PER_CANDIDATE {
        return Err(format!(
            "{MAX_ATTEMPTS_PER_CANDIDATE} attempts failed with transient errors"
        ));
    }
    // Draw even when Retry-After decides, so that the schedule of later
    // retries does not depend on which responses carried the header.
    let backoff = backoff(n, rng);
    match response.and_then(|r| r.retry_after.as_deref()) {
        Some(header) => match retry_after(header, now) {
            Some(d) if d > MAX_RETRY_AFTER => Err(format!(
                "Retry-After asks for {} s, more than the {} s caio waits",
                d.as_secs(),
                MAX_RETRY_AFTER.as_secs()
            )),
            Some(d) => Ok(d),
            None => Ok(backoff),
        },
        None => Ok(backoff),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, retry_after: Option<&str>) -> Response {
        Response {
            status,
            retry_after: retry_after.map(str::to_string),
            content_type: None,
            body: Vec::new(),
        }
    }

    fn result(outcome: Result<Response, Failure>) -> AttemptResult {
        classify(&outcome).result
    }

    #[test]
    fn transient_rejected_and_failed_follow_the_spec() {
        for status in [200, 201, 204, 299] {
            assert_eq!(result(Ok(response(status, None))), AttemptResult::Success);
        }
        for status in [429, 500, 502, 503, 504, 599] {
            assert_eq!(
                result(Ok(response(status, None))),
                AttemptResult::Transient,
                "{status}"
            );
        }
        for status in [400, 401, 403, 404, 409, 422, 499] {
            assert_eq!(
                result(Ok(response(status, None))),
                AttemptResult::Rejected,
                "{status}"
            );
        }
        for status in [100, 301, 302, 307, 308] {
            assert_eq!(result(Ok(response(status, None))), AttemptResult::Failed);
        }
        for class in [
            ErrorClass::Connect,
            ErrorClass::Timeout,
            ErrorClass::Network,
        ] {
            assert_eq!(
                result(Err(Failure::new(class, "x"))),
                AttemptResult::Transient
            );
        }
        for class in [
            ErrorClass::Tls,
            ErrorClass::Protocol,
            ErrorClass::Request,
            ErrorClass::TooLarge,
        ] {
            assert_eq!(result(Err(Failure::new(class, "x"))), AttemptResult::Failed);
        }
    }

    #[test]
    fn backoff_grows_is_bounded_and_jittered_within_its_step() {
        let mut r = rng(7);
        for n in 1..=40 {
            let step = (BASE_BACKOFF * 2u32.pow((n - 1).min(10))).min(MAX_BACKOFF);
            let d = backoff(n, &mut r);
            assert!(
                d >= step / 2 && d <= step,
                "retry {n}: {d:?} vs step {step:?}"
            );
        }
        // Retry 1 waits 50–100 ms; the step caps at 2 s from retry 6 on.
        let d = backoff(1, &mut rng(0));
        assert!(d >= Duration::from_millis(50) && d <= Duration::from_millis(100));
        let d = backoff(u32::MAX, &mut rng(0));
        assert!(d >= Duration::from_secs(1) && d <= MAX_BACKOFF);
    }

    #[test]
    fn the_jitter_is_reproducible_from_the_seed_and_varies_with_it() {
        let schedule = |seed| -> Vec<Duration> {
            let mut r = rng(seed);
            (1..=5).map(|n| backoff(n, &mut r)).collect()
        };
        assert_eq!(schedule(42), schedule(42));
        assert_ne!(schedule(42), schedule(43));
        // Apart from the tie-break's stream.
        let mut tie = caio_core::routing::tiebreak::rng(42);
        let mut jitter = rng(42);
        assert_ne!(tie.next_u64(), jitter.next_u64());
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now: jiff::Timestamp = "2026-11-21T12:00:00Z".parse().unwrap();
        assert_eq!(retry_after("1", now), Some(Duration::from_secs(1)));
        assert_eq!(retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            retry_after("Sat, 21 Nov 2026 12:00:05 GMT", now),
            Some(Duration::from_secs(5))
        );
        // A date in the past: no wait.
        assert_eq!(
            retry_after("Sat, 21 Nov 2026 11:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("-3", now), None);
    }

    #[test]
    fn wait_honours_retry_after_up_to_the_cap_and_stops_after_three() {
        let now: jiff::Timestamp = "2026-11-21T12:00:00Z".parse().unwrap();
        let mut r = rng(0);
        let ok = response(429, Some("1"));
        assert_eq!(wait(1, Some(&ok), now, &mut r), Ok(Duration::from_secs(1)));
        let long = response(429, Some("60"));
        let err = wait(1, Some(&long), now, &mut r).unwrap_err();
        assert!(err.contains("60 s"), "{err}");
        let garbled = response(503, Some("later"));
        let d = wait(2, Some(&garbled), now, &mut r).unwrap();
        assert!(d >= Duration::from_millis(100) && d <= Duration::from_millis(200));
        assert!(wait(MAX_ATTEMPTS_PER_CANDIDATE, None, now, &mut r).is_err());
    }
}
