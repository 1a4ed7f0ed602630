//! Retention (SPEC §9): `trace prune` writes the pruned range — the
//! records, the objects they reference and the signed checkpoint that
//! covers them — to an archive in the export format, syncs it, reads it
//! back, and only then removes the range in one transaction, keeping an
//! anchor from which the live chain still verifies. `trace verify
//! --archive` checks archives and their continuity with the live chain.

use super::trace::{Failure, Progress, TraceError, VerifyOptions, verify};
use caio_core::trace::{self, Break, Row, Verifier};
use caio_store::Store;
use caio_store::home::Home;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

/// The `schema_version` of export and archive lines.
const LINE_VERSION: u32 = 1;

/// One line of `trace export` and of an archive.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Line<'a> {
    /// An object the records reference (written first).
    Object {
        /// `candidates`, `policies` or `stats`.
        kind: &'a str,
        /// Its hash.
        hash: &'a str,
        /// Its body, as hashed.
        body: &'a RawValue,
    },
    /// A record, exactly as hashed, with its place in the chain.
    Record {
        /// Its seq.
        seq: i64,
        /// The previous record's hash.
        prev: &'a str,
        /// Its chain hash.
        hash: &'a str,
        /// The record.
        record: &'a RawValue,
    },
    /// The signed checkpoint that covers an archive's records.
    Checkpoint {
        /// The chain length it covers.
        seq: i64,
        /// The chain head then.
        hash: &'a str,
        /// The signed note.
        note: &'a str,
    },
}

/// A line with its `schema_version` first.
#[derive(Serialize)]
struct Versioned<'a> {
    schema_version: u32,
    #[serde(flatten)]
    line: &'a Line<'a>,
}

/// A line as read back.
#[derive(Deserialize)]
struct ReadLine<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(default)]
    seq: Option<i64>,
    #[serde(default)]
    prev: Option<&'a str>,
    #[serde(default)]
    hash: Option<&'a str>,
    #[serde(default, borrow)]
    record: Option<&'a RawValue>,
}

/// The fields of an object line.
#[derive(Deserialize)]
struct ObjectLine<'a> {
    kind: &'a str,
    hash: &'a str,
    #[serde(borrow)]
    body: &'a RawValue,
}

/// The fields of a checkpoint line.
#[derive(Deserialize)]
struct CheckpointLine {
    note: String,
}

/// Which records to prune.
#[derive(Debug, Clone, Copy)]
pub enum Through {
    /// Every live record up to this seq.
    Seq(i64),
    /// Every live record older than this, before the first one that is not.
    OlderThan(jiff::SignedDuration),
}

/// What `trace prune` did.
#[derive(Debug, Serialize)]
pub struct Pruned {
    /// The first record pruned.
    pub first: i64,
    /// The last record pruned: the anchor.
    pub through: i64,
    /// Its hash, from which the live chain continues.
    pub anchor_hash: String,
    /// Records removed.
    pub records: u64,
    /// Objects removed (only pruned records referenced them).
    pub objects_removed: u64,
    /// The archive written.
    pub archive: PathBuf,
    /// Its size in bytes.
    pub archive_bytes: u64,
    /// Objects written to it.
    pub archived_objects: usize,
    /// The seq of the signed checkpoint it holds (at or after `through`).
    pub checkpoint: i64,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Failure + '_ {
    move |e| {
        TraceError::File {
            path: path.display().to_string(),
            reason: e.to_string(),
        }
        .into()
    }
}

