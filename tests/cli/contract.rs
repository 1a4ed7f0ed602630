//! `caio contract validate|schema|new`, end to end (SPEC §2).
//!
//! The broken contracts live in `fixtures/contracts/invalid/`, one per diagnostic
//! code; the first line of each names what `validate` must report:
//! `# expect: contract::latency-order 17:43` (several separated by `; `).
//! Problems that cannot be a committed file (missing paths, empty directories,
//! huge files, duplicates across files) are built at runtime in a scratch dir.

use crate::common::{HANG_GUARD, Run, TestEnv, mkfifo, repo, run, run_json, transcript};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Codes that no single committed file can produce; each has a runtime test below.
const RUNTIME_CODES: &[&str] = &[
    "contract::unreadable",           // missing_path_is_unreadable
    "contract::not-regular-file",     // special_files_are_refused_without_being_opened
    "contract::no-files",             // empty_directory_is_no_files
    "contract::too-large",            // huge_files_are_rejected_before_reading
    "contract::duplicate-service-id", // duplicate_service_id_across_files_names_the_first
];

/// Codes of the first layer (syntax and types): the JSON Schema must reject a
/// fixture that has one of them.
const STRUCTURAL_CODES: &[&str] = &[
    "contract::unknown-key",
    "contract::missing-key",
    "contract::wrong-type",
    "contract::invalid-value",
    "contract::empty-list",
    "contract::out-of-range",
    "contract::invalid-id",
    "contract::invalid-semver",
    "contract::invalid-currency",
    "contract::invalid-language",
    "contract::invalid-url",
    "contract::invalid-name",
];

const TEMPLATES: &[&str] = &["llm", "embedding", "speech", "search", "image"];

/// One expected diagnostic: code, line, column.
type Expect = (String, u64, u64);

/// The `*.yaml` files directly under `fixtures/contracts/<dir>`, sorted, as paths
/// relative to the repository root (the directory `caio` runs in).
fn fixtures(dir: &str) -> Vec<PathBuf> {
    let rel = Path::new("fixtures/contracts").join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join(&rel))
        .unwrap_or_else(|e| panic!("{}: {e}", rel.display()))
        .map(|e| e.expect("dir entry").file_name())
        .filter(|n| n.to_string_lossy().ends_with(".yaml"))
        .map(|n| rel.join(n))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", rel.display());
    files
}

/// The shipped contracts (`contracts/*.yaml`), relative to the repository root.
fn shipped_contracts() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("contracts"))
        .expect("contracts/")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| Path::new("contracts").join(p.file_name().unwrap()))
        .collect();
    files.sort();
    files
}

/// The `# expect:` header of a fixture (the file may not be UTF-8 past it).
fn expectations(fixture: &Path) -> Vec<Expect> {
    let bytes = std::fs::read(repo().join(fixture)).expect("read fixture");
    let first =
        String::from_utf8_lossy(bytes.split(|b| *b == b'\n').next().unwrap_or(&[])).into_owned();
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
        .expect("diagnostics array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().expect("code").to_string(),
                // Problems without a position (unreadable paths) have null line/column.
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn codes_of(file: &Value) -> Vec<String> {
    found(file).into_iter().map(|(c, _, _)| c).collect()
}

/// `caio --format json contract validate <paths>`.
fn validate_json(env: &TestEnv, paths: &[&Path]) -> (i32, Value) {
    let mut cmd = env.caio();
    cmd.args(["--format", "json", "contract", "validate"])
        .args(paths);
    run_json(&mut cmd)
}

/// The single file of a one-file JSON report.
fn only_file(report: &Value) -> &Value {
    let files = report["files"].as_array().expect("files array");
    assert_eq!(files.len(), 1, "{report:#}");
    &files[0]
}

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create dir");
    }
    std::fs::write(path, text).expect("write file");
}

fn shipped(name: &str) -> String {
    std::fs::read_to_string(repo().join("contracts").join(name)).expect("shipped contract")
}

/// Replaces exactly one occurrence, so a changed contract cannot silently
/// stop exercising the check.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` must occur once");
    text.replacen(from, to, 1)
}

/// Runs a hostile file through `validate`: exit 1, one error with `code`, and a
/// clear message; prints (never asserts) the time taken. Returns the JSON
/// report and the human run.
fn assert_rejected(env: &TestEnv, path: &Path, code: &str, what: &str) -> (Value, Run) {
    let start = Instant::now();
    let (status, report) = validate_json(env, &[path]);
    eprintln!("{what}: rejected in {:?}", start.elapsed());
    assert_eq!(status, 1, "{what}: {report:#}");
    let file = only_file(&report);
    assert_eq!(file["valid"], false);
    assert_eq!(codes_of(file), [code], "{what}: {report:#}");
    let d = &file["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert!(
        d["message"].as_str().is_some_and(|m| m.len() > 10),
        "{what}: {d:#}"
    );
    assert!(d["help"].is_string(), "{what}: {d:#}");

    // The human form is a diagnostic too, never a panic.
    let human = env.cmd().args(["contract", "validate"]).arg(path).run();
    human.code(1);
    assert!(human.stderr.starts_with(code), "{what}: {human}");
    assert!(!human.stderr.contains("panicked"), "{what}: {human}");
    assert_eq!(
        human.stdout,
        "1 file checked: 0 valid, 1 invalid (1 error, 0 warnings)\n"
    );
    (report, human)
}

