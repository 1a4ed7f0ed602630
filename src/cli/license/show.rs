//! `license show`: one license's claims, where it stands and its history.

use super::*;

#[derive(Serialize)]
struct ShowJson<'a> {
    license: &'a str,
    claims: &'a Claims,
    valid_through: String,
    /// `valid`, `grace`, `expired`, `not_yet_valid` or `revoked`.
    state: &'static str,
    /// How the state reads to people.
    status: String,
    /// Days of validity left (in grace: days of grace left).
    #[serde(skip_serializing_if = "Option::is_none")]
    days_left: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    grace_ends: Option<String>,
    signature: SignatureJson,
    /// Whether this home issued it (and holds its history).
    recorded: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    issued_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    renews: Option<&'a str>,
    renewed_by: Vec<&'a str>,
    history: Vec<Event>,
}

#[derive(Serialize)]
struct SignatureJson {
    verified: bool,
    key_id: String,
    /// Where the key that verified it comes from.
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    /// Why it was not checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<String>,
}

/// One event of a license's life, as the vendor's records have it.
#[derive(Serialize)]
struct Event {
    at: String,
    /// `issued`, `renewed` or `revoked`.
    event: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<String>,
    /// The license it renews (issued), the renewal (renewed), the reason (revoked).
    detail: String,
}

