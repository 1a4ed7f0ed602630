//! The only place that writes to stdout and stderr: plain lines, JSON
//! documents, tables, miette diagnostics and progress bars.

mod schema;
mod snippet;
mod text;

pub use schema::Schema;
pub use text::{count, escape_controls};

use crate::error::Error;
use caio_core::diagnostic::{FileReport, Problem, Severity};
use caio_core::yaml::LineIndex;
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, JSONReportHandler, LabeledSpan};
use serde::Serialize;
use snippet::Excerpt;
use std::fmt;
use std::io::{IsTerminal, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Tables and text for people.
    #[default]
    Human,
    /// One JSON document on stdout, for scripts.
    Json,
    /// GitHub Actions workflow commands: annotations on the pull request (checking commands only).
    Github,
    /// A SARIF 2.1.0 log, for code-scanning dashboards (checking commands only).
    Sarif,
    /// A JUnit XML report, for test-report tools (checking commands only).
    Junit,
    /// A self-contained HTML page (`trace show` only).
    Html,
}

impl Format {
    /// The name as `--format` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Github => "github",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Html => "html",
        }
    }

    /// Whether this is one of the CI report formats (`github`, `sarif`,
    /// `junit`), which only the checking commands print.
    pub fn is_ci_report(self) -> bool {
        matches!(self, Format::Github | Format::Sarif | Format::Junit)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is unset.
    #[default]
    Auto,
    Always,
    Never,
}

/// The colour of a line that says how a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// It did what was asked (green).
    Good,
    /// It could not (red).
    Bad,
}

impl Tone {
    /// The ANSI select-graphic-rendition sequence that starts the colour.
    fn sgr(self) -> &'static str {
        match self {
            Tone::Good => "\x1b[32m",
            Tone::Bad => "\x1b[31m",
        }
    }
}

/// How many problems of one file the human report shows in full.
pub const SHOWN_PROBLEMS: usize = 50;

/// Terminal output for one command.
pub struct Ui {
    pub format: Format,
    quiet: bool,
    verbose: u8,
    color_out: bool,
    color_err: bool,
    stdout_tty: bool,
    stderr_tty: bool,
    width: usize,
    out: Box<dyn Write>,
    err: Box<dyn Write>,
}

impl Ui {
    /// A `Ui` on the process's stdout and stderr.
    pub fn stdio(format: Format, color: ColorChoice, quiet: bool, verbose: u8) -> Ui {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let decide = |tty: bool| match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        let stdout_tty = std::io::stdout().is_terminal();
        let stderr_tty = std::io::stderr().is_terminal();
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .filter(|w| *w >= 40)
            .unwrap_or(if stderr_tty { 100 } else { 80 });
        Ui {
            format,
            quiet,
            verbose,
            color_out: decide(stdout_tty),
            color_err: decide(stderr_tty),
            stdout_tty,
            stderr_tty,
            width,
            out: Box::new(std::io::stdout().lock()),
            err: Box::new(std::io::stderr()),
        }
    }

    pub fn is_json(&self) -> bool {
        self.format == Format::Json
    }

    pub fn verbose(&self) -> u8 {
        self.verbose
    }

    pub fn color(&self) -> bool {
        self.color_out
    }

    /// A line of the command's result on stdout; control characters of
    /// text that came from a file or a request are shown, not obeyed.
    pub fn line(&mut self, text: impl fmt::Display) -> Result<(), Error> {
        let text = text.to_string();
        writeln!(self.out, "{}", escape_controls(&text)).map_err(Error::Output)
    }

    /// [`Ui::line`] in the colour of `tone` when stdout is coloured: the
    /// line that says how a command ended.
    pub fn toned_line(&mut self, tone: Tone, text: impl fmt::Display) -> Result<(), Error> {
        if !self.color_out {
            return self.line(text);
        }
        let text = text.to_string();
        writeln!(self.out, "{}{}\x1b[0m", tone.sgr(), escape_controls(&text)).map_err(Error::Output)
    }