// ---------------------------------------------------------------------------
// Fixtures

#[test]
fn invalid_fixtures_yield_exactly_their_expected_diagnostics() {
    let env = TestEnv::new();
    for fixture in fixtures("invalid") {
        let expected = expectations(&fixture);
        let (status, report) = validate_json(&env, &[&fixture]);
        let name = fixture.display();
        assert_eq!(status, 1, "{name}: {report:#}");
        assert_eq!(report["valid"], 0, "{name}");
        assert_eq!(report["invalid"], 1, "{name}");
        let file = only_file(&report);
        assert_eq!(file["path"], fixture.display().to_string());
        assert_eq!(file["valid"], false, "{name}");
        assert_eq!(found(file), expected, "{name}: {report:#}");
        for d in file["diagnostics"].as_array().unwrap() {
            assert_eq!(d["severity"], "error", "{name}: {d:#}");
            assert!(!d["message"].as_str().unwrap().is_empty(), "{name}");
            assert!(
                d["help"].is_string(),
                "{name}: every error says how to fix it"
            );
        }
    }
}

/// Every invalid fixture as a person sees it: the code, the position, the
/// snippet with its label, and the help line (jj's `datatest_runner.rs`).
#[test]
fn invalid_fixtures_render_as_diagnostics() {
    let env = TestEnv::new();
    for fixture in fixtures("invalid") {
        let run = env.cmd().args(["contract", "validate"]).arg(&fixture).run();
        run.code(1);
        assert_eq!(
            run.stdout,
            "1 file checked: 0 valid, 1 invalid (1 error, 0 warnings)\n"
        );
        let stem = fixture.file_stem().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(format!("invalid_{stem}"), run);
    }
}

#[test]
fn invalid_fixture_directory_gives_the_same_results_in_one_run() {
    let env = TestEnv::new();
    let dir = Path::new("fixtures/contracts/invalid");
    let (status, report) = validate_json(&env, &[dir]);
    assert_eq!(status, 1);
    let files = report["files"].as_array().unwrap();
    let expected = fixtures("invalid");
    assert_eq!(files.len(), expected.len(), "{report:#}");
    assert_eq!(report["invalid"], expected.len());
    assert_eq!(report["valid"], 0);
    for (file, fixture) in files.iter().zip(&expected) {
        assert_eq!(file["path"], fixture.display().to_string());
        // Every fixture has its own service_id, so nothing cross-file shows up.
        assert_eq!(found(file), expectations(fixture), "{}", fixture.display());
    }
}

#[test]
fn warning_fixture_is_valid_with_exactly_its_warning() {
    let env = TestEnv::new();
    for fixture in fixtures("warning") {
        let name = fixture.display();
        let (status, report) = validate_json(&env, &[&fixture]);
        assert_eq!(status, 0, "{name}: {report:#}");
        assert_eq!(report["valid"], 1);
        assert_eq!(report["invalid"], 0);
        let file = only_file(&report);
        assert_eq!(file["valid"], true);
        assert_eq!(found(file), expectations(&fixture), "{name}: {report:#}");
        for d in file["diagnostics"].as_array().unwrap() {
            assert_eq!(d["severity"], "warning", "{name}: {d:#}");
        }

        // Human: the warning is shown, the file counts as valid.
        let human = env.cmd().args(["contract", "validate"]).arg(&fixture).run();
        human.code(0);
        assert_eq!(
            human.stdout,
            "1 file checked: 1 valid, 0 invalid (0 errors, 1 warning)\n"
        );
        let stem = fixture.file_stem().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(format!("warning_{stem}"), human);
    }
}

