//! `caio contract validate|schema|new`.

use crate::error::{Error, Exit};
use crate::ui::Ui;
use caio_core::contract::{self, templates::Template};
use clap::Subcommand;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ContractCommand {
    /// Check contract files and directories (recursive *.yaml, *.yml); exit 1 if any is invalid
    #[command(
        after_help = "Every problem in every file is reported, each with its file, line, \
column and a stable code such as contract::latency-order."
    )]
    Validate {
        /// Files or directories to check
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
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
        ContractCommand::Validate { paths } => validate(&paths, ui),
        ContractCommand::Schema => {
            ui.json(&contract::schema())?;
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
    let bar = ui.progress(0, "validating");
    let run = crate::app::documents::validate_contracts(paths, &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    });
    bar.finish_and_clear();
    run
}

fn validate(paths: &[PathBuf], ui: &mut Ui) -> Result<Exit, Error> {
    let run = validate_with_progress(paths, ui);

    if ui.is_json() {
        ui.json(&ValidateJson {
            files: run.files.iter().map(|f| FileJson::of(&f.report)).collect(),
            valid: run.valid(),
            invalid: run.invalid(),
        })?;
    } else {
        for file in &run.files {
            ui.file_problems(&file.report);
            if ui.verbose() > 0 && file.report.is_valid() {
                ui.line(format_args!("valid    {}", file.report.path))?;
            }
        }
        let files = run.files.len();
        let noun = if files == 1 { "file" } else { "files" };
        ui.line(format_args!(
            "{files} {noun} checked: {} valid, {} invalid",
            run.valid(),
            run.invalid()
        ))?;
    }
    Ok(if run.all_valid() {
        Exit::Success
    } else {
        Exit::Invalid
    })
}
