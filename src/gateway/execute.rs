//! From a decision to a response (SPEC §8): [`plan`] picks the targets,
//! translates the payload for each one's protocol and reads their secrets
//! before any network call; [`execute`] runs the plan.
//!
//! The budget is bounded and deterministic: the targets are the chosen
//! service then the next-best eligible ones in the decision's score order,
//! each at most once (failover never loops), at most
//! [`MAX_CANDIDATES`](super::retry::MAX_CANDIDATES) of them, each tried at
//! most [`MAX_ATTEMPTS_PER_CANDIDATE`](super::retry::MAX_ATTEMPTS_PER_CANDIDATE)
//! times, all within one deadline: an attempt's timeout is its endpoint's
//! `timeout_ms` or what is left of the deadline, whichever is shorter, and
//! no wait runs past the deadline. A candidate whose secret is not set is
//! skipped (`secret-missing: VAR`), not fatal; so is a fallback whose
//! protocol cannot carry the payload.
//!
//! A streamed answer (`--stream`) goes to the sink event by event; once a
//! byte of it has been written, nothing is retried or failed over: a
//! stream that breaks then ends the execution, saying how much came.

use super::http::MAX_RESPONSE_BYTES;
use super::multipart::{self, InputFile};
use super::retry::{self, MAX_CANDIDATES};
use super::sse::SseReader;
use super::{
    Attempt, AttemptResult, Call, Clock, ErrorClass, Failure, Guarantee, Header, Next, Reply,
    Response, Transport, Violation, millis,
};
use crate::error::Error;
use caio_core::attempt::CostViolation;
use caio_core::contract::{AuthScheme, Cost, Protocol, ServiceContract};
use caio_core::provider::stream::{Stream, StreamError};
use caio_core::provider::translate::{self, Body, Hints};
use caio_core::provider::{self, Completion, Payload as Canonical, ProviderError};
use caio_core::routing::{Decision, Outcome};
use caio_core::trace::Skipped;
use std::ffi::OsString;
use std::io::Read;
use std::time::Duration;

/// The default of `--deadline-ms`.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);

/// The Anthropic API version sent unless `endpoint.headers` names another.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// One service to call, with the body its protocol wants.
#[derive(Debug)]
pub struct Target {
    pub service_id: String,
    pub service_version: String,
    pub protocol: Protocol,
    /// `endpoint.model`.
    pub model: Option<String>,
    pub method: String,
    pub url: String,
    pub headers: Vec<Header>,
    pub body: Vec<u8>,
    pub timeout: Duration,
    /// The contract's p99 latency: slower attempts violate the guarantee.
    pub p99_ms: f64,
    /// The contract's prices: a successful attempt's cost.
    pub prices: Cost,
    /// The panic guard's half-open probe.
    pub probe: bool,
}

/// What to send, as the request gave it.
#[derive(Debug, Clone, PartialEq)]
pub enum PayloadSource {
    /// No payload.
    None,
    /// The request's `payload` field.
    Json(serde_json::Value),
    /// A `--payload FILE`'s bytes.
    File(Vec<u8>),
}

impl PayloadSource {
    /// The bytes an `http` endpoint gets, with their media type.
    fn http_body(&self) -> (Vec<u8>, Option<&'static str>) {
        match self {
            PayloadSource::None => (Vec::new(), None),
            PayloadSource::Json(v) => (
                serde_json::to_vec(v).unwrap_or_default(),
                Some("application/json"),
            ),
            PayloadSource::File(bytes) => {
                let json = serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok();
                (
                    bytes.clone(),
                    Some(if json {
                        "application/json"
                    } else {
                        "application/octet-stream"
                    }),
                )
            }
        }
    }

    /// The canonical payload the provider protocols translate.
    fn canonical(&self) -> Result<Canonical, provider::payload::PayloadError> {
        match self {
            PayloadSource::None => Ok(Canonical::default()),
            PayloadSource::Json(v) => Canonical::parse(Some(v)),
            PayloadSource::File(bytes) => {
                let value: serde_json::Value =
                    serde_json::from_slice(bytes).map_err(|e| provider::payload::PayloadError {
                        path: "payload".into(),
                        message: format!("the --payload file is not JSON ({e})"),
                        help: "a provider protocol takes a canonical JSON payload".into(),
                    })?;
                Canonical::parse(Some(&value))
            }
        }
    }
}

/// Everything besides the decision that shapes what is sent.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub payload: &'a PayloadSource,
    /// `--input-file` (transcription).
    pub input_file: Option<&'a InputFile>,
    /// `input.expected_output_tokens` (0: not said).
    pub expected_output_tokens: u64,
    /// `input.language`.
    pub language: Option<&'a str>,
    /// `--stream`.
    pub stream: bool,
    /// `--raw`: a stream's bytes go to the sink as they came.
    pub raw: bool,
    /// `requirements.max_cost`.
    pub max_cost: Option<f64>,
    pub deadline: Duration,
    /// Wall time at the start (for `Retry-After` dates).
    pub started_at: jiff::Timestamp,
}

/// Everything one execution needs.
#[derive(Debug)]
pub struct Plan {
    pub targets: Vec<Target>,
    /// Candidates passed over, in score order, and why.
    pub skipped: Vec<Skipped>,
    /// For each of `skipped`, how many targets rank above it.
    pub skipped_before: Vec<usize>,
    pub deadline: Duration,
    /// Seeds the backoff jitter.
    pub seed: u64,
    /// Wall time at the start (for `Retry-After` dates).
    pub started_at: jiff::Timestamp,
    pub stream: bool,
    pub raw: bool,
    pub max_cost: Option<f64>,
}

impl Plan {
    /// The skipped candidates execution passed: those ranked above the
    /// last target it attempted (a fallback skipped below the service that
    /// answered was never needed), and all of them when every target
    /// failed (each would have been tried next).
    pub fn passed_over(&self, execution: &Execution) -> Vec<Skipped> {
        let reached = execution
            .attempts
            .iter()
            .filter_map(|a| {
                self.targets
                    .iter()
                    .position(|t| t.service_id == a.service_id)
            })
            .max();
        let exhausted =
            !execution.succeeded() && reached.is_some_and(|r| r + 1 == self.targets.len());
        self.skipped
            .iter()
            .zip(&self.skipped_before)
            .filter(|(_, before)| exhausted || reached.is_none_or(|r| **before <= r))
            .map(|(s, _)| s.clone())
            .collect()
    }
}

