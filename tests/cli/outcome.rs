//! `caio trace outcome` (SPEC §9): a caller reports how a routed call went;
//! the outcome is a chained record naming its decision, and the service's
//! stats learn from it as from an executed attempt. Unknown decisions,
//! second outcomes, decisions that did not route or that `--execute` ran
//! are refused (exit 1) and leave the trace and the stats alone.

use crate::common::{TestEnv, run, run_json, transcript};
use serde_json::{Value, json};
use std::path::PathBuf;

/// A home with every shipped contract and the principal `ana` (acme
/// analyst, trust high); returns ana's token.
pub(crate) fn registry_home(env: &TestEnv) -> String {
    let (code, _, stderr) = run(env.caio().args(["registry", "add", "contracts"]));
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
    token.trim().to_string()
}

/// The request fixture `name` with `token`, written to the scratch dir.
pub(crate) fn request(env: &TestEnv, name: &str, token: Option<&str>) -> PathBuf {
    let text = std::fs::read_to_string(
        crate::common::repo().join(format!("fixtures/requests/{name}.json")),
    )
    .unwrap();
    let mut value: Value = serde_json::from_str(&text).unwrap();
    if let Some(token) = token {
        value["auth"] = json!({ "token": token });
    }
    let path = env.scratch().join(format!("{name}.json"));
    std::fs::write(&path, value.to_string()).unwrap();
    path
}

/// `caio --format json route PATH`: the decision.
pub(crate) fn route(env: &TestEnv, path: &PathBuf) -> Value {
    let (_, d) = run_json(env.caio().args(["--format", "json", "route"]).arg(path));
    d
}

fn stats(env: &TestEnv, service: &str) -> Value {
    let (code, doc) = run_json(
        env.caio()
            .args(["--format", "json", "registry", "show", service]),
    );
    assert_eq!(code, 0, "{doc:#}");
    doc["stats"].clone()
}

fn trace_len(env: &TestEnv) -> usize {
    let (code, stdout, _) = run(env.caio().args(["trace", "export"]));
    assert_eq!(code, 0);
    stdout
        .lines()
        .filter(|l| l.contains("\"type\":\"record\""))
        .count()
}

