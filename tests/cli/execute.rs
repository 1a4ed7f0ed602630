//! `caio route --execute`, end to end (SPEC §8): every case runs against
//! HTTP servers the test starts on 127.0.0.1 (a small std::net server with
//! scripted replies), never the internet. Success, retries, Retry-After,
//! no retry on 4xx, failover, exit 4, timeouts, the circuit breaker and its
//! panic guard, guarantee violations, and auth secrets kept out of the
//! database and the trace.

use crate::common::{Run, TestEnv, run, run_json, transcript};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// A scripted HTTP server
// ---------------------------------------------------------------------------

/// One scripted reply.
#[derive(Debug, Clone)]
struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
    /// Wait this long before answering (a slow service: keep it short).
    delay: Duration,
    /// Never answer: hold the connection until the client gives up.
    hang: bool,
}

fn reply(status: u16, body: &str) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: body.to_string(),
        delay: Duration::ZERO,
        hang: false,
    }
}

impl Reply {
    fn header(mut self, name: &'static str, value: &str) -> Reply {
        self.headers.push((name, value.to_string()));
        self
    }

    fn after(mut self, delay: Duration) -> Reply {
        assert!(
            delay < Duration::from_millis(100),
            "no test sleeps that long"
        );
        self.delay = delay;
        self
    }

    fn hang(mut self) -> Reply {
        self.hang = true;
        self
    }
}

/// A request the server received.
#[derive(Debug, Clone)]
struct Seen {
    at: Instant,
    method: String,
    /// Header names lower-cased.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

struct State {
    script: VecDeque<Reply>,
    /// Served once the script is used up.
    then: Reply,
    seen: Vec<Seen>,
}

/// Listens on 127.0.0.1 until dropped; one thread per connection.
struct Server {
    addr: std::net::SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl Server {
    /// Replies with `script` in order, then `then` forever.
    fn start(script: Vec<Reply>, then: Reply) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("address");
        let state = Arc::new(Mutex::new(State {
            script: script.into(),
            then,
            seen: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (Arc::clone(&state), Arc::clone(&stop));
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if sp.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let st = Arc::clone(&st);
                std::thread::spawn(move || serve(conn, &st));
            }
        });
        Server { addr, state, stop }
    }

    fn url(&self) -> String {
        format!("http://{}/v1/chat", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.lock().expect("state").seen.clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag and ends.
        let _ = TcpStream::connect(self.addr);
    }
}

/// Serves requests on one connection until the client closes it.
fn serve(conn: TcpStream, state: &Mutex<State>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match conn.try_clone() {
        Ok(c) => c,
        Err(_) => return,
    });
    let mut conn = conn;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let method = line.split_whitespace().next().unwrap_or("").to_string();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let r = {
            let mut s = state.lock().expect("state");
            s.seen.push(Seen {
                at: Instant::now(),
                method,
                headers,
                body,
            });
            let next = s.script.pop_front();
            next.unwrap_or_else(|| s.then.clone())
        };
        if r.hang {
            // Until the client closes the connection (or the read timeout).
            let _ = reader.read_to_end(&mut Vec::new());
            return;
        }
        std::thread::sleep(r.delay);
        let mut head = format!(
            "HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            r.status,
            r.body.len()
        );
        for (k, v) in &r.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        if conn.write_all(head.as_bytes()).is_err() || conn.write_all(r.body.as_bytes()).is_err() {
            return;
        }
    }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// A service of the tests: id, endpoint, accuracy (orders the candidates:
/// higher is better), p99 and timeout, optional auth.
struct Svc<'a> {
    id: &'a str,
    url: String,
    accuracy: f64,
    p99: u64,
    timeout_ms: u64,
    auth: &'a str,
}

fn svc<'a>(id: &'a str, server: &Server, accuracy: f64) -> Svc<'a> {
    Svc {
        id,
        url: server.url(),
        accuracy,
        p99: 5_000,
        timeout_ms: 5_000,
        auth: "",
    }
}

fn contract(s: &Svc<'_>) -> String {
    format!(
        "apiVersion: caio/v1
service_id: {id}
name: Test {id}
version: 1.0.0
capabilities: [{{ type: chat }}]
guarantees: {{ latency_ms: {{ p50: 1, p95: 2, p99: {p99} }}, availability: 0.999, accuracy: {acc} }}
cost: {{ currency: USD, per_request: 0.01, per_1k_input_tokens: 0, per_1k_output_tokens: 0 }}
privacy: {{ hosting: internal, regions: [eu], max_data_class: restricted }}
endpoint:
  url: {url}
  timeout_ms: {timeout}
  headers: {{ x-caio-test: yes }}
{auth}",
        id = s.id,
        p99 = s.p99,
        acc = s.accuracy,
        url = s.url,
        timeout = s.timeout_ms,
        auth = s.auth,
    )
}

