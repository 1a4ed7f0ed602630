//! The command line: global flags, the command tree, dispatch. Handlers parse
//! nothing themselves and print nothing themselves: they call the library and
//! hand the result to [`Ui`].

pub mod complete;
pub mod contract;
pub mod docs;
pub mod invariants;
pub mod license;
pub mod metrics;
pub mod policy;
pub mod principal;
pub mod registry;
pub mod report;
pub mod route;
pub mod schema;
pub mod slo;
pub mod store;
pub mod trace;

use crate::error::{Error, Exit};
use crate::ui::{ColorChoice, Format, Schema, Ui};
use caio_store::home::{Home, HomeEnv};
use caio_store::pg::DatabaseUrl;
use caio_store::{DEFAULT_BUSY_TIMEOUT, Database, Store, StoreOptions};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

const ABOUT: &str = "Route requests to AI services by contract, with proofs";

const LONG_ABOUT: &str = "\
caio routes requests to AI services by contract. Operators describe each service \
in a YAML contract (capabilities, latency/availability/accuracy guarantees, cost, \
privacy, access); caio validates contracts, keeps them in a local registry, picks \
the best eligible service for each request with one documented objective, and \
records every decision in a tamper-evident trace.";

#[derive(Debug, Parser)]
#[command(
    name = "caio",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = Exit::table(),
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command accepts, listed under their own heading in every
/// `--help`.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// State directory (registry, traces, keys) [env: CAIO_HOME] [default: $XDG_DATA_HOME/caio
    /// or ~/.local/share/caio]
    // CAIO_HOME is read after parsing (`Cli::from_process`), not by clap: a
    // value clap takes from the environment shows in every usage line as if
    // typed, and `--home` looked required.
    #[arg(long, global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,

    /// PostgreSQL database (postgres://USER@HOST[:PORT]/DBNAME) shared by a fleet of hosts,
    /// instead of the home's SQLite file; keys stay in the home [env: CAIO_DATABASE_URL]
    #[arg(long, global = true, value_name = "URL", value_parser = secret_url)]
    pub database: Option<SecretUrl>,

    /// Output format: `human` tables and text, or one `json` document on stdout; `contract validate`, `policy validate` and `policy test` also print `github`, `sarif` and `junit` reports for CI, and `trace show` an `html` page
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// When to use colour (NO_COLOR is honoured by `auto`)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Quiet, the same in every command: print the results and every problem (errors, warnings,
    /// a file's findings), nothing else: no summary lines, status lines, hints or progress bars
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print more detail (repeat for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// The flags of the checking commands (`contract validate`, `policy
/// validate`, `policy test`), which CI runs.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Fail (exit 1) on warnings too, not only on errors
    #[arg(long)]
    pub strict: bool,

    /// The path that diagnostics show for `-` (a document read from stdin)
    #[arg(long, value_name = "NAME", default_value = "<stdin>")]
    pub stdin_name: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the caio home and its database if they do not exist
    Init,

    /// Validate, describe and scaffold service contracts
    #[command(subcommand)]
    Contract(contract::ContractCommand),

    /// Store service contracts and manage their status
    #[command(subcommand)]
    Registry(registry::RegistryCommand),

    /// Manage the principals (callers) whose tokens requests carry
    #[command(subcommand)]
    Principal(principal::PrincipalCommand),

    /// Validate, test, install and show policy sets
    #[command(subcommand)]
    Policy(policy::PolicyCommand),

    /// Pick the best eligible service for a request, and explain why
    Route(route::RouteArgs),

    /// Show, list, verify, replay, checkpoint, export and prune the decision
    /// trace; report the outcomes of routed calls
    #[command(subcommand)]
    Trace(trace::TraceCommand),

    /// Is each service keeping its contract? Availability, latency, spend,
    /// error budget and burn rate per window; --check for cron and CI
    Slo(slo::SloArgs),

    /// Print the state as Prometheus metrics (or write them atomically with --out)
    Metrics(metrics::MetricsArgs),

    /// Issue, verify, revoke and install licenses; show the license status
    #[command(subcommand)]
    License(license::LicenseCommand),

    /// Move the state between databases: copy a home into a PostgreSQL database
    #[command(subcommand)]
    Store(store::StoreCommand),

    /// Check the engine's invariants on generated scenarios; exit 1 on a violation
    VerifyInvariants(invariants::VerifyInvariantsArgs),

    /// Print the JSON Schema (draft 2020-12) of a JSON document caio prints
    Schema(schema::SchemaArgs),

    /// Regenerate the man pages and shell completions from this command line
    #[command(hide = true)]
    GenerateDocs(docs::GenerateDocsArgs),
}

