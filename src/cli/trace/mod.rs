//! `caio trace show|list|verify|replay|checkpoint|outcome|export`.

mod html;
mod outcome;

use super::route::{Explained, View, attempts_table, money, render};
use super::{GlobalArgs, open_store_existing, resolve_home};
use crate::app::retention::{self, Through};
use crate::app::route::Traced;
use crate::app::trace::{self as app, Failure, TraceError, find, parse_record};
use crate::error::{Error, Exit};
use crate::ui::{Schema, Ui};
use caio_core::routing::{Identity, Outcome, Routed};
use caio_core::trace::{self, Break, ExecutionOutcome, ExecutionRecord, Row};
use caio_store::Store;
use caio_store::home::Home;
use caio_store::traces::{Appended, TraceFilter};
use clap::Subcommand;
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum TraceCommand {
    /// Show one decision record: by decision id (or a unique prefix) or seq;
    /// `--format html` prints a self-contained page of it
    Show {
        /// A decision id (or a unique prefix of it), or a seq (`caio trace list` shows both)
        #[arg(
            value_name = "DECISION_ID|SEQ",
            add = clap_complete::ArgValueCandidates::new(super::complete::decisions)
        )]
        id: String,
        /// Also every stage that would reject each candidate and what the
        /// principal lacks, recomputed from the record's inputs (as `caio
        /// route --explain` shows them); with `--format json`, the
        /// recomputed decision with every candidate under `explanation`
        #[arg(long)]
        explain: bool,
    },

    /// List decision records, newest first
    List {
        #[command(flatten)]
        filter: FilterArgs,
        /// At most this many records
        #[arg(long, value_name = "N", default_value_t = 50)]
        limit: usize,
    },

    /// Count decisions by service, capability, principal, tenant, stage,
    /// rule, outcome or execution, with the filters of `trace list`
    Stats {
        /// What to count decisions by
        #[arg(long, value_enum, default_value_t = ByArg::Outcome)]
        by: ByArg,
        #[command(flatten)]
        filter: FilterArgs,
    },

    /// Recompute the whole chain and check every checkpoint; exit 1 on any break
    Verify {
        /// Start at this seq, trusting the link into it
        #[arg(long, value_name = "SEQ", default_value_t = 1,
              value_parser = clap::value_parser!(i64).range(1..))]
        from: i64,
        /// A checkpoint kept outside the database (repeatable)
        #[arg(long = "checkpoint", value_name = "FILE")]
        checkpoints: Vec<PathBuf>,
        /// An archive `caio trace prune` wrote (repeatable): checked, with
        /// its continuity into the live chain and the other archives
        #[arg(long = "archive", value_name = "FILE")]
        archives: Vec<PathBuf>,
        /// The instance's verifier key (`caio trace checkpoint` prints it) [default: keys/instance.pub in the home]
        #[arg(long, value_name = "FILE")]
        public_key: Option<PathBuf>,
        /// Also replay every decision from its stored inputs and fail on one
        /// that differs
        #[arg(long)]
        replay: bool,
    },

    /// Re-run the routing of a stored decision from its stored inputs; exit 1 if it differs
    Replay {
        /// A decision id (or a unique prefix of it), or a seq (`caio trace list` shows both)
        #[arg(
            value_name = "DECISION_ID|SEQ",
            add = clap_complete::ArgValueCandidates::new(super::complete::decisions)
        )]
        id: String,
    },

    /// Sign the current head of the chain (a C2SP signed note) and store it
    Checkpoint {
        /// Also write the signed note to this file (keep it off the host)
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },

    /// Make a new instance key on purpose, when keys/instance.key is lost or
    /// exposed; earlier checkpoints keep verifying with the old public key
    Rekey,

    /// Archive and remove old records; the live chain keeps verifying from
    /// the last one removed
    #[command(after_help = PRUNE_HELP)]
    Prune {
        /// Prune every live record up to and including this seq
        #[arg(long, value_name = "SEQ", required_unless_present = "older_than",
              conflicts_with = "older_than", value_parser = clap::value_parser!(i64).range(1..))]
        through: Option<i64>,
        /// Prune the records older than this age (90d, 12h, 2w), up to the
        /// first one that is not
        #[arg(long, value_name = "AGE", value_parser = parse_age)]
        older_than: Option<jiff::SignedDuration>,
        /// The archive to write first (a new file, in the export format)
        #[arg(long, value_name = "FILE")]
        archive: PathBuf,
    },

    /// Report how a call caio routed went, when your code made it: appends
    /// an outcome record and updates the service's stats as an executed
    /// attempt does
    #[command(after_help = OUTCOME_HELP)]
    Outcome(OutcomeArgs),

    /// Print the chain as JSON Lines: every trace object the records reference
    /// ({"type":"object","kind","hash","body"}), then each record
    /// ({"type":"record","seq","prev","hash","record"})
    Export {
        /// From this time on (RFC 3339, or a date: YYYY-MM-DD)
        #[arg(long, value_name = "T", value_parser = parse_time)]
        since: Option<String>,
    },
}

