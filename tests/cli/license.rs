//! `caio license …` end to end (SPEC §10): keys, issuing and recording,
//! verification and its refusals, OpenSSL interoperability, dates under
//! several time zones, revocation lists, installation and enforcement of
//! `caio route`. Tests that need another clock than the binary's use the
//! library with an injected time.

use crate::common::{HANG_GUARD, TestEnv, mkfifo, repo, run, run_json};
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
    let (code, stdout, stderr) = run(env.caio().args(["license", "keygen", "--out"]).arg(&dir));
    assert_eq!(code, 1, "{stderr}");
    assert!(says(&stderr, "vendor.key already exists"), "{stderr}");
    assert!(says(&stderr, "never overwrites"), "{stderr}");
    assert!(!stdout.contains(&body) && !stderr.contains(&body));
    assert_eq!(std::fs::read_to_string(&private).unwrap(), pem, "unchanged");
}

#[cfg(unix)]
#[test]
fn a_private_key_readable_by_others_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    let keys = keygen(&env, "vendor");
    let private = keys.join("vendor.key");
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o644)).unwrap();
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
        let (code, stdout, stderr) = run(env
            .caio()
            .arg("license")
            .args(args)
            .arg("--key")
            .arg(&private));
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(stdout.is_empty());
        assert!(
            says(&stderr, "mode 644 lets other users read it"),
            "{stderr}"
        );
        assert!(says(&stderr, "chmod 600"), "{stderr}");
    }
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
            let (code, stdout, stderr) = run(env
                .caio()
                .arg("license")
                .args(args)
                .arg("--key")
                .arg(&key)
                .timeout(HANG_GUARD));
            assert_eq!(code, 1, "{key:?} {args:?}: {stderr}");
            assert!(stdout.is_empty(), "{stdout}");
            for text in &expected {
                assert!(says(&stderr, text), "{key:?}: {stderr}");
            }
            assert!(!says(&stderr, "chmod"), "{key:?}: {stderr}");
            assert!(!says(&stderr, "lets other users"), "{key:?}: {stderr}");
        }
    }
}

// ---------------------------------------------------------------------------
// Issue, verify, list, revoke
// ---------------------------------------------------------------------------

