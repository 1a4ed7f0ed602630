//! `license keygen`, `issue` and `list`: the vendor side.

use super::*;

pub(super) fn keygen(out: &Path, ui: &mut Ui) -> Result<Exit, Error> {
    let files = vendor_keys::keygen(out)?;
    if ui.is_json() {
        ui.json(Schema::LicenseKeygen, &files)?;
        return Ok(Exit::Success);
    }
    let mut table = ui.table(&[]);
    table.add_row(vec!["key id".to_string(), files.key_id.clone()]);
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

#[derive(Serialize)]
struct IssuedJson<'a> {
    license: &'a str,
    claims: &'a Claims,
    valid_through: String,
}

pub(super) fn issued(
    license: &License,
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
            },
        )?;
        return Ok(Exit::Success);
    }
    ui.line(&license.text)?;
    let c = &license.claims;
    ui.status(format_args!(
        "issued license {} to {}: {}; valid {} through {}; recorded in {}",
        c.id,
        c.customer,
        c.features.join(", "),
        &c.not_before[..10],
        license.valid_through(),
        store.path().display()
    ));
    Ok(Exit::Success)
}

pub(super) fn list(licenses: &[LicenseRecord], ui: &mut Ui) -> Result<Exit, Error> {
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
            match &l.revoked_at {
                Some(at) => format!("revoked {}", at.get(..10).unwrap_or(at)),
                None => l.status.to_string(),
            },
        ]);
    }
    ui.table_out(table)?;
    Ok(Exit::Success)
}