#[test]
fn an_outcome_is_chained_and_updates_the_stats_as_an_execution_does() {
    let env = TestEnv::new();
    registry_home(&env);
    let chat = request(&env, "chat-balanced", None);
    let first = route(&env, &chat);
    let second = route(&env, &chat);
    let service = first["service_id"].as_str().unwrap().to_string();
    let (id1, id2) = (
        first["decision_id"].as_str().unwrap(),
        second["decision_id"].as_str().unwrap(),
    );
    let ok = env.run([
        "trace",
        "outcome",
        id1,
        "--status",
        "ok",
        "--latency-ms",
        "1840",
        "--input-tokens",
        "1200",
        "--output-tokens",
        "400",
    ]);
    let failed = env.run([
        "trace",
        "outcome",
        id2,
        "--status",
        "error",
        "--error",
        "upstream said: invalid key sk-proj-abcdefghijklmnopqrstu",
    ]);
    // The same call twice, and a decision no one made.
    let again = env.run([
        "trace",
        "outcome",
        id1,
        "--status",
        "ok",
        "--latency-ms",
        "1",
    ]);
    let unknown = env.run([
        "trace",
        "outcome",
        "00000000deadbeef",
        "--status",
        "ok",
        "--latency-ms",
        "1",
    ]);
    // What the input cannot say.
    let no_latency = env.run(["trace", "outcome", id2, "--status", "ok"]);
    let outcome_of_an_outcome = env.run(["trace", "outcome", "3", "--status", "error"]);
    let listed = env.run(["trace", "list"]);
    let shown = env.run(["trace", "show", "3"]);
    let decision = env.run(["trace", "show", "1"]);
    env.redact_trace();
    let codes: Vec<i32> = [
        &ok,
        &failed,
        &again,
        &unknown,
        &no_latency,
        &outcome_of_an_outcome,
    ]
    .iter()
    .map(|r| r.code)
    .collect();
    assert_eq!(codes, [0, 0, 1, 1, 1, 1]);
    let decision_tail: String = decision
        .stdout
        .lines()
        .rev()
        .take(1)
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(
        "outcome_human",
        format!(
            "{}\n\n(trace show 1 ends with)\n{decision_tail}",
            transcript([
                &ok,
                &failed,
                &again,
                &unknown,
                &no_latency,
                &outcome_of_an_outcome,
                &listed,
                &shown
            ])
        )
    );

    // One success (its latency in the window, above the p99 of 1500 ms:
    // a violation) and one failure, as two executed attempts would leave.
    let s = stats(&env, &service);
    assert_eq!(s["successes"], 1, "{s:#}");
    assert_eq!(s["failures"], 1, "{s:#}");
    assert_eq!(s["observations"], 1, "{s:#}");
    assert_eq!(s["latency_ms"]["p95"], 1840.0, "{s:#}");
    assert_eq!(s["guarantee_violations"], 1, "{s:#}");
    // h: 1, then 0.8 after the failure, recovering toward 1 with time.
    let h = s["success_rate"].as_f64().unwrap();
    assert!((0.8..0.81).contains(&h), "{h}");

    // Refusals wrote nothing: 2 decisions, 2 outcomes.
    assert_eq!(trace_len(&env), 4);
    let (code, v) = run_json(
        env.caio()
            .args(["--format", "json", "trace", "verify", "--replay"]),
    );
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["records"], 4);

    // The stored outcome: chained with the v2 domain, naming its decision.
    let (_, shown) = run_json(env.caio().args(["--format", "json", "trace", "show", "3"]));
    let record = &shown["record"];
    assert_eq!(record["kind"], "outcome");
    assert_eq!(record["decision"]["seq"], 1);
    assert_eq!(record["decision"]["decision_id"], id1);
    assert_eq!(record["v"], 2);
    let (_, masked) = run_json(env.caio().args(["--format", "json", "trace", "show", "4"]));
    assert_eq!(
        masked["record"]["error"],
        "upstream said: invalid key sk-***"
    );

    // The observations slo and metrics count are checked against the
    // records: one changed, or one more, is found.
    let conn = rusqlite::Connection::open(env.home().join("caio.db")).unwrap();
    for tamper in [
        "UPDATE trace_observations SET latency_ms = 18 WHERE seq = 3",
        "INSERT INTO trace_observations VALUES (2, 0, 'x', 'y', 'success', 1, NULL, 0, 'reported')",
    ] {
        let saved: Vec<(i64, Option<f64>)> = conn
            .prepare("SELECT seq, latency_ms FROM trace_observations ORDER BY seq")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        conn.execute(tamper, []).unwrap();
        let (code, v) = run_json(env.caio().args(["--format", "json", "trace", "verify"]));
        assert_eq!(code, 1, "{tamper}");
        let seq = if tamper.starts_with("UPDATE") { 3 } else { 2 };
        assert_eq!(
            v["break"],
            json!({"kind": "observations_changed", "seq": seq})
        );
        conn.execute("DELETE FROM trace_observations WHERE seq = 2", [])
            .unwrap();
        conn.execute(
            "UPDATE trace_observations SET latency_ms = ?1 WHERE seq = 3",
            [saved.iter().find(|s| s.0 == 3).unwrap().1],
        )
        .unwrap();
        let (code, v) = run_json(env.caio().args(["--format", "json", "trace", "verify"]));
        assert_eq!(code, 0, "{v:#}");
    }

    // A changed outcome breaks the chain like a changed decision.
    conn.execute(
        "UPDATE traces SET record = replace(record, '1840', '184') WHERE seq = 3",
        [],
    )
    .unwrap();
    let (code, v) = run_json(env.caio().args(["--format", "json", "trace", "verify"]));
    assert_eq!(code, 1);
    assert_eq!(v["break"], json!({"kind": "content_changed", "seq": 3}));
}

