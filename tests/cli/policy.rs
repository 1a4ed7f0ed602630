//! `caio policy validate|test|apply|show`, end to end (SPEC §7).
//!
//! The broken policy files live in `fixtures/policies/invalid/`, one problem
//! each; the first line of each names what `validate` must report:
//! `# expect: policy::unknown-path 10:7` (several separated by `; `).
//! Problems that need several files (a rule id defined in two files) are
//! built at runtime in a scratch directory.
//!
//! Expectations about the shipped policies (how many files, rules and tests)
//! are read from `policies/` itself, never hard-coded.

use crate::common::{TestEnv, repo, run, run_json, transcript};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One expected diagnostic: code, line, column.
type Expect = (String, u64, u64);

/// `*.yaml` files directly under `dir` (relative to the repository root),
/// sorted, as paths relative to the repository root.
fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.expect("dir entry").file_name())
        .filter(|n| n.to_string_lossy().ends_with(".yaml"))
        .map(|n| Path::new(dir).join(n))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no YAML files in {dir}");
    files
}

/// The `# expect:` header of a fixture.
fn expectations(fixture: &Path) -> Vec<Expect> {
    let text = std::fs::read_to_string(repo().join(fixture)).expect("read fixture");
    let first = text.lines().next().unwrap_or_default();
    let list = first
        .strip_prefix("# expect: ")
        .unwrap_or_else(|| panic!("{}: first line is not `# expect: …`", fixture.display()));
    list.split("; ")
        .map(|entry| {
            let (code, pos) = entry
                .trim()
                .split_once(' ')
                .unwrap_or_else(|| panic!("{}: bad entry `{entry}`", fixture.display()));
            let (line, col) = pos.split_once(':').expect("line:column");
            (
                code.to_string(),
                line.parse().expect("line"),
                col.parse().expect("column"),
            )
        })
        .collect()
}

/// (code, line, column) of every diagnostic of one file of a JSON report.
fn found(file: &Value) -> Vec<Expect> {
    file["diagnostics"]
        .as_array()
        .expect("diagnostics[]")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().expect("code").to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn validate_json(env: &TestEnv, paths: &[&Path]) -> (i32, Value) {
    run_json(
        env.caio()
            .args(["--format", "json", "policy", "validate"])
            .args(paths),
    )
}

fn write(path: &Path, text: &str) -> PathBuf {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create dir");
    }
    std::fs::write(path, text).expect("write file");
    path.to_path_buf()
}

