//! Checking a chain and what the store keeps beside it — each record's
//! lookup columns, its audit term rows and its observation rows — against
//! the records (`trace verify`), a run of consecutive records at a time.
//!
//! [`check_chunk`] does all the per-record work of a run — recomputing
//! hashes, reading each record once ([`Indexed::read`]) and comparing the
//! stored rows with what it implies, row for row — and may run on any
//! thread. [`Tally`] takes the reports in seq order, walks the chain links
//! and keeps the first break of each kind, counting only records that
//! continue the chain.
//!
//! An outcome record adds its `executed` term to the decision it reports
//! on, which comes earlier: a decision's stored `executed` rows that its
//! own record does not imply are owed, and must be exactly those its
//! outcomes imply (checked once the whole chain is read).

use super::outcome::Observation;
use super::{Indexed, Link, Row, Verifier, term};
use std::collections::{BTreeMap, HashMap};

/// A run of consecutive stored records, with the audit term rows and
/// observation rows stored for their seqs. Reused from run to run: its
/// strings keep their capacity.
#[derive(Debug, Default)]
pub struct Chunk {
    rows: Vec<Row>,
    len: usize,
    /// `(seq, term id)` rows, ordered by seq then term id.
    pub terms: Vec<(i64, i64)>,
    /// Observation rows, ordered by seq then `n`.
    pub observations: Vec<StoredObservation>,
}

impl Chunk {
    /// The records, in seq order.
    pub fn rows(&self) -> &[Row] {
        &self.rows[..self.len]
    }

    /// Empties the chunk, keeping its allocations.
    pub fn clear(&mut self) {
        self.len = 0;
        self.terms.clear();
        self.observations.clear();
    }

    /// The slot for one more record (a reused one: overwrite every field).
    pub fn next_row(&mut self) -> &mut Row {
        if self.len == self.rows.len() {
            self.rows.push(Row {
                seq: 0,
                prev: String::new(),
                hash: String::new(),
                record: String::new(),
                index: None,
            });
        }
        self.len += 1;
        &mut self.rows[self.len - 1]
    }
}

/// One stored observation row (`trace_observations`).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredObservation {
    /// The record that holds it.
    pub seq: i64,
    /// Its place among the record's observations, from 0.
    pub n: i64,
    /// The service.
    pub service_id: String,
    /// The record's time.
    pub at: String,
    /// `success`, `failure` or `rejected`.
    pub result: String,
    /// The latency of a success, in ms.
    pub latency_ms: Option<f64>,
    /// What it cost.
    pub cost: Option<f64>,
    /// Guarantees it broke.
    pub violations: i64,
    /// `executed` or `reported`.
    pub source: String,
}

impl StoredObservation {
    /// Whether this row is observation `n` of a record made at `at`.
    fn is(&self, n: usize, at: &str, o: &Observation) -> bool {
        usize::try_from(self.n).is_ok_and(|stored| stored == n)
            && self.service_id == o.service_id
            && self.at == at
            && self.result == o.result
            && self.latency_ms == o.latency_ms
            && self.cost == o.cost
            && self.violations == i64::from(o.violations)
            && self.source == o.source
    }
}

/// The `executed` term values, as bits.
const EXECUTED_OK: u8 = 1;
const EXECUTED_FAILED: u8 = 2;

fn executed_bit(value: &str) -> Option<u8> {
    match value {
        "ok" => Some(EXECUTED_OK),
        "failed" => Some(EXECUTED_FAILED),
        _ => None,
    }
}

/// The audit term values stored (`trace_term_values`), both ways.
#[derive(Debug, Default)]
pub struct TermNames {
    /// Per kind (in [`term::ALL`] order): value → id.
    ids: [HashMap<Box<str>, i64>; 8],
    /// The ids of `executed` terms, with their bit.
    executed: HashMap<i64, u8>,
}

impl TermNames {
    /// The stored values: `(id, kind, value)`. A value of a kind caio does
    /// not write is left out (a row naming it is never implied).
    pub fn new(values: impl IntoIterator<Item = (i64, String, String)>) -> TermNames {
        let mut names = TermNames::default();
        for (id, kind, value) in values {
            let Some(k) = term::ALL.iter().position(|k| *k == kind) else {
                continue;
            };
            if kind == term::EXECUTED
                && let Some(bit) = executed_bit(&value)
            {
                names.executed.insert(id, bit);
            }
            names.ids[k].insert(value.into_boxed_str(), id);
        }
        names
    }

