//! `caio route`: read a request (or a JSON Lines batch), gather the inputs
//! (registry or files), run the router, render the decision.

use super::{GlobalArgs, open_store_existing, resolve_home};
use crate::error::{Error, Exit};
use crate::gateway::Attempt;
use crate::gateway::execute::Payload;
use crate::ui::Ui;
use caio_core::contract::ServiceContract;
use caio_core::diagnostic::FileReport;
use caio_core::principal::{self, Principal};
use caio_core::request::Request;
use caio_core::request::{self, MAX_SEED, Priority};
use caio_core::routing::Routed;
use caio_core::routing::{Decision, Outcome, Terms};
use caio_core::source;
use caio_core::trace::{ExecutionRecord, Prepared};
use caio_store::router::Router;
use caio_store::traces::Appended;
use serde::Serialize;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

mod execute;

const AFTER_HELP: &str = "\
With a caio home, routing uses the registry (only the services offering the requested \
capability are loaded), the installed policy set (`caio policy apply`), and the principal \
of the request's auth.token. With --contracts DIR it works from files instead (stateless).

With --execute, caio also sends the payload (--payload FILE, or the request's `payload`) to \
the chosen service and prints the response body on stdout (or writes it to --output FILE), \
with a summary on stderr. Transient failures (connect errors, timeouts, 429, 5xx) are \
retried with backoff, then the next-best eligible service is tried: at most 3 attempts \
per service, 3 services, within --deadline-ms. Every attempt goes into the trace.

Exit status: 0 routed (and executed), 3 no eligible service, 1 invalid request or \
authentication failed, 4 execution failed on every candidate.";

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

    /// Seed of the tie-break among equal scores (overrides the request's `seed`)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(..=MAX_SEED))]
    seed: Option<u64>,

    /// Show every candidate with its terms, every rejection, and the weights
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

    /// Write the response body to FILE instead of stdout (with --execute)
    #[arg(long, value_name = "FILE", requires = "execute")]
    output: Option<PathBuf>,

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
    for warning in super::license::require(global, caio_core::license::Feature::Route)? {
        ui.warn(warning);
    }
    if args.execute {
        for warning in super::license::require(global, caio_core::license::Feature::Execute)? {
            ui.warn(warning);
        }
    }
    let Some(mut router) = router(&args, global, ui)? else {
        return Ok(Exit::Invalid);
    };
    if args.batch {
        return batch(&args, &mut router, ui);
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
    // Read before routing: a bad payload file must not leave a decision behind.
    let payload = match (args.execute, &args.payload) {
        (true, Some(path)) => Some(execute::read_payload(path)?),
        (true, None) => Some(
            request
                .payload
                .as_ref()
                .map_or_else(Payload::empty, Payload::json),
        ),
        (false, _) => None,
    };
    let routed = router.route(&request)?;
    for note in &routed.notes {
        ui.warn(note);
    }
    if let Some(payload) = payload
        && routed.decision.outcome == Outcome::Routed
    {
        let options = execute::Options {
            output: args.output.as_deref(),
            deadline: std::time::Duration::from_millis(args.deadline_ms),
            view: args.view(),
            top: args.top,
        };
        return execute::run(&mut router, &request, &routed, payload, &options, ui);
    }
    let traced = trace(&mut router, &[(&request, &routed)], args.dry_run, None)?.remove(0);
    if routed.decision.outcome == Outcome::Refused {
        ui.error(&AuthenticationFailed);
    }
    if ui.is_json() {
        ui.json(&RouteJson::new(&routed, &traced, args.top, true))?;
    } else if routed.decision.outcome != Outcome::Refused {
        render(&routed, &traced, args.view(), ui)?;
    }
    Ok(exit_of(&routed.decision))
}

/// Where a decision went in the trace.
pub struct Traced {
    /// First 32 hex characters of the record's chain hash.
    pub decision_id: String,
    /// `None` when nothing was appended (no home, or --dry-run).
    pub trace: Option<Appended>,
}

/// Appends the records of routed requests to the home's trace (one
/// transaction), or, without a home or with --dry-run, computes the ids they
/// would get.
fn trace(
    router: &mut Router,
    routed: &[(&Request, &Routed)],
    dry_run: bool,
    execution: Option<(Vec<Attempt>, ExecutionRecord)>,
) -> Result<Vec<Traced>, Error> {
    let at = caio_core::time::timestamp(jiff::Timestamp::now());
    let mut execution = execution;
    let prepared: Vec<Prepared> = routed
        .iter()
        .map(|(request, routed)| {
            let mut record = caio_core::trace::record(request, routed, at.clone());
            if let Some((attempts, end)) = execution.take() {
                record.attempts = attempts;
                record.execution = Some(end);
            }
            Prepared::new(record)
        })
        .collect::<Result<_, _>>()
        .map_err(|e| {
            Error::from(caio_store::Error::Store {
                path: "trace".into(),
                reason: format!("a decision has no canonical form: {e}"),
                help: "this is unexpected; report it with the request",
            })
        })?;
    let inputs = if dry_run {
        Vec::new()
    } else {
        router.take_inputs()
    };
    match router.store_mut() {
        Some(store) if !dry_run => Ok(store
            .append_traces(&prepared, &inputs)?
            .into_iter()
            .map(|a| Traced {
                decision_id: caio_core::trace::decision_id(&a.hash),
                trace: Some(a),
            })
            .collect()),
        store => {
            let mut prev = match store {
                Some(store) => store.trace_head()?.1,
                None => caio_core::trace::GENESIS,
            };
            Ok(prepared
                .iter()
                .map(|p| {
                    prev = caio_core::trace::chain_hash(&prev, &p.body);
                    Traced {
                        decision_id: caio_core::trace::decision_id(&prev),
                        trace: None,
                    }
                })
                .collect())
        }
    }
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
            "cannot route: {} invalid contract file(s)",
            run.invalid()
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
                        "cannot route: {} invalid policy file(s)",
                        run.invalid()
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
            let store = super::open_store(&home)?;
            let installed = store.active_policy_set()?;
            if !installed.is_empty() {
                ui.status(format_args!(
                    "applying the {} policy rule(s) installed in {}{}",
                    installed.policies().len(),
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

// ---------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------

/// The `--format json` document of SPEC §5.
#[derive(Serialize)]
pub struct RouteJson<'a> {
    /// The input line (batch only), as error lines give it.
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    decision_id: &'a str,
    /// Where the record went; absent when nothing was appended.
    #[serde(skip_serializing_if = "Option::is_none")]
    trace: Option<&'a Appended>,
    outcome: &'static str,
    service_id: Option<&'a str>,
    service_version: Option<&'a str>,
    score: Option<f64>,
    steps: &'a [caio_core::routing::Choice],
    control: Option<&'a caio_core::routing::Control>,
    guarantees: Option<GuaranteesJson>,
    /// Left out of batch lines unless --explain or --top asks for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    candidates: Option<Vec<CandidateJson<'a>>>,
    summary: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    principal: &'a str,
    policy_set: &'a str,
    seed: u64,
    weights: caio_core::request::Weights,
    /// What `--execute` did.
    #[serde(skip_serializing_if = "Option::is_none")]
    execution: Option<execute::ExecutionJson<'a>>,
}

#[derive(Serialize)]
struct GuaranteesJson {
    latency_p95_ms: f64,
    availability: f64,
    accuracy: Option<f64>,
    cost: f64,
    currency: String,
    regions: Vec<String>,
}

#[derive(Serialize)]
struct CandidateJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    step: Option<usize>,
    service_id: &'a str,
    service_version: &'a str,
    eligible: bool,
    score: Option<f64>,
    terms: Option<&'a Terms>,
    rejections: &'a [caio_core::routing::Rejection],
}

impl<'a> RouteJson<'a> {
    /// The document; `listed: false` leaves the per-candidate array out
    /// (batch lines without --explain or --top).
    pub fn new(
        routed: &'a Routed,
        traced: &'a Traced,
        top: Option<usize>,
        listed: bool,
    ) -> RouteJson<'a> {
        let d = &routed.decision;
        let single = d.chosen.len() == 1 && d.steps.len() == 1;
        let chained = d.steps.len() > 1 || d.chosen.len() > 1;
        let mut candidates = Vec::new();
        for (i, step) in d.steps.iter().enumerate() {
            let mut shown_eligible = 0;
            for c in &step.candidates {
                if c.eligible {
                    if top.is_some_and(|k| shown_eligible >= k) {
                        continue;
                    }
                    shown_eligible += 1;
                }
                candidates.push(CandidateJson {
                    step: chained.then_some(i + 1),
                    service_id: &c.service_id,
                    service_version: &c.service_version,
                    eligible: c.eligible,
                    score: c.score,
                    terms: c.terms.as_ref(),
                    rejections: &c.rejections,
                });
            }
        }
        RouteJson {
            line: None,
            decision_id: &traced.decision_id,
            trace: traced.trace.as_ref(),
            outcome: d.outcome.as_str(),
            service_id: single.then(|| d.chosen[0].service_id.as_str()),
            service_version: single.then(|| d.chosen[0].service_version.as_str()),
            score: d.score,
            steps: &d.chosen,
            control: d.control.as_ref(),
            guarantees: d.guarantees.as_ref().map(|g| GuaranteesJson {
                latency_p95_ms: g.latency_p95_ms,
                availability: g.availability,
                accuracy: g.accuracy,
                cost: g.cost,
                currency: g.currency.clone(),
                regions: g.regions.clone(),
            }),
            candidates: listed.then_some(candidates),
            summary: &d.summary,
            reason: d.reason.as_deref(),
            principal: &d.principal,
            policy_set: &routed.policy_set,
            seed: d.seed,
            weights: d.weights,
            execution: None,
        }
    }
}

// ---------------------------------------------------------------------------
// Human
// ---------------------------------------------------------------------------

fn num(x: f64, places: usize) -> String {
    format!("{x:.places$}")
}

/// How much of a decision the human output shows.
#[derive(Debug, Clone, Copy)]
pub(super) struct View {
    pub explain: bool,
    pub top: Option<usize>,
    pub dry_run: bool,
}

impl RouteArgs {
    fn view(&self) -> View {
        View {
            explain: self.explain,
            top: self.top,
            dry_run: self.dry_run,
        }
    }
}

/// The human report of a decision (also used by `trace show`).
pub(super) fn render(
    routed: &Routed,
    traced: &Traced,
    args: View,
    ui: &mut Ui,
) -> Result<(), Error> {
    let d = &routed.decision;
    match d.outcome {
        Outcome::Routed => {
            if d.chosen.len() == 1 && d.steps.len() == 1 {
                let c = &d.chosen[0];
                ui.line(format_args!(
                    "routed {} → {} {}  score {}",
                    c.capability,
                    c.service_id,
                    c.service_version,
                    num(c.score, 4)
                ))?;
                if c.probe {
                    ui.line(format_args!(
                        "  probe       panic guard: every otherwise-eligible service's circuit is \
                         open; half-open probe of {} (its circuit opened earliest)",
                        c.service_id
                    ))?;
                }
            } else {
                ui.line(format_args!(
                    "routed chain of {} steps  score {}",
                    d.chosen.len(),
                    num(d.score.unwrap_or(0.0), 4)
                ))?;
                for (i, c) in d.chosen.iter().enumerate() {
                    ui.line(format_args!(
                        "  step {}  {} → {} {}  score {}",
                        i + 1,
                        c.capability,
                        c.service_id,
                        c.service_version,
                        num(c.score, 4)
                    ))?;
                }
            }
            if let Some(c) = &d.control {
                ui.line(format_args!(
                    "  control     confidence {}  latency headroom {}  budget headroom {}  risk {}",
                    num(c.confidence, 2),
                    num(c.latency_headroom, 2),
                    num(c.budget_headroom, 2),
                    num(c.risk, 2)
                ))?;
            }
            if let Some(g) = &d.guarantees {
                let accuracy = g.accuracy.map_or("undeclared".to_string(), |a| num(a, 3));
                let currency = &g.currency;
                ui.line(format_args!(
                    "  guarantees  p95 {} ms  availability {}  accuracy {accuracy}  cost {} {currency}",
                    caio_core::canonical::display_tidy(g.latency_p95_ms),
                    caio_core::canonical::display_tidy(g.availability),
                    caio_core::canonical::display_tidy(g.cost),
                ))?;
            }
        }
        Outcome::NoRoute => match &d.reason {
            Some(reason) => ui.line(format_args!("no route: {reason}"))?,
            None => ui.line("no route: no eligible service")?,
        },
        Outcome::Refused => {}
    }
    ui.line(format_args!(
        "  principal   {} · policies {} ({} rules) · seed {}",
        d.principal,
        &routed.policy_set[..12.min(routed.policy_set.len())],
        routed.policy_rules,
        d.seed
    ))?;
    match &traced.trace {
        Some(t) => ui.line(format_args!(
            "  trace       seq {} · decision {}",
            t.seq, traced.decision_id
        ))?,
        None if args.dry_run => ui.line(format_args!(
            "  trace       not written (--dry-run) · decision {}",
            traced.decision_id
        ))?,
        None => ui.line(format_args!(
            "  trace       not written (no caio home) · decision {}",
            traced.decision_id
        ))?,
    }
    // Weights and scores only mean something when a service was scored; a
    // request where nothing was eligible shows its rejections instead.
    let scored = d.steps.iter().any(|step| step.eligible().next().is_some());
    if args.explain && scored {
        let w = &d.weights;
        ui.line("")?;
        ui.line("J(s) = w_q·q + w_h·h + w_t·t − w_c·ĉ − w_l·ℓ̂ − w_r·ρ")?;
        ui.line(format_args!(
            "weights  q {}  h {}  t {}  c {}  l {}  r {}",
            num(w.q, 2),
            num(w.h, 2),
            num(w.t, 2),
            num(w.c, 2),
            num(w.l, 2),
            num(w.r, 2)
        ))?;
    }
    let chained = d.steps.len() > 1;
    if scored && (args.explain || args.top.is_some()) {
        ui.line("")?;
        let mut table = ui.table(&[
            if chained { "STEP" } else { "" },
            "SERVICE",
            "VERSION",
            "SCORE",
            "q",
            "h",
            "t",
            "ĉ",
            "ℓ̂",
            "ρ",
        ]);
        for (i, step) in d.steps.iter().enumerate() {
            for c in step.eligible().take(args.top.unwrap_or(usize::MAX)) {
                let t = c.terms.unwrap_or(Terms {
                    q: 0.0,
                    h: 0.0,
                    t: 0.0,
                    c: 0.0,
                    l: 0.0,
                    r: 0.0,
                });
                let chosen = d
                    .chosen
                    .get(i)
                    .is_some_and(|ch| ch.service_id == c.service_id);
                table.add_row(vec![
                    match (chained, chosen) {
                        (true, true) => format!("{}*", i + 1),
                        (true, false) => (i + 1).to_string(),
                        (false, true) => "*".to_string(),
                        (false, false) => String::new(),
                    },
                    c.service_id.clone(),
                    c.service_version.clone(),
                    num(c.score.unwrap_or(0.0), 4),
                    num(t.q, 3),
                    num(t.h, 3),
                    num(t.t, 3),
                    num(t.c, 3),
                    num(t.l, 3),
                    num(t.r, 3),
                ]);
            }
        }
        ui.table_out(table)?;
    }
    let rejected = d
        .steps
        .iter()
        .any(|s| s.candidates.iter().any(|c| !c.eligible));
    if rejected && (args.explain || d.outcome == Outcome::NoRoute) {
        ui.line("")?;
        let mut headers = vec!["SERVICE", "STAGE", "RULE", "MESSAGE"];
        if chained {
            headers.insert(0, "STEP");
        }
        let mut table = ui.table(&headers);
        for (i, step) in d.steps.iter().enumerate() {
            for c in step.candidates.iter().filter(|c| !c.eligible) {
                for r in &c.rejections {
                    let mut row = vec![
                        c.service_id.clone(),
                        r.stage.as_str().to_string(),
                        r.rule.clone(),
                        r.message.clone(),
                    ];
                    if chained {
                        row.insert(0, (i + 1).to_string());
                    }
                    table.add_row(row);
                }
            }
        }
        ui.table_out(table)?;
    }
    ui.line("")?;
    ui.line(&d.summary)
}

// ---------------------------------------------------------------------------
// Batch
// ---------------------------------------------------------------------------

/// The error object of a batch line that could not be routed.
#[derive(Serialize)]
struct LineError {
    line: usize,
    error: LineProblem,
}

#[derive(Serialize)]
struct LineProblem {
    code: String,
    message: String,
    column: Option<usize>,
    help: Option<String>,
}

/// Records of a batch are appended this many at a time, one transaction each.
const BATCH_CHUNK: usize = 256;

/// One line of a batch, once handled.
enum LineOutcome {
    Invalid(LineError),
    Routed(Box<(usize, Request, Routed)>),
}

/// The error object of a line that is not a request at all.
fn line_error(line: usize, code: &str, message: String, help: &str) -> LineOutcome {
    LineOutcome::Invalid(LineError {
        line,
        error: LineProblem {
            code: code.to_string(),
            message,
            column: None,
            help: Some(help.to_string()),
        },
    })
}

/// Routes a JSON Lines stream, reading it line by line (so memory stays
/// bounded and output follows input): each line is capped like a single
/// request; a line that is too long, not UTF-8 or not a valid request gives
/// an error line and the batch goes on.
fn batch(args: &RouteArgs, router: &mut Router, ui: &mut Ui) -> Result<Exit, Error> {
    let (mut input, size) = open_batch(&args.request)?;
    let bar = ui.progress_bytes(size, "routing");
    let limit = caio_core::yaml::MAX_FILE_BYTES;
    let (mut failed, mut lines) = (0usize, 0usize);
    let mut pending: Vec<LineOutcome> = Vec::new();
    let mut buf = Vec::new();
    for n in 1.. {
        // Answers go out when a chunk is full, and before a read that may
        // wait: a client that waits for each answer before it writes the
        // next line is answered at once.
        if pending.len() >= BATCH_CHUNK || (!pending.is_empty() && input.buffer().is_empty()) {
            flush(args, router, &mut pending, ui)?;
        }
        buf.clear();
        let read =
            read_line(&mut input, &mut buf, limit).map_err(|e| Error::RequestUnreadable {
                path: label(&args.request),
                reason: e.to_string(),
            })?;
        let Some((bytes, complete)) = read else {
            break;
        };
        bar.inc(bytes);
        if !complete {
            lines += 1;
            failed += 1;
            pending.push(line_error(
                n,
                "request::too-large",
                format!("the line is larger than the {} MiB limit", limit >> 20),
                "a request is at most 1 MiB; send large payloads with --payload",
            ));
            continue;
        }
        let Ok(line) = std::str::from_utf8(&buf) else {
            lines += 1;
            failed += 1;
            pending.push(line_error(
                n,
                "request::not-utf8",
                "the line is not UTF-8 text".into(),
                "write requests as UTF-8 JSON",
            ));
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        lines += 1;
        let label = format!("{}:{n}", label(&args.request));
        match request::parse(&label, line) {
            Err(report) => {
                failed += 1;
                let problem = report.problems.first();
                let column = problem.map(|p| report.position(p).1);
                pending.push(LineOutcome::Invalid(LineError {
                    line: n,
                    error: LineProblem {
                        code: problem.map_or_else(|| "request::invalid".into(), |p| p.code.clone()),
                        message: problem.map_or_else(String::new, |p| p.message.clone()),
                        column,
                        help: problem.and_then(|p| p.help.clone()),
                    },
                }));
            }
            Ok(mut request) => {
                if let Some(seed) = args.seed {
                    request.seed = seed;
                }
                let routed = router.route(&request)?;
                if routed.decision.outcome == Outcome::Refused {
                    failed += 1;
                }
                pending.push(LineOutcome::Routed(Box::new((n, request, routed))));
            }
        }
    }
    flush(args, router, &mut pending, ui)?;
    bar.finish_and_clear();
    if failed > 0 {
        ui.warn(format_args!(
            "{failed} of {lines} lines were not routed (invalid or refused)"
        ));
        return Ok(Exit::Invalid);
    }
    Ok(Exit::Success)
}

/// Reads one line (without its `\n` or `\r\n`) into `buf`, at most `limit`
/// bytes of it: `None` at the end of the input, else the bytes consumed
/// and whether the line fit (the rest of a longer line is skipped).
fn read_line(
    input: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    limit: u64,
) -> std::io::Result<Option<(u64, bool)>> {
    // Room for the limit and a `\r\n`.
    let read = input.take(limit + 2).read_until(b'\n', buf)? as u64;
    if read == 0 {
        return Ok(None);
    }
    let ended = buf.last() == Some(&b'\n');
    if ended {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    }
    if buf.len() as u64 <= limit || ended {
        return Ok(Some((read, buf.len() as u64 <= limit)));
    }
    // Too long: skip to the end of the line without keeping it.
    let mut skipped = read;
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            break;
        }
        match available.iter().position(|&b| b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                skipped += i as u64 + 1;
                break;
            }
            None => {
                let len = available.len();
                input.consume(len);
                skipped += len as u64;
            }
        }
    }
    Ok(Some((skipped, false)))
}

