//! `caio license …` end to end (SPEC §10): keys, issuing and recording,
//! verification and its refusals, OpenSSL interoperability, dates under
//! several time zones, revocation lists, installation and enforcement of
//! `caio route`. Tests that need another clock than the binary's use the
//! library with an injected time.

use crate::common::{HANG_GUARD, Run, TestEnv, mkfifo, run, run_json, transcript};
use base64::Engine;
use caio_core::license::claims::{self, NewLicense};
use caio_core::license::envelope::{LICENSE, format_time};
use caio_core::license::keys::{KeySource, TrustedKeys, VendorKey};
use caio_core::license::{Claims, Feature, License, Refusal};
use caio_core::principal::BASE64URL;
use caio_store::Store;
use caio_store::home::Home;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp, ToSpan};
use proptest::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Whether `stderr` says `expected`, wherever miette wrapped the lines.
fn says(stderr: &str, expected: &str) -> bool {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace() && !"│×╭╰─┬·▲".contains(*c))
            .collect()
    };
    squash(stderr).contains(&squash(expected))
}

/// `caio license keygen --out DIR` in the scratch directory; returns DIR.
fn keygen(env: &TestEnv, name: &str) -> PathBuf {
    let dir = env.scratch().join(name);
    let (code, _, stderr) = run(env.caio().args(["license", "keygen", "--out"]).arg(&dir));
    assert_eq!(code, 0, "{stderr}");
    dir
}

/// A vendor: keys in the scratch directory, trusted by the test's home.
fn vendor(env: &TestEnv) -> PathBuf {
    let dir = keygen(env, "vendor");
    let (code, _, stderr) = run(env
        .caio()
        .args(["license", "trust"])
        .arg(dir.join("vendor.pub")));
    assert_eq!(code, 0, "{stderr}");
    dir
}

/// `caio license issue … --key DIR/vendor.key`; returns the license text.
fn issue(env: &TestEnv, keys: &Path, args: &[&str]) -> String {
    let (code, stdout, stderr) = run(env
        .caio()
        .args(["license", "issue", "--key"])
        .arg(keys.join("vendor.key"))
        .args(args));
    assert_eq!(code, 0, "issue {args:?}: {stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    stdout.trim().to_string()
}

fn today() -> Date {
    Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date()
}

/// Today plus `days` (UTC), as `--expires` takes it.
fn day(days: i64) -> String {
    today()
        .checked_add(days.days())
        .expect("a date in range")
        .to_string()
}

/// Names, in this test's snapshots, the dates `day(n)` the test used, and
/// the days after them (a license valid through a day expires at the start
/// of the next): as `[today+n]`, since the test runs on any day.
fn name_days(env: &TestEnv, days: &[i64]) {
    let mut all: Vec<i64> = days.iter().flat_map(|&n| [n, n + 1]).collect();
    all.sort_unstable();
    all.dedup();
    for n in all {
        let name = match n {
            0 => "[today]".to_string(),
            n if n > 0 => format!("[today+{n}]"),
            n => format!("[today{n}]"),
        };
        env.redact(day(n), &name);
    }
}

/// Names a vendor key (made at random) in this test's snapshots.
fn name_key(env: &TestEnv, keys: &Path, name: &str) {
    env.redact(load_key(keys).public().key_id(), &format!("[{name}]"));
}

/// Names a license (its text and its random id, in full and as the 12
/// characters messages show) in this test's snapshots.
fn name_license(env: &TestEnv, text: &str, name: &str) {
    let id = claims_of(text).id;
    env.redact(text, &format!("[{name}]"));
    env.redact(&id[..12], &format!("[{name} id prefix]"));
    env.redact(id, &format!("[{name} id]"));
}

/// A vendor key made from `seed`, in the files `license keygen --out DIR`
/// writes: its id is the same on every run, so a snapshot can list several
/// keys, which caio sorts by id.
fn seeded_keygen(env: &TestEnv, name: &str, seed: u8) -> PathBuf {
    let dir = env.scratch().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let key = VendorKey::from_seed(&[seed; 32]);
    let private = dir.join("vendor.key");
    std::fs::write(&private, key.to_pem().unwrap().as_bytes()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let public = key.public();
    std::fs::write(dir.join("vendor.pub"), format!("{}\n", public.to_text())).unwrap();
    std::fs::write(dir.join("vendor.pub.pem"), public.to_pem().unwrap()).unwrap();
    dir
}

fn verify(env: &TestEnv, license: &str, extra: &[&str]) -> (i32, String, String) {
    run(env.caio().args(["license", "verify", license]).args(extra))
}

/// `caio route` on the shipped contracts (stateless), with the test's home.
fn route(env: &TestEnv) -> (i32, String, String) {
    run(env.caio().args([
        "route",
        "fixtures/requests/chat-balanced.json",
        "--contracts",
        "contracts",
    ]))
}

fn home_of(env: &TestEnv) -> Home {
    Home { path: env.home() }
}

fn open(env: &TestEnv) -> Store {
    Store::open_existing(&home_of(env), Duration::from_secs(5)).expect("open the CLI's home")
}

fn load_key(keys: &Path) -> VendorKey {
    caio::app::vendor_keys::load_vendor_key(&keys.join("vendor.key")).expect("vendor.key")
}

fn trusted(key: &VendorKey) -> TrustedKeys {
    TrustedKeys::new([(key.public(), KeySource::Home)])
}

/// The claims of a license text (no verification).
fn claims_of(text: &str) -> Claims {
    let payload = text
        .strip_prefix("caio-lic-v1.")
        .and_then(|rest| rest.split('.').next())
        .unwrap();
    serde_json::from_slice(&BASE64URL.decode(payload).unwrap()).unwrap()
}

/// Signs an arbitrary payload as a license (for crafted refusals).
fn seal(payload: &[u8], key: &VendorKey) -> String {
    LICENSE.seal(payload, key)
}

/// Splits a license into (payload bytes, signature bytes).
fn parts(text: &str) -> (Vec<u8>, Vec<u8>) {
    let rest = text.strip_prefix("caio-lic-v1.").unwrap();
    let (payload, signature) = rest.split_once('.').unwrap();
    (
        BASE64URL.decode(payload).unwrap(),
        BASE64URL.decode(signature).unwrap(),
    )
}

fn join(payload: &[u8], signature: &[u8]) -> String {
    format!(
        "caio-lic-v1.{}.{}",
        BASE64URL.encode(payload),
        BASE64URL.encode(signature)
    )
}

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// A license made in process, with an injected issue time.
fn make(
    key: &VendorKey,
    features: &[Feature],
    issued_at: Timestamp,
    not_before: Timestamp,
    expires_at: Timestamp,
) -> License {
    let new = NewLicense {
        customer: "Acme Corp",
        features,
        seats: 3,
        not_before,
        expires_at,
    };
    claims::issue(&new, claims::id_from(&rand_id()), issued_at, key).unwrap()
}

// ---------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn keygen_writes_a_private_key_0600_and_never_overwrites() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let dir = env.scratch().join("keys");
    let (code, json) = run_json(
        env.caio()
            .args(["--format", "json", "license", "keygen", "--out"])
            .arg(&dir),
    );
    assert_eq!(code, 0);
    let key_id = json["key_id"].as_str().unwrap().to_string();
    let private = dir.join("vendor.key");
    let mode = std::fs::metadata(&private).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let pem = std::fs::read_to_string(&private).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"), "PKCS#8 PEM");
    let public = caio::app::vendor_keys::load_public_key(&dir.join("vendor.pub")).unwrap();
    assert_eq!(public.key_id(), key_id);
    assert_eq!(
        caio::app::vendor_keys::load_public_key(&dir.join("vendor.pub.pem")).unwrap(),
        public
    );
    assert!(
        std::fs::read_to_string(dir.join("vendor.pub.pem"))
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----\n")
    );
    // The private key never appears on stdout or stderr.
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let again = env
        .cmd()
        .args(["license", "keygen", "--out"])
        .arg(&dir)
        .run();
    again.code(1);
    assert!(!again.stdout.contains(&body) && !again.stderr.contains(&body));
    assert_eq!(std::fs::read_to_string(&private).unwrap(), pem, "unchanged");
    let human = env
        .cmd()
        .args(["license", "keygen", "--out"])
        .arg(env.scratch().join("other"))
        .run();
    human.code(0);
    assert!(!human.stdout.contains(&body) && !human.stderr.contains(&body));
    env.redact(key_id, "[key id]");
    name_key(&env, &env.scratch().join("other"), "other key id");
    insta::assert_snapshot!("keygen", transcript([&human, &again]));
}

#[cfg(unix)]
#[test]
fn a_private_key_readable_by_others_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let keys = keygen(&env, "vendor");
    let private = keys.join("vendor.key");
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o644)).unwrap();
    let runs: [Run; 2] = [
        &[
            "issue",
            "--customer",
            "Acme",
            "--features",
            "route",
            "--expires",
            "2030-01-01",
        ][..],
        &["revocations"],
    ]
    .map(|args| {
        let run = env
            .cmd()
            .arg("license")
            .args(args)
            .arg("--key")
            .arg(&private)
            .run();
        run.code(1);
        assert!(run.stdout.is_empty(), "{run}");
        run
    });
    insta::assert_snapshot!("readable_private_key", transcript(&runs));
}

