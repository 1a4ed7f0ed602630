//! `caio store migrate`: the copy of a home's SQLite database into an empty
//! PostgreSQL database, in one transaction.
//!
//! Every table of the SQLite schema is copied row for row (with `COPY …
//! FROM STDIN` in binary), parents before children, values unchanged: the
//! trace records and objects keep their bytes, so their hashes still hold.
//! The PostgreSQL table must have the same columns (plus the ones listed in
//! `POSTGRES_ONLY`); a column either side lacks stops the copy. Identity
//! sequences continue after the copied ids, and the chain head row is set
//! to the last record.
//!
//! The transaction stays open after [`Store::import_from`]: reads through
//! the same store see the copy, so the caller verifies it (the chain, a
//! replay sample) before [`Store::finish_import`] commits it — or rolls it
//! back, leaving the target as empty as it was.

use super::{POSTGRES_ONLY, Postgres};
use crate::error::Error;
use crate::{Sqlite, Store};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use rusqlite::types::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What was copied, table by table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Imported {
    /// Rows copied per table, in the order they were copied.
    pub tables: Vec<TableCount>,
}

/// The rows copied into one table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TableCount {
    /// The table.
    pub table: String,
    /// Rows copied (the same number as in the source).
    pub rows: u64,
}

/// A SQLite table to copy.
struct Table {
    name: String,
    /// Columns, in SQLite's order.
    columns: Vec<String>,
    /// Whether the table has a rowid (not `WITHOUT ROWID`).
    has_rowid: bool,
}

impl Store {
    /// Copies the SQLite store `source` into this store, a PostgreSQL
    /// store with the current schema and no caio state (else
    /// [`Error::NotEmpty`]). The copy is left in an open transaction: this
    /// store's reads see it, its writes are refused until
    /// [`finish_import`](Store::finish_import).
    pub fn import_from(&mut self, source: &Store) -> Result<Imported, Error> {
        let Some(sqlite) = source.as_sqlite() else {
            return Err(Error::Store {
                path: source.path().to_path_buf(),
                reason: "the source of a copy must be a home's SQLite database".into(),
                help: "run `caio store migrate` without --database (the home's caio.db is the source)",
            });
        };
        let Some(pg) = self.as_postgres() else {
            return Err(Error::Store {
                path: self.path().to_path_buf(),
                reason: "the target of a copy must be a PostgreSQL database".into(),
                help: "pass --to postgres://…",
            });
        };
        pg.import(sqlite)
    }

    /// Ends an import: commits the copy, or rolls it back.
    pub fn finish_import(&mut self, commit: bool) -> Result<(), Error> {
        match self.as_postgres() {
            Some(pg) => pg.finish_import(commit),
            None => Ok(()),
        }
    }
}

impl Postgres {
    fn import(&self, source: &Sqlite) -> Result<Imported, Error> {
        self.writable()?;
        let tables = sqlite_tables(source)?;
        let mut client = self.client()?;
        // A large home's COPY may run past the statement timeout, and the
        // verification works between reads: neither limit of a command's
        // session suits a copy.
        client
            .batch_execute(
                "BEGIN ISOLATION LEVEL READ COMMITTED;
                 SET LOCAL statement_timeout = 0;
                 SET LOCAL idle_in_transaction_session_timeout = '10min';",
            )
            .map_err(|e| self.err(&e))?;
        self.importing.set(true);
        let copied = self.import_into(source, &tables, &mut client);
        if copied.is_err() {
            // Best effort: a lost connection rolls back on the server anyway.
            let _ = client.batch_execute("ROLLBACK");
            self.importing.set(false);
        }
        copied
    }

