//! `caio trace outcome`: one outcome from the command line, or a JSON
//! Lines batch; and how `trace show` presents outcomes.

use crate::app::outcome::{self as app, Reported};
use crate::app::trace::Failure;
use crate::error::{Error, Exit};
use crate::ui::{Schema, Ui};
use caio_core::canonical::display_tidy;
use caio_core::trace::Row;
use caio_core::trace::outcome::{OutcomeRecord, Report, Status};
use caio_store::Store;
use serde::{Deserialize, Serialize};
use std::io::BufRead;
use std::path::Path;

use super::{OutcomeArgs, StatusArg};

pub(super) fn run(mut store: Store, args: &OutcomeArgs, ui: &mut Ui) -> Result<Exit, Failure> {
    if let Some(path) = &args.batch {
        return batch(&mut store, path, ui).map_err(Failure::State);
    }
    let report = Report {
        status: args.status.map(|s| match s {
            StatusArg::Ok => Status::Ok,
            StatusArg::Error => Status::Error,
        }),
        latency_ms: args.latency_ms,
        input_tokens: args.input_tokens,
        output_tokens: args.output_tokens,
        error: args.error.clone(),
    };
    let id = args.id.as_deref().unwrap_or_default();
    let done = app::report(
        &mut store,
        id,
        args.service.as_deref(),
        &report,
        jiff::Timestamp::now(),
    )?;
    if ui.is_json() {
        ui.json(Schema::TraceOutcome, &done)?;
    } else {
        ui.line(format_args!(
            "outcome recorded: seq {} · {}",
            done.seq,
            summary(&done.record)
        ))?;
        if let Some(v) = &done.record.guarantee_violation {
            ui.line(format_args!(
                "guarantee   {} ms is above the contract's p99 of {} ms",
                display_tidy(v.observed_ms),
                display_tidy(v.declared_ms)
            ))?;
        }
        if let Some(change) = done.circuit {
            ui.status(format_args!(
                "the circuit of {} {change}",
                done.record.service_id
            ));
        }
    }
    Ok(Exit::Success)
}

/// One line of `trace outcome --batch`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    decision_id: String,
    status: Status,
    #[serde(default)]
    latency_ms: Option<f64>,
    #[serde(default)]
    input_tokens: Option<u64>,
    #[serde(default)]
    output_tokens: Option<u64>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    service: Option<String>,
}

/// What became of one batch line.
#[derive(Serialize)]
#[serde(untagged)]
enum LineResult {
    Recorded {
        line: usize,
        #[serde(flatten)]
        reported: Box<Reported>,
    },
    Refused {
        line: usize,
        error: Problem,
    },
}

#[derive(Serialize)]
struct Problem {
    code: String,
    message: String,
    help: Option<String>,
}

impl Problem {
    fn of(e: &dyn miette::Diagnostic) -> Problem {
        Problem {
            code: e
                .code()
                .map_or_else(|| "caio::outcome_invalid".into(), |c| c.to_string()),
            message: e.to_string(),
            help: e.help().map(|h| h.to_string()),
        }
    }

    fn new(code: &str, message: String, help: &str) -> Problem {
        Problem {
            code: code.into(),
            message,
            help: Some(help.into()),
        }
    }
}

/// Reports a JSON Lines stream, line by line (each outcome in its own
/// transaction, so a refused line leaves the others alone).
fn batch(store: &mut Store, path: &Path, ui: &mut Ui) -> Result<Exit, Error> {
    let label = path.display().to_string();
    let unreadable = |e: std::io::Error| Error::RequestUnreadable {
        path: label.clone(),
        reason: e.to_string(),
    };
    let mut input: Box<dyn BufRead> = if path.as_os_str() == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(path).map_err(unreadable)?,
        ))
    };
    let limit = caio_core::yaml::MAX_FILE_BYTES;
    let (mut refused, mut lines) = (0usize, 0usize);
    let mut buf = Vec::new();
    for n in 1.. {
        buf.clear();
        let Some((_, complete)) =
            super::super::route::read_line(&mut input, &mut buf, limit).map_err(unreadable)?
        else {
            break;
        };
        let text = std::str::from_utf8(&buf).ok();
        if complete && text.is_some_and(|t| t.trim().is_empty()) {
            continue;
        }
        lines += 1;
        let result = match (complete, text) {
            (false, _) => Err(Problem::new(
                "caio::outcome_invalid",
                format!("the line is larger than the {} MiB limit", limit >> 20),
                "an outcome is one short JSON object per line",
            )),
            (true, None) => Err(Problem::new(
                "caio::outcome_invalid",
                "the line is not UTF-8 text".into(),
                "write outcomes as UTF-8 JSON",
            )),
            (true, Some(text)) => one(store, text)?,
        };
        let doc = match result {
            Ok(reported) => LineResult::Recorded {
                line: n,
                reported: Box::new(reported),
            },
            Err(error) => {
                refused += 1;
                LineResult::Refused { line: n, error }
            }
        };
        ui.json_line(Schema::TraceOutcomeLine, &doc)?;
    }
    if refused > 0 {
        ui.warn(format_args!(
            "{refused} of {lines} outcomes were not recorded"
        ));
        return Ok(Exit::Invalid);
    }
    Ok(Exit::Success)
}

