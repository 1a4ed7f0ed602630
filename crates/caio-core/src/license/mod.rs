//! Licenses (SPEC §10): Ed25519-signed, offline-verifiable claims
//! ([`claims`]), the byte format they share with revocation lists
//! ([`envelope`]), vendor keys ([`keys`]), signed revocation lists
//! ([`revocation`]).
//!
//! Nothing here reads the clock or an unseeded generator on its own: the
//! current time is always an argument, so tests inject it and no environment
//! variable can move it.

pub mod claims;
pub mod envelope;
pub mod keys;
pub mod revocation;

pub use claims::{Claims, License, NewLicense, Standing};
pub use envelope::{Artifact, Refusal};
pub use keys::{KeySource, PublicKey, TrustedKeys, VendorKey};
pub use revocation::RevocationList;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

/// How long an expired license is still honoured, with a warning.
pub const GRACE: SignedDuration = SignedDuration::from_hours(14 * 24);

/// How far ahead of the local clock an `issued_at` may be.
pub(crate) const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);

/// How far behind the latest time seen the clock may go before it is
/// reported as tampering.
pub const CLOCK_GUARD: SignedDuration = SignedDuration::from_hours(24);

/// What a license grants. `route` gates `caio route`; `execute` gates
/// `caio route --execute` (the execution command requires it when it lands).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// `caio route`: pick a service for a request.
    Route,
    /// `caio route --execute`: call the chosen service.
    Execute,
}

impl Feature {
    /// The feature's name in license claims: `route` or `execute`.
    pub fn as_str(self) -> &'static str {
        match self {
            Feature::Route => "route",
            Feature::Execute => "execute",
        }
    }
}

impl std::fmt::Display for Feature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `t + d`, saturating at the ends of time instead of panicking (a crafted
/// license may say `9999-12-31`).
pub fn later(t: Timestamp, d: SignedDuration) -> Timestamp {
    t.saturating_add(d).unwrap_or(Timestamp::MAX)
}

/// `t - d`, saturating at the ends of time.
pub fn earlier(t: Timestamp, d: SignedDuration) -> Timestamp {
    t.saturating_sub(d).unwrap_or(Timestamp::MIN)
}

/// `--expires 2027-12-31`: valid through the end of that day in UTC, so the
/// exclusive instant `2028-01-01T00:00:00Z`. The local time zone plays no part.
pub fn expiry_of(day: jiff::civil::Date) -> Result<Timestamp, String> {
    day.tomorrow()
        .ok()
        .and_then(|next| start_of(next).ok())
        .ok_or_else(|| {
            format!(
                "{day} is out of range: the latest expiry date caio can represent is 9999-12-29"
            )
        })
}

/// `--not-before 2027-01-01`: from the first instant of that day in UTC.
pub fn start_of(day: jiff::civil::Date) -> Result<Timestamp, String> {
    day.to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|_| {
            format!("{day} is out of range: the latest date caio can represent is 9999-12-30")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_the_next_utc_midnight() {
        let day: jiff::civil::Date = "2027-12-31".parse().unwrap();
        assert_eq!(
            envelope::format_time(expiry_of(day).unwrap()),
            "2028-01-01T00:00:00Z"
        );
        assert_eq!(
            envelope::format_time(start_of(day).unwrap()),
            "2027-12-31T00:00:00Z"
        );
        let leap: jiff::civil::Date = "2028-02-28".parse().unwrap();
        assert_eq!(
            envelope::format_time(expiry_of(leap).unwrap()),
            "2028-02-29T00:00:00Z"
        );
        assert!(expiry_of(jiff::civil::date(9999, 12, 29)).is_ok());
        for last in [30, 31] {
            let err = expiry_of(jiff::civil::date(9999, 12, last)).unwrap_err();
            assert!(
                err.contains("out of range") && err.contains("9999-12-29"),
                "{err}"
            );
        }
        assert!(start_of(jiff::civil::date(9999, 12, 30)).is_ok());
        let err = start_of(jiff::civil::date(9999, 12, 31)).unwrap_err();
        assert!(!err.contains("overflow"), "{err}");
    }
}
