//! Provider protocols against a real OpenAI/Anthropic-compatible server
//! (SPEC §8, issue "Provider protocols for --execute"): the tests run real
//! `caio route --execute` processes against aimock (`@copilotkit/aimock`,
//! pinned in `tests/aimock/package-lock.json`) served by
//! `tests/aimock/server.mjs` on 127.0.0.1, and assert the exact bodies and
//! headers caio sent from the server's raw request log
//! (`GET /__caio/requests`) and aimock's journal (`GET /__aimock/journal`).
//! The wrapper rejects what the real Anthropic API rejects (missing
//! `max_tokens` or `model`, a `system` role in `messages`, unknown keys,
//! no `x-api-key` or `anthropic-version`), so every Anthropic success here
//! is also a body the real API accepts.
//!
//! One server serves the whole test binary (started on first use, gone
//! when the binary exits); each test's contracts send an `x-caio-test`
//! header with a tag of its own, and a test reads back only its own
//! requests. When the npm package is missing, the first test installs it
//! from the lock file (`npm ci`). Without Node.js the tests print a notice
//! and pass; with `CI=true` they fail.

use crate::common::{TestEnv, repo, run, run_json};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

// ---------------------------------------------------------------------------
// The mock server
// ---------------------------------------------------------------------------

/// The running `tests/aimock/server.mjs`. Its stdin is its lifeline: the
/// server exits when the pipe closes, which the operating system does when
/// the test binary exits, however it exits, so nothing is left running.
struct Server {
    url: String,
    /// Kept open (and the child kept) for the binary's lifetime.
    _process: Mutex<(Child, Option<ChildStdin>)>,
}

/// The header that tells the tests' requests apart.
const TAG_HEADER: &str = "x-caio-test";

impl Server {
    /// Installs the pinned package when it is missing, then starts a
    /// server on an ephemeral port of 127.0.0.1; `Err` says why it cannot.
    fn start() -> Result<Server, String> {
        let dir = repo().join("tests/aimock");
        let version = Command::new("node")
            .arg("--version")
            .output()
            .map_err(|e| format!("Node.js is not installed (`node`: {e})"))?;
        if !version.status.success() {
            return Err("`node --version` failed".into());
        }
        if !dir
            .join("node_modules/@copilotkit/aimock/package.json")
            .exists()
        {
            let out = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--prefix"])
                .arg(&dir)
                .output()
                .map_err(|e| {
                    format!("@copilotkit/aimock is not installed and npm cannot run: {e}")
                })?;
            if !out.status.success() {
                return Err(format!(
                    "`npm ci --prefix tests/aimock` failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
        }
        let mut child = Command::new("node")
            .arg(dir.join("server.mjs"))
            .args(["--host", "127.0.0.1", "--port", "0", "--stdin-lifeline"])
            .arg("--fixtures")
            .arg(dir.join("fixtures.json"))
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start node: {e}"))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("server.mjs did not say it was listening within 30 s".into());
            }
        };
        let Some(url) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("server.mjs did not start: {line:?}"));
        };
        Ok(Server {
            url: url.to_string(),
            _process: Mutex::new((child, stdin)),
        })
    }
}

/// One test's view of the shared server.
struct Aimock {
    url: String,
    /// The test's own tag, sent as [`TAG_HEADER`] by its contracts.
    tag: String,
}

impl Aimock {
    fn get(&self, path: &str) -> Value {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut r = agent
            .get(&format!("{}{path}", self.url))
            .call()
            .expect("the mock answers");
        serde_json::from_str(&r.body_mut().read_to_string().expect("body")).expect("JSON")
    }

    /// This test's entries of a log, in order.
    fn mine(&self, path: &str) -> Vec<Value> {
        self.get(path)
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["headers"][TAG_HEADER] == self.tag.as_str())
            .cloned()
            .collect()
    }

    /// What caio sent, in order: `{seq, method, path, headers, body, status}`
    /// with unredacted headers and the body as parsed JSON (multipart:
    /// `{fields, files: [{field, filename, content_type, size, sha256}]}`).
    fn requests(&self) -> Vec<Value> {
        self.mine("/__caio/requests")
    }

    /// aimock's own journal: which fixture answered, interrupted streams.
    fn journal(&self) -> Vec<Value> {
        self.mine("/__aimock/journal")
    }
}

/// The shared server, seen by `test`; `None` (with a notice) where it
/// cannot run; in CI (`CI=true`) a missing server fails the test.
fn mock(test: &str) -> Option<Aimock> {
    static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
    match SERVER.get_or_init(Server::start) {
        Ok(server) => {
            // Short: a long header value would look like a literal secret.
            static TESTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = TESTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Some(Aimock {
                url: server.url.clone(),
                tag: format!("test-{n}"),
            })
        }
        Err(why) if std::env::var("CI").as_deref() == Ok("true") => panic!(
            "{test}: the interoperability tests need aimock: {why}. \
             Install Node.js (>= 20.15) and run `npm ci --prefix tests/aimock`."
        ),
        Err(why) => {
            eprintln!(
                "notice: {test} skipped: {why}; run `npm ci --prefix tests/aimock` to run it"
            );
            None
        }
    }
}

// ---------------------------------------------------------------------------
// Contracts, requests, runs
// ---------------------------------------------------------------------------

const OPENAI_KEY: &str = "sk-test-openai-0001";
const ANTHROPIC_KEY: &str = "sk-ant-test-0002";

/// A service on the mock.
struct Svc<'a> {
    id: &'a str,
    capability: &'a str,
    protocol: &'a str,
    model: &'a str,
    path: &'a str,
    /// `endpoint.auth`, as YAML (empty: none).
    auth: &'a str,
    accuracy: f64,
    p99: u64,
}

fn openai<'a>(id: &'a str, model: &'a str) -> Svc<'a> {
    Svc {
        id,
        capability: "chat",
        protocol: "openai-chat",
        model,
        path: "/v1/chat/completions",
        auth: "{ scheme: bearer, env: CAIO_TEST_OPENAI_KEY }",
        accuracy: 0.8,
        p99: 10_000,
    }
}