impl Cli {
    /// Parses the process's arguments; `--home` wins over `CAIO_HOME`. An
    /// empty `CAIO_HOME` counts as unset (like an empty `XDG_DATA_HOME`).
    pub fn from_process() -> Result<Cli, clap::Error> {
        use clap::{CommandFactory, FromArgMatches};
        let mut command = Cli::command();
        let matches = command.try_get_matches_from_mut(std::env::args_os())?;
        let mut cli = Cli::from_arg_matches(&matches)?;
        if cli.global.home.is_none() {
            cli.global.home = std::env::var_os("CAIO_HOME")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from);
        }
        // Read here rather than by clap, like CAIO_HOME: clap would show a
        // value from the environment in usage lines, password included.
        if cli.global.database.is_none() {
            cli.global.database = std::env::var("CAIO_DATABASE_URL")
                .ok()
                .filter(|v| !v.is_empty())
                .map(|v| SecretUrl(zeroize::Zeroizing::new(v)));
        }
        let format = cli.global.format;
        if format.is_ci_report() && !cli.command.prints_ci_reports() {
            return Err(command.error(
                clap::error::ErrorKind::ArgumentConflict,
                format!(
                    "`--format {}` is a CI report of `contract validate`, `policy validate` and `policy test`; this command prints `human` or `json`",
                    format.name()
                ),
            ));
        }
        if format == Format::Json && matches!(cli.command, Command::Metrics(_)) {
            return Err(command.error(
                clap::error::ErrorKind::ArgumentConflict,
                "`caio metrics` prints the Prometheus text format (what a scraper and `promtool check metrics` read); it has no `--format json`",
            ));
        }
        if format == Format::Html && !cli.command.prints_html() {
            return Err(command.error(
                clap::error::ErrorKind::ArgumentConflict,
                "`--format html` is a page of one decision: `caio trace show ID --format html`; this command prints `human` or `json`",
            ));
        }
        Ok(cli)
    }

    /// Whether the process's arguments ask for JSON output (`--format json`
    /// or `--format=json` before any `--`): how a usage error that stops
    /// parsing is still reported as JSON.
    pub fn json_requested() -> bool {
        let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
        let mut it = args.iter().map(|a| a.to_str().unwrap_or(""));
        while let Some(arg) = it.next() {
            match arg {
                "--" => return false,
                "--format=json" => return true,
                "--format" if it.next() == Some("json") => return true,
                _ => {}
            }
        }
        false
    }

    /// Runs the parsed command against a terminal.
    pub fn run(self, ui: &mut Ui) -> Result<Exit, Error> {
        let global = self.global;
        match self.command {
            Command::Init => init(&global, ui),
            Command::Contract(cmd) => contract::run(cmd, ui),
            Command::Registry(cmd) => registry::run(cmd, &global, ui),
            Command::Principal(cmd) => principal::run(cmd, &global, ui),
            Command::Policy(cmd) => policy::run(cmd, &global, ui),
            Command::Route(args) => route::run(args, &global, ui),
            Command::Trace(cmd) => trace::run(cmd, &global, ui),
            Command::Slo(args) => slo::run(&args, &global, ui),
            Command::Metrics(args) => metrics::run(&args, &global, ui),
            Command::Store(cmd) => store::run(cmd, &global, ui),
            Command::License(cmd) => license::run(cmd, &global, ui),
            Command::VerifyInvariants(args) => invariants::run(args, &global, ui),
            Command::Schema(args) => schema::run(&args, ui),
            Command::GenerateDocs(args) => docs::run(&args, ui),
        }
    }
}

