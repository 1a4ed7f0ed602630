//! What CI scripts get (SPEC §1 "Machine-readable versions", §2 "In CI"):
//! `--format github|sarif|junit`, `--strict`, `-q`, `-` with
//! `--stdin-name`, `verify-invariants --junit`, `schema_version` in every
//! JSON document with `caio schema NAME`, JSON usage errors; the reports
//! read back by real consumers (SARIF against the official schema and
//! sarif-pydantic, JUnit by junitparser, in a throwaway Python venv); and the
//! README's GitHub Actions example, run command by command.

use crate::common::{TestEnv, repo, run, run_json};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

const LATENCY_ORDER: &str = "fixtures/contracts/invalid/latency-order.yaml";
const INSECURE_URL: &str = "fixtures/contracts/warning/insecure-url.yaml";

/// `caio ARGS…` with `stdin` on its standard input: (exit, stdout, stderr).
fn run_stdin(cmd: &mut assert_cmd::Command, stdin: &[u8]) -> (i32, String, String) {
    let out = cmd.write_stdin(stdin.to_vec()).output().expect("run caio");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Undoes GitHub's escaping of a workflow command's data.
fn unescape_data(s: &str) -> String {
    s.replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%25", "%")
}

/// Undoes GitHub's escaping of a workflow command's property value.
fn unescape_property(s: &str) -> String {
    unescape_data(&s.replace("%3A", ":").replace("%2C", ","))
}

/// A workflow command line read as the runner reads it: the command, its
/// properties and its message.
fn parse_command(line: &str) -> (String, BTreeMap<String, String>, String) {
    let rest = line.strip_prefix("::").expect("a workflow command");
    let (head, message) = rest.split_once("::").expect("`::` before the message");
    let (name, props) = head.split_once(' ').unwrap_or((head, ""));
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            (k.to_string(), unescape_property(v))
        })
        .collect();
    (name.to_string(), props, unescape_data(message))
}

// ---------------------------------------------------------------------------
// GitHub workflow commands
// ---------------------------------------------------------------------------

#[test]
fn github_annotations_carry_file_line_column_and_code() {
    let env = TestEnv::new();
    let (code, stdout, stderr) = run(env.caio().args([
        "contract",
        "validate",
        "--format",
        "github",
        LATENCY_ORDER,
        INSECURE_URL,
        "contracts/openai-gpt-4o.yaml",
    ]));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stdout,
        "::error file=fixtures/contracts/invalid/latency-order.yaml,line=17,col=43,title=contract%3A%3Alatency-order::latency p99 (900 ms) is below p95 (1300 ms)%0Ahelp: percentiles must satisfy p50 <= p95 <= p99\n\
         ::warning file=fixtures/contracts/warning/insecure-url.yaml,line=32,col=8,title=contract%3A%3Ainsecure-url::an external service is called over plain http%0Ahelp: use https:// for services outside your network\n"
    );
    // The counts go to the log on stderr, errors and warnings apart.
    assert_eq!(
        stderr,
        "3 files checked: 2 valid, 1 invalid (1 error, 1 warning)\n"
    );
}

#[test]
fn github_escapes_percent_newline_colon_and_comma() {
    let env = TestEnv::new();
    let dir = env.scratch().join("a,b:c");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("50%,off.yaml");
    let text = std::fs::read_to_string(repo().join("contracts/openai-gpt-4o.yaml")).unwrap();
    std::fs::write(&file, format!("{text}\"100%\\r\\nsure\": 1\n")).unwrap();

    let (code, json) = run_json(
        env.caio()
            .args(["--format", "json", "contract", "validate"])
            .arg(&file),
    );
    assert_eq!(code, 1);
    let expected = &json["files"][0]["diagnostics"][0];
    assert_eq!(expected["code"], "contract::unknown-key", "{json:#}");

    let (code, stdout, _) = run(env
        .caio()
        .args(["contract", "validate", "--format", "github"])
        .arg(&file));
    assert_eq!(code, 1);
    let line = stdout.lines().next().expect("one annotation");
    assert!(
        line.contains("%2C") && line.contains("%3A") && line.contains("%25"),
        "{line}"
    );
    let (name, props, message) = parse_command(line);
    assert_eq!(name, "error");
    assert_eq!(props["file"], file.display().to_string());
    assert_eq!(props["title"], "contract::unknown-key");
    assert_eq!(props["line"], expected["line"].to_string());
    assert_eq!(props["col"], expected["column"].to_string());
    // The runner gets back exactly the message and its help.
    let want = format!(
        "{}\nhelp: {}",
        expected["message"].as_str().unwrap(),
        expected["help"].as_str().unwrap()
    );
    assert_eq!(message, want);
    assert_eq!(stdout.lines().count(), 1, "one line per finding: {stdout}");
}

// ---------------------------------------------------------------------------
// SARIF and JUnit, read in Rust
// ---------------------------------------------------------------------------

/// The README's headings as GitHub anchors (outside code blocks).
fn readme_anchors() -> BTreeSet<String> {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let mut anchors = BTreeSet::new();
    let mut fenced = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced || !line.starts_with('#') {
            continue;
        }
        let title = line.trim_start_matches('#').trim();
        let slug: String = title
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                _ => None,
            })
            .collect();
        anchors.insert(slug);
    }
    anchors
}

fn sarif(env: &TestEnv, args: &[&str]) -> (i32, Value) {
    let (code, stdout, stderr) = run(env.caio().args(args).args(["--format", "sarif"]));
    let log = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"));
    (code, log)
}

