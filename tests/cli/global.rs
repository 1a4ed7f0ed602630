//! Global conventions: help, exit codes, home resolution, `init`.

use crate::common::{TestEnv, run, run_json};

#[test]
fn help_lists_the_exit_codes() {
    let env = TestEnv::new();
    let (code, stdout, _) = run(env.caio().arg("--help"));
    assert_eq!(code, 0);
    assert!(stdout.contains(&caio::Exit::table()), "{stdout}");
    insta::assert_snapshot!("help", stdout);
}

#[test]
fn usage_errors_exit_2() {
    let env = TestEnv::new();
    for args in [
        &["frobnicate"][..],
        &["contract", "validate"],
        &["--format", "yaml", "init"],
        &["contract", "new", "--template", "llm"],
        &["contract", "new", "--template", "llm", "--id", "Not_An_Id"],
        &["-q", "-v", "init"],
    ] {
        let (code, stdout, stderr) = run(env.caio().args(args));
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}");
        assert!(stderr.contains("error"), "{args:?}: {stderr}");
    }
}

#[test]
fn version_succeeds() {
    let env = TestEnv::new();
    let (code, stdout, _) = run(env.caio().arg("--version"));
    assert_eq!(code, 0);
    assert!(stdout.starts_with("caio "));
}

#[cfg(unix)]
#[test]
fn init_creates_a_private_home_once() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let (code, stdout, _) = run(env.caio().arg("init"));
    assert_eq!(code, 0);
    assert!(stdout.contains("initialised caio home at"), "{stdout}");
    let mode = std::fs::metadata(env.home()).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    assert!(env.home().join("keys").is_dir());

    let (code, json) = run_json(env.caio().args(["init", "--format", "json"]));
    assert_eq!(code, 0);
    assert_eq!(json["created"], false);
    assert_eq!(json["home"], env.home().display().to_string());
}

#[test]
fn home_flag_beats_caio_home_and_xdg_is_the_fallback() {
    let env = TestEnv::new();
    let flag = env.scratch().join("from-flag");
    let (code, json) = run_json(
        env.caio()
            .args(["init", "--format", "json", "--home"])
            .arg(&flag),
    );
    assert_eq!(code, 0);
    assert_eq!(json["home"], flag.display().to_string());

    let xdg = env.scratch().join("xdg");
    let (code, json) = run_json(
        env.caio()
            .env_remove("CAIO_HOME")
            .env("XDG_DATA_HOME", &xdg)
            .args(["init", "--format", "json"]),
    );
    assert_eq!(code, 0);
    assert_eq!(json["home"], xdg.join("caio").display().to_string());

    // An empty CAIO_HOME is unset, like an empty XDG_DATA_HOME.
    let (code, json) = run_json(
        env.caio()
            .env("CAIO_HOME", "")
            .env("XDG_DATA_HOME", &xdg)
            .args(["init", "--format", "json"]),
    );
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["home"], xdg.join("caio").display().to_string());
    let (code, _, stderr) =
        run(env
            .caio()
            .env("CAIO_HOME", "")
            .args(["contract", "validate", "contracts"]));
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn unusable_home_is_a_state_error_with_a_diagnostic() {
    let env = TestEnv::new();
    let file = env.scratch().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let (code, stdout, stderr) = run(env.caio().arg("init").arg("--home").arg(&file));
    assert_eq!(code, 5, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("caio::home"), "{stderr}");
    assert!(stderr.contains("help:"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn json_errors_are_json_on_stderr() {
    let env = TestEnv::new();
    let file = env.scratch().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let (code, _, stderr) = run(env
        .caio()
        .args(["init", "--format", "json", "--home"])
        .arg(&file));
    assert_eq!(code, 5);
    let v: serde_json::Value = serde_json::from_str(stderr.trim()).expect("JSON diagnostic");
    assert_eq!(v["code"], "caio::home");
}

#[cfg(unix)]
#[test]
fn closed_stdout_is_not_an_error() {
    // `caio contract schema | head -c1`: the reader goes away mid-write.
    use std::process::{Command, Stdio};
    let env = TestEnv::new();
    let bin = assert_cmd::cargo::cargo_bin("caio");
    let mut child = Command::new(bin)
        .args(["contract", "schema"])
        .env("CAIO_HOME", env.home())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}
