//! The execute use case (SPEC §8): plan the calls (each candidate's
//! protocol, its secret, or why it is skipped), run them with retries,
//! failover and streaming, then fold the attempts into the service stats
//! and append the one trace record of the route call with every attempt,
//! in one write transaction.
//!
//! The command line opens `--output`, hands over a sink for streamed text,
//! and renders what [`run`] returns.

use crate::app::route::{self, Traced, trace};
use crate::error::Error;
use crate::gateway::execute::{Execution, Inputs, PayloadSource, Sink};
use crate::gateway::{self, Clock, InputFile, Transport};
use caio_core::circuit::Change;
use caio_core::request::Request;
use caio_core::routing::Routed;
use caio_core::trace::{ExecutionOutcome, ExecutionRecord, Skipped};
use caio_store::router::Router;
use std::ffi::OsString;
use std::time::Duration;

/// What to send and how.
#[derive(Debug)]
pub struct Options {
    pub payload: PayloadSource,
    /// `--input-file` (transcription).
    pub input_file: Option<InputFile>,
    /// `--stream`.
    pub stream: bool,
    /// `--raw`: a stream's events go to the sink as they came.
    pub raw: bool,
    /// `--deadline-ms`.
    pub deadline: Duration,
}

/// An execution and where it was recorded.
pub struct Executed {
    pub execution: Execution,
    /// How it ended, as traced.
    pub end: ExecutionRecord,
    pub traced: Traced,
    /// What each service's circuit did.
    pub changes: Vec<(String, Change)>,
    /// Whether stats and circuits are kept (a home).
    pub stateful: bool,
}

/// The world an execution talks to: the network, a monotonic clock, the
/// environment (for secrets).
pub struct World<'a> {
    pub transport: &'a dyn Transport,
    pub clock: &'a dyn Clock,
    pub env: &'a dyn Fn(&str) -> Option<OsString>,
}

/// Executes a routed request. An error before anything was sent (a payload
/// the chosen service cannot carry, no candidate usable) is traced as
/// `not_started` and returned; a failed execution is returned as such
/// (`execution.failure`), traced as `failed`.
pub fn run(
    router: &mut Router,
    request: &Request,
    routed: &Routed,
    options: &Options,
    world: &World<'_>,
    sink: Sink<'_>,
) -> Result<Executed, Error> {
    let deadline_ms = options.deadline.as_millis() as u64;
    let inputs = Inputs {
        payload: &options.payload,
        input_file: options.input_file.as_ref(),
        expected_output_tokens: request.input.expected_output_tokens,
        language: request.input.language.as_deref(),
        stream: options.stream,
        raw: options.raw,
        max_cost: request.requirements.max_cost,
        deadline: options.deadline,
        started_at: jiff::Timestamp::now(),
    };
    let plan = {
        let contract = |id: &str| router.contract(id).map_err(Error::from);
        gateway::plan(&routed.decision, &contract, &inputs, world.env)
    };
    let plan = match plan {
        Ok(plan) if !plan.targets.is_empty() => plan,
        Ok(plan) => {
            let named: Vec<String> = plan
                .skipped
                .iter()
                .map(|s| format!("{}: {}", s.service_id, s.reason))
                .collect();
            let e = Error::NothingToTry { skipped: named };
            not_started_with(
                router,
                request,
                routed,
                &e,
                deadline_ms,
                plan.skipped,
                options.stream,
            )?;
            return Err(e);
        }
        Err(e) => {
            not_started(
                router,
                request,
                routed,
                &e,
                options.deadline,
                options.stream,
            )?;
            return Err(e);
        }
    };
    let execution = gateway::execute(&plan, world.transport, world.clock, sink);
    let skipped = plan.passed_over(&execution);
    drop(plan);
    let end = ExecutionRecord {
        outcome: if execution.succeeded() {
            ExecutionOutcome::Succeeded
        } else {
            ExecutionOutcome::Failed
        },
        service_id: execution.success.as_ref().map(|s| s.service_id.clone()),
        reason: execution.failure.clone(),
        deadline_ms,
        skipped,
        stream: options.stream,
    };
    // The stats and the record of the call, in one transaction.
    let now = jiff::Timestamp::now();
    let prepared = route::prepare(
        router,
        &[(request, routed)],
        Some((execution.attempts.clone(), end.clone())),
        now,
    )?;
    let inputs = router.take_inputs();
    let (changes, traced) = match router.store_mut() {
        Some(store) => {
            let recorded = store.record_execution(&execution.attempts, now, &prepared, &inputs)?;
            (recorded.changes, route::appended(recorded.appended))
        }
        None => (Vec::new(), route::unrecorded(router, &prepared)?),
    };
    let traced = traced.into_iter().next().ok_or_else(|| {
        Error::from(caio_store::Error::Store {
            path: "trace".into(),
            reason: "no record was made for the call".into(),
            help: "this is unexpected; report it with the request",
        })
    })?;
    let stateful = router.store_mut().is_some();
    Ok(Executed {
        execution,
        end,
        traced,
        changes,
        stateful,
    })
}

/// Traces a routed request whose execution did not start, with why.
pub fn not_started(
    router: &mut Router,
    request: &Request,
    routed: &Routed,
    why: &Error,
    deadline: Duration,
    stream: bool,
) -> Result<(), Error> {
    let deadline_ms = deadline.as_millis() as u64;
    not_started_with(
        router,
        request,
        routed,
        why,
        deadline_ms,
        Vec::new(),
        stream,
    )
}

fn not_started_with(
    router: &mut Router,
    request: &Request,
    routed: &Routed,
    why: &Error,
    deadline_ms: u64,
    skipped: Vec<Skipped>,
    stream: bool,
) -> Result<(), Error> {
    let end = ExecutionRecord {
        outcome: ExecutionOutcome::NotStarted,
        service_id: None,
        reason: Some(why.to_string()),
        deadline_ms,
        skipped,
        stream,
    };
    trace(
        router,
        &[(request, routed)],
        false,
        Some((Vec::new(), end)),
        jiff::Timestamp::now(),
    )?;
    Ok(())
}
