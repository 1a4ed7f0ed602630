//! The checks that need the real store: a fresh temporary home with stored
//! principals and real trace records — traceability, security,
//! authentication, audit trail and data integrity.

use super::routing::policies;
use super::{Coverage, Ctx, Outcome, count, ids, profile};
use crate::counterexample::{Evidence, shrink};
use crate::engine::{self, Engine};
use crate::lab::{Lab, Presented};
use crate::oracle;
use crate::random::Gen;
use crate::scenario::{self, Profile, Scenario};
use caio_core::policy::PolicySet;
use caio_core::principal::Principal;
use caio_core::request::{Request, RequestAuth};
use caio_core::routing::Routed;
use caio_core::routing::{Identity, Outcome as RouteOutcome};
use caio_core::trace::TraceRecord;

/// The home of a check run, from the run's own stream.
fn lab(ctx: &Ctx<'_>, p: &Profile) -> Result<Lab, String> {
    let mut g = Gen::for_trial(ctx.seed, &format!("{}/home", ctx.id), 0);
    Lab::new(&mut g, p, ctx.params.count("principals") as usize)
        .map_err(|e| format!("cannot set up a temporary home: {e}"))
}

/// One route call as `caio route` makes it with a home: authenticate the
/// presented token, route, and (with `trace`) append the record.
struct Call {
    request: Request,
    routed: Routed,
    policies: PolicySet,
}

fn call(engine: &dyn Engine, lab: &Lab, s: &Scenario, token: Option<&str>) -> Result<Call, String> {
    let mut request = s.request.clone();
    request.auth = token.map(|t| RequestAuth {
        token: t.to_string(),
    });
    let auth = engine
        .authenticate(&lab.store, &lab.home, token)
        .map_err(|e| format!("authentication failed on the store: {e}"))?;
    let identity = Identity::from_auth(auth, token.is_some());
    let policies = policies(s)?;
    let candidates = s.candidates();
    let decision = engine.route(&request, &identity, &candidates, &policies);
    let routed = engine::routed(decision, identity, &candidates, &policies);
    Ok(Call {
        request,
        routed,
        policies,
    })
}

/// The scenario as it was routed (the identity the token gave), for the
/// counterexample.
fn as_routed(s: &Scenario, c: &Call) -> Scenario {
    Scenario {
        identity: c.routed.identity.clone(),
        request: c.request.clone(),
        ..s.clone()
    }
}

fn failed(trial: u64, message: String, s: Scenario) -> Outcome {
    Outcome::failed(
        trial + 1,
        trial,
        message,
        Some(Evidence::Scenario(Box::new(s))),
    )
}

fn setup_failed(message: String) -> Outcome {
    Outcome::failed(0, 0, message, None)
}

// ---------------------------------------------------------------------------
// INV-CAIO-0003 Traceability
// ---------------------------------------------------------------------------

pub(crate) fn traceability(ctx: &mut Ctx<'_>) -> Outcome {
    let p = profile(ctx);
    let mut lab = match lab(ctx, &p) {
        Ok(l) => l,
        Err(e) => return setup_failed(e),
    };
    let mut coverage = Coverage::new();
    for trial in 0..ctx.trials {
        let mut g = Gen::for_trial(ctx.seed, ctx.id, trial);
        let s = scenario::scenario(&mut g, &p);
        let presented = lab.present(&mut g, 1);
        let result = traced_once(ctx.engine, &mut lab, &s, &presented, &mut coverage);
        let verify = trial % 25 == 24 || trial + 1 == ctx.trials;
        let result = result.and_then(|_| {
            if verify {
                count(&mut coverage, "chain verified");
                chain_sound(ctx.engine, &lab)?;
            }
            Ok(())
        });
        (ctx.tick)();
        if let Err(message) = result {
            // Shrink with the same token; the chain is re-verified each time.
            let engine = ctx.engine;
            let fails = |lab: &mut Lab, x: &Scenario| {
                let once = traced_once(engine, lab, x, &presented, &mut Coverage::new());
                match once {
                    Err(m) => Some(m),
                    Ok(_) if verify => chain_sound(engine, lab).err(),
                    Ok(_) => None,
                }
            };
            let found = (trial, s, message, coverage);
            return shrunk(engine, &mut lab, &presented, found, fails);
        }
    }
    Outcome {
        trials: ctx.trials,
        coverage,
        ..Outcome::default()
    }
}

