//! `cargo bench --bench fleet`: the fleet store (SPEC §15) next to SQLite,
//! in one run, on the same machine, as medians.
//!
//! A PostgreSQL server is started for the run as the tests start theirs
//! (`tests/cli/pg_server.rs`: initdb in a temporary directory, 127.0.0.1,
//! SCRAM password, TLS), then set back to PostgreSQL's durable defaults
//! (`fsync`, `full_page_writes` and `synchronous_commit` on: every commit
//! waits for its WAL flush, where SQLite in WAL mode with
//! `synchronous=NORMAL` does not).
//!
//! 1. `caio route` end to end (process start, connect or open, load the
//!    candidates, route, append the trace record, print) on the shipped
//!    registry and on 1,000 services with the shipped policies: SQLite, then
//!    PostgreSQL over TLS (the default `sslmode=prefer`), then PostgreSQL
//!    without TLS;
//! 2. `caio route --batch` of 10,000 request lines, traces on (goal on
//!    PostgreSQL ≥ 10,000 decisions/s), against the shipped registry and
//!    against 1,000 services: SQLite, then PostgreSQL;
//! 3. in process, the store alone: appending 10,240 prepared trace records
//!    (real decisions, their objects included) in chunks of 256, one
//!    transaction each, as `route --batch` does: SQLite, then PostgreSQL.
//!
//! PostgreSQL is measured as configured for durability, and again with
//! `synchronous_commit=off` for the session (the URL's `options`), which
//! like SQLite's `synchronous=NORMAL` may lose the last commits in a crash
//! of the server's machine but never corrupts.
//!
//! Sections can be picked: `cargo bench --bench fleet -- route batch append`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)] // a benchmark prints its table and stops on a broken setup

#[allow(dead_code)] // caio_command: this bench clears the environment
mod support;

#[allow(dead_code)]
#[path = "../tests/cli/pg_server.rs"]
mod pg_server;

use pg_server::PgServer;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{batch_lines, fresh_dir, generated_contracts, median, ms, run_ok};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `caio` with a home, and a database URL when given.
fn caio(home: &Path, url: Option<&str>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_caio"));
    cmd.env_clear()
        .env("CAIO_HOME", home)
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .env("LANG", "C.UTF-8");
    if let Some(url) = url {
        cmd.env("CAIO_DATABASE_URL", url);
    }
    cmd
}

/// A store with the contracts of `dir` and the shipped policies.
fn fill(home: &Path, url: Option<&str>, contracts: &Path) {
    run_ok(
        caio(home, url)
            .args(["registry", "add", "-q"])
            .arg(contracts),
    );
    run_ok(
        caio(home, url)
            .args(["policy", "apply", "-q"])
            .arg(root().join("policies")),
    );
}

const REQUEST: &str = r#"{"capability": "chat", "input": {"tokens": 1200, "expected_output_tokens": 400, "language": "en"}, "data": {"class": "internal"}, "preferences": {"priority": "balanced", "prefer_tags": ["eu"]}}"#;

/// The places a bench runs against: the name, and the URL (`None`: SQLite).
struct Targets {
    server: PgServer,
}

impl Targets {
    fn start() -> Targets {
        let server = PgServer::dedicated().expect("a PostgreSQL server for the bench");
        let admin = server.url("postgres");
        let mut client = server.client(&admin);
        // One statement at a time: ALTER SYSTEM refuses a transaction block.
        for sql in [
            "ALTER SYSTEM SET fsync = on",
            "ALTER SYSTEM SET full_page_writes = on",
            "ALTER SYSTEM SET synchronous_commit = on",
            "SELECT pg_reload_conf()",
        ] {
            client.batch_execute(sql).expect("durable settings");
        }
        Targets { server }
    }

    /// A fresh database: its URL over TLS, without TLS, and over TLS with
    /// `synchronous_commit=off`.
    fn database(&self) -> (String, String, String) {
        let url = self.server.create_database();
        let plain = format!("{url}?sslmode=disable");
        let relaxed = format!("{url}?options=-c%20synchronous_commit%3Doff");
        (url, plain, relaxed)
    }
}

