//! A license: its claims, how they are signed into the text
//! `caio-lic-v1.<b64url(payload)>.<b64url(signature)>`, and how that text is
//! verified.

use super::envelope::{self, Artifact, LICENSE, Refusal, format_time, parse_time};
use super::keys::{KeySource, TrustedKeys, VendorKey};
use super::revocation::RevocationList;
use super::{CLOCK_SKEW, Feature, GRACE, later};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The signed claims, as they appear in the payload (RFC 8785 canonical
/// JSON, so keys in this order: customer, expires_at, features, id,
/// issued_at, key_id, not_before, seats, v).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// Format version: 1.
    pub v: u64,
    /// 128 random bits as 32 lower-case hex characters.
    pub id: String,
    /// Who the license is for: 1 to 200 characters, no control characters, no surrounding spaces.
    pub customer: String,
    /// Feature names, sorted, without duplicates.
    pub features: Vec<String>,
    /// Seats bought (informational: caio does not count seats).
    pub seats: u64,
    /// When it was signed (RFC 3339 UTC, whole seconds).
    pub issued_at: String,
    /// First instant of validity (inclusive).
    pub not_before: String,
    /// First instant of invalidity (exclusive): `--expires 2027-12-31` is
    /// stored as `2028-01-01T00:00:00Z`.
    pub expires_at: String,
    /// First 16 hex characters of BLAKE3(signing public key).
    pub key_id: String,
}

/// A license whose format and signature have been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct License {
    /// The signed claims.
    pub claims: Claims,
    /// When it was issued (the vendor signed this time).
    pub issued_at: Timestamp,
    pub(crate) not_before: Timestamp,
    /// `claims.expires_at`, parsed: the first instant it is no longer valid.
    pub expires_at: Timestamp,
    /// Where the key that verified it comes from.
    pub key_source: KeySource,
    /// The text as received.
    pub text: String,
}

/// What to put in a new license.
#[derive(Debug, Clone)]
pub struct NewLicense<'a> {
    /// Who the license is for.
    pub customer: &'a str,
    /// What it grants (at least one).
    pub features: &'a [Feature],
    /// Seats bought (at least one).
    pub seats: u64,
    /// First instant of validity (signed to the whole second).
    pub not_before: Timestamp,
    /// First instant of invalidity, after `not_before` (signed to the whole second).
    pub expires_at: Timestamp,
}

/// The longest customer name a license carries.
pub(crate) const MAX_CUSTOMER: usize = 200;