/// Registers the services in the test's home.
fn register(env: &TestEnv, services: &[Svc<'_>]) {
    let dir = env.scratch().join("contracts");
    std::fs::create_dir_all(&dir).expect("contracts dir");
    for s in services {
        std::fs::write(dir.join(format!("{}.yaml", s.id)), contract(s)).expect("write contract");
    }
    let (code, _, stderr) = run(env.caio().args(["registry", "add"]).arg(&dir));
    assert_eq!(code, 0, "{stderr}");
}

const PAYLOAD: &str = r#"{"messages":[{"role":"user","content":"hello"}],"stop":null}"#;

fn request_file(env: &TestEnv) -> PathBuf {
    let payload: Value = serde_json::from_str(PAYLOAD).expect("payload");
    let path = env.scratch().join("request.json");
    let request = json!({ "capability": "chat", "payload": payload, "seed": 7 });
    std::fs::write(&path, request.to_string()).expect("write request");
    path
}

/// `caio route REQUEST --execute` (human): (exit, stdout, stderr).
fn execute(env: &TestEnv, extra: &[&str]) -> (i32, String, String) {
    let request = request_file(env);
    run(env
        .caio()
        .arg("route")
        .arg(&request)
        .arg("--execute")
        .args(extra))
}

/// `caio route REQUEST --execute ARGS…` as a run.
fn execute_run(env: &TestEnv, extra: &[&str]) -> Run {
    let request = request_file(env);
    env.cmd()
        .arg("route")
        .arg(&request)
        .arg("--execute")
        .args(extra)
        .run()
}

/// `caio --format json route REQUEST --execute`: (exit, document).
fn execute_json(env: &TestEnv, extra: &[&str]) -> (i32, Value) {
    let request = request_file(env);
    run_json(
        env.caio()
            .args(["--format", "json", "route"])
            .arg(&request)
            .arg("--execute")
            .args(extra),
    )
}

fn json_of(env: &TestEnv, args: &[&str]) -> Value {
    let (code, value) = run_json(env.caio().args(["--format", "json"]).args(args));
    assert_eq!(code, 0, "caio {args:?}: {value:#}");
    value
}

/// The trace record at `seq`.
fn record(env: &TestEnv, seq: u32) -> Value {
    json_of(env, &["trace", "show", &seq.to_string()])["record"].clone()
}

/// A service's stats as `registry show` reports them.
fn stats(env: &TestEnv, id: &str) -> Value {
    json_of(env, &["registry", "show", id])["stats"].clone()
}

fn statuses(attempts: &Value) -> Vec<String> {
    attempts
        .as_array()
        .expect("attempts")
        .iter()
        .map(|a| {
            let what = a["status"].as_u64().map_or_else(
                || a["error"].as_str().unwrap_or("?").to_string(),
                |s| s.to_string(),
            );
            format!("{}:{what}", a["service_id"].as_str().unwrap_or("?"))
        })
        .collect()
}

/// Snapshots of executions without what differs from run to run: the
/// servers' ports (and the contract hashes that cover them), the measured
/// latencies, and the records' hashes (call it after the runs). Table cells
/// are padded to the widest, so runs of spaces are made two.
fn without_timings(env: &TestEnv) {
    env.filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[port]");
    // A test contract's hash covers its URL, and so the port.
    env.filter(r"(?m)^(hash +)[0-9a-f]{64}$", "${1}[hash]");
    env.filter(r"(answered \d+ in |took )[0-9.]+ ms", "${1}[T] ms");
    env.filter(
        r"(?m)^(\d+ +svc-[a-z]+ +\d+ +.+?) +[0-9]+\.[0-9] +(\S+ +\S+ +(?:response used|retry|failover|stop))",
        "${1}  [T]  ${2}",
    );
    env.filter(r#"("(?:latency|observed|started)_ms": )[0-9.]+"#, "${1}[T]");
    env.filter(r"(?m)(\S)  +", "${1}  ");
    if env.home().join("caio.db").exists() {
        env.redact_trace();
    }
}

fn db(env: &TestEnv) -> rusqlite::Connection {
    rusqlite::Connection::open(env.home().join("caio.db")).expect("open the database")
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[test]
fn success_prints_the_body_updates_stats_and_traces_the_attempt() {
    let env = TestEnv::new();
    let server = Server::start(vec![], reply(200, r#"{"answer":42}"#));
    register(&env, &[svc("svc-a", &server, 0.9)]);
    let executed = execute_run(&env, &[]);
    executed.code(0);
    assert_eq!(
        executed.stdout, r#"{"answer":42}"#,
        "the body, byte for byte"
    );
    let (code, _, stderr) = execute(&env, &["-v"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("routed chat → svc-a"), "{stderr}");

    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    assert_eq!(seen[0].header("x-caio-test"), Some("yes"));
    let sent: Value = serde_json::from_slice(&seen[0].body).expect("JSON body");
    assert_eq!(
        sent,
        serde_json::from_str::<Value>(PAYLOAD).unwrap(),
        "nulls kept"
    );

    let s = stats(&env, "svc-a");
    assert_eq!(s["successes"], 2);
    assert_eq!(s["failures"], 0);
    assert_eq!(s["observations"], 2);
    assert_eq!(s["circuit"]["state"], "closed");
    // An http service's cost is its per-request price.
    assert_eq!(s["spend"], 0.02);

    let r = record(&env, 1);
    assert_eq!(statuses(&r["attempts"]), ["svc-a:200"]);
    assert_eq!(r["attempts"][0]["result"], "success");
    assert_eq!(r["attempts"][0]["protocol"], "http");
    assert_eq!(r["attempts"][0]["next"]["action"], "done");
    assert_eq!(r["execution"]["outcome"], "succeeded");
    assert_eq!(r["execution"]["service_id"], "svc-a");
    assert!(
        r["request"].get("payload").is_none(),
        "the payload is not traced"
    );
    assert_eq!(r["redacted"], json!(["payload"]));
    assert!(!r.to_string().contains("hello"));

    // One record per route call; the chain verifies.
    let (code, _, stderr) = run(env.caio().args(["trace", "verify"]));
    assert_eq!(code, 0, "{stderr}");
    // The decision and how it ended on stderr, the body on stdout.
    without_timings(&env);
    insta::assert_snapshot!("success_human", executed);
}

#[test]
fn json_output_carries_the_attempts_and_the_body_and_output_writes_a_file() {
    let env = TestEnv::new();
    let server = Server::start(vec![], reply(200, r#"{"answer":42}"#));
    register(&env, &[svc("svc-a", &server, 0.9)]);
    let request = request_file(&env);
    let json = env
        .cmd()
        .args(["--format", "json", "route"])
        .arg(&request)
        .arg("--execute")
        .run();
    json.code(0);
    let doc = json.json();
    let e = &doc["execution"];
    assert_eq!(e["outcome"], "succeeded");
    assert_eq!(e["status"], 200);
    assert_eq!(e["response"]["body_json"]["answer"], 42);
    assert_eq!(statuses(&e["attempts"]), ["svc-a:200"]);

    let out = env.scratch().join("out.json");
    let payload = env.scratch().join("payload.txt");
    std::fs::write(&payload, "plain text body").unwrap();
    let (code, stdout, stderr) = execute(
        &env,
        &[
            "--output",
            out.to_str().unwrap(),
            "--payload",
            payload.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "", "the body went to the file");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), r#"{"answer":42}"#);
    let seen = server.seen();
    assert_eq!(seen[1].body, b"plain text body");
    assert_eq!(
        seen[1].header("content-type"),
        Some("application/octet-stream")
    );
    without_timings(&env);
    insta::assert_snapshot!("success_json", json);
}

/// `--output` is opened before anything is sent: an unwritable path fails
/// without a call (traced as not started); a failed execution leaves no
/// file it created; a huge `--deadline-ms` is a usage error.
#[test]
fn output_is_checked_before_the_call_and_the_deadline_is_bounded() {
    let env = TestEnv::new();
    let server = Server::start(vec![], reply(200, r#"{"answer":42}"#));
    register(&env, &[svc("svc-a", &server, 0.9)]);
    let missing_dir = env.scratch().join("no/such/dir/out.json");
    let unwritable = execute_run(&env, &["--output", missing_dir.to_str().unwrap()]);
    unwritable.code(1);
    assert_eq!(unwritable.stdout, "");
    assert!(server.seen().is_empty(), "nothing was sent");
    let r = record(&env, 1);
    assert_eq!(r["execution"]["outcome"], "not_started", "{r:#}");
    assert!(
        r.get("attempts").is_none(),
        "no attempt, none listed: {r:#}"
    );

    let down = Server::start(vec![], reply(500, "down"));
    let env = TestEnv::new();
    register(&env, &[svc("svc-a", &down, 0.9)]);
    let out = env.scratch().join("out.json");
    let (code, _, stderr) = execute(&env, &["--output", out.to_str().unwrap()]);
    assert_eq!(code, 4, "{stderr}");
    assert!(
        !out.exists(),
        "a failed execution leaves no empty output file"
    );
    std::fs::write(&out, "kept").unwrap();
    let (code, _, _) = execute(&env, &["--output", out.to_str().unwrap()]);
    assert_eq!(code, 4);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "kept",
        "an existing file is left as it was"
    );

    // A device or a FIFO is refused before the call too.
    let before = down.seen().len();
    let device = execute_run(&env, &["--output", "/dev/null"]);
    device.code(1);
    assert_eq!(down.seen().len(), before, "nothing was sent");

    let deadline = execute_run(&env, &["--deadline-ms", "9007199254740993"]);
    deadline.code(2);
    // Like --output, --deadline-ms means nothing without --execute.
    let request = request_file(&env);
    let without = env
        .cmd()
        .arg("route")
        .arg(&request)
        .args(["--deadline-ms", "5"])
        .run();
    without.code(2);
    without_timings(&env);
    insta::assert_snapshot!(
        "output_and_deadline_refusals",
        transcript([&unwritable, &device, &deadline, &without])
    );
}

#[test]
fn two_503s_then_a_200_is_three_attempts() {
    let env = TestEnv::new();
    let server = Server::start(
        vec![reply(503, "busy"), reply(503, "busy")],
        reply(200, "{}"),
    );
    register(&env, &[svc("svc-a", &server, 0.9)]);
    let (code, doc) = execute_json(&env, &[]);
    assert_eq!(code, 0, "{doc:#}");
    let attempts = &doc["execution"]["attempts"];
    assert_eq!(statuses(attempts), ["svc-a:503", "svc-a:503", "svc-a:200"]);
    assert_eq!(attempts[0]["next"]["action"], "retry");
    assert_eq!(attempts[0]["result"], "transient");
    assert_eq!(attempts[2]["attempt"], 3);
    assert_eq!(server.seen().len(), 3);
    let s = stats(&env, "svc-a");
    assert_eq!(
        (s["successes"].as_u64(), s["failures"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(
        s["circuit"]["consecutive_failures"], 0,
        "the success reset it"
    );
}

#[test]
fn retry_after_one_second_is_honoured() {
    let env = TestEnv::new();
    let server = Server::start(
        vec![reply(429, "slow down").header("retry-after", "1")],
        reply(200, "{}"),
    );
    register(&env, &[svc("svc-a", &server, 0.9)]);
    let (code, doc) = execute_json(&env, &[]);
    assert_eq!(code, 0, "{doc:#}");
    let attempts = &doc["execution"]["attempts"];
    assert_eq!(statuses(attempts), ["svc-a:429", "svc-a:200"]);
    assert_eq!(attempts[0]["next"]["after_ms"], 1000);
    let seen = server.seen();
    let gap = seen[1].at - seen[0].at;
    assert!(gap >= Duration::from_millis(1000), "waited only {gap:?}");
}

#[test]
fn a_400_is_not_retried_and_fails_over_to_the_next_candidate() {
    let env = TestEnv::new();
    let a = Server::start(vec![], reply(400, r#"{"error":"bad"}"#));
    let b = Server::start(vec![], reply(200, r#"{"from":"b"}"#));
    register(&env, &[svc("svc-a", &a, 0.9), svc("svc-b", &b, 0.7)]);
    let failover = execute_run(&env, &[]);
    failover.code(0);
    assert_eq!(failover.stdout, r#"{"from":"b"}"#);
    assert_eq!(a.seen().len(), 1, "no retry on 400");
    assert_eq!(b.seen().len(), 1);
    let r = record(&env, 1);
    assert_eq!(statuses(&r["attempts"]), ["svc-a:400", "svc-b:200"]);
    assert_eq!(r["attempts"][0]["result"], "rejected");
    assert_eq!(r["attempts"][0]["next"]["action"], "failover");
    assert_eq!(r["attempts"][0]["next"]["to"], "svc-b");
    // A rejection is not held against the service's health.
    let s = stats(&env, "svc-a");
    assert_eq!(s["rejections"], 1);
    assert_eq!(s["failures"], 0);
    without_timings(&env);
    insta::assert_snapshot!("failover_human", failover);
}

#[test]
fn every_candidate_failing_exits_4_with_the_attempt_table() {
    let env = TestEnv::new();
    let a = Server::start(vec![], reply(500, "down"));
    let b = Server::start(vec![], reply(502, "down"));
    register(&env, &[svc("svc-a", &a, 0.9), svc("svc-b", &b, 0.7)]);
    // The attempt table, then the diagnostic.
    let failed = execute_run(&env, &[]);
    failed.code(4);
    assert_eq!(failed.stdout, "");
    assert_eq!(a.seen().len() + b.seen().len(), 6);
    without_timings(&env);
    insta::assert_snapshot!("every_candidate_failed", failed);

    let (code, doc) = execute_json(&env, &[]);
    assert_eq!(code, 4);
    assert_eq!(doc["execution"]["outcome"], "failed");
    assert_eq!(doc["execution"]["attempts"].as_array().unwrap().len(), 6);
    let r = record(&env, 1);
    assert_eq!(r["execution"]["outcome"], "failed");
    assert_eq!(r["attempts"][5]["next"]["action"], "stop");
}

#[test]
fn a_timeout_is_retried_then_fails_over() {
    let env = TestEnv::new();
    let slow = Server::start(vec![], reply(200, "late").hang());
    let fast = Server::start(vec![], reply(200, r#"{"fast":true}"#));
    let mut a = svc("svc-a", &slow, 0.9);
    a.timeout_ms = 150;
    register(&env, &[a, svc("svc-b", &fast, 0.7)]);
    let (code, doc) = execute_json(&env, &[]);
    assert_eq!(code, 0, "{doc:#}");
    let attempts = &doc["execution"]["attempts"];
    assert_eq!(
        statuses(attempts),
        [
            "svc-a:timeout",
            "svc-a:timeout",
            "svc-a:timeout",
            "svc-b:200"
        ]
    );
    assert!(attempts[0]["latency_ms"].as_f64().unwrap() >= 150.0);
    assert_eq!(attempts[2]["next"]["action"], "failover");
    assert_eq!(doc["execution"]["response"]["body_json"]["fast"], true);
}

#[test]
fn five_failures_open_the_circuit_which_a_later_success_closes() {
    let env = TestEnv::new();
    // a fails six times (two executions), then answers; it scores well
    // enough to stay first while its success rate h drops.
    let a = Server::start(vec![reply(500, "x"); 6], reply(200, r#"{"from":"a"}"#));
    let b = Server::start(vec![], reply(200, r#"{"from":"b"}"#));
    register(&env, &[svc("svc-a", &a, 0.95), svc("svc-b", &b, 0.5)]);

    for _ in 0..2 {
        let (code, stdout, stderr) = execute(&env, &[]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(stdout, r#"{"from":"b"}"#);
    }
    let s = stats(&env, "svc-a");
    assert_eq!(s["circuit"]["state"], "open");
    assert_eq!(s["circuit"]["times_opened"], 1);
    assert_eq!(s["failures"], 6);

    // The next route skips a with circuit-open and calls b directly.
    let (code, doc) = execute_json(&env, &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["service_id"], "svc-b");
    let rejected = doc["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["service_id"] == "svc-a")
        .unwrap()
        .clone();
    assert_eq!(rejected["eligible"], false);
    assert_eq!(rejected["rejections"][0]["stage"], "status");
    assert_eq!(rejected["rejections"][0]["rule"], "circuit-open");
    assert_eq!(statuses(&doc["execution"]["attempts"]), ["svc-b:200"]);
    assert_eq!(a.seen().len(), 6);
    let r = record(&env, 3);
    let snapshot: String = rusqlite::Connection::open(env.home().join("caio.db"))
        .unwrap()
        .query_row(
            "SELECT body FROM trace_objects WHERE hash = ?1",
            [r["objects"]["stats"].as_str().unwrap()],
            |row| row.get(0),
        )
        .unwrap();
    let snapshot: Value = serde_json::from_str(&snapshot).unwrap();
    assert_eq!(
        snapshot["svc-a"]["circuit_open"], true,
        "the snapshot says why"
    );

    // After the open period (moved into the past), a is tried again, and
    // its success closes the circuit.
    let changed = db(&env)
        .execute(
            "UPDATE service_stats SET open_until_ms = ?1 WHERE service_id = 'svc-a'",
            [now_ms() - 1],
        )
        .expect("update");
    assert_eq!(changed, 1);
    assert_eq!(stats(&env, "svc-a")["circuit"]["state"], "half_open");
    let closed = execute_run(&env, &[]);
    closed.code(0);
    assert_eq!(closed.stdout, r#"{"from":"a"}"#);
    assert!(
        closed
            .stderr
            .ends_with("the circuit of svc-a closed again\n"),
        "{closed}"
    );
    let s = stats(&env, "svc-a");
    assert_eq!(s["circuit"]["state"], "closed");
    assert_eq!(s["circuit"]["consecutive_failures"], 0);
    assert_eq!(s["circuit"]["times_opened"], 1);
    // Every route call left one record.
    let (code, _, _) = run(env.caio().args(["trace", "verify"]));
    assert_eq!(code, 0);
    assert_eq!(record(&env, 4)["execution"]["service_id"], "svc-a");
}

/// Opens a service's circuit in the database: opened at `opened_at_ms`,
/// open for another hour.
fn open_circuit(env: &TestEnv, id: &str, opened_at_ms: i64) {
    db(env)
        .execute(
            "INSERT INTO service_stats (service_id, failures, consecutive_failures, ewma_success,
                 times_opened, opened_at_ms, open_until_ms, updated_at)
             VALUES (?1, 5, 5, 0.3, 1, ?2, ?3, 'test')",
            rusqlite::params![id, opened_at_ms, now_ms() + 3_600_000],
        )
        .expect("insert stats");
}

#[test]
fn with_every_circuit_open_the_panic_guard_probes_the_earliest() {
    let env = TestEnv::new();
    let a = Server::start(vec![], reply(200, r#"{"from":"a"}"#));
    let b = Server::start(vec![], reply(200, r#"{"from":"b"}"#));
    register(&env, &[svc("svc-a", &a, 0.9), svc("svc-b", &b, 0.7)]);
    // b's circuit opened first, although a scores better.
    open_circuit(&env, "svc-a", now_ms() - 1_000);
    open_circuit(&env, "svc-b", now_ms() - 5_000);

    // Routing alone says so.
    let request = request_file(&env);
    let routed = env.cmd().arg("route").arg(&request).run();
    routed.code(0);

    let executed = execute_run(&env, &[]);
    executed.code(0);
    assert_eq!(executed.stdout, r#"{"from":"b"}"#);
    assert_eq!(a.seen().len(), 0, "only the probe is tried");
    let r = record(&env, 2);
    assert_eq!(r["decision"]["chosen"][0]["probe"], true);
    // The summary is recomputed from the stored inputs: the same decision.
    let shown = |seq: &str| env.cmd().args(["trace", "show", seq]).run();
    let (first, second) = (shown("1"), shown("2"));
    second.code(0);
    assert!(
        second.stdout.contains("half-open probe of svc-b"),
        "{}",
        second.stdout
    );
    let summary = |out: &str| -> Option<String> {
        out.lines()
            .find(|l| l.contains("half-open probe"))
            .map(str::to_string)
    };
    assert_eq!(
        summary(&second.stdout),
        summary(&first.stdout),
        "the same decision, executed"
    );
    assert_eq!(r["attempts"][0]["probe"], true);
    assert_eq!(stats(&env, "svc-b")["circuit"]["state"], "closed");
    assert_eq!(stats(&env, "svc-a")["circuit"]["state"], "open");
    // The stored inputs reproduce the probe.
    let (code, stdout, _) = run(env.caio().args(["trace", "replay", "2"]));
    assert_eq!(code, 0, "{stdout}");
    // Routing alone says so; executing says the panic guard chose it.
    without_timings(&env);
    insta::assert_snapshot!("panic_guard", transcript([&routed, &executed]));
}

/// h recovers toward its prior with a 15-minute half-life from when it was
/// observed to the decision's time, which the record keeps: a replay later
/// routes at that time and gets the same h, not a more recovered one.
#[test]
fn h_recovers_with_time_and_replay_uses_the_recorded_decision_time() {
    let env = TestEnv::new();
    let server = Server::start(vec![], reply(200, "{}"));
    register(&env, &[svc("svc-a", &server, 0.9)]);
    // Observed at 0.3 one half-life ago: about 0.65 now.
    let observed = now_ms() - 15 * 60 * 1000;
    db(&env)
        .execute(
            "INSERT INTO service_stats (service_id, failures, ewma_success, observed_at_ms, updated_at)
             VALUES ('svc-a', 3, 0.3, ?1, 'test')",
            [observed],
        )
        .expect("insert stats");
    let request = request_file(&env);
    let (code, _, stderr) = run(env.caio().arg("route").arg(&request));
    assert_eq!(code, 0, "{stderr}");
    let r = record(&env, 1);
    let decided = r["decided_at_ms"].as_i64().expect("the decision time");
    // The top candidate's terms: [[places], [q, h, t, c, l, r]], rounded
    // to 9 decimals.
    let h = r["decision"]["steps"][0]["top"][0][1][1].as_f64().unwrap();
    let expected = 1.0 - 0.7 * 2f64.powf(-((decided - observed) as f64) / 900_000.0);
    assert!((h - expected).abs() <= 5e-10, "h {h}, expected {expected}");
    assert!(h > 0.64 && h < 0.66, "{h}");
    // Later, the same record replays identically, and verifies.
    let (code, stdout, _) = run(env.caio().args(["trace", "replay", "1"]));
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("identical"), "{stdout}");
    let (code, stdout, stderr) = run(env.caio().args(["trace", "verify", "--replay"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    // A route without history records no decision time.
    let fresh = TestEnv::new();
    register(&fresh, &[svc("svc-a", &server, 0.9)]);
    let (code, _, stderr) = run(fresh.caio().arg("route").arg(&request));
    assert_eq!(code, 0, "{stderr}");
    assert!(record(&fresh, 1).get("decided_at_ms").is_none());
}

#[test]
fn a_failed_probe_reopens_its_circuit_so_the_next_probe_goes_elsewhere() {
    let env = TestEnv::new();
    let a = Server::start(vec![], reply(200, r#"{"from":"a"}"#));
    let b = Server::start(vec![], reply(503, "still down"));
    register(&env, &[svc("svc-a", &a, 0.9), svc("svc-b", &b, 0.7)]);
    open_circuit(&env, "svc-a", now_ms() - 1_000);
    open_circuit(&env, "svc-b", now_ms() - 5_000);
    let (code, _, stderr) = execute(&env, &[]);
    assert_eq!(code, 4, "{stderr}");
    let s = stats(&env, "svc-b");
    assert_eq!(s["circuit"]["state"], "open");
    assert_eq!(s["circuit"]["times_opened"], 2);
    let (code, stdout, stderr) = execute(&env, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, r#"{"from":"a"}"#);
}

#[test]
fn a_slow_success_beyond_p99_is_a_guarantee_violation() {
    let env = TestEnv::new();
    // 30 ms is far above a declared p99 of 2 ms.
    let server = Server::start(vec![], reply(200, "{}").after(Duration::from_millis(30)));
    let mut a = svc("svc-a", &server, 0.9);
    a.p99 = 2;
    register(&env, &[a]);
    let slow = execute_run(&env, &[]);
    slow.code(0);
    let r = record(&env, 1);
    let v = &r["attempts"][0]["guarantee_violation"];
    assert_eq!(v["guarantee"], "latency_p99_ms");
    assert_eq!(v["declared_ms"], 2.0);
    assert!(v["observed_ms"].as_f64().unwrap() >= 30.0);
    assert_eq!(stats(&env, "svc-a")["guarantee_violations"], 1);
    without_timings(&env);
    insta::assert_snapshot!("slow_success", slow);
}

const SECRET: &str = "tok-CAIO-test-7f3a9c1e";

#[test]
fn the_auth_header_comes_from_the_env_var_and_the_secret_is_stored_nowhere() {
    let env = TestEnv::new();
    let server = Server::start(vec![], reply(200, "{}"));
    let mut a = svc("svc-a", &server, 0.9);
    a.auth = "  auth: { scheme: bearer, env: CAIO_TEST_API_KEY }\n";
    register(&env, &[a]);
    let request = request_file(&env);
    let (code, _, stderr) = run(env
        .caio()
        .env("CAIO_TEST_API_KEY", SECRET)
        .arg("route")
        .arg(&request)
        .arg("--execute"));
    assert_eq!(code, 0, "{stderr}");
    let seen = server.seen();
    assert_eq!(
        seen[0].header("authorization"),
        Some(format!("Bearer {SECRET}").as_str())
    );
    assert!(!stderr.contains(SECRET));

    let (code, export, _) = run(env.caio().args(["trace", "export"]));
    assert_eq!(code, 0);
    assert!(!export.contains(SECRET), "the export holds the secret");
    let line: Value = export
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("JSON lines"))
        .find(|l| l["type"] == "record")
        .expect("one record");
    assert_eq!(
        statuses(&line["record"]["attempts"]),
        ["svc-a:200"],
        "{export}"
    );
    for file in ["caio.db", "caio.db-wal"] {
        let path = env.home().join(file);
        if let Ok(bytes) = std::fs::read(&path) {
            assert!(
                !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
                "{file} holds the secret"
            );
        }
    }
}

/// A candidate whose variable is unset is skipped; when none can be
/// tried, nothing is sent and caio exits 4 naming the variable.
#[test]
fn a_missing_variable_fails_before_any_connection() {
    let env = TestEnv::new();
    let server = Server::start(vec![], reply(200, "{}"));
    let mut a = svc("svc-a", &server, 0.9);
    a.auth = "  auth: { scheme: header, env: CAIO_MISSING_KEY, header: x-api-key }\n";
    register(&env, &[a]);
    let missing = execute_run(&env, &[]);
    missing.code(4);
    assert_eq!(missing.stdout, "");
    assert!(
        missing.stderr.contains("caio::execute::nothing_to_try"),
        "{missing}"
    );
    assert!(
        missing.stderr.contains("secret-missing: CAIO_MISSING_KEY"),
        "{missing}"
    );
    // caio has exited: a request it had sent would have been seen (the
    // server records a request before it answers). Checked again at the end.
    assert_eq!(server.seen().len(), 0, "the server saw a request");
    // The decision is traced, with nothing attempted.
    let r = record(&env, 1);
    assert_eq!(r["execution"]["outcome"], "not_started");
    assert_eq!(
        r["execution"]["reason"],
        "no candidate could be tried: svc-a: secret-missing: CAIO_MISSING_KEY"
    );
    assert_eq!(
        r["execution"]["skipped"],
        json!([{
            "service_id": "svc-a",
            "service_version": "1.0.0",
            "reason": "secret-missing: CAIO_MISSING_KEY",
            "variable": "CAIO_MISSING_KEY"
        }])
    );
    assert!(
        r.get("attempts").is_none(),
        "no attempt, none listed: {r:#}"
    );
    // A file made for --output goes again when nothing was sent.
    let out = env.scratch().join("body.json");
    let (code, _, stderr) = execute(&env, &["--output", out.to_str().unwrap()]);
    assert_eq!(code, 4, "{stderr}");
    assert!(!out.exists(), "no empty output file is left");
    assert_eq!(server.seen().len(), 0, "the server saw a request");
    without_timings(&env);
    insta::assert_snapshot!("missing_variable", missing);
}

/// `FOO=` was reported as "is not set": an empty variable is named as
/// empty (the candidate is skipped), and nothing is sent.
#[test]
fn an_empty_variable_is_reported_as_empty() {
    let env = TestEnv::new();
    let server = Server::start(vec![], reply(200, "{}"));
    let mut a = svc("svc-a", &server, 0.9);
    a.auth = "  auth: { scheme: bearer, env: CAIO_EMPTY_KEY }\n";
    register(&env, &[a]);
    let request = request_file(&env);
    let empty = env
        .cmd()
        .env("CAIO_EMPTY_KEY", "")
        .arg("route")
        .arg(&request)
        .arg("--execute")
        .run();
    empty.code(4);
    assert_eq!(empty.stdout, "");
    // The report, unwrapped.
    let squeezed: String = empty
        .stderr
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        squeezed.contains("secret-unusable: CAIO_EMPTY_KEY (it is set but empty)"),
        "{empty}"
    );
    assert!(!empty.stderr.contains("not set"), "{empty}");
    assert_eq!(server.seen().len(), 0, "the server saw a request");
    assert_eq!(record(&env, 1)["execution"]["outcome"], "not_started");
    without_timings(&env);
    insta::assert_snapshot!("empty_variable", empty);
}

#[test]
fn reset_circuit_closes_it_from_the_command_line() {
    let env = TestEnv::new();
    let a = Server::start(vec![], reply(200, "{}"));
    register(&env, &[svc("svc-a", &a, 0.9)]);
    open_circuit(&env, "svc-a", now_ms());
    let listed = json_of(&env, &["registry", "list"]);
    assert_eq!(listed["services"][0]["stats"]["circuit"]["state"], "open");
    let open = env.run(["registry", "show", "svc-a"]);
    open.code(0);
    let reset = env.run([
        "registry",
        "set-status",
        "svc-a",
        "active",
        "--reset-circuit",
        "--reason",
        "fixed upstream",
    ]);
    reset.code(0);
    let s = stats(&env, "svc-a");
    assert_eq!(s["circuit"]["state"], "closed");
    assert_eq!(s["circuit"]["times_opened"], 0);
    assert_eq!(s["success_rate"], 1.0, "h is back at its prior");
    assert_eq!(s["failures"], 5, "counts stay");
    let history = json_of(&env, &["registry", "history", "svc-a"]);
    let last = history["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (&last["kind"], &last["detail"]),
        (&json!("circuit"), &json!("circuit and h reset (was open)")),
        "{history:#}"
    );
    let closed = env.run(["registry", "show", "svc-a"]);
    closed.code(0);
    without_timings(&env);
    // The circuit of an open one closes an hour from the test's start.
    env.filter(
        r"until \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z",
        "until [an hour from now]",
    );
    insta::assert_snapshot!("reset_circuit", transcript([&open, &reset, &closed]));
}

#[test]
fn chains_batches_and_dry_runs_are_not_executed() {
    let env = TestEnv::new();
    let a = Server::start(vec![], reply(200, "{}"));
    register(&env, &[svc("svc-a", &a, 0.9)]);
    let request = request_file(&env);
    let (code, _, stderr) = run(env
        .caio()
        .arg("route")
        .arg(&request)
        .args(["--execute", "--dry-run"]));
    assert_eq!(code, 2, "{stderr}");
    let chain = env.scratch().join("chain.json");
    std::fs::write(
        &chain,
        r#"{"chain": [{"capability": "chat"}, {"capability": "chat"}]}"#,
    )
    .unwrap();
    let refused = env.cmd().arg("route").arg(&chain).arg("--execute").run();
    refused.code(1);
    assert_eq!(a.seen().len(), 0);
    without_timings(&env);
    insta::assert_snapshot!("chain_not_executed", refused);
}