/// Whether the lab's whole trace chain verifies, or what breaks it.
fn chain_sound(engine: &dyn Engine, lab: &Lab) -> Result<(), String> {
    match engine.verify(&lab.store, None) {
        Ok(None) => Ok(()),
        Ok(Some(b)) => Err(format!("the chain does not verify: {b}")),
        Err(e) => Err(format!("verification failed: {e}")),
    }
}

/// The outcome of a violation found at `trial` in scenario `s`, shrunk
/// while `fails` (which runs one call in `lab`, with the same token) still
/// reports one; the counterexample keeps the request as routed.
fn shrunk(
    engine: &dyn Engine,
    lab: &mut Lab,
    presented: &Presented,
    (trial, s, message, coverage): (u64, Scenario, String, Coverage),
    mut fails: impl FnMut(&mut Lab, &Scenario) -> Option<String>,
) -> Outcome {
    let (small, message) = shrink(s, message, &mut |x| fails(lab, x));
    let token = presented.token(lab).map(str::to_string);
    let routed = match call(engine, lab, &small, token.as_deref()) {
        Ok(c) => as_routed(&small, &c),
        Err(_) => small,
    };
    let mut out = failed(trial, message, routed);
    out.coverage = coverage;
    out
}

fn traced_once(
    engine: &dyn Engine,
    lab: &mut Lab,
    s: &Scenario,
    presented: &Presented,
    cov: &mut Coverage,
) -> Result<Call, String> {
    let token = presented.token(lab).map(str::to_string);
    let c = call(engine, lab, s, token.as_deref())?;
    let outcome = c.routed.decision.outcome;
    count(cov, format!("outcome {}", outcome.as_str()));
    let head = |lab: &Lab| lab.store.trace_head().map(|(n, _)| n);
    let before = head(lab).map_err(|e| format!("cannot read the trace head: {e}"))?;
    engine::trace_call(engine, &mut lab.store, &c.request, &c.routed, &c.policies)
        .map_err(|e| format!("appending the record failed: {e}"))?;
    let after = head(lab).map_err(|e| format!("cannot read the trace head: {e}"))?;
    if after != before + 1 {
        return Err(format!(
            "a {} call ({}) left {} records instead of exactly one",
            outcome.as_str(),
            presented.kind(),
            after - before
        ));
    }
    let stored = stored_record(lab, after)?;
    let recorded: Vec<&str> = stored
        .1
        .decision
        .chosen
        .iter()
        .map(|x| x.service_id.as_str())
        .collect();
    let made: Vec<&str> = c
        .routed
        .decision
        .chosen
        .iter()
        .map(|x| x.service_id.as_str())
        .collect();
    if stored.1.outcome != outcome || recorded != made {
        return Err(format!(
            "record {after} says {} {recorded:?}, the call was {} {made:?}",
            stored.1.outcome.as_str(),
            outcome.as_str(),
        ));
    }
    Ok(c)
}

/// The record at `seq`: its text and parsed form.
fn stored_record(lab: &Lab, seq: i64) -> Result<(String, TraceRecord), String> {
    let row = lab
        .store
        .trace_by_seq(seq)
        .map_err(|e| format!("cannot read record {seq}: {e}"))?
        .ok_or_else(|| format!("record {seq} is missing"))?;
    let record = serde_json::from_str(&row.record)
        .map_err(|e| format!("record {seq} does not read as a trace record: {e}"))?;
    Ok((row.record, record))
}

// ---------------------------------------------------------------------------
// INV-CAIO-0004 Security
// ---------------------------------------------------------------------------

