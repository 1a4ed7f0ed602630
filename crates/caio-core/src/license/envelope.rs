//! The signed text shared by licenses and revocation lists:
//! `<prefix><b64url(payload)>.<b64url(signature)>`, with an Ed25519
//! signature over `<domain> ‖ payload`, and every way of refusing one.
//!
//! Decoding is strict: base64url without padding and without non-zero
//! trailing bits, nothing after the signature, a 64-byte signature, a payload
//! that is its own RFC 8785 canonical form. The signature is checked over the
//! bytes received, never over a re-serialisation.

use super::keys::{TrustedKey, TrustedKeys, VendorKey};
use crate::canonical::to_jcs;
use crate::principal::BASE64URL;
use base64::DecodeError;
use base64::Engine;
use miette::Diagnostic;
use serde_json::Value;
use std::fmt;

/// The longest text caio reads as a license or revocation list. A license is
/// about 500 bytes; a revocation list of 10,000 entries is about 1 MiB.
pub const MAX_LEN: usize = 4 * 1024 * 1024;

/// Characters of an unpadded base64url Ed25519 signature (64 bytes).
const SIGNATURE_CHARS: usize = 86;

/// What is being read, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Artifact {
    /// A license (`caio-lic-v1.…`).
    License,
    /// A revocation list (`caio-rev-v1.…`).
    RevocationList,
}

impl fmt::Display for Artifact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Artifact::License => "license",
            Artifact::RevocationList => "revocation list",
        })
    }
}

/// Which base64url part of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The signed claims.
    Payload,
    /// The Ed25519 signature.
    Signature,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::Payload => "payload",
            Part::Signature => "signature",
        })
    }
}

