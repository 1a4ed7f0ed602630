//! `caio route`: read a request (or a JSON Lines batch), gather the inputs
//! (registry or files), run the router, render the decision.

use super::{GlobalArgs, open_store_existing, resolve_home, store_options};
use crate::app::route::{Traced, trace};
use crate::error::{Error, Exit};
use crate::gateway::execute::PayloadSource;
use crate::ui::{Schema, Ui};
use caio_core::contract::ServiceContract;
use caio_core::diagnostic::FileReport;
use caio_core::license::Feature;
use caio_core::principal::{self, Principal};
use caio_core::request::Request;
use caio_core::request::{self, MAX_SEED, Priority};
use caio_core::routing::Routed;
use caio_core::routing::{Decision, Detail, Outcome, Terms};
use caio_core::source;
use caio_store::Store;
use caio_store::router::Router;
use caio_store::traces::Appended;
use serde::Serialize;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

mod batch;
mod execute;
mod human;
mod json;

use batch::batch;
pub(crate) use batch::read_line;
pub(crate) use execute::{attempts_table, money};
pub(crate) use human::{View, render};

/// What an explanation shows beyond the decision, and where its inputs
/// came from (the hints say how to change them).
pub(crate) struct Explained {
    pub explanation: caio_core::routing::explain::Explanation,
    /// Candidates came from the registry (else from --contracts).
    pub registry: bool,
    /// Tokens are checked against a home (else: anonymous or simulated).
    pub tokens: bool,
}

/// The explanation of `routed`, when it is shown: with --explain, or
/// when nothing was routed (a refused request needs none).
fn explained(
    explain: bool,
    router: &mut Router,
    request: &Request,
    routed: &Routed,
) -> Result<Option<Explained>, Error> {
    let wanted = match routed.decision.outcome {
        Outcome::Refused => false,
        Outcome::NoRoute => true,
        Outcome::Routed => explain,
    };
    if !wanted {
        return Ok(None);
    }
    Ok(Some(Explained {
        explanation: router.explain(request, routed)?,
        registry: router.is_registry(),
        tokens: router.checks_tokens(),
    }))
}
pub(crate) use json::RouteJson;

const AFTER_HELP: &str = "\
With a caio home, routing uses the registry (only the services offering the requested \
capability are loaded), the installed policy set (`caio policy apply`), and the principal \
of the request's auth.token. With --contracts DIR it works from files instead (stateless).

With --execute, caio also sends the payload (--payload FILE, or the request's `payload`) to \
the chosen service in the protocol its contract names (endpoint.protocol: http sends the \
payload unchanged; openai-chat, anthropic-messages, openai-embeddings and \
openai-transcription translate one canonical payload, so failover across providers works) \
and prints the answer on stdout (the text, or the body with --raw; or into --output FILE), \
with one status line on stderr: service, model, tokens, cost, latency. --stream prints a \
chat answer as it arrives. Transient failures (connect errors, timeouts, 429, 5xx, a body \
cut short) are retried with backoff, then the next-best eligible service is tried: at \
most 3 attempts per service, 3 services, within --deadline-ms; a candidate whose secret \
is not set is skipped. Every attempt goes into the trace.

Exit status: 0 routed (and executed), 3 no eligible service, 1 invalid request or \
authentication failed, 4 execution failed on every candidate (or none could be tried).";

#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP, after_long_help = long_help())]
pub struct RouteArgs {
    /// The request: a JSON file, or `-` for stdin (with --batch: JSON Lines)
    #[arg(value_name = "REQUEST")]
    request: PathBuf,

    /// Route among these contract files instead of the registry (stateless mode)
    #[arg(long, value_name = "DIR")]
    contracts: Option<PathBuf>,

    /// Apply these policy files (stateless mode); a home's installed set always applies, these add to it
    #[arg(long, value_name = "DIR", requires = "contracts")]
    policies: Option<PathBuf>,

    /// Route as this principal (YAML or JSON: name, tenant, roles, trust); stateless mode only
    #[arg(long, value_name = "FILE", requires = "contracts")]
    principal: Option<PathBuf>,

    /// Read the caller's token from FILE (mode 0600) instead of the request's auth.token;
    /// the CAIO_TOKEN environment variable is the other way. Never a plain --token flag:
    /// it would land in shell history
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,

    /// Seed of the tie-break among equal scores (overrides the request's `seed`)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(..=MAX_SEED))]
    seed: Option<u64>,

    /// Show every candidate with its terms (and the cost and p95 behind them), every stage
    /// that would reject each rejected one (the first marked `*`), hints on what would
    /// qualify, and the weights
    #[arg(long)]
    explain: bool,

    /// List the K best eligible candidates
    #[arg(long, value_name = "K")]
    top: Option<usize>,

    /// Route without appending to the trace
    #[arg(long)]
    dry_run: bool,

    /// Read JSON Lines (one request per line) and write one JSON decision per line
    /// (candidates listed only with --explain or --top)
    #[arg(long)]
    batch: bool,

    /// Send the payload to the chosen service, with retries and failover, and print
    /// the response body
    #[arg(long, conflicts_with_all = ["batch", "dry_run"])]
    execute: bool,

    /// The body to send with --execute (instead of the request's `payload`)
    #[arg(long, value_name = "FILE", requires = "execute")]
    payload: Option<PathBuf>,

    /// Write the answer to FILE instead of stdout (with --execute)
    #[arg(long, value_name = "FILE", requires = "execute")]
    output: Option<PathBuf>,

    /// The audio to transcribe, uploaded to an openai-transcription service (with --execute)
    #[arg(long, value_name = "FILE", requires = "execute")]
    input_file: Option<PathBuf>,

    /// Print a chat answer as it arrives (server-sent events; openai-chat and anthropic-messages)
    #[arg(long, requires = "execute")]
    stream: bool,

    /// Print the provider's response body unchanged instead of the answer's text (with --execute)
    #[arg(long, requires = "execute")]
    raw: bool,

    /// Give up executing after this many milliseconds, retries and failover included (at most 24 h)
    #[arg(
        long,
        value_name = "MS",
        requires = "execute",
        default_value_t = 120_000,
        value_parser = clap::value_parser!(u64).range(1..=MAX_DEADLINE_MS)
    )]
    deadline_ms: u64,
}

