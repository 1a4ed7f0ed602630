//! The decision trace (SPEC §9): one canonical JSON record per route call,
//! chained with BLAKE3, checkpointed with Ed25519 signed notes.
//!
//! ```text
//! hash_n = BLAKE3(domain ‖ hash_{n−1} ‖ JCS(record_n)),  hash_0 = 32 zero bytes
//! domain = "caio-trace-v2\n" for a v2 record, "caio-trace-v1\n" for one written before
//! ```
//!
//! New records are format v2 ([`v2`]); records of format v1 ([`RecordV1`])
//! stay in a chain and keep verifying and replaying.
//!
//! This module is pure: building records (with redaction before hashing),
//! the chain rule, and judging a sequence of stored rows. Storage lives in
//! `caio_store::traces`, signed notes in [`note`].

pub mod check;
mod indexed;
pub mod note;
pub mod outcome;
pub mod v2;

pub use indexed::{DECISION, Derived, Index, Indexed, derive, term};

use std::sync::Arc;
pub use v2::{Object, TraceRecord, record, record_with};

use crate::attempt::Attempt;
use crate::request::Request;
use crate::routing::ContractRef;
use crate::routing::{Decision, Identity, ServiceStats};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The domain prefix of a v1 record's chain hash.
pub const DOMAIN: &[u8] = b"caio-trace-v1\n";

/// What one route call left in the trace before format v2: the whole
/// decision, every candidate's explanation included.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordV1 {
    pub(crate) v: u32,
    /// When the call was made (RFC 3339 UTC), from the edge's clock.
    pub at: String,
    /// How routing ended (the decision's outcome).
    pub outcome: crate::routing::Outcome,
    /// The request, without its token and without the paths it listed
    /// under `redact`.
    pub request: serde_json::Value,
    /// The paths removed from the request before hashing.
    pub redacted: Vec<String>,
    /// Who asked (for a refused token: only the kind of failure).
    pub identity: Identity,
    /// Hash of the policy set applied.
    pub policy_set: String,
    /// Every contract version considered, with its status at the time.
    pub contracts: Vec<ContractRef>,
    /// Execution statistics used, by service (services without history
    /// are left out: they score h = 1).
    pub stats: BTreeMap<String, ServiceStats>,
    pub(crate) seed: u64,
    /// The decision.
    pub decision: Decision,
    /// Execution attempts (`route --execute`), in order: service, status
    /// or error class, latency, retry or failover and why, guarantee
    /// violations.
    #[serde(default)]
    pub attempts: Vec<Attempt>,
    /// How execution ended (`route --execute` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<ExecutionRecord>,
}

/// The end of an execution, next to its attempts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionRecord {
    /// How it ended.
    pub outcome: ExecutionOutcome,
    /// The service whose response was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<String>,
    /// Why execution failed or did not start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The overall deadline (`--deadline-ms`).
    pub deadline_ms: u64,
    /// Candidates that were not tried, and why (e.g. `secret-missing: VAR`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Skipped>,
    /// The answer was streamed (`--stream`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stream: bool,
}

/// A candidate execution passed over without an attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skipped {
    /// The service.
    pub service_id: String,
    /// Its contract version.
    pub service_version: String,
    /// Why: `secret-missing: VAR`, `secret-unusable: VAR (…)` or
    /// `payload-unsupported: …`.
    pub reason: String,
    /// The environment variable at fault, for a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variable: Option<String>,
}

/// How an execution ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecutionOutcome {
    /// A service's response was used.
    Succeeded,
    /// Every candidate failed, or the deadline ran out.
    Failed,
    /// Nothing was sent (a missing secret, an unusable endpoint).
    NotStarted,
}

/// A record serialised for the chain: its canonical JSON and the objects
/// it references. Everything a store keeps of a record besides these (its
/// lookup columns, audit terms, observations, the objects' last uses) is
/// read back from the body, by the code `trace verify` checks it with.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// `JCS(record)`.
    pub body: String,
    /// The objects it references (stored once, with the first record that
    /// references them; shared between the records of a batch).
    pub objects: Vec<Arc<Object>>,
}

impl Prepared {
    /// Serialises `record` to its canonical JSON.
    pub fn new(
        record: &TraceRecord,
        objects: Vec<Arc<Object>>,
    ) -> Result<Prepared, crate::canonical::JcsError> {
        Ok(Prepared {
            body: crate::canonical::to_jcs(record)?,
            objects,
        })
    }
}

