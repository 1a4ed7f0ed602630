//! A fresh temporary caio home for the checks that need the real store:
//! principals with real tokens (some revoked), and the tokens a caller may
//! present — valid, revoked, unknown, tampered, malformed or none.

use super::random::Gen;
use super::scenario::{self, Profile};
use base64::Engine as _;
use caio_core::principal::{BASE64URL, Principal, TOKEN_PREFIX};
use caio_store::Error;
use caio_store::Store;
use caio_store::home::Home;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// A directory removed when dropped.
#[derive(Debug)]
pub(crate) struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub(crate) fn new(prefix: &str) -> std::io::Result<TempDir> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let mut nonce = [0u8; 8];
        let _ = getrandom::fill(&mut nonce);
        let name = format!(
            "{prefix}-{}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            caio_core::trace::hex(&nonce)
        );
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&path)?;
        Ok(TempDir { path })
    }

    pub(crate) fn path(&self) -> &std::path::Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A stored principal and its token.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub(crate) principal: Principal,
    pub(crate) token: String,
    pub(crate) revoked: bool,
}

/// A fresh home with principals.
pub(crate) struct Lab {
    pub(crate) home: Home,
    pub(crate) store: Store,
    pub(crate) members: Vec<Member>,
    // Declared last: dropped after the store is closed.
    _dir: TempDir,
}

/// The token a caller presents, and what authentication must answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Presented {
    None,
    Valid(usize),
    Revoked(usize),
    /// Well formed, never issued.
    Unknown(String),
    /// A valid token with one character changed.
    Tampered {
        of: usize,
        token: String,
    },
    Malformed(String),
}

impl Presented {
    pub(crate) fn token<'a>(&'a self, lab: &'a Lab) -> Option<&'a str> {
        match self {
            Presented::None => None,
            Presented::Valid(i) | Presented::Revoked(i) => Some(&lab.members[*i].token),
            Presented::Unknown(t) | Presented::Malformed(t) => Some(t),
            Presented::Tampered { token, .. } => Some(token),
        }
    }

    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Presented::None => "no token",
            Presented::Valid(_) => "valid token",
            Presented::Revoked(_) => "revoked token",
            Presented::Unknown(_) => "unknown token",
            Presented::Tampered { .. } => "tampered token",
            Presented::Malformed(_) => "malformed token",
        }
    }
}

impl Lab {
    /// A home with `n` principals (tenants and roles from `profile`); about
    /// a quarter are revoked, but at least one stays valid.
    pub(crate) fn new(g: &mut Gen, profile: &Profile, n: usize) -> Result<Lab, Error> {
        let dir = TempDir::new("caio-invariants").map_err(|e| Error::Home {
            path: std::env::temp_dir(),
            reason: e.to_string(),
        })?;
        let home = Home {
            path: dir.path().join("home"),
        };
        let mut store = Store::open(&home, caio_store::DEFAULT_BUSY_TIMEOUT)?;
        let now = jiff::Timestamp::now();
        let mut members = Vec::new();
        for i in 0..n.max(1) {
            let principal = scenario::principal(g, profile, &format!("principal-{i:02}"));
            let added = store.add_principal(&home, &principal, now)?;
            let revoked = i > 0 && g.chance(0.25);
            if revoked {
                store.revoke_principal(&principal.name, now)?;
            }
            members.push(Member {
                principal,
                token: added.token,
                revoked,
            });
        }
        Ok(Lab {
            home,
            store,
            members,
            _dir: dir,
        })
    }

    /// A token to present, of a random kind (`refused` is the relative
    /// weight of the refused kinds against none and valid).
    pub(crate) fn present(&self, g: &mut Gen, refused: u32) -> Presented {
        let valid: Vec<usize> = (0..self.members.len())
            .filter(|&i| !self.members[i].revoked)
            .collect();
        let revoked: Vec<usize> = (0..self.members.len())
            .filter(|&i| self.members[i].revoked)
            .collect();
        match g.weighted(&[2, 4, refused, refused, refused, refused]) {
            0 => Presented::None,
            1 if !valid.is_empty() => Presented::Valid(*g.pick(&valid)),
            2 if !revoked.is_empty() => Presented::Revoked(*g.pick(&revoked)),
            3 | 2 => {
                let bytes: Vec<u8> = (0..32).map(|_| g.below(256) as u8).collect();
                Presented::Unknown(format!("{TOKEN_PREFIX}{}", BASE64URL.encode(bytes)))
            }
            4 if !self.members.is_empty() => {
                let of = g.index(self.members.len());
                let token = &self.members[of].token;
                let body = TOKEN_PREFIX.len();
                let at = body + g.index(token.len() - body);
                const ALPHABET: &[u8] =
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
                let mut bytes = token.clone().into_bytes();
                let mut c = *g.pick(ALPHABET);
                while c == bytes[at] {
                    c = *g.pick(ALPHABET);
                }
                bytes[at] = c;
                Presented::Tampered {
                    of,
                    token: String::from_utf8(bytes).unwrap_or_default(),
                }
            }
            _ => {
                let shapes = [
                    String::new(),
                    "caio_".to_string(),
                    "not-a-token".to_string(),
                    format!("{}=", self.members[0].token),
                    self.members[0].token[..self.members[0].token.len() - 1].to_string(),
                    self.members[0].token.replacen("caio_", "CAIO_", 1),
                ];
                Presented::Malformed(g.pick(&shapes).clone())
            }
        }
    }
}
