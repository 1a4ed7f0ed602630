//! The fleet store on PostgreSQL (SPEC §15), against a real server
//! ([`PgServer`]): every command prints what it prints on SQLite; appends
//! from many processes of many homes form one gap-free chain; stats and
//! circuits are shared; `store migrate` copies a home, verifies the copy and
//! refuses a non-empty target; the schema migrates step by step and a newer
//! one is refused; a server restart or a lost connection during an append
//! leaves nothing half-written; the TLS modes check what they promise; the
//! password is never printed.

use crate::common::TestEnv;
use crate::pg_server::PgServer;
use caio_store::pg::{DatabaseUrl, MIGRATIONS, POSTGRES_ONLY, SCHEMA_VERSION};
use caio_store::{Database, Store, StoreOptions};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A fresh database on the shared server: the server and the URL.
fn database() -> Option<(&'static PgServer, String)> {
    let server = PgServer::shared()?;
    let url = server.create_database();
    Some((server, url))
}

/// What caio shows for `url`: without the password.
fn shown(url: &str) -> String {
    DatabaseUrl::parse(url).unwrap().to_string()
}

/// `caio ARGS…` against the database `url` (`None`: the home's SQLite).
fn caio(env: &TestEnv, url: Option<&str>, args: &[&str]) -> crate::common::Run {
    let mut cmd = env.cmd();
    if let Some(url) = url {
        cmd = cmd.env_hidden("CAIO_DATABASE_URL", url);
    }
    cmd.args(args).run()
}

/// A transcript in a form that compares a SQLite run with a PostgreSQL one:
/// the database's location is `[DB]`; hex strings (hashes, decision and
/// licence ids: they hash times or random bytes), long decimal fractions
/// (scores that depend on the time) and base64 blobs (keys, signatures) are
/// placeholders; and whitespace is collapsed, since a
/// location of another length wraps a diagnostic's lines elsewhere.
fn comparable(text: &str, locations: &[String]) -> String {
    let mut t = text.to_string();
    for l in locations {
        t = t.replace(l.as_str(), "[DB]");
    }
    let envelope = regex::Regex::new(r"caio-(lic|rev)-v1\.[A-Za-z0-9._-]+").unwrap();
    let t = envelope
        .replace_all(&t, "caio-$1-v1.[envelope]")
        .into_owned();
    let retired = regex::Regex::new(r"retired-\d{8}T\d{6}Z").unwrap();
    let t = retired.replace_all(&t, "retired-[time]").into_owned();
    let hex = regex::Regex::new(r"[0-9a-f]{10,64}").unwrap();
    let b64 = regex::Regex::new(r"[A-Za-z0-9+/]{40,}={0,2}").unwrap();
    let t = hex.replace_all(&t, "[hex]");
    // A score that depends on when it was computed (h recovering since its
    // last observation), as a record rounds it to 9 decimals.
    let fraction = regex::Regex::new(r"\.[0-9]{7,9}\b").unwrap();
    let t = fraction.replace_all(&t, ".[digits]");
    let t = b64.replace_all(&t, "[b64]");
    t.split_whitespace()
        .filter(|w| !["│", "╭", "╰", "·"].contains(w))
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" $ caio", "\n$ caio")
}