/// `--key /tmp` was told "mode 777 lets other users read it; run chmod 600
/// /tmp", and `--key vendor.pub` to chmod the public key. A signing key is
/// judged as a file first, then as a private key, and only then by its mode.
#[cfg(unix)]
#[test]
fn a_signing_key_that_is_not_a_private_key_file_says_what_it_is() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let keys = keygen(&env, "vendor");
    let open_dir = env.scratch().join("open");
    std::fs::create_dir(&open_dir).unwrap();
    std::fs::set_permissions(&open_dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let fifo = env.scratch().join("key.fifo");
    let has_fifo = mkfifo(&fifo);
    let signing_key = keys.join("vendor.key").display().to_string();
    let mut cases: Vec<(PathBuf, Vec<String>)> = vec![
        (
            open_dir,
            vec!["not a regular file: it is a directory".into()],
        ),
        (
            keys.clone(),
            vec![
                "it is a directory".into(),
                format!("the signing key in it is {signing_key}"),
            ],
        ),
        (
            keys.join("vendor.pub"),
            vec![
                "this is a public key (`caio-pub-v1.…`, as in vendor.pub), not a private key"
                    .into(),
                format!("the signing key next to it is {signing_key}"),
            ],
        ),
        (
            keys.join("vendor.pub.pem"),
            vec!["this is a public key (PEM `PUBLIC KEY`, as in vendor.pub.pem)".into()],
        ),
    ];
    if has_fifo {
        cases.push((fifo, vec!["not a regular file: it is a FIFO".into()]));
    }
    let mut runs = Vec::new();
    for (key, expected) in cases {
        for args in [
            &[
                "issue",
                "--customer",
                "Acme",
                "--features",
                "route",
                "--expires",
                "2030-01-01",
            ][..],
            &["revocations"],
        ] {
            let run = env
                .cmd()
                .arg("license")
                .args(args)
                .arg("--key")
                .arg(&key)
                .timeout(HANG_GUARD)
                .run();
            run.code(1);
            assert!(run.stdout.is_empty(), "{run}");
            for text in &expected {
                assert!(says(&run.stderr, text), "{run}");
            }
            // Judged as a file first: never told to chmod it.
            assert!(!says(&run.stderr, "chmod"), "{run}");
            assert!(!says(&run.stderr, "lets other users"), "{run}");
            runs.push(run);
        }
    }
    if has_fifo {
        insta::assert_snapshot!("not_a_private_key_file", transcript(&runs));
    }
}

// ---------------------------------------------------------------------------
// Issue, verify, list, revoke
// ---------------------------------------------------------------------------