    fn import_into(
        &self,
        source: &Sqlite,
        tables: &[Table],
        client: &mut postgres::Client,
    ) -> Result<Imported, Error> {
        // Every caio table, locked against other writers (other hosts wait
        // until the copy commits or rolls back), and checked empty.
        let target = pg_columns(self, client)?;
        let names: Vec<&String> = target.keys().collect();
        let lock = format!(
            "LOCK TABLE {} IN EXCLUSIVE MODE",
            names
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
        client.batch_execute(&lock).map_err(|e| self.err(&e))?;
        for name in &names {
            let query = if name.as_str() == "trace_head" {
                "SELECT count(*) FROM trace_head WHERE seq <> 0".to_string()
            } else if name.as_str() == "caio_schema" || REBUILT.contains(&name.as_str()) {
                continue;
            } else {
                format!("SELECT count(*) FROM \"{name}\"")
            };
            let n: i64 = client
                .query_one(&query, &[])
                .and_then(|r| r.try_get(0))
                .map_err(|e| self.err(&e))?;
            if n > 0 {
                return Err(Error::NotEmpty {
                    url: self.location.display().to_string(),
                    what: format!("{n} row(s) in {name}"),
                });
            }
        }
        let mut counts = Vec::new();
        for table in tables {
            let Some(columns) = target.get(&table.name) else {
                return Err(self.mismatch(format!(
                    "the SQLite table {} has no PostgreSQL counterpart",
                    table.name
                )));
            };
            let rows = self.copy_table(source, client, table, columns)?;
            counts.push(TableCount {
                table: table.name.clone(),
                rows,
            });
        }
        // Ids continue after the copied ones.
        let identities: Vec<(String, String)> = client
            .query(
                "SELECT table_name::text, column_name::text FROM information_schema.columns
                 WHERE table_schema = current_schema() AND is_identity = 'YES'",
                &[],
            )
            .map_err(|e| self.err(&e))?
            .iter()
            .map(|r| Ok((self.col(r, 0)?, self.col(r, 1)?)))
            .collect::<Result<_, Error>>()?;
        for (table, column) in identities.iter().filter(|(t, _)| target.contains_key(t)) {
            client
                .execute(
                    &format!(
                        "SELECT setval(pg_get_serial_sequence($1, $2), max(\"{column}\"))
                         FROM \"{table}\" HAVING max(\"{column}\") IS NOT NULL"
                    ),
                    &[table, column],
                )
                .map_err(|e| self.err(&e))?;
        }
        client
            .execute(
                "UPDATE trace_head SET seq = last.seq, hash = last.hash
                 FROM (SELECT seq, hash FROM traces ORDER BY seq DESC LIMIT 1) AS last
                 WHERE trace_head.singleton = 1",
                &[],
            )
            .map_err(|e| self.err(&e))?;
        Ok(Imported { tables: counts })
    }

    fn finish_import(&self, commit: bool) -> Result<(), Error> {
        if !self.importing.get() {
            return Ok(());
        }
        let mut client = self.client()?;
        let sql = if commit { "COMMIT" } else { "ROLLBACK" };
        let done = client.batch_execute(sql).map_err(|e| self.err(&e));
        self.importing.set(false);
        done
    }

    /// Copies one table with `COPY … FROM STDIN (FORMAT binary)`; returns
    /// the rows copied.
    fn copy_table(
        &self,
        source: &Sqlite,
        client: &mut postgres::Client,
        table: &Table,
        target: &BTreeMap<String, Type>,
    ) -> Result<u64, Error> {
        let extra: BTreeSet<&str> = POSTGRES_ONLY
            .iter()
            .filter(|(t, c)| *t == table.name && !c.is_empty())
            .map(|(_, c)| *c)
            .collect();
        // Columns SQLite has that PostgreSQL lacks, or the other way round.
        let missing: Vec<&String> = table
            .columns
            .iter()
            .filter(|c| !target.contains_key(*c))
            .collect();
        let unknown: Vec<&String> = target
            .keys()
            .filter(|c| !table.columns.contains(c) && !extra.contains(c.as_str()))
            .collect();
        if !missing.is_empty() || !unknown.is_empty() {
            return Err(self.mismatch(format!(
                "the table {} differs: only in SQLite {missing:?}, only in PostgreSQL {unknown:?}",
                table.name
            )));
        }
        // The copied columns; SQLite's rowid goes into PostgreSQL's `rowid`.
        let mut columns: Vec<String> = table.columns.clone();
        let mut select: Vec<String> = table.columns.iter().map(|c| format!("\"{c}\"")).collect();
        if extra.contains("rowid") && table.has_rowid {
            columns.push("rowid".into());
            select.push("rowid".into());
        }
        let types: Vec<Type> = columns
            .iter()
            .map(|c| target.get(c).cloned().unwrap_or(Type::TEXT))
            .collect();
        let order = if table.has_rowid {
            " ORDER BY rowid"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {} FROM \"{}\"{order}",
            select.join(", "),
            table.name
        );
        let conn = source.conn();
        let mut stmt = conn.prepare(&sql).map_err(|e| source.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| source.err(e))?;
        let quoted: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
        let sink = client
            .copy_in(&format!(
                "COPY \"{}\" ({}) FROM STDIN (FORMAT binary)",
                table.name,
                quoted.join(", ")
            ))
            .map_err(|e| self.err(&e))?;
        let mut writer = BinaryCopyInWriter::new(sink, &types);
        let mut n = 0u64;
        while let Some(row) = rows.next().map_err(|e| source.err(e))? {
            let mut values: Vec<Box<dyn ToSql + Sync>> = Vec::with_capacity(columns.len());
            for (i, ty) in types.iter().enumerate() {
                let value: Value = row.get(i).map_err(|e| source.err(e))?;
                values.push(self.convert(value, ty, &table.name, &columns[i])?);
            }
            let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
            writer.write(&refs).map_err(|e| self.err(&e))?;
            n += 1;
        }
        let copied = writer.finish().map_err(|e| self.err(&e))?;
        if copied != n {
            return Err(self.mismatch(format!("{}: {n} row(s) read, {copied} copied", table.name)));
        }
        Ok(n)
    }

    /// A SQLite value as the PostgreSQL column's type; a value that does
    /// not fit stops the copy.
    fn convert(
        &self,
        value: Value,
        ty: &Type,
        table: &str,
        column: &str,
    ) -> Result<Box<dyn ToSql + Sync>, Error> {
        let bad = |what: &str| {
            self.mismatch(format!(
                "{table}.{column} holds {what}, which a {} column cannot take",
                ty.name()
            ))
        };
        Ok(match (value, ty) {
            (Value::Null, t) if *t == Type::TEXT => Box::new(None::<String>),
            (Value::Null, t) if *t == Type::INT8 => Box::new(None::<i64>),
            (Value::Null, t) if *t == Type::INT4 => Box::new(None::<i32>),
            (Value::Null, t) if *t == Type::FLOAT8 => Box::new(None::<f64>),
            (Value::Null, t) if *t == Type::BYTEA => Box::new(None::<Vec<u8>>),
            (Value::Null, t) if *t == Type::BOOL => Box::new(None::<bool>),
            (Value::Text(s), t) if *t == Type::TEXT => Box::new(s),
            (Value::Integer(i), t) if *t == Type::TEXT => Box::new(i.to_string()),
            (Value::Integer(i), t) if *t == Type::INT8 => Box::new(i),
            (Value::Integer(i), t) if *t == Type::INT4 => {
                Box::new(i32::try_from(i).map_err(|_| bad("an integer out of range"))?)
            }
            (Value::Integer(i), t) if *t == Type::FLOAT8 => Box::new(i as f64),
            (Value::Integer(i), t) if *t == Type::BOOL => Box::new(i != 0),
            (Value::Real(f), t) if *t == Type::FLOAT8 => Box::new(f),
            (Value::Blob(b), t) if *t == Type::BYTEA => Box::new(b),
            (Value::Null, _) => return Err(bad("NULL")),
            (Value::Integer(_), _) => return Err(bad("an integer")),
            (Value::Real(_), _) => return Err(bad("a real number")),
            (Value::Text(_), _) => return Err(bad("text")),
            (Value::Blob(_), _) => return Err(bad("a blob")),
        })
    }

    fn mismatch(&self, reason: String) -> Error {
        Error::Store {
            path: self.location.clone(),
            reason: format!("the copy stopped: {reason}"),
            help: "nothing was copied (the transaction was rolled back); the SQLite and PostgreSQL schemas must match: use a caio of the same version on both",
        }
    }
}

/// Tables a copy leaves out: caches the target rebuilds from the copied
/// registry (the capability forms, and the epoch that validates them,
/// which the target's triggers advance as the copy writes).
const REBUILT: &[&str] = &["capability_forms", "registry_epoch"];

/// The tables of the SQLite schema to copy, parents before children (by
/// foreign key), then by name.
fn sqlite_tables(source: &Sqlite) -> Result<Vec<Table>, Error> {
    let conn = source.conn();
    let err = |e| source.err(e);
    let names: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_master
             WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .map_err(err)?;
    let mut tables = BTreeMap::new();
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, sql) in names {
        if REBUILT.contains(&name.as_str()) {
            continue;
        }
        let columns: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")
            .and_then(|mut s| s.query_map([&name], |r| r.get(0))?.collect())
            .map_err(err)?;
        let references: BTreeSet<String> = conn
            .prepare("SELECT \"table\" FROM pragma_foreign_key_list(?1)")
            .and_then(|mut s| s.query_map([&name], |r| r.get(0))?.collect())
            .map_err(err)?;
        parents.insert(
            name.clone(),
            references.into_iter().filter(|p| *p != name).collect(),
        );
        let has_rowid = !sql.to_ascii_uppercase().contains("WITHOUT ROWID");
        tables.insert(
            name.clone(),
            Table {
                name,
                columns,
                has_rowid,
            },
        );
    }
    // Kahn's algorithm; names break ties, so the order is stable.
    let mut ordered = Vec::new();
    let mut done: BTreeSet<String> = BTreeSet::new();
    while done.len() < parents.len() {
        let ready: Vec<String> = parents
            .iter()
            .filter(|(t, ps)| {
                !done.contains(*t)
                    && ps
                        .iter()
                        .all(|p| done.contains(p) || !parents.contains_key(p))
            })
            .map(|(t, _)| t.clone())
            .collect();
        if ready.is_empty() {
            return Err(Error::Store {
                path: source.path().to_path_buf(),
                reason: "the tables' foreign keys form a cycle".into(),
                help: "the database was modified outside caio; restore it from a backup",
            });
        }
        for t in ready {
            done.insert(t.clone());
            if let Some(table) = tables.remove(&t) {
                ordered.push(table);
            }
        }
    }
    Ok(ordered)
}

