//! The fuzz corpus as an ordinary test: every committed input of every
//! target in `fuzz/corpus/` goes through the same function the nightly fuzz
//! target calls (`fuzz/src/lib.rs`), on stable, in CI. An input that once
//! crashed caio stays in the corpus, so the crash stays fixed.
//!
//! Each target's corpus is replayed in a child process (this test binary,
//! running only [`replay_in_process`] for that target) with its data
//! segment capped by
//! `ulimit -d` at [`MEMORY_LIMIT_MIB`]: an input that allocates past it
//! aborts the child, which fails the test. An input that runs longer than
//! [`INPUT_TIME_LIMIT`] fails it too, and a child that hangs is killed
//! after [`TARGET_TIME_LIMIT`]. These are hang and blow-up guards, far
//! above what any input needs (the summary each child prints says how far),
//! not performance claims.

#[path = "../../fuzz/src/lib.rs"]
mod targets;

use crate::common::repo;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The data segment (heap and anonymous mappings) a target's whole replay
/// may use.
const MEMORY_LIMIT_MIB: u64 = 512;

/// The longest one input may take, in this test's unoptimised build.
const INPUT_TIME_LIMIT: Duration = Duration::from_secs(10);

/// The longest a target's whole replay may take before it is killed.
const TARGET_TIME_LIMIT: Duration = Duration::from_secs(120);

/// The variable that tells [`replay_in_process`] which target to replay.
const TARGET_VAR: &str = "CAIO_FUZZ_REPLAY_TARGET";

/// The stack of the thread an input runs on: that of a main thread (where
/// caio parses), not the 2 MiB of a test thread.
const STACK_BYTES: &str = "8388608";

/// Every file of every target's corpus runs to completion, without a panic,
/// within the time and memory limits.
#[test]
fn every_fuzz_corpus_input_is_handled_within_bounds() {
    let exe = std::env::current_exe().expect("the test binary's path");
    for target in targets::TARGETS {
        let started = Instant::now();
        let out = assert_cmd::Command::new("sh")
            .args(["-c", r#"ulimit -d "$1" && shift && exec "$@""#, "sh"])
            .arg((MEMORY_LIMIT_MIB * 1024).to_string())
            .arg(&exe)
            .args(["fuzz_corpus::replay_in_process", "--exact", "--ignored"])
            .args(["--nocapture", "--test-threads=1"])
            .env(TARGET_VAR, target.name)
            .env("RUST_MIN_STACK", STACK_BYTES)
            .timeout(TARGET_TIME_LIMIT)
            .output()
            .expect("run the replay");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        // The child names each input on stderr before it runs it: the last
        // one named is the culprit of an abort or a hang.
        let last = stderr
            .lines()
            .filter_map(|l| l.strip_prefix("input: "))
            .next_back()
            .unwrap_or("(none)");
        assert!(
            out.status.success(),
            "replaying the `{}` corpus failed ({}, after {:.1?}; the last input started: {last})\n\
             the limits: {MEMORY_LIMIT_MIB} MiB of data, {INPUT_TIME_LIMIT:?} per input, \
             {TARGET_TIME_LIMIT:?} in all\n--- stdout\n{stdout}\n--- stderr (last 4,000 bytes)\n{}",
            target.name,
            out.status,
            started.elapsed(),
            tail(&stderr, 4000),
        );
        let summary = stderr
            .lines()
            .find(|l| l.starts_with("replayed "))
            .unwrap_or_else(|| {
                panic!("the `{}` replay printed no summary:\n{stderr}", target.name)
            });
        eprintln!("{summary}");
    }
}

/// The replay itself: of the target named by [`TARGET_VAR`] (how
/// [`every_fuzz_corpus_input_is_handled_within_bounds`] runs it in a child
/// process, under its memory limit), or of every target when it is unset
/// (`cargo test -- --ignored replay_in_process`, to replay in a debugger).
#[test]
#[ignore = "run in a child process, under a memory limit, by every_fuzz_corpus_input_is_handled_within_bounds"]
fn replay_in_process() {
    let name = std::env::var(TARGET_VAR).ok();
    let chosen: Vec<_> = targets::TARGETS
        .iter()
        .filter(|t| name.as_deref().is_none_or(|n| n == t.name))
        .collect();
    assert!(!chosen.is_empty(), "no fuzz target `{name:?}`");
    for target in chosen {
        replay(target);
    }
}

/// Runs every corpus input of `target`, naming each on stderr before it
/// runs, then prints a summary line: the slowest input and the peak RSS.
fn replay(target: &targets::Target) {
    let dir = repo().join("fuzz/corpus").join(target.name);
    let inputs = corpus(&dir);
    assert!(
        !inputs.is_empty(),
        "the `{}` target has no corpus in {}",
        target.name,
        dir.display()
    );
    let mut slowest = (Duration::ZERO, PathBuf::new());
    for path in &inputs {
        let data = std::fs::read(path).expect("read a corpus file");
        assert!(
            data.len() <= target.max_len,
            "{} is {} bytes, over the `{}` target's {}-byte cap",
            path.display(),
            data.len(),
            target.name,
            target.max_len
        );
        eprintln!("input: {}", path.display());
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(|| (target.run)(&data));
        let took = started.elapsed();
        assert!(
            outcome.is_ok(),
            "the `{}` target panicked on {}",
            target.name,
            path.display()
        );
        assert!(
            took <= INPUT_TIME_LIMIT,
            "the `{}` target took {took:.1?} on {}, over {INPUT_TIME_LIMIT:?}",
            target.name,
            path.display()
        );
        if took > slowest.0 {
            slowest = (took, path.clone());
        }
    }
    let file = slowest.1.file_name().unwrap_or_default().to_string_lossy();
    eprintln!(
        "replayed {} `{}` inputs: slowest {:.1?} ({file}), peak RSS {}",
        inputs.len(),
        target.name,
        slowest.0,
        peak_rss().unwrap_or_else(|| "unknown".to_string())
    );
}

/// The files of one corpus directory, sorted.
fn corpus(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .map(|e| e.expect("read a corpus entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// This process's peak resident set size, as Linux reports it.
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.trim_start_matches("VmHWM:").trim().to_string())
}

/// The last `n` bytes of `text` (from a character boundary).
fn tail(text: &str, n: usize) -> &str {
    let mut start = text.len().saturating_sub(n);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}
