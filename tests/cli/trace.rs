//! `caio trace …`, end to end (SPEC §9): one record per route call, the
//! BLAKE3 chain and its golden vectors, the tamper matrix (the database
//! edited with rusqlite behind caio's back), concurrent appends, secrets
//! kept out of the database, replay, export, checkpoints as C2SP signed
//! notes checked independently, and the read commands with their filters.

use crate::common::{
    TestEnv, assert_sound_database, repo, run, run_json, transcript, verify_export,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use caio_core::trace::{GENESIS, chain_hash, hex, unhex32};
use rusqlite::{Connection, params};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// The shipped principal the stateless routes simulate.
const ANALYST: &str = "fixtures/principals/acme-analyst.yaml";

/// A well-formed token no home issued.
const UNKNOWN_TOKEN: &str = "caio_UNKNOWNtokenUNKNOWNtokenUNKNOWNtoken123";

fn write(path: &Path, text: &str) -> PathBuf {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create dir");
    }
    std::fs::write(path, text).expect("write file");
    path.to_path_buf()
}

/// A fresh file name in the scratch directory.
fn scratch_file(env: &TestEnv, stem: &str, ext: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    env.scratch().join(format!("{stem}-{n}.{ext}"))
}

/// A request fixture (`fixtures/requests/NAME.json`) as JSON.
fn fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(repo().join(format!("fixtures/requests/{name}.json")))
        .expect("request fixture");
    serde_json::from_str(&text).expect("fixture JSON")
}

/// The same request carrying `token`.
fn with_token(mut request: Value, token: &str) -> Value {
    request["auth"] = json!({ "token": token });
    request
}

/// Runs a caio command that must succeed; returns stdout.
fn ok<S: AsRef<OsStr>>(env: &TestEnv, args: impl IntoIterator<Item = S>) -> String {
    let args: Vec<S> = args.into_iter().collect();
    let shown: Vec<&OsStr> = args.iter().map(AsRef::as_ref).collect();
    let (code, stdout, stderr) = run(env.caio().args(&args));
    assert_eq!(code, 0, "caio {shown:?}: {stderr}");
    stdout
}

/// `caio --format json ARGS…` that must succeed.
fn ok_json(env: &TestEnv, args: &[&str]) -> Value {
    let (code, value) = run_json(env.caio().args(["--format", "json"]).args(args));
    assert_eq!(code, 0, "caio {args:?}: {value:#}");
    value
}

/// A home with every shipped contract and one principal (`ana`, acme
/// analyst, trust high); returns ana's token.
fn registry_home(env: &TestEnv) -> String {
    ok(env, ["registry", "add", "contracts"]);
    let token = ok(
        env,
        [
            "principal",
            "add",
            "ana",
            "--tenant",
            "acme",
            "--roles",
            "analyst",
            "--trust",
            "high",
        ],
    )
    .trim()
    .to_string();
    assert!(token.starts_with("caio_"), "{token}");
    token
}

/// `caio --format json route REQUEST ARGS…` (registry mode).
fn route(env: &TestEnv, request: &Value, extra: &[&str]) -> (i32, Value) {
    let path = write(
        &scratch_file(env, "request", "json"),
        &serde_json::to_string(request).expect("JSON"),
    );
    run_json(
        env.caio()
            .args(["--format", "json", "route"])
            .arg(&path)
            .args(extra),
    )
}

/// Routes the fixture `name` in registry mode as the holder of `token`;
/// its decision, which must exit 0 (routed or not routed).
fn route_ok(env: &TestEnv, name: &str, token: &str) -> Value {
    let (code, d) = route(env, &with_token(fixture(name), token), &[]);
    assert_eq!(code, 0, "{name}: {d:#}");
    d
}

/// Routes `request` in registry mode as `caio route` does, through the
/// library, with the record made at `at` instead of the clock's time: a
/// test that needs records a second apart makes them so instead of
/// sleeping. Returns the decision id and the chosen services in step order.
fn route_at(env: &TestEnv, request: &Value, at: &str) -> (String, Vec<String>) {
    use caio_store::Store;
    use caio_store::home::Home;
    let home = Home { path: env.home() };
    let store =
        Store::open_existing(&home, std::time::Duration::from_secs(5)).expect("the home's store");
    let now: jiff::Timestamp = at.parse().expect("an RFC 3339 time");
    let mut router = caio_store::router::Router::registry(store, home)
        .expect("a router")
        .at(now);
    let text = serde_json::to_string(request).expect("JSON");
    let request = caio_core::request::parse("request.json", &text).expect("a valid request");
    let routed = router.route(&request).expect("routed");
    let traced = caio::app::route::trace(&mut router, &[(&request, &routed)], false, None, now)
        .expect("appended");
    let appended = traced[0].trace.expect("registry mode appends");
    let chosen = routed
        .decision
        .chosen
        .iter()
        .map(|c| c.service_id.clone())
        .collect();
    (caio_core::trace::decision_id(&appended.hash), chosen)
}

/// Every rejection of a decision, one line each, in candidate order.
fn rejection_lines(d: &Value) -> String {
    let mut out = String::new();
    for c in d["candidates"].as_array().expect("candidates[]") {
        for r in c["rejections"].as_array().expect("rejections[]") {
            out.push_str(&format!(
                "{}  {}/{}: {}\n",
                c["service_id"].as_str().expect("service_id"),
                r["stage"].as_str().expect("stage"),
                r["rule"].as_str().expect("rule"),
                r["message"].as_str().expect("message"),
            ));
        }
    }
    out
}

/// A checkpoint names the instance and is signed with its key, made at
/// random when the home first signs; the note holds the chain head.
fn without_instance_keys(env: &TestEnv) {
    env.filter(r"caio/[0-9a-f]{16}", "caio/[instance]");
    env.filter(
        r"\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}",
        "+[key-hash]+[public-key]",
    );
    // In a note printed as is, or as a JSON string (`\n` for a line end).
    env.filter(
        r"(— caio/\[instance\]) [A-Za-z0-9+/]{91}=",
        "${1} [signature]",
    );
    env.filter(r"(?m)(^|\\n)[A-Za-z0-9+/]{43}=", "${1}[head as base64]");
}

