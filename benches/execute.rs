//! `cargo bench --bench execute`: what `route --execute` adds on top of the
//! HTTP call itself, against a local server (127.0.0.1, keep-alive) that
//! answers at once — so the numbers are caio's, not the network's.
//!
//! 1. a bare ureq call (one agent, keep-alive): the floor;
//! 2. the gateway alone: `gateway::execute` of a prepared plan (the retry
//!    loop, parsing the OpenAI answer, the attempt record) with the same
//!    ureq transport;
//! 3. caio's whole in-process path per executed request, as `route
//!    --execute` runs it (`app::execute::run`): route in registry mode
//!    (stats loaded), plan (the canonical payload translated to an
//!    `openai-chat` body, the auth header from the environment), execute,
//!    fold the attempt into the stats and append the trace record (one
//!    write transaction); 3b. the same without the call (open, route,
//!    append the record: `caio route` in process), so that 3 − 3b − 1 is
//!    what execution itself adds;
//! 4. end to end: the `caio route --execute` process against `caio route`
//!    (process start, opening the database, TLS-capable agent included).
//!
//! Goal (SPEC §12): (3) − (1) ≤ 1 ms, medians.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)] // a benchmark prints its table and stops on a broken setup
#[allow(dead_code)] // generated_contracts is for the registry benches
mod support;

use caio::app::execute::{self as app, World};
use caio::gateway::execute::{Inputs, PayloadSource, Plan};
use caio::gateway::http::UreqTransport;
use caio::gateway::{self, SystemClock};
use caio_store::home::Home;
use caio_store::router::Router;
use caio_store::{DEFAULT_BUSY_TIMEOUT, Store};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};
use support::{caio_command, fresh_dir, median, ms, run_ok};

const RUNS: usize = 2001;
const PROCESS_RUNS: usize = 101;
const BODY: &str = r#"{"model":"bench-model","messages":[{"role":"user","content":"hello"}]}"#;
const PAYLOAD: &str = r#"{"messages":[{"role":"user","content":"hello"}]}"#;
const REPLY: &str = r#"{"model":"bench-model","choices":[{"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":8,"completion_tokens":1}}"#;

/// Answers every request at once with a small JSON body, keeping
/// connections alive. It runs until the benchmark process ends.
fn start_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            std::thread::spawn(move || serve(conn));
        }
    });
    format!("http://{addr}/v1/chat")
}

