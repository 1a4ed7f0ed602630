//! `registry list` and `show`: what the registry holds, as tables or JSON.

use super::*;

#[derive(Serialize)]
struct ListJson<'a> {
    services: Vec<ServiceJson<'a>>,
}

/// A service with its execution stats (when it was ever executed).
#[derive(Serialize)]
struct ServiceJson<'a> {
    #[serde(flatten)]
    record: &'a ServiceRecord,
    #[serde(skip_serializing_if = "Option::is_none")]
    stats: Option<Summary>,
}

pub(super) fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

pub(super) fn list(
    services: &[ServiceRecord],
    health: &BTreeMap<String, Health>,
    ui: &mut Ui,
) -> Result<Exit, Error> {
    let now = now_ms();
    if ui.is_json() {
        let services = services
            .iter()
            .map(|record| ServiceJson {
                record,
                stats: health.get(&record.service_id).map(|h| h.summary(now)),
            })
            .collect();
        ui.json(Schema::RegistryList, &ListJson { services })?;
        return Ok(Exit::Success);
    }
    // Stats columns only when some listed service was executed.
    let with_stats = services.iter().any(|s| health.contains_key(&s.service_id));
    let mut headers = vec![
        "SERVICE",
        "VERSION",
        "STATUS",
        "CAPABILITIES",
        "HOSTING",
        "REGIONS",
        "P95 MS",
        "AVAIL",
    ];
    if with_stats {
        headers.extend(["H", "OBS P95", "CIRCUIT"]);
    }
    let mut table = ui.table(&headers);
    for s in services {
        let c = &s.contract;
        let mut stats_cells = Vec::new();
        if with_stats {
            match health.get(&s.service_id).map(|h| h.summary(now)) {
                Some(sum) => {
                    stats_cells.push(format!("{:.2}", sum.success_rate));
                    stats_cells.push(sum.latency_ms.map_or("-".to_string(), |p| {
                        format!("{:.1} ({})", p.p95, sum.observations)
                    }));
                    stats_cells.push(sum.circuit.state.as_str().to_string());
                }
                None => {
                    stats_cells.extend(["-".to_string(), "-".to_string(), "closed".to_string()])
                }
            }
        }
        let mut row = vec![
            s.service_id.clone(),
            s.version.clone(),
            s.status.to_string(),
            c.capabilities
                .iter()
                .map(|x| x.kind.as_str())
                .collect::<Vec<_>>()
                .join(","),
            hosting(c).to_string(),
            c.privacy.regions.join(","),
            number(c.guarantees.latency_ms.p95),
            number(c.guarantees.availability),
        ];
        row.extend(stats_cells);
        table.add_row(row);
    }
    if services.is_empty() {
        ui.status("no services match");
    } else {
        ui.table_out(table)?;
    }
    Ok(Exit::Success)
}

pub(super) fn show(
    record: &ServiceRecord,
    health: Option<&Health>,
    ui: &mut Ui,
) -> Result<Exit, Error> {
    let summary = health.map(|h| h.summary(now_ms()));
    if ui.is_json() {
        ui.json(
            Schema::RegistryShow,
            &ServiceJson {
                record,
                stats: summary,
            },
        )?;
        return Ok(Exit::Success);
    }
    let c = &record.contract;
    let mut table = ui.table(&[]);
    let mut row = |k: &str, v: String| {
        table.add_row(vec![k.to_string(), v]);
    };
    row("service", c.service_id.clone());
    row("name", c.name.clone());
    row(
        "version",
        if record.active {
            record.version.clone()
        } else {
            format!("{} (not the active version)", record.version)
        },
    );
    row("hash", record.hash.clone());
    let status = match &record.status_reason {
        Some(reason) => format!("{} ({reason})", record.status),
        None => record.status.to_string(),
    };
    row("status", status);
    if let Some(p) = &c.provider {
        row("provider", p.clone());
    }
    if !c.tags.is_empty() {
        row("tags", c.tags.join(", "));
    }
    for cap in &c.capabilities {
        row("capability", capability_line(cap));
    }
    let l = &c.guarantees.latency_ms;
    row(
        "latency",
        format!(
            "p50 {} ms, p95 {} ms, p99 {} ms",
            number(l.p50),
            number(l.p95),
            number(l.p99)
        ),
    );
    row(
        "availability",
        match c.guarantees.accuracy {
            Some(a) => format!(
                "{} (accuracy {})",
                number(c.guarantees.availability),
                number(a)
            ),
            None => number(c.guarantees.availability),
        },
    );
    let cost = &c.cost;
    row(
        "cost",
        format!(
            "{} {} per request, {} per 1k input, {} per 1k output",
            cost.currency,
            number(cost.per_request),
            number(cost.per_1k_input_tokens),
            number(cost.per_1k_output_tokens)
        ),
    );
    let p = &c.privacy;
    row(
        "privacy",
        format!(
            "{}, regions {}, up to {}, PII {}, retention {} d{}",
            hosting(c),
            p.regions.join(","),
            data_class(c),
            if p.pii_allowed {
                "allowed"
            } else {
                "not allowed"
            },
            p.retention_days,
            if p.trains_on_customer_data {
                ", trains on data"
            } else {
                ""
            }
        ),
    );
    let a = &c.access;
    row(
        "access",
        format!(
            "trust >= {}, roles {}, tenants {}",
            serde_plain(&a.min_trust),
            a.roles.as_ref().map_or("any".into(), |r| r.join(",")),
            a.tenants.as_ref().map_or("any".into(), |t| t.join(","))
        ),
    );
    let e = &c.endpoint;
    let auth = e.auth.as_ref().map_or(String::from("no auth"), |a| {
        format!("{} from ${}", serde_plain(&a.scheme), a.env)
    });
    let protocol = match &e.model {
        Some(model) => format!("{} {model}", e.protocol.as_str()),
        None => e.protocol.as_str().to_string(),
    };
    row(
        "endpoint",
        format!(
            "{} {} ({protocol}, timeout {} ms, {auth})",
            e.method, e.url, e.timeout_ms
        ),
    );
    row("risk", number(c.risk));
    if let Some(s) = &summary {
        stats_rows(s, &mut row);
    }
    ui.table_out(table)?;
    Ok(Exit::Success)
}