#[test]
fn issue_records_and_verify_shows_the_claims() {
    let env = TestEnv::new();
    let keys = vendor(&env);
    let (code, stdout, stderr) = run(env
        .caio()
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
        .arg(keys.join("vendor.key")));
    assert_eq!(code, 0, "{stderr}");
    let text = stdout.trim();
    assert!(text.starts_with("caio-lic-v1."), "{stdout}");
    assert!(says(&stderr, "recorded in"), "{stderr}");
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

    let (code, stdout, stderr) = verify(&env, text, &[]);
    assert_eq!(code, 0, "{stderr}");
    for expected in [
        "status         valid",
        "customer       Acme Corp",
        "features       execute, route",
        "seats          25",
        "valid through  2099-12-31 (",
        "(trusted in the home)",
    ] {
        assert!(stdout.contains(expected), "{expected}: {stdout}");
    }
    let (code, json) = run_json(
        env.caio()
            .args(["--format", "json", "license", "verify", text]),
    );
    assert_eq!(code, 0);
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
    let auditor = TestEnv::new();
    let (code, _, stderr) = verify(&auditor, text, &[]);
    assert_eq!(code, 1);
    assert!(says(&stderr, "no trusted vendor key"), "{stderr}");
    let pem = keys.join("vendor.pub.pem");
    let (code, stdout, stderr) = verify(&auditor, text, &["--public-key", pem.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("(given with --public-key)"), "{stdout}");
    assert!(!auditor.home().exists(), "verify never creates a home");
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
    let (code, stdout, stderr) = run(env.caio().args([
        "license",
        "revoke",
        &id(&revoked)[..10],
        "--reason",
        "chargeback",
    ]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains(&format!(
            "revoked license {} (Initech): chargeback",
            id(&revoked)
        )),
        "{stdout}"
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

    let (code, stdout, _) = run(env
        .caio()
        .args(["license", "list", "--expiring-within", "30d"]));
    assert_eq!(code, 0);
    let header = stdout.lines().next().unwrap();
    assert!(
        header.starts_with("ID")
            && header.contains("VALID THROUGH")
            && header.contains("DAYS LEFT"),
        "{stdout}"
    );
    assert!(stdout.contains(&day(10)), "{stdout}");

    // Revoking again keeps the first revocation; unknown ids are refused.
    let (code, stdout, _) =
        run(env
            .caio()
            .args(["license", "revoke", &id(&revoked), "--reason", "again"]));
    assert_eq!(code, 0);
    assert!(
        stdout.contains("already revoked") && stdout.contains("chargeback"),
        "{stdout}"
    );
    let (code, _, stderr) =
        run(env
            .caio()
            .args(["license", "revoke", "0123456789abcdef", "--reason", "x"]));
    assert_eq!(code, 1);
    assert!(
        says(&stderr, "no issued license `0123456789abcdef`"),
        "{stderr}"
    );

    for bad in [&["--expiring-within", "soon"][..], &["--status", "lapsed"]] {
        let (code, _, _) = run(env.caio().args(["license", "list"]).args(bad));
        assert_eq!(code, 2, "{bad:?}");
    }
}

#[test]
fn issue_refuses_bad_requests() {
    let env = TestEnv::new();
    let keys = keygen(&env, "vendor");
    let key = keys.join("vendor.key");
    for (args, code, message) in [
        (
            &["--features", "route", "--expires", "2027-02-30"][..],
            2,
            "is not a date like 2027-12-31",
        ),
        (
            &["--features", "route", "--expires", "31/12/2027"],
            2,
            "is not a date like 2027-12-31",
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
        let (got, stdout, stderr) = run(env
            .caio()
            .args(["license", "issue", "--customer", "Acme", "--key"])
            .arg(&key)
            .args(args));
        assert_eq!(got, code, "{args:?}: {stderr}");
        assert!(stdout.is_empty());
        assert!(says(&stderr, message), "{args:?}: {stderr}");
    }
    let (code, _, stderr) = run(env
        .caio()
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
        .arg(&key));
    assert_eq!(code, 1);
    assert!(says(&stderr, "customer name is empty"), "{stderr}");
    // Without --key, the home's keys/vendor.key.
    let (code, _, stderr) = run(env.caio().args([
        "license",
        "issue",
        "--customer",
        "Acme",
        "--features",
        "route",
        "--expires",
        "2030-01-01",
    ]));
    assert_eq!(code, 1);
    assert!(says(&stderr, "keys/vendor.key"), "{stderr}");
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

    let expired_message = format!("the license expired: it was valid through {}", day(-2));
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
                    &day(-2),
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
    for (name, text, extra, message) in &cases {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = verify(&env, text, &extra);
        assert_eq!(code, 1, "{name}: {stderr}");
        assert!(stdout.is_empty(), "{name}: {stdout}");
        assert!(
            says(&stderr, message),
            "{name}: expected {message:?} in\n{stderr}"
        );
        assert!(
            stderr.contains("help:"),
            "{name}: every refusal has a help line: {stderr}"
        );
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
    let (code, stdout, stderr) = verify(&env, &text, &["--public-key", public.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Signed By OpenSSL"), "{stdout}");

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

    // No trusted key: nothing is gated.
    let (code, _, stderr) = route(&env);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("license"), "{stderr}");

    // A trusted key without a license: refused, with how to get one.
    let keys = vendor(&env);
    let (code, stdout, stderr) = route(&env);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        says(&stderr, "`route` needs a license: no license is installed"),
        "{stderr}"
    );
    assert!(says(&stderr, "caio license install"), "{stderr}");

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
            &day(90),
        ],
    );
    let (code, stdout, stderr) = run(env.caio().args(["license", "install", &execute_only]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("installed license"), "{stdout}");
    let (code, _, stderr) = route(&env);
    assert_eq!(code, 1);
    assert!(
        says(&stderr, "does not include `route` (it grants: execute)"),
        "{stderr}"
    );

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

    let (code, json) = run_json(env.caio().args(["--format", "json", "license", "status"]));
    assert_eq!(code, 0);
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
    let (code, stdout, stderr) = run(env
        .caio()
        .args(["license", "install", "--revocations"])
        .arg(&second));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("installed revocation list #2 (1 revoked)"),
        "{stdout}"
    );
    let (code, _, stderr) = route(&env);
    assert_eq!(code, 1);
    assert!(
        says(
            &stderr,
            &format!("the license {} was revoked on", claims_of(&valid).id)
        ),
        "{stderr}"
    );
    assert!(says(&stderr, "(revocation list #2)"), "{stderr}");

    // An older list never replaces a newer one; the same one is a no-op.
    let (code, _, stderr) = run(env
        .caio()
        .args(["license", "install", "--revocations"])
        .arg(&first));
    assert_eq!(code, 1);
    assert!(
        says(
            &stderr,
            "revocation list #1 is not newer than the installed list #2"
        ),
        "{stderr}"
    );
    let (code, stdout, _) = run(env
        .caio()
        .args(["license", "install", "--revocations"])
        .arg(&second));
    assert_eq!(code, 0);
    assert!(stdout.contains("already installed"), "{stdout}");
    let (code, json) = run_json(env.caio().args(["--format", "json", "license", "status"]));
    assert_eq!(code, 0);
    assert_eq!(json["revocations"]["sequence"], 2);

    // A revoked license cannot be installed again.
    let (code, _, stderr) = run(env.caio().args(["license", "install", &valid]));
    assert_eq!(code, 1);
    assert!(says(&stderr, "was revoked on"), "{stderr}");

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
    let (code, stdout, stderr) = run(env.caio().args(["license", "install", &grace]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        says(&stderr, "honoured during the grace period"),
        "{stderr}"
    );
    // It once said "(-3 days left)".
    assert!(
        stdout.contains(&format!(
            "valid through {} (expired 3 days ago, in the grace period until {}T00:00:00Z)",
            day(-4),
            day(11)
        )),
        "{stdout}"
    );
    assert!(!stdout.contains("days left"), "{stdout}");
    let (code, _, stderr) = route(&env);
    assert_eq!(code, 0, "{stderr}");
    assert!(says(&stderr, "warning:"), "{stderr}");
    assert!(
        says(&stderr, &format!("valid through {}", day(-4))),
        "{stderr}"
    );
    assert!(says(&stderr, "grace period, which ends on"), "{stderr}");
    assert!(says(&stderr, "(11 days left)"), "{stderr}");
    assert!(says(&stderr, "caio license install"), "{stderr}");
    let (code, stdout, _) = run(env.caio().args(["license", "status"]));
    assert_eq!(code, 0);
    assert!(
        stdout.contains("expired 3 days ago, in the grace period until"),
        "{stdout}"
    );
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
}

/// Key rotation: a second vendor key is trusted, the first is retired with
/// `untrust`; licenses the retired key signed stop counting, and with no
/// trusted key left nothing is gated. Unknown ids are refused with the list.
#[test]
fn untrust_retires_a_vendor_key() {
    let env = TestEnv::new();
    let old = vendor(&env);
    let new = keygen(&env, "vendor-2026");
    let (code, _, stderr) = run(env
        .caio()
        .args(["license", "trust"])
        .arg(new.join("vendor.pub")));
    assert_eq!(code, 0, "{stderr}");
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
    let (code, _, stderr) = run(env.caio().args(["license", "untrust", &typo]));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        says(&stderr, &format!("no trusted vendor key `{typo}`")),
        "{stderr}"
    );
    assert!(says(&stderr, &old_id) && says(&stderr, &new_id), "{stderr}");
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
    let (code, stdout, stderr) = run(env.caio().args(["license", "untrust", &new_id]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains(&format!("vendor key {new_id} is no longer trusted")),
        "{stdout}"
    );
    assert!(says(&stderr, "licenses are no longer enforced"), "{stderr}");
    let (code, json) = run_json(env.caio().args(["--format", "json", "license", "status"]));
    assert_eq!(code, 0);
    assert_eq!(json["enforced"], false, "{json:#}");
    let (code, _, stderr) = run(env.caio().args(["license", "untrust", &new_id]));
    assert_eq!(code, 1);
    assert!(says(&stderr, "this home trusts no vendor key"), "{stderr}");
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
    let (code, _, stderr) = run(env.caio().args(["license", "install", &lapsed]));
    assert_eq!(code, 1);
    assert!(
        says(
            &stderr,
            &format!("the license expired: it was valid through {}", day(-21))
        ),
        "{stderr}"
    );
    // … so put it where an install made while it was valid would have.
    let license = claims::decode(&lapsed, &trusted(&load_key(&keys))).unwrap();
    open(&env)
        .install_license(
            &license,
            Timestamp::now() - SignedDuration::from_hours(24 * 50),
        )
        .unwrap();
    let (code, stdout, stderr) = route(&env);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        says(
            &stderr,
            &format!(
                "expired (valid through {}) and its 14-day grace period ended on {}",
                day(-21),
                day(-6)
            )
        ),
        "{stderr}"
    );
    assert!(
        says(&stderr, "ask your vendor for a license (or a renewal)"),
        "{stderr}"
    );
    assert!(says(&stderr, "caio license install <LICENSE>"), "{stderr}");
    let (code, json) = run_json(env.caio().args(["--format", "json", "license", "status"]));
    assert_eq!(code, 0);
    assert_eq!(json["licenses"][0]["state"], "expired");
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
    let (code, _, stderr) = route(&env);
    assert_eq!(code, 1);
    assert!(
        says(
            &stderr,
            "more than 24 hours behind the latest time caio has seen"
        ),
        "{stderr}"
    );
    assert!(says(&stderr, "the clock was set back"), "{stderr}");
}

#[test]
fn install_needs_a_trusted_key_and_a_valid_license() {
    let env = TestEnv::new();
    let keys = keygen(&env, "vendor");
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
    let (code, _, stderr) = run(customer.caio().args(["license", "install", &text]));
    assert_eq!(code, 1);
    assert!(says(&stderr, "no trusted vendor key"), "{stderr}");
    // Another vendor's key does not make it valid.
    let other = keygen(&customer, "other");
    assert_eq!(
        run(customer
            .caio()
            .args(["license", "trust"])
            .arg(other.join("vendor.pub.pem")))
        .0,
        0
    );
    let (code, _, stderr) = run(customer.caio().args(["license", "install", &text]));
    assert_eq!(code, 1);
    assert!(says(&stderr, "which is not trusted here"), "{stderr}");
    // Key rotation: trusting the right key as well.
    let (code, stdout, _) = run(customer
        .caio()
        .args(["license", "trust"])
        .arg(keys.join("vendor.pub")));
    assert_eq!(code, 0);
    assert!(stdout.contains("trusted vendor key"), "{stdout}");
    let (code, stdout, _) = run(customer
        .caio()
        .args(["license", "trust"])
        .arg(keys.join("vendor.pub")));
    assert_eq!(code, 0);
    assert!(stdout.contains("already trusted"), "{stdout}");
    let (code, _, stderr) = run(customer.caio().args(["license", "install", &text]));
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(customer
        .caio()
        .args(["license", "install", &format!("{text}x")]));
    assert_eq!(code, 1);
    assert!(says(&stderr, "trailing data"), "{stderr}");
    // A file that is not a key.
    let (code, _, stderr) = run(customer
        .caio()
        .args(["license", "trust"])
        .arg(repo().join("Cargo.toml")));
    assert_eq!(code, 1);
    assert!(says(&stderr, "cannot use the public key"), "{stderr}");
    let (code, stdout, _) = run(customer.caio().args(["license", "status"]));
    assert_eq!(code, 0);
    assert!(stdout.contains("valid, 31 days left"), "{stdout}");
}

#[test]
fn status_without_a_home_says_nothing_is_enforced() {
    let env = TestEnv::new();
    let (code, stdout, stderr) = run(env.caio().args(["license", "status"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("off: no trusted vendor key"), "{stdout}");
    assert!(stdout.contains("none installed"), "{stdout}");
    assert!(!env.home().exists());
}

/// 128 fresh random bits for a license id.
fn rand_id() -> [u8; 16] {
    let mut random = [0u8; 16];
    getrandom::fill(&mut random).unwrap();
    random
}