/// The same in stateless mode (`--contracts contracts`), traced into the
/// test's home, which `--home` names explicitly.
fn stateless(env: &TestEnv, request: &Value, extra: &[&str]) -> (i32, Value) {
    let home = env.home();
    let mut args = vec![
        OsStr::new("--contracts"),
        OsStr::new("contracts"),
        OsStr::new("--home"),
        home.as_os_str(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    let path = write(
        &scratch_file(env, "request", "json"),
        &serde_json::to_string(request).expect("JSON"),
    );
    run_json(
        env.caio()
            .args(["--format", "json", "route"])
            .arg(&path)
            .args(&args),
    )
}

/// A JSON Lines file of these requests.
fn batch_file(env: &TestEnv, lines: &[Value]) -> PathBuf {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    write(&scratch_file(env, "batch", "jsonl"), &text)
}

/// Parses JSON Lines output.
fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// A home holding `n` records, written by one stateless batch (a mix of
/// routed, chained and no_route decisions).
fn chain_of(env: &TestEnv, n: usize) {
    let kinds = [
        "chat-balanced",
        "chain-rag-latency-bound",
        "no-route-restricted-us",
        "chat-cost-priority",
        "embedding-eu-multilingual",
    ];
    let lines: Vec<Value> = (0..n).map(|i| fixture(kinds[i % kinds.len()])).collect();
    let file = batch_file(env, &lines);
    let (code, stdout, stderr) = run(env.caio().arg("route").arg(&file).args([
        "--batch",
        "--contracts",
        "contracts",
        "--principal",
        ANALYST,
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json_lines(&stdout).len(), n);
    assert_eq!(seqs(env), (1..=n as i64).collect::<Vec<_>>());
}

/// `caio --format json trace list ARGS…`.
fn list(env: &TestEnv, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["trace", "list"];
    all.extend_from_slice(args);
    ok_json(env, &all)["records"]
        .as_array()
        .expect("a JSON array of records")
        .clone()
}

/// The seqs `trace list` shows (oldest first), whatever their number.
fn seqs(env: &TestEnv) -> Vec<i64> {
    let mut out: Vec<i64> = list(env, &["--limit", "100000"])
        .iter()
        .map(|r| r["seq"].as_i64().expect("seq"))
        .collect();
    out.reverse();
    out
}

/// `caio trace export ARGS…` as parsed lines.
fn export(env: &TestEnv, args: &[&str]) -> (String, Vec<Value>) {
    let mut all = vec!["trace", "export"];
    all.extend_from_slice(args);
    let stdout = ok(env, all);
    let lines = json_lines(&stdout);
    (stdout, lines)
}

/// `caio --format json trace verify ARGS…`: (exit, report).
fn verify(env: &TestEnv, args: &[&str]) -> (i32, Value) {
    run_json(
        env.caio()
            .args(["--format", "json", "trace", "verify"])
            .args(args),
    )
}

/// `caio trace verify ARGS…` in human form: (exit, stdout).
fn verify_human(env: &TestEnv, args: &[&str]) -> (i32, String) {
    let (code, stdout, _) = run(env.caio().args(["trace", "verify"]).args(args));
    (code, stdout)
}

/// Asserts `trace verify ARGS…` fails, in JSON and in human form, with this
/// break (`{"kind", …}`) and a human line naming `human`.
fn assert_broken(env: &TestEnv, args: &[&str], expected: Value, human: &str) {
    let (code, report) = verify(env, args);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["valid"], false, "{report:#}");
    assert_eq!(report["break"], expected, "{report:#}");
    let (code, stdout, stderr) = run(env.caio().args(["trace", "verify"]).args(args));
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(stdout, format!("chain broken: {human}\n"));
    // And on stderr the diagnostic: what, and what to do about it.
    assert!(
        stderr.contains("caio::trace_broken") && stderr.contains("the trace does not verify"),
        "{stderr}"
    );
    assert!(stderr.contains("help:"), "{stderr}");
}

/// Asserts `trace verify ARGS…` passes over `records` records.
fn assert_valid(env: &TestEnv, args: &[&str], records: i64) -> Value {
    let (code, report) = verify(env, args);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["valid"], true, "{report:#}");
    assert_eq!(report["records"], records, "{report:#}");
    assert!(report.get("break").is_none(), "{report:#}");
    report
}

/// The home's database, opened behind caio's back.
fn db(env: &TestEnv) -> Connection {
    Connection::open(env.home().join("caio.db")).expect("open caio.db")
}

/// The body of a trace object, by hash.
fn object(env: &TestEnv, hash: &str) -> Value {
    let body: String = db(env)
        .query_row(
            "SELECT body FROM trace_objects WHERE hash = ?1",
            [hash],
            |r| r.get(0),
        )
        .expect("object");
    serde_json::from_str(&body).expect("object JSON")
}

fn record_text(conn: &Connection, seq: i64) -> String {
    conn.query_row("SELECT record FROM traces WHERE seq = ?1", [seq], |r| {
        r.get(0)
    })
    .expect("record")
}

fn stored_hash(conn: &Connection, seq: i64) -> String {
    conn.query_row("SELECT hash FROM traces WHERE seq = ?1", [seq], |r| {
        r.get(0)
    })
    .expect("hash")
}

/// What an attacker with write access does after editing records: recompute
/// every link and hash from `from` on with caio's own rule, so the chain is
/// consistent again.
fn rehash_from(conn: &Connection, from: i64) {
    let mut prev = if from == 1 {
        GENESIS
    } else {
        unhex32(&stored_hash(conn, from - 1)).expect("hex hash")
    };
    let rows: Vec<(i64, String)> = conn
        .prepare("SELECT seq, record FROM traces WHERE seq >= ?1 ORDER BY seq")
        .expect("prepare")
        .query_map([from], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    for (seq, record) in rows {
        let hash = chain_hash(&prev, &record);
        conn.execute(
            "UPDATE traces SET prev = ?1, hash = ?2, decision_id = ?3 WHERE seq = ?4",
            params![hex(&prev), hex(&hash), &hex(&hash)[..32], seq],
        )
        .expect("update");
        prev = hash;
    }
    reindex(conn);
}

/// What the same attacker does next: rebuild the derived data (candidate
/// counts, audit terms) from the records with caio's own rule, so that
/// only signatures and replay can tell.
fn reindex(conn: &Connection) {
    conn.execute("DELETE FROM trace_terms", []).expect("delete");
    let rows: Vec<(i64, String, String)> = conn
        .prepare("SELECT seq, hash, record FROM traces ORDER BY seq")
        .expect("prepare")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    let term = |kind: &str, value: &str, seq: i64| {
        conn.execute(
            "INSERT OR IGNORE INTO trace_term_values (kind, value) VALUES (?1, ?2)",
            params![kind, value],
        )
        .expect("term");
        conn.execute(
            "INSERT OR IGNORE INTO trace_terms (term, seq)
             SELECT id, ?3 FROM trace_term_values WHERE kind = ?1 AND value = ?2",
            params![kind, value, seq],
        )
        .expect("term row");
    };
    for (seq, hash, record) in rows {
        let d =
            caio_core::trace::derive(&record, &unhex32(&hash).expect("hash")).expect("a record");
        conn.execute(
            "UPDATE traces SET candidates = ?1, services = ?2, principal = ?3 WHERE seq = ?4",
            params![d.index.candidates, d.index.services, d.index.principal, seq],
        )
        .expect("update");
        for (kind, value) in &d.terms {
            term(kind, value, seq);
        }
        if let Some((decision, (kind, value))) = &d.on_decision {
            term(kind, value, *decision);
        }
    }
}

/// `trace checkpoint --out FILE`: (the note, the verifier key from stderr).
fn checkpoint(env: &TestEnv, out: &Path) -> (String, String) {
    let (code, stdout, stderr) = run(env.caio().args(["trace", "checkpoint", "--out"]).arg(out));
    assert_eq!(code, 0, "{stderr}");
    let note = std::fs::read_to_string(out).expect("checkpoint file");
    assert_eq!(stdout, note, "stdout is the note written to --out");
    let key = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("verifier key: "))
        .unwrap_or_else(|| panic!("no `verifier key:` line in: {stderr}"))
        .to_string();
    (note, key)
}

fn is_hex(v: &Value, len: usize) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether `needle` occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

// ---------------------------------------------------------------------------
// One record per route call
// ---------------------------------------------------------------------------

/// routed (0), no_route (3) and refused by authentication (1) each append
/// exactly one record with the next seq; `route --format json` gives
/// `trace.seq`/`trace.hash` and `decision_id` = the first 32 hex of
/// `trace.hash`; `--dry-run` appends nothing but still gives a decision id;
/// a stateless route with a home is traced too.
#[test]
fn every_route_call_appends_exactly_one_record() {
    let env = TestEnv::new();
    let token = registry_home(&env);
    assert_eq!(seqs(&env), Vec::<i64>::new(), "a new home has no records");

    let calls = [
        (with_token(fixture("chat-balanced"), &token), 0, "routed"),
        (
            with_token(fixture("no-route-restricted-us"), &token),
            3,
            "no_route",
        ),
        (
            with_token(fixture("chat-balanced"), UNKNOWN_TOKEN),
            1,
            "refused",
        ),
        (
            with_token(fixture("chain-rag-latency-bound"), &token),
            0,
            "routed",
        ),
    ];
    for (n, (request, exit, outcome)) in calls.iter().enumerate() {
        let seq = n as i64 + 1;
        let (code, d) = route(&env, request, &[]);
        assert_eq!(code, *exit, "{d:#}");
        assert_eq!(d["outcome"], *outcome, "{d:#}");
        assert_eq!(d["trace"]["seq"], seq, "{d:#}");
        assert!(is_hex(&d["trace"]["hash"], 64), "{d:#}");
        let hash = d["trace"]["hash"].as_str().unwrap();
        assert_eq!(d["decision_id"], hash[..32], "{d:#}");

        let listed = list(&env, &[]);
        assert_eq!(listed.len(), n + 1, "one more record: {listed:#?}");
        assert_eq!(listed[0]["seq"], seq);
        assert_eq!(listed[0]["outcome"], *outcome);
        assert_eq!(listed[0]["decision_id"], d["decision_id"]);
        assert_eq!(seqs(&env), (1..=seq).collect::<Vec<_>>());
    }
    assert_eq!(list(&env, &[])[1]["principal"], "(refused)");

    // --dry-run: a decision id, no trace reference, nothing appended.
    for request in [
        with_token(fixture("chat-balanced"), &token),
        with_token(fixture("chat-balanced"), UNKNOWN_TOKEN),
    ] {
        let (_, d) = route(&env, &request, &["--dry-run"]);
        assert!(is_hex(&d["decision_id"], 32), "{d:#}");
        assert!(d.get("trace").is_none(), "{d:#}");
    }
    let dry_run = env
        .cmd()
        .args(["route", "--dry-run"])
        .arg(write(
            &env.scratch().join("dry-run.json"),
            &with_token(fixture("chat-balanced"), &token).to_string(),
        ))
        .run();
    dry_run.code(0);
    // Its decision id would follow the head: it hashes the time, too.
    env.filter(r"(decision )[0-9a-f]{32}\b", "${1}[decision-id]");
    insta::assert_snapshot!("dry_run_human", dry_run);
    assert_eq!(seqs(&env), vec![1, 2, 3, 4], "--dry-run appended nothing");

    // Stateless mode with a home: traced in that home.
    let (code, d) = stateless(&env, &fixture("chat-balanced"), &["--principal", ANALYST]);
    assert_eq!(code, 0, "{d:#}");
    assert_eq!(d["trace"]["seq"], 5, "{d:#}");
    let (_, d) = stateless(
        &env,
        &fixture("chat-balanced"),
        &["--principal", ANALYST, "--dry-run"],
    );
    assert!(is_hex(&d["decision_id"], 32) && d.get("trace").is_none());
    assert_eq!(seqs(&env), vec![1, 2, 3, 4, 5]);
    assert_valid(&env, &[], 5);
}

/// A batch of N routed lines appends N records, in line order, with
/// contiguous seqs (also across the chunks it is appended in); an invalid
/// line is reported and appends nothing; `--dry-run` appends nothing.
#[test]
fn a_batch_appends_one_record_per_routed_line() {
    let env = TestEnv::new();
    let token = registry_home(&env);
    let mut lines = vec![
        with_token(fixture("chat-balanced"), &token),
        with_token(fixture("no-route-restricted-us"), &token),
        with_token(fixture("chat-balanced"), UNKNOWN_TOKEN),
        with_token(fixture("chain-rag-latency-bound"), &token),
    ];
    let mut text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    text.push_str("{\"capability\": \n");
    let file = write(&scratch_file(&env, "batch", "jsonl"), &text);
    let (code, stdout, stderr) = run(env
        .caio()
        .args(["--format", "json", "route", "--batch"])
        .arg(&file));
    assert_eq!(code, 1, "a refused and an invalid line: {stderr}");
    let out = json_lines(&stdout);
    assert_eq!(out.len(), 5, "{stdout}");
    let outcomes: Vec<&str> = out[..4]
        .iter()
        .map(|d| d["outcome"].as_str().expect("outcome"))
        .collect();
    assert_eq!(outcomes, ["routed", "no_route", "refused", "routed"]);
    for (i, d) in out[..4].iter().enumerate() {
        assert_eq!(d["trace"]["seq"], i as i64 + 1, "{d:#}");
        assert_eq!(d["decision_id"], d["trace"]["hash"].as_str().unwrap()[..32]);
    }
    assert_eq!(out[4]["line"], 5, "the invalid line is reported: {stdout}");
    assert_eq!(seqs(&env), vec![1, 2, 3, 4]);

    // --dry-run: decision ids, nothing appended.
    let (code, stdout, stderr) = run(env
        .caio()
        .args(["route", "--batch", "--dry-run"])
        .arg(batch_file(&env, &lines[..2])));
    assert_eq!(code, 0, "{stderr}");
    for d in json_lines(&stdout) {
        assert!(is_hex(&d["decision_id"], 32) && d.get("trace").is_none());
    }
    assert_eq!(seqs(&env).len(), 4);

    // 300 lines: more than one append chunk.
    lines = (0..300)
        .map(|i| {
            if i % 3 == 0 {
                with_token(fixture("no-route-restricted-us"), &token)
            } else {
                with_token(fixture("chat-balanced"), &token)
            }
        })
        .collect();
    let (code, stdout, stderr) = run(env
        .caio()
        .args(["route", "--batch"])
        .arg(batch_file(&env, &lines)));
    assert_eq!(code, 0, "{stderr}");
    let printed: Vec<i64> = json_lines(&stdout)
        .iter()
        .map(|d| d["trace"]["seq"].as_i64().expect("trace.seq"))
        .collect();
    assert_eq!(printed, (5..=304).collect::<Vec<_>>(), "line order");
    assert_eq!(seqs(&env), (1..=304).collect::<Vec<_>>());
    assert_valid(&env, &[], 304);
}

/// A batch long enough that its write-ahead log passes the 1,000 pages at
/// which the writer asks for a checkpoint (run beside it, on a connection
/// of its own; the log restarts several times): every line is answered and
/// stored, the chain verifies, the database is sound, and the log is
/// emptied at the end.
#[test]
fn a_batch_checkpoints_beside_its_writer() {
    let env = TestEnv::new();
    let token = registry_home(&env);
    let lines: Vec<Value> = (0..6_000)
        .map(|i| {
            let name = if i % 4 == 0 {
                "no-route-restricted-us"
            } else {
                "chat-balanced"
            };
            let mut line = with_token(fixture(name), &token);
            line["request_id"] = json!(format!("long-batch-{i}"));
            line
        })
        .collect();
    let (code, stdout, stderr) = run(env
        .caio()
        .args(["route", "--batch"])
        .arg(batch_file(&env, &lines)));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json_lines(&stdout).len(), 6_000);
    assert_eq!(seqs(&env).len(), 6_000);
    assert_sound_database(&env.home());
    let wal = std::fs::metadata(env.home().join("caio.db-wal")).map_or(0, |m| m.len());
    assert!(wal <= 1 << 20, "the log was left at {wal} bytes");
    assert_valid(&env, &[], 6_000);
}

/// The trace refuses a chunk (here a trigger does): the chunks before it
/// stay and were answered, the refused one is not written at all, and
/// caio stops with the store's error.
#[test]
fn a_chunk_the_store_refuses_stops_the_batch_after_the_chunks_before() {
    let env = TestEnv::new();
    let token = registry_home(&env);
    let lines: Vec<Value> = (0..200)
        .map(|i| {
            let mut r = with_token(fixture("chat-balanced"), &token);
            r["request_id"] = json!(format!("r{i}"));
            r
        })
        .collect();
    db(&env)
        .execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON traces WHEN NEW.seq > 100
             BEGIN SELECT RAISE(ABORT, 'the disk is full'); END;",
        )
        .unwrap();
    let (code, stdout, stderr) = run(env
        .caio()
        .args(["route", "--batch"])
        .arg(batch_file(&env, &lines)));
    assert_eq!(code, 5, "{stderr}");
    assert!(stderr.contains("the disk is full"), "{stderr}");
    // Chunks of 64 lines: the first is answered, the second (seqs 65..128)
    // is refused at seq 101 and rolled back whole.
    let out = json_lines(&stdout);
    assert_eq!(out.len(), 64, "{stdout}");
    for (i, d) in out.iter().enumerate() {
        assert_eq!(d["line"], i as i64 + 1);
        assert_eq!(d["trace"]["seq"], i as i64 + 1, "{d:#}");
    }
    assert_eq!(seqs(&env), (1..=64).collect::<Vec<i64>>());
    db(&env).execute_batch("DROP TRIGGER refuse").unwrap();
    assert_valid(&env, &[], 64);
}