#[test]
fn sarif_has_one_rule_per_code_and_results_with_physical_locations() {
    let env = TestEnv::new();
    let absolute = repo().join(LATENCY_ORDER);
    let (code, log) = sarif(
        &env,
        &[
            "contract",
            "validate",
            absolute.to_str().unwrap(),
            INSECURE_URL,
            "./contracts/openai-gpt-4o.yaml",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(log["version"], "2.1.0");
    assert!(
        log.get("schema_version").is_none(),
        "SARIF has its own version"
    );
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "one run");
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "caio");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));

    // One rule per code `contract validate` has, each with help and a link
    // into a README section that exists.
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let codes: Vec<&str> = caio_core::contract::validate::CODES
        .iter()
        .map(|(c, _)| *c)
        .collect();
    assert_eq!(ids, codes);
    let anchors = readme_anchors();
    for rule in rules {
        assert!(!rule["help"]["text"].as_str().unwrap().is_empty(), "{rule}");
        assert!(
            !rule["shortDescription"]["text"]
                .as_str()
                .unwrap()
                .is_empty()
        );
        let uri = rule["helpUri"].as_str().unwrap();
        assert!(uri.starts_with("https://"), "an absolute URI: {uri}");
        let anchor = uri.split_once('#').map(|(_, a)| a).expect("an anchor");
        assert!(anchors.contains(anchor), "README has no #{anchor}");
    }

    // Results: rule, level from the severity, the path relative to the
    // working directory (an absolute path under it too), line and column.
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{results:#?}");
    let location = |r: &Value| {
        let p = &r["locations"][0]["physicalLocation"];
        (
            p["artifactLocation"]["uri"].as_str().unwrap().to_string(),
            p["artifactLocation"]["uriBaseId"]
                .as_str()
                .unwrap()
                .to_string(),
            p["region"]["startLine"].as_u64().unwrap(),
            p["region"]["startColumn"].as_u64().unwrap(),
        )
    };
    assert_eq!(results[0]["ruleId"], "contract::latency-order");
    assert_eq!(results[0]["level"], "error");
    assert_eq!(
        ids[results[0]["ruleIndex"].as_u64().unwrap() as usize],
        "contract::latency-order"
    );
    assert_eq!(
        location(&results[0]),
        (LATENCY_ORDER.to_string(), "%SRCROOT%".to_string(), 17, 43)
    );
    assert!(
        results[0]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("latency p99 (900 ms) is below p95 (1300 ms)")
    );
    assert_eq!(results[1]["ruleId"], "contract::insecure-url");
    assert_eq!(results[1]["level"], "warning");
    assert_eq!(
        location(&results[1]),
        (INSECURE_URL.to_string(), "%SRCROOT%".to_string(), 32, 8)
    );
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
    // Errors and warnings counted apart.
    assert_eq!(run["properties"]["errors"], 1);
    assert_eq!(run["properties"]["warnings"], 1);
    assert_eq!(run["properties"]["failed"], 1);
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn sarif_of_policy_tests_files_a_failed_test_at_its_name() {
    let env = TestEnv::new();
    let file = failing_policy(&env);
    let (code, log) = sarif(&env, &["policy", "test", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    let run = &log["runs"][0];
    let ids: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"policy::test-failed") && ids.contains(&"policy::unknown-path"));
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:#?}");
    let r = &results[0];
    assert_eq!(r["ruleId"], "policy::test-failed");
    let region = &r["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(14), Some(11))
    );
    let message = r["message"]["text"].as_str().unwrap();
    assert!(
        message.starts_with(
            "test `pii to an external service is allowed`: expected outcome allowed, got denied"
        ),
        "{message}"
    );
}

/// A policy file with one rule and two tests, the second expecting the
/// wrong outcome (its name on line 14, column 11).
fn failing_policy(env: &TestEnv) -> PathBuf {
    let contract = repo().join("contracts/openai-gpt-4o.yaml");
    let path = env.scratch().join("pii.yaml");
    std::fs::write(
        &path,
        format!(
            "apiVersion: caio/v1
kind: PolicySet
policies:
  - id: no-pii-to-external
    effect: deny
    when:  {{ request.data.contains_pii: true }}
    match: {{ service.privacy.hosting: {{ in: [external] }} }}
tests:
  - name: no pii is allowed
    request: {{ capability: chat }}
    service: {contract}
    expect: {{ outcome: allowed }}
  -
    name: pii to an external service is allowed
    request: {{ capability: chat, data: {{ contains_pii: true }} }}
    service: {contract}
    expect: {{ outcome: allowed }}
",
            contract = contract.display()
        ),
    )
    .unwrap();
    path
}

/// A JUnit report as a tree of (element, attributes, text) — enough of XML
/// for caio's reports, which have no comments, CDATA or namespaces.
#[derive(Debug)]
struct Element {
    name: String,
    attributes: BTreeMap<String, String>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn all<'a>(&'a self, name: &str) -> Vec<&'a Element> {
        let mut out = Vec::new();
        if self.name == name {
            out.push(self);
        }
        for c in &self.children {
            out.extend(c.all(name));
        }
        out
    }

    fn attr(&self, name: &str) -> &str {
        self.attributes.get(name).map_or("", String::as_str)
    }
}

fn unescape_xml(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#10;", "\n")
        .replace("&#13;", "\r")
        .replace("&#9;", "\t")
        .replace("&amp;", "&")
}

fn parse_xml(text: &str) -> Element {
    let body = text
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("an XML declaration");
    let mut stack: Vec<Element> = vec![Element {
        name: String::new(),
        attributes: BTreeMap::new(),
        children: Vec::new(),
        text: String::new(),
    }];
    let mut rest = body;
    while let Some(start) = rest.find('<') {
        stack
            .last_mut()
            .unwrap()
            .text
            .push_str(&unescape_xml(&rest[..start]));
        let end = rest[start..].find('>').expect("a closed tag") + start;
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let done = stack.pop().unwrap();
            assert_eq!(done.name, name, "tags nest");
            stack.last_mut().unwrap().children.push(done);
            continue;
        }
        let closed = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let (name, mut attrs) = tag.split_once(' ').unwrap_or((tag, ""));
        let mut attributes = BTreeMap::new();
        while let Some(eq) = attrs.find("=\"") {
            let key = attrs[..eq].trim().to_string();
            let value_end = attrs[eq + 2..].find('"').expect("a closed value") + eq + 2;
            attributes.insert(key, unescape_xml(&attrs[eq + 2..value_end]));
            attrs = &attrs[value_end + 1..];
        }
        let element = Element {
            name: name.to_string(),
            attributes,
            children: Vec::new(),
            text: String::new(),
        };
        if closed {
            stack.last_mut().unwrap().children.push(element);
        } else {
            stack.push(element);
        }
    }
    assert_eq!(stack.len(), 1, "every tag closed");
    stack.pop().unwrap()
}

#[test]
fn junit_has_one_testcase_per_file_and_counts_errors_and_warnings_apart() {
    let env = TestEnv::new();
    for strict in [false, true] {
        let mut cmd = env.caio();
        cmd.args([
            "contract",
            "validate",
            "--format",
            "junit",
            LATENCY_ORDER,
            INSECURE_URL,
            "contracts/openai-gpt-4o.yaml",
        ]);
        if strict {
            cmd.arg("--strict");
        }
        let (code, stdout, _) = run(&mut cmd);
        assert_eq!(code, 1);
        let xml = parse_xml(&stdout);
        let suites = xml.all("testsuite");
        assert_eq!(suites.len(), 1);
        let suite = suites[0];
        assert_eq!(suite.attr("name"), "caio contract validate");
        assert_eq!(suite.attr("tests"), "3");
        assert_eq!(suite.attr("failures"), if strict { "2" } else { "1" });
        let properties: BTreeMap<&str, &str> = suite
            .all("property")
            .iter()
            .map(|p| (p.attr("name"), p.attr("value")))
            .collect();
        assert_eq!(properties["caio.errors"], "1");
        assert_eq!(properties["caio.warnings"], "1");
        assert_eq!(properties["caio.strict"], strict.to_string());
        let cases = suite.all("testcase");
        let names: Vec<&str> = cases.iter().map(|c| c.attr("name")).collect();
        assert_eq!(
            names,
            [LATENCY_ORDER, INSECURE_URL, "contracts/openai-gpt-4o.yaml"]
        );
        let failure = &cases[0].all("failure")[0];
        assert_eq!(failure.attr("type"), "contract::latency-order");
        assert_eq!(
            failure.attr("message"),
            "latency p99 (900 ms) is below p95 (1300 ms)"
        );
        assert!(failure.text.contains(&format!(
            "{LATENCY_ORDER}:17:43: error[contract::latency-order]"
        )));
        assert!(
            failure
                .text
                .contains("help: percentiles must satisfy p50 <= p95 <= p99")
        );
        // The warning fails the case only under --strict; otherwise it is
        // kept with the case.
        let warned = cases[1];
        assert_eq!(warned.all("failure").len(), usize::from(strict));
        if !strict {
            assert!(
                warned.all("system-out")[0]
                    .text
                    .contains("warning[contract::insecure-url]")
            );
        }
        assert!(cases[2].children.is_empty());
    }
}

#[test]
fn junit_of_policy_tests_has_one_testcase_per_test() {
    let env = TestEnv::new();
    let file = failing_policy(&env);
    let (code, stdout, _) = run(env
        .caio()
        .args(["policy", "test", "--format", "junit"])
        .arg(&file));
    assert_eq!(code, 1);
    let xml = parse_xml(&stdout);
    let cases = xml.all("testcase");
    let names: Vec<&str> = cases.iter().map(|c| c.attr("name")).collect();
    assert_eq!(
        names,
        ["no pii is allowed", "pii to an external service is allowed"]
    );
    assert!(
        cases
            .iter()
            .all(|c| c.attr("classname") == file.display().to_string())
    );
    assert!(cases[0].all("failure").is_empty());
    assert_eq!(
        cases[1].all("failure")[0].attr("type"),
        "policy::test-failed"
    );
    assert_eq!(cases[1].attr("line"), "14");
}

