//! `caio registry add|list|show|history|set-status|remove`, end to end (SPEC §1, §3).
//!
//! Expectations about the shipped contracts (ids, versions, capabilities, tags,
//! providers) are read from the YAML files themselves, never hard-coded, so
//! the tests keep up with `contracts/`.

use crate::common::{Run, TestEnv, repo, run, run_json, transcript};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// One shipped contract: its path (absolute) and its YAML as JSON.
struct Shipped {
    path: PathBuf,
    yaml: Value,
}

impl Shipped {
    fn id(&self) -> String {
        self.yaml["service_id"].as_str().expect("service_id").into()
    }
}

/// `contracts/*.yaml`, sorted by file name.
fn shipped() -> Vec<Shipped> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(repo().join("contracts"))
        .expect("contracts/")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("read contract");
            let yaml = serde_saphyr::from_str::<Value>(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            Shipped { path, yaml }
        })
        .collect()
}

/// The shipped contract with this service id.
fn shipped_one(id: &str) -> Shipped {
    shipped()
        .into_iter()
        .find(|s| s.id() == id)
        .unwrap_or_else(|| panic!("no shipped contract {id}"))
}

/// Sorted ids of the shipped contracts that satisfy `keep`.
fn expected_ids(keep: impl Fn(&Value) -> bool) -> Vec<String> {
    let mut ids: Vec<String> = shipped()
        .iter()
        .filter(|s| keep(&s.yaml))
        .map(Shipped::id)
        .collect();
    ids.sort();
    ids
}

/// Whether a YAML list field contains `value`.
fn list_has(yaml: &Value, field: &str, value: &str) -> bool {
    yaml[field]
        .as_array()
        .is_some_and(|a| a.iter().any(|v| v == value))
}

fn has_capability(yaml: &Value, kind: &str) -> bool {
    yaml["capabilities"]
        .as_array()
        .is_some_and(|a| a.iter().any(|c| c["type"] == kind))
}

/// `caio --format json registry add <paths>`.
fn add_json(env: &TestEnv, paths: &[&Path], extra: &[&str]) -> (i32, Value) {
    run_json(
        env.caio()
            .args(["--format", "json", "registry", "add"])
            .args(extra)
            .args(paths),
    )
}

/// Adds paths and insists it worked; returns the `registered` array.
fn add_ok(env: &TestEnv, paths: &[&Path], extra: &[&str]) -> Vec<Value> {
    let (code, stdout, stderr) = run(env
        .caio()
        .args(["--format", "json", "registry", "add"])
        .args(extra)
        .args(paths));
    assert_eq!(code, 0, "add {paths:?} {extra:?}: {stderr}");
    let json: Value = serde_json::from_str(&stdout).expect("add JSON");
    json["registered"].as_array().expect("registered[]").clone()
}

/// `registry list --format json` with extra arguments, as the list of ids.
fn list_ids(env: &TestEnv, extra: &[&str]) -> Vec<String> {
    let (code, json) = run_json(
        env.caio()
            .args(["--format", "json", "registry", "list"])
            .args(extra),
    );
    assert_eq!(code, 0, "list {extra:?}");
    ids_of(&json)
}

fn ids_of(list: &Value) -> Vec<String> {
    list["services"]
        .as_array()
        .expect("services[]")
        .iter()
        .map(|s| s["service_id"].as_str().expect("service_id").to_string())
        .collect()
}

fn show_json(env: &TestEnv, id: &str) -> Value {
    let (code, json) = run_json(
        env.caio()
            .args(["--format", "json", "registry", "show", id]),
    );
    assert_eq!(code, 0, "show {id}");
    json
}

fn history_json(env: &TestEnv, id: &str) -> Value {
    let (code, json) = run_json(
        env.caio()
            .args(["--format", "json", "registry", "history", id]),
    );
    assert_eq!(code, 0, "history {id}");
    json
}

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect()
}

