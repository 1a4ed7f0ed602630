//! Principals on PostgreSQL. The rows are shared by the fleet; the key that
//! hashes their tokens stays in each home (`keys/principal.key`), so every
//! host that authenticates needs a copy of the same key. The database keeps
//! the key's id (a keyed hash of a fixed text, not the key) to tell a host
//! with another key that it has the wrong one, instead of refusing every
//! token as unknown.

use super::Postgres;
use crate::error::Error;
use crate::home::Home;
use crate::principals::{
    NewPrincipal, PrincipalRecord, load_or_create_key, principal_key_path, trust_str,
};
use caio_core::contract::Trust;
use caio_core::principal::{
    Principal, Principals, StoredPrincipal, TOKEN_BYTES, token_from, token_hash,
};
use caio_core::time::timestamp;

/// The setting holding the id of the fleet's principal key.
const KEY_ID: &str = "principal_key_id";

struct PrincipalRow {
    principal: Principal,
    created_at: String,
    revoked_at: Option<String>,
    token_hash: [u8; 32],
}

fn key_id(key: &[u8; 32]) -> String {
    blake3::keyed_hash(key, b"caio principal key id").to_hex()[..16].to_string()
}

impl Postgres {
    pub(crate) fn add_principal(
        &self,
        home: &Home,
        principal: &Principal,
        now: jiff::Timestamp,
    ) -> Result<NewPrincipal, Error> {
        let key = self.principal_key(home)?;
        let id = key_id(&key);
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
        self.write(|pg, tx| {
            pg.execute(
                tx,
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                &[&KEY_ID, &id],
            )?;
            let fleet: Option<String> = pg
                .query_opt(tx, "SELECT value FROM settings WHERE key = $1", &[&KEY_ID])?
                .map(|r| pg.col(&r, 0))
                .transpose()?;
            if fleet.as_deref().is_some_and(|f| f != id) {
                return Err(wrong_key(home));
            }
            let exists = pg
                .query_opt(tx, "SELECT 1 FROM principals WHERE name = $1", &[&name])?
                .is_some();
            if exists {
                return Err(Error::PrincipalExists { name: name.clone() });
            }
            pg.execute(
                tx,
                "INSERT INTO principals (name, tenant, roles, trust, token_hash, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &name,
                    &principal.tenant,
                    &roles,
                    &trust,
                    &hash.as_bytes().as_slice(),
                    &at,
                ],
            )?;
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

    pub(crate) fn list_principals(&self) -> Result<Vec<PrincipalRecord>, Error> {
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

    fn principal_rows(&self) -> Result<Vec<PrincipalRow>, Error> {
        self.read(|pg, c| {
            pg.query(
                c,
                "SELECT name, tenant, roles, trust, created_at, revoked_at, token_hash
                 FROM principals ORDER BY name",
                &[],
            )?
            .iter()
            .map(|r| {
                let name: String = pg.col(r, 0)?;
                let roles: String = pg.col(r, 2)?;
                let trust: String = pg.col(r, 3)?;
                let hash: Vec<u8> = pg.col(r, 6)?;
                let token_hash = <[u8; 32]>::try_from(hash.as_slice())
                    .map_err(|_| pg.corrupt(format!("bad token hash for `{name}`")))?;
                Ok(PrincipalRow {
                    principal: Principal {
                        roles: serde_json::from_str(&roles)
                            .map_err(|e| pg.corrupt(format!("bad roles: {e}")))?,
                        trust: serde_json::from_value::<Trust>(serde_json::Value::String(trust))
                            .map_err(|e| pg.corrupt(format!("bad trust level: {e}")))?,
                        tenant: pg.col(r, 1)?,
                        name,
                    },
                    created_at: pg.col(r, 4)?,
                    revoked_at: pg.col(r, 5)?,
                    token_hash,
                })
            })
            .collect()
        })
    }

    pub(crate) fn revoke_principal(&self, name: &str, now: jiff::Timestamp) -> Result<bool, Error> {
        let at = timestamp(now);
        self.write(|pg, tx| {
            let revoked: Option<Option<String>> = pg
                .query_opt(
                    tx,
                    "SELECT revoked_at FROM principals WHERE name = $1",
                    &[&name],
                )?
                .map(|r| pg.col(&r, 0))
                .transpose()?;
            match revoked {
                None => Err(Error::UnknownPrincipal {
                    name: name.to_string(),
                }),
                Some(Some(_)) => Ok(false),
                Some(None) => {
                    pg.execute(
                        tx,
                        "UPDATE principals SET revoked_at = $2 WHERE name = $1",
                        &[&name, &at],
                    )?;
                    Ok(true)
                }
            }
        })
    }

    pub(crate) fn principals(&self, home: &Home) -> Result<Principals, Error> {
        if !principal_key_path(home).exists() && self.principal_count()? == 0 {
            return Ok(Principals::none());
        }
        let key = self.principal_key(home)?;
        let fleet: Option<String> = self.read(|pg, c| {
            pg.query_opt(c, "SELECT value FROM settings WHERE key = $1", &[&KEY_ID])?
                .map(|r| pg.col(&r, 0))
                .transpose()
        })?;
        if fleet.is_some_and(|f| f != key_id(&key)) {
            return Err(wrong_key(home));
        }
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

    /// The home's token-hashing key, created on first use when the fleet
    /// has no principal yet.
    fn principal_key(&self, home: &Home) -> Result<[u8; 32], Error> {
        let path = principal_key_path(home);
        let count = self.principal_count()?;
        if count > 0 && !path.exists() {
            return Err(Error::Key {
                path,
                reason: format!(
                    "the key is missing but the fleet's database holds {}, whose tokens it verifies; \
                     copy keys/principal.key (mode 0600) from the home of the host that created them",
                    if count == 1 {
                        "1 principal".to_string()
                    } else {
                        format!("{count} principals")
                    }
                ),
            });
        }
        load_or_create_key(&path)
    }

    fn principal_count(&self) -> Result<i64, Error> {
        self.read(|pg, c| {
            let row = pg.query_opt(c, "SELECT count(*) FROM principals", &[])?;
            row.map(|r| pg.col(&r, 0))
                .transpose()
                .map(Option::unwrap_or_default)
        })
    }
}

fn wrong_key(home: &Home) -> Error {
    Error::Key {
        path: principal_key_path(home),
        reason: "this home's key is not the one the fleet's principals were created with; \
                 copy keys/principal.key (mode 0600) from the home of a host of the fleet"
            .into(),
    }
}