/// A batch line shown without its candidates is decided without their
/// rejection messages, yet records what the request routed alone records;
/// `trace show --explain` recomputes every candidate's explanation from the
/// record's inputs, worded as `route --explain` words it (JSON and text),
/// and refuses when the inputs are gone.
#[test]
fn trace_show_explain_words_what_a_batch_line_left_unworded() {
    let env = TestEnv::new();
    let token = registry_home(&env);
    let request = with_token(fixture("no-route-restricted-us"), &token);
    let (code, alone) = route(&env, &request, &["--explain"]);
    assert_eq!(code, 3, "no route: {alone:#}");
    let (code, stdout, stderr) = run(env
        .caio()
        .args(["route", "--batch"])
        .arg(batch_file(&env, &[request])));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        json_lines(&stdout)[0].get("candidates").is_none(),
        "{stdout}"
    );
    let first = ok_json(&env, &["trace", "show", "1"]);
    let second = ok_json(&env, &["trace", "show", "2"]);
    assert_eq!(first["record"]["decision"], second["record"]["decision"]);
    assert!(
        ok_json(&env, &["trace", "show", "2"])
            .get("explanation")
            .is_none()
    );

    let shown = ok_json(&env, &["trace", "show", "2", "--explain"]);
    let candidates = shown["explanation"]["candidates"]
        .as_array()
        .expect("candidates");
    assert_eq!(candidates.len(), 8, "{shown:#}");
    assert_eq!(shown["explanation"]["candidates"], alone["candidates"]);
    for c in candidates {
        for r in c["rejections"].as_array().unwrap() {
            assert!(!r["message"].as_str().unwrap().is_empty(), "{c:#}");
        }
    }
    assert_eq!(shown["explanation"]["trace"]["seq"], 2);
    assert_eq!(shown["record"], second["record"], "the record as stored");

    let (code, text, stderr) = run(env.caio().args(["trace", "show", "2", "--explain"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        text.contains("the rows after it: later stages that would reject it too"),
        "{text}"
    );
    assert!(
        text.contains("hint: vllm-mixtral-internal needs a principal with the tenant initech"),
        "{text}"
    );
    let (_, plain, _) = run(env.caio().args(["trace", "show", "2"]));
    assert!(!plain.contains("hint:"), "{plain}");
    assert!(plain.contains("max_data_class"), "{plain}");

    let hash = second["record"]["objects"]["candidates"]
        .as_str()
        .unwrap()
        .to_string();
    db(&env)
        .execute("DELETE FROM trace_objects WHERE hash = ?1", [&hash])
        .unwrap();
    let refused = env.run(["--format", "json", "trace", "show", "2", "--explain"]);
    assert_eq!(refused.code(1).stdout, "", "{refused}");
    let error = refused.json_err();
    assert_eq!(error["code"], "caio::trace_unexplained", "{error:#}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("missing candidate set"),
        "{error:#}"
    );
}

// ---------------------------------------------------------------------------
// Tamper matrix
// ---------------------------------------------------------------------------

/// One byte of one stored record changed: content_changed at that seq, and
/// the records before it still verify from the start.
#[test]
fn tamper_one_byte_of_a_record_is_content_changed() {
    let env = TestEnv::new();
    chain_of(&env, 6);
    assert_valid(&env, &[], 6);
    {
        let conn = db(&env);
        let mut bytes = record_text(&conn, 4).into_bytes();
        let at = bytes.len() / 2;
        let i = (at..bytes.len())
            .find(|&i| bytes[i].is_ascii_lowercase())
            .expect("a letter");
        bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
        let changed = String::from_utf8(bytes).expect("UTF-8");
        conn.execute(
            "UPDATE traces SET record = ?1 WHERE seq = 4",
            params![changed],
        )
        .expect("update");
    }
    assert_broken(
        &env,
        &[],
        json!({"kind": "content_changed", "seq": 4}),
        "seq 4: content changed (its hash does not match)",
    );
    // A record that is no longer JSON at all: still just content_changed.
    db(&env)
        .execute("UPDATE traces SET record = 'not json' WHERE seq = 2", [])
        .expect("update");
    assert_broken(
        &env,
        &[],
        json!({"kind": "content_changed", "seq": 2}),
        "seq 2: content changed (its hash does not match)",
    );
}

/// The stored hash of a record rewritten: content_changed at that seq.
#[test]
fn tamper_a_stored_hash_is_content_changed() {
    let env = TestEnv::new();
    chain_of(&env, 4);
    let conn = db(&env);
    let mut hash = stored_hash(&conn, 3);
    let last = hash.pop().unwrap();
    hash.push(if last == '0' { '1' } else { '0' });
    conn.execute("UPDATE traces SET hash = ?1 WHERE seq = 3", params![hash])
        .expect("update");
    drop(conn);
    assert_broken(
        &env,
        &[],
        json!({"kind": "content_changed", "seq": 3}),
        "seq 3: content changed (its hash does not match)",
    );
}

/// The lookup columns `list` and `show` search by are derived from the
/// record: editing one (here the outcome, then the decision id) is caught.
#[test]
fn tamper_a_lookup_column_is_index_changed() {
    for (column, value) in [("outcome", "refused"), ("decision_id", "0000ffff")] {
        let env = TestEnv::new();
        chain_of(&env, 4);
        db(&env)
            .execute(
                &format!("UPDATE traces SET {column} = ?1 WHERE seq = 2"),
                params![value],
            )
            .expect("update");
        assert_broken(
            &env,
            &[],
            json!({"kind": "index_changed", "seq": 2}),
            "seq 2: the listing columns disagree with the record (list and show would mislead)",
        );
    }
}

/// The audit term rows `trace list` filters and `trace stats` count are
/// derived from the records: a row removed, added, or pointed at another
/// value is caught at its record.
#[test]
fn tamper_an_audit_term_row_is_index_changed() {
    for (tamper, seq) in [
        (
            "DELETE FROM trace_terms WHERE seq = 2
             AND term = (SELECT min(term) FROM trace_terms WHERE seq = 2)",
            2,
        ),
        (
            "INSERT INTO trace_term_values (kind, value) VALUES ('principal', 'mallory');
             INSERT INTO trace_terms (term, seq)
             SELECT id, 3 FROM trace_term_values WHERE value = 'mallory'",
            3,
        ),
        (
            "INSERT INTO trace_term_values (kind, value) VALUES ('outcome', 'forged');
             UPDATE trace_terms SET term = (SELECT id FROM trace_term_values WHERE value = 'forged')
             WHERE seq = 4 AND term = (SELECT id FROM trace_term_values
                                       WHERE kind = 'outcome' AND value = 'routed')",
            4,
        ),
    ] {
        let env = TestEnv::new();
        chain_of(&env, 5);
        db(&env).execute_batch(tamper).expect("tamper");
        assert_broken(
            &env,
            &[],
            json!({"kind": "index_changed", "seq": seq}),
            &format!(
                "seq {seq}: the listing columns disagree with the record (list and show would mislead)"
            ),
        );
    }
}

/// A record deleted in the middle: record_missing names the first missing
/// seq and the next one present (it once said "the chain skips to 3", the
/// missing seq itself).
#[test]
fn tamper_delete_a_record_is_record_missing() {
    let env = TestEnv::new();
    chain_of(&env, 6);
    db(&env)
        .execute("DELETE FROM traces WHERE seq = 3", [])
        .expect("delete");
    assert_broken(
        &env,
        &[],
        json!({"kind": "record_missing", "seq": 3, "next": 4}),
        "seq 3: record missing (the next record present is seq 4)",
    );
}

/// The first record deleted (or the first few): the chain starts at
/// genesis, so verifying from seq 1 must notice that seq 1 is missing.
#[test]
fn tamper_delete_the_first_records_is_record_missing() {
    let env = TestEnv::new();
    chain_of(&env, 5);
    db(&env)
        .execute("DELETE FROM traces WHERE seq = 1", [])
        .expect("delete");
    assert_broken(
        &env,
        &[],
        json!({"kind": "record_missing", "seq": 1, "next": 2}),
        "seq 1: record missing (the next record present is seq 2)",
    );
    db(&env)
        .execute("DELETE FROM traces WHERE seq <= 3", [])
        .expect("delete");
    assert_broken(
        &env,
        &[],
        json!({"kind": "record_missing", "seq": 1, "next": 4}),
        "seqs 1..3: records missing (the next record present is seq 4)",
    );
}

/// Two records swapped (their seqs exchanged): order_changed at the first.
#[test]
fn tamper_swap_two_records_is_order_changed() {
    let env = TestEnv::new();
    chain_of(&env, 5);
    {
        let conn = db(&env);
        conn.execute_batch(
            "UPDATE traces SET seq = -1 WHERE seq = 2;
             UPDATE traces SET seq = 2 WHERE seq = 3;
             UPDATE traces SET seq = 3 WHERE seq = -1;",
        )
        .expect("swap");
    }
    assert_broken(
        &env,
        &[],
        json!({"kind": "order_changed", "seq": 2}),
        "seq 2: order changed (it does not continue the previous record)",
    );

    // Swapping only the record texts instead: content_changed at the first.
    let env = TestEnv::new();
    chain_of(&env, 5);
    {
        let conn = db(&env);
        let (two, three) = (record_text(&conn, 2), record_text(&conn, 3));
        conn.execute("UPDATE traces SET record = ?1 WHERE seq = 2", [&three])
            .expect("update");
        conn.execute("UPDATE traces SET record = ?1 WHERE seq = 3", [&two])
            .expect("update");
    }
    assert_broken(
        &env,
        &[],
        json!({"kind": "content_changed", "seq": 2}),
        "seq 2: content changed (its hash does not match)",
    );
}

/// The tail deleted below a checkpoint: the stored checkpoint catches it;
/// an attacker who also deletes the stored checkpoints passes plain
/// `verify`, but not `verify --checkpoint FILE` with the note kept outside.
#[test]
fn tamper_truncate_below_a_checkpoint_is_truncated() {
    let env = TestEnv::new();
    chain_of(&env, 5);
    let note = env.scratch().join("at-5.note");
    checkpoint(&env, &note);
    chain_of_more(&env, 2);
    assert_valid(&env, &["--checkpoint", note.to_str().unwrap()], 7);

    db(&env)
        .execute("DELETE FROM traces WHERE seq >= 4", [])
        .expect("delete the tail");
    let expected = json!({"kind": "truncated", "checkpoint": 5, "records": 3});
    assert_broken(
        &env,
        &[],
        expected.clone(),
        "chain truncated below a checkpoint: the checkpoint covers 5 records, the chain holds 3",
    );
    db(&env)
        .execute("DELETE FROM trace_checkpoints", [])
        .expect("delete checkpoints");
    assert_valid(&env, &[], 3);
    assert_broken(
        &env,
        &["--checkpoint", note.to_str().unwrap()],
        expected,
        "chain truncated below a checkpoint: the checkpoint covers 5 records, the chain holds 3",
    );
}

/// Appends `n` more records to an existing chain.
fn chain_of_more(env: &TestEnv, n: usize) {
    let before = seqs(env).len();
    let lines: Vec<Value> = (0..n).map(|_| fixture("chat-balanced")).collect();
    let (code, _, stderr) = run(env.caio().arg("route").arg(batch_file(env, &lines)).args([
        "--batch",
        "--contracts",
        "contracts",
        "--principal",
        ANALYST,
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(seqs(env).len(), before + n);
}

/// A forged checkpoint — its signature edited, its record count edited, its
/// signature removed, or a stored one edited in the database — is
/// bad_checkpoint, never skipped.
#[test]
fn tamper_forged_checkpoints_are_bad_checkpoint() {
    let env = TestEnv::new();
    chain_of(&env, 4);
    let file = env.scratch().join("cp.note");
    let (note, _) = checkpoint(&env, &file);
    let path = file.to_str().unwrap();
    assert_valid(&env, &["--checkpoint", path], 4);
    let (text, signature) = note.split_once("\n\n").expect("a signed note");

    // One base64 character of the signature changed.
    let (prefix, blob) = signature.trim_end().rsplit_once(' ').expect("signature");
    let mut blob: Vec<char> = blob.chars().collect();
    let i = blob.len() / 2;
    blob[i] = if blob[i] == 'A' { 'B' } else { 'A' };
    let forged_signature = format!(
        "{text}\n\n{prefix} {}\n",
        blob.into_iter().collect::<String>()
    );
    // The record count changed.
    let mut lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1], "4", "{note}");
    lines[1] = "3";
    let forged_count = format!("{}\n\n{signature}", lines.join("\n"));
    // No signature at all.
    let unsigned = format!("{text}\n\n");

    let mut human = Vec::new();
    for (name, forged) in [
        ("signature", &forged_signature),
        ("count", &forged_count),
        ("unsigned", &unsigned),
    ] {
        let forged_path = write(&env.scratch().join(format!("{name}.note")), forged);
        let (code, report) = verify(&env, &["--checkpoint", forged_path.to_str().unwrap()]);
        assert_eq!(code, 1, "{name}: {report:#}");
        assert_eq!(
            report["break"]["kind"], "bad_checkpoint",
            "{name}: {report:#}"
        );
        assert_eq!(
            report["break"]["checkpoint"],
            forged_path.display().to_string(),
            "{name}: names the file: {report:#}"
        );
        let run = env
            .cmd()
            .args(["trace", "verify", "--checkpoint"])
            .arg(&forged_path)
            .run();
        run.code(1);
        assert!(
            run.stdout.starts_with("chain broken: bad checkpoint"),
            "{run}"
        );
        human.push(run);
    }
    without_instance_keys(&env);
    insta::assert_snapshot!("forged_checkpoints", transcript(&human));

    // The stored checkpoint edited in the database.
    db(&env)
        .execute("UPDATE trace_checkpoints SET note = ?1", [&forged_count])
        .expect("update");
    let (code, report) = verify(&env, &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["break"]["kind"], "bad_checkpoint", "{report:#}");
    assert_eq!(
        report["break"]["checkpoint"], "stored at seq 4",
        "{report:#}"
    );
}

/// An attacker with write access rewrites a decision (another chosen
/// service) and recomputes every hash after it with caio's own rule: plain
/// `verify` passes once the stored checkpoints are gone too, but a
/// checkpoint kept outside catches it (checkpoint_mismatch), and so does
/// `trace replay` of the altered decision.
#[test]
fn tamper_rewrite_and_rehash_is_caught_by_an_outside_checkpoint_and_by_replay() {
    let env = TestEnv::new();
    let token = registry_home(&env);
    for name in ["chat-balanced", "chain-rag-latency-bound", "chat-balanced"] {
        route_ok(&env, name, &token);
    }
    let file = env.scratch().join("cp.note");
    checkpoint(&env, &file);
    let path = file.to_str().unwrap();
    for seq in ["1", "2", "3"] {
        assert_eq!(run(env.caio().args(["trace", "replay", seq])).0, 0);
    }

    let original_chosen;
    {
        let conn = db(&env);
        let mut record: Value = serde_json::from_str(&record_text(&conn, 1)).expect("record JSON");
        original_chosen = record["decision"]["chosen"][0]["service_id"]
            .as_str()
            .expect("chosen")
            .to_string();
        let other = if original_chosen == "mistral-large-eu" {
            ("openai-gpt-4o", "1.3.0")
        } else {
            ("mistral-large-eu", "2.1.0")
        };
        record["decision"]["chosen"][0]["service_id"] = json!(other.0);
        record["decision"]["chosen"][0]["service_version"] = json!(other.1);
        let text = caio_core::canonical::to_jcs(&record).expect("JCS");
        conn.execute(
            "UPDATE traces SET record = ?1, services = ?2 WHERE seq = 1",
            params![text, other.0],
        )
        .expect("update");
        rehash_from(&conn, 1);
    }
    // The stored checkpoint is signed: the attacker cannot re-sign it.
    assert_broken(
        &env,
        &[],
        json!({"kind": "checkpoint_mismatch", "seq": 3}),
        "seq 3: the chain differs from a signed checkpoint at this size (history rewritten)",
    );
    db(&env)
        .execute("DELETE FROM trace_checkpoints", [])
        .expect("delete checkpoints");
    assert_valid(&env, &[], 3);
    assert_broken(
        &env,
        &["--checkpoint", path],
        json!({"kind": "checkpoint_mismatch", "seq": 3}),
        "seq 3: the chain differs from a signed checkpoint at this size (history rewritten)",
    );

    let replay = env.run(["trace", "replay", "1"]);
    replay.code(1);
    assert!(replay.stdout.starts_with("seq 1: different"), "{replay}");
    assert!(
        replay
            .stdout
            .contains(&format!("replayed [{original_chosen}]")),
        "{replay}"
    );
    env.redact_trace();
    insta::assert_snapshot!("replay_rewritten_decision", replay);
    let report = ok_json_code(&env, &["trace", "replay", "1"], 1);
    assert_eq!(report["identical"], false, "{report:#}");
    assert!(report["missing"].as_array().unwrap().is_empty());
    // The other decisions, merely re-hashed, still replay identically.
    for seq in ["2", "3"] {
        let (code, stdout, _) = run(env.caio().args(["trace", "replay", seq]));
        assert_eq!(code, 0, "{stdout}");
    }
}

/// A contract version whose stored body was changed behind caio's back
/// (its hash left as it was) is not an input any more: replay names it,
/// `verify --replay` fails, and `trace show` shows the decision as
/// recorded — never one recomputed from the altered body.
#[test]
fn an_altered_contract_body_is_not_replayed_or_shown_as_the_decision() {
    let env = TestEnv::new();
    let token = registry_home(&env);
    let d = route_ok(&env, "chat-balanced", &token);
    let chosen = d["service_id"].as_str().unwrap().to_string();
    let recorded = d["score"].as_f64().unwrap();
    let report = ok_json_code(&env, &["trace", "verify", "--replay"], 0);
    assert_eq!(report["replayed"], 1, "{report:#}");
    assert!(
        ok_json_code(&env, &["trace", "verify"], 0)
            .get("replayed")
            .is_none()
    );
    {
        let conn = db(&env);
        let body: String = conn
            .query_row(
                "SELECT cv.body FROM contract_versions cv JOIN services s ON s.active_hash = cv.hash
                 WHERE s.service_id = ?1",
                [&chosen],
                |r| r.get(0),
            )
            .unwrap();
        let mut contract: Value = serde_json::from_str(&body).unwrap();
        contract["guarantees"]["accuracy"] = json!(0.5);
        conn.execute(
            "UPDATE contract_versions SET body = ?1 WHERE body = ?2",
            params![contract.to_string(), body],
        )
        .unwrap();
    }
    let replay = ok_json_code(&env, &["trace", "replay", "1"], 1);
    let missing = replay["missing"].to_string();
    assert!(
        missing.contains(&chosen) && missing.contains("no longer matches its hash"),
        "{replay:#}"
    );
    // Verification checks every version a candidate set names, once.
    for replay in [&[][..], &["--replay"][..]] {
        let args = [&["trace", "verify"][..], replay].concat();
        let report = ok_json_code(&env, &args, 1);
        assert_eq!(report["break"]["kind"], "object_broken", "{report:#}");
        let problem = report["break"]["problem"].as_str().unwrap();
        assert!(
            problem.contains(&chosen) && problem.contains("held altered"),
            "{report:#}"
        );
    }
    let show = env.run(["trace", "show", "1"]);
    show.code(0);
    assert!(
        show.stdout.contains(&format!("chosen      {chosen}"))
            && show.stdout.contains(&format!("(score {recorded:.4})")),
        "{show}"
    );
    assert!(
        show.stderr.contains("no longer matches its hash") && show.stderr.contains("as recorded"),
        "{show}"
    );
    let (code, _, stderr) =
        run(env
            .caio()
            .args(["--format", "json", "trace", "show", "--explain", "1"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("caio::trace_unexplained"), "{stderr}");
    // A version gone from the registry is named too.
    let conn = db(&env);
    conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    let gone = conn
        .execute(
            "DELETE FROM contract_versions WHERE hash IN
             (SELECT active_hash FROM services WHERE service_id = ?1)",
            [&chosen],
        )
        .unwrap();
    assert_eq!(gone, 1);
    let report = ok_json_code(&env, &["trace", "verify"], 1);
    let problem = report["break"]["problem"].as_str().unwrap();
    assert!(
        problem.contains(&chosen) && problem.contains("no longer held"),
        "{report:#}"
    );
}

/// A replay that chooses the same service names the score that differs.
#[test]
fn a_replay_names_the_score_that_differs() {
    let env = TestEnv::new();
    let token = registry_home(&env);
    let d = route_ok(&env, "chat-balanced", &token);
    let chosen = d["service_id"].as_str().unwrap().to_string();
    {
        let conn = db(&env);
        let mut record: Value = serde_json::from_str(&record_text(&conn, 1)).unwrap();
        record["decision"]["chosen"][0]["score"] = json!(0.125);
        let text = caio_core::canonical::to_jcs(&record).unwrap();
        conn.execute("UPDATE traces SET record = ?1 WHERE seq = 1", [text])
            .unwrap();
        rehash_from(&conn, 1);
    }
    let replay = env.run(["trace", "replay", "1"]);
    replay.code(1);
    assert!(
        replay
            .stdout
            .contains(&format!("score of {chosen}: recorded 0.125, replayed ")),
        "{replay}"
    );
    assert!(!replay.stdout.contains("auth.token"), "{replay}");
}

/// `caio --format json ARGS…` with this exit code.
pub(crate) fn ok_json_code(env: &TestEnv, args: &[&str], exit: i32) -> Value {
    let (code, value) = run_json(env.caio().args(["--format", "json"]).args(args));
    assert_eq!(code, exit, "caio {args:?}: {value:#}");
    value
}

// ---------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------

/// 8 processes × 100 routes at once (a batch each; registry and stateless
/// mode alternating) → exactly 800 records, seq 1..800, each printed seq
/// once, and the chain verifies.
#[test]
fn concurrent_processes_lose_no_record_and_leave_no_gap() {
    let env = TestEnv::new();
    let token = registry_home(&env);
    let registry_lines: Vec<Value> = (0..100)
        .map(|i| match i % 4 {
            0 => with_token(fixture("no-route-restricted-us"), &token),
            1 => with_token(fixture("chain-rag-latency-bound"), &token),
            _ => with_token(fixture("chat-balanced"), &token),
        })
        .collect();
    let stateless_lines: Vec<Value> = (0..100)
        .map(|i| {
            if i % 2 == 0 {
                fixture("chat-cost-priority")
            } else {
                fixture("no-route-restricted-us")
            }
        })
        .collect();
    let registry_file = batch_file(&env, &registry_lines);
    let stateless_file = batch_file(&env, &stateless_lines);

    let outputs: Vec<(i32, String, String)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..8)
            .map(|w| {
                let (env, registry_file, stateless_file) = (&env, &registry_file, &stateless_file);
                s.spawn(move || {
                    let mut cmd = env.caio();
                    cmd.args(["route", "--batch"]);
                    if w % 2 == 0 {
                        cmd.arg(registry_file);
                    } else {
                        cmd.arg(stateless_file).args([
                            "--contracts",
                            "contracts",
                            "--principal",
                            ANALYST,
                        ]);
                    }
                    run(&mut cmd)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("worker"))
            .collect()
    });
    let mut printed = Vec::new();
    for (code, stdout, stderr) in &outputs {
        assert_eq!(*code, 0, "{stderr}");
        let lines = json_lines(stdout);
        assert_eq!(lines.len(), 100);
        printed.extend(
            lines
                .iter()
                .map(|d| d["trace"]["seq"].as_i64().expect("seq")),
        );
    }
    printed.sort_unstable();
    assert_eq!(printed, (1..=800).collect::<Vec<_>>(), "each seq once");
    assert_eq!(seqs(&env), (1..=800).collect::<Vec<_>>());
    let count: i64 = db(&env)
        .query_row("SELECT COUNT(*) FROM traces", [], |r| r.get(0))
        .expect("count");
    assert_eq!(count, 800);
    assert_valid(&env, &[], 800);
}

// ---------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------

/// Tokens (registry mode, stateless mode with a home, a simulated principal,
/// an unknown token) and a value listed under `redact` reach neither the
/// database files nor the export; the records list what was redacted.
#[test]
fn tokens_and_redacted_values_never_reach_the_database_or_the_export() {
    let env = TestEnv::new();
    let token = registry_home(&env);
    let secret_id = "REDACT-ME-7f3a9c-request-id";

    let mut redacting = with_token(fixture("chat-balanced"), &token);
    redacting["request_id"] = json!(secret_id);
    redacting["redact"] = json!(["request_id"]);
    let (code, d) = route(&env, &redacting, &[]);
    assert_eq!(code, 0, "{d:#}");
    route_ok(&env, "chat-balanced", &token);
    let (code, d) = route(
        &env,
        &with_token(fixture("chat-balanced"), UNKNOWN_TOKEN),
        &[],
    );
    assert_eq!(code, 1, "{d:#}");
    // Stateless mode, the home checking the token.
    let (code, d) = stateless(&env, &with_token(fixture("chat-balanced"), &token), &[]);
    assert_eq!(code, 0, "{d:#}");
    assert_eq!(d["principal"], "ana", "{d:#}");
    // Stateless mode, simulated principal: the token is not checked, nor kept.
    let (code, d) = stateless(
        &env,
        &with_token(fixture("chat-balanced"), &token),
        &["--principal", ANALYST],
    );
    assert_eq!(code, 0, "{d:#}");
    // A batch with tokens.
    let (code, _, stderr) = run(env.caio().args(["route", "--batch"]).arg(batch_file(
        &env,
        &[
            with_token(fixture("chat-balanced"), &token),
            redacting.clone(),
        ],
    )));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(seqs(&env), (1..=7).collect::<Vec<_>>());

    let redacted = |seq: &str| -> Value {
        ok_json(&env, &["trace", "show", seq])["record"]["redacted"].clone()
    };
    assert_eq!(redacted("1"), json!(["auth.token", "request_id"]));
    assert_eq!(redacted("7"), json!(["auth.token", "request_id"]));
    for seq in ["2", "3", "4", "5", "6"] {
        assert_eq!(redacted(seq), json!(["auth.token"]), "seq {seq}");
    }
    let record = &ok_json(&env, &["trace", "show", "1"])["record"];
    assert!(record["request"].get("auth").is_none(), "{record:#}");
    assert!(record["request"].get("request_id").is_none(), "{record:#}");
    assert_eq!(record["request"]["capability"], "chat", "the rest is kept");
    assert_eq!(
        ok_json(&env, &["trace", "show", "2"])["record"]["request"]["request_id"],
        "globex-design-doc-summary",
        "request_id is kept when not listed under redact"
    );

    let (exported, lines) = export(&env, &[]);
    assert_eq!(lines.iter().filter(|l| l["type"] == "record").count(), 7);
    let secret_part = token.strip_prefix("caio_").unwrap();
    let needles: [&str; 4] = [&token, secret_part, UNKNOWN_TOKEN, secret_id];
    let mut files = vec![exported.into_bytes()];
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let path = env.home().join(format!("caio.db{suffix}"));
        if let Ok(bytes) = std::fs::read(&path) {
            files.push(bytes);
        }
    }
    assert!(files.len() >= 2, "the database file was read");
    for (i, bytes) in files.iter().enumerate() {
        for needle in needles {
            assert!(
                !contains(bytes, needle.as_bytes()),
                "`{needle}` found in file #{i} (0 = export)"
            );
        }
    }
}

/// Explanations quote request values ("does not support language `zu`",
/// "exceeds 0.00000000424242", a policy's "(is 0.987654)"); for a redacted
/// path they say `[redacted]` instead, so the value reaches neither the
/// database, the export nor the decision printed.
#[test]
fn explanations_never_quote_a_redacted_value() {
    let env = TestEnv::new();
    let policy = write(
        &env.scratch().join("policies/availability.yaml"),
        "apiVersion: caio/v1\nkind: PolicySet\npolicies:\n  - id: no-strict-availability\n    \
         effect: deny\n    match: { request.requirements.min_availability: { gte: 0.9 } }\n",
    );
    let base = fixture("chat-balanced");
    let variant = |edit: &dyn Fn(&mut Value), redact: &[&str]| {
        let mut r = base.clone();
        edit(&mut r);
        r["redact"] = json!(redact);
        r
    };
    // (request, extra flags, the value its rejections must not quote)
    let cases: Vec<(Value, &[&str], &str)> = vec![
        (
            variant(
                &|r| r["input"]["language"] = json!("zu"),
                &["input.language"],
            ),
            &[],
            "language `zu`",
        ),
        (
            variant(
                &|r| r["requirements"] = json!({ "max_cost": 0.00000000424242 }),
                &["requirements.max_cost"],
            ),
            &[],
            "0.00000000424242",
        ),
        (
            variant(
                &|r| r["requirements"] = json!({ "regions": ["apac-secret-9"] }),
                &["requirements"],
            ),
            &[],
            "apac-secret-9",
        ),
        (
            variant(
                &|r| r["requirements"] = json!({ "tags": ["tag-secret-42"] }),
                &["requirements.tags"],
            ),
            &[],
            "tag-secret-42",
        ),
        (
            variant(
                &|r| r["requirements"] = json!({ "min_availability": 0.987654 }),
                &["requirements.min_availability"],
            ),
            &["--policies"],
            "0.987654",
        ),
        (
            json!({
                "capability": null,
                "chain": [
                    { "capability": "chat", "input": { "language": "en" } },
                    { "capability": "chat", "input": { "language": "zu" } }
                ],
                "redact": ["chain.1.input.language"]
            }),
            &[],
            "language `zu`",
        ),
    ];
    let mut needles = Vec::new();
    let mut explained = String::new();
    for (i, (request, flags, needle)) in cases.iter().enumerate() {
        let mut extra = vec!["--principal", ANALYST];
        let policies = policy.parent().unwrap().to_str().unwrap();
        if flags.contains(&"--policies") {
            extra.extend(["--policies", policies]);
        }
        let (code, d) = stateless(&env, request, &extra);
        assert!(code == 0 || code == 3, "case {i}: {d:#}");
        let printed = d.to_string();
        assert!(
            !printed.contains(needle),
            "case {i} prints `{needle}`: {d:#}"
        );
        explained.push_str(&format!("case {i}:\n{}\n", rejection_lines(&d)));
        let record = ok_json(&env, &["trace", "show", &(i + 1).to_string()]);
        let text = record.to_string();
        assert!(!text.contains(needle), "record {} holds `{needle}`", i + 1);
        // The recomputed explanation (trace show) redacts it too.
        let (code, shown, _) = run(env.caio().args(["trace", "show", &(i + 1).to_string()]));
        assert_eq!(code, 0);
        assert!(
            !shown.contains(needle),
            "trace show {} prints `{needle}`",
            i + 1
        );
        needles.push(*needle);
    }
    // Each explanation says [redacted] where it would quote the value.
    insta::assert_snapshot!("redacted_explanations", explained);
    let (exported, _) = export(&env, &[]);
    let mut files = vec![exported.into_bytes()];
    for suffix in ["", "-wal"] {
        if let Ok(bytes) = std::fs::read(env.home().join(format!("caio.db{suffix}"))) {
            files.push(bytes);
        }
    }
    for (i, bytes) in files.iter().enumerate() {
        for needle in &needles {
            assert!(
                !contains(bytes, needle.as_bytes()),
                "`{needle}` found in file #{i} (0 = export)"
            );
        }
    }
    // Without `redact`, the same explanation quotes the value.
    let (code, d) = stateless(
        &env,
        &variant(&|r| r["input"]["language"] = json!("zu"), &[]),
        &["--principal", ANALYST],
    );
    assert_eq!(code, 0, "{d:#}");
    assert_eq!(
        message_of(&d, "mistral-large-eu", "language"),
        "does not support language `zu` (supports en, fr, de, es, it, nl, pt)"
    );
}

/// The message of the rejection of `id` by `rule`.
fn message_of<'a>(d: &'a Value, id: &str, rule: &str) -> &'a str {
    d["candidates"]
        .as_array()
        .expect("candidates[]")
        .iter()
        .filter(|c| c["service_id"] == id)
        .flat_map(|c| c["rejections"].as_array().expect("rejections[]"))
        .find(|r| r["rule"] == rule)
        .unwrap_or_else(|| panic!("{id} not rejected by {rule}: {d:#}"))["message"]
        .as_str()
        .expect("message")
}

// ---------------------------------------------------------------------------
// Replay
// ---------------------------------------------------------------------------

/// Registry mode: routed, no_route, chain and refused decisions replay
/// identically — also after the policy set and a service's status changed,
/// since replay uses the stored inputs, not the current registry.
#[test]
fn replay_is_identical_in_registry_mode() {
    let env = TestEnv::new();
    let token = registry_home(&env);
    ok(&env, ["policy", "apply", "policies/prefer-internal.yaml"]);
    let requests = [
        ("chat-balanced", 0),
        ("no-route-restricted-us", 3),
        ("chain-rag-latency-bound", 0),
        ("chat-cost-priority", 0),
    ];
    for (name, exit) in requests {
        let (code, d) = route(&env, &with_token(fixture(name), &token), &[]);
        assert_eq!(code, exit, "{name}: {d:#}");
    }
    let (code, _) = route(
        &env,
        &with_token(fixture("chat-balanced"), UNKNOWN_TOKEN),
        &[],
    );
    assert_eq!(code, 1);
    let chosen = list(&env, &["--limit", "1", "--outcome", "routed"])[0]["services"]
        .as_str()
        .unwrap()
        .to_string();

    // The world changes; replay uses what was recorded.
    ok(&env, ["policy", "apply", "policies"]);
    ok(
        &env,
        [
            "registry",
            "set-status",
            chosen.as_str(),
            "drained",
            "--reason",
            "maintenance",
        ],
    );
    let (_, now) = route(
        &env,
        &with_token(fixture("chat-cost-priority"), &token),
        &[],
    );
    assert_ne!(now["service_id"], chosen, "the live decision changed");

    let mut human = Vec::new();
    for seq in 1..=6 {
        let seq = seq.to_string();
        let report = ok_json(&env, &["trace", "replay", &seq]);
        assert_eq!(report["identical"], true, "seq {seq}: {report:#}");
        assert_eq!(report["differences"], json!([]));
        assert_eq!(report["missing"], json!([]));
        let run = env.run(["trace", "replay", seq.as_str()]);
        run.code(0);
        human.push(run);
    }
    // By decision id too.
    let id = list(&env, &["--limit", "1"])[0]["decision_id"]
        .as_str()
        .unwrap()
        .to_string();
    let by_id = env.run(["trace", "replay", id.as_str()]);
    assert_eq!(by_id.stdout, human[5].stdout);
    human.push(by_id);
    human.push(env.run(["--format", "json", "trace", "replay", "6"]));
    env.redact_trace();
    insta::assert_snapshot!("replay_identical", transcript(&human));
}

/// Stateless mode with a home: the contracts and policy set read from files
/// are kept by hash, so routed, no_route and chain decisions replay
/// identically; an input deleted from the home makes replay exit 1 and name
/// it.
#[test]
fn replay_is_identical_in_stateless_mode_and_names_missing_inputs() {
    let env = TestEnv::new();
    for (name, principal, exit) in [
        ("chat-balanced", ANALYST, 0),
        ("no-route-restricted-us", ANALYST, 3),
        (
            "chain-rag-latency-bound",
            "fixtures/principals/initech-engineer.yaml",
            0,
        ),
    ] {
        let (code, d) = stateless(
            &env,
            &fixture(name),
            &["--principal", principal, "--policies", "policies"],
        );
        assert_eq!(code, exit, "{name}: {d:#}");
    }
    assert_eq!(
        ok_json(&env, &["trace", "show", "3"])["record"]["decision"]["chosen"]
            .as_array()
            .map(Vec::len),
        Some(3),
        "a chain"
    );
    let (code, d) = stateless(&env, &fixture("chat-balanced"), &[]);
    assert_eq!(code, 0, "anonymous: {d:#}");
    for seq in ["1", "2", "3", "4"] {
        let report = ok_json(&env, &["trace", "replay", seq]);
        assert_eq!(report["identical"], true, "seq {seq}: {report:#}");
    }

    let record = ok_json(&env, &["trace", "show", "1"])["record"].clone();

    // The policy set the first three used, gone from the home.
    let policy_set = record["objects"]["policies"].as_str().unwrap().to_string();
    let deleted = db(&env)
        .execute("DELETE FROM trace_objects WHERE hash = ?1", [&policy_set])
        .expect("delete");
    assert_eq!(deleted, 1, "the policy set was stored as an object");
    let missing_policy = format!("policy set {policy_set}");
    let report = ok_json_code(&env, &["trace", "replay", "2"], 1);
    assert_eq!(report["identical"], false, "{report:#}");
    assert_eq!(report["missing"], json!([missing_policy]), "{report:#}");
    let policy_gone = env.run(["trace", "replay", "2"]);
    policy_gone.code(1);
    assert!(
        policy_gone
            .stdout
            .starts_with(&format!("cannot replay seq 2: missing {missing_policy}")),
        "{policy_gone}"
    );
    // The anonymous decision used the empty policy set: unaffected.
    assert_eq!(ok_json(&env, &["trace", "replay", "4"])["identical"], true);

    // A contract version they all considered (the one chosen first), gone.
    let chosen = record["decision"]["chosen"][0]["service_id"]
        .as_str()
        .unwrap()
        .to_string();
    let candidates = object(&env, record["objects"]["candidates"].as_str().unwrap());
    let contract = candidates
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["service_id"] == chosen.as_str())
        .expect("the chosen contract is listed")
        .clone();
    let hash = contract["hash"].as_str().unwrap();
    let deleted = db(&env)
        .execute("DELETE FROM trace_inputs WHERE hash = ?1", [hash])
        .expect("delete");
    assert_eq!(deleted, 1, "the contract was stored by hash");
    let version = contract["version"].as_str().unwrap();
    let missing_contract = format!("contract {chosen} {version} ({hash})");
    let report = ok_json_code(&env, &["trace", "replay", "4"], 1);
    assert_eq!(report["missing"], json!([missing_contract]), "{report:#}");
    let contract_gone = env.run(["trace", "replay", "4"]);
    contract_gone.code(1);
    assert!(
        contract_gone
            .stdout
            .starts_with(&format!("cannot replay seq 4: missing {missing_contract}")),
        "{contract_gone}"
    );
    let report = ok_json_code(&env, &["trace", "replay", "1"], 1);
    assert_eq!(
        report["missing"],
        json!([missing_contract, missing_policy]),
        "{report:#}"
    );
    let both_gone = env.run(["trace", "replay", "1"]);
    let both_gone_json = env.run(["--format", "json", "trace", "replay", "1"]);
    env.redact_trace();
    insta::assert_snapshot!(
        "replay_missing_inputs",
        transcript([&policy_gone, &contract_gone, &both_gone, &both_gone_json])
    );
}