/// Why a license or revocation list is refused (SPEC §10). Each kind has its
/// own message and a stable diagnostic code; every refusal exits 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Diagnostic)]
pub enum Refusal {
    /// The text is longer than [`MAX_LEN`].
    #[error("the {what} is {len} bytes long; caio reads at most {MAX_LEN}")]
    #[diagnostic(
        code(caio::license::too_large),
        help("pass the {what} text itself, as caio printed it")
    )]
    TooLarge {
        /// What was being read.
        what: Artifact,
        /// Its length, in bytes.
        len: usize,
    },

    /// The text does not start with the artifact's prefix.
    #[error("not a caio {what}: it does not start with `{expected}`")]
    #[diagnostic(
        code(caio::license::wrong_prefix),
        help(
            "a {what} reads `{expected}<payload>.<signature>`; copy it whole, as caio printed it"
        )
    )]
    WrongPrefix {
        /// What was being read.
        what: Artifact,
        /// The prefix it should start with, e.g. `caio-lic-v1.`.
        expected: &'static str,
    },

    /// No `.` separates a signature from the payload.
    #[error("the {what} has no signature part")]
    #[diagnostic(
        code(caio::license::no_signature),
        help("a {what} reads `<prefix><payload>.<signature>`; it was cut short")
    )]
    MissingSignature {
        /// What was being read.
        what: Artifact,
    },

    /// Something follows the signature.
    #[error("trailing data after the {what}'s signature")]
    #[diagnostic(
        code(caio::license::trailing_data),
        help("the signature is the last part of a {what}; remove what follows it")
    )]
    TrailingData {
        /// What was being read.
        what: Artifact,
    },

    /// A part is padded base64 (`=`).
    #[error("the {what}'s {part} is padded base64 (`=`)")]
    #[diagnostic(
        code(caio::license::padded),
        help("caio writes base64url without padding; the {what} was re-encoded or edited")
    )]
    Padded {
        /// What was being read.
        what: Artifact,
        /// Which part.
        part: Part,
    },

    /// A part's last base64url character has non-zero unused bits.
    #[error("the {what}'s {part} has non-zero trailing bits in its last base64url character")]
    #[diagnostic(
        code(caio::license::trailing_bits),
        help("only one encoding of the bytes is accepted; the {what} was edited")
    )]
    TrailingBits {
        /// What was being read.
        what: Artifact,
        /// Which part.
        part: Part,
    },

    /// A part is not base64url.
    #[error("the {what}'s {part} is not base64url: {detail}")]
    #[diagnostic(
        code(caio::license::not_base64url),
        help("the {what} was damaged in transit; copy it again, as caio printed it")
    )]
    NotBase64url {
        /// What was being read.
        what: Artifact,
        /// Which part.
        part: Part,
        /// The offending character and its position, or the impossible length.
        detail: String,
    },

    /// The signature is not 64 bytes.
    #[error("the {what}'s signature is {len} bytes; an Ed25519 signature is exactly 64")]
    #[diagnostic(
        code(caio::license::signature_length),
        help("the {what} was cut short or extended; copy it again")
    )]
    SignatureLength {
        /// What was being read.
        what: Artifact,
        /// The decoded signature's length, in bytes.
        len: usize,
    },

    /// The payload is not JSON.
    #[error("the {what}'s payload is not JSON: {detail}")]
    #[diagnostic(
        code(caio::license::malformed_payload),
        help("the {what} was damaged or not made by caio")
    )]
    MalformedPayload {
        /// What was being read.
        what: Artifact,
        /// The JSON parser's message.
        detail: String,
    },

    /// The payload is not its own RFC 8785 canonical form.
    #[error("the {what}'s payload is not canonical JSON (RFC 8785)")]
    #[diagnostic(
        code(caio::license::non_canonical),
        help(
            "the payload was re-serialised or edited after signing; only the bytes caio signed verify"
        )
    )]
    NonCanonical {
        /// What was being read.
        what: Artifact,
    },

    /// The payload's version `v` is not 1.
    #[error("unknown {what} version {found}; this caio reads version 1")]
    #[diagnostic(
        code(caio::license::unknown_version),
        help("a newer caio made this {what}: upgrade caio")
    )]
    UnknownVersion {
        /// What was being read.
        what: Artifact,
        /// The payload's `v`, as JSON.
        found: String,
    },

    /// The payload's claims are missing, mistyped or out of range.
    #[error("the {what}'s claims are invalid: {detail}")]
    #[diagnostic(
        code(caio::license::invalid_claims),
        help("the {what} was not made by `caio license`")
    )]
    InvalidClaims {
        /// What was being read.
        what: Artifact,
        /// What is wrong with them.
        detail: String,
    },

    /// The signing key is not among the trusted keys.
    #[error("the {what} is signed by key {key_id}, which is not trusted here")]
    #[diagnostic(
        code(caio::license::unknown_key),
        help(
            "trust the vendor's public key with `caio license trust vendor.pub`, or pass --public-key"
        )
    )]
    UnknownKey {
        /// What was being read.
        what: Artifact,
        /// The signing key's id, as the payload names it.
        key_id: String,
    },

    /// The signature does not verify with the trusted key of that id.
    #[error("the {what}'s signature does not verify with key {key_id}")]
    #[diagnostic(
        code(caio::license::bad_signature),
        help("the {what} was altered after signing, or signed by another key with the same id")
    )]
    BadSignature {
        /// What was being read.
        what: Artifact,
        /// The id of the trusted key it was checked with.
        key_id: String,
    },

    /// It was issued more than 5 minutes ahead of the local clock.
    #[error(
        "the {what} was issued at {issued_at}, more than 5 minutes ahead of this machine: \
         the system clock is behind"
    )]
    #[diagnostic(
        code(caio::license::clock_behind),
        help("set the system clock to the correct time (NTP) and retry")
    )]
    ClockBehind {
        /// What was being read.
        what: Artifact,
        /// When it was issued (RFC 3339 UTC).
        issued_at: String,
    },

    /// The license's validity has not started.
    #[error("the license is not valid yet: it starts at {not_before}")]
    #[diagnostic(
        code(caio::license::not_yet_valid),
        help("wait until then, or ask the vendor for a license that starts earlier")
    )]
    NotYetValid {
        /// Its first instant of validity (RFC 3339 UTC).
        not_before: String,
    },

    /// The license has expired.
    #[error("the license expired: it was valid through {valid_through}")]
    #[diagnostic(
        code(caio::license::expired),
        help("ask the vendor for a renewed license, then run `caio license install <LICENSE>`")
    )]
    Expired {
        /// Its last valid day, or `before <instant>` (see [`super::claims::valid_through`]).
        valid_through: String,
    },

    /// The installed revocation list names the license.
    #[error("the license {id} was revoked on {revoked_at} (revocation list #{sequence})")]
    #[diagnostic(
        code(caio::license::revoked),
        help("ask the vendor why, and for a new license if it was revoked in error")
    )]
    Revoked {
        /// The license id.
        id: String,
        /// When it was revoked, as the list says (RFC 3339 UTC).
        revoked_at: String,
        /// The revocation list's sequence number.
        sequence: u64,
    },
}

impl Refusal {
    /// A short stable name for the kind, for JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            Refusal::TooLarge { .. } => "too_large",
            Refusal::WrongPrefix { .. } => "wrong_prefix",
            Refusal::MissingSignature { .. } => "no_signature",
            Refusal::TrailingData { .. } => "trailing_data",
            Refusal::Padded { .. } => "padded",
            Refusal::TrailingBits { .. } => "trailing_bits",
            Refusal::NotBase64url { .. } => "not_base64url",
            Refusal::SignatureLength { .. } => "signature_length",
            Refusal::MalformedPayload { .. } => "malformed_payload",
            Refusal::NonCanonical { .. } => "non_canonical",
            Refusal::UnknownVersion { .. } => "unknown_version",
            Refusal::InvalidClaims { .. } => "invalid_claims",
            Refusal::UnknownKey { .. } => "unknown_key",
            Refusal::BadSignature { .. } => "bad_signature",
            Refusal::ClockBehind { .. } => "clock_behind",
            Refusal::NotYetValid { .. } => "not_yet_valid",
            Refusal::Expired { .. } => "expired",
            Refusal::Revoked { .. } => "revoked",
        }
    }
}

