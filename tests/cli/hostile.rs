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
        stderr.contains("more problem(s) in") && stderr.contains("`--format json` lists every one"),
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
