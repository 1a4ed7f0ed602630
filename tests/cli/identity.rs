//! Identity on the command line (SPEC §1): a token from `--token-file` or
//! `CAIO_TOKEN`; the request's `auth.token` wins; sources that disagree are
//! a usage error; a token file others can read is refused.

use crate::common::{TestEnv, run};
use std::path::PathBuf;

/// A home with the shipped contracts and one principal; its token.
fn home(env: &TestEnv) -> String {
    let (code, _, stderr) = run(env.caio().args(["registry", "add", "contracts"]));
    assert_eq!(code, 0, "{stderr}");
    let (code, stdout, stderr) = run(env.caio().args([
        "principal",
        "add",
        "ana",
        "--tenant",
        "acme",
        "--roles",
        "analyst",
        "--trust",
        "high",
    ]));
    assert_eq!(code, 0, "{stderr}");
    stdout
        .split_whitespace()
        .find(|w| w.starts_with("caio_"))
        .expect("the token is printed once")
        .to_string()
}

fn token_file(env: &TestEnv, token: &str, mode: u32) -> PathBuf {
    let path = env.scratch().join(format!("token-{mode:o}"));
    std::fs::write(&path, format!("{token}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    path
}

fn principal_of_last_decision(env: &TestEnv) -> String {
    let (_, stdout, _) = run(env.caio().args(["trace", "list", "--limit", "1"]));
    stdout.lines().nth(1).unwrap_or_default().to_string()
}

#[test]
fn a_token_file_or_caio_token_identifies_the_caller() {
    let env = TestEnv::new();
    let token = home(&env);
    let request = "fixtures/requests/chat-balanced.json";

    let file = token_file(&env, &token, 0o600);
    let (code, stdout, stderr) = run(env
        .caio()
        .args(["route", request, "--token-file"])
        .arg(&file));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(principal_of_last_decision(&env).contains(" ana "));

    let (code, stdout, stderr) = run(env
        .caio()
        .args(["route", request])
        .env("CAIO_TOKEN", &token));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(principal_of_last_decision(&env).contains(" ana "));

    // The token never reaches the trace.
    let (_, export, _) = run(env.caio().args(["trace", "export"]));
    assert!(!export.contains(&token[5..]), "{export}");
}

#[test]
fn sources_that_disagree_are_a_usage_error() {
    let env = TestEnv::new();
    let token = home(&env);
    let file = token_file(&env, &token, 0o600);
    let other = "caio_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let (code, _, stderr) = run(env
        .caio()
        .args([
            "route",
            "fixtures/requests/chat-balanced.json",
            "--token-file",
        ])
        .arg(&file)
        .env("CAIO_TOKEN", other));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("caio::token_conflict"), "{stderr}");
    assert!(stderr.contains("--token-file and CAIO_TOKEN"), "{stderr}");
    assert!(
        !stderr.contains(&token[5..]) && !stderr.contains(&other[5..]),
        "{stderr}"
    );

    let request = env.scratch().join("with-token.json");
    std::fs::write(
        &request,
        format!("{{\"capability\": \"chat\", \"auth\": {{\"token\": \"{other}\"}}}}"),
    )
    .unwrap();
    let (code, _, stderr) = run(env
        .caio()
        .arg("route")
        .arg(&request)
        .env("CAIO_TOKEN", &token));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("the request's auth.token and CAIO_TOKEN"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn a_token_file_others_can_read_is_refused() {
    let env = TestEnv::new();
    let token = home(&env);
    let file = token_file(&env, &token, 0o644);
    let (code, _, stderr) = run(env
        .caio()
        .args([
            "route",
            "fixtures/requests/chat-balanced.json",
            "--token-file",
        ])
        .arg(&file));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("caio::token_file"), "{stderr}");
    assert!(stderr.contains("chmod 600"), "{stderr}");
}