const PRUNE_HELP: &str = "\
Pruning needs a chain that verifies and a signed checkpoint at or after the last record \
pruned (`caio trace checkpoint`). The records, the objects they reference and that \
checkpoint are written to the archive, which is synced and read back; only then are they \
removed, in one transaction. The live chain keeps an anchor (the last pruned record's seq \
and hash) and verifies from it; `caio trace verify --archive FILE…` checks the archives and \
their continuity with the live chain. Metrics counters keep what the pruned records counted.";

/// An age: a whole number and a unit (`h` hours, `d` days, `w` weeks).
fn parse_age(s: &str) -> Result<jiff::SignedDuration, String> {
    let bad = || format!("`{s}` is not an age: use a number and h, d or w (90d, 12h, 2w)");
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
    let n: i64 = n.parse().map_err(|_| bad())?;
    let hours = match unit {
        "h" => 1,
        "d" => 24,
        "w" => 24 * 7,
        _ => return Err(bad()),
    };
    n.checked_mul(hours)
        .and_then(|h| h.checked_mul(3600))
        .map(jiff::SignedDuration::from_secs)
        .filter(|d| !d.is_zero())
        .ok_or_else(bad)
}

const OUTCOME_HELP: &str = "\
A batch (--batch FILE, `-` for stdin) has one JSON object per line:
  {\"decision_id\": \"3a5f…\", \"status\": \"ok\", \"latency_ms\": 840, \"input_tokens\": 1200,
   \"output_tokens\": 400, \"error\": \"…\", \"service\": \"…\"}
and each output line says what became of it; a line that is refused does not
stop the others (exit 1 when any was refused).";

/// `caio trace outcome`.
#[derive(Debug, clap::Args)]
pub struct OutcomeArgs {
    /// The decision the call was routed by: its id, a unique prefix, or its seq
    #[arg(
        value_name = "DECISION_ID",
        required_unless_present = "batch",
        conflicts_with = "batch"
    )]
    id: Option<String>,
    /// How the call went
    #[arg(
        long,
        value_enum,
        required_unless_present = "batch",
        conflicts_with = "batch"
    )]
    status: Option<StatusArg>,
    /// How long the call took, in ms (required with `--status ok`)
    #[arg(long, value_name = "N", conflicts_with = "batch")]
    latency_ms: Option<f64>,
    /// Input tokens the service counted (for the spend)
    #[arg(long, value_name = "N", conflicts_with = "batch")]
    input_tokens: Option<u64>,
    /// Output tokens the service counted (for the spend)
    #[arg(long, value_name = "N", conflicts_with = "batch")]
    output_tokens: Option<u64>,
    /// What went wrong (with `--status error`; masked and cut to 500 bytes)
    #[arg(long, value_name = "TEXT", conflicts_with = "batch")]
    error: Option<String>,
    /// The service called, for a chain's step (one outcome per service)
    #[arg(long, value_name = "S", conflicts_with = "batch")]
    service: Option<String>,
    /// Read outcomes as JSON Lines from FILE (`-`: stdin), one per line
    #[arg(long, value_name = "FILE")]
    batch: Option<PathBuf>,
}

/// The filters of `trace list` and `trace stats`: a decision must match
/// every one given.
#[derive(Debug, clap::Args)]
pub struct FilterArgs {
    /// Only decisions that chose this service
    #[arg(long, value_name = "S")]
    service: Option<String>,
    /// Only this outcome
    #[arg(long, value_enum, value_name = "OUTCOME")]
    outcome: Option<OutcomeArg>,
    /// Only decisions this principal asked for (`anonymous`, `(refused)`)
    #[arg(long, value_name = "P")]
    principal: Option<String>,
    /// Only decisions of this tenant's principals
    #[arg(long, value_name = "T")]
    tenant: Option<String>,
    /// Only decisions that asked for this capability (any step of a chain)
    #[arg(long, value_name = "C")]
    capability: Option<String>,
    /// Only decisions where this stage rejected a candidate first
    #[arg(long, value_enum, value_name = "STAGE")]
    stage: Option<StageArg>,
    /// Only decisions where this rule rejected a candidate (a policy rule's
    /// id, or a built-in check such as min_trust or max_data_class)
    #[arg(long, value_name = "R")]
    rule: Option<String>,
    /// Only decisions whose call went so: through `--execute`, or as its
    /// caller reported it (`trace outcome`)
    #[arg(long, value_enum, value_name = "HOW")]
    executed: Option<ExecutedArg>,
    /// From this time on (RFC 3339, or a date: YYYY-MM-DD)
    #[arg(long, value_name = "T", value_parser = parse_time)]
    since: Option<String>,
    /// Before this time (RFC 3339, or a date: YYYY-MM-DD)
    #[arg(long, value_name = "T", value_parser = parse_time)]
    until: Option<String>,
}