/// The request as JSON without its token, its `payload` and the paths
/// under `redact`, and the list of paths actually removed (sorted).
pub(crate) fn redact(request: &Request) -> (serde_json::Value, Vec<String>) {
    let mut value = serde_json::to_value(request).unwrap_or(serde_json::Value::Null);
    let mut removed = Vec::new();
    // The payload is the content sent to a service: never in the trace.
    let always = crate::request::ALWAYS_REDACTED.iter().copied();
    for path in always.chain(request.redact.iter().map(String::as_str)) {
        if remove_path(&mut value, path) {
            removed.push(path.to_string());
        }
    }
    // A credential pasted where none belongs (a token in `request_id`) is
    // masked wherever it appears.
    mask_credentials(&mut value, &mut String::new(), &mut removed);
    // An `auth` object left empty says nothing; drop it too.
    if let Some(map) = value.as_object_mut()
        && map
            .get("auth")
            .is_some_and(|a| a.as_object().is_some_and(|o| o.is_empty()))
    {
        map.remove("auth");
    }
    removed.sort();
    removed.dedup();
    (value, removed)
}

/// Leaves out of a recorded request the fields at their defaults (SPEC
/// §5): data `internal` without PII, no requirements, the `balanced`
/// priority, zero token counts, an empty input. Reading the request back
/// gives the same value, so replay routes it the same; only the bytes of
/// the record shrink.
pub(crate) fn without_defaults(value: &mut serde_json::Value) {
    use serde_json::{Value, json};
    fn input(map: &mut serde_json::Map<String, Value>, key: &str) {
        if let Some(Value::Object(input)) = map.get_mut(key) {
            for count in ["tokens", "expected_output_tokens"] {
                if input.get(count) == Some(&json!(0)) {
                    input.remove(count);
                }
            }
            if input.is_empty() {
                map.remove(key);
            }
        }
    }
    let Some(map) = value.as_object_mut() else {
        return;
    };
    input(map, "input");
    if let Some(Value::Array(steps)) = map.get_mut("chain") {
        for step in steps.iter_mut().filter_map(Value::as_object_mut) {
            input(step, "input");
        }
    }
    if map.get("data") == Some(&json!({"class": "internal", "contains_pii": false})) {
        map.remove("data");
    }
    if map.get("requirements") == Some(&json!({})) {
        map.remove("requirements");
    }
    if let Some(Value::Object(preferences)) = map.get_mut("preferences") {
        if preferences.get("priority") == Some(&json!("balanced")) {
            preferences.remove("priority");
        }
        if preferences.is_empty() {
            map.remove("preferences");
        }
    }
}

