//! `cargo bench --bench validate`: `caio contract validate` over 1,000
//! generated contract files (copies of the shipped contracts with fresh ids),
//! end to end (process start included) and in process. Reports medians.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)] // a benchmark prints its table and stops on a broken setup

#[allow(dead_code)] // caio_command is for the benches that keep a home
mod support;

use std::process::Command;
use support::{generated_contracts, median, ms, run_ok};

const FILES: usize = 1_000;
const RUNS: usize = 15;

fn main() {
    let dir = generated_contracts(FILES, "validate");
    let bin = env!("CARGO_BIN_EXE_caio");
    let end_to_end = median(RUNS, || {
        run_ok(
            Command::new(bin)
                .args(["contract", "validate", "-q"])
                .arg(&dir),
        );
    });
    let in_process = median(RUNS, || {
        let run =
            caio::app::documents::validate_contracts(std::slice::from_ref(&dir), &mut |_, _| {});
        assert_eq!(run.valid(), FILES);
    });
    println!("contract validate, {FILES} files ({RUNS} runs, median):");
    println!(
        "  end to end (process start included): {:>8.1} ms",
        ms(end_to_end)
    );
    println!(
        "  in process (validate_paths):         {:>8.1} ms",
        ms(in_process)
    );
    println!(
        "  per file (in process):               {:>8.1} µs",
        in_process.as_secs_f64() * 1e6 / FILES as f64
    );
    let _ = std::fs::remove_dir_all(&dir);
}
