//! Shared by the benches: generated contract files, a median timer, and
//! running caio where a failure stops the bench.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Writes `n` contracts into a fresh directory: copies of the shipped
/// contracts with unique ids.
pub fn generated_contracts(n: usize, name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = fresh_dir(name);
    let sources = shipped_contracts(&root.join("contracts"));
    for i in 0..n {
        let (id, text) = &sources[i % sources.len()];
        let text = text.replacen(
            &format!("service_id: {id}"),
            &format!("service_id: {id}-{i:05}"),
            1,
        );
        std::fs::write(dir.join(format!("svc-{i:05}.yaml")), text).expect("write contract");
    }
    dir
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

/// Median wall time of `runs` calls (after one warm-up call).
pub fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
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

/// The bench's `caio` binary with `home` as its home and plain output,
/// run from the repository (where the benches' relative paths point).
pub fn caio_command(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_caio"));
    cmd.env("CAIO_HOME", home)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Runs `cmd` (a caio command) to completion; a bench stops, with caio's
/// stderr, when it exits with a code other than `codes`.
pub fn run_expecting(cmd: &mut Command, codes: &[i32]) -> Output {
    let out = cmd.output().expect("run caio");
    assert!(
        out.status.code().is_some_and(|c| codes.contains(&c)),
        "{cmd:?} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// [`run_expecting`] exit code 0.
pub fn run_ok(cmd: &mut Command) -> Output {
    run_expecting(cmd, &[0])
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// An empty directory under the system temp dir, unique to this process.
pub fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("caio-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// `n` request lines for `route --batch`, varied (capability, tokens,
/// priority, data class, seed).
#[allow(dead_code)] // used by the routing and fleet benches, not by every bench
pub fn batch_lines(n: usize) -> String {
    let priorities = ["balanced", "cost", "latency", "quality"];
    let classes = ["public", "internal", "confidential"];
    let mut text = String::new();
    for i in 0..n {
        let capability = if i % 5 == 4 { "embedding" } else { "chat" };
        text.push_str(&format!(
            r#"{{"request_id": "r{i}", "capability": "{capability}", "input": {{"tokens": {}, "expected_output_tokens": {}}}, "data": {{"class": "{}"}}, "preferences": {{"priority": "{}"}}, "seed": {i}}}"#,
            100 + (i * 37) % 8000,
            (i * 13) % 1000,
            classes[i % classes.len()],
            priorities[i % priorities.len()],
        ));
        text.push('\n');
    }
    text
}
