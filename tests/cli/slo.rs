//! `caio slo` (SPEC §14): each service's calls against its contract. End to
//! end with outcomes reported through the command line (at the clock's
//! time), and through the library with given times for the windows and
//! the multiwindow burn-rate rule.

use crate::common::{TestEnv, run, run_json, transcript};
use crate::outcome::registry_home;
use caio::app;
use caio_core::slo::{Verdict, Window};
use caio_core::trace::outcome::{Report, Status};
use serde_json::{Value, json};

/// Routes `n` copies of a request in one `route --batch`; their ids.
fn route_many(env: &TestEnv, fixture: &str, n: usize) -> Vec<String> {
    let text = std::fs::read_to_string(
        crate::common::repo().join(format!("fixtures/requests/{fixture}.json")),
    )
    .unwrap();
    let line = serde_json::from_str::<Value>(&text).unwrap().to_string();
    let out = env
        .cmd()
        .args(["route", "--batch", "-"])
        .stdin(vec![line; n].join("\n"))
        .run();
    assert_eq!(out.code, 0, "{out}");
    out.stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["decision_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// Reports one outcome per id, in one batch.
fn report(env: &TestEnv, lines: &[Value]) {
    let text: Vec<String> = lines.iter().map(Value::to_string).collect();
    let out = env
        .cmd()
        .args(["trace", "outcome", "--batch", "-"])
        .stdin(text.join("\n"))
        .run();
    assert_eq!(out.code, 0, "{out}");
}

#[test]
fn a_service_meets_its_contract_then_breaches_it() {
    let env = TestEnv::new();
    registry_home(&env);
    // openai-gpt-4o-mini: availability 0.999, p50/p95/p99 280/750/1500 ms.
    let ids = route_many(&env, "chat-balanced", 25);
    let lines: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            json!({"decision_id": id, "status": "ok", "latency_ms": 200 + i as u64,
                   "input_tokens": 1000, "output_tokens": 100})
        })
        .collect();
    report(&env, &lines);
    let met = env.run(["slo", "--check"]);
    assert_eq!(met.code, 0, "{met}");

    // Five failures in 50 calls: 90 % against 99.9 %, and the budget
    // burns at 100× over the last hour and six hours.
    let ids = route_many(&env, "chat-balanced", 25);
    let lines: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            if i < 5 {
                json!({"decision_id": id, "status": "error", "error": "HTTP 503"})
            } else {
                json!({"decision_id": id, "status": "ok", "latency_ms": 250})
            }
        })
        .collect();
    report(&env, &lines);
    let breached = env.run(["slo", "--check"]);
    // Named but never called: too little to judge, never a pass.
    let idle = env.run(["slo", "--service", "brave-web-search", "--check"]);
    let unknown = env.run(["slo", "--service", "nope"]);
    insta::assert_snapshot!("slo_human", transcript([&met, &breached, &idle, &unknown]));
    assert_eq!(
        [breached.code, idle.code, unknown.code],
        [1, 1, 1],
        "{breached}\n{idle}\n{unknown}"
    );

    let (code, doc) = run_json(
        env.caio()
            .args(["--format", "json", "slo", "--window", "1h", "--check"]),
    );
    assert_eq!(code, 1);
    assert_eq!(doc["window"], "1h");
    assert_eq!(doc["verdict"], "breached");
    let s = doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service_id"] == "openai-gpt-4o-mini")
        .unwrap();
    assert_eq!(s["counts"]["successes"], 45);
    assert_eq!(s["counts"]["failures"], 5);
    assert_eq!(s["burn_rate"]["paging"], true);
    // 25 calls of 1000 input and 100 output tokens at 0.00015 and 0.0006
    // per 1k: 25 × 0.00021.
    let spend = s["spend"]["amount"].as_f64().unwrap();
    assert!((spend - 25.0 * 0.00021).abs() < 1e-12, "{spend}");
    // Without --check the report is not a verdict on the exit code.
    let (code, _, _) = run(env.caio().arg("slo"));
    assert_eq!(code, 0);
}

