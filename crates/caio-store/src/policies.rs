//! Policy sets: every applied set is kept under the BLAKE3 hash of its
//! canonical JSON (so decisions can be replayed), and every `policy apply` is
//! recorded; the latest application is the active set.

use super::Sqlite;
use super::registry::Change;
use crate::error::Error;
use caio_core::policy::{PolicySet, load};
use caio_core::time::timestamp;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// The installed set, as stored.
#[derive(Debug, Clone, Serialize)]
pub struct InstalledSet {
    /// BLAKE3 of its canonical JSON, in hex.
    pub hash: String,
    /// How many rules it holds.
    pub rules: i64,
    /// When it was applied, RFC 3339.
    pub applied_at: String,
    /// Who applied it.
    pub applied_by: String,
    /// The files it was applied from.
    pub sources: Vec<String>,
    /// Its canonical JSON document.
    #[serde(skip)]
    pub body: String,
}

/// What `policy apply` did.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    /// The applied set's hash.
    pub hash: String,
    /// How many rules it holds.
    pub rules: usize,
    /// False when the set was already the active one.
    pub changed: bool,
    /// The hash of the set it replaced.
    pub previous: Option<String>,
}

impl Sqlite {
    /// Makes `set` the active policy set, in one transaction.
    pub fn apply_policy_set(
        &mut self,
        set: &PolicySet,
        sources: &[String],
        change: &Change,
    ) -> Result<Applied, Error> {
        let (hash, body) = set.canonical().map_err(|e| Error::Store {
            path: self.path.clone(),
            reason: format!("the policy set has no canonical form: {e}"),
            help: "this is unexpected; report it with the policy files",
        })?;
        let rules = set.policies().len();
        let at = timestamp(change.now);
        let sources_json = serde_json::to_string(sources).unwrap_or_else(|_| "[]".into());
        let path = self.path.clone();
        self.write(|tx| {
            let err = |e| super::state(&path, e);
            let previous: Option<String> = tx
                .query_row(
                    "SELECT hash FROM policy_applications ORDER BY id DESC LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .optional()
                .map_err(err)?;
            if previous.as_deref() == Some(hash.as_str()) {
                return Ok(Applied {
                    hash: hash.clone(),
                    rules,
                    changed: false,
                    previous,
                });
            }
            tx.execute(
                "INSERT OR IGNORE INTO policy_sets (hash, body, rules, first_seen) VALUES (?1, ?2, ?3, ?4)",
                params![hash, body, rules as i64, at],
            )
            .map_err(err)?;
            tx.execute(
                "INSERT INTO policy_applications (hash, at, actor, sources) VALUES (?1, ?2, ?3, ?4)",
                params![hash, at, change.actor, sources_json],
            )
            .map_err(err)?;
            Ok(Applied {
                hash: hash.clone(),
                rules,
                changed: true,
                previous,
            })
        })
    }

    /// The active set, if one was ever applied.
    pub fn installed_policy_set(&self) -> Result<Option<InstalledSet>, Error> {
        let row = self
            .conn
            .query_row(
                "SELECT a.hash, p.rules, a.at, a.actor, a.sources, p.body
                 FROM policy_applications a JOIN policy_sets p ON p.hash = a.hash
                 ORDER BY a.id DESC LIMIT 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(row.map(
            |(hash, rules, applied_at, applied_by, sources, body)| InstalledSet {
                hash,
                rules,
                applied_at,
                applied_by,
                sources: serde_json::from_str(&sources).unwrap_or_default(),
                body,
            },
        ))
    }

    /// The set routing must use: the installed one, or the empty set when
    /// none was ever applied. A stored set that no longer reads (edited
    /// outside caio) is a state error: routing never silently drops rules.
    pub fn active_policy_set(&self) -> Result<PolicySet, Error> {
        match self.installed_policy_set()? {
            None => Ok(PolicySet::default()),
            Some(installed) => self.read_stored_set(&installed.hash, &installed.body),
        }
    }

    /// A set used by a past decision, by hash (for replay).
    pub fn policy_set_by_hash(&self, hash: &str) -> Result<Option<PolicySet>, Error> {
        let body: Option<String> = self
            .conn
            .query_row(
                "SELECT body FROM policy_sets WHERE hash = ?1",
                [hash],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        body.map(|b| self.read_stored_set(hash, &b)).transpose()
    }

    fn read_stored_set(&self, hash: &str, body: &str) -> Result<PolicySet, Error> {
        let set = load::from_stored(body).map_err(|reason| Error::Store {
            path: self.path.clone(),
            reason: format!("the stored policy set {hash} does not read: {reason}"),
            help: "re-apply the policy files with `caio policy apply`",
        })?;
        match set.canonical() {
            Ok((h, _)) if h == hash => Ok(set),
            _ => Err(Error::Store {
                path: self.path.clone(),
                reason: format!("the stored policy set {hash} does not match its hash"),
                help: "the database was modified outside caio; re-apply the policy files with `caio policy apply`",
            }),
        }
    }
}