fn set(items: &[&'static str]) -> BTreeSet<&'static str> {
    items.iter().copied().collect()
}

fn is_hash(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
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

/// Writes a copy of a shipped contract into `dir` with textual edits; every
/// edit must apply exactly once.
fn variant(dir: &Path, file: &str, id: &str, edits: &[(&str, &str)]) -> PathBuf {
    let mut text = std::fs::read_to_string(&shipped_one(id).path).expect("read contract");
    for (from, to) in edits {
        assert_eq!(text.matches(from).count(), 1, "{id}: `{from}` once");
        text = text.replacen(from, to, 1);
    }
    std::fs::create_dir_all(dir).expect("dir");
    let path = dir.join(file);
    std::fs::write(&path, text).expect("write variant");
    path
}

/// Copies shipped contracts into a fresh directory.
fn copy_into(dir: &Path, ids: &[&str]) {
    std::fs::create_dir_all(dir).expect("dir");
    for id in ids {
        let src = shipped_one(id).path;
        std::fs::copy(&src, dir.join(src.file_name().unwrap())).expect("copy contract");
    }
}

/// How many events a service's history holds.
fn event_count(env: &TestEnv, id: &str) -> usize {
    history_json(env, id)["events"].as_array().unwrap().len()
}

/// `caio` as a plain child process with the same environment as `TestEnv::caio`,
/// so several can run at once.
fn spawn_caio(env: &TestEnv, args: &[&std::ffi::OsStr]) -> Child {
    let tmp = env.home().parent().unwrap().to_path_buf();
    Command::new(assert_cmd::cargo::cargo_bin("caio"))
        .current_dir(repo())
        .env_clear()
        .env("CAIO_HOME", env.home())
        .env("HOME", tmp)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
        .env("LANG", "C.UTF-8")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn caio")
}

// ---------------------------------------------------------------------------
// The round trip
// ---------------------------------------------------------------------------

#[test]
fn round_trip_on_the_shipped_contracts() {
    let env = TestEnv::new();
    let all = shipped();
    assert_eq!(all.len(), 18, "contracts/ ships 18 contracts");
    let mut expected: Vec<String> = all.iter().map(Shipped::id).collect();
    expected.sort();

    // add: every contract stored, each `added`.
    let registered = add_ok(&env, &[Path::new("contracts")], &[]);
    assert_eq!(registered.len(), 18);
    for r in &registered {
        assert_eq!(r["action"], "added", "{r}");
        assert!(r["previous_version"].is_null(), "{r}");
        assert!(is_hash(&r["hash"]), "{r}");
    }
    let mut added: Vec<String> = registered
        .iter()
        .map(|r| r["service_id"].as_str().unwrap().to_string())
        .collect();
    added.sort();
    assert_eq!(added, expected);

    // list: 18 services sorted by id.
    assert_eq!(list_ids(&env, &[]), expected);

    // show: one service with its stored hash.
    let id = "openai-tts";
    let yaml = &shipped_one(id).yaml;
    let tts_hash = registered.iter().find(|r| r["service_id"] == id).unwrap()["hash"].clone();
    let show = show_json(&env, id);
    assert_eq!(show["service_id"], id);
    assert_eq!(show["version"], yaml["version"]);
    assert!(is_hash(&show["hash"]), "{show}");
    assert_eq!(show["hash"], tts_hash);
    assert_eq!(show["status"], "active");
    assert!(show["status_reason"].is_null());
    assert_eq!(show["contract"]["service_id"], id);
    assert_eq!(show["contract"]["name"], yaml["name"]);
    assert_eq!(show["contract"]["cost"]["currency"], "USD");

    // set-status degraded with a reason.
    let reason = "p95 above contract since 14:00";
    let (code, json) = run_json(env.caio().args([
        "--format",
        "json",
        "registry",
        "set-status",
        id,
        "degraded",
        "--reason",
        reason,
    ]));
    assert_eq!(code, 0);
    assert_eq!(json["previous"], "active");
    assert_eq!(json["status"], "degraded");
    assert_eq!(json["reason"], reason);
    assert_eq!(list_ids(&env, &["--status", "degraded"]), [id]);
    let show = show_json(&env, id);
    assert_eq!(show["status"], "degraded");
    assert_eq!(show["status_reason"], reason);
    assert!(show["status_changed_at"].is_string(), "{show}");

    // history: the version and the status event with its reason.
    let history = history_json(&env, id);
    assert_eq!(history["service_id"], id);
    let versions = history["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0]["version"], yaml["version"]);
    assert_eq!(versions[0]["hash"], tts_hash);
    assert_eq!(versions[0]["how"], "added");
    assert_eq!(versions[0]["active"], true);
    let events = history["events"].as_array().unwrap();
    let status: Vec<&Value> = events.iter().filter(|e| e["kind"] == "status").collect();
    assert_eq!(status.len(), 1, "{history}");
    assert_eq!(status[0]["detail"], format!("active -> degraded: {reason}"));

    // remove: gone from list and show, kept in history.
    let (code, json) = run_json(
        env.caio()
            .args(["--format", "json", "registry", "remove", id]),
    );
    assert_eq!(code, 0);
    assert_eq!(json["service_id"], id);
    assert_eq!(json["removed_version"], yaml["version"]);
    let after = list_ids(&env, &[]);
    assert_eq!(after.len(), 17);
    assert!(!after.iter().any(|x| x == id));
    assert!(list_ids(&env, &["--status", "degraded"]).is_empty());

    let show = env.run(["registry", "show", id]);
    show.code(1);
    assert!(show.stdout.is_empty(), "{show}");

    let history = history_json(&env, id);
    let versions = history["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0]["active"], false);
    assert_eq!(versions[0]["replaced"]["how"], "removed");
    assert!(versions[0]["replaced"]["version"].is_null());
    let last = history["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "removed");
    assert_eq!(last["version"], yaml["version"]);
    assert_eq!(last["hash"], tts_hash);

    // A removed service can be neither removed again nor given a status.
    let remove = env.run(["registry", "remove", id]);
    remove.code(1);
    let set_status = env.run(["registry", "set-status", id, "active"]);
    set_status.code(1);
    insta::assert_snapshot!("removed", transcript([&show, &remove, &set_status]));
}

#[test]
fn unknown_service_suggests_a_close_id() {
    let env = TestEnv::new();
    add_ok(&env, &[Path::new("contracts")], &[]);
    let mut runs: Vec<Run> = [
        &["registry", "show", "openai-gpt-4o-minii"][..],
        &["registry", "history", "openai-gpt-4o-minii"],
        &["registry", "set-status", "openai-gpt-4o-minii", "drained"],
        &["registry", "remove", "openai-gpt-4o-minii"],
        &[
            "--format",
            "json",
            "registry",
            "show",
            "openai-gpt-4o-minii",
        ],
    ]
    .into_iter()
    .map(|args| {
        let run = env.run(args);
        run.code(1);
        assert!(run.stdout.is_empty(), "{run}");
        run
    })
    .collect();
    // An unknown --version names the known ones.
    let version = env.run([
        "registry",
        "show",
        "openai-gpt-4o-mini",
        "--version",
        "9.9.9",
    ]);
    version.code(1);
    runs.push(version);
    insta::assert_snapshot!("unknown_service", transcript(&runs));
}

// ---------------------------------------------------------------------------
// Hot swap
// ---------------------------------------------------------------------------

#[test]
fn hot_swap_rules() {
    let env = TestEnv::new();
    let id = "openai-tts";
    let original = shipped_one(id);
    assert_eq!(original.yaml["version"], "1.0.0");
    let v1 = add_ok(&env, &[&original.path], &[]);
    let h1 = v1[0]["hash"].clone();
    let dir = env.scratch();

    // A higher version upgrades.
    let up = variant(
        &dir,
        "v1.1.0.yaml",
        id,
        &[
            ("version: 1.0.0", "version: 1.1.0"),
            ("risk: 0.1", "risk: 0.2"),
        ],
    );
    let r = add_ok(&env, &[&up], &[]);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["action"], "upgraded");
    assert_eq!(r[0]["version"], "1.1.0");
    assert_eq!(r[0]["previous_version"], "1.0.0");
    let h2 = r[0]["hash"].clone();
    assert_ne!(h1, h2);
    let show = show_json(&env, id);
    assert_eq!(show["version"], "1.1.0");
    assert_eq!(show["hash"], h2);
    assert_eq!(show["contract"]["risk"], 0.2);
    let history = history_json(&env, id);
    let versions = history["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2, "{history}");
    assert_eq!(versions[0]["version"], "1.0.0");
    assert_eq!(versions[0]["active"], false);
    assert_eq!(versions[0]["replaced"]["how"], "upgraded");
    assert_eq!(versions[0]["replaced"]["version"], "1.1.0");
    assert_eq!(versions[1]["version"], "1.1.0");
    assert_eq!(versions[1]["how"], "upgraded");
    assert_eq!(versions[1]["active"], true);
    assert!(versions[1]["replaced"].is_null());
    // The old version stays addressable.
    let (code, old) = run_json(env.caio().args([
        "--format",
        "json",
        "registry",
        "show",
        id,
        "--version",
        "1.0.0",
    ]));
    assert_eq!(code, 0);
    assert_eq!(old["hash"], h1);
    assert_eq!(old["contract"]["risk"], 0.1);

    // The same version with different content is refused without --replace.
    let same = variant(
        &dir,
        "v1.1.0-b.yaml",
        id,
        &[
            ("version: 1.0.0", "version: 1.1.0"),
            ("risk: 0.1", "risk: 0.3"),
        ],
    );
    let events = event_count(&env, id);
    let refused = env.cmd().args(["registry", "add"]).arg(&same).run();
    refused.code(1);
    assert!(refused.stdout.is_empty(), "{refused}");
    assert_eq!(show_json(&env, id)["hash"], h2, "nothing changed");
    assert_eq!(event_count(&env, id), events, "nothing recorded");

    // … and accepted with it.
    let r = add_ok(&env, &[&same], &["--replace"]);
    assert_eq!(r[0]["action"], "replaced");
    assert_eq!(r[0]["previous_version"], "1.1.0");
    let h3 = r[0]["hash"].clone();
    assert_ne!(h3, h2);
    let show = show_json(&env, id);
    assert_eq!(show["hash"], h3);
    assert_eq!(show["contract"]["risk"], 0.3);
    let versions = history_json(&env, id)["versions"].clone();
    assert_eq!(versions.as_array().unwrap().len(), 3);
    assert_eq!(versions[1]["replaced"]["how"], "replaced");
    assert_eq!(versions[2]["how"], "replaced");

    // A lower version is refused, with or without --replace.
    let down = variant(
        &dir,
        "v1.0.5.yaml",
        id,
        &[("version: 1.0.0", "version: 1.0.5")],
    );
    let events = event_count(&env, id);
    let lower: Vec<Run> = [&[][..], &["--replace"]]
        .into_iter()
        .map(|extra| {
            let run = env
                .cmd()
                .args(["registry", "add"])
                .args(extra)
                .arg(&down)
                .run();
            run.code(1);
            run
        })
        .collect();
    insta::assert_snapshot!(
        "hot_swap_refusals",
        transcript([&refused, &lower[0], &lower[1]])
    );
    assert_eq!(show_json(&env, id)["hash"], h3);
    assert_eq!(event_count(&env, id), events);

    // Identical content again: unchanged, nothing recorded.
    let r = add_ok(&env, &[&same], &[]);
    assert_eq!(r[0]["action"], "unchanged");
    assert_eq!(r[0]["hash"], h3);
    assert_eq!(event_count(&env, id), events);
    // Whitespace and comments do not change the content address.
    let text = std::fs::read_to_string(&same).unwrap();
    let reformatted = dir.join("reformatted.yaml");
    std::fs::write(&reformatted, format!("# a comment\n\n{text}\n\n")).unwrap();
    let r = add_ok(&env, &[&reformatted], &[]);
    assert_eq!(r[0]["action"], "unchanged");
    assert_eq!(r[0]["hash"], h3);

    // The same actions as a person sees them, on a fresh home.
    let fresh = TestEnv::new();
    let copy = |path: &Path| {
        let to = fresh.scratch().join(path.file_name().unwrap());
        std::fs::copy(path, &to).unwrap();
        to
    };
    let (up, same) = (copy(&up), copy(&same));
    let runs = [
        fresh
            .cmd()
            .args(["registry", "add"])
            .arg(&original.path)
            .run(),
        fresh.cmd().args(["registry", "add"]).arg(&up).run(),
        fresh
            .cmd()
            .args(["registry", "add", "--replace"])
            .arg(&same)
            .run(),
        fresh.cmd().args(["registry", "add"]).arg(&same).run(),
        fresh.run(["registry", "history", id]),
    ];
    for run in &runs {
        run.code(0);
    }
    insta::assert_snapshot!("hot_swap_human", transcript(&runs));
}

// ---------------------------------------------------------------------------
// All or nothing
// ---------------------------------------------------------------------------

/// Copies an invalid fixture into `dir`; returns its file name and its
/// expected `code line:col` from the `# expect:` header.
fn invalid_fixture(dir: &Path, name: &str) -> (String, String, String) {
    let src = repo().join("fixtures/contracts/invalid").join(name);
    let text = std::fs::read_to_string(&src).expect("fixture");
    let header = text.lines().next().unwrap();
    let expect = header.strip_prefix("# expect: ").expect("expect header");
    let (code, at) = expect.split_once(' ').expect("code and position");
    std::fs::copy(&src, dir.join(name)).expect("copy fixture");
    (name.to_string(), code.to_string(), at.to_string())
}

#[test]
fn one_invalid_file_in_a_directory_stores_nothing() {
    let env = TestEnv::new();
    let dir = env.scratch().join("batch");
    copy_into(&dir, &["openai-tts", "cohere-rerank", "bge-m3-internal"]);
    let (file, code_name, at) = invalid_fixture(&dir, "out-of-range.yaml");

    let refused = env.cmd().args(["registry", "add"]).arg(&dir).run();
    refused.code(1);
    assert!(refused.stdout.is_empty(), "{refused}");
    assert!(
        refused.stderr.starts_with(&code_name) && refused.stderr.contains(&format!("{file}:{at}")),
        "`{code_name}` at `{file}:{at}` in:\n{refused}"
    );
    insta::assert_snapshot!("one_invalid_file", refused);
    // Validation failed before any state was touched.
    assert!(!env.home().exists(), "the home must not be created");
    let (code, _, stderr) = run(env.caio().args(["registry", "list"]));
    assert_eq!(code, 5, "{stderr}");

    // Into an existing registry: it keeps exactly what it held.
    add_ok(&env, &[&shipped_one("brave-web-search").path], &[]);
    let (code, _, stderr) = run(env.caio().args(["registry", "add"]).arg(&dir));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(list_ids(&env, &[]), ["brave-web-search"]);
}

#[test]
fn every_invalid_file_is_reported_in_one_run() {
    let env = TestEnv::new();
    let dir = env.scratch().join("batch");
    copy_into(&dir, &["openai-tts", "cohere-rerank"]);
    let a = invalid_fixture(&dir, "out-of-range.yaml");
    let b = invalid_fixture(&dir, "latency-order.yaml");
    let refused = env.cmd().args(["registry", "add"]).arg(&dir).run();
    refused.code(1);
    for (file, code_name, at) in [a, b] {
        let at = format!("{file}:{at}");
        assert!(
            refused.stderr.contains(&code_name),
            "{code_name}: {refused}"
        );
        assert!(refused.stderr.contains(&at), "{at}: {refused}");
    }
    insta::assert_snapshot!("two_invalid_files", refused);
    assert!(!env.home().exists());
}

#[test]
fn a_refused_downgrade_stores_nothing_from_the_same_call() {
    let env = TestEnv::new();
    let tts = add_ok(&env, &[&shipped_one("openai-tts").path], &[]);
    let dir = env.scratch().join("batch");
    copy_into(&dir, &["cohere-rerank", "brave-web-search"]);
    variant(
        &dir,
        "openai-tts-old.yaml",
        "openai-tts",
        &[("version: 1.0.0", "version: 0.9.0")],
    );
    let refused = env.cmd().args(["registry", "add"]).arg(&dir).run();
    refused.code(1);
    assert!(refused.stdout.is_empty(), "{refused}");
    insta::assert_snapshot!("refused_downgrade", refused);
    assert_eq!(list_ids(&env, &["--status", "active"]), ["openai-tts"]);
    assert_eq!(show_json(&env, "openai-tts")["hash"], tts[0]["hash"]);
    for id in ["cohere-rerank", "brave-web-search"] {
        let (code, _, stderr) = run(env.caio().args(["registry", "history", id]));
        assert_eq!(code, 1, "{id} must leave no trace: {stderr}");
    }
}

#[test]
fn a_second_currency_is_refused() {
    let env = TestEnv::new();
    add_ok(&env, &[&shipped_one("openai-tts").path], &[]);
    let dir = env.scratch();
    let eur = variant(
        &dir,
        "brave-eur.yaml",
        "brave-web-search",
        &[("currency: USD", "currency: EUR")],
    );
    // The EUR contract is itself valid.
    let (code, _, stderr) = run(env.caio().args(["contract", "validate"]).arg(&eur));
    assert_eq!(code, 0, "{stderr}");

    let refused = env
        .cmd()
        .args(["registry", "add"])
        .arg(&eur)
        .arg(shipped_one("cohere-rerank").path)
        .run();
    refused.code(1);
    insta::assert_snapshot!("second_currency", refused);
    assert_eq!(list_ids(&env, &[]), ["openai-tts"]);

    // Two currencies in the first call to a fresh registry: nothing either.
    let fresh = TestEnv::new();
    let eur = fresh.scratch().join("brave-eur.yaml");
    std::fs::copy(dir.join("brave-eur.yaml"), &eur).unwrap();
    let refused = fresh
        .cmd()
        .args(["registry", "add"])
        .arg(&eur)
        .arg("contracts/cohere-rerank.yaml")
        .run();
    refused.code(1);
    assert!(refused.stdout.is_empty(), "{refused}");
    insta::assert_snapshot!("two_currencies_at_once", refused);
    if fresh.home().join("caio.db").exists() {
        assert!(list_ids(&fresh, &[]).is_empty());
    }
    // The refused call fixed no currency: a USD registry can start afresh.
    add_ok(&fresh, &[&shipped_one("cohere-rerank").path], &[]);
    assert_eq!(list_ids(&fresh, &[]), ["cohere-rerank"]);
}

// ---------------------------------------------------------------------------
// Filters and stateless mode
// ---------------------------------------------------------------------------

#[test]
fn filters_return_exactly_the_matching_services() {
    let env = TestEnv::new();
    add_ok(&env, &[Path::new("contracts")], &[]);

    let cases: Vec<(Vec<&str>, Vec<String>)> = vec![
        (
            vec!["--capability", "embedding"],
            expected_ids(|y| has_capability(y, "embedding")),
        ),
        (
            vec!["--tag", "eu"],
            expected_ids(|y| list_has(y, "tags", "eu")),
        ),
        (
            vec!["--provider", "openai"],
            expected_ids(|y| y["provider"] == "openai"),
        ),
        (
            vec!["--capability", "chat", "--tag", "eu"],
            expected_ids(|y| has_capability(y, "chat") && list_has(y, "tags", "eu")),
        ),
        (vec!["--capability", "teleportation"], vec![]),
        (vec!["--provider", "nobody"], vec![]),
    ];
    for (args, expected) in &cases {
        assert!(
            !expected.is_empty() || args.contains(&"teleportation") || args.contains(&"nobody"),
            "{args:?} should match something"
        );
        assert_eq!(&list_ids(&env, args), expected, "registry list {args:?}");
        // Stateless mode filters the files the same way.
        let mut stateless = vec!["--contracts", "contracts"];
        stateless.extend(args);
        assert_eq!(&list_ids(&env, &stateless), expected, "{stateless:?}");
    }

    // Status.
    let all = expected_ids(|_| true);
    for (id, status) in [
        ("openai-tts", "degraded"),
        ("cohere-rerank", "drained"),
        ("bge-m3-internal", "disabled"),
    ] {
        let (code, _, stderr) = run(env.caio().args(["registry", "set-status", id, status]));
        assert_eq!(code, 0, "{stderr}");
    }
    assert_eq!(list_ids(&env, &["--status", "degraded"]), ["openai-tts"]);
    assert_eq!(list_ids(&env, &["--status", "drained"]), ["cohere-rerank"]);
    assert_eq!(
        list_ids(&env, &["--status", "disabled"]),
        ["bge-m3-internal"]
    );
    let active: Vec<String> = all
        .iter()
        .filter(|id| !["openai-tts", "cohere-rerank", "bge-m3-internal"].contains(&id.as_str()))
        .cloned()
        .collect();
    assert_eq!(list_ids(&env, &["--status", "active"]), active);
    // Status combines with the other filters.
    assert_eq!(
        list_ids(&env, &["--status", "disabled", "--capability", "embedding"]),
        ["bge-m3-internal"]
    );
    assert!(list_ids(&env, &["--status", "disabled", "--provider", "openai"]).is_empty());
    // An unknown status is a usage error.
    let (code, _, _) = run(env.caio().args(["registry", "list", "--status", "paused"]));
    assert_eq!(code, 2);
}

#[test]
fn stateless_list_needs_no_home_and_matches_the_registry() {
    let env = TestEnv::new();
    let (code, stateless) = run_json(env.caio().args([
        "--format",
        "json",
        "registry",
        "list",
        "--contracts",
        "contracts",
    ]));
    assert_eq!(code, 0);
    assert!(
        !env.home().exists(),
        "stateless mode must not create a home"
    );
    assert_eq!(ids_of(&stateless), expected_ids(|_| true));

    // Without any home variable at all.
    let human = env
        .cmd()
        .env_remove("CAIO_HOME")
        .env_remove("HOME")
        .args(["registry", "list", "--contracts", "contracts"])
        .run();
    human.code(0);
    let listed: Vec<&str> = human
        .stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(listed, expected_ids(|_| true), "{human}");
    insta::assert_snapshot!("stateless_list", human);

    // Same ids, versions and content hashes as the registry.
    let other = TestEnv::new();
    add_ok(&other, &[Path::new("contracts")], &[]);
    let (code, stored) = run_json(other.caio().args(["--format", "json", "registry", "list"]));
    assert_eq!(code, 0);
    let pick = |v: &Value| -> Vec<(Value, Value, Value)> {
        v["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["service_id"].clone(),
                    s["version"].clone(),
                    s["hash"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(pick(&stateless), pick(&stored));

    // An invalid file in stateless mode is reported, exit 1.
    let dir = env.scratch().join("bad");
    copy_into(&dir, &["openai-tts"]);
    let (file, code_name, at) = invalid_fixture(&dir, "out-of-range.yaml");
    let invalid = env
        .cmd()
        .args(["registry", "list", "--contracts"])
        .arg(&dir)
        .run();
    invalid.code(1);
    let at = format!("{file}:{at}");
    assert!(invalid.stderr.starts_with(&code_name) && invalid.stderr.contains(&at));
    insta::assert_snapshot!("stateless_list_invalid_file", invalid);
    assert!(!env.home().exists());
}

// ---------------------------------------------------------------------------
// Output shapes
// ---------------------------------------------------------------------------

#[test]
fn json_documents_have_the_documented_shape() {
    let env = TestEnv::new();
    let tts = shipped_one("openai-tts");
    let (code, add) = add_json(&env, &[&tts.path], &[]);
    assert_eq!(code, 0);
    assert_eq!(keys(&add), set(&["schema_version", "registered"]));
    let r = &add["registered"][0];
    assert_eq!(
        keys(r),
        set(&[
            "service_id",
            "version",
            "hash",
            "action",
            "previous_version"
        ])
    );
    assert_eq!(r["service_id"], "openai-tts");
    assert_eq!(r["version"], tts.yaml["version"]);
    assert!(is_hash(&r["hash"]));

    let record = set(&[
        "service_id",
        "version",
        "hash",
        "status",
        "status_reason",
        "status_changed_at",
        "added_at",
        "active",
        "contract",
    ]);
    let (code, list) = run_json(env.caio().args(["--format", "json", "registry", "list"]));
    assert_eq!(code, 0);
    assert_eq!(keys(&list), set(&["schema_version", "services"]));
    assert_eq!(keys(&list["services"][0]), record);
    let added_at = list["services"][0]["added_at"].as_str().unwrap();
    assert!(
        added_at.len() == 20 && added_at.ends_with('Z') && added_at.as_bytes()[10] == b'T',
        "RFC 3339 UTC: {added_at}"
    );

    let mut show = show_json(&env, "openai-tts");
    assert_eq!(show["schema_version"], 1);
    show.as_object_mut().unwrap().remove("schema_version");
    assert_eq!(keys(&show), record);
    assert_eq!(show, list["services"][0], "show and list agree");
    // The contract round-trips: what the YAML says is what is stored.
    for field in ["service_id", "name", "version", "provider", "tags", "risk"] {
        assert_eq!(show["contract"][field], tts.yaml[field], "{field}");
    }

    let (code, status) = run_json(env.caio().args([
        "--format",
        "json",
        "registry",
        "set-status",
        "openai-tts",
        "drained",
    ]));
    assert_eq!(code, 0);
    assert_eq!(
        keys(&status),
        set(&[
            "schema_version",
            "service_id",
            "previous",
            "status",
            "reason"
        ])
    );
    assert!(status["reason"].is_null());

    let history = history_json(&env, "openai-tts");
    assert_eq!(
        keys(&history),
        set(&["schema_version", "service_id", "versions", "events"])
    );
    assert_eq!(
        keys(&history["versions"][0]),
        set(&[
            "version", "hash", "added_at", "added_by", "how", "replaced", "active"
        ])
    );
    for e in history["events"].as_array().unwrap() {
        assert_eq!(
            keys(e),
            set(&["at", "kind", "version", "hash", "detail", "actor"])
        );
    }
    let kinds: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["added", "status"]);

    let (code, removed) =
        run_json(
            env.caio()
                .args(["--format", "json", "registry", "remove", "openai-tts"]),
        );
    assert_eq!(code, 0);
    assert_eq!(
        keys(&removed),
        set(&["schema_version", "service_id", "removed_version"])
    );
    let history = history_json(&env, "openai-tts");
    assert_eq!(
        keys(&history["versions"][0]["replaced"]),
        set(&["at", "by", "how", "version"])
    );

    // An empty registry lists an empty array, not nothing.
    let (code, list) = run_json(env.caio().args(["--format", "json", "registry", "list"]));
    assert_eq!(code, 0);
    assert_eq!(
        list,
        serde_json::json!({ "schema_version": 1, "services": [] })
    );
}

/// Every registry command, human and JSON, on one service: what a person
/// and a script see.
#[test]
fn registry_commands_human_and_json() {
    let env = TestEnv::new();
    let tts = shipped_one("openai-tts").path;
    let runs: Vec<Run> = [
        vec!["--format", "json", "registry", "add", tts.to_str().unwrap()],
        vec!["--format", "json", "registry", "list"],
        vec!["--format", "json", "registry", "show", "openai-tts"],
        vec![
            "registry",
            "set-status",
            "openai-tts",
            "drained",
            "--reason",
            "maintenance",
        ],
        vec!["registry", "set-status", "openai-tts", "drained"],
        vec![
            "--format",
            "json",
            "registry",
            "set-status",
            "openai-tts",
            "active",
        ],
        vec!["registry", "list", "--status", "active"],
        vec!["--format", "json", "registry", "history", "openai-tts"],
        vec!["registry", "remove", "openai-tts"],
        vec!["--format", "json", "registry", "remove", "openai-tts"],
        vec!["registry", "list"],
        vec!["registry", "history", "openai-tts"],
        vec![
            "--format",
            "json",
            "registry",
            "show",
            "openai-tts",
            "--version",
            "1.0.0",
        ],
    ]
    .into_iter()
    .map(|args| env.run(args))
    .collect();
    let codes: Vec<i32> = runs.iter().map(|r| r.code).collect();
    assert_eq!(codes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    insta::assert_snapshot!("commands", transcript(&runs));
}

#[test]
fn json_add_prints_nothing_else_on_stdout_and_json_errors_on_stderr() {
    let env = TestEnv::new();
    let (code, stdout, stderr) =
        run(env
            .caio()
            .args(["--format", "json", "registry", "add", "contracts"]));
    assert_eq!(code, 0);
    let _: Value = serde_json::from_str(&stdout).expect("exactly one JSON document");
    assert!(!stderr.contains('{'), "{stderr}");

    let dir = env.scratch();
    let down = variant(
        &dir,
        "old.yaml",
        "openai-tts",
        &[("version: 1.0.0", "version: 0.0.1")],
    );
    let (code, stdout, stderr) = run(env
        .caio()
        .args(["--format", "json", "registry", "add"])
        .arg(&down));
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "{stdout}");
    let err: Value = serde_json::from_str(stderr.trim()).expect("JSON diagnostic");
    assert_eq!(err["code"], "caio::registry_add");
    let related = err["related"].as_array().unwrap();
    assert_eq!(related.len(), 1);
    assert_eq!(related[0]["code"], "caio::registry_refused");
}

#[test]
fn human_list_snapshot() {
    let env = TestEnv::new();
    let paths: Vec<PathBuf> = ["openai-tts", "cohere-rerank", "bge-m3-internal"]
        .iter()
        .map(|id| shipped_one(id).path)
        .collect();
    let add = env.cmd().args(["registry", "add"]).args(&paths).run();
    add.code(0);
    insta::assert_snapshot!("add_human", add);
    let (code, _, _) = run(env.caio().args([
        "registry",
        "set-status",
        "cohere-rerank",
        "degraded",
        "--reason",
        "slow",
    ]));
    assert_eq!(code, 0);
    let list = env.run(["registry", "list"]);
    list.code(0);
    assert!(list.stderr.is_empty(), "{list}");
    insta::assert_snapshot!("registry_list_human", list);

    // An empty selection says so on stderr and prints no table.
    let none = env.run(["registry", "list", "--tag", "none"]);
    none.code(0);
    assert!(none.stdout.is_empty(), "{none}");
    insta::assert_snapshot!("list_none_match", none);
}

#[test]
fn human_show_has_the_key_lines() {
    let env = TestEnv::new();
    let registered = add_ok(&env, &[&shipped_one("openai-embedding-3-small").path], &[]);
    let hash = registered[0]["hash"].as_str().unwrap().to_string();
    let (code, _, _) = run(env.caio().args([
        "registry",
        "set-status",
        "openai-embedding-3-small",
        "degraded",
        "--reason",
        "latency",
    ]));
    assert_eq!(code, 0);
    let show = env.run(["registry", "show", "openai-embedding-3-small"]);
    let line = |key: &str| -> String {
        let found = show
            .stdout
            .lines()
            .find(|l| l.starts_with(&format!("{key} ")));
        found
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(line("hash"), format!("hash {hash}"), "{show}");
    assert_eq!(line("status"), "status degraded (latency)", "{show}");

    // History in human form names the version and the status change.
    let history = env.run(["registry", "history", "openai-embedding-3-small"]);
    history.code(0);
    assert!(history.stdout.contains(&hash[..12]), "{history}");
    insta::assert_snapshot!("show_and_history_human", transcript([&show, &history]));
}

// ---------------------------------------------------------------------------
// State errors
// ---------------------------------------------------------------------------

#[test]
fn read_only_commands_on_a_missing_home_say_so() {
    let env = TestEnv::new();
    let home = env.home().display().to_string();
    let mut runs: Vec<Run> = [
        &["registry", "list"][..],
        &["registry", "list", "--capability", "chat"],
        &["registry", "show", "openai-tts"],
        &["registry", "history", "openai-tts"],
        &["registry", "set-status", "openai-tts", "drained"],
        &["registry", "remove", "openai-tts"],
        &["principal", "list"],
        &["principal", "revoke", "alice"],
    ]
    .into_iter()
    .map(|args| {
        let run = env.run(args);
        run.code(5);
        assert!(run.stdout.is_empty(), "{run}");
        assert!(
            flat(&run.stderr).contains(&format!("no registry at {home}")),
            "{run}"
        );
        assert!(!env.home().exists(), "{args:?} created the home");
        run
    })
    .collect();
    // JSON mode: the diagnostic is one JSON document on stderr.
    let json = env.run(["--format", "json", "registry", "list"]);
    json.code(5);
    assert_eq!(json.json_err()["code"], "caio::no_registry");
    assert!(!env.home().exists());
    runs.push(json);
    insta::assert_snapshot!("no_registry", transcript(&runs));
}

/// Every command that opens the registry, with arguments valid for a
/// registry holding `openai-tts`.
fn registry_commands() -> Vec<Vec<String>> {
    let tts = shipped_one("openai-tts").path.display().to_string();
    [
        vec!["registry", "list"],
        vec!["registry", "show", "openai-tts"],
        vec!["registry", "history", "openai-tts"],
        vec!["registry", "set-status", "openai-tts", "degraded"],
        vec!["registry", "remove", "openai-tts"],
        vec!["registry", "add", &tts],
        vec!["principal", "list"],
        vec!["principal", "add", "carol", "--trust", "low"],
    ]
    .into_iter()
    .map(|v| v.into_iter().map(String::from).collect())
    .collect()
}

#[test]
fn a_newer_schema_is_refused_with_exit_5() {
    let env = TestEnv::new();
    add_ok(&env, &[&shipped_one("openai-tts").path], &[]);
    let db = env.home().join("caio.db");
    let newer = caio_store::SCHEMA_VERSION + 1;
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "user_version", newer).unwrap();
    }
    let runs: Vec<Run> = registry_commands()
        .into_iter()
        .map(|args| {
            let run = env.run(&args);
            run.code(5);
            assert!(run.stdout.is_empty(), "{run}");
            assert!(run.stderr.starts_with("caio::newer_schema"), "{run}");
            assert!(
                flat(&run.stderr).contains(&format!("has schema version {newer}")),
                "{run}"
            );
            run
        })
        .collect();
    insta::assert_snapshot!("newer_schema", transcript(&runs));
    // Nothing was touched.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, newer);
    let (events, principals): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM service_events), (SELECT count(*) FROM principals)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((events, principals), (1, 0));
}

#[test]
fn a_garbage_database_is_a_state_error() {
    let env = TestEnv::new();
    let (code, _, _) = run(env.caio().arg("init"));
    assert_eq!(code, 0);
    let db = env.home().join("caio.db");
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 + 13) as u8).collect();
    std::fs::write(&db, &garbage).unwrap();
    // The whole database is garbage: no write-ahead log to recover from.
    for sidecar in ["caio.db-wal", "caio.db-shm"] {
        let _ = std::fs::remove_file(env.home().join(sidecar));
    }
    let runs: Vec<Run> = registry_commands()
        .into_iter()
        .map(|args| {
            let run = env.run(&args);
            run.code(5);
            assert!(run.stdout.is_empty(), "{run}");
            run
        })
        .collect();
    insta::assert_snapshot!("garbage_database", transcript(&runs));
    assert_eq!(
        std::fs::read(&db).unwrap(),
        garbage,
        "the file is left alone"
    );
}

// ---------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------

#[test]
fn concurrent_adds_on_a_fresh_home_all_land() {
    let all = shipped();
    for round in 0..3 {
        let env = TestEnv::new();
        let dirs: Vec<PathBuf> = (0..4)
            .map(|k| env.scratch().join(format!("set{k}")))
            .collect();
        for (i, s) in all.iter().enumerate() {
            let dir = &dirs[i % 4];
            std::fs::create_dir_all(dir).unwrap();
            std::fs::copy(&s.path, dir.join(s.path.file_name().unwrap())).unwrap();
        }
        // Start all four before waiting on any.
        let children: Vec<Child> = dirs
            .iter()
            .map(|d| spawn_caio(&env, &["registry".as_ref(), "add".as_ref(), d.as_os_str()]))
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "round {round}: {stderr}");
            assert!(!stderr.contains("database is locked"), "{stderr}");
            assert!(!stderr.contains("locked by another"), "{stderr}");
        }
        assert_eq!(list_ids(&env, &[]), expected_ids(|_| true), "round {round}");
    }
}

#[test]
fn a_held_write_lock_times_out_with_exit_5_then_the_add_succeeds() {
    let env = TestEnv::new();
    add_ok(&env, &[&shipped_one("openai-tts").path], &[]);
    let db = env.home().join("caio.db");
    let rerank = shipped_one("cohere-rerank").path;

    let mut conn = rusqlite::Connection::open(&db).unwrap();
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();

    let start = std::time::Instant::now();
    let locked = env
        .cmd()
        .env("CAIO_BUSY_TIMEOUT_MS", "300")
        .args(["registry", "add"])
        .arg(&rerank)
        .run();
    let waited = start.elapsed();
    locked.code(5);
    assert!(locked.stdout.is_empty(), "{locked}");
    insta::assert_snapshot!("locked", locked);
    assert!(
        waited >= std::time::Duration::from_millis(250),
        "caio must wait for the busy timeout, waited {waited:?}"
    );

    // Readers are not blocked by a writer (WAL).
    let (code, _, stderr) = run(env
        .caio()
        .env("CAIO_BUSY_TIMEOUT_MS", "300")
        .args(["registry", "list"]));
    assert_eq!(code, 0, "a read must not wait for the writer: {stderr}");

    tx.rollback().unwrap();
    drop(conn);
    let registered = add_ok(&env, &[&rerank], &[]);
    assert_eq!(registered[0]["action"], "added");
    assert_eq!(list_ids(&env, &[]), ["cohere-rerank", "openai-tts"]);
}

#[test]
fn a_short_lock_is_waited_for() {
    let env = TestEnv::new();
    add_ok(&env, &[&shipped_one("openai-tts").path], &[]);
    let db = env.home().join("caio.db");
    let mut conn = rusqlite::Connection::open(&db).unwrap();
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    let rerank = shipped_one("cohere-rerank").path;
    let mut child = spawn_caio(
        &env,
        &["registry".as_ref(), "add".as_ref(), rerank.as_os_str()],
    );
    // Release the lock once caio is waiting for it, not after a guess.
    let observed = wait_until_sleeping(&mut child);
    tx.commit().unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(list_ids(&env, &[]), ["cohere-rerank", "openai-tts"]);
    if !observed {
        eprintln!("could not see caio wait for the lock: released it at once");
    }
}

/// Waits until `child` sleeps: where Linux shows it (`/proc/PID/wchan`
/// names a nanosleep), a caio process facing a held write lock sleeps only
/// in SQLite's busy handler, waiting for the lock. Returns false where that
/// cannot be seen (no /proc, a restricted wchan), after at most 10 s, or
/// when the child ended first.
fn wait_until_sleeping(child: &mut Child) -> bool {
    let wchan = format!("/proc/{}/wchan", child.id());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        match std::fs::read_to_string(&wchan) {
            Ok(w) if w.contains("sleep") => return true,
            Ok(_) if matches!(child.try_wait(), Ok(None)) => {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            _ => return false,
        }
    }
    false
}

/// Regression: `show --version` of a removed service was refused although
/// `history` listed the version.
#[test]
fn a_removed_service_versions_stay_showable() {
    let env = TestEnv::new();
    let registered = add_ok(&env, &[&shipped_one("openai-tts").path], &[]);
    let (code, _, stderr) = run(env.caio().args(["registry", "remove", "openai-tts"]));
    assert_eq!(code, 0, "{stderr}");
    let history = history_json(&env, "openai-tts");
    assert_eq!(history["versions"][0]["version"], "1.0.0");
    // The history is kept for replay: the version it lists can be shown.
    let (code, stdout, stderr) = run(env.caio().args([
        "--format",
        "json",
        "registry",
        "show",
        "openai-tts",
        "--version",
        "1.0.0",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let show: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(show["hash"], registered[0]["hash"]);
    assert_eq!(show["contract"]["service_id"], "openai-tts");
    assert_eq!(show["active"], false);
    // Without --version there is no active contract to show; the error says why.
    let removed = env.run(["registry", "show", "openai-tts"]);
    removed.code(1);
    insta::assert_snapshot!("show_removed", removed);
}

/// A removed service that is added again starts over as `active`, and its
/// history says so (it used to keep the status it had when removed).
#[test]
fn a_re_added_service_is_active_again() {
    let env = TestEnv::new();
    let file = shipped_one("openai-tts").path;
    add_ok(&env, &[&file], &[]);
    for args in [
        &[
            "registry",
            "set-status",
            "openai-tts",
            "disabled",
            "--reason",
            "contract breach",
        ][..],
        &["registry", "remove", "openai-tts"],
    ] {
        let (code, _, stderr) = run(env.caio().args(args));
        assert_eq!(code, 0, "{stderr}");
    }
    add_ok(&env, &[&file], &[]);
    let (code, stdout, stderr) =
        run(env
            .caio()
            .args(["--format", "json", "registry", "show", "openai-tts"]));
    assert_eq!(code, 0, "{stderr}");
    let show: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(show["status"], "active");
    assert!(show["status_reason"].is_null());
    let history = history_json(&env, "openai-tts");
    let last = history["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "added");
    assert_eq!(
        last["detail"], "re-registered after removal; status reset to active",
        "{last}"
    );
}

/// Refusals were printed under the summary, each behind a stray `Error:`
/// (miette's rendering of related diagnostics), though the summary's help
/// says "fix the refusals above". Each refusal is now a diagnostic of its
/// own, before the summary; JSON keeps them nested under `related`.
#[test]
fn refusals_are_diagnostics_of_their_own_before_the_summary() {
    let env = TestEnv::new();
    let (code, _, stderr) =
        run(env
            .caio()
            .args(["registry", "add", "contracts/mistral-large-eu.yaml"]));
    assert_eq!(code, 0, "{stderr}");
    let dir = env.scratch();
    let mistral = std::fs::read_to_string(repo().join("contracts/mistral-large-eu.yaml")).unwrap();
    let low = dir.join("low.yaml");
    std::fs::write(&low, mistral.replace("version: 2.1.0", "version: 0.0.1")).unwrap();
    let tts = std::fs::read_to_string(repo().join("contracts/openai-tts.yaml")).unwrap();
    let eur = dir.join("eur.yaml");
    std::fs::write(&eur, tts.replace("currency: USD", "currency: EUR")).unwrap();

    let refused = env
        .cmd()
        .args(["registry", "add"])
        .arg(&low)
        .arg(&eur)
        .run();
    refused.code(1);
    assert!(refused.stdout.is_empty(), "{refused}");
    insta::assert_snapshot!("refusals_before_the_summary", refused);

    let (code, stdout, stderr) = run(env
        .caio()
        .args(["--format", "json", "registry", "add"])
        .arg(&low));
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "{stdout}");
    let err: Value = serde_json::from_str(&stderr).expect("one JSON diagnostic");
    assert_eq!(err["code"], "caio::registry_add");
    assert_eq!(err["related"][0]["code"], "caio::registry_refused");
}