#[test]
fn issue_records_and_verify_shows_the_claims() {
    let env = TestEnv::new();
    let auditor = TestEnv::new();
    let keys = vendor(&env);
    let issued = env
        .cmd()
        .args([
            "license",
            "issue",
            "--customer",
            "Acme Corp",
            "--features",
            "route,execute,route",
            "--expires",
            "2099-12-31",
            "--seats",
            "25",
            "--key",
        ])
        .arg(keys.join("vendor.key"))
        .run();
    issued.code(0);
    let text = issued.stdout.trim();
    assert!(text.starts_with("caio-lic-v1."), "{issued}");
    let c = claims_of(text);
    assert_eq!(c.v, 1);
    assert_eq!(c.customer, "Acme Corp");
    assert_eq!(c.features, ["execute", "route"]);
    assert_eq!(c.seats, 25);
    assert_eq!(c.expires_at, "2100-01-01T00:00:00Z");
    assert_eq!(c.id.len(), 32);
    assert!(
        c.id.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    let public = caio::app::vendor_keys::load_public_key(&keys.join("vendor.pub")).unwrap();
    assert_eq!(c.key_id, public.key_id());
    // The payload is its own canonical form, keys sorted.
    let (payload, signature) = parts(text);
    assert_eq!(signature.len(), 64);
    let payload = String::from_utf8(payload).unwrap();
    assert!(
        payload.starts_with("{\"customer\":\"Acme Corp\",\"expires_at\""),
        "{payload}"
    );

    let human = env.run(["license", "verify", text]);
    human.code(0);
    let json_run = env.run(["--format", "json", "license", "verify", text]);
    json_run.code(0);
    let json = json_run.json();
    assert_eq!(json["valid"], true);
    assert_eq!(json["claims"]["id"], c.id.as_str());
    assert_eq!(json["valid_through"], "2099-12-31");
    assert_eq!(json["key"]["source"], "home");

    // From a file (with its trailing newline) and from stdin.
    let file = env.scratch().join("license.txt");
    std::fs::write(&file, format!("{text}\n")).unwrap();
    let (code, _, stderr) = run(env.caio().args(["license", "verify", "--file"]).arg(&file));
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(env
        .caio()
        .args(["license", "verify", "--file", "-"])
        .write_stdin(text.as_bytes().to_vec()));
    assert_eq!(code, 0, "{stderr}");

    // An auditor with only the public key and no home.
    let untrusted = auditor.run(["license", "verify", text]);
    untrusted.code(1);
    let pem = auditor.scratch().join("vendor.pub.pem");
    std::fs::copy(keys.join("vendor.pub.pem"), &pem).unwrap();
    let given = auditor
        .cmd()
        .args(["license", "verify", text, "--public-key"])
        .arg(&pem)
        .run();
    given.code(0);
    assert!(!auditor.home().exists(), "verify never creates a home");

    // The days left to 2099-12-31 change every day.
    for env in [&env, &auditor] {
        name_days(env, &[0]);
        name_key(env, &keys, "vendor key");
        name_license(env, text, "license");
        env.filter(r"\(\d+ days left\)", "([N] days left)");
        env.filter(r#""days_left": \d+"#, "\"days_left\": [N]");
    }
    insta::assert_snapshot!("issue_and_verify", transcript([&issued, &human, &json_run]));
    insta::assert_snapshot!("verify_as_an_auditor", transcript([&untrusted, &given]));
}

#[test]
fn list_filters_by_customer_status_and_expiry() {
    let env = TestEnv::new();
    let keys = vendor(&env);
    let soon = issue(
        &env,
        &keys,
        &[
            "--customer",
            "Acme Corp",
            "--features",
            "route",
            "--expires",
            &day(10),
        ],
    );
    let later = issue(
        &env,
        &keys,
        &[
            "--customer",
            "Acme Corp",
            "--features",
            "route",
            "--expires",
            &day(200),
        ],
    );
    let gone = issue(
        &env,
        &keys,
        &[
            "--customer",
            "Globex",
            "--features",
            "route,execute",
            "--not-before",
            &day(-60),
            "--expires",
            &day(-5),
        ],
    );
    let revoked = issue(
        &env,
        &keys,
        &[
            "--customer",
            "Initech",
            "--features",
            "route",
            "--expires",
            &day(20),
        ],
    );
    let id = |text: &str| claims_of(text).id;
    let revoke = env.run([
        "license",
        "revoke",
        &id(&revoked)[..10],
        "--reason",
        "chargeback",
    ]);
    revoke.code(0);
    assert_eq!(
        revoke.stdout,
        format!("revoked license {} (Initech): chargeback\n", id(&revoked))
    );

    let ids = |args: &[&str]| -> Vec<String> {
        let (code, json) = run_json(
            env.caio()
                .args(["--format", "json", "license", "list"])
                .args(args),
        );
        assert_eq!(code, 0, "{args:?}");
        json["licenses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_string())
            .collect()
    };
    // Soonest expiry first.
    assert_eq!(ids(&[]), [id(&gone), id(&soon), id(&revoked), id(&later)]);
    assert_eq!(ids(&["--customer", "acme corp"]), [id(&soon), id(&later)]);
    assert_eq!(ids(&["--status", "expired"]), [id(&gone)]);
    assert_eq!(ids(&["--status", "revoked"]), [id(&revoked)]);
    assert_eq!(ids(&["--status", "active"]), [id(&soon), id(&later)]);
    // Renewal reminders: active licenses expiring within the window.
    assert_eq!(ids(&["--expiring-within", "30d"]), [id(&soon)]);
    assert_eq!(ids(&["--expiring-within", "2w"]), [id(&soon)]);
    assert_eq!(ids(&["--expiring-within", "365d"]), [id(&soon), id(&later)]);

    let (code, json) = run_json(env.caio().args([
        "--format",
        "json",
        "license",
        "list",
        "--customer",
        "Initech",
    ]));
    assert_eq!(code, 0);
    let l = &json["licenses"][0];
    assert_eq!(l["status"], "revoked");
    assert_eq!(l["revoke_reason"], "chargeback");
    assert_eq!(l["license"], revoked.as_str());

    let all = env.run(["license", "list"]);
    all.code(0);
    let soon_only = env.run(["license", "list", "--expiring-within", "30d"]);
    soon_only.code(0);

    // Revoking again keeps the first revocation; unknown ids are refused.
    let again = env.run(["license", "revoke", &id(&revoked), "--reason", "again"]);
    again.code(0);
    let unknown = env.run(["license", "revoke", "0123456789abcdef", "--reason", "x"]);
    unknown.code(1);

    let mut runs = vec![revoke, all, soon_only, again, unknown];
    for bad in [&["--expiring-within", "soon"][..], &["--status", "lapsed"]] {
        let run = env.cmd().args(["license", "list"]).args(bad).run();
        run.code(2);
        runs.push(run);
    }
    name_days(&env, &[-60, -5, 0, 10, 20, 200]);
    for (text, name) in [
        (&soon, "soon"),
        (&later, "later"),
        (&gone, "gone"),
        (&revoked, "revoked"),
    ] {
        name_license(&env, text, name);
    }
    env.redact(&id(&revoked)[..10], "[revoked id prefix]");
    insta::assert_snapshot!("list_and_revoke", transcript(&runs));
}

#[test]
fn issue_refuses_bad_requests() {
    let env = TestEnv::new();
    let keys = keygen(&env, "vendor");
    let key = keys.join("vendor.key");
    let mut runs = Vec::new();
    for (args, code, message) in [
        (
            &["--features", "route", "--expires", "2027-02-30"][..],
            2,
            "`2027-02-30` is not a date",
        ),
        (
            &["--features", "route", "--expires", "31/12/2027"],
            2,
            "`31/12/2027` is not a date: write a day (2027-12-31",
        ),
        (
            &["--features", "route", "--expires", "9999-12-30"],
            1,
            "9999-12-30 is out of range: the latest expiry date caio can represent is 9999-12-29",
        ),
        (
            &["--features", "route", "--expires", "2999999d"],
            1,
            "2999999 days from today is out of range",
        ),
        (
            &["--features", "teleport", "--expires", "2027-12-31"],
            2,
            "invalid value 'teleport'",
        ),
        (
            &[
                "--features",
                "route",
                "--expires",
                "2027-12-31",
                "--seats",
                "0",
            ],
            2,
            "--seats",
        ),
        (
            &[
                "--features",
                "route",
                "--expires",
                "2027-12-31",
                "--not-before",
                "2028-01-01",
            ],
            1,
            "would end (2028-01-01T00:00:00Z) before it starts",
        ),
    ] {
        let run = env
            .cmd()
            .args(["license", "issue", "--customer", "Acme", "--key"])
            .arg(&key)
            .args(args)
            .run();
        run.code(code);
        assert!(run.stdout.is_empty(), "{run}");
        assert!(says(&run.stderr, message), "{run}");
        runs.push(run);
    }
    let empty = env
        .cmd()
        .args([
            "license",
            "issue",
            "--customer",
            " ",
            "--features",
            "route",
            "--expires",
            "2030-01-01",
            "--key",
        ])
        .arg(&key)
        .run();
    empty.code(1);
    runs.push(empty);
    // Without --key, the home's keys/vendor.key.
    let homeless = env.run([
        "license",
        "issue",
        "--customer",
        "Acme",
        "--features",
        "route",
        "--expires",
        "2030-01-01",
    ]);
    homeless.code(1);
    runs.push(homeless);
    insta::assert_snapshot!("issue_refusals", transcript(&runs));
}

// ---------------------------------------------------------------------------
// The negative corpus: every refusal with its own message
// ---------------------------------------------------------------------------

#[test]
fn negative_corpus() {
    let env = TestEnv::new();
    let keys = vendor(&env);
    let key = load_key(&keys);
    let good = issue(
        &env,
        &keys,
        &[
            "--customer",
            "Acme Corp",
            "--features",
            "route",
            "--expires",
            &day(100),
        ],
    );
    assert_eq!(verify(&env, &good, &[]).0, 0);
    let (payload, signature) = parts(&good);
    let claims = claims_of(&good);
    let now = Timestamp::now();

    // One flipped bit in the payload (inside the customer name, so it is
    // still canonical JSON) and in the signature.
    let mut flipped_payload = payload.clone();
    let at = String::from_utf8_lossy(&payload).find("Acme").unwrap();
    flipped_payload[at] ^= 0x01;
    let mut flipped_signature = signature.clone();
    flipped_signature[17] ^= 0x01;

    // The same claims with keys in struct order rather than sorted.
    let non_canonical = serde_json::to_string(&claims).unwrap();
    assert!(non_canonical.starts_with("{\"v\":1"));
    let mut v2: Value = serde_json::to_value(&claims).unwrap();
    v2["v"] = 2.into();
    let stranger = VendorKey::from_seed(&[42; 32]);

    // The last signature character with its unused low bits set.
    let sig_text = good.rsplit('.').next().unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let last = sig_text.chars().last().unwrap();
    let next = alphabet
        .chars()
        .nth(alphabet.find(last).unwrap() + 1)
        .unwrap();
    let trailing_bits = format!("{}{next}", &good[..good.len() - 1]);

    let revoked = issue(
        &env,
        &keys,
        &[
            "--customer",
            "Acme Corp",
            "--features",
            "route",
            "--expires",
            &day(100),
        ],
    );
    let (code, _, _) = run(env.caio().args([
        "license",
        "revoke",
        &claims_of(&revoked).id,
        "--reason",
        "test",
    ]));
    assert_eq!(code, 0);
    let list = env.scratch().join("revocations.caio");
    let (code, stdout, stderr) = run(env
        .caio()
        .args(["license", "revocations", "--key"])
        .arg(keys.join("vendor.key")));
    assert_eq!(code, 0, "{stderr}");
    std::fs::write(&list, stdout).unwrap();

    let future = make(
        &key,
        &[Feature::Route],
        now + SignedDuration::from_hours(1),
        now,
        now + SignedDuration::from_hours(24 * 30),
    );

    // Past the 14-day grace period: within it, a license is honoured.
    let expired_message = format!("the license expired: it was valid through {}", day(-20));
    let not_yet_message = format!(
        "the license is not valid yet: it starts at {}T00:00:00Z",
        day(3)
    );
    let cases: Vec<(&str, String, Vec<String>, &str)> = vec![
        (
            "flipped payload byte",
            join(&flipped_payload, &signature),
            vec![],
            "signature does not verify with key",
        ),
        (
            "flipped signature byte",
            join(&payload, &flipped_signature),
            vec![],
            "signature does not verify with key",
        ),
        (
            "padded signature",
            format!("{good}=="),
            vec![],
            "the license's signature is padded base64",
        ),
        (
            "padded payload",
            {
                let p = BASE64URL.encode(&payload);
                let pad = if p.len() % 4 == 2 { "==" } else { "=" };
                format!("caio-lic-v1.{p}{pad}.{}", BASE64URL.encode(&signature))
            },
            vec![],
            "the license's payload is padded base64",
        ),
        (
            "standard base64 alphabet",
            format!("caio-lic-v1.+{}", &good["caio-lic-v1.".len() + 1..]),
            vec![],
            "the license's payload is not base64url: `+` at character 1",
        ),
        (
            "trailing bits",
            trailing_bits,
            vec![],
            "non-zero trailing bits",
        ),
        (
            "trailing data (another part)",
            format!("{good}.AAAA"),
            vec![],
            "trailing data after the license's signature",
        ),
        (
            "trailing data (after the signature)",
            format!("{good}AAAA"),
            vec![],
            "trailing data after the license's signature",
        ),
        (
            "short signature",
            join(&payload, &signature[..63]),
            vec![],
            "signature is 63 bytes; an Ed25519 signature is exactly 64",
        ),
        (
            "no signature",
            format!("caio-lic-v1.{}", BASE64URL.encode(&payload)),
            vec![],
            "the license has no signature part",
        ),
        (
            "wrong prefix",
            good.replacen("caio-lic-v1.", "caio-lic-v2.", 1),
            vec![],
            "not a caio license: it does not start with `caio-lic-v1.`",
        ),
        (
            "a revocation list",
            std::fs::read_to_string(&list).unwrap().trim().to_string(),
            vec![],
            "does not start with `caio-lic-v1.`",
        ),
        (
            "unknown version",
            seal(caio_core::canonical::to_jcs(&v2).unwrap().as_bytes(), &key),
            vec![],
            "unknown license version 2; this caio reads version 1",
        ),
        (
            "unknown key id",
            make(
                &stranger,
                &[Feature::Route],
                now,
                now,
                now + SignedDuration::from_hours(48),
            )
            .text,
            vec![],
            "which is not trusted here",
        ),
        (
            "non-canonical payload",
            seal(non_canonical.as_bytes(), &key),
            vec![],
            "payload is not canonical JSON (RFC 8785)",
        ),
        (
            "not JSON",
            seal(b"{\"v\":1,", &key),
            vec![],
            "payload is not JSON",
        ),
        (
            "expired",
            issue(
                &env,
                &keys,
                &[
                    "--customer",
                    "Acme Corp",
                    "--features",
                    "route",
                    "--not-before",
                    &day(-30),
                    "--expires",
                    &day(-20),
                ],
            ),
            vec![],
            &expired_message,
        ),
        (
            "not yet valid",
            issue(
                &env,
                &keys,
                &[
                    "--customer",
                    "Acme Corp",
                    "--features",
                    "route",
                    "--not-before",
                    &day(3),
                    "--expires",
                    &day(30),
                ],
            ),
            vec![],
            &not_yet_message,
        ),
        (
            "revoked",
            revoked.clone(),
            vec!["--revocations".into(), list.display().to_string()],
            "was revoked on",
        ),
        (
            "issued in the future",
            future.text.clone(),
            vec![],
            "more than 5 minutes ahead of this machine: the system clock is behind",
        ),
    ];
    let mut seen = std::collections::BTreeSet::new();
    let mut refusals = String::new();
    // A good license and a stranger's key show under a name; the crafted
    // texts that are not the good one with something added, as their case.
    name_license(&env, &good, "good");
    name_license(&env, &revoked, "revoked");
    name_key(&env, &keys, "vendor key");
    env.redact(stranger.public().key_id(), "[stranger's key]");
    env.redact(claims.id.as_str(), "[good id]");
    env.redact(future.text.as_str(), "[issued in the future]");
    env.redact(claims_of(&future.text).issued_at, "[an hour from now]");
    env.redact(claims_of(&future.text).id, "[issued in the future id]");
    name_days(&env, &[-30, -20, -2, 0, 3, 30, 100]);
    for (name, text, extra, message) in &cases {
        let named = [&good, &revoked, &future.text].contains(&text);
        if !text.starts_with(good.as_str()) && !named {
            env.redact(text.as_str(), &format!("[{name}]"));
        }
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let refused = env
            .cmd()
            .args(["license", "verify", text])
            .args(&extra)
            .run();
        refused.code(1);
        assert!(refused.stdout.is_empty(), "{refused}");
        assert!(
            says(&refused.stderr, message),
            "{name}: expected {message:?} in\n{refused}"
        );
        refusals.push_str(&format!("# {name}\n{refused}\n\n"));
        // JSON mode names the refusal kind.
        let (code, json) = run_json(
            env.caio()
                .args(["--format", "json", "license", "verify", text])
                .args(&extra),
        );
        assert_eq!(code, 1, "{name}");
        assert_eq!(json["valid"], false);
        seen.insert(json["refusal"]["kind"].as_str().unwrap().to_string());
    }
    let expected: std::collections::BTreeSet<String> = [
        "bad_signature",
        "padded",
        "not_base64url",
        "trailing_bits",
        "trailing_data",
        "signature_length",
        "no_signature",
        "wrong_prefix",
        "unknown_version",
        "unknown_key",
        "non_canonical",
        "malformed_payload",
        "expired",
        "not_yet_valid",
        "revoked",
        "clock_behind",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(seen, expected);
    // Every refusal with its own message and a help line.
    insta::assert_snapshot!("refusals", refusals);
}

// ---------------------------------------------------------------------------
// OpenSSL interoperability
// ---------------------------------------------------------------------------

fn openssl(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl is installed (`.ci/run` installs it)")
}

macro_rules! os {
    ($($a:expr),* $(,)?) => { &[$(std::ffi::OsStr::new($a)),*] };
}

#[test]
fn openssl_verifies_a_caio_license() {
    let env = TestEnv::new();
    let keys = keygen(&env, "vendor");
    let text = issue(
        &env,
        &keys,
        &[
            "--customer",
            "Acme Corp",
            "--features",
            "route,execute",
            "--expires",
            "2099-12-31",
        ],
    );
    let (payload, signature) = parts(&text);
    let dir = env.scratch();
    // What is signed: the domain line, then the payload bytes.
    let mut message = b"caio-license-v1\n".to_vec();
    message.extend_from_slice(&payload);
    std::fs::write(dir.join("message.bin"), &message).unwrap();
    std::fs::write(dir.join("signature.bin"), &signature).unwrap();
    let pem = keys.join("vendor.pub.pem");
    let out = openssl(os![
        "pkeyutl",
        "-verify",
        "-rawin",
        "-pubin",
        "-inkey",
        pem.as_os_str(),
        "-in",
        dir.join("message.bin").as_os_str(),
        "-sigfile",
        dir.join("signature.bin").as_os_str(),
    ]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("Signature Verified Successfully"), "{said}");
    // And a tampered message does not verify.
    message[20] ^= 1;
    std::fs::write(dir.join("message.bin"), &message).unwrap();
    let out = openssl(os![
        "pkeyutl",
        "-verify",
        "-rawin",
        "-pubin",
        "-inkey",
        pem.as_os_str(),
        "-in",
        dir.join("message.bin").as_os_str(),
        "-sigfile",
        dir.join("signature.bin").as_os_str(),
    ]);
    assert!(!out.status.success());
    // OpenSSL reads vendor.key too, and derives the same public key.
    let out = openssl(os![
        "pkey",
        "-in",
        keys.join("vendor.key").as_os_str(),
        "-pubout"
    ]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        std::fs::read_to_string(&pem).unwrap()
    );
}

#[cfg(unix)]
#[test]
fn caio_verifies_an_openssl_signature() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let dir = env.scratch();
    let private = dir.join("openssl.key");
    let public = dir.join("openssl.pub.pem");
    assert!(
        openssl(os![
            "genpkey",
            "-algorithm",
            "ed25519",
            "-out",
            private.as_os_str()
        ])
        .status
        .success()
    );
    assert!(
        openssl(os![
            "pkey",
            "-in",
            private.as_os_str(),
            "-pubout",
            "-out",
            public.as_os_str()
        ])
        .status
        .success()
    );
    let key = caio::app::vendor_keys::load_public_key(&public).unwrap();
    let claims = Claims {
        v: 1,
        id: "0123456789abcdef0123456789abcdef".into(),
        customer: "Signed By OpenSSL".into(),
        features: vec!["execute".into(), "route".into()],
        seats: 7,
        issued_at: "2026-01-01T00:00:00Z".into(),
        not_before: "2026-01-01T00:00:00Z".into(),
        expires_at: "2100-01-01T00:00:00Z".into(),
        key_id: key.key_id().into(),
    };
    let payload = caio_core::canonical::to_jcs(&claims).unwrap();
    let mut message = b"caio-license-v1\n".to_vec();
    message.extend_from_slice(payload.as_bytes());
    std::fs::write(dir.join("message.bin"), &message).unwrap();
    let out = openssl(os![
        "pkeyutl",
        "-sign",
        "-rawin",
        "-inkey",
        private.as_os_str(),
        "-in",
        dir.join("message.bin").as_os_str(),
        "-out",
        dir.join("signature.bin").as_os_str(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let signature = std::fs::read(dir.join("signature.bin")).unwrap();
    let text = join(payload.as_bytes(), &signature);
    let verified = env
        .cmd()
        .args(["license", "verify", &text, "--public-key"])
        .arg(&public)
        .run();
    verified.code(0);
    env.redact(text.as_str(), "[license signed by OpenSSL]");
    env.redact(key.key_id(), "[OpenSSL key]");
    env.filter(r"\(\d+ days left\)", "([N] days left)");
    insta::assert_snapshot!("verified_openssl_signature", verified);

    // caio issues with a key OpenSSL generated (once it is private).
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, stdout, stderr) = run(env
        .caio()
        .args([
            "license",
            "issue",
            "--customer",
            "Acme",
            "--features",
            "route",
            "--expires",
            "2099-12-31",
            "--key",
        ])
        .arg(&private));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(claims_of(stdout.trim()).key_id, key.key_id());
    let (code, _, stderr) = verify(
        &env,
        stdout.trim(),
        &["--public-key", public.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stderr}");
}

// ---------------------------------------------------------------------------
// Dates: end of day UTC, whatever the local time zone
// ---------------------------------------------------------------------------

const ZONES: [(&str, i32); 3] = [
    ("UTC", 0),
    ("America/Los_Angeles", -8 * 3600),
    ("Pacific/Kiritimati", 14 * 3600),
];

#[test]
fn expiry_is_the_end_of_the_day_in_utc_under_any_tz() {
    let env = TestEnv::new();
    let keys = keygen(&env, "vendor");
    for (tz, _) in ZONES {
        // The binary reads the date the same way in every zone.
        let (code, json) = run_json(
            env.caio()
                .env("TZ", tz)
                .args([
                    "--format",
                    "json",
                    "license",
                    "issue",
                    "--customer",
                    "Acme",
                    "--features",
                    "route",
                ])
                .args([
                    "--not-before",
                    "2027-01-01",
                    "--expires",
                    "2027-12-31",
                    "--key",
                ])
                .arg(keys.join("vendor.key")),
        );
        assert_eq!(code, 0, "{tz}");
        assert_eq!(json["claims"]["expires_at"], "2028-01-01T00:00:00Z", "{tz}");
        assert_eq!(json["claims"]["not_before"], "2027-01-01T00:00:00Z", "{tz}");
        assert_eq!(json["valid_through"], "2027-12-31", "{tz}");

        // The library, with an injected clock, in a process whose TZ is set
        // (this test binary again, running only `dates_under_tz_child`).
        let marker = env
            .scratch()
            .join(format!("dates-{}", tz.replace('/', "-")));
        let out = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "license::dates_under_tz_child",
                "--ignored",
                "--test-threads=1",
            ])
            .env("TZ", tz)
            .env("CAIO_TEST_DATES_MARKER", &marker)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{tz}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            std::fs::read_to_string(&marker).unwrap(),
            format!("ok {tz}")
        );
    }
}

/// Run by [`expiry_is_the_end_of_the_day_in_utc_under_any_tz`] with `TZ` set.
#[test]
#[ignore = "run by expiry_is_the_end_of_the_day_in_utc_under_any_tz, with TZ set"]
fn dates_under_tz_child() {
    let Some(marker) = std::env::var_os("CAIO_TEST_DATES_MARKER") else {
        return;
    };
    let tz = std::env::var("TZ").unwrap();
    let instant = t("2027-12-31T23:59:59Z");
    let offset = ZONES.iter().find(|(name, _)| *name == tz).unwrap().1;
    if Path::new("/usr/share/zoneinfo").is_dir() {
        // The zone really is in effect for this process.
        assert_eq!(
            jiff::tz::TimeZone::system().to_offset(instant).seconds(),
            offset,
            "{tz}"
        );
    }
    let key = VendorKey::from_seed(&[11; 32]);
    let keys = trusted(&key);
    let expires_at = caio_core::license::expiry_of(jiff::civil::date(2027, 12, 31)).unwrap();
    assert_eq!(format_time(expires_at), "2028-01-01T00:00:00Z");
    let license = make(
        &key,
        &[Feature::Route],
        t("2027-01-01T00:00:00Z"),
        caio_core::license::start_of(jiff::civil::date(2027, 1, 1)).unwrap(),
        expires_at,
    );
    let license = claims::decode(&license.text, &keys).unwrap();
    assert_eq!(license.check(t("2027-01-01T00:00:00Z"), None), Ok(()));
    assert_eq!(license.check(instant, None), Ok(()));
    assert_eq!(
        license.check(t("2028-01-01T00:00:00Z"), None),
        Err(Refusal::Expired {
            valid_through: "2027-12-31".into()
        })
    );
    assert!(matches!(
        license.check(t("2026-12-31T23:59:59Z"), None),
        Err(Refusal::NotYetValid { .. })
    ));
    std::fs::write(marker, format!("ok {tz}")).unwrap();
}

// ---------------------------------------------------------------------------
// Property: nothing but the exact signed text verifies, and nothing panics
// ---------------------------------------------------------------------------

struct Fixture {
    keys: TrustedKeys,
    text: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: std::sync::OnceLock<Fixture> = std::sync::OnceLock::new();
    FIXTURE.get_or_init(|| {
        let key = VendorKey::from_seed(&[21; 32]);
        let license = make(
            &key,
            &[Feature::Route, Feature::Execute],
            t("2026-01-01T00:00:00Z"),
            t("2026-01-01T00:00:00Z"),
            t("2100-01-01T00:00:00Z"),
        );
        Fixture {
            keys: trusted(&key),
            text: license.text,
        }
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Replace(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
    Swap(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let i = 0usize..1000;
    prop_oneof![
        (i.clone(), any::<u8>()).prop_map(|(i, b)| Mutation::Replace(i, b)),
        (
            i.clone(),
            prop::sample::select(b"AQgw-_=.+/ \n0aZ".to_vec())
        )
            .prop_map(|(i, b)| Mutation::Replace(i, b)),
        (i.clone(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        i.clone().prop_map(Mutation::Delete),
        i.clone().prop_map(Mutation::Truncate),
        (i.clone(), i).prop_map(|(a, b)| Mutation::Swap(a, b)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let n = bytes.len().max(1);
    match *m {
        Mutation::Replace(i, b) => {
            let i = i % n;
            if i < bytes.len() {
                bytes[i] = b;
            }
        }
        Mutation::Insert(i, b) => bytes.insert(i % (bytes.len() + 1), b),
        Mutation::Delete(i) => {
            if !bytes.is_empty() {
                bytes.remove(i % n);
            }
        }
        Mutation::Truncate(i) => bytes.truncate(i % n),
        Mutation::Swap(a, b) => {
            if !bytes.is_empty() {
                bytes.swap(a % n, b % n);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn arbitrary_bytes_never_verify(bytes in prop::collection::vec(any::<u8>(), 0..700)) {
        let f = fixture();
        let text = String::from_utf8_lossy(&bytes);
        prop_assert!(claims::decode(&text, &f.keys).is_err());
        let prefixed = format!("caio-lic-v1.{text}");
        prop_assert!(claims::decode(&prefixed, &f.keys).is_err());
        prop_assert!(caio_core::license::revocation::decode(&text, &f.keys).is_err());
    }

    #[test]
    fn arbitrary_base64url_bodies_never_verify(body in "[A-Za-z0-9_-]{0,400}\\.[A-Za-z0-9_-]{80,90}") {
        let f = fixture();
        let text = format!("caio-lic-v1.{body}");
        prop_assert!(claims::decode(&text, &f.keys).is_err());
    }

    #[test]
    fn mutations_of_a_valid_license_never_verify(mutations in prop::collection::vec(mutation(), 1..4)) {
        let f = fixture();
        prop_assert!(claims::decode(&f.text, &f.keys).is_ok());
        let mut bytes = f.text.as_bytes().to_vec();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let text = String::from_utf8_lossy(&bytes);
        if text != f.text {
            prop_assert!(claims::decode(&text, &f.keys).is_err(), "{text}");
        }
    }
}

// ---------------------------------------------------------------------------
// Customer side: install, revocation lists, status, enforcement of `route`
// ---------------------------------------------------------------------------

#[test]
fn enforcement_of_route_end_to_end() {
    let env = TestEnv::new();
    let mut runs = Vec::new();

    // No trusted key: nothing is gated.
    let (code, _, stderr) = route(&env);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("license"), "{stderr}");

    // A trusted key without a license: refused, with how to get one.
    let keys = vendor(&env);
    let unlicensed = route_run(&env);
    unlicensed.code(1);
    assert!(unlicensed.stdout.is_empty());
    runs.push(unlicensed);

    // A license without the `route` feature: refused.
    let execute_only = issue(
        &env,
        &keys,
        &[
            "--customer",
            "Acme",
            "--features",
            "execute",
            "--expires",
            &day(60),
        ],
    );
    let installed = env.run(["license", "install", &execute_only]);
    installed.code(0);
    runs.push(installed);
    let without_route = route_run(&env);
    without_route.code(1);
    runs.push(without_route);

    // A license with it: routes, silently.
    let valid = issue(
        &env,
        &keys,
        &[
            "--customer",
            "Acme",
            "--features",
            "route",
            "--expires",
            &day(90),
        ],
    );
    let file = env.scratch().join("acme.lic");
    std::fs::write(&file, format!("{valid}\n")).unwrap();
    let (code, _, stderr) = run(env.caio().args(["license", "install", "--file"]).arg(&file));
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = route(&env);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");

    // (`license status` lists the installed licenses newest first, by
    // second: see status_lists_the_installed_licenses_newest_first.)
    let status = env.run(["--format", "json", "license", "status"]);
    status.code(0);
    let json = status.json();
    assert_eq!(json["enforced"], true);
    assert_eq!(json["licenses"].as_array().unwrap().len(), 2);
    let row = json["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == claims_of(&valid).id.as_str())
        .unwrap();
    assert_eq!(row["state"], "valid");
    assert_eq!(row["days_left"], 91);
    assert_eq!(row["customer"], "Acme");
    assert!(json["latest_seen"].is_string());

    // Revoked through an installed revocation list: refused.
    let (code, _, _) = run(env.caio().args([
        "license",
        "revoke",
        &claims_of(&valid).id,
        "--reason",
        "test",
    ]));
    assert_eq!(code, 0);
    let publish = |name: &str| -> PathBuf {
        let (code, stdout, stderr) = run(env
            .caio()
            .args(["license", "revocations", "--key"])
            .arg(keys.join("vendor.key")));
        assert_eq!(code, 0, "{stderr}");
        let path = env.scratch().join(name);
        std::fs::write(&path, stdout).unwrap();
        path
    };
    let first = publish("rev-1.caio");
    let second = publish("rev-2.caio");
    let list = env
        .cmd()
        .args(["license", "install", "--revocations"])
        .arg(&second)
        .run();
    list.code(0);
    runs.push(list);
    let revoked = route_run(&env);
    revoked.code(1);
    runs.push(revoked);

    // An older list never replaces a newer one; the same one is a no-op.
    let older = env
        .cmd()
        .args(["license", "install", "--revocations"])
        .arg(&first)
        .run();
    older.code(1);
    runs.push(older);
    let same = env
        .cmd()
        .args(["license", "install", "--revocations"])
        .arg(&second)
        .run();
    same.code(0);
    runs.push(same);
    let (code, json) = run_json(env.caio().args(["--format", "json", "license", "status"]));
    assert_eq!(code, 0);
    assert_eq!(json["revocations"]["sequence"], 2);

    // A revoked license cannot be installed again.
    let again = env.run(["license", "install", &valid]);
    again.code(1);
    runs.push(again);

    // Expired 3 days ago: in the grace period, routes with a warning.
    let grace = issue(
        &env,
        &keys,
        &[
            "--customer",
            "Acme",
            "--features",
            "route",
            "--not-before",
            &day(-60),
            "--expires",
            &day(-4),
        ],
    );
    let in_grace = env.run(["license", "install", &grace]);
    in_grace.code(0);
    // It once said "(-3 days left)".
    assert!(!in_grace.stdout.contains("days left"), "{in_grace}");
    runs.push(in_grace);
    let warned = route_run(&env);
    warned.code(0);
    runs.push(warned);
    let grace_status = env.run(["license", "status"]);
    grace_status.code(0);
    let stdout = grace_status.stdout;
    let (_, json) = run_json(env.caio().args(["--format", "json", "license", "status"]));
    let row = json["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == claims_of(&grace).id.as_str())
        .unwrap();
    assert_eq!(row["state"], "grace");
    assert_eq!(row["expired_days_ago"], 3);
    assert_eq!(row["days_left"], 11);
    assert!(stdout.contains("list #2 issued"), "{stdout}");

    name_key(&env, &keys, "vendor key");
    name_days(&env, &[-60, -4, 0, 11, 60, 90]);
    for (text, name) in [
        (&execute_only, "execute-only"),
        (&valid, "valid"),
        (&grace, "in grace"),
    ] {
        name_license(&env, text, name);
    }
    insta::assert_snapshot!("enforcement", transcript(&runs));
}

/// `caio route` on the shipped contracts (stateless), with the test's home,
/// as a run; the decision's id is hashed over the time.
fn route_run(env: &TestEnv) -> Run {
    env.filter(r"(decision )[0-9a-f]{32}\b", "${1}[decision-id]");
    env.run([
        "route",
        "fixtures/requests/chat-balanced.json",
        "--contracts",
        "contracts",
    ])
}

/// Key rotation: a second vendor key is trusted, the first is retired with
/// `untrust`; licenses the retired key signed stop counting, and with no
/// trusted key left nothing is gated. Unknown ids are refused with the list.
#[test]
fn untrust_retires_a_vendor_key() {
    let env = TestEnv::new();
    // Trusted in this order, which is also the order of their ids: caio
    // lists keys by when they were trusted, then by id.
    let old = seeded_keygen(&env, "vendor", 2);
    let new = seeded_keygen(&env, "vendor-2026", 1);
    for keys in [&old, &new] {
        let (code, _, stderr) = run(env
            .caio()
            .args(["license", "trust"])
            .arg(keys.join("vendor.pub")));
        assert_eq!(code, 0, "{stderr}");
    }
    let old_id = load_key(&old).public().key_id().to_string();
    let new_id = load_key(&new).public().key_id().to_string();
    let licensed = |keys: &Path| {
        issue(
            &env,
            keys,
            &[
                "--customer",
                "Acme",
                "--features",
                "route",
                "--expires",
                &day(90),
            ],
        )
    };
    let old_license = licensed(&old);
    let (code, _, stderr) = run(env.caio().args(["license", "install", &old_license]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(route(&env).0, 0, "the old key's license counts");

    // A typo: refused, nothing changes, the trusted ids are listed.
    // The last digit changed: a typo, never the real id.
    let last = if old_id.ends_with('0') { '1' } else { '0' };
    let typo = format!("{}{last}", &old_id[..15]);
    let refused = env.run(["license", "untrust", &typo]);
    refused.code(1);
    assert!(
        says(&refused.stderr, &old_id) && says(&refused.stderr, &new_id),
        "{refused}"
    );
    assert_eq!(open(&env).trusted_keys().unwrap().len(), 2);

    let (code, json) = run_json(
        env.caio()
            .args(["--format", "json", "license", "untrust", &old_id]),
    );
    assert_eq!(code, 0, "{json}");
    assert_eq!(
        json,
        serde_json::json!({ "schema_version": 1, "key_id": old_id, "trusted_keys_left": 1 })
    );
    let (code, _, stderr) = route(&env);
    assert_eq!(
        code, 1,
        "the retired key's license no longer counts: {stderr}"
    );
    let (code, _, stderr) = run(env.caio().args(["license", "install", &licensed(&new)]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(route(&env).0, 0, "a license of the new key counts");

    // Retiring the last key turns enforcement off, and says so.
    let last_key = env.run(["license", "untrust", &new_id]);
    last_key.code(0);
    let (code, json) = run_json(env.caio().args(["--format", "json", "license", "status"]));
    assert_eq!(code, 0);
    assert_eq!(json["enforced"], false, "{json:#}");
    let none_left = env.run(["license", "untrust", &new_id]);
    none_left.code(1);
    insta::assert_snapshot!("untrust", transcript([&refused, &last_key, &none_left]));
}

#[test]
fn past_the_grace_period_route_is_refused() {
    let env = TestEnv::new();
    let keys = vendor(&env);
    let lapsed = issue(
        &env,
        &keys,
        &[
            "--customer",
            "Acme",
            "--features",
            "route",
            "--not-before",
            &day(-60),
            "--expires",
            &day(-21),
        ],
    );
    // `install` refuses it now …
    let install = env.run(["license", "install", &lapsed]);
    install.code(1);
    // … so put it where an install made while it was valid would have.
    let license = claims::decode(&lapsed, &trusted(&load_key(&keys))).unwrap();
    open(&env)
        .install_license(
            &license,
            Timestamp::now() - SignedDuration::from_hours(24 * 50),
        )
        .unwrap();
    let refused = route_run(&env);
    refused.code(1);
    assert!(refused.stdout.is_empty());
    let status = env.run(["license", "status"]);
    status.code(0);
    let (code, json) = run_json(env.caio().args(["--format", "json", "license", "status"]));
    assert_eq!(code, 0);
    assert_eq!(json["licenses"][0]["state"], "expired");
    name_key(&env, &keys, "vendor key");
    name_days(&env, &[-60, -50, -21, -6]);
    name_license(&env, &lapsed, "lapsed");
    insta::assert_snapshot!(
        "past_the_grace_period",
        transcript([&install, &refused, &status])
    );
}

#[test]
fn a_clock_set_back_is_reported_as_tampering() {
    let env = TestEnv::new();
    let keys = vendor(&env);
    let valid = issue(
        &env,
        &keys,
        &[
            "--customer",
            "Acme",
            "--features",
            "route",
            "--expires",
            &day(90),
        ],
    );
    assert_eq!(run(env.caio().args(["license", "install", &valid])).0, 0);
    assert_eq!(route(&env).0, 0);
    // Another run of caio saw a time two days ahead of this machine's clock.
    open(&env)
        .record_seen(Timestamp::now() + SignedDuration::from_hours(48))
        .unwrap();
    let refused = route_run(&env);
    refused.code(1);
    // The latest time seen is two days from now.
    env.filter(
        r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z",
        "[two days from now]",
    );
    insta::assert_snapshot!("clock_set_back", refused);
}

#[test]
fn install_needs_a_trusted_key_and_a_valid_license() {
    let env = TestEnv::new();
    // Trusted after the other vendor's key (seed 4), and with a larger id:
    // listed second either way.
    let keys = seeded_keygen(&env, "vendor", 3);
    let text = issue(
        &env,
        &keys,
        &[
            "--customer",
            "Acme",
            "--features",
            "route",
            "--expires",
            &day(30),
        ],
    );
    let customer = TestEnv::new();
    let mut runs = vec![customer.run(["license", "install", &text])];
    runs[0].code(1);
    // Another vendor's key does not make it valid.
    let other = seeded_keygen(&customer, "other", 4);
    assert_eq!(
        run(customer
            .caio()
            .args(["license", "trust"])
            .arg(other.join("vendor.pub.pem")))
        .0,
        0
    );
    let untrusted = customer.run(["license", "install", &text]);
    untrusted.code(1);
    runs.push(untrusted);
    // Key rotation: trusting the right key as well.
    let vendor_pub = customer.scratch().join("vendor.pub");
    std::fs::copy(keys.join("vendor.pub"), &vendor_pub).unwrap();
    let trust = customer
        .cmd()
        .args(["license", "trust"])
        .arg(&vendor_pub)
        .run();
    trust.code(0);
    let trust_again = customer
        .cmd()
        .args(["license", "trust"])
        .arg(&vendor_pub)
        .run();
    trust_again.code(0);
    let installed = customer.run(["license", "install", &text]);
    installed.code(0);
    runs.extend([trust, trust_again, installed]);
    let trailing = customer.run(["license", "install", &format!("{text}x")]);
    trailing.code(1);
    runs.push(trailing);
    // A file that is not a key.
    let not_a_key = customer
        .cmd()
        .args(["license", "trust"])
        // Relative to the repository: an absolute path would make where the
        // diagnostic wraps depend on where the repository is.
        .arg("Cargo.toml")
        .run();
    not_a_key.code(1);
    runs.push(not_a_key);
    let status = customer.run(["license", "status"]);
    status.code(0);
    assert!(status.stdout.contains("valid, 31 days left"), "{status}");
    runs.push(status);
    name_license(&customer, &text, "license");
    name_days(&customer, &[0, 30]);
    insta::assert_snapshot!("install_and_trust", transcript(&runs));
}

/// `license status` with licenses in every state, installed (through the
/// library) an hour apart, so that their order — newest first — is the
/// same on every run.
#[test]
fn status_lists_the_installed_licenses_newest_first() {
    let env = TestEnv::new();
    let keys = vendor(&env);
    let key = load_key(&keys);
    let licensed = |customer: &str, not_before: i64, expires: i64| {
        issue(
            &env,
            &keys,
            &[
                "--customer",
                customer,
                "--features",
                "route,execute",
                "--not-before",
                &day(not_before),
                "--expires",
                &day(expires),
            ],
        )
    };
    let valid = licensed("Acme", -10, 90);
    let grace = licensed("Globex", -60, -4);
    let revoked = licensed("Initech", -10, 30);
    // Whole seconds, as the store keeps them.
    let now = Timestamp::from_second(Timestamp::now().as_second()).unwrap();
    for (i, text) in [&revoked, &grace, &valid].iter().enumerate() {
        let license = claims::decode(text, &trusted(&key)).unwrap();
        let hours = 3 - i as i64;
        open(&env)
            .install_license(&license, now - SignedDuration::from_hours(hours))
            .unwrap();
    }
    let (code, _, stderr) = run(env.caio().args([
        "license",
        "revoke",
        &claims_of(&revoked).id,
        "--reason",
        "chargeback",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let list = env.scratch().join("revocations.caio");
    let published = env
        .cmd()
        .args(["license", "revocations", "--key"])
        .arg(keys.join("vendor.key"))
        .run();
    published.code(0);
    let text = published.stdout.trim().to_string();
    assert!(text.starts_with("caio-rev-v1."), "{published}");
    std::fs::write(&list, &published.stdout).unwrap();
    let installed = env
        .cmd()
        .args(["license", "install", "--revocations"])
        .arg(&list)
        .run();
    installed.code(0);
    env.redact(text, "[revocation list]");

    let human = env.run(["license", "status"]);
    human.code(0);
    let json = env.run(["--format", "json", "license", "status"]);
    json.code(0);
    let name_of = |id: &str| -> &'static str {
        let is = |text: &str| claims_of(text).id == id;
        if is(&valid) {
            "valid"
        } else if is(&grace) {
            "grace"
        } else if is(&revoked) {
            "revoked"
        } else {
            "?"
        }
    };
    let ids: Vec<&str> = json.json()["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| name_of(l["id"].as_str().unwrap()))
        .collect();
    assert_eq!(ids, ["valid", "grace", "revoked"], "newest first");
    name_key(&env, &keys, "vendor key");
    name_days(&env, &[-60, -10, -4, 0, 11, 30, 90]);
    for (text, name) in [
        (&valid, "valid"),
        (&grace, "in grace"),
        (&revoked, "revoked"),
    ] {
        name_license(&env, text, name);
    }
    // Installed one, two and three hours ago.
    for hours in 1..=3 {
        let at = caio_core::time::timestamp(now - SignedDuration::from_hours(hours));
        env.redact(at, &format!("[{hours} h ago]"));
    }
    insta::assert_snapshot!(
        "status",
        transcript([&published, &installed, &human, &json])
    );
}

#[test]
fn status_without_a_home_says_nothing_is_enforced() {
    let env = TestEnv::new();
    let human = env.run(["license", "status"]);
    human.code(0);
    let json = env.run(["--format", "json", "license", "status"]);
    json.code(0);
    assert!(!env.home().exists());
    insta::assert_snapshot!("status_without_a_home", transcript([&human, &json]));
}

/// 128 fresh random bits for a license id.
fn rand_id() -> [u8; 16] {
    let mut random = [0u8; 16];
    getrandom::fill(&mut random).unwrap();
    random
}