pub(crate) fn security(ctx: &mut Ctx<'_>) -> Outcome {
    let mut p = profile(ctx);
    p.roles = 0.4;
    p.tenant_restricted = 0.4;
    p.trust = [4, 3, 2];
    let lab = match lab(ctx, &p) {
        Ok(l) => l,
        Err(e) => return setup_failed(e),
    };
    let mut coverage = Coverage::new();
    for trial in 0..ctx.trials {
        let mut g = Gen::for_trial(ctx.seed, ctx.id, trial);
        let s = scenario::scenario(&mut g, &p);
        let presented = lab.present(&mut g, 1);
        count(&mut coverage, presented.kind());
        let c = match call(ctx.engine, &lab, &s, presented.token(&lab)) {
            Ok(c) => c,
            Err(m) => return failed(trial, m, s),
        };
        let routed = as_routed(&s, &c);
        // Judged on the routed scenario: the same judgement shrinks it.
        let judge = |engine: &dyn Engine, r: &Scenario| -> Option<String> {
            let policies = policies(r).ok()?;
            let d = engine.route(&r.request, &r.identity, &r.candidates(), &policies);
            judge_security(r, &d)
        };
        let verdict = judge_security(&routed, &c.routed.decision);
        (ctx.tick)();
        if let Some(message) = verdict {
            let engine = ctx.engine;
            let mut fails = |r: &Scenario| judge(engine, r);
            let (small, message) = shrink(routed, message, &mut fails);
            let mut out = failed(trial, message, small);
            out.coverage = coverage;
            return out;
        }
        count(
            &mut coverage,
            format!("outcome {}", c.routed.decision.outcome.as_str()),
        );
    }
    Outcome {
        trials: ctx.trials,
        coverage,
        ..Outcome::default()
    }
}

fn judge_security(s: &Scenario, d: &caio_core::routing::Decision) -> Option<String> {
    if d.outcome != RouteOutcome::Routed {
        return None;
    }
    let who = oracle::who(&s.identity);
    if who.refused {
        return Some(format!(
            "the token was refused, yet the call routed to {}",
            ids(d.chosen.iter().map(|c| c.service_id.as_str()))
        ));
    }
    for c in &d.chosen {
        let svc = s.service(&c.service_id)?;
        let breaches = oracle::access_breaches(&who.principal, &svc.contract);
        if !breaches.is_empty() {
            return Some(format!(
                "routed `{}` for principal `{}` (tenant {:?}, roles {:?}, trust {:?}), whose access rules exclude it ({})",
                c.service_id,
                who.principal.name,
                who.principal.tenant,
                who.principal.roles,
                who.principal.trust,
                breaches.join(", ")
            ));
        }
    }
    None
}

// ---------------------------------------------------------------------------
// INV-CAIO-SEC-0001 Authentication
// ---------------------------------------------------------------------------

pub(crate) fn authentication(ctx: &mut Ctx<'_>) -> Outcome {
    let p = profile(ctx);
    let lab = match lab(ctx, &p) {
        Ok(l) => l,
        Err(e) => return setup_failed(e),
    };
    let mut coverage = Coverage::new();
    for trial in 0..ctx.trials {
        let mut g = Gen::for_trial(ctx.seed, ctx.id, trial);
        let mut s = scenario::single_scenario(&mut g, &p);
        let presented = lab.present(&mut g, 2);
        count(&mut coverage, presented.kind());
        let token = presented.token(&lab);
        let answer = match ctx.engine.authenticate(&lab.store, &lab.home, token) {
            Ok(a) => a,
            Err(e) => return failed(trial, format!("authentication failed on the store: {e}"), s),
        };
        let expected: Result<Principal, ()> = match &presented {
            Presented::None => Ok(Principal::anonymous()),
            Presented::Valid(i) => Ok(lab.members[*i].principal.clone()),
            _ => Err(()),
        };
        let wrong = match (&expected, &answer) {
            (Ok(want), Ok(got)) if want == got => None,
            (Err(()), Err(_)) => None,
            (Ok(want), Ok(got)) => Some(format!(
                "a {} authenticated as `{}`, not `{}`",
                presented.kind(),
                got.name,
                want.name
            )),
            (Ok(want), Err(f)) => Some(format!(
                "a {} of `{}` was refused ({f:?})",
                presented.kind(),
                want.name
            )),
            (Err(()), Ok(got)) => Some(format!(
                "a {} was accepted as `{}`",
                presented.kind(),
                got.name
            )),
        };
        let identity = Identity::from_auth(answer, token.is_some());
        s.identity = identity.clone();
        s.request.auth = token.map(|t| RequestAuth {
            token: t.to_string(),
        });
        let routed = match policies(&s) {
            Ok(policies) => {
                let d = ctx
                    .engine
                    .route(&s.request, &identity, &s.candidates(), &policies);
                let refused = matches!(identity, Identity::Refused { .. });
                match (refused, d.outcome) {
                    (true, RouteOutcome::Refused) | (false, RouteOutcome::Routed) => None,
                    (false, RouteOutcome::NoRoute) => None,
                    (true, o) => Some(format!(
                        "a refused {} was not refused by routing: {}",
                        presented.kind(),
                        o.as_str()
                    )),
                    (false, RouteOutcome::Refused) => Some(format!(
                        "routing refused a caller with a {} that authenticated",
                        presented.kind()
                    )),
                }
            }
            Err(m) => Some(m),
        };
        (ctx.tick)();
        if let Some(message) = wrong.or(routed) {
            let mut out = failed(trial, message, s);
            out.coverage = coverage;
            return out;
        }
    }
    Outcome {
        trials: ctx.trials,
        coverage,
        ..Outcome::default()
    }
}