impl Command {
    /// `trace show`, which also prints a decision as an HTML page.
    fn prints_html(&self) -> bool {
        matches!(self, Command::Trace(trace::TraceCommand::Show { .. }))
    }

    /// The checking commands, which also print the CI reports
    /// (`--format github|sarif|junit`).
    fn prints_ci_reports(&self) -> bool {
        matches!(
            self,
            Command::Contract(contract::ContractCommand::Validate { .. })
                | Command::Policy(
                    policy::PolicyCommand::Validate { .. } | policy::PolicyCommand::Test { .. }
                )
        )
    }
}

fn resolve_home(global: &GlobalArgs) -> Result<Home, Error> {
    Ok(Home::resolve(
        global.home.as_deref(),
        &HomeEnv::from_process(),
    )?)
}

/// How long to wait for another caio process holding the database:
/// `CAIO_BUSY_TIMEOUT_MS`, default 5 s.
fn busy_timeout() -> Duration {
    std::env::var("CAIO_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(DEFAULT_BUSY_TIMEOUT, Duration::from_millis)
}

/// A database URL as given: never shown, never parsed by clap (whose
/// error for a bad value would repeat the password); [`store_options`]
/// parses it.
#[derive(Clone)]
pub struct SecretUrl(zeroize::Zeroizing<String>);

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretUrl(…)")
    }
}

impl SecretUrl {
    /// The URL as given, password included: for parsing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

pub(crate) fn secret_url(text: &str) -> Result<SecretUrl, std::convert::Infallible> {
    Ok(SecretUrl(zeroize::Zeroizing::new(text.to_string())))
}

/// Where the store is: `--database` / `CAIO_DATABASE_URL`, else the home.
fn store_options(global: &GlobalArgs) -> Result<StoreOptions, Error> {
    let database = match &global.database {
        None => Database::Home,
        Some(url) => Database::Postgres(DatabaseUrl::parse(&url.0)?),
    };
    Ok(StoreOptions {
        database,
        busy_timeout: busy_timeout(),
    })
}

/// The store, created (with the home) when missing.
fn open_store(global: &GlobalArgs, home: &Home) -> Result<Store, Error> {
    Ok(Store::open_with(home, &store_options(global)?)?)
}

/// The store for a command that needs existing state.
fn open_store_existing(global: &GlobalArgs) -> Result<Store, Error> {
    Ok(Store::open_existing_with(
        &resolve_home(global)?,
        &store_options(global)?,
    )?)
}

fn init(global: &GlobalArgs, ui: &mut Ui) -> Result<Exit, Error> {
    let home = resolve_home(global)?;
    let options = store_options(global)?;
    let created = match &options.database {
        Database::Home => !home.db_path().is_file(),
        Database::Postgres(_) => {
            !home.path.is_dir() || Store::open_if_exists(&home, &options)?.is_none()
        }
    };
    Store::open_with(&home, &options)?;
    let database = match &options.database {
        Database::Home => None,
        Database::Postgres(url) => Some(url.to_string()),
    };
    if ui.is_json() {
        let mut doc = serde_json::json!({
            "home": home.path.display().to_string(),
            "created": created,
        });
        if let Some(url) = &database {
            doc["database"] = serde_json::Value::String(url.clone());
        }
        ui.json(Schema::Init, &doc)?;
    } else if let Some(url) = &database {
        if created {
            ui.line(format_args!(
                "initialised caio home at {} (keys), with its state in {url}",
                home.path.display()
            ))?;
        } else {
            ui.line(format_args!(
                "caio home at {} (keys) already exists, with its state in {url}",
                home.path.display()
            ))?;
        }
    } else if created {
        ui.line(format_args!(
            "initialised caio home at {}",
            home.path.display()
        ))?;
    } else {
        ui.line(format_args!(
            "caio home at {} already exists",
            home.path.display()
        ))?;
    }
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// clap checks its definitions only when a command is used; check them all now.
    #[test]
    fn command_line_definitions_are_consistent() {
        Cli::command().debug_assert();
    }
}