/// Prunes the live records through `through` into `archive` (refused
/// when it exists). Needs a chain that verifies and a stored signed
/// checkpoint at or after the last pruned record.
pub fn prune(
    store: &mut Store,
    home: &Home,
    through: Through,
    archive: &Path,
    now: jiff::Timestamp,
    progress: &dyn Progress,
) -> Result<Pruned, Failure> {
    let (head, _) = store.trace_head()?;
    let Some(first) = store.first_live_seq()? else {
        return Err(TraceError::NothingToPrune("the trace holds no records".into()).into());
    };
    let last = match through {
        Through::Seq(seq) if seq > head => {
            return Err(TraceError::NothingToPrune(format!(
                "seq {seq} is past the head (seq {head}); pruning needs a record to end at"
            ))
            .into());
        }
        Through::Seq(seq) => seq,
        Through::OlderThan(age) => {
            let cutoff = caio_core::time::timestamp(now - age);
            match store.first_seq_at_or_after(&cutoff)? {
                Some(seq) => seq - 1,
                None => head,
            }
        }
    };
    if last < first {
        return Err(TraceError::NothingToPrune(match through {
            Through::Seq(seq) => {
                format!("seqs up to {seq} are pruned already (the live chain starts at {first})")
            }
            Through::OlderThan(_) => {
                format!("no live record is that old (the oldest is seq {first})")
            }
        })
        .into());
    }
    // The chain must verify before any of it is archived and removed.
    let report = verify(
        store,
        home,
        &VerifyOptions {
            from: 1,
            files: &[],
            archives: &[],
            public_key: None,
            replay: false,
        },
        &mut |_| {},
        progress,
    )?;
    if let Some(b) = report.first_break {
        return Err(TraceError::Unverified(b.to_string()).into());
    }
    let checkpoint = store
        .checkpoints()?
        .into_iter()
        .filter(|c| c.seq >= last)
        .min_by_key(|c| c.seq)
        .ok_or(TraceError::NoCheckpoint { through: last })?;
    let anchor = store
        .trace_by_seq(last)?
        .ok_or_else(|| TraceError::NothingToPrune(format!("seq {last} is not in the trace")))?;

    let written = write_archive(store, archive, first, last, &checkpoint)?;
    // Read it back before removing anything: what was written is what
    // verifies, and it ends at the anchor.
    let check = read_archives(&[scan(archive)?], &BTreeSet::new())?;
    let end = trace::unhex32(&anchor.hash).unwrap_or(trace::GENESIS);
    if let Some(b) = check.first_break {
        return Err(TraceError::Unverified(format!("the archive just written: {b}")).into());
    }
    if check.through != last || check.head != end {
        return Err(TraceError::Unverified(
            "the archive just written does not end at the last pruned record".into(),
        )
        .into());
    }
    let removed = store
        .prune_through(first, last, &anchor.hash)?
        .ok_or_else(|| {
            TraceError::Unverified(
                "the trace changed while it was archived (another prune?); run it again".into(),
            )
        })?;
    Ok(Pruned {
        first,
        through: last,
        anchor_hash: anchor.hash,
        records: removed.records,
        objects_removed: removed.objects,
        archive: archive.to_path_buf(),
        archive_bytes: written.1,
        archived_objects: written.0,
        checkpoint: checkpoint.seq,
    })
}

/// Writes records `first..=last`, the objects they reference and the
/// checkpoint to a new file, synced; `(objects, bytes)`.
fn write_archive(
    store: &Store,
    path: &Path,
    first: i64,
    last: i64,
    checkpoint: &caio_store::traces::StoredCheckpoint,
) -> Result<(usize, u64), Failure> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Failure::from(TraceError::ArchiveExists {
                    path: path.display().to_string(),
                })
            } else {
                io(path)(e)
            }
        })?;
    let written = (|| -> Result<(usize, u64), Failure> {
        let mut out = std::io::BufWriter::with_capacity(1 << 20, &file);
        let mut referenced = BTreeSet::new();
        store.for_each_trace::<Failure>(first, None, |row| {
            if row.seq > last {
                return Ok(false);
            }
            referenced.extend(trace::referenced_objects(&row.record));
            Ok(true)
        })?;
        let mut put = |line: &Line<'_>| -> Result<(), Failure> {
            let text = serde_json::to_string(&Versioned {
                schema_version: LINE_VERSION,
                line,
            })
            .map_err(|e| io(path)(std::io::Error::other(e)))?;
            out.write_all(text.as_bytes())
                .and_then(|()| out.write_all(b"\n"))
                .map_err(io(path))
        };
        let raw = |seq: i64, text: String| {
            RawValue::from_string(text).map_err(|e| TraceError::Record {
                seq,
                reason: e.to_string(),
            })
        };
        for (kind, hash) in &referenced {
            let (stored_kind, body) = store.trace_object(hash)?.ok_or_else(|| {
                TraceError::Unverified(format!("object {hash} is missing from the store"))
            })?;
            let body = raw(0, body)?;
            put(&Line::Object {
                kind: if stored_kind == *kind {
                    kind
                } else {
                    &stored_kind
                },
                hash,
                body: &body,
            })?;
        }
        store.for_each_trace::<Failure>(first, None, |row| {
            if row.seq > last {
                return Ok(false);
            }
            let record = raw(row.seq, row.record)?;
            put(&Line::Record {
                seq: row.seq,
                prev: &row.prev,
                hash: &row.hash,
                record: &record,
            })?;
            Ok(true)
        })?;
        put(&Line::Checkpoint {
            seq: checkpoint.seq,
            hash: &checkpoint.hash,
            note: &checkpoint.note,
        })?;
        out.flush().map_err(io(path))?;
        drop(out);
        file.sync_all().map_err(io(path))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(d) = std::fs::File::open(dir)
        {
            let _ = d.sync_all();
        }
        let bytes = file.metadata().map_err(io(path))?.len();
        Ok((referenced.len(), bytes))
    })();
    if written.is_err() {
        // Nothing was pruned: an archive that was not finished goes.
        let _ = std::fs::remove_file(path);
    }
    written
}

/// What reading archives found.
#[derive(Debug)]
pub struct Archived {
    /// The first seq they hold.
    pub from: i64,
    /// The last seq they hold (0 when none).
    pub through: i64,
    /// The chain hash after the last record.
    pub head: [u8; 32],
    /// Records checked.
    pub records: i64,
    /// The first thing wrong.
    pub first_break: Option<Break>,
    /// The chain walk, to check checkpoints at sizes it passed.
    pub verifier: Option<Verifier>,
}

