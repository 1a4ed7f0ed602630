//! Counterexamples: shrinking a failing scenario to a minimal one, and
//! writing it as files `caio route` can replay (request.json, contracts/,
//! policies/, principal.yaml, the seed, and a replay script).

use super::rules::policy_text;
use super::scenario::Scenario;
use caio_core::lifecycle::ServiceStatus;
use caio_core::request::{Data, Input, Preferences, RequestAuth, Requirements};
use caio_core::routing::{Identity, ServiceStats};
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// What a violation leaves behind for a person to look at.
#[derive(Debug, Clone)]
pub(crate) enum Evidence {
    /// A route call: replayable with `caio route`.
    Scenario(Box<Scenario>),
    /// A tampered trace chain: the export before the change, and the change.
    Chain { export: String, mutation: Value },
}

/// Most re-judgements spent on shrinking one counterexample.
const BUDGET: usize = 400;

/// Greedily simplifies `s` while `fails` still reports a violation:
/// removes services and rules, resets statuses and stats, drops
/// requirements and preferences, anonymises the caller. Returns the
/// smallest failing scenario found and its violation.
pub(crate) fn shrink(
    mut s: Scenario,
    mut message: String,
    fails: &mut dyn FnMut(&Scenario) -> Option<String>,
) -> (Scenario, String) {
    let budget = std::cell::Cell::new(BUDGET);
    let mut attempt = |candidate: Scenario, s: &mut Scenario, message: &mut String| -> bool {
        if budget.get() == 0 || candidate == *s {
            return false;
        }
        budget.set(budget.get() - 1);
        match fails(&candidate) {
            Some(m) => {
                *s = candidate;
                *message = m;
                true
            }
            None => false,
        }
    };
    loop {
        let mut changed = false;
        // Whole services, last first.
        let mut i = s.services.len();
        while i > 0 {
            i -= 1;
            if s.services.len() <= 1 {
                break;
            }
            let mut c = s.clone();
            c.services.remove(i);
            changed |= attempt(c, &mut s, &mut message);
        }
        let mut i = s.rules.len();
        while i > 0 {
            i -= 1;
            let mut c = s.clone();
            c.rules.remove(i);
            changed |= attempt(c, &mut s, &mut message);
        }
        for i in 0..s.services.len() {
            if s.services[i].status != ServiceStatus::Active
                || s.services[i].stats != ServiceStats::default()
            {
                let mut c = s.clone();
                c.services[i].status = ServiceStatus::Active;
                c.services[i].stats = ServiceStats::default();
                changed |= attempt(c, &mut s, &mut message);
            }
        }
        let mut i = s.request.redact.len();
        while i > 0 {
            i -= 1;
            let mut c = s.clone();
            c.request.redact.remove(i);
            changed |= attempt(c, &mut s, &mut message);
        }
        let simplifications: [fn(&mut Scenario); 13] = [
            |c| c.request.request_id = None,
            |c| c.request.requirements = Requirements::default(),
            |c| c.request.requirements.max_latency_p95_ms = None,
            |c| c.request.requirements.max_cost = None,
            |c| c.request.requirements.min_availability = None,
            |c| c.request.requirements.min_accuracy = None,
            |c| {
                c.request.requirements.tags = None;
                c.request.requirements.hosting = None;
                c.request.requirements.regions = None;
            },
            |c| c.request.preferences = Preferences::default(),
            |c| c.request.preferences.prefer_tags.clear(),
            |c| c.request.data = Data::default(),
            |c| c.request.seed = 0,
            |c| {
                if let Some(chain) = &mut c.request.chain {
                    chain.iter_mut().for_each(|s| s.input = Input::default());
                } else {
                    c.request.input = Input::default();
                }
            },
            |c| c.identity = Identity::Anonymous,
        ];
        for simplify in simplifications {
            let mut c = s.clone();
            simplify(&mut c);
            changed |= attempt(c, &mut s, &mut message);
        }
        if !changed || budget.get() == 0 {
            return (s, message);
        }
    }
}

/// The summary file of a counterexample.
#[derive(Debug, Serialize)]
struct Summary<'a> {
    invariant: &'a str,
    title: &'a str,
    check: &'a str,
    seed: u64,
    trial: u64,
    violation: &'a str,
    /// How to replay it, from this directory.
    replay: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
}

/// Who found it, for the summary.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Origin<'a> {
    pub(crate) invariant: &'a str,
    pub(crate) title: &'a str,
    pub(crate) check: &'a str,
    pub(crate) seed: u64,
    pub(crate) trial: u64,
}

/// Writes the evidence under `dir` (created, emptied of a previous
/// counterexample's files first).
pub(crate) fn write(
    dir: &Path,
    origin: Origin<'_>,
    violation: &str,
    evidence: &Evidence,
) -> std::io::Result<PathBuf> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    let mut notes = Vec::new();
    let replay = match evidence {
        Evidence::Scenario(s) => write_scenario(dir, s, &mut notes)?,
        Evidence::Chain { export, mutation } => {
            std::fs::write(dir.join("chain.jsonl"), export)?;
            std::fs::write(dir.join("mutation.json"), pretty(mutation))?;
            notes.push(
                "chain.jsonl is the intact chain (`caio trace export` format); mutation.json is \
                 the change that verification did not detect"
                    .into(),
            );
            "apply mutation.json to chain.jsonl and recompute the chain rule of `caio trace verify`"
                .to_string()
        }
    };
    let summary = Summary {
        invariant: origin.invariant,
        title: origin.title,
        check: origin.check,
        seed: origin.seed,
        trial: origin.trial,
        violation,
        replay,
        notes,
    };
    let text = serde_json::to_string_pretty(&summary).map_err(std::io::Error::other)?;
    std::fs::write(dir.join("counterexample.json"), text + "\n")?;
    Ok(dir.to_path_buf())
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

