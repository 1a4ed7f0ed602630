//! Reports for CI: `--format github|sarif|junit` of `contract validate`,
//! `policy validate` and `policy test`, and `verify-invariants --junit`.
//!
//! A [`Report`] is built once from what a command found — the files'
//! diagnostics ([`JsonDiagnostic`], the shape `--format json` prints),
//! policy test results, an invariants scorecard — and each format has one
//! renderer over it ([`github`], [`sarif`], [`junit`]), so the formats
//! cannot disagree about what was found.

pub mod github;
pub mod junit;
pub mod sarif;

use crate::error::Error;
use crate::ui::{Format, Ui};
use caio_core::diagnostic::{FileReport, JsonDiagnostic, Severity};
use caio_core::policy::testing::TestResult;
use caio_invariants::{Scorecard, Status};
use std::path::{Component, Path};

/// Where the documentation of caio lives: the README as published with the
/// crate. Rules of SARIF reports link to its sections.
pub const DOCS_URL: &str = "https://crates.io/crates/caio";

/// Everything one command found, in the order it found it.
#[derive(Debug, Clone)]
pub struct Report {
    /// The command, as a user types it: `caio contract validate`.
    pub command: &'static str,
    /// Every code the command can report (SARIF lists them as rules).
    pub rules: Vec<Rule>,
    /// One per file, policy test or invariant.
    pub cases: Vec<Case>,
    /// `--strict`: warnings fail too.
    pub strict: bool,
}

/// A diagnostic code and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The stable code: `contract::latency-order`.
    pub code: String,
    /// What it means, in one line.
    pub meaning: String,
    /// The README section that documents it (a heading's anchor).
    pub anchor: &'static str,
}

impl Rule {
    /// The rules of a code table, all documented in one README section.
    pub fn table(codes: &[(&str, &str)], anchor: &'static str) -> Vec<Rule> {
        codes
            .iter()
            .map(|&(code, meaning)| Rule {
                code: code.to_string(),
                meaning: meaning.to_string(),
                anchor,
            })
            .collect()
    }

    /// A code outside the command's tables (a policy test's request is
    /// checked with the `request::` codes): documented where its prefix is.
    fn other(code: &str) -> Rule {
        let anchor = match code.split("::").next() {
            Some("contract") => "validation",
            Some("policy") => "policies",
            Some("request") => "requests",
            Some("invariant") => "invariant-files",
            _ => "",
        };
        Rule {
            code: code.to_string(),
            meaning: format!("`{code}`: see the README"),
            anchor,
        }
    }

    /// The absolute URL of the documentation of this code.
    pub fn help_uri(&self) -> String {
        if self.anchor.is_empty() {
            DOCS_URL.to_string()
        } else {
            format!("{DOCS_URL}#{}", self.anchor)
        }
    }
}

/// One file, policy test or invariant: a JUnit testcase.
#[derive(Debug, Clone)]
pub struct Case {
    /// A file's path, a test's name or an invariant's id.
    pub name: String,
    /// What holds the case (JUnit `classname`): the command for files, the
    /// policy file for its tests.
    pub group: String,
    /// The file the case is about, relative to the working directory when
    /// it lies under it.
    pub file: Option<String>,
    /// What was found, errors and warnings, in order.
    pub findings: Vec<Finding>,
    /// How long the case took, when measured.
    pub duration_ms: Option<f64>,
    /// Lines shown with the case (JUnit `system-out`), such as where a
    /// counterexample was written.
    pub output: Vec<String>,
}

/// One diagnostic, with the file it is in.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The file, relative to the working directory when it lies under it.
    pub file: Option<String>,
    /// What, where in the file, and how to fix it.
    pub diagnostic: JsonDiagnostic,
}

impl Finding {
    fn is(&self, severity: Severity) -> bool {
        self.diagnostic.severity == severity
    }
}