/// One kind of signed text: its prefix and its signature domain.
#[derive(Debug, Clone, Copy)]
pub struct Envelope {
    pub(crate) what: Artifact,
    pub(crate) prefix: &'static str,
    pub(crate) domain: &'static [u8],
}

/// Licenses: `caio-lic-v1.…`, signed over `"caio-license-v1\n" ‖ payload`.
pub const LICENSE: Envelope = Envelope {
    what: Artifact::License,
    prefix: "caio-lic-v1.",
    domain: b"caio-license-v1\n",
};

/// Revocation lists: `caio-rev-v1.…`, signed over
/// `"caio-revocations-v1\n" ‖ payload`.
pub const REVOCATIONS: Envelope = Envelope {
    what: Artifact::RevocationList,
    prefix: "caio-rev-v1.",
    domain: b"caio-revocations-v1\n",
};

/// The decoded parts of a signed text, not yet checked.
#[derive(Debug, Clone)]
pub(crate) struct Opened {
    pub(crate) payload: Vec<u8>,
    pub(crate) signature: [u8; 64],
}

impl Envelope {
    /// The bytes the signature covers: the domain, then the payload.
    pub(crate) fn signed_message(&self, payload: &[u8]) -> Vec<u8> {
        let mut message = Vec::with_capacity(self.domain.len() + payload.len());
        message.extend_from_slice(self.domain);
        message.extend_from_slice(payload);
        message
    }

    /// Signs `payload` (already canonical JSON) and writes the text.
    pub fn seal(&self, payload: &[u8], key: &VendorKey) -> String {
        let signature = key.sign(&self.signed_message(payload));
        format!(
            "{}{}.{}",
            self.prefix,
            BASE64URL.encode(payload),
            BASE64URL.encode(signature)
        )
    }

    /// Splits and strictly decodes a text; checks nothing about the payload.
    pub(crate) fn open(&self, text: &str) -> Result<Opened, Refusal> {
        let what = self.what;
        if text.len() > MAX_LEN {
            return Err(Refusal::TooLarge {
                what,
                len: text.len(),
            });
        }
        let Some(rest) = text.strip_prefix(self.prefix) else {
            return Err(Refusal::WrongPrefix {
                what,
                expected: self.prefix,
            });
        };
        let mut parts = rest.split('.');
        let payload = parts.next().unwrap_or_default();
        let Some(signature) = parts.next() else {
            return Err(Refusal::MissingSignature { what });
        };
        if parts.next().is_some() {
            return Err(Refusal::TrailingData { what });
        }
        let payload = decode(payload, what, Part::Payload)?;
        if signature.contains('=') {
            return Err(Refusal::Padded {
                what,
                part: Part::Signature,
            });
        }
        if signature.len() > SIGNATURE_CHARS
            && signature.get(..SIGNATURE_CHARS).is_some_and(is_base64url)
        {
            return Err(Refusal::TrailingData { what });
        }
        let signature = decode(signature, what, Part::Signature)?;
        let signature =
            <[u8; 64]>::try_from(signature.as_slice()).map_err(|_| Refusal::SignatureLength {
                what,
                len: signature.len(),
            })?;
        Ok(Opened { payload, signature })
    }

    /// The payload as a JSON object that is its own canonical form and of
    /// version 1.
    pub(crate) fn parse_payload(&self, payload: &[u8]) -> Result<Value, Refusal> {
        let what = self.what;
        let value: Value =
            serde_json::from_slice(payload).map_err(|e| Refusal::MalformedPayload {
                what,
                detail: e.to_string(),
            })?;
        let canonical = to_jcs(&value).map_err(|_| Refusal::NonCanonical { what })?;
        if canonical.as_bytes() != payload {
            return Err(Refusal::NonCanonical { what });
        }
        let Value::Object(map) = &value else {
            return Err(Refusal::InvalidClaims {
                what,
                detail: "the payload is not a JSON object".into(),
            });
        };
        match map.get("v") {
            Some(v) if v.as_u64() == Some(1) => Ok(value),
            Some(v) => Err(Refusal::UnknownVersion {
                what,
                found: v.to_string(),
            }),
            None => Err(Refusal::InvalidClaims {
                what,
                detail: "no version `v`".into(),
            }),
        }
    }