fn anthropic<'a>(id: &'a str, model: &'a str) -> Svc<'a> {
    Svc {
        id,
        capability: "chat",
        protocol: "anthropic-messages",
        model,
        path: "/v1/messages",
        auth: "{ scheme: header, header: x-api-key, env: CAIO_TEST_ANTHROPIC_KEY }",
        accuracy: 0.9,
        p99: 10_000,
    }
}

fn contract(s: &Svc<'_>, base: &str, tag: &str) -> String {
    let auth = if s.auth.is_empty() {
        String::new()
    } else {
        format!("  auth: {}\n", s.auth)
    };
    format!(
        "apiVersion: caio/v1
service_id: {id}
name: Test {id}
version: 1.0.0
capabilities: [{{ type: {cap} }}]
guarantees: {{ latency_ms: {{ p50: 100, p95: 1000, p99: {p99} }}, availability: 0.999, accuracy: {acc} }}
cost: {{ currency: USD, per_request: 0.001, per_1k_input_tokens: 0.5, per_1k_output_tokens: 1.5 }}
privacy: {{ hosting: internal, regions: [eu], max_data_class: restricted }}
endpoint:
  url: {base}{path}
  protocol: {protocol}
  model: {model}
  timeout_ms: 10000
  headers: {{ {TAG_HEADER}: {tag} }}
{auth}",
        id = s.id,
        cap = s.capability,
        p99 = s.p99,
        acc = s.accuracy,
        path = s.path,
        protocol = s.protocol,
        model = s.model,
    )
}