/// `text` with miette's frame removed and whitespace collapsed, to look
/// for words a diagnostic may have wrapped.
fn flat(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| !["│", "×", "╭", "╰"].contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Panics with the first place where the two transcripts differ.
#[track_caller]
fn assert_same(sqlite: &str, postgres: &str) {
    if sqlite == postgres {
        return;
    }
    let (a, b): (Vec<&str>, Vec<&str>) = (sqlite.lines().collect(), postgres.lines().collect());
    let at = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    panic!(
        "SQLite and PostgreSQL differ at command {at}:\n  sqlite:   {}\n  postgres: {}",
        a.get(at).unwrap_or(&"(nothing)"),
        b.get(at).unwrap_or(&"(nothing)")
    );
}

/// Attempts to fold into the stats, as `route --execute` records them.
fn attempts(service: &str, results: &[&str]) -> Vec<caio_core::attempt::Attempt> {
    results
        .iter()
        .enumerate()
        .map(|(i, result)| {
            serde_json::from_value(json!({
                "service_id": service,
                "service_version": "1.1.0",
                "attempt": i % 3 + 1,
                "status": if *result == "success" { 200 } else { 503 },
                "result": result,
                "started_ms": 0.0,
                "latency_ms": 100.0 + i as f64,
                "next": {"action": "done"},
            }))
            .unwrap()
        })
        .collect()
}

fn store_options(url: Option<&str>) -> StoreOptions {
    StoreOptions {
        database: match url {
            None => Database::Home,
            Some(url) => Database::Postgres(DatabaseUrl::parse(url).unwrap()),
        },
        busy_timeout: Duration::from_secs(30),
    }
}

fn home_of(env: &TestEnv) -> caio_store::home::Home {
    caio_store::home::Home { path: env.home() }
}

/// The same commands, every command that reads or writes the store, on
/// the home's SQLite file and on PostgreSQL: the same outputs and exit
/// codes (up to the database's name, and values that are random or hash
/// the time).
#[test]
fn every_command_prints_on_postgresql_what_it_prints_on_sqlite() {
    let Some((_, url)) = database() else {
        return;
    };
    let vendor = TestEnv::new();
    vendor
        .cmd()
        .args(["license", "keygen", "--out"])
        .arg(vendor.scratch().join("v"))
        .run()
        .code(0);
    let vendor_dir = vendor.scratch().join("v");
    let sqlite = TestEnv::new();
    let postgres = TestEnv::new();
    let a = scenario(&sqlite, None, &vendor_dir);
    let b = scenario(&postgres, Some(&url), &vendor_dir);
    let sqlite_db = format!("{}", sqlite.home().join("caio.db").display());
    let a = comparable(&a, &[sqlite_db, "[HOME]/caio.db".into()]);
    let b = comparable(&b, &[shown(&url)]);
    assert!(a.lines().count() > 60, "{a}");
    assert_same(&a, &b);
}

/// Runs every store command once; returns the transcript.
fn scenario(env: &TestEnv, url: Option<&str>, vendor: &Path) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut step = |args: &[&str], code: i32| -> String {
        let run = caio(env, url, args);
        assert_eq!(run.code, code, "{run}");
        let stdout = run.stdout.clone();
        out.push(run.to_string());
        stdout
    };
    step(&["registry", "add", "contracts"], 0);
    step(&["registry", "add", "contracts"], 0);
    step(&["registry", "list"], 0);
    step(
        &[
            "registry",
            "list",
            "--capability",
            "chat",
            "--format",
            "json",
        ],
        0,
    );
    step(&["registry", "show", "mistral-large-eu"], 0);
    step(
        &[
            "registry",
            "set-status",
            "mistral-large-eu",
            "degraded",
            "--reason",
            "5xx",
        ],
        0,
    );
    step(&["registry", "history", "mistral-large-eu"], 0);
    step(&["registry", "remove", "openai-dall-e-3"], 0);
    step(&["registry", "show", "openai-dall-e-3"], 1);
    step(
        &["registry", "show", "openai-dall-e-3", "--version", "9.9.9"],
        1,
    );
    step(&["registry", "show", "mistral-large"], 1);
    step(
        &["registry", "history", "openai-dall-e-3", "--format", "json"],
        0,
    );
    let ana = step(
        &[
            "--format",
            "json",
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
        0,
    );
    let ana: Value = serde_json::from_str(&ana).unwrap();
    let bob = step(
        &[
            "--format",
            "json",
            "principal",
            "add",
            "bob",
            "--roles",
            "analyst",
            "--trust",
            "low",
        ],
        0,
    );
    let bob: Value = serde_json::from_str(&bob).unwrap();
    step(&["principal", "add", "ana", "--trust", "low"], 1);
    step(&["principal", "revoke", "bob"], 0);
    step(&["principal", "revoke", "bob"], 0);
    step(&["principal", "revoke", "carol"], 1);
    step(&["principal", "list"], 0);
    step(&["policy", "apply", "policies"], 0);
    step(&["policy", "apply", "policies"], 0);
    step(&["policy", "show"], 0);
    step(&["route", "fixtures/requests/chat-balanced.json"], 0);
    step(
        &[
            "route",
            "fixtures/requests/chat-eu-confidential-pii.json",
            "--explain",
        ],
        3,
    );
    step(
        &["route", "fixtures/requests/no-route-restricted-us.json"],
        3,
    );
    let tokens = env.scratch();
    std::fs::write(tokens.join("ana"), ana["token"].as_str().unwrap()).unwrap();
    std::fs::write(tokens.join("bob"), bob["token"].as_str().unwrap()).unwrap();
    #[cfg(unix)]
    for name in ["ana", "bob"] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tokens.join(name), std::fs::Permissions::from_mode(0o600))
            .unwrap();
    }
    let ana_file = tokens.join("ana").display().to_string();
    let bob_file = tokens.join("bob").display().to_string();
    step(
        &[
            "route",
            "fixtures/requests/chat-restricted-hr.json",
            "--token-file",
            &ana_file,
        ],
        0,
    );
    step(
        &[
            "route",
            "fixtures/requests/chat-balanced.json",
            "--token-file",
            &bob_file,
        ],
        1,
    );
    let batch = env.scratch().join("batch.jsonl");
    let request: Value = serde_json::from_str(
        &std::fs::read_to_string("fixtures/requests/chat-balanced.json").unwrap(),
    )
    .unwrap();
    let mut lines = String::new();
    for i in 0..5 {
        let mut r = request.clone();
        r["request_id"] = json!(format!("batch-{i}"));
        lines.push_str(&format!("{r}\n"));
    }
    lines.push_str("not json\n");
    std::fs::write(&batch, lines).unwrap();
    step(&["route", "--batch", batch.to_str().unwrap()], 1);
    step(
        &[
            "route",
            "fixtures/requests/embedding-eu-multilingual.json",
            "--contracts",
            "contracts",
            "--policies",
            "policies",
        ],
        0,
    );
    // Executions elsewhere fold into the stats; the circuit opens.
    {
        let mut store = Store::open_with(&home_of(env), &store_options(url)).unwrap();
        let fails = attempts("openai-gpt-4o-mini", &["transient"; 5]);
        let at = jiff::Timestamp::now();
        let changes = store.record_attempts(&fails, at).unwrap();
        assert_eq!(changes.len(), 1, "{changes:?}");
        let h = store.health("openai-gpt-4o-mini").unwrap().unwrap();
        assert_eq!(h.failures, 5);
    }
    step(&["route", "fixtures/requests/chat-balanced.json"], 0);
    step(
        &[
            "registry",
            "set-status",
            "openai-gpt-4o-mini",
            "active",
            "--reset-circuit",
        ],
        0,
    );
    step(&["trace", "list"], 0);
    step(&["trace", "list", "--outcome", "routed", "--limit", "2"], 0);
    step(
        &[
            "trace",
            "list",
            "--service",
            "openai-gpt-4o-mini",
            "--format",
            "json",
        ],
        0,
    );
    step(&["trace", "show", "1"], 0);
    step(&["trace", "show", "2"], 0);
    step(&["--format", "json", "trace", "show", "4"], 0);
    step(&["trace", "show", "99"], 1);
    step(&["trace", "replay", "1"], 0);
    step(&["trace", "replay", "11"], 0);
    step(&["trace", "verify"], 0);
    step(&["trace", "checkpoint"], 0);
    step(&["trace", "verify", "--replay"], 0);
    step(&["trace", "export"], 0);
    step(&["trace", "rekey"], 0);
    step(&["trace", "checkpoint"], 0);
    step(&["trace", "verify", "--from", "3"], 0);
    // Licences: the vendor side, then the customer side.
    let key = vendor.join("vendor.key").display().to_string();
    let public = vendor.join("vendor.pub").display().to_string();
    let issued = step(
        &[
            "--format",
            "json",
            "license",
            "issue",
            "--key",
            &key,
            "--customer",
            "Acme",
            "--features",
            "route,execute",
            "--expires",
            "2099-01-01",
        ],
        0,
    );
    let issued: Value = serde_json::from_str(&issued).unwrap();
    let license = issued["license"].as_str().unwrap();
    let id = issued["claims"]["id"].as_str().unwrap();
    step(
        &[
            "license",
            "issue",
            "--key",
            &key,
            "--customer",
            "Globex",
            "--features",
            "route",
            "--expires",
            "2098-06-30",
        ],
        0,
    );
    step(&["license", "list"], 0);
    step(&["license", "list", "--customer", "acme"], 0);
    step(&["license", "list", "--expiring-within", "30d"], 0);
    step(&["license", "trust", &public], 0);
    step(&["license", "install", license], 0);
    step(&["license", "status"], 0);
    step(&["route", "fixtures/requests/chat-balanced.json"], 0);
    step(&["license", "revoke", &id[..10], "--reason", "test"], 0);
    step(&["license", "revoke", id, "--reason", "again"], 0);
    step(&["license", "revoke", "ffffffffff", "--reason", "none"], 1);
    let list = step(
        &["--format", "json", "license", "revocations", "--key", &key],
        0,
    );
    let list: Value = serde_json::from_str(&list).unwrap();
    let revocations = env.scratch().join("revocations.caio");
    std::fs::write(&revocations, list["revocation_list"].as_str().unwrap()).unwrap();
    step(
        &[
            "license",
            "install",
            "--revocations",
            revocations.to_str().unwrap(),
        ],
        0,
    );
    step(&["license", "status"], 0);
    step(&["route", "fixtures/requests/chat-balanced.json"], 1);
    step(&["license", "list", "--status", "revoked"], 0);
    let trusted = issued["claims"]["key_id"].as_str().unwrap();
    step(&["license", "untrust", trusted], 0);
    step(&["route", "fixtures/requests/chat-balanced.json"], 0);
    step(&["trace", "verify", "--replay"], 0);
    // Outcomes, audit queries, SLO, metrics and retention (last: an
    // outcome changes h, which then recovers with the clock).
    step(
        &[
            "trace",
            "outcome",
            "1",
            "--status",
            "ok",
            "--latency-ms",
            "250",
            "--input-tokens",
            "100",
        ],
        0,
    );
    step(
        &[
            "trace",
            "outcome",
            "1",
            "--status",
            "ok",
            "--latency-ms",
            "1",
        ],
        1,
    );
    let listed = step(
        &["--format", "json", "trace", "list", "--outcome", "routed"],
        0,
    );
    let listed: Value = serde_json::from_str(&listed).unwrap();
    let other = listed["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["seq"] != 1
                && r["execution"].is_null()
                && !r["services"].as_str().unwrap().contains(',')
        })
        .unwrap()["decision_id"]
        .clone();
    let outcomes = env.scratch().join("outcomes.jsonl");
    std::fs::write(
        &outcomes,
        format!(
            "{}\n{{\"nope\": 1}}\n",
            json!({"decision_id": other, "status": "error", "error": "timeout"})
        ),
    )
    .unwrap();
    step(
        &["trace", "outcome", "--batch", outcomes.to_str().unwrap()],
        1,
    );
    step(&["trace", "list", "--executed", "ok"], 0);
    step(
        &["trace", "list", "--executed", "failed", "--format", "json"],
        0,
    );
    step(
        &[
            "trace",
            "list",
            "--rule",
            "eu-residency",
            "--tenant",
            "acme",
        ],
        0,
    );
    step(&["trace", "stats", "--by", "rule"], 0);
    step(
        &[
            "--format",
            "json",
            "trace",
            "stats",
            "--by",
            "outcome",
            "--since",
            "2020-01-01",
        ],
        0,
    );
    step(&["slo", "--service", "openai-gpt-4o-mini"], 0);
    let metrics = caio(env, url, &["metrics"]);
    assert_eq!(metrics.code, 0, "{metrics}");
    assert!(
        metrics
            .stdout
            .contains("caio_outcomes_reported_total{result=\"failure\"} 1"),
        "{metrics}"
    );
    step(&["trace", "checkpoint"], 0);
    let archive = env.scratch().join("archive.jsonl");
    step(
        &[
            "trace",
            "prune",
            "--through",
            "5",
            "--archive",
            archive.to_str().unwrap(),
        ],
        0,
    );
    step(
        &["trace", "verify", "--archive", archive.to_str().unwrap()],
        0,
    );
    step(&["trace", "verify"], 0);
    step(&["trace", "list", "--limit", "3"], 0);
    out.join("\n")
}