/// A checkpoint found somewhere: (where, the signed note).
pub(crate) type Note = (String, String);

/// An archive, read once through ([`scan`]) before it is checked.
pub struct Scanned<'a> {
    path: &'a Path,
    /// The seq of its first record.
    first: i64,
    /// Its checkpoint lines.
    pub(crate) notes: Vec<Note>,
}

/// The first record seq of an archive, and its checkpoint lines. Every
/// line must read as an export line, and an archive holds at least one
/// record: one that does not is not an archive `trace prune` wrote, and
/// is refused rather than passed over.
pub(crate) fn scan(path: &Path) -> Result<Scanned<'_>, Failure> {
    let file = std::fs::File::open(path).map_err(io(path))?;
    let mut first = None;
    let mut notes = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(io(path))?;
        let bad = bad_line(path, n);
        let head: ReadLine<'_> = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
        match head.kind {
            "record" if first.is_none() => {
                first =
                    Some(head.seq.ok_or_else(|| {
                        bad("a record line needs seq, prev, hash and record".into())
                    })?);
            }
            "checkpoint" => {
                let cp: CheckpointLine =
                    serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
                notes.push((format!("{} line {}", path.display(), n + 1), cp.note));
            }
            _ => {}
        }
    }
    let first = first.ok_or_else(|| {
        not_an_archive(
            path,
            "it holds no record line (`\"type\":\"record\"`): not an archive \
             written by `caio trace prune`"
                .into(),
        )
    })?;
    Ok(Scanned { path, first, notes })
}

/// The refusal of `path`, given as an archive: `reason` says what is wrong.
fn not_an_archive(path: &Path, reason: String) -> Failure {
    TraceError::Archive {
        path: path.display().to_string(),
        reason,
    }
    .into()
}

/// The refusal of line `n` (counted from 0) of the archive `path`, given
/// the reason.
fn bad_line(path: &Path, n: usize) -> impl Fn(String) -> Failure + '_ {
    move |reason| not_an_archive(path, format!("line {}: {reason}", n + 1))
}

/// Reads archives in chain order (by their first seq) and checks them as
/// one chain: every object against its hash, every record against its
/// link and hash, every referenced object present. `wanted` are the
/// checkpoint sizes whose heads the walk keeps.
pub fn read_archives(
    archives: &[Scanned<'_>],
    wanted: &BTreeSet<i64>,
) -> Result<Archived, Failure> {
    let mut ordered: Vec<(i64, &Path)> = archives.iter().map(|a| (a.first, a.path)).collect();
    ordered.sort();
    let mut out = Archived {
        from: ordered.first().map_or(0, |(s, _)| *s),
        through: 0,
        head: trace::GENESIS,
        records: 0,
        first_break: None,
        verifier: None,
    };
    let mut verifier: Option<Verifier> = None;
    'archives: for (first, path) in ordered {
        let v = verifier.get_or_insert_with(|| Verifier::new(first, wanted.iter().copied()));
        // Each object's kind, or `None` when its body does not match its hash.
        let mut objects: BTreeMap<String, Option<&'static str>> = BTreeMap::new();
        let file = std::fs::File::open(path).map_err(io(path))?;
        for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line.map_err(io(path))?;
            let bad = bad_line(path, n);
            let head: ReadLine<'_> = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
            match head.kind {
                "object" => {
                    let o: ObjectLine<'_> =
                        serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
                    let Some(kind) = trace::v2::object_kind(o.kind) else {
                        return Err(bad(format!("unknown object kind `{}`", o.kind)));
                    };
                    let sound = trace::v2::object_hash(kind, o.body.get()) == o.hash;
                    objects.insert(o.hash.to_string(), sound.then_some(kind));
                }
                "record" => {
                    let (Some(seq), Some(prev), Some(hash), Some(record)) =
                        (head.seq, head.prev, head.hash, head.record)
                    else {
                        return Err(bad("a record line needs seq, prev, hash and record".into()));
                    };
                    let row = Row {
                        seq,
                        prev: prev.to_string(),
                        hash: hash.to_string(),
                        record: record.get().to_string(),
                        index: None,
                    };
                    if !v.push(&row) {
                        break 'archives;
                    }
                    for (kind, object) in trace::referenced_objects(&row.record) {
                        let problem = match objects.get(&object) {
                            Some(Some(k)) if *k == kind => continue,
                            Some(_) => "altered",
                            None => "missing",
                        };
                        v.first_break = Some(Break::ObjectBroken {
                            seq,
                            hash: object,
                            problem: problem.into(),
                        });
                        break 'archives;
                    }
                    out.records += 1;
                    out.through = seq;
                }
                "checkpoint" => {}
                other => return Err(bad(format!("unknown line type `{other}`"))),
            }
        }
    }
    if let Some(v) = verifier {
        out.head = v.head();
        out.first_break = v.first_break.clone();
        out.verifier = Some(v);
    }
    Ok(out)
}
