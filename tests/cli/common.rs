//! The test harness, after jj's `TestEnvironment` and just's `Test`: a fresh
//! temporary home per test, a clean environment (`env_clear()` plus the few
//! variables caio needs), a fixed terminal width and no colour.
//!
//! [`TestEnv::run`] captures stdout, stderr and the exit code of one run
//! together; its `Display` is the normalised text the snapshots hold:
//!
//! ```text
//! $ caio registry show nope
//! --- stderr
//! caio::unknown_service
//! …
//! --- exit 1
//! ```
//!
//! Normalised: the test's paths (`[HOME]` for the caio home, `[TMP]` for the
//! temporary directory holding it and the scratch files, `[REPO]` for the
//! repository), principal tokens (`[token]`), and times the clock gave
//! during the test (`[NOW]`). Nothing else is replaced unless a test asks
//! for it ([`TestEnv::redact`], [`TestEnv::filter`]) for a value that really
//! differs from run to run: a random key, a duration, a hash over a time.
//!
//! Snapshots live in `tests/cli/snapshots/`. After a change to caio's
//! output, `cargo insta test --review` (or `INSTA_UPDATE=always cargo test`
//! and `git diff`) updates them; read every changed one. With `CI=true`
//! (as `.ci/run` sets it) a mismatch or a missing snapshot fails the test
//! and nothing is written.

use assert_cmd::Command;
use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

pub struct TestEnv {
    root: tempfile::TempDir,
    filters: Arc<Mutex<Filters>>,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        let root = temp_root();
        let filters = Filters::new(root.path());
        TestEnv {
            root,
            filters: Arc::new(Mutex::new(filters)),
        }
    }

    /// The caio home of this test (not created until a command creates it).
    pub fn home(&self) -> PathBuf {
        self.root.path().join("caio-home")
    }

    /// A scratch directory for files the test writes.
    pub fn scratch(&self) -> PathBuf {
        let dir = self.root.path().join("scratch");
        std::fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    /// `caio` run from the repository root with only the variables a test needs.
    pub fn caio(&self) -> Command {
        let mut cmd = Command::cargo_bin("caio").expect("caio binary");
        cmd.current_dir(repo())
            .env_clear()
            .env("CAIO_HOME", self.home())
            .env("HOME", self.root.path())
            .env("NO_COLOR", "1")
            .env("COLUMNS", "80")
            .env("LANG", "C.UTF-8");
        cmd
    }

    /// A `caio` invocation to add arguments, variables or stdin to; `.run()`
    /// runs it.
    pub fn cmd(&self) -> Invocation<'_> {
        Invocation {
            env: self,
            cmd: self.caio(),
            args: Vec::new(),
            prefix: Vec::new(),
        }
    }

    /// Runs `caio ARGS…` and captures what it printed and its exit code.
    pub fn run<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd().args(args).run()
    }

    /// Replaces `value` with `placeholder` in this test's snapshots (a
    /// random key, a license, an id the test read from an earlier output).
    pub fn redact(&self, value: impl Into<String>, placeholder: &str) {
        let value = value.into();
        assert!(!value.is_empty(), "redacting an empty string");
        let mut filters = lock(&self.filters);
        let pattern = wrapped(&value);
        filters
            .exact
            .push((value, placeholder.to_string(), pattern));
        // Longest first, so a value is not cut by a redacted prefix of it.
        filters
            .exact
            .sort_by_key(|(v, _, _)| std::cmp::Reverse(v.len()));
    }

    /// Replaces every match of `pattern` with `replacement` (`$1` refers to
    /// a group) in this test's snapshots.
    pub fn filter(&self, pattern: &str, replacement: &str) {
        let re = regex::Regex::new(pattern).expect("a valid filter pattern");
        lock(&self.filters)
            .patterns
            .push((re, replacement.to_string()));
    }

    /// Replaces the chain hash and the decision id of every record in the
    /// home's trace with `[hash N]` and `[decision N]` (N its seq): they
    /// hash the record, which holds the time it was made. A shorter prefix
    /// of them is not replaced. Call it after the runs that made them.
    pub fn redact_trace(&self) {
        let conn = rusqlite::Connection::open(self.home().join("caio.db")).expect("caio.db");
        let rows: Vec<(i64, String, String)> = conn
            .prepare("SELECT seq, hash, decision_id FROM traces ORDER BY seq")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .expect("the trace");
        for (seq, hash, decision_id) in rows {
            // The decision id is the hash's first 32 hex digits, unless a
            // test edited the listing column.
            if hash.get(..32) != Some(decision_id.as_str()) {
                self.redact(decision_id, &format!("[decision {seq} as listed]"));
            }
            if let Some(id) = hash.get(..32) {
                self.redact(id, &format!("[decision {seq}]"));
            }
            self.redact(hash, &format!("[hash {seq}]"));
        }
    }
}

