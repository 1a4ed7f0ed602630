//! `caio trace show|list|verify|replay|checkpoint|export`.

use super::route::{Traced, View, render};
use super::{GlobalArgs, open_store_existing, resolve_home};
use crate::error::{Error, Exit};
use crate::ui::Ui;
use caio_core::policy::PolicySet;
use caio_core::request::Request;
use caio_core::routing::Routed;
use caio_core::routing::{self, Candidate, Outcome};
use caio_core::trace::note::{self, Checkpoint};
use caio_core::trace::{self, Break, Row, TraceRecord, Verifier};
use caio_store::Store;
use caio_store::home::Home;
use caio_store::traces::{Appended, StoredCheckpoint, TraceFilter};
use clap::Subcommand;
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum TraceCommand {
    /// Show one decision record: by decision id (or a unique prefix) or seq
    Show {
        #[arg(value_name = "DECISION_ID|SEQ")]
        id: String,
    },

    /// List decision records, newest first
    List {
        /// Only decisions that chose this service
        #[arg(long, value_name = "S")]
        service: Option<String>,
        /// Only this outcome
        #[arg(long, value_enum, value_name = "OUTCOME")]
        outcome: Option<OutcomeArg>,
        /// From this time on (RFC 3339, or a date: YYYY-MM-DD)
        #[arg(long, value_name = "T", value_parser = parse_time)]
        since: Option<String>,
        /// Before this time (RFC 3339, or a date: YYYY-MM-DD)
        #[arg(long, value_name = "T", value_parser = parse_time)]
        until: Option<String>,
        /// At most this many records
        #[arg(long, value_name = "N", default_value_t = 50)]
        limit: usize,
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
        /// The instance's verifier key (`caio trace checkpoint` prints it) [default: keys/instance.pub in the home]
        #[arg(long, value_name = "FILE")]
        public_key: Option<PathBuf>,
    },

    /// Re-run the routing of a stored decision from its stored inputs; exit 1 if it differs
    Replay {
        #[arg(value_name = "DECISION_ID|SEQ")]
        id: String,
    },

    /// Sign the current head of the chain (a C2SP signed note) and store it
    Checkpoint {
        /// Also write the signed note to this file (keep it off the host)
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },

    /// Print the chain as JSON Lines: {"seq","prev","hash","record"} per record
    Export {
        /// From this time on (RFC 3339, or a date: YYYY-MM-DD)
        #[arg(long, value_name = "T", value_parser = parse_time)]
        since: Option<String>,
    },
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

/// A trace command's failure that is the user's input, not the state.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum TraceError {
    #[error("no decision `{0}` in the trace")]
    #[diagnostic(
        code(caio::trace_unknown),
        help("`caio trace list` shows the decisions, with their ids and seqs")
    )]
    Unknown(String),

    #[error("`{0}` matches several decisions")]
    #[diagnostic(
        code(caio::trace_ambiguous),
        help("give more characters of the decision id")
    )]
    Ambiguous(String),

    #[error("the trace is empty: there is nothing to checkpoint")]
    #[diagnostic(code(caio::trace_empty), help("route a request first"))]
    Empty,

    #[error("cannot read {path}: {reason}")]
    #[diagnostic(code(caio::trace_file), help("check the path"))]
    File { path: String, reason: String },

    #[error("stored record {seq} does not read: {reason}")]
    #[diagnostic(
        code(caio::trace_record),
        help("run `caio trace verify`: the database may have been modified outside caio")
    )]
    Record { seq: i64, reason: String },
}