/// Two homes ("hosts") with three processes each append to one chain at
/// once: every seq from 1 to the total exactly once, each process's chunk
/// contiguous (one transaction), and the chain verifies from both homes.
#[test]
fn six_processes_on_two_hosts_append_to_one_gap_free_chain() {
    let Some((_, url)) = database() else {
        return;
    };
    let hosts = [TestEnv::new(), TestEnv::new()];
    caio(&hosts[0], Some(&url), &["registry", "add", "contracts"]).code(0);
    let request: Value = serde_json::from_str(
        &std::fs::read_to_string("fixtures/requests/chat-balanced.json").unwrap(),
    )
    .unwrap();
    const LINES: usize = 300;
    let mut children: Vec<(usize, Child)> = Vec::new();
    for p in 0..6 {
        let host = &hosts[p % 2];
        let file = host.scratch().join(format!("batch-{p}.jsonl"));
        let mut text = String::new();
        for i in 0..LINES {
            let mut r = request.clone();
            r["request_id"] = json!(format!("p{p}-{i}"));
            text.push_str(&format!("{r}\n"));
        }
        std::fs::write(&file, text).unwrap();
        let child = raw_caio(host, &url)
            .args(["route", "--batch"])
            .arg(&file)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        children.push((p, child));
    }
    let mut seqs: BTreeSet<i64> = BTreeSet::new();
    for (p, child) in children {
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "process {p}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mine: Vec<i64> = stdout
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["trace"]["seq"]
                    .as_i64()
                    .unwrap()
            })
            .collect();
        assert_eq!(mine.len(), LINES, "process {p}");
        // A batch chunk (64 lines) is one transaction: its seqs are consecutive.
        for chunk in mine.chunks(64) {
            assert!(
                chunk.windows(2).all(|w| w[1] == w[0] + 1),
                "process {p}: a chunk was interleaved: {chunk:?}"
            );
        }
        for s in mine {
            assert!(seqs.insert(s), "seq {s} handed out twice");
        }
    }
    let total = (6 * LINES) as i64;
    assert_eq!(
        seqs,
        (1..=total).collect::<BTreeSet<i64>>(),
        "no gap, no duplicate"
    );
    for host in &hosts {
        let run = caio(host, Some(&url), &["--format", "json", "trace", "verify"]);
        assert_eq!(run.code, 0, "{run}");
        let report = run.json();
        assert_eq!(report["valid"], true);
        assert_eq!(report["records"], total);
    }
    let server = PgServer::shared().unwrap();
    let mut client = server.client(&url);
    let row = client
        .query_one(
            "SELECT count(*), count(DISTINCT decision_id), min(seq), max(seq) FROM traces",
            &[],
        )
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), total);
    assert_eq!(row.get::<_, i64>(1), total);
    assert_eq!((row.get::<_, i64>(2), row.get::<_, i64>(3)), (1, total));
}

