//! Principals and their tokens (SPEC §4): identity never comes from a
//! request's own claims, only from a token that maps to a stored principal.
//!
//! A token is `caio_` + base64url (no padding) of 32 random bytes. Only
//! `BLAKE3-keyed(home key, token)` is stored; a presented token is hashed the
//! same way and compared in constant time against every stored hash.

use crate::contract::Trust;
use crate::contract::schema::{NAME_STR, NAMES, TRUST_LEVELS};
use crate::diagnostic::Problem;
use crate::shape::{Field, Shape, StrShape};
use crate::yaml::Node;
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::{Deserialize, Serialize};

/// What every token starts with.
pub const TOKEN_PREFIX: &str = "caio_";
/// How many random bytes a token carries.
pub const TOKEN_BYTES: usize = 32;
/// Characters of base64url for 32 bytes, without padding.
const TOKEN_BODY_LEN: usize = 43;

/// Strict base64url: no padding, no non-zero trailing bits.
pub const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

/// Who is asking, as routing sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Principal {
    /// Its name, unique in a home; `anonymous` only for a request without a token.
    pub name: String,
    /// The tenant it belongs to, if any.
    #[serde(default)]
    pub tenant: Option<String>,
    /// Its roles.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Its verified trust (default low).
    #[serde(default)]
    pub trust: Trust,
}

/// The name decisions and traces give the caller of a request without a
/// token; no principal may take it, so `anonymous` in an audit is never an
/// authenticated caller.
pub const ANONYMOUS: &str = "anonymous";

impl Principal {
    /// The principal of a request without a token: trust low, no roles, no tenant.
    pub fn anonymous() -> Principal {
        Principal {
            name: ANONYMOUS.into(),
            tenant: None,
            roles: Vec::new(),
            trust: Trust::Low,
        }
    }
}

static TRUST: Shape = Shape::Str(StrShape {
    one_of: TRUST_LEVELS,
    pattern: None,
});

/// A principal written out (a simulated principal for stateless routing, or
/// the principal of a policy test). Every key is optional: the defaults are
/// those of the anonymous principal, named `simulated`.
pub(crate) static PRINCIPAL: Shape = Shape::Object(&[
    Field::optional("name", &NAME_STR, "the principal's name"),
    Field::optional("tenant", &NAME_STR, "the principal's tenant"),
    Field::optional("roles", &NAMES, "the principal's roles"),
    Field::optional("trust", &TRUST, "low (default), medium or high"),
]);

/// Reads a written principal; `prefix` namespaces the diagnostic codes.
pub fn from_node(prefix: &str, node: &Node) -> Result<Principal, Vec<Problem>> {
    let mut problems = Vec::new();
    crate::shape::check(prefix, node, &PRINCIPAL, "", &mut problems);
    if let Some(name) = node.get("name").filter(|n| n.as_str() == Some(ANONYMOUS)) {
        problems.push(
            Problem::error(
                format!("{prefix}::reserved-name"),
                name.span,
                format!("`{ANONYMOUS}` is reserved for the caller of a request without a token"),
            )
            .label("reserved name")
            .help(
                "name the simulated principal after who it stands for, e.g. `name: acme-analyst`",
            ),
        );
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut value = node.to_json();
    if let Some(map) = value.as_object_mut() {
        map.entry("name")
            .or_insert_with(|| serde_json::Value::String("simulated".into()));
    }
    serde_json::from_value(value).map_err(|e| {
        vec![Problem::error(
            format!("{prefix}::wrong-type"),
            node.span,
            e.to_string(),
        )]
    })
}

/// Why a presented token was refused. Users only ever see "authentication
/// failed"; the kind is for the trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum AuthFailure {
    /// The token does not have a token's shape.
    #[error("authentication failed")]
    Malformed,
    /// No stored principal has this token.
    #[error("authentication failed")]
    Unknown,
    /// The token's principal is revoked.
    #[error("authentication failed")]
    Revoked,
}

/// The token of 256 random bits (the caller draws them from the operating
/// system's generator).
pub fn token_from(random: &[u8; TOKEN_BYTES]) -> String {
    format!("{TOKEN_PREFIX}{}", BASE64URL.encode(random))
}

/// Whether a string has the exact shape of a token (prefix, length, alphabet,
/// canonical encoding).
pub(crate) fn is_well_formed(token: &str) -> bool {
    let Some(body) = token.strip_prefix(TOKEN_PREFIX) else {
        return false;
    };
    body.len() == TOKEN_BODY_LEN
        && BASE64URL
            .decode(body)
            .is_ok_and(|bytes| bytes.len() == TOKEN_BYTES)
}

/// The stored form of a token: BLAKE3 keyed with the home's principal key.
pub fn token_hash(key: &[u8; 32], token: &str) -> blake3::Hash {
    blake3::keyed_hash(key, token.as_bytes())
}

/// A stored principal with its token hash, as authentication needs it.
#[derive(Debug, Clone)]
pub struct StoredPrincipal {
    /// The principal.
    pub principal: Principal,
    /// BLAKE3 of its token keyed with the home's principal key (see [`token_hash`]).
    pub token_hash: [u8; 32],
    /// Whether its token was revoked.
    pub revoked: bool,
}