/// Masks credential-shaped strings in every string of `value`; the paths of
/// the strings changed go into `masked`.
fn mask_credentials(value: &mut serde_json::Value, path: &mut String, masked: &mut Vec<String>) {
    match value {
        serde_json::Value::String(text) => {
            if let Some(safe) = masked_credentials(text) {
                *text = safe;
                masked.push(path.clone());
            }
        }
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = path.len();
                push_segment(path, &i.to_string());
                mask_credentials(item, path, masked);
                path.truncate(len);
            }
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                let len = path.len();
                push_segment(path, key);
                mask_credentials(item, path, masked);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

fn push_segment(path: &mut String, segment: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(segment);
}

/// The shortest secret part a credential-shaped string has.
const MIN_SECRET: usize = 16;

/// `text` with the secret part of every credential-shaped run (`caio_…`,
/// `sk-…`, `Bearer …`, at least 16 key characters) replaced by `***`;
/// `None` when there is none.
pub fn masked_credentials(text: &str) -> Option<String> {
    let is_key = |c: char| c.is_ascii_alphanumeric() || "-_.~+/=".contains(c);
    let mut out = String::new();
    let mut rest = text;
    let mut changed = false;
    while !rest.is_empty() {
        let prefix = ["caio_", "sk-", "Bearer ", "bearer "]
            .iter()
            .find(|p| rest.starts_with(**p));
        if let Some(prefix) = prefix {
            let body = &rest[prefix.len()..];
            let run = body.find(|c: char| !is_key(c)).unwrap_or(body.len());
            if run >= MIN_SECRET {
                out.push_str(prefix);
                out.push_str("***");
                rest = &body[run..];
                changed = true;
                continue;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    changed.then_some(out)
}

fn remove_path(value: &mut serde_json::Value, path: &str) -> bool {
    let mut parts: Vec<&str> = path.split('.').collect();
    let Some(last) = parts.pop() else {
        return false;
    };
    let mut node = value;
    for part in parts {
        // A chain step is addressed by its index: `chain.0.input`.
        let next = match (node, part.parse::<usize>()) {
            (serde_json::Value::Array(items), Ok(i)) => items.get_mut(i),
            (node, _) => node.get_mut(part),
        };
        match next {
            Some(next) => node = next,
            None => return false,
        }
    }
    node.as_object_mut()
        .is_some_and(|m| m.remove(last).is_some())
}

/// The format of a stored record: 2 when its canonical JSON ends with the
/// v2 version key (the last key in canonical order), else 1.
pub fn record_version(body: &str) -> u32 {
    if body.ends_with(",\"v\":2}") { 2 } else { 1 }
}

/// `BLAKE3(domain ‖ prev ‖ body)`, the domain by the record's format.
pub fn chain_hash(prev: &[u8; 32], body: &str) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(if record_version(body) == 2 {
        v2::DOMAIN_V2
    } else {
        DOMAIN
    });
    h.update(prev);
    h.update(body.as_bytes());
    *h.finalize().as_bytes()
}

/// The hash before the first record.
pub const GENESIS: [u8; 32] = [0; 32];

/// `decision_id`: the first 32 hex characters of the record's chain hash.
pub fn decision_id(hash: &[u8; 32]) -> String {
    hex(hash)[..32].to_string()
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(HEX_DIGITS[usize::from(b >> 4)].into());
        out.push(HEX_DIGITS[usize::from(b & 0x0f)].into());
    }
    out
}

/// The value of each byte as a hex digit (either case); 0xff for a byte
/// that is not one.
const UNHEX: [u8; 256] = {
    let mut table = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// Parses 64 hex characters (either case).
pub fn unhex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    // A byte that is not a digit maps to 0xff: its high bits show.
    let mut bad = 0u8;
    for (slot, pair) in out.iter_mut().zip(s.as_bytes().chunks_exact(2)) {
        let (hi, lo) = (UNHEX[usize::from(pair[0])], UNHEX[usize::from(pair[1])]);
        bad |= hi | lo;
        *slot = hi << 4 | lo;
    }
    (bad & 0xf0 == 0).then_some(out)
}

/// One stored row of the chain, as verification reads it.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its position in the chain, from 1.
    pub seq: i64,
    /// The stored hash of the record before it (hex).
    pub prev: String,
    /// The stored chain hash of this record (hex).
    pub hash: String,
    /// The record's canonical JSON, as stored.
    pub record: String,
    /// The columns `list` and `show` search by, when read from the store.
    pub index: Option<Index>,
}

/// The objects a stored v2 record references: `(kind, hash)`; none for a
/// v1 record or one that does not read.
pub fn referenced_objects(record: &str) -> Vec<(&'static str, String)> {
    #[derive(Deserialize)]
    struct Refs<'a> {
        #[serde(borrow)]
        objects: Option<indexed::HeadObjects<'a>>,
    }
    if record_version(record) != 2 {
        return Vec::new();
    }
    match serde_json::from_str::<Refs<'_>>(record) {
        Ok(Refs {
            objects: Some(objects),
        }) => objects
            .referenced()
            .into_iter()
            .map(|(kind, hash)| (kind, hash.into_owned()))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a row's lookup columns are those its record and hash imply.
pub fn index_matches(row: &Row) -> bool {
    match (&row.index, unhex32(&row.hash)) {
        (None, _) => true,
        (Some(index), Some(hash)) => index.matches(&row.record, &hash),
        (Some(_), None) => false,
    }
}

impl ExecutionOutcome {
    /// `succeeded`, `failed` or `not_started`, as records spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutionOutcome::Succeeded => "succeeded",
            ExecutionOutcome::Failed => "failed",
            ExecutionOutcome::NotStarted => "not_started",
        }
    }

    /// `ok` for a succeeded execution, else `failed` (the audit term).
    pub fn term(self) -> &'static str {
        match self {
            ExecutionOutcome::Succeeded => "ok",
            ExecutionOutcome::Failed | ExecutionOutcome::NotStarted => "failed",
        }
    }
}