/// A chain's steps are called separately: each step's service gets its
/// own outcome (`--service`), once.
#[test]
fn a_chain_takes_one_outcome_per_step_service() {
    let env = TestEnv::new();
    let token = registry_home(&env);
    let d = route(
        &env,
        &request(&env, "chain-rag-latency-bound", Some(&token)),
    );
    assert_eq!(d["outcome"], "routed", "{d:#}");
    let id = d["decision_id"].as_str().unwrap();
    let steps: Vec<String> = d["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service_id"].as_str().unwrap().to_string())
        .collect();
    let which = env.run([
        "trace",
        "outcome",
        id,
        "--status",
        "ok",
        "--latency-ms",
        "5",
    ]);
    assert_eq!(which.code, 1);
    assert!(which.stderr.contains("is a chain"), "{which}");
    for step in &steps {
        let (code, doc) = run_json(env.caio().args([
            "--format",
            "json",
            "trace",
            "outcome",
            id,
            "--service",
            step,
            "--status",
            "ok",
            "--latency-ms",
            "5",
        ]));
        assert_eq!(code, 0, "{doc:#}");
        assert_eq!(doc["record"]["service_id"], step.as_str());
    }
    let twice = env.run([
        "trace",
        "outcome",
        id,
        "--service",
        &steps[0],
        "--status",
        "ok",
        "--latency-ms",
        "5",
    ]);
    assert_eq!(twice.code, 1, "{twice}");
    let stranger = env.run([
        "trace",
        "outcome",
        id,
        "--service",
        "brave-web-search",
        "--status",
        "ok",
        "--latency-ms",
        "5",
    ]);
    assert_eq!(stranger.code, 1, "{stranger}");
    assert!(stranger.stderr.contains("did not choose"), "{stranger}");

    // Both outcomes say `ok`: the decision holds one `executed` term row,
    // which the chain verifies; without it, the index is wrong.
    let (_, shown) = run_json(env.caio().args(["--format", "json", "trace", "show", id]));
    let seq = shown["seq"].as_i64().unwrap();
    let (code, v) = run_json(env.caio().args(["--format", "json", "trace", "verify"]));
    assert_eq!(code, 0, "{v:#}");
    let conn = rusqlite::Connection::open(env.home().join("caio.db")).unwrap();
    let removed = conn
        .execute(
            "DELETE FROM trace_terms WHERE seq = ?1 AND term =
             (SELECT id FROM trace_term_values WHERE kind = 'executed' AND value = 'ok')",
            [seq],
        )
        .unwrap();
    assert_eq!(removed, 1);
    let (code, v) = run_json(env.caio().args(["--format", "json", "trace", "verify"]));
    assert_eq!(code, 1);
    assert_eq!(v["break"], json!({"kind": "index_changed", "seq": seq}));
}

/// Only a routed decision that caio did not execute takes an outcome.
#[test]
fn no_route_and_executed_decisions_take_no_outcome() {
    let env = TestEnv::new();
    registry_home(&env);
    let no_route = route(&env, &request(&env, "no-route-restricted-us", None));
    assert_eq!(no_route["outcome"], "no_route");
    let refused = env.run([
        "trace",
        "outcome",
        no_route["decision_id"].as_str().unwrap(),
        "--status",
        "error",
    ]);
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("did not route"), "{refused}");

    // An execution that could not start (its secret is not set) is still
    // an execution: its record says so, and no outcome is taken.
    let dir = env.scratch().join("keyed");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("keyed.yaml"),
        "apiVersion: caio/v1
service_id: keyed-echo
name: Keyed
version: 1.0.0
capabilities: [{ type: echo }]
guarantees: { latency_ms: { p50: 1, p95: 2, p99: 5 }, availability: 0.999 }
cost: { currency: USD, per_request: 0, per_1k_input_tokens: 0, per_1k_output_tokens: 0 }
privacy: { hosting: internal, regions: [eu], max_data_class: restricted }
endpoint: { url: 'http://127.0.0.1:9/', auth: { scheme: bearer, env: CAIO_TEST_UNSET_KEY } }
",
    )
    .unwrap();
    let (code, _, stderr) = run(env.caio().args(["registry", "add"]).arg(&dir));
    assert_eq!(code, 0, "{stderr}");
    let echo = env.scratch().join("echo.json");
    std::fs::write(&echo, r#"{"capability": "echo", "payload": {"q": "hi"}}"#).unwrap();
    let (code, _, stderr) = run(env.caio().arg("route").arg(&echo).arg("--execute"));
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("secret-missing"), "{stderr}");
    let listed = env.run(["trace", "list", "--limit", "1"]);
    assert!(listed.stdout.contains("not started"), "{listed}");
    let executed = env.run([
        "trace",
        "outcome",
        "2",
        "--status",
        "ok",
        "--latency-ms",
        "1",
    ]);
    assert_eq!(executed.code, 1);
    assert!(executed.stderr.contains("--execute"), "{executed}");
}