/// caio's PostgreSQL tables and their columns' types.
fn pg_columns(
    pg: &Postgres,
    client: &mut postgres::Client,
) -> Result<BTreeMap<String, BTreeMap<String, Type>>, Error> {
    let rows = client
        .query(
            "SELECT c.table_name::text, c.column_name::text, t.oid
             FROM information_schema.columns c
             JOIN pg_type t ON t.typname = c.udt_name
             JOIN information_schema.tables tb
               ON tb.table_name = c.table_name AND tb.table_schema = c.table_schema
             WHERE c.table_schema = current_schema() AND tb.table_type = 'BASE TABLE'",
            &[],
        )
        .map_err(|e| pg.err(&e))?;
    let known = caio_tables();
    let mut out: BTreeMap<String, BTreeMap<String, Type>> = BTreeMap::new();
    for r in &rows {
        let table: String = pg.col(r, 0)?;
        if !known.contains(&table) {
            continue;
        }
        let column: String = pg.col(r, 1)?;
        let oid: u32 = pg.col(r, 2)?;
        let ty = Type::from_oid(oid).unwrap_or(Type::TEXT);
        out.entry(table).or_default().insert(column, ty);
    }
    Ok(out)
}

/// The tables caio's PostgreSQL schema creates (read from its migrations,
/// so a table added by a later step is known without a second list).
fn caio_tables() -> BTreeSet<String> {
    let mut out: BTreeSet<String> = POSTGRES_ONLY
        .iter()
        .filter(|(_, c)| c.is_empty())
        .map(|(t, _)| t.to_string())
        .collect();
    for sql in super::MIGRATIONS {
        let mut words = sql.split_whitespace().peekable();
        while let Some(w) = words.next() {
            if w.eq_ignore_ascii_case("TABLE")
                && let Some(name) = words.peek()
            {
                let name = name.trim_matches(|c: char| c == '(' || c == '"');
                if !name.eq_ignore_ascii_case("IF") {
                    out.insert(name.to_string());
                }
            }
        }
    }
    out
}
