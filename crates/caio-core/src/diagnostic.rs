//! Problems found in a user's file, with a stable code and a span, and the
//! per-file report that carries them to the renderers.

use crate::yaml::{LineIndex, Span};
use serde::Serialize;
use std::sync::Arc;

/// How much a problem matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file is invalid.
    Error,
    /// Worth fixing; the file stays valid (unless `--strict`).
    Warning,
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Stable, documented code such as `contract::latency-order`.
    pub code: String,
    /// Whether the problem makes the file invalid.
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where in the file; `len == 0` points at a position.
    pub span: Span,
    /// Short text under the underline.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Spans whose text must never be shown (literal secrets).
    pub(crate) redact: bool,
}

impl Problem {
    /// An error with the given code, span and message, labelled "here", without help.
    pub fn error(code: String, span: Span, message: impl Into<String>) -> Self {
        let message = message.into();
        Problem {
            code,
            severity: Severity::Error,
            label: String::from("here"),
            message,
            span,
            help: None,
            redact: false,
        }
    }

    pub(crate) fn warning(code: String, span: Span, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(code, span, message)
        }
    }

    /// Replaces the text under the underline.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Adds how to fix it.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Marks the span as a secret: the snippet shows it masked.
    pub(crate) fn redacted(mut self) -> Self {
        self.redact = true;
        self
    }
}

/// Everything found in one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The path as the user gave it (or as found under a directory they gave).
    pub path: String,
    /// The file text with every secret span masked; what snippets are cut from.
    pub text: Arc<String>,
    /// The problems, ordered by position (then code and message), without duplicates.
    pub problems: Vec<Problem>,
}

/// Many files checked in one run (contracts, policy sets): each file's
/// report with what was read from it.
#[derive(Debug, Clone)]
pub struct FileRun<F> {
    /// One entry per file, in the order given.
    pub files: Vec<F>,
}

impl<F: AsRef<FileReport>> FileRun<F> {
    /// How many files have no error.
    pub fn valid(&self) -> usize {
        self.files.iter().filter(|f| f.as_ref().is_valid()).count()
    }

    /// How many files have at least one error.
    pub fn invalid(&self) -> usize {
        self.files.len() - self.valid()
    }

    /// Whether no file has an error.
    pub fn all_valid(&self) -> bool {
        self.invalid() == 0
    }
}

/// A problem located in a file, in the shape of `--format json` output:
/// what every machine-readable report (JSON, GitHub, SARIF, JUnit) is
/// made from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JsonDiagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The stable code, such as `contract::latency-order`.
    pub code: String,
    /// What is wrong, in one sentence.
    pub message: String,
    /// 1-based line; `None` when the problem has no position (an unreadable path).
    pub line: Option<usize>,
    /// 1-based column, in characters; `None` with `line`.
    pub column: Option<usize>,
    /// How to fix it.
    pub help: Option<String>,
}

impl FileReport {
    /// A report on `path`, whose `text` is shown with the spans of redacted problems
    /// masked; problems are sorted and deduplicated.
    pub fn new(path: String, text: String, problems: Vec<Problem>) -> Self {
        FileReport::with_secrets(path, text, problems, Vec::new())
    }

    /// A report whose text also hides `secrets` (byte ranges of values that
    /// must never be shown, wherever a snippet is cut), besides the spans of
    /// redacted problems.
    pub(crate) fn with_secrets(
        path: String,
        text: String,
        mut problems: Vec<Problem>,
        mut secrets: Vec<std::ops::Range<usize>>,
    ) -> Self {
        problems.sort_by(|a, b| {
            (a.span.offset, &a.code, &a.message).cmp(&(b.span.offset, &b.code, &b.message))
        });
        problems.dedup();
        secrets.extend(
            problems
                .iter()
                .filter(|p| p.redact)
                .map(|p| p.span.offset..p.span.offset + p.span.len),
        );
        let text = mask(text, &secrets);
        FileReport {
            path,
            text: Arc::new(text),
            problems,
        }
    }

    /// Valid when nothing of error severity was found.
    pub fn is_valid(&self) -> bool {
        self.problems.iter().all(|p| p.severity != Severity::Error)
    }

    /// The problems as `--format json` prints them, with 1-based lines and columns.
    pub fn json_diagnostics(&self) -> Vec<JsonDiagnostic> {
        let index = LineIndex::new(&self.text);
        self.problems
            .iter()
            .map(|p| {
                let position = (!self.text.is_empty()).then(|| index.line_col(p.span.offset));
                JsonDiagnostic {
                    severity: p.severity,
                    code: p.code.clone(),
                    message: p.message.clone(),
                    line: position.map(|(line, _)| line),
                    column: position.map(|(_, column)| column),
                    help: p.help.clone(),
                }
            })
            .collect()
    }

    /// 1-based line and column of a problem.
    pub fn position(&self, problem: &Problem) -> (usize, usize) {
        LineIndex::new(&self.text).line_col(problem.span.offset)
    }
}

/// Replaces the bytes of every secret range with `*`, keeping offsets intact.
fn mask(text: String, secrets: &[std::ops::Range<usize>]) -> String {
    if secrets.is_empty() {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        let secret = secrets.iter().any(|r| r.contains(&i));
        if secret && !c.is_whitespace() && c != '"' && c != '\'' {
            // One `*` per byte, so every other span stays valid.
            out.extend(std::iter::repeat_n('*', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_hides_the_secret_and_keeps_offsets() {
        let text = "env: sk-12345é\nnext: 1\n".to_string();
        let p = Problem::error("x::y".into(), Span::new(5, 10), "secret").redacted();
        let report = FileReport::new("f".into(), text.clone(), vec![p]);
        assert!(!report.text.contains("sk-"));
        assert_eq!(report.text.len(), text.len());
        assert!(report.text.ends_with("\nnext: 1\n"));
    }

    #[test]
    fn problems_sorted_by_position() {
        let a = Problem::error("c::b".into(), Span::new(9, 1), "b");
        let b = Problem::error("c::a".into(), Span::new(2, 1), "a");
        let r = FileReport::new("f".into(), "0123456789\n".into(), vec![a, b]);
        assert_eq!(r.problems[0].code, "c::a");
        assert_eq!(r.json_diagnostics()[1].column, Some(10));
    }
}