    /// The id of a term, through the run's `cache`.
    fn id<'n>(&'n self, kind: &str, value: &str, cache: &mut TermCache<'n>) -> Option<i64> {
        let k = term::ALL.iter().position(|k| *k == kind)?;
        if let Some((last, id)) = cache.last[k]
            && last == value
        {
            return Some(id);
        }
        let (stored, id) = self.ids[k].get_key_value(value)?;
        cache.last[k] = Some((stored, *id));
        Some(*id)
    }

    /// The `executed` bits of a decision's stored term rows.
    pub fn executed_bits(&self, stored: &[i64]) -> u8 {
        stored
            .iter()
            .filter_map(|id| self.executed.get(id))
            .fold(0, |bits, b| bits | b)
    }
}

/// What [`check_chunk`] found for one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowCheck {
    /// Its links and whether its hash is right.
    pub link: Link,
    /// Its lookup columns are those the record implies.
    pub index: bool,
    /// Its term rows are those the record implies, but for `executed`
    /// rows owed to an outcome.
    pub terms: bool,
    /// Its observation rows are those the record implies.
    pub observations: bool,
    /// The record's own `executed` bits (low two bits) and the stored
    /// `executed` rows it does not imply, owed to its outcomes (next two).
    pub executed: u8,
    /// An outcome's `(decision seq, executed bit)`.
    pub reports: Option<(i64, u8)>,
}

/// What [`check_chunk`] found for a run of records.
#[derive(Debug, Default)]
pub struct ChunkReport {
    /// One per record, in seq order.
    pub rows: Vec<RowCheck>,
    /// The objects the records reference: `(kind, hash, first seq)`.
    pub objects: Vec<(&'static str, String, i64)>,
}

/// Checks each record of `chunk` on its own: its hash over its stored
/// link, its lookup columns, its term rows and its observation rows, into
/// `report` (emptied first; reused from run to run).
pub fn check_chunk(chunk: &Chunk, names: &TermNames, report: &mut ChunkReport) {
    report.rows.clear();
    report.objects.clear();
    let mut terms = chunk.terms.as_slice();
    let mut observations = chunk.observations.as_slice();
    let mut ids: Vec<i64> = Vec::with_capacity(32);
    let mut cache = TermCache::default();
    for row in chunk.rows() {
        let link = Link::of(row);
        // The stored rows of this seq (rows of a seq no record has belong
        // to a gap the chain walk reports).
        let stored_terms = take_seq(&mut terms, row.seq, |t| t.0);
        let stored_observations = take_seq(&mut observations, row.seq, |o| o.seq);
        let Some(indexed) = Indexed::read(&row.record) else {
            // A record that does not read: its columns cannot match (that
            // is the break reported), whatever else is stored for it.
            report.rows.push(RowCheck {
                link,
                index: row.index.is_none(),
                terms: false,
                observations: true,
                executed: 0,
                reports: None,
            });
            continue;
        };
        let index = match (&row.index, link.hash) {
            (None, _) => true,
            (Some(stored), Some(hash)) => indexed.matches(&hash, stored),
            (Some(_), None) => false,
        };
        let (terms_ok, executed) =
            compare_terms(&indexed, stored_terms, names, &mut cache, &mut ids);
        let observations_ok = if stored_observations.is_empty() && !indexed.may_observe() {
            true
        } else {
            let observed = indexed.observations();
            observed.len() == stored_observations.len()
                && stored_observations
                    .iter()
                    .zip(&observed)
                    .enumerate()
                    .all(|(n, (stored, o))| stored.is(n, &indexed.at, o))
        };
        for (kind, hash) in &indexed.objects {
            // Records in a row mostly share their objects.
            let known = report
                .objects
                .iter()
                .rev()
                .take(4)
                .any(|(k, h, _)| k == kind && h.as_str() == hash.as_ref());
            if !known {
                report.objects.push((kind, hash.to_string(), row.seq));
            }
        }
        report.rows.push(RowCheck {
            link,
            index,
            terms: terms_ok,
            observations: observations_ok,
            executed,
            reports: indexed
                .on_decision
                .map(|(seq, value)| (seq, executed_bit(value).unwrap_or(0))),
        });
    }
}

/// The ids of the terms the records of a run looked up last, by kind:
/// records in a row mostly share their principal, outcome, capability…
#[derive(Default)]
struct TermCache<'a> {
    last: [Option<(&'a str, i64)>; 8],
}

/// Splits off the leading items of `items` whose seq is `seq`, skipping
/// any before it.
fn take_seq<'a, T>(items: &mut &'a [T], seq: i64, seq_of: impl Fn(&T) -> i64) -> &'a [T] {
    let start = items.iter().take_while(|t| seq_of(t) < seq).count();
    let rest = &items[start..];
    let len = rest.iter().take_while(|t| seq_of(t) == seq).count();
    let (this, after) = rest.split_at(len);
    *items = after;
    this
}