/// The longest `--deadline-ms`: a day. It keeps the recorded deadline an
/// exact JSON integer, so the trace record of an execution can always be
/// written (the call is never made with a record that cannot be).
const MAX_DEADLINE_MS: u64 = 24 * 60 * 60 * 1000;

fn long_help() -> String {
    let mut out = String::from(AFTER_HELP);
    out.push_str(
        "\n\nThe master equation, over the eligible candidates:\n\n  \
J(s) = w_q·q + w_h·h + w_t·t − w_c·ĉ − w_l·ℓ̂ − w_r·ρ\n\n  \
q  declared accuracy (0.5 when undeclared)\n  \
h  observed success rate (1 without history)\n  \
t  preferred-tag fraction + policy prefer bonuses, clamped to [0, 1]\n  \
ĉ  estimated cost / largest estimate among the eligible\n  \
ℓ̂  p95 latency / largest p95 among the eligible\n  \
ρ  clamp(risk + 10·(1 − availability) + 0.2·[degraded], 0, 1)\n\n\
Weights (q, h, t, c, l, r) by preferences.priority:\n",
    );
    for p in Priority::ALL {
        let w = p.weights();
        out.push_str(&format!(
            "  {:<9} {:.2}  {:.2}  {:.2}  {:.2}  {:.2}  {:.2}\n",
            p.as_str(),
            w.q,
            w.h,
            w.t,
            w.c,
            w.l,
            w.r
        ));
    }
    out.push_str("\nScores within 1e-9 are ties, broken by a ChaCha20 shuffle seeded with `seed`.");
    out
}