/// A `caio` process of `host` on the fleet database, not waited for.
fn raw_caio(host: &TestEnv, url: &str) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("caio"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .env("CAIO_HOME", host.home())
        .env("HOME", host.home().parent().unwrap())
        .env("CAIO_DATABASE_URL", url)
        .env("CAIO_BUSY_TIMEOUT_MS", "60000")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80");
    cmd
}

/// Stats are shared: executions recorded from several connections at once
/// all count (each fold is one transaction holding the row).
#[test]
fn stats_folded_from_many_hosts_at_once_all_count() {
    let Some((_, url)) = database() else {
        return;
    };
    let hosts: Vec<TestEnv> = (0..4).map(|_| TestEnv::new()).collect();
    std::thread::scope(|s| {
        for host in &hosts {
            let url = url.as_str();
            s.spawn(move || {
                let mut store =
                    Store::open_with(&home_of(host), &store_options(Some(url))).unwrap();
                for _ in 0..10 {
                    store
                        .record_attempts(
                            &attempts("svc", &["success", "success", "transient"]),
                            jiff::Timestamp::now(),
                        )
                        .unwrap();
                }
            });
        }
    });
    let store = Store::open_with(&home_of(&hosts[0]), &store_options(Some(&url))).unwrap();
    let h = store.health("svc").unwrap().unwrap();
    assert_eq!((h.successes, h.failures), (80, 40));
    assert_eq!(h.circuit.consecutive_failures, 1);
}