/// Compares a record's terms with its stored term rows (ids, ascending):
/// whether they agree, but for `executed` rows owed to an outcome, and the
/// record's `executed` bits (own, and owed shifted by two).
fn compare_terms<'n>(
    indexed: &Indexed<'_>,
    stored: &[(i64, i64)],
    names: &'n TermNames,
    cache: &mut TermCache<'n>,
    ids: &mut Vec<i64>,
) -> (bool, u8) {
    ids.clear();
    let mut own = 0u8;
    for (kind, value) in &indexed.terms {
        let Some(id) = names.id(kind, value, cache) else {
            // No row can name a term whose value was never stored.
            return (false, 0);
        };
        if *kind == term::EXECUTED {
            own |= executed_bit(value).unwrap_or(0);
        }
        ids.push(id);
    }
    ids.sort_unstable();
    let mut owed = 0u8;
    let mut derived = ids.iter().peekable();
    for &(_, id) in stored {
        if derived.next_if(|d| **d < id).is_some() {
            // A term the record implies has no row.
            return (false, own);
        }
        if derived.next_if(|d| **d == id).is_some() {
            continue;
        }
        match names.executed.get(&id) {
            Some(bit) => owed |= bit,
            None => return (false, own),
        }
    }
    (derived.next().is_none(), own | owed << 2)
}

/// The reports of a chain's runs, taken in seq order.
#[derive(Debug)]
pub struct Tally {
    /// The chain walk.
    pub verifier: Verifier,
    from: i64,
    index: Option<i64>,
    terms: Option<i64>,
    observations: Option<i64>,
    /// The first seq tallied, and the `executed` bits of each seq from it.
    first: Option<i64>,
    executed: Vec<u8>,
    /// Outcomes: `(decision seq, executed bit, outcome seq)`.
    reports: Vec<(i64, u8, i64)>,
    /// The objects referenced, each with the first seq that references it.
    pub objects: BTreeMap<(&'static str, String), i64>,
}

impl Tally {
    /// Starts with the chain walk `verifier`, verifying from `from`
    /// (terms that outcomes add to decisions before it are not checked).
    pub fn new(verifier: Verifier, from: i64) -> Tally {
        Tally {
            verifier,
            from,
            index: None,
            terms: None,
            observations: None,
            first: None,
            executed: Vec::new(),
            reports: Vec::new(),
            objects: BTreeMap::new(),
        }
    }

    /// Takes the next run's report; false once the chain is broken
    /// (nothing after the break counts).
    pub fn add(&mut self, report: &ChunkReport) -> bool {
        let mut accepted = None;
        for check in &report.rows {
            if !self.verifier.push_link(&check.link) {
                break;
            }
            let seq = check.link.seq;
            accepted = Some(seq);
            let first = *self.first.get_or_insert(seq);
            if !check.index && self.index.is_none() {
                self.index = Some(seq);
            }
            if !check.terms && self.terms.is_none() {
                self.terms = Some(seq);
            }
            if !check.observations && self.observations.is_none() {
                self.observations = Some(seq);
            }
            let at = usize::try_from(seq - first).unwrap_or(usize::MAX);
            if self.executed.len() <= at {
                self.executed.resize(at + 1, 0);
            }
            self.executed[at] = check.executed;
            if let Some((decision, bit)) = check.reports
                && decision >= self.from
            {
                self.reports.push((decision, bit, seq));
            }
        }
        if let Some(last) = accepted {
            for (kind, hash, seq) in &report.objects {
                if *seq > last {
                    continue;
                }
                let first = self.objects.entry((kind, hash.clone())).or_insert(*seq);
                *first = (*first).min(*seq);
            }
        }
        self.verifier.first_break.is_none()
    }

