//! Principal rows and the per-home key that hashes their tokens.

use super::Sqlite;
use crate::error::Error;
use crate::home::Home;
use crate::secret_file;
use caio_core::contract::Trust;
use caio_core::principal::{
    Principal, Principals, StoredPrincipal, TOKEN_BYTES, token_from, token_hash,
};
use caio_core::time::timestamp;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The key file that makes stored token hashes useless without the home.
pub(crate) fn principal_key_path(home: &Home) -> PathBuf {
    home.keys_dir().join("principal.key")
}

/// A principal as `principal list` shows it (never a token or its hash).
#[derive(Debug, Clone, Serialize)]
pub struct PrincipalRecord {
    /// Its unique name.
    pub name: String,
    /// Its tenant, if any.
    pub tenant: Option<String>,
    /// Its roles.
    pub roles: Vec<String>,
    /// Its trust level.
    pub trust: Trust,
    /// When it was created, RFC 3339.
    pub created_at: String,
    /// When its token was revoked, if it was.
    pub revoked_at: Option<String>,
}

/// A principal row as stored.
struct PrincipalRow {
    principal: Principal,
    created_at: String,
    revoked_at: Option<String>,
    token_hash: [u8; 32],
}

/// What `principal add` returns: the only moment the token exists in clear.
#[derive(Debug, Clone, Serialize)]
pub struct NewPrincipal {
    /// Its unique name.
    pub name: String,
    /// Its tenant, if any.
    pub tenant: Option<String>,
    /// Its roles.
    pub roles: Vec<String>,
    /// Its trust level.
    pub trust: Trust,
    /// The token, in clear: shown once, stored only as a keyed hash.
    pub token: String,
}

impl Sqlite {
    /// Creates a principal with a fresh token; stores only the keyed hash.
    pub fn add_principal(
        &mut self,
        home: &Home,
        principal: &Principal,
        now: jiff::Timestamp,
    ) -> Result<NewPrincipal, Error> {
        let key = self.principal_key(home)?;
        let mut random = zeroize::Zeroizing::new([0u8; TOKEN_BYTES]);
        getrandom::fill(random.as_mut()).map_err(|e| Error::Key {
            path: principal_key_path(home),
            reason: format!("the operating system's random generator failed: {e}"),
        })?;
        let token = token_from(&random);
        let hash = token_hash(&key, &token);
        let at = timestamp(now);
        let roles = serde_json::to_string(&principal.roles).unwrap_or_else(|_| "[]".into());
        let trust = trust_str(principal.trust);
        let name = principal.name.clone();
        let path = self.path.clone();
        self.write(|tx| {
            let exists: Option<i64> = tx
                .query_row("SELECT 1 FROM principals WHERE name = ?1", [&name], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(|e| super::state(&path, e))?;
            if exists.is_some() {
                return Err(Error::PrincipalExists { name: name.clone() });
            }
            tx.execute(
                "INSERT INTO principals (name, tenant, roles, trust, token_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    name,
                    principal.tenant,
                    roles,
                    trust,
                    hash.as_bytes().as_slice(),
                    at
                ],
            )
            .map_err(|e| super::state(&path, e))?;
            Ok(())
        })?;
        Ok(NewPrincipal {
            name: principal.name.clone(),
            tenant: principal.tenant.clone(),
            roles: principal.roles.clone(),
            trust: principal.trust,
            token,
        })
    }

    /// Every principal, revoked ones included, by name.
    pub fn list_principals(&self) -> Result<Vec<PrincipalRecord>, Error> {
        Ok(self
            .principal_rows()?
            .into_iter()
            .map(|row| PrincipalRecord {
                name: row.principal.name,
                tenant: row.principal.tenant,
                roles: row.principal.roles,
                trust: row.principal.trust,
                created_at: row.created_at,
                revoked_at: row.revoked_at,
            })
            .collect())
    }

