//! Soaks as tests: caio killed with SIGKILL in the middle of its writes (a
//! batch appending trace records, a registry add storing contracts), and
//! eight processes routing into one home at once. However a writer stops,
//! the store keeps every record whose decision was printed, its seqs run
//! 1..n without a gap or a duplicate, a registry add is stored whole or not
//! at all, SQLite finds the database sound, and `trace verify` passes.
//!
//! `.ci/run` sets `CAIO_SOAK_FULL=1`: 20 kills of each kind and 8 × 200
//! routes. Without it the soaks run a quarter of that (5 kills of each
//! kind, 8 × 50 routes), so that a local `cargo test` on a shared machine
//! stays quick; they check the same things.

use crate::common::{HANG_GUARD, TestEnv, assert_sound_database, repo, run, run_json};
use rusqlite::Connection;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// How long one process may wait for the database lock. The soaks test that
/// no record is lost, not the default timeout (a slow CI machine running
/// eight debug builds can keep a writer waiting for seconds).
const BUSY_TIMEOUT_MS: &str = "60000";

/// How long after its first answer each killed batch is killed: from at
/// once to well into its run, so kills land while it routes, appends a
/// transaction or prints. (Without `CAIO_SOAK_FULL`, every fourth.)
const BATCH_KILLS_MS: [u64; 20] = [
    0, 1, 2, 3, 5, 7, 10, 13, 17, 21, 26, 32, 40, 50, 62, 76, 93, 115, 140, 170,
];

/// How many contracts each killed registry add stores.
const ADD_CONTRACTS: usize = 100;

/// The concurrency soak runs this many processes at once.
const PROCESSES: usize = 8;

/// How much each soak does.
struct Size {
    /// How long after its first answer each killed batch is killed.
    batch_kills_ms: Vec<u64>,
    /// How many times a registry add is killed.
    add_kills: usize,
    /// How many requests each concurrent process routes.
    routes_each: usize,
}

/// The full soak with `CAIO_SOAK_FULL=1` (as `.ci/run` runs it), else a
/// quarter of it.
fn size() -> Size {
    if std::env::var_os("CAIO_SOAK_FULL").is_some_and(|v| v == "1") {
        Size {
            batch_kills_ms: BATCH_KILLS_MS.to_vec(),
            add_kills: 20,
            routes_each: 200,
        }
    } else {
        Size {
            batch_kills_ms: BATCH_KILLS_MS.iter().copied().step_by(4).collect(),
            add_kills: 5,
            routes_each: 50,
        }
    }
}

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

/// `caio ARGS` as a plain process (it is killed or fed while it runs, so it
/// is spawned rather than run), with the harness's environment.
fn spawn(env: &TestEnv, args: &[&str], stdin: Stdio, stdout: Stdio) -> Child {
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
        .args(args)
        .stdin(stdin)
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn caio")
}

/// `caio --format json route --batch INPUT`, its answers written to `out`.
fn batch_process(env: &TestEnv, input: &str, stdin: Stdio, out: &Path) -> Child {
    let out = std::fs::File::create(out).expect("create the output file");
    spawn(
        env,
        &["--format", "json", "route", "--batch", input],
        stdin,
        out.into(),
    )
}

/// The (seq, chain hash) of one printed batch answer.
fn answer(line: &str) -> (i64, String) {
    let doc: Value = serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("a printed line is not JSON ({e}): {line}"));
    let trace = &doc["trace"];
    (
        trace["seq"].as_i64().expect("seq"),
        trace["hash"].as_str().expect("hash").to_string(),
    )
}

/// The decisions a batch printed: every complete line of its output (a
/// process killed while writing leaves a partial one).
fn printed(out: &Path) -> Vec<(i64, String)> {
    let text = std::fs::read_to_string(out).expect("read the batch output");
    let complete = text.rfind('\n').map_or("", |end| &text[..end]);
    complete.lines().map(answer).collect()
}

