//! `caio route --execute` (SPEC §8): the flags and the rendering. The use
//! case — plan, execute, stats, trace — is `app::execute`.
//!
//! Human: the answer on stdout (the text; a one-line summary of vectors;
//! the body of an `http` service or with `--raw`), or in `--output FILE`,
//! and one status line on stderr (service, protocol and model, tokens,
//! cost, latency); skipped candidates, failovers and guarantee breaches are
//! warnings, a failure lists every attempt. `--format json`: one document
//! with the decision and the execution (JSON Lines of deltas first when
//! streamed).

use super::{RouteJson, View, render};
use crate::app::execute::{self as app, Executed, Options as Run, World};
use crate::app::route::Traced;
use crate::error::{Error, Exit};
use crate::gateway::execute::{Execution, PayloadSource, Success};
use crate::gateway::http::UreqTransport;
use crate::gateway::{self, Attempt, InputFile, Next, SystemClock};
use crate::ui::{Schema, Ui};
use base64::Engine;
use caio_core::circuit::Change;
use caio_core::contract::Protocol;
use caio_core::provider::Completion;
use caio_core::request::Request;
use caio_core::routing::Routed;
use caio_core::trace::{ExecutionOutcome, ExecutionRecord, Skipped};
use caio_store::router::Router;
use serde::Serialize;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// The largest `--payload` or `--input-file` read.
const MAX_PAYLOAD_BYTES: u64 = 64 * 1024 * 1024;

pub(super) struct Options<'a> {
    pub output: Option<&'a Path>,
    pub deadline: Duration,
    pub stream: bool,
    pub raw: bool,
    pub view: View,
    /// Show the decision too (`-v`, `--explain`, `--top`).
    pub show_decision: bool,
    pub top: Option<usize>,
}

/// Reads a file given on the command line (`-` is stdin), at most 64 MiB.
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_PAYLOAD_BYTES + 1)
            .read_to_end(&mut bytes)
    } else {
        if let Ok(meta) = std::fs::metadata(path)
            && !meta.is_file()
        {
            return Err(format!(
                "not a regular file: it is {}",
                caio_store::files::describe_file_type(meta.file_type())
            ));
        }
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_PAYLOAD_BYTES + 1).read_to_end(&mut bytes))
    };
    read.map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_PAYLOAD_BYTES {
        return Err(format!(
            "larger than the {} MiB limit",
            MAX_PAYLOAD_BYTES / 1024 / 1024
        ));
    }
    Ok(bytes)
}

/// Reads `--payload FILE` (`-` is stdin).
pub(super) fn read_payload(path: &Path) -> Result<PayloadSource, Error> {
    read_bounded(path)
        .map(PayloadSource::File)
        .map_err(|reason| Error::PayloadUnreadable {
            path: path.display().to_string(),
            reason,
        })
}

/// Reads `--input-file FILE` (the audio of a transcription).
pub(super) fn read_input_file(path: &Path) -> Result<InputFile, Error> {
    let bytes = read_bounded(path).map_err(|reason| Error::InputFileUnreadable {
        path: path.display().to_string(),
        reason,
    })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty() && n != "-")
        .unwrap_or_else(|| "input".to_string());
    Ok(InputFile { name, bytes })
}

