//! `caio route`, end to end (SPEC §4, §5, §6): every pipeline stage's
//! rejections, registry mode with tokens and the installed policy set,
//! no_route, ties, the JSON document, chains, every request fixture, batch,
//! `--top`/`--explain`, and request diagnostics.
//!
//! Small contracts for one behaviour at a time are copies of a shipped
//! contract (`mistral-large-eu`) under another id, with textual edits, written
//! into the test's scratch directory.

use crate::common::{TestEnv, repo, run, run_json, transcript};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// The shipped contract the scratch contracts are made from: chat, text in,
/// 128k tokens, en/fr/de/es/it/nl/pt, p95 1300 ms, availability 0.999,
/// accuracy 0.86, $0.002/$0.006 per 1k tokens, external, EU, up to
/// confidential, PII allowed, min_trust medium, roles analyst/engineer/support,
/// tenants acme/globex, risk 0.1, tags llm/external/eu.
const BASE: &str = "contracts/mistral-large-eu.yaml";
const BASE_ID: &str = "mistral-large-eu";

/// Writes `dir/<id>.yaml`: the base contract under `id`, with textual edits
/// (each must apply exactly once, so a changed base cannot silently stop
/// exercising the check).
fn contract(dir: &Path, id: &str, edits: &[(&str, &str)]) -> PathBuf {
    let base = std::fs::read_to_string(repo().join(BASE)).expect("base contract");
    let mut text = replace_once(
        &base,
        &format!("service_id: {BASE_ID}"),
        &format!("service_id: {id}"),
    );
    for (from, to) in edits {
        text = replace_once(&text, from, to);
    }
    write(&dir.join(format!("{id}.yaml")), &text)
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once");
    text.replacen(from, to, 1)
}

/// Opens the base contract to everyone: trust low, any role, any tenant.
const OPEN_ACCESS: (&str, &str) = (
    "  min_trust: medium\n  roles: [analyst, engineer, support]\n  tenants: [acme, globex]\n",
    "  min_trust: low\n",
);
/// The base contract without a declared accuracy.
const NO_ACCURACY: (&str, &str) = ("  accuracy: 0.86\n", "");

fn write(path: &Path, text: &str) -> PathBuf {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create dir");
    }
    std::fs::write(path, text).expect("write file");
    path.to_path_buf()
}

fn write_json(path: &Path, value: &Value) -> PathBuf {
    write(path, &serde_json::to_string_pretty(value).expect("JSON"))
}

/// A principal file for stateless mode.
fn principal(dir: &Path, name: &str, tenant: Option<&str>, roles: &[&str], trust: &str) -> PathBuf {
    let tenant = tenant.map_or(String::new(), |t| format!("tenant: {t}\n"));
    write(
        &dir.join(format!("{name}.principal.yaml")),
        &format!(
            "name: {name}\n{tenant}roles: [{}]\ntrust: {trust}\n",
            roles.join(", ")
        ),
    )
}

/// A shipped principal fixture.
fn fixture_principal(name: &str) -> PathBuf {
    Path::new("fixtures/principals").join(format!("{name}.yaml"))
}

fn fixture_request(name: &str) -> PathBuf {
    Path::new("fixtures/requests").join(name)
}

/// `caio route REQUEST --contracts DIR [--policies DIR] [--principal FILE]`.
fn stateless(
    env: &TestEnv,
    request: &Path,
    contracts: &Path,
    policies: Option<&Path>,
    principal: Option<&Path>,
) -> assert_cmd::Command {
    let mut cmd = env.caio();
    cmd.arg("route")
        .arg(request)
        .arg("--contracts")
        .arg(contracts);
    if let Some(p) = policies {
        cmd.arg("--policies").arg(p);
    }
    if let Some(p) = principal {
        cmd.arg("--principal").arg(p);
    }
    cmd
}

/// The same, with `--format json` and extra arguments; returns (exit, JSON).
fn stateless_json(
    env: &TestEnv,
    request: &Path,
    contracts: &Path,
    policies: Option<&Path>,
    principal: Option<&Path>,
    extra: &[&str],
) -> (i32, Value) {
    run_json(
        stateless(env, request, contracts, policies, principal)
            .args(["--format", "json"])
            .args(extra),
    )
}

/// Routes one request object (written to scratch) against `contracts`.
fn route_value(
    env: &TestEnv,
    request: &Value,
    contracts: &Path,
    policies: Option<&Path>,
    principal: Option<&Path>,
) -> (i32, Value) {
    let path = write_json(&env.scratch().join("request.json"), request);
    stateless_json(env, &path, contracts, policies, principal, &[])
}

/// `caio --format json route REQUEST` in registry mode.
fn registry_route(env: &TestEnv, request: &Value) -> (i32, Value) {
    let path = write_json(&env.scratch().join("request.json"), request);
    run_json(env.caio().args(["--format", "json", "route"]).arg(&path))
}

/// Runs a caio command that must succeed; returns stdout.
fn ok<S: AsRef<OsStr>>(env: &TestEnv, args: impl IntoIterator<Item = S>) -> String {
    let args: Vec<S> = args.into_iter().collect();
    let shown: Vec<&OsStr> = args.iter().map(AsRef::as_ref).collect();
    let (code, stdout, stderr) = run(env.caio().args(&args));
    assert_eq!(code, 0, "caio {shown:?}: {stderr}");
    stdout
}

/// `caio principal add NAME ARGS…`: the token it prints.
fn add_principal(env: &TestEnv, name: &str, args: &[&str]) -> String {
    let mut all = vec!["principal", "add", name];
    all.extend_from_slice(args);
    let token = ok(env, all).trim().to_string();
    assert!(token.starts_with("caio_"), "a token on stdout: {token}");
    token
}

fn registry_add(env: &TestEnv, path: &Path) {
    ok(
        env,
        [OsStr::new("registry"), OsStr::new("add"), path.as_os_str()],
    );
}

/// The candidate with this id (of any step).
fn candidate<'a>(decision: &'a Value, id: &str) -> &'a Value {
    decision["candidates"]
        .as_array()
        .expect("candidates[]")
        .iter()
        .find(|c| c["service_id"] == id)
        .unwrap_or_else(|| panic!("no candidate {id} in {decision:#}"))
}

/// (stage, rule) of every rejection of one candidate, in order.
fn rejections(decision: &Value, id: &str) -> Vec<(String, String)> {
    candidate(decision, id)["rejections"]
        .as_array()
        .expect("rejections[]")
        .iter()
        .map(|r| {
            (
                r["stage"].as_str().expect("stage").to_string(),
                r["rule"].as_str().expect("rule").to_string(),
            )
        })
        .collect()
}

/// The message of the rejection of `id` by `rule`.
fn message<'a>(decision: &'a Value, id: &str, rule: &str) -> &'a str {
    candidate(decision, id)["rejections"]
        .as_array()
        .expect("rejections[]")
        .iter()
        .find(|r| r["rule"] == rule)
        .unwrap_or_else(|| panic!("{id} not rejected by {rule}: {decision:#}"))["message"]
        .as_str()
        .expect("message")
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(s, r)| (s.to_string(), r.to_string()))
        .collect()
}

fn assert_eligible(decision: &Value, id: &str) {
    let c = candidate(decision, id);
    assert_eq!(c["eligible"], true, "{id}: {c:#}");
    assert!(c["rejections"].as_array().unwrap().is_empty(), "{c:#}");
    assert!(c["score"].is_f64(), "{c:#}");
}

fn assert_rejected_only_at(decision: &Value, id: &str, stage: &str) {
    let c = candidate(decision, id);
    assert_eq!(c["eligible"], false, "{id}: {c:#}");
    assert!(c["score"].is_null() && c["terms"].is_null(), "{c:#}");
    let stages: BTreeSet<String> = rejections(decision, id)
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(
        stages,
        BTreeSet::from([stage.to_string()]),
        "{id}: the first rejecting stage ends the evaluation: {c:#}"
    );
}

/// A decision without what identifies its record (the decision id, and the
/// trace reference once traces are written): what must not change when the
/// same inputs are routed again.
fn decision_only(d: &Value) -> Value {
    let mut d = d.clone();
    if let Some(map) = d.as_object_mut() {
        map.remove("decision_id");
        map.remove("trace");
    }
    d
}

fn is_hex(v: &Value, len: usize) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The chosen service ids, in step order.
fn chosen(decision: &Value) -> Vec<String> {
    decision["steps"]
        .as_array()
        .expect("steps[]")
        .iter()
        .map(|s| s["service_id"].as_str().expect("service_id").to_string())
        .collect()
}