#[test]
fn verify_invariants_writes_the_scorecard_as_junit() {
    let env = TestEnv::new();
    let out = env.scratch().join("invariants.xml");
    let (code, _, stderr) = run(env
        .caio()
        .args([
            "verify-invariants",
            "--only",
            "INV-CAIO-0002,INV-CAIO-0003",
            "--trials",
            "3",
            "--junit",
        ])
        .arg(&out));
    assert_eq!(code, 0, "{stderr}");
    let xml = parse_xml(&std::fs::read_to_string(&out).unwrap());
    let suite = xml.all("testsuite")[0];
    assert_eq!(suite.attr("name"), "caio verify-invariants");
    assert_eq!((suite.attr("tests"), suite.attr("failures")), ("2", "0"));
    let names: Vec<&str> = suite
        .all("testcase")
        .iter()
        .map(|c| c.attr("name"))
        .collect();
    assert!(names[0].starts_with("INV-CAIO-0002 "), "{names:?}");
    assert!(names[1].starts_with("INV-CAIO-0003 "), "{names:?}");

    // A directory in the report's place fails before any invariant runs.
    let (code, _, stderr) = run(env
        .caio()
        .args(["verify-invariants", "--junit"])
        .arg(env.scratch()));
    assert_eq!(code, 1);
    assert!(stderr.contains("caio::write"), "{stderr}");
}

// ---------------------------------------------------------------------------
// --strict, -q, stdin, and formats a command does not have
// ---------------------------------------------------------------------------

#[test]
fn strict_fails_on_warnings_in_every_format() {
    let env = TestEnv::new();
    for format in ["human", "json", "github", "sarif", "junit"] {
        let (code, _, stderr) =
            run(env
                .caio()
                .args(["contract", "validate", INSECURE_URL, "--format", format]));
        assert_eq!(code, 0, "{format}: a warning alone passes: {stderr}");
        let (code, stdout, stderr) = run(env.caio().args([
            "contract",
            "validate",
            INSECURE_URL,
            "--format",
            format,
            "--strict",
        ]));
        assert_eq!(code, 1, "{format}: --strict fails on the warning: {stderr}");
        assert!(
            (stdout + &stderr).contains("insecure-url"),
            "{format}: the warning is reported"
        );
    }
    let (_, json) = run_json(env.caio().args([
        "--format",
        "json",
        "contract",
        "validate",
        INSECURE_URL,
        "--strict",
    ]));
    assert_eq!(
        (json["errors"].as_u64(), json["warnings"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(json["strict"], true);
}

#[test]
fn quiet_drops_summaries_and_keeps_every_finding() {
    let env = TestEnv::new();
    // The warning is a finding: -q keeps it; the summary line goes.
    let (code, stdout, stderr) = run(env
        .caio()
        .args(["-q", "contract", "validate", INSECURE_URL]));
    assert_eq!(code, 0);
    assert_eq!(stdout, "");
    assert!(stderr.contains("contract::insecure-url"), "{stderr}");
    assert!(stderr.contains("plain http"), "{stderr}");

    // CI formats: every finding on stdout, no status line on stderr.
    let (_, stdout, stderr) = run(env.caio().args([
        "-q",
        "contract",
        "validate",
        "--format",
        "github",
        INSECURE_URL,
        LATENCY_ORDER,
    ]));
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert_eq!(stderr, "");

    // policy test: failures stay, passing tests and the summary go.
    let file = failing_policy(&env);
    let (code, stdout, _) = run(env.caio().args(["-q", "policy", "test"]).arg(&file));
    assert_eq!(code, 1);
    assert!(stdout.starts_with("FAIL  "), "{stdout}");
    assert!(
        !stdout.contains("ok  ") && !stdout.contains("tests:"),
        "{stdout}"
    );
    let (code, stdout, stderr) = run(env.caio().args(["-q", "policy", "test", "policies/"]));
    assert_eq!((code, stdout.as_str(), stderr.as_str()), (0, "", ""));
}

#[test]
fn a_dash_reads_one_document_from_stdin_with_its_name() {
    let env = TestEnv::new();
    let broken = std::fs::read(repo().join(LATENCY_ORDER)).unwrap();

    // Unnamed, it is `<stdin>` in diagnostics.
    let (code, stdout, stderr) = run_stdin(env.caio().args(["contract", "validate", "-"]), &broken);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("<stdin>:17:43"), "{stderr}");
    assert_eq!(
        stdout,
        "1 file checked: 0 valid, 1 invalid (1 error, 0 warnings)\n"
    );

    // Named, every format shows the name.
    let named = [
        "contract",
        "validate",
        "-",
        "--stdin-name",
        "contracts/new.yaml",
    ];
    let (_, stdout, _) = run_stdin(env.caio().args(named).args(["--format", "github"]), &broken);
    assert!(
        stdout.starts_with("::error file=contracts/new.yaml,line=17,col=43,"),
        "{stdout}"
    );
    let (_, stdout, _) = run_stdin(env.caio().args(named).args(["--format", "json"]), &broken);
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["files"][0]["path"], "contracts/new.yaml");
    let (_, stdout, _) = run_stdin(env.caio().args(named).args(["--format", "sarif"]), &broken);
    let log: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "contracts/new.yaml"
    );

    // With files, and a valid document.
    let valid = std::fs::read(repo().join("contracts/openai-gpt-4o.yaml")).unwrap();
    let (code, stdout, stderr) = run_stdin(
        env.caio().args([
            "contract",
            "validate",
            "contracts/mistral-large-eu.yaml",
            "-",
        ]),
        &valid,
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "2 files checked: 2 valid, 0 invalid (0 errors, 0 warnings)\n"
    );

    // Policies: relative contract paths of its tests resolve against the
    // directory of --stdin-name.
    let policy = std::fs::read(repo().join("policies/pii.yaml")).unwrap();
    let (code, stdout, stderr) = run_stdin(
        env.caio().args([
            "policy",
            "test",
            "-",
            "--stdin-name",
            "policies/from-stdin.yaml",
        ]),
        &policy,
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("ok    policies/from-stdin.yaml: "),
        "{stdout}"
    );
    let (code, stdout, _) = run_stdin(env.caio().args(["policy", "validate", "-"]), &policy);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("1 file checked: 1 valid"), "{stdout}");

    // Bounded like a file: 1 MiB (just over it, so that what caio leaves
    // unread fits in the pipe).
    let mut huge = valid.clone();
    huge.resize(1024 * 1024 + 100, b'\n');
    let (code, _, stderr) = run_stdin(env.caio().args(["contract", "validate", "-"]), &huge);
    assert_eq!(code, 1);
    assert!(stderr.contains("contract::too-large"), "{stderr}");
    assert!(
        stderr.contains("standard input is over the limit"),
        "{stderr}"
    );
}

#[test]
fn other_commands_refuse_the_ci_formats_with_a_usage_error() {
    let env = TestEnv::new();
    for args in [
        &[
            "--format",
            "sarif",
            "route",
            "fixtures/requests/chat-balanced.json",
        ][..],
        &["registry", "list", "--format", "junit"],
        &["--format", "github", "contract", "schema"],
    ] {
        let (code, stdout, stderr) = run(env.caio().args(args));
        assert_eq!(code, 2, "{args:?}");
        assert!(stdout.is_empty());
        assert!(
            stderr.contains(
                "is a CI report of `contract validate`, `policy validate` and `policy test`"
            ),
            "{stderr}"
        );
    }
}

