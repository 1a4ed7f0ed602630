//! From a decision to a response (SPEC §8): [`plan`] picks the targets and
//! reads their secrets before any network call; [`execute`] runs the plan.
//!
//! The budget is bounded and deterministic: the targets are the chosen
//! service then the next-best eligible ones in the decision's score order,
//! each at most once (failover never loops), at most
//! [`MAX_CANDIDATES`](super::retry::MAX_CANDIDATES) of them, each tried at
//! most [`MAX_ATTEMPTS_PER_CANDIDATE`](super::retry::MAX_ATTEMPTS_PER_CANDIDATE)
//! times, all within one deadline: an attempt's timeout is its endpoint's
//! `timeout_ms` or what is left of the deadline, whichever is shorter, and
//! no wait runs past the deadline.

use super::retry::{self, MAX_CANDIDATES};
use super::{
    Attempt, AttemptResult, Call, Clock, ErrorClass, Failure, Guarantee, Header, Next, Response,
    Transport, Violation, millis,
};
use crate::error::Error;
use caio_core::contract::{AuthScheme, ServiceContract};
use caio_core::routing::{Decision, Outcome};
use std::ffi::OsString;
use std::time::Duration;

/// The default of `--deadline-ms`.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);

/// One service to call.
#[derive(Debug)]
pub struct Target {
    pub service_id: String,
    pub service_version: String,
    pub method: String,
    pub url: String,
    pub headers: Vec<Header>,
    pub timeout: Duration,
    /// The contract's p99 latency: slower attempts violate the guarantee.
    pub p99_ms: f64,
    /// The panic guard's half-open probe.
    pub probe: bool,
}

/// What to send, with its media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    pub bytes: Vec<u8>,
    pub content_type: Option<&'static str>,
}

impl Payload {
    /// The request's `payload` field, sent as JSON.
    pub fn json(value: &serde_json::Value) -> Payload {
        Payload {
            bytes: serde_json::to_vec(value).unwrap_or_default(),
            content_type: Some("application/json"),
        }
    }

    /// A file's bytes as they are: JSON when they parse as JSON.
    pub fn file(bytes: Vec<u8>) -> Payload {
        let json = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok();
        Payload {
            bytes,
            content_type: Some(if json {
                "application/json"
            } else {
                "application/octet-stream"
            }),
        }
    }

    pub fn empty() -> Payload {
        Payload {
            bytes: Vec::new(),
            content_type: None,
        }
    }
}

/// Everything one execution needs.
#[derive(Debug)]
pub struct Plan {
    pub targets: Vec<Target>,
    pub body: Vec<u8>,
    pub deadline: Duration,
    /// Seeds the backoff jitter.
    pub seed: u64,
    /// Wall time at the start (for `Retry-After` dates).
    pub started_at: jiff::Timestamp,
}

/// The targets of a routed single-step decision, with their auth headers
/// read from the environment (`env`). A missing or unusable variable is an
/// error naming it, before anything is sent.
pub fn plan(
    decision: &Decision,
    contract: &dyn Fn(&str) -> Option<ServiceContract>,
    payload: Payload,
    env: &dyn Fn(&str) -> Option<OsString>,
    deadline: Duration,
    started_at: jiff::Timestamp,
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
            if ids.len() >= MAX_CANDIDATES {
                break;
            }
            if ids.iter().all(|(id, _)| *id != c.service_id) {
                ids.push((c.service_id.as_str(), false));
            }
        }
    }
    let mut targets = Vec::with_capacity(ids.len());
    for (id, probe) in ids {
        let c = contract(id).ok_or_else(|| {
            Error::from(caio_store::Error::UnknownService {
                id: id.to_string(),
                help: "the service disappeared between routing and execution; route again".into(),
            })
        })?;
        targets.push(target(&c, probe, &payload, env)?);
    }
    Ok(Plan {
        targets,
        body: payload.bytes,
        deadline,
        seed: decision.seed,
        started_at,
    })
}