/// The first thing wrong with a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Break {
    /// The record (or its stored hash) was altered.
    ContentChanged {
        /// The altered record.
        seq: i64,
    },
    /// Records `seq..next` are missing: `next` is the next seq present.
    RecordMissing {
        /// The first missing seq.
        seq: i64,
        /// The next seq present.
        next: i64,
    },
    /// The record at `seq` does not continue the one before it.
    OrderChanged {
        /// The record out of place.
        seq: i64,
    },
    /// A checkpoint covers more records than the chain holds.
    Truncated {
        /// How many records the checkpoint covers.
        checkpoint: i64,
        /// The seq of the last record verified.
        records: i64,
    },
    /// The chain's hash at the checkpoint's size differs from the checkpoint.
    CheckpointMismatch {
        /// The checkpoint's size: the seq where the hashes differ.
        seq: i64,
    },
    /// A checkpoint whose signature does not verify, or that cannot be read.
    BadCheckpoint {
        /// The checkpoint, as the user named it (its path).
        checkpoint: String,
        /// Why it was refused.
        reason: String,
    },
    /// The lookup columns (decision id, time, outcome, services, principal)
    /// disagree with the record they index.
    IndexChanged {
        /// The record whose columns disagree.
        seq: i64,
    },
    /// The observations indexed for `caio slo` and `caio metrics` (one
    /// per execution attempt or reported outcome) disagree with the record.
    ObservationsChanged {
        /// The record whose observations disagree.
        seq: i64,
    },
    /// A record references a trace object the store does not hold, or one
    /// whose body no longer matches its hash (fail closed).
    ObjectBroken {
        /// The first record that references it.
        seq: i64,
        /// The object's hash.
        hash: String,
        /// `missing` or `altered`.
        problem: String,
    },
    /// The archives (`verify --archive`) and the live chain disagree about
    /// the last pruned record: its hash in the archive is not the anchor.
    AnchorMismatch {
        /// The last pruned record.
        seq: i64,
    },
    /// The trace was pruned through `seq`, and no signed checkpoint at or
    /// after it vouches for where the live chain starts.
    AnchorUnsigned {
        /// The last pruned record.
        seq: i64,
    },
    /// `verify --replay`: recomputing the decision from its stored inputs
    /// does not give the recorded one, or cannot be done.
    ReplayDiffers {
        /// The record.
        seq: i64,
        /// How it differs, or which inputs are missing.
        detail: String,
    },
    /// Verification was asked to start (`--from`) after the last record
    /// (`head`, 0 for an empty chain): the records asked for are not there.
    StartPastHead {
        /// The seq asked for.
        from: i64,
        /// The last seq stored (0 for an empty chain).
        head: i64,
    },
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Break::ContentChanged { seq } => {
                write!(f, "seq {seq}: content changed (its hash does not match)")
            }
            Break::RecordMissing { seq, next } if *next == seq + 1 => write!(
                f,
                "seq {seq}: record missing (the next record present is seq {next})"
            ),
            Break::RecordMissing { seq, next } => write!(
                f,
                "seqs {seq}..{}: records missing (the next record present is seq {next})",
                next - 1
            ),
            Break::OrderChanged { seq } => {
                write!(
                    f,
                    "seq {seq}: order changed (it does not continue the previous record)"
                )
            }
            Break::Truncated {
                checkpoint,
                records,
            } => write!(
                f,
                "chain truncated below a checkpoint: the checkpoint covers {checkpoint} records, the chain holds {records}"
            ),
            Break::CheckpointMismatch { seq } => {
                write!(
                    f,
                    "seq {seq}: the chain differs from a signed checkpoint at this size (history rewritten)"
                )
            }
            Break::BadCheckpoint { checkpoint, reason } => {
                write!(f, "bad checkpoint {checkpoint}: {reason}")
            }
            Break::ObjectBroken { seq, hash, problem } => {
                write!(f, "seq {seq}: the object {hash} it references is {problem}")
            }
            Break::ReplayDiffers { seq, detail } => write!(
                f,
                "seq {seq}: replaying the decision from its stored inputs does not reproduce it: {detail}"
            ),
            Break::IndexChanged { seq } => write!(
                f,
                "seq {seq}: the listing columns disagree with the record (list and show would mislead)"
            ),
            Break::AnchorMismatch { seq } => write!(
                f,
                "seq {seq}: the archives end with another record than the one the live chain continues (the anchor of the prune)"
            ),
            Break::AnchorUnsigned { seq } => write!(
                f,
                "the trace was pruned through seq {seq}, but no signed checkpoint at or after it vouches for where the live chain starts"
            ),
            Break::ObservationsChanged { seq } => write!(
                f,
                "seq {seq}: the observations indexed from it disagree with the record (slo and metrics would mislead)"
            ),
            Break::StartPastHead { from, head: 0 } => {
                write!(
                    f,
                    "--from {from} is past the head: the chain holds no records"
                )
            }
            Break::StartPastHead { from, head } => write!(
                f,
                "--from {from} is past the head: the last record is seq {head}"
            ),
        }
    }
}

/// A row's stored links, and whether its stored hash is the chain hash of
/// its record over its stored link: all of a row's hashing, done apart
/// from the walk (which only compares links), so rows can be hashed on
/// several threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// The row's seq.
    pub seq: i64,
    /// Its stored link to the record before it, when it reads as hex.
    pub prev: Option<[u8; 32]>,
    /// Its stored chain hash, when it reads as hex.
    pub hash: Option<[u8; 32]>,
    /// `chain_hash(prev, record) == hash`.
    pub sound: bool,
}

