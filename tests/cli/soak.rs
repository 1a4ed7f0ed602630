//! Soaks as tests, bounded for CI: caio killed with SIGKILL at varied
//! moments of a batch, and eight processes routing into one home at once.
//! Either way the trace keeps every record whose decision was printed, its
//! seqs run 1..n without a gap or a duplicate, and `trace verify` passes.

use crate::common::{TestEnv, repo, run, run_json};
use rusqlite::Connection;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long one batch process may wait for the database lock. The soaks
/// test that no record is lost, not the default timeout (a slow CI machine
/// running eight debug builds can keep a writer waiting for seconds).
const BUSY_TIMEOUT_MS: &str = "60000";

/// A home holding every shipped contract and the shipped policy set, with
/// one principal; returns a batch line mix (routed, chained, no route).
fn registry_home(env: &TestEnv) -> Vec<Value> {
    let (code, _, stderr) = run(env.caio().args(["registry", "add", "contracts"]));
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(env.caio().args(["policy", "apply", "policies"]));
    assert_eq!(code, 0, "{stderr}");
    let (code, token, stderr) = run(env.caio().args([
        "principal",
        "add",
        "ana",
        "--tenant",
        "acme",
        "--roles",
        "analyst",
        "--trust",
        "high",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let token = token.trim();
    [
        "chat-balanced",
        "chain-rag-latency-bound",
        "no-route-restricted-us",
        "chat-cost-priority",
        "embedding-eu-multilingual",
    ]
    .iter()
    .map(|name| {
        let text = std::fs::read_to_string(repo().join(format!("fixtures/requests/{name}.json")))
            .expect("request fixture");
        let mut request: Value = serde_json::from_str(&text).expect("fixture JSON");
        request["auth"] = json!({ "token": token });
        request
    })
    .collect()
}

/// `n` batch lines cycling through `mix`, one JSON document per line.
fn batch_text(mix: &[Value], n: usize) -> String {
    (0..n)
        .map(|i| format!("{}\n", mix[i % mix.len()]))
        .collect()
}

/// `caio route --batch INPUT` as a plain process (it is killed, so it is
/// spawned rather than run), with the harness's environment; stdout goes to
/// `out`.
fn batch_process(env: &TestEnv, input: &str, stdin: Stdio, out: &Path) -> Child {
    let home = env.home();
    Command::new(assert_cmd::cargo::cargo_bin("caio"))
        .current_dir(repo())
        .env_clear()
        .env("CAIO_HOME", &home)
        .env("HOME", home.parent().expect("the home's parent"))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
        .env("LANG", "C.UTF-8")
        .env("CAIO_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS)
        .args(["--format", "json", "route", "--batch", input])
        .stdin(stdin)
        .stdout(std::fs::File::create(out).expect("create the output file"))
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn caio")
}

/// The decisions a batch printed, as (seq, chain hash): every complete line
/// of its output (a process killed while writing leaves a partial one).
fn printed(out: &Path) -> Vec<(i64, String)> {
    let text = std::fs::read_to_string(out).expect("read the batch output");
    let complete = text.rfind('\n').map_or("", |end| &text[..end]);
    complete
        .lines()
        .map(|line| {
            let doc: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("a printed line is not JSON ({e}): {line}"));
            let trace = &doc["trace"];
            (
                trace["seq"].as_i64().expect("seq"),
                trace["hash"].as_str().expect("hash").to_string(),
            )
        })
        .collect()
}

/// Every stored record's seq and chain hash, by seq.
fn stored(home: &Path) -> BTreeMap<i64, String> {
    let conn = Connection::open(home.join("caio.db")).expect("open caio.db");
    let mut stmt = conn
        .prepare("SELECT seq, hash FROM traces ORDER BY seq")
        .expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// Asserts the seqs run 1..n without a gap or a duplicate and `trace
/// verify` passes over all n; returns n.
fn assert_whole_chain(env: &TestEnv, records: &BTreeMap<i64, String>) -> i64 {
    let n = records.len() as i64;
    assert!(
        records.keys().copied().eq(1..=n),
        "seqs have a gap: {:?}…",
        records.keys().take(20).collect::<Vec<_>>()
    );
    let (code, report) = run_json(env.caio().args(["--format", "json", "trace", "verify"]));
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["valid"], true, "{report:#}");
    assert_eq!(report["records"], n, "{report:#}");
    n
}

/// 20 batches killed with SIGKILL at varied moments — while the process
/// starts, opens the home, routes, appends a transaction or prints — half
/// reading a file (256 records per transaction), half reading stdin fed in
/// small bursts (a transaction per burst). After every kill the chain
/// verifies, its seqs have no gap, and every decision printed before the
/// kill is stored under the printed seq with the printed chain hash.
#[test]
fn sigkill_at_any_moment_loses_no_printed_record_and_leaves_no_gap() {
    let env = TestEnv::new();
    let mix = registry_home(&env);
    let scratch = env.scratch();
    let file = scratch.join("batch.jsonl");
    std::fs::write(&file, batch_text(&mix, 20_000)).expect("write the batch");
    let delays_ms = [
        0, 4, 9, 15, 22, 30, 45, 60, 80, 100, 130, 160, 200, 240, 290, 340, 400, 470, 550, 650,
    ];
    let mut printed_total = 0;
    for (i, delay) in delays_ms.into_iter().enumerate() {
        let out = scratch.join(format!("out-{i}.jsonl"));
        let (mut child, feeder) = if i % 2 == 0 {
            let input = file.to_str().expect("a UTF-8 path");
            (batch_process(&env, input, Stdio::null(), &out), None)
        } else {
            let mut child = batch_process(&env, "-", Stdio::piped(), &out);
            let mut stdin = child.stdin.take().expect("stdin");
            let mix = mix.clone();
            let feeder = std::thread::spawn(move || {
                // Bursts of 1 to 7 lines, so the batch answers (and appends)
                // after each; stops when the process is gone.
                for burst in 0..10_000 {
                    let text = batch_text(&mix[burst % mix.len()..], burst % 7 + 1);
                    if stdin.write_all(text.as_bytes()).is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
            });
            (child, Some(feeder))
        };
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().expect("SIGKILL the batch");
        child.wait().expect("reap the batch");
        if let Some(feeder) = feeder {
            feeder.join().expect("the stdin feeder");
        }

        let records = stored(&env.home());
        assert_whole_chain(&env, &records);
        for (seq, hash) in printed(&out) {
            assert_eq!(
                records.get(&seq),
                Some(&hash),
                "kill {i} after {delay} ms: printed seq {seq} is not stored as printed"
            );
            printed_total += 1;
        }
    }
    assert!(
        printed_total > 0,
        "no kill landed after a batch had printed"
    );
    eprintln!(
        "20 kills: {} records stored, {printed_total} of them printed before a kill",
        stored(&env.home()).len()
    );

    // The home still works: one more batch appends right after the last seq.
    let before = stored(&env.home()).len() as i64;
    let out = env.scratch().join("after.jsonl");
    let file = scratch.join("three.jsonl");
    std::fs::write(&file, batch_text(&mix, 3)).expect("write the batch");
    let status = batch_process(&env, file.to_str().expect("path"), Stdio::null(), &out)
        .wait()
        .expect("run caio");
    assert_eq!(status.code(), Some(0), "{status}");
    let seqs: Vec<i64> = printed(&out).into_iter().map(|(seq, _)| seq).collect();
    assert_eq!(seqs, (before + 1..=before + 3).collect::<Vec<_>>());
    assert_eq!(assert_whole_chain(&env, &stored(&env.home())), before + 3);
}

/// 8 processes × 200 routes into one home at once (a batch of 200 lines
/// each) → exactly 1,600 records with seqs 1..1600, each printed once with
/// the chain hash stored under it, and the chain verifies.
#[test]
fn eight_processes_routing_200_each_store_1600_records_without_a_gap() {
    let env = TestEnv::new();
    let mix = registry_home(&env);
    let scratch = env.scratch();
    let children: Vec<(Child, PathBuf)> = (0..8)
        .map(|p| {
            // Each process starts its cycle elsewhere, so the mix differs.
            let file = scratch.join(format!("batch-{p}.jsonl"));
            std::fs::write(&file, batch_text(&mix[p % mix.len()..], 200)).expect("write");
            let out = scratch.join(format!("out-{p}.jsonl"));
            let input = file.to_str().expect("a UTF-8 path");
            (batch_process(&env, input, Stdio::null(), &out), out)
        })
        .collect();
    let mut printed_all = Vec::new();
    for (mut child, out) in children {
        let status = child.wait().expect("run caio");
        assert_eq!(status.code(), Some(0), "{status}: {}", out.display());
        let decisions = printed(&out);
        assert_eq!(decisions.len(), 200, "{}", out.display());
        printed_all.extend(decisions);
    }
    printed_all.sort();
    let seqs: Vec<i64> = printed_all.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(
        seqs,
        (1..=1600).collect::<Vec<_>>(),
        "each seq printed once"
    );
    let records = stored(&env.home());
    assert_eq!(assert_whole_chain(&env, &records), 1600);
    for (seq, hash) in &printed_all {
        assert_eq!(records.get(seq), Some(hash), "seq {seq}");
    }
}