/// Registry mode: a contract version deleted from `contract_versions`
/// makes replay exit 1 naming it.
#[test]
fn replay_names_a_missing_contract_version_in_registry_mode() {
    let env = TestEnv::new();
    let token = registry_home(&env);
    let d = route_ok(&env, "chat-balanced", &token);
    let record = ok_json(&env, &["trace", "show", "1"])["record"].clone();
    let candidates = object(&env, record["objects"]["candidates"].as_str().unwrap());
    let contract = candidates
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["service_id"] == d["service_id"])
        .expect("listed")
        .clone();
    let hash = contract["hash"].as_str().unwrap();
    let conn = db(&env);
    conn.execute_batch("PRAGMA foreign_keys = OFF")
        .expect("pragma");
    let deleted = conn
        .execute("DELETE FROM contract_versions WHERE hash = ?1", [hash])
        .expect("delete");
    drop(conn);
    assert_eq!(deleted, 1);
    let replay = env.run(["trace", "replay", "1"]);
    replay.code(1);
    let expected = format!(
        "contract {} {} ({hash})",
        contract["service_id"].as_str().unwrap(),
        contract["version"].as_str().unwrap()
    );
    assert!(
        replay
            .stdout
            .starts_with(&format!("cannot replay seq 1: missing {expected}")),
        "{replay}"
    );
    env.redact_trace();
    insta::assert_snapshot!("replay_missing_contract_version", replay);
}