// ---------------------------------------------------------------------------
// JSON documents: schema_version, `caio schema`, usage errors
// ---------------------------------------------------------------------------

/// A schema with every object that lists its properties closed
/// (`additionalProperties: false`): the shipped schemas let new fields
/// appear without a version bump, but every field caio prints today must be
/// documented.
pub(crate) fn closed(mut schema: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                if map.get("type") == Some(&json!("object"))
                    && map.contains_key("properties")
                    && !map.contains_key("additionalProperties")
                {
                    map.insert("additionalProperties".into(), json!(false));
                }
                map.values_mut().for_each(walk);
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut schema);
    schema
}

/// Every document of one kind checked against its schema, as `caio schema`
/// prints it, closed.
#[derive(Default)]
struct Schemas {
    validators: BTreeMap<String, jsonschema::Validator>,
    checked: BTreeMap<String, usize>,
}

impl Schemas {
    fn check(&mut self, env: &TestEnv, name: &str, doc: &Value) {
        let validator = self.validators.entry(name.to_string()).or_insert_with(|| {
            let (code, stdout, stderr) = run(env.caio().args(["schema", name]));
            assert_eq!(code, 0, "caio schema {name}: {stderr}");
            let schema: Value = serde_json::from_str(&stdout).expect("a JSON schema");
            jsonschema::meta::validate(&schema)
                .unwrap_or_else(|e| panic!("{name}: not a draft 2020-12 schema: {e}"));
            jsonschema::validator_for(&closed(schema)).expect("the schema compiles")
        });
        let errors: Vec<String> = validator
            .iter_errors(doc)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}\n{doc:#}");
        assert_eq!(doc["schema_version"], 1, "{name}");
        *self.checked.entry(name.to_string()).or_default() += 1;
    }

    /// `caio --format json ARGS…` must exit `exit` and print a `name` document.
    fn run(&mut self, env: &TestEnv, name: &str, exit: i32, args: &[&str]) -> Value {
        let (code, stdout, stderr) = run(env.caio().args(["--format", "json"]).args(args));
        assert_eq!(code, exit, "caio {args:?}: {stdout}{stderr}");
        let doc: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("caio {args:?}: not one JSON document ({e}): {stdout}"));
        self.check(env, name, &doc);
        doc
    }

    /// Each line of `stdout` is a `name` document.
    fn lines(&mut self, env: &TestEnv, name: &str, stdout: &str) {
        assert!(!stdout.trim().is_empty(), "{name}: no lines");
        for line in stdout.lines() {
            let doc: Value = serde_json::from_str(line).expect("a JSON line");
            self.check(env, name, &doc);
        }
    }

    /// Each line of `stderr` is an error document.
    fn errors(&mut self, env: &TestEnv, stderr: &str) {
        self.lines(env, "error", stderr);
    }
}

/// A server on 127.0.0.1 that answers every request with 200 and a JSON
/// body, one connection at a time, until the test ends.
fn echo_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let _ = conn.set_read_timeout(Some(std::time::Duration::from_secs(10)));
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            // Headers, then the body its content-length announces.
            while let Ok(n) = conn.read(&mut buf) {
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request).to_ascii_lowercase();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len: usize = text
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    if request.len() >= end + 4 + len {
                        break;
                    }
                }
            }
            let body = r#"{"answer":"hello"}"#;
            let _ = write!(
                conn,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}/v1/echo")
}