/// Shows a license named by an id (or prefix) of this home's records, or
/// given as text.
pub(super) fn show(
    global: &GlobalArgs,
    arg: &str,
    now: Timestamp,
    ui: &mut Ui,
) -> Result<Exit, Error> {
    let store = existing_store(global)?;
    let arg = arg.trim();
    let (record, text) = if arg.starts_with("caio-") {
        // A text: its record, when this home issued it.
        let record = match (&store, claims::read_unverified(arg)) {
            (Some(store), Ok(c)) => match store.issued_license(&c.id, now) {
                Ok(record) => Some(record),
                Err(caio_store::Error::UnknownLicense { .. }) => None,
                Err(e) => return Err(e.into()),
            },
            _ => None,
        };
        (record, arg.to_string())
    } else {
        let Some(store) = &store else {
            return Err(Error::from(caio_store::Error::UnknownLicense {
                among: "issued",
                id: arg.to_string(),
                help: "no license was issued from this caio home; pass --home to point at the sales-ops home, or pass the license text".into(),
            }));
        };
        let record = store.issued_license(arg, now)?;
        let text = record.license.clone();
        (Some(record), text)
    };
    let renewals = match (&store, &record) {
        (Some(store), Some(r)) => store.renewals_of(&r.id, now)?,
        _ => Vec::new(),
    };
    // The keys this home knows: the trusted ones, and its own signing key.
    let home = resolve_home(global).ok();
    let mut known = enforce::trusted_keys(&vendor_keys::embedded_keys()?, store.as_ref())?;
    let own = home
        .as_ref()
        .map(|h| h.keys_dir().join(keys::PUBLIC_FILE))
        .filter(|p| p.is_file())
        .and_then(|p| vendor_keys::load_public_key(&p).ok());
    if let Some(own) = &own {
        known = TrustedKeys::new(
            known
                .iter()
                .map(|k| (k.key.clone(), k.source))
                .chain([(own.clone(), KeySource::Given)]),
        );
    }
    let (claims, signature) = match claims::decode(&text, &known) {
        Ok(license) => {
            let source = if own
                .as_ref()
                .is_some_and(|k| k.key_id() == license.claims.key_id)
            {
                "the home's keys/vendor.pub".to_string()
            } else {
                license.key_source.to_string()
            };
            let signature = SignatureJson {
                verified: true,
                key_id: license.claims.key_id.clone(),
                source: Some(source),
                problem: None,
            };
            (license.claims, signature)
        }
        Err(refusal @ Refusal::UnknownKey { .. }) => {
            let claims = claims::read_unverified(&text)?;
            let signature = SignatureJson {
                verified: false,
                key_id: claims.key_id.clone(),
                source: None,
                problem: Some(refusal.to_string()),
            };
            (claims, signature)
        }
        Err(refusal) => return Err(refusal.into()),
    };
    let parse = caio_core::license::envelope::parse_time;
    let expires_at = parse(&claims.expires_at);
    let not_before = parse(&claims.not_before);
    let grace_end = expires_at.map(|e| caio_core::license::later(e, caio_core::license::GRACE));
    let valid_through = expires_at.map_or_else(|| claims.expires_at.clone(), claims::valid_through);
    let (state, status, days_left, grace_ends) = match (&record, expires_at, grace_end) {
        (Some(r), _, _) if r.revoked_at.is_some() => (
            "revoked",
            format!(
                "revoked {}: {}",
                r.revoked_at
                    .as_deref()
                    .and_then(|t| t.get(..10))
                    .unwrap_or("?"),
                r.revoke_reason.as_deref().unwrap_or("")
            ),
            None,
            None,
        ),
        (_, Some(end), _) if not_before.is_some_and(|nb| now < nb) => (
            "not_yet_valid",
            format!("not valid yet: starts {}", claims.not_before),
            Some(claims::days_until(now, end)),
            None,
        ),
        (_, Some(end), _) if now < end => (
            "valid",
            format!("valid, {} left", days(claims::days_until(now, end))),
            Some(claims::days_until(now, end)),
            None,
        ),
        (_, Some(_), Some(grace)) if now < grace => (
            "grace",
            format!(
                "{} ({} left): renew now",
                claims::in_grace(grace),
                days(claims::days_until(now, grace))
            ),
            Some(claims::days_until(now, grace)),
            Some(caio_core::license::envelope::format_time(grace)),
        ),
        _ => (
            "expired",
            format!("expired (valid through {valid_through})"),
            None,
            None,
        ),
    };
    let mut history = Vec::new();
    if let Some(r) = &record {
        history.push(Event {
            at: r.issued_at.clone(),
            event: "issued",
            by: Some(r.issued_by.clone()),
            detail: match &r.renews {
                Some(old) => format!("renewing {old}"),
                None => format!("to {}", r.customer),
            },
        });
        for renewal in &renewals {
            history.push(Event {
                at: renewal.issued_at.clone(),
                event: "renewed",
                by: Some(renewal.issued_by.clone()),
                detail: format!(
                    "as {} (valid {})",
                    renewal.id,
                    validity(&renewal.valid_through)
                ),
            });
        }
        if let Some(at) = &r.revoked_at {
            history.push(Event {
                at: at.clone(),
                event: "revoked",
                by: r.revoked_by.clone(),
                detail: r.revoke_reason.clone().unwrap_or_default(),
            });
        }
        history.sort_by(|a, b| a.at.cmp(&b.at));
    }
    if ui.is_json() {
        ui.json(
            Schema::LicenseShow,
            &ShowJson {
                license: &text,
                claims: &claims,
                valid_through,
                state,
                status,
                days_left,
                grace_ends,
                signature,
                recorded: record.is_some(),
                issued_by: record.as_ref().map(|r| r.issued_by.as_str()),
                renews: record.as_ref().and_then(|r| r.renews.as_deref()),
                renewed_by: renewals.iter().map(|r| r.id.as_str()).collect(),
                history,
            },
        )?;
        return Ok(Exit::Success);
    }
    let mut table = ui.table(&[]);
    let mut row = |k: &str, v: String| {
        table.add_row(vec![k.to_string(), v]);
    };
    row("license", claims.id.clone());
    row("customer", claims.customer.clone());
    row("features", claims.features.join(", "));
    row("seats", claims.seats.to_string());
    row(
        "issued",
        match &record {
            Some(r) => format!("{} by {}", claims.issued_at, r.issued_by),
            None => claims.issued_at.clone(),
        },
    );
    row(
        "valid",
        format!(
            "{} {}",
            claims.not_before.get(..10).unwrap_or(&claims.not_before),
            validity(&valid_through)
        ),
    );
    row("status", status);
    row(
        "signature",
        match (&signature.source, &signature.problem) {
            (Some(source), _) => format!("verified with key {} ({source})", signature.key_id),
            (None, Some(problem)) => format!("not checked: {problem}"),
            (None, None) => "not checked".into(),
        },
    );
    if record.is_none() {
        row(
            "history",
            "not issued from this home (`caio license list` shows those that were)".into(),
        );
    }
    for (i, e) in history.iter().enumerate() {
        let by =
            e.by.as_deref()
                .map(|b| format!(" by {b}"))
                .unwrap_or_default();
        row(
            if i == 0 { "history" } else { "" },
            format!("{}  {}{by}: {}", e.at, e.event, e.detail),
        );
    }
    ui.table_out(table)?;
    Ok(Exit::Success)
}

fn days(n: i64) -> String {
    crate::ui::count(n, "day", "days")
}
