//! Hostile inputs found by attacking caio as an outsider would: each test is
//! named after what broke and fails on the code before the fix.

use crate::common::{TestEnv, run};
use std::path::{Path, PathBuf};

fn write(path: &Path, text: &str) -> PathBuf {
    std::fs::write(path, text).unwrap();
    path.to_path_buf()
}

/// A contract on one line wider than 65,535 columns, with its mistake near
/// the end, made the human renderer panic ("Formatting argument out of
/// range", exit 101).
#[test]
fn a_diagnostic_on_a_line_wider_than_65535_columns_renders() {
    let env = TestEnv::new();
    let name = "n".repeat(70_000);
    let text = format!(
        "{{apiVersion: caio/v1, service_id: wide-one, name: {name}, version: 1.0.0, cost: {{currency: USD}}, nmae: typo}}\n"
    );
    let path = write(&env.scratch().join("wide.yaml"), &text);
    let (code, stdout, stderr) = run(env.caio().arg("contract").arg("validate").arg(&path));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("contract::unknown-key"), "{stderr}");
    assert!(
        stderr.contains("nmae"),
        "the snippet shows the mistake: {stderr}"
    );
    assert!(
        stderr.lines().all(|l| l.chars().count() < 400),
        "snippet lines are cut: {}",
        stderr.len()
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stdout.len() < 2_000, "{stdout}");
}