/// Executes a routed request and reports it.
pub(super) fn run(
    router: &mut Router,
    request: &Request,
    routed: &Routed,
    payload: PayloadSource,
    input_file: Option<InputFile>,
    options: &Options<'_>,
    ui: &mut Ui,
) -> Result<Exit, Error> {
    // `--output` is opened before anything is sent, so an answer that was
    // paid for is never lost to an unwritable path.
    let mut output = match options.output.map(Output::open).transpose() {
        Ok(output) => output,
        Err(e) => {
            app::not_started(
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
    let run = Run {
        payload,
        input_file,
        stream: options.stream,
        raw: options.raw,
        deadline: options.deadline,
    };
    let env = |name: &str| std::env::var_os(name);
    let transport = UreqTransport::new();
    let clock = SystemClock::start();
    let world = World {
        transport: &transport,
        clock: &clock,
        env: &env,
    };
    let json = ui.is_json();
    let mut last_byte = None;
    let executed = {
        let mut sink = |bytes: &[u8]| -> std::io::Result<()> {
            last_byte = bytes.last().copied().or(last_byte);
            match output.as_mut() {
                Some(out) => out.file.write_all(bytes),
                None if json => {
                    let line = DeltaLine {
                        delta: &String::from_utf8_lossy(bytes),
                    };
                    ui.json_line(Schema::RouteDelta, &line)
                        .map_err(std::io::Error::other)
                }
                None => ui.bytes(bytes).map_err(std::io::Error::other),
            }
        };
        app::run(router, request, routed, &run, &world, &mut sink)
    };
    let executed = match executed {
        Ok(e) => e,
        Err(e) => {
            // Nothing was sent: a file made for the answer goes.
            if let Some(output) = output {
                output.discard();
            }
            return Err(e);
        }
    };
    let streamed = options.stream && executed.execution.delivered > 0;
    // A streamed answer ends its line on a terminal.
    if streamed && options.output.is_none() && !json && !options.raw && last_byte != Some(b'\n') {
        ui.bytes(b"\n")?;
    }
    let written = match (output, &executed.execution.success) {
        (Some(output), Some(success)) if !streamed => {
            Some(output.write(&answer_bytes(success, options.raw))?)
        }
        (Some(output), _) if streamed => Some(output.keep()),
        (Some(output), _) => {
            output.discard();
            None
        }
        (None, _) => None,
    };
    let explained = super::explained(options.view.explain, router, request, routed)?;
    report(
        routed,
        &executed,
        explained.as_ref(),
        written,
        streamed,
        options,
        ui,
    )
}

#[derive(Serialize)]
struct DeltaLine<'a> {
    delta: &'a str,
}

/// What stdout (or `--output`) gets for an answer: the body of an `http`
/// service or with `--raw`; the text; the vectors as JSON.
fn answer_bytes(success: &Success, raw: bool) -> Vec<u8> {
    match (
        &success.completion,
        raw || success.protocol == Protocol::Http,
    ) {
        (
            Some(Completion {
                embeddings: Some(vectors),
                ..
            }),
            false,
        ) => serde_json::to_vec(vectors).unwrap_or_default(),
        (
            Some(Completion {
                text: Some(text), ..
            }),
            false,
        ) => text.as_bytes().to_vec(),
        _ => success.response.body.clone(),
    }
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
                    "not a regular file: it is {}; leave out --output to print the answer on stdout",
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
        let fail = |e: std::io::Error| Error::Write {
            path: self.path.to_path_buf(),
            reason: e.to_string(),
        };
        self.file.set_len(0).map_err(fail)?;
        self.file.write_all(body).map_err(fail)?;
        Ok(self.path.display().to_string())
    }

    /// A streamed answer is in already (as much of it as came).
    fn keep(self) -> String {
        self.path.display().to_string()
    }

    /// No answer came back: a file made for it goes away again.
    fn discard(self) {
        if self.created {
            drop(self.file);
            let _ = std::fs::remove_file(self.path);
        }
    }
}

fn report(
    routed: &Routed,
    executed: &Executed,
    explained: Option<&super::Explained>,
    written: Option<String>,
    streamed: bool,
    options: &Options<'_>,
    ui: &mut Ui,
) -> Result<Exit, Error> {
    let Executed {
        execution,
        end,
        traced,
        changes,
        stateful,
    } = executed;
    if ui.is_json() {
        let mut doc = RouteJson::new(routed, traced, options.top, true);
        if let Some(e) = explained {
            doc.explain(&e.explanation);
        }
        doc.execution = Some(ExecutionJson::new(
            execution, end, written, options, streamed,
        ));
        if options.stream {
            ui.json_line(Schema::Route, &doc)?;
        } else {
            ui.json(Schema::Route, &doc)?;
        }
    } else {
        if let (Some(success), None, false) = (&execution.success, options.output, streamed) {
            print_answer(success, options.raw, ui)?;
        }
        if options.show_decision {
            ui.on_stderr(|ui| {
                render(routed, traced, options.view, explained, ui)?;
                ui.line("")
            })?;
        }
        notes(routed, execution, &end.skipped, ui);
        ui.on_stderr(|ui| summary(execution, traced, written.as_deref(), ui))?;
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

/// The answer on stdout.
fn print_answer(success: &Success, raw: bool, ui: &mut Ui) -> Result<(), Error> {
    match (
        &success.completion,
        raw || success.protocol == Protocol::Http,
    ) {
        (
            Some(Completion {
                embeddings: Some(vectors),
                ..
            }),
            false,
        ) => {
            let dims = vectors.first().map_or(0, Vec::len);
            ui.line(format_args!(
                "{} vector{} of {dims} dimension{} (--output FILE or --format json for the numbers)",
                vectors.len(),
                if vectors.len() == 1 { "" } else { "s" },
                if dims == 1 { "" } else { "s" },
            ))
        }
        (
            Some(Completion {
                text: Some(text), ..
            }),
            false,
        ) => {
            ui.bytes(text.as_bytes())?;
            if !text.ends_with('\n') {
                ui.bytes(b"\n")?;
            }
            Ok(())
        }
        _ => ui.bytes(&success.response.body),
    }
}

/// Warnings on stderr: the probe, candidates skipped, services given up
/// with what they said, guarantees broken.
fn notes(routed: &Routed, execution: &Execution, skipped: &[Skipped], ui: &mut Ui) {
    if let Some(c) = routed.decision.chosen.first().filter(|c| c.probe) {
        ui.warn(format_args!(
            "panic guard: every otherwise-eligible service's circuit is open; half-open probe of {}",
            c.service_id
        ));
    }
    for s in skipped {
        ui.warn(format_args!("skipped {}: {}", s.service_id, s.reason));
    }
    let failed = execution.failure.is_some();
    for a in &execution.attempts {
        if let (false, Next::Failover { to, reason }) = (failed, &a.next) {
            ui.warn(format_args!(
                "{} gave up after {} attempt{}: {reason}; failover to {to}",
                a.service_id,
                a.attempt,
                if a.attempt == 1 { "" } else { "s" }
            ));
        }
        if let Some(v) = &a.guarantee_violation {
            ui.warn(format_args!(
                "guarantee: {} attempt {} took {} ms, above its p99 of {} ms",
                a.service_id,
                a.attempt,
                tidy(v.observed_ms),
                tidy(v.declared_ms)
            ));
        }
        if let Some(v) = &a.cost_violation {
            ui.warn(format_args!(
                "guarantee: {} attempt {} cost {}, above the request's max_cost of {}",
                a.service_id,
                a.attempt,
                money(v.cost),
                money(v.max_cost)
            ));
        }
    }
}

/// The status line, and for a failure every attempt.
fn summary(
    execution: &Execution,
    traced: &Traced,
    written: Option<&str>,
    ui: &mut Ui,
) -> Result<(), Error> {
    let n = execution.attempts.len();
    let plural = if n == 1 { "" } else { "s" };
    match &execution.success {
        Some(s) => {
            let mut line = format!(
                "executed    {} answered {} in {} ms ({n} attempt{plural})",
                s.service_id,
                s.response.status,
                tidy(s.latency_ms)
            );
            if let Some(model) = &s.model {
                line.push_str(&format!(" · {} {model}", s.protocol.as_str()));
            }
            let c = s.completion.as_ref();
            if let Some(u) = c.and_then(|c| c.usage) {
                line.push_str(&format!(
                    " · tokens {} in, {} out",
                    u.input_tokens, u.output_tokens
                ));
            }
            line.push_str(&format!(" · cost {} {}", money(s.cost), s.currency));
            if let Some(ttft) = s.ttft_ms {
                line.push_str(&format!(" · first token {} ms", tidy(ttft)));
            }
            if let Some(reason) = c.and_then(|c| c.finish_reason) {
                line.push_str(&format!(" · finish {}", reason.as_str()));
            }
            if let Some(p) = written {
                line.push_str(&format!(" · written to {p}"));
            }
            if let Some(t) = &traced.trace {
                line.push_str(&format!(" · trace seq {}", t.seq));
            }
            ui.line(line)?;
        }
        None => {
            ui.line(format_args!(
                "execution failed after {n} attempt{plural}: {}",
                execution
                    .failure
                    .as_deref()
                    .unwrap_or("no attempt was made")
            ))?;
            if execution.delivered > 0 {
                ui.line(format_args!(
                    "delivered   {} byte{} of the answer before the stream broke{}",
                    execution.delivered,
                    if execution.delivered == 1 { "" } else { "s" },
                    written.map_or(String::new(), |p| format!(" (kept in {p})"))
                ))?;
            }
            ui.line("")?;
            attempts_table(&execution.attempts, ui)?;
        }
    }
    Ok(())
}

/// One row per attempt: service, try, status or error, latency, and what
/// caio did next.
pub(crate) fn attempts_table(attempts: &[Attempt], ui: &mut Ui) -> Result<(), Error> {
    let mut table = ui.table(&[
        "#", "SERVICE", "TRY", "RESULT", "MS", "TOKENS", "COST", "NEXT",
    ]);
    for (i, a) in attempts.iter().enumerate() {
        let mut result = a.outcome_label();
        if a.guarantee_violation.is_some() {
            result.push_str(" (>p99)");
        }
        if a.cost_violation.is_some() {
            result.push_str(" (>max_cost)");
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
            a.usage.map_or("-".into(), |u| {
                format!("{}/{}", u.input_tokens, u.output_tokens)
            }),
            a.cost.map_or("-".into(), money),
            next,
        ]);
    }
    ui.table_out(table)
}

pub(crate) fn tidy(ms: f64) -> String {
    format!("{ms:.1}")
}

/// A price or cost, with the digits small token prices need.
pub(crate) fn money(x: f64) -> String {
    let s = format!("{x:.8}");
    let s = s.trim_end_matches('0');
    let s = s.strip_suffix('.').unwrap_or(s);
    if s.is_empty() {
        "0".into()
    } else {
        s.to_string()
    }
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
    /// The service whose answer was used.
    service_id: Option<&'a str>,
    protocol: Option<Protocol>,
    /// The contract's `endpoint.model`.
    model: Option<&'a str>,
    /// Its HTTP status.
    status: Option<u16>,
    reason: Option<&'a str>,
    deadline_ms: u64,
    attempts: &'a [Attempt],
    /// Candidates not tried, and why.
    skipped: &'a [Skipped],
    /// The normalised answer (provider protocols).
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<ResultJson<'a>>,
    /// Where the answer went (`--output`).
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<String>,
    /// The provider's body (`http` services, or `--raw`), when not written to a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    response: Option<ResponseJson>,
    /// Bytes streamed (`--stream`).
    #[serde(skip_serializing_if = "Option::is_none")]
    delivered_bytes: Option<u64>,
}

impl<'a> ExecutionJson<'a> {
    fn new(
        execution: &'a Execution,
        end: &'a ExecutionRecord,
        written: Option<String>,
        options: &Options<'_>,
        streamed: bool,
    ) -> ExecutionJson<'a> {
        let success = execution.success.as_ref();
        let raw_wanted = success.is_some_and(|s| options.raw || s.protocol == Protocol::Http);
        ExecutionJson {
            outcome: end.outcome,
            service_id: end.service_id.as_deref(),
            protocol: success.map(|s| s.protocol),
            model: success.and_then(|s| s.model.as_deref()),
            status: success.map(|s| s.response.status),
            reason: end.reason.as_deref(),
            deadline_ms: end.deadline_ms,
            attempts: &execution.attempts,
            skipped: &end.skipped,
            result: success
                .filter(|s| s.completion.is_some())
                .map(ResultJson::new),
            output: written,
            response: match (success, options.output) {
                (Some(s), None) if raw_wanted && !streamed => Some(ResponseJson::new(&s.response)),
                _ => None,
            },
            delivered_bytes: options.stream.then_some(execution.delivered),
        }
    }
}

/// The normalised result (SPEC §8).
#[derive(Serialize)]
struct ResultJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    embeddings: Option<&'a [Vec<f64>]>,
    finish_reason: Option<&'static str>,
    usage: Option<caio_core::provider::Usage>,
    /// In the contract's currency.
    cost: f64,
    currency: &'a str,
    /// The cost again when the currency is USD.
    #[serde(skip_serializing_if = "Option::is_none")]
    cost_usd: Option<f64>,
    latency_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    ttft_ms: Option<f64>,
    /// The model that answered, as the provider named it.
    model: Option<&'a str>,
}

impl<'a> ResultJson<'a> {
    fn new(s: &'a Success) -> ResultJson<'a> {
        let c = s.completion.as_ref();
        ResultJson {
            text: c.and_then(|c| c.text.as_deref()),
            embeddings: c.and_then(|c| c.embeddings.as_deref()),
            finish_reason: c.and_then(|c| c.finish_reason).map(|f| f.as_str()),
            usage: c.and_then(|c| c.usage),
            cost: s.cost,
            currency: &s.currency,
            cost_usd: (s.currency == "USD").then_some(s.cost),
            latency_ms: s.latency_ms,
            ttft_ms: s.ttft_ms,
            model: c.and_then(|c| c.model.as_deref()).or(s.model.as_deref()),
        }
    }
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