// ---------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------

/// Each exported line is `{"seq","prev","hash","record"}`; the chain is
/// recomputed here with the `blake3` crate over `JCS(record)`; `--since`
/// keeps the records from that time on.
#[test]
fn export_lets_anyone_recompute_the_chain() {
    let env = TestEnv::new();
    let token = registry_home(&env);
    // The last two a second after the first two.
    for (request, at) in [
        (with_token(fixture("chat-balanced"), &token), T0),
        (with_token(fixture("chain-rag-latency-bound"), &token), T0),
        (with_token(fixture("no-route-restricted-us"), &token), T1),
        (with_token(fixture("chat-balanced"), UNKNOWN_TOKEN), T1),
    ] {
        route_at(&env, &request, at);
    }

    let (stdout, lines) = export(&env, &[]);
    let (objects, records): (Vec<&Value>, Vec<&Value>) =
        lines.iter().partition(|l| l["type"] == "object");
    assert_eq!(records.len(), 4, "{stdout}");
    assert!(
        lines.iter().position(|l| l["type"] == "record")
            > lines.iter().rposition(|l| l["type"] == "object"),
        "objects come first: {stdout}"
    );
    let mut known = BTreeSet::new();
    for line in &objects {
        let kind = line["kind"].as_str().expect("kind");
        let body = caio_core::canonical::to_jcs(&line["body"]).expect("JCS");
        let mut hasher = blake3::Hasher::new();
        hasher.update(format!("caio-object-v1\n{kind}\n").as_bytes());
        hasher.update(body.as_bytes());
        assert_eq!(line["hash"], hex(hasher.finalize().as_bytes()), "{line}");
        known.insert(line["hash"].as_str().unwrap().to_string());
    }
    let mut prev = [0u8; 32];
    for (i, line) in records.iter().enumerate() {
        let keys: BTreeSet<&str> = line
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            BTreeSet::from(["schema_version", "type", "seq", "prev", "hash", "record"])
        );
        assert_eq!(line["seq"], i as i64 + 1);
        assert_eq!(line["prev"], hex(&prev), "the link to the previous line");
        assert_eq!(line["record"]["v"], 2);
        let candidates = line["record"]["objects"]["candidates"].as_str().unwrap();
        assert!(known.contains(candidates), "seq {}: {candidates}", i + 1);
        // The policy set is an object too.
        let policies = line["record"]["objects"]["policies"].as_str().unwrap();
        assert!(
            objects
                .iter()
                .any(|o| o["hash"] == policies && o["kind"] == "policies"),
            "seq {}: policy set {policies} exported",
            i + 1
        );
        let body = caio_core::canonical::to_jcs(&line["record"]).expect("JCS");
        let mut hasher = blake3::Hasher::new();
        hasher.update(b"caio-trace-v2\n");
        hasher.update(&prev);
        hasher.update(body.as_bytes());
        let hash = *hasher.finalize().as_bytes();
        assert_eq!(line["hash"], hex(&hash), "seq {}", i + 1);
        // A record stays within 2 KiB whatever the registry size, a chain's
        // too (SPEC §9).
        assert!(body.len() <= 2048, "seq {}: {} bytes", i + 1, body.len());
        prev = hash;
    }
    let report = assert_valid(&env, &[], 4);
    assert_eq!(report["head"], hex(&prev));
    // The exported record is the stored text, byte for byte.
    let conn = db(&env);
    for line in stdout.lines().filter(|l| l.contains("\"type\":\"record\"")) {
        let seq = serde_json::from_str::<Value>(line).unwrap()["seq"]
            .as_i64()
            .unwrap();
        assert!(
            line.contains(&format!("\"record\":{}", record_text(&conn, seq))),
            "{line}"
        );
    }

    // --since: from the third record's time on (a second after the second).
    let records_of = |lines: Vec<Value>| -> Vec<Value> {
        lines
            .into_iter()
            .filter(|l| l["type"] == "record")
            .collect()
    };
    let at3 = records[2]["record"]["at"].as_str().unwrap().to_string();
    assert!(records[1]["record"]["at"].as_str().unwrap() < at3.as_str());
    let (_, since) = export(&env, &["--since", &at3]);
    let since = records_of(since);
    let kept: Vec<i64> = since.iter().map(|l| l["seq"].as_i64().unwrap()).collect();
    assert_eq!(kept, [3, 4]);
    assert_eq!(&since[0], records[2], "the same lines");
    let tomorrow = day_after(&at3, 1);
    assert!(export(&env, &["--since", &tomorrow]).1.is_empty());
    assert_eq!(
        records_of(export(&env, &["--since", &day_after(&at3, 0)]).1).len(),
        4
    );
}