#[test]
fn every_code_is_covered_by_a_fixture_or_a_runtime_test() {
    use caio_core::contract::validate::CODES;
    let known: BTreeSet<&str> = CODES.iter().map(|(c, _)| *c).collect();
    assert_eq!(known.len(), CODES.len(), "CODES has duplicates");

    let mut covered: BTreeSet<String> = BTreeSet::new();
    for dir in ["invalid", "warning"] {
        for fixture in fixtures(dir) {
            for (code, _, _) in expectations(&fixture) {
                assert!(
                    known.contains(code.as_str()),
                    "{}: `{code}` is not in CODES",
                    fixture.display()
                );
                covered.insert(code);
            }
        }
    }
    for code in RUNTIME_CODES {
        assert!(known.contains(code), "`{code}` is not in CODES");
        assert!(
            !covered.contains(*code),
            "`{code}` has a fixture now; drop it from RUNTIME_CODES"
        );
        covered.insert(code.to_string());
    }
    let missing: Vec<&str> = known
        .iter()
        .copied()
        .filter(|c| !covered.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a fixture in fixtures/contracts/ or a runtime test: {missing:?}"
    );
    for code in STRUCTURAL_CODES {
        assert!(known.contains(code), "`{code}` is not in CODES");
    }
}

#[test]
fn shipped_contracts_are_valid() {
    let env = TestEnv::new();
    let (status, report) = validate_json(&env, &[Path::new("contracts")]);
    assert_eq!(status, 0, "{report:#}");
    let files = report["files"].as_array().unwrap();
    assert!(files.len() >= 14, "only {} shipped contracts", files.len());
    // The templates (*.yaml.tmpl) are not contracts and are not picked up.
    assert_eq!(files.len(), shipped_contracts().len());
    assert_eq!(report["invalid"], 0);
    assert_eq!(report["valid"], files.len());
    for file in files {
        assert_eq!(file["valid"], true, "{file:#}");
        assert_eq!(file["diagnostics"], serde_json::json!([]), "{file:#}");
    }
}

// ---------------------------------------------------------------------------
// Output formats

#[test]
fn json_report_has_the_documented_shape() {
    let env = TestEnv::new();
    let valid = Path::new("contracts/mistral-large-eu.yaml");
    let invalid = Path::new("fixtures/contracts/invalid/latency-order.yaml");
    let warning = Path::new("fixtures/contracts/warning/insecure-url.yaml");
    let (status, report) = validate_json(&env, &[valid, invalid, warning]);
    assert_eq!(status, 1);

    let keys = |v: &Value| -> BTreeSet<String> {
        v.as_object()
            .unwrap_or_else(|| panic!("not an object: {v:#}"))
            .keys()
            .cloned()
            .collect()
    };
    let set =
        |names: &[&str]| -> BTreeSet<String> { names.iter().map(|s| s.to_string()).collect() };

    assert_eq!(
        keys(&report),
        set(&[
            "schema_version",
            "files",
            "valid",
            "invalid",
            "errors",
            "warnings",
            "strict"
        ])
    );
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["errors"], 1);
    assert_eq!(report["warnings"], 1);
    assert_eq!(report["valid"], 2);
    assert_eq!(report["invalid"], 1);
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    let paths: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "contracts/mistral-large-eu.yaml",
            "fixtures/contracts/invalid/latency-order.yaml",
            "fixtures/contracts/warning/insecure-url.yaml"
        ],
        "files are reported in the order given"
    );
    let mut diagnostics = 0;
    for file in files {
        assert_eq!(keys(file), set(&["path", "valid", "diagnostics"]));
        assert!(file["valid"].is_boolean());
        for d in file["diagnostics"].as_array().unwrap() {
            diagnostics += 1;
            assert_eq!(
                keys(d),
                set(&["severity", "code", "message", "line", "column", "help"])
            );
            assert!(matches!(d["severity"].as_str(), Some("error" | "warning")));
            assert!(d["code"].as_str().unwrap().starts_with("contract::"));
            assert!(d["message"].is_string());
            assert!(d["line"].as_u64().unwrap() >= 1);
            assert!(d["column"].as_u64().unwrap() >= 1);
            assert!(d["help"].is_string() || d["help"].is_null());
        }
    }
    assert_eq!(diagnostics, 2);
    assert_eq!(files[0]["valid"], true);
    assert_eq!(files[1]["valid"], false);
    assert_eq!(files[2]["valid"], true);
    let d = &files[1]["diagnostics"][0];
    assert_eq!(d["code"], "contract::latency-order");
    assert_eq!(d["message"], "latency p99 (900 ms) is below p95 (1300 ms)");
    assert_eq!(d["help"], "percentiles must satisfy p50 <= p95 <= p99");
    let run = env
        .cmd()
        .args(["--format", "json", "contract", "validate"])
        .args([valid, invalid, warning])
        .run();
    insta::assert_snapshot!("validate_json", run);
}

#[test]
fn json_output_is_one_document_and_nothing_on_stderr_for_valid_files() {
    let env = TestEnv::new();
    let (status, stdout, stderr) =
        run(env
            .caio()
            .args(["--format", "json", "contract", "validate", "contracts/"]));
    assert_eq!(status, 0);
    assert_eq!(stderr, "");
    let _: Value = serde_json::from_str(&stdout).expect("one JSON document");
}

