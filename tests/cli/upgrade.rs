//! A home written by the release before trace format v2 (`tests/v1-home`,
//! written by its `make.sh` with that release): after the upgrade its v1
//! records verify, replay and show as they were written, and the v2 records
//! routed since continue their chain.

use crate::common::{TestEnv, repo, run, run_json, test_python, verify_export};
use crate::trace::ok_json_code as json;
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// The v1 home, copied into the test's home with the modes caio requires
/// of it (a checkout leaves key files readable by others); the token of
/// its principal `ana`.
fn v1_home(env: &TestEnv) -> String {
    let from = repo().join("tests/v1-home");
    copy_dir(&from.join("home"), &env.home());
    let mode = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    mode(&env.home(), 0o700);
    mode(&env.home().join("keys"), 0o700);
    for key in ["instance.key", "principal.key"] {
        mode(&env.home().join("keys").join(key), 0o600);
    }
    std::fs::read_to_string(from.join("token"))
        .unwrap()
        .trim()
        .to_string()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn a_home_of_the_previous_release_verifies_replays_and_shows_after_the_upgrade() {
    let env = TestEnv::new();
    let token = v1_home(&env);

    // Its nine v1 records and its checkpoint, as the old release wrote them.
    let report = json(&env, &["trace", "verify", "--replay"], 0);
    assert_eq!(
        (
            &report["records"],
            &report["checkpoints"],
            &report["replayed"]
        ),
        (&Value::from(9), &Value::from(1), &Value::from(9)),
        "{report:#}"
    );
    let listed = json(&env, &["trace", "list"], 0);
    let records = listed["records"].as_array().unwrap();
    assert_eq!(records.len(), 9, "{listed:#}");
    for seq in 1..=9 {
        let seq = seq.to_string();
        let replay = json(&env, &["trace", "replay", &seq], 0);
        assert_eq!(replay["identical"], true, "{replay:#}");
        let (code, stdout, stderr) = run(env.caio().args(["trace", "show", "--explain", &seq]));
        assert_eq!(code, 0, "seq {seq}: {stdout}{stderr}");
        assert!(stderr.is_empty(), "seq {seq}: {stderr}");
    }
    let show = env.run(["trace", "show", "1"]);
    insta::assert_snapshot!("v1_record_shown", show);

    // A route after the upgrade appends a v2 record to the same chain.
    let mut request: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("fixtures/requests/chat-balanced.json")).unwrap(),
    )
    .unwrap();
    request["auth"] = serde_json::json!({ "token": token });
    let path = env.scratch().join("request.json");
    std::fs::write(&path, request.to_string()).unwrap();
    let (code, routed) = run_json(env.caio().args(["--format", "json", "route"]).arg(&path));
    assert_eq!(code, 0, "{routed:#}");
    assert_eq!(routed["trace"]["seq"], 10, "{routed:#}");
    let report = json(&env, &["trace", "verify", "--replay"], 0);
    assert_eq!(report["replayed"], 10, "{report:#}");
    let record = json(&env, &["trace", "show", "10"], 0);
    assert_eq!(record["record"]["v"], 2, "{record:#}");

    // The export of both formats recomputes without caio.
    if let Some(python) = test_python() {
        let (code, export, stderr) = run(env.caio().args(["trace", "export"]));
        assert_eq!(code, 0, "{stderr}");
        let file = env.scratch().join("export.jsonl");
        std::fs::write(&file, export).unwrap();
        let (code, stdout, stderr) = verify_export(&python, &file);
        assert_eq!(code, Some(0), "{stdout}{stderr}");
        assert!(stdout.contains("10 record(s)"), "{stdout}");
    }
}