/// The execution stats of `show`.
pub(super) fn stats_rows(s: &Summary, row: &mut dyn FnMut(&str, String)) {
    row(
        "executions",
        format!(
            "{} succeeded, {} failed, {} rejected (4xx); h {:.3} now (EWMA {:.3}{})",
            s.successes,
            s.failures,
            s.rejections,
            s.success_rate,
            s.ewma_success,
            s.observed_at.as_deref().map_or(String::new(), |t| format!(
                " at {t}, recovering with a 15 min half-life"
            ))
        ),
    );
    row(
        "observed",
        match (&s.latency_ms, s.ewma_latency_ms) {
            (Some(p), Some(ewma)) => format!(
                "p50 {} ms, p95 {} ms, p99 {} ms over the last {} successes; EWMA {} ms",
                number(p.p50),
                number(p.p95),
                number(p.p99),
                s.observations,
                number((ewma * 1000.0).round() / 1000.0)
            ),
            _ => "no successful execution yet".to_string(),
        },
    );
    row(
        "violations",
        format!(
            "{} slower than the p99 guarantee or costlier than the request's max_cost",
            crate::ui::count(s.guarantee_violations, "attempt", "attempts")
        ),
    );
    row(
        "spend",
        format!(
            "{} (successful executions)",
            crate::cli::route::money(s.spend)
        ),
    );
    let c = &s.circuit;
    let state = match (c.state, &c.open_until) {
        (State::Open, Some(until)) => format!("open until {until}"),
        (State::HalfOpen, _) => "half-open: the next execution decides".to_string(),
        _ => "closed".to_string(),
    };
    row(
        "circuit",
        format!(
            "{state}; {}, opened {}",
            crate::ui::count(
                c.consecutive_failures,
                "consecutive failure",
                "consecutive failures"
            ),
            crate::ui::count(c.times_opened, "time", "times")
        ),
    );
}

pub(super) fn capability_line(cap: &contract::Capability) -> String {
    let modalities = |m: &Option<Vec<contract::Modality>>| {
        m.as_ref().map_or("any".to_string(), |v| {
            v.iter().map(serde_plain).collect::<Vec<_>>().join("+")
        })
    };
    let mut line = format!(
        "{} ({} -> {}",
        cap.kind,
        modalities(&cap.input),
        modalities(&cap.output)
    );
    if let Some(max) = cap.max_input_tokens {
        line.push_str(&format!(", max {max} input tokens"));
    }
    if let Some(langs) = &cap.languages {
        line.push_str(&format!(", {}", langs.join(" ")));
    }
    line.push(')');
    line
}

pub(super) fn hosting(c: &ServiceContract) -> String {
    serde_plain(&c.privacy.hosting)
}

pub(super) fn data_class(c: &ServiceContract) -> String {
    serde_plain(&c.privacy.max_data_class)
}

/// The serde name of a unit enum value (`on_prem`, `confidential`, …).
pub(super) fn serde_plain<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// Numbers as people write them: no trailing `.0`.
pub(super) fn number(x: f64) -> String {
    caio_core::canonical::format_es_number(x).unwrap_or_else(|_| x.to_string())
}

pub(super) fn short_hash(hash: &str) -> String {
    hash.chars().take(12).collect()
}
