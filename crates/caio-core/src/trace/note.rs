//! Checkpoints as C2SP signed notes (<https://c2sp.org/signed-note>) in the
//! C2SP checkpoint layout (<https://c2sp.org/tlog-checkpoint>):
//!
//! ```text
//! caio/<instance>                      origin line
//! 1234                                 number of records
//! <base64 of the 32-byte chain head>   the BLAKE3 chain hash of record 1234
//!
//! — caio/<instance> <base64(key hash[4] ‖ Ed25519 signature[64])>
//! ```
//!
//! The signature covers the text above the blank line (with its final
//! newline). The key hash is the first 4 bytes of
//! SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key), and the verifier key string is
//! `<name>+<key hash in hex>+<base64(0x01 ‖ public key)>`, so any signed-note
//! verifier can check a caio checkpoint.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// The signature-type byte of Ed25519 in signed notes.
const ED25519: u8 = 0x01;

/// A checkpoint's claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The origin line: `caio/<instance>`.
    pub origin: String,
    /// How many records it covers.
    pub size: i64,
    /// The chain hash of record `size`.
    pub head: [u8; 32],
}

impl Checkpoint {
    /// The note text (what is signed).
    pub(crate) fn text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.head)
        )
    }
}

/// The 4-byte key hash of an Ed25519 key named `name`.
pub(crate) fn key_hash(name: &str, key: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ED25519]);
    h.update(key.as_bytes());
    let digest = h.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// `<name>+<hex key hash>+<base64(0x01 ‖ key)>`.
pub fn verifier_key(name: &str, key: &VerifyingKey) -> String {
    let mut bytes = vec![ED25519];
    bytes.extend_from_slice(key.as_bytes());
    format!(
        "{name}+{}+{}",
        super::hex(&key_hash(name, key)),
        STANDARD.encode(bytes)
    )
}

/// Reads a verifier key string.
pub fn parse_verifier_key(s: &str) -> Result<(String, VerifyingKey), String> {
    let mut parts = s.trim().splitn(3, '+');
    let (Some(name), Some(hash), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
        return Err("expected <name>+<key hash>+<key>".into());
    };
    let bytes = STANDARD
        .decode(key)
        .map_err(|e| format!("the key is not base64: {e}"))?;
    let [kind, rest @ ..] = bytes.as_slice() else {
        return Err("the key is empty".into());
    };
    if *kind != ED25519 {
        return Err(format!(
            "unsupported key type {kind:#04x} (caio signs with Ed25519)"
        ));
    }
    let raw: [u8; 32] = rest
        .try_into()
        .map_err(|_| "an Ed25519 key is 32 bytes".to_string())?;
    let key = VerifyingKey::from_bytes(&raw).map_err(|e| format!("not an Ed25519 key: {e}"))?;
    if super::hex(&key_hash(name, &key)) != hash {
        return Err("the key hash does not match the name and key".into());
    }
    Ok((name.to_string(), key))
}

/// The signed note of `checkpoint`, signed by `key` under `name`.
pub fn sign(checkpoint: &Checkpoint, name: &str, key: &SigningKey) -> String {
    let text = checkpoint.text();
    let signature = key.sign(text.as_bytes());
    let mut blob = key_hash(name, &key.verifying_key()).to_vec();
    blob.extend_from_slice(&signature.to_bytes());
    format!("{text}\n\u{2014} {name} {}\n", STANDARD.encode(blob))
}

/// Verifies a signed note with the key `name`/`key` and reads its claims.
/// Fails closed: a note without a valid signature by that key is refused.
pub fn verify(note: &str, name: &str, key: &VerifyingKey) -> Result<Checkpoint, String> {
    let Some((text, signatures)) = note.split_once("\n\n") else {
        return Err("not a signed note: no blank line before the signatures".into());
    };
    let text = format!("{text}\n");
    let want = key_hash(name, key);
    let mut found = false;
    for line in signatures.lines().filter(|l| !l.is_empty()) {
        let Some(rest) = line.strip_prefix("\u{2014} ") else {
            return Err(format!("malformed signature line `{line}`"));
        };
        let Some((signer, blob)) = rest.rsplit_once(' ') else {
            return Err(format!("malformed signature line `{line}`"));
        };
        if signer != name {
            continue;
        }
        let blob = STANDARD
            .decode(blob)
            .map_err(|e| format!("the signature is not base64: {e}"))?;
        if blob.len() != 4 + 64 || blob[..4] != want {
            continue;
        }
        let signature = Signature::from_slice(&blob[4..]).map_err(|e| e.to_string())?;
        key.verify_strict(text.as_bytes(), &signature)
            .map_err(|_| "the signature does not verify".to_string())?;
        found = true;
    }
    if !found {
        return Err(format!("no signature by `{name}`"));
    }
    let mut lines = text.lines();
    let origin = lines.next().unwrap_or_default().to_string();
    let size: i64 = lines
        .next()
        .and_then(|l| l.parse().ok())
        .filter(|n| *n >= 0)
        .ok_or("the second line is not a record count")?;
    let head: [u8; 32] = lines
        .next()
        .and_then(|l| STANDARD.decode(l).ok())
        .and_then(|b| b.try_into().ok())
        .ok_or("the third line is not a base64 32-byte hash")?;
    Ok(Checkpoint { origin, size, head })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7u8; 32])
    }

    #[test]
    fn sign_then_verify_and_every_forgery_fails() {
        let cp = Checkpoint {
            origin: "caio/test".into(),
            size: 42,
            head: [9u8; 32],
        };
        let note = sign(&cp, "caio/test", &key());
        assert!(note.starts_with("caio/test\n42\n"));
        let vk = key().verifying_key();
        assert_eq!(verify(&note, "caio/test", &vk).unwrap(), cp);

        let forged = note.replace("\n42\n", "\n43\n");
        assert_eq!(
            verify(&forged, "caio/test", &vk).unwrap_err(),
            "the signature does not verify"
        );
        let other = SigningKey::from_bytes(&[8u8; 32]).verifying_key();
        assert!(verify(&note, "caio/test", &other).is_err());
        let unsigned = note.split("\n\n").next().unwrap().to_string() + "\n\n";
        assert!(verify(&unsigned, "caio/test", &vk).is_err());
    }

    #[test]
    fn verifier_keys_round_trip() {
        let vk = key().verifying_key();
        let s = verifier_key("caio/test", &vk);
        let (name, parsed) = parse_verifier_key(&s).unwrap();
        assert_eq!(name, "caio/test");
        assert_eq!(parsed, vk);
        assert!(parse_verifier_key(&s.replace("caio/test", "caio/other")).is_err());
    }
}