fn bench_route(targets: &Targets) {
    const RUNS: usize = 21;
    let scratch = fresh_dir("fleet-request");
    let request = scratch.join("request.json");
    std::fs::write(&request, REQUEST).expect("write request");
    println!("1. `caio route` end to end, shipped policies applied ({RUNS} runs, median):");
    for (label, contracts, generated) in [
        (
            "shipped registry (18 services)",
            root().join("contracts"),
            false,
        ),
        (
            "1,000 services",
            generated_contracts(1_000, "fleet-contracts"),
            true,
        ),
    ] {
        let sqlite_home = fresh_dir(&format!("fleet-sqlite-{generated}"));
        fill(&sqlite_home, None, &contracts);
        let pg_home = fresh_dir(&format!("fleet-pg-{generated}"));
        let (url, plain, relaxed) = targets.database();
        fill(&pg_home, Some(&url), &contracts);
        let route = |home: &Path, url: Option<&str>| {
            median(RUNS, || {
                run_ok(
                    caio(home, url)
                        .args(["route", "--format", "json"])
                        .arg(&request)
                        .stdout(Stdio::null()),
                );
            })
        };
        let sqlite = route(&sqlite_home, None);
        let tls = route(&pg_home, Some(&url));
        let no_tls = route(&pg_home, Some(&plain));
        let asynchronous = route(&pg_home, Some(&relaxed));
        println!(
            "   {label:<32} SQLite {:>5.1} ms | PostgreSQL: TLS {:>5.1} ms, no TLS {:>5.1} ms, TLS + synchronous_commit=off {:>5.1} ms",
            ms(sqlite),
            ms(tls),
            ms(no_tls),
            ms(asynchronous)
        );
        let _ = std::fs::remove_dir_all(&sqlite_home);
        let _ = std::fs::remove_dir_all(&pg_home);
        if generated {
            let _ = std::fs::remove_dir_all(&contracts);
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

/// One batch, its output read as it streams; the wall time.
fn run_batch(home: &Path, url: Option<&str>, file: &Path, lines: usize) -> Duration {
    use std::io::Read;
    let start = Instant::now();
    let mut child = caio(home, url)
        .args(["route", "--batch"])
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run caio");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut buf = vec![0u8; 1 << 20];
    let mut seen = 0;
    loop {
        let n = stdout.read(&mut buf).expect("read stdout");
        if n == 0 {
            break;
        }
        seen += buf[..n].iter().filter(|b| **b == b'\n').count();
    }
    let out = child.wait_with_output().expect("wait for caio");
    let elapsed = start.elapsed();
    assert!(
        out.status.success(),
        "caio route --batch failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(seen, lines);
    elapsed
}

fn bench_batch(targets: &Targets) {
    const LINES: usize = 10_000;
    const RUNS: usize = 3;
    let scratch: PathBuf = fresh_dir("fleet-batch");
    let file = scratch.join("batch.jsonl");
    std::fs::write(&file, batch_lines(LINES)).expect("write batch");
    println!("2. `caio route --batch`, {LINES} lines, traces on ({RUNS} runs, median):");
    for (label, contracts, generated) in [
        (
            "shipped registry (18 services)",
            root().join("contracts"),
            false,
        ),
        (
            "1,000 services",
            generated_contracts(1_000, "fleet-batch-contracts"),
            true,
        ),
    ] {
        let sqlite_home = fresh_dir("fleet-batch-sqlite");
        fill(&sqlite_home, None, &contracts);
        let pg_home = fresh_dir("fleet-batch-pg");
        let (url, _, relaxed) = targets.database();
        fill(&pg_home, Some(&url), &contracts);
        let mut cells = Vec::new();
        for (name, home, url) in [
            ("SQLite", &sqlite_home, None),
            ("PostgreSQL (TLS)", &pg_home, Some(url.as_str())),
            (
                "PostgreSQL (TLS, synchronous_commit=off)",
                &pg_home,
                Some(relaxed.as_str()),
            ),
        ] {
            let mut times: Vec<Duration> = (0..RUNS)
                .map(|_| run_batch(home, url, &file, LINES))
                .collect();
            times.sort();
            let t = times[RUNS / 2];
            cells.push(format!("{name} {:.0}/s", LINES as f64 / t.as_secs_f64()));
        }
        println!("   {label:<32} {}", cells.join(" | "));
        for dir in [&sqlite_home, &pg_home] {
            let _ = std::fs::remove_dir_all(dir);
        }
        if generated {
            let _ = std::fs::remove_dir_all(&contracts);
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

/// The store alone: prepared records appended in chunks, as a batch does.
fn bench_append(targets: &Targets) {
    use caio_store::home::Home;
    use caio_store::router::Router;
    use caio_store::{Database, Store, StoreOptions};
    const CHUNK: usize = 256;
    const CHUNKS: usize = 40;
    const RUNS: usize = 3;
    println!(
        "3. in process, appending {} prepared records in chunks of {CHUNK} ({RUNS} runs, median):",
        CHUNK * CHUNKS
    );
    let lines = batch_lines(CHUNK * CHUNKS);
    let at = caio_core::time::timestamp(jiff::Timestamp::now());
    let mut cells = Vec::new();
    let (url, _, relaxed) = targets.database();
    for (name, url) in [
        ("SQLite", None),
        ("PostgreSQL (TLS)", Some(url)),
        ("PostgreSQL (TLS, synchronous_commit=off)", Some(relaxed)),
    ] {
        let home_dir = fresh_dir("fleet-append");
        let home = Home {
            path: home_dir.clone(),
        };
        let options = StoreOptions {
            database: match &url {
                None => Database::Home,
                Some(u) => Database::Postgres(u.parse().expect("a URL")),
            },
            busy_timeout: Duration::from_secs(30),
        };
        if url.is_none() || name.contains("TLS)") {
            fill(&home_dir, url.as_deref(), &root().join("contracts"));
        }
        let store = Store::open_with(&home, &options).expect("open the store");
        let mut router = Router::registry(store, home.clone()).expect("a router");
        let prepared: Vec<caio_core::trace::Prepared> = lines
            .lines()
            .map(|line| {
                let request = caio_core::request::parse("line", line).expect("a request");
                let routed = router.route(&request).expect("routed");
                let (record, objects) = caio_core::trace::record_with(
                    &request,
                    &routed,
                    at.clone(),
                    None,
                    router.policies_object(),
                )
                .expect("a record");
                caio_core::trace::Prepared::new(&record, objects).expect("canonical")
            })
            .collect();
        let store = router.store_mut().expect("a store");
        let mut times: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                for chunk in prepared.chunks(CHUNK) {
                    store.append_traces(chunk, &[]).expect("append");
                }
                start.elapsed()
            })
            .collect();
        times.sort();
        let t = times[RUNS / 2];
        cells.push(format!(
            "{name} {:.0} records/s",
            prepared.len() as f64 / t.as_secs_f64()
        ));
        let _ = std::fs::remove_dir_all(&home_dir);
    }
    println!("   {}", cells.join(" | "));
}

fn main() {
    let picked: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wants = |s: &str| picked.is_empty() || picked.iter().any(|p| p == s);
    let targets = Targets::start();
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!(
            "load average at the start: {}",
            load.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    if wants("route") {
        bench_route(&targets);
    }
    if wants("batch") {
        bench_batch(&targets);
    }
    if wants("append") {
        bench_append(&targets);
    }
}
