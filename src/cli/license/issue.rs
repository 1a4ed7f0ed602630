//! `license keygen`, `issue`, `renew` and `list`: the vendor side.

use super::*;

/// The operating-system user, when the environment names one.
fn os_user() -> Option<String> {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
}

#[derive(Serialize)]
struct KeygenJson<'a> {
    #[serde(flatten)]
    files: &'a vendor_keys::KeyFiles,
    /// Recorded as `issued_by` of the licenses it signs.
    name: Option<&'a str>,
}

/// Writes a key pair into `out`, or into the home's `keys/` (the home and
/// `keys/` created mode 0700), and records the key's name in the home.
pub(super) fn keygen(
    global: &GlobalArgs,
    out: Option<PathBuf>,
    name: Option<String>,
    now: Timestamp,
    ui: &mut Ui,
) -> Result<Exit, Error> {
    let name = name.or_else(os_user);
    if let Some(name) = &name {
        let bad = |reason: &str| Error::KeyName {
            name: name.clone(),
            reason: reason.into(),
        };
        if name.trim().is_empty() || name.trim() != name {
            return Err(bad("it is empty or starts or ends with a space"));
        }
        if name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(bad("it is too long or holds a control character"));
        }
    }
    let (dir, store) = match out {
        Some(dir) => {
            // The key may live elsewhere; its name still goes to the home
            // licenses are issued from, when there is one.
            let store = name
                .as_ref()
                .map(|_| resolve_home(global).and_then(|home| open_store(global, &home)));
            (dir, store)
        }
        None => {
            let home = resolve_home(global)?;
            let store = open_store(global, &home)?;
            (home.keys_dir(), Some(Ok(store)))
        }
    };
    let files = vendor_keys::keygen(&dir)?;
    let mut recorded = None;
    match (store, &name) {
        (Some(Ok(mut store)), Some(name)) => {
            store.name_vendor_key(&files.key_id, name, now)?;
            recorded = Some(name.as_str());
        }
        (Some(Err(e)), Some(_)) => ui.warn(format_args!(
            "the key's name is not recorded ({e}); licenses it signs record the operating-system user as issued_by"
        )),
        _ => {}
    }
    if ui.is_json() {
        ui.json(
            Schema::LicenseKeygen,
            &KeygenJson {
                files: &files,
                name: recorded,
            },
        )?;
        return Ok(Exit::Success);
    }
    let mut table = ui.table(&[]);
    table.add_row(vec!["key id".to_string(), files.key_id.clone()]);
    if let Some(name) = recorded {
        table.add_row(vec!["name".to_string(), name.to_string()]);
    }
    table.add_row(vec![
        "private key".to_string(),
        format!(
            "{} (mode 0600: keep it secret)",
            files.private_key.display()
        ),
    ]);
    table.add_row(vec![
        "public key".to_string(),
        files.public_key.display().to_string(),
    ]);
    table.add_row(vec![
        "public key (PEM)".to_string(),
        files.public_key_pem.display().to_string(),
    ]);
    ui.table_out(table)?;
    ui.status(
        "give vendor.pub to customers (`caio license trust vendor.pub`) or build it into caio \
         (CAIO_VENDOR_KEYS); anyone with vendor.key can issue licenses",
    );
    Ok(Exit::Success)
}

/// What to issue: a new license, or a renewal of `renews`.
pub(super) struct Issue<'a> {
    pub customer: &'a str,
    pub features: &'a [Feature],
    pub expires: When,
    pub not_before: Option<When>,
    pub seats: u64,
    pub renews: Option<&'a LicenseRecord>,
}

fn license_request(reason: String) -> Error {
    Error::from(caio_store::Error::LicenseRequest { reason })
}

/// Signs, records and prints a license.
pub(super) fn issue(
    global: &GlobalArgs,
    request: &Issue<'_>,
    key: Option<PathBuf>,
    now: Timestamp,
    ui: &mut Ui,
) -> Result<Exit, Error> {
    let home = resolve_home(global)?;
    let key = vendor_keys::load_vendor_key(&key_path(&home, key))?;
    let not_before = match request.not_before {
        Some(when) => when.start(now),
        None => Ok(now),
    }
    .map_err(license_request)?;
    let expires_at = request.expires.expiry(now).map_err(license_request)?;
    let mut store = open_store(global, &home)?;
    // One customer, one spelling: `acme` is the `Acme` on record.
    let customer = store
        .customer_spelling(request.customer)?
        .unwrap_or_else(|| request.customer.to_string());
    if customer != request.customer {
        ui.status(format_args!(
            "customer `{}` is on record as `{customer}`: the license uses that spelling",
            request.customer
        ));
    }
    let new = NewLicense {
        customer: &customer,
        features: request.features,
        seats: request.seats,
        not_before,
        expires_at,
    };
    let mut random = [0u8; 16];
    getrandom::fill(&mut random).map_err(|e| {
        license_request(format!(
            "the operating system's random generator failed: {e}"
        ))
    })?;
    let id = claims::id_from(&random);
    let license = claims::issue(&new, id, now, &key).map_err(license_request)?;
    let key_id = &license.claims.key_id;
    let issued_by = match store.vendor_key_name(key_id)? {
        Some(name) => name,
        None => os_user().unwrap_or_else(|| format!("key {key_id}")),
    };
    let renews = request.renews.map(|r| r.id.as_str());
    store.record_license(&license, &issued_by, renews, now)?;
    issued(&license, &issued_by, request.renews, &store, now, ui)
}

