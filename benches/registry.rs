//! `cargo bench --bench registry`: `caio registry add` of 1,000 and 10,000
//! contracts in one call (fresh home each run), and `caio registry list`
//! over 10,000 services, end to end. Reports medians.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)] // a benchmark prints its table and stops on a broken setup

mod support;

use std::path::Path;
use support::{caio_command, fresh_dir, generated_contracts, median, ms, run_ok};

fn caio(home: &Path, args: &[&str], extra: Option<&Path>) {
    let mut cmd = caio_command(home);
    cmd.args(args);
    if let Some(p) = extra {
        cmd.arg(p);
    }
    run_ok(&mut cmd);
}

fn main() {
    for (n, runs) in [(1_000, 5), (10_000, 3)] {
        let dir = generated_contracts(n, &format!("registry-{n}"));
        let mut round = 0;
        let add = median(runs, || {
            round += 1;
            let home = fresh_dir(&format!("home-{n}-{round}"));
            caio(&home, &["registry", "add", "-q"], Some(&dir));
            let _ = std::fs::remove_dir_all(&home);
        });
        println!(
            "registry add, {n} contracts in one call ({runs} runs, median): {:>8.1} ms",
            ms(add)
        );
        if n == 10_000 {
            let home = fresh_dir("home-list");
            caio(&home, &["registry", "add", "-q"], Some(&dir));
            let list = median(5, || caio(&home, &["registry", "list"], None));
            let filtered = median(5, || {
                caio(&home, &["registry", "list", "--capability", "rerank"], None)
            });
            let size = std::fs::metadata(home.join("caio.db"))
                .map(|m| m.len())
                .unwrap_or(0);
            println!(
                "registry list, {n} services (5 runs, median):            {:>8.1} ms",
                ms(list)
            );
            println!(
                "registry list --capability rerank, {n} services:         {:>8.1} ms",
                ms(filtered)
            );
            println!(
                "caio.db size with {n} contracts: {:.1} MiB",
                size as f64 / 1048576.0
            );
            let _ = std::fs::remove_dir_all(&home);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
