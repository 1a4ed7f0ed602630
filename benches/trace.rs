//! `cargo bench --bench trace`: the cost of the decision trace.
//!
//! 1. the append overhead of one `caio route` (registry of the shipped
//!    contracts and policies): `route` against `route --dry-run`, medians;
//! 2. database growth per record, for that route's record;
//! 3. `caio trace verify` of 1,000,000 records end to end (SPEC §12: ≤ 5 s).
//!    The records are real route records (the shipped web-search request,
//!    one candidate, referencing its candidate-set object) appended through
//!    `Store::append_traces` in chunks, so the chain, its objects and its
//!    audit index are built by the same code `route` uses.
//!
//! `CAIO_BENCH_RECORDS` sets the size of 3. With `CAIO_BENCH_BASELINE` set
//! to another `caio` binary (an earlier build), 3 runs it and this build in
//! turn on the same records, so that both see the same machine load.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)] // a benchmark prints its table and stops on a broken setup
#[allow(dead_code)] // generated_contracts is for the registry benches
mod support;

use std::path::Path;
use std::process::Command;
use std::time::Instant;
use support::{caio_command, fresh_dir, median, ms, run_expecting, run_ok};

fn caio(home: &Path, args: &[&str]) -> std::process::Output {
    run_expecting(caio_command(home).args(args), &[0, 3])
}

/// The size of the data: the WAL is checkpointed into caio.db first (it
/// holds page images, not growth).
fn db_size(home: &Path) -> u64 {
    let conn = rusqlite::Connection::open(home.join("caio.db")).expect("open");
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
    drop(conn);
    std::fs::metadata(home.join("caio.db")).map_or(0, |m| m.len())
}

fn main() {
    let home = fresh_dir("trace-route");
    caio(&home, &["registry", "add", "-q", "contracts"]);
    caio(&home, &["policy", "apply", "policies"]);
    let request = "fixtures/requests/chat-cost-priority.json";
    let dry = median(31, || {
        caio(&home, &["route", "--dry-run", request]);
    });
    let traced = median(31, || {
        caio(&home, &["route", request]);
    });
    println!("1. `caio route` on the shipped registry (31 runs, median):");
    println!("   {:>8.2} ms  route --dry-run (no trace)", ms(dry));
    println!("   {:>8.2} ms  route (one record appended)", ms(traced));
    println!(
        "   {:>8.2} ms  append overhead per route",
        ms(traced.saturating_sub(dry))
    );

    let before = db_size(&home);
    for _ in 0..200 {
        caio(&home, &["route", request]);
    }
    let after = db_size(&home);
    println!(
        "2. database growth: {:.1} KiB per record (chat request, 8 candidates)",
        (after.saturating_sub(before)) as f64 / 200.0 / 1024.0
    );
    let _ = std::fs::remove_dir_all(&home);

    // 3. A million records.
    let home = fresh_dir("trace-verify");
    caio(&home, &["registry", "add", "-q", "contracts"]);
    caio(
        &home,
        &["route", "fixtures/requests/web-search-public.json"],
    );
    let n: usize = std::env::var("CAIO_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let start = Instant::now();
    {
        let store_home = caio_store::home::Home { path: home.clone() };
        let mut store =
            caio_store::Store::open_existing(&store_home, caio_store::DEFAULT_BUSY_TIMEOUT)
                .expect("store");
        let row = store.trace_by_seq(1).expect("read").expect("record 1");
        let record: caio_core::trace::TraceRecord =
            serde_json::from_str(&row.record).expect("record");
        let chunk: Vec<caio_core::trace::Prepared> = (0..10_000)
            .map(|_| caio_core::trace::Prepared::new(&record, Vec::new()).expect("jcs"))
            .collect();
        let mut done = 1;
        while done < n {
            let take = chunk.len().min(n - done);
            store.append_traces(&chunk[..take], &[]).expect("append");
            done += take;
        }
    }
    let bytes = db_size(&home);
    println!(
        "3. {n} records appended in process in {:.1} s ({:.0} MiB, {:.2} KiB per record)",
        start.elapsed().as_secs_f64(),
        bytes as f64 / 1048576.0,
        bytes as f64 / n as f64 / 1024.0
    );
    let runs = 5;
    let load = || {
        std::fs::read_to_string("/proc/loadavg")
            .map(|l| l.split_whitespace().next().unwrap_or("?").to_string())
            .unwrap_or_else(|_| "?".into())
    };
    let verify = |bin: &Path| {
        let start = Instant::now();
        run_ok(
            Command::new(bin)
                .args(["trace", "verify"])
                .env("CAIO_HOME", &home)
                .env("NO_COLOR", "1"),
        );
        start.elapsed()
    };
    let this = Path::new(env!("CARGO_BIN_EXE_caio"));
    let baseline = std::env::var_os("CAIO_BENCH_BASELINE").map(std::path::PathBuf::from);
    let mut bins: Vec<(&str, &Path)> = vec![("this build", this)];
    if let Some(b) = &baseline {
        bins.push(("baseline", b));
    }
    for (_, bin) in &bins {
        verify(bin);
    }
    let mut times: Vec<Vec<std::time::Duration>> = vec![Vec::new(); bins.len()];
    let before = load();
    for _ in 0..runs {
        for (i, (_, bin)) in bins.iter().enumerate() {
            times[i].push(verify(bin));
        }
    }
    for ((name, _), mut t) in bins.iter().zip(times) {
        t.sort();
        println!(
            "   {:>8.2} s   caio trace verify of {n} records, {name} ({runs} runs alternating, median; min {:.2} s, max {:.2} s; goal ≤ 5 s) = {:.0} records/s",
            t[runs / 2].as_secs_f64(),
            t[0].as_secs_f64(),
            t[runs - 1].as_secs_f64(),
            n as f64 / t[runs / 2].as_secs_f64()
        );
    }
    println!("   load average {before} before, {} after", load());
    if std::env::var_os("CAIO_BENCH_KEEP").is_some() {
        println!("   the home is kept: {}", home.display());
        return;
    }
    let _ = std::fs::remove_dir_all(&home);
}
