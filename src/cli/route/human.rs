//! The human report of a decision (also used by `trace show`).

use super::*;
use crate::ui::Tone;
use caio_core::request::Priority;

fn num(x: f64, places: usize) -> String {
    format!("{x:.places$}")
}

/// How much of a decision the human output shows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct View {
    pub explain: bool,
    pub top: Option<usize>,
    pub dry_run: bool,
}

impl RouteArgs {
    pub(super) fn view(&self) -> View {
        View {
            explain: self.explain,
            top: self.top,
            dry_run: self.dry_run,
        }
    }
}

/// The human report of a decision (also used by `trace show`), with its
/// explanation when one was computed (`--explain`, or no route).
pub(crate) fn render(
    routed: &Routed,
    traced: &Traced,
    args: View,
    explained: Option<&Explained>,
    ui: &mut Ui,
) -> Result<(), Error> {
    let d = &routed.decision;
    match d.outcome {
        Outcome::Routed => {
            if d.chosen.len() == 1 && d.steps.len() == 1 {
                let c = &d.chosen[0];
                ui.toned_line(
                    Tone::Good,
                    format_args!(
                        "routed {} → {} {}  score {}",
                        c.capability,
                        c.service_id,
                        c.service_version,
                        num(c.score, 4)
                    ),
                )?;
                if c.probe {
                    ui.line(format_args!(
                        "  probe       panic guard: every otherwise-eligible service's circuit is \
                         open; half-open probe of {} (its circuit opened earliest)",
                        c.service_id
                    ))?;
                }
            } else {
                ui.toned_line(
                    Tone::Good,
                    format_args!(
                        "routed chain of {} steps  score {}",
                        d.chosen.len(),
                        num(d.score.unwrap_or(0.0), 4)
                    ),
                )?;
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
            Some(reason) => ui.toned_line(Tone::Bad, format_args!("no route: {reason}"))?,
            None => ui.toned_line(Tone::Bad, "no route: no eligible service")?,
        },
        Outcome::Refused => {}
    }
    ui.line(format_args!(
        "  principal   {} · policies {} ({}) · seed {}",
        d.principal,
        &routed.policy_set[..12.min(routed.policy_set.len())],
        crate::ui::count(routed.policy_rules, "rule", "rules"),
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
        // Every priority's weights (SPEC §5), the one in force marked.
        let mut table = ui.table(&["", "PRIORITY", "W_Q", "W_H", "W_T", "W_C", "W_L", "W_R"]);
        let mut in_force = false;
        for p in Priority::ALL {
            let pw = p.weights();
            let marked = pw == *w;
            in_force |= marked;
            let mut row = vec![
                if marked { "*" } else { "" }.to_string(),
                p.as_str().to_string(),
            ];
            row.extend([pw.q, pw.h, pw.t, pw.c, pw.l, pw.r].map(|x| num(x, 2)));
            table.add_row(row);
        }
        ui.table_out(table)?;
        ui.summary(if in_force {
            "* the weights in force (preferences.priority)"
        } else {
            "the weights in force are the request's preferences.weights"
        })?;
    }
    let chained = d.steps.len() > 1;
    if scored && (args.explain || args.top.is_some()) {
        ui.line("")?;
        // The normalised terms, each raw value (cost, p95) beside its term.
        let cost_header = match &d.guarantees {
            Some(g) => format!("COST {}", g.currency),
            None => "COST".to_string(),
        };
        let mut table = ui.table(&[
            if chained { "STEP" } else { "" },
            "SERVICE",
            "VERSION",
            "SCORE",
            "q",
            "h",
            "t",
            "ĉ",
            &cost_header,
            "ℓ̂",
            "P95 MS",
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
                    .is_some_and(|ch| *ch.service_id == *c.service_id);
                table.add_row(vec![
                    match (chained, chosen) {
                        (true, true) => format!("{}*", i + 1),
                        (true, false) => (i + 1).to_string(),
                        (false, true) => "*".to_string(),
                        (false, false) => String::new(),
                    },
                    c.service_id.to_string(),
                    c.service_version.to_string(),
                    num(c.score.unwrap_or(0.0), 4),
                    num(t.q, 3),
                    num(t.h, 3),
                    num(t.t, 3),
                    num(t.c, 3),
                    tidy(c.cost()),
                    num(t.l, 3),
                    tidy(c.latency_p95_ms()),
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
        // With --explain, every stage that would reject a candidate: the
        // first one (the decision's) marked `*`.
        let all_stages = explained.filter(|_| args.explain);
        let mut headers = vec!["SERVICE", "STAGE", "RULE", "MESSAGE"];
        if chained {
            headers.insert(0, "STEP");
        }
        if all_stages.is_some() {
            headers.insert(0, "");
        }
        let mut table = ui.table(&headers);
        for (i, step) in d.steps.iter().enumerate() {
            for c in step.candidates.iter().filter(|c| !c.eligible) {
                let later = all_stages
                    .and_then(|e| e.explanation.steps.get(i))
                    .and_then(|s| s.rejected.iter().find(|r| *r.service_id == *c.service_id))
                    .map_or(&[][..], |r| r.later.as_slice());
                let first = c.rejections.iter().map(|r| (true, r));
                for (is_first, r) in first.chain(later.iter().map(|r| (false, r))) {
                    let mut row = vec![
                        c.service_id.to_string(),
                        r.stage.as_str().to_string(),
                        r.rule.to_string(),
                        r.message.clone(),
                    ];
                    if chained {
                        row.insert(0, (i + 1).to_string());
                    }
                    if all_stages.is_some() {
                        row.insert(0, if is_first { "*" } else { "" }.to_string());
                    }
                    table.add_row(row);
                }
            }
        }
        ui.table_out(table)?;
        if all_stages.is_some() {
            ui.summary(
                "* the stage that rejected the service; the rows after it: later stages that would reject it too",
            )?;
        }
    }
    // The summary and the hints are what -q leaves out.
    ui.summary("")?;
    ui.summary(&d.summary)?;
    if let Some(explained) = explained {
        for hint in hints(routed, explained) {
            ui.summary(format_args!("hint: {hint}"))?;
        }
    }
    Ok(())
}

fn tidy(x: f64) -> String {
    caio_core::canonical::display_tidy(x).to_string()
}

/// What the reader can do about a decision: "did you mean" for a capability
/// no service offers, and what a principal needs to pass the access rules
/// (and how to become one).
fn hints(routed: &Routed, explained: &Explained) -> Vec<String> {
    let mut out = Vec::new();
    let where_from = if explained.registry {
        "registered service"
    } else {
        "contract in --contracts"
    };
    for step in &explained.explanation.steps {
        if let Some(unknown) = &step.unknown_capability {
            let mut hint = format!("no {where_from} offers `{}`", step.capability);
            if let Some(close) = &unknown.did_you_mean {
                hint.push_str(&format!("; did you mean `{close}`?"));
            }
            if unknown.registered.is_empty() {
                hint.push_str("; none offers any capability yet (`caio registry add DIR`)");
            } else {
                hint.push_str(&format!(
                    " The capabilities offered are: {}",
                    unknown.registered.join(", ")
                ));
            }
            out.push(hint);
        }
    }
    let access: Vec<&caio_core::routing::explain::AccessHint> = explained
        .explanation
        .steps
        .iter()
        .flat_map(|s| &s.access)
        .collect();
    if access.is_empty() {
        return out;
    }
    let principal = routed.identity.acting_principal();
    for hint in &access {
        let mut needs = Vec::new();
        if let Some(trust) = hint.min_trust {
            needs.push(format!(
                "trust {} (`{}` has {})",
                trust_word(trust),
                principal.name,
                trust_word(principal.trust)
            ));
        }
        if let Some(roles) = &hint.roles {
            needs.push(format!(
                "{} {}",
                if roles.len() == 1 {
                    "the role"
                } else {
                    "one of the roles"
                },
                roles.join(", ")
            ));
        }
        if let Some(tenants) = &hint.tenants {
            needs.push(format!(
                "{} {}",
                if tenants.len() == 1 {
                    "the tenant"
                } else {
                    "one of the tenants"
                },
                tenants.join(", ")
            ));
        }
        let then = if hint.still_rejected_by.is_empty() {
            "it would then be eligible".to_string()
        } else {
            format!(
                "{} would still reject it",
                hint.still_rejected_by.join(", ")
            )
        };
        out.push(format!(
            "{} needs a principal with {}; {then}",
            hint.service_id,
            needs.join(" and ")
        ));
    }
    // How to become such a principal: for the service that would be
    // eligible (else the first), the flags a new principal needs.
    let target = access
        .iter()
        .find(|h| h.still_rejected_by.is_empty())
        .unwrap_or(&access[0]);
    out.push(become_principal(routed, explained, target));
    out
}

fn become_principal(
    routed: &Routed,
    explained: &Explained,
    target: &caio_core::routing::explain::AccessHint,
) -> String {
    use caio_core::routing::Identity;
    let trust = target.min_trust.map(trust_word);
    let role = target.roles.as_ref().and_then(|r| r.first());
    let tenant = target.tenants.as_ref().and_then(|t| t.first());
    if let Identity::Simulated { .. } = routed.identity {
        let mut fields = Vec::new();
        if let Some(t) = trust {
            fields.push(format!("`trust: {t}`"));
        }
        if let Some(r) = role {
            fields.push(format!("`roles: [{r}]`"));
        }
        if let Some(t) = tenant {
            fields.push(format!("`tenant: {t}`"));
        }
        return format!(
            "the simulated principal comes from --principal FILE: with {} there, {} passes the access rules",
            fields.join(", "),
            target.service_id
        );
    }
    // The new principal keeps what the current one has that passes, and
    // gets what the target needs.
    let current = routed.identity.acting_principal();
    let mut flags = String::new();
    if let Some(t) = tenant.or(current.tenant.as_ref()) {
        flags.push_str(&format!(" --tenant {t}"));
    }
    let mut roles = current.roles.clone();
    if let Some(r) = role
        && !roles.contains(r)
    {
        roles.push(r.clone());
    }
    if !roles.is_empty() {
        flags.push_str(&format!(" --roles {}", roles.join(",")));
    }
    flags.push_str(&format!(
        " --trust {}",
        trust.unwrap_or(trust_word(current.trust))
    ));
    let who = match routed.identity {
        Identity::Anonymous => {
            "this request carries no token, so it routes as `anonymous` (trust low, no roles, no tenant); "
        }
        _ => "",
    };
    if explained.tokens {
        format!(
            "{who}`caio principal add NAME{flags}` prints a token for such a principal: \
             send it as CAIO_TOKEN, with --token-file FILE (mode 0600) or as the request's auth.token"
        )
    } else {
        format!(
            "{who}to route as such a principal, simulate one with --principal FILE \
             (name, tenant, roles, trust), or route with a caio home (--home) and the token \
             of `caio principal add NAME{flags}`"
        )
    }
}

fn trust_word(t: caio_core::contract::Trust) -> &'static str {
    use caio_core::contract::Trust;
    match t {
        Trust::Low => "low",
        Trust::Medium => "medium",
        Trust::High => "high",
    }
}
