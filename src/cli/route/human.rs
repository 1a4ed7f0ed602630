//! The human report of a decision (also used by `trace show`).

use super::*;

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

/// The human report of a decision (also used by `trace show`).
pub(crate) fn render(
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
