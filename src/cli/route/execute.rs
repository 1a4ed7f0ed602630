//! `caio route --execute` (SPEC §8): plan the calls (secrets checked before
//! anything is sent), run them with retries and failover, fold the attempts
//! into the service stats, append the one trace record with every attempt,
//! then print: the response body on stdout (or `--output FILE`), the human
//! report on stderr; with `--format json`, one document on stdout that
//! holds the decision, the attempts and the body.

use super::{RouteJson, View, render};
use crate::app::route::{Traced, trace};
use crate::error::{Error, Exit};
use crate::gateway::execute::{Execution, Payload};
use crate::gateway::http::UreqTransport;
use crate::gateway::{self, Attempt, Next, SystemClock};
use crate::ui::Ui;
use base64::Engine;
use caio_core::circuit::Change;
use caio_core::request::Request;
use caio_core::routing::Routed;
use caio_core::trace::{ExecutionOutcome, ExecutionRecord};
use caio_store::router::Router;
use serde::Serialize;
use std::path::Path;
use std::time::Duration;

/// The largest `--payload` file read.
const MAX_PAYLOAD_BYTES: u64 = 64 * 1024 * 1024;

pub(super) struct Options<'a> {
    pub output: Option<&'a Path>,
    pub deadline: Duration,
    pub view: View,
    pub top: Option<usize>,
}

/// Reads `--payload FILE` (`-` is stdin).
pub(super) fn read_payload(path: &Path) -> Result<Payload, Error> {
    use std::io::Read;
    let fail = |reason: String| Error::PayloadUnreadable {
        path: path.display().to_string(),
        reason,
    };
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_PAYLOAD_BYTES + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_PAYLOAD_BYTES + 1).read_to_end(&mut bytes))
    };
    read.map_err(|e| fail(e.to_string()))?;
    if bytes.len() as u64 > MAX_PAYLOAD_BYTES {
        return Err(fail(format!(
            "larger than the {} MiB limit",
            MAX_PAYLOAD_BYTES / 1024 / 1024
        )));
    }
    Ok(Payload::file(bytes))
}

/// Executes a routed request and reports it.
pub(super) fn run(
    router: &mut Router,
    request: &Request,
    routed: &Routed,
    payload: Payload,
    options: &Options<'_>,
    ui: &mut Ui,
) -> Result<Exit, Error> {
    let deadline_ms = options.deadline.as_millis() as u64;
    // `--output` is opened before anything is sent, so a response that was
    // paid for is never lost to an unwritable path.
    let output = options.output.map(Output::open).transpose();
    let env = |name: &str| std::env::var_os(name);
    let contract = |id: &str| router.contract(id);
    let plan = output.and_then(|output| {
        let plan = gateway::plan(
            &routed.decision,
            &contract,
            payload,
            &env,
            options.deadline,
            jiff::Timestamp::now(),
        );
        match plan {
            Ok(plan) => Ok((plan, output)),
            Err(e) => {
                // Nothing will come back: a file made for the body goes.
                if let Some(output) = output {
                    output.discard();
                }
                Err(e)
            }
        }
    });
    let (plan, output) = match plan {
        Ok(plan) => plan,
        Err(e) => {
            // Nothing was sent; the decision is still traced.
            let end = ExecutionRecord {
                outcome: ExecutionOutcome::NotStarted,
                service_id: None,
                reason: Some(e.to_string()),
                deadline_ms,
            };
            trace(
                router,
                &[(request, routed)],
                false,
                Some((Vec::new(), end)),
                jiff::Timestamp::now(),
            )?;
            return Err(e);
        }
    };
    let execution = gateway::execute(&plan, &UreqTransport::new(), &SystemClock::start());
    drop(plan);
    let changes = match router.store_mut() {
        Some(store) => store.record_attempts(&execution.attempts, jiff::Timestamp::now())?,
        None => Vec::new(),
    };
    let end = ExecutionRecord {
        outcome: if execution.succeeded() {
            ExecutionOutcome::Succeeded
        } else {
            ExecutionOutcome::Failed
        },
        service_id: execution.response.as_ref().map(|(id, _)| id.clone()),
        reason: execution.failure.clone(),
        deadline_ms,
    };
    let traced = trace(
        router,
        &[(request, routed)],
        false,
        Some((execution.attempts.clone(), end.clone())),
        jiff::Timestamp::now(),
    )?
    .remove(0);
    let written = match (output, &execution.response) {
        (Some(output), Some((_, response))) => Some(output.write(&response.body)?),
        (Some(output), None) => {
            output.discard();
            None
        }
        (None, _) => None,
    };
    let stateful = router.store_mut().is_some();
    let done = Done {
        traced: &traced,
        execution: &execution,
        end: &end,
        changes: &changes,
        written,
        stateful,
    };
    report(routed, &done, options, ui)
}

