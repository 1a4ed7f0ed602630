//! `license verify`: one licence against the trusted keys.

use super::*;

#[derive(Serialize)]
struct VerifyJson<'a> {
    /// Whether the license is honoured now: valid, or expired within its
    /// grace period (`state` tells them apart).
    valid: bool,
    /// `valid` or `grace` when honoured.
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<&'static str>,
    /// When the grace period ends, for a license in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    grace_ends: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    claims: Option<&'a Claims>,
    #[serde(skip_serializing_if = "Option::is_none")]
    valid_through: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    days_left: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<KeyJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revocation_list: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refusal: Option<RefusalJson>,
}

#[derive(Serialize)]
struct KeyJson {
    key_id: String,
    source: KeySource,
}

#[derive(Serialize)]
struct RefusalJson {
    kind: &'static str,
    message: String,
}

pub(super) fn verify(
    global: &GlobalArgs,
    input: LicenseInput,
    public_key: Option<PathBuf>,
    revocations: Option<PathBuf>,
    now: Timestamp,
    ui: &mut Ui,
) -> Result<Exit, Error> {
    let text = read_text("the license", input.license, input.file.as_deref())?.unwrap_or_default();
    let store = existing_store(global)?;
    let keys = match &public_key {
        Some(path) => TrustedKeys::new([(vendor_keys::load_public_key(path)?, KeySource::Given)]),
        None => enforce::trusted_keys(&vendor_keys::embedded_keys()?, store.as_ref())?,
    };
    if keys.is_empty() {
        return Err(Error::NoTrustedKey);
    }
    let list = match read_text("the revocation list", None, revocations.as_deref())? {
        Some(text) => Some(revocation::decode(&text, &keys)?),
        None => match store
            .as_ref()
            .map(Store::installed_revocations)
            .transpose()?
        {
            Some(Some(text)) => Some(revocation::decode(&text, &keys)?),
            _ => None,
        },
    };
    // Verified as enforcement judges it: an expired license within its
    // grace period is honoured, and reported as such.
    let verified = claims::decode(&text, &keys).and_then(|license| {
        match license.standing(now, list.as_ref()) {
            Standing::Valid { .. } => Ok((license, None)),
            Standing::Grace {
                grace_ends,
                days_left,
            } => Ok((license, Some((grace_ends, days_left)))),
            Standing::Refused(refusal) => Err(refusal),
        }
    });
    let (license, grace) = match verified {
        Ok(verified) => verified,
        Err(refusal) if ui.is_json() => {
            ui.json(
                Schema::LicenseVerify,
                &VerifyJson {
                    valid: false,
                    state: None,
                    grace_ends: None,
                    claims: None,
                    valid_through: None,
                    days_left: None,
                    key: None,
                    revocation_list: None,
                    refusal: Some(RefusalJson {
                        kind: refusal.kind(),
                        message: refusal.to_string(),
                    }),
                },
            )?;
            ui.error(&refusal);
            return Ok(Exit::Invalid);
        }
        Err(refusal) => return Err(Error::License(refusal)),
    };
    // Days of validity left; in the grace period, days of grace left.
    let days_left = match grace {
        Some((_, grace_days)) => grace_days,
        None => claims::days_until(now, license.expires_at),
    };
    if let Some((grace_ends, grace_days)) = grace {
        ui.warn(format_args!(
            "license {} {} ({} left; it was valid through {}): ask the vendor for a renewal",
            license.claims.id,
            claims::in_grace(grace_ends),
            crate::ui::count(grace_days, "day", "days"),
            license.valid_through()
        ));
    }
    if ui.is_json() {
        ui.json(
            Schema::LicenseVerify,
            &VerifyJson {
                valid: true,
                state: Some(if grace.is_some() { "grace" } else { "valid" }),
                grace_ends: grace.map(|(ends, _)| caio_core::license::envelope::format_time(ends)),
                claims: Some(&license.claims),
                valid_through: Some(license.valid_through()),
                days_left: Some(days_left),
                key: Some(KeyJson {
                    key_id: license.claims.key_id.clone(),
                    source: license.key_source,
                }),
                revocation_list: list.as_ref().map(RevocationList::sequence),
                refusal: None,
            },
        )?;
        return Ok(Exit::Success);
    }
    let c = &license.claims;
    let mut table = ui.table(&[]);
    let mut row = |k: &str, v: String| {
        table.add_row(vec![k.to_string(), v]);
    };
    row(
        "status",
        match grace {
            Some((ends, left)) => format!(
                "{} ({})",
                claims::in_grace(ends),
                crate::ui::count(left, "day left", "days left")
            ),
            None => "valid".into(),
        },
    );
    row("license", c.id.clone());
    row("customer", c.customer.clone());
    row("features", c.features.join(", "));
    row("seats", c.seats.to_string());
    row("issued", c.issued_at.clone());
    row("valid from", c.not_before.clone());
    row(
        "valid through",
        match grace {
            Some(_) => license.valid_through(),
            None => format!(
                "{} ({})",
                license.valid_through(),
                crate::ui::count(days_left, "day left", "days left")
            ),
        },
    );
    row("key", format!("{} ({})", c.key_id, license.key_source));
    row(
        "revocations",
        match &list {
            Some(list) => format!("not revoked (list #{})", list.sequence()),
            None => "no revocation list checked".into(),
        },
    );
    ui.table_out(table)?;
    Ok(Exit::Success)
}