// ---------------------------------------------------------------------------
// INV-CAIO-SEC-0005 Audit trail
// ---------------------------------------------------------------------------

/// Request paths a caller may ask to redact.
const REDACTABLE: &[&str] = &[
    "request_id",
    "input.language",
    "data",
    "preferences.prefer_tags",
    "requirements.regions",
    "requirements.max_cost",
];

pub(crate) fn audit_trail(ctx: &mut Ctx<'_>) -> Outcome {
    let p = profile(ctx);
    let values = ctx.params.count("redacted_values") > 0;
    let mut lab = match lab(ctx, &p) {
        Ok(l) => l,
        Err(e) => return setup_failed(e),
    };
    let mut coverage = Coverage::new();
    for trial in 0..ctx.trials {
        let mut g = Gen::for_trial(ctx.seed, ctx.id, trial);
        let mut s = scenario::scenario(&mut g, &p);
        let marker = format!("audit-marker-{:016x}", g.u64());
        if g.chance(0.8) {
            s.request.request_id = Some(marker.clone());
        }
        if g.chance(0.5) {
            // A bound with a value found nowhere else, low enough to reject.
            s.request.requirements.max_cost = Some(1.234_567_89e-7 * (1.0 + g.below(1000) as f64));
        }
        s.request.redact = g
            .subset(REDACTABLE, 0, 3)
            .into_iter()
            .map(str::to_string)
            .collect();
        let presented = lab.present(&mut g, 3);
        count(&mut coverage, presented.kind());
        let result = audit_once(
            ctx.engine,
            &mut lab,
            &s,
            &presented,
            &marker,
            values,
            &mut coverage,
        );
        (ctx.tick)();
        if let Err(message) = result {
            let engine = ctx.engine;
            let fails = |lab: &mut Lab, x: &Scenario| {
                let mut cov = Coverage::new();
                audit_once(engine, lab, x, &presented, &marker, values, &mut cov).err()
            };
            let found = (trial, s, message, coverage);
            return shrunk(engine, &mut lab, &presented, found, fails);
        }
    }
    Outcome {
        trials: ctx.trials,
        coverage,
        ..Outcome::default()
    }
}

fn audit_once(
    engine: &dyn Engine,
    lab: &mut Lab,
    s: &Scenario,
    presented: &Presented,
    marker: &str,
    values: bool,
    cov: &mut Coverage,
) -> Result<(), String> {
    let token = presented.token(lab).map(str::to_string);
    let c = call(engine, lab, s, token.as_deref())?;
    let outcome = c.routed.decision.outcome;
    let before = lab
        .store
        .trace_head()
        .map_err(|e| format!("cannot read the trace head: {e}"))?
        .0;
    engine::trace_call(engine, &mut lab.store, &c.request, &c.routed, &c.policies)
        .map_err(|e| format!("appending the record failed: {e}"))?;
    let after = lab
        .store
        .trace_head()
        .map_err(|e| format!("cannot read the trace head: {e}"))?
        .0;
    if after != before + 1 {
        let what = if outcome == RouteOutcome::Refused {
            format!("a refused call ({}) was not traced", presented.kind())
        } else {
            format!("a {} call was not traced", outcome.as_str())
        };
        return Err(what);
    }
    let (text, record) = stored_record(lab, after)?;
    if outcome == RouteOutcome::Refused {
        count(cov, "refusals traced");
        if record.outcome != RouteOutcome::Refused {
            return Err(format!(
                "a refused call is recorded as {}",
                record.outcome.as_str()
            ));
        }
    }
    if let Some(t) = token.as_deref().filter(|t| t.len() >= 8)
        && text.contains(t)
    {
        return Err(format!(
            "record {after} holds the caller's {}",
            presented.kind()
        ));
    }
    let original = serde_json::to_value(&c.request).unwrap_or_default();
    let mut paths: Vec<&str> = c.request.redact.iter().map(String::as_str).collect();
    if token.is_some() {
        paths.push("auth.token");
    }
    for path in paths {
        let pointer = format!("/{}", path.replace('.', "/"));
        if original.pointer(&pointer).is_none() {
            continue;
        }
        count(cov, format!("redacted {path}"));
        if record.request.pointer(&pointer).is_some() {
            return Err(format!(
                "record {after} still holds the redacted field `{path}`"
            ));
        }
        if !record.redacted.iter().any(|p| p == path) {
            return Err(format!("record {after} does not list `{path}` as redacted"));
        }
    }
    if c.request.redact.iter().any(|p| p == "request_id")
        && c.request.request_id.as_deref() == Some(marker)
        && text.contains(marker)
    {
        return Err(format!(
            "record {after} holds the value of the redacted request_id"
        ));
    }
    if values && let Some(leak) = leaked_value(&c.request, &text) {
        return Err(format!(
            "record {after} holds the value of a redacted field: {leak}"
        ));
    }
    Ok(())
}