/// Waits until `out` holds a complete line: the batch has routed, appended
/// and printed its first chunk.
fn wait_for_an_answer(child: &mut Child, out: &Path) {
    let deadline = Instant::now() + HANG_GUARD;
    loop {
        let text = std::fs::read(out).expect("read the batch output");
        if text.contains(&b'\n') {
            return;
        }
        if let Some(status) = child.try_wait().expect("poll the batch") {
            panic!("the batch ended ({status}) before it printed an answer");
        }
        assert!(
            Instant::now() < deadline,
            "the batch printed nothing in {HANG_GUARD:?}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
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

/// Asserts the seqs run 1..n without a gap or a duplicate, the database is
/// sound and `trace verify` passes over all n records (the chain, the
/// lookup columns and every object a record references); returns n.
fn assert_whole_chain(env: &TestEnv, records: &BTreeMap<i64, String>) -> i64 {
    let n = records.len() as i64;
    assert!(
        records.keys().copied().eq(1..=n),
        "seqs have a gap: {:?}…",
        records.keys().take(20).collect::<Vec<_>>()
    );
    assert_sound_database(&env.home());
    let (code, report) = run_json(env.caio().args(["--format", "json", "trace", "verify"]));
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["valid"], true, "{report:#}");
    assert_eq!(report["records"], n, "{report:#}");
    n
}

/// 20 batches killed with SIGKILL while they write, from the moment each
/// printed its first answer to 170 ms later (5, up to 93 ms, without
/// `CAIO_SOAK_FULL`): half read a file (a
/// transaction per 256 lines), half read stdin fed in small bursts (a
/// transaction per burst). After every kill the database is sound, the
/// chain verifies, its seqs have no gap, and every decision printed before
/// the kill is stored under the printed seq with the printed chain hash.
#[test]
fn sigkill_mid_batch_loses_no_printed_record_and_leaves_no_gap() {
    let env = TestEnv::new();
    let mix = registry_home(&env);
    let scratch = env.scratch();
    let file = scratch.join("batch.jsonl");
    std::fs::write(&file, batch_text(&mix, 20_000)).expect("write the batch");
    let (mut printed_total, mut unprinted) = (0, 0);
    let kills = size().batch_kills_ms;
    for (i, &delay) in kills.iter().enumerate() {
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
                for burst in 0..100_000 {
                    let text = batch_text(&mix[burst % mix.len()..], burst % 7 + 1);
                    if stdin.write_all(text.as_bytes()).is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
            });
            (child, Some(feeder))
        };
        let before = stored(&env.home()).len() as i64;
        wait_for_an_answer(&mut child, &out);
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().expect("SIGKILL the batch");
        let status = child.wait().expect("reap the batch");
        assert_eq!(status.code(), None, "kill {i}: the batch ended by itself");
        if let Some(feeder) = feeder {
            feeder.join().expect("the stdin feeder");
        }

        let records = stored(&env.home());
        assert_whole_chain(&env, &records);
        let answers = printed(&out);
        for (seq, hash) in &answers {
            assert_eq!(
                records.get(seq),
                Some(hash),
                "kill {i} after {delay} ms: printed seq {seq} is not stored as printed"
            );
        }
        printed_total += answers.len();
        let last_printed = answers.last().map_or(before, |(seq, _)| *seq);
        unprinted += records.len() as i64 - last_printed;
    }
    eprintln!(
        "{} batch kills: {} records stored, {printed_total} printed before a kill, \
         {unprinted} committed but not yet printed when killed",
        kills.len(),
        stored(&env.home()).len()
    );

    // The home still works: one more batch appends right after the last seq.
    let before = stored(&env.home()).len() as i64;
    let out = scratch.join("after.jsonl");
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

/// A directory of `ADD_CONTRACTS` valid contracts whose services are
/// `soak-{round}-0000`…, made from a shipped contract.
fn contract_dir(scratch: &Path, round: usize) -> PathBuf {
    let template = std::fs::read_to_string(repo().join("contracts/openai-gpt-4o-mini.yaml"))
        .expect("the shipped contract");
    assert!(template.contains("service_id: openai-gpt-4o-mini\n"));
    let dir = scratch.join(format!("add-{round}"));
    std::fs::create_dir_all(&dir).expect("create the contract directory");
    for i in 0..ADD_CONTRACTS {
        let id = format!("soak-{round}-{i:04}");
        let text = template.replace(
            "service_id: openai-gpt-4o-mini\n",
            &format!("service_id: {id}\n"),
        );
        std::fs::write(dir.join(format!("{id}.yaml")), text).expect("write a contract");
    }
    dir
}

/// How many services of `round` the registry holds, and how many `added`
/// events their history holds.
fn round_in_registry(home: &Path, round: usize) -> (i64, i64) {
    let conn = Connection::open(home.join("caio.db")).expect("open caio.db");
    let pattern = format!("soak-{round}-%");
    let count = |sql: &str| -> i64 {
        conn.query_row(sql, [&pattern], |r| r.get(0))
            .expect("count")
    };
    (
        count("SELECT count(*) FROM services WHERE service_id LIKE ?1 AND active_hash IS NOT NULL"),
        count("SELECT count(*) FROM service_events WHERE service_id LIKE ?1"),
    )
}

/// Waits until `child` has the home's database open: it has validated its
/// input and is about to write. Returns false when it ended first.
fn wait_for_the_store(child: &mut Child, home: &Path) -> bool {
    let db = home.join("caio.db");
    let fds = PathBuf::from(format!("/proc/{}/fd", child.id()));
    let deadline = Instant::now() + HANG_GUARD;
    loop {
        let open = std::fs::read_dir(&fds)
            .into_iter()
            .flatten()
            .flatten()
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|target| target == db));
        if open {
            return true;
        }
        if child.try_wait().expect("poll caio").is_some() {
            return false;
        }
        assert!(
            Instant::now() < deadline,
            "caio did not open {} in {HANG_GUARD:?}",
            db.display()
        );
        std::thread::sleep(Duration::from_micros(500));
    }
}