pub fn run(args: RouteArgs, global: &GlobalArgs, ui: &mut Ui) -> Result<Exit, Error> {
    // One licence check for what the command needs (the home opened once).
    let features: &[Feature] = if args.execute {
        &[Feature::Route, Feature::Execute]
    } else {
        &[Feature::Route]
    };
    // Registry mode opens the home once, for the licence check and the route.
    let existing = match (&args.contracts, resolve_home(global)) {
        (None, Ok(home)) => {
            Store::open_if_exists(&home, &store_options(global)?)?.map(|store| (home, store))
        }
        _ => None,
    };
    let mut router = match existing {
        Some((home, mut store)) => {
            for warning in super::license::require_in(&mut store, features)? {
                ui.warn(warning);
            }
            Router::registry(store, home)?
        }
        None => {
            for warning in super::license::require(global, features)? {
                ui.warn(warning);
            }
            let Some(router) = router(&args, global, ui)? else {
                return Ok(Exit::Invalid);
            };
            router
        }
    };
    if args.batch {
        return batch(&args, global, &mut router, ui);
    }
    let label = label(&args.request);
    let text = read_request(&args.request)?;
    let mut request = match request::parse(&label, &text) {
        Ok(r) => r,
        Err(report) => {
            ui.file_problems(&report);
            return Ok(Exit::Invalid);
        }
    };
    if let Some(seed) = args.seed {
        request.seed = seed;
    }
    apply_token(&mut request, &outside_token(&args)?)?;
    // Read before routing: a bad payload file must not leave a decision behind.
    let payload = match (args.execute, &args.payload) {
        (true, Some(path)) => Some(execute::read_payload(path)?),
        (true, None) => Some(
            request
                .payload
                .clone()
                .map_or(PayloadSource::None, PayloadSource::Json),
        ),
        (false, _) => None,
    };
    let input_file = match &args.input_file {
        Some(path) => Some(execute::read_input_file(path)?),
        None => None,
    };
    // A human answer shows no candidate unless --explain or --top asks, or
    // nothing was routed (every rejection is shown then): the decision
    // lists only the best and counts the rest (what its trace record keeps
    // either way), and is made again in full when nothing was routed.
    // Execution fails over through the eligible candidates: it decides in
    // full.
    let brief = !ui.is_json() && !args.explain && args.top.is_none() && payload.is_none();
    if brief {
        router.set_detail(Detail::Brief);
    }
    let mut routed = router.route(&request)?;
    if brief && routed.decision.outcome == Outcome::NoRoute {
        router.set_detail(Detail::Full);
        routed = router.route(&request)?;
    }
    for note in &routed.notes {
        ui.warn(note);
    }
    if let Some(payload) = payload
        && routed.decision.outcome == Outcome::Routed
    {
        let options = execute::Options {
            output: args.output.as_deref(),
            deadline: std::time::Duration::from_millis(args.deadline_ms),
            stream: args.stream,
            raw: args.raw,
            view: args.view(),
            show_decision: ui.verbose() > 0 || args.explain || args.top.is_some(),
            top: args.top,
        };
        return execute::run(
            &mut router,
            &request,
            &routed,
            payload,
            input_file,
            &options,
            ui,
        );
    }
    let traced = trace(
        &mut router,
        &[(&request, &routed)],
        args.dry_run,
        None,
        jiff::Timestamp::now(),
    )?
    .remove(0);
    if routed.decision.outcome == Outcome::Refused {
        ui.error(&AuthenticationFailed);
    }
    let explained = explained(args.explain, &mut router, &request, &routed)?;
    // The candidates' contracts and forms are not shown: freed before an
    // answer listing thousands of candidates is built.
    drop(router);
    if ui.is_json() {
        let mut doc = RouteJson::new(&routed, &traced, args.top, true);
        if let Some(e) = &explained {
            doc.explain(&e.explanation);
        }
        ui.json(Schema::Route, &doc)?;
    } else if routed.decision.outcome != Outcome::Refused {
        render(&routed, &traced, args.view(), explained.as_ref(), ui)?;
    }
    Ok(exit_of(&routed.decision))
}

fn exit_of(decision: &Decision) -> Exit {
    match decision.outcome {
        Outcome::Routed => Exit::Success,
        Outcome::NoRoute => Exit::NoRoute,
        Outcome::Refused => Exit::Invalid,
    }
}

/// The refusal of a request whose token does not authenticate.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("authentication failed")]
#[diagnostic(
    code(caio::authentication),
    help(
        "check the request's auth.token; `caio principal list` shows the principals of this home"
    )
)]
struct AuthenticationFailed;