fn serve(conn: TcpStream) {
    let _ = conn.set_nodelay(true);
    let Ok(read_half) = conn.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut conn = conn;
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{REPLY}",
        REPLY.len()
    );
    loop {
        let mut len = 0usize;
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
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
        if reader.read_exact(&mut body).is_err() || conn.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

fn caio(home: &Path, args: &[&str], key: bool) -> std::process::Output {
    let mut cmd = caio_command(home);
    cmd.args(args);
    if key {
        cmd.env("BENCH_API_KEY", "bench-key-not-secret");
    }
    run_ok(&mut cmd)
}

/// A home with three `openai-chat` services on the local server (auth from
/// an env var).
fn home(url: &str) -> std::path::PathBuf {
    let home = fresh_dir("execute-home");
    let dir = fresh_dir("execute-contracts");
    for (i, accuracy) in [0.9, 0.8, 0.7].iter().enumerate() {
        let text = format!(
            "apiVersion: caio/v1
service_id: bench-{i}
name: Bench {i}
version: 1.0.0
capabilities: [{{ type: chat }}]
guarantees: {{ latency_ms: {{ p50: 100, p95: 200, p99: 400 }}, availability: 0.999, accuracy: {accuracy} }}
cost: {{ currency: USD, per_request: 0.001, per_1k_input_tokens: 0, per_1k_output_tokens: 0 }}
privacy: {{ hosting: internal, regions: [eu], max_data_class: restricted }}
endpoint: {{ url: {url}, protocol: openai-chat, model: bench-model, timeout_ms: 5000, auth: {{ scheme: bearer, env: BENCH_API_KEY }} }}
"
        );
        std::fs::write(dir.join(format!("bench-{i}.yaml")), text).expect("write contract");
    }
    caio(
        &home,
        &["registry", "add", "-q", dir.to_str().expect("utf-8")],
        false,
    );
    home
}

fn main() {
    let url = start_server();
    let home_dir = home(&url);

    // 1. A bare ureq call.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let bare = median(RUNS, || {
        let mut r = agent
            .post(&url)
            .header("authorization", "Bearer bench-key-not-secret")
            .header("content-type", "application/json")
            .send(BODY)
            .expect("bare call");
        let body = r.body_mut().read_to_vec().expect("body");
        assert_eq!(body.len(), REPLY.len());
    });

    // 1b. The same on a fresh agent: a new connection each time (what a
    // new process pays).
    let cold = median(301, || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut r = agent
            .post(&url)
            .header("authorization", "Bearer bench-key-not-secret")
            .header("content-type", "application/json")
            .send(BODY)
            .expect("bare call");
        let body = r.body_mut().read_to_vec().expect("body");
        assert_eq!(body.len(), REPLY.len());
    });

    // 2. The gateway alone, with a prepared plan.
    let transport = UreqTransport::new();
    let env = |name: &str| {
        (name == "BENCH_API_KEY").then(|| std::ffi::OsString::from("bench-key-not-secret"))
    };
    let home = Home {
        path: home_dir.clone(),
    };
    let store = Store::open(&home, DEFAULT_BUSY_TIMEOUT).expect("store");
    let mut router = Router::registry(store, home.clone()).expect("router");
    let mut request = caio_core::request::Request::for_capability("chat");
    request.payload = Some(serde_json::from_str(PAYLOAD).expect("JSON"));
    let routed = router.route(&request).expect("route");
    let payload = PayloadSource::Json(request.payload.clone().expect("payload"));
    let inputs = Inputs {
        payload: &payload,
        input_file: None,
        expected_output_tokens: 0,
        language: None,
        stream: false,
        raw: false,
        max_cost: None,
        deadline: Duration::from_secs(120),
        started_at: jiff::Timestamp::now(),
    };
    let plan: Plan = gateway::plan(
        &routed.decision,
        &|id| router.contract(id).map_err(caio::Error::from),
        &inputs,
        &env,
    )
    .expect("plan");
    assert_eq!(plan.targets.len(), 3);
    let mut sink = |_: &[u8]| Ok(());
    let gateway_only = median(RUNS, || {
        let e = gateway::execute(&plan, &transport, &SystemClock::start(), &mut sink);
        assert!(e.succeeded());
    });

    // 3. The whole in-process path of one executed request.
    let options = app::Options {
        payload: payload.clone(),
        input_file: None,
        stream: false,
        raw: false,
        deadline: Duration::from_secs(120),
    };
    let clock = SystemClock::start();
    let world = World {
        transport: &transport,
        clock: &clock,
        env: &env,
    };
    let mut seq = 0u64;
    let whole = median(RUNS, || {
        let store = Store::open(&home, DEFAULT_BUSY_TIMEOUT).expect("store");
        let mut router = Router::registry(store, home.clone()).expect("router");
        let routed = router.route(&request).expect("route");
        let done = app::run(&mut router, &request, &routed, &options, &world, &mut sink)
            .expect("executed");
        assert!(done.execution.succeeded());
        seq += 1;
    });

    // 3b. The same without the call: what `caio route` does in process
    // (open, route, append the record), so that 3 − 3b − 1 is what
    // execution itself adds.
    let route_only_in_process = median(RUNS, || {
        let store = Store::open(&home, DEFAULT_BUSY_TIMEOUT).expect("store");
        let mut router = Router::registry(store, home.clone()).expect("router");
        let routed = router.route(&request).expect("route");
        caio::app::route::trace(
            &mut router,
            &[(&request, &routed)],
            false,
            None,
            jiff::Timestamp::now(),
        )
        .expect("traced");
    });

    // 4. End to end: processes.
    let request_file = home_dir.join("request.json");
    std::fs::write(
        &request_file,
        format!(r#"{{"capability": "chat", "payload": {PAYLOAD}}}"#),
    )
    .expect("request");
    let req = request_file.to_str().expect("utf-8");
    // Interleaved, so that drift (WAL growth, the machine) hits both alike.
    let (mut plain, mut executed) = (Vec::new(), Vec::new());
    for i in 0..=PROCESS_RUNS * 2 {
        let execute = i % 2 == 1;
        let start = Instant::now();
        if execute {
            caio(&home_dir, &["route", "-q", req, "--execute"], true);
        } else {
            caio(&home_dir, &["route", "-q", req], true);
        }
        if i > 1 {
            if execute { &mut executed } else { &mut plain }.push(start.elapsed());
        }
    }
    plain.sort();
    executed.sort();
    let route_only = plain[plain.len() / 2];
    let route_execute = executed[executed.len() / 2];

    println!("`route --execute` against a local server that answers at once");
    println!("(medians; {RUNS} runs in process, {PROCESS_RUNS} processes):");
    println!("1. {:>8.3} ms  bare ureq call (keep-alive)", ms(bare));
    println!(
        "   {:>8.3} ms  bare ureq call on a fresh agent (new connection)",
        ms(cold)
    );
    println!(
        "2. {:>8.3} ms  gateway::execute of a prepared plan   (+{:.3} ms over 1)",
        ms(gateway_only),
        ms(gateway_only) - ms(bare)
    );
    println!(
        "3. {:>8.3} ms  open + route + plan + execute + stats + trace   (+{:.3} ms over 1; goal ≤ 1 ms)",
        ms(whole),
        ms(whole) - ms(bare)
    );
    println!(
        "   {:>8.3} ms  open + route + trace, no call (`caio route` in process)   (execution adds {:+.3} ms beyond the call)",
        ms(route_only_in_process),
        ms(whole) - ms(route_only_in_process) - ms(bare)
    );
    println!("4. {:>8.3} ms  `caio route` process", ms(route_only));
    println!(
        "   {:>8.3} ms  `caio route --execute` process   ({:+.3} ms, a new connection included)",
        ms(route_execute),
        ms(route_execute) - ms(route_only),
    );
    println!("   ({seq} executions recorded in process)");
}