#[test]
fn a_batch_reports_each_line_and_goes_on_after_a_refusal() {
    let env = TestEnv::new();
    registry_home(&env);
    let chat = request(&env, "chat-balanced", None);
    let ids: Vec<String> = (0..3)
        .map(|_| {
            route(&env, &chat)["decision_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let lines = [
        json!({"decision_id": ids[0], "status": "ok", "latency_ms": 120, "output_tokens": 50})
            .to_string(),
        String::new(),
        json!({"decision_id": ids[0], "status": "ok", "latency_ms": 99}).to_string(),
        "{\"decision_id\": ".to_string(),
        json!({"decision_id": ids[1], "status": "error", "bogus": 1}).to_string(),
        json!({"decision_id": ids[2], "status": "error", "error": "timeout"}).to_string(),
    ];
    let out = env
        .cmd()
        .args(["trace", "outcome", "--batch", "-"])
        .stdin(lines.join("\n"))
        .run();
    assert_eq!(out.code, 1, "{out}");
    let docs: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary: Vec<(i64, String)> = docs
        .iter()
        .map(|d| {
            (
                d["line"].as_i64().unwrap(),
                d["error"]["code"]
                    .as_str()
                    .map_or_else(|| format!("seq {}", d["seq"]), str::to_string),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (1, "seq 4".to_string()),
            (3, "caio::outcome_duplicate".to_string()),
            (4, "caio::outcome_invalid".to_string()),
            (5, "caio::outcome_invalid".to_string()),
            (6, "seq 5".to_string()),
        ]
    );
    assert!(
        out.stderr.contains("3 of 5 outcomes were not recorded"),
        "{out}"
    );
    assert_eq!(docs[4]["record"]["error"], "timeout");
    assert_eq!(trace_len(&env), 5);
}

/// `trace verify` reads the chain in runs of records: a chain of several
/// runs verifies, an outcome in a later run accounts for the `executed`
/// row it added to a decision in the first, and a term row changed in
/// any run is found at its record.
#[test]
fn verification_across_runs_of_records() {
    let env = TestEnv::new();
    let token = registry_home(&env);
    let d = route(&env, &request(&env, "chat-balanced", Some(&token)));
    assert_eq!(d["outcome"], "routed", "{d:#}");
    let id = d["decision_id"].as_str().unwrap().to_string();
    let copies = 4_500;
    {
        let home = caio_store::home::Home { path: env.home() };
        let mut store =
            caio_store::Store::open_existing(&home, std::time::Duration::from_secs(5)).unwrap();
        let row = store.trace_by_seq(1).unwrap().unwrap();
        let record: caio_core::trace::TraceRecord = serde_json::from_str(&row.record).unwrap();
        let chunk: Vec<caio_core::trace::Prepared> = (0..500)
            .map(|_| caio_core::trace::Prepared::new(&record, Vec::new()).unwrap())
            .collect();
        for _ in 0..copies / chunk.len() {
            store.append_traces(&chunk, &[]).unwrap();
        }
    }
    let reported = env.run([
        "trace", "outcome", &id, "--status", "error", "--error", "timeout",
    ]);
    assert_eq!(reported.code, 0, "{reported}");
    let last = copies as i64 + 2;
    let (code, v) = run_json(env.caio().args(["--format", "json", "trace", "verify"]));
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["records"], last);

    let conn = rusqlite::Connection::open(env.home().join("caio.db")).unwrap();
    let failed = "(SELECT id FROM trace_term_values WHERE kind = 'executed' AND value = 'failed')";
    for (tamper, undo, seq) in [
        (
            format!("DELETE FROM trace_terms WHERE seq = 1 AND term = {failed}"),
            format!("INSERT INTO trace_terms (term, seq) VALUES ({failed}, 1)"),
            1,
        ),
        (
            format!("INSERT INTO trace_terms (term, seq) VALUES ({failed}, 4321)"),
            "DELETE FROM trace_terms WHERE seq = 4321 AND term = \
             (SELECT id FROM trace_term_values WHERE kind = 'executed' AND value = 'failed')"
                .to_string(),
            4321,
        ),
        (
            "DELETE FROM trace_terms WHERE seq = 2049 AND term = \
             (SELECT id FROM trace_term_values WHERE kind = 'outcome')"
                .to_string(),
            "INSERT INTO trace_terms (term, seq) \
             SELECT id, 2049 FROM trace_term_values WHERE kind = 'outcome'"
                .to_string(),
            2049,
        ),
    ] {
        conn.execute_batch(&tamper).unwrap();
        let (code, v) = run_json(env.caio().args(["--format", "json", "trace", "verify"]));
        assert_eq!(code, 1, "{tamper}");
        assert_eq!(
            v["break"],
            json!({"kind": "index_changed", "seq": seq}),
            "{tamper}"
        );
        conn.execute_batch(&undo).unwrap();
    }
    let (code, v) = run_json(env.caio().args(["--format", "json", "trace", "verify"]));
    assert_eq!(code, 0, "{v:#}");
}
