//! `caio policy validate|test|apply|show`.

use super::contract::FileJson;
use super::report::{self, Report, Rule};
use super::{CheckArgs, GlobalArgs, open_store, open_store_existing, resolve_home};
use crate::app::documents;
use crate::error::{Error, Exit};
use crate::ui::{Format, Schema, Ui};
use caio_core::policy::load::PolicyRun;
use caio_core::policy::{Effect, paths, testing};
use clap::Subcommand;
use serde::Serialize;
use std::path::PathBuf;

/// The attribute table, for `policy validate --help`.
fn attributes_help() -> String {
    let mut out = String::from(
        "Conditions map attribute paths to a value (equality) or to operators: in, not_in, \
contains, contains_any, contains_all, subset_of, lt, lte, gt, gte, exists; several keys are \
ANDed; any: [...], all: [...] and not: {...} nest.\n\nAttributes:\n",
    );
    for p in paths::PATHS {
        out.push_str(&format!("  {:<40} {}\n", p.path, p.doc));
    }
    out
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Check policy files and directories; exit 1 if any is invalid
    #[command(after_long_help = attributes_help())]
    Validate {
        /// Files or directories (recursive *.yaml, *.yml); `-` reads one policy file from stdin
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,

        #[command(flatten)]
        check: CheckArgs,
    },

    /// Run the `tests:` blocks of policy files; exit 1 on any failure
    #[command(
        after_help = "Each test evaluates the rules of its own file for one request, principal \
and service, and compares the rules that fired with `expect`."
    )]
    Test {
        /// Files or directories (recursive *.yaml, *.yml); `-` reads one policy file from stdin
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Fail when the files hold no test at all
        #[arg(long)]
        fail_on_empty: bool,

        #[command(flatten)]
        check: CheckArgs,
    },

    /// Validate policy files and install them as the home's active policy set
    #[command(
        after_help = "All or nothing: one invalid file installs nothing. Every installed set is \
kept by content hash, so past decisions can be replayed. Registry-mode routing always applies \
the installed set."
    )]
    Apply {
        /// Files or directories (recursive *.yaml, *.yml); together one set
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },

    /// Print the active policy set and its hash
    Show,
}

pub fn run(cmd: PolicyCommand, global: &GlobalArgs, ui: &mut Ui) -> Result<Exit, Error> {
    match cmd {
        PolicyCommand::Validate { paths, check } => validate(&paths, &check, ui),
        PolicyCommand::Test {
            paths,
            fail_on_empty,
            check,
        } => test(&paths, fail_on_empty, &check, ui),
        PolicyCommand::Apply { paths } => apply(&paths, global, ui),
        PolicyCommand::Show => show(global, ui),
    }
}

#[derive(Serialize)]
struct ValidateJson {
    files: Vec<FileJson>,
    valid: usize,
    invalid: usize,
    rules: usize,
    errors: usize,
    warnings: usize,
    strict: bool,
}

/// The rules of the policy reports: every code of policy files, and a
/// failed test.
fn rules() -> Vec<Rule> {
    let mut rules = Rule::table(caio_core::policy::load::CODES, "policies");
    rules.extend(Rule::table(&[testing::TEST_FAILED], "policies"));
    rules
}

/// `policy validate`: every file's problems and the counts, in the
/// requested format.
fn validate(paths: &[PathBuf], check: &CheckArgs, ui: &mut Ui) -> Result<Exit, Error> {
    let run = documents::load_policies_or_stdin(paths, &check.stdin_name);
    let report = Report::files(
        "caio policy validate",
        rules(),
        run.files.iter().map(|f| &f.report),
        check.strict,
        report::working_directory().as_deref(),
    );
    let rules: usize = run.files.iter().map(|f| f.policies.len()).sum();
    let files = run.files.len();
    let noun = if files == 1 { "file" } else { "files" };
    let summary = format!(
        "{files} {noun} checked: {} valid, {} invalid; {} ({})",
        run.valid(),
        run.invalid(),
        crate::ui::count(rules, "rule", "rules"),
        report.counts()
    );
    match ui.format {
        Format::Json => ui.json(
            Schema::PolicyValidate,
            &ValidateJson {
                files: run.files.iter().map(|f| FileJson::of(&f.report)).collect(),
                valid: run.valid(),
                invalid: run.invalid(),
                rules,
                errors: report.errors(),
                warnings: report.warnings(),
                strict: check.strict,
            },
        )?,
        Format::Human => {
            problems(&run, ui);
            ui.summary(&summary)?;
        }
        format => report::print(&report, format, &summary, ui)?,
    }
    Ok(if report.passed() {
        Exit::Success
    } else {
        Exit::Invalid
    })
}

/// Prints the problems of invalid files on stderr (human or JSON diagnostics).
pub(super) fn problems(run: &PolicyRun, ui: &mut Ui) {
    for file in &run.files {
        ui.file_problems(&file.report);
    }
}

#[derive(Serialize)]
struct TestJson<'a> {
    tests: &'a [testing::TestResult],
    passed: usize,
    failed: usize,
    /// Errors: the problems of the files and the failures of the tests.
    errors: usize,
    warnings: usize,
    strict: bool,
    /// Files that could not be read as policy files (their tests did not run).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    invalid_files: Vec<FileJson>,
}