#[test]
fn human_output_has_diagnostics_on_stderr_and_the_summary_on_stdout() {
    let env = TestEnv::new();
    let fixture = "fixtures/contracts/invalid/latency-order.yaml";
    let (status, stdout, stderr) = run(env.caio().args([
        "contract",
        "validate",
        fixture,
        "contracts/mistral-large-eu.yaml",
    ]));
    assert_eq!(status, 1);
    assert_eq!(
        stdout,
        "2 files checked: 1 valid, 1 invalid (1 error, 0 warnings)\n"
    );
    assert!(!stderr.contains('\x1b'), "NO_COLOR: no escapes:\n{stderr}");
    // The diagnostic (code, file:line:column, the offending line underlined
    // with its label, the help) on stderr; valid files are quiet.
    let human = env
        .cmd()
        .args([
            "contract",
            "validate",
            fixture,
            "contracts/mistral-large-eu.yaml",
        ])
        .run();
    insta::assert_snapshot!("validate_one_invalid_one_valid", human);

    // All valid: only the summary.
    let (status, stdout, stderr) = run(env.caio().args(["contract", "validate", "contracts"]));
    assert_eq!(status, 0);
    let n = shipped_contracts().len();
    assert_eq!(
        stdout,
        format!("{n} files checked: {n} valid, 0 invalid (0 errors, 0 warnings)\n")
    );
    assert_eq!(stderr, "");
}

#[test]
fn literal_secrets_are_reported_but_never_printed() {
    let env = TestEnv::new();
    for name in ["inline-secret", "inline-secret-header", "inline-secret-url"] {
        let fixture = PathBuf::from(format!("fixtures/contracts/invalid/{name}.yaml"));
        let text = std::fs::read_to_string(repo().join(&fixture)).unwrap();
        // The fake key, whole: `sk-proj-FAKE…`, `sk-ant-FAKE…` or the bare `FAKE…`.
        let secret = text
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '}' | '='))
            .find(|w| w.contains("FAKEFAKEFAKE"))
            .expect("fixture holds a fake key");
        assert!(secret.len() >= 22, "{secret}");

        // The human diagnostic (masked) is in invalid_fixtures_render_as_diagnostics.
        let (status, stdout, stderr) = run(env.caio().args(["contract", "validate"]).arg(&fixture));
        assert_eq!(status, 1);
        for (stream, out) in [("stdout", &stdout), ("stderr", &stderr)] {
            assert!(
                !out.contains("FAKEFAKE"),
                "{name}: secret on human {stream}:\n{out}"
            );
            assert!(!out.contains(secret), "{name}: secret on human {stream}");
        }

        let (status, stdout, stderr) = run(env
            .caio()
            .args(["--format", "json", "contract", "validate"])
            .arg(&fixture));
        assert_eq!(status, 1);
        let report: Value = serde_json::from_str(&stdout).expect("a JSON report");
        assert_eq!(codes_of(only_file(&report)), ["contract::inline-secret"]);
        for (stream, out) in [("stdout", &stdout), ("stderr", &stderr)] {
            assert!(
                !out.contains("FAKEFAKE"),
                "{name}: secret on JSON {stream}:\n{out}"
            );
        }
    }
}

/// Regression: an `auth.env` value that is neither a name nor a recognised key
/// shape (a bare hex token) was echoed in the invalid-env message and snippet.
#[test]
fn unrecognised_tokens_in_auth_env_are_not_echoed() {
    let env = TestEnv::new();
    let token = "9f8a7c6b5d4e3f2a1b0c9d8e";
    let text = std::fs::read_to_string(repo().join("contracts/openai-gpt-4o.yaml"))
        .unwrap()
        .replace("env: OPENAI_API_KEY", &format!("env: {token}"));
    assert!(text.contains(token), "the sample contract changed");
    let file = env.scratch().join("hex-token.yaml");
    std::fs::write(&file, text).unwrap();
    let runs: Vec<Run> = ["human", "json"]
        .into_iter()
        .map(|format| {
            let run = env
                .cmd()
                .args(["--format", format, "contract", "validate"])
                .arg(&file)
                .run();
            run.code(1);
            assert!(
                !run.stdout.contains(token) && !run.stderr.contains(token),
                "{run}"
            );
            run
        })
        .collect();
    insta::assert_snapshot!("invalid_env_token_not_echoed", transcript(&runs));
}

// ---------------------------------------------------------------------------
// Runs over many problems, files and paths