/// An OpenAI-compatible chat server on 127.0.0.1, one connection at a
/// time: `/v1/chat/completions` answers (as server-sent events when the
/// body asks to stream), `/v1/refuse/chat/completions` refuses with an
/// OpenAI error body. The provider protocols' fields in every document
/// that carries an execution are checked against it.
fn chat_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let _ = conn.set_read_timeout(Some(std::time::Duration::from_secs(10)));
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            let mut head_end = None;
            while let Ok(n) = conn.read(&mut buf) {
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request).to_ascii_lowercase();
                if let Some(end) = text.find("\r\n\r\n") {
                    head_end = Some(end);
                    let len: usize = text
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    if request.len() >= end + 4 + len {
                        break;
                    }
                }
            }
            let text = String::from_utf8_lossy(&request);
            let body = head_end.map_or("", |end| &text[end + 4..]);
            let (status, content_type, answer) = if text.starts_with("POST /v1/refuse/") {
                (
                    "400 Bad Request",
                    "application/json",
                    r#"{"error":{"message":"The model `m-refuse` does not exist","type":"invalid_request_error","code":"model_not_found"}}"#.to_string(),
                )
            } else if body.contains(r#""stream":true"#) {
                let chunk = |delta: &str, finish: &str, usage: &str| {
                    format!(
                        r#"data: {{"id":"c1","object":"chat.completion.chunk","model":"m-ok","choices":[{{"index":0,"delta":{{{delta}}},"finish_reason":{finish}}}]{usage}}}"#
                    ) + "\n\n"
                };
                let events = chunk(r#""role":"assistant","content":"Hel""#, "null", "")
                    + &chunk(r#""content":"lo""#, "null", "")
                    + &chunk("", r#""stop""#, "")
                    + r#"data: {"id":"c1","object":"chat.completion.chunk","model":"m-ok","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}"#
                    + "\n\ndata: [DONE]\n\n";
                ("200 OK", "text/event-stream", events)
            } else {
                (
                    "200 OK",
                    "application/json",
                    r#"{"id":"c1","object":"chat.completion","model":"m-ok","choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}"#.to_string(),
                )
            };
            let _ = write!(
                conn,
                "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    format!("http://{addr}")
}

/// A chat contract on the chat server: `path` under it, its key in `env`.
fn chat_contract(id: &str, base: &str, path: &str, env: &str, accuracy: f64) -> String {
    format!(
        "apiVersion: caio/v1
service_id: {id}
name: Chat {id}
version: 1.0.0
capabilities: [{{ type: chat.schema-test }}]
guarantees: {{ latency_ms: {{ p50: 0.001, p95: 0.001, p99: 0.001 }}, availability: 0.999, accuracy: {accuracy} }}
cost: {{ currency: USD, per_request: 0.001, per_1k_input_tokens: 1, per_1k_output_tokens: 2 }}
privacy: {{ hosting: internal, regions: [eu], max_data_class: restricted }}
endpoint:
  url: {base}{path}
  protocol: openai-chat
  model: m-{id}
  auth: {{ scheme: bearer, env: {env} }}
"
    )
}

#[test]
fn every_json_document_matches_its_schema() {
    let env = TestEnv::new();
    let scratch = env.scratch();
    let mut s = Schemas::default();

    s.run(&env, "init", 0, &["init"]);
    s.run(&env, "registry-add", 0, &["registry", "add", "contracts/"]);
    s.run(&env, "registry-list", 0, &["registry", "list"]);
    s.run(
        &env,
        "registry-show",
        0,
        &["registry", "show", "mistral-large-eu"],
    );
    s.run(
        &env,
        "registry-history",
        0,
        &["registry", "history", "mistral-large-eu"],
    );
    let doc = s.run(
        &env,
        "registry-set-status",
        0,
        &[
            "registry",
            "set-status",
            "mistral-large-eu",
            "degraded",
            "--reason",
            "5xx",
            "--reset-circuit",
        ],
    );
    assert!(doc.get("circuit_reset").is_some());
    s.run(
        &env,
        "principal-add",
        0,
        &[
            "principal",
            "add",
            "alice",
            "--tenant",
            "acme",
            "--roles",
            "analyst",
            "--trust",
            "high",
        ],
    );
    s.run(&env, "principal-list", 0, &["principal", "list"]);
    s.run(&env, "policy-apply", 0, &["policy", "apply", "policies/"]);
    s.run(&env, "policy-show", 0, &["policy", "show"]);
    s.run(
        &env,
        "policy-validate",
        1,
        &[
            "policy",
            "validate",
            "policies/",
            "fixtures/policies/invalid/duplicate-id.yaml",
        ],
    );
    s.run(&env, "policy-test", 0, &["policy", "test", "policies/"]);
    let doc = s.run(
        &env,
        "policy-test",
        1,
        &[
            "policy",
            "test",
            "fixtures/policies/invalid/invalid-id.yaml",
        ],
    );
    assert!(doc.get("invalid_files").is_some());
    s.run(
        &env,
        "contract-validate",
        1,
        &[
            "contract",
            "validate",
            "contracts/",
            INSECURE_URL,
            LATENCY_ORDER,
        ],
    );

    // Routing: a decision, a chain without a route, a batch with an error line.
    s.run(
        &env,
        "route",
        0,
        &["route", "fixtures/requests/chat-balanced.json", "--explain"],
    );
    s.run(
        &env,
        "route",
        3,
        &[
            "route",
            "fixtures/requests/chain-rag-latency-bound.json",
            "--contracts",
            "contracts",
            "--policies",
            "policies",
        ],
    );
    // Explanations: "did you mean" for a capability nothing offers, access
    // hints and later rejections, alone and in a batch.
    let typo = scratch.join("typo.json");
    std::fs::write(&typo, r#"{"capability": "chta"}"#).unwrap();
    let doc = s.run(&env, "route", 3, &["route", typo.to_str().unwrap()]);
    assert_eq!(
        doc["explanation"]["steps"][0]["unknown_capability"]["did_you_mean"], "chat",
        "{doc:#}"
    );
    let stateless = [
        "--contracts",
        "contracts",
        "--policies",
        "policies",
        "--principal",
        "fixtures/principals/hr-officer.yaml",
        "--explain",
    ];
    let mut args = vec!["route", "fixtures/requests/no-route-restricted-us.json"];
    args.extend(stateless);
    let doc = s.run(&env, "route", 3, &args);
    assert!(
        !doc["explanation"]["steps"][0]["access_hints"]
            .as_array()
            .unwrap()
            .is_empty(),
        "{doc:#}"
    );
    let (code, stdout, _) = run_stdin(
        env.caio()
            .args(["--format", "json", "route", "--batch", "-"])
            .args(stateless),
        std::fs::read_to_string(repo().join("fixtures/requests/no-route-restricted-us.json"))
            .unwrap()
            .replace('\n', " ")
            .as_bytes(),
    );
    assert_eq!(code, 0);
    s.lines(&env, "route-batch-line", &stdout);
    let request = std::fs::read_to_string(repo().join("fixtures/requests/chat-balanced.json"))
        .unwrap()
        .replace('\n', " ");
    let (code, stdout, _) = run_stdin(
        env.caio()
            .args(["--format", "json", "route", "--batch", "-"]),
        format!("{request}\n{{\"capability\": 1}}\n").as_bytes(),
    );
    assert_eq!(code, 1);
    s.lines(&env, "route-batch-line", &stdout);

    // Execution against a local server: the decision with `execution`, and
    // the service's stats afterwards.
    let url = echo_server();
    let dir = scratch.join("echo");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("echo.yaml"),
        format!(
            "apiVersion: caio/v1
service_id: echo-local
name: Echo
version: 1.0.0
capabilities: [{{ type: echo }}]
guarantees: {{ latency_ms: {{ p50: 1, p95: 2, p99: 5000 }}, availability: 0.999 }}
cost: {{ currency: USD, per_request: 0, per_1k_input_tokens: 0, per_1k_output_tokens: 0 }}
privacy: {{ hosting: internal, regions: [eu], max_data_class: restricted }}
endpoint: {{ url: {url} }}
"
        ),
    )
    .unwrap();
    s.run(
        &env,
        "registry-add",
        0,
        &["registry", "add", dir.to_str().unwrap()],
    );
    let echo = scratch.join("echo.json");
    std::fs::write(&echo, r#"{"capability": "echo", "payload": {"q": "hi"}}"#).unwrap();
    let doc = s.run(
        &env,
        "route",
        0,
        &["route", echo.to_str().unwrap(), "--execute"],
    );
    assert_eq!(doc["execution"]["outcome"], "succeeded", "{doc:#}");
    let doc = s.run(
        &env,
        "registry-show",
        0,
        &["registry", "show", "echo-local"],
    );
    assert!(doc.get("stats").is_some(), "{doc:#}");

    // A provider protocol: the first service refuses (its error traced),
    // the second has no key (skipped), the third answers, slower than its
    // p99 and dearer than max_cost; then the same streamed.
    let base = chat_server();
    let dir = scratch.join("chat");
    std::fs::create_dir_all(&dir).unwrap();
    for (id, path, var, accuracy) in [
        (
            "chat-refuse",
            "/v1/refuse/chat/completions",
            "CAIO_SCHEMA_KEY",
            0.99,
        ),
        (
            "chat-nokey",
            "/v1/chat/completions",
            "CAIO_SCHEMA_UNSET",
            0.9,
        ),
        ("chat-ok", "/v1/chat/completions", "CAIO_SCHEMA_KEY", 0.5),
    ] {
        std::fs::write(
            dir.join(format!("{id}.yaml")),
            chat_contract(id, &base, path, var, accuracy),
        )
        .unwrap();
    }
    s.run(
        &env,
        "registry-add",
        0,
        &["registry", "add", dir.to_str().unwrap()],
    );
    let chat = scratch.join("chat.json");
    std::fs::write(
        &chat,
        r#"{"capability": "chat.schema-test", "requirements": {"max_cost": 0.002},
            "payload": {"system": "Be brief.", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 5}}"#,
    )
    .unwrap();
    let (code, stdout, stderr) = run(env
        .caio()
        .env("CAIO_SCHEMA_KEY", "k")
        .args(["--format", "json", "route"])
        .arg(&chat)
        .arg("--execute"));
    assert_eq!(code, 0, "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).expect("one JSON document");
    s.check(&env, "route", &doc);
    let execution = &doc["execution"];
    assert_eq!(execution["result"]["text"], "Hello", "{doc:#}");
    assert_eq!(execution["skipped"][0]["variable"], "CAIO_SCHEMA_UNSET");
    let attempts = execution["attempts"].as_array().unwrap();
    assert_eq!(attempts[0]["provider_error"]["code"], "model_not_found");
    assert!(attempts[1].get("cost_violation").is_some(), "{doc:#}");
    assert!(attempts[1].get("guarantee_violation").is_some(), "{doc:#}");
    let (code, stdout, stderr) = run(env
        .caio()
        .env("CAIO_SCHEMA_KEY", "k")
        .args(["--format", "json", "route"])
        .arg(&chat)
        .args(["--execute", "--stream"]));
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    let (last, deltas) = lines.split_last().expect("lines");
    assert_eq!(deltas.len(), 2, "{stdout}");
    s.lines(&env, "route-delta", &deltas.join("\n"));
    let doc: Value = serde_json::from_str(last).expect("a JSON line");
    s.check(&env, "route", &doc);
    assert!(
        doc["execution"]["attempts"][1].get("ttft_ms").is_some(),
        "{doc:#}"
    );
    s.run(&env, "registry-show", 0, &["registry", "show", "chat-ok"]);

    // Traces.
    let list = s.run(&env, "trace-list", 0, &["trace", "list"]);
    let doc = s.run(&env, "trace-stats", 0, &["trace", "stats", "--by", "rule"]);
    assert!(!doc["counts"].as_array().unwrap().is_empty());
    s.run(
        &env,
        "trace-list",
        0,
        &["trace", "list", "--stage", "access", "--executed", "ok"],
    );
    for record in list["records"].as_array().unwrap() {
        let seq = record["seq"].to_string();
        s.run(&env, "trace-show", 0, &["trace", "show", &seq]);
        s.run(&env, "trace-show", 0, &["trace", "show", &seq, "--explain"]);
    }
    s.run(&env, "trace-verify", 0, &["trace", "verify"]);
    let doc = s.run(
        &env,
        "trace-verify",
        1,
        &["trace", "verify", "--from", "999"],
    );
    assert_eq!(doc["break"]["kind"], "start_past_head");
    s.run(&env, "trace-replay", 0, &["trace", "replay", "1"]);
    let reported = s.run(
        &env,
        "trace-outcome",
        0,
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
    );
    let seq = reported["seq"].to_string();
    s.run(&env, "trace-show", 0, &["trace", "show", &seq]);
    let again = s.run(
        &env,
        "route",
        0,
        &["route", "fixtures/requests/chat-balanced.json"],
    );
    let batch = format!(
        "{{\"decision_id\": {}, \"status\": \"error\", \"error\": \"timeout\"}}\n{{\"nope\": 1}}\n",
        again["decision_id"]
    );
    let (code, stdout, _) = run_stdin(
        env.caio()
            .args(["--format", "json", "trace", "outcome", "--batch", "-"]),
        batch.as_bytes(),
    );
    assert_eq!(code, 1);
    s.lines(&env, "trace-outcome-line", &stdout);
    let doc = s.run(&env, "slo", 0, &["slo", "--window", "24h"]);
    assert!(!doc["services"].as_array().unwrap().is_empty());
    s.run(
        &env,
        "slo",
        1,
        &["slo", "--service", "openai-gpt-4o-mini", "--check"],
    );
    s.run(&env, "trace-checkpoint", 0, &["trace", "checkpoint"]);
    let archive = scratch.join("archive.jsonl");
    let archive = archive.to_str().unwrap();
    s.run(
        &env,
        "trace-prune",
        0,
        &["trace", "prune", "--through", "2", "--archive", archive],
    );
    s.lines(
        &env,
        "trace-export-line",
        &std::fs::read_to_string(archive).unwrap(),
    );
    let doc = s.run(
        &env,
        "trace-verify",
        0,
        &["trace", "verify", "--archive", archive],
    );
    assert_eq!(doc["pruned_through"], 2);
    s.run(&env, "trace-rekey", 0, &["trace", "rekey"]);
    let (code, stdout, _) = run(env.caio().args(["trace", "export"]));
    assert_eq!(code, 0);
    s.lines(&env, "trace-export-line", &stdout);

    s.run(
        &env,
        "principal-revoke",
        0,
        &["principal", "revoke", "alice"],
    );
    s.run(
        &env,
        "registry-remove",
        0,
        &["registry", "remove", "mistral-large-eu"],
    );

    // The scorecard, on stdout and in --out.
    let out = scratch.join("scorecard.json");
    s.run(
        &env,
        "scorecard",
        0,
        &[
            "verify-invariants",
            "--only",
            "INV-CAIO-0002",
            "--trials",
            "3",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    s.check(&env, "scorecard", &written);

    // Licences, vendor side then customer side.
    let vendor = scratch.join("vendor");
    s.run(
        &env,
        "license-keygen",
        0,
        &[
            "license",
            "keygen",
            "--out",
            vendor.to_str().unwrap(),
            "--name",
            "Sales",
        ],
    );
    let key = vendor.join("vendor.key");
    let key = key.to_str().unwrap();
    let trusted = s.run(
        &env,
        "license-trust",
        0,
        &[
            "license",
            "trust",
            vendor.join("vendor.pub").to_str().unwrap(),
        ],
    );
    let issued = s.run(
        &env,
        "license-issue",
        0,
        &[
            "license",
            "issue",
            "--key",
            key,
            "--customer",
            "Acme",
            "--features",
            "route,execute",
            "--expires",
            "2099-01-01",
        ],
    );
    let license = issued["license"].as_str().unwrap();
    let id = issued["claims"]["id"].as_str().unwrap();
    s.run(&env, "license-verify", 0, &["license", "verify", license]);
    let (code, stdout, stderr) =
        run(env
            .caio()
            .args(["--format", "json", "license", "verify", "caio-lic-v1.x"]));
    assert_eq!(code, 1);
    let refused: Value = serde_json::from_str(&stdout).expect("one JSON document");
    assert_eq!(refused["valid"], false);
    s.check(&env, "license-verify", &refused);
    s.errors(&env, &stderr);
    let renewed = s.run(
        &env,
        "license-issue",
        0,
        &["license", "renew", id, "--expires", "+400d", "--key", key],
    );
    assert_eq!(renewed["renews"], id, "{renewed:#}");
    s.run(&env, "license-show", 0, &["license", "show", id]);
    s.run(&env, "license-show", 0, &["license", "show", license]);
    s.run(&env, "license-list", 0, &["license", "list"]);
    s.run(&env, "license-install", 0, &["license", "install", license]);
    s.run(
        &env,
        "license-uninstall",
        0,
        &["license", "uninstall", &id[..8]],
    );
    s.run(&env, "license-install", 0, &["license", "install", license]);
    s.run(
        &env,
        "license-revoke",
        0,
        &["license", "revoke", id, "--reason", "test"],
    );
    let list = s.run(
        &env,
        "license-revocations",
        0,
        &["license", "revocations", "--key", key],
    );
    let revocations = scratch.join("revocations.caio");
    std::fs::write(&revocations, list["revocation_list"].as_str().unwrap()).unwrap();
    let doc = s.run(
        &env,
        "license-install",
        0,
        &[
            "license",
            "install",
            "--revocations",
            revocations.to_str().unwrap(),
        ],
    );
    assert!(doc.get("revocations").is_some(), "{doc:#}");
    s.run(&env, "license-status", 0, &["license", "status"]);
    s.run(
        &env,
        "license-untrust",
        0,
        &["license", "untrust", trusted["key_id"].as_str().unwrap()],
    );

    // The fleet store: the home copied into PostgreSQL, then `init` there.
    // Without a server (outside CI only), these two go unchecked.
    let fleet = crate::pg_server::PgServer::shared().map(|server| {
        let url = server.create_database();
        s.run(
            &env,
            "store-migrate",
            0,
            &["store", "migrate", "--to", url.as_str()],
        );
        let doc = s.run(&env, "init", 0, &["--database", url.as_str(), "init"]);
        assert!(doc["database"].as_str().is_some(), "{doc:#}");
    });

    // Errors: a state error and a usage error.
    let (code, _, stderr) = run(env
        .caio()
        .args(["--format", "json", "trace", "show", "nope"]));
    assert_eq!(code, 1);
    s.errors(&env, &stderr);
    let (code, _, stderr) = run(env.caio().args(["--format", "json", "frobnicate"]));
    assert_eq!(code, 2);
    s.errors(&env, &stderr);

    // Every kind of document was seen.
    let (_, help, _) = run(env.caio().args(["schema", "--help"]));
    let names: BTreeSet<String> = caio::ui::Schema::all().iter().map(|s| s.name()).collect();
    for name in &names {
        assert!(
            help.contains(&format!("- {name}:")),
            "schema --help lists {name}"
        );
    }
    let mut checked: BTreeSet<String> = s.checked.keys().cloned().collect();
    if fleet.is_none() {
        checked.insert("store-migrate".into());
    }
    assert_eq!(
        checked, names,
        "every document kind checked against its schema"
    );
}

#[test]
fn schema_prints_each_shipped_schema() {
    let env = TestEnv::new();
    for schema in caio::ui::Schema::all() {
        let name = schema.name();
        let (code, stdout, stderr) = run(env.caio().args(["schema", &name]));
        assert_eq!(code, 0, "{stderr}");
        let file = std::fs::read_to_string(repo().join(format!("schemas/{name}.json"))).unwrap();
        assert_eq!(
            stdout, file,
            "{name}: caio schema prints schemas/{name}.json"
        );
        let value: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(
            value["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert!(
            value["required"]
                .as_array()
                .unwrap()
                .contains(&json!("schema_version")),
            "{name}"
        );
    }
    let files: BTreeSet<String> = std::fs::read_dir(repo().join("schemas"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let names: BTreeSet<String> = caio::ui::Schema::all()
        .iter()
        .map(|s| format!("{}.json", s.name()))
        .collect();
    assert_eq!(files, names, "schemas/ holds exactly the shipped schemas");
    let (code, _, stderr) = run(env.caio().args(["schema", "nope"]));
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn usage_errors_are_json_in_json_mode() {
    let env = TestEnv::new();
    for args in [
        &["--format", "json", "frobnicate"][..],
        &["contract", "validate", "--format=json"],
        &["--format", "json", "contract", "validate", "x", "--strct"],
        &["--format", "json", "route"],
    ] {
        let (code, stdout, stderr) = run(env.caio().args(args));
        assert_eq!(code, 2, "{args:?}");
        assert!(stdout.is_empty(), "{args:?}");
        let error: Value = serde_json::from_str(stderr.trim())
            .unwrap_or_else(|e| panic!("{args:?}: not one JSON object ({e}): {stderr}"));
        assert_eq!(error["schema_version"], 1);
        assert_eq!(error["code"], "caio::usage");
        assert_eq!(error["severity"], "error");
        assert!(!error["message"].as_str().unwrap().is_empty());
        assert!(
            error["help"].as_str().unwrap().contains("Usage: caio"),
            "{error}"
        );
    }
    // A suggestion survives in the help.
    let (_, _, stderr) = run(env
        .caio()
        .args(["--format", "json", "contract", "validate", "x", "--strct"]));
    let error: Value = serde_json::from_str(stderr.trim()).unwrap();
    assert_eq!(error["message"], "unexpected argument '--strct' found");
    assert!(
        error["help"].as_str().unwrap().contains("--strict"),
        "{error}"
    );
    // In human mode, clap's own text.
    let (code, _, stderr) = run(env.caio().arg("frobnicate"));
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: unrecognized subcommand"),
        "{stderr}"
    );
}

// ---------------------------------------------------------------------------
// Real consumers
// ---------------------------------------------------------------------------

/// A virtual environment with the pinned consumers of
/// `tests/consumers/requirements.txt`, made once per requirements file
/// under the target directory. Outside CI, a machine without python3, venv
/// or pip skips these checks (with a message); under `CI=true` it fails.
fn consumers() -> Option<&'static Path> {
    static VENV: OnceLock<Option<PathBuf>> = OnceLock::new();
    VENV.get_or_init(|| match make_venv() {
        Ok(dir) => Some(dir),
        Err(why) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "the consumer checks need python3 with venv and pip (.ci/run installs them): {why}"
            );
            eprintln!("skipped: the consumer checks need python3 with venv and pip: {why}");
            None
        }
    })
    .as_deref()
}

fn make_venv() -> Result<PathBuf, String> {
    use sha2::Digest;
    let requirements = repo().join("tests/consumers/requirements.txt");
    let pins = std::fs::read(&requirements).map_err(|e| e.to_string())?;
    let digest = sha2::Sha256::digest(&pins);
    let tag: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("consumers-{tag}"));
    if dir.join("ready").is_file() {
        return Ok(dir);
    }
    // Built beside, then renamed: a concurrent or interrupted run never
    // sees a half-made venv.
    let tmp = dir.with_extension(format!("tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let step = |what: &str, cmd: &mut Command| -> Result<(), String> {
        let out = cmd
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{what}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{what} failed ({}): {}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    step(
        "python3 -m venv",
        Command::new("python3").args(["-m", "venv"]).arg(&tmp),
    )?;
    step(
        "pip install -r tests/consumers/requirements.txt",
        Command::new(tmp.join("bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-input",
                "-r",
            ])
            .arg(&requirements),
    )?;
    std::fs::write(tmp.join("ready"), "").map_err(|e| e.to_string())?;
    if std::fs::rename(&tmp, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
        if !dir.join("ready").is_file() {
            return Err(format!("cannot make {}", dir.display()));
        }
    }
    Ok(dir)
}

/// Runs a consumer script of `tests/consumers/` on `files`; one JSON
/// summary per file.
fn consume(venv: &Path, script: &str, files: &[PathBuf]) -> Vec<Value> {
    let out = Command::new(venv.join("bin/python"))
        .arg(repo().join("tests/consumers").join(script))
        .args(files)
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{script} refused caio's report:\n{}{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON summary"))
        .collect()
}

#[test]
fn sarif_passes_the_official_schema_and_sarif_pydantic() {
    let Some(venv) = consumers() else { return };
    let env = TestEnv::new();
    let scratch = env.scratch();
    let policy = failing_policy(&env);
    let runs: [(&str, Vec<&str>); 4] = [
        (
            "contracts",
            vec![
                "contract",
                "validate",
                "contracts/",
                INSECURE_URL,
                LATENCY_ORDER,
            ],
        ),
        ("clean", vec!["contract", "validate", "contracts/"]),
        (
            "policies",
            vec![
                "policy",
                "validate",
                "policies/",
                "fixtures/policies/invalid/",
            ],
        ),
        (
            "tests",
            vec!["policy", "test", policy.to_str().unwrap(), "policies/"],
        ),
    ];
    let mut files = Vec::new();
    let mut expected = Vec::new();
    for (name, args) in &runs {
        let (_, log) = sarif(&env, args);
        let path = scratch.join(format!("{name}.sarif"));
        std::fs::write(&path, serde_json::to_string_pretty(&log).unwrap()).unwrap();
        files.push(path);
        expected.push(log);
    }
    let read = consume(venv, "sarif.py", &files);
    assert_eq!(read.len(), files.len());
    for (summary, log) in read.iter().zip(&expected) {
        let run = &log["runs"][0];
        assert_eq!(summary["driver"], "caio");
        let rules: Vec<&Value> = run["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(summary["rules"].as_array().unwrap().len(), rules.len());
        for (read, written) in summary["rules"].as_array().unwrap().iter().zip(rules) {
            assert_eq!(read["id"], written["id"]);
            assert_eq!(read["help_uri"], written["helpUri"]);
            assert_eq!(read["help"], written["help"]["text"]);
        }
        let results = run["results"].as_array().unwrap();
        assert_eq!(summary["results"].as_array().unwrap().len(), results.len());
        for (read, written) in summary["results"].as_array().unwrap().iter().zip(results) {
            let location = &written["locations"][0]["physicalLocation"];
            assert_eq!(read["rule_id"], written["ruleId"]);
            assert_eq!(read["rule_index"], written["ruleIndex"]);
            assert_eq!(read["level"], written["level"]);
            assert_eq!(read["message"], written["message"]["text"]);
            assert_eq!(read["uri"], location["artifactLocation"]["uri"]);
            assert_eq!(read["start_line"], location["region"]["startLine"]);
            assert_eq!(read["start_column"], location["region"]["startColumn"]);
        }
        assert_eq!(summary["properties"], run["properties"]);
    }
    // What was found is what was meant: the invalid contract and the
    // warning, located.
    let contracts = &read[0]["results"];
    assert_eq!(contracts.as_array().unwrap().len(), 2);
    assert_eq!(contracts[0]["uri"], INSECURE_URL);
    assert_eq!(contracts[0]["level"], "warning");
    assert_eq!(contracts[1]["uri"], LATENCY_ORDER);
    assert_eq!(
        (
            contracts[1]["start_line"].as_u64(),
            contracts[1]["start_column"].as_u64()
        ),
        (Some(17), Some(43))
    );
    assert!(read[1]["results"].as_array().unwrap().is_empty());
    assert!(
        read[3]["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["rule_id"] == "policy::test-failed")
    );
}

#[test]
fn junit_is_read_back_by_junitparser() {
    let Some(venv) = consumers() else { return };
    let env = TestEnv::new();
    let scratch = env.scratch();
    let policy = failing_policy(&env);
    let mut files = Vec::new();
    for (name, args) in [
        (
            "contracts",
            vec![
                "contract",
                "validate",
                "contracts/",
                INSECURE_URL,
                LATENCY_ORDER,
                "--strict",
            ],
        ),
        ("tests", vec!["policy", "test", policy.to_str().unwrap()]),
    ] {
        let (_, stdout, _) = run(env.caio().args(&args).args(["--format", "junit"]));
        let path = scratch.join(format!("{name}.xml"));
        std::fs::write(&path, stdout).unwrap();
        files.push(path);
    }
    // Markup in a message (an unknown key `<a href="x">&'`) is text to a
    // JUnit reader.
    let markup = scratch.join("markup.yaml");
    let text = std::fs::read_to_string(repo().join("contracts/openai-gpt-4o.yaml")).unwrap();
    std::fs::write(&markup, format!("{text}'<a href=\"x\">&''': 1\n")).unwrap();
    let (_, json) = run_json(
        env.caio()
            .args(["--format", "json", "contract", "validate"])
            .arg(&markup),
    );
    let markup_message = json["files"][0]["diagnostics"][0]["message"].clone();
    assert!(
        markup_message
            .as_str()
            .unwrap()
            .contains("<a href=\"x\">&'"),
        "{json:#}"
    );
    let (_, stdout, _) = run(env
        .caio()
        .args(["contract", "validate", "--format", "junit"])
        .arg(&markup));
    let path = scratch.join("markup.xml");
    std::fs::write(&path, stdout).unwrap();
    files.push(path);

    let invariants = scratch.join("invariants.xml");
    let (code, _, stderr) = run(env
        .caio()
        .args([
            "verify-invariants",
            "--only",
            "INV-CAIO-0002",
            "--trials",
            "3",
            "--junit",
        ])
        .arg(&invariants));
    assert_eq!(code, 0, "{stderr}");
    files.push(invariants);

    let read = consume(venv, "junit.py", &files);
    let suite = |i: usize| &read[i]["suites"][0];

    let contracts = suite(0);
    let n = std::fs::read_dir(repo().join("contracts"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "yaml")
        })
        .count();
    assert_eq!(contracts["tests"], n + 2);
    assert_eq!(
        contracts["failures"], 2,
        "the error, and the warning under --strict"
    );
    assert_eq!(contracts["errors"], 0);
    assert_eq!(
        contracts["properties"],
        json!({"caio.errors": "1", "caio.warnings": "1", "caio.strict": "true"})
    );
    let cases = contracts["cases"].as_array().unwrap();
    let failed: Vec<(&str, &str)> = cases
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| (c["name"].as_str().unwrap(), c["type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        failed,
        [
            (INSECURE_URL, "contract::insecure-url"),
            (LATENCY_ORDER, "contract::latency-order")
        ]
    );
    let broken = cases.iter().find(|c| c["name"] == LATENCY_ORDER).unwrap();
    assert_eq!(
        broken["message"],
        "latency p99 (900 ms) is below p95 (1300 ms)"
    );
    assert!(
        broken["text"]
            .as_str()
            .unwrap()
            .contains("help: percentiles must satisfy p50 <= p95 <= p99")
    );

    let tests = suite(1);
    assert_eq!(
        (tests["tests"].as_u64(), tests["failures"].as_u64()),
        (Some(2), Some(1))
    );
    let names: Vec<&str> = tests["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["no pii is allowed", "pii to an external service is allowed"]
    );

    let markup = &suite(2)["cases"][0];
    assert_eq!(markup["message"], markup_message);
    assert_eq!(markup["type"], "contract::unknown-key");

    let invariants = suite(3);
    assert_eq!(invariants["name"], "caio verify-invariants");
    assert_eq!(
        (
            invariants["tests"].as_u64(),
            invariants["failures"].as_u64()
        ),
        (Some(1), Some(0))
    );
    assert!(
        invariants["cases"][0]["system_out"]
            .as_str()
            .unwrap()
            .contains("trials: 3")
    );
}

// ---------------------------------------------------------------------------
// The README's GitHub Actions example
// ---------------------------------------------------------------------------

/// The YAML block under the README's "GitHub Actions" heading.
fn readme_workflow() -> String {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let (_, after) = readme
        .split_once("\n### GitHub Actions\n")
        .expect("README has a GitHub Actions section");
    let (_, block) = after.split_once("```yaml\n").expect("a yaml block");
    block
        .split_once("\n```")
        .expect("a closed block")
        .0
        .to_string()
}

#[test]
fn the_readme_github_actions_example_runs_on_the_shipped_files() {
    let workflow: Value =
        serde_saphyr::from_str(&readme_workflow()).expect("the example is valid YAML");
    let mut commands = Vec::new();
    let mut uses = BTreeSet::new();
    for (_, job) in workflow["jobs"].as_object().expect("jobs") {
        for step in job["steps"].as_array().expect("steps") {
            if let Some(action) = step["uses"].as_str() {
                uses.insert(action.split('@').next().unwrap().to_string());
            }
            let Some(script) = step["run"].as_str() else {
                continue;
            };
            for line in script.lines().map(str::trim) {
                if line.starts_with("caio ") {
                    commands.push(line.to_string());
                }
            }
        }
    }
    assert!(
        uses.contains("github/codeql-action/upload-sarif"),
        "{uses:?}"
    );
    for format in ["--format github", "--format sarif", "--format junit"] {
        assert!(
            commands.iter().any(|c| c.contains(format)),
            "the example uses {format}: {commands:?}"
        );
    }

    // Each caio command, in a checkout of the shipped files, with `caio`
    // on the PATH.
    let env = TestEnv::new();
    let checkout = env.scratch().join("checkout");
    std::fs::create_dir_all(&checkout).unwrap();
    for dir in ["contracts", "policies", "fixtures"] {
        std::os::unix::fs::symlink(repo().join(dir), checkout.join(dir)).unwrap();
    }
    let bin = assert_cmd::cargo::cargo_bin("caio");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for command in &commands {
        let out = Command::new("sh")
            .args(["-c", command])
            .current_dir(&checkout)
            .env_clear()
            .env("PATH", &path)
            .env("CAIO_HOME", env.home())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "`{command}` fails on the shipped files: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The files it hands to the upload steps are what they expect.
    let mut produced = 0;
    for entry in std::fs::read_dir(&checkout).unwrap() {
        let path = entry.unwrap().path();
        let text = || std::fs::read_to_string(&path).unwrap();
        match path.extension().and_then(|e| e.to_str()) {
            Some("sarif") => {
                let log: Value = serde_json::from_str(&text()).unwrap();
                assert_eq!(log["version"], "2.1.0");
                produced += 1;
            }
            Some("xml") => {
                let xml = parse_xml(&text());
                assert!(!xml.all("testcase").is_empty());
                produced += 1;
            }
            _ => {}
        }
    }
    assert!(
        produced >= 2,
        "the example writes a SARIF log and a JUnit report"
    );
}