/// 20 (5 without `CAIO_SOAK_FULL`) `registry add` runs of 100 contracts
/// each, killed with SIGKILL while
/// they write: at moments spread over the time an add holds the database
/// open (measured first, on an add that is not killed). Each add is stored
/// whole, with its history, or not at all; the database stays sound and
/// the trace verifies and is unchanged; afterwards every add that was cut
/// short succeeds.
#[test]
fn sigkill_mid_registry_add_stores_every_contract_or_none() {
    let env = TestEnv::new();
    let mix = registry_home(&env);
    let scratch = env.scratch();
    // A trace to keep intact.
    let file = scratch.join("ten.jsonl");
    std::fs::write(&file, batch_text(&mix, 10)).expect("write the batch");
    let (code, _, stderr) = run(env.caio().args(["route", "--batch"]).arg(&file));
    assert_eq!(code, 0, "{stderr}");
    let records = stored(&env.home());

    let kills = size().add_kills;
    let dirs: Vec<PathBuf> = (0..=kills).map(|r| contract_dir(&scratch, r)).collect();
    let add = |dir: &Path| {
        spawn(
            &env,
            &["registry", "add", dir.to_str().expect("a UTF-8 path")],
            Stdio::null(),
            Stdio::null(),
        )
    };
    // How long an add that is not killed holds the database open.
    let mut child = add(&dirs[0]);
    assert!(
        wait_for_the_store(&mut child, &env.home()),
        "the add ended before it wrote"
    );
    let opened = Instant::now();
    let status = child.wait().expect("run caio");
    let window = opened.elapsed();
    assert_eq!(status.code(), Some(0), "{status}");
    let whole = (ADD_CONTRACTS as i64, ADD_CONTRACTS as i64);
    assert_eq!(round_in_registry(&env.home(), 0), whole);

    let mut cut = Vec::new();
    for (round, dir) in dirs.iter().enumerate().skip(1) {
        let at = window.mul_f64((round - 1) as f64 / kills as f64);
        let mut child = add(dir);
        // An add that ended before it was seen writing is checked the same.
        if wait_for_the_store(&mut child, &env.home()) {
            std::thread::sleep(at);
        }
        let _ = child.kill();
        child.wait().expect("reap the add");
        match round_in_registry(&env.home(), round) {
            (0, 0) => cut.push(round),
            stored if stored == whole => {}
            partial => panic!("kill {round} after {at:?}: a partial add is stored: {partial:?}"),
        }
        assert_eq!(
            assert_whole_chain(&env, &stored(&env.home())),
            records.len() as i64
        );
        assert_eq!(stored(&env.home()), records, "the trace changed");
    }
    eprintln!(
        "{kills} registry add kills (an add holds the database {window:.1?}): \
         {} stored nothing, {} were killed after their commit",
        cut.len(),
        kills - cut.len()
    );

    // The adds cut short succeed now, all in one run.
    let (code, _, stderr) = run(env
        .caio()
        .args(["registry", "add"])
        .args(cut.iter().map(|&round| &dirs[round])));
    assert_eq!(code, 0, "{stderr}");
    for round in 0..=kills {
        assert_eq!(
            round_in_registry(&env.home(), round),
            whole,
            "round {round}"
        );
    }
    assert_sound_database(&env.home());
}