impl FilterArgs {
    fn filter(self, limit: Option<usize>) -> TraceFilter {
        use caio_core::trace::term;
        let mut terms = Vec::new();
        let mut add = |kind: &'static str, value: Option<String>| {
            if let Some(v) = value {
                terms.push((kind, v));
            }
        };
        add(term::SERVICE, self.service);
        add(term::OUTCOME, self.outcome.map(|o| o.as_str().to_string()));
        add(term::PRINCIPAL, self.principal);
        add(term::TENANT, self.tenant);
        add(term::CAPABILITY, self.capability);
        add(term::STAGE, self.stage.map(|s| s.as_str().to_string()));
        add(term::RULE, self.rule);
        add(
            term::EXECUTED,
            self.executed.map(|e| {
                match e {
                    ExecutedArg::Ok => "ok",
                    ExecutedArg::Failed => "failed",
                }
                .to_string()
            }),
        );
        TraceFilter {
            terms,
            since: self.since,
            until: self.until,
            limit,
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ExecutedArg {
    /// The call succeeded
    Ok,
    /// The call failed (or `--execute` could not start it)
    Failed,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum StageArg {
    Status,
    Capability,
    Access,
    Privacy,
    Policy,
    Requirement,
    Preference,
    Control,
}

impl StageArg {
    fn as_str(self) -> &'static str {
        match self {
            StageArg::Status => "status",
            StageArg::Capability => "capability",
            StageArg::Access => "access",
            StageArg::Privacy => "privacy",
            StageArg::Policy => "policy",
            StageArg::Requirement => "requirement",
            StageArg::Preference => "preference",
            StageArg::Control => "control",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ByArg {
    Service,
    Capability,
    Principal,
    Tenant,
    Stage,
    Rule,
    Outcome,
    Executed,
}

impl ByArg {
    fn term(self) -> &'static str {
        use caio_core::trace::term;
        match self {
            ByArg::Service => term::SERVICE,
            ByArg::Capability => term::CAPABILITY,
            ByArg::Principal => term::PRINCIPAL,
            ByArg::Tenant => term::TENANT,
            ByArg::Stage => term::STAGE,
            ByArg::Rule => term::RULE,
            ByArg::Outcome => term::OUTCOME,
            ByArg::Executed => term::EXECUTED,
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum StatusArg {
    /// The service answered and the answer was used
    Ok,
    /// The call failed
    Error,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum OutcomeArg {
    Routed,
    #[value(name = "no_route")]
    NoRoute,
    Refused,
}

impl OutcomeArg {
    fn as_str(self) -> &'static str {
        match self {
            OutcomeArg::Routed => "routed",
            OutcomeArg::NoRoute => "no_route",
            OutcomeArg::Refused => "refused",
        }
    }
}

/// A time as stored (RFC 3339 UTC, whole seconds), from RFC 3339 or a date.
fn parse_time(s: &str) -> Result<String, String> {
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Ok(caio_core::time::timestamp(ts));
    }
    match s.parse::<jiff::civil::Date>() {
        Ok(date) => date
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| caio_core::time::timestamp(z.timestamp()))
            .map_err(|e| e.to_string()),
        Err(_) => Err(format!(
            "`{s}` is not a time: use RFC 3339 (2026-11-21T09:30:00Z) or a date (2026-11-21)"
        )),
    }
}

pub fn run(cmd: TraceCommand, global: &GlobalArgs, ui: &mut Ui) -> Result<Exit, Error> {
    let store = open_store_existing(global)?;
    let result = match cmd {
        TraceCommand::Show { id, explain } => show(&store, &id, explain, ui),
        TraceCommand::List { filter, limit } => list(&store, &filter.filter(Some(limit)), ui),
        TraceCommand::Stats { by, filter } => stats(&store, by, &filter.filter(None), ui),
        TraceCommand::Verify {
            from,
            checkpoints,
            archives,
            public_key,
            replay,
        } => verify(
            &store,
            &resolve_home(global)?,
            &app::VerifyOptions {
                from,
                files: &checkpoints,
                archives: &archives,
                public_key: public_key.as_deref(),
                replay,
            },
            ui,
        ),
        TraceCommand::Prune {
            through,
            older_than,
            archive,
        } => prune(
            store,
            &resolve_home(global)?,
            match (through, older_than) {
                (Some(seq), _) => Through::Seq(seq),
                (None, Some(age)) => Through::OlderThan(age),
                (None, None) => Through::Seq(0),
            },
            &archive,
            ui,
        ),
        TraceCommand::Replay { id } => replay(&store, &id, ui),
        TraceCommand::Checkpoint { out } => {
            checkpoint(store, &resolve_home(global)?, out.as_deref(), ui)
        }
        TraceCommand::Rekey => rekey(store, &resolve_home(global)?, ui),
        TraceCommand::Outcome(args) => outcome::run(store, &args, ui),
        TraceCommand::Export { since } => export(&store, since.as_deref(), ui),
    };
    match result {
        Ok(exit) => Ok(exit),
        Err(Failure::State(e)) => Err(e),
        Err(Failure::Input(e)) => {
            ui.error(&e);
            Ok(Exit::Invalid)
        }
    }
}

#[derive(Serialize)]
struct ShowJson<'a> {
    seq: i64,
    decision_id: String,
    prev: &'a str,
    hash: &'a str,
    record: &'a serde_json::value::RawValue,
    /// With --explain: the decision recomputed from the record's inputs, as
    /// `caio route --format json --explain` prints it.
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<super::route::RouteJson<'a>>,
}

fn show(store: &Store, id: &str, explain: bool, ui: &mut Ui) -> Result<Exit, Failure> {
    let row = find(store, id)?;
    if ui.is_json() {
        let record: &serde_json::value::RawValue =
            serde_json::from_str(&row.record).map_err(|e| TraceError::Record {
                seq: row.seq,
                reason: e.to_string(),
            })?;
        let hash = trace::unhex32(&row.hash).unwrap_or(trace::GENESIS);
        let traced = Traced {
            decision_id: trace::decision_id(&hash),
            trace: Some(Appended { seq: row.seq, hash }),
        };
        // With --explain only: the decision recomputed from the inputs.
        let rebuilt = match explain {
            true => match recomputed(store, &row, &app::parse_decision(&row)?, true)? {
                Ok(rebuilt) => Some(rebuilt),
                Err(reason) => {
                    return Err(TraceError::Unexplained {
                        seq: row.seq,
                        reason,
                    }
                    .into());
                }
            },
            false => None,
        };
        let explanation = rebuilt.as_ref().map(|(routed, explanation)| {
            let mut doc = super::route::RouteJson::new(routed, &traced, None, true);
            if let Some(e) = explanation {
                doc.explain(e);
            }
            doc
        });
        ui.json(
            Schema::TraceShow,
            &ShowJson {
                seq: row.seq,
                decision_id: row.hash.chars().take(32).collect(),
                prev: &row.prev,
                hash: &row.hash,
                record,
                explanation,
            },
        )?;
        return Ok(Exit::Success);
    }
    let record = match parse_record(&row)? {
        app::Record::Decision(stored) => stored,
        app::Record::Outcome(o) if explain || ui.format == crate::ui::Format::Html => {
            return Err(TraceError::NotADecision {
                seq: row.seq,
                decision: o.decision.decision_id,
            }
            .into());
        }
        app::Record::Outcome(o) => return outcome::show(&row, &o, ui),
    };
    if ui.format == crate::ui::Format::Html {
        return html_page(store, &row, &record, ui);
    }
    let hash = trace::unhex32(&row.hash).unwrap_or(trace::GENESIS);
    let executed = match record.execution() {
        Some(e) => format!(" · execution {}", execution_word(e.outcome)),
        None => String::new(),
    };
    // Recomputed before anything is printed: a store that fails mid-way
    // leaves no half-shown record.
    let recomputed = recomputed(store, &row, &record, explain)?;
    ui.line(format_args!(
        "seq {} · {} · {}{executed} · decision {}",
        row.seq,
        record.at(),
        record.outcome().as_str(),
        trace::decision_id(&hash)
    ))?;
    if !record.redacted().is_empty() {
        ui.line(format_args!("redacted    {}", record.redacted().join(", ")))?;
    }
    let (routed, explanation) = match recomputed {
        Ok(recomputed) => recomputed,
        Err(reason) => {
            let app::Stored::V2(r) = &record else {
                return Err(TraceError::Unexplained {
                    seq: row.seq,
                    reason,
                }
                .into());
            };
            for (i, step) in r.decision.steps.iter().enumerate() {
                ui.line(format_args!(
                    "step {}      {}/{} services eligible",
                    i + 1,
                    step.eligible,
                    step.candidates
                ))?;
            }
            for c in &r.decision.chosen {
                ui.line(format_args!(
                    "chosen      {} {} (score {:.4})",
                    c.service_id, c.service_version, c.score
                ))?;
            }
            ui.warn(format_args!(
                "the per-candidate explanation cannot be recomputed: {reason}; \
                 shown as recorded"
            ));
            if let Some(e) = record.execution() {
                show_execution(e, record.attempts(), ui)?;
            }
            outcome::reported_on(store, &row, ui)?;
            return Ok(Exit::Success);
        }
    };
    let traced = Traced {
        decision_id: trace::decision_id(&hash),
        trace: Some(Appended { seq: row.seq, hash }),
    };
    if routed.decision.outcome == Outcome::Refused {
        ui.line("refused: authentication failed")?;
    }
    // The hints say how to change the inputs: a simulated principal came
    // from --contracts and --principal files, every other from a home.
    let home = !matches!(routed.identity, Identity::Simulated { .. });
    let explained = explanation.map(|explanation| Explained {
        explanation,
        registry: home,
        tokens: home,
    });
    render(
        &routed,
        &traced,
        View {
            explain: true,
            top: None,
            dry_run: false,
        },
        explained.as_ref(),
        ui,
    )?;
    if let Some(e) = record.execution() {
        show_execution(e, record.attempts(), ui)?;
    }
    outcome::reported_on(store, &row, ui)?;
    Ok(Exit::Success)
}

/// A stored decision, with what `--explain` shows beyond it when asked.
type Recomputed = (Routed, Option<caio_core::routing::explain::Explanation>);

/// The decision of a stored record with what `--explain` shows beyond it
/// (when `explain`): a v1 record's decision as recorded, a v2 record's
/// recomputed from its inputs. `Err` says why a v2 record's cannot be:
/// inputs no longer stored, or inputs that no longer reproduce the
/// recorded decision (never shown as if they did).
fn recomputed(
    store: &Store,
    row: &Row,
    stored: &app::Stored,
    explain: bool,
) -> Result<Result<Recomputed, String>, Failure> {
    let purpose = match explain {
        true => app::Purpose::Explain,
        false => app::Purpose::Show,
    };
    let rebuilt = app::rebuild(store, stored, purpose)?;
    let app::Stored::V1(r) = stored else {
        return Ok(match rebuilt {
            Ok(rebuilt) if rebuilt.identical => Ok((rebuilt.routed, rebuilt.explanation)),
            Ok(rebuilt) => Err(format!(
                "its stored inputs no longer reproduce the recorded decision ({}); \
                 run `caio trace replay {}`",
                rebuilt.differences.join("; "),
                row.seq
            )),
            Err(missing) => Err(format!("missing {}", missing.join("; "))),
        });
    };
    // A v1 record holds its whole decision: shown as recorded, explained
    // only by a recomputation that reproduces it.
    let rebuilt = rebuilt.ok();
    let explanation = rebuilt
        .as_ref()
        .filter(|b| b.identical)
        .and_then(|b| b.explanation.clone());
    let r = (**r).clone();
    let routed = Routed {
        decision: r.decision,
        identity: r.identity,
        policy_set: r.policy_set,
        policy_rules: rebuilt.map_or(0, |b| b.routed.policy_rules),
        contracts: r.contracts.into(),
        stats: r.stats,
        decided_at_ms: None,
        notes: Vec::new(),
    };
    Ok(Ok((routed, explanation)))
}

fn execution_word(outcome: ExecutionOutcome) -> &'static str {
    match outcome {
        ExecutionOutcome::Succeeded => "succeeded",
        ExecutionOutcome::Failed => "failed",
        ExecutionOutcome::NotStarted => "not started",
    }
}

/// What `--execute` did: how it ended, who was skipped, every attempt.
fn show_execution(
    e: &ExecutionRecord,
    attempts: &[caio_core::attempt::Attempt],
    ui: &mut Ui,
) -> Result<(), Error> {
    ui.line("")?;
    let mut line = format!("execution   {}", execution_word(e.outcome));
    if let Some(id) = &e.service_id {
        line.push_str(&format!(": {id} answered"));
    }
    if let Some(reason) = &e.reason {
        line.push_str(&format!(": {reason}"));
    }
    line.push_str(&format!(
        " · {} attempt{} · deadline {} ms",
        attempts.len(),
        if attempts.len() == 1 { "" } else { "s" },
        e.deadline_ms
    ));
    if e.stream {
        line.push_str(" · streamed");
    }
    ui.line(line)?;
    if let Some(a) = attempts
        .iter()
        .rev()
        .find(|a| a.next == caio_core::attempt::Next::Done)
    {
        let mut used = format!("  answer    {}", a.service_id);
        if let (Some(p), Some(m)) = (a.protocol, &a.model) {
            used.push_str(&format!(" · {} {m}", p.as_str()));
        }
        if let Some(u) = a.usage {
            used.push_str(&format!(
                " · tokens {} in, {} out",
                u.input_tokens, u.output_tokens
            ));
        }
        if let Some(c) = a.cost {
            used.push_str(&format!(" · cost {}", money(c)));
        }
        used.push_str(&format!(" · {:.1} ms", a.latency_ms));
        if let Some(t) = a.ttft_ms {
            used.push_str(&format!(" · first token {t:.1} ms"));
        }
        if let Some(f) = a.finish_reason {
            used.push_str(&format!(" · finish {}", f.as_str()));
        }
        ui.line(used)?;
    }
    for s in &e.skipped {
        ui.line(format_args!("  skipped   {}: {}", s.service_id, s.reason))?;
    }
    for a in attempts {
        if let Some(pe) = &a.provider_error {
            ui.line(format_args!(
                "  error     {} attempt {}: {pe}",
                a.service_id, a.attempt
            ))?;
        }
        if let Some(v) = &a.guarantee_violation {
            ui.line(format_args!(
                "  violation {} attempt {}: {:.1} ms above its p99 of {:.1} ms",
                a.service_id, a.attempt, v.observed_ms, v.declared_ms
            ))?;
        }
        if let Some(v) = &a.cost_violation {
            ui.line(format_args!(
                "  violation {} attempt {}: cost {} above max_cost {}",
                a.service_id,
                a.attempt,
                money(v.cost),
                money(v.max_cost)
            ))?;
        }
    }
    if !attempts.is_empty() {
        ui.line("")?;
        attempts_table(attempts, ui)?;
    }
    Ok(())
}

/// `trace show --format html`: the decision as a page on stdout. Its
/// explanation is recomputed from the stored inputs (a v1 record holds
/// it); without them there is no page.
fn html_page(store: &Store, row: &Row, record: &app::Stored, ui: &mut Ui) -> Result<Exit, Failure> {
    let (routed, _) = match recomputed(store, row, record, false)? {
        Ok(recomputed) => recomputed,
        Err(reason) => {
            return Err(TraceError::Unexplained {
                seq: row.seq,
                reason,
            }
            .into());
        }
    };
    let outcomes = crate::app::outcome::outcomes_of(store, row)?;
    let page = html::page(
        &routed,
        &html::Extra {
            row,
            at: record.at(),
            redacted: record.redacted(),
            attempts: record.attempts(),
            outcomes: &outcomes,
        },
    );
    ui.raw(&page)?;
    Ok(Exit::Success)
}

/// `trace list --format json`: the records, newest first.
#[derive(Serialize)]
struct ListJson<'a> {
    records: &'a [caio_store::traces::Listed],
}

fn list(store: &Store, filter: &TraceFilter, ui: &mut Ui) -> Result<Exit, Failure> {
    let rows = store.list_traces(filter)?;
    if ui.is_json() {
        ui.json(Schema::TraceList, &ListJson { records: &rows })?;
        return Ok(Exit::Success);
    }
    let mut table = ui.table(&[
        "SEQ",
        "AT",
        "OUTCOME",
        "EXECUTION",
        "SERVICES",
        "PRINCIPAL",
        "DECISION",
    ]);
    for r in &rows {
        let execution = match (r.execution.as_deref(), &r.reported) {
            (Some("succeeded"), _) => "ok".to_string(),
            (Some("not_started"), _) => "not started".to_string(),
            (Some(other), _) => other.to_string(),
            (None, Some(reported)) => format!("reported {reported}"),
            (None, None) => "-".to_string(),
        };
        table.add_row(vec![
            r.seq.to_string(),
            r.at.clone(),
            r.outcome.clone(),
            execution,
            if r.services.is_empty() {
                "-".to_string()
            } else {
                r.services.clone()
            },
            r.principal.clone(),
            r.decision_id.clone(),
        ]);
    }
    ui.table_out(table)?;
    Ok(Exit::Success)
}

/// `trace stats --format json`.
#[derive(Serialize)]
struct StatsJson<'a> {
    /// What the decisions are counted by.
    by: &'static str,
    /// Decisions matching the filters with none of that term (a refused
    /// caller has no tenant, a routed decision no rejecting stage…) are
    /// not counted.
    counts: &'a [caio_store::audit::Count],
}

fn stats(store: &Store, by: ByArg, filter: &TraceFilter, ui: &mut Ui) -> Result<Exit, Failure> {
    let counts = store.trace_stats(by.term(), filter)?;
    if ui.is_json() {
        ui.json(
            Schema::TraceStats,
            &StatsJson {
                by: by.term(),
                counts: &counts,
            },
        )?;
        return Ok(Exit::Success);
    }
    let heading = by.term().to_uppercase();
    let mut table = ui.table(&[heading.as_str(), "DECISIONS"]);
    for c in &counts {
        table.add_row(vec![c.value.clone(), c.decisions.to_string()]);
    }
    ui.table_out(table)?;
    Ok(Exit::Success)
}

/// One line of `trace export`: an object, or a record.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ExportLine<'a> {
    /// An object the exported records reference (written first).
    Object {
        kind: &'a str,
        hash: &'a str,
        body: &'a serde_json::value::RawValue,
    },
    /// A record, exactly as hashed, with its place in the chain.
    Record {
        seq: i64,
        prev: &'a str,
        hash: &'a str,
        record: &'a serde_json::value::RawValue,
    },
}

