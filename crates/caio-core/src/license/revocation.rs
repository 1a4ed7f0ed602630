//! Signed revocation lists: `caio-rev-v1.<b64url(payload)>.<b64url(signature)>`,
//! Ed25519 over `"caio-revocations-v1\n" ‖ payload`, the payload being the
//! canonical JSON `{"issued_at","key_id","revoked":[{"id","revoked_at"}…],
//! "sequence","v":1}` with `revoked` sorted by id. A customer's caio only
//! ever replaces its installed list with one of a higher `sequence`.

use super::envelope::{Artifact, REVOCATIONS, Refusal, format_time, parse_time, whole_seconds};
use super::keys::{KeySource, TrustedKeys, VendorKey};
use super::{CLOCK_SKEW, later};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The signed payload of a revocation list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevocationClaims {
    pub(crate) v: u64,
    /// Increases by one with every list the vendor publishes.
    pub(crate) sequence: u64,
    /// When the list was signed (RFC 3339 UTC, whole seconds).
    pub issued_at: String,
    /// First 16 hex characters of BLAKE3(signing public key).
    pub key_id: String,
    /// Revoked licenses, sorted by id. Reasons stay in the vendor's records.
    pub revoked: Vec<RevokedLicense>,
}

/// One revoked license.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokedLicense {
    /// The license id: 32 lower-case hex characters.
    pub id: String,
    /// When it was revoked (RFC 3339 UTC, whole seconds).
    pub revoked_at: String,
}

/// A revocation list whose format and signature have been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationList {
    /// The signed claims.
    pub claims: RevocationClaims,
    pub(crate) issued_at: Timestamp,
    pub(crate) key_source: KeySource,
    /// The text as received.
    pub text: String,
}

impl RevocationList {
    /// The list's sequence number (1 or more); a higher one replaces a lower.
    pub fn sequence(&self) -> u64 {
        self.claims.sequence
    }

    /// The entry revoking license `id`, if any.
    pub(crate) fn find(&self, id: &str) -> Option<&RevokedLicense> {
        self.claims
            .revoked
            .binary_search_by(|e| e.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.claims.revoked[i])
    }

    /// Refuses a list issued more than 5 minutes ahead of `now`.
    pub fn check_time(&self, now: Timestamp) -> Result<(), Refusal> {
        if self.issued_at > later(now, CLOCK_SKEW) {
            return Err(Refusal::ClockBehind {
                what: Artifact::RevocationList,
                issued_at: self.claims.issued_at.clone(),
            });
        }
        Ok(())
    }
}

/// Signs a revocation list. Entries are sorted and deduplicated by id.
pub fn sign(
    mut revoked: Vec<RevokedLicense>,
    sequence: u64,
    issued_at: Timestamp,
    key: &VendorKey,
) -> Result<RevocationList, String> {
    if sequence == 0 {
        return Err("sequence numbers start at 1".into());
    }
    revoked.sort_by(|a, b| a.id.cmp(&b.id));
    revoked.dedup_by(|a, b| a.id == b.id);
    let public = key.public();
    let claims = RevocationClaims {
        v: 1,
        sequence,
        issued_at: format_time(whole_seconds(issued_at)),
        key_id: public.key_id().to_string(),
        revoked,
    };
    let payload = crate::canonical::to_jcs(&claims).map_err(|e| e.to_string())?;
    let text = REVOCATIONS.seal(payload.as_bytes(), key);
    let keys = TrustedKeys::new([(public, KeySource::Given)]);
    decode(&text, &keys).map_err(|e| format!("the new revocation list does not verify: {e}"))
}

/// Checks a revocation list's format and signature.
pub fn decode(text: &str, keys: &TrustedKeys) -> Result<RevocationList, Refusal> {
    let what = Artifact::RevocationList;
    let invalid = |detail: String| Refusal::InvalidClaims { what, detail };
    let opened = REVOCATIONS.open(text)?;
    let value = REVOCATIONS.parse_payload(&opened.payload)?;
    let claims: RevocationClaims =
        serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
    let hex = |s: &str, len: usize| {
        s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    };
    if !hex(&claims.key_id, 16) {
        return Err(invalid(
            "`key_id` is not 16 lower-case hex characters".into(),
        ));
    }
    let trusted = REVOCATIONS.check_signature(keys, &claims.key_id, &opened)?;
    let key_source = trusted.source;
    if claims.sequence == 0 {
        return Err(invalid("sequence 0".into()));
    }
    let issued_at = parse_time(&claims.issued_at)
        .ok_or_else(|| invalid("`issued_at` is not a time like 2028-01-01T00:00:00Z".into()))?;
    for entry in &claims.revoked {
        if !hex(&entry.id, 32) || parse_time(&entry.revoked_at).is_none() {
            return Err(invalid(format!("bad entry for `{}`", entry.id)));
        }
    }
    if claims.revoked.windows(2).any(|w| w[0].id >= w[1].id) {
        return Err(invalid("entries are not sorted by id and unique".into()));
    }
    Ok(RevocationList {
        claims,
        issued_at,
        key_source,
        text: text.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: char) -> RevokedLicense {
        RevokedLicense {
            id: id.to_string().repeat(32),
            revoked_at: "2027-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn signed_lists_verify_and_find_entries() {
        let key = VendorKey::from_seed(&[3; 32]);
        let now: Timestamp = "2027-02-01T10:00:00Z".parse().unwrap();
        let list = sign(vec![entry('b'), entry('a'), entry('b')], 4, now, &key).unwrap();
        assert!(list.text.starts_with("caio-rev-v1."));
        assert_eq!(list.sequence(), 4);
        assert_eq!(list.claims.revoked.len(), 2);
        assert!(list.find(&"a".repeat(32)).is_some());
        assert!(list.find(&"c".repeat(32)).is_none());
        let keys = TrustedKeys::new([(key.public(), KeySource::Home)]);
        assert_eq!(decode(&list.text, &keys).unwrap().claims, list.claims);
        // A license is not a revocation list.
        let other = TrustedKeys::new([(VendorKey::from_seed(&[4; 32]).public(), KeySource::Home)]);
        assert!(matches!(
            decode(&list.text, &other),
            Err(Refusal::UnknownKey { .. })
        ));
        assert!(list.check_time(now).is_ok());
        assert!(matches!(
            list.check_time(now - jiff::SignedDuration::from_mins(6)),
            Err(Refusal::ClockBehind { .. })
        ));
    }
}
