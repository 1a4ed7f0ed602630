//! Man pages and shell completions, generated from the clap definitions so
//! they can never drift from `--help` (a test regenerates them and compares).

use super::Cli;
use crate::error::{Error, Exit};
use crate::ui::Ui;
use clap::CommandFactory;
use clap_complete::Shell;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct GenerateDocsArgs {
    /// Directory that receives `man/` and `completions/`
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,
}

pub fn run(args: &GenerateDocsArgs, ui: &mut Ui) -> Result<Exit, Error> {
    let written = generate(&args.out_dir)?;
    for path in &written {
        ui.status(format_args!("wrote {}", path.display()));
    }
    Ok(Exit::Success)
}

/// Every generated file: its path relative to the output directory and content.
pub fn files() -> Vec<(PathBuf, Vec<u8>)> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = Vec::new();
    man_pages(&cmd, "", &mut out);
    for (shell, name) in [
        (Shell::Bash, "caio.bash"),
        (Shell::Zsh, "_caio"),
        (Shell::Fish, "caio.fish"),
        (Shell::Elvish, "caio.elv"),
        (Shell::PowerShell, "_caio.ps1"),
    ] {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut cmd.clone(), "caio", &mut buf);
        out.push((Path::new("completions").join(name), buf));
    }
    out
}

fn generate(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut written = Vec::new();
    for (rel, content) in files() {
        let path = dir.join(&rel);
        let write_err = |e: std::io::Error| Error::Write {
            path: path.clone(),
            reason: e.to_string(),
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(write_err)?;
        }
        std::fs::write(&path, content).map_err(write_err)?;
        written.push(path);
    }
    Ok(written)
}

/// One page per visible command: `caio.1`, `caio-contract.1`, `caio-contract-validate.1`, …
fn man_pages(cmd: &clap::Command, parent: &str, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    let name = if parent.is_empty() {
        cmd.get_name().to_string()
    } else {
        format!("{parent}-{}", cmd.get_name())
    };
    let page_cmd = cmd.clone().name(name.clone());
    let man = clap_mangen::Man::new(page_cmd)
        .date("")
        .source(format!("caio {}", env!("CARGO_PKG_VERSION")));
    let mut buf = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = render_page(&man, cmd, parent.is_empty(), &mut buf);
    out.push((Path::new("man").join(format!("{name}.1")), buf));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        if sub.get_name() == "help" {
            continue;
        }
        man_pages(sub, &name, out);
    }
}

fn render_page(
    man: &clap_mangen::Man,
    cmd: &clap::Command,
    top: bool,
    w: &mut Vec<u8>,
) -> std::io::Result<()> {
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(w)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(w)?;
    }
    if cmd.get_after_long_help().is_some() || (!top && cmd.get_after_help().is_some()) {
        man.render_extra_section(w)?;
    }
    w.extend_from_slice(b".SH \"EXIT STATUS\"\n");
    for (exit, meaning) in Exit::ALL {
        w.extend_from_slice(
            format!(".TP\n\\fB{}\\fR\n{}\n", exit.code(), roff_text(meaning)).as_bytes(),
        );
    }
    if top {
        w.extend_from_slice(
            b".SH ENVIRONMENT\n\
.TP\n\\fBCAIO_HOME\\fR\nState directory, as --home.\n\
.TP\n\\fBXDG_DATA_HOME\\fR\nWithout --home or CAIO_HOME, the state lives in $XDG_DATA_HOME/caio, else ~/.local/share/caio.\n\
.TP\n\\fBNO_COLOR\\fR\nDisables colour with --color auto.\n\
.SH FILES\n\
.TP\n\\fI$CAIO_HOME/caio.db\\fR\nSQLite database: registry, traces, principals, service stats, licenses.\n\
.TP\n\\fI$CAIO_HOME/keys/\\fR\nInstance and principal-hashing keys (mode 0700).\n",
        );
    }
    if cmd.get_version().is_some() {
        man.render_version_section(w)?;
    }
    Ok(())
}

/// Escapes text for a roff body line.
fn roff_text(s: &str) -> String {
    let s = s.replace('\\', "\\\\").replace('-', "\\-");
    if s.starts_with('.') || s.starts_with('\'') {
        format!("\\&{s}")
    } else {
        s
    }
}
