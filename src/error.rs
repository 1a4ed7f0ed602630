//! caio's error type and the one table from outcome to process exit code.

use miette::Diagnostic;
use std::path::PathBuf;

/// How a `caio` process ends (SPEC §1). This is the only place exit codes are
/// defined; `--help` and the man page print [`Exit::TABLE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The command did what was asked.
    Success,
    /// The input was invalid or a check failed (invalid contract, invariant
    /// violated, license invalid, trace chain broken, authentication failed).
    Invalid,
    /// The command line could not be parsed.
    Usage,
    /// No eligible service for a route request.
    NoRoute,
    /// Execution failed on every candidate.
    ExecutionFailed,
    /// State error: database locked past the timeout, unreadable, or newer
    /// than this binary; home not usable.
    State,
}

impl Exit {
    pub const fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Invalid => 1,
            Exit::Usage => 2,
            Exit::NoRoute => 3,
            Exit::ExecutionFailed => 4,
            Exit::State => 5,
        }
    }

    /// Every exit code with its meaning, for `--help` and the man page.
    pub const ALL: [(Exit, &'static str); 6] = [
        (Exit::Success, "success"),
        (
            Exit::Invalid,
            "invalid input or failed check (contract, invariant, license, trace, auth)",
        ),
        (Exit::Usage, "usage error (bad command line)"),
        (Exit::NoRoute, "no eligible service for a route request"),
        (
            Exit::ExecutionFailed,
            "execution failed on every candidate (--execute)",
        ),
        (
            Exit::State,
            "state error: database locked, unreadable or newer than caio",
        ),
    ];

    /// The exit-code table as shown at the end of `caio --help`.
    pub fn table() -> String {
        let mut out = String::from("Exit codes:");
        for (exit, meaning) in Exit::ALL {
            out.push_str(&format!("\n  {}  {meaning}", exit.code()));
        }
        out
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e.code())
    }
}

/// Errors that end a command. Problems *inside* user files are not errors of
/// this kind: they are reported as diagnostics and end the command with
/// [`Exit::Invalid`].
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    #[error("cannot determine where caio keeps its state")]
    #[diagnostic(
        code(caio::no_home),
        help("pass --home DIR, or set CAIO_HOME, XDG_DATA_HOME or HOME")
    )]
    NoHome,

    #[error("cannot use {} as the caio home: {reason}", path.display())]
    #[diagnostic(
        code(caio::home),
        help("choose another directory with --home DIR or CAIO_HOME, or fix its permissions")
    )]
    Home { path: PathBuf, reason: String },

    #[error("cannot write {}: {reason}", path.display())]
    #[diagnostic(
        code(caio::write),
        help("check that the directory exists and is writable")
    )]
    Write { path: PathBuf, reason: String },

    #[error("cannot write to the terminal: {0}")]
    #[diagnostic(code(caio::output))]
    Output(#[source] std::io::Error),
}

impl Error {
    /// The one map from error kind to exit code.
    pub fn exit(&self) -> Exit {
        match self {
            Error::NoHome | Error::Home { .. } => Exit::State,
            Error::Write { .. } | Error::Output(_) => Exit::Invalid,
        }
    }

    /// A closed pipe on stdout (`caio … | head`) is not an error worth a report.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lists_every_code_once_in_order() {
        let codes: Vec<u8> = Exit::ALL.iter().map(|(e, _)| e.code()).collect();
        assert_eq!(codes, [0, 1, 2, 3, 4, 5]);
        let table = Exit::table();
        for (exit, meaning) in Exit::ALL {
            assert!(table.contains(&format!("  {}  {meaning}", exit.code())));
            assert!(meaning.len() + 5 <= 80, "keep help lines short: {meaning}");
        }
    }
}
