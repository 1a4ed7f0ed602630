//! `caio store migrate`: move a home's state into a fleet database.

use super::{GlobalArgs, SecretUrl, busy_timeout, resolve_home};
use crate::app;
use crate::app::trace::Failure;
use crate::error::{Error, Exit};
use crate::ui::{Schema, Ui};
use caio_store::pg::DatabaseUrl;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Copy the home's SQLite database (registry history, principals, policy sets, traces with their objects and checkpoints, stats, licences) into an empty PostgreSQL database, in one transaction; verify the copy (chain, head, a replay sample) before committing it
    Migrate {
        /// The empty PostgreSQL database (postgres://USER[:PASSWORD]@HOST[:PORT]/DBNAME); defaults to --database / CAIO_DATABASE_URL
        #[arg(long, value_name = "URL", value_parser = super::secret_url)]
        to: Option<SecretUrl>,
    },
}

pub fn run(cmd: StoreCommand, global: &GlobalArgs, ui: &mut Ui) -> Result<Exit, Error> {
    match cmd {
        StoreCommand::Migrate { to } => {
            let Some(to) = to.or_else(|| global.database.clone()) else {
                return Err(Error::Usage {
                    message: "`caio store migrate` needs the database to copy into".into(),
                    help: Some(
                        "pass --to postgres://USER@HOST/DBNAME, or set CAIO_DATABASE_URL".into(),
                    ),
                });
            };
            let to = DatabaseUrl::parse(to.expose())?;
            let home = resolve_home(global)?;
            let bar = Bar(ui.progress(0, "verifying the copy"));
            let migrated = match app::store::migrate(&home, &to, busy_timeout(), &bar) {
                Ok(m) => m,
                Err(Failure::State(e)) => return Err(e),
                Err(Failure::Input(e)) => {
                    return Err(Error::CopyUnverified {
                        target: to.to_string(),
                        reason: e.to_string(),
                    });
                }
            };
            bar.0.finish_and_clear();
            if ui.is_json() {
                ui.json(Schema::StoreMigrate, &migrated)?;
            } else {
                let rows: u64 = migrated.tables.iter().map(|t| t.rows).sum();
                ui.line(format_args!(
                    "copied {} into {}: {rows} row(s) in {} table(s)",
                    migrated.from,
                    migrated.to,
                    migrated.tables.iter().filter(|t| t.rows > 0).count()
                ))?;
                if migrated.records == 0 {
                    ui.line("verified: the trace holds no records yet")?;
                } else {
                    ui.line(format_args!(
                        "verified: chain of {} record(s), head {}, {} checkpoint(s); {} decision(s) replayed with the same result",
                        migrated.records, migrated.head, migrated.checkpoints, migrated.replayed
                    ))?;
                }
                ui.status(
                    "point every host at it with --database or CAIO_DATABASE_URL; copy keys/principal.key \
                     (and keys/instance.key, for the host that signs checkpoints) into their homes",
                );
            }
            Ok(Exit::Success)
        }
    }
}

struct Bar(indicatif::ProgressBar);

impl app::trace::Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }

    fn tick(&self) {
        self.0.inc(1);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}