fn write_scenario(dir: &Path, s: &Scenario, notes: &mut Vec<String>) -> std::io::Result<String> {
    let mut request = s.request.clone();
    let mut command =
        String::from("caio route request.json --contracts contracts --policies policies");
    match &s.identity {
        Identity::Anonymous => request.auth = None,
        Identity::Refused { failure } => {
            // Without a home, any token is refused: the same refusal.
            if request.auth.is_none() {
                request.auth = Some(RequestAuth {
                    token: "caio_refused".into(),
                });
            }
            notes.push(format!(
                "the caller was refused ({failure:?}); in stateless mode any token is refused"
            ));
        }
        Identity::Simulated { principal } | Identity::Authenticated { principal } => {
            let p = serde_json::to_value(principal).map_err(std::io::Error::other)?;
            std::fs::write(dir.join("principal.yaml"), to_yaml(&p))?;
            command.push_str(" --principal principal.yaml");
            if matches!(s.identity, Identity::Authenticated { .. }) {
                notes.push(
                    "the caller authenticated with a token of a temporary home; principal.yaml \
                     simulates the same principal"
                        .into(),
                );
            }
            request.auth = None;
        }
    }
    command.push_str(" --explain");
    let request_json = request_json(&request).map_err(std::io::Error::other)?;
    std::fs::write(dir.join("request.json"), pretty(&request_json))?;
    let contracts = dir.join("contracts");
    std::fs::create_dir_all(&contracts)?;
    let mut statuses = serde_json::Map::new();
    for svc in &s.services {
        let c = serde_json::to_value(&svc.contract).map_err(std::io::Error::other)?;
        std::fs::write(
            contracts.join(format!("{}.yaml", svc.contract.service_id)),
            to_yaml(&c),
        )?;
        if svc.status != ServiceStatus::Active || svc.stats != ServiceStats::default() {
            statuses.insert(
                svc.contract.service_id.clone(),
                serde_json::json!({ "status": svc.status, "stats": svc.stats }),
            );
        }
    }
    if !statuses.is_empty() {
        std::fs::write(dir.join("status.json"), pretty(&Value::Object(statuses)))?;
        notes.push(
            "status.json lists services that were not active or had execution stats: \
             stateless `caio route` treats every contract as active without history; \
             reproduce with `caio registry add contracts/` and `caio registry set-status`"
                .into(),
        );
    }
    let policies = dir.join("policies");
    std::fs::create_dir_all(&policies)?;
    std::fs::write(policies.join("policies.yaml"), policy_text(&s.rules))?;
    let script = format!(
        "#!/bin/sh\n# Replays this counterexample (seed {} is in request.json).\ncd \"$(dirname \"$0\")\"\nexec {command} \"$@\"\n",
        s.request.seed
    );
    std::fs::write(dir.join("replay.sh"), script)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            dir.join("replay.sh"),
            std::fs::Permissions::from_mode(0o755),
        )?;
    }
    Ok(command)
}

/// A request as `caio route` reads it: a chain carries its input per step,
/// so the (default) top-level `input` is left out, and so is the default
/// priority when explicit weights are given.
pub(crate) fn request_json(
    request: &caio_core::request::Request,
) -> Result<Value, serde_json::Error> {
    let mut v = serde_json::to_value(request)?;
    if request.is_chain()
        && let Some(map) = v.as_object_mut()
    {
        map.remove("input");
    }
    // Explicit weights replace the (default) priority profile.
    if request.preferences.weights.is_some()
        && let Some(prefs) = v.get_mut("preferences").and_then(Value::as_object_mut)
    {
        prefs.remove("priority");
    }
    Ok(v)
}

/// Block-style YAML for a JSON value (strings double-quoted, so every
/// scalar reads back as written).
pub(crate) fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => map(m, 0, &mut out),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Object(m) if m.is_empty() => "{}".into(),
        Value::Array(a) if a.is_empty() => "[]".into(),
        other => other.to_string(),
    }
}

fn is_block(v: &Value) -> bool {
    match v {
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    }
}

fn map(m: &serde_json::Map<String, Value>, indent: usize, out: &mut String) {
    for (k, v) in m {
        out.push_str(&" ".repeat(indent));
        out.push_str(k);
        out.push(':');
        if is_block(v) {
            out.push('\n');
            block(v, indent + 2, out);
        } else {
            out.push(' ');
            out.push_str(&scalar(v));
            out.push('\n');
        }
    }
}

fn block(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(m) => map(m, indent, out),
        Value::Array(items) => {
            for item in items {
                out.push_str(&" ".repeat(indent));
                out.push_str("- ");
                match item {
                    Value::Object(m) if !m.is_empty() => {
                        // The first key on the dash line, the rest aligned with it.
                        let mut inner = String::new();
                        map(m, indent + 2, &mut inner);
                        out.push_str(inner.trim_start());
                    }
                    Value::Array(a) if !a.is_empty() => {
                        out.push('\n');
                        block(item, indent + 2, out);
                    }
                    other => {
                        out.push_str(&scalar(other));
                        out.push('\n');
                    }
                }
            }
        }
        other => {
            out.push_str(&" ".repeat(indent));
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}