/// `store migrate` copies a home with every kind of state; the copy reads
/// back as the home does (the export byte for byte: hashes unchanged), the
/// chain goes on from there, and a second copy into it is refused.
#[test]
fn store_migrate_copies_a_home_and_refuses_a_non_empty_target() {
    let Some((server, url)) = database() else {
        return;
    };
    let env = TestEnv::new();
    let sqlite_db = env.home().join("caio.db").display().to_string();
    let vendor = env.scratch().join("vendor");
    for args in [
        &["registry", "add", "contracts"][..],
        &[
            "registry",
            "set-status",
            "mistral-large-eu",
            "drained",
            "--reason",
            "maintenance",
        ],
        &["registry", "remove", "openai-dall-e-3"],
        &[
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
        &["policy", "apply", "policies"],
        &["route", "fixtures/requests/chat-balanced.json"],
        &["route", "fixtures/requests/no-route-restricted-us.json"],
        &[
            "route",
            "fixtures/requests/embedding-eu-multilingual.json",
            "--contracts",
            "contracts",
        ],
        &["trace", "checkpoint"],
        &["route", "fixtures/requests/chat-eu-confidential-pii.json"],
    ] {
        let run = caio(&env, None, args);
        assert!(run.code == 0 || run.code == 3, "{run}");
    }
    caio(
        &env,
        None,
        &["license", "keygen", "--out", vendor.to_str().unwrap()],
    )
    .code(0);
    let key = vendor.join("vendor.key").display().to_string();
    let issued = caio(
        &env,
        None,
        &[
            "--format",
            "json",
            "license",
            "issue",
            "--key",
            &key,
            "--customer",
            "Acme",
            "--features",
            "route",
            "--expires",
            "2099-01-01",
        ],
    );
    let id = issued.json()["claims"]["id"].as_str().unwrap().to_string();
    caio(&env, None, &["license", "revoke", &id, "--reason", "test"]).code(0);
    caio(&env, None, &["license", "revocations", "--key", &key]).code(0);
    {
        let mut store = Store::open(&home_of(&env), Duration::from_secs(5)).unwrap();
        store
            .record_attempts(
                &attempts("openai-gpt-4o-mini", &["success", "transient"]),
                jiff::Timestamp::now(),
            )
            .unwrap();
    }

    let run = caio(&env, None, &["store", "migrate", "--to", &url]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout.contains("verified: chain of 4 record(s)"),
        "{run}"
    );
    let printed = format!("{}{}", run.stdout, run.stderr);
    assert!(!printed.contains(server.password()), "{printed}");

    // Reads give the same answers on both sides.
    let reads: &[&[&str]] = &[
        &["registry", "list"],
        &["registry", "show", "mistral-large-eu"],
        &["registry", "history", "mistral-large-eu"],
        &["registry", "history", "openai-dall-e-3"],
        &["principal", "list"],
        &["policy", "show"],
        &["trace", "list"],
        &["trace", "show", "1"],
        &["trace", "show", "2", "--format", "html"],
        &["trace", "replay", "3"],
        &["trace", "verify", "--replay"],
        &["license", "list"],
        &["--format", "json", "license", "status"],
    ];
    for args in reads {
        let a = caio(&env, None, args);
        let b = caio(&env, Some(&url), args);
        assert_eq!((a.code, b.code), (a.code, a.code), "{a}\n{b}");
        assert_same(
            &comparable(
                &a.to_string(),
                &[sqlite_db.clone(), "[HOME]/caio.db".into()],
            ),
            &comparable(&b.to_string(), &[shown(&url)]),
        );
    }
    let export_sqlite = caio(&env, None, &["trace", "export"]);
    let export_pg = caio(&env, Some(&url), &["trace", "export"]);
    assert_eq!(export_sqlite.code, 0);
    assert_eq!(
        export_sqlite.stdout, export_pg.stdout,
        "the export is byte for byte the same"
    );
    let store = Store::open_with(&home_of(&env), &store_options(Some(&url))).unwrap();
    let h = store.health("openai-gpt-4o-mini").unwrap().unwrap();
    assert_eq!((h.successes, h.failures), (1, 1));
    drop(store);

    // The fleet goes on from the copy: ids and seqs continue.
    caio(
        &env,
        Some(&url),
        &["registry", "set-status", "mistral-large-eu", "active"],
    )
    .code(0);
    caio(&env, Some(&url), &["policy", "apply", "policies/pii.yaml"]).code(0);
    let routed = caio(
        &env,
        Some(&url),
        &[
            "--format",
            "json",
            "route",
            "fixtures/requests/chat-balanced.json",
        ],
    );
    assert_eq!(routed.json()["trace"]["seq"], 5, "{routed}");
    let history = caio(
        &env,
        Some(&url),
        &[
            "--format",
            "json",
            "registry",
            "history",
            "mistral-large-eu",
        ],
    );
    let events = history.json()["events"].as_array().unwrap().clone();
    assert_eq!(events.last().unwrap()["kind"], "status", "{events:?}");
    caio(&env, Some(&url), &["trace", "verify", "--replay"]).code(0);

    // A second copy into the same database is refused; nothing changes.
    let again = caio(&env, None, &["store", "migrate", "--to", &url]);
    assert_eq!(again.code, 5, "{again}");
    assert!(again.stderr.contains("already holds caio state"), "{again}");
    let printed = format!("{}{}", again.stdout, again.stderr);
    assert!(!printed.contains(server.password()), "{printed}");
    let head = caio(&env, Some(&url), &["--format", "json", "trace", "verify"]);
    assert_eq!(head.json()["records"], 5);

    // A home whose chain is broken: the copy does not verify, is rolled
    // back, and leaves the target empty.
    let conn = rusqlite::Connection::open(env.home().join("caio.db")).unwrap();
    conn.execute(
        "UPDATE traces SET record = replace(record, 'anonymous', 'anonymouz') WHERE seq = 2",
        [],
    )
    .unwrap();
    drop(conn);
    let target = server.create_database();
    let broken = caio(&env, None, &["store", "migrate", "--to", &target]);
    assert_eq!(broken.code, 1, "{broken}");
    assert!(flat(&broken.stderr).contains("does not verify"), "{broken}");
    assert!(flat(&broken.stderr).contains("rolled back"), "{broken}");
    let mut client = server.client(&target);
    for table in ["traces", "contract_versions", "principals", "trace_objects"] {
        let n: i64 = client
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .unwrap()
            .get(0);
        assert_eq!(n, 0, "{table} after a rolled-back copy");
    }
    // Once the home is right again, the same target takes the copy.
    let conn = rusqlite::Connection::open(env.home().join("caio.db")).unwrap();
    conn.execute(
        "UPDATE traces SET record = replace(record, 'anonymouz', 'anonymous') WHERE seq = 2",
        [],
    )
    .unwrap();
    drop(conn);
    caio(&env, None, &["store", "migrate", "--to", &target]).code(0);

    // Without a target, or without a home, it says what is missing.
    let none = caio(&env, None, &["store", "migrate"]);
    assert_eq!(none.code, 2, "{none}");
    let empty = TestEnv::new();
    let no_home = caio(
        &empty,
        None,
        &["store", "migrate", "--to", &server.create_database()],
    );
    assert_eq!(no_home.code, 5, "{no_home}");
    assert!(no_home.stderr.contains("no registry"), "{no_home}");
}

/// Each step of the schema: a database left at version `i` by an older
/// caio is brought to the current version by the next command, keeping
/// what it holds, and ends up with exactly the schema a fresh database
/// gets. A newer schema is refused with exit 5.
#[test]
fn the_schema_migrates_step_by_step_and_refuses_a_newer_one() {
    let Some(server) = PgServer::shared() else {
        return;
    };
    assert_eq!(MIGRATIONS.len() as i64, SCHEMA_VERSION);
    let fresh = server.create_database();
    let env = TestEnv::new();
    caio(&env, Some(&fresh), &["init"]).code(0);
    let expected = pg_schema(server, &fresh);
    for step in 0..MIGRATIONS.len() {
        let url = server.create_database();
        let mut client = server.client(&url);
        if step > 0 {
            client
                .batch_execute(
                    "CREATE TABLE caio_schema (singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
                                               version BIGINT NOT NULL)",
                )
                .unwrap();
            for sql in &MIGRATIONS[..step] {
                client.batch_execute(sql).unwrap();
            }
            client
                .execute("INSERT INTO caio_schema VALUES (1, $1)", &[&(step as i64)])
                .unwrap();
            // Something stored at that version (settings exist from step 1).
            client
                .execute(
                    "INSERT INTO settings (key, value) VALUES ('currency', 'USD')",
                    &[],
                )
                .unwrap();
        }
        let env = TestEnv::new();
        let run = caio(&env, Some(&url), &["--format", "json", "registry", "list"]);
        if step == 0 {
            // An empty database is not a registry: a read says so.
            assert_eq!(run.code, 5, "step 0: {run}");
            assert!(run.stderr.contains("no_registry"), "{run}");
            caio(&env, Some(&url), &["init"]).code(0);
        } else {
            assert_eq!(run.code, 0, "from version {step}: {run}");
            let kept: String = client
                .query_one("SELECT value FROM settings WHERE key = 'currency'", &[])
                .unwrap()
                .get(0);
            assert_eq!(kept, "USD", "from version {step}");
        }
        let version: i64 = client
            .query_one("SELECT version FROM caio_schema", &[])
            .unwrap()
            .get(0);
        assert_eq!(version, SCHEMA_VERSION, "from version {step}");
        assert_eq!(pg_schema(server, &url), expected, "from version {step}");
    }
    // A newer caio's database.
    server.sql_in(
        &fresh,
        &format!("UPDATE caio_schema SET version = {}", SCHEMA_VERSION + 1),
    );
    let run = caio(&env, Some(&fresh), &["registry", "list"]);
    assert_eq!(run.code, 5, "{run}");
    assert!(run.stderr.contains("caio::newer_schema"), "{run}");
    assert!(
        run.stderr
            .contains(&format!("has schema version {}", SCHEMA_VERSION + 1)),
        "{run}"
    );
    let run = caio(
        &env,
        Some(&fresh),
        &["route", "fixtures/requests/chat-balanced.json"],
    );
    assert_eq!(run.code, 5, "{run}");
}