/// Traces the pending decisions in one transaction and prints every pending
/// line, in input order.
fn flush(
    args: &RouteArgs,
    router: &mut Router,
    pending: &mut Vec<LineOutcome>,
    ui: &mut Ui,
) -> Result<(), Error> {
    let routed: Vec<(&Request, &Routed)> = pending
        .iter()
        .filter_map(|o| match o {
            LineOutcome::Routed(b) => Some((&b.1, &b.2)),
            LineOutcome::Invalid(_) => None,
        })
        .collect();
    let mut traced = trace(router, &routed, args.dry_run, None)?.into_iter();
    let listed = args.explain || args.top.is_some();
    for outcome in pending.drain(..) {
        match outcome {
            LineOutcome::Invalid(e) => ui.json_line(&e)?,
            LineOutcome::Routed(b) => {
                let Some(t) = traced.next() else {
                    break;
                };
                let mut doc = RouteJson::new(&b.2, &t, args.top, listed);
                doc.line = Some(b.0);
                ui.json_line(&doc)?;
            }
        }
    }
    Ok(())
}

/// The batch input, buffered, and its size when it is a file (for the
/// progress bar). There is no cap on the whole stream, only per line.
/// The buffer is large so that a file fills many lines per read (answers
/// are flushed when it runs dry, and each flush is one transaction).
fn open_batch(path: &Path) -> Result<(BatchInput, Option<u64>), Error> {
    const BUFFER: usize = 1 << 20;
    if path.as_os_str() == "-" {
        let stdin: Box<dyn Read> = Box::new(std::io::stdin());
        return Ok((std::io::BufReader::with_capacity(BUFFER, stdin), None));
    }
    let file = std::fs::File::open(path).map_err(|e| Error::RequestUnreadable {
        path: label(path),
        reason: e.to_string(),
    })?;
    let size = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    let file: Box<dyn Read> = Box::new(file);
    Ok((std::io::BufReader::with_capacity(BUFFER, file), size))
}

type BatchInput = std::io::BufReader<Box<dyn Read>>;
