//! `caio contract validate|schema|new`.

use super::CheckArgs;
use super::report::{self, Report, Rule};
use crate::error::{Error, Exit};
use crate::ui::{Format, Schema, Ui};
use caio_core::contract::{self, templates::Template};
use clap::Subcommand;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ContractCommand {
    /// Check contract files and directories (recursive *.yaml, *.yml); exit 1 if any is invalid
    #[command(
        after_help = "Every problem in every file is reported, each with its file, line, \
column and a stable code such as contract::latency-order. `--format github|sarif|junit` \
prints the same findings as GitHub annotations, a SARIF 2.1.0 log or a JUnit report."
    )]
    Validate {
        /// Files or directories to check; `-` reads one contract from stdin
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,

        #[command(flatten)]
        check: CheckArgs,
    },

    /// Print the JSON Schema (draft 2020-12) of a contract, for editors and CI
    Schema,

    /// Print a new, commented contract to stdout, ready to edit
    New {
        /// Kind of service to scaffold
        #[arg(long, value_enum)]
        template: Template,

        /// service_id of the new contract (^[a-z0-9][a-z0-9-]{1,62}$)
        #[arg(long, value_parser = parse_service_id)]
        id: String,
    },
}

fn parse_service_id(s: &str) -> Result<String, String> {
    if (contract::schema::SERVICE_ID.check)(s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "`{s}` is not {}",
            contract::schema::SERVICE_ID.describe
        ))
    }
}

pub fn run(cmd: ContractCommand, ui: &mut Ui) -> Result<Exit, Error> {
    match cmd {
        ContractCommand::Validate { paths, check } => validate(&paths, &check, ui),
        ContractCommand::Schema => {
            ui.foreign_json(&contract::schema())?;
            Ok(Exit::Success)
        }
        ContractCommand::New { template, id } => {
            ui.raw(&template.render(&id))?;
            Ok(Exit::Success)
        }
    }
}

/// `--format json` output of `contract validate` (SPEC §2).
#[derive(Serialize)]
struct ValidateJson {
    files: Vec<FileJson>,
    valid: usize,
    invalid: usize,
    errors: usize,
    warnings: usize,
    strict: bool,
}

/// One file in the `--format json` document of a validate command.
#[derive(Serialize)]
pub(super) struct FileJson {
    path: String,
    valid: bool,
    diagnostics: Vec<caio_core::diagnostic::JsonDiagnostic>,
}

impl FileJson {
    pub(super) fn of(report: &caio_core::diagnostic::FileReport) -> FileJson {
        FileJson {
            path: report.path.clone(),
            valid: report.is_valid(),
            diagnostics: report.json_diagnostics(),
        }
    }
}

/// Validates paths behind a progress bar (drawn only on a terminal).
pub(super) fn validate_with_progress(paths: &[PathBuf], ui: &Ui) -> contract::ValidationRun {
    validate_inputs(paths, None, ui)
}

/// [`validate_with_progress`], where `-` reads a contract from stdin when
/// `stdin_name` names it for diagnostics.
fn validate_inputs(
    paths: &[PathBuf],
    stdin_name: Option<&str>,
    ui: &Ui,
) -> contract::ValidationRun {
    let bar = ui.progress(0, "validating");
    let mut progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let run = match stdin_name {
        Some(name) => {
            crate::app::documents::validate_contracts_or_stdin(paths, name, &mut progress)
        }
        None => crate::app::documents::validate_contracts(paths, &mut progress),
    };
    bar.finish_and_clear();
    run
}

/// The rules of the contract reports: every code `contract validate` has.
fn rules() -> Vec<Rule> {
    Rule::table(contract::validate::CODES, "validation")
}

fn validate(paths: &[PathBuf], check: &CheckArgs, ui: &mut Ui) -> Result<Exit, Error> {
    let run = validate_inputs(paths, Some(&check.stdin_name), ui);
    let report = Report::files(
        "caio contract validate",
        rules(),
        run.files.iter().map(|f| &f.report),
        check.strict,
        report::working_directory().as_deref(),
    );
    let files = run.files.len();
    let noun = if files == 1 { "file" } else { "files" };
    let summary = format!(
        "{files} {noun} checked: {} valid, {} invalid ({})",
        run.valid(),
        run.invalid(),
        report.counts()
    );
    match ui.format {
        Format::Json => ui.json(
            Schema::ContractValidate,
            &ValidateJson {
                files: run.files.iter().map(|f| FileJson::of(&f.report)).collect(),
                valid: run.valid(),
                invalid: run.invalid(),
                errors: report.errors(),
                warnings: report.warnings(),
                strict: check.strict,
            },
        )?,
        Format::Human => {
            for file in &run.files {
                ui.file_problems(&file.report);
                if ui.verbose() > 0 && file.report.is_valid() {
                    ui.line(format_args!("valid    {}", file.report.path))?;
                }
            }
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
