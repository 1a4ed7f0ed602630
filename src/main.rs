use caio::cli::Cli;
use caio::ui::{ColorChoice, Format, Ui};
use caio::{Error, Exit};
use std::process::ExitCode;

/// mimalloc instead of the system allocator: routing allocates and frees
/// per-candidate results in bulk, and glibc's allocator hands the freed
/// memory back to the kernel after each decision only to fault it in again
/// for the next one (SPEC §12: cost linear in the candidates). Its 2.x
/// line (the `v2` feature): a route at 10,000 services peaks about 10 MiB
/// lower than with 3.x, which commits more memory than it keeps live and
/// backs it with transparent huge pages, and it is no slower.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // `CAIO_COMPLETE=<shell> caio -- <words>` (what the scripts in
    // completions/ run) prints completions and exits.
    clap_complete::CompleteEnv::with_factory(<Cli as clap::CommandFactory>::command)
        .var(caio::cli::complete::VAR)
        .complete();
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
