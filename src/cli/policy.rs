//! `caio policy validate|test|apply|show`.

use super::contract::FileJson;
use super::{GlobalArgs, open_store, open_store_existing, resolve_home};
use crate::app::documents;
use crate::error::{Error, Exit};
use crate::ui::Ui;
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
        /// Files or directories (recursive *.yaml, *.yml)
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },

    /// Run the `tests:` blocks of policy files; exit 1 on any failure
    #[command(
        after_help = "Each test evaluates the rules of its own file for one request, principal \
and service, and compares the rules that fired with `expect`."
    )]
    Test {
        /// Files or directories (recursive *.yaml, *.yml)
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Fail when the files hold no test at all
        #[arg(long)]
        fail_on_empty: bool,
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
        PolicyCommand::Validate { paths } => {
            let run = documents::load_policies(&paths);
            report(&run, ui)?;
            Ok(if run.all_valid() {
                Exit::Success
            } else {
                Exit::Invalid
            })
        }
        PolicyCommand::Test {
            paths,
            fail_on_empty,
        } => test(&paths, fail_on_empty, ui),
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
}

/// Prints every file's problems (or the JSON document) for `validate`.
fn report(run: &PolicyRun, ui: &mut Ui) -> Result<(), Error> {
    let rules: usize = run.files.iter().map(|f| f.policies.len()).sum();
    if ui.is_json() {
        return ui.json(&ValidateJson {
            files: run.files.iter().map(|f| FileJson::of(&f.report)).collect(),
            valid: run.valid(),
            invalid: run.invalid(),
            rules,
        });
    }
    problems(run, ui);
    let files = run.files.len();
    let noun = if files == 1 { "file" } else { "files" };
    ui.line(format_args!(
        "{files} {noun} checked: {} valid, {} invalid; {rules} rules",
        run.valid(),
        run.invalid()
    ))
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
    /// Files that could not be read as policy files (their tests did not run).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    invalid_files: Vec<FileJson>,
}

/// Runs the `tests:` of every valid file; invalid files are reported (their
/// tests cannot run) and make the run fail.
fn test(paths: &[PathBuf], fail_on_empty: bool, ui: &mut Ui) -> Result<Exit, Error> {
    let run = documents::load_policies(paths);
    let results: Vec<testing::TestResult> = run
        .files
        .iter()
        .filter(|f| f.report.is_valid())
        .flat_map(documents::run_policy_tests)
        .collect();
    let passed = results.iter().filter(|r| r.passed).count();
    let failed = results.len() - passed;
    if ui.is_json() {
        ui.json(&TestJson {
            tests: &results,
            passed,
            failed,
            invalid_files: run
                .files
                .iter()
                .filter(|f| !f.report.is_valid())
                .map(|f| FileJson::of(&f.report))
                .collect(),
        })?;
    } else {
        problems(&run, ui);
        for r in &results {
            let mark = if r.passed { "ok  " } else { "FAIL" };
            ui.line(format_args!("{mark}  {}: {}", r.file, r.name))?;
            for failure in &r.failures {
                ui.line(format_args!("      {failure}"))?;
            }
        }
        ui.line(format_args!(
            "{} tests: {passed} passed, {failed} failed",
            results.len()
        ))?;
    }
    if !run.all_valid() {
        ui.warn(format_args!(
            "{} invalid policy file(s): their tests did not run",
            run.invalid()
        ));
        return Ok(Exit::Invalid);
    }
    if results.is_empty() && fail_on_empty {
        ui.warn("no tests found (--fail-on-empty)");
        return Ok(Exit::Invalid);
    }
    Ok(if failed == 0 {
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
    let mut store = open_store(&resolve_home(global)?)?;
    let applied = store.apply_policy_set(&set, &sources, &super::registry::change())?;
    if ui.is_json() {
        ui.json(&applied)?;
    } else if applied.changed {
        ui.line(format_args!(
            "applied policy set {} ({} rules from {} files)",
            applied.hash,
            applied.rules,
            sources.len()
        ))?;
    } else {
        ui.line(format_args!(
            "policy set {} is already active ({} rules)",
            applied.hash, applied.rules
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
        ui.json(&ShowJson {
            installed: installed.is_some(),
            hash,
            rules: set.policies().len(),
            applied_at: installed.as_ref().map(|i| i.applied_at.clone()),
            applied_by: installed.as_ref().map(|i| i.applied_by.clone()),
            sources: installed.map(|i| i.sources).unwrap_or_default(),
            policy_set: set.to_json(),
        })?;
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