impl Link {
    /// Reads and recomputes a row's hashes.
    pub fn of(row: &Row) -> Link {
        let prev = unhex32(&row.prev);
        let hash = unhex32(&row.hash);
        let sound = match (&prev, &hash) {
            (Some(prev), Some(hash)) => chain_hash(prev, &row.record) == *hash,
            _ => false,
        };
        Link {
            seq: row.seq,
            prev,
            hash,
            sound,
        }
    }
}

/// Walks rows in seq order, checking contiguity, links and hashes, and
/// remembering the hash at each size a checkpoint needs.
#[derive(Debug)]
pub struct Verifier {
    /// The seq the next row must have.
    expected_seq: i64,
    /// Whether no row was seen yet.
    first: bool,
    prev: [u8; 32],
    /// Checkpoint sizes whose chain hash we need.
    wanted: BTreeMap<i64, Option<[u8; 32]>>,
    /// The seq of the last row that checked out (0 before any).
    pub records: i64,
    /// The first thing found wrong, if any; nothing is checked after it.
    pub first_break: Option<Break>,
    /// Check each row's lookup columns here (callers that check them on
    /// another thread turn this off).
    pub check_index: bool,
}

impl Verifier {
    /// Starts at `from`: at the genesis for 1, else trusting the stored link
    /// into record `from`.
    pub fn new(from: i64, wanted_sizes: impl IntoIterator<Item = i64>) -> Verifier {
        Verifier {
            expected_seq: from.max(1),
            first: true,
            prev: GENESIS,
            wanted: wanted_sizes.into_iter().map(|s| (s, None)).collect(),
            records: 0,
            first_break: None,
            check_index: true,
        }
    }

    /// Continues a chain after `seq`, whose hash is `head` (an anchor left
    /// by pruning, or the end of an archive): the next row must be
    /// `seq + 1` and link to `head`. A wanted size equal to `seq` is
    /// `head`'s.
    pub fn resume(
        seq: i64,
        head: [u8; 32],
        wanted_sizes: impl IntoIterator<Item = i64>,
    ) -> Verifier {
        let mut v = Verifier::new(seq + 1, wanted_sizes);
        v.first = false;
        v.prev = head;
        v.records = seq;
        if let Some(slot) = v.wanted.get_mut(&seq) {
            *slot = Some(head);
        }
        v
    }

    /// The seq the next row must have.
    pub fn next_seq(&self) -> i64 {
        self.expected_seq
    }

    /// The chain hash at a wanted size the walk passed.
    pub fn hash_at(&self, size: i64) -> Option<[u8; 32]> {
        self.wanted.get(&size).copied().flatten()
    }

    /// Checks one row; returns false once the chain is broken.
    pub fn push(&mut self, row: &Row) -> bool {
        let link = Link::of(row);
        if !self.check(&link) {
            return false;
        }
        if self.check_index
            && let Some(index) = &row.index
            && let Some(hash) = link.hash
            && !index.matches(&row.record, &hash)
        {
            self.first_break = Some(Break::IndexChanged { seq: row.seq });
            return false;
        }
        self.advance(&link);
        true
    }

    /// Checks one row whose hash was recomputed apart ([`Link::of`], on
    /// any thread): the walk itself only compares seqs and links. Returns
    /// false once the chain is broken.
    pub fn push_link(&mut self, link: &Link) -> bool {
        if !self.check(link) {
            return false;
        }
        self.advance(link);
        true
    }

    /// Whether `link` continues the chain; else the break is recorded.
    fn check(&mut self, link: &Link) -> bool {
        if self.first_break.is_some() {
            return false;
        }
        if link.seq != self.expected_seq {
            self.first_break = Some(if link.seq > self.expected_seq {
                Break::RecordMissing {
                    seq: self.expected_seq,
                    next: link.seq,
                }
            } else {
                Break::OrderChanged { seq: link.seq }
            });
            return false;
        }
        let from_later = self.first && link.seq > 1;
        self.first = false;
        let (Some(stored_prev), Some(_)) = (link.prev, link.hash) else {
            self.first_break = Some(Break::ContentChanged { seq: link.seq });
            return false;
        };
        if from_later {
            // Verifying from a later seq: trust the link into it.
            self.prev = stored_prev;
        }
        if stored_prev != self.prev {
            // Its own hash may be consistent with its stored link, but the
            // link does not point at the previous record.
            self.first_break = Some(if link.sound {
                Break::OrderChanged { seq: link.seq }
            } else {
                Break::ContentChanged { seq: link.seq }
            });
            return false;
        }
        if !link.sound {
            self.first_break = Some(Break::ContentChanged { seq: link.seq });
            return false;
        }
        true
    }

    /// Moves past a row that checked out.
    fn advance(&mut self, link: &Link) {
        let Some(hash) = link.hash else {
            return;
        };
        self.prev = hash;
        self.expected_seq = link.seq + 1;
        self.records = link.seq;
        if let Some(slot) = self.wanted.get_mut(&link.seq) {
            *slot = Some(hash);
        }
    }