#[test]
fn every_problem_in_a_file_is_reported_in_one_run() {
    let env = TestEnv::new();
    let mut text = shipped("mistral-large-eu.yaml");
    text = replace_once(&text, "  accuracy: 0.86", "  acuracy: 0.86");
    text = replace_once(&text, "p99: 2600", "p99: 900");
    text = replace_once(&text, "currency: USD", "currency: usd");
    text = replace_once(&text, "regions: [eu]", "regions: []");
    text = replace_once(
        &text,
        "env: MISTRAL_API_KEY",
        "env: sk-FAKEFAKEFAKE0123456789",
    );
    let path = env.scratch().join("many.yaml");
    write(&path, &text);

    let (status, report) = validate_json(&env, &[&path]);
    assert_eq!(status, 1);
    let file = only_file(&report);
    let codes = codes_of(file);
    assert_eq!(
        codes,
        [
            "contract::latency-order",
            "contract::unknown-key",
            "contract::invalid-currency",
            "contract::empty-list",
            "contract::inline-secret"
        ],
        "{report:#}"
    );
    // Reported in file order.
    let lines: Vec<u64> = found(file).into_iter().map(|(_, l, _)| l).collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");

    let human = env.cmd().args(["contract", "validate"]).arg(&path).run();
    assert_eq!(human.stderr.matches("help:").count(), codes.len());
    insta::assert_snapshot!("every_problem_in_one_run", human);
}

#[test]
fn directories_are_walked_recursively() {
    let env = TestEnv::new();
    let root = env.scratch().join("tree");
    let contract = shipped("cohere-rerank.yaml");
    let with_id = |id: &str| {
        replace_once(
            &contract,
            "service_id: cohere-rerank",
            &format!("service_id: {id}"),
        )
    };
    write(&root.join("top.yaml"), &with_id("top-level"));
    write(&root.join("a/b/c/deep.yaml"), &with_id("deep-nested"));
    write(&root.join("a/short.yml"), &with_id("short-ext"));
    // Skipped: hidden files and directories, non-YAML files (all broken, to prove it).
    write(&root.join(".hidden.yaml"), "not: [valid\n");
    write(&root.join(".git/config.yaml"), "not: [valid\n");
    write(&root.join("a/notes.txt"), "not: [valid\n");
    write(&root.join("a/contract.yaml.bak"), "not: [valid\n");
    write(&root.join("README.md"), "# contracts\n");

    let (status, report) = validate_json(&env, &[&root]);
    assert_eq!(status, 0, "{report:#}");
    let mut paths: Vec<String> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    paths.sort();
    let expect = |rel: &str| root.join(rel).display().to_string();
    let mut expected = vec![
        expect("a/b/c/deep.yaml"),
        expect("a/short.yml"),
        expect("top.yaml"),
    ];
    expected.sort();
    assert_eq!(paths, expected);
    assert_eq!(report["valid"], 3);
    assert_eq!(report["invalid"], 0);
}

#[test]
fn empty_directory_is_no_files() {
    let env = TestEnv::new();
    let empty = env.scratch().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let only_other = env.scratch().join("other");
    write(&only_other.join("notes.txt"), "hello\n");
    write(&only_other.join(".hidden.yaml"), "apiVersion: caio/v1\n");

    for dir in [&empty, &only_other] {
        let (status, report) = validate_json(&env, &[dir]);
        assert_eq!(status, 1, "{report:#}");
        let file = only_file(&report);
        assert_eq!(file["path"], dir.display().to_string());
        assert_eq!(file["valid"], false);
        assert_eq!(codes_of(file), ["contract::no-files"]);
        assert_eq!(report["invalid"], 1);
    }

    let human = env.cmd().args(["contract", "validate"]).arg(&empty).run();
    human.code(1);
    assert_eq!(
        human.stdout,
        "1 file checked: 0 valid, 1 invalid (1 error, 0 warnings)\n"
    );
    insta::assert_snapshot!("no_files", human);
}

#[test]
fn missing_path_is_unreadable() {
    let env = TestEnv::new();
    let missing = env.scratch().join("does-not-exist.yaml");
    let (status, report) = validate_json(&env, &[&missing]);
    assert_eq!(status, 1, "{report:#}");
    let file = only_file(&report);
    assert_eq!(file["valid"], false);
    assert_eq!(codes_of(file), ["contract::unreadable"]);
    // No position to point at: null, not a made-up 1:1.
    assert!(file["diagnostics"][0]["line"].is_null(), "{report:#}");
    assert!(file["diagnostics"][0]["column"].is_null(), "{report:#}");
    let json = env
        .cmd()
        .args(["--format", "json", "contract", "validate"])
        .arg(&missing)
        .run();
    let human = env.cmd().args(["contract", "validate"]).arg(&missing).run();
    human.code(1);
    insta::assert_snapshot!("unreadable", transcript([&json, &human]));
}

