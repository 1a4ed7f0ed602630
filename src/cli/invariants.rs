//! `caio verify-invariants`: run the invariants of SPEC §11 on generated
//! scenarios, print the result table, write the JSON scorecard and the
//! counterexamples, exit 1 on any violation.

use super::GlobalArgs;
use super::report::Report;
use crate::error::{Error, Exit};
use crate::ui::{Schema, Ui};
use caio_core::contract::ServiceContract;
use caio_invariants::engine::Real;
use caio_invariants::spec::{self, Check, Invariant};
use caio_invariants::{self, RunOptions, Scorecard, Status};
use std::path::{Path, PathBuf};

const AFTER_HELP: &str = "\
Without --invariants, the invariants shipped with caio run (the files of invariants/ \
in the source tree, compiled in). The same --seed gives the same scorecard apart from \
durations. On a violation, a minimal counterexample is written as files that \
`caio route` can replay (next to --out, or under the temporary directory), and the \
exit status is 1.";

#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP, after_long_help = long_help())]
pub struct VerifyInvariantsArgs {
    /// Invariant files, or a directory of them [default: the invariants shipped with caio]
    #[arg(long, value_name = "DIR")]
    invariants: Option<PathBuf>,

    /// Mix these contracts into the generated registries
    #[arg(long, value_name = "DIR")]
    contracts: Option<PathBuf>,

    /// Trials per invariant (overrides each file's `trials`)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=caio_invariants::spec::MAX_TRIALS))]
    trials: Option<u64>,

    /// Seed of the scenario generator (ChaCha20)
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,

    /// Run only these invariants (comma-separated ids)
    #[arg(long, value_name = "ID,…", value_delimiter = ',')]
    only: Vec<String>,

    /// Write the JSON scorecard to this file (counterexamples go next to it)
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,

    /// Write the scorecard as a JUnit XML report to this file (one testcase per invariant), for CI test tabs
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
}

fn long_help() -> String {
    let mut out = String::from(AFTER_HELP);
    out.push_str("\n\nThe checks an invariant file can run (`check:`):");
    for check in Check::ALL {
        out.push_str(&format!("\n\n{}: {}.", check.name(), check.describe()));
    }
    out
}

/// A command-line mistake found after parsing.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum InvariantsError {
    #[error("no invariant `{id}` in {source_name}")]
    #[diagnostic(code(caio::invariants::unknown_id))]
    UnknownId {
        id: String,
        source_name: String,
        #[help]
        help: String,
    },

    #[error("--only names no invariant")]
    #[diagnostic(code(caio::invariants::no_ids))]
    NoIds {
        #[help]
        help: String,
    },
}