fn label(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// Reads the request text (at most 1 MiB) from a file or stdin.
fn read_request(path: &Path) -> Result<String, Error> {
    let fail = |reason: String| Error::RequestUnreadable {
        path: label(path),
        reason,
    };
    let limit = caio_core::yaml::MAX_FILE_BYTES;
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(limit + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
    };
    read.map_err(|e| fail(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(fail("larger than the 1 MiB limit".into()));
    }
    String::from_utf8(bytes).map_err(|_| fail("not UTF-8 text".into()))
}

/// The caller's token given outside the request (SPEC §1): `--token-file
/// FILE` (only its owner may read it) or `CAIO_TOKEN`, with where it came
/// from. Two sources that disagree are a usage error.
fn outside_token(args: &RouteArgs) -> Result<Option<(String, &'static str)>, Error> {
    let from_file = match &args.token_file {
        None => None,
        Some(path) => {
            let fail = |reason: String| Error::TokenFile {
                path: path.clone(),
                reason,
            };
            let bytes = caio_store::secret_file::read(path).map_err(|e| fail(e.to_string()))?;
            let text = String::from_utf8(bytes.to_vec())
                .map_err(|_| fail("it is not UTF-8 text".into()))?;
            let token = text.trim().to_string();
            if token.is_empty() || token.contains(char::is_whitespace) {
                return Err(fail("it does not hold exactly one token".into()));
            }
            Some((token, "--token-file"))
        }
    };
    let from_env = std::env::var("CAIO_TOKEN")
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .map(|t| (t, "CAIO_TOKEN"));
    match (from_file, from_env) {
        (Some(file), Some(env)) if file.0 != env.0 => Err(Error::TokenConflict {
            sources: format!("{} and {}", file.1, env.1),
        }),
        (Some(file), _) => Ok(Some(file)),
        (None, env) => Ok(env),
    }
}

/// Gives `request` the outside token when it carries none; the request's
/// own token wins when they agree, and a disagreement is a usage error.
fn apply_token(
    request: &mut Request,
    outside: &Option<(String, &'static str)>,
) -> Result<(), Error> {
    let Some((token, source)) = outside else {
        return Ok(());
    };
    match request.token() {
        Some(own) if own != token => Err(Error::TokenConflict {
            sources: format!("the request's auth.token and {source}"),
        }),
        Some(_) => Ok(()),
        None => {
            request.auth = Some(caio_core::request::RequestAuth {
                token: token.clone(),
            });
            Ok(())
        }
    }
}

/// Builds the router: registry mode, or stateless from files. `None` when
/// input files were invalid (their problems are reported).
fn router(args: &RouteArgs, global: &GlobalArgs, ui: &mut Ui) -> Result<Option<Router>, Error> {
    let Some(dir) = &args.contracts else {
        let home = resolve_home(global)?;
        let store = open_store_existing(global)?;
        return Ok(Some(Router::registry(store, home)?));
    };
    let run = super::contract::validate_with_progress(std::slice::from_ref(dir), ui);
    let Some(contracts) = run.contracts() else {
        for file in run.files.iter().filter(|f| !f.report.is_valid()) {
            ui.file_problems(&file.report);
        }
        ui.warn(format_args!(
            "cannot route: {}",
            crate::ui::count(
                run.invalid(),
                "invalid contract file",
                "invalid contract files"
            )
        ));
        return Ok(None);
    };
    let contracts: Vec<ServiceContract> = contracts.into_iter().cloned().collect();
    let policies = match &args.policies {
        None => caio_core::policy::PolicySet::default(),
        Some(dir) => {
            let run = crate::app::documents::load_policies(std::slice::from_ref(dir));
            match run.set() {
                Some(set) => set,
                None => {
                    super::policy::problems(&run, ui);
                    ui.warn(format_args!(
                        "cannot route: {}",
                        crate::ui::count(
                            run.invalid(),
                            "invalid policy file",
                            "invalid policy files"
                        )
                    ));
                    return Ok(None);
                }
            }
        }
    };
    let principal = match &args.principal {
        None => None,
        Some(path) => match read_principal(path) {
            Ok(p) => Some(p),
            Err(report) => {
                ui.file_problems(&report);
                return Ok(None);
            }
        },
    };
    // A home named explicitly receives the trace and verifies tokens, and
    // its installed policy set applies (SPEC §7: with a home, no flag can
    // bypass it); --policies only adds rules.
    let (identities, policies) = match &global.home {
        Some(_) => {
            let home = resolve_home(global)?;
            let store = super::open_store(global, &home)?;
            let installed = store.active_policy_set()?;
            if !installed.is_empty() {
                ui.status(format_args!(
                    "applying the {} installed in {}{}",
                    crate::ui::count(installed.policies().len(), "policy rule", "policy rules"),
                    home.path.display(),
                    if args.policies.is_some() {
                        ", with the rules of --policies"
                    } else {
                        ""
                    }
                ));
            }
            let policies = installed
                .union(policies)
                .map_err(|id| Error::PolicyConflict { id })?;
            (Some((store, home)), policies)
        }
        None => (None, policies),
    };
    Ok(Some(Router::files(
        contracts, policies, principal, identities,
    )?))
}

const PRINCIPAL_FORMAT: source::DocumentKind = source::DocumentKind {
    prefix: "principal",
    noun: "principal",
    empty_help: "write `name`, `tenant`, `roles` and `trust`, e.g. `trust: high`",
};

fn read_principal(path: &Path) -> Result<Principal, FileReport> {
    let label = path.display().to_string();
    let document = source::Document {
        label: label.clone(),
        path: path.to_path_buf(),
        text: caio_store::files::read_text(&PRINCIPAL_FORMAT, path),
    };
    match document.parse(&PRINCIPAL_FORMAT) {
        (text, Err(problem)) => Err(FileReport::new(label, text, vec![problem])),
        (text, Ok(node)) => principal::from_node("principal", &node)
            .map_err(|problems| FileReport::new(label, text, problems)),
    }
}
