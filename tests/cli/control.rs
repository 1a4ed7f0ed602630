//! The control signal is actionable (SPEC §5): `requirements.min_confidence`
//! and `requirements.max_risk` turn an ambiguous or risky choice into
//! `no_route` (exit 3), traced with the would-be choice.

use crate::common::{TestEnv, run, run_json};
use std::path::PathBuf;

fn request(env: &TestEnv, name: &str, requirements: &str) -> PathBuf {
    let path = env.scratch().join(name);
    std::fs::write(
        &path,
        format!("{{\"capability\": \"chat\", \"requirements\": {requirements}}}"),
    )
    .unwrap();
    path
}

fn route(env: &TestEnv, path: &PathBuf, json: bool) -> (i32, String, String) {
    let mut cmd = env.caio();
    if json {
        cmd.args(["--format", "json"]);
    }
    run(cmd
        .arg("route")
        .arg(path)
        .args(["--contracts", "contracts", "--policies", "policies"])
        .args(["--principal", "fixtures/principals/globex-engineer.yaml"]))
}

#[test]
fn a_close_call_is_no_route_with_stage_control() {
    let env = TestEnv::new();
    let easy = request(&env, "easy.json", r#"{"min_confidence": 0.5}"#);
    let (code, stdout, stderr) = route(&env, &easy, false);
    assert_eq!(code, 0, "{stdout}{stderr}");

    let strict = request(&env, "strict.json", r#"{"min_confidence": 0.99}"#);
    let (code, stdout, _) = route(&env, &strict, false);
    assert_eq!(code, 3, "{stdout}");
    assert!(stdout.contains("control(min_confidence)"), "{stdout}");
    assert!(stdout.contains("best mistral-large-eu"), "{stdout}");
    assert!(stdout.contains("runner-up llama-3-70b-onprem"), "{stdout}");

    let (code, d) = run_json(
        env.caio()
            .args(["--format", "json", "route"])
            .arg(&strict)
            .args(["--contracts", "contracts", "--policies", "policies"])
            .args(["--principal", "fixtures/principals/globex-engineer.yaml"]),
    );
    assert_eq!(code, 3);
    assert_eq!(d["outcome"], "no_route");
    assert_eq!(d["service_id"], "mistral-large-eu", "the would-be choice");
}

#[test]
fn a_risky_choice_is_no_route_and_is_traced_with_the_would_be_choice() {
    let env = TestEnv::new();
    let (code, _, stderr) = run(env.caio().args(["registry", "add", "contracts"]));
    assert_eq!(code, 0, "{stderr}");
    let path = request(&env, "risky.json", r#"{"max_risk": 0.05}"#);
    let (code, stdout, _) = run(env.caio().arg("route").arg(&path));
    assert_eq!(code, 3, "{stdout}");
    assert!(stdout.contains("control(max_risk)"), "{stdout}");
    let (code, record) = run_json(env.caio().args(["--format", "json", "trace", "show", "1"]));
    assert_eq!(code, 0);
    assert_eq!(record["record"]["outcome"], "no_route");
    assert_eq!(
        record["record"]["decision"]["chosen"][0]["service_id"], "openai-gpt-4o-mini",
        "{record:#}"
    );
    // Out of range is a request error.
    let bad = request(&env, "bad.json", r#"{"max_risk": 1.5}"#);
    let (code, _, stderr) = run(env.caio().arg("route").arg(&bad));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("requirements.max_risk"), "{stderr}");
}