/// A FIFO named on the command line once hung `validate` (opening it blocks
/// until a writer comes), and `/dev/zero` was reported as unreadable with
/// "check the permissions". Both are refused as not regular files, without
/// being opened; a FIFO inside a walked directory is skipped.
#[test]
fn special_files_are_refused_without_being_opened() {
    let env = TestEnv::new();
    let fifo = env.scratch().join("fifo.yaml");
    if !mkfifo(&fifo) {
        return;
    }
    let (status, report) = run_json(
        env.caio()
            .args(["--format", "json", "contract", "validate"])
            .arg(&fifo)
            .timeout(HANG_GUARD),
    );
    assert_eq!(status, 1, "{report:#}");
    let file = only_file(&report);
    assert_eq!(codes_of(file), ["contract::not-regular-file"]);
    let message = file["diagnostics"][0]["message"].as_str().unwrap();
    assert_eq!(message, "not a regular file: it is a FIFO (named pipe)");
    assert!(file["diagnostics"][0]["line"].is_null(), "{report:#}");

    let human = env
        .cmd()
        .args(["contract", "validate"])
        .arg(&fifo)
        .timeout(HANG_GUARD)
        .run();
    human.code(1);
    assert_eq!(
        human.stdout,
        "1 file checked: 0 valid, 1 invalid (1 error, 0 warnings)\n"
    );
    insta::assert_snapshot!("fifo", human);

    let zero = Path::new("/dev/zero");
    if zero.exists() {
        let (status, report) = validate_json(&env, &[zero]);
        assert_eq!(status, 1, "{report:#}");
        let file = only_file(&report);
        assert_eq!(codes_of(file), ["contract::not-regular-file"]);
        let message = file["diagnostics"][0]["message"].as_str().unwrap();
        assert_eq!(message, "not a regular file: it is a character device");
    }

    // In a directory, the FIFO is skipped and the contracts are read.
    let dir = env.scratch().join("with-fifo");
    write(&dir.join("tts.yaml"), &shipped("openai-tts.yaml"));
    assert!(mkfifo(&dir.join("pipe.yaml")));
    let mut cmd = env.caio();
    cmd.args(["--format", "json", "contract", "validate"])
        .arg(&dir)
        .timeout(HANG_GUARD);
    let (status, report) = run_json(&mut cmd);
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(report["files"].as_array().unwrap().len(), 1, "{report:#}");
}

/// Policies, invariants and principals are read by the same code as
/// contracts: a FIFO is refused with their own code, never opened.
#[test]
fn every_yaml_reader_refuses_a_fifo() {
    let env = TestEnv::new();
    let fifo = env.scratch().join("fifo.yaml");
    if !mkfifo(&fifo) {
        return;
    }
    let runs: [(&[&str], &str); 3] = [
        (&["policy", "validate"], "policy::not-regular-file"),
        (
            &["verify-invariants", "--invariants"],
            "invariant::not-regular-file",
        ),
        (
            &[
                "route",
                "--contracts",
                "contracts",
                "fixtures/requests/chat-balanced.json",
                "--principal",
            ],
            "principal::not-regular-file",
        ),
    ];
    let runs: Vec<Run> = runs
        .into_iter()
        .map(|(args, code)| {
            let run = env.cmd().args(args).arg(&fifo).timeout(HANG_GUARD).run();
            run.code(1);
            assert!(run.stderr.starts_with(code), "{run}");
            run
        })
        .collect();
    insta::assert_snapshot!("every_reader_refuses_a_fifo", transcript(&runs));
}

#[test]
fn several_paths_in_one_run() {
    let env = TestEnv::new();
    let dir = env.scratch().join("more");
    let contract = shipped("openai-whisper.yaml");
    write(
        &dir.join("whisper-eu.yaml"),
        &replace_once(
            &contract,
            "service_id: openai-whisper",
            "service_id: whisper-eu",
        ),
    );
    let file = Path::new("contracts/openai-whisper.yaml");
    let broken = Path::new("fixtures/contracts/invalid/missing-key.yaml");
    let missing = env.scratch().join("nope");
    let (status, report) = validate_json(&env, &[file, &dir, broken, &missing]);
    assert_eq!(status, 1, "{report:#}");
    let files = report["files"].as_array().unwrap();
    let summary: Vec<(String, Vec<String>)> = files
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), codes_of(f)))
        .collect();
    assert_eq!(
        summary,
        [
            ("contracts/openai-whisper.yaml".to_string(), vec![]),
            (dir.join("whisper-eu.yaml").display().to_string(), vec![]),
            (
                broken.display().to_string(),
                vec!["contract::missing-key".to_string()]
            ),
            (
                missing.display().to_string(),
                vec!["contract::unreadable".to_string()]
            ),
        ]
    );
    assert_eq!(report["valid"], 2);
    assert_eq!(report["invalid"], 2);

    // Two valid paths: exit 0; human summary counts both.
    let (status, stdout, _) = run(env
        .caio()
        .args(["contract", "validate"])
        .arg(file)
        .arg(&dir));
    assert_eq!(status, 0);
    assert_eq!(
        stdout,
        "2 files checked: 2 valid, 0 invalid (0 errors, 0 warnings)\n"
    );
}