/// Writes the objects the exported records reference, then the records
/// (SPEC §9), so an auditor can recompute every hash from the file alone.
fn export(store: &Store, since: Option<&str>, ui: &mut Ui) -> Result<Exit, Failure> {
    let mut referenced = std::collections::BTreeSet::new();
    store.for_each_trace::<Failure>(1, since, |row| {
        referenced.extend(trace::referenced_objects(&row.record));
        Ok(true)
    })?;
    let raw = |seq: i64, text: &str| -> Result<Box<serde_json::value::RawValue>, TraceError> {
        serde_json::value::RawValue::from_string(text.to_string()).map_err(|e| TraceError::Record {
            seq,
            reason: e.to_string(),
        })
    };
    for (kind, hash) in &referenced {
        // A missing object is exported as missing: verification says so.
        if let Some((stored_kind, body)) = store.trace_object(hash)? {
            let body = raw(0, &body)?;
            ui.json_line(
                Schema::TraceExportLine,
                &ExportLine::Object {
                    kind: if stored_kind == *kind {
                        kind
                    } else {
                        &stored_kind
                    },
                    hash,
                    body: &body,
                },
            )?;
        }
    }
    let mut bad: Option<TraceError> = None;
    store.for_each_trace::<Failure>(1, since, |row| match raw(row.seq, &row.record) {
        Ok(record) => {
            ui.json_line(
                Schema::TraceExportLine,
                &ExportLine::Record {
                    seq: row.seq,
                    prev: &row.prev,
                    hash: &row.hash,
                    record: &record,
                },
            )?;
            Ok(true)
        }
        Err(e) => {
            bad = Some(e);
            Ok(false)
        }
    })?;
    match bad {
        Some(e) => Err(e.into()),
        None => Ok(Exit::Success),
    }
}

