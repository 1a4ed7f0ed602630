//! Retention (SPEC §9): `trace prune` archives a range and removes it, the
//! live chain keeps verifying from its anchor, `trace verify --archive`
//! proves archive and live chain continue each other, and any change to an
//! archive is found.

use crate::common::{TestEnv, run, run_json, transcript};
use crate::outcome::{registry_home, request, route};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn routes(env: &TestEnv, n: usize) -> Vec<Value> {
    let chat = request(env, "chat-balanced", None);
    (0..n).map(|_| route(env, &chat)).collect()
}

fn verify(env: &TestEnv, args: &[&str]) -> (i32, Value) {
    run_json(
        env.caio()
            .args(["--format", "json", "trace", "verify"])
            .args(args),
    )
}

fn ok(env: &TestEnv, args: &[&str]) {
    let (code, stdout, stderr) = run(env.caio().args(args));
    assert_eq!(code, 0, "caio {args:?}: {stdout}{stderr}");
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn listed(env: &TestEnv) -> Vec<i64> {
    let (_, doc) = run_json(env.caio().args(["--format", "json", "trace", "list"]));
    doc["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["seq"].as_i64().unwrap())
        .collect()
}

fn metric(text: &str, sample: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(sample)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {sample}"))
        .parse()
        .unwrap()
}

#[test]
fn prune_archives_a_range_and_the_live_chain_still_verifies() {
    let env = TestEnv::new();
    registry_home(&env);
    let decisions = routes(&env, 6);
    let id2 = decisions[1]["decision_id"].as_str().unwrap().to_string();
    ok(
        &env,
        &[
            "trace",
            "outcome",
            &id2,
            "--status",
            "ok",
            "--latency-ms",
            "90",
        ],
    );
    env.redact_trace();
    let a1 = env.scratch().join("archive-1.jsonl");
    // No signed checkpoint covers seq 3 yet: refused, nothing written.
    let unsigned = env.run(["trace", "prune", "--through", "3", "--archive", path(&a1)]);
    assert_eq!(unsigned.code, 1);
    assert!(!a1.exists());
    assert_eq!(listed(&env), [6, 5, 4, 3, 2, 1]);
    let note = env.scratch().join("head.note");
    ok(&env, &["trace", "checkpoint", "--out", path(&note)]);
    let pruned = env.run(["trace", "prune", "--through", "3", "--archive", path(&a1)]);
    let again = env.run(["trace", "prune", "--through", "3", "--archive", path(&a1)]);
    let verified = env.run(["trace", "verify"]);
    let with_archive = env.run(["trace", "verify", "--archive", path(&a1)]);
    let gone = env.run([
        "trace",
        "outcome",
        &id2,
        "--status",
        "ok",
        "--latency-ms",
        "1",
    ]);
    insta::assert_snapshot!(
        "prune_human",
        transcript([&unsigned, &pruned, &again, &verified, &with_archive, &gone])
    );
    assert_eq!(
        [
            pruned.code,
            again.code,
            verified.code,
            with_archive.code,
            gone.code
        ],
        [0, 1, 0, 0, 1]
    );
    assert_eq!(listed(&env), [6, 5, 4]);
    let (code, v) = verify(&env, &["--archive", path(&a1), "--checkpoint", path(&note)]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        (v["pruned_through"].as_i64(), v["archived_records"].as_i64()),
        (Some(3), Some(3))
    );
    let (code, v) = verify(&env, &["--replay"]);
    assert_eq!(code, 0, "{v:#}");

    // Every line of the archive is an export line.
    let text = std::fs::read_to_string(&a1).unwrap();
    let types: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    // The objects: the candidate set and the policy set.
    assert_eq!(
        types,
        [
            "object",
            "object",
            "record",
            "record",
            "record",
            "checkpoint"
        ]
    );

    // Counters keep what the pruned records counted.
    let (code, metrics, _) = run(env.caio().arg("metrics"));
    assert_eq!(code, 0);
    assert_eq!(
        metric(&metrics, "caio_decisions_total{outcome=\"routed\"}"),
        6.0
    );
    assert_eq!(
        metric(&metrics, "caio_outcomes_reported_total{result=\"success\"}"),
        1.0
    );
    assert_eq!(metric(&metrics, "caio_decision_candidates_count"), 6.0);
    assert_eq!(metric(&metrics, "caio_trace_records"), 7.0);

    // By age: no record is a day old yet. A second prune by seq, and
    // both archives checked together, in any order.
    routes(&env, 2);
    ok(&env, &["trace", "checkpoint"]);
    let too_new = env.run([
        "trace",
        "prune",
        "--older-than",
        "1d",
        "--archive",
        "x.jsonl",
    ]);
    assert_eq!(too_new.code, 1, "{too_new}");
    assert!(
        too_new.stderr.contains("no live record is that old"),
        "{too_new}"
    );
    let exists = env.run(["trace", "prune", "--through", "8", "--archive", path(&a1)]);
    assert_eq!(exists.code, 1);
    assert!(
        exists.stderr.contains("caio::prune_archive_exists"),
        "{exists}"
    );
    assert_eq!(
        std::fs::read_to_string(&a1).unwrap(),
        text,
        "never overwritten"
    );
    let a2 = env.scratch().join("archive-2.jsonl");
    ok(
        &env,
        &["trace", "prune", "--through", "8", "--archive", path(&a2)],
    );
    let (code, v) = verify(&env, &["--archive", path(&a2), "--archive", path(&a1)]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["archived_records"], 8);
    assert_eq!(v["from"], 9);
    let (code, v) = verify(&env, &["--archive", path(&a2)]);
    assert_eq!(
        code, 0,
        "an archive alone verifies from its first record: {v:#}"
    );
}

/// A small pruned home: 4 decisions, checkpointed, seqs 1..3 archived.
fn pruned_home(env: &TestEnv) -> PathBuf {
    registry_home(env);
    routes(env, 4);
    ok(env, &["trace", "checkpoint"]);
    let archive = env.scratch().join("archive.jsonl");
    ok(
        env,
        &[
            "trace",
            "prune",
            "--through",
            "3",
            "--archive",
            path(&archive),
        ],
    );
    archive
}

/// An archive is an export: the shipped verifier recomputes it, its
/// checkpoint line included, without caio.
#[test]
fn the_shipped_python_script_verifies_an_archive() {
    let Some(python) = crate::common::test_python() else {
        return;
    };
    let env = TestEnv::new();
    let archive = pruned_home(&env);
    let check = || {
        let (code, stdout, stderr) = crate::common::verify_export(&python, &archive);
        (code, stdout + &stderr)
    };
    let (code, out) = check();
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("3 record(s), 1 checkpoint(s)"), "{out}");
    // A checkpoint line that names another head is found.
    let original = std::fs::read_to_string(&archive).unwrap();
    edit(&archive, &original, |_, l| {
        Some(if l.contains("\"type\":\"checkpoint\"") {
            let mut cp: Value = serde_json::from_str(l).unwrap();
            cp["seq"] = json!(2);
            cp.to_string()
        } else {
            l.to_string()
        })
    });
    let (code, out) = check();
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("does not say seq 2"), "{out}");
}