/// The PostgreSQL schema has the SQLite schema's tables and columns, and
/// only the additions `POSTGRES_ONLY` lists.
#[test]
fn the_postgresql_schema_mirrors_the_sqlite_schema() {
    let Some((server, url)) = database() else {
        return;
    };
    let env = TestEnv::new();
    caio(&env, None, &["init"]).code(0);
    caio(&env, Some(&url), &["init"]).code(0);
    let conn = rusqlite::Connection::open(env.home().join("caio.db")).unwrap();
    let mut sqlite: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for t in tables {
        let columns: BTreeSet<String> = conn
            .prepare("SELECT name FROM pragma_table_info(?1)")
            .unwrap()
            .query_map([&t], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        sqlite.insert(t, columns);
    }
    let mut postgres: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (table, columns) in pg_schema(server, &url) {
        postgres.insert(table, columns.into_keys().collect());
    }
    for (table, column) in POSTGRES_ONLY {
        if column.is_empty() {
            assert!(postgres.remove(*table).is_some(), "{table}");
        } else {
            assert!(
                postgres.get_mut(*table).unwrap().remove(*column),
                "{table}.{column}"
            );
        }
    }
    assert_eq!(sqlite, postgres);
}

/// caio's tables in the database at `url`: columns and their types.
fn pg_schema(server: &PgServer, url: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut client = server.client(url);
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for row in client
        .query(
            "SELECT table_name::text, column_name::text, data_type::text || coalesce(' ' || collation_name, '')
             FROM information_schema.columns WHERE table_schema = 'public'",
            &[],
        )
        .unwrap()
    {
        out.entry(row.get(0))
            .or_default()
            .insert(row.get(1), row.get(2));
    }
    out
}

/// The backend pid of the caio session waiting for a lock, once there is one.
fn waiting_caio(client: &mut postgres::Client, child: &mut Child) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(row) = client
            .query_opt(
                "SELECT pid FROM pg_stat_activity
                 WHERE application_name = 'caio' AND wait_event_type = 'Lock'",
                &[],
            )
            .unwrap()
        {
            return row.get(0);
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("caio ended before it waited for the chain head: {status}");
        }
        assert!(
            Instant::now() < deadline,
            "caio never waited for the chain head"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The connection of an append is lost while it waits for the chain head:
/// caio says so and exits 5, and nothing of the decision was written — no
/// record, no object.
#[test]
fn a_connection_lost_during_an_append_writes_nothing() {
    let Some((server, url)) = database() else {
        return;
    };
    let env = TestEnv::new();
    caio(&env, Some(&url), &["registry", "add", "contracts"]).code(0);
    let mut holder = server.client(&url);
    let mut observer = server.client(&url);
    let mut tx = holder.transaction().unwrap();
    tx.query_one(
        "SELECT seq FROM trace_head WHERE singleton = 1 FOR UPDATE",
        &[],
    )
    .unwrap();
    let mut child = raw_caio(&env, &url)
        .args(["route", "fixtures/requests/chat-balanced.json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = waiting_caio(&mut observer, &mut child);
    observer
        .execute("SELECT pg_terminate_backend($1)", &[&pid])
        .unwrap();
    let out = child.wait_with_output().unwrap();
    tx.rollback().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("caio::store"), "{stderr}");
    assert!(flat(&stderr).contains("rolled back whole"), "{stderr}");
    assert!(!stderr.contains(server.password()), "{stderr}");
    assert!(out.stdout.is_empty());
    for table in ["traces", "trace_objects", "trace_inputs"] {
        let n: i64 = observer
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .unwrap()
            .get(0);
        assert_eq!(n, 0, "{table}");
    }
    let head: i64 = observer
        .query_one("SELECT seq FROM trace_head", &[])
        .unwrap()
        .get(0);
    assert_eq!(head, 0);
    // The next append starts the chain as if nothing happened.
    let run = caio(
        &env,
        Some(&url),
        &[
            "--format",
            "json",
            "route",
            "fixtures/requests/chat-balanced.json",
        ],
    );
    assert_eq!(run.json()["trace"]["seq"], 1, "{run}");
}

/// The server restarts while a batch is appending a chunk: the chunks
/// committed before stay (and were answered), the chunk in flight is gone
/// whole, caio exits 5, and the chain verifies.
#[test]
fn a_server_restart_during_a_batch_leaves_no_partial_chunk() {
    let Some(server) = PgServer::dedicated() else {
        return;
    };
    let url = server.create_database();
    let env = TestEnv::new();
    caio(&env, Some(&url), &["registry", "add", "contracts"]).code(0);
    let request: Value = serde_json::from_str(
        &std::fs::read_to_string("fixtures/requests/chat-balanced.json").unwrap(),
    )
    .unwrap();
    let line = |i: usize| {
        let mut r = request.clone();
        r["request_id"] = json!(format!("r{i}"));
        format!("{r}\n")
    };
    let mut child = raw_caio(&env, &url)
        .args(["route", "--batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Answers are read as they come (a full pipe would stop caio).
    let mut stdout = child.stdout.take().unwrap();
    let answers = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut text).unwrap();
        text
    });
    // A first chunk (256 lines), committed.
    let first: String = (0..256).map(line).collect();
    stdin.write_all(first.as_bytes()).unwrap();
    stdin.flush().unwrap();
    let mut observer = server.client(&url);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let n: i64 = observer
            .query_one("SELECT count(*) FROM traces", &[])
            .unwrap()
            .get(0);
        if n == 256 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the first chunk never landed ({n})"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The next chunk waits for the chain head, which the test holds; the
    // server restarts under it.
    let mut holder = server.client(&url);
    let mut tx = holder.transaction().unwrap();
    tx.query_one(
        "SELECT seq FROM trace_head WHERE singleton = 1 FOR UPDATE",
        &[],
    )
    .unwrap();
    let second: String = (256..356).map(line).collect();
    stdin.write_all(second.as_bytes()).unwrap();
    stdin.flush().unwrap();
    waiting_caio(&mut observer, &mut child);
    server.restart();
    drop(tx);
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("caio::store"), "{stderr}");
    assert!(!stderr.contains(server.password()), "{stderr}");
    let answered: Vec<Value> = answers
        .join()
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answered.len(), 256, "only the committed chunk was answered");
    let mut client = server.client(&url);
    let row = client
        .query_one("SELECT count(*), max(seq) FROM traces", &[])
        .unwrap();
    assert_eq!(
        (row.get::<_, i64>(0), row.get::<_, Option<i64>>(1)),
        (256, Some(256))
    );
    let head: i64 = client
        .query_one("SELECT seq FROM trace_head", &[])
        .unwrap()
        .get(0);
    assert_eq!(head, 256);
    let run = caio(
        &env,
        Some(&url),
        &["--format", "json", "trace", "verify", "--replay"],
    );
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.json()["records"], 256);
}

