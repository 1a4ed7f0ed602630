//! `license install` and `status`: the customer side.

use super::*;

#[derive(Serialize, Default)]
struct InstallJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    license: Option<InstalledLicenseJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revocations: Option<InstalledRevocationsJson>,
}

#[derive(Serialize)]
struct InstalledLicenseJson {
    id: String,
    customer: String,
    features: Vec<String>,
    valid_through: String,
    new: bool,
}

#[derive(Serialize)]
struct InstalledRevocationsJson {
    sequence: u64,
    #[serde(flatten)]
    outcome: RevocationsInstall,
}

pub(super) fn install(
    global: &GlobalArgs,
    input: InstallInput,
    revocations: Option<&Path>,
    now: Timestamp,
    ui: &mut Ui,
) -> Result<Exit, Error> {
    let license_text = read_text("the license", input.license, input.file.as_deref())?;
    let list_text = read_text("the revocation list", None, revocations)?;
    let home = resolve_home(global)?;
    let mut store = open_store(global, &home)?;
    let keys = enforce::trusted_keys(&vendor_keys::embedded_keys()?, Some(&store))?;
    if keys.is_empty() {
        return Err(Error::NoTrustedKey);
    }
    // Installing is never blocked by the clock guard: it is how a home
    // locked out by a wrong clock recovers (see below).
    let mut out = InstallJson::default();
    if let Some(text) = list_text {
        let list = revocation::decode(&text, &keys)?;
        list.check_time(now)?;
        let outcome = store.install_revocations(&list, now)?;
        if !ui.is_json() {
            match outcome {
                RevocationsInstall::Installed {
                    replaced: Some(old),
                } => ui.line(format_args!(
                    "installed revocation list #{} ({} revoked), replacing #{old}",
                    list.sequence(),
                    list.claims.revoked.len()
                ))?,
                RevocationsInstall::Installed { replaced: None } => ui.line(format_args!(
                    "installed revocation list #{} ({} revoked)",
                    list.sequence(),
                    list.claims.revoked.len()
                ))?,
                RevocationsInstall::Unchanged => ui.line(format_args!(
                    "revocation list #{} is already installed",
                    list.sequence()
                ))?,
            }
        }
        out.revocations = Some(InstalledRevocationsJson {
            sequence: list.sequence(),
            outcome,
        });
    }
    if let Some(text) = license_text {
        let installed = match store.installed_revocations()? {
            Some(text) => Some(revocation::decode(&text, &keys)?),
            None => None,
        };
        let license = claims::decode(&text, &keys)?;
        license.check_revocation(installed.as_ref())?;
        match license.check_time(now) {
            Ok(()) => {}
            Err(Refusal::NotYetValid { not_before }) => ui.warn(format_args!(
                "this license starts at {not_before}; until then the licenses already installed apply"
            )),
            // An expired license is still honoured during the grace period
            // (reinstalling on a new machine while a renewal is under way).
            Err(refusal @ Refusal::Expired { .. }) => match license.standing(now, None) {
                Standing::Grace {
                    grace_ends,
                    days_left,
                } => ui.warn(format_args!(
                    "license {} {} ({} left; it was valid through {}): it is honoured until \
                     then; ask the vendor for a renewal",
                    license.claims.id,
                    claims::in_grace(grace_ends),
                    crate::ui::count(days_left, "day", "days"),
                    license.valid_through()
                )),
                _ => return Err(refusal.into()),
            },
            Err(refusal) => return Err(refusal.into()),
        }
        let new = store.install_license(&license, now)?;
        let c = &license.claims;
        if !ui.is_json() {
            let left = match license.standing(now, None) {
                Standing::Grace { grace_ends, .. } => claims::in_grace(grace_ends),
                _ => crate::ui::count(
                    claims::days_until(now, license.expires_at),
                    "day left",
                    "days left",
                ),
            };
            ui.line(format_args!(
                "{} license {} for {}: {}; valid through {} ({left})",
                if new {
                    "installed"
                } else {
                    "already installed:"
                },
                c.id,
                c.customer,
                c.features.join(", "),
                license.valid_through(),
            ))?;
        }
        out.license = Some(InstalledLicenseJson {
            id: c.id.clone(),
            customer: c.customer.clone(),
            features: c.features.clone(),
            valid_through: license.valid_through(),
            new,
        });
    }
    if let Some((was, now_seen)) = enforce::recover_clock(&mut store, &keys)? {
        ui.warn(format_args!(
            "the latest time seen ({was}) was later than any installed license allows (a run \
             under a wrong clock); it is now {now_seen}, the newest time the vendor signed"
        ));
    }
    if ui.is_json() {
        ui.json(Schema::LicenseInstall, &out)?;
    }
    Ok(Exit::Success)
}

