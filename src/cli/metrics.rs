//! `caio metrics`: the home's state in the Prometheus text format.

use super::{GlobalArgs, open_store_existing, resolve_home, store_options};
use crate::app::metrics as app;
use crate::error::{Error, Exit};
use crate::ui::Ui;
use std::io::Write;
use std::path::Path;

const AFTER_HELP: &str = "\
Prints the metrics in the Prometheus text exposition format (0.0.4), which Prometheus, \
the node-exporter textfile collector and OpenMetrics scrapers read; the output passes \
`promtool check metrics`. With --out FILE it writes the file atomically (a temporary file \
in the same directory, synced, then renamed over FILE), so a collector never reads half a \
file:

  */1 * * * * caio metrics --out /var/lib/node_exporter/textfile/caio.prom";

/// `caio metrics`.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct MetricsArgs {
    /// Write the metrics to FILE atomically instead of printing them
    #[arg(long, value_name = "FILE")]
    out: Option<std::path::PathBuf>,
}

pub fn run(args: &MetricsArgs, global: &GlobalArgs, ui: &mut Ui) -> Result<Exit, Error> {
    let store = open_store_existing(global)?;
    let home = resolve_home(global)?;
    let families = app::gather(
        &store,
        &home,
        &store_options(global)?,
        jiff::Timestamp::now(),
    )?;
    let text = caio_core::metrics::render(&families);
    match &args.out {
        None => ui.raw(&text)?,
        Some(path) => {
            write_atomically(path, text.as_bytes())?;
            ui.status(format_args!(
                "{} metric families written to {}",
                text.lines().filter(|l| l.starts_with("# TYPE")).count(),
                path.display()
            ));
        }
    }
    Ok(Exit::Success)
}

/// Writes `bytes` to `path` through a temporary file in its directory:
/// written, synced, made readable by a collector (0644), renamed over
/// `path`; the directory is synced so the rename survives a crash. On any
/// failure the temporary file is removed and `path` is left as it was.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let fail = |e: std::io::Error| Error::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let name = path
        .file_name()
        .ok_or_else(|| fail(std::io::Error::other("not a file name")))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        file.write_all(bytes)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o644))?;
        }
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        // Best effort: some file systems cannot sync a directory.
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })
}
