//! `caio slo`: is each service keeping its contract?

use super::{GlobalArgs, open_store_existing};
use crate::app::slo as app;
use crate::error::{Error, Exit};
use crate::ui::{Schema, Ui};
use caio_core::canonical::display_tidy;
use caio_core::slo::{ServiceReport, Verdict, Window};

const AFTER_HELP: &str = "\
Each service's calls in the window — its attempts through `caio route --execute` and the \
outcomes its callers reported with `caio trace outcome` — against its active contract: \
availability, p50/p95/p99 latency, spend, guarantee violations, the error budget \
(1 − availability) consumed, and the burn rate over the last 1 h and 6 h. A service pages \
when it burns its budget at 14.4× or more over both (the multiwindow rule of the Google SRE \
workbook). A window with fewer than 20 calls (or successes, for latency) is \
`insufficient data`, never a pass.

With --check, exit 1 unless every service with calls in the window met its contract with \
enough of them (and, with --service, that service did): for cron and CI.";

/// `caio slo`.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct SloArgs {
    /// Only this service (judged even without calls)
    #[arg(long, value_name = "S")]
    service: Option<String>,
    /// The window, ending now
    #[arg(long, value_enum, default_value_t = WindowArg::D30)]
    window: WindowArg,
    /// Exit 1 when a service is out of contract, burns its budget too
    /// fast, or has too few calls to judge
    #[arg(long)]
    check: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum WindowArg {
    #[value(name = "1h")]
    H1,
    #[value(name = "24h")]
    H24,
    #[value(name = "7d")]
    D7,
    #[value(name = "30d")]
    D30,
}

impl WindowArg {
    fn window(self) -> Window {
        match self {
            WindowArg::H1 => Window::Hour,
            WindowArg::H24 => Window::Day,
            WindowArg::D7 => Window::Week,
            WindowArg::D30 => Window::Month,
        }
    }
}

pub fn run(args: &SloArgs, global: &GlobalArgs, ui: &mut Ui) -> Result<Exit, Error> {
    let store = open_store_existing(global)?;
    let report = app::report(
        &store,
        jiff::Timestamp::now(),
        args.window.window(),
        args.service.as_deref(),
    )?;
    if ui.is_json() {
        ui.json(Schema::Slo, &report)?;
    } else {
        human(&report, args.service.is_some(), ui)?;
    }
    Ok(if args.check && report.verdict != Verdict::Met {
        Exit::Invalid
    } else {
        Exit::Success
    })
}

fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

fn ms3(l: &caio_core::slo::Latency) -> String {
    format!(
        "{}/{}/{}",
        display_tidy(l.p50),
        display_tidy(l.p95),
        display_tidy(l.p99)
    )
}

fn human(report: &app::Report, named: bool, ui: &mut Ui) -> Result<(), Error> {
    ui.line(format_args!(
        "SLO over the last {}, to {} (a window is judged from {} calls)",
        report.window.as_str(),
        report.at,
        report.min_observations
    ))?;
    let shown: Vec<&ServiceReport> = report
        .services
        .iter()
        .filter(|s| named || s.verdict != Verdict::NoTraffic)
        .collect();
    if !shown.is_empty() {
        ui.line("")?;
        let mut table = ui.table(&[
            "SERVICE",
            "CALLS",
            "AVAILABILITY",
            "PROMISED",
            "P50/P95/P99 MS",
            "PROMISED",
            "SPEND",
            "VIOLATIONS",
            "BUDGET USED",
            "BURN 1H/6H",
            "VERDICT",
        ]);
        for s in &shown {
            let burn: Vec<String> = s
                .burn_rate
                .windows
                .iter()
                .map(|w| match w.rate {
                    _ if w.calls == 0 => "-".to_string(),
                    Some(r) => format!("{r:.1}×"),
                    None => "∞".to_string(),
                })
                .collect();
            table.add_row(vec![
                s.service_id.clone(),
                s.requests.to_string(),
                s.availability.observed.map_or_else(|| "-".into(), pct),
                pct(s.availability.promised),
                s.latency_ms
                    .observed
                    .as_ref()
                    .map_or_else(|| "-".into(), ms3),
                ms3(&s.latency_ms.promised),
                format!("{} {}", display_tidy(s.spend.amount), s.spend.currency),
                s.counts.violations.to_string(),
                s.error_budget
                    .consumed
                    .map_or_else(|| "-".into(), |c| format!("{:.0}%", c * 100.0)),
                burn.join("/"),
                s.verdict.as_str().replace('_', " "),
            ]);
        }
        ui.table_out(table)?;
    }
    let notes: Vec<String> = shown
        .iter()
        .flat_map(|s| {
            s.breaches
                .iter()
                .map(move |b| format!("{}: {b}", s.service_id))
                .chain(
                    s.insufficient
                        .iter()
                        .map(move |i| format!("{}: insufficient data: {i}", s.service_id)),
                )
        })
        .collect();
    if !notes.is_empty() {
        ui.line("")?;
        for n in notes {
            ui.line(n)?;
        }
    }
    let s = &report.summary;
    ui.line("")?;
    ui.line(format_args!(
        "{}: {} met, {} breached, {} insufficient data, {} without calls",
        match report.verdict {
            Verdict::Met => "met",
            Verdict::Breached => "breached",
            _ if s.met + s.breached + s.insufficient_data == 0 => {
                "insufficient data (no calls to judge)"
            }
            _ => "insufficient data",
        },
        s.met,
        s.breached,
        s.insufficient_data,
        s.no_traffic
    ))?;
    Ok(())
}