pub fn run(cmd: TraceCommand, global: &GlobalArgs, ui: &mut Ui) -> Result<Exit, Error> {
    let store = open_store_existing(global)?;
    let result = match cmd {
        TraceCommand::Show { id } => show(&store, &id, ui),
        TraceCommand::List {
            service,
            outcome,
            since,
            until,
            limit,
        } => list(
            &store,
            &TraceFilter {
                service,
                outcome: outcome.map(|o| o.as_str().to_string()),
                since,
                until,
                limit: Some(limit),
            },
            ui,
        ),
        TraceCommand::Verify {
            from,
            checkpoints,
            public_key,
        } => verify(
            &store,
            &resolve_home(global)?,
            from,
            &checkpoints,
            public_key.as_deref(),
            ui,
        ),
        TraceCommand::Replay { id } => replay(&store, &id, ui),
        TraceCommand::Checkpoint { out } => {
            checkpoint(store, &resolve_home(global)?, out.as_deref(), ui)
        }
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

/// A command ends on the state (exit 5 through [`Error`]) or on the input.
enum Failure {
    State(Error),
    Input(TraceError),
}

impl From<caio_store::Error> for Failure {
    fn from(e: caio_store::Error) -> Self {
        Failure::State(e.into())
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::State(e)
    }
}

impl From<TraceError> for Failure {
    fn from(e: TraceError) -> Self {
        Failure::Input(e)
    }
}

/// A record by seq or decision id (prefix).
fn find(store: &Store, id: &str) -> Result<Row, Failure> {
    // All digits: a seq, or else a decision-id prefix that happens to be digits.
    if !id.is_empty() && id.len() < 20 && id.bytes().all(|b| b.is_ascii_digit()) {
        let seq: i64 = id.parse().map_err(|_| TraceError::Unknown(id.into()))?;
        if let Some(row) = store.trace_by_seq(seq)? {
            return Ok(row);
        }
    }
    let prefix = id.to_ascii_lowercase();
    if prefix.len() < 4 || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(TraceError::Unknown(id.into()).into());
    }
    let mut rows = store.traces_by_decision(&prefix)?;
    match rows.len() {
        0 => Err(TraceError::Unknown(id.into()).into()),
        1 => Ok(rows.remove(0)),
        _ => Err(TraceError::Ambiguous(id.into()).into()),
    }
}

fn parse_record(row: &Row) -> Result<TraceRecord, TraceError> {
    serde_json::from_str(&row.record).map_err(|e| TraceError::Record {
        seq: row.seq,
        reason: e.to_string(),
    })
}

#[derive(Serialize)]
struct ShowJson<'a> {
    seq: i64,
    decision_id: String,
    prev: &'a str,
    hash: &'a str,
    record: &'a serde_json::value::RawValue,
}

fn show(store: &Store, id: &str, ui: &mut Ui) -> Result<Exit, Failure> {
    let row = find(store, id)?;
    if ui.is_json() {
        let record: &serde_json::value::RawValue =
            serde_json::from_str(&row.record).map_err(|e| TraceError::Record {
                seq: row.seq,
                reason: e.to_string(),
            })?;
        ui.json(&ShowJson {
            seq: row.seq,
            decision_id: row.hash.chars().take(32).collect(),
            prev: &row.prev,
            hash: &row.hash,
            record,
        })?;
        return Ok(Exit::Success);
    }
    let record = parse_record(&row)?;
    let hash = trace::unhex32(&row.hash).unwrap_or(trace::GENESIS);
    ui.line(format_args!(
        "seq {} · {} · {} · decision {}",
        row.seq,
        record.at,
        record.outcome.as_str(),
        trace::decision_id(&hash)
    ))?;
    if !record.redacted.is_empty() {
        ui.line(format_args!("redacted    {}", record.redacted.join(", ")))?;
    }
    let policy_rules = store
        .policy_set_by_hash(&record.policy_set)?
        .or_else(|| {
            store
                .trace_input(&record.policy_set)
                .ok()
                .flatten()
                .and_then(|body| caio_core::policy::load::from_stored(&body).ok())
        })
        .map_or(0, |set| set.policies().len());
    let routed = Routed {
        decision: record.decision,
        identity: record.identity,
        policy_set: record.policy_set,
        policy_rules,
        contracts: record.contracts,
        stats: record.stats,
        notes: Vec::new(),
    };
    let traced = Traced {
        decision_id: trace::decision_id(&hash),
        trace: Some(Appended { seq: row.seq, hash }),
    };
    if routed.decision.outcome == Outcome::Refused {
        ui.line("refused: authentication failed")?;
    }
    render(
        &routed,
        &traced,
        View {
            explain: true,
            top: None,
            dry_run: false,
        },
        ui,
    )?;
    Ok(Exit::Success)
}

