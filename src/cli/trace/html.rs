//! `caio trace show ID --format html`: one decision as a self-contained
//! page — inline CSS and SVG, no script, no font, no image, nothing
//! fetched (a Content-Security-Policy forbids it) — with the decision, the
//! control signal, the candidates and their score terms as bars, the
//! rejection reasons grouped by stage, the execution attempts and the
//! outcomes reported. Every text from a request, a contract or a policy is
//! escaped.

use caio_core::attempt::{Attempt, Next};
use caio_core::canonical::display_tidy;
use caio_core::routing::{Outcome, Routed, Stage};
use caio_core::trace::Row;
use std::fmt::Write;

/// `text` escaped for HTML text and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => {
                let _ = write!(out, "&#x{:x};", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

fn num(x: f64, places: usize) -> String {
    format!("{x:.places$}")
}

/// A horizontal bar of `value` in [0, 1], `width` px wide, with its label.
fn bar(value: f64, width: f64, class: &str) -> String {
    let v = if value.is_finite() {
        value.clamp(0.0, 1.0)
    } else {
        0.0
    };
    format!(
        r#"<svg class="bar" width="{width}" height="12" role="img" aria-label="{}"><rect width="{width}" height="12" class="track"/><rect width="{:.1}" height="12" class="{class}"/></svg>"#,
        num(v, 2),
        v * width
    )
}

/// What the page shows beyond the decision.
pub(super) struct Extra<'a> {
    pub row: &'a Row,
    pub at: &'a str,
    pub redacted: &'a [String],
    pub attempts: &'a [Attempt],
    pub outcomes: &'a [(i64, String, String)],
}

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#1d2330;background:#fff}
h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.6em 0 .5em;border-bottom:1px solid #d8dce6;padding-bottom:.2em}
.muted{color:#5b6475}.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.92em;word-break:break-all}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3em .6em;border-bottom:1px solid #eceef3;vertical-align:top}
th{font-weight:600;color:#394152;background:#f5f6f9}
.badge{display:inline-block;padding:.1em .6em;border-radius:1em;font-weight:600;font-size:.9em}
.routed{background:#dff5e5;color:#13632d}.no_route{background:#fde8d8;color:#8a3b06}.refused{background:#fbe0e0;color:#8d1717}
.bar{vertical-align:middle}.track{fill:#eceef3}.good{fill:#3f8f5a}.bad{fill:#c2553f}.sig{fill:#3d6fb6}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1.2em;margin:0}dt{color:#5b6475}dd{margin:0}
.chosen td{background:#f2faf4}.stage{margin:.8em 0 .2em;font-weight:600}
footer{margin-top:2em;color:#5b6475;font-size:.9em}";

/// The page.
pub(super) fn page(routed: &Routed, extra: &Extra<'_>) -> String {
    let d = &routed.decision;
    let id = extra.row.hash.chars().take(32).collect::<String>();
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>caio decision {id}</title><style>{STYLE}</style></head><body>
<h1>Decision <span class="mono">{id}</span></h1>
<p class="muted">seq {} · {} · <span class="badge {}">{}</span></p>
"#,
        extra.row.seq,
        esc(extra.at),
        d.outcome.as_str(),
        d.outcome.as_str().replace('_', " ")
    );

    h.push_str("<h2>Decision</h2><dl>");
    match d.outcome {
        Outcome::Routed => {
            for (i, c) in d.chosen.iter().enumerate() {
                let _ = write!(
                    h,
                    "<dt>{}</dt><dd><b>{}</b> {} for <span class=\"mono\">{}</span></dd>",
                    if d.chosen.len() == 1 {
                        "chosen".to_string()
                    } else {
                        format!("step {}", i + 1)
                    },
                    esc(&c.service_id),
                    esc(&c.service_version),
                    esc(&c.capability)
                );
            }
            if let Some(score) = d.score {
                let _ = write!(h, "<dt>score J</dt><dd>{}</dd>", num(score, 4));
            }
        }
        Outcome::NoRoute | Outcome::Refused => {
            let reason = d.reason.as_deref().unwrap_or(match d.outcome {
                Outcome::Refused => "authentication failed",
                _ => "no eligible service",
            });
            let _ = write!(h, "<dt>why</dt><dd>{}</dd>", esc(reason));
        }
    }
    let _ = write!(
        h,
        "<dt>summary</dt><dd>{}</dd><dt>principal</dt><dd>{}</dd><dt>policies</dt><dd><span class=\"mono\">{}</span> ({} rule{})</dd><dt>seed</dt><dd>{}</dd>",
        esc(&d.summary),
        esc(&d.principal),
        esc(&routed.policy_set),
        routed.policy_rules,
        if routed.policy_rules == 1 { "" } else { "s" },
        d.seed
    );
    if !extra.redacted.is_empty() {
        let _ = write!(
            h,
            "<dt>redacted</dt><dd>{}</dd>",
            esc(&extra.redacted.join(", "))
        );
    }
    h.push_str("</dl>");

    if let Some(c) = &d.control {
        h.push_str(
            "<h2>Control signal</h2><table><tr><th>component</th><th>value</th><th></th></tr>",
        );
        for (name, v, class) in [
            ("confidence", c.confidence, "sig"),
            ("latency headroom", c.latency_headroom, "good"),
            ("budget headroom", c.budget_headroom, "good"),
            ("risk", c.risk, "bad"),
        ] {
            let _ = write!(
                h,
                "<tr><td>{name}</td><td>{}</td><td>{}</td></tr>",
                num(v, 2),
                bar(v, 240.0, class)
            );
        }
        h.push_str("</table>");
    }
    if let Some(g) = &d.guarantees {
        let _ = write!(
            h,
            "<h2>Composed guarantees</h2><dl><dt>p95</dt><dd>{} ms</dd><dt>availability</dt><dd>{}</dd><dt>accuracy</dt><dd>{}</dd><dt>cost</dt><dd>{} {}</dd><dt>regions</dt><dd>{}</dd></dl>",
            display_tidy(g.latency_p95_ms),
            display_tidy(g.availability),
            g.accuracy
                .map_or_else(|| "undeclared".into(), |a| num(a, 3)),
            display_tidy(g.cost),
            esc(&g.currency),
            esc(&g.regions.join(", "))
        );
    }

    let w = &d.weights;
    for (i, step) in d.steps.iter().enumerate() {
        let title = if d.steps.len() == 1 {
            "Candidates".to_string()
        } else {
            format!("Candidates of step {}", i + 1)
        };
        let _ = write!(
            h,
            "<h2>{title}</h2><p class=\"muted\">J(s) = w<sub>q</sub>·q + w<sub>h</sub>·h + w<sub>t</sub>·t − w<sub>c</sub>·ĉ − w<sub>l</sub>·ℓ̂ − w<sub>r</sub>·ρ · weights q {} h {} t {} c {} l {} r {} · green adds to the score, red takes from it</p>",
            num(w.q, 2),
            num(w.h, 2),
            num(w.t, 2),
            num(w.c, 2),
            num(w.l, 2),
            num(w.r, 2)
        );
        h.push_str("<table><tr><th>service</th><th>version</th><th>score</th><th>q</th><th>h</th><th>t</th><th>ĉ</th><th>ℓ̂</th><th>ρ</th></tr>");
        let chosen: Vec<&str> = d.chosen.iter().map(|c| c.service_id.as_str()).collect();
        let mut eligible = 0;
        for c in step.candidates.iter().filter(|c| c.eligible) {
            eligible += 1;
            let Some(t) = c.terms else { continue };
            let row_class = if chosen.contains(&&*c.service_id) {
                " class=\"chosen\""
            } else {
                ""
            };
            let _ = write!(
                h,
                "<tr{row_class}><td><b>{}</b></td><td>{}</td><td>{}</td>",
                esc(&c.service_id),
                esc(&c.service_version),
                c.score.map_or_else(|| "-".into(), |s| num(s, 4))
            );
            for (v, class) in [
                (t.q, "good"),
                (t.h, "good"),
                (t.t, "good"),
                (t.c, "bad"),
                (t.l, "bad"),
                (t.r, "bad"),
            ] {
                let _ = write!(h, "<td>{} {}</td>", bar(v, 60.0, class), num(v, 2));
            }
            h.push_str("</tr>");
        }
        if eligible == 0 {
            h.push_str("<tr><td colspan=\"9\" class=\"muted\">no eligible candidate</td></tr>");
        }
        h.push_str("</table>");

        let rejected: Vec<_> = step.candidates.iter().filter(|c| !c.eligible).collect();
        if !rejected.is_empty() {
            let _ = write!(
                h,
                "<h2>Rejections{}</h2>",
                if d.steps.len() == 1 {
                    String::new()
                } else {
                    format!(" in step {}", i + 1)
                }
            );
            for stage in [
                Stage::Status,
                Stage::Capability,
                Stage::Access,
                Stage::Privacy,
                Stage::Policy,
                Stage::Requirement,
                Stage::Preference,
            ] {
                let rows: Vec<(&str, &caio_core::routing::Rejection)> = rejected
                    .iter()
                    .flat_map(|c| {
                        c.rejections
                            .iter()
                            .filter(move |r| r.stage == stage)
                            .map(move |r| (&*c.service_id, r))
                    })
                    .collect();
                if rows.is_empty() {
                    continue;
                }
                let _ = write!(
                    h,
                    "<p class=\"stage\">{} <span class=\"muted\">({} rejection{})</span></p><table><tr><th>service</th><th>rule</th><th>message</th></tr>",
                    stage.as_str(),
                    rows.len(),
                    if rows.len() == 1 { "" } else { "s" }
                );
                for (service, r) in rows {
                    let _ = write!(
                        h,
                        "<tr><td>{}</td><td class=\"mono\">{}</td><td>{}</td></tr>",
                        esc(service),
                        esc(&r.rule),
                        esc(&r.message)
                    );
                }
                h.push_str("</table>");
            }
        }
    }

    if !extra.attempts.is_empty() {
        h.push_str("<h2>Execution</h2><table><tr><th>#</th><th>service</th><th>try</th><th>result</th><th>ms</th><th>next</th></tr>");
        for (i, a) in extra.attempts.iter().enumerate() {
            let mut result = a.outcome_label();
            if a.guarantee_violation.is_some() {
                result.push_str(" (above p99)");
            }
            let next = match &a.next {
                Next::Done => "response used".to_string(),
                Next::Retry { after_ms, reason } => format!("retry in {after_ms} ms: {reason}"),
                Next::Failover { to, reason } => format!("failover to {to}: {reason}"),
                Next::Stop { reason } => format!("stop: {reason}"),
            };
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                i + 1,
                esc(&a.service_id),
                a.attempt,
                esc(&result),
                num(a.latency_ms, 1),
                esc(&next)
            );
        }
        h.push_str("</table>");
    }
    if !extra.outcomes.is_empty() {
        h.push_str(
            "<h2>Outcomes reported</h2><table><tr><th>seq</th><th>service</th><th>status</th></tr>",
        );
        for (seq, service, status) in extra.outcomes {
            let _ = write!(
                h,
                "<tr><td>{seq}</td><td>{}</td><td>{}</td></tr>",
                esc(service),
                esc(status)
            );
        }
        h.push_str("</table>");
    }
    let _ = writeln!(
        h,
        "<footer><p>Record seq {} · hash <span class=\"mono\">{}</span> · previous <span class=\"mono\">{}</span></p><p>Check it with <span class=\"mono\">caio trace verify</span> and <span class=\"mono\">caio trace replay {}</span>. This page was generated by caio {} from the trace; it fetches nothing.</p></footer></body></html>",
        extra.row.seq,
        esc(&extra.row.hash),
        esc(&extra.row.prev),
        extra.row.seq,
        env!("CARGO_PKG_VERSION")
    );
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            esc("<img src=x onerror=\"a('b')\">&\u{7}"),
            "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;&#x7;"
        );
    }
}