#[test]
fn duplicate_service_id_across_files_names_the_first() {
    let env = TestEnv::new();
    let dir = env.scratch().join("dups");
    let contract = shipped("mistral-large-eu.yaml");
    let second = replace_once(&contract, "version: 2.1.0", "version: 2.2.0");
    write(&dir.join("a-first.yaml"), &contract);
    write(&dir.join("b-second.yaml"), &second);
    let first_path = dir.join("a-first.yaml").display().to_string();

    let (status, report) = validate_json(&env, &[&dir]);
    assert_eq!(status, 1, "{report:#}");
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["path"], first_path);
    assert_eq!(files[0]["valid"], true, "the first definition is fine");
    assert_eq!(files[0]["diagnostics"], serde_json::json!([]));
    assert_eq!(files[1]["valid"], false);
    // `service_id: mistral-large-eu` is line 3 of the shipped contract.
    assert_eq!(
        found(&files[1]),
        [("contract::duplicate-service-id".to_string(), 3, 13)]
    );
    let message = files[1]["diagnostics"][0]["message"].as_str().unwrap();
    assert_eq!(
        message,
        format!("service_id `mistral-large-eu` is already defined in {first_path}:3:13")
    );
    assert_eq!(report["valid"], 1);
    assert_eq!(report["invalid"], 1);
    let human = env.cmd().args(["contract", "validate"]).arg(&dir).run();
    insta::assert_snapshot!("duplicate_service_id", human);

    // The same file given twice is one file, not a duplicate.
    let a = dir.join("a-first.yaml");
    let (status, report) = validate_json(&env, &[&a, &a]);
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(report["files"].as_array().unwrap().len(), 1);
}

// ---------------------------------------------------------------------------
// Hostile YAML: rejected with a diagnostic, never a hang or an OOM

#[test]
fn alias_bomb_is_rejected() {
    let env = TestEnv::new();
    // Billion laughs: 9 levels of 9 references, 9^9 ≈ 387 million nodes expanded.
    let mut bomb = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let refs = vec![format!("*{}", pair[0]); 9].join(", ");
        bomb.push_str(&format!("{}: &{} [{refs}]\n", pair[1], pair[1]));
    }
    let path = env.scratch().join("bomb.yaml");
    write(&path, &bomb);
    let (report, human) = assert_rejected(&env, &path, "contract::resource-limit", "alias bomb");
    let d = &report["files"][0]["diagnostics"][0];
    assert!(
        d["line"].as_u64().unwrap() <= 9,
        "points into the bomb: {d:#}"
    );
    insta::assert_snapshot!("alias_bomb", human);
}

#[test]
fn deep_nesting_is_rejected() {
    let env = TestEnv::new();
    let depth = 10_000;
    let flow = "[".repeat(depth) + &"]".repeat(depth) + "\n";
    let block = "- ".repeat(depth) + "x\n";
    let flow_map = "{a: ".repeat(depth) + "x" + &"}".repeat(depth) + "\n";
    for (name, text) in [("flow", flow), ("block", block), ("flow-map", flow_map)] {
        let path = env.scratch().join(format!("deep-{name}.yaml"));
        write(&path, &text);
        let what = format!("{depth}-deep {name} nesting");
        // Not snapshotted: the snippet is the whole 20-50 KB line.
        assert_rejected(&env, &path, "contract::resource-limit", &what);
    }
}

#[test]
fn huge_files_are_rejected_before_reading() {
    let env = TestEnv::new();
    // 100 MB, sparse: costs no disk, and caio must not read it anyway.
    let sparse = env.scratch().join("sparse.yaml");
    std::fs::File::create(&sparse)
        .and_then(|f| f.set_len(100 * 1024 * 1024))
        .expect("sparse file");
    let (_, sparse) = assert_rejected(&env, &sparse, "contract::too-large", "100 MB sparse file");

    // 2 MB of real, well-formed YAML.
    let real = env.scratch().join("big.yaml");
    let line = "a: b\n";
    write(&real, &line.repeat(2 * 1024 * 1024 / line.len() + 1));
    let (_, real) = assert_rejected(&env, &real, "contract::too-large", "2 MB real file");

    // A single huge scalar over the limit.
    let scalar = env.scratch().join("scalar.yaml");
    write(&scalar, &format!("name: {}\n", "x".repeat(1024 * 1024 + 1)));
    let (_, scalar) = assert_rejected(&env, &scalar, "contract::too-large", "1 MiB scalar");
    insta::assert_snapshot!("too_large", transcript([&sparse, &real, &scalar]));
}

// ---------------------------------------------------------------------------
// `contract new`