/// Renews an issued license: a new one for the same customer, with its
/// features and seats unless given, linked to the old one.
pub(super) fn renew(
    global: &GlobalArgs,
    args: RenewArgs,
    now: Timestamp,
    ui: &mut Ui,
) -> Result<Exit, Error> {
    let RenewArgs {
        license_id: id,
        expires,
        not_before,
        features,
        seats,
        key,
    } = args;
    let id = id.as_str();
    let Some(store) = existing_store(global)? else {
        return Err(Error::from(caio_store::Error::UnknownLicense {
            among: "issued",
            id: id.to_string(),
            help: "no license was issued from this caio home; pass --home to point at the sales-ops home".into(),
        }));
    };
    let old = store.issued_license(id, now)?;
    drop(store);
    if let Some(revoked_at) = &old.revoked_at {
        return Err(Error::RenewRevoked {
            id: old.id.clone(),
            revoked_at: revoked_at.get(..10).unwrap_or(revoked_at).to_string(),
            customer: old.customer.clone(),
        });
    }
    let features = match features {
        Some(f) => f,
        None => old
            .features
            .iter()
            .map(|name| {
                <Feature as clap::ValueEnum>::from_str(name, false).map_err(|_| {
                    license_request(format!(
                        "license {} grants `{name}`, which this caio does not know; pass --features",
                        old.id
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let request = Issue {
        customer: &old.customer,
        features: &features,
        expires,
        not_before,
        seats: seats.unwrap_or(old.seats),
        renews: Some(&old),
    };
    issue(global, &request, key, now, ui)
}

#[derive(Serialize)]
struct IssuedJson<'a> {
    license: &'a str,
    claims: &'a Claims,
    valid_through: String,
    issued_by: &'a str,
    /// The license this one renews.
    renews: Option<&'a str>,
}

pub(super) fn issued(
    license: &License,
    issued_by: &str,
    renews: Option<&LicenseRecord>,
    store: &Store,
    now: Timestamp,
    ui: &mut Ui,
) -> Result<Exit, Error> {
    if now >= license.expires_at {
        ui.warn(format_args!(
            "this license is already expired (valid through {})",
            license.valid_through()
        ));
    }
    if ui.is_json() {
        ui.json(
            Schema::LicenseIssue,
            &IssuedJson {
                license: &license.text,
                claims: &license.claims,
                valid_through: license.valid_through(),
                issued_by,
                renews: renews.map(|r| r.id.as_str()),
            },
        )?;
        return Ok(Exit::Success);
    }
    ui.line(&license.text)?;
    let c = &license.claims;
    let renewal = match renews {
        Some(old) => format!(
            "; renews {} (valid {})",
            old.id,
            validity(&old.valid_through)
        ),
        None => String::new(),
    };
    ui.status(format_args!(
        "issued license {} to {}: {}; valid {} {}{renewal}; issued by {issued_by}; recorded in {}",
        c.id,
        c.customer,
        c.features.join(", "),
        &c.not_before[..10],
        validity(&license.valid_through()),
        store.path().display()
    ));
    Ok(Exit::Success)
}

pub(super) fn list(licenses: &[LicenseRecord], now: Timestamp, ui: &mut Ui) -> Result<Exit, Error> {
    if ui.is_json() {
        ui.json(
            Schema::LicenseList,
            &serde_json::json!({ "licenses": licenses }),
        )?;
        return Ok(Exit::Success);
    }
    if licenses.is_empty() {
        ui.status("no licenses match");
        return Ok(Exit::Success);
    }
    let mut table = ui.table(&[
        "ID",
        "CUSTOMER",
        "FEATURES",
        "SEATS",
        "VALID FROM",
        "VALID THROUGH",
        "DAYS LEFT",
        "STATUS",
    ]);
    for l in licenses {
        table.add_row(vec![
            l.id.clone(),
            l.customer.clone(),
            l.features.join(","),
            l.seats.to_string(),
            l.not_before.get(..10).unwrap_or(&l.not_before).to_string(),
            l.valid_through.clone(),
            if l.status == LicenseStatus::Active {
                l.days_left.to_string()
            } else {
                "-".into()
            },
            record_status(l, now),
        ]);
    }
    ui.table_out(table)?;
    Ok(Exit::Success)
}

/// A vendor record's status as people read it: `active`, `revoked
/// 2027-03-01`, `expired`, or `expired — in grace until …` as a customer's
/// caio reports it.
pub(super) fn record_status(l: &LicenseRecord, now: Timestamp) -> String {
    if let Some(at) = &l.revoked_at {
        return format!("revoked {}", at.get(..10).unwrap_or(at));
    }
    if l.status == LicenseStatus::Expired
        && let Some(expiry) = caio_core::license::envelope::parse_time(&l.expires_at)
    {
        let grace_ends = caio_core::license::later(expiry, caio_core::license::GRACE);
        if now < grace_ends {
            return claims::in_grace(grace_ends);
        }
    }
    l.status.to_string()
}

/// "through 2027-12-31", or "until 2027-06-30T12:00:00Z" for an expiry
/// that is not a midnight (what [`claims::valid_through`] calls `before …`).
pub(super) fn validity(valid_through: &str) -> String {
    match valid_through.strip_prefix("before ") {
        Some(instant) => format!("until {instant}"),
        None => format!("through {valid_through}"),
    }
}
