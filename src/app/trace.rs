//! Trace use cases (SPEC §9): finding a record, verifying the chain and its
//! checkpoints, replaying a decision from its stored inputs, and signing
//! checkpoints with the instance key.

use crate::error::Error;
use caio_core::contract::ServiceContract;
use caio_core::policy::PolicySet;
use caio_core::request::Request;
use caio_core::routing::ContractRef;
use caio_core::routing::explain::Explanation;
use caio_core::routing::{self, Candidate};
use caio_core::trace::check::{Chunk, ChunkReport, Tally, TermNames, check_chunk};
use caio_core::trace::note::{self, Checkpoint};
use caio_core::trace::outcome::OutcomeRecord;
use caio_core::trace::{self, Break, RecordV1, Row, TraceRecord, Verifier};
use caio_store::Store;
use caio_store::files::{SMALL_FILE_LIMIT, read_bounded_text};
use caio_store::home::Home;
use caio_store::traces::StoredCheckpoint;
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Progress of a long verification, shown as a bar by the command line.
pub trait Progress: Sync {
    /// The number of steps to come.
    fn start(&self, total: u64);
    /// One more step done.
    fn tick(&self);
    /// Done.
    fn finish(&self);
}

/// What `trace verify` checks.
#[derive(Debug, Clone, Copy)]
pub struct VerifyOptions<'a> {
    /// The first seq verified (the link into it is trusted).
    pub from: i64,
    /// Checkpoint files kept outside the database.
    pub files: &'a [PathBuf],
    /// Archives `trace prune` wrote, checked with their continuity.
    pub archives: &'a [PathBuf],
    /// The verifier key to check checkpoints with, instead of the home's.
    pub public_key: Option<&'a Path>,
    /// Also replay every decision from its stored inputs.
    pub replay: bool,
}

/// The result of `trace verify`.
#[derive(Debug, Serialize)]
pub struct Verification {
    /// Whether the chain and every checkpoint verified.
    pub valid: bool,
    /// The first seq verified.
    pub from: i64,
    /// The chain's length.
    pub records: i64,
    /// How many checkpoints were checked.
    pub checkpoints: usize,
    /// The recomputed head, hex.
    pub head: String,
    /// The first break, if any.
    #[serde(rename = "break", skip_serializing_if = "Option::is_none")]
    pub first_break: Option<Break>,
    /// The last pruned record, when the trace was pruned: the live chain
    /// continues from it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pruned_through: Option<i64>,
    /// Archives checked (`--archive`).
    pub archives: usize,
    /// Records checked in them.
    pub archived_records: i64,
    /// Checkpoints of pruned records that no archive given could check.
    pub unchecked_checkpoints: usize,
    /// With `--replay`: the records replayed (decisions recomputed from
    /// their inputs, outcomes checked against the decision they name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replayed: Option<i64>,
}

/// The result of `trace replay`.
#[derive(Debug, Serialize)]
pub struct Replay {
    /// The record replayed.
    pub seq: i64,
    /// Whether the stored inputs give the recorded decision.
    pub identical: bool,
    /// How the replayed decision differs.
    pub differences: Vec<String>,
    /// Inputs the store no longer holds.
    pub missing: Vec<String>,
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

    #[error("the instance key {path} is missing, but this home has signed checkpoints")]
    #[diagnostic(
        code(caio::instance_key_missing),
        help(
            "restore keys/instance.key from a backup; or, if it is lost, make a new key on purpose with `caio trace rekey` (earlier checkpoints keep verifying with the old public key)"
        )
    )]
    KeyMissing { path: String },

    #[error("the instance key {path} is not the key that signed this home's checkpoints")]
    #[diagnostic(
        code(caio::instance_key_mismatch),
        help(
            "restore the original keys/instance.key; or make a new key on purpose with `caio trace rekey`"
        )
    )]
    KeyMismatch { path: String },

    #[error("the trace is empty: there is nothing to checkpoint")]
    #[diagnostic(code(caio::trace_empty), help("route a request first"))]
    Empty,

    #[error("cannot read {path}: {reason}")]
    #[diagnostic(code(caio::trace_file), help("check the path"))]
    File { path: String, reason: String },

    #[error("the trace does not verify: {summary}")]
    #[diagnostic(code(caio::trace_broken))]
    Broken {
        summary: String,
        #[help]
        help: String,
    },

    #[error("{path} is not a trace archive: {reason}")]
    #[diagnostic(
        code(caio::trace_archive),
        help(
            "an archive is the JSON Lines file `caio trace prune --archive` wrote, unchanged; \
             give that file, or restore it from where it was kept"
        )
    )]
    Archive { path: String, reason: String },

    #[error("trace object {hash} does not match its hash")]
    #[diagnostic(
        code(caio::trace_object),
        help("run `caio trace verify`: the database may have been modified outside caio")
    )]
    Object { hash: String },

    #[error("seq {seq} is an outcome record, not a decision")]
    #[diagnostic(
        code(caio::trace_not_a_decision),
        help("it reports on decision {decision}; name that decision instead")
    )]
    NotADecision { seq: i64, decision: String },

    #[error("decision {id} did not route ({outcome}): no service was called")]
    #[diagnostic(
        code(caio::outcome_not_routed),
        help("outcomes are reported for routed decisions only")
    )]
    NotRouted { id: String, outcome: &'static str },

    #[error(
        "decision {id} was executed by `caio route --execute`: its attempts are in the trace already"
    )]
    #[diagnostic(
        code(caio::outcome_executed),
        help("report outcomes only for calls your own code made after `caio route`")
    )]
    Executed { id: String },

    #[error("decision {id} did not choose `{service}` (it chose {chosen})")]
    #[diagnostic(
        code(caio::outcome_service),
        help("name one of the services the decision chose, or leave out --service")
    )]
    NotChosen {
        id: String,
        service: String,
        chosen: String,
    },

    #[error("decision {id} is a chain of several services ({chosen}): which one was called?")]
    #[diagnostic(
        code(caio::outcome_service),
        help("report each step's call with --service (in a batch line: \"service\")")
    )]
    WhichStep { id: String, chosen: String },

    #[error("an outcome of decision {id} for `{service}` was already reported (seq {seq})")]
    #[diagnostic(
        code(caio::outcome_duplicate),
        help("a call has one outcome; `caio trace show {seq}` shows the one recorded")
    )]
    AlreadyReported {
        id: String,
        service: String,
        seq: i64,
    },

    #[error("the contract of {service} {version} that the decision chose is no longer stored")]
    #[diagnostic(
        code(caio::outcome_contract),
        help(
            "the outcome needs the contract's latency guarantee and prices; restore the database from a backup"
        )
    )]
    ContractGone { service: String, version: String },

    #[error("the outcome cannot be recorded: {0}")]
    #[diagnostic(
        code(caio::outcome_invalid),
        help(
            "`caio trace outcome ID --status ok --latency-ms N` or `--status error [--error TEXT]`"
        )
    )]
    BadReport(String),

    #[error("seq {seq}: its explanation cannot be recomputed: {reason}")]
    #[diagnostic(
        code(caio::trace_unexplained),
        help("`caio trace show` without --format html or --explain shows what the record holds")
    )]
    Unexplained { seq: i64, reason: String },

    #[error("nothing to prune: {0}")]
    #[diagnostic(
        code(caio::prune_nothing),
        help("`caio trace list` shows the live records and their times")
    )]
    NothingToPrune(String),

    #[error("the trace cannot be pruned: {0}")]
    #[diagnostic(
        code(caio::prune_unverified),
        help(
            "run `caio trace verify` and settle what it finds before pruning; nothing was removed"
        )
    )]
    Unverified(String),

    #[error(
        "no signed checkpoint covers seq {through}: pruning through it would leave nothing that vouches for the archive"
    )]
    #[diagnostic(
        code(caio::prune_checkpoint),
        help("run `caio trace checkpoint` (keep the note off the host), then prune")
    )]
    NoCheckpoint { through: i64 },

    #[error("the archive {path} exists already")]
    #[diagnostic(
        code(caio::prune_archive_exists),
        help("name a new file: an archive is never overwritten")
    )]
    ArchiveExists { path: String },

    #[error("stored record {seq} does not read: {reason}")]
    #[diagnostic(
        code(caio::trace_record),
        help("run `caio trace verify`: the database may have been modified outside caio")
    )]
    Record { seq: i64, reason: String },
}

