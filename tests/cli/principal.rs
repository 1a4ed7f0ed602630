//! `caio principal add|list|revoke` and token authentication against the home
//! the CLI made (SPEC §4).

use crate::common::{Run, TestEnv, run, run_json, transcript};
use caio_core::contract::Trust;
use caio_core::principal::{AuthFailure, Principal};
use caio_store::Store;
use caio_store::home::Home;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Whether `token` has the documented shape: `caio_` + 43 base64url characters.
fn is_token(token: &str) -> bool {
    token.strip_prefix("caio_").is_some_and(|body| {
        body.len() == 43
            && body
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// `principal add` in human form; returns the token printed on stdout.
fn add_principal(env: &TestEnv, name: &str, extra: &[&str]) -> String {
    let (code, stdout, stderr) = run(env.caio().args(["principal", "add", name]).args(extra));
    assert_eq!(code, 0, "principal add {name}: {stderr}");
    let token = stdout.trim_end_matches('\n').to_string();
    assert!(is_token(&token), "stdout is the token alone: {stdout:?}");
    token
}

fn list_json(env: &TestEnv) -> Value {
    let (code, json) = run_json(env.caio().args(["--format", "json", "principal", "list"]));
    assert_eq!(code, 0);
    json
}

fn home_of(env: &TestEnv) -> Home {
    Home { path: env.home() }
}

fn open(env: &TestEnv) -> Store {
    Store::open_existing(&home_of(env), Duration::from_secs(5)).expect("open the CLI's home")
}

/// Every regular file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// The 32 random bytes a token encodes.
fn token_bytes(token: &str) -> Vec<u8> {
    use base64::Engine;
    caio_core::principal::BASE64URL
        .decode(token.strip_prefix("caio_").unwrap())
        .unwrap()
}

#[test]
fn add_prints_the_token_once_on_stdout() {
    let env = TestEnv::new();
    let human = env.run([
        "principal",
        "add",
        "alice",
        "--tenant",
        "acme",
        "--roles",
        "analyst,admin",
        "--trust",
        "high",
    ]);
    let (stdout, stderr) = (human.ok(), &human.stderr);
    let token = stdout.strip_suffix('\n').expect("one line");
    assert!(is_token(token), "{stdout:?}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        !stderr.contains(token),
        "the token only on stdout: {stderr}"
    );

    // Every token is fresh.
    let other = add_principal(&env, "bob", &["--trust", "low"]);
    assert_ne!(other, token);

    // JSON form: the principal and its token; roles sorted and deduplicated.
    let json_run = env.run([
        "--format",
        "json",
        "principal",
        "add",
        "svc-batch",
        "--tenant",
        "acme",
        "--roles",
        "writer,reader,writer",
        "--trust",
        "medium",
    ]);
    json_run.code(0);
    assert!(
        json_run.stderr.is_empty(),
        "JSON mode prints nothing else: {json_run}"
    );
    let json = json_run.json();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut keys = keys;
    keys.sort();
    assert_eq!(
        keys,
        [
            "name",
            "roles",
            "schema_version",
            "tenant",
            "token",
            "trust"
        ]
    );
    assert_eq!(json["name"], "svc-batch");
    assert_eq!(json["tenant"], "acme");
    assert_eq!(json["roles"], serde_json::json!(["reader", "writer"]));
    assert_eq!(json["trust"], "medium");
    assert!(is_token(json["token"].as_str().unwrap()), "{json}");

    // No tenant, no roles.
    let guest = env.run([
        "--format",
        "json",
        "principal",
        "add",
        "guest",
        "--trust",
        "low",
    ]);
    guest.code(0);
    assert!(guest.json()["tenant"].is_null());
    assert_eq!(guest.json()["roles"], serde_json::json!([]));
    insta::assert_snapshot!("add", transcript([&human, &json_run, &guest]));
}

#[test]
fn duplicate_names_are_refused_even_after_revocation() {
    let env = TestEnv::new();
    let first = add_principal(&env, "alice", &["--trust", "high"]);
    let again = env.run(["principal", "add", "alice", "--trust", "low"]);
    again.code(1);
    assert!(
        again.stdout.is_empty(),
        "no token for a refused add: {again}"
    );

    let revoke = env.run(["principal", "revoke", "alice"]);
    revoke.code(0);
    let revoked = env.run(["principal", "add", "alice", "--trust", "low"]);
    revoked.code(1);
    assert!(revoked.stdout.is_empty());
    let json = env.run([
        "--format",
        "json",
        "principal",
        "add",
        "alice",
        "--trust",
        "low",
    ]);
    json.code(1);
    assert_eq!(json.json_err()["code"], "caio::principal_exists");
    insta::assert_snapshot!(
        "duplicate_name",
        transcript([&again, &revoke, &revoked, &json])
    );

    // The refused adds changed nothing: alice keeps her trust, and is still revoked.
    let list = list_json(&env);
    let principals = list["principals"].as_array().unwrap();
    assert_eq!(principals.len(), 1);
    assert_eq!(principals[0]["trust"], "high");
    assert!(principals[0]["revoked_at"].is_string());
    let home = home_of(&env);
    assert_eq!(
        open(&env).authenticate(&home, Some(&first)).unwrap(),
        Err(AuthFailure::Revoked)
    );
}

#[test]
fn bad_names_and_trust_levels_are_usage_errors() {
    let env = TestEnv::new();
    let runs: [Run; 12] = [
        &["principal", "add", "Alice", "--trust", "low"][..],
        &["principal", "add", "a b", "--trust", "low"],
        &["principal", "add", "-x", "--trust", "low"],
        &["principal", "add", "", "--trust", "low"],
        &["principal", "add", "alice", "--trust", "root"],
        &["principal", "add", "alice", "--trust", "LOW"],
        &["principal", "add", "alice"],
        &[
            "principal",
            "add",
            "alice",
            "--trust",
            "low",
            "--tenant",
            "Acme Corp",
        ],
        &[
            "principal",
            "add",
            "alice",
            "--trust",
            "low",
            "--roles",
            "ok,Not OK",
        ],
        &["principal", "add", "--trust", "low"],
        &["principal", "revoke"],
        // Reserved: decisions name the caller without a token so.
        &["principal", "add", "anonymous", "--trust", "high"],
    ]
    .map(|args| {
        let run = env.run(args);
        run.code(2);
        assert!(run.stdout.is_empty(), "{run}");
        run
    });
    assert!(!env.home().exists(), "usage errors touch no state");
    insta::assert_snapshot!("usage_errors", transcript(&runs));
}

#[test]
fn list_never_shows_tokens_and_shows_revocation() {
    let env = TestEnv::new();
    let alice = add_principal(
        &env,
        "alice",
        &["--tenant", "acme", "--roles", "analyst", "--trust", "high"],
    );
    let bob = add_principal(&env, "bob", &["--trust", "low"]);

    let human_run = env.run(["principal", "list"]);
    let (human, stderr) = (human_run.ok().to_string(), human_run.stderr.clone());
    let json_run = env.run(["--format", "json", "principal", "list"]);
    let json_text = json_run.ok().to_string();
    for token in [&alice, &bob] {
        for out in [&human, &json_text, &stderr] {
            assert!(!out.contains(token.as_str()), "token leaked: {out}");
            assert!(!out.contains("caio_"), "{out}");
        }
    }

    let json: Value = serde_json::from_str(&json_text).unwrap();
    let principals = json["principals"].as_array().unwrap();
    assert_eq!(principals.len(), 2);
    for p in principals {
        let mut keys: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "created_at",
                "name",
                "revoked_at",
                "roles",
                "tenant",
                "trust"
            ],
            "no token, no hash: {p}"
        );
    }
    assert_eq!(principals[0]["name"], "alice");
    assert_eq!(principals[0]["tenant"], "acme");
    assert_eq!(principals[0]["roles"], serde_json::json!(["analyst"]));
    assert_eq!(principals[0]["trust"], "high");
    assert!(principals[0]["revoked_at"].is_null());

    // Revoke: list shows it, JSON and human.
    let revoke = env.run(["principal", "revoke", "bob"]);
    revoke.code(0);
    let json = list_json(&env);
    let bob_row = &json["principals"][1];
    assert_eq!(bob_row["name"], "bob");
    assert!(bob_row["revoked_at"].is_string(), "{json}");
    assert!(json["principals"][0]["revoked_at"].is_null());
    let after = env.run(["principal", "list"]);
    let after_json = env.run(["--format", "json", "principal", "list"]);

    // Revoking again is not an error and says so.
    let again_json = env.run(["--format", "json", "principal", "revoke", "bob"]);
    again_json.code(0);
    assert_eq!(again_json.json()["changed"], false);
    let again = env.run(["principal", "revoke", "bob"]);
    again.code(0);

    // Unknown principal.
    let unknown = env.run(["principal", "revoke", "carol"]);
    unknown.code(1);
    assert!(unknown.stdout.is_empty());
    let unknown_json = env.run(["--format", "json", "principal", "revoke", "carol"]);
    unknown_json.code(1);
    assert_eq!(unknown_json.json_err()["code"], "caio::unknown_principal");
    insta::assert_snapshot!(
        "list_and_revoke",
        transcript([
            &human_run,
            &json_run,
            &revoke,
            &after,
            &after_json,
            &again_json,
            &again,
            &unknown,
            &unknown_json
        ])
    );
}

#[test]
fn empty_principal_list() {
    let env = TestEnv::new();
    let (code, _, _) = run(env.caio().arg("init"));
    assert_eq!(code, 0);
    let human = env.run(["principal", "list"]);
    human.code(0);
    assert!(human.stdout.is_empty(), "{human}");
    assert_eq!(
        list_json(&env),
        serde_json::json!({ "schema_version": 1, "principals": [] })
    );
    insta::assert_snapshot!("empty_list", human);
}

#[test]
fn tokens_are_never_stored_at_rest() {
    let env = TestEnv::new();
    let (code, _, _) = run(env.caio().arg("init"));
    assert_eq!(code, 0);
    let db = env.home().join("caio.db");
    // Keep a connection open so the write-ahead log stays on disk with the
    // frames caio wrote (the last connection to close would remove it).
    let reader = rusqlite::Connection::open(&db).unwrap();
    let _: i64 = reader
        .query_row("SELECT count(*) FROM principals", [], |r| r.get(0))
        .unwrap();

    let mut tokens = Vec::new();
    for (name, trust) in [("alice", "high"), ("bob", "medium"), ("carol", "low")] {
        tokens.push(add_principal(
            &env,
            name,
            &["--tenant", "acme", "--roles", "analyst", "--trust", trust],
        ));
    }
    let (code, json) = run_json(env.caio().args([
        "--format",
        "json",
        "principal",
        "add",
        "dave",
        "--trust",
        "low",
    ]));
    assert_eq!(code, 0);
    tokens.push(json["token"].as_str().unwrap().to_string());
    let (code, _, _) = run(env.caio().args(["principal", "revoke", "bob"]));
    assert_eq!(code, 0);

    let wal = env.home().join("caio.db-wal");
    assert!(
        wal.is_file(),
        "the WAL is present while a connection is open"
    );
    let files = files_under(&env.home());
    assert!(files.contains(&db) && files.contains(&wal), "{files:?}");
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        for token in &tokens {
            let body = token.strip_prefix("caio_").unwrap();
            assert!(
                !contains(&bytes, token.as_bytes()),
                "{token} in {}",
                file.display()
            );
            assert!(
                !contains(&bytes, body.as_bytes()),
                "token body in {}",
                file.display()
            );
            assert!(
                !contains(&bytes, &token_bytes(token)),
                "raw token bytes in {}",
                file.display()
            );
            // Nor an unkeyed hash of it.
            assert!(
                !contains(&bytes, blake3::hash(token.as_bytes()).as_bytes()),
                "unkeyed hash in {}",
                file.display()
            );
        }
    }
    drop(reader);

    let key = env.home().join("keys/principal.key");
    let meta = std::fs::metadata(&key).expect("keys/principal.key");
    assert_eq!(meta.len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    // The stored hashes are keyed: BLAKE3 keyed with the home's key, nothing else.
    let key: [u8; 32] = std::fs::read(&key).unwrap().try_into().unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let stored: Vec<Vec<u8>> = conn
        .prepare("SELECT token_hash FROM principals ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let expected: Vec<Vec<u8>> = tokens
        .iter()
        .map(|t| blake3::keyed_hash(&key, t.as_bytes()).as_bytes().to_vec())
        .collect();
    assert_eq!(stored, expected);
}

#[test]
fn authentication_against_the_home_the_cli_made() {
    let env = TestEnv::new();
    let alice = add_principal(
        &env,
        "alice",
        &[
            "--tenant",
            "acme",
            "--roles",
            "analyst,admin",
            "--trust",
            "high",
        ],
    );
    let bob = add_principal(&env, "bob", &["--trust", "medium"]);
    let (code, _, _) = run(env.caio().args(["principal", "revoke", "bob"]));
    assert_eq!(code, 0);
    let other_env = TestEnv::new();
    let foreign = add_principal(
        &other_env,
        "alice",
        &["--tenant", "acme", "--trust", "high"],
    );

    let home = home_of(&env);
    let store = open(&env);
    let auth = |token: Option<&str>| store.authenticate(&home, token).expect("no state error");

    assert_eq!(
        auth(Some(&alice)),
        Ok(Principal {
            name: "alice".into(),
            tenant: Some("acme".into()),
            roles: vec!["admin".into(), "analyst".into()],
            trust: Trust::High,
        })
    );
    let anonymous = auth(None).unwrap();
    assert_eq!(anonymous.trust, Trust::Low);
    assert!(anonymous.roles.is_empty());
    assert!(anonymous.tenant.is_none());
    assert_eq!(anonymous, Principal::anonymous());

    assert_eq!(auth(Some(&bob)), Err(AuthFailure::Revoked));

    // One character changed, at several places (still well-formed base64url).
    for i in [5, 20, alice.len() - 2] {
        let mut chars: Vec<char> = alice.chars().collect();
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        let changed: String = chars.into_iter().collect();
        assert!(auth(Some(&changed)).is_err(), "{changed}");
    }
    for bad in [
        "",
        "caio_",
        "nope",
        &alice[..alice.len() - 1],
        &format!("{alice}A"),
        &alice.replacen("caio_", "CAIO_", 1),
        &format!(" {alice}"),
    ] {
        assert_eq!(auth(Some(bad)), Err(AuthFailure::Malformed), "{bad:?}");
    }
    // A token from another home, even for a principal of the same name.
    assert_eq!(auth(Some(&foreign)), Err(AuthFailure::Unknown));
    // And the other home recognises its own token, not ours.
    let other_home = home_of(&other_env);
    let other_store = open(&other_env);
    assert_eq!(
        other_store
            .authenticate(&other_home, Some(&foreign))
            .unwrap()
            .unwrap()
            .name,
        "alice"
    );
    assert_eq!(
        other_store.authenticate(&other_home, Some(&alice)).unwrap(),
        Err(AuthFailure::Unknown)
    );
}

#[test]
fn a_home_without_principals_knows_no_token() {
    let env = TestEnv::new();
    let (code, _, _) = run(env.caio().arg("init"));
    assert_eq!(code, 0);
    let foreign = add_principal(&TestEnv::new(), "alice", &["--trust", "high"]);
    let home = home_of(&env);
    let store = open(&env);
    assert_eq!(
        store.authenticate(&home, Some(&foreign)).unwrap(),
        Err(AuthFailure::Unknown)
    );
    assert_eq!(
        store.authenticate(&home, None).unwrap(),
        Ok(Principal::anonymous())
    );
    assert!(
        !home.path.join("keys/principal.key").exists(),
        "authentication creates no key"
    );
}

#[cfg(unix)]
#[test]
fn a_readable_principal_key_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let alice = add_principal(&env, "alice", &["--trust", "high"]);
    let key = env.home().join("keys/principal.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();

    let refused = env.run(["principal", "add", "bob", "--trust", "low"]);
    refused.code(5);
    assert!(refused.stdout.is_empty(), "no token printed: {refused}");
    insta::assert_snapshot!("readable_key", refused);
    // Nothing was created.
    let json = list_json(&env);
    assert_eq!(json["principals"].as_array().unwrap().len(), 1);

    // Authentication refuses the key too (a state error, not a silent pass).
    let home = home_of(&env);
    let store = open(&env);
    assert!(store.authenticate(&home, Some(&alice)).is_err());

    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    add_principal(&env, "bob", &["--trust", "low"]);
    assert_eq!(
        store
            .authenticate(&home, Some(&alice))
            .unwrap()
            .unwrap()
            .name,
        "alice"
    );
}

#[test]
fn concurrent_adds_on_a_fresh_home_share_one_key() {
    let env = TestEnv::new();
    let tmp = env.home().parent().unwrap().to_path_buf();
    let children: Vec<_> = (0..4)
        .map(|k| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("caio"))
                .env_clear()
                .env("CAIO_HOME", env.home())
                .env("HOME", &tmp)
                .env("NO_COLOR", "1")
                .args(["principal", "add", &format!("p{k}"), "--trust", "low"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut tokens = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert!(!stderr.contains("locked"), "{stderr}");
        tokens.push(String::from_utf8(out.stdout).unwrap().trim().to_string());
    }
    let home = home_of(&env);
    let store = open(&env);
    for (k, token) in tokens.iter().enumerate() {
        assert_eq!(
            store
                .authenticate(&home, Some(token))
                .unwrap()
                .unwrap()
                .name,
            format!("p{k}"),
            "every token verifies against the one key"
        );
    }
}

/// A lost principal key must not be silently replaced: that would void every
/// existing token without a word.
#[test]
fn a_lost_key_is_refused_while_principals_exist() {
    let env = TestEnv::new();
    let (code, stdout, stderr) =
        run(env
            .caio()
            .args(["principal", "add", "alice", "--trust", "high"]));
    assert_eq!(code, 0, "{stderr}");
    let token = stdout.trim().to_string();
    let key = env.home().join("keys/principal.key");
    std::fs::remove_file(&key).unwrap();
    let refused = env.run(["principal", "add", "bob", "--trust", "low"]);
    refused.code(5);
    insta::assert_snapshot!("lost_key", refused);
    assert!(!key.exists(), "no new key may be created");
    let home = caio_store::home::Home { path: env.home() };
    let store = caio_store::Store::open_existing(&home, std::time::Duration::from_secs(5)).unwrap();
    assert!(store.authenticate(&home, Some(&token)).is_err());
}
