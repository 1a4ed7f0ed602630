//! The test harness: a fresh temporary home per test, a clean environment,
//! fixed terminal width, no colour.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub struct TestEnv {
    home: tempfile::TempDir,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        TestEnv {
            home: tempfile::tempdir().expect("temporary directory"),
        }
    }

    /// The caio home of this test (not created until a command creates it).
    pub fn home(&self) -> PathBuf {
        self.home.path().join("caio-home")
    }

    /// A scratch directory for files the test writes.
    pub fn scratch(&self) -> PathBuf {
        let dir = self.home.path().join("scratch");
        std::fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    /// `caio` run from the repository root with only the variables a test needs.
    pub fn caio(&self) -> Command {
        let mut cmd = Command::cargo_bin("caio").expect("caio binary");
        cmd.current_dir(repo())
            .env_clear()
            .env("CAIO_HOME", self.home())
            .env("HOME", self.home.path())
            .env("NO_COLOR", "1")
            .env("COLUMNS", "80")
            .env("LANG", "C.UTF-8");
        cmd
    }
}

/// The repository root (where `contracts/`, `fixtures/` live).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs a command and returns (exit code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("run caio");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs a command that prints JSON on stdout and parses it.
pub fn run_json(cmd: &mut Command) -> (i32, serde_json::Value) {
    let (code, stdout, stderr) = run(cmd);
    let value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{stdout}\nstderr:\n{stderr}"));
    (code, value)
}

/// Makes a FIFO at `path` with the system's `mkfifo`; false when there is no
/// `mkfifo` (the caller skips its test). A FIFO opened for reading blocks
/// until a writer comes, so the commands a test runs on one carry
/// [`HANG_GUARD`]: a regression fails the test instead of hanging the suite.
pub fn mkfifo(path: &Path) -> bool {
    match std::process::Command::new("mkfifo").arg(path).status() {
        Ok(status) => {
            assert!(status.success(), "mkfifo {} failed", path.display());
            true
        }
        Err(e) => {
            eprintln!("skipped: no mkfifo ({e})");
            false
        }
    }
}

/// How long a command that must not block may run before it is killed.
pub const HANG_GUARD: std::time::Duration = std::time::Duration::from_secs(60);
