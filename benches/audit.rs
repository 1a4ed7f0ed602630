//! `cargo bench --bench audit`: audit queries over a large trace (SPEC §9,
//! §12: any filter over 1,000,000 records answers in ≤ 200 ms).
//!
//! The records are real route records of the shipped fixtures, varied so
//! that the filters have realistic selectivity — 500 principals in 50
//! tenants, 200 policy rules each rejecting in 1 decision of 200, the
//! shipped capabilities and outcomes — and appended through
//! `Store::append_traces` (the code `route` uses) in chunks. Each query is
//! `caio trace list …` or `caio trace stats …` end to end (process start
//! included), median of 5 runs. `CAIO_BENCH_RECORDS` sets the size.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)] // a benchmark prints its table and stops on a broken setup
#[allow(dead_code)] // generated_contracts is for the registry benches
mod support;

use serde_json::{Value, json};
use std::path::Path;
use std::time::Instant;
use support::{caio_command, fresh_dir, median, ms, run_expecting};

fn caio(home: &Path, args: &[&str]) -> std::process::Output {
    run_expecting(caio_command(home).args(args), &[0, 3])
}

fn main() {
    let n: usize = std::env::var("CAIO_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let home = fresh_dir("audit");
    caio(&home, &["registry", "add", "-q", "contracts"]);
    caio(&home, &["policy", "apply", "policies"]);
    let fixtures = [
        "chat-balanced",
        "chat-eu-confidential-pii",
        "embedding-eu-multilingual",
        "no-route-restricted-us",
        "web-search-public",
        "chain-rag-latency-bound",
    ];
    for f in fixtures {
        caio(&home, &["route", &format!("fixtures/requests/{f}.json")]);
    }
    let start = Instant::now();
    {
        let store_home = caio_store::home::Home { path: home.clone() };
        let mut store =
            caio_store::Store::open_existing(&store_home, caio_store::DEFAULT_BUSY_TIMEOUT)
                .expect("store");
        let templates: Vec<Value> = (1..=fixtures.len() as i64)
            .map(|seq| {
                let row = store.trace_by_seq(seq).expect("read").expect("record");
                serde_json::from_str(&row.record).expect("record")
            })
            .collect();
        let base: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let mut done = fixtures.len();
        while done < n {
            let take = 10_000.min(n - done);
            let chunk: Vec<caio_core::trace::Prepared> = (done..done + take)
                .map(|i| {
                    let mut r = templates[i % templates.len()].clone();
                    let principal = format!("user-{}", i % 500);
                    r["at"] = json!(caio_core::time::timestamp(
                        base + jiff::SignedDuration::from_secs(i as i64 * 30)
                    ));
                    r["decision"]["principal"] = json!(principal);
                    r["identity"] = json!({"kind": "authenticated", "principal": {
                        "name": principal, "tenant": format!("tenant-{}", i % 50),
                        "roles": ["analyst"], "trust": "high"}});
                    let step = &mut r["decision"]["steps"][0];
                    step["rejected_by_rule"][format!("rule-{}", i % 200)] = json!(1);
                    step["rejected_by_stage"]["policy"] = json!(1);
                    let record: caio_core::trace::TraceRecord =
                        serde_json::from_value(r).expect("a record");
                    caio_core::trace::Prepared::new(&record, Vec::new()).expect("jcs")
                })
                .collect();
            store.append_traces(&chunk, &[]).expect("append");
            done += take;
        }
    }
    let size = std::fs::metadata(home.join("caio.db")).map_or(0, |m| m.len())
        + std::fs::metadata(home.join("caio.db-wal")).map_or(0, |m| m.len());
    println!(
        "{n} records appended in process in {:.1} s ({:.0} MiB with the WAL)",
        start.elapsed().as_secs_f64(),
        size as f64 / 1048576.0
    );
    // Settle the write-ahead log, as a home that has been idle has.
    {
        let conn = rusqlite::Connection::open(home.join("caio.db")).expect("open");
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .expect("checkpoint");
    }
    let mid = caio_core::time::timestamp(
        "2026-01-01T00:00:00Z".parse::<jiff::Timestamp>().unwrap()
            + jiff::SignedDuration::from_secs(n as i64 * 15),
    );
    let mid_day = &mid[..10];
    let next = next_day(mid_day);
    let hour_later = caio_core::time::timestamp(
        mid.parse::<jiff::Timestamp>().unwrap() + jiff::SignedDuration::from_hours(1),
    );
    let a = |args: &[&str]| -> Vec<String> { args.iter().map(|s| s.to_string()).collect() };
    let queries: Vec<(&str, Vec<String>)> = vec![
        ("no filter (newest 50)", a(&["trace", "list"])),
        (
            "--outcome no_route",
            a(&["trace", "list", "--outcome", "no_route"]),
        ),
        (
            "--rule rule-7 (1 in 200)",
            a(&["trace", "list", "--rule", "rule-7"]),
        ),
        (
            "--rule rule-7 --tenant tenant-7 (1 in 200)",
            a(&["trace", "list", "--rule", "rule-7", "--tenant", "tenant-7"]),
        ),
        (
            "--rule rule-7 --tenant tenant-8 (none)",
            a(&["trace", "list", "--rule", "rule-7", "--tenant", "tenant-8"]),
        ),
        (
            "--principal user-42 --capability chat --since the middle day",
            a(&[
                "trace",
                "list",
                "--principal",
                "user-42",
                "--capability",
                "chat",
                "--since",
                mid_day,
            ]),
        ),
        (
            "--rule rule-7 --tenant tenant-7, one day in the middle",
            a(&[
                "trace", "list", "--rule", "rule-7", "--tenant", "tenant-7", "--since", mid_day,
                "--until", &next,
            ]),
        ),
        (
            "--rule no-such-rule",
            a(&["trace", "list", "--rule", "no-such-rule"]),
        ),
        (
            "--since/--until one hour in the middle",
            a(&["trace", "list", "--since", &mid, "--until", &hour_later]),
        ),
        (
            "stats --by outcome",
            a(&["trace", "stats", "--by", "outcome"]),
        ),
        (
            "stats --by rule --tenant tenant-3",
            a(&["trace", "stats", "--by", "rule", "--tenant", "tenant-3"]),
        ),
        (
            "stats --by tenant (every decision)",
            a(&["trace", "stats", "--by", "tenant"]),
        ),
    ];
    let floor = median(5, || {
        caio(&home, &["schema", "route"]);
    });
    println!(
        "   {:>8.1} ms  caio process start (caio schema route), for reference",
        ms(floor)
    );
    for (name, args) in &queries {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut rows = 0;
        let t = median(5, || {
            let out = caio(&home, &args);
            rows = String::from_utf8_lossy(&out.stdout)
                .lines()
                .count()
                .saturating_sub(1);
        });
        println!("   {:>8.1} ms  {name} ({rows} rows)", ms(t));
    }
    let _ = std::fs::remove_dir_all(&home);
}

fn next_day(day: &str) -> String {
    let d: jiff::civil::Date = day.parse().unwrap();
    d.tomorrow().unwrap().to_string()
}