fn checkpoint(
    mut store: Store,
    home: &Home,
    out: Option<&Path>,
    ui: &mut Ui,
) -> Result<Exit, Failure> {
    let cp = app::checkpoint(&mut store, home, out, jiff::Timestamp::now())?;
    if cp.republished {
        ui.warn(format_args!(
            "{} did not hold this instance's verifier key; it was rewritten",
            home.keys_dir().join(app::INSTANCE_PUB).display()
        ));
    }
    if ui.is_json() {
        ui.json(Schema::TraceCheckpoint, &cp)?;
    } else {
        ui.raw(&cp.note)?;
        ui.status(format_args!("verifier key: {}", cp.verifier_key));
    }
    Ok(Exit::Success)
}

fn rekey(mut store: Store, home: &Home, ui: &mut Ui) -> Result<Exit, Failure> {
    let done = app::rekey(&mut store, home, jiff::Timestamp::now())?;
    if ui.is_json() {
        ui.json(Schema::TraceRekey, &done)?;
        return Ok(Exit::Success);
    }
    ui.line(format_args!("new verifier key: {}", done.verifier_key))?;
    if let Some(path) = &done.old_key_moved_to {
        ui.status(format_args!(
            "the previous private key was moved to {}",
            path.display()
        ));
    }
    if !done.retired.is_empty() {
        ui.status(format_args!(
            "{} kept: checkpoints signed with {} still verify",
            crate::ui::count(
                done.retired.len(),
                "earlier verifier key",
                "earlier verifier keys"
            ),
            if done.retired.len() == 1 {
                "it"
            } else {
                "them"
            }
        ));
    }
    Ok(Exit::Success)
}

