//! The whole licence lifecycle from the sales-ops and the customer side
//! (SPEC §10): keys in the home, dates in every form, one spelling per
//! customer, renewal, `show`, `uninstall`, grace reported the same
//! everywhere, the revocation-list guard and the prefix rules of ids.

use crate::common::TestEnv;
use jiff::{Timestamp, ToSpan};
use serde_json::Value;

/// Today plus `days` (UTC), as `--expires` takes a day.
fn day(days: i64) -> String {
    Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .checked_add(days.days())
        .unwrap()
        .to_string()
}

/// Whether `stderr` says `expected`, wherever miette wrapped the lines.
fn says(stderr: &str, expected: &str) -> bool {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace() && !"│×╭╰─┬·▲".contains(*c))
            .collect()
    };
    squash(stderr).contains(&squash(expected))
}

/// `caio --format json license issue ARGS…` with the home's key.
fn issue(env: &TestEnv, args: &[&str]) -> Value {
    let run = env
        .cmd()
        .args(["--format", "json", "license", "issue"])
        .args(args)
        .run();
    run.code(0);
    run.json()
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn keygen_writes_into_the_private_home_and_issue_records_its_name() {
    let env = TestEnv::new();
    let run = env.run(["license", "keygen", "--name", "Acme Sales"]);
    run.code(0);
    let keys = env.home().join("keys");
    assert!(keys.join("vendor.key").is_file(), "{run}");
    assert_eq!(mode(&env.home()), 0o700);
    assert_eq!(mode(&keys), 0o700);
    assert_eq!(mode(&keys.join("vendor.key")), 0o600);
    assert!(run.stdout.contains("name              Acme Sales"), "{run}");

    // `issue` finds the key without --key and records who issued.
    let doc = issue(
        &env,
        &[
            "--customer",
            "Globex",
            "--features",
            "route",
            "--expires",
            "30d",
        ],
    );
    assert_eq!(doc["issued_by"], "Acme Sales");
    let list = env
        .cmd()
        .args(["--format", "json", "license", "list"])
        .run();
    assert_eq!(list.json()["licenses"][0]["issued_by"], "Acme Sales");

    // A second keygen refuses to overwrite; --out makes a private directory.
    let again = env.run(["license", "keygen"]);
    again.code(1);
    assert!(says(&again.stderr, "vendor.key already exists"), "{again}");
    let out = env.scratch().join("new/keys");
    env.cmd()
        .args(["license", "keygen", "--out"])
        .arg(&out)
        .run()
        .code(0);
    assert_eq!(mode(&out), 0o700);
    // Without a name or a user, licenses name the key.
    let fresh = TestEnv::new();
    fresh.run(["license", "keygen"]).code(0);
    let doc = issue(
        &fresh,
        &["--customer", "X", "--features", "route", "--expires", "1d"],
    );
    let key_id = doc["claims"]["key_id"].as_str().unwrap();
    assert_eq!(doc["issued_by"], format!("key {key_id}"));
}

#[test]
fn dates_are_days_instants_or_days_from_today_and_out_of_range_is_clear() {
    let env = TestEnv::new();
    env.run(["license", "keygen"]).code(0);
    let through = |expires: &str| -> (String, String) {
        let doc = issue(
            &env,
            &[
                "--customer",
                "Acme",
                "--features",
                "route",
                "--expires",
                expires,
            ],
        );
        (
            doc["valid_through"].as_str().unwrap().to_string(),
            doc["claims"]["expires_at"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(through("30d").0, day(30));
    assert_eq!(through("+30d").0, day(30));
    assert_eq!(through("2w").0, day(14));
    assert_eq!(through("2031-06-30").0, "2031-06-30");
    assert_eq!(
        through("2031-06-30T12:00:00+02:00").1,
        "2031-06-30T10:00:00Z"
    );
    let doc = issue(
        &env,
        &[
            "--customer",
            "Acme",
            "--features",
            "route",
            "--not-before",
            "7d",
            "--expires",
            "30d",
        ],
    );
    assert_eq!(doc["claims"]["not_before"], format!("{}T00:00:00Z", day(7)));

    for (expires, code, message) in [
        (
            "9999-12-30",
            1,
            "9999-12-30 is out of range: the latest expiry date caio can represent is 9999-12-29",
        ),
        ("2999999d", 1, "2999999 days from today is out of range"),
        ("99999999999999999999999d", 2, "is out of range"),
        ("next year", 2, "`next year` is not a date: write a day"),
    ] {
        let run = env
            .cmd()
            .args([
                "license",
                "issue",
                "--customer",
                "Acme",
                "--features",
                "route",
            ])
            .args(["--expires", expires])
            .run();
        run.code(code);
        assert!(says(&run.stderr, message), "{run}");
        assert!(!run.stderr.contains("overflow"), "{run}");
    }
}

#[test]
fn a_customer_is_matched_case_insensitively_and_keeps_its_spelling() {
    let env = TestEnv::new();
    env.run(["license", "keygen"]).code(0);
    issue(
        &env,
        &[
            "--customer",
            "Acme Corp",
            "--features",
            "route",
            "--expires",
            "30d",
        ],
    );
    let run = env
        .cmd()
        .args([
            "--format",
            "json",
            "license",
            "issue",
            "--customer",
            "ACME corp",
        ])
        .args(["--features", "route", "--expires", "60d"])
        .run();
    run.code(0);
    assert_eq!(run.json()["claims"]["customer"], "Acme Corp");
    assert!(
        says(
            &run.stderr,
            "customer `ACME corp` is on record as `Acme Corp`"
        ),
        "{run}"
    );
    let list = env
        .cmd()
        .args([
            "--format",
            "json",
            "license",
            "list",
            "--customer",
            "acme CORP",
        ])
        .run()
        .json();
    assert_eq!(list["licenses"].as_array().unwrap().len(), 2);
}

#[test]
fn renew_links_a_new_license_to_the_old_and_show_tells_the_history() {
    let env = TestEnv::new();
    env.run(["license", "keygen", "--name", "Sales"]).code(0);
    let old = issue(
        &env,
        &[
            "--customer",
            "Initech",
            "--features",
            "route,execute",
            "--seats",
            "5",
            "--expires",
            "10d",
        ],
    );
    let old_id = old["claims"]["id"].as_str().unwrap().to_string();

    let renewed = env
        .cmd()
        .args([
            "--format",
            "json",
            "license",
            "renew",
            &old_id[..8],
            "--expires",
            "+365d",
        ])
        .run();
    renewed.code(0);
    let new = renewed.json();
    let new_id = new["claims"]["id"].as_str().unwrap().to_string();
    assert_eq!(new["renews"], old_id.as_str());
    assert_eq!(new["claims"]["customer"], "Initech");
    assert_eq!(
        new["claims"]["features"],
        serde_json::json!(["execute", "route"])
    );
    assert_eq!(new["claims"]["seats"], 5);
    assert_eq!(new["valid_through"], day(365));

    // Features and seats can change on renewal.
    let changed = env
        .cmd()
        .args(["--format", "json", "license", "renew", &new_id])
        .args(["--expires", "400d", "--features", "route", "--seats", "2"])
        .run()
        .json();
    assert_eq!(changed["claims"]["features"], serde_json::json!(["route"]));
    assert_eq!(changed["claims"]["seats"], 2);

    // `show` by id: claims, status and history (issued, renewed).
    let shown = env.run(["license", "show", &old_id]);
    shown.code(0);
    for expected in [
        "customer   Initech",
        // Through the end of the 10th day from now: 11 started days.
        "status     valid, 11 days left",
        "(the home's keys/vendor.pub)",
        "issued by Sales: to Initech",
        &format!("renewed by Sales: as {new_id} (valid through {})", day(365)),
    ] {
        assert!(shown.stdout.contains(expected), "{expected} in:\n{shown}");
    }
    let doc = env
        .cmd()
        .args(["--format", "json", "license", "show", &new_id[..10]])
        .run()
        .json();
    assert_eq!(doc["renews"], old_id.as_str());
    assert_eq!(doc["state"], "valid");
    assert_eq!(doc["signature"]["verified"], true);
    assert_eq!(doc["history"][0]["event"], "issued");
    assert_eq!(doc["history"][0]["detail"], format!("renewing {old_id}"));
    assert_eq!(doc["history"][1]["event"], "renewed");

    // By text, the same license; revoked, the history says so and it is
    // not renewed.
    let text = old["license"].as_str().unwrap();
    env.run([
        "license",
        "revoke",
        &old_id,
        "--reason",
        "merged into renewal",
    ])
    .code(0);
    let doc = env
        .cmd()
        .args(["--format", "json", "license", "show", text])
        .run()
        .json();
    assert_eq!(doc["state"], "revoked");
    assert_eq!(
        doc["history"].as_array().unwrap().last().unwrap()["event"],
        "revoked"
    );
    let refused = env.run(["license", "renew", &old_id, "--expires", "30d"]);
    refused.code(1);
    assert!(
        says(&refused.stderr, "a revoked license is not renewed"),
        "{refused}"
    );

    // A license from another vendor: its claims, its signature not checked.
    let other = TestEnv::new();
    other.run(["license", "keygen"]).code(0);
    let foreign = issue(
        &other,
        &[
            "--customer",
            "Umbrella",
            "--features",
            "route",
            "--expires",
            "5d",
        ],
    );
    let shown = env.run(["license", "show", foreign["license"].as_str().unwrap()]);
    shown.code(0);
    assert!(
        shown.stdout.contains("customer   Umbrella")
            && shown
                .stdout
                .contains("signature  not checked: the license is signed by key")
            && shown.stdout.contains("not issued from this home"),
        "{shown}"
    );
}

#[test]
fn license_ids_take_a_full_id_or_a_prefix_of_8_and_say_so() {
    let env = TestEnv::new();
    env.run(["license", "keygen"]).code(0);
    let doc = issue(
        &env,
        &[
            "--customer",
            "Acme",
            "--features",
            "route",
            "--expires",
            "30d",
        ],
    );
    let id = doc["claims"]["id"].as_str().unwrap();
    for (given, message) in [
        (&id[..7], "a prefix needs at least 8 characters"),
        ("not-hex!", "a license id is 32 hex characters"),
        ("ffffffffffffffff", "no issued license `ffffffffffffffff`"),
    ] {
        let run = env.run(["license", "revoke", given, "--reason", "x"]);
        run.code(1);
        assert!(says(&run.stderr, message), "{given}: {run}");
        assert!(
            says(&run.stderr, "a prefix of at least 8") || says(&run.stderr, "license list"),
            "{run}"
        );
    }
    // Any case, 8 characters: enough.
    let run = env.run([
        "license",
        "revoke",
        &id[..8].to_ascii_uppercase(),
        "--reason",
        "test",
    ]);
    run.code(0);
    assert!(run.stdout.contains(id), "{run}");
    let help = env.run(["license", "revoke", "--help"]);
    assert!(
        says(
            &help.stdout,
            "or a unique prefix of at least 8 of its 32 hex characters"
        ),
        "{help}"
    );
}

#[test]
fn revocations_refuse_to_restart_the_sequence_without_history() {
    let vendor = TestEnv::new();
    vendor.run(["license", "keygen"]).code(0);
    let key = vendor.home().join("keys/vendor.key");
    issue(
        &vendor,
        &[
            "--customer",
            "Acme",
            "--features",
            "route",
            "--expires",
            "30d",
        ],
    );
    for expected in ["1", "2"] {
        let doc = vendor
            .cmd()
            .args(["--format", "json", "license", "revocations"])
            .run()
            .json();
        assert_eq!(doc["sequence"].to_string(), expected);
    }

    // Another home with the same key but none of its history.
    let other = TestEnv::new();
    let refused = other
        .cmd()
        .args(["license", "revocations", "--key"])
        .arg(&key)
        .run();
    refused.code(1);
    assert!(refused.stdout.is_empty(), "{refused}");
    assert!(
        says(
            &refused.stderr,
            "has never issued a license or a revocation list with key"
        ) && says(&refused.stderr, "the list would be #1")
            && says(&refused.stderr, "--sequence N"),
        "{refused}"
    );
    // An explicit sequence goes on from the customers' latest list.
    let doc = other
        .cmd()
        .args([
            "--format",
            "json",
            "license",
            "revocations",
            "--sequence",
            "3",
            "--key",
        ])
        .arg(&key)
        .run()
        .json();
    assert_eq!(doc["sequence"], 3);
    let lower = other
        .cmd()
        .args(["license", "revocations", "--sequence", "3", "--key"])
        .arg(&key)
        .run();
    lower.code(1);
    assert!(
        says(
            &lower.stderr,
            "revocation list #3 would not be newer than list #3"
        ),
        "{lower}"
    );
    // Now it has history with the key: the next list follows.
    let doc = other
        .cmd()
        .args(["--format", "json", "license", "revocations", "--key"])
        .arg(&key)
        .run()
        .json();
    assert_eq!(doc["sequence"], 4);
}

/// verify, install, route and status all say "expired — in grace until …"
/// for a license within its grace period, and all honour it.
#[test]
fn grace_is_reported_the_same_everywhere() {
    let vendor = TestEnv::new();
    vendor.run(["license", "keygen"]).code(0);
    let doc = issue(
        &vendor,
        &[
            "--customer",
            "Acme",
            "--features",
            "route",
            "--not-before",
            &day(-30),
            "--expires",
            &day(-4),
        ],
    );
    let license = doc["license"].as_str().unwrap();
    let grace = format!("expired — in grace until {}T00:00:00Z", day(11));

    let customer = TestEnv::new();
    customer
        .cmd()
        .args(["license", "trust"])
        .arg(vendor.home().join("keys/vendor.pub"))
        .run()
        .code(0);
    let verify = customer.run(["license", "verify", license]);
    verify.code(0);
    assert!(
        verify.stdout.contains(&grace) && verify.stderr.contains(&grace),
        "{verify}"
    );
    let json = customer
        .cmd()
        .args(["--format", "json", "license", "verify", license])
        .run();
    json.code(0);
    assert_eq!(json.json()["state"], "grace");
    assert_eq!(json.json()["grace_ends"], format!("{}T00:00:00Z", day(11)));

    let install = customer.run(["license", "install", license]);
    install.code(0);
    assert!(
        install.stdout.contains(&grace) && install.stderr.contains(&grace),
        "{install}"
    );

    let request = customer.scratch().join("chat.json");
    std::fs::write(&request, r#"{"capability": "chat"}"#).unwrap();
    let route = customer
        .cmd()
        .arg("route")
        .arg(&request)
        .args(["--contracts", "contracts"])
        .run();
    route.code(0);
    assert!(route.stderr.contains(&grace), "{route}");

    let status = customer.run(["license", "status"]);
    status.code(0);
    assert!(status.stdout.contains(&grace), "{status}");

    // The vendor's list says it too.
    let list = vendor.run(["license", "list"]);
    assert!(list.stdout.contains(&grace), "{list}");
}

#[test]
fn uninstall_removes_one_or_every_installed_license() {
    let vendor = TestEnv::new();
    vendor.run(["license", "keygen"]).code(0);
    let a = issue(
        &vendor,
        &[
            "--customer",
            "Acme",
            "--features",
            "route",
            "--expires",
            "30d",
        ],
    );
    let b = issue(
        &vendor,
        &[
            "--customer",
            "Acme",
            "--features",
            "route",
            "--expires",
            "60d",
        ],
    );
    let customer = TestEnv::new();
    customer
        .cmd()
        .args(["license", "trust"])
        .arg(vendor.home().join("keys/vendor.pub"))
        .run()
        .code(0);
    for doc in [&a, &b] {
        customer
            .run(["license", "install", doc["license"].as_str().unwrap()])
            .code(0);
    }
    let a_id = a["claims"]["id"].as_str().unwrap();
    let one = customer
        .cmd()
        .args(["--format", "json", "license", "uninstall", &a_id[..8]])
        .run();
    one.code(0);
    assert_eq!(one.json()["uninstalled"], serde_json::json!([a_id]));
    assert_eq!(one.json()["installed_left"], 1);
    let unknown = customer.run(["license", "uninstall", a_id]);
    unknown.code(1);
    assert!(says(&unknown.stderr, "no installed license"), "{unknown}");

    let all = customer.run(["license", "uninstall"]);
    all.code(0);
    assert!(
        all.stdout.contains(&format!(
            "uninstalled license {}",
            b["claims"]["id"].as_str().unwrap()
        )),
        "{all}"
    );
    assert!(
        says(
            &all.stderr,
            "no license is installed now: licensed commands (`caio route`) refuse"
        ),
        "{all}"
    );
    let request = customer.scratch().join("chat.json");
    std::fs::write(&request, r#"{"capability": "chat"}"#).unwrap();
    let route = customer
        .cmd()
        .arg("route")
        .arg(&request)
        .args(["--contracts", "contracts"])
        .run();
    route.code(1);
    assert!(says(&route.stderr, "no license is installed"), "{route}");
    let nothing = customer.run(["license", "uninstall"]);
    nothing.code(0);
    assert_eq!(nothing.stdout, "no license is installed\n");
}