/// Runs the `tests:` of every valid file; invalid files are reported (their
/// tests cannot run) and make the run fail.
fn test(
    paths: &[PathBuf],
    fail_on_empty: bool,
    check: &CheckArgs,
    ui: &mut Ui,
) -> Result<Exit, Error> {
    let run = documents::load_policies_or_stdin(paths, &check.stdin_name);
    let results: Vec<testing::TestResult> = run
        .files
        .iter()
        .filter(|f| f.report.is_valid())
        .flat_map(documents::run_policy_tests)
        .collect();
    let report = Report::policy_tests(
        rules(),
        run.files.iter().map(|f| &f.report),
        &results,
        check.strict,
        report::working_directory().as_deref(),
    );
    let passed = results.iter().filter(|r| r.passed).count();
    let failed = results.len() - passed;
    let summary = format!(
        "{}: {passed} passed, {failed} failed ({})",
        crate::ui::count(results.len(), "test", "tests"),
        report.counts()
    );
    match ui.format {
        Format::Json => ui.json(
            Schema::PolicyTest,
            &TestJson {
                tests: &results,
                passed,
                failed,
                errors: report.errors(),
                warnings: report.warnings(),
                strict: check.strict,
                invalid_files: run
                    .files
                    .iter()
                    .filter(|f| !f.report.is_valid())
                    .map(|f| FileJson::of(&f.report))
                    .collect(),
            },
        )?,
        Format::Human => {
            problems(&run, ui);
            for r in &results {
                // A passing test is progress, a failing one a finding: `-q`
                // keeps only the failures.
                if r.passed && ui.quiet() {
                    continue;
                }
                let mark = if r.passed { "ok  " } else { "FAIL" };
                ui.line(format_args!("{mark}  {}: {}", r.file, r.name))?;
                for failure in &r.failures {
                    ui.line(format_args!("      {failure}"))?;
                }
            }
            ui.summary(&summary)?;
        }
        format => report::print(&report, format, &summary, ui)?,
    }
    if !run.all_valid() {
        ui.warn(format_args!(
            "{}: their tests did not run",
            crate::ui::count(run.invalid(), "invalid policy file", "invalid policy files")
        ));
        return Ok(Exit::Invalid);
    }
    if results.is_empty() && fail_on_empty {
        ui.warn("no tests found (--fail-on-empty)");
        return Ok(Exit::Invalid);
    }
    Ok(if report.passed() {
        Exit::Success
    } else {
        Exit::Invalid
    })
}

fn apply(paths: &[PathBuf], global: &GlobalArgs, ui: &mut Ui) -> Result<Exit, Error> {
    let run = documents::load_policies(paths);
    let Some(set) = run.set() else {
        problems(&run, ui);
        ui.warn("nothing was installed: the policy set is all or nothing");
        return Ok(Exit::Invalid);
    };
    let sources: Vec<String> = run.files.iter().map(|f| f.report.path.clone()).collect();
    let mut store = open_store(global, &resolve_home(global)?)?;
    let applied = store.apply_policy_set(&set, &sources, &super::registry::change())?;
    if ui.is_json() {
        ui.json(Schema::PolicyApply, &applied)?;
    } else if applied.changed {
        ui.line(format_args!(
            "applied policy set {} ({} from {})",
            applied.hash,
            crate::ui::count(applied.rules, "rule", "rules"),
            crate::ui::count(sources.len(), "file", "files")
        ))?;
    } else {
        ui.line(format_args!(
            "policy set {} is already active ({})",
            applied.hash,
            crate::ui::count(applied.rules, "rule", "rules")
        ))?;
    }
    Ok(Exit::Success)
}

#[derive(Serialize)]
struct ShowJson {
    installed: bool,
    hash: String,
    rules: usize,
    applied_at: Option<String>,
    applied_by: Option<String>,
    sources: Vec<String>,
    policy_set: serde_json::Value,
}

fn show(global: &GlobalArgs, ui: &mut Ui) -> Result<Exit, Error> {
    let store = open_store_existing(global)?;
    let installed = store.installed_policy_set()?;
    let set = store.active_policy_set()?;
    let hash = set.canonical().map(|(h, _)| h).unwrap_or_default();
    if ui.is_json() {
        ui.json(
            Schema::PolicyShow,
            &ShowJson {
                installed: installed.is_some(),
                hash,
                rules: set.policies().len(),
                applied_at: installed.as_ref().map(|i| i.applied_at.clone()),
                applied_by: installed.as_ref().map(|i| i.applied_by.clone()),
                sources: installed.map(|i| i.sources).unwrap_or_default(),
                policy_set: set.to_json(),
            },
        )?;
        return Ok(Exit::Success);
    }
    let Some(installed) = installed else {
        ui.line("no policy set applied: routing applies no policies")?;
        ui.line("install one with `caio policy apply policies/`")?;
        return Ok(Exit::Success);
    };
    ui.line(format_args!("policy set  {}", installed.hash))?;
    ui.line(format_args!(
        "applied     {} by {}",
        installed.applied_at, installed.applied_by
    ))?;
    ui.line(format_args!("from        {}", installed.sources.join(", ")))?;
    let mut table = ui.table(&["ID", "EFFECT", "WEIGHT", "MESSAGE"]);
    for p in set.policies() {
        let effect = match p.effect {
            Effect::Deny => "deny",
            Effect::Require => "require",
            Effect::Prefer => "prefer",
        };
        let weight = if p.effect == Effect::Prefer {
            caio_core::canonical::display_number(p.weight)
        } else {
            String::new()
        };
        let message = p
            .message
            .clone()
            .or_else(|| {
                p.source
                    .get("description")
                    .and_then(|d| d.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_default();
        table.add_row(vec![p.id.clone(), effect.to_string(), weight, message]);
    }
    ui.line("")?;
    ui.table_out(table)?;
    Ok(Exit::Success)
}
