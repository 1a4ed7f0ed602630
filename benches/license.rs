//! `cargo bench --bench license`: `caio license verify` and `caio license
//! issue` end to end (process start, home database, key file, signature),
//! and verification in process. Reports medians.

// Only some of the shared helpers are used here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)] // a benchmark prints its table and stops on a broken setup
#[allow(dead_code)]
mod support;

use std::path::Path;
use support::{caio_command, fresh_dir, median, ms, run_ok};

const RUNS: usize = 51;

/// Runs caio with `home` and returns stdout; panics on failure.
fn caio(home: &Path, args: &[&str]) -> String {
    let out = run_ok(caio_command(home).args(args));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn main() {
    let dir = fresh_dir("license");
    let home = dir.join("home");
    let keys = dir.join("keys");
    let keys_arg = keys.to_str().expect("UTF-8 temp dir");
    let key = keys.join("vendor.key");
    let key_arg = key.to_str().expect("UTF-8 temp dir");
    let pem = keys.join("vendor.pub.pem");
    caio(&home, &["license", "keygen", "--out", keys_arg]);
    caio(
        &home,
        &[
            "license",
            "trust",
            keys.join("vendor.pub").to_str().unwrap(),
        ],
    );
    let issue_args = [
        "license",
        "issue",
        "--customer",
        "Acme Corp",
        "--features",
        "route,execute",
        "--expires",
        "2099-12-31",
        "--seats",
        "25",
        "--key",
        key_arg,
    ];
    let license = caio(&home, &issue_args).trim().to_string();
    // A sales-ops home with 1,000 licenses and 100 revocations already
    // recorded, and a customer home with the resulting list installed.
    for i in 0..1_000 {
        let text = caio(&home, &issue_args);
        if i % 10 == 0 {
            let payload = text.trim().split('.').nth(1).expect("payload");
            let claims: serde_json::Value = serde_json::from_slice(
                &base64::Engine::decode(&caio_core::principal::BASE64URL, payload).unwrap(),
            )
            .unwrap();
            let id = claims["id"].as_str().unwrap();
            caio(&home, &["license", "revoke", id, "--reason", "bench"]);
        }
    }
    let list = dir.join("revocations.caio");
    std::fs::write(
        &list,
        caio(&home, &["license", "revocations", "--key", key_arg]),
    )
    .unwrap();
    caio(
        &home,
        &[
            "license",
            "install",
            "--revocations",
            list.to_str().unwrap(),
        ],
    );

    // The end-to-end cases run interleaved, so load from other processes on
    // the machine weighs on all of them alike; `caio --version` is the floor
    // (process start).
    let no_home = dir.join("no-home");
    let pem_arg = pem.to_str().unwrap();
    let cases: [(&str, &Path, Vec<&str>); 5] = [
        (
            "process start (caio --version)",
            &no_home,
            vec!["--version"],
        ),
        (
            "verify, end to end (trusted key in the home, list of 100 installed)",
            &home,
            vec!["license", "verify", &license],
        ),
        (
            "verify --format json, end to end",
            &home,
            vec!["--format", "json", "license", "verify", &license],
        ),
        (
            "verify --public-key vendor.pub.pem, no home",
            &no_home,
            vec!["license", "verify", &license, "--public-key", pem_arg],
        ),
        (
            "issue, end to end (key file, sign, record; 1,000 on record)",
            &home,
            issue_args.to_vec(),
        ),
    ];
    let mut times: Vec<Vec<std::time::Duration>> = vec![Vec::new(); cases.len()];
    for run in 0..=RUNS {
        for (i, (_, home, args)) in cases.iter().enumerate() {
            let start = std::time::Instant::now();
            caio(home, args);
            if run > 0 {
                times[i].push(start.elapsed());
            }
        }
    }
    let trusted = caio_core::license::TrustedKeys::new([(
        caio::app::vendor_keys::load_public_key(&pem).unwrap(),
        caio_core::license::KeySource::Given,
    )]);
    let now = jiff::Timestamp::now();
    const IN_PROCESS: usize = 1_000;
    let in_process = median(RUNS, || {
        for _ in 0..IN_PROCESS {
            let l = caio_core::license::claims::decode(&license, &trusted).unwrap();
            l.check(now, None).unwrap();
        }
    });
    println!("caio license ({RUNS} runs, median):");
    for ((name, _, _), mut t) in cases.iter().zip(times) {
        t.sort();
        println!("  {name:<70} {:>6.2} ms", ms(t[t.len() / 2]));
    }
    println!(
        "  {:<70} {:>6.1} µs",
        "decode + verify_strict + dates, in process",
        in_process.as_secs_f64() * 1e6 / IN_PROCESS as f64
    );
    let _ = std::fs::remove_dir_all(&dir);
}
