//! Man pages and shell completions, generated from the clap definitions so
//! they can never drift from `--help` (a test regenerates them and compares).

use super::Cli;
use crate::error::{Error, Exit};
use crate::ui::Ui;
use clap::CommandFactory;
use clap_complete::env::{self, EnvCompleter};
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
    man_pages(&cmd, "", &[], &mut out);
    // Each script asks `caio` itself for completions (see `cli::complete`):
    // flags and subcommands always match the binary on PATH, and ids come
    // from the home.
    let shells: [(&dyn EnvCompleter, &str); 5] = [
        (&env::Bash, "caio.bash"),
        (&env::Zsh, "_caio"),
        (&env::Fish, "caio.fish"),
        (&env::Elvish, "caio.elv"),
        (&env::Powershell, "_caio.ps1"),
    ];
    for (shell, name) in shells {
        let mut buf = Vec::new();
        // Writing to a Vec cannot fail.
        let _ = shell.write_registration(super::complete::VAR, "caio", "caio", "caio", &mut buf);
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
fn man_pages(
    cmd: &clap::Command,
    parent: &str,
    path: &[String],
    out: &mut Vec<(PathBuf, Vec<u8>)>,
) {
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
    let _ = render_page(&man, cmd, path, &mut buf);
    out.push((Path::new("man").join(format!("{name}.1")), buf));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        if sub.get_name() == "help" {
            continue;
        }
        let mut sub_path = path.to_vec();
        sub_path.push(sub.get_name().to_string());
        man_pages(sub, &name, &sub_path, out);
    }
}

fn render_page(
    man: &clap_mangen::Man,
    cmd: &clap::Command,
    path: &[String],
    w: &mut Vec<u8>,
) -> std::io::Result<()> {
    let top = path.is_empty();
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
    render_examples(path, w);
    if cmd.get_version().is_some() {
        man.render_version_section(w)?;
    }
    Ok(())
}

/// The EXAMPLES section: the README's own examples (its Tour and its
/// day-one tutorials, whose commands a test runs) for this command.
fn render_examples(path: &[String], w: &mut Vec<u8>) {
    let examples: Vec<Example> = readme_examples()
        .into_iter()
        .filter(|e| {
            if path.is_empty() {
                e.section == "Tour"
            } else {
                e.words.len() >= path.len() && e.words[..path.len()] == *path
            }
        })
        .collect();
    if examples.is_empty() {
        return;
    }
    w.extend_from_slice(b".SH EXAMPLES\n");
    for e in examples {
        let about = match &e.comment {
            Some(c) => c.clone(),
            None => format!("From the README: {}.", e.section),
        };
        w.extend_from_slice(
            format!(
                ".TP\n\\fB{}\\fR\n{}\n",
                roff_text(&e.command),
                roff_text(&about)
            )
            .as_bytes(),
        );
    }
}

/// One `$ caio …` line of a README example.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The README section (`##` or `###` heading) it is under.
    pub section: String,
    /// The command line as typed, without `$ ` and its comment.
    pub command: String,
    /// The words after `caio`, global flags and their values left out.
    pub words: Vec<String>,
    /// Its `# comment`, if any.
    pub comment: Option<String>,
}

/// The sections whose examples the man pages show.
const EXAMPLE_SECTIONS: [&str; 4] = ["Tour", "Operator", "CI author", "Sales ops"];

/// Every `$ caio …` command of the README's example sections, in order,
/// each once.
pub fn readme_examples() -> Vec<Example> {
    examples_of(include_str!("../../README.md"))
}

fn examples_of(readme: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut section = String::new();
    let mut in_console = false;
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if !in_console {
            if let Some(title) = line
                .strip_prefix("## ")
                .or_else(|| line.strip_prefix("### "))
            {
                section = title.trim().to_string();
            }
            in_console = line.trim_start().starts_with("```console");
            continue;
        }
        if line.trim_start().starts_with("```") {
            in_console = false;
            continue;
        }
        let wanted = EXAMPLE_SECTIONS
            .iter()
            .any(|s| section == *s || section.ends_with(&format!(": {s}")));
        let Some(first) = line.strip_prefix("$ ") else {
            continue;
        };
        let mut command = first.to_string();
        while command.trim_end().ends_with('\\') {
            let Some(next) = lines.next() else {
                break;
            };
            command = format!(
                "{} {}",
                command.trim_end().trim_end_matches('\\').trim_end(),
                next.trim()
            );
        }
        let (command, comment) = split_comment(&command);
        if !wanted || !command.starts_with("caio ") {
            continue;
        }
        if out.iter().any(|e| e.command == command) {
            continue;
        }
        out.push(Example {
            section: section.clone(),
            words: command_words(&command),
            command,
            comment,
        });
    }
    out
}

/// `caio x  # what it does` → (`caio x`, `what it does`); a `#` inside
/// quotes is part of the command.
fn split_comment(line: &str) -> (String, Option<String>) {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') if prev.is_whitespace() => {
                let comment = line[i + 1..].trim();
                return (
                    line[..i].trim().to_string(),
                    (!comment.is_empty()).then(|| comment.to_string()),
                );
            }
            _ => {}
        }
        prev = c;
    }
    (line.trim().to_string(), None)
}

/// The subcommand words of `caio …`: up to the first flag or argument that
/// is not a subcommand, global flags (and their values) skipped.
fn command_words(command: &str) -> Vec<String> {
    let mut cmd = super::Cli::command();
    let mut words = Vec::new();
    let mut it = command.split_whitespace().skip(1).peekable();
    while let Some(word) = it.next() {
        if matches!(word, "--home" | "--format" | "--color") {
            it.next();
            continue;
        }
        if word.starts_with('-') {
            continue;
        }
        match cmd.find_subcommand(word) {
            Some(sub) => {
                words.push(word.to_string());
                let sub = sub.clone();
                cmd = sub;
            }
            None => break,
        }
    }
    words
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