/// A redacted value that a record's text quotes anyway (in an explanation):
/// the redacted `max_cost` as messages print it, a redacted language or
/// region list as messages quote it. Only the record's strings are
/// scanned, and a bound that equals a number the engine computed (a cost
/// estimate a message names) is not evidence of a leak.
fn leaked_value(request: &Request, record: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(record).ok()?;
    let mut strings = Vec::new();
    let mut numbers = Vec::new();
    leaves(&value, &mut strings, &mut numbers);
    let text = strings.join("\n");
    let redacted = |path: &str| request.redacts(path);
    if redacted("requirements.max_cost")
        && let Some(max) = request.requirements.max_cost
        && !numbers.contains(&max)
    {
        let shown = caio_core::canonical::display_tidy(max);
        if shown.len() > 6 && text.contains(&shown) {
            return Some(format!("requirements.max_cost = {shown}"));
        }
    }
    for (i, step) in request.steps().iter().enumerate() {
        let Some(lang) = &step.input.language else {
            continue;
        };
        let path = format!("{}.language", request.input_path(i));
        if redacted(&path) && text.contains(&format!("language `{lang}`")) {
            return Some(format!("{path} = {lang}"));
        }
    }
    if redacted("requirements.regions")
        && let Some(regions) = &request.requirements.regions
        && text.contains(&format!("allowed regions {}", regions.join(", ")))
    {
        return Some(format!("requirements.regions = {}", regions.join(", ")));
    }
    None
}

/// The string and number leaves of a JSON value.
fn leaves<'v>(value: &'v serde_json::Value, strings: &mut Vec<&'v str>, numbers: &mut Vec<f64>) {
    match value {
        serde_json::Value::String(s) => strings.push(s),
        serde_json::Value::Number(n) => numbers.extend(n.as_f64()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| leaves(v, strings, numbers)),
        serde_json::Value::Object(map) => map.values().for_each(|v| leaves(v, strings, numbers)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// INV-CAIO-SEC-0006 Data integrity
// ---------------------------------------------------------------------------

/// One change to the stored chain.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Mutation {
    /// One byte of a record's canonical JSON replaced.
    RecordByte {
        seq: i64,
        offset: usize,
        from: char,
        to: char,
    },
    /// One hex digit of a record's stored hash replaced.
    HashDigit {
        seq: i64,
        offset: usize,
    },
    /// One hex digit of a record's stored link to its predecessor replaced.
    LinkDigit {
        seq: i64,
        offset: usize,
    },
    /// One byte of a lookup column (decision id, time, outcome, services,
    /// principal) replaced, or a byte added to an empty one: what
    /// `trace list` filters on.
    LookupByte {
        seq: i64,
        column: &'static str,
        offset: usize,
    },
    Delete {
        seq: i64,
    },
    /// Two records exchange their positions.
    Swap {
        a: i64,
        b: i64,
    },
    /// A record moved to the end of the chain.
    MoveToEnd {
        seq: i64,
    },
    /// Every record from `from` on deleted.
    Truncate {
        from: i64,
    },
}

impl Mutation {
    fn name(&self) -> &'static str {
        match self {
            Mutation::RecordByte { .. } => "record byte changed",
            Mutation::HashDigit { .. } => "hash digit changed",
            Mutation::LinkDigit { .. } => "link digit changed",
            Mutation::LookupByte { .. } => "lookup column changed",
            Mutation::Delete { .. } => "record deleted",
            Mutation::Swap { .. } => "records swapped",
            Mutation::MoveToEnd { .. } => "record moved",
            Mutation::Truncate { .. } => "chain truncated",
        }
    }
}