fn target(
    c: &ServiceContract,
    probe: bool,
    payload: &Payload,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Result<Target, Error> {
    let e = &c.endpoint;
    let mut headers: Vec<Header> = e.headers.iter().map(|(k, v)| Header::plain(k, v)).collect();
    let has =
        |headers: &[Header], name: &str| headers.iter().any(|h| h.name.eq_ignore_ascii_case(name));
    if let Some(content_type) = payload.content_type
        && !payload.bytes.is_empty()
        && !has(&headers, "content-type")
    {
        headers.push(Header::plain("content-type", content_type));
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
        method: e.method.clone(),
        url: e.url.clone(),
        headers,
        timeout: Duration::from_millis(e.timeout_ms.max(1)),
        p99_ms: c.guarantees.latency_ms.p99,
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

/// The outcome of a plan.
#[derive(Debug)]
pub struct Execution {
    pub attempts: Vec<Attempt>,
    /// The response used, when a service succeeded.
    pub response: Option<(String, Response)>,
    /// Why execution gave up, when it did.
    pub failure: Option<String>,
}

impl Execution {
    pub fn succeeded(&self) -> bool {
        self.response.is_some()
    }
}

/// Runs the plan: attempts, retries with backoff, failover, one deadline.
pub fn execute(plan: &Plan, transport: &dyn Transport, clock: &dyn Clock) -> Execution {
    let mut rng = retry::rng(plan.seed);
    let mut attempts: Vec<Attempt> = Vec::new();
    let deadline = plan.deadline;
    let deadline_reason = || format!("the deadline of {} ms was reached", deadline.as_millis());
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
            let outcome = transport.send(&Call {
                method: &target.method,
                url: &target.url,
                headers: &target.headers,
                body: &plan.body,
                timeout,
            });
            let latency = clock.elapsed().saturating_sub(started);
            let verdict = retry::classify(&outcome);
            let latency_ms = millis(latency);
            let mut attempt = Attempt {
                service_id: target.service_id.clone(),
                service_version: target.service_version.clone(),
                attempt: n,
                status: outcome.as_ref().ok().map(|r| r.status),
                error: outcome.as_ref().err().map(|f| f.class),
                detail: outcome.as_ref().err().map(|f| f.detail.clone()),
                result: verdict.result,
                started_ms: millis(started),
                latency_ms,
                guarantee_violation: (latency_ms > target.p99_ms).then_some(Violation {
                    guarantee: Guarantee::LatencyP99Ms,
                    declared_ms: target.p99_ms,
                    observed_ms: latency_ms,
                }),
                probe: target.probe,
                next: Next::Done,
            };
            let outcome = match outcome {
                Ok(response) if verdict.result == AttemptResult::Success => {
                    attempts.push(attempt);
                    return Execution {
                        attempts,
                        response: Some((target.service_id.clone(), response)),
                        failure: None,
                    };
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
                break verdict.reason;
            }
            if target.probe {
                attempts.push(attempt);
                break format!("{}; a half-open probe gets one attempt", verdict.reason);
            }
            let now = plan
                .started_at
                .checked_add(clock.elapsed())
                .unwrap_or(plan.started_at);
            match retry::wait(n, outcome.as_ref().ok(), now, &mut rng) {
                Ok(wait) if clock.elapsed() + wait < deadline => {
                    attempt.next = Next::Retry {
                        after_ms: wait.as_millis() as u64,
                        reason: verdict.reason,
                    };
                    attempts.push(attempt);
                    clock.sleep(wait);
                }
                Ok(_) => {
                    attempts.push(attempt);
                    break format!(
                        "{}; the wait before a retry would pass the deadline of {} ms",
                        verdict.reason,
                        deadline.as_millis()
                    );
                }
                Err(why) => {
                    attempts.push(attempt);
                    break format!("{}; {why}", verdict.reason);
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
            return Execution {
                attempts,
                response: None,
                failure: Some(deadline_reason()),
            };
        }
    }
    let tried = plan.targets.len();
    Execution {
        failure: Some(format!(
            "every candidate failed ({} attempt{} on {tried} service{})",
            attempts.len(),
            if attempts.len() == 1 { "" } else { "s" },
            if tried == 1 { "" } else { "s" },
        )),
        attempts,
        response: None,
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

    impl Transport for Script<'_> {
        fn send(&self, call: &Call<'_>) -> Result<Response, Failure> {
            self.calls
                .borrow_mut()
                .push((call.url.to_string(), call.timeout));
            let (url, step) = self.steps.borrow_mut().pop().expect("an unexpected call");
            assert_eq!(call.url, url, "called in the wrong order");
            match step {
                Step::Status(status, retry_after) => {
                    self.clock.advance(self.latency);
                    Ok(Response {
                        status,
                        retry_after: retry_after.map(str::to_string),
                        content_type: None,
                        body: b"ok".to_vec(),
                    })
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
            method: "POST".into(),
            url: id.into(),
            headers: Vec::new(),
            timeout: Duration::from_millis(timeout_ms),
            p99_ms,
            probe: false,
        }
    }

    fn plan(targets: Vec<Target>, deadline_ms: u64) -> Plan {
        Plan {
            targets,
            body: b"{}".to_vec(),
            deadline: Duration::from_millis(deadline_ms),
            seed: 0,
            started_at: "2026-11-21T12:00:00Z".parse().unwrap(),
        }
    }

    fn run(p: &Plan, steps: Vec<(&'static str, Step)>) -> (Execution, Vec<Duration>) {
        let clock = FakeClock::new();
        let script = Script::new(&clock, steps);
        let e = execute(p, &script, &clock);
        assert!(
            script.steps.borrow().is_empty(),
            "every scripted reply was used"
        );
        let slept = clock.slept.borrow().clone();
        (e, slept)
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
        assert_eq!(e.response.unwrap().0, "b");
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
        let e = execute(&p, &script, &clock);
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
        let e = execute(&p, &script, &clock);
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

    fn lookup(auth: &'static str) -> impl Fn(&str) -> Option<ServiceContract> {
        move |id| Some(contract(id, auth))
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

    fn plan_of(
        probe: bool,
        contracts: &dyn Fn(&str) -> Option<ServiceContract>,
        env: &dyn Fn(&str) -> Option<OsString>,
    ) -> Result<Plan, Error> {
        super::plan(
            &decision_json(probe),
            contracts,
            Payload::json(&serde_json::json!({"q": "hi"})),
            env,
            DEFAULT_DEADLINE,
            jiff::Timestamp::UNIX_EPOCH,
        )
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
    fn a_missing_or_unusable_variable_is_an_error_naming_it() {
        let none = |_: &str| None;
        let err = plan_of(
            false,
            &lookup("auth: { scheme: bearer, env: NOPE_KEY },"),
            &none,
        )
        .unwrap_err();
        assert!(matches!(&err, Error::MissingSecret { variable, .. } if variable == "NOPE_KEY"));
        assert!(err.to_string().contains("NOPE_KEY"));
        // An empty variable was once reported as "not set".
        let empty = |_: &str| Some(OsString::new());
        let err = plan_of(false, &lookup("auth: { scheme: bearer, env: K },"), &empty).unwrap_err();
        assert!(
            matches!(&err, Error::UnusableSecret { why, .. } if why == "it is set but empty"),
            "{err}"
        );
        assert!(!err.to_string().contains("not set"), "{err}");
        let broken = |_: &str| Some(OsString::from("abc\r\nx-evil: 1"));
        let err =
            plan_of(false, &lookup("auth: { scheme: bearer, env: K },"), &broken).unwrap_err();
        assert!(matches!(err, Error::UnusableSecret { .. }));
        assert!(!err.to_string().contains("evil"));
    }
}