/// The temporary directory of a test. Its path has the same length on
/// every run (`/tmp/caio-test-XXXXXXXXXX` where there is a `/tmp`), so
/// that miette wraps the lines that name it at the same places and the
/// snapshots of wrapped diagnostics are stable.
fn temp_root() -> tempfile::TempDir {
    let builder = {
        let mut b = tempfile::Builder::new();
        b.prefix("caio-test-").rand_bytes(10);
        b
    };
    let fixed = Path::new("/tmp");
    if cfg!(unix)
        && fixed.is_dir()
        && let Ok(dir) = builder.tempdir_in(fixed)
    {
        return dir;
    }
    builder.tempdir().expect("temporary directory")
}

/// One `caio` invocation being built.
pub struct Invocation<'e> {
    env: &'e TestEnv,
    cmd: Command,
    /// The arguments, as the snapshot shows them.
    args: Vec<String>,
    /// `VAR=value` settings and the like, shown before `caio`.
    prefix: Vec<String>,
}

impl Invocation<'_> {
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_string_lossy().into_owned());
        self.cmd.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for arg in args {
            self = self.arg(arg);
        }
        self
    }

    /// Sets a variable (shown as `VAR=value` before `caio`).
    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        let shown = value.as_ref().to_string_lossy().into_owned();
        self.prefix.push(format!("{key}={}", shell_word(&shown)));
        self.cmd.env(key, value);
        self
    }

    /// Sets a variable without showing it (a secret, such as a database
    /// URL with its password).
    pub fn env_hidden(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.cmd.env(key, value);
        self
    }

    /// Unsets a variable the harness sets (shown as `-u VAR`).
    pub fn env_remove(mut self, key: &str) -> Self {
        self.prefix.push(format!("-u {key}"));
        self.cmd.env_remove(key);
        self
    }

    /// Runs in `dir` instead of the repository root (shown as `cd DIR &&`).
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        let shown = dir.as_ref().display().to_string();
        self.prefix
            .insert(0, format!("cd {} &&", shell_word(&shown)));
        self.cmd.current_dir(dir);
        self
    }

    /// Feeds `input` on stdin (shown as `< stdin`).
    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Self {
        self.args.push("< stdin".to_string());
        self.cmd.write_stdin(input.into());
        self
    }

    /// Kills the command after `limit` (a guard against a hang).
    pub fn timeout(mut self, limit: std::time::Duration) -> Self {
        self.cmd.timeout(limit);
        self
    }

    pub fn run(mut self) -> Run {
        let out = self.cmd.output().expect("run caio");
        let mut line = self.prefix.join(" ");
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str("caio");
        for arg in &self.args {
            line.push(' ');
            line.push_str(&if arg == "< stdin" {
                arg.clone()
            } else {
                shell_word(arg)
            });
        }
        Run {
            command: line,
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            filters: Arc::clone(&self.env.filters),
        }
    }
}