/// A command ends on the state (exit 5 through [`Error`]) or on the input.
pub enum Failure {
    /// The state: exit 5 through [`Error`].
    State(Error),
    /// The input (an unknown id, an unreadable file): exit 1.
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
pub fn find(store: &Store, id: &str) -> Result<Row, Failure> {
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

/// A stored record of either kind.
#[derive(Debug, Clone)]
pub enum Record {
    /// A route call's decision.
    Decision(Stored),
    /// A caller's outcome of a routed call (`trace outcome`).
    Outcome(Box<OutcomeRecord>),
}

/// Reads a stored record.
pub fn parse_record(row: &Row) -> Result<Record, TraceError> {
    let bad = |e: serde_json::Error| TraceError::Record {
        seq: row.seq,
        reason: e.to_string(),
    };
    Ok(if trace::outcome::is_outcome(&row.record) {
        Record::Outcome(Box::new(serde_json::from_str(&row.record).map_err(bad)?))
    } else if trace::record_version(&row.record) == 2 {
        Record::Decision(Stored::V2(Box::new(
            serde_json::from_str(&row.record).map_err(bad)?,
        )))
    } else {
        Record::Decision(Stored::V1(Box::new(
            serde_json::from_str(&row.record).map_err(bad)?,
        )))
    })
}

/// Reads a stored decision; an outcome record is refused.
pub fn parse_decision(row: &Row) -> Result<Stored, TraceError> {
    match parse_record(row)? {
        Record::Decision(stored) => Ok(stored),
        Record::Outcome(o) => Err(TraceError::NotADecision {
            seq: row.seq,
            decision: o.decision.decision_id,
        }),
    }
}

/// The instance's signing key (`keys/instance.key`, secret) and the file
/// that publishes its verifier key (`keys/instance.pub`), so verifying a
/// checkpoint never needs the secret.
pub const INSTANCE_KEY: &str = "instance.key";
/// The file that publishes the instance's verifier key.
pub const INSTANCE_PUB: &str = "instance.pub";

/// The setting that lists every verifier key this home's checkpoints were
/// signed with, oldest first (a JSON array of `name+id+key` strings); the
/// last one is the current key.
const KNOWN_KEYS: &str = "instance_verifier_keys";

/// The verifier keys this home has signed with, oldest first.
fn known_keys(store: &Store) -> Result<Vec<String>, Error> {
    Ok(store
        .setting(KNOWN_KEYS)?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

fn remember_key(store: &mut Store, keys: &mut Vec<String>, vkey: &str) -> Result<(), Error> {
    if keys.last().map(String::as_str) != Some(vkey) {
        keys.push(vkey.to_string());
        let text = serde_json::to_string(keys).unwrap_or_else(|_| "[]".into());
        store.set_setting(KNOWN_KEYS, &text)?;
    }
    Ok(())
}

/// The instance's signing key and the name its checkpoints carry. Refuses a
/// key group or others may read. Never re-keys silently: when checkpoints
/// exist, a missing `instance.key`, or one that is not the key that signed
/// them, is refused (`caio trace rekey` makes a new key on purpose).
/// Publishes the verifier key; returns whether a differing `instance.pub`
/// was replaced.
fn instance(store: &mut Store, home: &Home) -> Result<(String, SigningKey, bool), Failure> {
    let path = home.keys_dir().join(INSTANCE_KEY);
    let signed = !store.checkpoints()?.is_empty();
    let mut keys = known_keys(store)?;
    if keys.is_empty() && signed {
        // A home from before keys were recorded: its published key is the one.
        if let Ok(text) = read_bounded_text(&home.keys_dir().join(INSTANCE_PUB), SMALL_FILE_LIMIT)
            && note::parse_verifier_key(&text).is_ok()
        {
            keys.push(text.trim().to_string());
        }
    }
    if signed && !path.exists() {
        return Err(TraceError::KeyMissing {
            path: path.display().to_string(),
        }
        .into());
    }
    let seed = caio_store::principals::load_or_create_key(&path)?;
    let key = SigningKey::from_bytes(&seed);
    let id = trace::hex(blake3::hash(key.verifying_key().as_bytes()).as_bytes());
    let name = store.setting_or_insert("instance_name", &format!("caio/{}", &id[..16]))?;
    let vkey = note::verifier_key(&name, &key.verifying_key());
    if signed && keys.last().is_some_and(|current| *current != vkey) {
        return Err(TraceError::KeyMismatch {
            path: path.display().to_string(),
        }
        .into());
    }
    remember_key(store, &mut keys, &vkey)?;
    let replaced = publish_verifier_key(&home.keys_dir().join(INSTANCE_PUB), &vkey)?;
    Ok((name, key, replaced))
}

/// What `caio trace rekey` did.
#[derive(Debug, Serialize)]
pub struct Rekeyed {
    /// The new verifier key.
    pub verifier_key: String,
    /// The earlier verifier keys, kept to verify earlier checkpoints.
    pub retired: Vec<String>,
    /// Where the previous private key was moved, when there was one.
    pub old_key_moved_to: Option<PathBuf>,
}

/// Makes a new instance key on purpose: the old private key (if any) is
/// kept beside it as `instance.key.retired-<time>`, the old verifier key as
/// `instance.pub.retired-<time>` so earlier checkpoints keep verifying, and
/// the new key signs from now on.
pub fn rekey(store: &mut Store, home: &Home, now: jiff::Timestamp) -> Result<Rekeyed, Failure> {
    let path = home.keys_dir().join(INSTANCE_KEY);
    let mut keys = known_keys(store)?;
    if keys.is_empty()
        && let Ok(text) = read_bounded_text(&home.keys_dir().join(INSTANCE_PUB), SMALL_FILE_LIMIT)
        && note::parse_verifier_key(&text).is_ok()
    {
        keys.push(text.trim().to_string());
    }
    let stamp = now.strftime("%Y%m%dT%H%M%SZ").to_string();
    if let Some(current) = keys.last() {
        let retired = home
            .keys_dir()
            .join(format!("{INSTANCE_PUB}.retired-{stamp}"));
        std::fs::write(&retired, format!("{current}\n")).map_err(|e| Error::Write {
            path: retired.clone(),
            reason: e.to_string(),
        })?;
    }
    let old_key_moved_to = if path.exists() {
        let retired = home
            .keys_dir()
            .join(format!("{INSTANCE_KEY}.retired-{stamp}"));
        std::fs::rename(&path, &retired).map_err(|e| Error::Write {
            path: retired.clone(),
            reason: e.to_string(),
        })?;
        Some(retired)
    } else {
        None
    };
    let seed = caio_store::principals::load_or_create_key(&path)?;
    let key = SigningKey::from_bytes(&seed);
    let id = trace::hex(blake3::hash(key.verifying_key().as_bytes()).as_bytes());
    let name = store.setting_or_insert("instance_name", &format!("caio/{}", &id[..16]))?;
    let vkey = note::verifier_key(&name, &key.verifying_key());
    let retired = keys.clone();
    remember_key(store, &mut keys, &vkey)?;
    publish_verifier_key(&home.keys_dir().join(INSTANCE_PUB), &vkey)?;
    Ok(Rekeyed {
        verifier_key: vkey,
        retired,
        old_key_moved_to,
    })
}

/// Writes the verifier key to `path` unless it already holds it (atomically:
/// a temporary file, then a rename); returns whether other text was replaced.
fn publish_verifier_key(path: &Path, vkey: &str) -> Result<bool, Error> {
    let text = format!("{vkey}\n");
    let old = read_bounded_text(path, SMALL_FILE_LIMIT).ok();
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

/// A checkpoint just signed and stored.
#[derive(Debug, Serialize)]
pub struct NewCheckpoint {
    /// The chain length it covers.
    pub seq: i64,
    /// The chain head, hex.
    pub hash: String,
    /// The signed note.
    pub note: String,
    /// The verifier key that checks it.
    pub verifier_key: String,
    /// Whether `keys/instance.pub` held another key and was rewritten.
    #[serde(skip)]
    pub republished: bool,
}

/// Signs the head of the chain with the instance key (created on first
/// use) and stores the checkpoint; `out` also receives the note.
pub fn checkpoint(
    store: &mut Store,
    home: &Home,
    out: Option<&Path>,
    now: jiff::Timestamp,
) -> Result<NewCheckpoint, Failure> {
    let (size, head) = store.trace_head()?;
    if size == 0 {
        return Err(TraceError::Empty.into());
    }
    let (name, key, republished) = instance(store, home)?;
    let cp = Checkpoint {
        origin: name.clone(),
        size,
        head,
    };
    let text = note::sign(&cp, &name, &key);
    store.add_checkpoint(&StoredCheckpoint {
        seq: size,
        hash: trace::hex(&head),
        note: text.clone(),
        at: caio_core::time::timestamp(now),
    })?;
    if let Some(path) = out {
        std::fs::write(path, &text).map_err(|e| Error::Write {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    }
    Ok(NewCheckpoint {
        seq: size,
        hash: trace::hex(&head),
        note: text,
        verifier_key: note::verifier_key(&name, &key.verifying_key()),
        republished,
    })
}

/// Recomputes the chain from `from` and checks every stored checkpoint and
/// the checkpoint `files`, with `public_key` or the instance's verifier
/// key. `warn` hears about a key file others can read.
pub fn verify(
    store: &Store,
    home: &Home,
    options: &VerifyOptions<'_>,
    warn: &mut dyn FnMut(String),
    progress: &dyn Progress,
) -> Result<Verification, Failure> {
    let VerifyOptions {
        from,
        files,
        archives,
        public_key,
        replay,
    } = *options;
    let anchor = store.trace_anchor()?;
    // Every checkpoint to check: the stored ones, then the files.
    let mut notes: Vec<(String, String)> = store
        .checkpoints()?
        .into_iter()
        .map(|c| (format!("stored at seq {}", c.seq), c.note))
        .collect();
    for path in files {
        let text = read_bounded_text(path, SMALL_FILE_LIMIT).map_err(|e| TraceError::File {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        notes.push((path.display().to_string(), text));
    }
    // An archive holds the checkpoint that covered its records.
    let scanned = archives
        .iter()
        .map(|path| super::retention::scan(path))
        .collect::<Result<Vec<_>, _>>()?;
    for archive in &scanned {
        notes.extend(archive.notes.iter().cloned());
    }
    let key: Result<Vec<(String, VerifyingKey)>, String> = match public_key {
        Some(path) => read_bounded_text(path, SMALL_FILE_LIMIT)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))
            .and_then(|s| note::parse_verifier_key(&s))
            .map(|k| vec![k]),
        None => instance_public(store, home),
    };
    if public_key.is_none()
        && !notes.is_empty()
        && let Some(mode) =
            caio_store::secret_file::exposed_mode(&home.keys_dir().join(INSTANCE_KEY))
    {
        warn(format!(
            "{} has mode {mode:o}: whoever can read it can sign checkpoints that verify; \
             run `chmod 600` on it (`caio trace checkpoint` refuses it until then)",
            home.keys_dir().join(INSTANCE_KEY).display()
        ));
    }
    let mut broken: Option<Break> = None;
    let mut replayed = None;
    let mut checkpoints: Vec<Checkpoint> = Vec::new();
    if !notes.is_empty() {
        match &key {
            Err(reason) => {
                broken = Some(Break::BadCheckpoint {
                    checkpoint: notes[0].0.clone(),
                    reason: reason.clone(),
                })
            }
            Ok(keys) => {
                for (label, text) in &notes {
                    match verify_note(text, keys) {
                        Ok(cp) if cp.size >= from || anchor.is_some() => checkpoints.push(cp),
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
    progress.start(total.max(0) as u64);
    // After a prune the live chain continues from the anchor; the
    // checkpoints of pruned records are checked against the archives, and
    // one at or after the anchor must vouch for it.
    let pruned = anchor.as_ref().map_or(0, |a| a.seq);
    let anchor_head = anchor
        .as_ref()
        .map(|a| trace::unhex32(&a.hash).unwrap_or(trace::GENESIS));
    let (archived_sizes, live_sizes): (Vec<i64>, Vec<i64>) = checkpoints
        .iter()
        .map(|c| c.size)
        .partition(|size| *size < pruned);
    let mut unchecked = 0;
    let mut archived_records = 0;
    if broken.is_none() && !archives.is_empty() {
        let mut wanted: BTreeSet<i64> = archived_sizes.iter().copied().collect();
        wanted.insert(pruned);
        let read = super::retention::read_archives(&scanned, &wanted)?;
        archived_records = read.records;
        broken = read.first_break.clone();
        if broken.is_none()
            && let Some(mut v) = read.verifier
        {
            for cp in checkpoints.iter().filter(|c| c.size < pruned) {
                v.check_checkpoint(cp.size, &cp.head);
            }
            broken = v.first_break.clone();
            if broken.is_none() {
                broken = match (&anchor, anchor_head) {
                    (Some(a), Some(_)) if read.through < a.seq => Some(Break::RecordMissing {
                        seq: read.through + 1,
                        next: a.seq + 1,
                    }),
                    (Some(a), Some(head)) => (v.hash_at(a.seq) != Some(head))
                        .then_some(Break::AnchorMismatch { seq: a.seq }),
                    // Never pruned: the archives must be the live chain's own start.
                    _ => match store.trace_by_seq(read.through)? {
                        Some(row) if trace::unhex32(&row.hash) == Some(read.head) => None,
                        _ => Some(Break::AnchorMismatch { seq: read.through }),
                    },
                };
            }
        }
    } else {
        unchecked = archived_sizes.len();
    }
    if broken.is_none()
        && let Some(a) = &anchor
        && !checkpoints.iter().any(|c| c.size >= a.seq)
    {
        broken = Some(Break::AnchorUnsigned { seq: a.seq });
    }
    let (start, mut verifier) = match (&anchor, anchor_head) {
        (Some(a), Some(head)) if from <= a.seq + 1 => {
            (a.seq + 1, Verifier::resume(a.seq, head, live_sizes))
        }
        _ => (from, Verifier::new(from, live_sizes)),
    };
    let from = start;
    if broken.is_none() {
        let mut tally = walk(store, Tally::new(verifier, from), from, progress)?;
        tally.verifier.finish(total);
        // Fail closed: a referenced object that is missing or altered breaks
        // the chain at the first record that references it.
        // So is a candidate set naming a contract version the store no
        // longer holds, or holds altered (each version checked once).
        let mut object_break: Option<Break> = None;
        let mut contracts_checked = BTreeSet::new();
        for ((kind, hash), seq) in &tally.objects {
            let problem = match sound_object(store, hash, kind)? {
                Err(InputProblem::Gone) => Some("missing".to_string()),
                Err(_) => Some("altered".to_string()),
                Ok(body) if *kind == trace::v2::CANDIDATES => {
                    unsound_contract(store, &body, &mut contracts_checked)?
                }
                Ok(_) => None,
            };
            if let Some(problem) = problem
                && object_break.as_ref().is_none_or(|b| break_seq(b) > *seq)
            {
                object_break = Some(Break::ObjectBroken {
                    seq: *seq,
                    hash: hash.clone(),
                    problem,
                });
            }
        }
        verifier = std::mem::replace(&mut tally.verifier, Verifier::new(from, []));
        if let Some(b) = object_break
            && verifier
                .first_break
                .as_ref()
                .is_none_or(|first| break_seq(first) > break_seq(&b))
        {
            verifier.first_break = Some(b);
        }
        // The `executed` rows outcomes add to their decisions, once the
        // whole chain read soundly (an outcome after a break would be
        // missing). A decision that disagrees is read again: an outcome
        // appended while the chain was read adds its row after its
        // decision's rows were read.
        if verifier.first_break.is_none() {
            let names = TermNames::new(store.term_values()?);
            for (seq, implied) in tally.executed_mismatches() {
                if implied == 0xff || names.executed_bits(&store.terms_of(seq)?) != implied {
                    verifier.first_break = Some(Break::IndexChanged { seq });
                    break;
                }
            }
        }
        if let Some(seq) = tally.observation_break()
            && verifier
                .first_break
                .as_ref()
                .is_none_or(|b| break_seq(b) > seq)
        {
            verifier.first_break = Some(Break::ObservationsChanged { seq });
        }
        if let Some(seq) = tally.index_break()
            && verifier
                .first_break
                .as_ref()
                .is_none_or(|b| break_seq(b) > seq)
        {
            verifier.first_break = Some(Break::IndexChanged { seq });
        }
        for cp in checkpoints.iter().filter(|c| c.size >= pruned) {
            verifier.check_checkpoint(cp.size, &cp.head);
        }
        if replay && verifier.first_break.is_none() {
            let (first_break, count) = replay_all(store, from)?;
            verifier.first_break = first_break;
            replayed = Some(count);
        }
        broken = verifier.first_break.clone();
    }
    progress.finish();
    Ok(Verification {
        valid: broken.is_none(),
        from,
        records: verifier.records,
        checkpoints: checkpoints.len(),
        head: trace::hex(&verifier.head()),
        first_break: broken,
        pruned_through: anchor.map(|a| a.seq),
        archives: archives.len(),
        archived_records,
        unchecked_checkpoints: unchecked,
        replayed,
    })
}

/// How many records `trace verify` reads at a time, at most…
const CHUNK_ROWS: usize = 2048;

/// …and no more once their text reaches this (records written before
/// format 2 listed every candidate, and could be megabytes each).
const CHUNK_BYTES: usize = 8 << 20;

/// Walks the chain from `from`: this thread reads runs of records (with
/// their term and observation rows) while the other cores check them
/// ([`check_chunk`]: hashes, and every index row against its record);
/// the reports are tallied in seq order. Reading stops at the first
/// break. Fails closed: a check that did not finish is an error.
fn walk(
    store: &Store,
    mut tally: Tally,
    from: i64,
    progress: &dyn Progress,
) -> Result<Tally, Failure> {
    use std::sync::{Mutex, mpsc};
    let names = TermNames::new(store.term_values()?);
    store.map_for_reading()?;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let stopped = || {
        Failure::from(Error::from(caio_store::Error::Store {
            path: store.path().to_path_buf(),
            reason: "the chain check stopped unexpectedly".into(),
            help: "run `caio trace verify` again; report it if it repeats",
        }))
    };
    let (work, jobs) = mpsc::channel::<(usize, Chunk, ChunkReport)>();
    let jobs = Mutex::new(jobs);
    std::thread::scope(|scope| -> Result<Tally, Failure> {
        let (done, reports) = mpsc::channel::<(usize, Chunk, ChunkReport)>();
        let names = &names;
        let jobs = &jobs;
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let done = done.clone();
                scope.spawn(move || {
                    loop {
                        let job = match jobs.lock() {
                            Ok(jobs) => jobs.recv(),
                            Err(_) => return,
                        };
                        let Ok((i, chunk, mut report)) = job else {
                            return;
                        };
                        check_chunk(&chunk, names, &mut report);
                        if done.send((i, chunk, report)).is_err() {
                            return;
                        }
                    }
                })
            })
            .collect();
        drop(done);
        // Runs in flight are bounded (in records and in bytes), so memory
        // is too.
        let in_flight = workers * 2;
        // Runs and reports are reused: nothing is allocated per run.
        let mut free: Vec<(Chunk, ChunkReport)> = Vec::new();
        let mut pending = std::collections::BTreeMap::new();
        let (mut sent, mut tallied) = (0usize, 0usize);
        let mut next = from;
        let mut reading = true;
        loop {
            while reading && sent - tallied < in_flight {
                let (mut chunk, report) = free.pop().unwrap_or_default();
                store.read_trace_chunk(next, CHUNK_ROWS, CHUNK_BYTES, &mut chunk)?;
                let last = chunk.rows().last().map(|r| r.seq);
                match last {
                    None => {
                        reading = false;
                        free.push((chunk, report));
                    }
                    Some(last) => {
                        next = last + 1;
                        work.send((sent, chunk, report)).map_err(|_| stopped())?;
                        sent += 1;
                    }
                }
            }
            if tallied == sent {
                break;
            }
            let (i, chunk, report) = reports.recv().map_err(|_| stopped())?;
            pending.insert(i, (chunk, report));
            while let Some((chunk, report)) = pending.remove(&tallied) {
                for _ in chunk.rows() {
                    progress.tick();
                }
                if !tally.add(&report) {
                    reading = false;
                }
                tallied += 1;
                free.push((chunk, report));
            }
        }
        drop(work);
        for handle in handles {
            handle.join().map_err(|_| stopped())?;
        }
        Ok(tally)
    })
}

/// Why a content-addressed input a record names (a trace object, a
/// contract version) cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InputProblem {
    /// The store does not hold it.
    Gone,
    /// Its stored body no longer hashes to its address (or, for an
    /// object, is of another kind).
    Altered,
    /// A contract version whose body hashes right but does not parse.
    Unreadable,
}

impl std::fmt::Display for InputProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            InputProblem::Gone => "no longer held",
            InputProblem::Altered => "held altered (its body no longer matches its hash)",
            InputProblem::Unreadable => "held, but does not read as a contract",
        })
    }
}

/// A contract version a record names, by its content hash: its stored
/// body — from the registry, else from the stateless inputs — when it
/// still hashes to that address.
fn contract_body(store: &Store, hash: &str) -> Result<Result<String, InputProblem>, Failure> {
    let body = match store.contract_body(hash)? {
        Some(body) => Some(body),
        None => store.trace_input(hash)?,
    };
    Ok(match body {
        None => Err(InputProblem::Gone),
        Some(body) if caio_store::registry::content_address(&body) != hash => {
            Err(InputProblem::Altered)
        }
        Some(body) => Ok(body),
    })
}

/// A contract version a record names, as replay and verify name it:
/// `contract <service> <version> (<hash>)`.
fn contract_label(c: &ContractRef) -> String {
    format!("contract {} {} ({})", c.service_id, c.version, c.hash)
}

/// What is wrong with the contract versions a sound candidate set names
/// (the first found), each version looked at once over a walk
/// (`checked`).
fn unsound_contract(
    store: &Store,
    candidates: &str,
    checked: &mut BTreeSet<String>,
) -> Result<Option<String>, Failure> {
    let Ok(refs) = trace::v2::parse_candidates(candidates) else {
        return Ok(Some("unreadable as a candidate set".into()));
    };
    for c in refs {
        if !checked.insert(c.hash.clone()) {
            continue;
        }
        if let Err(problem) = contract_body(store, &c.hash)? {
            return Ok(Some(format!(
                "sound, but its {} is {problem}",
                contract_label(&c)
            )));
        }
    }
    Ok(None)
}

/// Replays every record from `from`; the first whose recomputed decision
/// differs, or whose inputs are gone (fail closed), and how many records
/// were replayed.
fn replay_all(store: &Store, from: i64) -> Result<(Option<Break>, i64), Failure> {
    let mut first: Option<Break> = None;
    let mut replayed = 0;
    store.for_each_trace::<Failure>(from, None, |row| {
        replayed += 1;
        let stored = match parse_record(&row)? {
            Record::Decision(stored) => stored,
            Record::Outcome(o) => {
                // Nothing to recompute; the decision it names must be the
                // one at that seq, earlier in the chain.
                let named = &o.decision;
                let sound = named.seq < row.seq
                    && match store.trace_by_seq(named.seq)? {
                        Some(d) => d.hash == named.hash,
                        // Pruned: the archive holds it.
                        None => true,
                    };
                if !sound {
                    first = Some(Break::ReplayDiffers {
                        seq: row.seq,
                        detail: format!(
                            "the outcome names decision seq {} with another hash than the chain's",
                            named.seq
                        ),
                    });
                    return Ok(false);
                }
                return Ok(true);
            }
        };
        let detail = match rebuild(store, &stored, Purpose::Check)? {
            Err(missing) => Some(format!("missing {}", missing.join("; "))),
            Ok(rebuilt) if !rebuilt.identical => Some(rebuilt.differences.join("; ")),
            Ok(_) => None,
        };
        if let Some(detail) = detail {
            first = Some(Break::ReplayDiffers {
                seq: row.seq,
                detail,
            });
            return Ok(false);
        }
        Ok(true)
    })?;
    Ok((first, replayed))
}

/// What to do about a break `trace verify` found.
pub fn break_help(b: &Break) -> String {
    let restore = "the database was changed outside caio: restore it from a backup";
    match b {
        Break::ContentChanged { seq }
        | Break::OrderChanged { seq }
        | Break::IndexChanged { seq }
        | Break::ObservationsChanged { seq }
        | Break::ObjectBroken { seq, .. } => {
            format!("{restore}; `caio trace show {seq}` shows the record as stored")
        }
        Break::RecordMissing { .. } | Break::Truncated { .. } => format!(
            "{restore}, or from the archives `caio trace prune` wrote if it pruned them \
             (`caio trace verify --archive FILE`)"
        ),
        Break::CheckpointMismatch { seq } => format!(
            "the history before seq {seq} was rewritten since it was signed: {restore}; \
             compare with an export kept elsewhere"
        ),
        Break::BadCheckpoint { .. } => "check the note and the verifier key (--public-key, \
             or keys/instance.pub); `caio trace checkpoint` signs the head again"
            .into(),
        Break::ReplayDiffers { seq, .. } => {
            format!("`caio trace replay {seq}` says what differs and which inputs are gone")
        }
        Break::AnchorMismatch { .. } | Break::AnchorUnsigned { .. } => {
            "give the archives `caio trace prune` wrote (--archive FILE…) and the checkpoint \
             that covered them (--checkpoint FILE)"
                .into()
        }
        Break::StartPastHead { .. } => "start at or before the last record (--from)".into(),
    }
}

/// Verifies a signed note with any of `keys` (a home that was re-keyed has
/// several); the error is the current key's.
fn verify_note(text: &str, keys: &[(String, VerifyingKey)]) -> Result<Checkpoint, String> {
    let Some(((name, vk), older)) = keys.split_last() else {
        return Err("no verifier key".into());
    };
    match note::verify(text, name, vk) {
        Ok(cp) => Ok(cp),
        Err(reason) => older
            .iter()
            .rev()
            .find_map(|(name, vk)| note::verify(text, name, vk).ok())
            .ok_or(reason),
    }
}

/// The seq a chain break is at (checkpoint breaks sort last).
fn break_seq(b: &Break) -> i64 {
    match b {
        Break::ContentChanged { seq }
        | Break::RecordMissing { seq, .. }
        | Break::OrderChanged { seq }
        | Break::CheckpointMismatch { seq }
        | Break::IndexChanged { seq }
        | Break::ObservationsChanged { seq }
        | Break::ObjectBroken { seq, .. }
        | Break::ReplayDiffers { seq, .. } => *seq,
        Break::AnchorMismatch { seq } | Break::AnchorUnsigned { seq } => *seq,
        Break::Truncated { .. } | Break::BadCheckpoint { .. } | Break::StartPastHead { .. } => {
            i64::MAX
        }
    }
}

/// Every verifier key of the instance, without creating a key: those that
/// `trace rekey` retired, and the current one (`keys/instance.pub` when
/// present, else derived from `keys/instance.key`, for a home whose last
/// checkpoint predates `instance.pub`). Verifying only needs the public half, so the
/// key file's mode is not judged here; `verify` warns about it.
fn instance_public(store: &Store, home: &Home) -> Result<Vec<(String, VerifyingKey)>, String> {
    let mut keys = retired_public(home);
    keys.push(current_public(store, home)?);
    Ok(keys)
}

/// The verifier keys `trace rekey` retired (`keys/instance.pub.retired-*`),
/// oldest first. They live beside `instance.pub`, not in the database: the
/// keys that verify the chain never come from what they verify.
fn retired_public(home: &Home) -> Vec<(String, VerifyingKey)> {
    let prefix = format!("{INSTANCE_PUB}.retired-");
    let mut files: Vec<PathBuf> = std::fs::read_dir(home.keys_dir())
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(&prefix))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .filter_map(|p| read_bounded_text(p, SMALL_FILE_LIMIT).ok())
        .filter_map(|text| note::parse_verifier_key(&text).ok())
        .collect()
}

/// The current verifier key: `keys/instance.pub`, else derived from
/// `keys/instance.key`.
fn current_public(store: &Store, home: &Home) -> Result<(String, VerifyingKey), String> {
    let public = home.keys_dir().join(INSTANCE_PUB);
    if public.exists() {
        return read_bounded_text(&public, SMALL_FILE_LIMIT)
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

/// A stored record in either format.
#[derive(Debug, Clone)]
pub enum Stored {
    /// Format v1: the whole decision is in the record.
    V1(Box<RecordV1>),
    /// Format v2: a digest; the explanation is recomputed from objects.
    V2(Box<TraceRecord>),
}

impl Stored {
    /// When the decision was made.
    pub fn at(&self) -> &str {
        match self {
            Stored::V1(r) => &r.at,
            Stored::V2(r) => &r.at,
        }
    }

    /// How routing ended.
    pub fn outcome(&self) -> routing::Outcome {
        match self {
            Stored::V1(r) => r.outcome,
            Stored::V2(r) => r.outcome,
        }
    }

    /// The paths removed from the request before hashing.
    pub fn redacted(&self) -> &[String] {
        match self {
            Stored::V1(r) => &r.redacted,
            Stored::V2(r) => &r.redacted,
        }
    }

    /// The execution attempts.
    pub fn attempts(&self) -> &[caio_core::attempt::Attempt] {
        match self {
            Stored::V1(r) => &r.attempts,
            Stored::V2(r) => &r.attempts,
        }
    }

    /// Whether `route --execute` ran it (whatever the end).
    pub fn executed(&self) -> bool {
        match self {
            Stored::V1(r) => r.execution.is_some(),
            Stored::V2(r) => r.execution.is_some(),
        }
    }

    /// The chosen service of each step, when routed.
    pub fn chosen(&self) -> Vec<routing::Choice> {
        match self {
            Stored::V1(r) => r.decision.chosen.clone(),
            Stored::V2(r) => {
                let request: Option<Request> = serde_json::from_value(r.request.clone()).ok();
                let steps = request.map(|q| q.steps()).unwrap_or_default();
                r.decision
                    .chosen
                    .iter()
                    .enumerate()
                    .map(|(i, c)| c.choice(steps.get(i).map_or("", |s| s.capability.as_str())))
                    .collect()
            }
        }
    }

    /// Who asked.
    pub fn principal(&self) -> &str {
        match self {
            Stored::V1(r) => &r.decision.principal,
            Stored::V2(r) => &r.decision.principal,
        }
    }

    /// How execution ended (`route --execute` only).
    pub fn execution(&self) -> Option<&trace::ExecutionRecord> {
        match self {
            Stored::V1(r) => r.execution.as_ref(),
            Stored::V2(r) => r.execution.as_ref(),
        }
    }
}

/// A stored decision rebuilt from its inputs (listing every candidate,
/// unless rebuilt only to be checked), with what identifies its inputs.
#[derive(Debug)]
pub struct Rebuilt {
    /// The decision recomputed now, with its inputs' hashes.
    pub routed: caio_core::routing::Routed,
    /// Whether it is the decision the record holds (the whole decision for
    /// v1, its digest for v2).
    pub identical: bool,
    /// How it differs, for people.
    pub differences: Vec<String>,
    /// What `--explain` shows beyond the decision (every stage that would
    /// reject each candidate, what a principal lacks), when asked for.
    pub explanation: Option<Explanation>,
}

/// What a stored decision is recomputed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// To compare it with the record (`trace replay`, `trace verify
    /// --replay`): a v2 record's decision is recomputed brief, as the
    /// router recorded it.
    Check,
    /// To show it with every candidate.
    Show,
    /// To show it with what `--explain` adds.
    Explain,
}

/// Recomputes a stored decision from its stored inputs (SPEC §9): the
/// contract versions by hash (registry history, or the inputs a stateless
/// route kept), the policy set by hash, the stats snapshot, the request and
/// the identity; for [`Purpose::Explain`], also what `--explain` shows
/// beyond it. `Err` lists the inputs the store no longer holds.
pub fn rebuild(
    store: &Store,
    stored: &Stored,
    purpose: Purpose,
) -> Result<Result<Rebuilt, Vec<String>>, Failure> {
    let mut missing = Vec::new();
    // The policy set's object, when the record references one: `Err` says
    // what is missing when it is not held (or does not read).
    let mut policy_object: Option<Result<PolicySet, String>> = None;
    let (refs, policy_hash, policy_rules, stats, request, identity, redacted, decided_at_ms) =
        match stored {
            Stored::V1(r) => (
                r.contracts.clone(),
                r.policy_set.clone(),
                None,
                r.stats.clone(),
                &r.request,
                &r.identity,
                &r.redacted,
                None,
            ),
            Stored::V2(r) => {
                let refs = match object(store, &r.objects.candidates, trace::v2::CANDIDATES)? {
                    Some(body) => trace::v2::parse_candidates(&body).unwrap_or_else(|e| {
                        missing.push(format!("a readable candidate set ({e})"));
                        Vec::new()
                    }),
                    None => {
                        missing.push(format!("candidate set {}", r.objects.candidates));
                        Vec::new()
                    }
                };
                let stats = match &r.objects.stats {
                    None => Default::default(),
                    Some(hash) => match object(store, hash, trace::v2::STATS)? {
                        Some(body) => trace::v2::parse_stats(&body).unwrap_or_else(|e| {
                            missing.push(format!("a readable stats snapshot ({e})"));
                            Default::default()
                        }),
                        None => {
                            missing.push(format!("stats snapshot {hash}"));
                            Default::default()
                        }
                    },
                };
                // The set's content hash: named by the record (written
                // before the set was an object), else that of its object.
                let mut policy_hash = r.objects.policy_set.clone().unwrap_or_default();
                if let Some(hash) = &r.objects.policies {
                    let set = match object(store, hash, trace::v2::POLICIES)? {
                        Some(body) => {
                            policy_hash = caio_core::policy::content_hash(&body);
                            caio_core::policy::load::from_stored(&body)
                                .map_err(|reason| format!("a readable policy set ({reason})"))
                        }
                        None => Err(format!("policy set {hash}")),
                    };
                    policy_object = Some(set);
                }
                (
                    refs,
                    policy_hash,
                    Some(r.objects.policy_rules),
                    stats,
                    &r.request,
                    &r.identity,
                    &r.redacted,
                    r.decided_at_ms,
                )
            }
        };
    // A contract is its content: one whose body no longer hashes to the
    // address the record names was altered, and is not used.
    let mut contracts = Vec::new();
    for c in &refs {
        let contract = contract_body(store, &c.hash)?.and_then(|body| {
            serde_json::from_str::<ServiceContract>(&body).map_err(|_| InputProblem::Unreadable)
        });
        match contract {
            Ok(contract) => contracts.push((contract, c)),
            Err(InputProblem::Gone) => missing.push(contract_label(c)),
            Err(problem) => missing.push(format!("{}: {problem}", contract_label(c))),
        }
    }
    // The set a record's object holds; else (a record written before the
    // set was an object) the set kept by its content hash.
    let policies: Option<PolicySet> = match policy_object {
        Some(set) => set.map_err(|what| missing.push(what)).ok(),
        None => {
            let set = match store.policy_set_by_hash(&policy_hash)? {
                Some(set) => Some(set),
                None => match store.trace_input(&policy_hash)? {
                    Some(body) => caio_core::policy::load::from_stored(&body).ok(),
                    None if policy_hash == empty_set_hash() => Some(PolicySet::default()),
                    None => None,
                },
            };
            if set.is_none() {
                missing.push(format!("policy set {policy_hash}"));
            }
            set
        }
    };
    let request: Result<Request, _> = serde_json::from_value(request.clone());
    if let Err(e) = &request {
        missing.push(format!("the request ({e})"));
    }
    let (Some(policies), Ok(request), true) = (policies, request, missing.is_empty()) else {
        return Ok(Err(missing));
    };
    let candidates: Vec<Candidate<'_>> = contracts
        .iter()
        .map(|(contract, r)| Candidate {
            contract: contract.into(),
            status: r.status,
            status_reason: r.status_reason.as_deref(),
            stats: stats.get(&r.service_id).copied().unwrap_or_default(),
        })
        .collect();
    // A v1 record holds its whole decision: it is compared whole.
    let detail = match (purpose, stored) {
        (Purpose::Check, Stored::V2(_)) => routing::Detail::Brief,
        _ => routing::Detail::Full,
    };
    let again = routing::route_compiled(
        &request,
        identity,
        &candidates,
        &routing::Compiled::new(&candidates),
        &policies,
        decided_at_ms,
        detail,
    );
    let explanation = match purpose == Purpose::Explain {
        true => Some(routing::explain::explain(
            &request,
            identity,
            &candidates,
            &policies,
            &again,
            &store.capabilities()?,
        )),
        false => None,
    };
    // Each side's choice (scores as the record keeps them) and each
    // step's counts of candidates and eligible ones.
    type Counts = Vec<(usize, usize)>;
    let (recorded_chosen, recorded_outcome, identical, replayed_chosen, counts) = match stored {
        Stored::V1(r) => {
            let counts = |d: &routing::Decision| -> Counts {
                d.steps
                    .iter()
                    .map(|s| (s.tally().candidates, s.tally().eligible))
                    .collect()
            };
            (
                r.decision.chosen.clone(),
                r.decision.outcome,
                again == r.decision,
                again.chosen.clone(),
                (counts(&r.decision), counts(&again)),
            )
        }
        Stored::V2(r) => {
            let replayed = trace::v2::digest(&again, &refs);
            let counts = |d: &trace::v2::Digest| -> Counts {
                d.steps.iter().map(|s| (s.candidates, s.eligible)).collect()
            };
            let mut replayed_chosen = again.chosen.clone();
            for (choice, digested) in replayed_chosen.iter_mut().zip(&replayed.chosen) {
                choice.score = digested.score;
            }
            (
                stored.chosen(),
                r.outcome,
                replayed == r.decision && again.outcome == r.outcome,
                replayed_chosen,
                (counts(&r.decision), counts(&replayed)),
            )
        }
    };
    let mut differences = Vec::new();
    if !identical {
        if again.outcome != recorded_outcome {
            differences.push(format!(
                "outcome: recorded {}, replayed {}",
                recorded_outcome.as_str(),
                again.outcome.as_str()
            ));
        }
        let ids = |c: &[routing::Choice]| -> Vec<String> {
            c.iter().map(|c| c.service_id.clone()).collect()
        };
        if ids(&replayed_chosen) != ids(&recorded_chosen) {
            differences.push(format!(
                "chosen: recorded [{}], replayed [{}]",
                ids(&recorded_chosen).join(", "),
                ids(&replayed_chosen).join(", ")
            ));
        } else {
            for (recorded, replayed) in recorded_chosen.iter().zip(&replayed_chosen) {
                if recorded.score != replayed.score {
                    differences.push(format!(
                        "score of {}: recorded {}, replayed {}",
                        recorded.service_id, recorded.score, replayed.score
                    ));
                }
            }
        }
        let (recorded_counts, replayed_counts) = &counts;
        for (i, (recorded, replayed)) in recorded_counts.iter().zip(replayed_counts).enumerate() {
            if recorded != replayed {
                differences.push(format!(
                    "step {}: recorded {}/{} eligible, replayed {}/{}",
                    i + 1,
                    recorded.1,
                    recorded.0,
                    replayed.1,
                    replayed.0
                ));
            }
        }
        if differences.is_empty() {
            differences
                .push("the listed candidates, their terms or the rejection counts differ".into());
        }
        // A field the record leaves out that routing reads would explain
        // it (the token and the payload never decide anything).
        let withheld: Vec<&str> = redacted
            .iter()
            .map(String::as_str)
            .filter(|path| !caio_core::request::ALWAYS_REDACTED.contains(path))
            .collect();
        if !withheld.is_empty() {
            differences.push(format!(
                "the request was recorded without {}",
                withheld.join(", ")
            ));
        }
    }
    let rules = policy_rules.unwrap_or_else(|| policies.policies().len());
    let mut by_id: Vec<&ContractRef> = refs.iter().collect();
    by_id.sort_by(|a, b| a.service_id.cmp(&b.service_id));
    let routed = caio_core::routing::Routed {
        decision: again,
        identity: identity.clone(),
        policy_set: policy_hash,
        policy_rules: rules,
        contracts: by_id.into_iter().cloned().collect(),
        stats,
        decided_at_ms,
        notes: Vec::new(),
    };
    Ok(Ok(Rebuilt {
        routed,
        identical,
        differences,
        explanation,
    }))
}

/// A trace object's body, checked against its hash and kind; `None` when
/// the store does not hold it.
pub(crate) fn object(store: &Store, hash: &str, kind: &str) -> Result<Option<String>, Failure> {
    match sound_object(store, hash, kind)? {
        Ok(body) => Ok(Some(body)),
        Err(InputProblem::Gone) => Ok(None),
        Err(_) => Err(TraceError::Object {
            hash: hash.to_string(),
        }
        .into()),
    }
}

/// A trace object's body when the store holds it as `kind` with a body
/// that matches its hash.
fn sound_object(
    store: &Store,
    hash: &str,
    kind: &str,
) -> Result<Result<String, InputProblem>, Failure> {
    Ok(match store.trace_object(hash)? {
        None => Err(InputProblem::Gone),
        Some((stored_kind, body))
            if stored_kind != kind || trace::v2::object_hash(kind, &body) != hash =>
        {
            Err(InputProblem::Altered)
        }
        Some((_, body)) => Ok(body),
    })
}

/// Re-runs the routing of a stored decision from its stored inputs.
pub fn replay(store: &Store, id: &str) -> Result<Replay, Failure> {
    let row = find(store, id)?;
    let stored = parse_decision(&row)?;
    Ok(match rebuild(store, &stored, Purpose::Check)? {
        Err(missing) => Replay {
            seq: row.seq,
            identical: false,
            differences: Vec::new(),
            missing,
        },
        Ok(rebuilt) => Replay {
            seq: row.seq,
            identical: rebuilt.identical,
            differences: rebuilt.differences,
            missing: Vec::new(),
        },
    })
}

/// The hash of the empty policy set (routing without policies).
fn empty_set_hash() -> String {
    PolicySet::default()
        .canonical()
        .map(|(h, _)| h)
        .unwrap_or_default()
}
