use caio::Exit;
use caio::cli::Cli;
use caio::ui::Ui;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::from_process() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print and succeed; parse errors exit 2.
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Usage.into()
            } else {
                Exit::Success.into()
            };
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