pub(crate) fn data_integrity(ctx: &mut Ctx<'_>) -> Outcome {
    let p = profile(ctx);
    let mut lab = match lab(ctx, &p) {
        Ok(l) => l,
        Err(e) => return setup_failed(e),
    };
    let n = ctx.params.count("records").max(2);
    for k in 0..n {
        let mut g = Gen::for_trial(ctx.seed, &format!("{}/chain", ctx.id), k);
        let s = scenario::scenario(&mut g, &p);
        let presented = lab.present(&mut g, 1);
        let token = presented.token(&lab).map(str::to_string);
        let c = match call(ctx.engine, &lab, &s, token.as_deref()) {
            Ok(c) => c,
            Err(m) => return setup_failed(m),
        };
        if let Err(e) = engine::trace_call(
            ctx.engine,
            &mut lab.store,
            &c.request,
            &c.routed,
            &c.policies,
        ) {
            return setup_failed(format!("building the chain failed: {e}"));
        }
    }
    let checkpoint = match lab.store.trace_head() {
        Ok(h) => h,
        Err(e) => return setup_failed(format!("cannot read the trace head: {e}")),
    };
    let mut rows = Vec::new();
    if let Err(e) = lab.store.for_each_trace::<caio_store::Error>(1, None, |r| {
        rows.push(r);
        Ok(true)
    }) {
        return setup_failed(format!("cannot read the chain: {e}"));
    }
    let export: String = rows
        .iter()
        .map(|r| {
            serde_json::json!({"seq": r.seq, "prev": r.prev, "hash": r.hash, "record": r.record})
                .to_string()
                + "\n"
        })
        .collect();
    let evidence = |m: &Mutation| Evidence::Chain {
        export: export.clone(),
        mutation: serde_json::to_value(m).unwrap_or_default(),
    };
    match ctx.engine.verify(&lab.store, Some(checkpoint)) {
        Ok(None) => {}
        Ok(Some(b)) => {
            return Outcome::failed(0, 0, format!("the intact chain does not verify: {b}"), None);
        }
        Err(e) => return setup_failed(format!("verification failed: {e}")),
    }
    let mut coverage = Coverage::new();
    let last = rows.len() as i64;
    for trial in 0..ctx.trials {
        let mut g = Gen::for_trial(ctx.seed, ctx.id, trial);
        let m = mutation(&mut g, &rows);
        count(&mut coverage, m.name());
        let detected = tamper(&lab, &m, |lab| {
            ctx.engine.verify(&lab.store, Some(checkpoint))
        });
        (ctx.tick)();
        match detected {
            Ok(Some(_)) => {}
            Ok(None) => {
                let mut out = Outcome::failed(
                    trial + 1,
                    trial,
                    format!(
                        "not detected: {} ({}) in a chain of {last} records",
                        m.name(),
                        serde_json::to_string(&m).unwrap_or_default()
                    ),
                    Some(evidence(&m)),
                );
                out.coverage = coverage;
                return out;
            }
            Err(e) => {
                // A chain that cannot even be read is not accepted: detected.
                count(&mut coverage, "unreadable after tampering");
                let _ = e;
            }
        }
    }
    Outcome {
        trials: ctx.trials,
        coverage,
        ..Outcome::default()
    }
}

/// The columns stored next to each record for `trace list`.
const LOOKUP_COLUMNS: [&str; 5] = ["decision_id", "at", "outcome", "services", "principal"];