/// An argument as a shell would need it quoted.
fn shell_word(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@+%[]".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// What one run printed, and its exit code.
pub struct Run {
    /// The command line, as typed in a shell.
    command: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    filters: Arc<Mutex<Filters>>,
}

impl Run {
    /// stdout as one JSON document.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout of `{}` is not JSON ({e}):\n{}\nstderr:\n{}",
                self.command, self.stdout, self.stderr
            )
        })
    }

    /// stderr as one JSON document (a diagnostic in JSON mode).
    pub fn json_err(&self) -> serde_json::Value {
        serde_json::from_str(self.stderr.trim()).unwrap_or_else(|e| {
            panic!(
                "stderr of `{}` is not JSON ({e}):\n{}",
                self.command, self.stderr
            )
        })
    }

    /// Asserts the exit code; returns the run for more.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Run {
        assert_eq!(self.code, expected, "exit code of:\n{self}");
        self
    }

    /// Asserts exit 0 and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        self.code(0);
        &self.stdout
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let filters = lock(&self.filters);
        writeln!(f, "$ {}", filters.apply(&self.command))?;
        for (name, text) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            if text.is_empty() {
                continue;
            }
            writeln!(f, "--- {name}")?;
            let text = filters.apply(text);
            f.write_str(&text)?;
            if !text.ends_with('\n') {
                writeln!(f, "\n[no newline at the end]")?;
            }
        }
        write!(f, "--- exit {}", self.code)
    }
}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Several runs, one after the other, as one snapshot.
pub fn transcript<'a>(runs: impl IntoIterator<Item = &'a Run>) -> String {
    runs.into_iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn lock(filters: &Mutex<Filters>) -> MutexGuard<'_, Filters> {
    filters
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What the snapshots of one test replace.
struct Filters {
    /// (path, placeholder), the longest first.
    paths: Vec<(regex::Regex, &'static str)>,
    /// (value, placeholder, the value as a pattern), the longest first.
    exact: Vec<(String, String, regex::Regex)>,
    patterns: Vec<(regex::Regex, String)>,
    /// When the test began: a time from then on came from the clock.
    started: jiff::Timestamp,
}

impl Filters {
    fn new(root: &Path) -> Filters {
        let mut paths = Vec::new();
        let mut add = |path: &Path, placeholder: &'static str| {
            paths.push((path.display().to_string(), placeholder));
            if let Ok(real) = path.canonicalize()
                && real != path
            {
                paths.push((real.display().to_string(), placeholder));
            }
        };
        add(&root.join("caio-home"), "[HOME]");
        add(root, "[TMP]");
        add(repo(), "[REPO]");
        paths.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        Filters {
            paths: paths
                .into_iter()
                .map(|(path, placeholder)| (wrapped(&path), placeholder))
                .collect(),
            exact: Vec::new(),
            patterns: Vec::new(),
            // Times are written rounded to the second.
            started: jiff::Timestamp::now() - jiff::SignedDuration::from_secs(1),
        }
    }

    fn apply(&self, text: &str) -> String {
        let mut text = text.to_string();
        for (path, placeholder) in &self.paths {
            text = path.replace_all(&text, *placeholder).into_owned();
        }
        text = token_pattern().replace_all(&text, "[token]").into_owned();
        let until = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(1);
        text = time_pattern()
            .replace_all(&text, |c: &regex::Captures<'_>| {
                // Unwrapped, if miette broke the line after a `-`.
                let time: String = c[0]
                    .split('\n')
                    .map(|part| part.trim_start_matches([' ', '│']))
                    .collect();
                match time.parse::<jiff::Timestamp>() {
                    Ok(t) if self.started <= t && t <= until => "[NOW]".to_string(),
                    _ => c[0].to_string(),
                }
            })
            .into_owned();
        // After [NOW]: a test may name today's date, which a time holds.
        for (_, placeholder, pattern) in &self.exact {
            text = pattern
                .replace_all(&text, regex::NoExpand(placeholder))
                .into_owned();
        }
        for (re, replacement) in &self.patterns {
            text = re.replace_all(&text, replacement.as_str()).into_owned();
        }
        text
    }
}

/// A pattern matching `path` also where miette wrapped it: Unicode line
/// breaking may end a line after a `/` or a `-`, and the next line starts
/// with the frame (`  │ `) or the indent of a help.
fn wrapped(path: &str) -> regex::Regex {
    let mut pattern = String::new();
    for c in path.chars() {
        pattern.push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
        if c == '/' || c == '-' {
            pattern.push_str(r"(?:\n[ │]*)?");
        }
    }
    regex::Regex::new(&pattern).expect("a path pattern")
}

/// A principal token: `caio_` and 43 base64url characters.
fn token_pattern() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(r"\bcaio_[A-Za-z0-9_-]{43}\b").expect("token pattern"))
}

/// An RFC 3339 UTC time as caio writes them, also where miette wrapped
/// it after a `-`.
fn time_pattern() -> &'static regex::Regex {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        let wrap = r"(?:\n[ │]*)?";
        regex::Regex::new(&format!(
            r"\b\d{{4}}-{wrap}\d{{2}}-{wrap}\d{{2}}T\d{{2}}:\d{{2}}:\d{{2}}(\.\d+)?Z"
        ))
        .expect("time pattern")
    })
}

/// The repository root (where `contracts/`, `fixtures/` live).
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A component a test needs, as found (`None` when missing): a missing one
/// skips the test outside CI and fails it in CI (`CI` set, as `.ci/run`
/// sets it). `what` names it; `how` says how to get it.
pub fn component<T>(found: Option<T>, what: &str, how: &str) -> Option<T> {
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have {what} ({how})"
        );
        eprintln!("skipped: no {what} ({how})");
    }
    found
}

/// The Python that runs the shipped verifier scripts: `CAIO_TEST_PYTHON`,
/// with blake3 and rfc8785 installed (`.ci/run` makes one).
pub fn test_python() -> Option<std::ffi::OsString> {
    component(
        std::env::var_os("CAIO_TEST_PYTHON"),
        "CAIO_TEST_PYTHON",
        "a Python with blake3 and rfc8785",
    )
}

/// `scripts/verify-export.py FILE`, run by `python` ([`test_python`]):
/// (exit code, stdout, stderr).
pub fn verify_export(python: &OsStr, file: &Path) -> (Option<i32>, String, String) {
    let out = std::process::Command::new(python)
        .arg(repo().join("scripts/verify-export.py"))
        .arg(file)
        .output()
        .expect("run the export verifier");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// SQLite's own checks on the home's database: the file is sound and no
/// reference dangles.
pub fn assert_sound_database(home: &Path) {
    let conn = rusqlite::Connection::open(home.join("caio.db")).expect("open caio.db");
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(integrity, "ok");
    let dangling: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .expect("foreign_key_check");
    assert_eq!(dangling, 0, "rows reference rows that are not there");
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