/// Two times a second apart, for records made through [`route_at`].
const T0: &str = "2026-03-02T09:30:00Z";
const T1: &str = "2026-03-02T09:30:01Z";

/// The date (YYYY-MM-DD) `days` after the date of an RFC 3339 time.
fn day_after(at: &str, days: i64) -> String {
    let date: jiff::civil::Date = at[..10].parse().expect("a date");
    date.checked_add(jiff::Span::new().days(days))
        .expect("in range")
        .to_string()
}

// ---------------------------------------------------------------------------
// Golden vectors
// ---------------------------------------------------------------------------

/// Computed once with an independent implementation (Python's `blake3`
/// 1.0.11): `blake3(b"caio-trace-v1\n" + prev + body.encode())`.
const GOLDEN_N1: &str = "b38e79a930fe2542478c2f6e12d5cb84c99cf7149f4a92da5b84a29dffe35fd9";
const GOLDEN_UTF8: &str = "25ade86819655524033f36deb7387b9d663849eba2cda0bbc018903d4da455e4";
const GOLDEN_UTF8_BODY: &str = "{\"at\":\"2026-01-01T00:00:00Z\",\"note\":\"Grüße — ✓\",\"v\":1}";
/// A two-record chain: `{"golden":1}` then `{"golden":2,"note":"é"}`.
/// Two record-shaped bodies (their lookup columns are derived from them:
/// time, outcome, principal, no chosen service) and their chain hashes.
const GOLDEN_CHAIN: [(&str, &str); 2] = [
    (
        "{\"at\":\"2026-01-01T00:00:00Z\",\"decision\":{\"chosen\":[],\"principal\":\"golden\"},\"golden\":1,\"outcome\":\"routed\"}",
        "1d84d570c409aa837cc359e4a9e51b2d385d6586647afef7c5d08983c662ca17",
    ),
    (
        "{\"at\":\"2026-01-01T00:00:00Z\",\"decision\":{\"chosen\":[],\"principal\":\"golden\"},\"golden\":2,\"note\":\"é\",\"outcome\":\"routed\"}",
        "40c669e16675d83e0357478702105b0163127d483585ccb36b4b461580e8e65c",
    ),
];

/// The chain hash rule, pinned by vectors computed elsewhere.
#[test]
fn golden_chain_hash_vectors() {
    assert_eq!(caio_core::trace::DOMAIN, b"caio-trace-v1\n");
    assert_eq!(GENESIS, [0u8; 32]);
    assert_eq!(hex(&chain_hash(&GENESIS, "{\"n\":1}")), GOLDEN_N1);
    let prev: [u8; 32] = std::array::from_fn(|i| i as u8);
    assert_eq!(hex(&chain_hash(&prev, GOLDEN_UTF8_BODY)), GOLDEN_UTF8);
    let h1 = chain_hash(&GENESIS, GOLDEN_CHAIN[0].0);
    assert_eq!(hex(&h1), GOLDEN_CHAIN[0].1);
    assert_eq!(hex(&chain_hash(&h1, GOLDEN_CHAIN[1].0)), GOLDEN_CHAIN[1].1);
    // And the JCS of a record-like value is what gets hashed.
    let value = json!({"v": 1, "note": "Grüße — ✓", "at": "2026-01-01T00:00:00Z"});
    assert_eq!(
        caio_core::canonical::to_jcs(&value).unwrap(),
        GOLDEN_UTF8_BODY
    );
}

/// End to end: a database holding the golden chain verifies with the golden
/// head, exports the golden hashes, shows the golden decision ids, and is
/// checkpointed at the golden head.
#[test]
fn golden_chain_end_to_end() {
    let env = TestEnv::new();
    chain_of(&env, 1);
    {
        let conn = db(&env);
        conn.execute("DELETE FROM traces", []).expect("delete");
        let mut prev = hex(&GENESIS);
        for (i, (body, hash)) in GOLDEN_CHAIN.iter().enumerate() {
            conn.execute(
                "INSERT INTO traces (seq, prev, hash, decision_id, at, outcome, services, principal, record)
                 VALUES (?1, ?2, ?3, ?4, '2026-01-01T00:00:00Z', 'routed', '', 'golden', ?5)",
                params![i as i64 + 1, prev, hash, &hash[..32], body],
            )
            .expect("insert");
            prev = hash.to_string();
        }
        reindex(&conn);
    }
    let report = assert_valid(&env, &[], 2);
    assert_eq!(report["head"], GOLDEN_CHAIN[1].1);
    let (stdout, lines) = export(&env, &[]);
    assert_eq!(
        stdout,
        format!(
            "{{\"schema_version\":1,\"type\":\"record\",\"seq\":1,\"prev\":\"{}\",\"hash\":\"{}\",\"record\":{}}}\n\
             {{\"schema_version\":1,\"type\":\"record\",\"seq\":2,\"prev\":\"{}\",\"hash\":\"{}\",\"record\":{}}}\n",
            hex(&GENESIS),
            GOLDEN_CHAIN[0].1,
            GOLDEN_CHAIN[0].0,
            GOLDEN_CHAIN[0].1,
            GOLDEN_CHAIN[1].1,
            GOLDEN_CHAIN[1].0,
        )
    );
    assert_eq!(lines.len(), 2);
    let shown = ok_json(&env, &["trace", "show", "2"]);
    assert_eq!(shown["decision_id"], GOLDEN_CHAIN[1].1[..32]);
    assert_eq!(shown["hash"], GOLDEN_CHAIN[1].1);
    let shown = ok_json(&env, &["trace", "show", &GOLDEN_CHAIN[0].1[..10]]);
    assert_eq!(shown["seq"], 1);
    let cp = ok_json(&env, &["trace", "checkpoint"]);
    assert_eq!(cp["seq"], 2);
    assert_eq!(cp["hash"], GOLDEN_CHAIN[1].1);
    let head_line = cp["note"].as_str().unwrap().lines().nth(2).unwrap();
    assert_eq!(
        hex(&STANDARD.decode(head_line).expect("base64")),
        GOLDEN_CHAIN[1].1,
        "the note's hash line is the base64 of the chain head"
    );
}

// ---------------------------------------------------------------------------
// Checkpoints
// ---------------------------------------------------------------------------