impl Case {
    /// The errors found.
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.is(Severity::Error))
            .count()
    }

    /// The warnings found.
    pub fn warnings(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.is(Severity::Warning))
            .count()
    }

    /// Whether the case fails: an error, or under `--strict` a warning.
    pub fn fails(&self, strict: bool) -> bool {
        self.errors() > 0 || (strict && self.warnings() > 0)
    }
}

impl Report {
    /// Every finding of every case, in order.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.cases.iter().flat_map(|c| c.findings.iter())
    }

    /// The errors of every case.
    pub fn errors(&self) -> usize {
        self.cases.iter().map(Case::errors).sum()
    }

    /// The warnings of every case.
    pub fn warnings(&self) -> usize {
        self.cases.iter().map(Case::warnings).sum()
    }

    /// The command's rules, then a rule for each other code found, in
    /// order of appearance.
    pub fn all_rules(&self) -> Vec<Rule> {
        let mut rules = self.rules.clone();
        for f in self.findings() {
            if !rules.iter().any(|r| r.code == f.diagnostic.code) {
                rules.push(Rule::other(&f.diagnostic.code));
            }
        }
        rules
    }

    /// The cases that fail.
    pub fn failed(&self) -> usize {
        self.cases.iter().filter(|c| c.fails(self.strict)).count()
    }

    /// Whether the command succeeds: no case fails.
    pub fn passed(&self) -> bool {
        self.failed() == 0
    }

    /// One case per file (`contract validate`, `policy validate`).
    pub fn files<'a>(
        command: &'static str,
        rules: Vec<Rule>,
        reports: impl IntoIterator<Item = &'a FileReport>,
        strict: bool,
        cwd: Option<&Path>,
    ) -> Report {
        Report {
            command,
            rules,
            cases: reports
                .into_iter()
                .map(|r| file_case(command, r, cwd))
                .collect(),
            strict,
        }
    }

    /// `policy test`: one case per file with problems (an invalid file's
    /// tests cannot run), then one per test; a failed test is a
    /// [`TEST_FAILED`](caio_core::policy::testing::TEST_FAILED) error at
    /// its `name`.
    pub fn policy_tests<'a>(
        rules: Vec<Rule>,
        files: impl IntoIterator<Item = &'a FileReport>,
        tests: &[TestResult],
        strict: bool,
        cwd: Option<&Path>,
    ) -> Report {
        const COMMAND: &str = "caio policy test";
        let mut cases: Vec<Case> = files
            .into_iter()
            .filter(|r| !r.problems.is_empty())
            .map(|r| file_case(COMMAND, r, cwd))
            .collect();
        for test in tests {
            let file = relative(&test.file, cwd);
            let (code, _) = caio_core::policy::testing::TEST_FAILED;
            let findings = test
                .failures
                .iter()
                .map(|failure| Finding {
                    file: Some(file.clone()),
                    diagnostic: JsonDiagnostic {
                        severity: Severity::Error,
                        code: code.to_string(),
                        message: format!("test `{}`: {failure}", test.name),
                        line: Some(test.line),
                        column: Some(test.column),
                        help: Some(
                            "fix the rules or the test's `expect`; `caio policy test --format json` shows which rules fired"
                                .to_string(),
                        ),
                    },
                })
                .collect();
            cases.push(Case {
                name: test.name.clone(),
                group: file.clone(),
                file: Some(file),
                findings,
                duration_ms: None,
                output: Vec::new(),
            });
        }
        Report {
            command: COMMAND,
            rules,
            cases,
            strict,
        }
    }

    /// `verify-invariants`: one case per invariant; a violation is an
    /// `invariant::violated` error.
    pub fn scorecard(scorecard: &Scorecard) -> Report {
        let cases = scorecard
            .invariants
            .iter()
            .map(|e| {
                let mut output = vec![format!("trials: {}", e.trials)];
                if let Some(median) = e.median_ms {
                    output.push(format!("median: {median} ms"));
                }
                let mut findings = Vec::new();
                if let Some(v) = e.violation.as_ref().filter(|_| e.result == Status::Fail) {
                    findings.push(Finding {
                        file: None,
                        diagnostic: JsonDiagnostic {
                            severity: Severity::Error,
                            code: VIOLATED.0.to_string(),
                            message: format!(
                                "{} {} violated at trial {} (seed {}): {}",
                                e.id, e.title, v.trial, scorecard.seed, v.message
                            ),
                            line: None,
                            column: None,
                            help: Some(format!(
                                "reproduce with `caio verify-invariants --seed {} --only {}`",
                                scorecard.seed, e.id
                            )),
                        },
                    });
                    if let Some(dir) = &v.counterexample {
                        output.push(format!("counterexample: {dir}"));
                    }
                }
                Case {
                    name: format!("{} {}", e.id, e.title),
                    group: "caio verify-invariants".to_string(),
                    file: None,
                    findings,
                    duration_ms: Some(e.duration_ms),
                    output,
                }
            })
            .collect();
        Report {
            command: "caio verify-invariants",
            rules: Rule::table(&[VIOLATED], "reading-a-counterexample"),
            cases,
            strict: false,
        }
    }

    /// Errors and warnings, counted apart, as the summaries say them:
    /// `1 error, 2 warnings`.
    pub fn counts(&self) -> String {
        format!(
            "{} error{}, {} warning{}",
            self.errors(),
            if self.errors() == 1 { "" } else { "s" },
            self.warnings(),
            if self.warnings() == 1 { "" } else { "s" },
        )
    }
}