    /// Checks a checkpoint (already signature-checked) against the chain.
    pub fn check_checkpoint(&mut self, size: i64, head: &[u8; 32]) {
        if self.first_break.is_some() || size == 0 {
            return;
        }
        match self.wanted.get(&size) {
            Some(Some(h)) if h == head => {}
            Some(Some(_)) => self.first_break = Some(Break::CheckpointMismatch { seq: size }),
            _ => {
                self.first_break = Some(Break::Truncated {
                    checkpoint: size,
                    records: self.records,
                })
            }
        }
    }

    /// The chain hash after the last row that checked out.
    pub fn head(&self) -> [u8; 32] {
        self.prev
    }

    /// After the last row, given the last seq stored (`head`, 0 for an
    /// empty chain): verifying from a seq the chain does not reach is a
    /// break (the records asked for are not there).
    pub fn finish(&mut self, head: i64) {
        if self.first_break.is_none() && self.first && self.expected_seq > 1 {
            self.first_break = Some(Break::StartPastHead {
                from: self.expected_seq,
                head,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: i64) -> Vec<Row> {
        chained(n, |seq| format!("{{\"n\":{seq}}}"))
    }

    /// Rows 1..=n, correctly chained, with the records `record` makes.
    fn chained(n: i64, record: impl Fn(i64) -> String) -> Vec<Row> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let record = record(seq);
                let hash = chain_hash(&prev, &record);
                let row = Row {
                    seq,
                    prev: hex(&prev),
                    hash: hex(&hash),
                    record,
                    index: None,
                };
                prev = hash;
                row
            })
            .collect()
    }

    fn verify(rows: &[Row], checkpoints: &[(i64, [u8; 32])]) -> Option<Break> {
        let mut v = Verifier::new(1, checkpoints.iter().map(|c| c.0));
        for r in rows {
            if !v.push(r) {
                break;
            }
        }
        for (size, head) in checkpoints {
            v.check_checkpoint(*size, head);
        }
        v.first_break
    }

    /// Golden vector, computed with an independent BLAKE3 (Python `blake3`):
    /// pins the hashing rule (domain, link, body).
    #[test]
    fn the_chain_hash_is_pinned() {
        assert_eq!(
            hex(&chain_hash(&GENESIS, "{\"n\":1}")),
            "b38e79a930fe2542478c2f6e12d5cb84c99cf7149f4a92da5b84a29dffe35fd9"
        );
    }

    #[test]
    fn a_sound_chain_verifies() {
        let rs = rows(5);
        let head3 = unhex32(&rs[2].hash).unwrap();
        assert_eq!(verify(&rs, &[(3, head3)]), None);
    }

    #[test]
    fn every_tampering_is_named() {
        let mut changed = rows(5);
        changed[2].record = "{\"n\":33}".into();
        assert_eq!(
            verify(&changed, &[]),
            Some(Break::ContentChanged { seq: 3 })
        );

        let mut missing = rows(5);
        missing.remove(2);
        assert_eq!(
            verify(&missing, &[]),
            Some(Break::RecordMissing { seq: 3, next: 4 })
        );

        let mut swapped = rows(5);
        swapped.swap(1, 2);
        let (a, b) = (swapped[1].seq, swapped[2].seq);
        swapped[1].seq = b;
        swapped[2].seq = a;
        assert_eq!(verify(&swapped, &[]), Some(Break::OrderChanged { seq: 2 }));

        let full = rows(5);
        let head5 = unhex32(&full[4].hash).unwrap();
        let truncated = rows(3);
        assert_eq!(
            verify(&truncated, &[(5, head5)]),
            Some(Break::Truncated {
                checkpoint: 5,
                records: 3
            })
        );

        // Rewritten history, re-hashed consistently: only a checkpoint kept
        // elsewhere catches it.
        let rewritten = chained(5, |seq| format!("{{\"n\":{}}}", seq * 10));
        assert_eq!(verify(&rewritten, &[]), None);
        assert_eq!(
            verify(&rewritten, &[(5, head5)]),
            Some(Break::CheckpointMismatch { seq: 5 })
        );
    }