#[test]
fn every_template_scaffolds_a_valid_contract() {
    let env = TestEnv::new();
    for template in TEMPLATES {
        let id = format!("my-{template}-service");
        let new = env.run(["contract", "new", "--template", template, "--id", &id]);
        let stdout = new.ok().to_string();
        assert!(new.stderr.is_empty(), "{new}");
        assert!(!stdout.contains("{{"), "{template}: unrendered placeholder");
        insta::assert_snapshot!(format!("new_{template}"), new);

        let path = env.scratch().join(format!("{template}.yaml"));
        write(&path, &stdout);
        let (status, report) = validate_json(&env, &[&path]);
        assert_eq!(status, 0, "{template}: {report:#}");
        let file = only_file(&report);
        assert_eq!(file["valid"], true);
        assert_eq!(
            file["diagnostics"],
            serde_json::json!([]),
            "{template}: {report:#}"
        );
    }
}

#[test]
fn contract_new_rejects_a_bad_id_as_a_usage_error() {
    let env = TestEnv::new();
    let mut runs: Vec<Run> = ["Bad_ID", "x", "-leading-dash"]
        .into_iter()
        .map(|bad| {
            let run = env.run([
                "contract",
                "new",
                "--template",
                "llm",
                &format!("--id={bad}"),
            ]);
            run.code(2);
            assert_eq!(run.stdout, "", "{run}");
            run
        })
        .collect();
    let template = env.run(["contract", "new", "--template", "chatbot", "--id", "ok-id"]);
    template.code(2);
    runs.push(template);
    insta::assert_snapshot!("new_usage_errors", transcript(&runs));
}

// ---------------------------------------------------------------------------
// `contract schema`

fn schema(env: &TestEnv) -> Value {
    let (status, schema) = run_json(env.caio().args(["contract", "schema"]));
    assert_eq!(status, 0);
    schema
}

/// YAML → JSON value as caio reads it (YAML 1.2 booleans: `no` is a string).
fn yaml_to_json(text: &str) -> Value {
    let options = serde_saphyr::options! { strict_booleans: true };
    serde_saphyr::from_str_with_options::<Value>(text, options).expect("YAML parses")
}

fn schema_errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// The schema is a documented output: any change to it shows here.
#[test]
fn schema_snapshot() {
    let env = TestEnv::new();
    let run = env.run(["contract", "schema"]);
    run.code(0);
    assert!(run.stderr.is_empty(), "{run}");
    insta::assert_snapshot!("schema", run);
}

#[test]
fn schema_is_a_draft_2020_12_json_schema() {
    let env = TestEnv::new();
    let schema = schema(&env);
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["additionalProperties"], false);
    let required: BTreeSet<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for key in [
        "apiVersion",
        "service_id",
        "name",
        "version",
        "capabilities",
        "guarantees",
        "cost",
        "privacy",
        "endpoint",
    ] {
        assert!(required.contains(key), "`{key}` should be required");
    }
    jsonschema::meta::validate(&schema).expect("the schema is a valid draft 2020-12 schema");
    jsonschema::validator_for(&schema).expect("the schema compiles");
}

#[test]
fn schema_accepts_every_shipped_contract_and_template() {
    let env = TestEnv::new();
    let validator = jsonschema::validator_for(&schema(&env)).expect("schema compiles");
    let shipped = shipped_contracts();
    assert!(shipped.len() >= 14);
    for path in shipped {
        let text = std::fs::read_to_string(repo().join(&path)).unwrap();
        let errors = schema_errors(&validator, &yaml_to_json(&text));
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
    for template in TEMPLATES {
        let (status, stdout, _) = run(env.caio().args([
            "contract",
            "new",
            "--template",
            template,
            "--id",
            "schema-check",
        ]));
        assert_eq!(status, 0);
        let errors = schema_errors(&validator, &yaml_to_json(&stdout));
        assert!(errors.is_empty(), "template {template}: {errors:#?}");
    }
}

#[test]
fn schema_rejects_every_structurally_invalid_fixture() {
    let env = TestEnv::new();
    let validator = jsonschema::validator_for(&schema(&env)).expect("schema compiles");
    let mut checked = BTreeSet::new();
    for fixture in fixtures("invalid") {
        let codes: Vec<String> = expectations(&fixture).into_iter().map(|e| e.0).collect();
        if !codes.iter().all(|c| STRUCTURAL_CODES.contains(&c.as_str())) {
            continue;
        }
        let text = std::fs::read_to_string(repo().join(&fixture)).unwrap();
        assert!(
            !validator.is_valid(&yaml_to_json(&text)),
            "{} ({codes:?}) passes the JSON Schema",
            fixture.display()
        );
        checked.extend(codes);
    }
    let missing: Vec<&&str> = STRUCTURAL_CODES
        .iter()
        .filter(|c| !checked.contains(**c))
        .collect();
    assert!(
        missing.is_empty(),
        "no fixture checked against the schema for {missing:?}"
    );
}