/// What authentication reads from a home — its token-hashing key and every
/// stored principal — read once and used for any number of tokens (a batch
/// authenticates every line against one read).
#[derive(Clone)]
pub struct Principals {
    key: [u8; 32],
    stored: Vec<StoredPrincipal>,
}

/// Never shows the key.
impl std::fmt::Debug for Principals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Principals")
            .field("key", &"(hidden)")
            .field("stored", &self.stored.len())
            .finish()
    }
}

impl Principals {
    /// The principals stored under `key`.
    pub fn new(key: [u8; 32], stored: Vec<StoredPrincipal>) -> Principals {
        Principals { key, stored }
    }

    /// A home where no principal was ever created: no token is valid.
    pub fn none() -> Principals {
        Principals::new([0; 32], Vec::new())
    }

    /// [`authenticate`] against these principals.
    pub fn authenticate(&self, token: Option<&str>) -> Result<Principal, AuthFailure> {
        authenticate(&self.key, token, &self.stored)
    }
}

/// Turns a presented token into a principal. No token → anonymous. Every
/// stored hash is compared, in constant time, whatever matches first.
pub fn authenticate(
    key: &[u8; 32],
    token: Option<&str>,
    stored: &[StoredPrincipal],
) -> Result<Principal, AuthFailure> {
    let Some(token) = token else {
        return Ok(Principal::anonymous());
    };
    if !is_well_formed(token) {
        return Err(AuthFailure::Malformed);
    }
    let presented = token_hash(key, token);
    let mut found: Option<&StoredPrincipal> = None;
    for candidate in stored {
        // blake3::Hash equality is constant-time.
        if blake3::Hash::from_bytes(candidate.token_hash) == presented {
            found = Some(candidate);
        }
    }
    match found {
        None => Err(AuthFailure::Unknown),
        Some(p) if p.revoked => Err(AuthFailure::Revoked),
        Some(p) => Ok(p.principal.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_never_show_their_key() {
        let shown = format!("{:?}", Principals::new([0xAB; 32], Vec::new()));
        // 0xAB is 171: the bytes would print as `[171, 171, …]`.
        assert!(!shown.contains("171"), "{shown}");
        assert!(shown.contains("(hidden)"), "{shown}");
    }

    /// A fresh token per call: the bytes come from a counter, not the OS.
    fn test_token() -> String {
        use std::sync::atomic::{AtomicU8, Ordering};
        static NEXT: AtomicU8 = AtomicU8::new(1);
        token_from(&[NEXT.fetch_add(1, Ordering::Relaxed); TOKEN_BYTES])
    }

    fn stored(name: &str, key: &[u8; 32], token: &str, revoked: bool) -> StoredPrincipal {
        StoredPrincipal {
            principal: Principal {
                name: name.into(),
                tenant: Some("acme".into()),
                roles: vec!["analyst".into()],
                trust: Trust::High,
            },
            token_hash: *token_hash(key, token).as_bytes(),
            revoked,
        }
    }

    #[test]
    fn tokens_are_well_formed_and_distinct() {
        let a = test_token();
        let b = test_token();
        assert_ne!(a, b);
        assert!(is_well_formed(&a), "{a}");
        assert_eq!(a.len(), TOKEN_PREFIX.len() + TOKEN_BODY_LEN);
    }

    #[test]
    fn malformed_tokens() {
        let good = test_token();
        for bad in [
            String::new(),
            "caio_".into(),
            good.replacen("caio_", "cai0_", 1),
            format!("{good}A"),
            good[..good.len() - 1].to_string(),
            format!("{}=", &good[..good.len() - 1]),
            good.replace(['-', '_'], "+"),
        ] {
            if bad != good {
                assert!(!is_well_formed(&bad), "{bad}");
            }
        }
    }

    #[test]
    fn authentication_outcomes() {
        let key = [7u8; 32];
        let alice = test_token();
        let bob = test_token();
        let rows = vec![
            stored("alice", &key, &alice, false),
            stored("bob", &key, &bob, true),
        ];
        assert_eq!(
            authenticate(&key, None, &rows).unwrap(),
            Principal::anonymous()
        );
        assert_eq!(
            authenticate(&key, Some(&alice), &rows).unwrap().name,
            "alice"
        );
        assert_eq!(
            authenticate(&key, Some(&bob), &rows),
            Err(AuthFailure::Revoked)
        );
        assert_eq!(
            authenticate(&key, Some(&test_token()), &rows),
            Err(AuthFailure::Unknown)
        );
        assert_eq!(
            authenticate(&key, Some("nope"), &rows),
            Err(AuthFailure::Malformed)
        );
        // Another home's key does not recognise the token.
        assert_eq!(
            authenticate(&[8u8; 32], Some(&alice), &rows),
            Err(AuthFailure::Unknown)
        );
    }

    #[test]
    fn one_changed_character_is_refused() {
        let key = [1u8; 32];
        let token = test_token();
        let rows = vec![stored("alice", &key, &token, false)];
        let mut chars: Vec<char> = token.chars().collect();
        let i = TOKEN_PREFIX.len() + 10;
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        let changed: String = chars.into_iter().collect();
        assert!(authenticate(&key, Some(&changed), &rows).is_err());
    }
}