    /// Finds the key `key_id` among the trusted keys and checks the signature
    /// over the received payload bytes with `verify_strict`.
    pub(crate) fn check_signature<'k>(
        &self,
        keys: &'k TrustedKeys,
        key_id: &str,
        opened: &Opened,
    ) -> Result<&'k TrustedKey, Refusal> {
        let what = self.what;
        let Some(trusted) = keys.find(key_id) else {
            return Err(Refusal::UnknownKey {
                what,
                key_id: key_id.to_string(),
            });
        };
        if trusted
            .key
            .verify(&self.signed_message(&opened.payload), &opened.signature)
        {
            Ok(trusted)
        } else {
            Err(Refusal::BadSignature {
                what,
                key_id: key_id.to_string(),
            })
        }
    }
}

fn is_base64url(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Strict base64url: no padding, no non-zero trailing bits, URL alphabet.
fn decode(text: &str, what: Artifact, part: Part) -> Result<Vec<u8>, Refusal> {
    if text.contains('=') {
        return Err(Refusal::Padded { what, part });
    }
    BASE64URL.decode(text).map_err(|e| match e {
        DecodeError::InvalidLastSymbol { .. } => Refusal::TrailingBits { what, part },
        DecodeError::InvalidPadding => Refusal::Padded { what, part },
        DecodeError::InvalidByte(offset, byte) => Refusal::NotBase64url {
            what,
            part,
            detail: if byte.is_ascii_graphic() {
                format!("`{}` at character {}", byte as char, offset + 1)
            } else {
                format!("byte 0x{byte:02x} at character {}", offset + 1)
            },
        },
        DecodeError::InvalidLength(len) => Refusal::NotBase64url {
            what,
            part,
            detail: format!("{len} characters is not a possible length"),
        },
    })
}

/// Time as licenses write it: RFC 3339 UTC, whole seconds, `Z`.
pub fn format_time(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `t` without its fraction of a second.
pub(crate) fn whole_seconds(t: jiff::Timestamp) -> jiff::Timestamp {
    jiff::Timestamp::from_second(t.as_second()).unwrap_or(t)
}

/// Reads a time written by [`format_time`], and only that exact form.
pub fn parse_time(text: &str) -> Option<jiff::Timestamp> {
    let t: jiff::Timestamp = text.parse().ok()?;
    (format_time(t) == text).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_in_one_form_only() {
        let t = parse_time("2028-01-01T00:00:00Z").unwrap();
        assert_eq!(format_time(t), "2028-01-01T00:00:00Z");
        for bad in [
            "2028-01-01T00:00:00+00:00",
            "2028-01-01T00:00:00.0Z",
            "2028-01-01t00:00:00z",
            "2028-1-01T00:00:00Z",
            "2028-01-01 00:00:00Z",
            "",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn every_refusal_kind_has_its_own_message() {
        let what = Artifact::License;
        let all = [
            Refusal::TooLarge { what, len: 1 },
            Refusal::WrongPrefix {
                what,
                expected: "x",
            },
            Refusal::MissingSignature { what },
            Refusal::TrailingData { what },
            Refusal::Padded {
                what,
                part: Part::Payload,
            },
            Refusal::TrailingBits {
                what,
                part: Part::Payload,
            },
            Refusal::NotBase64url {
                what,
                part: Part::Payload,
                detail: String::new(),
            },
            Refusal::SignatureLength { what, len: 1 },
            Refusal::MalformedPayload {
                what,
                detail: String::new(),
            },
            Refusal::NonCanonical { what },
            Refusal::UnknownVersion {
                what,
                found: "2".into(),
            },
            Refusal::InvalidClaims {
                what,
                detail: String::new(),
            },
            Refusal::UnknownKey {
                what,
                key_id: "k".into(),
            },
            Refusal::BadSignature {
                what,
                key_id: "k".into(),
            },
            Refusal::ClockBehind {
                what,
                issued_at: "t".into(),
            },
            Refusal::NotYetValid {
                not_before: "t".into(),
            },
            Refusal::Expired {
                valid_through: "t".into(),
            },
            Refusal::Revoked {
                id: "i".into(),
                revoked_at: "t".into(),
                sequence: 1,
            },
        ];
        let mut messages: Vec<String> = all.iter().map(|r| r.to_string()).collect();
        let mut kinds: Vec<&str> = all.iter().map(Refusal::kind).collect();
        messages.sort();
        messages.dedup();
        kinds.sort();
        kinds.dedup();
        assert_eq!(messages.len(), all.len());
        assert_eq!(kinds.len(), all.len());
        for r in &all {
            assert!(r.help().is_some(), "{r} has no help");
        }
    }
}
