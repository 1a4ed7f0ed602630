//! Vendor key files: generating a key pair into a directory (`keygen`),
//! loading a signing key or a public key from a file, and the keys built
//! into this caio. The key formats themselves are `caio_core::license::keys`.

use crate::error::Error;
use caio_core::license::keys::{
    EMBEDDED_KEYS, PEM_FILE, PRIVATE_FILE, PUBLIC_FILE, parse_key_list, public_key_form,
};
use caio_core::license::{PublicKey, VendorKey};
use caio_store::secret_file;
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// A new key from the operating system's random generator.
pub fn generate() -> Result<VendorKey, getrandom::Error> {
    let mut seed = zeroize::Zeroizing::new([0u8; 32]);
    getrandom::fill(seed.as_mut())?;
    Ok(VendorKey::from_seed(&seed))
}

/// Loads a private key file. Judged in the order that gives the right
/// advice: a regular file, then a private key at all (a public key gets
/// pointed to its `vendor.key`), then readable by its owner only.
pub fn load_vendor_key(path: &Path) -> Result<VendorKey, Error> {
    const PASS_VENDOR_KEY: &str =
        "pass --key with the vendor.key that `caio license keygen` wrote (PKCS#8 PEM, mode 0600)";
    let fail = |reason: String, help: &'static str| Error::VendorKey {
        path: path.to_path_buf(),
        reason,
        help,
    };
    let unchecked = secret_file::read_unchecked(path).map_err(|e| match e {
        secret_file::ReadError::NotRegular { .. }
            if path.is_dir() && path.join(PRIVATE_FILE).is_file() =>
        {
            fail(
                format!(
                    "{e}; the signing key in it is {}",
                    path.join(PRIVATE_FILE).display()
                ),
                PASS_VENDOR_KEY,
            )
        }
        e => fail(e.to_string(), PASS_VENDOR_KEY),
    })?;
    if let Some(form) = std::str::from_utf8(unchecked.bytes())
        .ok()
        .and_then(public_key_form)
    {
        let sibling = path.with_file_name(PRIVATE_FILE);
        let next_to = if sibling.is_file() {
            format!("; the signing key next to it is {}", sibling.display())
        } else {
            String::new()
        };
        return Err(fail(
            format!("this is a public key ({form}), not a private key{next_to}"),
            "sign with the private key: vendor.key, which `caio license keygen` wrote next to vendor.pub; the public key is what customers trust",
        ));
    }
    let bytes = unchecked.into_private(path).map_err(|e| {
            fail(
                e.to_string(),
                "a signing key must be readable by its owner only: anyone who reads it can issue licenses",
            )
        })?;
    let text =
        std::str::from_utf8(&bytes).map_err(|_| fail("not a text file".into(), PASS_VENDOR_KEY))?;
    VendorKey::from_pem(text).map_err(|reason| fail(reason, PASS_VENDOR_KEY))
}

/// Reads a public key file (`vendor.pub` or `vendor.pub.pem`).
pub fn load_public_key(path: &Path) -> Result<PublicKey, Error> {
    let fail = |reason: String| Error::PublicKey {
        path: path.to_path_buf(),
        reason,
    };
    let text = caio_store::files::read_bounded_text(path, caio_store::files::SMALL_FILE_LIMIT)
        .map_err(|e| fail(e.to_string()))?;
    PublicKey::parse(&text).map_err(fail)
}

/// The keys built into this caio; empty when it was built without
/// `CAIO_VENDOR_KEYS`.
pub fn embedded_keys() -> Result<Vec<PublicKey>, Error> {
    match EMBEDDED_KEYS {
        None => Ok(Vec::new()),
        Some(list) => parse_key_list(list).map_err(|reason| Error::EmbeddedKeys { reason }),
    }
}

/// The three files `keygen` writes.
#[derive(Debug, Clone, Serialize)]
pub struct KeyFiles {
    pub key_id: String,
    pub private_key: PathBuf,
    pub public_key: PathBuf,
    pub public_key_pem: PathBuf,
}

/// Writes a new key pair into `dir`: `vendor.key` (0600), `vendor.pub`,
/// `vendor.pub.pem`. Refuses to overwrite any of them.
pub fn keygen(dir: &Path) -> Result<KeyFiles, Error> {
    let files = KeyFiles {
        key_id: String::new(),
        private_key: dir.join(PRIVATE_FILE),
        public_key: dir.join(PUBLIC_FILE),
        public_key_pem: dir.join(PEM_FILE),
    };
    for path in [&files.private_key, &files.public_key, &files.public_key_pem] {
        if path.exists() {
            return Err(Error::KeyExists { path: path.clone() });
        }
    }
    let write_err = |path: &Path, e: &dyn fmt::Display| Error::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let key = generate().map_err(|e| {
        write_err(
            &files.private_key,
            &format!("the operating system's random generator failed: {e}"),
        )
    })?;
    let public = key.public();
    let pem = key
        .to_pem()
        .map_err(|e| write_err(&files.private_key, &e))?;
    secret_file::write_new(&files.private_key, pem.as_bytes()).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Error::KeyExists {
                path: files.private_key.clone(),
            }
        } else {
            write_err(&files.private_key, &e)
        }
    })?;
    let public_pem = public
        .to_pem()
        .map_err(|e| write_err(&files.public_key_pem, &e))?;
    write_public(&files.public_key, &format!("{}\n", public.to_text()))?;
    write_public(&files.public_key_pem, &public_pem)?;
    Ok(KeyFiles {
        key_id: public.key_id().to_string(),
        ..files
    })
}

/// Writes a public file that must not exist yet.
fn write_public(path: &Path, text: &str) -> Result<(), Error> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::KeyExists {
                    path: path.to_path_buf(),
                }
            } else {
                Error::Write {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                }
            }
        })
}