    /// A deleted seq 5 was reported as "record missing (the chain skips to
    /// 5)", and `--from 500` on 11 records as "seq 500: record missing".
    #[test]
    fn breaks_name_the_next_record_present_and_the_head() {
        let mut one = rows(8);
        one.remove(4);
        let b = verify(&one, &[]).unwrap();
        assert_eq!(b, Break::RecordMissing { seq: 5, next: 6 });
        assert_eq!(
            b.to_string(),
            "seq 5: record missing (the next record present is seq 6)"
        );
        let mut three = rows(8);
        three.drain(2..5);
        let b = verify(&three, &[]).unwrap();
        assert_eq!(b, Break::RecordMissing { seq: 3, next: 6 });
        assert_eq!(
            b.to_string(),
            "seqs 3..5: records missing (the next record present is seq 6)"
        );

        let mut past = Verifier::new(500, []);
        past.finish(11);
        let b = past.first_break.unwrap();
        assert_eq!(
            b,
            Break::StartPastHead {
                from: 500,
                head: 11
            }
        );
        assert_eq!(
            b.to_string(),
            "--from 500 is past the head: the last record is seq 11"
        );
        let mut empty = Verifier::new(2, []);
        empty.finish(0);
        assert_eq!(
            empty.first_break.unwrap().to_string(),
            "--from 2 is past the head: the chain holds no records"
        );
        // From the first record, an empty chain is sound.
        let mut from_one = Verifier::new(1, []);
        from_one.finish(0);
        assert_eq!(from_one.first_break, None);
    }

    fn outcome_body(status: &str, service: &str, seq: i64) -> String {
        format!(
            r#"{{"at":"2026-01-01T00:00:00Z","decision":{{"decision_id":"x","hash":"y","seq":{seq}}},"kind":"outcome","principal":"p","service_id":"{service}","service_version":"1","status":"{status}","v":2}}"#
        )
    }