/// A progress bar for a verification.
struct Bar(indicatif::ProgressBar);

impl app::Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }

    fn tick(&self) {
        self.0.inc(1);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

fn prune(
    mut store: Store,
    home: &Home,
    through: Through,
    archive: &Path,
    ui: &mut Ui,
) -> Result<Exit, Failure> {
    let bar = Bar(ui.progress(0, "verifying before pruning"));
    let done = retention::prune(
        &mut store,
        home,
        through,
        archive,
        jiff::Timestamp::now(),
        &bar,
    )?;
    if ui.is_json() {
        ui.json(Schema::TracePrune, &done)?;
    } else {
        ui.line(format_args!(
            "pruned seqs {}..{} ({} records, {} objects no longer used) into {} ({} bytes, {} objects, checkpoint at seq {})",
            done.first,
            done.through,
            done.records,
            done.objects_removed,
            done.archive.display(),
            done.archive_bytes,
            done.archived_objects,
            done.checkpoint
        ))?;
        ui.line(format_args!(
            "the live chain continues from seq {} (hash {}); keep the archive: `caio trace verify --archive {}` checks it",
            done.through,
            done.anchor_hash,
            done.archive.display()
        ))?;
    }
    Ok(Exit::Success)
}

fn verify(
    store: &Store,
    home: &Home,
    options: &app::VerifyOptions<'_>,
    ui: &mut Ui,
) -> Result<Exit, Failure> {
    let mut warnings = Vec::new();
    let bar = Bar(ui.progress(0, "verifying"));
    let report = app::verify(store, home, options, &mut |w| warnings.push(w), &bar)?;
    let from = report.from;
    for w in warnings {
        ui.warn(w);
    }
    if ui.is_json() {
        ui.json(Schema::TraceVerify, &report)?;
    } else {
        match &report.first_break {
            None if report.records == 0 => {
                ui.line("chain verified: the trace holds no records yet")?
            }
            None => {
                let mut pruned = String::new();
                if let Some(seq) = report.pruned_through {
                    pruned.push_str(&format!(" (pruned through seq {seq}"));
                    if report.archives > 0 {
                        pruned.push_str(&format!(
                            "; {} archive(s), {} archived records verified",
                            report.archives, report.archived_records
                        ));
                    } else if report.unchecked_checkpoints > 0 {
                        pruned.push_str(&format!(
                            "; {} checkpoint(s) of pruned records need --archive",
                            report.unchecked_checkpoints
                        ));
                    }
                    pruned.push(')');
                }
                let replayed = match report.replayed {
                    Some(n) => format!(", {n} replayed"),
                    None => String::new(),
                };
                ui.line(format_args!(
                    "chain verified: records {}..{}{pruned}, {}{replayed}, head {}",
                    from.min(report.records),
                    report.records,
                    crate::ui::count(report.checkpoints, "checkpoint", "checkpoints"),
                    report.head
                ))?
            }
            // Not a broken chain, but nothing asked for was verified.
            Some(b @ Break::StartPastHead { .. }) => {
                ui.line(format_args!("nothing verified: {b}"))?
            }
            Some(b) => {
                ui.line(format_args!("chain broken: {b}"))?;
                ui.error(&TraceError::Broken {
                    summary: b.to_string(),
                    help: app::break_help(b),
                });
            }
        }
    }
    Ok(if report.valid {
        Exit::Success
    } else {
        Exit::Invalid
    })
}

fn replay(store: &Store, id: &str, ui: &mut Ui) -> Result<Exit, Failure> {
    let report = app::replay(store, id)?;
    if ui.is_json() {
        ui.json(Schema::TraceReplay, &report)?;
    } else if !report.missing.is_empty() {
        ui.line(format_args!(
            "cannot replay seq {}: missing {}",
            report.seq,
            report.missing.join("; ")
        ))?;
    } else if report.identical {
        ui.line(format_args!(
            "seq {}: identical — the stored inputs give the recorded decision",
            report.seq
        ))?;
    } else {
        ui.line(format_args!("seq {}: different", report.seq))?;
        for d in &report.differences {
            ui.line(format_args!("  {d}"))?;
        }
    }
    Ok(if report.identical {
        Exit::Success
    } else {
        Exit::Invalid
    })
}