/// A checkpoint is a C2SP signed note any verifier can check: checked here
/// with sha2 and ed25519-dalek from the verifier key string alone. The
/// instance key is created 0600; `verify --public-key FILE` with that key
/// passes (even without the private key in the home), another key fails.
#[test]
fn checkpoints_are_signed_notes_checked_with_the_printed_key() {
    use sha2::Digest;
    let env = TestEnv::new();
    chain_of(&env, 3);
    let (note, vkey) = checkpoint(&env, &env.scratch().join("cp.note"));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.home().join("keys/instance.key"))
            .expect("instance key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }

    // The note, verified independently.
    let (name, key_hash_hex, key_b64) = {
        let mut parts = vkey.splitn(3, '+');
        (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        )
    };
    assert!(name.starts_with("caio/"), "{vkey}");
    let key_bytes = STANDARD.decode(key_b64).expect("base64 key");
    assert_eq!(key_bytes.len(), 33);
    assert_eq!(key_bytes[0], 0x01, "Ed25519");
    let mut h = sha2::Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update(&key_bytes);
    let digest = h.finalize();
    assert_eq!(hex(&digest[..4]), key_hash_hex);

    let (text, signatures) = note.split_once("\n\n").expect("blank line");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{note}");
    assert_eq!(lines[0], name, "origin line");
    assert_eq!(lines[1], "3", "record count");
    let head = STANDARD.decode(lines[2]).expect("base64 head");
    let verified = assert_valid(&env, &[], 3);
    assert_eq!(
        verified["head"],
        hex(&head),
        "the hash line is the chain head"
    );
    assert_eq!(verified["checkpoints"], 1);
    let sig_line = signatures.trim_end();
    let rest = sig_line
        .strip_prefix(&format!("\u{2014} {name} "))
        .unwrap_or_else(|| panic!("signature line: {sig_line}"));
    let blob = STANDARD.decode(rest).expect("base64 signature");
    assert_eq!(blob.len(), 68);
    assert_eq!(blob[..4], digest[..4], "key hash");
    let public = ed25519_dalek::VerifyingKey::from_bytes(
        &<[u8; 32]>::try_from(&key_bytes[1..]).expect("32 bytes"),
    )
    .expect("Ed25519 key");
    let signature = ed25519_dalek::Signature::from_slice(&blob[4..]).expect("signature");
    public
        .verify_strict(format!("{text}\n").as_bytes(), &signature)
        .expect("the signature verifies");

    // What a person and a script see.
    let runs = [
        env.run(["trace", "verify"]),
        env.run(["--format", "json", "trace", "verify"]),
        env.run(["--format", "json", "trace", "checkpoint"]),
        env.run(["trace", "verify", "--from", "2"]),
    ];
    for run in &runs {
        run.code(0);
    }
    env.redact_trace();
    without_instance_keys(&env);
    insta::assert_snapshot!("verify_and_checkpoint", transcript(&runs));

    // --public-key FILE with the printed key.
    let key_file = write(&env.scratch().join("instance.vkey"), &format!("{vkey}\n"));
    let key_path = key_file.to_str().unwrap();
    assert_valid(&env, &["--public-key", key_path], 3);

    // Another instance's key: bad_checkpoint.
    let other = TestEnv::new();
    chain_of(&other, 1);
    let (_, other_key) = checkpoint(&other, &other.scratch().join("cp.note"));
    let other_file = write(&env.scratch().join("other.vkey"), &other_key);
    let (code, report) = verify(&env, &["--public-key", other_file.to_str().unwrap()]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["break"]["kind"], "bad_checkpoint", "{report:#}");
    assert_eq!(report["break"]["checkpoint"], "stored at seq 3");
    // A file that is no key at all: bad_checkpoint.
    let junk = write(&env.scratch().join("junk.vkey"), "not a key\n");
    let (code, report) = verify(&env, &["--public-key", junk.to_str().unwrap()]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["break"]["kind"], "bad_checkpoint", "{report:#}");
    // The other instance's checkpoint file, against this chain: bad.
    let (code, report) = verify(
        &env,
        &[
            "--checkpoint",
            other.scratch().join("cp.note").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["break"]["kind"], "bad_checkpoint", "{report:#}");

    // The home publishes the verifier key next to the private key.
    assert_eq!(
        std::fs::read_to_string(env.home().join("keys/instance.pub")).expect("instance.pub"),
        format!("{vkey}\n")
    );
    // Without the private key, the published key is enough.
    std::fs::remove_file(env.home().join("keys/instance.key")).expect("remove key");
    assert_valid(&env, &[], 3);
    // Without either key in the home: fail closed, unless the auditor
    // brings the public key.
    std::fs::remove_file(env.home().join("keys/instance.pub")).expect("remove public key");
    let (code, report) = verify(&env, &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["break"]["kind"], "bad_checkpoint", "{report:#}");
    assert_valid(&env, &["--public-key", key_path], 3);
}

/// `trace verify` once refused to check checkpoints when
/// `keys/instance.key` was 0644, though verifying needs only the public key.
/// It reads `keys/instance.pub` (or, in a home whose checkpoints predate
/// that file, derives the public key) and warns that the private key is
/// exposed; signing still refuses the exposed key.
#[cfg(unix)]
#[test]
fn verify_does_not_need_a_strictly_private_instance_key() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    chain_of(&env, 3);
    checkpoint(&env, &env.scratch().join("cp.note"));
    let private = env.home().join("keys/instance.key");
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o644)).unwrap();
    // Verified, with a warning that the private key is exposed.
    let verified = env.run(["trace", "verify"]);
    verified.code(0);
    assert!(
        verified
            .stdout
            .starts_with("chain verified: records 1..3, 1 checkpoint,"),
        "{verified}"
    );
    assert!(verified.stderr.starts_with("warning: "), "{verified}");
    assert_valid(&env, &[], 3);

    // Signing refuses the exposed key.
    let signing = env.run(["trace", "checkpoint"]);
    signing.code(5);
    assert!(signing.stdout.is_empty(), "{signing}");

    std::fs::remove_file(env.home().join("keys/instance.pub")).expect("remove public key");
    let derived = env.run(["trace", "verify"]);
    derived.code(0);
    assert_eq!(derived.stderr, verified.stderr);
    env.redact_trace();
    insta::assert_snapshot!(
        "exposed_instance_key",
        transcript([&verified, &signing, &derived])
    );
}

/// `trace checkpoint` on an empty trace exits 1 and says why.
#[test]
fn checkpoint_of_an_empty_trace_is_refused() {
    let env = TestEnv::new();
    ok(&env, ["init"]);
    let refused = env.run(["trace", "checkpoint"]);
    refused.code(1);
    assert!(refused.stdout.is_empty(), "{refused}");
    // And nothing to verify is a valid, empty chain, which says so (it
    // once said "records 0..0").
    assert_valid(&env, &[], 0);
    let verified = env.run(["trace", "verify"]);
    verified.code(0);
    assert_eq!(
        verified.stdout,
        "chain verified: the trace holds no records yet\n"
    );
    let listed = env.run(["trace", "list"]);
    listed.code(0);
    let json = env.run(["--format", "json", "trace", "list"]);
    json.code(0);
    let exported = env.run(["trace", "export"]);
    exported.code(0);
    insta::assert_snapshot!(
        "empty_trace",
        transcript([&refused, &verified, &listed, &json, &exported])
    );
}

/// `--from` past the last record once said "seq 500: record missing (the
/// chain skips to 500)". The records asked for are not there, so nothing is
/// verified: exit 1, saying where the chain ends.
#[test]
fn verify_from_past_the_head_says_where_the_chain_ends() {
    let env = TestEnv::new();
    chain_of(&env, 4);
    for (from, head, human) in [
        (
            "500",
            4,
            "nothing verified: --from 500 is past the head: the last record is seq 4\n",
        ),
        (
            "5",
            4,
            "nothing verified: --from 5 is past the head: the last record is seq 4\n",
        ),
    ] {
        let (code, report) = verify(&env, &["--from", from]);
        assert_eq!(code, 1, "{report:#}");
        assert_eq!(report["valid"], false, "{report:#}");
        assert_eq!(
            report["break"],
            json!({"kind": "start_past_head", "from": from.parse::<i64>().unwrap(), "head": head})
        );
        let (code, stdout) = verify_human(&env, &["--from", from]);
        assert_eq!(code, 1);
        assert_eq!(stdout, human);
    }
    assert_valid(&env, &["--from", "4"], 4);

    let empty = TestEnv::new();
    ok(&empty, ["init"]);
    let (code, stdout) = verify_human(&empty, &["--from", "2"]);
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "nothing verified: --from 2 is past the head: the chain holds no records\n"
    );
}

/// `verify --from SEQ` starts there, trusting the link into it: damage
/// before SEQ is not looked at, damage from SEQ on is.
#[test]
fn verify_from_a_seq() {
    let env = TestEnv::new();
    chain_of(&env, 6);
    let report = assert_valid(&env, &["--from", "3"], 6);
    assert_eq!(report["from"], 3);
    db(&env)
        .execute("UPDATE traces SET record = record || ' ' WHERE seq = 2", [])
        .expect("update");
    assert_valid(&env, &["--from", "3"], 6);
    let (code, stdout) = verify_human(&env, &["--from", "3"]);
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("chain verified: records 3..6"),
        "{stdout}"
    );
    for from in ["1", "2"] {
        assert_broken(
            &env,
            &["--from", from],
            json!({"kind": "content_changed", "seq": 2}),
            "seq 2: content changed (its hash does not match)",
        );
    }
    db(&env)
        .execute("UPDATE traces SET record = record || ' ' WHERE seq = 5", [])
        .expect("update");
    assert_broken(
        &env,
        &["--from", "3"],
        json!({"kind": "content_changed", "seq": 5}),
        "seq 5: content changed (its hash does not match)",
    );
}

// ---------------------------------------------------------------------------
// show and list
// ---------------------------------------------------------------------------

/// `show` of a refused or no_route record once printed the weights and an
/// empty score table (header only): nothing was scored, so neither is
/// shown; the outcome line and the summary say why no service was eligible.
#[test]
fn show_prints_no_empty_score_table_when_nothing_was_scored() {
    let env = TestEnv::new();
    registry_home(&env);
    let (code, _) = route(&env, &fixture("no-route-restricted-us"), &[]);
    assert_eq!(code, 3);
    let refused = with_token(fixture("chat-balanced"), UNKNOWN_TOKEN);
    let (code, _) = route(&env, &refused, &[]);
    assert_eq!(code, 1);
    let (code, _) = route(&env, &fixture("chat-balanced"), &[]);
    assert_eq!(code, 0);

    // The outcome line, the rejections and the summary, but no weights
    // and no score table.
    let no_route = env.run(["trace", "show", "1"]);
    no_route.code(0);
    assert!(!no_route.stdout.contains("SCORE"), "{no_route}");
    assert!(!no_route.stdout.contains("J(s)"), "{no_route}");

    let refused = env.run(["trace", "show", "2"]);
    refused.code(0);
    assert!(!refused.stdout.contains("SCORE"), "{refused}");
    assert!(!refused.stdout.contains("J(s)"), "{refused}");

    // A routed decision shows both.
    let routed = env.run(["trace", "show", "3"]);
    routed.code(0);
    env.redact_trace();
    insta::assert_snapshot!("show_human", transcript([&no_route, &refused, &routed]));
}

/// `show` by seq and by decision id (full, prefix, upper case); unknown and
/// ambiguous ids exit 1 with a message.
#[test]
fn show_by_seq_and_by_decision_id() {
    let env = TestEnv::new();
    let token = registry_home(&env);
    let (_, routed) = route(&env, &with_token(fixture("chat-balanced"), &token), &[]);
    let (_, chain) = route(
        &env,
        &with_token(fixture("chain-rag-latency-bound"), &token),
        &[],
    );
    let (_, refused) = route(
        &env,
        &with_token(fixture("chat-balanced"), UNKNOWN_TOKEN),
        &[],
    );

    let by_seq = ok_json(&env, &["trace", "show", "1"]);
    assert_eq!(by_seq["seq"], 1);
    assert_eq!(by_seq["decision_id"], routed["decision_id"]);
    assert_eq!(by_seq["hash"], routed["trace"]["hash"]);
    assert_eq!(by_seq["prev"], hex(&GENESIS));
    assert_eq!(by_seq["record"]["outcome"], "routed");
    assert_eq!(
        by_seq["record"]["decision"]["chosen"][0]["service_id"],
        routed["service_id"]
    );
    let id = routed["decision_id"].as_str().unwrap();
    // A prefix of only digits is read as a seq: prefixes here reach the
    // first letter of the id.
    let k = 6.max(
        1 + id
            .find(|c: char| c.is_ascii_alphabetic())
            .expect("a letter"),
    );
    for key in [id.to_string(), id[..k].to_string(), id[..k].to_uppercase()] {
        assert_eq!(ok_json(&env, &["trace", "show", &key]), by_seq, "{key}");
    }
    let shown = ok_json(
        &env,
        &["trace", "show", chain["decision_id"].as_str().unwrap()],
    );
    assert_eq!(shown["seq"], 2);

    // Human: the header, the candidate table, the trace line.
    let chain_run = env.run(["trace", "show", "2"]);
    chain_run.code(0);
    let refused_run = env.run(["trace", "show", refused["decision_id"].as_str().unwrap()]);
    refused_run.code(0);
    let json_run = env.run(["--format", "json", "trace", "show", "2"]);
    json_run.code(0);

    let mut unknown_runs = Vec::new();
    for unknown in ["99", "0", "ffffffffffff", "zzzz", "abc", ""] {
        let run = env.run(["trace", "show", unknown]);
        run.code(1);
        assert!(run.stdout.is_empty(), "{run}");
        unknown_runs.push(run);
    }

    // Two decision ids sharing a prefix (made so in the index column).
    let second = chain["decision_id"].as_str().unwrap();
    let next = if &id[k..k + 1] == "0" { "1" } else { "0" };
    let clash = format!("{}{next}{}", &id[..k], &second[k + 1..]);
    db(&env)
        .execute("UPDATE traces SET decision_id = ?1 WHERE seq = 2", [&clash])
        .expect("update");
    let ambiguous = env.run(["trace", "show", &id[..k]]);
    ambiguous.code(1);
    assert_eq!(ok_json(&env, &["trace", "show", &id[..k + 1]])["seq"], 1);
    unknown_runs.push(ambiguous);
    env.redact_trace();
    env.redact(&id[..k], "[a prefix of both]");
    insta::assert_snapshot!(
        "show_by_seq_and_id",
        transcript([&chain_run, &refused_run, &json_run])
    );
    insta::assert_snapshot!("show_unknown_and_ambiguous", transcript(&unknown_runs));
}