/// libpq's TLS modes: `verify-full` checks the chain and the name,
/// `verify-ca` the chain only, `require` neither (but encrypts), and the
/// default `prefer` encrypts when the server can.
#[test]
fn the_tls_modes_check_what_they_promise() {
    let Some((server, url)) = database() else {
        return;
    };
    let env = TestEnv::new();
    let ca = server.ca_file().display().to_string();
    let by_name = url.replace("@127.0.0.1:", "@localhost:");
    let with = |base: &str, params: &str| format!("{base}?{params}");
    let ok = [
        with(&by_name, &format!("sslmode=verify-full&sslrootcert={ca}")),
        with(&url, &format!("sslmode=verify-ca&sslrootcert={ca}")),
        with(&url, &format!("sslmode=require&sslrootcert={ca}")),
        with(&url, "sslmode=require"),
        url.clone(),
    ];
    for u in &ok {
        let run = caio(&env, Some(u), &["init"]);
        assert_eq!(run.code, 0, "{run}");
    }
    // The server's name is `localhost`, not 127.0.0.1; and the built-in
    // roots do not know the test CA.
    for (u, why) in [
        (
            with(&url, &format!("sslmode=verify-full&sslrootcert={ca}")),
            "certificate not valid for name \"127.0.0.1\"",
        ),
        (with(&by_name, "sslmode=verify-full"), "UnknownIssuer"),
        (
            with(&by_name, "sslmode=verify-full&sslrootcert=/nonexistent.pem"),
            "sslrootcert",
        ),
    ] {
        let run = caio(&env, Some(&u), &["registry", "list"]);
        assert_eq!(run.code, 5, "{run}");
        assert!(flat(&run.stderr).contains(why), "{run}");
        let printed = format!("{}{}", run.stdout, run.stderr);
        assert!(!printed.contains(server.password()), "{printed}");
    }
    // `require` without roots fails against a server without TLS (see
    // the unit tests); here it passed, so the session was encrypted.
    let mode = with(&url, "sslmode=disable");
    caio(&env, Some(&mode), &["registry", "list"]).code(0);
}