fn mutation(g: &mut Gen, rows: &[caio_core::trace::Row]) -> Mutation {
    let n = rows.len() as i64;
    let seq = g.int(1, n as u64) as i64;
    let row = &rows[(seq - 1) as usize];
    let hex_offset = |g: &mut Gen| g.index(64);
    match g.weighted(&[6, 2, 2, 2, 2, 1, 1, 2]) {
        0 => {
            let ascii: Vec<usize> = row
                .record
                .bytes()
                .enumerate()
                .filter(|(_, b)| b.is_ascii())
                .map(|(i, _)| i)
                .collect();
            let offset = *g.pick(&ascii);
            let from = row.record.as_bytes()[offset] as char;
            let mut to = (0x20 + g.below(0x5f) as u8) as char;
            while to == from {
                to = (0x20 + g.below(0x5f) as u8) as char;
            }
            Mutation::RecordByte {
                seq,
                offset,
                from,
                to,
            }
        }
        1 => Mutation::HashDigit {
            seq,
            offset: hex_offset(g),
        },
        2 => Mutation::LinkDigit {
            seq,
            offset: hex_offset(g),
        },
        3 => Mutation::Delete { seq },
        4 => {
            let mut b = g.int(1, n as u64) as i64;
            while b == seq {
                b = g.int(1, n as u64) as i64;
            }
            Mutation::Swap {
                a: seq.min(b),
                b: seq.max(b),
            }
        }
        5 if seq < n => Mutation::MoveToEnd { seq },
        7 => Mutation::LookupByte {
            seq,
            column: LOOKUP_COLUMNS[g.index(LOOKUP_COLUMNS.len())],
            offset: g.index(64),
        },
        _ => Mutation::Truncate { from: seq },
    }
}

fn other_hex(c: char) -> char {
    if c == '0' { '1' } else { '0' }
}

/// Applies `m` inside a transaction, runs `verify`, and rolls back.
fn tamper<T>(
    lab: &Lab,
    m: &Mutation,
    verify: impl FnOnce(&Lab) -> Result<T, caio_store::Error>,
) -> Result<T, String> {
    let conn = lab
        .store
        .conn()
        .ok_or("the invariant checks tamper with a SQLite store")?;
    let sql = |e: rusqlite::Error| e.to_string();
    conn.execute_batch("BEGIN IMMEDIATE").map_err(sql)?;
    let applied = (|| -> Result<(), String> {
        let text = |seq: i64, column: &str| -> Result<String, String> {
            conn.query_row(
                &format!("SELECT {column} FROM traces WHERE seq = ?1"),
                [seq],
                |r| r.get(0),
            )
            .map_err(sql)
        };
        let set = |seq: i64, column: &str, value: &str| -> Result<(), String> {
            conn.execute(
                &format!("UPDATE traces SET {column} = ?1 WHERE seq = ?2"),
                rusqlite::params![value, seq],
            )
            .map(drop)
            .map_err(sql)
        };
        match m {
            Mutation::RecordByte {
                seq, offset, to, ..
            } => {
                let mut bytes = text(*seq, "record")?.into_bytes();
                bytes[*offset] = *to as u8;
                set(*seq, "record", &String::from_utf8_lossy(&bytes))
            }
            Mutation::HashDigit { seq, offset } | Mutation::LinkDigit { seq, offset } => {
                let column = if matches!(m, Mutation::HashDigit { .. }) {
                    "hash"
                } else {
                    "prev"
                };
                let mut chars: Vec<char> = text(*seq, column)?.chars().collect();
                if let Some(c) = chars.get_mut(*offset) {
                    *c = other_hex(*c);
                }
                set(*seq, column, &chars.into_iter().collect::<String>())
            }
            Mutation::LookupByte {
                seq,
                column,
                offset,
            } => {
                let mut chars: Vec<char> = text(*seq, column)?.chars().collect();
                if chars.is_empty() {
                    chars.push('x');
                } else {
                    let i = offset % chars.len();
                    chars[i] = if chars[i] == 'x' { 'y' } else { 'x' };
                }
                set(*seq, column, &chars.into_iter().collect::<String>())
            }
            Mutation::Delete { seq } => conn
                .execute("DELETE FROM traces WHERE seq = ?1", [seq])
                .map(drop)
                .map_err(sql),
            Mutation::Swap { a, b } => conn
                .execute_batch(&format!(
                    "UPDATE traces SET seq = -1 WHERE seq = {a};
                     UPDATE traces SET seq = {a} WHERE seq = {b};
                     UPDATE traces SET seq = {b} WHERE seq = -1;"
                ))
                .map_err(sql),
            Mutation::MoveToEnd { seq } => conn
                .execute(
                    "UPDATE traces SET seq = (SELECT max(seq) + 1 FROM traces) WHERE seq = ?1",
                    [seq],
                )
                .map(drop)
                .map_err(sql),
            Mutation::Truncate { from } => conn
                .execute("DELETE FROM traces WHERE seq >= ?1", [from])
                .map(drop)
                .map_err(sql),
        }
    })();
    let verdict = applied.and_then(|()| verify(lab).map_err(|e| e.to_string()));
    conn.execute_batch("ROLLBACK").map_err(sql)?;
    verdict
}