/// `list` filters: outcome, service (any step of a chain), limit, and
/// since/until with a date or a time.
#[test]
fn list_filters() {
    let env = TestEnv::new();
    let token = registry_home(&env);
    // The last two a second after the first two.
    let (chat_id, chat) = route_at(&env, &with_token(fixture("chat-balanced"), &token), T0);
    let chat_service = chat[0].clone();
    route_at(
        &env,
        &with_token(fixture("no-route-restricted-us"), &token),
        T0,
    );
    let (_, chain_services) = route_at(
        &env,
        &with_token(fixture("chain-rag-latency-bound"), &token),
        T1,
    );
    route_at(
        &env,
        &with_token(fixture("chat-balanced"), UNKNOWN_TOKEN),
        T1,
    );
    let seqs_of = |args: &[&str]| -> Vec<i64> {
        list(&env, args)
            .iter()
            .map(|r| r["seq"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(seqs_of(&[]), [4, 3, 2, 1], "newest first");

    let all = list(&env, &[]);
    let one = &all[3];
    let keys: BTreeSet<&str> = one
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from([
            "seq",
            "decision_id",
            "at",
            "outcome",
            "execution",
            "services",
            "principal",
            "reported"
        ])
    );
    assert_eq!(one["services"], chat_service);
    assert_eq!(one["principal"], "ana");
    assert_eq!(one["decision_id"], chat_id);
    assert_eq!(all[1]["services"], chain_services.join(","));

    assert_eq!(seqs_of(&["--outcome", "routed"]), [3, 1]);
    assert_eq!(seqs_of(&["--outcome", "refused"]), [4]);
    for (i, service) in chain_services.iter().enumerate() {
        let expected: Vec<i64> = if *service == chat_service {
            vec![3, 1]
        } else {
            vec![3]
        };
        assert_eq!(seqs_of(&["--service", service]), expected, "step {i}");
    }
    assert_eq!(
        seqs_of(&["--service", &chat_service[..chat_service.len() - 1]]),
        Vec::<i64>::new(),
        "a prefix of a service id is not that service"
    );
    assert_eq!(
        seqs_of(&[
            "--service",
            &chat_service,
            "--outcome",
            "routed",
            "--limit",
            "1"
        ]),
        [3]
    );
    assert_eq!(seqs_of(&["--limit", "2"]), [4, 3]);
    assert_eq!(seqs_of(&["--limit", "0"]), Vec::<i64>::new());

    // Times: the third record is at least a second after the second.
    let at3 = all[1]["at"].as_str().unwrap().to_string();
    assert!(all[2]["at"].as_str().unwrap() < at3.as_str());
    assert_eq!(seqs_of(&["--since", &at3]), [4, 3]);
    assert_eq!(seqs_of(&["--until", &at3]), [2, 1]);
    let today = day_after(&at3, 0);
    let tomorrow = day_after(&at3, 1);
    let yesterday = day_after(&at3, -1);
    assert_eq!(seqs_of(&["--since", &today]), [4, 3, 2, 1]);
    assert_eq!(seqs_of(&["--since", &tomorrow]), Vec::<i64>::new());
    assert_eq!(seqs_of(&["--until", &today]), Vec::<i64>::new());
    assert_eq!(
        seqs_of(&["--since", &yesterday, "--until", &tomorrow]),
        [4, 3, 2, 1]
    );

    // Human: a table with the same rows; the records have fixed times, so
    // their ids are the same on every run.
    let human = [
        env.run(["trace", "list"]),
        env.run(["trace", "list", "--outcome", "refused"]),
        env.run(["trace", "list", "--since", "2026-03-03"]),
        // Not a time: a usage error.
        env.run(["trace", "list", "--since", "yesterday"]),
    ];
    let codes: Vec<i32> = human.iter().map(|r| r.code).collect();
    assert_eq!(codes, [0, 0, 0, 2]);
    assert_eq!(human[1].stdout.lines().count(), 2, "{}", human[1]);
    insta::assert_snapshot!("list_human", transcript(&human));
}

/// `list --service` matches a service id exactly: SQL LIKE wildcards in
/// the argument (`_`, `%`) are not patterns.
#[test]
fn list_service_filter_is_exact_not_a_pattern() {
    let env = TestEnv::new();
    chain_of(&env, 4);
    let all = list(&env, &[]);
    let service = all
        .iter()
        .find_map(|r| {
            r["services"]
                .as_str()
                .filter(|s| !s.is_empty() && !s.contains(','))
        })
        .expect("a single-service decision")
        .to_string();
    assert!(!list(&env, &["--service", &service]).is_empty());
    for pattern in [
        "%".to_string(),
        format!("{}_", &service[..service.len() - 1]),
    ] {
        assert_eq!(
            list(&env, &["--service", &pattern]),
            Vec::<Value>::new(),
            "`--service {pattern}` is not a service id"
        );
    }
}

/// `list --outcome no_route`: the spelling of SPEC §9 (and of the stored
/// and printed outcome) selects the no_route decisions.
#[test]
fn list_outcome_no_route_is_spelled_as_the_spec_and_the_records() {
    let env = TestEnv::new();
    chain_of(&env, 4);
    let listed = list(&env, &["--outcome", "no_route"]);
    let seqs: Vec<i64> = listed.iter().map(|r| r["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, [3], "{listed:#?}");
    assert!(listed.iter().all(|r| r["outcome"] == "no_route"));
}

/// `trace verify` checks every object a record references and fails
/// closed: an altered or missing object breaks the chain at the first
/// record that references it; `--replay` recomputes every decision.
#[test]
fn verify_fails_closed_on_an_altered_or_missing_object() {
    let env = TestEnv::new();
    let token = registry_home(&env);
    route(&env, &with_token(fixture("chat-balanced"), &token), &[]);
    route(&env, &with_token(fixture("chat-balanced"), &token), &[]);
    assert_valid(&env, &[], 2);
    let (code, report) = verify(&env, &["--replay"]);
    assert_eq!(code, 0, "{report:#}");

    let record = ok_json(&env, &["trace", "show", "1"])["record"].clone();
    let hash = record["objects"]["candidates"]
        .as_str()
        .unwrap()
        .to_string();
    let conn = db(&env);
    conn.execute(
        "UPDATE trace_objects SET body = replace(body, '\"active\"', '\"drained\"') WHERE hash = ?1",
        [&hash],
    )
    .unwrap();
    let (code, report) = verify(&env, &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["break"]["kind"], "object_broken", "{report:#}");
    assert_eq!(report["break"]["seq"], 1);
    assert_eq!(report["break"]["problem"], "altered");

    conn.execute("DELETE FROM trace_objects WHERE hash = ?1", [&hash])
        .unwrap();
    let (code, report) = verify(&env, &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["break"]["problem"], "missing", "{report:#}");
    let (code, stdout, _) = run(env.caio().args(["trace", "replay", "1"]));
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("missing candidate set"), "{stdout}");
}

/// A home with every shipped contract and policy and one routed decision
/// (seq 1, `chat-balanced` as ana); the route's answer.
fn one_route_under_policies(env: &TestEnv) -> Value {
    let token = registry_home(env);
    ok(env, ["policy", "apply", "policies"]);
    let (code, answer) = route(env, &with_token(fixture("chat-balanced"), &token), &[]);
    assert_eq!(code, 0, "{answer:#}");
    answer
}

/// The policy set is a content-addressed object: replay reads the set from
/// it (not from the policy history), and `trace verify` fails closed when
/// it is missing.
#[test]
fn the_policy_set_is_an_object_that_replay_reads_and_verify_requires() {
    let env = TestEnv::new();
    let answer = one_route_under_policies(&env);
    let shown = ok_json(&env, &["trace", "show", "1"]);
    let object = shown["record"]["objects"]["policies"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(shown["record"]["objects"]["policy_rules"], 9);
    // Its body is the set whose content hash `policy show` prints (and the
    // decision names).
    let installed = ok_json(&env, &["policy", "show"]);
    assert_eq!(answer["policy_set"], installed["hash"], "{answer:#}");
    let conn = db(&env);
    let (kind, body): (String, String) = conn
        .query_row(
            "SELECT kind, body FROM trace_objects WHERE hash = ?1",
            [&object],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(kind, "policies");
    assert_eq!(
        installed["hash"],
        hex(blake3::hash(body.as_bytes()).as_bytes())
    );
    // The policy history gone, the record still replays: its set is its
    // object.
    conn.execute_batch("DELETE FROM policy_applications; DELETE FROM policy_sets;")
        .unwrap();
    let (code, stdout, stderr) = run(env.caio().args(["trace", "replay", "1"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, report) = verify(&env, &["--replay"]);
    assert_eq!(code, 0, "{report:#}");
    // The object gone, verification breaks at the record and replay says
    // what is missing.
    conn.execute("DELETE FROM trace_objects WHERE hash = ?1", [&object])
        .unwrap();
    let (code, report) = verify(&env, &[]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["break"]["kind"], "object_broken", "{report:#}");
    assert_eq!(report["break"]["hash"], object.as_str(), "{report:#}");
    assert_eq!(report["break"]["problem"], "missing", "{report:#}");
    let (code, stdout, _) = run(env.caio().args(["trace", "replay", "1"]));
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains(&format!("missing policy set {object}")),
        "{stdout}"
    );
}

/// A v2 record written before the policy set was an object names the set
/// by its content hash: it still verifies and replays, the set found in the
/// policy history.
#[test]
fn a_record_naming_its_policy_set_by_content_hash_still_replays() {
    let env = TestEnv::new();
    let answer = one_route_under_policies(&env);
    // The record as such a release wrote it: `policy_set`, no `policies`.
    let conn = db(&env);
    let text: String = conn
        .query_row("SELECT record FROM traces WHERE seq = 1", [], |r| r.get(0))
        .unwrap();
    let mut record: Value = serde_json::from_str(&text).unwrap();
    let objects = record["objects"].as_object_mut().unwrap();
    let object = objects.remove("policies").expect("a policies object");
    let object = object.as_str().unwrap().to_string();
    objects.insert("policy_set".into(), answer["policy_set"].clone());
    let body = caio_core::canonical::to_jcs(&record).expect("JCS");
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"caio-trace-v2\n");
    hasher.update(&[0u8; 32]);
    hasher.update(body.as_bytes());
    let hash = hex(hasher.finalize().as_bytes());
    conn.execute(
        "UPDATE traces SET record = ?1, hash = ?2, decision_id = ?3 WHERE seq = 1",
        rusqlite::params![body, hash, &hash[..32]],
    )
    .unwrap();
    // Not even the object is needed.
    conn.execute("DELETE FROM trace_objects WHERE hash = ?1", [&object])
        .unwrap();
    let (code, report) = verify(&env, &["--replay"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(ok_json(&env, &["trace", "replay", "1"])["identical"], true);
    // Its set gone from the history too, replay names it.
    conn.execute_batch("DELETE FROM policy_applications; DELETE FROM policy_sets;")
        .unwrap();
    let report = ok_json_code(&env, &["trace", "replay", "1"], 1);
    assert_eq!(
        report["missing"],
        json!([format!(
            "policy set {}",
            answer["policy_set"].as_str().unwrap()
        )]),
        "{report:#}"
    );
}

/// The independent verifier shipped in `scripts/` (Python: blake3 and an
/// RFC 8785 implementation) recomputes every object and record hash of an
/// export. `CAIO_TEST_PYTHON` names a Python with both installed (`.ci/run`
/// makes one); in CI a missing one is a failure.
#[test]
fn the_shipped_python_script_verifies_an_export() {
    let Some(python) = crate::common::test_python() else {
        return;
    };
    let env = TestEnv::new();
    let token = registry_home(&env);
    route(&env, &with_token(fixture("chat-balanced"), &token), &[]);
    route(
        &env,
        &with_token(fixture("chain-rag-latency-bound"), &token),
        &[],
    );
    let (exported, _) = export(&env, &[]);
    let path = env.scratch().join("export.jsonl");
    std::fs::write(&path, &exported).unwrap();
    let (code, stdout, stderr) = verify_export(&python, &path);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("2 record(s)"), "{stdout}");
    // One changed byte in a record is found.
    std::fs::write(&path, exported.replacen("\"seed\":0", "\"seed\":1", 1)).unwrap();
    let (code, stdout, _) = verify_export(&python, &path);
    assert_ne!(code, Some(0));
    assert!(stdout.contains("does not match its hash"));
    // What is not an export is refused with a message, never a traceback.
    let first_record = exported
        .lines()
        .find(|l| l.contains("\"type\":\"record\""))
        .unwrap();
    let mut no_record: Value = serde_json::from_str(first_record).unwrap();
    no_record.as_object_mut().unwrap().remove("record");
    for (text, says) in [
        ("not json\n".to_string(), "line 1: not JSON"),
        ("{\"foo\":1}\n".to_string(), "line 1: not an export line"),
        (
            format!("{no_record}\n"),
            "a record line needs seq, prev, hash, record",
        ),
        (
            first_record.replacen("\"prev\":\"", "\"prev\":\"zz", 1) + "\n",
            "line 1: a malformed record line",
        ),
        (String::new(), "holds no record"),
    ] {
        std::fs::write(&path, text.as_bytes()).unwrap();
        let (code, stdout, stderr) = verify_export(&python, &path);
        assert_eq!(code, Some(1), "{text:?}: {stdout}{stderr}");
        assert!(stdout.contains(says), "{text:?}: {stdout}");
        assert!(stderr.is_empty(), "{text:?}: {stderr}");
    }
    std::fs::write(&path, b"\xff\xfe{\n").unwrap();
    let (code, stdout, _) = verify_export(&python, &path);
    assert_eq!(code, Some(1));
    assert!(stdout.contains("cannot read"));
}