/// Registers the services in the test's home.
fn register(env: &TestEnv, mock: &Aimock, services: &[Svc<'_>]) {
    let dir = env.scratch().join("contracts");
    std::fs::create_dir_all(&dir).expect("contracts dir");
    for s in services {
        std::fs::write(
            dir.join(format!("{}.yaml", s.id)),
            contract(s, &mock.url, &mock.tag),
        )
        .expect("write contract");
    }
    let (code, _, stderr) = run(env.caio().args(["registry", "add"]).arg(&dir));
    assert_eq!(code, 0, "{stderr}");
}

/// The canonical chat payload of these tests.
fn chat_payload(text: &str) -> Value {
    json!({
        "system": "be terse",
        "messages": [{ "role": "user", "content": text }],
        "max_tokens": 50, "temperature": 0.2, "top_p": 0.9, "stop": ["\n\n"]
    })
}

fn request(env: &TestEnv, request: Value) -> PathBuf {
    let path = env.scratch().join("request.json");
    std::fs::write(&path, request.to_string()).expect("write request");
    path
}

fn chat_request(env: &TestEnv, text: &str) -> PathBuf {
    request(
        env,
        json!({ "capability": "chat", "payload": chat_payload(text), "seed": 7 }),
    )
}

/// `caio route REQUEST --execute EXTRA…` with both test keys set.
fn execute(env: &TestEnv, req: &PathBuf, extra: &[&str]) -> (i32, String, String) {
    run(env
        .caio()
        .env("CAIO_TEST_OPENAI_KEY", OPENAI_KEY)
        .env("CAIO_TEST_ANTHROPIC_KEY", ANTHROPIC_KEY)
        .arg("route")
        .arg(req)
        .arg("--execute")
        .args(extra))
}

fn execute_json(env: &TestEnv, req: &PathBuf, extra: &[&str]) -> (i32, Value) {
    run_json(
        env.caio()
            .env("CAIO_TEST_OPENAI_KEY", OPENAI_KEY)
            .env("CAIO_TEST_ANTHROPIC_KEY", ANTHROPIC_KEY)
            .args(["--format", "json", "route"])
            .arg(req)
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

/// A miette report as one line: wrapping and frame characters removed.
fn squeeze(text: &str) -> String {
    text.replace(['│', '×'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The paths caio called, in order.
fn paths(requests: &[Value]) -> Vec<String> {
    requests
        .iter()
        .map(|r| r["path"].as_str().unwrap_or("?").to_string())
        .collect()
}

// ---------------------------------------------------------------------------
// OpenAI chat
// ---------------------------------------------------------------------------

#[test]
fn openai_chat_sends_the_translated_body_and_prints_the_text() {
    let Some(mock) = mock("openai_chat_sends_the_translated_body_and_prints_the_text") else {
        return;
    };
    let env = TestEnv::new();
    register(&env, &mock, &[openai("gpt-svc", "gpt-4o-mini")]);
    let req = chat_request(&env, "hello");
    let (code, stdout, stderr) = execute(&env, &req, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "Hi there!\n", "the text, not the body");
    // One status line: service, status, protocol and model, tokens, cost.
    let status: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("executed"))
        .collect();
    assert_eq!(status.len(), 1, "{stderr}");
    assert!(
        status[0].contains("gpt-svc answered 200 in")
            && status[0].contains(
                "· openai-chat gpt-4o-mini · tokens 11 in, 3 out · cost 0.011 USD · finish stop"
            ),
        "{stderr}"
    );

    let sent = mock.requests();
    assert_eq!(paths(&sent), ["/v1/chat/completions"]);
    assert_eq!(
        sent[0]["body"],
        json!({
            "model": "gpt-4o-mini",
            "messages": [{"role": "system", "content": "be terse"}, {"role": "user", "content": "hello"}],
            "max_tokens": 50, "temperature": 0.2, "top_p": 0.9, "stop": ["\n\n"]
        }),
        "exactly the OpenAI body"
    );
    assert_eq!(
        sent[0]["headers"]["authorization"],
        format!("Bearer {OPENAI_KEY}")
    );
    assert_eq!(sent[0]["headers"]["content-type"], "application/json");
    let journal = mock.journal();
    assert_eq!(journal[0]["response"]["status"], 200);
    assert_eq!(
        journal[0]["response"]["fixture"]["match"]["userMessage"],
        "hello"
    );

    // JSON: the normalised result with the decision.
    let (code, doc) = execute_json(&env, &req, &[]);
    assert_eq!(code, 0, "{doc:#}");
    let r = &doc["execution"]["result"];
    assert_eq!(r["text"], "Hi there!");
    assert_eq!(r["finish_reason"], "stop");
    assert_eq!(r["usage"], json!({"input_tokens": 11, "output_tokens": 3}));
    // 0.001 + 11/1000 × 0.5 + 3/1000 × 1.5
    assert!(
        (r["cost_usd"].as_f64().unwrap() - 0.011).abs() < 1e-12,
        "{r}"
    );
    assert_eq!(r["model"], "gpt-4o-mini");
    assert!(r["latency_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(doc["execution"]["protocol"], "openai-chat");
    assert_eq!(doc["service_id"], "gpt-svc", "the decision is there too");
    assert!(
        doc["execution"].get("response").is_none(),
        "no raw body without --raw"
    );

    // The trace: protocol, model, status, latency, tokens, cost.
    let a = &record(&env, 1)["attempts"][0];
    assert_eq!(a["protocol"], "openai-chat");
    assert_eq!(a["model"], "gpt-4o-mini");
    assert_eq!(a["status"], 200);
    assert_eq!(a["usage"], json!({"input_tokens": 11, "output_tokens": 3}));
    assert!((a["cost"].as_f64().unwrap() - 0.011).abs() < 1e-12);
    assert_eq!(a["finish_reason"], "stop");
    // The key never reaches the trace.
    let (_, export, _) = run(env.caio().args(["trace", "export"]));
    assert!(!export.contains(OPENAI_KEY));
}

#[test]
fn openai_chat_streamed_prints_deltas_and_records_time_to_first_token() {
    let Some(mock) = mock("openai_chat_streamed_prints_deltas_and_records_time_to_first_token")
    else {
        return;
    };
    let env = TestEnv::new();
    register(&env, &mock, &[openai("gpt-svc", "gpt-4o-mini")]);
    let req = chat_request(&env, "hello");
    let (code, stdout, stderr) = execute(&env, &req, &["--stream"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "Hi there!\n");
    assert!(stderr.contains("first token"), "{stderr}");
    assert!(
        stderr.contains("tokens 11 in, 3 out"),
        "usage from the stream: {stderr}"
    );
    let sent = mock.requests();
    assert_eq!(
        sent[0]["body"],
        json!({
            "model": "gpt-4o-mini",
            "messages": [{"role": "system", "content": "be terse"}, {"role": "user", "content": "hello"}],
            "max_tokens": 50, "temperature": 0.2, "top_p": 0.9, "stop": ["\n\n"],
            "stream": true, "stream_options": {"include_usage": true}
        })
    );
    assert_eq!(sent[0]["headers"]["accept"], "text/event-stream");
    let r = record(&env, 1);
    assert_eq!(r["execution"]["stream"], true);
    let a = &r["attempts"][0];
    let ttft = a["ttft_ms"].as_f64().expect("time to first token");
    assert!(
        ttft > 0.0 && ttft <= a["latency_ms"].as_f64().unwrap(),
        "{a}"
    );
    assert_eq!(a["delivered_bytes"], 9);

    // JSON Lines: the deltas, then the document.
    let (code, stdout, stderr) = run(env
        .caio()
        .env("CAIO_TEST_OPENAI_KEY", OPENAI_KEY)
        .args(["--format", "json", "route"])
        .arg(&req)
        .args(["--execute", "--stream"]));
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let text: String = lines.iter().filter_map(|l| l["delta"].as_str()).collect();
    assert_eq!(text, "Hi there!");
    let last = lines.last().unwrap();
    assert_eq!(last["execution"]["result"]["text"], "Hi there!");
    assert!(last["execution"]["result"]["ttft_ms"].as_f64().is_some());

    // --raw --stream: the events as the server sent them.
    let (code, stdout, _) = execute(&env, &req, &["--stream", "--raw"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("data: {"), "{stdout}");
    assert!(stdout.trim_end().ends_with("data: [DONE]"), "{stdout}");
}

// ---------------------------------------------------------------------------
// Anthropic messages
// ---------------------------------------------------------------------------

#[test]
fn anthropic_messages_sends_x_api_key_anthropic_version_and_a_body_the_api_accepts() {
    let Some(mock) =
        mock("anthropic_messages_sends_x_api_key_anthropic_version_and_a_body_the_api_accepts")
    else {
        return;
    };
    let env = TestEnv::new();
    register(
        &env,
        &mock,
        &[anthropic("claude-svc", "claude-3-5-haiku-latest")],
    );
    let req = chat_request(&env, "hello");
    let (code, stdout, stderr) = execute(&env, &req, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "Hi there!\n");
    assert!(
        stderr.contains("anthropic-messages claude-3-5-haiku-latest · tokens 11 in, 3 out"),
        "{stderr}"
    );
    let sent = mock.requests();
    assert_eq!(paths(&sent), ["/v1/messages"]);
    assert_eq!(sent[0]["status"], 200, "the validating wrapper accepted it");
    assert_eq!(
        sent[0]["body"],
        json!({
            "model": "claude-3-5-haiku-latest", "system": "be terse",
            "messages": [{"role": "user", "content": "hello"}],
            "max_tokens": 50, "temperature": 0.2, "top_p": 0.9, "stop_sequences": ["\n\n"]
        }),
        "exactly the Anthropic body"
    );
    let headers = &sent[0]["headers"];
    assert_eq!(headers["x-api-key"], ANTHROPIC_KEY);
    assert_eq!(headers["anthropic-version"], "2023-06-01");
    assert!(headers.get("authorization").is_none(), "{headers}");

    // Without max_tokens in the payload, the request's expected output
    // tokens give Anthropic's required max_tokens.
    let req = request(
        &env,
        json!({ "capability": "chat", "input": { "expected_output_tokens": 300 },
                "payload": { "messages": [{ "role": "user", "content": "be long" }] } }),
    );
    let (code, doc) = execute_json(&env, &req, &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        doc["execution"]["result"]["finish_reason"], "length",
        "max_tokens → length"
    );
    let sent = mock.requests();
    assert_eq!(
        sent[1]["body"],
        json!({ "model": "claude-3-5-haiku-latest", "max_tokens": 300,
                "messages": [{"role": "user", "content": "be long"}] })
    );
}

/// The oracle the Anthropic tests rely on: the mock refuses what the real
/// Messages API refuses (aimock alone accepts these bodies), so a body caio
/// got wrong would fail those tests rather than pass them.
#[test]
fn the_mock_rejects_what_the_anthropic_api_rejects() {
    let Some(mock) = mock("the_mock_rejects_what_the_anthropic_api_rejects") else {
        return;
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let post = |body: Value| -> (u16, String) {
        let mut r = agent
            .post(&format!("{}/v1/messages", mock.url))
            .header(TAG_HEADER, &mock.tag)
            .header("x-api-key", ANTHROPIC_KEY)
            .header("anthropic-version", "2023-06-01")
            .header("content-type", "application/json")
            .send(body.to_string().as_bytes())
            .expect("the mock answers");
        (
            r.status().as_u16(),
            r.body_mut().read_to_string().unwrap_or_default(),
        )
    };
    let user = json!([{ "role": "user", "content": "hello" }]);
    for (body, expected) in [
        (
            json!({ "model": "claude-3-5-haiku-latest", "messages": user }),
            "max_tokens: Field required",
        ),
        (
            json!({ "max_tokens": 10, "messages": user }),
            "model: Field required",
        ),
        (
            json!({ "model": "claude-3-5-haiku-latest", "max_tokens": 10,
                    "messages": [{ "role": "system", "content": "be terse" }, { "role": "user", "content": "hello" }] }),
            "Unexpected role \\\"system\\\"",
        ),
        (
            json!({ "model": "claude-3-5-haiku-latest", "max_tokens": 10, "messages": user, "stop": ["x"] }),
            "stop: Extra inputs are not permitted",
        ),
    ] {
        let (status, text) = post(body);
        assert_eq!(status, 400, "{text}");
        assert!(text.contains("invalid_request_error"), "{text}");
        assert!(text.contains(expected), "{expected}: {text}");
    }
    let (status, text) =
        post(json!({ "model": "claude-3-5-haiku-latest", "max_tokens": 10, "messages": user }));
    assert_eq!(status, 200, "{text}");
}

#[test]
fn anthropic_messages_streamed_prints_deltas() {
    let Some(mock) = mock("anthropic_messages_streamed_prints_deltas") else {
        return;
    };
    let env = TestEnv::new();
    register(
        &env,
        &mock,
        &[anthropic("claude-svc", "claude-3-5-haiku-latest")],
    );
    let req = chat_request(&env, "hello");
    let (code, stdout, stderr) = execute(&env, &req, &["--stream"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "Hi there!\n");
    assert!(stderr.contains("tokens 11 in, 3 out"), "{stderr}");
    let sent = mock.requests();
    assert_eq!(sent[0]["status"], 200);
    assert_eq!(sent[0]["body"]["stream"], true);
    assert!(
        sent[0]["body"].get("stream_options").is_none(),
        "not an Anthropic key"
    );
    assert_eq!(sent[0]["headers"]["anthropic-version"], "2023-06-01");
    let a = &record(&env, 1)["attempts"][0];
    assert!(a["ttft_ms"].as_f64().is_some());
    assert_eq!(a["finish_reason"], "stop");
}

// ---------------------------------------------------------------------------
// Embeddings and transcription
// ---------------------------------------------------------------------------

#[test]
fn embeddings_send_the_input_list_and_return_the_vectors() {
    let Some(mock) = mock("embeddings_send_the_input_list_and_return_the_vectors") else {
        return;
    };
    let env = TestEnv::new();
    let svc = Svc {
        id: "embed-svc",
        capability: "embedding",
        protocol: "openai-embeddings",
        model: "text-embedding-3-small",
        path: "/v1/embeddings",
        ..openai("x", "y")
    };
    register(&env, &mock, &[svc]);
    let req = request(
        &env,
        json!({ "capability": "embedding", "payload": { "input": ["embed me", "embed me too"] } }),
    );
    let (code, stdout, stderr) = execute(&env, &req, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("2 vectors of 3 dimensions"), "{stdout}");
    let sent = mock.requests();
    assert_eq!(paths(&sent), ["/v1/embeddings"]);
    assert_eq!(
        sent[0]["body"],
        json!({"model": "text-embedding-3-small", "input": ["embed me", "embed me too"]})
    );
    let (code, doc) = execute_json(&env, &req, &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        doc["execution"]["result"]["embeddings"],
        json!([[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]])
    );
    // --output writes the vectors as JSON.
    let out = env.scratch().join("vectors.json");
    let (code, stdout, _) = execute(&env, &req, &["--output", out.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(stdout, "");
    let written: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(written, json!([[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]]));

    // A chat payload cannot be embedded: an error before anything is sent.
    let chat = chat_request(&env, "hello");
    let before = mock.requests().len();
    let request_again = std::fs::read_to_string(&chat)
        .unwrap()
        .replace("\"chat\"", "\"embedding\"");
    std::fs::write(&chat, request_again).unwrap();
    let (code, _, stderr) = execute(&env, &chat, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("caio::execute::payload_unsupported"),
        "{stderr}"
    );
    assert!(
        squeeze(&stderr).contains("an embeddings request takes only `input`"),
        "{stderr}"
    );
    assert_eq!(mock.requests().len(), before, "nothing was sent");
}

#[test]
fn transcription_uploads_the_input_file_as_multipart() {
    let Some(mock) = mock("transcription_uploads_the_input_file_as_multipart") else {
        return;
    };
    let env = TestEnv::new();
    let svc = Svc {
        id: "stt-svc",
        capability: "speech_to_text",
        protocol: "openai-transcription",
        model: "whisper-1",
        path: "/v1/audio/transcriptions",
        ..openai("x", "y")
    };
    register(&env, &mock, &[svc]);
    let audio = env.scratch().join("meeting.wav");
    let bytes: Vec<u8> = b"RIFF\x24\x00\x00\x00WAVEfmt "
        .iter()
        .copied()
        .chain((0..=255u8).cycle().take(4000))
        .collect();
    std::fs::write(&audio, &bytes).unwrap();
    let req = request(
        &env,
        json!({ "capability": "speech_to_text", "input": { "modalities": ["audio"], "language": "de" } }),
    );
    let (code, stdout, stderr) = execute(&env, &req, &["--input-file", audio.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "hello from the audio\n");
    let sent = mock.requests();
    assert_eq!(paths(&sent), ["/v1/audio/transcriptions"]);
    assert!(
        sent[0]["headers"]["content-type"]
            .as_str()
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
    assert_eq!(
        sent[0]["headers"]["authorization"],
        format!("Bearer {OPENAI_KEY}")
    );
    use sha2::Digest;
    let sha = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    assert_eq!(
        sent[0]["body"],
        json!({
            "fields": { "model": "whisper-1", "language": "de" },
            "files": [{ "field": "file", "filename": "meeting.wav", "content_type": "audio/wav",
                        "size": bytes.len(), "sha256": sha }]
        })
    );
    // Without the file, nothing is sent.
    let (code, _, stderr) = execute(&env, &req, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("--input-file"), "{stderr}");
    assert_eq!(mock.requests().len(), 1);
}

// ---------------------------------------------------------------------------
// Failover, skipped secrets, provider errors, 429, broken streams
// ---------------------------------------------------------------------------

#[test]
fn failover_from_an_overloaded_anthropic_service_to_an_openai_one() {
    let Some(mock) = mock("failover_from_an_overloaded_anthropic_service_to_an_openai_one") else {
        return;
    };
    let env = TestEnv::new();
    register(
        &env,
        &mock,
        &[
            anthropic("claude-svc", "claude-overloaded"),
            openai("gpt-svc", "gpt-4o-mini"),
        ],
    );
    let req = chat_request(&env, "hello");
    let (code, stdout, stderr) = execute(&env, &req, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "Hi there!\n", "the OpenAI service answered");
    assert!(
        stderr.contains(
            "claude-svc gave up after 3 attempts: HTTP 529: Overloaded (overloaded_error)"
        ),
        "the provider's message is shown: {stderr}"
    );
    assert!(stderr.contains("failover to gpt-svc"), "{stderr}");
    let sent = mock.requests();
    assert_eq!(
        paths(&sent),
        [
            "/v1/messages",
            "/v1/messages",
            "/v1/messages",
            "/v1/chat/completions"
        ],
        "529 is transient: three attempts, then the next provider"
    );
    // The same canonical payload, in each provider's shape.
    assert_eq!(sent[0]["body"]["system"], "be terse");
    assert_eq!(sent[0]["body"]["stop_sequences"], json!(["\n\n"]));
    assert_eq!(
        sent[3]["body"]["messages"][0],
        json!({"role": "system", "content": "be terse"})
    );
    assert_eq!(sent[3]["body"]["stop"], json!(["\n\n"]));
    let r = record(&env, 1);
    let attempts = r["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 4);
    assert_eq!(attempts[0]["protocol"], "anthropic-messages");
    assert_eq!(attempts[0]["status"], 529);
    assert_eq!(
        attempts[0]["provider_error"],
        json!({"message": "Overloaded", "type": "overloaded_error"})
    );
    assert_eq!(attempts[2]["next"]["action"], "failover");
    assert_eq!(attempts[3]["protocol"], "openai-chat");
    assert_eq!(r["execution"]["service_id"], "gpt-svc");
    // trace show lists the execution with every attempt.
    let (code, shown, _) = run(env.caio().args(["trace", "show", "1"]));
    assert_eq!(code, 0);
    assert!(shown.contains("· execution succeeded ·"), "{shown}");
    assert!(
        shown.contains("execution   succeeded: gpt-svc answered · 4 attempts"),
        "{shown}"
    );
    assert!(
        shown.contains("error     claude-svc attempt 1: Overloaded (overloaded_error)"),
        "{shown}"
    );
    assert!(shown.contains("TOKENS"), "{shown}");
}

#[test]
fn a_missing_secret_is_skipped_and_traced_and_nothing_to_try_exits_4() {
    let Some(mock) = mock("a_missing_secret_is_skipped_and_traced_and_nothing_to_try_exits_4")
    else {
        return;
    };
    let env = TestEnv::new();
    register(
        &env,
        &mock,
        &[
            anthropic("claude-svc", "claude-3-5-haiku-latest"),
            openai("gpt-svc", "gpt-4o-mini"),
        ],
    );
    let req = chat_request(&env, "hello");
    // Only the OpenAI key is set: the better-scored Anthropic service is skipped.
    let (code, stdout, stderr) = run(env
        .caio()
        .env("CAIO_TEST_OPENAI_KEY", OPENAI_KEY)
        .arg("route")
        .arg(&req)
        .arg("--execute"));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "Hi there!\n");
    assert!(
        stderr.contains("skipped claude-svc: secret-missing: CAIO_TEST_ANTHROPIC_KEY"),
        "{stderr}"
    );
    assert_eq!(paths(&mock.requests()), ["/v1/chat/completions"]);
    let r = record(&env, 1);
    assert_eq!(r["decision"]["chosen"][0]["service_id"], "claude-svc");
    assert_eq!(
        r["execution"]["skipped"],
        json!([{ "service_id": "claude-svc", "service_version": "1.0.0",
                 "reason": "secret-missing: CAIO_TEST_ANTHROPIC_KEY",
                 "variable": "CAIO_TEST_ANTHROPIC_KEY" }])
    );
    let (_, shown, _) = run(env.caio().args(["trace", "show", "1"]));
    assert!(
        shown.contains("skipped   claude-svc: secret-missing: CAIO_TEST_ANTHROPIC_KEY"),
        "{shown}"
    );

    // No key at all: nothing could be tried; exit 4 names every variable.
    let (code, stdout, stderr) = run(env.caio().arg("route").arg(&req).arg("--execute"));
    assert_eq!(code, 4, "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("caio::execute::nothing_to_try"), "{stderr}");
    let squeezed = squeeze(&stderr);
    assert!(
        squeezed.contains("claude-svc: secret-missing: CAIO_TEST_ANTHROPIC_KEY"),
        "{stderr}"
    );
    assert!(
        squeezed.contains("gpt-svc: secret-missing: CAIO_TEST_OPENAI_KEY"),
        "{stderr}"
    );
    assert_eq!(mock.requests().len(), 1, "nothing more was sent");
    let r = record(&env, 2);
    assert_eq!(r["execution"]["outcome"], "not_started");
    assert_eq!(r["execution"]["skipped"].as_array().unwrap().len(), 2);
    let listed = json_of(&env, &["trace", "list"]);
    assert_eq!(listed["records"][0]["execution"], "not_started");
    assert_eq!(listed["records"][1]["execution"], "succeeded");
    let (_, table, _) = run(env.caio().args(["trace", "list"]));
    assert!(table.contains("EXECUTION"), "{table}");
    assert!(table.contains("not started"), "{table}");
}

#[test]
fn a_provider_error_is_shown_and_traced_escaped_and_masked() {
    let Some(mock) = mock("a_provider_error_is_shown_and_traced_escaped_and_masked") else {
        return;
    };
    let env = TestEnv::new();
    register(&env, &mock, &[openai("gpt-svc", "gpt-gone")]);
    let req = chat_request(&env, "hello");
    let (code, stdout, stderr) = execute(&env, &req, &[]);
    assert_eq!(code, 4, "{stderr}");
    assert_eq!(stdout, "");
    assert!(
        stderr.contains(
            "HTTP 404 is not retried: The model `gpt-gone` does not exist or you do not have access to it. (invalid_request_error, model_not_found)"
        ),
        "{stderr}"
    );
    assert_eq!(mock.requests().len(), 1, "a 404 is not retried");
    let a = &record(&env, 1)["attempts"][0];
    assert_eq!(a["status"], 404);
    assert_eq!(a["result"], "rejected");
    assert_eq!(a["provider_error"]["code"], "model_not_found");

    // A 400 from the fixture, the same way.
    let env = TestEnv::new();
    register(&env, &mock, &[openai("gpt-svc", "gpt-4o-mini")]);
    let req = chat_request(&env, "trigger-400");
    let (code, _, stderr) = execute(&env, &req, &[]);
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains("bad request from fixture (invalid_request_error)"),
        "{stderr}"
    );

    // A message that echoes a key and carries control characters: the key
    // is masked, the characters escaped, on the terminal and in the trace.
    let env = TestEnv::new();
    register(&env, &mock, &[openai("gpt-svc", "gpt-leaky")]);
    let req = chat_request(&env, "hello");
    let (code, _, stderr) = execute(&env, &req, &[]);
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains(
            "HTTP 401 is not retried: Incorrect API key provided: sk-****. \\u{1b}[31mFind your API key\\nat https://platform.openai.com/account/api-keys. (invalid_request_error, invalid_api_key)"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("abcdefghij"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
    let (_, export, _) = run(env.caio().args(["trace", "export"]));
    assert!(!export.contains("abcdefghij"));
    let pe = &record(&env, 1)["attempts"][0]["provider_error"];
    assert!(
        pe["message"]
            .as_str()
            .unwrap()
            .starts_with("Incorrect API key provided: sk-****."),
        "{pe}"
    );

    // Anthropic's own refusal: a contract without the key header.
    let env = TestEnv::new();
    let mut bare = anthropic("claude-svc", "claude-3-5-haiku-latest");
    bare.auth = "";
    register(&env, &mock, &[bare]);
    let req = chat_request(&env, "hello");
    let (code, _, stderr) = execute(&env, &req, &[]);
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains(
            "HTTP 401 is not retried: x-api-key header is required (authentication_error)"
        ),
        "{stderr}"
    );
}

/// A provider that echoes the key it got in its error: the key, whatever
/// its shape, never reaches the terminal, the JSON document, the trace or
/// the database; it did reach the provider.
#[test]
fn a_key_the_provider_echoes_is_masked_everywhere() {
    let Some(mock) = mock("a_key_the_provider_echoes_is_masked_everywhere") else {
        return;
    };
    // Not shaped like a key: only knowing what was sent can mask them.
    const CLAUDE: &str = "letmein-claude-2026";
    const GPT: &str = "letmein-gpt-2026";
    let env = TestEnv::new();
    register(
        &env,
        &mock,
        &[
            anthropic("claude-svc", "claude-echo-key"),
            openai("gpt-svc", "gpt-echo-key"),
        ],
    );
    let req = chat_request(&env, "hello");
    let caio = |args: &[&str]| {
        let (code, stdout, stderr) = run(env
            .caio()
            .env("CAIO_TEST_ANTHROPIC_KEY", CLAUDE)
            .env("CAIO_TEST_OPENAI_KEY", GPT)
            .args(args));
        (code, format!("{stdout}{stderr}"))
    };
    let req = req.to_str().unwrap();
    let mut seen = String::new();
    for args in [
        &["route", req, "--execute"][..],
        &["-v", "route", req, "--execute", "--stream"],
        &["--format", "json", "route", req, "--execute"],
    ] {
        let (code, out) = caio(args);
        assert_eq!(code, 4, "{out}");
        seen.push_str(&out);
    }
    assert!(
        seen.contains("Incorrect API key provided: ****. (authentication_error, invalid_api_key)"),
        "{seen}"
    );
    for args in [
        &["trace", "show", "1"][..],
        &["--format", "json", "trace", "show", "2"],
        &["trace", "export"],
        &["registry", "show", "gpt-svc"],
    ] {
        let (code, out) = caio(args);
        assert_eq!(code, 0, "{out}");
        seen.push_str(&out);
    }
    assert!(seen.contains("error     claude-svc attempt 1: Incorrect API key provided: ****."));
    for file in ["caio.db", "caio.db-wal"] {
        if let Ok(bytes) = std::fs::read(env.home().join(file)) {
            seen.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    for key in [CLAUDE, GPT] {
        assert!(!seen.contains(key), "{key} leaked:\n{seen}");
    }
    // The keys were sent, each to its own provider.
    let sent = mock.requests();
    assert_eq!(sent[0]["headers"]["x-api-key"], CLAUDE);
    assert_eq!(sent[1]["headers"]["authorization"], format!("Bearer {GPT}"));
}

#[test]
fn a_429_with_retry_after_is_honoured() {
    let Some(mock) = mock("a_429_with_retry_after_is_honoured") else {
        return;
    };
    let env = TestEnv::new();
    register(&env, &mock, &[openai("gpt-svc", "gpt-4o-mini")]);
    let req = chat_request(&env, "rate me");
    let (code, doc) = execute_json(&env, &req, &[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["execution"]["result"]["text"], "Thanks for waiting.");
    let attempts = &doc["execution"]["attempts"];
    assert_eq!(attempts[0]["status"], 429);
    assert_eq!(attempts[0]["next"]["action"], "retry");
    assert_eq!(attempts[0]["next"]["after_ms"], 1000, "Retry-After: 1");
    assert_eq!(attempts[0]["provider_error"]["type"], "rate_limit_error");
    assert_eq!(attempts[1]["status"], 200);
    let journal = mock.journal();
    assert_eq!(journal.len(), 2);
    let gap = journal[1]["timestamp"].as_i64().unwrap() - journal[0]["timestamp"].as_i64().unwrap();
    assert!(gap >= 1000, "waited only {gap} ms");
}

#[test]
fn a_stream_cut_after_the_first_bytes_ends_with_exit_4_and_no_failover() {
    let Some(mock) = mock("a_stream_cut_after_the_first_bytes_ends_with_exit_4_and_no_failover")
    else {
        return;
    };
    let env = TestEnv::new();
    register(
        &env,
        &mock,
        &[openai("gpt-svc", "gpt-4o-mini"), {
            let mut b = openai("gpt-backup", "gpt-4o-mini");
            b.accuracy = 0.5;
            b
        }],
    );
    let req = chat_request(&env, "break the stream");
    let (code, stdout, stderr) = execute(&env, &req, &["--stream"]);
    assert_eq!(code, 4, "{stderr}");
    assert!(!stdout.is_empty(), "the first delta was printed");
    assert!(
        "This answer is cut off".starts_with(stdout.trim_end()),
        "{stdout:?}"
    );
    assert!(stderr.contains("the stream broke after"), "{stderr}");
    assert!(stderr.contains("delivered"), "{stderr}");
    assert_eq!(mock.requests().len(), 1, "no failover once bytes are out");
    let journal = mock.journal();
    assert_eq!(journal[0]["response"]["interrupted"], true);
    let r = record(&env, 1);
    assert_eq!(r["execution"]["outcome"], "failed");
    assert_eq!(r["attempts"][0]["next"]["action"], "stop");
    assert_eq!(r["attempts"][0]["delivered_bytes"], stdout.trim_end().len());

    // Cut before any text: nothing reached stdout, so caio retries and
    // fails over.
    let req = chat_request(&env, "cut before text");
    let (code, stdout, stderr) = execute(&env, &req, &["--stream"]);
    assert_eq!(code, 4, "{stderr}");
    assert_eq!(stdout, "");
    assert_eq!(
        paths(&mock.requests()).len(),
        1 + 6,
        "three attempts on each service: {stderr}"
    );
}

// ---------------------------------------------------------------------------
// Guarantees, spend, --raw and --output
// ---------------------------------------------------------------------------

#[test]
fn cost_above_max_cost_is_a_violation_and_spend_adds_up() {
    let Some(mock) = mock("cost_above_max_cost_is_a_violation_and_spend_adds_up") else {
        return;
    };
    let env = TestEnv::new();
    register(&env, &mock, &[openai("gpt-svc", "gpt-4o-mini")]);
    // The estimate (no tokens declared) is the per-request price, which
    // fits; the actual usage costs 0.011.
    let req = request(
        &env,
        json!({ "capability": "chat", "requirements": { "max_cost": 0.005 },
                "payload": chat_payload("hello") }),
    );
    for _ in 0..2 {
        let (code, _, stderr) = execute(&env, &req, &[]);
        assert_eq!(code, 0, "{stderr}");
        assert!(
            stderr.contains(
                "guarantee: gpt-svc attempt 1 cost 0.011, above the request's max_cost of 0.005"
            ),
            "{stderr}"
        );
    }
    let a = &record(&env, 1)["attempts"][0];
    assert_eq!(a["cost_violation"]["max_cost"], 0.005);
    assert!((a["cost_violation"]["cost"].as_f64().unwrap() - 0.011).abs() < 1e-12);
    let stats = json_of(&env, &["registry", "show", "gpt-svc"])["stats"].clone();
    assert_eq!(stats["guarantee_violations"], 2);
    assert!(
        (stats["spend"].as_f64().unwrap() - 0.022).abs() < 1e-12,
        "{stats}"
    );
    let (_, shown, _) = run(env.caio().args(["registry", "show", "gpt-svc"]));
    assert!(shown.contains("spend"), "{shown}");
    assert!(shown.contains("0.022"), "{shown}");
}

#[test]
fn raw_prints_the_provider_body_and_output_writes_the_text() {
    let Some(mock) = mock("raw_prints_the_provider_body_and_output_writes_the_text") else {
        return;
    };
    let env = TestEnv::new();
    register(
        &env,
        &mock,
        &[anthropic("claude-svc", "claude-3-5-haiku-latest")],
    );
    let req = chat_request(&env, "hello");
    let (code, stdout, stderr) = execute(&env, &req, &["--raw"]);
    assert_eq!(code, 0, "{stderr}");
    let body: Value = serde_json::from_str(&stdout).expect("the provider's JSON");
    assert_eq!(body["type"], "message");
    assert_eq!(body["content"][0]["text"], "Hi there!");
    let out = env.scratch().join("answer.txt");
    let (code, stdout, stderr) = execute(&env, &req, &["--output", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "Hi there!");
    assert!(stderr.contains("written to"), "{stderr}");
}

// ---------------------------------------------------------------------------
// The README's example
// ---------------------------------------------------------------------------

/// The README's failover example, as a user runs it from a fresh clone
/// (with the port the test's server got instead of 4010).
#[test]
fn the_readme_failover_example_routes_and_executes_across_two_providers() {
    let Some(mock) = mock("the_readme_failover_example_routes_and_executes_across_two_providers")
    else {
        return;
    };
    let env = TestEnv::new();
    let dir = env.scratch().join("mock-contracts");
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(repo().join("fixtures/mock/contracts")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("http://127.0.0.1:4010", &mock.url)
            .replace(
                "endpoint:\n",
                &format!("endpoint:\n  headers: {{ {TAG_HEADER}: {} }}\n", mock.tag),
            );
        std::fs::write(dir.join(path.file_name().unwrap()), text).unwrap();
    }
    let home = env.scratch().join("demo-home");
    let (code, stdout, stderr) = run(env
        .caio()
        .env("ANTHROPIC_API_KEY", "test-key")
        .env("OPENAI_API_KEY", "test-key")
        .arg("route")
        .arg(repo().join("fixtures/mock/chat.json"))
        .arg("--contracts")
        .arg(&dir)
        .arg("--home")
        .arg(&home)
        .arg("--execute"));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "Hi there!\n");
    assert!(
        stderr.contains("claude-via-mock gave up after 3 attempts"),
        "{stderr}"
    );
    assert!(
        stderr.contains("executed    gpt-via-mock answered 200"),
        "{stderr}"
    );
    assert_eq!(
        paths(&mock.requests()),
        [
            "/v1/messages",
            "/v1/messages",
            "/v1/messages",
            "/v1/chat/completions"
        ]
    );
    let (code, shown, _) = run(env
        .caio()
        .arg("--home")
        .arg(&home)
        .args(["trace", "show", "1"]));
    assert_eq!(code, 0);
    assert!(
        shown.contains("execution   succeeded: gpt-via-mock answered"),
        "{shown}"
    );
}

// ---------------------------------------------------------------------------
// Faults aimock cannot make: hand-written servers
// ---------------------------------------------------------------------------

/// A server on 127.0.0.1 that reads each request and hands the connection
/// to `behave`; counts the requests.
struct RawServer {
    url: String,
    hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl RawServer {
    fn start(behave: fn(&mut std::net::TcpStream)) -> RawServer {
        use std::io::Read;
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = std::sync::Arc::clone(&hits);
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let counter = std::sync::Arc::clone(&counter);
                std::thread::spawn(move || {
                    let mut conn = conn;
                    let Ok(clone) = conn.try_clone() else { return };
                    let mut reader = BufReader::new(clone);
                    let mut len = 0usize;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let l = line.trim_end();
                        if l.is_empty() {
                            break;
                        }
                        if let Some((k, v)) = l.split_once(':')
                            && k.eq_ignore_ascii_case("content-length")
                        {
                            len = v.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; len];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    counter.fetch_add(1, Ordering::SeqCst);
                    behave(&mut conn);
                });
            }
        });
        RawServer { url, hits }
    }

    fn hits(&self) -> usize {
        self.hits.load(std::sync::atomic::Ordering::SeqCst)
    }
}

fn answer_ok(conn: &mut std::net::TcpStream) {
    use std::io::Write;
    let body = r#"{"model":"m","choices":[{"message":{"content":"fine"},"finish_reason":"stop"}],"usage":{"prompt_tokens":2,"completion_tokens":1}}"#;
    let _ = write!(
        conn,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// Two openai-chat services: `primary` (scored first) and `backup`.
fn fault_pair(env: &TestEnv, primary: &RawServer, backup: &RawServer, timeout_ms: u64) {
    let dir = env.scratch().join("contracts");
    std::fs::create_dir_all(&dir).unwrap();
    for (id, server, accuracy) in [("primary", primary, 0.9), ("backup", backup, 0.5)] {
        let svc = Svc {
            accuracy,
            auth: "",
            ..openai(id, "gpt-4o-mini")
        };
        let text = contract(&svc, &server.url, "fault")
            .replace("timeout_ms: 10000", &format!("timeout_ms: {timeout_ms}"));
        std::fs::write(dir.join(format!("{id}.yaml")), text).unwrap();
    }
    let (code, _, stderr) = run(env.caio().args(["registry", "add"]).arg(&dir));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_connection_reset_before_the_answer_is_retried_then_failed_over() {
    let env = TestEnv::new();
    let reset = RawServer::start(|conn| {
        let _ = conn.shutdown(std::net::Shutdown::Both);
    });
    let backup = RawServer::start(answer_ok);
    fault_pair(&env, &reset, &backup, 5_000);
    let req = chat_request(&env, "hello");
    let (code, stdout, stderr) = execute(&env, &req, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "fine\n");
    assert_eq!(
        reset.hits(),
        3,
        "a broken connection is transient: {stderr}"
    );
    let r = record(&env, 1);
    assert_eq!(r["attempts"][0]["error"], "network");
    assert_eq!(r["attempts"][2]["next"]["action"], "failover");
}

#[test]
fn a_body_over_64_mib_fails_over_without_a_retry() {
    let env = TestEnv::new();
    let huge = RawServer::start(|conn| {
        use std::io::Write;
        let _ = write!(
            conn,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 80000000\r\n\r\n"
        );
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..80 {
            if conn.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let backup = RawServer::start(answer_ok);
    fault_pair(&env, &huge, &backup, 20_000);
    let req = chat_request(&env, "hello");
    let (code, stdout, stderr) = execute(&env, &req, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "fine\n");
    assert_eq!(huge.hits(), 1, "too large is not retried");
    let a = &record(&env, 1)["attempts"][0];
    assert_eq!(a["error"], "too_large");
    assert_eq!(a["result"], "failed");
}

#[test]
fn a_body_that_ends_early_is_retried() {
    let env = TestEnv::new();
    let cut = RawServer::start(|conn| {
        use std::io::Write;
        let _ = write!(
            conn,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{{\"choices\":"
        );
        let _ = conn.shutdown(std::net::Shutdown::Both);
    });
    let backup = RawServer::start(answer_ok);
    fault_pair(&env, &cut, &backup, 5_000);
    let req = chat_request(&env, "hello");
    let (code, stdout, stderr) = execute(&env, &req, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "fine\n");
    assert_eq!(cut.hits(), 3, "{stderr}");
    assert_eq!(record(&env, 1)["attempts"][0]["result"], "transient");
}

#[test]
fn a_stream_that_hangs_after_its_first_delta_ends_at_the_timeout() {
    let env = TestEnv::new();
    let hang = RawServer::start(|conn| {
        use std::io::Write;
        let _ = write!(
            conn,
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
        );
        let event = "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n";
        let _ = write!(conn, "{:x}\r\n{event}\r\n", event.len());
        let _ = conn.flush();
        // Nothing more: the connection stays open until caio gives up.
        let _ = std::io::copy(conn, &mut std::io::sink());
    });
    let backup = RawServer::start(answer_ok);
    fault_pair(&env, &hang, &backup, 700);
    let req = chat_request(&env, "hello");
    let (code, stdout, stderr) = execute(&env, &req, &["--stream"]);
    assert_eq!(code, 4, "{stderr}");
    assert_eq!(stdout, "Hel\n", "the delta came out at once");
    assert!(
        stderr.contains("the stream broke after 3 bytes"),
        "{stderr}"
    );
    assert_eq!(backup.hits(), 0, "no failover once bytes are out");
    let a = &record(&env, 1)["attempts"][0];
    assert_eq!(a["error"], "timeout");
    assert_eq!(a["delivered_bytes"], 3);
}