/// Diagnostic text with miette's frame characters removed and whitespace
/// collapsed, so assertions do not depend on where lines wrap.
fn flat(stderr: &str) -> String {
    stderr
        .replace(['│', '×', '╭', '╰', '─', '┬', '·'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A shipped policy file, parsed.
fn parse(path: &Path) -> Value {
    let text = std::fs::read_to_string(repo().join(path)).expect("read policy file");
    serde_saphyr::from_str::<Value>(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn count(doc: &Value, key: &str) -> usize {
    doc[key].as_array().map_or(0, Vec::len)
}

/// Absolute path of a shipped contract, for tests written in scratch.
fn shipped_contract(name: &str) -> String {
    repo().join("contracts").join(name).display().to_string()
}

fn is_hash(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
}

const HEAD: &str = "apiVersion: caio/v1\nkind: PolicySet\n";

// ---------------------------------------------------------------------------
// validate
// ---------------------------------------------------------------------------

#[test]
fn invalid_fixtures_yield_exactly_their_expected_diagnostics() {
    let env = TestEnv::new();
    let fixtures = yaml_files("fixtures/policies/invalid");
    let mut codes = std::collections::BTreeSet::new();
    for fixture in &fixtures {
        let name = fixture.display();
        let expected = expectations(fixture);
        let (status, report) = validate_json(&env, &[fixture]);
        assert_eq!(status, 1, "{name}: {report:#}");
        assert_eq!(report["valid"], 0, "{name}");
        assert_eq!(report["invalid"], 1, "{name}");
        let files = report["files"].as_array().expect("files[]");
        assert_eq!(files.len(), 1, "{name}");
        let file = &files[0];
        assert_eq!(file["path"], fixture.display().to_string());
        assert_eq!(file["valid"], false);
        assert_eq!(found(file), expected, "{name}: {report:#}");
        for d in file["diagnostics"].as_array().unwrap() {
            assert_eq!(d["severity"], "error", "{name}: {d:#}");
            assert!(!d["message"].as_str().unwrap().is_empty(), "{name}");
            assert!(
                d["help"].is_string(),
                "{name}: every error says how to fix it"
            );
        }
        codes.extend(expected.into_iter().map(|(c, _, _)| c));

        // Human: the code and the position on stderr, a count on stdout.
        let human = env.cmd().args(["policy", "validate"]).arg(fixture).run();
        human.code(1);
        assert_eq!(
            human.stdout,
            "1 file checked: 0 valid, 1 invalid; 0 rules (1 error, 0 warnings)\n"
        );
        let (code, line, col) = &found(file)[0];
        assert!(human.stderr.starts_with(code.as_str()), "{human}");
        assert!(
            flat(&human.stderr).contains(&format!("{name}:{line}:{col}")),
            "{human}"
        );
        let stem = fixture.file_stem().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(format!("invalid_{stem}"), human);
    }
    // The problems the brief of the format names each have a fixture.
    for code in [
        "policy::unknown-path",
        "policy::unknown-operator",
        "policy::type-mismatch",
        "policy::missing-key",
        "policy::invalid-value",
        "policy::duplicate-id",
        "policy::misplaced-key",
        "policy::unknown-key",
        "policy::yaml-syntax",
    ] {
        assert!(codes.contains(code), "no fixture for {code}");
    }
}

#[test]
fn an_unknown_path_suggests_the_attribute_meant() {
    let env = TestEnv::new();
    // The human diagnostics of both are in the invalid_* snapshots.
    let fixture = Path::new("fixtures/policies/invalid/unknown-path.yaml");
    let (_, report) = validate_json(&env, &[fixture]);
    let d = &report["files"][0]["diagnostics"][0];
    assert_eq!(
        d["message"], "unknown attribute `service.privacy.hostng`",
        "{report:#}"
    );
    assert!(
        d["help"]
            .as_str()
            .unwrap()
            .starts_with("did you mean `service.privacy.hosting`?"),
        "{report:#}"
    );

    // `lt` on a list says what the attribute is and what to use.
    let json = env
        .cmd()
        .args(["--format", "json", "policy", "validate"])
        .arg("fixtures/policies/invalid/type-mismatch-lt-on-list.yaml")
        .run();
    json.code(1);
    insta::assert_snapshot!("lt_on_a_list_json", json);
}

#[test]
fn a_rule_id_defined_in_two_files_is_a_duplicate() {
    let env = TestEnv::new();
    let dir = env.scratch().join("policies");
    let rule = "policies:\n  - id: no-external\n    effect: deny\n    match: { service.privacy.hosting: external }\n";
    let first = write(&dir.join("a.yaml"), &format!("{HEAD}{rule}"));
    let second = write(
        &dir.join("b.yaml"),
        &format!("{HEAD}# the same rule again\n{rule}"),
    );
    let (status, report) = validate_json(&env, &[&dir]);
    assert_eq!(status, 1, "{report:#}");
    assert_eq!(report["valid"], 1);
    assert_eq!(report["invalid"], 1);
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    let a = files
        .iter()
        .find(|f| f["path"] == first.display().to_string())
        .expect("a.yaml");
    let b = files
        .iter()
        .find(|f| f["path"] == second.display().to_string())
        .expect("b.yaml");
    assert_eq!(a["valid"], true, "{report:#}");
    assert_eq!(
        found(b),
        [("policy::duplicate-id".to_string(), 5, 9)],
        "{report:#}"
    );
    // The help names the first definition.
    let human = env.cmd().args(["policy", "validate"]).arg(&dir).run();
    human.code(1);
    insta::assert_snapshot!("duplicate_id_across_files", human);

    // Either file alone is fine.
    for file in [&first, &second] {
        let (status, _) = validate_json(&env, &[file]);
        assert_eq!(status, 0, "{}", file.display());
    }
}

#[test]
fn the_shipped_policies_are_valid() {
    let env = TestEnv::new();
    let files = yaml_files("policies");
    let rules: usize = files.iter().map(|f| count(&parse(f), "policies")).sum();
    let (status, stdout, stderr) = run(env.caio().args(["policy", "validate", "policies"]));
    assert_eq!(status, 0, "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(
        stdout,
        format!(
            "{n} files checked: {n} valid, 0 invalid; {rules} rules (0 errors, 0 warnings)\n",
            n = files.len()
        )
    );
    let (status, report) = validate_json(&env, &[Path::new("policies")]);
    assert_eq!(status, 0);
    assert_eq!(report["valid"], files.len());
    assert_eq!(report["invalid"], 0);
    assert_eq!(report["rules"], rules);
}

// ---------------------------------------------------------------------------
// test
// ---------------------------------------------------------------------------

#[test]
fn the_shipped_policy_tests_pass() {
    let env = TestEnv::new();
    let files = yaml_files("policies");
    let tests: usize = files.iter().map(|f| count(&parse(f), "tests")).sum();
    assert!(tests >= 27, "policies/ ships its tests ({tests})");

    let human = env.run(["policy", "test", "policies"]);
    let stdout = human.ok();
    assert!(
        stdout.ends_with(&format!(
            "{tests} tests: {tests} passed, 0 failed (0 errors, 0 warnings)\n"
        )),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        tests
    );
    insta::assert_snapshot!("shipped_tests", human);

    let (status, report) = run_json(
        env.caio()
            .args(["--format", "json", "policy", "test", "policies"]),
    );
    assert_eq!(status, 0);
    assert_eq!(report["passed"], tests);
    assert_eq!(report["failed"], 0);
    let results = report["tests"].as_array().expect("tests[]");
    assert_eq!(results.len(), tests);
    for t in results {
        assert_eq!(t["passed"], true, "{t:#}");
        assert!(t["name"].is_string() && t["file"].is_string(), "{t:#}");
        assert!(t["denied_by"].is_array() && t["preferred_by"].is_array());
        assert!(t["failures"].as_array().unwrap().is_empty());
    }
}

#[test]
fn a_failing_policy_test_names_the_test_and_what_differed() {
    let env = TestEnv::new();
    let file = write(
        &env.scratch().join("external.yaml"),
        &format!(
            "{HEAD}policies:
  - id: no-external
    effect: deny
    match: {{ service.privacy.hosting: external }}
tests:
  - name: on-prem is allowed
    request: {{ capability: chat }}
    service: {onprem}
    expect: {{ outcome: allowed, denied_by: [] }}
  - name: gpt-4o is wrongly expected to be allowed
    request: {{ capability: chat }}
    service: {external}
    expect: {{ outcome: allowed, denied_by: [] }}
",
            onprem = shipped_contract("llama-3-70b-onprem.yaml"),
            external = shipped_contract("openai-gpt-4o.yaml"),
        ),
    );
    let human = env.cmd().args(["policy", "test"]).arg(&file).run();
    human.code(1);
    assert!(
        human
            .stdout
            .ends_with("2 tests: 1 passed, 1 failed (2 errors, 0 warnings)\n"),
        "{human}"
    );

    let json = env
        .cmd()
        .args(["--format", "json", "policy", "test"])
        .arg(&file)
        .run();
    json.code(1);
    insta::assert_snapshot!("failing_test", transcript([&human, &json]));
    let report = json.json();
    assert_eq!(report["passed"], 1);
    assert_eq!(report["failed"], 1);
    let failed = report["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["passed"] == false)
        .expect("one failed");
    assert_eq!(failed["name"], "gpt-4o is wrongly expected to be allowed");
    assert_eq!(failed["denied_by"], serde_json::json!(["no-external"]));
    assert_eq!(
        failed["failures"].as_array().unwrap().len(),
        2,
        "{failed:#}"
    );
}

#[test]
fn fail_on_empty_rejects_a_file_without_tests() {
    let env = TestEnv::new();
    let file = write(
        &env.scratch().join("untested.yaml"),
        &format!(
            "{HEAD}policies:\n  - id: no-external\n    effect: deny\n    match: {{ service.privacy.hosting: external }}\n"
        ),
    );
    let (status, stdout, stderr) = run(env.caio().args(["policy", "test"]).arg(&file));
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(
        stdout,
        "0 tests: 0 passed, 0 failed (0 errors, 0 warnings)\n"
    );

    let empty = env
        .cmd()
        .args(["policy", "test", "--fail-on-empty"])
        .arg(&file)
        .run();
    empty.code(1);
    insta::assert_snapshot!("fail_on_empty", empty);

    // With tests, --fail-on-empty changes nothing.
    let (status, _, stderr) =
        run(env
            .caio()
            .args(["policy", "test", "--fail-on-empty", "policies"]));
    assert_eq!(status, 0, "{stderr}");
}

#[test]
fn policy_test_on_an_invalid_file_reports_it() {
    let env = TestEnv::new();
    let fixture = "fixtures/policies/invalid/unknown-path.yaml";
    let human = env.run(["policy", "test", fixture]);
    human.code(1);
    insta::assert_snapshot!("test_invalid_file", human);

    // The valid files' tests still run, and JSON is one document on stdout.
    let (status, doc) = run_json(env.caio().args([
        "--format",
        "json",
        "policy",
        "test",
        "policies/pii.yaml",
        fixture,
    ]));
    assert_eq!(status, 1, "{doc:#}");
    assert!(doc["passed"].as_u64().unwrap() > 0, "{doc:#}");
    assert_eq!(doc["failed"], 0);
    let invalid = doc["invalid_files"].as_array().unwrap();
    assert_eq!(invalid.len(), 1, "{doc:#}");
    assert_eq!(invalid[0]["path"], fixture);
    let codes: Vec<&str> = invalid[0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    // Its rule also repeats an id of pii.yaml.
    assert_eq!(
        codes,
        ["policy::duplicate-id", "policy::unknown-path"],
        "{doc:#}"
    );
}

// ---------------------------------------------------------------------------
// apply and show
// ---------------------------------------------------------------------------

fn show_json(env: &TestEnv) -> Value {
    let (status, show) = run_json(env.caio().args(["--format", "json", "policy", "show"]));
    assert_eq!(status, 0);
    show
}

#[test]
fn apply_installs_all_or_nothing_and_show_prints_the_set() {
    let env = TestEnv::new();
    let (status, _, _) = run(env.caio().arg("init"));
    assert_eq!(status, 0);
    let none = env.run(["policy", "show"]);
    none.code(0);
    let none_json = env.run(["--format", "json", "policy", "show"]);
    let show = show_json(&env);
    assert_eq!(show["installed"], false);
    assert_eq!(show["rules"], 0);

    // Apply the shipped set.
    let rules: usize = yaml_files("policies")
        .iter()
        .map(|f| count(&parse(f), "policies"))
        .sum();
    let apply = env.run(["policy", "apply", "policies"]);
    apply.code(0);
    let show = show_json(&env);
    assert_eq!(show["installed"], true);
    assert!(is_hash(&show["hash"]), "{show:#}");
    let hash = show["hash"].as_str().unwrap().to_string();
    assert_eq!(
        apply.stdout.lines().next(),
        Some(
            format!(
                "applied policy set {hash} ({rules} rules from {} files)",
                yaml_files("policies").len()
            )
            .as_str()
        ),
        "{apply}"
    );
    assert_eq!(show["rules"], rules);
    assert_eq!(show["policy_set"]["apiVersion"], "caio/v1");
    assert_eq!(show["policy_set"]["kind"], "PolicySet");
    let ids: Vec<&str> = show["policy_set"]["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), rules);
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "rules sorted by id");
    assert!(ids.contains(&"eu-residency") && ids.contains(&"no-pii-external"));
    assert!(
        show["policy_set"].get("tests").is_none(),
        "tests are not part of the set"
    );
    assert_eq!(
        show["sources"].as_array().unwrap().len(),
        yaml_files("policies").len()
    );

    // Human show: the hash and every rule.
    let human_show = env.run(["policy", "show"]);
    human_show.code(0);
    assert!(human_show.stdout.contains(&hash), "{human_show}");

    // Re-applying the same set changes nothing.
    let again = env.run(["policy", "apply", "policies"]);
    again.code(0);
    let again_json = env.run(["--format", "json", "policy", "apply", "policies"]);
    let applied = again_json.json();
    assert_eq!(applied["changed"], false);
    assert_eq!(applied["hash"], hash);

    // One invalid file among valid ones: nothing installed.
    let mixed = env.scratch().join("mixed");
    std::fs::create_dir_all(&mixed).unwrap();
    std::fs::copy(repo().join("policies/pii.yaml"), mixed.join("pii.yaml")).unwrap();
    std::fs::copy(
        repo().join("fixtures/policies/invalid/unknown-operator.yaml"),
        mixed.join("zz-broken.yaml"),
    )
    .unwrap();
    let refused = env.cmd().args(["policy", "apply"]).arg(&mixed).run();
    refused.code(1);
    let after = show_json(&env);
    assert_eq!(after["hash"], hash, "the previous set stays active");
    assert_eq!(after["rules"], rules);
    assert_eq!(after["sources"], show["sources"]);

    // A different valid set replaces it; its JSON names the previous one.
    let replaced = env.run(["--format", "json", "policy", "apply", "policies/pii.yaml"]);
    replaced.code(0);
    let applied = replaced.json();
    assert_eq!(applied["changed"], true);
    assert_eq!(applied["previous"], hash);
    assert_ne!(applied["hash"], hash);
    let pii = env.run(["--format", "json", "policy", "show"]);
    assert_eq!(pii.json()["hash"], applied["hash"]);
    let pii_human = env.run(["policy", "show"]);
    insta::assert_snapshot!(
        "apply_and_show",
        transcript([
            &none,
            &none_json,
            &apply,
            &human_show,
            &again,
            &again_json,
            &refused,
            &replaced,
            &pii,
            &pii_human
        ])
    );
}

#[test]
fn show_on_a_missing_home_says_so() {
    let env = TestEnv::new();
    // A state error, as for `registry list`.
    let show = env.run(["policy", "show"]);
    show.code(5);
    assert!(show.stdout.is_empty(), "{show}");
    insta::assert_snapshot!("show_without_a_home", show);
    assert!(!env.home().exists(), "a read-only command creates no home");
}

// ---------------------------------------------------------------------------
// Order independence
// ---------------------------------------------------------------------------

/// Copies `policies/` under names that sort in the opposite order.
fn renamed_copy(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let files = yaml_files("policies");
    let n = files.len();
    for (i, f) in files.iter().enumerate() {
        let name = format!("{:02}-{}", n - i, f.file_name().unwrap().to_string_lossy());
        std::fs::copy(repo().join(f), dir.join(name)).unwrap();
    }
}

/// Every shipped rule in one file, in reverse id order (written as JSON,
/// which YAML reads), without the tests.
fn merged_reversed(dir: &Path) {
    let mut rules: Vec<Value> = yaml_files("policies")
        .iter()
        .flat_map(|f| parse(f)["policies"].as_array().unwrap().clone())
        .collect();
    rules.sort_by(|a, b| b["id"].as_str().cmp(&a["id"].as_str()));
    let doc = serde_json::json!({"apiVersion": "caio/v1", "kind": "PolicySet", "policies": rules});
    write(
        &dir.join("all.yaml"),
        &serde_json::to_string_pretty(&doc).unwrap(),
    );
}

/// Reordering policy files, or the rules inside them, changes neither the
/// set's hash nor any decision (SPEC §7).
#[test]
fn reordering_policy_files_changes_neither_hash_nor_decision() {
    let env = TestEnv::new();
    let renamed = env.scratch().join("renamed");
    renamed_copy(&renamed);
    let merged = env.scratch().join("merged");
    merged_reversed(&merged);

    // The decision without the id of its record (unique per trace record).
    let route = |request: &str, principal: &str, policies: &Path| -> Value {
        let (status, stdout, stderr) = run(env
            .caio()
            .args(["--format", "json", "route"])
            .arg(Path::new("fixtures/requests").join(request))
            .args(["--contracts", "contracts", "--policies"])
            .arg(policies)
            .arg("--principal")
            .arg(Path::new("fixtures/principals").join(format!("{principal}.yaml"))));
        assert_eq!(status, 0, "{request}: {stderr}");
        let mut d: Value = serde_json::from_str(&stdout).expect("JSON");
        let map = d.as_object_mut().expect("an object");
        map.remove("decision_id");
        map.remove("trace");
        d
    };
    for (request, principal) in [
        ("chat-balanced.json", "globex-engineer"),
        ("chat-eu-confidential-pii.json", "acme-analyst"),
        ("chat-free-tier-cost-cap.json", "free-tier-user"),
        ("embedding-eu-multilingual.json", "globex-engineer"),
    ] {
        let shipped = route(request, principal, Path::new("policies"));
        assert!(is_hash(&shipped["policy_set"]), "{shipped:#}");
        assert_eq!(
            route(request, principal, &renamed),
            shipped,
            "{request}: renamed files"
        );
        assert_eq!(
            route(request, principal, &merged),
            shipped,
            "{request}: one file, reversed rules"
        );
    }

    // Installed: the same hash, so the reordered sets are "already active".
    let (status, applied) = run_json(
        env.caio()
            .args(["--format", "json", "policy", "apply", "policies"]),
    );
    assert_eq!(status, 0);
    for dir in [&renamed, &merged] {
        let (status, again) = run_json(
            env.caio()
                .args(["--format", "json", "policy", "apply"])
                .arg(dir),
        );
        assert_eq!(status, 0, "{}", dir.display());
        assert_eq!(again["hash"], applied["hash"], "{}", dir.display());
        assert_eq!(again["changed"], false, "{}", dir.display());
    }
}

/// SPEC §7: with a home, its installed set always applies — also to a
/// stateless route that names the home (for tracing or tokens); --policies
/// adds rules to it, and a rule that contradicts an installed one of the
/// same id is refused.
#[test]
fn a_home_s_installed_set_applies_to_stateless_routes_too() {
    let env = TestEnv::new();
    let (status, _, stderr) = run(env.caio().args(["policy", "apply", "policies/pii.yaml"]));
    assert_eq!(status, 0, "{stderr}");
    // `caio route` with the test's home (CAIO_HOME), or with none.
    let route_in = |home: bool, extra: &[&str]| {
        let mut caio = env.caio();
        if !home {
            caio.env_remove("CAIO_HOME");
        }
        run_json(
            caio.args(["--format", "json", "route"])
                .arg("fixtures/requests/chat-eu-confidential-pii.json")
                .args(["--contracts", "contracts"])
                .args(["--principal", "fixtures/principals/acme-analyst.yaml"])
                .args(extra),
        )
    };
    let route = |extra: &[&str]| route_in(true, extra);
    let home = env.home();
    let home = home.to_str().unwrap();
    let rules_of = |d: &Value| -> Vec<String> {
        let mut rules: Vec<String> = d["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["rejections"].as_array().unwrap().clone())
            .filter(|r| r["stage"] == "policy")
            .map(|r| r["rule"].as_str().unwrap().to_string())
            .collect();
        rules.sort();
        rules.dedup();
        rules
    };

    // No home: no policies, so the external EU service wins.
    let (status, free) = route_in(false, &[]);
    assert_eq!(status, 0, "{free:#}");
    assert_eq!(free["service_id"], "mistral-large-eu", "{free:#}");

    // The home named (--home, or CAIO_HOME), no --policies: its installed
    // set applies anyway.
    let (status, d) = route(&["--home", home]);
    assert_eq!(
        route(&[]).1["service_id"],
        d["service_id"],
        "CAIO_HOME names it too"
    );
    assert_eq!(status, 0, "{d:#}");
    assert_eq!(d["service_id"], "llama-3-70b-onprem", "{d:#}");
    assert_eq!(rules_of(&d), ["no-pii-external"], "{d:#}");
    let installed = run_json(env.caio().args(["--format", "json", "policy", "show"])).1;
    assert_eq!(d["policy_set"], installed["hash"], "{d:#}");

    // --policies adds rules; the installed ones are kept once.
    let (status, d) = route(&["--home", home, "--policies", "policies"]);
    assert_eq!(status, 0, "{d:#}");
    assert_eq!(d["service_id"], "llama-3-70b-onprem", "{d:#}");
    let (_, shipped) = route_in(false, &["--policies", "policies"]);
    assert_eq!(
        d["policy_set"], shipped["policy_set"],
        "same rules, same hash"
    );

    // A rule contradicting an installed one of the same id is refused.
    let contrary = write(
        &env.scratch().join("contrary/pii.yaml"),
        "apiVersion: caio/v1\nkind: PolicySet\npolicies:\n  - id: no-pii-external\n    \
         effect: prefer\n    weight: 0.1\n    match: { service.privacy.hosting: external }\n",
    );
    let dir = contrary.parent().unwrap().to_str().unwrap();
    let conflict = env
        .cmd()
        .args(["route", "fixtures/requests/chat-eu-confidential-pii.json"])
        .args([
            "--contracts",
            "contracts",
            "--home",
            home,
            "--policies",
            dir,
        ])
        .run();
    conflict.code(1);
    insta::assert_snapshot!("conflict_with_the_installed_set", conflict);

    // The traced decisions replay from the stored inputs.
    for seq in ["1", "2", "3"] {
        let (status, out, stderr) = run(env.caio().args(["trace", "replay", seq]));
        assert_eq!(status, 0, "replay {seq}: {out}{stderr}");
    }
}