/// The password never appears: not in errors (bad password, no server, no
/// database, bad URL), not in `--help`, not in JSON errors.
#[test]
fn the_password_is_never_printed() {
    let Some((server, url)) = database() else {
        return;
    };
    let env = TestEnv::new();
    let password = server.password();
    let wrong = url.replace(password, "Wr0ngPassw0rd");
    let no_server = url.replace(&format!(":{}/", server.port()), ":1/");
    let no_db = format!("{}_missing", url);
    let bad = url.replace("@127.0.0.1", "@127.0.0.1:notaport");
    for (u, code, what) in [
        (wrong.as_str(), 5, "password authentication failed"),
        (no_server.as_str(), 5, "cannot connect"),
        (no_db.as_str(), 5, "no such database"),
        (bad.as_str(), 5, "caio::database_url"),
        ("mysql://caio:Wr0ngPassw0rd@h/db", 5, "caio::database_url"),
    ] {
        for format in ["human", "json"] {
            let run = caio(&env, Some(u), &["--format", format, "registry", "list"]);
            assert_eq!(run.code, code, "{run}");
            let text = format!("{}{}", run.stdout, run.stderr);
            assert!(flat(&text).contains(what), "{text}");
            assert!(!text.contains(password), "{text}");
            assert!(!text.contains("Wr0ngPassw0rd"), "{text}");
        }
    }
    let help = caio(&env, Some(&url), &["--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("CAIO_DATABASE_URL"), "{help}");
    assert!(!help.stdout.contains(password), "{help}");
    let run = env
        .cmd()
        .args(["--database", &wrong, "-vv", "registry", "list"])
        .run();
    assert_eq!(run.code, 5);
    assert!(!run.stderr.contains("Wr0ngPassw0rd"), "{run}");
    // An empty CAIO_DATABASE_URL is unset: the home's SQLite file.
    let run = caio(&env, Some(""), &["init"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(env.home().join("caio.db").is_file());
}

impl PgServer {
    /// Runs `sql` in the database at `url`.
    fn sql_in(&self, url: &str, sql: &str) {
        self.client(url)
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

/// Principals are shared, their hashing key is not: a host without the
/// key, or with another one, is told to copy it; with the same key, the
/// token works on every host.
#[test]
fn a_token_works_on_every_host_that_has_the_fleet_s_principal_key() {
    let Some((_, url)) = database() else {
        return;
    };
    let a = TestEnv::new();
    let b = TestEnv::new();
    caio(&a, Some(&url), &["registry", "add", "contracts"]).code(0);
    let added = caio(
        &a,
        Some(&url),
        &[
            "--format",
            "json",
            "principal",
            "add",
            "ana",
            "--roles",
            "analyst",
            "--trust",
            "high",
        ],
    );
    let token = added.json()["token"].as_str().unwrap().to_string();
    let route = |env: &TestEnv| {
        env.cmd()
            .env_hidden("CAIO_DATABASE_URL", &url)
            .env_hidden("CAIO_TOKEN", &token)
            .args([
                "--format",
                "json",
                "route",
                "fixtures/requests/chat-balanced.json",
            ])
            .run()
    };
    let run = route(&a);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.json()["principal"], "ana", "{run}");
    // Host b has no key yet.
    caio(&b, Some(&url), &["init"]).code(0);
    let run = route(&b);
    assert_eq!(run.code, 5, "{run}");
    assert!(
        flat(&run.stderr).contains("copy keys/principal.key"),
        "{run}"
    );
    // Another key: said so, rather than "unknown token".
    let key = b.home().join("keys/principal.key");
    write_private(&key, &[7u8; 32]);
    let run = route(&b);
    assert_eq!(run.code, 5, "{run}");
    assert!(
        flat(&run.stderr).contains("not the one the fleet's principals were created with"),
        "{run}"
    );
    // The fleet's key: the same principal.
    let shared = std::fs::read(a.home().join("keys/principal.key")).unwrap();
    write_private(&key, &shared);
    let run = route(&b);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.json()["principal"], "ana", "{run}");
}

fn write_private(path: &Path, bytes: &[u8]) {
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::remove_file(path);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .unwrap();
}

/// On PostgreSQL too, a route reads each capability's candidates from the
/// stored form of the current registry epoch: a change made by another host
/// is seen by the next route anywhere.
#[test]
fn a_registry_change_on_one_host_is_seen_by_the_next_route_on_another() {
    let Some((server, url)) = database() else {
        return;
    };
    let a = TestEnv::new();
    let b = TestEnv::new();
    caio(&a, Some(&url), &["registry", "add", "contracts"]).code(0);
    let route = |env: &TestEnv| {
        let run = caio(
            env,
            Some(&url),
            &[
                "--format",
                "json",
                "route",
                "fixtures/requests/chat-cost-priority.json",
            ],
        );
        // Anonymous, one service qualifies: without it, no route (3).
        assert!(run.code == 0 || run.code == 3, "{run}");
        run.json()["service_id"].as_str().unwrap_or("").to_string()
    };
    let forms = || -> bool {
        server
            .client(&url)
            .query_one(
                "SELECT f.epoch = e.n FROM capability_forms f, registry_epoch e
                 WHERE f.capability = 'chat'",
                &[],
            )
            .unwrap()
            .get(0)
    };
    assert_eq!(route(&b), "openai-gpt-4o-mini");
    assert!(forms(), "the first route stores the form");
    caio(
        &a,
        Some(&url),
        &["registry", "set-status", "openai-gpt-4o-mini", "drained"],
    )
    .code(0);
    assert!(!forms(), "the change advances the epoch");
    assert_eq!(route(&b), "");
    assert!(forms(), "the next route rebuilds the form");
    caio(
        &a,
        Some(&url),
        &["registry", "set-status", "openai-gpt-4o-mini", "active"],
    )
    .code(0);
    assert_eq!(route(&b), "openai-gpt-4o-mini");
}
