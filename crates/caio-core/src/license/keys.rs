//! Vendor keys: the Ed25519 signing key (`vendor.key`, PKCS#8 PEM, mode
//! 0600), its public key (`vendor.pub`: `caio-pub-v1.<b64url(32 bytes)>`;
//! `vendor.pub.pem`: SubjectPublicKeyInfo PEM for OpenSSL), key ids, and the
//! set of keys a caio trusts (embedded at build time, or added to the home).

use crate::principal::BASE64URL;
use base64::Engine;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::Serialize;
use std::fmt;

/// The prefix of a public key in caio's text form.
pub(crate) const PUBLIC_PREFIX: &str = "caio-pub-v1.";

/// Public keys embedded at build time: `CAIO_VENDOR_KEYS`, a list of
/// `caio-pub-v1.…` keys separated by commas or whitespace. When set, these
/// are the only keys this build trusts (the trust anchor a customer cannot
/// edit).
pub const EMBEDDED_KEYS: Option<&str> = option_env!("CAIO_VENDOR_KEYS");

/// The file `keygen` writes the signing key to (PKCS#8 PEM).
pub const PRIVATE_FILE: &str = "vendor.key";
/// The file `keygen` writes the public key to (`caio-pub-v1.…`).
pub const PUBLIC_FILE: &str = "vendor.pub";
/// The file `keygen` writes the public key to for OpenSSL (SubjectPublicKeyInfo PEM).
pub const PEM_FILE: &str = "vendor.pub.pem";

/// A vendor's Ed25519 signing key. Never printed: `Debug` shows only the key id.
pub struct VendorKey {
    signing: SigningKey,
}

impl fmt::Debug for VendorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VendorKey")
            .field("key_id", &self.public().key_id())
            .finish_non_exhaustive()
    }
}

impl VendorKey {
    /// The key of a 32-byte RFC 8032 seed.
    pub fn from_seed(seed: &[u8; 32]) -> VendorKey {
        VendorKey {
            signing: SigningKey::from_bytes(seed),
        }
    }

    /// The matching public key.
    pub fn public(&self) -> PublicKey {
        PublicKey::new(self.signing.verifying_key())
    }

    /// The Ed25519 signature of `message` (RFC 8032, pure Ed25519).
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    /// PKCS#8 v1 PEM (`-----BEGIN PRIVATE KEY-----`), as OpenSSL writes it:
    /// the seed only. (OpenSSL 3.0 cannot read the v2 form, which adds the
    /// public key.)
    pub fn to_pem(&self) -> Result<zeroize::Zeroizing<String>, String> {
        let seed_only = ed25519_dalek::pkcs8::KeypairBytes {
            secret_key: self.signing.to_bytes(),
            public_key: None,
        };
        seed_only
            .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .map_err(|e| e.to_string())
    }

    /// Reads a PKCS#8 PEM Ed25519 private key (caio's `vendor.key`, or one
    /// made by `openssl genpkey -algorithm ed25519`).
    pub fn from_pem(text: &str) -> Result<VendorKey, String> {
        SigningKey::from_pkcs8_pem(text.trim())
            .map(|signing| VendorKey { signing })
            .map_err(|e| format!("not an Ed25519 private key in PKCS#8 PEM form ({e})"))
    }
}

/// Which public-key form `text` is in, if it is one: a caio public key
/// (`vendor.pub`) or a PEM public key (`vendor.pub.pem`).
pub fn public_key_form(text: &str) -> Option<&'static str> {
    let text = text.trim();
    if text.starts_with(PUBLIC_PREFIX) {
        Some("`caio-pub-v1.…`, as in vendor.pub")
    } else if text.starts_with("-----BEGIN PUBLIC KEY-----") {
        Some("PEM `PUBLIC KEY`, as in vendor.pub.pem")
    } else {
        None
    }
}

/// A vendor's public key and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    key: VerifyingKey,
    id: String,
}

impl PublicKey {
    fn new(key: VerifyingKey) -> PublicKey {
        let hash = blake3::hash(key.as_bytes());
        let id = hash.to_hex()[..16].to_string();
        PublicKey { key, id }
    }

    /// A key from its 32 bytes; refuses bytes that are not a curve point and
    /// weak (small-order) keys.
    pub(crate) fn from_bytes(bytes: &[u8; 32]) -> Result<PublicKey, String> {
        let key = VerifyingKey::from_bytes(bytes)
            .map_err(|_| "the 32 bytes are not an Ed25519 public key".to_string())?;
        if key.is_weak() {
            return Err("the key is a weak (small-order) Ed25519 key".into());
        }
        Ok(PublicKey::new(key))
    }

    /// The first 16 hex characters of BLAKE3(public key bytes).
    pub fn key_id(&self) -> &str {
        &self.id
    }

    #[cfg(test)]
    fn to_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// `caio-pub-v1.<b64url(32 bytes)>`, the form of `vendor.pub`.
    pub fn to_text(&self) -> String {
        format!("{PUBLIC_PREFIX}{}", BASE64URL.encode(self.key.as_bytes()))
    }

    /// SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`), for OpenSSL.
    pub fn to_pem(&self) -> Result<String, String> {
        self.key
            .to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .map_err(|e| e.to_string())
    }

