//! `license trust` and `untrust`: the vendor keys a home accepts.

use super::*;

pub(super) fn trust(
    global: &GlobalArgs,
    file: &Path,
    now: Timestamp,
    ui: &mut Ui,
) -> Result<Exit, Error> {
    let key = vendor_keys::load_public_key(file)?;
    home_trust_allowed()?;
    let home = resolve_home(global)?;
    let mut store = open_store(global, &home)?;
    let new = store.trust_key(&key, now)?;
    if ui.is_json() {
        ui.json(
            Schema::LicenseTrust,
            &serde_json::json!({ "key_id": key.key_id(), "new": new }),
        )?;
        return Ok(Exit::Success);
    }
    if new {
        ui.line(format_args!("trusted vendor key {}", key.key_id()))?;
        ui.status(
            "licenses are now enforced: `caio route` needs an installed license with the \
             `route` feature (`caio license install <LICENSE>`)",
        );
    } else {
        ui.line(format_args!(
            "vendor key {} was already trusted",
            key.key_id()
        ))?;
    }
    Ok(Exit::Success)
}

/// Keys built into caio are the only trust anchor of such a build: the
/// home's trusted keys cannot be changed there.
pub(super) fn home_trust_allowed() -> Result<(), Error> {
    let embedded = vendor_keys::embedded_keys()?;
    if embedded.is_empty() {
        return Ok(());
    }
    Err(Error::EmbeddedTrustOnly {
        keys: embedded
            .iter()
            .map(|k| k.key_id())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

pub(super) fn untrust(global: &GlobalArgs, key_id: &str, ui: &mut Ui) -> Result<Exit, Error> {
    home_trust_allowed()?;
    let home = resolve_home(global)?;
    let mut store = open_store(global, &home)?;
    let Some(left) = store.untrust_key(key_id)? else {
        let keys = store.trusted_keys()?;
        let trusted: Vec<&str> = keys.iter().map(PublicKey::key_id).collect();
        let help = if trusted.is_empty() {
            "this home trusts no vendor key".to_string()
        } else {
            let close = caio_core::shape::did_you_mean(key_id, &trusted)
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            format!("{close}trusted keys: {}", trusted.join(", "))
        };
        return Err(Error::UnknownTrustedKey {
            key_id: key_id.to_string(),
            help,
        });
    };
    if ui.is_json() {
        ui.json(
            Schema::LicenseUntrust,
            &serde_json::json!({ "key_id": key_id, "trusted_keys_left": left }),
        )?;
        return Ok(Exit::Success);
    }
    ui.line(format_args!("vendor key {key_id} is no longer trusted"))?;
    if left == 0 {
        ui.status("no trusted vendor key is left: licenses are no longer enforced");
    } else {
        ui.status(format!(
            "{left} trusted vendor key{} left; licenses signed by {key_id} no longer count",
            if left == 1 { "" } else { "s" }
        ));
    }
    Ok(Exit::Success)
}
