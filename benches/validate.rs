//! `cargo bench --bench validate`: `caio contract validate` over 1,000
//! generated contract files (copies of the shipped contracts with fresh ids),
//! end to end (process start included) and in process. Reports medians.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const FILES: usize = 1_000;
const RUNS: usize = 15;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempdir();
    let sources = shipped_contracts(&root.join("contracts"));
    for i in 0..FILES {
        let (id, text) = &sources[i % sources.len()];
        let text = text.replacen(
            &format!("service_id: {id}"),
            &format!("service_id: {id}-{i:04}"),
            1,
        );
        std::fs::write(dir.join(format!("svc-{i:04}.yaml")), text).expect("write contract");
    }

    let bin = env!("CARGO_BIN_EXE_caio");
    let end_to_end = median(RUNS, || {
        let out = Command::new(bin)
            .args(["contract", "validate", "-q"])
            .arg(&dir)
            .output()
            .expect("run caio");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
    let in_process = median(RUNS, || {
        let run = caio::contract::validate_paths(std::slice::from_ref(&dir), &mut |_, _| {});
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

fn shipped_contracts(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("contracts/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("read contract");
            let id = text
                .lines()
                .find_map(|l| l.strip_prefix("service_id:"))
                .and_then(|rest| rest.split('#').next())
                .map(|id| id.trim().to_string())
                .expect("service_id line");
            (id, text)
        })
        .collect()
}

fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    f(); // warm the page cache and the binary
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("caio-bench-validate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