fn list(store: &Store, filter: &TraceFilter, ui: &mut Ui) -> Result<Exit, Failure> {
    let rows = store.list_traces(filter)?;
    if ui.is_json() {
        ui.json(&rows)?;
        return Ok(Exit::Success);
    }
    let mut table = ui.table(&["SEQ", "AT", "OUTCOME", "SERVICES", "PRINCIPAL", "DECISION"]);
    for r in &rows {
        table.add_row(vec![
            r.seq.to_string(),
            r.at.clone(),
            r.outcome.clone(),
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

#[derive(Serialize)]
struct ExportLine<'a> {
    seq: i64,
    prev: &'a str,
    hash: &'a str,
    record: &'a serde_json::value::RawValue,
}

fn export(store: &Store, since: Option<&str>, ui: &mut Ui) -> Result<Exit, Failure> {
    let mut bad: Option<TraceError> = None;
    store.for_each_trace::<Failure>(1, since, |row| {
        match serde_json::from_str::<&serde_json::value::RawValue>(&row.record) {
            Ok(record) => {
                ui.json_line(&ExportLine {
                    seq: row.seq,
                    prev: &row.prev,
                    hash: &row.hash,
                    record,
                })?;
                Ok(true)
            }
            Err(e) => {
                bad = Some(TraceError::Record {
                    seq: row.seq,
                    reason: e.to_string(),
                });
                Ok(false)
            }
        }
    })?;
    match bad {
        Some(e) => Err(e.into()),
        None => Ok(Exit::Success),
    }
}

/// The instance's signing key (`keys/instance.key`, secret) and the file
/// that publishes its verifier key (`keys/instance.pub`), so verifying a
/// checkpoint never needs the secret.
const INSTANCE_KEY: &str = "instance.key";
const INSTANCE_PUB: &str = "instance.pub";

/// The instance's signing key and the name its checkpoints carry. Refuses a
/// key group or others may read. Publishes the verifier key next to it;
/// returns whether a differing `instance.pub` was replaced.
fn instance(store: &mut Store, home: &Home) -> Result<(String, SigningKey, bool), Error> {
    let path = home.keys_dir().join(INSTANCE_KEY);
    let seed = caio_store::principals::load_or_create_key(&path)?;
    let key = SigningKey::from_bytes(&seed);
    let id = trace::hex(blake3::hash(key.verifying_key().as_bytes()).as_bytes());
    let name = store.setting_or_insert("instance_name", &format!("caio/{}", &id[..16]))?;
    let vkey = note::verifier_key(&name, &key.verifying_key());
    let replaced = publish_verifier_key(&home.keys_dir().join(INSTANCE_PUB), &vkey)?;
    Ok((name, key, replaced))
}

/// Writes the verifier key to `path` unless it already holds it (atomically:
/// a temporary file, then a rename); returns whether other text was replaced.
fn publish_verifier_key(path: &Path, vkey: &str) -> Result<bool, Error> {
    let text = format!("{vkey}\n");
    let old = std::fs::read_to_string(path).ok();
    if old.as_deref() == Some(text.as_str()) {
        return Ok(false);
    }
    let fail = |e: std::io::Error| Error::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let tmp = path.with_file_name(format!(".{INSTANCE_PUB}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, &text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            fail(e)
        })?;
    Ok(old.is_some())
}

#[derive(Serialize)]
struct CheckpointJson<'a> {
    seq: i64,
    hash: String,
    note: &'a str,
    verifier_key: &'a str,
}

fn checkpoint(
    mut store: Store,
    home: &Home,
    out: Option<&Path>,
    ui: &mut Ui,
) -> Result<Exit, Failure> {
    let (size, head) = store.trace_head()?;
    if size == 0 {
        return Err(TraceError::Empty.into());
    }
    let (name, key, replaced) = instance(&mut store, home)?;
    if replaced {
        ui.warn(format_args!(
            "{} did not hold this instance's verifier key; it was rewritten",
            home.keys_dir().join(INSTANCE_PUB).display()
        ));
    }
    let cp = Checkpoint {
        origin: name.clone(),
        size,
        head,
    };
    let text = note::sign(&cp, &name, &key);
    let at = caio_core::time::timestamp(jiff::Timestamp::now());
    store.add_checkpoint(&StoredCheckpoint {
        seq: size,
        hash: trace::hex(&head),
        note: text.clone(),
        at,
    })?;
    if let Some(path) = out {
        std::fs::write(path, &text).map_err(|e| Error::Write {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    }
    let vkey = note::verifier_key(&name, &key.verifying_key());
    if ui.is_json() {
        ui.json(&CheckpointJson {
            seq: size,
            hash: trace::hex(&head),
            note: &text,
            verifier_key: &vkey,
        })?;
    } else {
        ui.raw(&text)?;
        ui.status(format_args!("verifier key: {vkey}"));
    }
    Ok(Exit::Success)
}

#[derive(Serialize)]
struct VerifyJson {
    valid: bool,
    from: i64,
    records: i64,
    checkpoints: usize,
    head: String,
    #[serde(rename = "break", skip_serializing_if = "Option::is_none")]
    first_break: Option<Break>,
}

fn verify(
    store: &Store,
    home: &Home,
    from: i64,
    files: &[PathBuf],
    public_key: Option<&Path>,
    ui: &mut Ui,
) -> Result<Exit, Failure> {
    // Every checkpoint to check: the stored ones, then the files.
    let mut notes: Vec<(String, String)> = store
        .checkpoints()?
        .into_iter()
        .map(|c| (format!("stored at seq {}", c.seq), c.note))
        .collect();
    for path in files {
        let text = std::fs::read_to_string(path).map_err(|e| TraceError::File {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        notes.push((path.display().to_string(), text));
    }
    let key: Result<(String, VerifyingKey), String> = match public_key {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))
            .and_then(|s| note::parse_verifier_key(&s)),
        None => instance_public(store, home),
    };
    if public_key.is_none()
        && !notes.is_empty()
        && let Some(mode) =
            caio_store::secret_file::exposed_mode(&home.keys_dir().join(INSTANCE_KEY))
    {
        ui.warn(format_args!(
            "{} has mode {mode:o}: whoever can read it can sign checkpoints that verify; \
             run `chmod 600` on it (`caio trace checkpoint` refuses it until then)",
            home.keys_dir().join(INSTANCE_KEY).display()
        ));
    }
    let mut broken: Option<Break> = None;
    let mut checkpoints: Vec<Checkpoint> = Vec::new();
    if !notes.is_empty() {
        match &key {
            Err(reason) => {
                broken = Some(Break::BadCheckpoint {
                    checkpoint: notes[0].0.clone(),
                    reason: reason.clone(),
                })
            }
            Ok((name, vk)) => {
                for (label, text) in &notes {
                    match note::verify(text, name, vk) {
                        Ok(cp) if cp.size >= from => checkpoints.push(cp),
                        Ok(_) => {}
                        Err(reason) => {
                            broken = Some(Break::BadCheckpoint {
                                checkpoint: label.clone(),
                                reason,
                            });
                            break;
                        }
                    }
                }
            }
        }
    }
    let (total, _) = store.trace_head()?;
    let bar = ui.progress(total.max(0) as u64, "verifying");
    let mut verifier = Verifier::new(from, checkpoints.iter().map(|c| c.size));
    if broken.is_none() {
        // The lookup columns are checked on a second thread (parsing records
        // costs more than hashing them); the earliest break wins.
        verifier.check_index = false;
        let index_break = std::thread::scope(|scope| -> Result<Option<i64>, Error> {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Row>>(8);
            let worker = scope.spawn(move || {
                rx.into_iter()
                    .flatten()
                    .find(|row| !trace::index_matches(row))
                    .map(|row| row.seq)
            });
            let mut batch = Vec::with_capacity(512);
            store.for_each_trace::<Error>(from, None, |row| {
                bar.inc(1);
                let sound = verifier.push(&row);
                if sound {
                    batch.push(row);
                    if batch.len() == 512 && tx.send(std::mem::take(&mut batch)).is_err() {
                        return Ok(false);
                    }
                }
                Ok(sound)
            })?;
            let _ = tx.send(batch);
            drop(tx);
            // Fail closed: a check that did not finish is not a pass.
            worker.join().map_err(|_| {
                Error::from(caio_store::Error::Store {
                    path: store.path().to_path_buf(),
                    reason: "the index check stopped unexpectedly".into(),
                    help: "run `caio trace verify` again; report it if it repeats",
                })
            })
        })?;
        verifier.finish(total);
        if let Some(seq) = index_break
            && verifier
                .first_break
                .as_ref()
                .is_none_or(|b| break_seq(b) > seq)
        {
            verifier.first_break = Some(Break::IndexChanged { seq });
        }
        for cp in &checkpoints {
            verifier.check_checkpoint(cp.size, &cp.head);
        }
        broken = verifier.first_break.clone();
    }
    bar.finish_and_clear();
    let report = VerifyJson {
        valid: broken.is_none(),
        from,
        records: verifier.records,
        checkpoints: checkpoints.len(),
        head: trace::hex(&verifier.head()),
        first_break: broken,
    };
    if ui.is_json() {
        ui.json(&report)?;
    } else {
        match &report.first_break {
            None if report.records == 0 => {
                ui.line("chain verified: the trace holds no records yet")?
            }
            None => ui.line(format_args!(
                "chain verified: records {}..{}, {} checkpoint(s), head {}",
                from.min(report.records),
                report.records,
                report.checkpoints,
                report.head
            ))?,
            // Not a broken chain, but nothing asked for was verified.
            Some(b @ Break::StartPastHead { .. }) => {
                ui.line(format_args!("nothing verified: {b}"))?
            }
            Some(b) => ui.line(format_args!("chain broken: {b}"))?,
        }
    }
    Ok(if report.valid {
        Exit::Success
    } else {
        Exit::Invalid
    })
}

/// The seq a chain break is at (checkpoint breaks sort last).
fn break_seq(b: &Break) -> i64 {
    match b {
        Break::ContentChanged { seq }
        | Break::RecordMissing { seq, .. }
        | Break::OrderChanged { seq }
        | Break::CheckpointMismatch { seq }
        | Break::IndexChanged { seq } => *seq,
        Break::Truncated { .. } | Break::BadCheckpoint { .. } | Break::StartPastHead { .. } => {
            i64::MAX
        }
    }
}

/// The instance's verifier key, without creating a key: `keys/instance.pub`
/// when present, else derived from `keys/instance.key` (a home whose last
/// checkpoint predates `instance.pub`). Verifying only needs the public half,
/// so the key file's mode is not judged here; `verify` warns about it.
fn instance_public(store: &Store, home: &Home) -> Result<(String, VerifyingKey), String> {
    let public = home.keys_dir().join(INSTANCE_PUB);
    if public.exists() {
        return std::fs::read_to_string(&public)
            .map_err(|e| format!("cannot read {}: {e}", public.display()))
            .and_then(|s| note::parse_verifier_key(&s))
            .map_err(|e| format!("{}: {e}", public.display()));
    }
    let path = home.keys_dir().join(INSTANCE_KEY);
    if !path.exists() {
        return Err("no instance key in this home: pass --public-key".into());
    }
    let unchecked = caio_store::secret_file::read_unchecked(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let seed: [u8; 32] = unchecked
        .bytes()
        .try_into()
        .map_err(|_| "the instance key is not 32 bytes".to_string())?;
    let key = SigningKey::from_bytes(&seed);
    let name = store
        .setting("instance_name")
        .map_err(|e| e.to_string())?
        .ok_or("this home has no instance name")?;
    Ok((name, key.verifying_key()))
}

#[derive(Serialize)]
struct ReplayJson {
    seq: i64,
    identical: bool,
    differences: Vec<String>,
    missing: Vec<String>,
}

fn replay(store: &Store, id: &str, ui: &mut Ui) -> Result<Exit, Failure> {
    let row = find(store, id)?;
    let record = parse_record(&row)?;
    let mut missing = Vec::new();
    let mut contracts = Vec::new();
    for c in &record.contracts {
        let found = match store.contract_by_hash(&c.hash)? {
            Some(contract) => Some(contract),
            None => store
                .trace_input(&c.hash)?
                .and_then(|body| serde_json::from_str(&body).ok()),
        };
        match found {
            Some(contract) => contracts.push((contract, c)),
            None => missing.push(format!(
                "contract {} {} ({})",
                c.service_id, c.version, c.hash
            )),
        }
    }
    let policies: Option<PolicySet> = match store.policy_set_by_hash(&record.policy_set)? {
        Some(set) => Some(set),
        None => match store.trace_input(&record.policy_set)? {
            Some(body) => caio_core::policy::load::from_stored(&body).ok(),
            None if record.policy_set == empty_set_hash() => Some(PolicySet::default()),
            None => None,
        },
    };
    if policies.is_none() {
        missing.push(format!("policy set {}", record.policy_set));
    }
    let request: Result<Request, _> = serde_json::from_value(record.request.clone());
    if let Err(e) = &request {
        missing.push(format!("the request ({e})"));
    }
    let mut differences = Vec::new();
    if let (true, Some(policies), Ok(request)) = (missing.is_empty(), &policies, &request) {
        let candidates: Vec<Candidate<'_>> = contracts
            .iter()
            .map(|(contract, r)| Candidate {
                contract,
                status: r.status,
                status_reason: r.status_reason.as_deref(),
                stats: record.stats.get(&r.service_id).copied().unwrap_or_default(),
            })
            .collect();
        let again = routing::route(request, &record.identity, &candidates, policies);
        if again != record.decision {
            if again.outcome != record.decision.outcome {
                differences.push(format!(
                    "outcome: recorded {}, replayed {}",
                    record.decision.outcome.as_str(),
                    again.outcome.as_str()
                ));
            }
            let ids = |d: &routing::Decision| -> Vec<String> {
                d.chosen.iter().map(|c| c.service_id.clone()).collect()
            };
            if ids(&again) != ids(&record.decision) {
                differences.push(format!(
                    "chosen: recorded [{}], replayed [{}]",
                    ids(&record.decision).join(", "),
                    ids(&again).join(", ")
                ));
            }
            if differences.is_empty() {
                differences.push("scores, terms or explanations differ".into());
            }
        }
        if !record.redacted.is_empty() && !differences.is_empty() {
            differences.push(format!(
                "the request was recorded without {}",
                record.redacted.join(", ")
            ));
        }
    }
    let report = ReplayJson {
        seq: row.seq,
        identical: missing.is_empty() && differences.is_empty(),
        differences,
        missing,
    };
    if ui.is_json() {
        ui.json(&report)?;
    } else if !report.missing.is_empty() {
        ui.line(format_args!(
            "cannot replay seq {}: missing {}",
            row.seq,
            report.missing.join("; ")
        ))?;
    } else if report.identical {
        ui.line(format_args!(
            "seq {}: identical — the stored inputs give the recorded decision",
            row.seq
        ))?;
    } else {
        ui.line(format_args!("seq {}: different", row.seq))?;
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

/// The hash of the empty policy set (routing without policies).
fn empty_set_hash() -> String {
    PolicySet::default()
        .canonical()
        .map(|(h, _)| h)
        .unwrap_or_default()
}