    /// `Index::matches` agrees with comparing against `Index::of`.
    #[test]
    fn index_matching_agrees_with_building_the_index() {
        let hash = chain_hash(&GENESIS, "x");
        let body = |at: &str, chosen: &str| {
            format!(
                r#"{{"at":"{at}","outcome":"routed","decision":{{"principal":"p\u0041","chosen":[{chosen}],"steps":[]}},"v":1}}"#
            )
        };
        let bodies = [
            body(
                "2026-01-01T00:00:00Z",
                r#"{"service_id":"a"},{"service_id":"b,c"}"#,
            ),
            body(
                "2026-01-01T00:00:00Z",
                r#"{"service_id":"a,b"},{"service_id":"c"}"#,
            ),
            body("2026-01-01T00:00:00Z", ""),
            body(r"2026-01-01T00:00:0\u0030Z", r#"{"service_id":"a"}"#),
            body("2026-01-01T00:00:00Z", r#"{"service_id":"a"}"#).replace("routed", "refused"),
            "not json".to_string(),
            body("t", r#"{"service_id":"a"}"#) + " trailing",
            body("2026-01-01T00:00:00Z", r#"{"service_id":"a"}"#).replace(
                r#""outcome":"routed","#,
                r#""execution":{"outcome":"failed"},"outcome":"routed","#,
            ),
            outcome_body("ok", "a", 3),
            outcome_body("error", "a", 3),
            outcome_body("ok", "b", 3),
            outcome_body("ok", "a", 4),
            outcome_body("ok", "a", 3).replace(r#""v":2"#, r#""v":1"#),
            outcome_body("ok", "a", 3).replace("outcome", "other"),
        ];
        let mut indexes: Vec<Index> = bodies.iter().filter_map(|b| Index::of(b, &hash)).collect();
        let mut other = indexes[0].clone();
        other.decision_id = decision_id(&GENESIS);
        indexes.push(other);
        let mut upper = indexes[0].clone();
        upper.decision_id = upper.decision_id.to_uppercase();
        indexes.push(upper);
        for index in &indexes {
            for b in &bodies {
                assert_eq!(
                    index.matches(b, &hash),
                    Index::of(b, &hash).as_ref() == Some(index),
                    "{index:?} / {b}"
                );
            }
        }
        assert!(indexes[0].matches(&bodies[0], &hash));
        let executed = Index::of(&bodies[7], &hash).unwrap();
        assert_eq!(executed.executed.as_deref(), Some("failed"));
        let reported = Index::of(&bodies[8], &hash).unwrap();
        assert_eq!(
            (
                reported.kind.as_str(),
                reported.outcome.as_str(),
                reported.refers_to
            ),
            ("outcome", "ok", Some(3))
        );
        assert_eq!(Index::of(&bodies[12], &hash), None, "an outcome is v2");
        assert_eq!(Index::of(&bodies[13], &hash), None, "an unknown kind");
        assert_eq!(unhex32(&hex(&hash)), Some(hash));
        assert_eq!(unhex32(&hex(&hash).to_uppercase()), Some(hash));
        assert_eq!(unhex32(&format!("+{}", &hex(&hash)[1..])), None);
    }

    /// The audit terms of each kind of record: format 2 counts, format 1
    /// lists, an outcome adds its term to its decision.
    #[test]
    fn records_derive_their_audit_terms() {
        let hash = chain_hash(&GENESIS, "x");
        let v2 = r#"{"at":"t","attempts":[],"decision":{"chosen":[{"service_id":"a"},{"service_id":"b"}],"principal":"ana","steps":[{"candidates":4,"eligible":1,"rejected_by_rule":{"eu-only":2,"min_trust":1},"rejected_by_stage":{"access":1,"policy":2},"top":[]},{"candidates":3,"eligible":3,"rejected_by_rule":{},"rejected_by_stage":{},"top":[]}]},"execution":{"deadline_ms":1,"outcome":"not_started"},"identity":{"kind":"authenticated","principal":{"name":"ana","tenant":"acme"}},"outcome":"routed","request":{"chain":[{"capability":"embed"},{"capability":"chat"}]},"v":2}"#;
        let d = derive(v2, &hash).unwrap();
        assert_eq!(d.index.candidates, Some(7));
        assert_eq!(d.index.executed.as_deref(), Some("not_started"));
        let terms: Vec<String> = d.terms.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            terms,
            [
                "capability=chat",
                "capability=embed",
                "executed=failed",
                "outcome=routed",
                "principal=ana",
                "rule=eu-only",
                "rule=min_trust",
                "service=a",
                "service=b",
                "stage=access",
                "stage=policy",
                "tenant=acme"
            ]
        );
        let v1 = r#"{"at":"t","decision":{"chosen":[],"outcome":"no_route","principal":"anonymous","steps":[{"candidates":[{"eligible":false,"rejections":[{"message":"m","rule":"roles","stage":"access"},{"message":"m","rule":"min_trust","stage":"access"}],"service_id":"x"},{"eligible":true,"rejections":[],"service_id":"y"}]}]},"identity":{"kind":"anonymous"},"outcome":"no_route","request":{"capability":"chat"},"v":1}"#;
        let d = derive(v1, &hash).unwrap();
        assert_eq!(d.index.candidates, Some(2));
        let terms: Vec<String> = d.terms.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            terms,
            [
                "capability=chat",
                "outcome=no_route",
                "principal=anonymous",
                "rule=min_trust",
                "rule=roles",
                "stage=access"
            ]
        );
        let reported = derive(&outcome_body("error", "a", 3), &hash).unwrap();
        assert!(reported.terms.is_empty());
        assert_eq!(
            reported.on_decision,
            Some((3, (term::EXECUTED, "failed".to_string())))
        );
    }

    #[test]
    fn a_token_pasted_into_request_id_is_masked() {
        let mut r = Request::for_capability("chat");
        r.request_id = Some(
            "retry caio_SECRETTOKENVALUE1234567890abcdefghij for sk-proj-abcdefghijklmnopqrst"
                .into(),
        );
        let (value, removed) = redact(&r);
        assert_eq!(value["request_id"], "retry caio_*** for sk-***");
        assert_eq!(removed, ["request_id"]);
    }

    #[test]
    fn short_or_plain_strings_are_not_masked() {
        for text in [
            "caio_short",
            "sk-1",
            "task-runner",
            "Bearer of news",
            "caio",
        ] {
            assert_eq!(masked_credentials(text), None, "{text}");
        }
        assert_eq!(
            masked_credentials("Authorization: Bearer abcdefghijklmnopqrstuvwxyz").as_deref(),
            Some("Authorization: Bearer ***")
        );
    }

    #[test]
    fn redaction_removes_the_token_and_listed_paths() {
        let mut r = Request::for_capability("chat");
        r.request_id = Some("client-7".into());
        r.auth = Some(crate::request::RequestAuth {
            token: "caio_secret".into(),
        });
        r.redact = vec!["request_id".into(), "input.language".into()];
        let (value, removed) = redact(&r);
        let text = value.to_string();
        assert!(!text.contains("caio_secret"), "{text}");
        assert!(!text.contains("client-7"), "{text}");
        assert!(value.get("auth").is_none());
        assert_eq!(
            removed,
            ["auth.token", "request_id"],
            "input.language was not set"
        );
    }

    #[test]
    fn redaction_reaches_into_chain_steps() {
        let mut r = Request::for_capability("chat");
        r.capability = None;
        let step = |language: &str| crate::request::Step {
            capability: "chat".into(),
            input: crate::request::Input {
                language: Some(language.into()),
                ..Default::default()
            },
        };
        r.chain = Some(vec![step("fi"), step("sv")]);
        r.redact = vec!["chain.1.input.language".into(), "chain.7.input".into()];
        let (value, removed) = redact(&r);
        assert_eq!(value.pointer("/chain/0/input/language"), Some(&"fi".into()));
        assert_eq!(value.pointer("/chain/1/input/language"), None);
        assert_eq!(removed, ["chain.1.input.language"]);
    }
}
