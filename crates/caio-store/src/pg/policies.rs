//! Policy sets on PostgreSQL: the same tables and results as
//! [`crate::policies`].

use super::Postgres;
use crate::error::Error;
use crate::policies::{Applied, InstalledSet};
use crate::registry::Change;
use caio_core::policy::{PolicySet, load};
use caio_core::time::timestamp;

impl Postgres {
    pub(crate) fn apply_policy_set(
        &self,
        set: &PolicySet,
        sources: &[String],
        change: &Change,
    ) -> Result<Applied, Error> {
        let (hash, body) = set.canonical().map_err(|e| Error::Store {
            path: self.location.clone(),
            reason: format!("the policy set has no canonical form: {e}"),
            help: "this is unexpected; report it with the policy files",
        })?;
        let rules = set.policies().len();
        let at = timestamp(change.now);
        let sources_json = serde_json::to_string(sources).unwrap_or_else(|_| "[]".into());
        self.write(|pg, tx| {
            let previous: Option<String> = pg
                .query_opt(
                    tx,
                    "SELECT hash FROM policy_applications ORDER BY id DESC LIMIT 1",
                    &[],
                )?
                .map(|r| pg.col(&r, 0))
                .transpose()?;
            if previous.as_deref() == Some(hash.as_str()) {
                return Ok(Applied {
                    hash: hash.clone(),
                    rules,
                    changed: false,
                    previous,
                });
            }
            pg.execute(
                tx,
                "INSERT INTO policy_sets (hash, body, rules, first_seen) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (hash) DO NOTHING",
                &[&hash, &body, &(rules as i64), &at],
            )?;
            pg.execute(
                tx,
                "INSERT INTO policy_applications (hash, at, actor, sources) VALUES ($1, $2, $3, $4)",
                &[&hash, &at, &change.actor, &sources_json],
            )?;
            Ok(Applied {
                hash: hash.clone(),
                rules,
                changed: true,
                previous,
            })
        })
    }

    pub(crate) fn installed_policy_set(&self) -> Result<Option<InstalledSet>, Error> {
        self.read(|pg, c| {
            let row = pg.query_opt(
                c,
                "SELECT a.hash, p.rules, a.at, a.actor, a.sources, p.body
                 FROM policy_applications a JOIN policy_sets p ON p.hash = a.hash
                 ORDER BY a.id DESC LIMIT 1",
                &[],
            )?;
            row.map(|r| {
                let sources: String = pg.col(&r, 4)?;
                Ok(InstalledSet {
                    hash: pg.col(&r, 0)?,
                    rules: pg.col(&r, 1)?,
                    applied_at: pg.col(&r, 2)?,
                    applied_by: pg.col(&r, 3)?,
                    sources: serde_json::from_str(&sources).unwrap_or_default(),
                    body: pg.col(&r, 5)?,
                })
            })
            .transpose()
        })
    }

    pub(crate) fn active_policy_set(&self) -> Result<PolicySet, Error> {
        match self.installed_policy_set()? {
            None => Ok(PolicySet::default()),
            Some(installed) => self.read_stored_set(&installed.hash, &installed.body),
        }
    }

    pub(crate) fn policy_set_by_hash(&self, hash: &str) -> Result<Option<PolicySet>, Error> {
        let body: Option<String> = self.read(|pg, c| {
            pg.query_opt(c, "SELECT body FROM policy_sets WHERE hash = $1", &[&hash])?
                .map(|r| pg.col(&r, 0))
                .transpose()
        })?;
        body.map(|b| self.read_stored_set(hash, &b)).transpose()
    }

    fn read_stored_set(&self, hash: &str, body: &str) -> Result<PolicySet, Error> {
        let set = load::from_stored(body).map_err(|reason| Error::Store {
            path: self.location.clone(),
            reason: format!("the stored policy set {hash} does not read: {reason}"),
            help: "re-apply the policy files with `caio policy apply`",
        })?;
        match set.canonical() {
            Ok((h, _)) if h == hash => Ok(set),
            _ => Err(Error::Store {
                path: self.location.clone(),
                reason: format!("the stored policy set {hash} does not match its hash"),
                help: "the database was modified outside caio; re-apply the policy files with `caio policy apply`",
            }),
        }
    }
}