/// Rewrites the archive's lines with `edit` (line index, line) → line(s).
fn edit(archive: &Path, original: &str, edit: impl Fn(usize, &str) -> Option<String>) {
    let lines: Vec<String> = original
        .lines()
        .enumerate()
        .filter_map(|(i, l)| edit(i, l))
        .collect();
    std::fs::write(archive, lines.join("\n") + "\n").unwrap();
}

#[test]
fn a_changed_archive_or_anchor_fails_verification() {
    let env = TestEnv::new();
    let archive = pruned_home(&env);
    let original = std::fs::read_to_string(&archive).unwrap();
    let a = path(&archive).to_string();
    let broken = |expected: Value| {
        let (code, v) = verify(&env, &["--archive", &a]);
        assert_eq!(code, 1, "{v:#}");
        assert_eq!(v["break"], expected, "{v:#}");
    };
    // Lines: the objects (the candidate set first, then the policy set),
    // records 1..3, the checkpoint.
    let objects = original
        .lines()
        .take_while(|l| l.contains("\"type\":\"object\""))
        .count();
    assert_eq!(objects, 2, "{original}");
    let record = |seq: usize| objects + seq - 1;
    edit(&archive, &original, |i, l| {
        Some(if i == record(2) {
            l.replacen("\"seed\":0", "\"seed\":1", 1)
        } else {
            l.to_string()
        })
    });
    broken(json!({"kind": "content_changed", "seq": 2}));
    edit(&archive, &original, |i, l| {
        (i != record(2)).then(|| l.to_string())
    });
    broken(json!({"kind": "record_missing", "seq": 2, "next": 3}));
    edit(&archive, &original, |i, l| {
        (i != record(3)).then(|| l.to_string())
    });
    broken(json!({"kind": "record_missing", "seq": 3, "next": 4}));
    let hash = serde_json::from_str::<Value>(original.lines().next().unwrap()).unwrap()["hash"]
        .as_str()
        .unwrap()
        .to_string();
    edit(&archive, &original, |i, l| {
        Some(if i == 0 {
            l.replacen("\"active\"", "\"drained\"", 1)
        } else {
            l.to_string()
        })
    });
    broken(json!({"kind": "object_broken", "seq": 1, "hash": hash, "problem": "altered"}));
    edit(&archive, &original, |i, l| {
        Some(if i == record(4) {
            let mut cp: Value = serde_json::from_str(l).unwrap();
            let note = cp["note"].as_str().unwrap().replacen('4', "5", 1);
            cp["note"] = json!(note);
            cp.to_string()
        } else {
            l.to_string()
        })
    });
    let (code, v) = verify(&env, &["--archive", &a]);
    assert_eq!(code, 1);
    assert_eq!(v["break"]["kind"], "bad_checkpoint", "{v:#}");
    std::fs::write(&archive, &original).unwrap();
    let (code, v) = verify(&env, &["--archive", &a]);
    assert_eq!(code, 0, "{v:#}");

    // A file that is not an archive is refused, never passed over.
    for text in ["not json\nalso not\n", "{}\n", ""] {
        std::fs::write(&archive, text).unwrap();
        let (code, stdout, stderr) = run(env.caio().args(["trace", "verify", "--archive", &a]));
        assert_eq!(code, 1, "{text:?}: {stdout}{stderr}");
        assert!(stderr.contains("caio::trace_archive"), "{text:?}: {stderr}");
    }
    // Spaced JSON is the same archive: every record is read and checked.
    let spaced = original.replace("\"type\":\"record\"", "\"type\": \"record\"");
    std::fs::write(&archive, &spaced).unwrap();
    let (code, v) = verify(&env, &["--archive", &a]);
    assert_eq!(
        (code, v["archived_records"].as_i64()),
        (0, Some(3)),
        "{v:#}"
    );
    std::fs::write(&archive, &original).unwrap();

    // The anchor: another hash, and no checkpoint to vouch for it.
    let conn = rusqlite::Connection::open(env.home().join("caio.db")).unwrap();
    let anchor: String = conn
        .query_row(
            "SELECT value FROM settings WHERE key = 'trace_anchor'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut forged: Value = serde_json::from_str(&anchor).unwrap();
    let hash = forged["hash"].as_str().unwrap();
    let flipped = if hash.starts_with('0') { "1" } else { "0" };
    forged["hash"] = json!(format!("{flipped}{}", &hash[1..]));
    conn.execute(
        "UPDATE settings SET value = ?1 WHERE key = 'trace_anchor'",
        [forged.to_string()],
    )
    .unwrap();
    let (code, v) = verify(&env, &[]);
    assert_eq!(code, 1, "{v:#}");
    conn.execute(
        "UPDATE settings SET value = ?1 WHERE key = 'trace_anchor'",
        [&anchor],
    )
    .unwrap();
    conn.execute("DELETE FROM trace_checkpoints", []).unwrap();
    let (code, v) = verify(&env, &[]);
    assert_eq!(code, 1);
    assert_eq!(v["break"], json!({"kind": "anchor_unsigned", "seq": 3}));
}

/// An object only pruned records referenced goes with them; one a live
/// record still references stays, whatever its use before.
#[test]
fn prune_removes_the_objects_only_pruned_records_used() {
    let env = TestEnv::new();
    registry_home(&env);
    routes(&env, 2);
    // A registry change: the next routes consider another candidate set.
    ok(
        &env,
        &[
            "registry",
            "set-status",
            "mistral-large-eu",
            "drained",
            "--reason",
            "maintenance",
        ],
    );
    routes(&env, 2);
    ok(&env, &["trace", "checkpoint"]);
    let candidate_sets = || -> Vec<(String, i64)> {
        let db = rusqlite::Connection::open(env.home().join("caio.db")).unwrap();
        let mut s = db
            .prepare(
                "SELECT o.hash, u.last_seq FROM trace_objects o
                 LEFT JOIN trace_object_uses u USING (hash)
                 WHERE o.kind = 'candidates' ORDER BY u.last_seq",
            )
            .unwrap();
        s.query_map([], |r| r.get::<_, Option<i64>>(1).map(|s| (r.get(0), s)))
            .unwrap()
            .map(|row| {
                let (hash, seq) = row.unwrap();
                (hash.unwrap(), seq.expect("every object has a last use"))
            })
            .collect()
    };
    let before = candidate_sets();
    assert_eq!(
        before.iter().map(|(_, seq)| *seq).collect::<Vec<_>>(),
        [2, 4],
        "{before:?}"
    );
    let archive = env.scratch().join("archive.jsonl");
    let (code, stdout, stderr) = run(env.caio().args([
        "trace",
        "prune",
        "--through",
        "2",
        "--archive",
        path(&archive),
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("1 objects no longer used"), "{stdout}");
    assert_eq!(candidate_sets(), before[1..]);
    let (code, v) = verify(&env, &["--archive", path(&archive), "--replay"]);
    assert_eq!(code, 0, "{v:#}");
}