pub fn run(args: VerifyInvariantsArgs, _global: &GlobalArgs, ui: &mut Ui) -> Result<Exit, Error> {
    let run = match &args.invariants {
        Some(dir) => spec::load_paths(std::slice::from_ref(dir)),
        None => spec::builtin(),
    };
    let Some(all) = run.invariants() else {
        for file in run.files.iter().filter(|f| !f.report.is_valid()) {
            ui.file_problems(&file.report);
        }
        ui.warn(format_args!(
            "cannot verify: {}",
            crate::ui::count(
                run.invalid(),
                "invalid invariant file",
                "invalid invariant files"
            )
        ));
        return Ok(Exit::Invalid);
    };
    let selected = match select(all, &args.only, args.invariants.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            ui.error(&e);
            return Ok(Exit::Usage);
        }
    };
    let pool = match &args.contracts {
        None => Vec::new(),
        Some(dir) => match contracts(dir, ui)? {
            Some(pool) => pool,
            None => return Ok(Exit::Invalid),
        },
    };
    // The invariants take seconds: a scorecard path that cannot be written
    // fails now, not after the run.
    let out = args.out.as_deref().map(OutFile::open).transpose()?;
    let junit = args.junit.as_deref().map(OutFile::open).transpose()?;
    let options = RunOptions {
        seed: args.seed,
        trials: args.trials,
        pool,
        counterexamples: counterexample_dir(args.out.as_deref(), args.seed),
    };
    let total: u64 = selected
        .iter()
        .map(|inv| caio_invariants::trials(inv, &options))
        .sum();
    let bar = ui.progress(total, "verifying");
    let scorecard = caio_invariants::run(
        &selected,
        &options,
        &Real,
        &mut |inv| bar.set_message(inv.id.clone()),
        &mut || bar.inc(1),
    );
    bar.finish_and_clear();
    if let Some(out) = out {
        let text = serde_json::to_string_pretty(&Schema::Scorecard.wrap(&scorecard))
            .map_err(|e| Error::Output(std::io::Error::other(e)))?;
        out.write(&format!("{text}\n"))?;
    }
    if let Some(junit) = junit {
        junit.write(&super::report::junit::render(&Report::scorecard(
            &scorecard,
        )))?;
    }
    if ui.is_json() {
        ui.json(Schema::Scorecard, &scorecard)?;
    } else {
        render(&scorecard, ui)?;
        if let Some(path) = &args.out {
            ui.status(format_args!("scorecard written to {}", path.display()));
        }
    }
    Ok(if scorecard.all_passed() {
        Exit::Success
    } else {
        Exit::Invalid
    })
}