/// Prints a report in a CI format on stdout, and `summary` on stderr
/// (silenced by `-q`: the report itself carries every count).
pub fn print(report: &Report, format: Format, summary: &str, ui: &mut Ui) -> Result<(), Error> {
    let cwd = working_directory();
    match format {
        Format::Github => ui.raw(&github::render(report))?,
        Format::Sarif => ui.foreign_json(&sarif::log(report, cwd.as_deref()))?,
        Format::Junit => ui.raw(&junit::render(report))?,
        // The human and JSON reports are the commands' own.
        Format::Human | Format::Json | Format::Html => return Ok(()),
    }
    ui.status(summary);
    Ok(())
}

/// The working directory, which report paths are relative to.
pub fn working_directory() -> Option<std::path::PathBuf> {
    std::env::current_dir().ok()
}

/// The code of an invariant that does not hold.
pub const VIOLATED: (&str, &str) = (
    "invariant::violated",
    "an invariant does not hold on a generated scenario",
);

fn file_case(command: &'static str, report: &FileReport, cwd: Option<&Path>) -> Case {
    let file = relative(&report.path, cwd);
    Case {
        name: file.clone(),
        group: command.to_string(),
        findings: report
            .json_diagnostics()
            .into_iter()
            .map(|diagnostic| Finding {
                file: Some(file.clone()),
                diagnostic,
            })
            .collect(),
        file: Some(file),
        duration_ms: None,
        output: Vec::new(),
    }
}

/// A path as CI tools want it: relative to the working directory (where
/// the checkout is) when it lies under it, without `./`; other paths as
/// given.
pub fn relative(path: &str, cwd: Option<&Path>) -> String {
    let p = Path::new(path);
    let p = match cwd {
        Some(cwd) if p.is_absolute() => p.strip_prefix(cwd).unwrap_or(p),
        _ => p,
    };
    let parts: Vec<String> = p
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        return path.to_string();
    }
    if p.is_absolute() {
        // `RootDir` renders as "/"; join the rest below it.
        return format!("/{}", parts[1..].join("/"));
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_relative_to_the_working_directory() {
        let cwd = Path::new("/work/repo");
        assert_eq!(
            relative("/work/repo/contracts/a.yaml", Some(cwd)),
            "contracts/a.yaml"
        );
        assert_eq!(
            relative("./contracts//a.yaml", Some(cwd)),
            "contracts/a.yaml"
        );
        assert_eq!(
            relative("/elsewhere/a.yaml", Some(cwd)),
            "/elsewhere/a.yaml"
        );
        assert_eq!(relative("../a.yaml", Some(cwd)), "../a.yaml");
        assert_eq!(relative("<stdin>", None), "<stdin>");
    }
}