    /// All principal rows, by name, mapped once for listing and authentication.
    fn principal_rows(&self) -> Result<Vec<PrincipalRow>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT name, tenant, roles, trust, created_at, revoked_at, token_hash
                 FROM principals ORDER BY name",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Vec<u8>>(6)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        rows.map(|row| {
            let (name, tenant, roles, trust, created_at, revoked_at, hash) =
                row.map_err(|e| self.err(e))?;
            let token_hash = <[u8; 32]>::try_from(hash.as_slice())
                .map_err(|_| self.corrupt(format!("bad token hash for `{name}`")))?;
            Ok(PrincipalRow {
                principal: Principal {
                    roles: self.parse_roles(&roles)?,
                    trust: self.parse_trust(&trust)?,
                    name,
                    tenant,
                },
                created_at,
                revoked_at,
                token_hash,
            })
        })
        .collect()
    }

    /// Revokes a principal's token; the row stays so its decisions stay explainable.
    pub fn revoke_principal(&mut self, name: &str, now: jiff::Timestamp) -> Result<bool, Error> {
        let at = timestamp(now);
        let path = self.path.clone();
        self.write(|tx| {
            let revoked: Option<Option<String>> = tx
                .query_row(
                    "SELECT revoked_at FROM principals WHERE name = ?1",
                    [name],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| super::state(&path, e))?;
            match revoked {
                None => Err(Error::UnknownPrincipal {
                    name: name.to_string(),
                }),
                Some(Some(_)) => Ok(false),
                Some(None) => {
                    tx.execute(
                        "UPDATE principals SET revoked_at = ?2 WHERE name = ?1",
                        params![name, at],
                    )
                    .map_err(|e| super::state(&path, e))?;
                    Ok(true)
                }
            }
        })
    }

    /// What authenticating a token reads (SPEC §4).
    pub fn principals(&self, home: &Home) -> Result<Principals, Error> {
        if !principal_key_path(home).exists() && self.principal_count()? == 0 {
            // No principal was ever created here: no token can be valid.
            return Ok(Principals::none());
        }
        let key = self.principal_key(home)?;
        let stored: Vec<StoredPrincipal> = self
            .principal_rows()?
            .into_iter()
            .map(|row| StoredPrincipal {
                revoked: row.revoked_at.is_some(),
                principal: row.principal,
                token_hash: row.token_hash,
            })
            .collect();
        Ok(Principals::new(key, stored))
    }

    /// The home's token-hashing key, created on first use. A missing key while
    /// principals exist is refused: a new key would silently void their tokens.
    fn principal_key(&self, home: &Home) -> Result<[u8; 32], Error> {
        let path = principal_key_path(home);
        // Count before looking at the file: every principal is inserted only
        // after its key exists, so a positive count read *before* a missing
        // file means the key really was lost, not that another process is
        // creating it right now.
        let count = self.principal_count()?;
        if count > 0 && !path.exists() {
            return Err(Error::Key {
                path,
                reason: format!(
                    "the key is missing but {}, whose tokens it verifies; \
                     restore keys/principal.key from a backup (or move caio.db aside and re-create the principals)",
                    if count == 1 {
                        "1 principal exists".to_string()
                    } else {
                        format!("{count} principals exist")
                    }
                ),
            });
        }
        load_or_create_key(&path)
    }

    fn principal_count(&self) -> Result<i64, Error> {
        self.conn
            .query_row("SELECT count(*) FROM principals", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    fn parse_roles(&self, roles: &str) -> Result<Vec<String>, Error> {
        serde_json::from_str(roles).map_err(|e| self.corrupt(format!("bad roles: {e}")))
    }

    fn parse_trust(&self, trust: &str) -> Result<Trust, Error> {
        serde_json::from_value(serde_json::Value::String(trust.to_string()))
            .map_err(|e| self.corrupt(format!("bad trust level: {e}")))
    }
}

pub(crate) fn trust_str(trust: Trust) -> &'static str {
    match trust {
        Trust::Low => "low",
        Trust::Medium => "medium",
        Trust::High => "high",
    }
}

/// Reads the 32-byte key, creating it (mode 0600, OS randomness) on first use.
/// A key readable by group or others is refused.
pub fn load_or_create_key(path: &Path) -> Result<[u8; 32], Error> {
    let fail = |reason: String| Error::Key {
        path: path.to_path_buf(),
        reason,
    };
    if !path.exists() {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| {
            fail(format!(
                "cannot create it: the random generator failed: {e}"
            ))
        })?;
        match secret_file::write_new(path, &key) {
            Ok(()) => {}
            // Another caio process created it first: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(fail(format!("cannot create it: {e}"))),
        }
    }
    let bytes = secret_file::read(path).map_err(|e| fail(format!("cannot read it: {e}")))?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| fail(format!("expected 32 bytes, found {}", bytes.len())))
}