/// One batch line: recorded, or why not (a state error ends the batch).
fn one(store: &mut Store, text: &str) -> Result<Result<Reported, Problem>, Error> {
    let line: Line = match serde_json::from_str(text) {
        Ok(line) => line,
        Err(e) => {
            return Ok(Err(Problem::new(
                "caio::outcome_invalid",
                format!("not an outcome: {e}"),
                "a line is {\"decision_id\": …, \"status\": \"ok\"|\"error\", \"latency_ms\": N, …}",
            )));
        }
    };
    let report = Report {
        status: Some(line.status),
        latency_ms: line.latency_ms,
        input_tokens: line.input_tokens,
        output_tokens: line.output_tokens,
        error: line.error,
    };
    match app::report(
        store,
        &line.decision_id,
        line.service.as_deref(),
        &report,
        jiff::Timestamp::now(),
    ) {
        Ok(reported) => Ok(Ok(reported)),
        Err(Failure::Input(e)) => Ok(Err(Problem::of(&e))),
        Err(Failure::State(e)) => Err(e),
    }
}

/// `ok · openai-gpt-4o-mini 1.1.0 · 840 ms · 1200 in / 400 out tokens ·
/// cost 0.0012 USD · decision seq 3`.
fn summary(o: &OutcomeRecord) -> String {
    let mut parts = vec![
        o.status.as_str().to_string(),
        format!("{} {}", o.service_id, o.service_version),
    ];
    if let Some(ms) = o.latency_ms {
        parts.push(format!("{} ms", display_tidy(ms)));
    }
    match (o.input_tokens, o.output_tokens) {
        (None, None) => {}
        (i, out) => parts.push(format!(
            "{} in / {} out tokens",
            i.unwrap_or(0),
            out.unwrap_or(0)
        )),
    }
    if let Some(cost) = o.cost {
        parts.push(format!(
            "cost {} {}",
            display_tidy(cost),
            o.currency.as_deref().unwrap_or_default()
        ));
    }
    parts.push(format!(
        "decision seq {} ({})",
        o.decision.seq, o.decision.decision_id
    ));
    parts.join(" · ")
}

/// `trace show` of an outcome record (human; JSON prints the record).
pub(super) fn show(row: &Row, o: &OutcomeRecord, ui: &mut Ui) -> Result<Exit, Failure> {
    ui.line(format_args!(
        "seq {} · {} · outcome · record {}",
        row.seq,
        o.at,
        row.hash.chars().take(32).collect::<String>()
    ))?;
    ui.line(format_args!("reported    {}", summary(o)))?;
    if let Some(v) = &o.guarantee_violation {
        ui.line(format_args!(
            "guarantee   {} ms is above the contract's p99 of {} ms",
            display_tidy(v.observed_ms),
            display_tidy(v.declared_ms)
        ))?;
    }
    if let Some(e) = &o.error {
        ui.line(format_args!("error       {e}"))?;
    }
    ui.line(format_args!("principal   {}", o.principal))?;
    Ok(Exit::Success)
}

/// After a decision in `trace show`: the outcomes its callers reported.
pub(super) fn reported_on(store: &Store, row: &Row, ui: &mut Ui) -> Result<(), Failure> {
    let outcomes = app::outcomes_of(store, row)?;
    if !outcomes.is_empty() {
        ui.line("")?;
    }
    for (seq, service, status) in outcomes {
        ui.line(format_args!(
            "outcome     {status} · {service} · reported at seq {seq} (`caio trace show {seq}`)"
        ))?;
    }
    Ok(())
}