    /// Raw text on stdout (generated files, schemas).
    pub fn raw(&mut self, text: &str) -> Result<(), Error> {
        self.out.write_all(text.as_bytes()).map_err(Error::Output)
    }

    /// Raw bytes on stdout (a response body), flushed.
    pub fn bytes(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.out.write_all(bytes).map_err(Error::Output)?;
        self.out.flush().map_err(Error::Output)
    }

    /// Runs `f` with stdout and stderr swapped: a command whose stdout
    /// carries data (`route --execute` prints the response body) shows its
    /// human report on stderr.
    pub fn on_stderr<T>(
        &mut self,
        f: impl FnOnce(&mut Ui) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.swap();
        let result = f(self);
        self.swap();
        result
    }

    fn swap(&mut self) {
        std::mem::swap(&mut self.out, &mut self.err);
        std::mem::swap(&mut self.color_out, &mut self.color_err);
        std::mem::swap(&mut self.stdout_tty, &mut self.stderr_tty);
    }

    /// The command's JSON document on stdout, with its `schema_version`
    /// first; `value` must serialise as an object.
    pub fn json<T: Serialize + ?Sized>(&mut self, schema: Schema, value: &T) -> Result<(), Error> {
        self.write_json(&schema.wrap(value), true)
    }

    /// One compact JSON document on its own line (JSON Lines streams), with
    /// its `schema_version` first.
    pub fn json_line<T: Serialize + ?Sized>(
        &mut self,
        schema: Schema,
        value: &T,
    ) -> Result<(), Error> {
        self.write_json(&schema.wrap(value), false)
    }