#[derive(Serialize)]
struct UninstallJson<'a> {
    uninstalled: &'a [String],
    installed_left: usize,
}

/// Removes installed licenses (one, or all), keeping the revocation list.
pub(super) fn uninstall(global: &GlobalArgs, id: Option<&str>, ui: &mut Ui) -> Result<Exit, Error> {
    let (removed, left, enforced) = match existing_store(global)? {
        Some(mut store) => {
            let removed = store.uninstall_licenses(id)?;
            let left = store.installed_licenses()?.len();
            let enforced =
                !enforce::trusted_keys(&vendor_keys::embedded_keys()?, Some(&store))?.is_empty();
            (removed, left, enforced)
        }
        None => {
            if let Some(id) = id {
                return Err(Error::from(caio_store::Error::UnknownLicense {
                    among: "installed",
                    id: id.to_string(),
                    help: "no license is installed in this caio home".into(),
                }));
            }
            (Vec::new(), 0, false)
        }
    };
    if ui.is_json() {
        ui.json(
            Schema::LicenseUninstall,
            &UninstallJson {
                uninstalled: &removed,
                installed_left: left,
            },
        )?;
    } else if removed.is_empty() {
        ui.line("no license is installed")?;
    } else {
        for id in &removed {
            ui.line(format_args!("uninstalled license {id}"))?;
        }
        ui.status(format_args!(
            "{} installed",
            crate::ui::count(left, "license is still", "licenses are still")
        ));
    }
    if enforced && left == 0 && !removed.is_empty() {
        ui.warn(
            "no license is installed now: licensed commands (`caio route`) refuse until one is \
             (`caio license install <LICENSE>`)",
        );
    }
    Ok(Exit::Success)
}

pub(super) fn show_status(status: &Status, ui: &mut Ui) -> Result<Exit, Error> {
    for warning in &status.warnings {
        ui.warn(warning);
    }
    if ui.is_json() {
        ui.json(Schema::LicenseStatus, status)?;
        return Ok(Exit::Success);
    }
    let mut table = ui.table(&[]);
    let mut row = |k: &str, v: String| {
        table.add_row(vec![k.to_string(), v]);
    };
    row(
        "enforcement",
        if status.enforced {
            let keys: Vec<String> = status
                .trusted_keys
                .iter()
                .map(|k| format!("{} ({})", k.key_id, k.source))
                .collect();
            format!("on: trusted vendor keys {}", keys.join(", "))
        } else {
            "off: no trusted vendor key, nothing is gated".into()
        },
    );
    if status.licenses.is_empty() {
        row("license", "none installed".into());
    }
    for l in &status.licenses {
        row("license", l.id.clone());
        if let Some(customer) = &l.customer {
            row("  customer", customer.clone());
            row("  features", l.features.join(", "));
            row("  seats", l.seats.unwrap_or_default().to_string());
            row(
                "  valid",
                format!(
                    "{} through {}",
                    l.not_before
                        .as_deref()
                        .and_then(|t| t.get(..10))
                        .unwrap_or("?"),
                    l.valid_through.as_deref().unwrap_or("?")
                ),
            );
        }
        row(
            "  state",
            match (l.state.as_str(), l.days_left) {
                ("valid", Some(days)) => {
                    format!("valid, {}", crate::ui::count(days, "day left", "days left"))
                }
                ("grace", Some(days)) => format!(
                    "expired — in grace until {} ({}; {}): renew now",
                    l.grace_ends.as_deref().unwrap_or("?"),
                    crate::ui::count(days, "day left", "days left"),
                    claims::expired_ago(l.expired_days_ago.unwrap_or(0)),
                ),
                _ => format!(
                    "{}: {}",
                    l.state.replace('_', " "),
                    l.problem.as_deref().unwrap_or("")
                ),
            },
        );
    }
    row(
        "revocations",
        match &status.revocations {
            Some(r) => format!(
                "list #{} issued {}, {} revoked",
                r.sequence, r.issued_at, r.revoked
            ),
            None => "no list installed".into(),
        },
    );
    row(
        "clock",
        match (&status.latest_seen, status.clock_behind) {
            (Some(latest), true) if status.clock_implausible => format!(
                "more than 24 h behind the latest time seen ({latest}), which is later than \
                 any installed license allows: it came from a run under a wrong clock. \
                 Install a newer license or revocation list (`caio license install`) to reset it"
            ),
            (Some(latest), true) => format!(
                "more than 24 h behind the latest time seen ({latest}): set the system clock \
                 right; licensed commands are refused until then"
            ),
            (Some(latest), false) => format!("ok (latest seen {latest})"),
            (None, _) => "not checked yet".into(),
        },
    );
    ui.table_out(table)?;
    Ok(Exit::Success)
}