/// The same for a minified 64 KiB request with a mistake near its end.
#[test]
fn a_minified_request_with_a_late_mistake_renders() {
    let env = TestEnv::new();
    let padding = "x".repeat(64 * 1024);
    let text = format!("{{\"request_id\":\"{padding}\",\"capability\":\"chat\",\"sede\":1}}");
    let path = write(&env.scratch().join("minified.json"), &text);
    let (code, _, stderr) = run(env
        .caio()
        .args(["route"])
        .arg(&path)
        .args(["--contracts", "contracts"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("request::unknown-key"), "{stderr}");
    assert!(stderr.contains("sede"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.len() < 4_000, "{}", stderr.len());
}

/// 24,000 unknown keys took 26 s to render (every diagnostic scanned the
/// whole file) and wrote one report each. The human report now shows the
/// first 50 and counts the rest; JSON still lists every one.
#[test]
fn thousands_of_problems_show_the_first_fifty_and_a_count() {
    let env = TestEnv::new();
    let mut text =
        String::from("apiVersion: caio/v1\nservice_id: many-keys\nname: Many\nversion: 1.0.0\n");
    for i in 0..24_000 {
        text.push_str(&format!("k{i}: 1\n"));
    }
    let path = write(&env.scratch().join("many.yaml"), &text);
    let (code, _, stderr) = run(env.caio().arg("contract").arg("validate").arg(&path));
    assert_eq!(code, 1);
    let shown = stderr.lines().filter(|l| l.starts_with("  × ")).count();
    assert_eq!(shown, 50, "{}", &stderr[..stderr.len().min(2_000)]);
    assert!(
        stderr.contains("more problems in") && stderr.contains("`--format json` lists every one"),
        "{}",
        &stderr[stderr.len().saturating_sub(2_000)..]
    );
    assert!(stderr.len() < 100_000, "{}", stderr.len());

    let (code, stdout, _) = run(env
        .caio()
        .args(["--format", "json", "contract", "validate"])
        .arg(&path));
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let unknown = report["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "contract::unknown-key")
        .count();
    assert_eq!(unknown, 24_000);
}

/// Control characters in a third-party contract's `name` reached the
/// terminal raw: an OSC sequence could rewrite the window title, CSI ones
/// the screen.
#[test]
fn control_characters_from_a_contract_are_shown_not_obeyed() {
    let env = TestEnv::new();
    let contract =
        std::fs::read_to_string(crate::common::repo().join("contracts/openai-gpt-4o-mini.yaml"))
            .unwrap();
    let hostile = contract
        .lines()
        .map(|l| {
            if l.starts_with("name:") {
                "name: \"Mini \\e]0;pwned\\a\\e[2J\"".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let path = write(&env.scratch().join("hostile.yaml"), &hostile);
    let (code, _, stderr) = run(env.caio().arg("registry").arg("add").arg(&path));
    assert_eq!(code, 0, "{stderr}");
    {
        let args = ["registry", "show", "openai-gpt-4o-mini"];
        let (code, stdout, stderr) = run(env.caio().args(args));
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert!(stdout.contains("Mini"), "{args:?}: {stdout}");
        assert!(
            !stdout.contains('\x1b') && !stdout.contains('\x07'),
            "{args:?}: {stdout:?}"
        );
        assert!(stdout.contains("\\u{1b}"), "{args:?}: {stdout}");
    }
}

/// A control character inside a YAML file's snippet is drawn as its
/// Unicode control picture, never sent to the terminal.
#[test]
fn control_characters_in_a_snippet_are_drawn_as_symbols() {
    let env = TestEnv::new();
    let path = write(
        &env.scratch().join("esc.yaml"),
        "apiVersion: caio/v1\nservice_id: esc\nname: x\nversion: 1.0.0\nbad\x1b[2Jkey: 1\n",
    );
    let (code, _, stderr) = run(env.caio().arg("contract").arg("validate").arg(&path));
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains('\x1b'), "{stderr:?}");
}

/// A home with one routed decision and a stored checkpoint.
fn checkpointed_home(env: &TestEnv) {
    for args in [
        vec!["registry", "add", "contracts"],
        vec!["route", "fixtures/requests/chat-balanced.json"],
        vec!["trace", "checkpoint"],
    ] {
        let (code, _, stderr) = run(env.caio().args(&args));
        assert!(code == 0 || code == 3, "{args:?}: {stderr}");
    }
}

/// `--checkpoint`, `--public-key`, `license verify --public-key` and
/// `license trust` read their files without a size cap or a file-type
/// check: `/dev/zero` grew past 6 GiB, a FIFO hung forever. Each is now
/// refused at once, saying what the path is.
#[cfg(unix)]
#[test]
fn special_files_are_refused_where_keys_and_checkpoints_are_read() {
    let env = TestEnv::new();
    checkpointed_home(&env);
    let fifo = env.scratch().join("fifo");
    assert!(crate::common::mkfifo(&fifo), "this test needs mkfifo");
    let fifo = fifo.to_str().unwrap().to_string();
    for args in [
        vec!["trace", "verify", "--checkpoint", "/dev/zero"],
        vec!["trace", "verify", "--checkpoint", fifo.as_str()],
        vec!["trace", "verify", "--public-key", "/dev/zero"],
        vec!["trace", "verify", "--public-key", fifo.as_str()],
        vec!["license", "trust", "/dev/zero"],
        vec!["license", "trust", fifo.as_str()],
        vec!["license", "verify", "--file", "/dev/zero"],
        vec![
            "license",
            "verify",
            "caio-lic-v1.e30.AA",
            "--public-key",
            "/dev/zero",
        ],
    ] {
        let (code, stdout, stderr) = run(env.caio().args(&args).timeout(crate::common::HANG_GUARD));
        assert!(code == 1 || code == 5, "{args:?}: exit {code}: {stderr}");
        let said: Vec<&str> = stdout
            .split_whitespace()
            .chain(stderr.split_whitespace())
            .filter(|w| *w != "│")
            .collect();
        assert!(
            said.join(" ").contains("not a regular file"),
            "{args:?}: {stdout}{stderr}"
        );
    }
}

/// A symlinked `keys/instance.pub` pointing at `/dev/zero` made every later
/// `trace verify` hang.
#[cfg(unix)]
#[test]
fn an_instance_pub_linked_to_a_device_is_refused() {
    let env = TestEnv::new();
    checkpointed_home(&env);
    let public = env.home().join("keys/instance.pub");
    std::fs::remove_file(&public).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &public).unwrap();
    let (code, stdout, stderr) = run(env
        .caio()
        .args(["trace", "verify"])
        .timeout(crate::common::HANG_GUARD));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("not a regular file"), "{stdout}{stderr}");
}

/// A 100 MB checkpoint file was echoed into the error message.
#[test]
fn a_huge_checkpoint_file_is_refused_without_being_echoed() {
    let env = TestEnv::new();
    checkpointed_home(&env);
    let path = env.scratch().join("huge.note");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(100 * 1024 * 1024).unwrap();
    drop(file);
    let (code, stdout, stderr) = run(env
        .caio()
        .args(["trace", "verify", "--checkpoint"])
        .arg(&path));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("larger than"), "{stderr}");
    assert!(stdout.len() + stderr.len() < 4_000);
}

/// When `keys/instance.key` was lost, caio made a new key and rewrote
/// `instance.pub`: every earlier checkpoint became unverifiable, silently.
/// Now signing is refused until `caio trace rekey` makes a new key on
/// purpose, and the old checkpoints keep verifying.
#[test]
fn a_lost_instance_key_is_never_replaced_silently() {
    let env = TestEnv::new();
    checkpointed_home(&env);
    let key = env.home().join("keys/instance.key");
    let public_before = std::fs::read_to_string(env.home().join("keys/instance.pub")).unwrap();
    std::fs::remove_file(&key).unwrap();

    let (code, _, stderr) = run(env.caio().args(["trace", "checkpoint"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("caio::instance_key_missing"), "{stderr}");
    assert!(stderr.contains("caio trace rekey"), "{stderr}");
    assert!(!key.exists(), "no key was made");
    assert_eq!(
        std::fs::read_to_string(env.home().join("keys/instance.pub")).unwrap(),
        public_before
    );

    // A different key in its place is refused too.
    std::fs::write(&key, [7u8; 32]).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let (code, _, stderr) = run(env.caio().args(["trace", "checkpoint"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("caio::instance_key_mismatch"), "{stderr}");
    std::fs::remove_file(&key).unwrap();

    // Re-keying on purpose: new checkpoints sign, old ones still verify.
    let (code, stdout, stderr) = run(env.caio().args(["trace", "rekey"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("new verifier key: "), "{stdout}");
    assert!(stderr.contains("1 earlier verifier key kept"), "{stderr}");
    let (code, _, stderr) = run(env
        .caio()
        .args(["route", "fixtures/requests/chat-balanced.json"]));
    assert!(code == 0 || code == 3, "{stderr}");
    let (code, _, stderr) = run(env.caio().args(["trace", "checkpoint"]));
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = run(env.caio().args(["trace", "verify"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("2 checkpoints"), "{stdout}");
}

/// An unknown YAML tag (`!custom`) was silently ignored.
#[test]
fn an_unknown_yaml_tag_is_refused() {
    let env = TestEnv::new();
    let path = write(
        &env.scratch().join("tagged.yaml"),
        "apiVersion: caio/v1\nservice_id: !custom tagged\n",
    );
    let (code, _, stderr) = run(env.caio().arg("contract").arg("validate").arg(&path));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("contract::yaml-syntax"), "{stderr}");
    let said: Vec<&str> = stderr.split_whitespace().filter(|w| *w != "│").collect();
    assert!(
        said.join(" ").contains("unknown YAML tag `! custom`")
            || said.join(" ").contains("unknown YAML tag `!custom`"),
        "{stderr}"
    );
}

/// `--expires 9999-12-30` printed jiff's raw overflow error.
#[test]
fn an_expiry_past_the_representable_range_is_a_clear_error() {
    let env = TestEnv::new();
    let keys = env.scratch().join("vendor-keys");
    let (code, _, stderr) = run(env.caio().args(["license", "keygen", "--out"]).arg(&keys));
    assert_eq!(code, 0, "{stderr}");
    let key = keys.join("vendor.key");
    let (code, _, stderr) = run(env
        .caio()
        .args([
            "license",
            "issue",
            "--customer",
            "Acme",
            "--features",
            "route",
        ])
        .args(["--expires", "9999-12-30", "--key"])
        .arg(&key));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("out of range"), "{stderr}");
    assert!(stderr.contains("9999-12-29"), "{stderr}");
    assert!(!stderr.contains("overflow"), "{stderr}");
}

/// A token pasted into `request_id` was stored in the trace.
#[test]
fn a_token_pasted_into_request_id_is_masked_in_the_trace() {
    let env = TestEnv::new();
    let (code, _, stderr) = run(env.caio().args(["registry", "add", "contracts"]));
    assert_eq!(code, 0, "{stderr}");
    let token = "caio_SECRETTOKENVALUE1234567890abcdefghijklmnopq";
    let request = write(
        &env.scratch().join("pasted.json"),
        &format!("{{\"request_id\": \"{token}\", \"capability\": \"chat\"}}"),
    );
    let (code, _, stderr) = run(env.caio().arg("route").arg(&request));
    assert!(code == 0 || code == 3, "{stderr}");
    let (code, export, stderr) = run(env.caio().args(["trace", "export"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(!export.contains("SECRETTOKEN"), "{export}");
    assert!(export.contains("caio_***"), "{export}");
}