    /// Pretty JSON whose format is not one of caio's documents (a SARIF
    /// log, a JSON Schema), as is: without `schema_version`.
    pub fn foreign_json<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.write_json(value, true)
    }

    /// `value` as JSON and a newline on stdout, written as it is
    /// serialised: a document listing thousands of candidates is never
    /// held whole in memory (at 10,000 services, `route --format json`
    /// prints 2 MiB). Written through a 64 KiB buffer, not a line at a
    /// time.
    fn write_json<T: Serialize + ?Sized>(&mut self, value: &T, pretty: bool) -> Result<(), Error> {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, &mut self.out);
        let written = match pretty {
            true => serde_json::to_writer_pretty(&mut out, value),
            false => serde_json::to_writer(&mut out, value),
        };
        if let Err(e) = written {
            // What is still buffered is dropped, not written. An I/O error
            // comes back as itself (a closed pipe stays one).
            drop(out.into_parts());
            return Err(Error::Output(e.into()));
        }
        out.write_all(b"\n").map_err(Error::Output)?;
        out.flush().map_err(Error::Output)
    }

    /// A summary line of the command's result on stdout, such as the
    /// counts after a validation or a hint on what to do next (suppressed by
    /// `-q`, which keeps results and problems).
    pub fn summary(&mut self, text: impl fmt::Display) -> Result<(), Error> {
        if self.quiet {
            return Ok(());
        }
        self.line(text)
    }

    /// Whether `-q` asked for findings and results only.
    pub fn quiet(&self) -> bool {
        self.quiet
    }

    /// A status message on stderr: what was done, where, what to do next
    /// (suppressed by `-q`).
    pub fn status(&mut self, text: impl fmt::Display) {
        if !self.quiet {
            let text = text.to_string();
            let _ = writeln!(self.err, "{}", escape_controls(&text));
        }
    }

    /// A warning on stderr. A warning is a problem, so `-q` keeps it, in
    /// every command.
    pub fn warn(&mut self, text: impl fmt::Display) {
        let prefix = if self.color_err {
            "\x1b[33mwarning:\x1b[0m"
        } else {
            "warning:"
        };
        let text = text.to_string();
        let _ = writeln!(self.err, "{prefix} {}", escape_controls(&text));
    }

    /// Reports an error that ends the command, on stderr.
    pub fn error(&mut self, error: &dyn Diagnostic) {
        let rendered = self.render(error);
        let _ = write!(self.err, "{rendered}");
    }

    /// Reports the problems of a file as diagnostics on stderr: the first
    /// [`SHOWN_PROBLEMS`] in full, then how many more there are (JSON lists
    /// them all). Warnings are findings: `-q` does not hide them.
    pub fn file_problems(&mut self, report: &FileReport) {
        let style = self.style();
        let err = &mut self.err;
        style.file_problems(report, &mut |text| {
            let _ = write!(err, "{text}");
        });
    }

    fn render(&self, diagnostic: &dyn Diagnostic) -> String {
        self.style().render(diagnostic)
    }

    fn style(&self) -> Style {
        Style {
            json: self.is_json(),
            color: self.color_err,
            width: self.width,
        }
    }

    /// A new table; fill it and hand it to [`Ui::table_out`].
    pub fn table(&self, headers: &[&str]) -> comfy_table::Table {
        let mut table = comfy_table::Table::new();
        table.load_preset(comfy_table::presets::NOTHING);
        if !headers.is_empty() {
            table.set_header(headers.to_vec());
        }
        table
    }

    /// Prints a table in caio's style on stdout: no borders, upper-case
    /// headers, the first column (the key) never split, wrapped to the
    /// terminal but never when piped (grep, awk, cut), no trailing spaces.
    pub fn table_out(&mut self, mut table: comfy_table::Table) -> Result<(), Error> {
        use comfy_table::{ColumnConstraint, ContentArrangement};
        if self.stdout_tty {
            table
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(self.width as u16);
        }
        for (i, column) in table.column_iter_mut().enumerate() {
            column.set_padding((0, 2));
            if i == 0 {
                column.set_constraint(ColumnConstraint::ContentWidth);
            }
        }
        // The header row is bold when stdout is coloured.
        let mut bold = self.color_out && table.header().is_some();
        for line in table.lines() {
            let line = escape_controls(line.trim_end());
            if std::mem::take(&mut bold) {
                writeln!(self.out, "\x1b[1m{line}\x1b[0m").map_err(Error::Output)?;
            } else {
                writeln!(self.out, "{line}").map_err(Error::Output)?;
            }
        }
        Ok(())
    }

    /// A progress bar over the bytes of a stream of `len` bytes, or a
    /// spinner when the length is unknown (stdin); drawn like [`Ui::progress`].
    pub fn progress_bytes(&self, len: Option<u64>, what: &str) -> ProgressBar {
        let template = match len {
            Some(_) => "{spinner} {msg} [{bar:30}] {bytes}/{total_bytes} ({eta})",
            None => "{spinner} {msg} {bytes}",
        };
        self.bar(len, template, what)
    }

    /// A progress bar on stderr, drawn only on a terminal in human mode without `-q`.
    pub fn progress(&self, len: u64, what: &str) -> ProgressBar {
        self.bar(
            Some(len),
            "{spinner} {msg} [{bar:30}] {pos}/{len} ({eta})",
            what,
        )
    }

    fn bar(&self, len: Option<u64>, template: &str, what: &str) -> ProgressBar {
        if self.quiet || !self.stderr_tty || self.is_json() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(what.to_string());
        bar
    }
}

/// The human report of a file's problems as `caio contract validate` writes
/// it on stderr, without colour, `width` columns wide: the first
/// [`SHOWN_PROBLEMS`] in full, then how many more there are. (The renderer's
/// fuzz target calls it.)
pub fn render_file_problems(report: &FileReport, width: usize) -> String {
    let style = Style {
        json: false,
        color: false,
        width,
    };
    let mut out = String::new();
    style.file_problems(report, &mut |text| out.push_str(text));
    out
}

/// How diagnostics are drawn on stderr.
#[derive(Debug, Clone, Copy)]
struct Style {
    json: bool,
    color: bool,
    width: usize,
}

impl Style {
    /// Hands each rendered problem of `report` to `emit`, then the count of
    /// those past [`SHOWN_PROBLEMS`] (human form only).
    fn file_problems(self, report: &FileReport, emit: &mut dyn FnMut(&str)) {
        let index = LineIndex::new(&report.text);
        let mut shown = 0;
        let mut more = 0;
        for problem in &report.problems {
            if shown == SHOWN_PROBLEMS && !self.json {
                more += 1;
                continue;
            }
            shown += 1;
            let diagnostic = ProblemDiagnostic::new(report, &index, problem);
            emit(&self.render(&diagnostic));
        }
        if more > 0 {
            let path = escape_controls(&report.path).into_owned();
            emit(&format!(
                "… and {} in {path}; `--format json` lists every one\n\n",
                count(more, "more problem", "more problems")
            ));
        }
    }

