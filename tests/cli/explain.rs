//! Explanations that say what to do (SPEC §5): every failing stage under
//! `--explain`, "did you mean" for an unknown capability, access hints that
//! name what would qualify and how to get such a token, raw units beside
//! the normalised terms.

use crate::common::TestEnv;

fn write(env: &TestEnv, name: &str, text: &str) -> std::path::PathBuf {
    let path = env.scratch().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The `hint:` lines of a human report.
fn hints(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("hint: "))
        .collect()
}

/// A first anonymous route on a contract from the `llm` template is blocked
/// by its `min_trust`: the report says what would qualify and how to get a
/// token, and following it routes.
#[test]
fn an_anonymous_route_blocked_by_access_says_how_to_get_a_token() {
    let env = TestEnv::new();
    let contract = env.run(["contract", "new", "--template", "llm", "--id", "my-llm"]);
    let path = write(&env, "my-llm.yaml", contract.ok());
    env.cmd().args(["registry", "add"]).arg(&path).run().code(0);
    let request = write(&env, "chat.json", r#"{"capability": "chat"}"#);

    let blocked = env.cmd().arg("route").arg(&request).run();
    blocked.code(3);
    assert_eq!(
        hints(&blocked.stdout),
        [
            "my-llm needs a principal with trust medium (`anonymous` has low) and one of the \
             roles engineer, analyst; it would then be eligible",
            "this request carries no token, so it routes as `anonymous` (trust low, no roles, \
             no tenant); `caio principal add NAME --roles engineer --trust medium` prints a \
             token for such a principal: send it as CAIO_TOKEN, with --token-file FILE (mode \
             0600) or as the request's auth.token",
        ],
        "{blocked}"
    );

    // Following the hint works.
    let token = env
        .run([
            "principal",
            "add",
            "ci-bot",
            "--roles",
            "engineer",
            "--trust",
            "medium",
        ])
        .ok()
        .trim()
        .to_string();
    let routed = env
        .cmd()
        .env("CAIO_TOKEN", &token)
        .arg("route")
        .arg(&request)
        .run();
    routed.code(0);
    assert!(
        routed.stdout.starts_with("routed chat → my-llm"),
        "{routed}"
    );
    assert!(hints(&routed.stdout).is_empty(), "{routed}");

    // JSON says the same, structured.
    let doc = env
        .cmd()
        .args(["--format", "json", "route"])
        .arg(&request)
        .run()
        .json();
    let hint = &doc["explanation"]["steps"][0]["access_hints"][0];
    assert_eq!(hint["service_id"], "my-llm");
    assert_eq!(hint["min_trust"], "medium");
    assert_eq!(hint["roles"], serde_json::json!(["engineer", "analyst"]));
    assert_eq!(hint["still_rejected_by"], serde_json::json!([]));
}

/// `chta` names no capability: "did you mean" and the capabilities offered,
/// from the registry and from --contracts alike, with or without --explain.
#[test]
fn an_unknown_capability_gets_did_you_mean_and_the_capabilities_offered() {
    let env = TestEnv::new();
    let request = write(&env, "typo.json", r#"{"capability": "chta"}"#);
    let offered = "The capabilities offered are: chat, completion, embedding, \
                   image_generation, rerank, speech_to_text, text_to_speech, web_search";

    let stateless = env
        .cmd()
        .arg("route")
        .arg(&request)
        .args(["--contracts", "contracts"])
        .run();
    stateless.code(3);
    assert_eq!(
        hints(&stateless.stdout),
        [format!(
            "no contract in --contracts offers `chta`; did you mean `chat`? {offered}"
        )],
        "{stateless}"
    );

    env.run(["registry", "add", "contracts/"]).code(0);
    let registry = env.cmd().arg("route").arg(&request).arg("--explain").run();
    registry.code(3);
    assert_eq!(
        hints(&registry.stdout),
        [format!(
            "no registered service offers `chta`; did you mean `chat`? {offered}"
        )],
        "{registry}"
    );

    // Nothing close: no guess, still the list.
    let far = write(&env, "far.json", r#"{"capability": "teleport"}"#);
    let run = env.cmd().arg("route").arg(&far).run();
    run.code(3);
    let far_hints = hints(&run.stdout);
    assert!(
        far_hints.len() == 1
            && !far_hints[0].contains("did you mean")
            && far_hints[0].contains(offered),
        "{run}"
    );
}

/// With --explain every stage that would reject a candidate is listed,
/// the first (the decision's) marked; without it, only the first.
#[test]
fn explain_lists_every_failing_stage_with_the_first_marked() {
    let env = TestEnv::new();
    let route = |explain: bool| {
        let mut cmd = env
            .cmd()
            .args(["route", "fixtures/requests/no-route-restricted-us.json"])
            .args(["--contracts", "contracts", "--policies", "policies"])
            .args(["--principal", "fixtures/principals/hr-officer.yaml"]);
        if explain {
            cmd = cmd.arg("--explain");
        }
        cmd.run()
    };
    let rows = |stdout: &str, service: &str| -> Vec<String> {
        stdout
            .lines()
            .filter(|l| !l.starts_with("hint:") && l.split_whitespace().any(|w| w == service))
            .map(|l| l.split_whitespace().take(4).collect::<Vec<_>>().join(" "))
            .collect()
    };
    let plain = route(false);
    plain.code(3);
    assert_eq!(
        rows(&plain.stdout, "vllm-mixtral-internal"),
        ["vllm-mixtral-internal access tenants only"]
    );
    let explained = route(true);
    explained.code(3);
    assert_eq!(
        rows(&explained.stdout, "vllm-mixtral-internal"),
        [
            "* vllm-mixtral-internal access tenants",
            "vllm-mixtral-internal privacy max_data_class accepts",
            "vllm-mixtral-internal policy eu-residency tenants",
            "vllm-mixtral-internal policy restricted-on-prem-only restricted",
        ],
        "{explained}"
    );
    // The hint names the stages that would still reject it.
    assert!(
        hints(&explained.stdout).contains(
            &"vllm-mixtral-internal needs a principal with the tenant initech; \
              privacy(max_data_class), policy(eu-residency), policy(restricted-on-prem-only) \
              would still reject it"
        ),
        "{explained}"
    );

    let doc = env
        .cmd()
        .args(["--format", "json", "route"])
        .arg("fixtures/requests/no-route-restricted-us.json")
        .args(["--contracts", "contracts", "--policies", "policies"])
        .args(["--principal", "fixtures/principals/hr-officer.yaml"])
        .arg("--explain")
        .run()
        .json();
    let vllm = doc["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["service_id"] == "vllm-mixtral-internal")
        .unwrap();
    assert_eq!(vllm["rejections"][0]["rule"], "tenants");
    let later: Vec<&str> = vllm["later_rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        later,
        ["max_data_class", "eu-residency", "restricted-on-prem-only"]
    );
}

/// The score table shows the cost in USD and the p95 in ms beside ĉ and ℓ̂;
/// JSON carries them as `raw`.
#[test]
fn raw_units_are_shown_beside_the_normalised_terms() {
    let env = TestEnv::new();
    let args = [
        "route",
        "fixtures/requests/chat-balanced.json",
        "--contracts",
        "contracts",
        "--policies",
        "policies",
        "--principal",
        "fixtures/principals/globex-engineer.yaml",
    ];
    let run = env.cmd().args(args).arg("--explain").run();
    run.code(0);
    let header = run
        .stdout
        .lines()
        .find(|l| l.contains("SCORE"))
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(header, "SERVICE VERSION SCORE q h t ĉ COST USD ℓ̂ P95 MS ρ");
    let mistral = run
        .stdout
        .lines()
        .find(|l| l.contains("mistral-large-eu") && l.contains("2.1.0"))
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // 1300 ms is the contract's p95; 0.006 USD its estimate for this request.
    assert_eq!(
        mistral,
        "mistral-large-eu 2.1.0 0.2006 0.860 1.000 0.200 1.000 0.006 0.406 1300 0.110"
    );
    let doc = env.cmd().args(["--format", "json"]).args(args).run().json();
    let raw = &doc["candidates"][1]["raw"];
    assert_eq!(doc["candidates"][1]["service_id"], "mistral-large-eu");
    assert_eq!(raw["latency_p95_ms"], 1300.0);
    assert_eq!(raw["cost"], 0.006);
    assert_eq!(raw["currency"], "USD");
}