/// 8 processes × 200 routes (50 without `CAIO_SOAK_FULL`) into one home at
/// once, each route its own transaction (a batch on stdin answers each line
/// before the next is written) → exactly 1,600 records (400) with seqs
/// 1..=1600, each printed once with the chain hash stored under it,
/// interleaved between processes; the chain verifies, and every decision
/// replays from its stored objects.
#[test]
fn eight_processes_routing_200_each_store_1600_records_without_a_gap() {
    let env = TestEnv::new();
    let mix = Arc::new(registry_home(&env));
    let routes_each = size().routes_each;
    let start = Arc::new(Barrier::new(PROCESSES));
    let workers: Vec<_> = (0..PROCESSES)
        .map(|p| {
            let mut child = spawn(
                &env,
                &["--format", "json", "route", "--batch", "-"],
                Stdio::piped(),
                Stdio::piped(),
            );
            let (mix, start) = (Arc::clone(&mix), Arc::clone(&start));
            std::thread::spawn(move || {
                let mut stdin = child.stdin.take().expect("stdin");
                let mut answers = BufReader::new(child.stdout.take().expect("stdout"));
                start.wait();
                let mut seen = Vec::with_capacity(routes_each);
                let mut line = String::new();
                for i in 0..routes_each {
                    // Each process cycles through the mix from elsewhere.
                    writeln!(stdin, "{}", mix[(p + i) % mix.len()]).expect("write a request");
                    stdin.flush().expect("flush");
                    line.clear();
                    answers.read_line(&mut line).expect("read an answer");
                    assert!(line.ends_with('\n'), "process {p}: no answer to line {i}");
                    seen.push(answer(&line));
                }
                drop(stdin);
                let status = child.wait().expect("run caio");
                assert_eq!(status.code(), Some(0), "process {p}: {status}");
                seen
            })
        })
        .collect();
    let per_process: Vec<Vec<(i64, String)>> = workers
        .into_iter()
        .map(|w| w.join().expect("a routing process"))
        .collect();

    let mut owner = BTreeMap::new();
    for (p, answers) in per_process.iter().enumerate() {
        assert!(
            answers.windows(2).all(|w| w[0].0 < w[1].0),
            "process {p}: seqs do not increase"
        );
        for (seq, _) in answers {
            assert_eq!(owner.insert(*seq, p), None, "seq {seq} printed twice");
        }
    }
    let total = (PROCESSES * routes_each) as i64;
    assert!(
        owner.keys().copied().eq(1..=total),
        "the printed seqs are not 1..{total}"
    );
    // The processes took turns: the test ran them concurrently.
    let turns = owner
        .values()
        .zip(owner.values().skip(1))
        .filter(|(a, b)| a != b)
        .count();
    assert!(turns >= PROCESSES, "the processes did not interleave");
    let records = stored(&env.home());
    assert_eq!(assert_whole_chain(&env, &records), total);
    for (seq, hash) in per_process.iter().flatten() {
        assert_eq!(records.get(seq), Some(hash), "seq {seq}");
    }
    let (code, report) = run_json(
        env.caio()
            .args(["--format", "json", "trace", "verify", "--replay"]),
    );
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["valid"], true, "{report:#}");
    eprintln!(
        "{PROCESSES} × {routes_each} routes: {total} records, {turns} turns between processes"
    );
}