/// The targets of a routed single-step decision: each with its protocol's
/// body and headers and its auth header read from the environment (`env`).
/// A candidate whose variable is missing or unusable, or a fallback whose
/// protocol cannot carry the payload, is skipped with the reason; a
/// payload the *chosen* service cannot carry is an error. The plan may end
/// up with no target at all: the caller says so (exit 4).
pub fn plan(
    decision: &Decision,
    contract: &dyn Fn(&str) -> Result<ServiceContract, Error>,
    inputs: &Inputs<'_>,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Result<Plan, Error> {
    let unsupported = |reason: &str| Error::ExecutionUnsupported {
        reason: reason.to_string(),
    };
    if decision.outcome != Outcome::Routed {
        return Err(unsupported("the request was not routed"));
    }
    let (Some(chosen), [step]) = (decision.chosen.first(), decision.steps.as_slice()) else {
        return Err(unsupported(
            "a chain cannot be executed: route --execute sends one request to one service",
        ));
    };
    let mut ids: Vec<(&str, bool)> = vec![(chosen.service_id.as_str(), chosen.probe)];
    if !chosen.probe {
        for c in step.eligible() {
            if ids.iter().all(|(id, _)| *id != &*c.service_id) {
                ids.push((&*c.service_id, false));
            }
        }
    }
    let canonical = std::cell::OnceCell::new();
    let mut targets = Vec::new();
    let mut skipped = Vec::new();
    let mut skipped_before = Vec::new();
    for (i, (id, probe)) in ids.into_iter().enumerate() {
        if targets.len() >= MAX_CANDIDATES {
            break;
        }
        let c = contract(id)?;
        let skip = |reason: String, variable: Option<&str>| Skipped {
            service_id: c.service_id.clone(),
            service_version: c.version.clone(),
            reason,
            variable: variable.map(str::to_string),
        };
        let before = targets.len();
        let (body, content_type) = match request_body(&c, inputs, &canonical) {
            Ok(b) => b,
            Err(e) if i == 0 => return Err(e.chosen(&c)),
            Err(e) => {
                skipped.push(skip(e.skip_reason(c.endpoint.protocol), None));
                skipped_before.push(before);
                continue;
            }
        };
        match target(&c, probe, body, content_type, inputs.stream, env) {
            Ok(t) => targets.push(t),
            Err(Error::MissingSecret { variable, .. }) => {
                skipped.push(skip(format!("secret-missing: {variable}"), Some(&variable)));
                skipped_before.push(before);
            }
            Err(Error::UnusableSecret { variable, why, .. }) => {
                skipped.push(skip(
                    format!("secret-unusable: {variable} ({why})"),
                    Some(&variable),
                ));
                skipped_before.push(before);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Plan {
        targets,
        skipped,
        skipped_before,
        deadline: inputs.deadline,
        seed: decision.seed,
        started_at: inputs.started_at,
        stream: inputs.stream,
        raw: inputs.raw,
        max_cost: inputs.max_cost,
    })
}

/// Why a service's protocol cannot get a body.
enum BodyError {
    /// The protocol cannot carry the payload (or the file, or a stream).
    Unsupported(String),
    /// The payload is not canonical.
    Invalid(provider::payload::PayloadError),
}

impl BodyError {
    /// The error of the chosen service.
    fn chosen(self, c: &ServiceContract) -> Error {
        match self {
            BodyError::Unsupported(reason) => Error::PayloadUnsupported {
                service_id: c.service_id.clone(),
                protocol: c.endpoint.protocol.as_str(),
                reason,
            },
            BodyError::Invalid(e) => Error::PayloadInvalid {
                path: e.path,
                message: e.message,
                help: e.help,
            },
        }
    }

    /// Why a fallback is skipped.
    fn skip_reason(&self, protocol: Protocol) -> String {
        match self {
            BodyError::Unsupported(reason) => {
                format!("payload-unsupported: {}: {reason}", protocol.as_str())
            }
            BodyError::Invalid(e) => format!(
                "payload-unsupported: {}: the payload is not canonical: {e}",
                protocol.as_str()
            ),
        }
    }
}

/// The body a service's protocol wants, with its media type.
fn request_body(
    c: &ServiceContract,
    inputs: &Inputs<'_>,
    canonical: &std::cell::OnceCell<Result<Canonical, provider::payload::PayloadError>>,
) -> Result<(Vec<u8>, Option<String>), BodyError> {
    let protocol = c.endpoint.protocol;
    let cannot = |reason: String| BodyError::Unsupported(reason);
    if inputs.stream && !protocol.streams() {
        return Err(cannot(format!(
            "--stream reads server-sent events, which only openai-chat and anthropic-messages send ({} does not)",
            protocol.as_str()
        )));
    }
    if protocol.is_http() {
        if inputs.input_file.is_some() {
            return Err(cannot(
                "--input-file is uploaded to openai-transcription services only; send a file to an http endpoint with --payload FILE".into(),
            ));
        }
        let (bytes, content_type) = inputs.payload.http_body();
        return Ok((bytes, content_type.map(str::to_string)));
    }
    let payload = match canonical.get_or_init(|| inputs.payload.canonical()) {
        Ok(p) => p,
        Err(e) => return Err(BodyError::Invalid(e.clone())),
    };
    let model = c.endpoint.model.as_deref().unwrap_or_default();
    let hints = Hints {
        expected_output_tokens: inputs.expected_output_tokens,
        language: inputs.language,
        stream: inputs.stream,
    };
    let body = translate::body(protocol, model, payload, hints).map_err(|e| cannot(e.reason))?;
    match body {
        Body::Json(value) => {
            if inputs.input_file.is_some() {
                return Err(cannot(
                    "--input-file is uploaded to openai-transcription services only".into(),
                ));
            }
            Ok((
                serde_json::to_vec(&value).unwrap_or_default(),
                Some("application/json".into()),
            ))
        }
        Body::Form(fields) => {
            let file = inputs.input_file.ok_or_else(|| {
                cannot("a transcription needs the audio: pass --input-file FILE".into())
            })?;
            let (bytes, content_type) = multipart::form(&fields, "file", file);
            Ok((bytes, Some(content_type)))
        }
    }
}

fn target(
    c: &ServiceContract,
    probe: bool,
    body: Vec<u8>,
    content_type: Option<String>,
    stream: bool,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Result<Target, Error> {
    let e = &c.endpoint;
    let mut headers: Vec<Header> = e.headers.iter().map(|(k, v)| Header::plain(k, v)).collect();
    let has =
        |headers: &[Header], name: &str| headers.iter().any(|h| h.name.eq_ignore_ascii_case(name));
    if let Some(content_type) = content_type
        && !body.is_empty()
        && !has(&headers, "content-type")
    {
        headers.push(Header::plain("content-type", &content_type));
    }
    if e.protocol == Protocol::AnthropicMessages && !has(&headers, "anthropic-version") {
        headers.push(Header::plain("anthropic-version", ANTHROPIC_VERSION));
    }
    if stream && !has(&headers, "accept") {
        headers.push(Header::plain("accept", "text/event-stream"));
    }
    if let Some(auth) = &e.auth {
        let secret = secret(&auth.env, &c.service_id, env)?;
        let header = match auth.scheme {
            AuthScheme::Bearer => Header::secret(
                "authorization",
                zeroize::Zeroizing::new(format!("Bearer {}", secret.as_str())),
            ),
            AuthScheme::Header => {
                let name = auth.header.as_deref().ok_or_else(|| Error::EndpointUnusable {
                    service_id: c.service_id.clone(),
                    reason: "`endpoint.auth.scheme: header` needs `endpoint.auth.header`, the header's name".into(),
                })?;
                Header::secret(name, secret)
            }
        };
        headers.retain(|h| !h.name.eq_ignore_ascii_case(&header.name));
        headers.push(header);
    }
    Ok(Target {
        service_id: c.service_id.clone(),
        service_version: c.version.clone(),
        protocol: e.protocol,
        model: e.model.clone(),
        method: e.method.clone(),
        url: e.url.clone(),
        headers,
        body,
        timeout: Duration::from_millis(e.timeout_ms.max(1)),
        p99_ms: c.guarantees.latency_ms.p99,
        prices: c.cost.clone(),
        probe,
    })
}

/// The value of the environment variable `name`, usable as a header value.
fn secret(
    name: &str,
    service_id: &str,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Result<zeroize::Zeroizing<String>, Error> {
    let missing = || Error::MissingSecret {
        variable: name.to_string(),
        service_id: service_id.to_string(),
    };
    let unusable = |why: &str| Error::UnusableSecret {
        variable: name.to_string(),
        service_id: service_id.to_string(),
        why: why.to_string(),
    };
    let value = env(name).ok_or_else(missing)?;
    let value = zeroize::Zeroizing::new(
        value
            .into_string()
            .map_err(|_| unusable("it is not valid UTF-8"))?,
    );
    // Set but empty (`FOO=`) is not "not set": say what is wrong with it.
    if value.is_empty() {
        return Err(unusable("it is set but empty"));
    }
    if !value
        .bytes()
        .all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
    {
        return Err(unusable(
            "it holds characters an HTTP header cannot carry (control characters, line breaks or non-ASCII)",
        ));
    }
    Ok(value)
}

/// The answer that was used.
#[derive(Debug)]
pub struct Success {
    pub service_id: String,
    pub service_version: String,
    pub protocol: Protocol,
    /// The contract's `endpoint.model`.
    pub model: Option<String>,
    /// The response (its body is empty when it was streamed).
    pub response: Response,
    /// The normalised answer (provider protocols).
    pub completion: Option<Completion>,
    /// What it cost, in the contract's currency.
    pub cost: f64,
    pub currency: String,
    pub latency_ms: f64,
    /// Time to the first streamed text.
    pub ttft_ms: Option<f64>,
}

/// The outcome of a plan.
#[derive(Debug)]
pub struct Execution {
    pub attempts: Vec<Attempt>,
    /// The answer used, when a service succeeded.
    pub success: Option<Success>,
    /// Why execution gave up, when it did.
    pub failure: Option<String>,
    /// Bytes written to the sink (a stream).
    pub delivered: u64,
}

impl Execution {
    pub fn succeeded(&self) -> bool {
        self.success.is_some()
    }
}

/// Where a streamed answer goes as it arrives.
pub type Sink<'a> = &'a mut dyn FnMut(&[u8]) -> std::io::Result<()>;

/// What one attempt got.
enum Got {
    /// A whole response, whatever its status.
    Whole(Response),
    /// A complete streamed answer.
    Streamed(Completion),
    /// No response, or one that broke while it was read or streamed.
    Broken {
        failure: Failure,
        provider_error: Option<ProviderError>,
        /// The stream held something other than the protocol's events.
        malformed: bool,
    },
    /// The answer could not be written out.
    Unwritable(std::io::Error),
}

/// Streaming bookkeeping of one attempt.
struct Progress {
    started: Duration,
    ttft: Option<Duration>,
    delivered: u64,
}

/// Runs the plan: attempts, retries with backoff, failover, one deadline;
/// a streamed answer goes to `sink` as it arrives.
pub fn execute(
    plan: &Plan,
    transport: &dyn Transport,
    clock: &dyn Clock,
    sink: Sink<'_>,
) -> Execution {
    let mut rng = retry::rng(plan.seed);
    let mut attempts: Vec<Attempt> = Vec::new();
    let mut delivered_total = 0;
    let deadline = plan.deadline;
    let deadline_reason = || format!("the deadline of {} ms was reached", deadline.as_millis());
    // A provider may echo a key back in any shape: what the targets send
    // as secrets never reaches an attempt, a reason or the failure.
    let secrets: Vec<&str> = plan
        .targets
        .iter()
        .flat_map(|t| t.headers.iter().filter(|h| h.secret))
        .flat_map(|h| {
            let value = h.value();
            [Some(value), value.strip_prefix("Bearer ")]
        })
        .flatten()
        .collect();
    let done = |attempts: Vec<Attempt>, success, failure: Option<String>, delivered| Execution {
        attempts: attempts.into_iter().map(|a| scrub(a, &secrets)).collect(),
        success,
        failure: failure.map(|f| provider::error::mask_values(&f, &secrets)),
        delivered,
    };
    for (ti, target) in plan.targets.iter().enumerate() {
        let mut n = 0;
        // Why this target is abandoned (for the last attempt's `next`).
        let gave_up: String = loop {
            let started = clock.elapsed();
            let Some(left) = deadline.checked_sub(started).filter(|d| !d.is_zero()) else {
                break deadline_reason();
            };
            n += 1;
            let timeout = target.timeout.min(left);
            let mut progress = Progress {
                started,
                ttft: None,
                delivered: 0,
            };
            let got = match transport.send(&Call {
                method: &target.method,
                url: &target.url,
                headers: &target.headers,
                body: &target.body,
                timeout,
            }) {
                Ok(reply) => receive(plan, target, reply, clock, &mut progress, &mut *sink),
                Err(failure) => Got::Broken {
                    failure,
                    provider_error: None,
                    malformed: false,
                },
            };
            let latency = clock.elapsed().saturating_sub(started);
            let latency_ms = millis(latency);
            delivered_total += progress.delivered;
            let mut attempt = Attempt {
                started_ms: millis(started),
                latency_ms,
                guarantee_violation: (latency_ms > target.p99_ms).then_some(Violation {
                    guarantee: Guarantee::LatencyP99Ms,
                    declared_ms: target.p99_ms,
                    observed_ms: latency_ms,
                }),
                probe: target.probe,
                protocol: Some(target.protocol),
                model: target.model.clone(),
                ttft_ms: progress.ttft.map(|t| millis(t.saturating_sub(started))),
                delivered_bytes: plan.stream.then_some(progress.delivered),
                ..Attempt::new(&target.service_id, &target.service_version, n)
            };
            // The verdict: the transport's outcome, then the protocol's.
            let (outcome, completion) = match got {
                Got::Whole(response) => {
                    attempt.status = Some(response.status);
                    if !(200..300).contains(&response.status) {
                        attempt.provider_error = provider::error::from_body(&response.body);
                        (Ok(response), None)
                    } else if target.protocol.is_http() {
                        (Ok(response), None)
                    } else {
                        match provider::response::parse(target.protocol, &response.body) {
                            Ok(c) => {
                                if plan.stream && !plan.raw {
                                    // A server that ignored `stream`: the whole text at once.
                                    if let Some(text) = c.text.as_deref().filter(|t| !t.is_empty())
                                    {
                                        if let Err(e) = sink(text.as_bytes()) {
                                            attempt.result = AttemptResult::Failed;
                                            attempt.detail = Some(e.to_string());
                                            attempts.push(attempt);
                                            return done(
                                                attempts,
                                                None,
                                                Some(format!("cannot write the answer: {e}")),
                                                delivered_total,
                                            );
                                        }
                                        delivered_total += text.len() as u64;
                                        attempt.delivered_bytes = Some(text.len() as u64);
                                    }
                                }
                                (Ok(response), Some(c))
                            }
                            Err(why) => {
                                attempt.result = AttemptResult::Failed;
                                let reason = format!(
                                    "the response is not a valid {} answer: {why}",
                                    target.protocol.as_str()
                                );
                                attempt.detail = Some(reason.clone());
                                attempts.push(attempt);
                                break reason;
                            }
                        }
                    }
                }
                Got::Streamed(c) => {
                    attempt.status = Some(200);
                    let response = Response {
                        status: 200,
                        retry_after: None,
                        content_type: Some("text/event-stream".into()),
                        body: Vec::new(),
                    };
                    (Ok(response), Some(c))
                }
                Got::Broken {
                    failure,
                    provider_error,
                    malformed,
                } => {
                    attempt.provider_error = provider_error;
                    if progress.delivered > 0 || malformed {
                        // Part of the answer is out (or the stream is not
                        // the protocol's): neither retried nor failed over.
                        attempt.status = Some(200);
                        attempt.error = Some(failure.class);
                        attempt.detail = Some(failure.detail.clone());
                        attempt.result = if malformed {
                            AttemptResult::Failed
                        } else {
                            AttemptResult::Transient
                        };
                        if progress.delivered > 0 {
                            let reason = format!(
                                "the stream broke after {} byte{} of the answer had been written: {}",
                                progress.delivered,
                                if progress.delivered == 1 { "" } else { "s" },
                                failure.detail
                            );
                            attempt.next = Next::Stop {
                                reason: reason.clone(),
                            };
                            attempts.push(attempt);
                            return done(attempts, None, Some(reason), delivered_total);
                        }
                        attempts.push(attempt);
                        break failure.detail;
                    }
                    (Err(failure), None)
                }
                Got::Unwritable(e) => {
                    attempt.status = Some(200);
                    attempt.result = AttemptResult::Failed;
                    let reason = format!("cannot write the answer: {e}");
                    attempt.detail = Some(reason.clone());
                    attempt.next = Next::Stop {
                        reason: reason.clone(),
                    };
                    attempts.push(attempt);
                    return done(attempts, None, Some(reason), delivered_total);
                }
            };
            let verdict = retry::classify(&outcome);
            attempt.result = verdict.result;
            attempt.error = outcome.as_ref().err().map(|f| f.class);
            attempt.detail = outcome.as_ref().err().map(|f| f.detail.clone());
            let reason = match &attempt.provider_error {
                Some(e) => format!("{}: {e}", verdict.reason),
                None => verdict.reason.clone(),
            };
            let outcome = match outcome {
                Ok(response) if verdict.result == AttemptResult::Success => {
                    let cost = provider::cost(
                        &target.prices,
                        completion.as_ref().and_then(|c| c.usage.as_ref()),
                    );
                    attempt.usage = completion.as_ref().and_then(|c| c.usage);
                    attempt.finish_reason = completion.as_ref().and_then(|c| c.finish_reason);
                    attempt.cost = Some(cost);
                    attempt.cost_violation = plan
                        .max_cost
                        .filter(|max| cost > *max)
                        .map(|max_cost| CostViolation { max_cost, cost });
                    let success = Success {
                        service_id: target.service_id.clone(),
                        service_version: target.service_version.clone(),
                        protocol: target.protocol,
                        model: target.model.clone(),
                        response,
                        completion,
                        cost,
                        currency: target.prices.currency.clone(),
                        latency_ms,
                        ttft_ms: attempt.ttft_ms,
                    };
                    attempts.push(attempt);
                    return done(attempts, Some(success), None, delivered_total);
                }
                other => other,
            };
            let timed_out_on_deadline = matches!(
                outcome,
                Err(Failure {
                    class: ErrorClass::Timeout,
                    ..
                })
            ) && timeout < target.timeout;
            if timed_out_on_deadline {
                attempts.push(attempt);
                break deadline_reason();
            }
            if verdict.result != AttemptResult::Transient {
                attempts.push(attempt);
                break reason;
            }
            if target.probe {
                attempts.push(attempt);
                break format!("{reason}; a half-open probe gets one attempt");
            }
            let now = plan
                .started_at
                .checked_add(clock.elapsed())
                .unwrap_or(plan.started_at);
            match retry::wait(n, outcome.as_ref().ok(), now, &mut rng) {
                Ok(wait) if clock.elapsed() + wait < deadline => {
                    attempt.next = Next::Retry {
                        after_ms: wait.as_millis() as u64,
                        reason,
                    };
                    attempts.push(attempt);
                    clock.sleep(wait);
                }
                Ok(_) => {
                    attempts.push(attempt);
                    break format!(
                        "{reason}; the wait before a retry would pass the deadline of {} ms",
                        deadline.as_millis()
                    );
                }
                Err(why) => {
                    attempts.push(attempt);
                    break format!("{reason}; {why}");
                }
            }
        };
        let time_left = clock.elapsed() < deadline;
        let next = match plan.targets.get(ti + 1) {
            Some(next) if time_left => Next::Failover {
                to: next.service_id.clone(),
                reason: gave_up.clone(),
            },
            _ => Next::Stop {
                reason: gave_up.clone(),
            },
        };
        match attempts.last_mut() {
            Some(last) if last.service_id == target.service_id => last.next = next,
            _ => {}
        }
        if !time_left {
            return done(attempts, None, Some(deadline_reason()), delivered_total);
        }
    }
    let tried = plan.targets.len();
    let failure = format!(
        "every candidate failed ({} attempt{} on {tried} service{})",
        attempts.len(),
        if attempts.len() == 1 { "" } else { "s" },
        if tried == 1 { "" } else { "s" },
    );
    done(attempts, None, Some(failure), delivered_total)
}

/// `attempt` with every secret value masked wherever text can carry it.
fn scrub(mut attempt: Attempt, secrets: &[&str]) -> Attempt {
    let mask = |text: &mut String| *text = provider::error::mask_values(text, secrets);
    if let Some(detail) = attempt.detail.as_mut() {
        mask(detail);
    }
    attempt.provider_error = attempt.provider_error.map(|e| e.masking(secrets));
    match &mut attempt.next {
        Next::Retry { reason, .. } | Next::Failover { reason, .. } | Next::Stop { reason } => {
            mask(reason);
        }
        Next::Done => {}
    }
    attempt
}

/// Reads what came back: the whole body, or, for a 2xx answer to a
/// streamed request, the events one by one into the sink.
fn receive(
    plan: &Plan,
    target: &Target,
    mut reply: Reply,
    clock: &dyn Clock,
    progress: &mut Progress,
    sink: Sink<'_>,
) -> Got {
    let event_stream = reply
        .content_type
        .as_deref()
        .is_some_and(|t| t.trim_start().starts_with("text/event-stream"));
    let ok = (200..300).contains(&reply.status);
    if !(ok && plan.stream && event_stream) {
        return match read_all(&mut reply.body) {
            Ok(body) => Got::Whole(Response {
                status: reply.status,
                retry_after: reply.retry_after,
                content_type: reply.content_type,
                body,
            }),
            // An error's body is only its explanation: a status is enough.
            Err(_) if !ok => Got::Whole(Response {
                status: reply.status,
                retry_after: reply.retry_after,
                content_type: reply.content_type,
                body: Vec::new(),
            }),
            Err(failure) => Got::Broken {
                failure,
                provider_error: None,
                malformed: false,
            },
        };
    }
    let mut events = SseReader::new(reply.body);
    let mut fold = Stream::new(target.protocol);
    loop {
        let event = match events.next_event() {
            Ok(Some(event)) => event,
            Ok(None) if fold.is_complete() => return Got::Streamed(fold.finish()),
            Ok(None) => {
                return Got::Broken {
                    failure: Failure::new(
                        ErrorClass::Network,
                        "the stream ended before the answer was complete",
                    ),
                    provider_error: None,
                    malformed: false,
                };
            }
            Err(e) => {
                return Got::Broken {
                    failure: Failure::of_read(&e),
                    provider_error: None,
                    malformed: false,
                };
            }
        };
        let delta = fold.event(event.event.as_deref(), &event.data);
        let out: &[u8] = match (&delta, plan.raw) {
            (_, true) => &event.raw,
            (Ok(Some(text)), false) => text.as_bytes(),
            _ => &[],
        };
        if !out.is_empty() {
            if let Err(e) = sink(out) {
                return Got::Unwritable(e);
            }
            if progress.ttft.is_none() {
                progress.ttft = Some(clock.elapsed().max(progress.started));
            }
            progress.delivered += out.len() as u64;
        }
        match delta {
            Ok(_) => {}
            Err(StreamError::Provider(e)) => {
                return Got::Broken {
                    failure: Failure::new(
                        ErrorClass::Network,
                        format!("the provider sent an error in the stream: {e}"),
                    ),
                    provider_error: Some(e),
                    malformed: false,
                };
            }
            Err(StreamError::Malformed(why)) => {
                return Got::Broken {
                    failure: Failure::new(ErrorClass::Protocol, why),
                    provider_error: None,
                    malformed: true,
                };
            }
        }
    }
}

/// The whole body, at most [`MAX_RESPONSE_BYTES`].
fn read_all(body: &mut dyn Read) -> Result<Vec<u8>, Failure> {
    let mut out = Vec::new();
    match body.take(MAX_RESPONSE_BYTES + 1).read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > MAX_RESPONSE_BYTES => Err(Failure::new(
            ErrorClass::TooLarge,
            format!("the response is larger than {MAX_RESPONSE_BYTES} bytes"),
        )),
        Ok(_) => Ok(out),
        Err(e) => Err(Failure::of_read(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::{Cell, RefCell};

    /// Time that passes only when told: sends and sleeps advance it.
    struct FakeClock {
        now: Cell<Duration>,
        slept: RefCell<Vec<Duration>>,
    }

    impl FakeClock {
        fn new() -> FakeClock {
            FakeClock {
                now: Cell::new(Duration::ZERO),
                slept: RefCell::new(Vec::new()),
            }
        }
        fn advance(&self, d: Duration) {
            self.now.set(self.now.get() + d);
        }
    }

    impl Clock for FakeClock {
        fn elapsed(&self) -> Duration {
            self.now.get()
        }
        fn sleep(&self, d: Duration) {
            self.slept.borrow_mut().push(d);
            self.advance(d);
        }
    }

    /// One scripted reply per call, in order, each taking `latency`.
    enum Step {
        Status(u16, Option<&'static str>),
        /// A status with a content type and a body.
        Body(u16, &'static str, &'static str),
        Fail(ErrorClass),
        /// Hangs until the call's timeout.
        Hang,
    }

    struct Script<'c> {
        clock: &'c FakeClock,
        steps: RefCell<Vec<(&'static str, Step)>>,
        calls: RefCell<Vec<(String, Duration)>>,
        latency: Duration,
    }

    impl<'c> Script<'c> {
        fn new(clock: &'c FakeClock, steps: Vec<(&'static str, Step)>) -> Script<'c> {
            Script {
                clock,
                steps: RefCell::new(steps.into_iter().rev().collect()),
                calls: RefCell::new(Vec::new()),
                latency: Duration::from_millis(5),
            }
        }
    }

    fn reply(
        status: u16,
        retry_after: Option<&str>,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Reply {
        Reply {
            status,
            retry_after: retry_after.map(str::to_string),
            content_type: content_type.map(str::to_string),
            body: Box::new(std::io::Cursor::new(body.to_vec())),
        }
    }

    impl Transport for Script<'_> {
        fn send(&self, call: &Call<'_>) -> Result<Reply, Failure> {
            self.calls
                .borrow_mut()
                .push((call.url.to_string(), call.timeout));
            let (url, step) = self.steps.borrow_mut().pop().expect("an unexpected call");
            assert_eq!(call.url, url, "called in the wrong order");
            match step {
                Step::Status(status, retry_after) => {
                    self.clock.advance(self.latency);
                    Ok(reply(status, retry_after, None, b"ok"))
                }
                Step::Body(status, content_type, body) => {
                    self.clock.advance(self.latency);
                    Ok(reply(status, None, Some(content_type), body.as_bytes()))
                }
                Step::Fail(class) => {
                    self.clock.advance(self.latency);
                    Err(Failure::new(class, "scripted"))
                }
                Step::Hang => {
                    self.clock.advance(call.timeout);
                    Err(Failure::new(ErrorClass::Timeout, "timed out"))
                }
            }
        }
    }

    fn target(id: &str, timeout_ms: u64, p99_ms: f64) -> Target {
        Target {
            service_id: id.into(),
            service_version: "1.0.0".into(),
            protocol: Protocol::Http,
            model: None,
            method: "POST".into(),
            url: id.into(),
            headers: Vec::new(),
            body: b"{}".to_vec(),
            timeout: Duration::from_millis(timeout_ms),
            p99_ms,
            prices: Cost {
                currency: "USD".into(),
                per_request: 0.0,
                per_1k_input_tokens: 1.0,
                per_1k_output_tokens: 2.0,
            },
            probe: false,
        }
    }

    fn speaking(mut t: Target, protocol: Protocol) -> Target {
        t.protocol = protocol;
        t.model = Some("m".into());
        t
    }

    fn plan(targets: Vec<Target>, deadline_ms: u64) -> Plan {
        Plan {
            targets,
            skipped: Vec::new(),
            skipped_before: Vec::new(),
            deadline: Duration::from_millis(deadline_ms),
            seed: 0,
            started_at: "2026-11-21T12:00:00Z".parse().unwrap(),
            stream: false,
            raw: false,
            max_cost: None,
        }
    }

    fn run(p: &Plan, steps: Vec<(&'static str, Step)>) -> (Execution, Vec<Duration>) {
        let (e, slept, _) = run_into(p, steps);
        (e, slept)
    }

    /// Runs a plan; returns what the sink received too.
    fn run_into(p: &Plan, steps: Vec<(&'static str, Step)>) -> (Execution, Vec<Duration>, Vec<u8>) {
        let clock = FakeClock::new();
        let script = Script::new(&clock, steps);
        let mut out = Vec::new();
        let mut sink = |b: &[u8]| {
            out.extend_from_slice(b);
            Ok(())
        };
        let e = execute(p, &script, &clock, &mut sink);
        assert!(
            script.steps.borrow().is_empty(),
            "every scripted reply was used"
        );
        let slept = clock.slept.borrow().clone();
        (e, slept, out)
    }

    fn actions(e: &Execution) -> Vec<String> {
        e.attempts
            .iter()
            .map(|a| {
                let what = match &a.next {
                    Next::Done => "done".to_string(),
                    Next::Retry { .. } => "retry".to_string(),
                    Next::Failover { to, .. } => format!("failover:{to}"),
                    Next::Stop { .. } => "stop".to_string(),
                };
                format!(
                    "{}#{} {} {what}",
                    a.service_id,
                    a.attempt,
                    a.outcome_label()
                )
            })
            .collect()
    }

    #[test]
    fn transient_errors_are_retried_then_succeed() {
        let p = plan(vec![target("a", 1000, 500.0)], 120_000);
        let (e, slept) = run(
            &p,
            vec![
                ("a", Step::Status(503, None)),
                ("a", Step::Status(503, None)),
                ("a", Step::Status(200, None)),
            ],
        );
        assert!(e.succeeded());
        assert_eq!(
            actions(&e),
            ["a#1 503 retry", "a#2 503 retry", "a#3 200 done"]
        );
        assert_eq!(slept.len(), 2);
        assert!(slept[0] >= Duration::from_millis(50) && slept[0] <= Duration::from_millis(100));
        assert!(slept[1] >= Duration::from_millis(100) && slept[1] <= Duration::from_millis(200));
    }

    #[test]
    fn three_transient_failures_fail_over_and_the_last_candidate_stops() {
        let p = plan(
            vec![target("a", 1000, 500.0), target("b", 1000, 500.0)],
            120_000,
        );
        let (e, _) = run(
            &p,
            vec![
                ("a", Step::Fail(ErrorClass::Connect)),
                ("a", Step::Status(502, None)),
                ("a", Step::Status(429, None)),
                ("b", Step::Status(500, None)),
                ("b", Step::Status(500, None)),
                ("b", Step::Status(500, None)),
            ],
        );
        assert!(!e.succeeded());
        assert_eq!(
            actions(&e),
            [
                "a#1 connect retry",
                "a#2 502 retry",
                "a#3 429 failover:b",
                "b#1 500 retry",
                "b#2 500 retry",
                "b#3 500 stop"
            ]
        );
        assert!(e.failure.unwrap().contains("6 attempts on 2 services"));
    }

    #[test]
    fn a_4xx_is_not_retried_but_failed_over() {
        let p = plan(
            vec![target("a", 1000, 500.0), target("b", 1000, 500.0)],
            120_000,
        );
        let (e, slept) = run(
            &p,
            vec![
                ("a", Step::Status(400, None)),
                ("b", Step::Status(200, None)),
            ],
        );
        assert_eq!(actions(&e), ["a#1 400 failover:b", "b#1 200 done"]);
        assert!(slept.is_empty());
        assert_eq!(e.success.unwrap().service_id, "b");
    }

    #[test]
    fn retry_after_is_honoured_and_a_long_one_fails_over() {
        let p = plan(
            vec![target("a", 1000, 500.0), target("b", 1000, 500.0)],
            120_000,
        );
        let (e, slept) = run(
            &p,
            vec![
                ("a", Step::Status(429, Some("1"))),
                ("a", Step::Status(429, Some("3600"))),
                ("b", Step::Status(200, None)),
            ],
        );
        assert_eq!(slept, [Duration::from_secs(1)]);
        assert_eq!(
            actions(&e),
            ["a#1 429 retry", "a#2 429 failover:b", "b#1 200 done"]
        );
        match &e.attempts[1].next {
            Next::Failover { reason, .. } => assert!(reason.contains("Retry-After"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn timeouts_are_retried_then_failed_over() {
        let p = plan(
            vec![target("a", 200, 500.0), target("b", 1000, 500.0)],
            120_000,
        );
        let (e, _) = run(
            &p,
            vec![
                ("a", Step::Hang),
                ("a", Step::Hang),
                ("a", Step::Hang),
                ("b", Step::Status(200, None)),
            ],
        );
        assert_eq!(
            actions(&e),
            [
                "a#1 timeout retry",
                "a#2 timeout retry",
                "a#3 timeout failover:b",
                "b#1 200 done"
            ]
        );
        assert!(e.attempts[0].latency_ms >= 200.0);
    }

    #[test]
    fn the_deadline_bounds_timeouts_waits_and_failover() {
        // 250 ms: a hangs for its 200 ms timeout; a retry's wait would pass
        // the deadline, so b gets the 50 ms that are left, and no more.
        let p = plan(vec![target("a", 200, 500.0), target("b", 1000, 500.0)], 250);
        let clock = FakeClock::new();
        let script = Script::new(&clock, vec![("a", Step::Hang), ("b", Step::Hang)]);
        let e = execute(&p, &script, &clock, &mut |_| Ok(()));
        let calls = script.calls.borrow().clone();
        assert_eq!(
            calls,
            [
                ("a".to_string(), Duration::from_millis(200)),
                ("b".to_string(), Duration::from_millis(50))
            ]
        );
        assert_eq!(clock.elapsed(), Duration::from_millis(250));
        assert_eq!(actions(&e), ["a#1 timeout failover:b", "b#1 timeout stop"]);
        assert!(e.failure.unwrap().contains("deadline of 250 ms"));

        // 450 ms: the retry fits, and its timeout is what is left.
        let p = plan(vec![target("a", 200, 500.0)], 450);
        let clock = FakeClock::new();
        let script = Script::new(&clock, vec![("a", Step::Hang), ("a", Step::Hang)]);
        let e = execute(&p, &script, &clock, &mut |_| Ok(()));
        let calls = script.calls.borrow().clone();
        let waited = clock.slept.borrow()[0];
        assert_eq!(
            calls[1].1,
            Duration::from_millis(450) - Duration::from_millis(200) - waited
        );
        assert_eq!(clock.elapsed(), Duration::from_millis(450));
        assert_eq!(actions(&e), ["a#1 timeout retry", "a#2 timeout stop"]);
    }

    #[test]
    fn failover_never_loops_and_never_passes_three_candidates() {
        let targets = (0..3)
            .map(|i| target(["a", "b", "c"][i], 10, 500.0))
            .collect();
        let p = plan(targets, 120_000);
        let mut steps = Vec::new();
        for id in ["a", "b", "c"] {
            for _ in 0..3 {
                steps.push((id, Step::Status(503, None)));
            }
        }
        let (e, _) = run(&p, steps);
        assert_eq!(e.attempts.len(), 9);
        assert!(!e.succeeded());
    }

    #[test]
    fn a_half_open_probe_gets_one_attempt() {
        let mut probe = target("a", 1000, 500.0);
        probe.probe = true;
        let p = plan(vec![probe], 120_000);
        let (e, slept) = run(&p, vec![("a", Step::Status(503, None))]);
        assert_eq!(actions(&e), ["a#1 503 stop"]);
        assert!(e.attempts[0].probe);
        assert!(slept.is_empty());
    }

    #[test]
    fn a_slow_success_is_a_guarantee_violation() {
        let p = plan(vec![target("a", 1000, 4.0)], 120_000);
        let (e, _) = run(&p, vec![("a", Step::Status(200, None))]);
        let v = e.attempts[0].guarantee_violation.unwrap();
        assert_eq!(v.declared_ms, 4.0);
        assert_eq!(v.observed_ms, 5.0);
        let p = plan(vec![target("a", 1000, 5.0)], 120_000);
        let (e, _) = run(&p, vec![("a", Step::Status(200, None))]);
        assert!(
            e.attempts[0].guarantee_violation.is_none(),
            "p99 itself is no breach"
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_schedule() {
        let p = plan(vec![target("a", 1000, 500.0)], 120_000);
        let steps = || {
            vec![
                ("a", Step::Status(503, None)),
                ("a", Step::Status(503, None)),
                ("a", Step::Status(503, None)),
            ]
        };
        let (_, first) = run(&p, steps());
        let (_, again) = run(&p, steps());
        assert_eq!(first, again);
    }

    fn decision_json(chosen_probe: bool) -> Decision {
        let step = |id: &str, eligible: bool, score: f64| {
            serde_json::json!({
                "service_id": id, "service_version": "1.0.0", "eligible": eligible,
                "score": score, "rejections": [],
                "metrics": { "latency_p95_ms": 1.0, "availability": 1.0, "cost": 0.0, "risk": 0.0 }
            })
        };
        serde_json::from_value(serde_json::json!({
            "outcome": "routed", "principal": "anonymous", "seed": 3,
            "weights": { "q": 1, "h": 0, "t": 0, "c": 0, "l": 0, "r": 0 },
            "steps": [{ "capability": "chat", "summary": "", "candidates": [
                step("b", true, 0.9), step("a", true, 0.8), step("d", true, 0.7),
                step("c", true, 0.6)
            ]}],
            "chosen": [{ "capability": "chat", "service_id": "b", "service_version": "1.0.0",
                         "score": 0.9, "probe": chosen_probe }],
            "score": 0.9, "control": null, "guarantees": null, "reason": null, "summary": ""
        }))
        .unwrap()
    }

    fn contract(id: &str, auth: &str) -> ServiceContract {
        let text = format!(
            "apiVersion: caio/v1
service_id: svc-{id}
name: {id}
version: 1.0.0
capabilities: [{{ type: chat }}]
guarantees: {{ latency_ms: {{ p50: 1, p95: 2, p99: 3 }}, availability: 0.99 }}
cost: {{ currency: USD, per_request: 0, per_1k_input_tokens: 0, per_1k_output_tokens: 0 }}
privacy: {{ hosting: internal, regions: [eu], max_data_class: public }}
endpoint: {{ url: http://127.0.0.1:9/{id}, timeout_ms: 700, {auth} headers: {{ x-team: ml }} }}
"
        );
        let mut c = caio_core::contract::validate_text("c.yaml", &text)
            .contract
            .expect("valid");
        c.service_id = id.into();
        c
    }

    fn lookup(auth: &'static str) -> impl Fn(&str) -> Result<ServiceContract, Error> {
        move |id| Ok(contract(id, auth))
    }

    #[test]
    fn the_plan_follows_the_score_order_and_stops_at_three() {
        let env = |_: &str| None;
        let p = plan_of(false, &lookup(""), &env).unwrap();
        let ids: Vec<&str> = p.targets.iter().map(|t| t.service_id.as_str()).collect();
        assert_eq!(ids, ["b", "a", "d"]);
        assert_eq!(p.seed, 3);
        assert_eq!(p.targets[0].timeout, Duration::from_millis(700));
        assert_eq!(p.targets[0].p99_ms, 3.0);
        // A probe is tried alone.
        let p = plan_of(true, &lookup(""), &env).unwrap();
        assert_eq!(p.targets.len(), 1);
        assert!(p.targets[0].probe);
    }

    fn inputs(payload: &PayloadSource) -> Inputs<'_> {
        Inputs {
            payload,
            input_file: None,
            expected_output_tokens: 0,
            language: None,
            stream: false,
            raw: false,
            max_cost: None,
            deadline: DEFAULT_DEADLINE,
            started_at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    fn plan_of(
        probe: bool,
        contracts: &dyn Fn(&str) -> Result<ServiceContract, Error>,
        env: &dyn Fn(&str) -> Option<OsString>,
    ) -> Result<Plan, Error> {
        let payload = PayloadSource::Json(serde_json::json!({"q": "hi"}));
        super::plan(&decision_json(probe), contracts, &inputs(&payload), env)
    }

    #[test]
    fn auth_headers_come_from_the_environment_and_never_print() {
        let env = |name: &str| (name == "TEST_KEY").then(|| OsString::from("s3cret-value"));
        let p = plan_of(
            false,
            &lookup("auth: { scheme: bearer, env: TEST_KEY },"),
            &env,
        )
        .unwrap();
        let headers = &p.targets[0].headers;
        let auth = headers.iter().find(|h| h.name == "authorization").unwrap();
        assert_eq!(auth.value(), "Bearer s3cret-value");
        assert!(
            headers
                .iter()
                .any(|h| h.name == "content-type" && h.value() == "application/json")
        );
        assert!(headers.iter().any(|h| h.name == "x-team"));
        let shown = format!("{p:?}");
        assert!(!shown.contains("s3cret"), "{shown}");

        let p = plan_of(
            false,
            &lookup("auth: { scheme: header, env: TEST_KEY, header: x-api-key },"),
            &env,
        )
        .unwrap();
        assert!(
            p.targets[0]
                .headers
                .iter()
                .any(|h| h.name == "x-api-key" && h.value() == "s3cret-value")
        );
    }

    #[test]
    fn a_missing_or_unusable_variable_skips_the_candidate_naming_it() {
        let none = |_: &str| None;
        let p = plan_of(
            false,
            &lookup("auth: { scheme: bearer, env: NOPE_KEY },"),
            &none,
        )
        .unwrap();
        assert!(p.targets.is_empty());
        let reasons: Vec<&str> = p.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(reasons, ["secret-missing: NOPE_KEY"; 4]);
        assert_eq!(p.skipped[0].variable.as_deref(), Some("NOPE_KEY"));
        // An empty variable was once reported as "not set".
        let empty = |_: &str| Some(OsString::new());
        let p = plan_of(false, &lookup("auth: { scheme: bearer, env: K },"), &empty).unwrap();
        assert_eq!(
            p.skipped[0].reason,
            "secret-unusable: K (it is set but empty)"
        );
        let broken = |_: &str| Some(OsString::from("abc\r\nx-evil: 1"));
        let p = plan_of(false, &lookup("auth: { scheme: bearer, env: K },"), &broken).unwrap();
        assert!(p.skipped[0].reason.starts_with("secret-unusable: K"));
        assert!(!p.skipped[0].reason.contains("evil"));
    }

    const CHAT_OK: &str = r#"{"model":"m-1","choices":[{"message":{"content":"Hi there!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1000,"completion_tokens":500}}"#;

    #[test]
    fn a_provider_answer_is_parsed_priced_and_checked_against_max_cost() {
        let mut p = plan(
            vec![speaking(target("a", 1000, 500.0), Protocol::OpenaiChat)],
            120_000,
        );
        p.max_cost = Some(1.5);
        let (e, _) = run(
            &p,
            vec![("a", Step::Body(200, "application/json", CHAT_OK))],
        );
        let s = e.success.as_ref().unwrap();
        let c = s.completion.as_ref().unwrap();
        assert_eq!(c.text.as_deref(), Some("Hi there!"));
        assert_eq!(s.cost, 2.0, "1k input × 1 + 0.5k output × 2");
        let a = &e.attempts[0];
        assert_eq!(a.protocol, Some(Protocol::OpenaiChat));
        assert_eq!(a.model.as_deref(), Some("m"));
        assert_eq!(a.usage.unwrap().output_tokens, 500);
        assert_eq!(a.cost, Some(2.0));
        assert_eq!(
            a.cost_violation,
            Some(CostViolation {
                max_cost: 1.5,
                cost: 2.0
            })
        );
        assert_eq!(a.violations(), 1);
    }

    #[test]
    fn an_answer_that_does_not_parse_fails_over_without_a_retry() {
        let p = plan(
            vec![
                speaking(target("a", 1000, 500.0), Protocol::AnthropicMessages),
                speaking(target("b", 1000, 500.0), Protocol::OpenaiChat),
            ],
            120_000,
        );
        let (e, slept) = run(
            &p,
            vec![
                (
                    "a",
                    Step::Body(200, "application/json", r#"{"unexpected":true}"#),
                ),
                ("b", Step::Body(200, "application/json", CHAT_OK)),
            ],
        );
        assert!(slept.is_empty());
        assert_eq!(actions(&e), ["a#1 200 failover:b", "b#1 200 done"]);
        assert_eq!(e.attempts[0].result, AttemptResult::Failed);
        assert!(
            e.attempts[0]
                .detail
                .as_deref()
                .unwrap()
                .contains("not a valid anthropic-messages answer")
        );
    }

    #[test]
    fn a_provider_error_is_kept_and_named_in_the_reason() {
        let p = plan(
            vec![
                speaking(target("a", 1000, 500.0), Protocol::OpenaiChat),
                target("b", 1000, 500.0),
            ],
            120_000,
        );
        let (e, _) = run(
            &p,
            vec![
                (
                    "a",
                    Step::Body(
                        404,
                        "application/json",
                        r#"{"error":{"message":"model sk-abcdefgh12345 not found","type":"not_found_error"}}"#,
                    ),
                ),
                ("b", Step::Status(200, None)),
            ],
        );
        let a = &e.attempts[0];
        let pe = a.provider_error.as_ref().unwrap();
        assert_eq!(pe.message, "model sk-**** not found");
        assert_eq!(pe.kind.as_deref(), Some("not_found_error"));
        match &a.next {
            Next::Failover { reason, .. } => {
                assert_eq!(
                    reason,
                    "HTTP 404 is not retried: model sk-**** not found (not_found_error)"
                )
            }
            other => panic!("{other:?}"),
        }
    }

    const SSE_OK: &str = "data: {\"model\":\"m-1\",\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n\
        data: {\"choices\":[{\"delta\":{\"content\":\"Hi \"}}]}\n\n\
        data: {\"choices\":[{\"delta\":{\"content\":\"there\"},\"finish_reason\":\"stop\"}]}\n\n\
        data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\n\
        data: [DONE]\n\n";

    fn streaming(targets: Vec<Target>) -> Plan {
        let mut p = plan(targets, 120_000);
        p.stream = true;
        p
    }

    #[test]
    fn a_stream_goes_to_the_sink_delta_by_delta() {
        let p = streaming(vec![speaking(
            target("a", 1000, 500.0),
            Protocol::OpenaiChat,
        )]);
        let (e, _, out) = run_into(
            &p,
            vec![("a", Step::Body(200, "text/event-stream", SSE_OK))],
        );
        assert_eq!(out, b"Hi there");
        let s = e.success.unwrap();
        assert_eq!(s.completion.unwrap().usage.unwrap().input_tokens, 3);
        assert_eq!(e.delivered, 8);
        assert!(e.attempts[0].ttft_ms.is_some());
        assert_eq!(e.attempts[0].delivered_bytes, Some(8));
        // --raw: the events as they came.
        let mut p = streaming(vec![speaking(
            target("a", 1000, 500.0),
            Protocol::OpenaiChat,
        )]);
        p.raw = true;
        let (_, _, out) = run_into(
            &p,
            vec![("a", Step::Body(200, "text/event-stream", SSE_OK))],
        );
        assert_eq!(out, SSE_OK.as_bytes());
    }

    #[test]
    fn a_stream_cut_before_any_text_fails_over_and_after_text_stops() {
        let cut_early = "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n";
        let p = streaming(vec![
            speaking(target("a", 1000, 500.0), Protocol::OpenaiChat),
            speaking(target("b", 1000, 500.0), Protocol::OpenaiChat),
        ]);
        let (e, _, out) = run_into(
            &p,
            vec![
                ("a", Step::Body(200, "text/event-stream", cut_early)),
                ("a", Step::Body(200, "text/event-stream", cut_early)),
                ("a", Step::Body(200, "text/event-stream", cut_early)),
                ("b", Step::Body(200, "text/event-stream", SSE_OK)),
            ],
        );
        assert_eq!(out, b"Hi there");
        assert_eq!(e.success.unwrap().service_id, "b");
        assert_eq!(e.attempts[0].result, AttemptResult::Transient);

        let cut_late = "data: {\"choices\":[{\"delta\":{\"content\":\"Hi \"}}]}\n\n";
        let (e, slept, out) = run_into(
            &p,
            vec![("a", Step::Body(200, "text/event-stream", cut_late))],
        );
        assert_eq!(out, b"Hi ");
        assert!(slept.is_empty());
        assert!(!e.succeeded());
        assert_eq!(actions(&e), ["a#1 200 stop"]);
        let failure = e.failure.unwrap();
        assert!(failure.contains("after 3 bytes"), "{failure}");
        assert_eq!(e.attempts[0].delivered_bytes, Some(3));
    }

    #[test]
    fn the_plan_translates_the_payload_per_protocol_and_skips_what_cannot_carry_it() {
        let chat = |id: &str| {
            let text = format!(
                "apiVersion: caio/v1
service_id: svc-{id}
name: {id}
version: 1.0.0
capabilities: [{{ type: chat }}]
guarantees: {{ latency_ms: {{ p50: 1, p95: 2, p99: 3 }}, availability: 0.99 }}
cost: {{ currency: USD, per_request: 0, per_1k_input_tokens: 0, per_1k_output_tokens: 0 }}
privacy: {{ hosting: internal, regions: [eu], max_data_class: public }}
endpoint: {{ url: http://127.0.0.1:9/{id}, protocol: {}, model: m-{id} }}
",
                match id {
                    "b" => "anthropic-messages",
                    "a" => "openai-embeddings",
                    _ => "openai-chat",
                }
            );
            let mut c = caio_core::contract::validate_text("c.yaml", &text)
                .contract
                .expect("a valid contract");
            c.service_id = id.into();
            Ok(c)
        };
        let payload = PayloadSource::Json(serde_json::json!({
            "system": "terse", "messages": [{"role": "user", "content": "hi"}]
        }));
        let env = |_: &str| None;
        let p = super::plan(&decision_json(false), &chat, &inputs(&payload), &env).unwrap();
        let ids: Vec<&str> = p.targets.iter().map(|t| t.service_id.as_str()).collect();
        assert_eq!(ids, ["b", "d", "c"], "a (embeddings) cannot carry messages");
        assert!(
            p.skipped[0]
                .reason
                .starts_with("payload-unsupported: openai-embeddings"),
            "{:?}",
            p.skipped
        );
        let body: serde_json::Value = serde_json::from_slice(&p.targets[0].body).unwrap();
        assert_eq!(body["system"], "terse");
        assert_eq!(body["max_tokens"], 1024);
        let h = |t: &Target, name: &str| {
            t.headers
                .iter()
                .find(|h| h.name == name)
                .map(|h| h.value().to_string())
        };
        assert_eq!(
            h(&p.targets[0], "anthropic-version").as_deref(),
            Some(ANTHROPIC_VERSION)
        );
        let body: serde_json::Value = serde_json::from_slice(&p.targets[1].body).unwrap();
        assert_eq!(body["messages"][0]["role"], "system");
        assert_eq!(h(&p.targets[1], "anthropic-version"), None);

        // A payload the chosen service cannot carry is an error, before anything is sent.
        let embed = PayloadSource::Json(serde_json::json!({"input": ["x"]}));
        let err = super::plan(&decision_json(false), &chat, &inputs(&embed), &env).unwrap_err();
        assert!(
            matches!(&err, Error::PayloadUnsupported { service_id, .. } if service_id == "b"),
            "{err}"
        );
        // So is a payload that is not canonical.
        let bad = PayloadSource::Json(serde_json::json!({"prompt": "x"}));
        let err = super::plan(&decision_json(false), &chat, &inputs(&bad), &env).unwrap_err();
        assert!(
            matches!(&err, Error::PayloadInvalid { path, .. } if path == "payload.prompt"),
            "{err}"
        );
    }

    #[test]
    fn only_skips_that_failover_reached_are_reported() {
        let mut p = plan(
            vec![target("x", 1000, 500.0), target("y", 1000, 500.0)],
            120_000,
        );
        let skip = |id: &str| Skipped {
            service_id: id.into(),
            service_version: "1.0.0".into(),
            reason: "secret-missing: K".into(),
            variable: Some("K".into()),
        };
        p.skipped = vec![skip("s0"), skip("s1"), skip("s2")];
        p.skipped_before = vec![0, 1, 2];
        let ids = |e: &Execution| -> Vec<String> {
            p.passed_over(e).into_iter().map(|s| s.service_id).collect()
        };
        let (e, _) = run(&p, vec![("x", Step::Status(200, None))]);
        assert_eq!(ids(&e), ["s0"], "s1 ranks below x, which answered");
        let (e, _) = run(
            &p,
            vec![
                ("x", Step::Status(400, None)),
                ("y", Step::Status(200, None)),
            ],
        );
        assert_eq!(ids(&e), ["s0", "s1"]);
        let (e, _) = run(
            &p,
            vec![
                ("x", Step::Status(400, None)),
                ("y", Step::Status(400, None)),
            ],
        );
        assert_eq!(
            ids(&e),
            ["s0", "s1", "s2"],
            "every target failed: s2 would have been tried next"
        );
        // Stopped on x (a deadline, a broken stream): y was never reached.
        let (e, _) = run(&p, vec![("x", Step::Status(200, None))]);
        let e = Execution {
            attempts: e.attempts,
            success: None,
            failure: Some("the deadline was reached".into()),
            delivered: 0,
        };
        assert_eq!(ids(&e), ["s0"], "y was never reached");
    }
}