    /// Reads a public key in either form caio writes: `caio-pub-v1.…` or
    /// SubjectPublicKeyInfo PEM.
    pub fn parse(text: &str) -> Result<PublicKey, String> {
        let text = text.trim();
        if text.starts_with("-----BEGIN") {
            let key = VerifyingKey::from_public_key_pem(text).map_err(|e| {
                format!("not an Ed25519 public key in SubjectPublicKeyInfo PEM form ({e})")
            })?;
            return PublicKey::from_bytes(key.as_bytes());
        }
        let Some(body) = text.strip_prefix(PUBLIC_PREFIX) else {
            return Err(format!(
                "expected `{PUBLIC_PREFIX}…` (vendor.pub) or a PEM public key (vendor.pub.pem)"
            ));
        };
        let bytes = BASE64URL
            .decode(body)
            .map_err(|_| "the key is not strict base64url".to_string())?;
        let bytes = <[u8; 32]>::try_from(bytes.as_slice())
            .map_err(|_| format!("the key is {} bytes; expected 32", bytes.len()))?;
        PublicKey::from_bytes(&bytes)
    }

    /// Ed25519 `verify_strict` of `signature` over `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        let signature = Signature::from_bytes(signature);
        self.key.verify_strict(message, &signature).is_ok()
    }
}

/// Where a trusted key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// Built into this caio (`CAIO_VENDOR_KEYS`).
    Embedded,
    /// Added to the home with `caio license trust`.
    Home,
    /// Given on the command line (`--public-key`).
    Given,
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeySource::Embedded => "embedded in this caio",
            KeySource::Home => "trusted in the home",
            KeySource::Given => "given with --public-key",
        })
    }
}

/// A public key caio accepts signatures from, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedKey {
    /// The key.
    pub key: PublicKey,
    /// Where it comes from.
    pub source: KeySource,
}

/// The keys licenses and revocation lists may be signed with, by key id.
/// Several keys allow rotation: old licenses keep verifying with the old key.
#[derive(Debug, Clone, Default)]
pub struct TrustedKeys {
    keys: Vec<TrustedKey>,
}

impl TrustedKeys {
    /// The given keys; of several with the same id, the first is kept.
    pub fn new(keys: impl IntoIterator<Item = (PublicKey, KeySource)>) -> TrustedKeys {
        let mut out = TrustedKeys::default();
        for (key, source) in keys {
            if out.find(key.key_id()).is_none() {
                out.keys.push(TrustedKey { key, source });
            }
        }
        out
    }

    pub(crate) fn find(&self, key_id: &str) -> Option<&TrustedKey> {
        self.keys.iter().find(|k| k.key.key_id() == key_id)
    }

    /// Whether no key is trusted.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys, in the order given.
    pub fn iter(&self) -> impl Iterator<Item = &TrustedKey> {
        self.keys.iter()
    }
}

/// Parses a `CAIO_VENDOR_KEYS` list: `caio-pub-v1.…` keys separated by
/// commas or whitespace.
pub fn parse_key_list(text: &str) -> Result<Vec<PublicKey>, String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| PublicKey::parse(s).map_err(|e| format!("`{s}`: {e}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 8032 §7.1, TEST 1: the empty message.
    #[test]
    fn rfc8032_test_vector_1() {
        let seed: [u8; 32] =
            hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
                .try_into()
                .unwrap();
        let key = VendorKey::from_seed(&seed);
        assert_eq!(
            key.public().to_bytes().to_vec(),
            hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        );
        let signature = key.sign(b"");
        assert_eq!(
            signature.to_vec(),
            hex(concat!(
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555",
                "fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
            ))
        );
        assert!(key.public().verify(b"", &signature));
        assert!(!key.public().verify(b"x", &signature));
    }

    #[test]
    fn public_key_forms_round_trip() {
        let key = VendorKey::from_seed(&[7; 32]).public();
        assert_eq!(PublicKey::parse(&key.to_text()).unwrap(), key);
        assert_eq!(PublicKey::parse(&key.to_pem().unwrap()).unwrap(), key);
        assert_eq!(key.key_id().len(), 16);
        assert_eq!(key.key_id(), &blake3::hash(&key.to_bytes()).to_hex()[..16]);
        // The SubjectPublicKeyInfo DER is the fixed Ed25519 prefix then the key.
        let pem = key.to_pem().unwrap();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        assert_eq!(der[..12], hex("302a300506032b6570032100")[..]);
        assert_eq!(der[12..], key.to_bytes());
    }

    #[test]
    fn private_key_pem_round_trips_and_is_never_debug_printed() {
        let key = VendorKey::from_seed(&[9; 32]);
        let pem = key.to_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let again = VendorKey::from_pem(&pem).unwrap();
        assert_eq!(again.public(), key.public());
        let debug = format!("{key:?}");
        assert!(debug.contains(key.public().key_id()));
        let seed_b64 = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
        assert!(!debug.contains(&seed_b64) && !debug.contains("0909"));
    }

    #[test]
    fn bad_public_keys_are_refused() {
        let good = VendorKey::from_seed(&[1; 32]).public().to_text();
        for bad in [
            String::new(),
            "caio-pub-v1.".into(),
            format!("{good}A"),
            format!("{good}="),
            good.replace("caio-pub-v1.", "caio-pub-v2."),
            // The identity point: a weak key.
            format!(
                "caio-pub-v1.{}",
                BASE64URL.encode({
                    let mut b = [0u8; 32];
                    b[0] = 1;
                    b
                })
            ),
        ] {
            assert!(PublicKey::parse(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn key_lists_split_on_commas_and_whitespace() {
        let a = VendorKey::from_seed(&[1; 32]).public();
        let b = VendorKey::from_seed(&[2; 32]).public();
        let list = format!(" {},\n{} ", a.to_text(), b.to_text());
        assert_eq!(parse_key_list(&list).unwrap(), vec![a, b]);
        assert!(parse_key_list("caio-pub-v1.nope").is_err());
        assert!(parse_key_list("").unwrap().is_empty());
    }
}