/// Routes one `echo` request through the library at `at`: the decision id.
fn route_at(env: &TestEnv, at: jiff::Timestamp) -> String {
    let home = caio_store::home::Home { path: env.home() };
    let store = caio_store::Store::open_existing(&home, std::time::Duration::from_secs(5)).unwrap();
    let mut router = caio_store::router::Router::registry(store, home)
        .unwrap()
        .at(at);
    let request = caio_core::request::parse("r.json", r#"{"capability": "echo"}"#).unwrap();
    let routed = router.route(&request).unwrap();
    let traced = app::route::trace(&mut router, &[(&request, &routed)], false, None, at).unwrap();
    traced[0].decision_id.clone()
}

fn store(env: &TestEnv) -> caio_store::Store {
    let home = caio_store::home::Home { path: env.home() };
    caio_store::Store::open_existing(&home, std::time::Duration::from_secs(5)).unwrap()
}

/// `n` calls reported at `at`, `failures` of them failed.
fn calls(env: &TestEnv, at: jiff::Timestamp, n: usize, failures: usize) {
    let mut store = store(env);
    for i in 0..n {
        let id = route_at(env, at);
        let report = if i < failures {
            Report {
                status: Some(Status::Error),
                ..Report::default()
            }
        } else {
            Report {
                status: Some(Status::Ok),
                latency_ms: Some(50.0),
                ..Report::default()
            }
        };
        if app::outcome::report(&mut store, &id, None, &report, at).is_err() {
            panic!("outcome at {at} refused");
        }
    }
}

/// The windows end at the time the report is made, and the budget pages
/// only when the last hour and the last six hours both burn at 14.4× —
/// with the time given, not read from the clock.
#[test]
fn windows_and_the_multiwindow_burn_rule_follow_the_given_time() {
    let env = TestEnv::new();
    let dir = env.scratch().join("svc");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("echo.yaml"),
        "apiVersion: caio/v1
service_id: echo-internal
name: Echo
version: 2.0.0
capabilities: [{ type: echo }]
guarantees: { latency_ms: { p50: 100, p95: 200, p99: 400 }, availability: 0.99 }
cost: { currency: EUR, per_request: 0.01, per_1k_input_tokens: 0, per_1k_output_tokens: 0 }
privacy: { hosting: internal, regions: [eu], max_data_class: restricted }
endpoint: { url: 'http://127.0.0.1:9/' }
",
    )
    .unwrap();
    let (code, _, stderr) = run(env.caio().args(["registry", "add"]).arg(&dir));
    assert_eq!(code, 0, "{stderr}");
    let now: jiff::Timestamp = "2026-06-30T12:00:00Z".parse().unwrap();
    let ago = |minutes: i64| now - jiff::SignedDuration::from_mins(minutes);
    // Long ago: outside every window but 30 days.
    calls(&env, ago(10 * 24 * 60), 5, 5);
    // Five hours ago, 80 good calls; half an hour ago, 10 of 20 failed.
    calls(&env, ago(5 * 60), 80, 0);
    calls(&env, ago(30), 20, 10);

    let judge = |window: Window, at: jiff::Timestamp| {
        let r = app::slo::report(&store(&env), at, window, None).unwrap();
        r.services.into_iter().next().unwrap()
    };
    let day = judge(Window::Day, now);
    assert_eq!((day.counts.successes, day.counts.failures), (90, 10));
    assert_eq!(day.verdict, Verdict::Breached, "{day:#?}");
    assert_eq!(
        day.breaches,
        ["availability 90.00% is below the promised 99.00%"]
    );
    // 1 h: 10 of 20 failed (50×); 6 h: 10 of 100 (10×): a blip, no page.
    let rates: Vec<f64> = day
        .burn_rate
        .windows
        .iter()
        .map(|w| w.rate.unwrap())
        .collect();
    assert!(
        (rates[0] - 50.0).abs() < 1e-6 && (rates[1] - 10.0).abs() < 1e-6,
        "{rates:?}"
    );
    assert_eq!(day.burn_rate.paging, Some(false));
    assert_eq!(day.spend.currency, "EUR");
    assert!(
        (day.spend.amount - 0.9).abs() < 1e-9,
        "{}",
        day.spend.amount
    );
    let month = judge(Window::Month, now);
    assert_eq!(month.counts.failures, 15);

    // Ten more failures twenty minutes ago: 20 of 30 (66.7×) and 20 of
    // 110 (18.2×) — both over 14.4: it pages.
    calls(&env, ago(20), 10, 10);
    let paging = judge(Window::Day, now);
    assert_eq!(paging.burn_rate.paging, Some(true));
    assert!(
        paging.breaches[1].contains("66.7× over 1 h and 18.2× over 6 h"),
        "{:?}",
        paging.breaches
    );

    // Two hours later the last hour holds nothing: no traffic to judge
    // there, and the page has stopped (too few calls in the last hour).
    let later = now + jiff::SignedDuration::from_hours(2);
    let hour = judge(Window::Hour, later);
    assert_eq!(hour.verdict, Verdict::NoTraffic);
    assert_eq!(hour.burn_rate.paging, None);
    let r = app::slo::report(&store(&env), later, Window::Hour, None).unwrap();
    assert_eq!(
        r.verdict,
        Verdict::InsufficientData,
        "nothing judged is no pass"
    );
}