/// Whether `s` is a name sales ops can type and a table can show.
pub(crate) fn check_customer(s: &str) -> Result<(), String> {
    if s.trim().is_empty() {
        return Err("the customer name is empty".into());
    }
    if s.trim() != s {
        return Err("the customer name starts or ends with a space".into());
    }
    if s.chars().count() > MAX_CUSTOMER {
        return Err(format!(
            "the customer name is longer than {MAX_CUSTOMER} characters"
        ));
    }
    if s.chars().any(char::is_control) {
        return Err("the customer name contains a control character".into());
    }
    Ok(())
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn is_feature_name(s: &str) -> bool {
    let mut bytes = s.bytes();
    s.len() <= 32
        && bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The license id of 128 random bits (the caller draws them from the
/// operating system's generator).
pub fn id_from(random: &[u8; 16]) -> String {
    random.iter().map(|b| format!("{b:02x}")).collect()
}

/// Signs a license. `id` and `issued_at` come in from the caller (the CLI
/// passes fresh randomness and the clock).
pub fn issue(
    new: &NewLicense<'_>,
    id: String,
    issued_at: Timestamp,
    key: &VendorKey,
) -> Result<License, String> {
    check_customer(new.customer)?;
    if new.features.is_empty() {
        return Err("a license grants at least one feature".into());
    }
    if new.seats == 0 {
        return Err("a license has at least one seat".into());
    }
    if new.expires_at <= new.not_before {
        return Err(format!(
            "the license would end ({}) before it starts ({})",
            format_time(new.expires_at),
            format_time(new.not_before)
        ));
    }
    let mut features: Vec<String> = new.features.iter().map(|f| f.as_str().into()).collect();
    features.sort();
    features.dedup();
    let public = key.public();
    let claims = Claims {
        v: 1,
        id,
        customer: new.customer.to_string(),
        features,
        seats: new.seats,
        issued_at: format_time(envelope::whole_seconds(issued_at)),
        not_before: format_time(envelope::whole_seconds(new.not_before)),
        expires_at: format_time(envelope::whole_seconds(new.expires_at)),
        key_id: public.key_id().to_string(),
    };
    let payload = crate::canonical::to_jcs(&claims).map_err(|e| e.to_string())?;
    let text = LICENSE.seal(payload.as_bytes(), key);
    // Check what was made the way every reader will.
    let keys = TrustedKeys::new([(public, KeySource::Given)]);
    decode(&text, &keys).map_err(|e| format!("the new license does not verify: {e}"))
}

/// Checks a license's format and signature; says nothing about time or
/// revocation (see [`License::check`]).
pub fn decode(text: &str, keys: &TrustedKeys) -> Result<License, Refusal> {
    let what = Artifact::License;
    let opened = LICENSE.open(text)?;
    let value = LICENSE.parse_payload(&opened.payload)?;
    let claims: Claims = serde_json::from_value(value).map_err(|e| Refusal::InvalidClaims {
        what,
        detail: e.to_string(),
    })?;
    let invalid = |detail: String| Refusal::InvalidClaims { what, detail };
    if !is_hex(&claims.key_id, 16) {
        return Err(invalid(
            "`key_id` is not 16 lower-case hex characters".into(),
        ));
    }
    let trusted = LICENSE.check_signature(keys, &claims.key_id, &opened)?;
    let key_source = trusted.source;
    if !is_hex(&claims.id, 32) {
        return Err(invalid("`id` is not 32 lower-case hex characters".into()));
    }
    check_customer(&claims.customer).map_err(invalid)?;
    if claims.features.is_empty() {
        return Err(invalid("no features".into()));
    }
    if let Some(bad) = claims.features.iter().find(|f| !is_feature_name(f)) {
        return Err(invalid(format!("`{bad}` is not a feature name")));
    }
    if claims.features.windows(2).any(|w| w[0] >= w[1]) {
        return Err(invalid("features are not sorted and unique".into()));
    }
    if claims.seats == 0 {
        return Err(invalid("zero seats".into()));
    }
    let time = |name: &str, value: &str| {
        parse_time(value)
            .ok_or_else(|| invalid(format!("`{name}` is not a time like 2028-01-01T00:00:00Z")))
    };
    let issued_at = time("issued_at", &claims.issued_at)?;
    let not_before = time("not_before", &claims.not_before)?;
    let expires_at = time("expires_at", &claims.expires_at)?;
    if expires_at <= not_before {
        return Err(invalid("it expires before it starts".into()));
    }
    Ok(License {
        claims,
        issued_at,
        not_before,
        expires_at,
        key_source,
        text: text.to_string(),
    })
}

/// The claims of a license text whose signature cannot be checked (no
/// trusted key knows its `key_id`): for showing what a license says, never
/// for deciding anything. The envelope and payload are checked as
/// [`decode`] checks them; only the signature is not.
pub fn read_unverified(text: &str) -> Result<Claims, Refusal> {
    let opened = LICENSE.open(text)?;
    let value = LICENSE.parse_payload(&opened.payload)?;
    serde_json::from_value(value).map_err(|e| Refusal::InvalidClaims {
        what: Artifact::License,
        detail: e.to_string(),
    })
}

/// Where a license stands at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Valid; `days_left` counts the last, partial day as one.
    Valid {
        /// Days until it expires.
        days_left: i64,
    },
    /// Expired less than [`GRACE`] ago: still honoured, with a warning.
    Grace {
        /// When the grace period ends and the license is refused.
        grace_ends: Timestamp,
        /// Days until the grace period ends, the last, partial day counting as one.
        days_left: i64,
    },
    /// Refused, with why.
    Refused(Refusal),
}

impl License {
    /// Full verification at `now`: time, then revocation.
    pub fn check(
        &self,
        now: Timestamp,
        revocations: Option<&RevocationList>,
    ) -> Result<(), Refusal> {
        self.check_time(now)?;
        self.check_revocation(revocations)
    }

    /// Refuses a license issued in the future (a clock set back), not yet
    /// valid, or expired.
    pub fn check_time(&self, now: Timestamp) -> Result<(), Refusal> {
        if self.issued_at > later(now, CLOCK_SKEW) {
            return Err(Refusal::ClockBehind {
                what: Artifact::License,
                issued_at: self.claims.issued_at.clone(),
            });
        }
        if now < self.not_before {
            return Err(Refusal::NotYetValid {
                not_before: self.claims.not_before.clone(),
            });
        }
        if now >= self.expires_at {
            return Err(Refusal::Expired {
                valid_through: self.valid_through(),
            });
        }
        Ok(())
    }

    /// Refuses a license that `revocations` lists; without a list, nothing is revoked.
    pub fn check_revocation(&self, revocations: Option<&RevocationList>) -> Result<(), Refusal> {
        let Some(list) = revocations else {
            return Ok(());
        };
        match list.find(&self.claims.id) {
            Some(entry) => Err(Refusal::Revoked {
                id: self.claims.id.clone(),
                revoked_at: entry.revoked_at.clone(),
                sequence: list.sequence(),
            }),
            None => Ok(()),
        }
    }

    /// Where the license stands at `now`, grace period included.
    pub fn standing(&self, now: Timestamp, revocations: Option<&RevocationList>) -> Standing {
        if let Err(r) = self.check_revocation(revocations) {
            return Standing::Refused(r);
        }
        match self.check_time(now) {
            Ok(()) => Standing::Valid {
                days_left: days_until(now, self.expires_at),
            },
            Err(Refusal::Expired { .. }) if now < later(self.expires_at, GRACE) => {
                Standing::Grace {
                    grace_ends: later(self.expires_at, GRACE),
                    days_left: days_until(now, later(self.expires_at, GRACE)),
                }
            }
            Err(r) => Standing::Refused(r),
        }
    }

    /// Whether the license grants `feature`.
    pub fn grants(&self, feature: Feature) -> bool {
        self.claims.features.iter().any(|f| f == feature.as_str())
    }

    /// The last valid day (`2027-12-31` for `expires_at` =
    /// `2028-01-01T00:00:00Z`), or the exclusive instant when it is not a
    /// midnight.
    pub fn valid_through(&self) -> String {
        valid_through(self.expires_at)
    }
}

/// How `expires_at` reads to people: the last valid day when it is a UTC
/// midnight, else `before <instant>`.
pub fn valid_through(expires_at: Timestamp) -> String {
    let utc = expires_at.to_zoned(jiff::tz::TimeZone::UTC);
    if utc.time() == jiff::civil::Time::midnight()
        && let Ok(day) = utc.date().yesterday()
    {
        return day.to_string();
    }
    format!("before {}", format_time(expires_at))
}

/// Whole days elapsed from `end` to `now` (0 on the day it passed).
pub fn days_since(now: Timestamp, end: Timestamp) -> i64 {
    (now.as_second() - end.as_second()).div_euclid(86_400)
}

/// "expired 3 days ago", from [`days_since`] the expiry.
pub fn expired_ago(days: i64) -> String {
    match days {
        ..=0 => "expired today".into(),
        1 => "expired 1 day ago".into(),
        n => format!("expired {n} days ago"),
    }
}

/// How an expired license within its grace period reads everywhere
/// (`verify`, `install`, `status`, enforcement): "expired — in grace until
/// 2028-01-15T00:00:00Z".
pub fn in_grace(grace_ends: Timestamp) -> String {
    format!("expired — in grace until {}", format_time(grace_ends))
}

/// Whole days from `now` to `end`, a started day counting as one; negative
/// (or zero) once `end` has passed.
pub fn days_until(now: Timestamp, end: Timestamp) -> i64 {
    let seconds = end.as_second() - now.as_second();
    seconds.div_euclid(86_400) + i64::from(seconds.rem_euclid(86_400) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn days_left_counts_a_started_day() {
        let end = t("2028-01-01T00:00:00Z");
        assert_eq!(days_until(t("2027-12-31T23:59:59Z"), end), 1);
        assert_eq!(days_until(t("2027-12-31T00:00:00Z"), end), 1);
        assert_eq!(days_until(t("2027-12-30T23:59:59Z"), end), 2);
        assert_eq!(days_until(end, end), 0);
        assert_eq!(days_until(t("2028-01-02T00:00:00Z"), end), -1);
    }

    #[test]
    fn valid_through_names_the_last_day() {
        assert_eq!(valid_through(t("2028-01-01T00:00:00Z")), "2027-12-31");
        assert_eq!(
            valid_through(t("2028-01-01T12:00:00Z")),
            "before 2028-01-01T12:00:00Z"
        );
    }

    /// An installed license in its grace period once read "(-3 days left)".
    #[test]
    fn days_since_expiry_read_as_days_ago() {
        let expires = t("2026-11-19T00:00:00Z");
        assert_eq!(
            expired_ago(days_since(t("2026-11-22T00:18:00Z"), expires)),
            "expired 3 days ago"
        );
        assert_eq!(
            expired_ago(days_since(t("2026-11-19T05:00:00Z"), expires)),
            "expired today"
        );
        assert_eq!(
            expired_ago(days_since(t("2026-11-20T23:59:59Z"), expires)),
            "expired 1 day ago"
        );
    }

    #[test]
    fn grace_reads_the_same_everywhere() {
        assert_eq!(
            in_grace(t("2028-01-15T00:00:00Z")),
            "expired — in grace until 2028-01-15T00:00:00Z"
        );
    }

    #[test]
    fn customer_names() {
        assert!(check_customer("Acme Corp").is_ok());
        assert!(check_customer("Ünïcode GmbH").is_ok());
        for bad in ["", " ", " Acme", "Acme ", "a\nb", &"x".repeat(201)] {
            assert!(check_customer(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ids_are_128_bits_in_hex() {
        let a = id_from(&[0xab; 16]);
        assert!(is_hex(&a, 32), "{a}");
        assert_eq!(&a[..4], "abab");
        assert_ne!(a, id_from(&[0xac; 16]));
    }
}