/// The `--output` file, open for writing.
struct Output<'a> {
    path: &'a Path,
    file: std::fs::File,
    /// Whether opening it created it (so a failed execution removes it).
    created: bool,
}

impl<'a> Output<'a> {
    fn open(path: &'a Path) -> Result<Output<'a>, Error> {
        // Only a regular file can be emptied and rewritten once the body is
        // in; a FIFO would block here, a device fail after the call.
        let existing = std::fs::metadata(path).ok();
        if let Some(kind) = existing.as_ref().map(std::fs::Metadata::file_type)
            && !kind.is_file()
        {
            return Err(Error::Write {
                path: path.to_path_buf(),
                reason: format!(
                    "not a regular file: it is {}; leave out --output to print the body on stdout",
                    caio_store::files::describe_file_type(kind)
                ),
            });
        }
        let created = existing.is_none();
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| Error::Write {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
        Ok(Output {
            path,
            file,
            created,
        })
    }

    /// Replaces the file's content with `body`; returns the path written.
    fn write(mut self, body: &[u8]) -> Result<String, Error> {
        use std::io::Write;
        let fail = |e: std::io::Error| Error::Write {
            path: self.path.to_path_buf(),
            reason: e.to_string(),
        };
        self.file.set_len(0).map_err(fail)?;
        self.file.write_all(body).map_err(fail)?;
        Ok(self.path.display().to_string())
    }

    /// No body came back: a file made for it goes away again.
    fn discard(self) {
        if self.created {
            drop(self.file);
            let _ = std::fs::remove_file(self.path);
        }
    }
}

/// What an execution left, for the report.
struct Done<'a> {
    traced: &'a Traced,
    execution: &'a Execution,
    end: &'a ExecutionRecord,
    changes: &'a [(String, Change)],
    /// Where the body was written (`--output`).
    written: Option<String>,
    stateful: bool,
}

fn report(
    routed: &Routed,
    done: &Done<'_>,
    options: &Options<'_>,
    ui: &mut Ui,
) -> Result<Exit, Error> {
    let Done {
        traced,
        execution,
        end,
        changes,
        stateful,
        ..
    } = *done;
    let written = done.written.clone();
    if ui.is_json() {
        let mut doc = RouteJson::new(routed, traced, options.top, true);
        doc.execution = Some(ExecutionJson {
            outcome: end.outcome,
            service_id: end.service_id.as_deref(),
            status: execution.response.as_ref().map(|(_, r)| r.status),
            reason: end.reason.as_deref(),
            deadline_ms: end.deadline_ms,
            attempts: &execution.attempts,
            output: written,
            response: match (&execution.response, options.output) {
                (Some((_, r)), None) => Some(ResponseJson::new(r)),
                _ => None,
            },
        });
        ui.json(crate::ui::Schema::Route, &doc)?;
    } else {
        if let (Some((_, response)), None) = (&execution.response, options.output) {
            ui.bytes(&response.body)?;
        }
        ui.on_stderr(|ui| {
            render(routed, traced, options.view, ui)?;
            summary(execution, written.as_deref(), ui)
        })?;
    }
    for (id, change) in changes {
        match change {
            Change::Opened { until_ms, times } => ui.warn(format_args!(
                "the circuit of {id} opened (opening #{times}) until {}: routing skips it until then",
                at(*until_ms)
            )),
            Change::Closed => ui.status(format_args!("the circuit of {id} closed again")),
        }
    }
    if !stateful {
        ui.warn(
            "no caio home: execution stats and circuit breakers are not kept (pass --home or set CAIO_HOME)",
        );
    }
    match &execution.failure {
        None => Ok(Exit::Success),
        Some(reason) => Err(Error::ExecutionFailed {
            reason: reason.clone(),
        }),
    }
}

/// The human summary: how it ended, and every attempt when there was more
/// than one or none succeeded.
fn summary(execution: &Execution, written: Option<&str>, ui: &mut Ui) -> Result<(), Error> {
    ui.line("")?;
    let n = execution.attempts.len();
    let plural = if n == 1 { "" } else { "s" };
    match (&execution.response, execution.attempts.last()) {
        (Some((id, response)), Some(last)) => {
            let to = written.map_or(String::new(), |p| format!(" · body written to {p}"));
            ui.line(format_args!(
                "executed    {id} answered {} in {} ms ({n} attempt{plural}){to}",
                response.status,
                tidy(last.latency_ms)
            ))?;
        }
        _ => ui.line(format_args!(
            "execution failed after {n} attempt{plural}: {}",
            execution
                .failure
                .as_deref()
                .unwrap_or("no attempt was made")
        ))?,
    }
    for a in execution
        .attempts
        .iter()
        .filter(|a| a.guarantee_violation.is_some())
    {
        if let Some(v) = &a.guarantee_violation {
            ui.line(format_args!(
                "guarantee   {} attempt {} took {} ms, above its p99 of {} ms",
                a.service_id,
                a.attempt,
                tidy(v.observed_ms),
                tidy(v.declared_ms)
            ))?;
        }
    }
    if n > 1 || execution.response.is_none() {
        ui.line("")?;
        attempts_table(&execution.attempts, ui)?;
    }
    Ok(())
}

/// One row per attempt: service, try, status or error, latency, and what
/// caio did next.
pub(crate) fn attempts_table(attempts: &[Attempt], ui: &mut Ui) -> Result<(), Error> {
    let mut table = ui.table(&["#", "SERVICE", "TRY", "RESULT", "MS", "NEXT"]);
    for (i, a) in attempts.iter().enumerate() {
        let mut result = a.outcome_label();
        if a.guarantee_violation.is_some() {
            result.push_str(" (>p99)");
        }
        if a.probe {
            result.push_str(" probe");
        }
        let next = match &a.next {
            Next::Done => "response used".to_string(),
            Next::Retry { after_ms, reason } => format!("retry in {after_ms} ms: {reason}"),
            Next::Failover { to, reason } => format!("failover to {to}: {reason}"),
            Next::Stop { reason } => format!("stop: {reason}"),
        };
        table.add_row(vec![
            (i + 1).to_string(),
            a.service_id.clone(),
            a.attempt.to_string(),
            result,
            tidy(a.latency_ms),
            next,
        ]);
    }
    ui.table_out(table)
}

fn tidy(ms: f64) -> String {
    format!("{ms:.1}")
}

fn at(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(caio_core::time::timestamp)
        .unwrap_or_else(|_| ms.to_string())
}

/// `execution` in the `--format json` document.
#[derive(Serialize)]
pub(super) struct ExecutionJson<'a> {
    outcome: ExecutionOutcome,
    /// The service whose response was used.
    service_id: Option<&'a str>,
    /// Its HTTP status.
    status: Option<u16>,
    reason: Option<&'a str>,
    deadline_ms: u64,
    attempts: &'a [Attempt],
    /// Where the body went (`--output`).
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<String>,
    /// The response, when not written to a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    response: Option<ResponseJson>,
}

/// A response body in JSON: as JSON when it is JSON, as text when it is
/// UTF-8, else base64.
#[derive(Serialize)]
struct ResponseJson {
    status: u16,
    content_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body_json: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body_base64: Option<String>,
}

impl ResponseJson {
    fn new(r: &gateway::Response) -> ResponseJson {
        let mut out = ResponseJson {
            status: r.status,
            content_type: r.content_type.clone(),
            body_json: None,
            body_text: None,
            body_base64: None,
        };
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&r.body) {
            out.body_json = Some(value);
        } else if let Ok(text) = std::str::from_utf8(&r.body) {
            out.body_text = Some(text.to_string());
        } else {
            out.body_base64 = Some(base64::engine::general_purpose::STANDARD.encode(&r.body));
        }
        out
    }
}