/// Diagnostic text with miette's frame characters removed and whitespace
/// collapsed, so assertions do not depend on where lines wrap.
fn flat(stderr: &str) -> String {
    stderr
        .replace(['│', '×', '╭', '╰', '─', '┬', '·', '▲'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A decision id and the trace hash it starts hash the decision's record,
/// which holds the time it was made: they differ from run to run. Nothing
/// else a route prints is 32 hex digits (policy-set hashes are 64, or 12 in
/// human output), and only the trace reference has a `hash`.
fn without_decision_ids(env: &TestEnv) {
    env.filter(r"\b[0-9a-f]{32}\b", "[decision-id]");
    env.filter(r#"("hash": ?")[0-9a-f]{64}""#, "${1}[trace-hash]\"");
}

/// Every rejection of a decision, one line each, in candidate order:
/// `service  stage/rule: message`.
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

/// Runs `caio` with `input` on stdin.
fn with_stdin(cmd: &mut assert_cmd::Command, input: &str) -> (i32, String, String) {
    run(cmd.write_stdin(input.as_bytes().to_vec()))
}

// ---------------------------------------------------------------------------
// The pipeline, one stage at a time
// ---------------------------------------------------------------------------

/// Status (registry mode): drained and disabled services are rejected with
/// the reason given to `set-status`; a degraded one stays eligible with ρ
/// raised by 0.2.
#[test]
fn status_stage_rejects_drained_and_disabled_and_penalises_degraded() {
    let env = TestEnv::new();
    let dir = env.scratch().join("contracts");
    for id in ["svc-drained", "svc-disabled", "svc-degraded", "svc-active"] {
        contract(&dir, id, &[]);
    }
    registry_add(&env, &dir);
    let token = add_principal(
        &env,
        "ana",
        &["--tenant", "acme", "--roles", "analyst", "--trust", "high"],
    );
    for (id, status, reason) in [
        ("svc-drained", "drained", "maintenance window until 18:00"),
        ("svc-disabled", "disabled", "contract terminated"),
        ("svc-degraded", "degraded", "p95 above contract since 14:00"),
    ] {
        ok(
            &env,
            ["registry", "set-status", id, status, "--reason", reason],
        );
    }

    let (code, d) = registry_route(
        &env,
        &json!({"capability": "chat", "auth": {"token": token}}),
    );
    assert_eq!(code, 0, "{d:#}");
    assert_eq!(d["outcome"], "routed");
    assert_eq!(d["principal"], "ana");
    assert_eq!(d["service_id"], "svc-active", "degraded loses on ρ: {d:#}");

    assert_eq!(
        rejections(&d, "svc-drained"),
        pairs(&[("status", "drained")])
    );
    assert_eq!(
        rejections(&d, "svc-disabled"),
        pairs(&[("status", "disabled")])
    );
    // The reasons given to set-status.
    insta::assert_snapshot!("status_rejections", rejection_lines(&d));

    assert_eligible(&d, "svc-degraded");
    assert_eligible(&d, "svc-active");
    let degraded = &candidate(&d, "svc-degraded")["terms"];
    let active = &candidate(&d, "svc-active")["terms"];
    let (rd, ra) = (
        degraded["r"].as_f64().unwrap(),
        active["r"].as_f64().unwrap(),
    );
    assert!(
        (rd - ra - 0.2).abs() < 1e-9,
        "ρ degraded {rd} vs active {ra}"
    );
    for term in ["q", "h", "t", "c", "l"] {
        assert_eq!(degraded[term], active[term], "{term}");
    }
    let (sd, sa) = (
        candidate(&d, "svc-degraded")["score"].as_f64().unwrap(),
        d["score"].as_f64().unwrap(),
    );
    assert!(sd < sa, "degraded {sd} below active {sa}");
    assert_eq!(
        d["summary"],
        "2/4 services eligible: 1 status(disabled), 1 status(drained)"
    );

    // Back to active: drained no more.
    ok(&env, ["registry", "set-status", "svc-drained", "active"]);
    let (code, d) = registry_route(
        &env,
        &json!({"capability": "chat", "auth": {"token": token}}),
    );
    assert_eq!(code, 0);
    assert_eligible(&d, "svc-drained");
}

/// Capability: modalities, language and max_input_tokens are all reported,
/// and a candidate rejected there is not evaluated further (the principal
/// would also fail access).
#[test]
fn capability_stage_checks_modalities_language_and_input_size() {
    let env = TestEnv::new();
    let dir = env.scratch().join("contracts");
    contract(&dir, "svc-a", &[]);
    let outsider = principal(&env.scratch(), "outsider", Some("initech"), &[], "low");
    let request = json!({
        "capability": "chat",
        "input": {"modalities": ["text", "image"], "language": "ja", "tokens": 200000}
    });
    let (code, d) = route_value(&env, &request, &dir, None, Some(&outsider));
    assert_eq!(code, 3, "{d:#}");
    assert_eq!(d["outcome"], "no_route");
    assert_rejected_only_at(&d, "svc-a", "capability");
    assert_eq!(
        rejections(&d, "svc-a"),
        pairs(&[
            ("capability", "modalities"),
            ("capability", "language"),
            ("capability", "max_input_tokens"),
        ])
    );
    insta::assert_snapshot!("capability_rejections", rejection_lines(&d));

    // Within the limits: eligible (for a principal that passes access).
    let ana = principal(&env.scratch(), "ana", Some("acme"), &["analyst"], "high");
    let request = json!({
        "capability": "chat",
        "input": {"modalities": ["text"], "language": "de", "tokens": 128000}
    });
    let (code, d) = route_value(&env, &request, &dir, None, Some(&ana));
    assert_eq!(code, 0, "{d:#}");
    assert_eligible(&d, "svc-a");
}

/// Access: trust, roles and tenant, every failing one reported.
#[test]
fn access_stage_checks_trust_roles_and_tenant() {
    let env = TestEnv::new();
    let dir = env.scratch().join("contracts");
    contract(&dir, "svc-a", &[]);
    contract(&dir, "svc-open", &[OPEN_ACCESS]);
    let outsider = principal(
        &env.scratch(),
        "outsider",
        Some("initech"),
        &["intern"],
        "low",
    );
    let request = json!({"capability": "chat"});
    let (code, d) = route_value(&env, &request, &dir, None, Some(&outsider));
    assert_eq!(code, 0, "{d:#}");
    assert_eq!(d["service_id"], "svc-open");
    assert_eq!(d["principal"], "outsider");
    assert_eq!(
        rejections(&d, "svc-a"),
        pairs(&[
            ("access", "min_trust"),
            ("access", "roles"),
            ("access", "tenants"),
        ])
    );
    insta::assert_snapshot!("access_rejections", rejection_lines(&d));

    // Right trust and role, wrong tenant: only the tenant is reported.
    let contractor = principal(
        &env.scratch(),
        "contractor",
        Some("initech"),
        &["analyst"],
        "high",
    );
    let (_, d) = route_value(&env, &request, &dir, None, Some(&contractor));
    assert_eq!(rejections(&d, "svc-a"), pairs(&[("access", "tenants")]));

    // Anonymous (no principal, no token): trust low, no roles, no tenant.
    let (code, d) = route_value(&env, &request, &dir, None, None);
    assert_eq!(code, 0, "{d:#}");
    assert_eq!(d["principal"], "anonymous");
    assert_eq!(d["service_id"], "svc-open");
    assert_eq!(rejections(&d, "svc-a").len(), 3, "{d:#}");
}

/// Access, authentication: an unknown or malformed token in registry mode is
/// refused (exit 1); every candidate is rejected at access(authentication).
#[test]
fn a_bad_token_is_refused_at_the_access_stage() {
    let env = TestEnv::new();
    let dir = env.scratch().join("contracts");
    contract(&dir, "svc-a", &[]);
    contract(&dir, "svc-open", &[OPEN_ACCESS]);
    registry_add(&env, &dir);
    let good = add_principal(&env, "ana", &["--tenant", "acme", "--trust", "high"]);
    // Well-formed but unknown: the same length and alphabet as a real token.
    let unknown = format!("caio_{}", "A".repeat(good.len() - "caio_".len()));
    let mut human = Vec::new();
    for token in [unknown.as_str(), "not-a-token"] {
        let request = json!({"capability": "chat", "auth": {"token": token}});
        let (code, d) = registry_route(&env, &request);
        assert_eq!(code, 1, "{token}: {d:#}");
        assert_eq!(d["outcome"], "refused");
        assert!(d["service_id"].is_null() && d["score"].is_null(), "{d:#}");
        assert!(d["control"].is_null(), "{d:#}");
        let candidates = d["candidates"].as_array().unwrap();
        assert_eq!(candidates.len(), 2);
        for c in candidates {
            let id = c["service_id"].as_str().unwrap();
            assert_eq!(
                rejections(&d, id),
                pairs(&[("access", "authentication")]),
                "{c:#}"
            );
            assert_eq!(message(&d, id, "authentication"), "authentication failed");
        }
        assert!(!d.to_string().contains(token), "the token is never echoed");

        // Human: the refusal is a diagnostic on stderr, nothing on stdout.
        let path = write_json(&env.scratch().join("bad.json"), &request);
        let refused = env.cmd().arg("route").arg(&path).run();
        refused.code(1);
        assert!(refused.stdout.is_empty(), "{refused}");
        assert!(!refused.stderr.contains(token), "{refused}");
        human.push(refused);
    }
    insta::assert_snapshot!("refused_token_human", transcript(&human));
}

/// Privacy: data class, PII and regions (the service's regions must be a
/// subset of the request's).
#[test]
fn privacy_stage_checks_class_pii_and_regions() {
    let env = TestEnv::new();
    let dir = env.scratch().join("contracts");
    contract(
        &dir,
        "svc-a",
        &[("pii_allowed: true", "pii_allowed: false")],
    );
    contract(&dir, "svc-eu-us", &[("regions: [eu]", "regions: [eu, us]")]);
    let ana = principal(&env.scratch(), "ana", Some("acme"), &["analyst"], "high");

    let request = json!({
        "capability": "chat",
        "data": {"class": "restricted", "contains_pii": true},
        "requirements": {"regions": ["us"]}
    });
    let (code, d) = route_value(&env, &request, &dir, None, Some(&ana));
    assert_eq!(code, 3, "{d:#}");
    assert_eq!(
        rejections(&d, "svc-a"),
        pairs(&[
            ("privacy", "max_data_class"),
            ("privacy", "pii_allowed"),
            ("privacy", "regions"),
        ])
    );
    let restricted_us = rejection_lines(&d);
    // svc-eu-us allows PII but is confidential at most and also in the EU.
    assert_eq!(
        rejections(&d, "svc-eu-us"),
        pairs(&[("privacy", "max_data_class"), ("privacy", "regions")])
    );

    // EU only: a service that also processes in the US does not qualify.
    let request = json!({
        "capability": "chat",
        "data": {"class": "confidential"},
        "requirements": {"regions": ["eu"]}
    });
    let (code, d) = route_value(&env, &request, &dir, None, Some(&ana));
    assert_eq!(code, 0, "{d:#}");
    assert_eq!(d["service_id"], "svc-a");
    assert_eq!(
        rejections(&d, "svc-eu-us"),
        pairs(&[("privacy", "regions")])
    );
    insta::assert_snapshot!(
        "privacy_rejections",
        format!(
            "restricted, PII, US only:\n{restricted_us}\nEU only:\n{}",
            rejection_lines(&d)
        )
    );
}

const POLICY_HEAD: &str = "apiVersion: caio/v1\nkind: PolicySet\npolicies:\n";

/// A policy file with these rules (YAML list items, indented by two).
fn policy_set(rules: &str) -> String {
    format!("{POLICY_HEAD}{rules}")
}

/// Policy: deny and require rules reject with their id, and the message
/// names the clause that decided.
#[test]
fn policy_stage_names_the_rule_and_the_clause() {
    let env = TestEnv::new();
    let dir = env.scratch().join("contracts");
    contract(&dir, "svc-a", &[]);
    contract(
        &dir,
        "svc-safe",
        &[
            ("risk: 0.1", "risk: 0"),
            ("hosting: external", "hosting: internal"),
        ],
    );
    let policies = env.scratch().join("policies");
    write(
        &policies.join("rules.yaml"),
        &policy_set(
            "  - id: no-external-pii
    effect: deny
    when: { request.data.contains_pii: true }
    match: { service.privacy.hosting: { in: [external] } }
    message: PII stays in-house
  - id: low-risk-only
    effect: require
    match: { service.risk: { lte: 0.05 } }
",
        ),
    );
    let ana = principal(&env.scratch(), "ana", Some("acme"), &["analyst"], "high");
    let request = json!({"capability": "chat", "data": {"contains_pii": true}});
    let (code, d) = route_value(&env, &request, &dir, Some(&policies), Some(&ana));
    assert_eq!(code, 0, "{d:#}");
    assert_eq!(d["service_id"], "svc-safe");
    let mut rules = rejections(&d, "svc-a");
    rules.sort();
    assert_eq!(
        rules,
        pairs(&[("policy", "low-risk-only"), ("policy", "no-external-pii")])
    );
    // The message of the rule, the clause that decided and the value it saw.
    let with_pii = rejection_lines(&d);

    // Without PII the deny rule does not apply; the require rule still does.
    let (_, d) = route_value(
        &env,
        &json!({"capability": "chat"}),
        &dir,
        Some(&policies),
        Some(&ana),
    );
    assert_eq!(
        rejections(&d, "svc-a"),
        pairs(&[("policy", "low-risk-only")])
    );
    insta::assert_snapshot!(
        "policy_rejections",
        format!(
            "with PII:\n{with_pii}\nwithout PII:\n{}",
            rejection_lines(&d)
        )
    );
}

/// A rule that cannot be evaluated (an operator on an attribute the service
/// does not declare) rejects the candidate: fail closed, "policy error".
#[test]
fn policy_error_on_a_missing_attribute_fails_closed() {
    let env = TestEnv::new();
    let dir = env.scratch().join("contracts");
    contract(&dir, "svc-a", &[]);
    contract(&dir, "svc-no-accuracy", &[NO_ACCURACY]);
    let policies = env.scratch().join("policies");
    write(
        &policies.join("accuracy.yaml"),
        &policy_set(
            "  - id: accuracy-floor
    effect: require
    match: { service.guarantees.accuracy: { gte: 0.5 } }
",
        ),
    );
    let ana = principal(&env.scratch(), "ana", Some("acme"), &["analyst"], "high");
    let (code, d) = route_value(
        &env,
        &json!({"capability": "chat"}),
        &dir,
        Some(&policies),
        Some(&ana),
    );
    assert_eq!(code, 0, "{d:#}");
    assert_eq!(d["service_id"], "svc-a");
    assert_eq!(
        rejections(&d, "svc-no-accuracy"),
        pairs(&[("policy", "accuracy-floor")])
    );
    let m = message(&d, "svc-no-accuracy", "accuracy-floor");
    assert!(m.starts_with("policy error"), "{m}");
    let unguarded = rejection_lines(&d);

    // Guarded with `exists`, the same rule is an ordinary requirement.
    write(
        &policies.join("accuracy.yaml"),
        &policy_set(
            "  - id: accuracy-floor
    effect: require
    match:
      all:
        - service.guarantees.accuracy: { exists: true }
        - service.guarantees.accuracy: { gte: 0.5 }
",
        ),
    );
    let (_, d) = route_value(
        &env,
        &json!({"capability": "chat"}),
        &dir,
        Some(&policies),
        Some(&ana),
    );
    let m = message(&d, "svc-no-accuracy", "accuracy-floor");
    assert!(!m.starts_with("policy error"), "{m}");
    insta::assert_snapshot!(
        "policy_error_rejections",
        format!(
            "unguarded:\n{unguarded}\nguarded with exists:\n{}",
            rejection_lines(&d)
        )
    );
}

/// Requirement: every hard bound is checked and reported; bounds are
/// inclusive; a service without declared accuracy fails `min_accuracy`.
#[test]
fn requirement_stage_checks_every_bound() {
    let env = TestEnv::new();
    let dir = env.scratch().join("contracts");
    contract(&dir, "svc-a", &[]);
    contract(&dir, "svc-no-accuracy", &[NO_ACCURACY]);
    let ana = principal(&env.scratch(), "ana", Some("acme"), &["analyst"], "high");

    // 1000 input tokens: $0.002 on the base contract.
    let request = json!({
        "capability": "chat",
        "input": {"tokens": 1000},
        "requirements": {
            "max_latency_p95_ms": 1000,
            "min_availability": 0.9999,
            "min_accuracy": 0.9,
            "max_cost": 0.001,
            "tags": ["internal"],
            "hosting": ["on_prem"]
        }
    });
    let (code, d) = route_value(&env, &request, &dir, None, Some(&ana));
    assert_eq!(code, 3, "{d:#}");
    let mut rules = rejections(&d, "svc-a");
    rules.sort();
    assert_eq!(
        rules,
        pairs(&[
            ("requirement", "hosting"),
            ("requirement", "max_cost"),
            ("requirement", "max_latency_p95_ms"),
            ("requirement", "min_accuracy"),
            ("requirement", "min_availability"),
            ("requirement", "tags"),
        ])
    );
    let beyond = rejection_lines(&d);

    // Exactly at every bound: eligible. Undeclared accuracy fails min_accuracy.
    let request = json!({
        "capability": "chat",
        "input": {"tokens": 1000},
        "requirements": {
            "max_latency_p95_ms": 1300,
            "min_availability": 0.999,
            "min_accuracy": 0.86,
            "max_cost": 0.002,
            "tags": ["eu", "llm"],
            "hosting": ["external"]
        }
    });
    let (code, d) = route_value(&env, &request, &dir, None, Some(&ana));
    assert_eq!(code, 0, "{d:#}");
    assert_eq!(d["service_id"], "svc-a");
    assert_eq!(
        rejections(&d, "svc-no-accuracy"),
        pairs(&[("requirement", "min_accuracy")])
    );
    insta::assert_snapshot!(
        "requirement_rejections",
        format!(
            "beyond every bound:\n{beyond}\nat every bound:\n{}",
            rejection_lines(&d)
        )
    );
    // The headrooms of the control signal are 0 at the bounds.
    assert_eq!(d["control"]["latency_headroom"], 0.0);
    assert_eq!(d["control"]["budget_headroom"], 0.0);
}

/// Preference: `exclude_services` removes a service that passed every hard
/// stage; it is not part of the normalisation.
#[test]
fn preference_stage_excludes_named_services() {
    let env = TestEnv::new();
    let dir = env.scratch().join("contracts");
    contract(&dir, "svc-a", &[]);
    contract(
        &dir,
        "svc-b",
        &[("per_1k_output_tokens: 0.006", "per_1k_output_tokens: 0.012")],
    );
    let ana = principal(&env.scratch(), "ana", Some("acme"), &["analyst"], "high");
    let request = json!({
        "capability": "chat",
        "input": {"tokens": 1000, "expected_output_tokens": 1000},
        "preferences": {"exclude_services": ["svc-a"]}
    });
    let (code, d) = route_value(&env, &request, &dir, None, Some(&ana));
    assert_eq!(code, 0, "{d:#}");
    assert_eq!(d["service_id"], "svc-b");
    assert_eq!(
        rejections(&d, "svc-a"),
        pairs(&[("preference", "exclude_services")])
    );
    assert_eq!(
        d["summary"],
        "1/2 services eligible: 1 preference(exclude_services)"
    );
    // The only eligible one sets the scale: ĉ = ℓ̂ = 1, confidence 1.
    let terms = &candidate(&d, "svc-b")["terms"];
    assert_eq!(terms["c"], 1.0, "{terms}");
    assert_eq!(terms["l"], 1.0, "{terms}");
    assert_eq!(d["control"]["confidence"], 1.0);

    // Without the exclusion the cheaper svc-a wins.
    let request = json!({
        "capability": "chat",
        "input": {"tokens": 1000, "expected_output_tokens": 1000}
    });
    let (_, d) = route_value(&env, &request, &dir, None, Some(&ana));
    assert_eq!(d["service_id"], "svc-a");
}

// ---------------------------------------------------------------------------
// Registry mode
// ---------------------------------------------------------------------------

#[test]
fn registry_mode_end_to_end() {
    let env = TestEnv::new();
    registry_add(&env, Path::new("contracts"));
    let (code, applied) = run_json(
        env.caio()
            .args(["--format", "json", "policy", "apply", "policies"]),
    );
    assert_eq!(code, 0);
    let hash = applied["hash"].as_str().unwrap().to_string();
    let token = add_principal(
        &env,
        "ops",
        &[
            "--tenant", "initech", "--roles", "engineer", "--trust", "high",
        ],
    );

    // The cost fixture, sent by the token of an initech engineer, routes as
    // fixtures/requests/README.md expects for initech-engineer.
    let text = std::fs::read_to_string(repo().join(fixture_request("chat-cost-priority.json")))
        .expect("fixture");
    let mut request: Value = serde_json::from_str(&text).expect("fixture JSON");
    request["auth"] = json!({"token": token});
    let (code, d) = registry_route(&env, &request);
    assert_eq!(code, 0, "{d:#}");
    assert_eq!(d["principal"], "ops");
    assert_eq!(d["service_id"], "openai-gpt-4o-mini");
    assert_eq!(d["policy_set"], hash);
    assert!(!d.to_string().contains(&token), "the token is never echoed");

    // `policy show` prints the hash decisions report.
    let show = ok(&env, ["policy", "show"]);
    assert_eq!(
        show.lines().next(),
        Some(format!("policy set  {hash}").as_str())
    );
    let (_, show) = run_json(env.caio().args(["--format", "json", "policy", "show"]));
    assert_eq!(show["hash"], hash);

    // Without a token: the anonymous principal, for whom fewer services qualify.
    request.as_object_mut().unwrap().remove("auth");
    let (code, d) = registry_route(&env, &request);
    assert_eq!(d["principal"], "anonymous");
    assert_eq!(code, 0, "{d:#}");
    assert_eq!(d["service_id"], "openai-gpt-4o-mini");
    assert_eq!(
        d["summary"].as_str().unwrap().split(' ').next(),
        Some("1/8")
    );

    // Routing always applies the installed set: deny everything → no_route.
    request["auth"] = json!({"token": token});
    let deny = write(
        &env.scratch().join("deny/deny.yaml"),
        &format!("{POLICY_HEAD}  - id: freeze\n    effect: deny\n    message: change freeze\n"),
    );
    ok(
        &env,
        [OsStr::new("policy"), OsStr::new("apply"), deny.as_os_str()],
    );
    let (code, d) = registry_route(&env, &request);
    assert_eq!(code, 3, "{d:#}");
    assert_eq!(d["outcome"], "no_route");
    assert_ne!(d["policy_set"], hash);
    for c in d["candidates"].as_array().unwrap() {
        let id = c["service_id"].as_str().unwrap();
        let rules = rejections(&d, id);
        // Those that pass access and privacy all meet the freeze.
        if rules.iter().any(|(stage, _)| stage == "policy") {
            assert_eq!(rules, pairs(&[("policy", "freeze")]), "{c:#}");
            assert_eq!(message(&d, id, "freeze"), "change freeze");
        }
    }
    insta::assert_snapshot!(
        "freeze",
        format!(
            "{}\n{}",
            rejection_lines(&d),
            d["summary"].as_str().unwrap()
        )
    );

    // An allow-everything set → routed again.
    let allow = write(
        &env.scratch().join("allow/allow.yaml"),
        "apiVersion: caio/v1\nkind: PolicySet\npolicies: []\n",
    );
    ok(
        &env,
        [OsStr::new("policy"), OsStr::new("apply"), allow.as_os_str()],
    );
    let (code, d) = registry_route(&env, &request);
    assert_eq!(code, 0, "{d:#}");
    assert_eq!(d["outcome"], "routed");

    // A revoked token is refused.
    ok(&env, ["principal", "revoke", "ops"]);
    let (code, d) = registry_route(&env, &request);
    assert_eq!(code, 1, "{d:#}");
    assert_eq!(d["outcome"], "refused");

    // Registry mode needs a registry.
    let no_home = TestEnv::new();
    let mut runs = vec![no_home.run(["route", "fixtures/requests/chat-balanced.json"])];
    runs[0].code(5);

    // Policies and principals from files are for stateless mode only.
    for (flag, value) in [
        ("--policies", "policies"),
        ("--principal", "fixtures/principals/initech-engineer.yaml"),
    ] {
        let run = no_home.run(["route", "fixtures/requests/chat-balanced.json", flag, value]);
        run.code(2);
        assert!(run.stdout.is_empty(), "{run}");
        runs.push(run);
    }
    insta::assert_snapshot!("registry_mode_refusals", transcript(&runs));
}

/// A route reads each capability's candidates from one stored form, built
/// by the first route and valid for the registry epoch it was built at:
/// every later registry change (a status, a removal, a new version) is
/// seen by the next route, and a damaged form is reported, never used.
#[test]
fn routes_see_every_registry_change_through_the_stored_forms() {
    let env = TestEnv::new();
    registry_add(&env, Path::new("contracts"));
    let text = std::fs::read_to_string(repo().join(fixture_request("chat-cost-priority.json")))
        .expect("fixture");
    let request: Value = serde_json::from_str(&text).expect("fixture JSON");
    let db = env.home().join("caio.db");
    let form = || {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.query_row(
            "SELECT f.epoch, e.n FROM capability_forms f, registry_epoch e
             WHERE f.capability = 'chat'",
            [],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
        )
        .unwrap()
    };
    let route = || {
        let (code, d) = registry_route(&env, &request);
        assert!(code == 0 || code == 3, "{d:#}");
        d
    };

    let first = route();
    assert_eq!(first["service_id"], "openai-gpt-4o-mini", "{first:#}");
    let (built, current) = form();
    assert_eq!(built, current, "the first route stores the form");
    assert_eq!(route()["service_id"], first["service_id"]);
    assert_eq!(form(), (built, current), "a later route reads it unchanged");

    // A status change: the drained service is rejected by its status.
    ok(
        &env,
        ["registry", "set-status", "openai-gpt-4o-mini", "drained"],
    );
    assert!(form().1 > current, "the change advances the epoch");
    let d = route();
    assert_ne!(d["service_id"], "openai-gpt-4o-mini", "{d:#}");
    assert_eq!(
        rejections(&d, "openai-gpt-4o-mini"),
        pairs(&[("status", "drained")])
    );
    let (rebuilt, now) = form();
    assert_eq!(rebuilt, now, "the next route rebuilds the form");

    // Back to active, then removed: each seen by the next route.
    ok(
        &env,
        ["registry", "set-status", "openai-gpt-4o-mini", "active"],
    );
    assert_eq!(route()["service_id"], "openai-gpt-4o-mini");
    ok(&env, ["registry", "remove", "openai-gpt-4o-mini"]);
    let d = route();
    let ids: Vec<&str> = d["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["service_id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&"openai-gpt-4o-mini"), "{ids:?}");

    // A new version of a candidate: the next route uses it.
    let shipped = repo().join("contracts/openai-gpt-4o-mini.yaml");
    let bumped = std::fs::read_to_string(&shipped)
        .unwrap()
        .lines()
        .map(|l| {
            if l.starts_with("version:") {
                "version: 99.0.0".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let path = write(&env.scratch().join("new/openai-gpt-4o-mini.yaml"), &bumped);
    ok(
        &env,
        [OsStr::new("registry"), OsStr::new("add"), path.as_os_str()],
    );
    let d = route();
    assert_eq!(d["service_id"], "openai-gpt-4o-mini", "{d:#}");
    assert_eq!(d["service_version"], "99.0.0", "{d:#}");

    // A form another caio stored in another format is rebuilt.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE capability_forms SET body = x'ff' || substr(body, 2) WHERE capability = 'chat'",
        [],
    )
    .unwrap();
    assert_eq!(route()["service_version"], "99.0.0");
    let format: Vec<u8> = conn
        .query_row(
            "SELECT substr(body, 1, 1) FROM capability_forms WHERE capability = 'chat'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_ne!(format, [0xff], "the route stored the form again");

    // A route reads the compiled form, not the contracts; the chosen
    // contract must read back, and one that does not is a damaged home.
    let body: Vec<u8> = conn
        .query_row(
            "SELECT body FROM capability_forms WHERE capability = 'chat'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let needle = br#""service_id":"openai-gpt-4o-mini""#;
    let at = body
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the chosen contract's body in the form");
    let mut damaged = body.clone();
    damaged[at + needle.len() - 4] = b'x';
    conn.execute(
        "UPDATE capability_forms SET body = ?1 WHERE capability = 'chat'",
        [&damaged],
    )
    .unwrap();
    let path = write_json(&env.scratch().join("request.json"), &request);
    let (code, stdout, stderr) = run(env.caio().arg("route").arg(&path));
    assert_eq!(code, 5, "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    let flat: Vec<&str> = stderr.split_whitespace().filter(|w| *w != "│").collect();
    let flat = flat.join(" ");
    assert!(
        flat.contains("the stored contract of openai-gpt-4o-mini 99.0.0 cannot be read back"),
        "{stderr}"
    );
    assert!(flat.contains("restore it from a backup"), "{stderr}");

    // A damaged form of the current epoch: a diagnostic (exit 5), no route.
    conn.execute(
        "UPDATE capability_forms SET body = substr(body, 1, 40) WHERE capability = 'chat'",
        [],
    )
    .unwrap();
    let path = write_json(&env.scratch().join("request.json"), &request);
    let (code, stdout, stderr) = run(env.caio().arg("route").arg(&path));
    assert_eq!(code, 5, "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("capability form"), "{stderr}");
    assert!(stderr.contains("restore it from a backup"), "{stderr}");
}

// ---------------------------------------------------------------------------
// no_route
// ---------------------------------------------------------------------------

#[test]
fn no_route_exits_3_with_the_rejection_table_and_summary() {
    let env = TestEnv::new();
    without_decision_ids(&env);
    let principal = fixture_principal("hr-officer");
    let route = |explain: bool| {
        let mut cmd = env
            .cmd()
            .args(["route", "fixtures/requests/no-route-restricted-us.json"])
            .args(["--contracts", "contracts", "--policies", "policies"])
            .arg("--principal")
            .arg(&principal);
        if explain {
            cmd = cmd.arg("--explain");
        }
        cmd.run()
    };
    // One row per rejection reason, every candidate, and the summary.
    let plain = route(false);
    plain.code(3);
    assert!(plain.stdout.starts_with("no route"), "{plain}");
    assert!(plain.stderr.is_empty(), "{plain}");

    // --explain adds no formula, weights or empty score table when nothing
    // was scored: the same first rejections, marked `*`, each followed by
    // the later stages that would reject the service too.
    let explained = route(true);
    explained.code(3);
    for absent in ["J(s)", "weights", "SCORE"] {
        assert!(
            !explained.stdout.contains(absent),
            "{absent} in:\n{explained}"
        );
    }
    let collapse = |line: &str| line.split_whitespace().collect::<Vec<_>>().join(" ");
    let explained_rows: Vec<String> = explained.stdout.lines().map(collapse).collect();
    let first_rows: Vec<String> = plain
        .stdout
        .lines()
        .filter(|l| l.contains("  access  ") || l.contains("  privacy  "))
        .map(collapse)
        .collect();
    assert_eq!(first_rows.len(), 11, "{plain}");
    for row in &first_rows {
        assert!(
            explained_rows.contains(&format!("* {row}")),
            "`* {row}` in:\n{explained}"
        );
    }
    assert!(
        explained_rows.len() > first_rows.len() + 10
            && explained
                .stdout
                .contains("anthropic-claude-sonnet  policy   restricted-on-prem-only"),
        "{explained}"
    );
    insta::assert_snapshot!(
        "no_route_restricted_us_human",
        transcript([&plain, &explained])
    );
}

// ---------------------------------------------------------------------------
// Ties
// ---------------------------------------------------------------------------

/// Routes 100 copies of `request` with seeds 0..99 in one `--batch` run and
/// returns the chosen id per seed.
fn picks_by_seed(env: &TestEnv, request: &Value, contracts: &Path) -> Vec<String> {
    let lines: Vec<String> = (0..100)
        .map(|seed| {
            let mut r = request.clone();
            r["seed"] = json!(seed);
            r.to_string()
        })
        .collect();
    let batch = write(
        &env.scratch().join("seeds.jsonl"),
        &(lines.join("\n") + "\n"),
    );
    let (code, stdout, stderr) = run(env
        .caio()
        .args(["route", "--batch"])
        .arg(&batch)
        .arg("--contracts")
        .arg(contracts));
    assert_eq!(code, 0, "{stderr}");
    let out: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(out.len(), 100);
    out.iter()
        .enumerate()
        .map(|(seed, d)| {
            assert_eq!(d["seed"], seed, "{d:#}");
            assert_eq!(d["control"]["confidence"], 0.0, "a tie: {d:#}");
            d["service_id"].as_str().expect("routed").to_string()
        })
        .collect()
}

#[test]
fn ties_are_broken_by_the_seed() {
    let env = TestEnv::new();
    let dir = env.scratch().join("twins");
    contract(&dir, "twin-a", &[OPEN_ACCESS]);
    contract(&dir, "twin-b", &[OPEN_ACCESS]);
    let request = json!({"capability": "chat", "input": {"tokens": 500}});

    let picks = picks_by_seed(&env, &request, &dir);
    let counts: BTreeMap<&str, usize> = picks.iter().fold(BTreeMap::new(), |mut m, id| {
        *m.entry(id.as_str()).or_default() += 1;
        m
    });
    assert_eq!(
        counts.keys().copied().collect::<Vec<_>>(),
        ["twin-a", "twin-b"],
        "both twins win some seeds: {counts:?}"
    );
    // Same seed, same pick: again, and with the files named in the other order.
    assert_eq!(picks_by_seed(&env, &request, &dir), picks);
    let renamed = env.scratch().join("renamed");
    std::fs::create_dir_all(&renamed).unwrap();
    std::fs::copy(dir.join("twin-a.yaml"), renamed.join("z-first.yaml")).unwrap();
    std::fs::copy(dir.join("twin-b.yaml"), renamed.join("a-second.yaml")).unwrap();
    assert_eq!(picks_by_seed(&env, &request, &renamed), picks);

    // Registration order does not matter either (registry mode).
    for (home, order) in [
        ("first", ["twin-a", "twin-b"]),
        ("second", ["twin-b", "twin-a"]),
    ] {
        let env = TestEnv::new();
        for id in order {
            registry_add(&env, &dir.join(format!("{id}.yaml")));
        }
        let lines: Vec<String> = (0..100)
            .map(|seed| {
                let mut r = request.clone();
                r["seed"] = json!(seed);
                r.to_string()
            })
            .collect();
        let batch = write(&env.scratch().join("seeds.jsonl"), &lines.join("\n"));
        let (code, stdout, stderr) = run(env.caio().args(["route", "--batch"]).arg(&batch));
        assert_eq!(code, 0, "{home}: {stderr}");
        let registry_picks: Vec<String> = stdout
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["service_id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(registry_picks, picks, "registered {order:?}");
    }

    // `--seed` overrides the request's seed.
    let a = picks.iter().position(|p| p == "twin-a").unwrap();
    let b = picks.iter().position(|p| p == "twin-b").unwrap();
    let mut r = request.clone();
    r["seed"] = json!(a);
    let path = write_json(&env.scratch().join("seeded.json"), &r);
    let (code, d) = stateless_json(&env, &path, &dir, None, None, &[]);
    assert_eq!(code, 0);
    assert_eq!(
        (d["seed"].as_u64(), d["service_id"].as_str()),
        (Some(a as u64), Some("twin-a"))
    );
    let (code, d) = stateless_json(&env, &path, &dir, None, None, &["--seed", &b.to_string()]);
    assert_eq!(code, 0);
    assert_eq!(
        (d["seed"].as_u64(), d["service_id"].as_str()),
        (Some(b as u64), Some("twin-b"))
    );
    // Both twins have the same score, listed chosen first.
    let scores: Vec<&Value> = d["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["score"])
        .collect();
    assert_eq!(scores[0], scores[1]);
    assert_eq!(d["candidates"][0]["service_id"], "twin-b");
}

/// A chain whose steps each have two tied services: the seed picks among
/// the tied combinations, and every combination wins some seed.
#[test]
fn chain_ties_are_broken_by_the_seed() {
    let env = TestEnv::new();
    let dir = env.scratch().join("twins");
    contract(&dir, "twin-a", &[OPEN_ACCESS]);
    contract(&dir, "twin-b", &[OPEN_ACCESS]);
    let lines: Vec<String> = (0..100)
        .map(|seed| {
            json!({
                "chain": [{"capability": "chat"}, {"capability": "chat"}],
                "seed": seed
            })
            .to_string()
        })
        .collect();
    let batch = write(&env.scratch().join("chains.jsonl"), &lines.join("\n"));
    let picks = || -> Vec<Vec<String>> {
        let (code, stdout, stderr) = run(env
            .caio()
            .args(["route", "--batch"])
            .arg(&batch)
            .arg("--contracts")
            .arg(&dir));
        assert_eq!(code, 0, "{stderr}");
        stdout
            .lines()
            .map(|l| chosen(&serde_json::from_str(l).expect("JSON line")))
            .collect()
    };
    let first = picks();
    assert_eq!(first.len(), 100);
    let combinations: BTreeSet<&Vec<String>> = first.iter().collect();
    assert_eq!(combinations.len(), 4, "{combinations:?}");
    assert_eq!(picks(), first, "same seed, same chain");
}

// ---------------------------------------------------------------------------
// Stateless identities
// ---------------------------------------------------------------------------

/// In stateless mode a token is checked against the home when it has a
/// database, and refused when there is none to check it against.
#[test]
fn stateless_tokens_are_checked_against_the_home() {
    let env = TestEnv::new();
    let dir = env.scratch().join("contracts");
    contract(&dir, "svc-a", &[]);
    contract(&dir, "svc-open", &[OPEN_ACCESS]);

    // No database yet: a token cannot be verified → refused.
    let request =
        json!({"capability": "chat", "auth": {"token": format!("caio_{}", "A".repeat(43))}});
    let path = write_json(&env.scratch().join("token.json"), &request);
    let unchecked = env
        .cmd()
        .arg("route")
        .arg(&path)
        .arg("--contracts")
        .arg(&dir)
        .run();
    unchecked.code(1);
    // It says how to simulate a caller.
    insta::assert_snapshot!("token_without_a_home", unchecked);

    // A principal of this home: authenticated, as in registry mode.
    let token = add_principal(
        &env,
        "ana",
        &["--tenant", "acme", "--roles", "analyst", "--trust", "high"],
    );
    let (code, d) = route_value(
        &env,
        &json!({"capability": "chat", "auth": {"token": token}, "input": {"tokens": 10}}),
        &dir,
        None,
        None,
    );
    assert_eq!(code, 0, "{d:#}");
    assert_eq!(d["principal"], "ana");
    assert_eligible(&d, "svc-a");

    // --principal simulates a caller; the token is then not checked (and
    // the user is told so).
    let bob = principal(&env.scratch(), "bob", None, &[], "low");
    let path = write_json(&env.scratch().join("token.json"), &request);
    let simulated = env
        .cmd()
        .args(["--format", "json", "route"])
        .arg(&path)
        .arg("--contracts")
        .arg(&dir)
        .arg("--principal")
        .arg(&bob)
        .run();
    simulated.code(0);
    assert_eq!(simulated.json()["principal"], "bob");
    assert_eq!(
        simulated.stderr,
        "warning: routing as the simulated principal `bob`; the request's token is not checked\n"
    );
}

// ---------------------------------------------------------------------------
// The JSON document
// ---------------------------------------------------------------------------

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect()
}

fn unit(v: &Value) -> bool {
    v.as_f64().is_some_and(|x| (0.0..=1.0).contains(&x))
}

#[test]
fn json_document_of_a_routed_request() {
    let env = TestEnv::new();
    without_decision_ids(&env);
    let principal = fixture_principal("globex-engineer");
    let run = env
        .cmd()
        .args([
            "--format",
            "json",
            "route",
            "fixtures/requests/chat-balanced.json",
        ])
        .args(["--contracts", "contracts", "--policies", "policies"])
        .arg("--principal")
        .arg(&principal)
        .run();
    run.code(0);
    // The whole document: every key and value.
    insta::assert_snapshot!("chat_balanced_json", run);
    let d = run.json();
    assert!(is_hex(&d["decision_id"], 32), "{}", d["decision_id"]);
    assert!(is_hex(&d["policy_set"], 64), "{}", d["policy_set"]);
    assert_eq!(d["outcome"], "routed");
    assert_eq!(d["service_id"], "llama-3-70b-onprem");
    assert_eq!(d["service_version"], "3.0.2");
    assert_eq!(d["principal"], "globex-engineer");
    assert_eq!(d["seed"], 0);
    // The balanced profile of SPEC §5.
    assert_eq!(
        d["weights"],
        json!({"q": 0.30, "h": 0.15, "t": 0.10, "c": 0.15, "l": 0.15, "r": 0.15})
    );
    let score = d["score"].as_f64().unwrap();
    assert!((score - 0.2485).abs() < 5e-5, "{score}");

    let steps = d["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0]["capability"], "chat");
    assert_eq!(steps[0]["service_id"], d["service_id"]);
    assert_eq!(steps[0]["service_version"], d["service_version"]);
    assert_eq!(steps[0]["score"], d["score"]);

    let control = &d["control"];
    assert_eq!(
        keys(control),
        BTreeSet::from(["confidence", "latency_headroom", "budget_headroom", "risk"])
    );
    for (k, v) in control.as_object().unwrap() {
        assert!(unit(v), "control.{k} = {v}");
    }
    // confidence = 10 × (0.2485 − 0.2006); no bounds → headrooms 1; ρ of llama.
    assert!((control["confidence"].as_f64().unwrap() - 0.479).abs() < 1e-3);
    assert_eq!(control["latency_headroom"], 1.0);
    assert_eq!(control["budget_headroom"], 1.0);
    assert!((control["risk"].as_f64().unwrap() - 0.15).abs() < 1e-9);

    let g = &d["guarantees"];
    assert_eq!(g["latency_p95_ms"], 3200.0);
    assert_eq!(g["availability"], 0.99);
    assert_eq!(g["accuracy"], 0.82);
    assert!((g["cost"].as_f64().unwrap() - 0.001).abs() < 1e-12, "{g}");

    let candidates = d["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 8);
    let ids: BTreeSet<&str> = candidates
        .iter()
        .map(|c| c["service_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 8, "each candidate once");
    for c in candidates {
        if c["eligible"] == true {
            assert!(c["score"].is_f64(), "{c:#}");
            assert_eq!(
                keys(&c["terms"]),
                BTreeSet::from(["q", "h", "t", "c", "l", "r"])
            );
            for (k, v) in c["terms"].as_object().unwrap() {
                assert!(unit(v), "{k} = {v} in {c:#}");
            }
            assert!(c["rejections"].as_array().unwrap().is_empty());
        } else {
            assert!(c["score"].is_null() && c["terms"].is_null(), "{c:#}");
            let rejections = c["rejections"].as_array().unwrap();
            assert!(!rejections.is_empty(), "{c:#}");
            for r in rejections {
                assert_eq!(keys(r), BTreeSet::from(["stage", "rule", "message"]));
            }
        }
    }
    // Eligible first, best first, the chosen one at the top.
    assert_eq!(candidates[0]["service_id"], "llama-3-70b-onprem");
    assert_eq!(candidates[1]["service_id"], "mistral-large-eu");
    assert_eq!(candidates[0]["score"], d["score"]);
    assert!(candidates[2..].iter().all(|c| c["eligible"] == false));
    // t = prefer-internal 0.3 + prefer-eu-for-eu-tenants 0.2.
    assert!((candidates[0]["terms"]["t"].as_f64().unwrap() - 0.5).abs() < 1e-9);
    assert!(
        d["summary"]
            .as_str()
            .unwrap()
            .starts_with("2/8 services eligible: "),
        "{}",
        d["summary"]
    );

    // The same inputs give the same decision.
    let (_, again) = stateless_json(
        &env,
        &fixture_request("chat-balanced.json"),
        Path::new("contracts"),
        Some(Path::new("policies")),
        Some(&principal),
        &[],
    );
    assert_eq!(decision_only(&again), decision_only(&d));
}

/// The RAG chain: the greedy best per step (llama for chat) breaks the
/// 3,000 ms bound end to end; the best feasible combination ends in
/// gpt-4o-mini.
#[test]
fn chain_takes_the_best_feasible_combination_not_the_greedy_one() {
    let env = TestEnv::new();
    let principal = fixture_principal("initech-engineer");
    let (code, d) = stateless_json(
        &env,
        &fixture_request("chain-rag-latency-bound.json"),
        Path::new("contracts"),
        Some(Path::new("policies")),
        Some(&principal),
        &[],
    );
    assert_eq!(code, 0, "{d:#}");
    assert_eq!(d["outcome"], "routed");
    assert!(d["service_id"].is_null(), "no single service for a chain");
    assert!(d["service_version"].is_null());
    assert_eq!(
        chosen(&d),
        ["bge-m3-internal", "cohere-rerank", "openai-gpt-4o-mini"]
    );
    let caps: Vec<&str> = d["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["capability"].as_str().unwrap())
        .collect();
    assert_eq!(caps, ["embedding", "rerank", "chat"]);

    // llama has the best chat score, yet is not chosen.
    let chat: Vec<&Value> = d["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["step"] == 3 && c["eligible"] == true)
        .collect();
    assert_eq!(chat[0]["service_id"], "llama-3-70b-onprem", "{d:#}");
    let best = chat[0]["score"].as_f64().unwrap();
    let mini = candidate(&d, "openai-gpt-4o-mini")["score"]
        .as_f64()
        .unwrap();
    assert!(best > mini, "llama {best} vs gpt-4o-mini {mini}");

    // The total is the sum of the step scores (1.2101); composed guarantees
    // meet the bounds: 120 + 450 + 750 ms, costs add.
    let sum: f64 = d["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["score"].as_f64().unwrap())
        .sum();
    let total = d["score"].as_f64().unwrap();
    assert!((total - sum).abs() < 1e-9, "{total} vs {sum}");
    assert!((total - 1.2101).abs() < 5e-5, "{total}");
    let g = &d["guarantees"];
    assert_eq!(g["latency_p95_ms"], 1320.0);
    assert!(g["latency_p95_ms"].as_f64().unwrap() <= 3000.0);
    assert!(g["cost"].as_f64().unwrap() <= 0.01);
    assert!((d["control"]["latency_headroom"].as_f64().unwrap() - 0.56).abs() < 1e-9);
    for (k, v) in d["control"].as_object().unwrap() {
        assert!(unit(v), "control.{k} = {v}");
    }
    // Candidates carry their step (1-based).
    let steps: BTreeSet<u64> = d["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["step"].as_u64().expect("step"))
        .collect();
    assert_eq!(steps, BTreeSet::from([1, 2, 3]));
    // The summary and the whole document are in the chain_rag_json snapshot.

    // Human output shows the three steps.
    without_decision_ids(&env);
    let human = env
        .cmd()
        .args(["route", "fixtures/requests/chain-rag-latency-bound.json"])
        .args(["--contracts", "contracts", "--policies", "policies"])
        .arg("--principal")
        .arg(&principal)
        .run();
    human.code(0);
    assert!(
        human.stdout.starts_with("routed chain of 3 steps"),
        "{human}"
    );
    insta::assert_snapshot!("chain_rag_human", human);
}

/// A chain whose every combination breaks the end-to-end bound is no_route,
/// with the reason.
#[test]
fn chain_without_a_feasible_combination_is_no_route() {
    let env = TestEnv::new();
    let text =
        std::fs::read_to_string(repo().join(fixture_request("chain-rag-latency-bound.json")))
            .expect("fixture");
    let mut request: Value = serde_json::from_str(&text).unwrap();
    // Embedding 120 + rerank 450 already exceed 500 ms.
    request["requirements"]["max_latency_p95_ms"] = json!(500);
    let principal = fixture_principal("initech-engineer");
    let (code, d) = route_value(
        &env,
        &request,
        Path::new("contracts"),
        Some(Path::new("policies")),
        Some(&principal),
    );
    assert_eq!(code, 3, "{d:#}");
    assert_eq!(d["outcome"], "no_route");
    assert!(d["steps"].as_array().unwrap().is_empty());
    let reason = d["reason"].as_str().expect("a reason");
    // The fastest chain takes 1320 ms.
    insta::assert_snapshot!(
        "infeasible_chain",
        format!(
            "reason: {reason}\nsummary: {}",
            d["summary"].as_str().unwrap()
        )
    );
}

/// Regression: composed availability (0.98 × 0.98) was printed with binary
/// float noise (`0.9603999999999999`) in the human guarantees line and in the
/// no_route reason, while costs are rounded for display.
#[test]
fn composed_availability_is_printed_without_float_noise() {
    let env = TestEnv::new();
    without_decision_ids(&env);
    let principal = fixture_principal("initech-support");
    let human = env
        .cmd()
        .args(["route", "fixtures/requests/chain-meeting-summary.json"])
        .args(["--contracts", "contracts", "--policies", "policies"])
        .arg("--principal")
        .arg(&principal)
        .run();
    human.code(0);
    let guarantees = human
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("guarantees"))
        .unwrap_or_else(|| panic!("{human}"));
    assert!(guarantees.contains(" availability 0.9604 "), "{guarantees}");
    insta::assert_snapshot!("meeting_summary_human", human);

    let text = std::fs::read_to_string(repo().join(fixture_request("chain-meeting-summary.json")))
        .unwrap();
    let mut request: Value = serde_json::from_str(&text).unwrap();
    request["requirements"]["min_availability"] = json!(0.97);
    let (code, d) = route_value(
        &env,
        &request,
        Path::new("contracts"),
        Some(Path::new("policies")),
        Some(&principal),
    );
    assert_eq!(code, 3, "{d:#}");
    let reason = d["reason"].as_str().unwrap();
    insta::assert_snapshot!("unavailable_chain", reason);
}

// ---------------------------------------------------------------------------
// Every request fixture
// ---------------------------------------------------------------------------

/// One row of the summary table of fixtures/requests/README.md.
#[derive(Debug)]
struct Expected {
    file: String,
    /// `None`: anonymous.
    principal: Option<String>,
    /// The chosen ids in step order; empty for no_route.
    with_policies: Vec<String>,
    /// The same without policies.
    without_policies: Vec<String>,
    /// `(eligible, candidates)` when the row states it, e.g. `(2/8 eligible`.
    eligible: Option<String>,
}

/// The first `(N/M` of a cell, as `N/M`.
fn eligible_count(cell: &str) -> Option<String> {
    cell.match_indices('(').find_map(|(i, _)| {
        let rest = &cell[i + 1..];
        let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '/'))?;
        let fraction = &rest[..end];
        let (n, m) = fraction.split_once('/')?;
        (!n.is_empty() && !m.is_empty()).then(|| fraction.to_string())
    })
}

/// Backticked words of a table cell.
fn ticked(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn readme_expectations() -> Vec<Expected> {
    let readme =
        std::fs::read_to_string(repo().join("fixtures/requests/README.md")).expect("README");
    let summary = readme
        .split("## Summary")
        .nth(1)
        .expect("a Summary section");
    summary
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter(|l| l.starts_with("| `"))
        .map(|line| {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            assert_eq!(cells.len(), 5, "{line}");
            let file = ticked(cells[0]).remove(0);
            let principal = ticked(cells[2]).into_iter().next();
            assert!(
                principal.is_some() || cells[2].contains("anonymous"),
                "{line}"
            );
            // `**routed → `a` → `b`** (why)` or `**no_route, exit 3** (…)`.
            let verdict = cells[3]
                .strip_prefix("**")
                .and_then(|v| v.split("**").next())
                .unwrap_or_else(|| panic!("{line}"));
            let with_policies = if verdict.starts_with("no_route") {
                Vec::new()
            } else {
                assert!(verdict.starts_with("routed → "), "{line}");
                ticked(verdict)
            };
            let without_policies = match cells[4] {
                "same" => with_policies.clone(),
                other => {
                    // Short names (`gpt-4o-mini`) stand for a shipped id.
                    let id = other.trim_matches('`');
                    vec![shipped_id(id)]
                }
            };
            Expected {
                file,
                principal,
                with_policies,
                without_policies,
                eligible: eligible_count(cells[3]),
            }
        })
        .collect()
}

/// The shipped service id a README short name stands for.
fn shipped_id(name: &str) -> String {
    let ids: Vec<String> = std::fs::read_dir(repo().join("contracts"))
        .expect("contracts/")
        .filter_map(|e| {
            let name = e.expect("entry").file_name().to_string_lossy().into_owned();
            name.strip_suffix(".yaml").map(str::to_string)
        })
        .collect();
    if ids.iter().any(|i| i == name) {
        return name.to_string();
    }
    let matching: Vec<&String> = ids
        .iter()
        .filter(|i| i.ends_with(&format!("-{name}")) || i.starts_with(&format!("{name}-")))
        .collect();
    assert_eq!(
        matching.len(),
        1,
        "`{name}` names one contract: {matching:?}"
    );
    matching[0].clone()
}

#[test]
fn every_request_fixture_routes_as_the_readme_says() {
    let env = TestEnv::new();
    let expected = readme_expectations();
    let mut files: Vec<String> = std::fs::read_dir(repo().join("fixtures/requests"))
        .expect("fixtures/requests")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    let mut listed: Vec<String> = expected.iter().map(|e| e.file.clone()).collect();
    listed.sort();
    assert_eq!(listed, files, "the README lists every request fixture once");
    // A sanity anchor on the parsing itself.
    let balanced = expected
        .iter()
        .find(|e| e.file == "chat-balanced.json")
        .unwrap();
    assert_eq!(balanced.with_policies, ["llama-3-70b-onprem"]);
    assert_eq!(balanced.without_policies, ["openai-gpt-4o-mini"]);
    assert_eq!(balanced.principal.as_deref(), Some("globex-engineer"));
    assert_eq!(balanced.eligible.as_deref(), Some("2/8"));
    let stated = expected.iter().filter(|e| e.eligible.is_some()).count();
    assert!(
        stated >= 10,
        "most rows state their eligible count ({stated})"
    );

    let mut failures = Vec::new();
    for e in &expected {
        let principal = e.principal.as_ref().map(|p| fixture_principal(p));
        for (policies, want) in [
            (Some(Path::new("policies")), &e.with_policies),
            (None, &e.without_policies),
        ] {
            let (code, d) = stateless_json(
                &env,
                &fixture_request(&e.file),
                Path::new("contracts"),
                policies,
                principal.as_deref(),
                &[],
            );
            let (want_code, want_outcome) = if want.is_empty() {
                (3, "no_route")
            } else {
                (0, "routed")
            };
            let got = chosen(&d);
            let summary = d["summary"].as_str().unwrap_or_default();
            let count_ok = match (&e.eligible, policies) {
                (Some(n_of_m), Some(_)) => {
                    summary.starts_with(&format!("{n_of_m} services eligible"))
                }
                _ => true,
            };
            if code != want_code || d["outcome"] != want_outcome || &got != want || !count_ok {
                failures.push(format!(
                    "{} (policies: {}): expected {want_outcome} {want:?} (exit {want_code}, {:?} eligible), got {} {got:?} (exit {code}): {summary}",
                    e.file,
                    policies.is_some(),
                    e.eligible,
                    d["outcome"],
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------
// Snapshots
// ---------------------------------------------------------------------------

#[test]
fn snapshot_chat_balanced_explain_human() {
    let env = TestEnv::new();
    without_decision_ids(&env);
    let run = env
        .cmd()
        .args(["route", "fixtures/requests/chat-balanced.json"])
        .args(["--contracts", "contracts", "--policies", "policies"])
        .args(["--principal", "fixtures/principals/globex-engineer.yaml"])
        .arg("--explain")
        .run();
    run.code(0);
    assert!(run.stderr.is_empty(), "{run}");
    insta::assert_snapshot!("chat_balanced_explain_human", run);
}

#[test]
fn snapshot_chain_rag_json() {
    let env = TestEnv::new();
    let run = env
        .cmd()
        .args([
            "--format",
            "json",
            "route",
            "fixtures/requests/chain-rag-latency-bound.json",
        ])
        .args(["--contracts", "contracts", "--policies", "policies"])
        .args(["--principal", "fixtures/principals/initech-engineer.yaml"])
        .run();
    run.code(0);
    let d = run.json();
    assert!(is_hex(&d["decision_id"], 32) && is_hex(&d["policy_set"], 64));
    without_decision_ids(&env);
    insta::assert_snapshot!("chain_rag_json", run);
}

/// Every request fixture as a person sees it, with the principal and the
/// policies of fixtures/requests/README.md, explained.
#[test]
fn every_request_fixture_explained() {
    let env = TestEnv::new();
    without_decision_ids(&env);
    for e in readme_expectations() {
        let mut cmd = env.cmd().arg("route").arg(fixture_request(&e.file)).args([
            "--contracts",
            "contracts",
            "--policies",
            "policies",
            "--explain",
        ]);
        if let Some(p) = &e.principal {
            cmd = cmd.arg("--principal").arg(fixture_principal(p));
        }
        let run = cmd.run();
        run.code(if e.with_policies.is_empty() { 3 } else { 0 });
        let stem = e.file.trim_end_matches(".json");
        insta::assert_snapshot!(format!("fixture_{stem}"), run);
    }
}

// ---------------------------------------------------------------------------
// Batch
// ---------------------------------------------------------------------------

/// A batch is read line by line: a line over the 1 MiB request limit or not
/// UTF-8 gives an error line without being kept whole, CRLF line ends are
/// fine, and the lines after them are routed.
#[test]
fn batch_lines_are_capped_and_checked_one_by_one() {
    let env = TestEnv::new();
    let good = br#"{"capability": "chat"}"#;
    let mut input = Vec::new();
    input.extend_from_slice(good);
    input.extend_from_slice(b"\r\n");
    input.extend_from_slice(br#"{"capability": "chat", "request_id": ""#);
    input.extend(std::iter::repeat_n(b'x', 2 << 20));
    input.extend_from_slice(b"\"}\n");
    input.extend_from_slice(b"{\"capability\": \"ch\xffat\"}\n");
    input.extend_from_slice(good);
    // Exactly at the limit, with a CRLF: accepted.
    let head = br#"{"capability": "chat", "request_id": ""#;
    input.extend_from_slice(b"\r\n");
    input.extend_from_slice(head);
    input.extend(std::iter::repeat_n(b'y', (1 << 20) - head.len() - 2));
    input.extend_from_slice(b"\"}\r\n");
    let batch = env.scratch().join("batch.jsonl");
    std::fs::write(&batch, &input).unwrap();
    let (code, stdout, stderr) = run(env
        .caio()
        .args(["route", "--batch"])
        .arg(&batch)
        .args(["--contracts", "contracts"]));
    assert_eq!(code, 1, "{stderr}");
    let out: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(out.len(), 5, "{stdout}");
    assert_eq!(
        (out[4]["line"].as_u64(), &out[4]["outcome"]),
        (Some(5), &json!("routed"))
    );
    assert_eq!(out[0]["outcome"], "routed", "a CRLF line");
    assert_eq!(
        (out[1]["line"].as_u64(), &out[1]["error"]["code"]),
        (Some(2), &json!("request::too-large"))
    );
    assert_eq!(
        (out[2]["line"].as_u64(), &out[2]["error"]["code"]),
        (Some(3), &json!("request::not-utf8"))
    );
    assert_eq!(
        (out[3]["line"].as_u64(), &out[3]["outcome"]),
        (Some(4), &json!("routed"))
    );
    assert_eq!(
        stderr,
        "warning: 2 of 5 lines were not routed (invalid or refused)\n"
    );
    assert!(!stdout.contains("xxxxxxxx"), "the long line is not echoed");
    let errors: Vec<&Value> = out.iter().filter(|d| d.get("error").is_some()).collect();
    insta::assert_snapshot!(
        "batch_line_errors",
        errors
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );

    // A stream of nothing but bad lines is answered line for line too.
    let bad = env.scratch().join("bad.jsonl");
    std::fs::write(&bad, "{\n".repeat(600)).unwrap();
    let (code, stdout, _) = run(env
        .caio()
        .args(["route", "--batch"])
        .arg(&bad)
        .args(["--contracts", "contracts"]));
    assert_eq!(code, 1);
    assert_eq!(stdout.lines().count(), 600);
}

/// A client that writes one line and waits for its answer gets it before
/// it writes the next: answers are flushed whenever the input runs dry.
#[test]
fn a_batch_answers_each_line_before_the_next_arrives() {
    use std::io::{BufRead, BufReader, Write};
    use std::sync::mpsc;
    let env = TestEnv::new();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("caio"))
        .current_dir(crate::common::repo())
        .env("CAIO_HOME", env.home())
        .args(["route", "--batch", "-", "--contracts", "contracts"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("caio starts");
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    // A generous bound: this checks that an answer comes at all while the
    // input stays open, not how fast.
    let wait = std::time::Duration::from_secs(60);
    for n in 1..=2u64 {
        writeln!(stdin, r#"{{"capability": "chat"}}"#).unwrap();
        stdin.flush().unwrap();
        let answer = rx.recv_timeout(wait);
        let Ok(answer) = answer else {
            let _ = child.kill();
            panic!("no answer to line {n} while the input stayed open");
        };
        let d: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(
            (d["line"].as_u64(), &d["outcome"]),
            (Some(n), &json!("routed"))
        );
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
    let (code, list) =
        crate::common::run_json(env.caio().args(["--format", "json", "trace", "list"]));
    assert_eq!(code, 0);
    assert_eq!(
        list["records"].as_array().map(Vec::len),
        Some(2),
        "both lines were traced: {list}"
    );
}

#[test]
fn batch_routes_each_line_and_reports_bad_ones() {
    let env = TestEnv::new();
    let lines = [
        r#"{"capability": "chat", "request_id": "one"}"#,
        r#"{"capability": "chat",}"#,
        "",
        r#"{"capability": "web_search", "data": {"class": "public"}}"#,
        "   ",
        r#"{"capability": "chat", "data": {"class": "restricted"}, "requirements": {"regions": ["us"]}}"#,
        r#"{"capability": "chat", "priorty": "cost"}"#,
    ];
    let batch = write(
        &env.scratch().join("batch.jsonl"),
        &(lines.join("\n") + "\n"),
    );
    let (code, stdout, stderr) = run(env.caio().args(["route", "--batch"]).arg(&batch).args([
        "--contracts",
        "contracts",
        "--policies",
        "policies",
    ]));
    assert_eq!(code, 1, "a line failed: {stderr}");
    let out: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(out.len(), 5, "one line per non-blank input line:\n{stdout}");
    assert_eq!(out[0]["outcome"], "routed");
    assert_eq!(out[0]["service_id"], "openai-gpt-4o-mini");
    assert_eq!(out[1]["line"], 2);
    assert_eq!(out[1]["error"]["code"], "request::json-syntax");
    assert!(out[1]["decision_id"].is_null());
    assert_eq!(out[2]["outcome"], "routed");
    assert_eq!(out[2]["service_id"], "brave-web-search");
    assert_eq!(out[3]["outcome"], "no_route");
    assert_eq!(out[4]["line"], 7);
    assert_eq!(out[4]["error"]["code"], "request::unknown-key");
    assert_eq!(
        out[4]["error"]["message"], "unknown key `priorty`",
        "{}",
        out[4]
    );
    for d in [&out[0], &out[2], &out[3]] {
        assert!(is_hex(&d["decision_id"], 32), "{d}");
    }
    let numbered: Vec<u64> = out.iter().map(|d| d["line"].as_u64().unwrap()).collect();
    assert_eq!(
        numbered,
        [1, 2, 4, 6, 7],
        "every output names its input line"
    );
    assert_eq!(
        stderr,
        "warning: 2 of 5 lines were not routed (invalid or refused)\n"
    );

    // Every line routed or no_route, from stdin: exit 0.
    let good = [lines[0], "", lines[3], lines[5]].join("\n");
    let (code, stdout, stderr) = with_stdin(
        env.caio()
            .args(["route", "--batch", "-", "--contracts", "contracts"]),
        &good,
    );
    assert_eq!(code, 0, "{stderr}");
    let outcomes: Vec<String> = stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["outcome"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(outcomes, ["routed", "routed", "no_route"]);
    // Batch lines leave the per-candidate array out unless asked for.
    let first: Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert!(first.get("candidates").is_none(), "{first}");
    let batch = env
        .cmd()
        .args(["route", "--batch", "-", "--contracts", "contracts"])
        .stdin(good.clone())
        .run();
    without_decision_ids(&env);
    insta::assert_snapshot!("batch_from_stdin", batch);

    // With --explain, a batch decision is the decision of the same request routed alone.
    let (code, stdout, stderr) = with_stdin(
        env.caio().args([
            "route",
            "--batch",
            "-",
            "--explain",
            "--contracts",
            "contracts",
        ]),
        &good,
    );
    assert_eq!(code, 0, "{stderr}");
    let single = write(&env.scratch().join("one.json"), lines[0]);
    let (_, alone) = stateless_json(
        &env,
        &single,
        Path::new("contracts"),
        None,
        None,
        &["--explain"],
    );
    let mut first: Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["line"], 1);
    first.as_object_mut().unwrap().remove("line");
    assert_eq!(decision_only(&first), decision_only(&alone));
}

// ---------------------------------------------------------------------------
// --top and --explain
// ---------------------------------------------------------------------------

#[test]
fn top_limits_the_eligible_candidates_listed() {
    let env = TestEnv::new();
    let principal = fixture_principal("initech-engineer");
    let request = fixture_request("chat-cost-priority.json");
    // 5 eligible, 3 rejected.
    let (code, all) = stateless_json(
        &env,
        &request,
        Path::new("contracts"),
        Some(Path::new("policies")),
        Some(&principal),
        &[],
    );
    assert_eq!(code, 0);
    let eligible = |d: &Value| -> Vec<String> {
        d["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["eligible"] == true)
            .map(|c| c["service_id"].as_str().unwrap().to_string())
            .collect()
    };
    let rejected = |d: &Value| {
        d["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["eligible"] == false)
            .count()
    };
    assert_eq!(eligible(&all).len(), 5);
    let (code, top) = stateless_json(
        &env,
        &request,
        Path::new("contracts"),
        Some(Path::new("policies")),
        Some(&principal),
        &["--top", "2"],
    );
    assert_eq!(code, 0);
    assert_eq!(eligible(&top), eligible(&all)[..2]);
    assert_eq!(rejected(&top), rejected(&all));
    assert_eq!(
        top["service_id"], all["service_id"],
        "--top does not change the decision"
    );

    // Human: a table of the two best, chosen marked; --top alone does not
    // explain (no weights, no rejections).
    without_decision_ids(&env);
    let human = env
        .cmd()
        .arg("route")
        .arg(&request)
        .args(["--contracts", "contracts", "--policies", "policies"])
        .arg("--principal")
        .arg(&principal)
        .args(["--top", "2"])
        .run();
    human.code(0);
    let ids = eligible(&all);
    for id in &ids[2..] {
        assert!(
            !human
                .stdout
                .split_whitespace()
                .any(|word| word == id.as_str()),
            "{id} beyond --top 2:\n{human}"
        );
    }
    insta::assert_snapshot!("top_2_human", human);
}

#[test]
fn explain_prints_the_weights_and_every_rejection() {
    let env = TestEnv::new();
    without_decision_ids(&env);
    let route = |request: &str, extra: &[&str]| {
        env.cmd()
            .arg("route")
            .arg(fixture_request(request))
            .args(["--contracts", "contracts", "--policies", "policies"])
            .args(["--principal", "fixtures/principals/initech-engineer.yaml"])
            .args(extra)
            .run()
    };
    // Weights and rejections only with --explain.
    let plain = route("chat-cost-priority.json", &[]);
    plain.code(0);
    assert!(!plain.stdout.contains("weights"), "{plain}");
    assert!(!plain.stdout.contains("STAGE"), "{plain}");
    // The cost profile of SPEC §5, the formula, every rejection.
    let explained = route("chat-cost-priority.json", &["--explain"]);
    explained.code(0);
    assert!(
        explained
            .stdout
            .contains("weights  q 0.15  h 0.10  t 0.05  c 0.45  l 0.10  r 0.15"),
        "{explained}"
    );
    // Explicit weights are what is printed when given.
    let explicit = route("chat-explicit-weights.json", &["--explain"]);
    assert!(
        explicit
            .stdout
            .contains("weights  q 0.70  h 0.05  t 0.00  c 0.00  l 0.10  r 0.15"),
        "{explicit}"
    );
    insta::assert_snapshot!("explain", transcript([&plain, &explained, &explicit]));
}

// ---------------------------------------------------------------------------
// Request diagnostics
// ---------------------------------------------------------------------------

#[test]
fn an_unknown_request_key_is_located_with_a_suggestion() {
    let env = TestEnv::new();
    let path = write(
        &env.scratch().join("typo.json"),
        "{\n  \"capability\": \"chat\",\n  \"preferences\": { \"priorty\": \"cost\" }\n}\n",
    );
    let file = env
        .cmd()
        .arg("route")
        .arg(&path)
        .args(["--contracts", "contracts"])
        .run();
    file.code(1);
    assert!(file.stdout.is_empty(), "{file}");
    assert!(
        flat(&file.stderr).contains(&format!("{}:3:20", path.display())),
        "{file}"
    );

    // From stdin, the file is named <stdin>.
    let stdin = env
        .cmd()
        .args(["route", "-", "--contracts", "contracts"])
        .stdin("{\n  \"capability\": \"chat\",\n  \"preferences\": { \"priorty\": \"cost\" }\n}\n")
        .run();
    stdin.code(1);
    assert!(flat(&stdin.stderr).contains("<stdin>:3:20"), "{stdin}");
    insta::assert_snapshot!("unknown_request_key", transcript([&file, &stdin]));
}

/// A request's token never shows in a diagnostic, though the snippet of a
/// problem on a nearby line (or a syntax error) shows the lines around it.
#[test]
fn a_token_never_shows_in_a_request_diagnostic() {
    let env = TestEnv::new();
    let token = "caio_SECRETTOKENVALUE1234567890abcdefghijklmnopq";
    for (name, text) in [
        (
            "wrong-type.json",
            format!(
                "{{\n \"capability\": \"chat\",\n \"auth\": {{\"token\": \"{token}\"}},\n \"seed\": \"x\"\n}}\n"
            ),
        ),
        (
            "trailing-comma.json",
            format!("{{\"capability\": \"chat\", \"auth\": {{\"token\": \"{token}\"}},}}\n"),
        ),
        (
            "unknown-key.json",
            format!(
                "{{\"capability\": \"chat\", \"auth\": {{\"token\": \"{token}\", \"extra\": 1}}}}\n"
            ),
        ),
    ] {
        let path = write(&env.scratch().join(name), &text);
        let run = env
            .cmd()
            .arg("route")
            .arg(&path)
            .args(["--contracts", "contracts"])
            .run();
        run.code(1);
        assert!(!run.stderr.contains("SECRETTOKEN"), "{run}");
        assert!(!run.stdout.contains("SECRETTOKEN"), "{run}");
        // The snippet around the problem is shown, the token masked.
        let stem = name.trim_end_matches(".json");
        insta::assert_snapshot!(format!("token_masked_{stem}"), run);
    }
}

/// A simulated principal cannot take the name of the caller without a
/// token: the audit would show a high-trust caller as `anonymous`.
#[test]
fn a_simulated_principal_named_anonymous_is_refused() {
    let env = TestEnv::new();
    let principal = write(
        &env.scratch().join("anon.yaml"),
        "name: anonymous\ntenant: acme\nroles: [analyst]\ntrust: high\n",
    );
    let run = env
        .cmd()
        .args([
            "route",
            "fixtures/requests/chat-balanced.json",
            "--contracts",
            "contracts",
        ])
        .arg("--principal")
        .arg(&principal)
        .run();
    run.code(1);
    assert!(run.stdout.is_empty(), "{run}");
    assert!(
        flat(&run.stderr).contains(&format!("{}:1:7", principal.display())),
        "{run}"
    );
    insta::assert_snapshot!("principal_named_anonymous", run);
}

/// A `redact` entry that names no redactable field is an error, located,
/// with a suggestion or the reason: a typo must not leave the value in the
/// trace without a word.
#[test]
fn a_redact_path_that_hides_nothing_is_diagnosed() {
    let env = TestEnv::new();
    let mut runs = Vec::new();
    for (name, entry, position, says) in [
        (
            "typo.json",
            "requirement.max_cost",
            "3:14",
            "did you mean `requirements.max_cost`?",
        ),
        (
            "seed.json",
            "seed",
            "3:14",
            "the decision records its seed, which replay needs",
        ),
        (
            "step.json",
            "chain.0.input",
            "3:14",
            "this request has no chain",
        ),
    ] {
        let text = format!("{{\n  \"capability\": \"chat\",\n  \"redact\": [\"{entry}\"]\n}}\n");
        let path = write(&env.scratch().join(name), &text);
        let run = env
            .cmd()
            .arg("route")
            .arg(&path)
            .args(["--contracts", "contracts"])
            .run();
        run.code(1);
        assert!(run.stdout.is_empty(), "{run}");
        let text = flat(&run.stderr);
        assert!(
            text.contains(&format!("`{entry}` cannot be redacted")),
            "{run}"
        );
        assert!(
            text.contains(&format!("{}:{position}", path.display())),
            "{run}"
        );
        assert!(text.contains(says), "{run}");
        runs.push(run);
    }
    insta::assert_snapshot!("redact_paths", transcript(&runs));
    // Every step of a chain can be redacted, field by field.
    let path = write(
        &env.scratch().join("chain.json"),
        r#"{"chain": [{"capability": "chat", "input": {"language": "en"}}],
            "redact": ["chain.0.input.language", "requirements", "data.class"]}"#,
    );
    let (code, _, stderr) = run(&mut stateless(
        &env,
        &path,
        Path::new("contracts"),
        None,
        None,
    ));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn request_syntax_and_conflicts_are_diagnosed() {
    let env = TestEnv::new();
    let mut runs = Vec::new();
    for (name, text, code_, position) in [
        (
            "trailing-comma.json",
            "{\n  \"capability\": \"chat\",\n}\n",
            "request::json-syntax",
            "3:1",
        ),
        (
            "conflict.json",
            "{\"capability\": \"chat\", \"chain\": [{\"capability\": \"chat\"}]}",
            "request::conflicting-keys",
            "1:24",
        ),
    ] {
        let path = write(&env.scratch().join(name), text);
        let run = env
            .cmd()
            .arg("route")
            .arg(&path)
            .args(["--contracts", "contracts"])
            .run();
        run.code(1);
        assert!(run.stdout.is_empty(), "{run}");
        assert!(run.stderr.starts_with(code_), "{run}");
        assert!(
            flat(&run.stderr).contains(&format!("{}:{position}", path.display())),
            "{run}"
        );
        runs.push(run);
    }
    // A missing request file is an error, not a panic.
    let missing = env.run(["route", "no/such/request.json", "--contracts", "contracts"]);
    missing.code(1);
    runs.push(missing);
    insta::assert_snapshot!("request_syntax_and_conflicts", transcript(&runs));
}
