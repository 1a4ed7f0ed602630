use caio::cli::Cli;
use caio::ui::{ColorChoice, Format, Ui};
use caio::{Error, Exit};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::from_process() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print and succeed; parse errors exit 2,
            // reported as JSON on stderr when JSON was asked for.
            if !e.use_stderr() {
                let _ = e.print();
                return Exit::Success.into();
            }
            if Cli::json_requested() {
                Ui::stdio(Format::Json, ColorChoice::Never, false, 0).error(&Error::usage(&e));
            } else {
                let _ = e.print();
            }
            return Exit::Usage.into();
        }
    };
    let g = &cli.global;
    let mut ui = Ui::stdio(g.format, g.color, g.quiet, g.verbose);
    match cli.run(&mut ui) {
        Ok(exit) => exit.into(),
        Err(e) if e.is_broken_pipe() => Exit::Success.into(),
        Err(e) => {
            ui.error(&e);
            e.exit().into()
        }
    }
}