    /// The first record whose lookup columns or term rows disagree with
    /// it, as far as each record shows on its own.
    pub fn index_break(&self) -> Option<i64> {
        self.index.into_iter().chain(self.terms).min()
    }

    /// The first record whose observation rows disagree with it.
    pub fn observation_break(&self) -> Option<i64> {
        self.observations
    }

    /// Once the whole chain read soundly: the decisions whose stored
    /// `executed` rows are not those their own record and their outcomes
    /// imply, in seq order, each with the bits implied. An outcome naming
    /// a decision the chain does not hold before it is one too (at the
    /// outcome's seq, implying nothing).
    pub fn executed_mismatches(&self) -> Vec<(i64, u8)> {
        let Some(first) = self.first else {
            return Vec::new();
        };
        let mut reported = vec![0u8; self.executed.len()];
        let mut out = Vec::new();
        for &(decision, bit, seq) in &self.reports {
            match usize::try_from(decision - first) {
                Ok(at) if decision < seq && at < reported.len() => reported[at] |= bit,
                _ => out.push((seq, 0xff)),
            }
        }
        for (at, (bits, reported)) in self.executed.iter().zip(&reported).enumerate() {
            let own = bits & 3;
            let owed = bits >> 2;
            if owed != reported & !own {
                out.push((first + at as i64, own | reported));
            }
        }
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{GENESIS, chain_hash, decision_id, hex};

    fn chunk_of(bodies: &[String]) -> Chunk {
        let mut chunk = Chunk::default();
        let mut prev = GENESIS;
        for (i, body) in bodies.iter().enumerate() {
            let hash = chain_hash(&prev, body);
            let row = chunk.next_row();
            row.seq = i as i64 + 1;
            row.prev = hex(&prev);
            row.hash = hex(&hash);
            row.record = body.clone();
            row.index = Indexed::read(body).map(|x| x.index(&hash));
            prev = hash;
        }
        chunk
    }

    const DECISION: &str = r#"{"at":"t","attempts":[],"decision":{"chosen":[{"service_id":"a"}],"principal":"ana","steps":[{"candidates":2,"eligible":1,"rejected_by_rule":{"roles":1},"rejected_by_stage":{"access":1},"top":[]}]},"identity":{"kind":"anonymous"},"objects":{"candidates":"c1","policy_rules":0,"policy_set":"p"},"outcome":"routed","redacted":[],"request":{"capability":"chat"},"seed":0,"v":2}"#;

    fn outcome(status: &str, seq: i64) -> String {
        format!(
            r#"{{"at":"u","decision":{{"decision_id":"x","hash":"y","seq":{seq}}},"kind":"outcome","latency_ms":5,"principal":"ana","service_id":"a","service_version":"1","status":"{status}","v":2}}"#
        )
    }

    /// Names for every term of `bodies`, and the rows they imply.
    fn stored(chunk: &mut Chunk) -> TermNames {
        let mut values: Vec<(String, String)> = Vec::new();
        let mut rows = Vec::new();
        let mut observations = Vec::new();
        for row in chunk.rows() {
            let indexed = Indexed::read(&row.record).unwrap();
            let mut id_of = |k: &str, v: &str| {
                let key = (k.to_string(), v.to_string());
                match values.iter().position(|x| *x == key) {
                    Some(i) => i as i64 + 1,
                    None => {
                        values.push(key);
                        values.len() as i64
                    }
                }
            };
            for (k, v) in &indexed.terms {
                rows.push((row.seq, id_of(k, v)));
            }
            if let Some((seq, v)) = indexed.on_decision {
                rows.push((seq, id_of(term::EXECUTED, v)));
            }
            let at = indexed.at.to_string();
            for (n, o) in indexed.observations().into_iter().enumerate() {
                observations.push(StoredObservation {
                    seq: row.seq,
                    n: n as i64,
                    service_id: o.service_id,
                    at: at.clone(),
                    result: o.result.into(),
                    latency_ms: o.latency_ms,
                    cost: o.cost,
                    violations: o.violations.into(),
                    source: o.source.into(),
                });
            }
        }
        rows.sort();
        rows.dedup();
        chunk.terms = rows;
        chunk.observations = observations;
        TermNames::new(
            values
                .into_iter()
                .enumerate()
                .map(|(i, (k, v))| (i as i64 + 1, k, v)),
        )
    }

    fn tally(chunk: &Chunk, names: &TermNames) -> Tally {
        let mut t = Tally::new(Verifier::new(1, []), 1);
        let mut report = ChunkReport::default();
        check_chunk(chunk, names, &mut report);
        t.add(&report);
        t
    }

    #[test]
    fn a_sound_run_checks_out_and_two_outcomes_owe_one_row() {
        let bodies = vec![
            DECISION.to_string(),
            outcome("ok", 1),
            outcome("ok", 1).replace(r#""service_id":"a""#, r#""service_id":"b""#),
        ];
        let mut chunk = chunk_of(&bodies);
        let names = stored(&mut chunk);
        let t = tally(&chunk, &names);
        assert_eq!(t.verifier.first_break, None);
        assert_eq!(t.index_break(), None);
        assert_eq!(t.observation_break(), None);
        assert_eq!(t.executed_mismatches(), []);
        assert_eq!(t.objects.len(), 1);
        assert_eq!(t.objects.get(&("candidates", "c1".to_string())), Some(&1));
    }

    #[test]
    fn every_stored_row_that_disagrees_is_found() {
        let bodies = vec![DECISION.to_string(), outcome("error", 1)];
        let mut chunk = chunk_of(&bodies);
        let names = stored(&mut chunk);
        // A lookup column changed.
        let mut c = chunk_of(&bodies);
        stored(&mut c);
        c.rows[0].index.as_mut().unwrap().principal = "bob".into();
        assert_eq!(tally(&c, &names).index_break(), Some(1));
        c.rows[0].index.as_mut().unwrap().principal = "ana".into();
        c.rows[1].index.as_mut().unwrap().decision_id = decision_id(&GENESIS);
        assert_eq!(tally(&c, &names).index_break(), Some(2));
        // A term row removed, added, or pointing at another value.
        for change in 0..3 {
            let mut c = chunk_of(&bodies);
            stored(&mut c);
            match change {
                0 => {
                    c.terms.remove(1);
                }
                1 => c.terms.push((2, 1)),
                _ => c.terms[0].1 = 99,
            }
            c.terms.sort();
            let t = tally(&c, &names);
            assert!(
                t.index_break().is_some() || !t.executed_mismatches().is_empty(),
                "change {change}"
            );
        }
        // The executed row an outcome owes, removed: only the whole chain
        // shows it.
        let mut c = chunk_of(&bodies);
        stored(&mut c);
        let failed = names
            .id(term::EXECUTED, "failed", &mut TermCache::default())
            .unwrap();
        c.terms.retain(|t| *t != (1, failed));
        let t = tally(&c, &names);
        assert_eq!(t.index_break(), None);
        assert_eq!(t.executed_mismatches(), [(1, EXECUTED_FAILED)]);
        // An observation row changed, removed or added.
        for change in 0..3 {
            let mut c = chunk_of(&bodies);
            stored(&mut c);
            match change {
                0 => c.observations[0].latency_ms = Some(6.0),
                1 => {
                    c.observations.clear();
                }
                _ => {
                    let mut o = c.observations[0].clone();
                    o.seq = 1;
                    c.observations.insert(0, o);
                }
            }
            assert!(tally(&c, &names).observation_break().is_some(), "{change}");
        }
    }

    #[test]
    fn nothing_after_a_break_counts() {
        let bodies = vec![DECISION.to_string(), DECISION.to_string()];
        let mut chunk = chunk_of(&bodies);
        let names = stored(&mut chunk);
        chunk.rows[1].record.push(' ');
        chunk.rows[1].index.as_mut().unwrap().principal = "bob".into();
        let t = tally(&chunk, &names);
        assert_eq!(
            t.verifier.first_break,
            Some(crate::trace::Break::ContentChanged { seq: 2 })
        );
        assert_eq!(t.index_break(), None);
    }
}