/// The invariants named by `--only`, in the set's order; every name must exist.
fn select(
    all: Vec<Invariant>,
    only: &[String],
    dir: Option<&Path>,
) -> Result<Vec<Invariant>, InvariantsError> {
    if only.is_empty() {
        return Ok(all);
    }
    let wanted: Vec<&str> = only
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if wanted.is_empty() {
        // `--only ''` (an empty variable in a script) must not run everything.
        return Err(InvariantsError::NoIds {
            help: format!(
                "name at least one invariant, or leave --only out to run them all; the ids are: {}",
                all.iter()
                    .map(|i| i.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    let known: Vec<&str> = all.iter().map(|i| i.id.as_str()).collect();
    if let Some(unknown) = wanted.iter().find(|w| !known.contains(w)) {
        let upper = unknown.to_ascii_uppercase();
        let help = match caio_core::shape::did_you_mean(&upper, &known) {
            Some(s) => format!("did you mean `{s}`? The ids are: {}", known.join(", ")),
            None => format!("the ids are: {}", known.join(", ")),
        };
        return Err(InvariantsError::UnknownId {
            id: unknown.to_string(),
            source_name: spec::describe_source(dir),
            help,
        });
    }
    Ok(all
        .into_iter()
        .filter(|i| wanted.contains(&i.id.as_str()))
        .collect())
}

/// The contracts of `--contracts`, when all are valid and share a currency.
fn contracts(dir: &Path, ui: &mut Ui) -> Result<Option<Vec<ServiceContract>>, Error> {
    let run = super::contract::validate_with_progress(&[dir.to_path_buf()], ui);
    let Some(contracts) = run.contracts() else {
        for file in run.files.iter().filter(|f| !f.report.is_valid()) {
            ui.file_problems(&file.report);
        }
        ui.warn(format_args!(
            "cannot verify: {}",
            crate::ui::count(
                run.invalid(),
                "invalid contract file",
                "invalid contract files"
            )
        ));
        return Ok(None);
    };
    let mut currencies: Vec<String> = contracts.iter().map(|c| c.cost.currency.clone()).collect();
    currencies.sort();
    currencies.dedup();
    if currencies.len() > 1 {
        return Err(Error::from(caio_store::Error::MixedCurrencies {
            currencies,
        }));
    }
    Ok(Some(contracts.into_iter().cloned().collect()))
}

/// Next to `--out` (`scorecard.counterexamples/`), else under the
/// temporary directory.
fn counterexample_dir(out: Option<&Path>, seed: u64) -> PathBuf {
    match out {
        Some(path) => {
            let stem = path
                .file_stem()
                .map_or_else(|| "scorecard".into(), |s| s.to_string_lossy().into_owned());
            path.with_file_name(format!("{stem}.counterexamples"))
        }
        None => std::env::temp_dir().join(format!(
            "caio-counterexamples-seed{seed}-{}",
            std::process::id()
        )),
    }
}

/// A report file (`--out`, `--junit`), open for writing before the
/// invariants run.
struct OutFile<'a> {
    path: &'a Path,
    file: std::fs::File,
}

impl<'a> OutFile<'a> {
    /// Opens (creating, not yet truncating) the file; a missing directory,
    /// a directory in its place or a permission problem is an error here,
    /// before any work.
    fn open(path: &'a Path) -> Result<OutFile<'a>, Error> {
        let fail = |reason: String| Error::Write {
            path: path.to_path_buf(),
            reason,
        };
        if path.is_dir() {
            return Err(fail(
                "it is a directory; name the report file, e.g. scorecard.json".into(),
            ));
        }
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !parent.is_dir() {
            return Err(fail(if parent.exists() {
                format!("`{}` is not a directory", parent.display())
            } else {
                format!("the directory `{}` does not exist", parent.display())
            }));
        }
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| fail(e.to_string()))?;
        Ok(OutFile { path, file })
    }

    /// Replaces the file's content with `text`.
    fn write(mut self, text: &str) -> Result<(), Error> {
        use std::io::Write;
        let fail = |reason: String| Error::Write {
            path: self.path.to_path_buf(),
            reason,
        };
        // A regular file is truncated; `/dev/stdout` and the like cannot be.
        if self.file.metadata().is_ok_and(|m| m.is_file()) {
            self.file.set_len(0).map_err(|e| fail(e.to_string()))?;
        }
        self.file
            .write_all(text.as_bytes())
            .map_err(|e| fail(e.to_string()))
    }
}

/// `850 ms`, `12.4 s`.
fn duration(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

fn render(scorecard: &Scorecard, ui: &mut Ui) -> Result<(), Error> {
    let mut table = ui.table(&["ID", "TITLE", "RESULT", "TRIALS", "DURATION"]);
    for e in &scorecard.invariants {
        let result = match (e.result, e.median_ms, e.scaling_ratio) {
            (Status::Pass, Some(m), Some(r)) => format!("pass (median {m:.3} ms, scaling ×{r:.1})"),
            (Status::Pass, Some(m), None) => format!("pass (median {m:.3} ms)"),
            (Status::Pass, None, _) => "pass".to_string(),
            (Status::Fail, _, _) => "FAIL".to_string(),
        };
        table.add_row(vec![
            e.id.clone(),
            e.title.clone(),
            result,
            e.trials.to_string(),
            duration(e.duration_ms),
        ]);
    }
    ui.table_out(table)?;
    for e in &scorecard.invariants {
        let Some(v) = &e.violation else { continue };
        ui.line("")?;
        ui.line(format_args!(
            "{} {} violated at trial {} (seed {}):",
            e.id, e.title, v.trial, scorecard.seed
        ))?;
        ui.line(format_args!("  {}", v.message))?;
        if let Some(dir) = &v.counterexample {
            ui.line(format_args!("  counterexample: {dir}"))?;
            if Path::new(dir).join("replay.sh").is_file() {
                ui.line(format_args!("  replay:         sh {dir}/replay.sh"))?;
            }
        }
    }
    ui.line("")?;
    let n = scorecard.invariants.len();
    if scorecard.all_passed() {
        ui.line(format_args!(
            "{n}/{n} invariants hold · seed {} · {}",
            scorecard.seed,
            duration(scorecard.duration_ms)
        ))
    } else {
        ui.line(format_args!(
            "{} of {n} invariants violated · seed {} · {}",
            scorecard.failed,
            scorecard.seed,
            duration(scorecard.duration_ms)
        ))
    }
}