    fn render(self, diagnostic: &dyn Diagnostic) -> String {
        let mut out = String::new();
        if self.json {
            let mut report = String::new();
            let _ = JSONReportHandler::new().render_report(&mut report, diagnostic);
            // miette's report, with the `schema_version` every document carries.
            match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&report)
                .and_then(|r| serde_json::to_string(&Schema::Error.wrap(&r)))
            {
                Ok(text) => out.push_str(&text),
                Err(_) => out.push_str(&report),
            }
            out.push('\n');
        } else if let Some(related) = diagnostic.related() {
            // miette would print related diagnostics under the main one, each
            // behind an `Error:` prefix; they are reports of their own, first.
            for r in related {
                out.push_str(&self.render(r));
            }
            out.push_str(&self.render(&WithoutRelated(diagnostic)));
        } else {
            let theme = if self.color {
                GraphicalTheme::unicode()
            } else {
                GraphicalTheme::unicode_nocolor()
            };
            let _ = GraphicalReportHandler::new_themed(theme)
                .with_width(self.width)
                .render_report(&mut out, &Escaped(diagnostic));
        }
        out
    }
}

/// A diagnostic with its related diagnostics left out (they are rendered
/// before it).
struct WithoutRelated<'a>(&'a dyn Diagnostic);

impl fmt::Debug for WithoutRelated<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for WithoutRelated<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0, f)
    }
}

impl std::error::Error for WithoutRelated<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl Diagnostic for WithoutRelated<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.0.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.help()
    }
    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.url()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.0.labels()
    }
    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.0.diagnostic_source()
    }
}

/// A diagnostic whose texts (message, help, labels) have their control
/// characters shown, not obeyed: they may quote a file or a request.
struct Escaped<'a>(&'a dyn Diagnostic);

impl fmt::Debug for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape_controls(&self.0.to_string()))
    }
}

impl std::error::Error for Escaped<'_> {}

impl Diagnostic for Escaped<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.0.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let help = self.0.help()?.to_string();
        Some(Box::new(escape_controls(&help).into_owned()))
    }
    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.url()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let labels = self.0.labels()?;
        Some(Box::new(labels.map(|l| {
            let text = l.label().map(|t| escape_controls(t).into_owned());
            if l.primary() {
                LabeledSpan::new_primary_with_span(text, *l.inner())
            } else {
                LabeledSpan::new_with_span(text, *l.inner())
            }
        })))
    }
    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.0.diagnostic_source()
    }
}

/// A [`Problem`] seen through miette, with an excerpt of its file's
/// (masked) source.
struct ProblemDiagnostic<'a> {
    problem: &'a Problem,
    source: Option<Excerpt>,
    position: String,
}

impl<'a> ProblemDiagnostic<'a> {
    fn new(report: &'a FileReport, index: &LineIndex<'_>, problem: &'a Problem) -> Self {
        let has_text = !report.text.is_empty();
        let (line, col) = index.line_col(problem.span.offset);
        ProblemDiagnostic {
            problem,
            source: has_text.then(|| Excerpt::new(&report.path, &report.text, index, problem.span)),
            position: if has_text {
                format!("{}:{line}:{col}", report.path)
            } else {
                report.path.clone()
            },
        }
    }
}

impl fmt::Debug for ProblemDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProblemDiagnostic")
            .field("problem", self.problem)
            .finish()
    }
}

impl fmt::Display for ProblemDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position, self.problem.message)
    }
}

impl std::error::Error for ProblemDiagnostic<'_> {}

impl Diagnostic for ProblemDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.problem.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.problem.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.problem
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.source.as_ref()?.span();
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(self.problem.label.clone()), span),
        )))
    }
}
