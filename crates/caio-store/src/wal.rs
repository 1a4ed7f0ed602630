//! Checkpoints of a SQLite writer's WAL run by a connection of their own,
//! on a thread of their own, so that the writer keeps appending while the
//! log is copied into the database and synced.
//!
//! SQLite's automatic checkpoint runs in the connection that commits: a
//! writer that appends a long batch stops every 1,000 pages of log to copy
//! them and wait for two `fsync`s. Here the writer's commits only ask: past
//! [`CHECKPOINT_PAGES`] of log the checkpoint thread copies what it can
//! without waiting for anyone (`PASSIVE`), while the writer goes on. The log
//! restarts from its beginning only once a checkpoint has copied all of it
//! when a write begins; a writer that never pauses would grow it forever,
//! so past [`RESTART_PAGES`] the writer waits for one checkpoint (by then
//! most of the log is copied already: it waits for the rest and the syncs).
//! Durability is SQLite's own: the checkpoint syncs the log before copying
//! and the database after, as the automatic one does.

use crate::Sqlite;
use crate::error::Error;
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};

/// Pages of log past which the writer asks for a checkpoint, and again
/// after each as many more (SQLite's automatic checkpoint threshold).
pub(crate) const CHECKPOINT_PAGES: i32 = 1000;

/// Pages of log past which the writer waits for a checkpoint, so the log
/// restarts at its next write: the log stays under about 16 MiB.
pub(crate) const RESTART_PAGES: i32 = 4000;

/// The checkpoint thread's stack: opening a connection and checkpointing
/// need little.
const CHECKPOINT_STACK: usize = 256 << 10;

/// A request to the checkpoint thread; with a sender, the writer waits
/// for the answer.
type Request = Option<SyncSender<()>>;

/// The checkpoint thread of a writer (see [`Store::checkpoint_in_background`](crate::Store::checkpoint_in_background)).
/// It stops once the writer's connection is closed; [`Checkpoints::finish`]
/// waits for that.
#[derive(Debug)]
pub struct Checkpoints {
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpoints {
    /// No thread: the writer's store checkpoints as it always does (or the
    /// database is not SQLite's).
    pub(crate) fn none() -> Checkpoints {
        Checkpoints { thread: None }
    }

    /// Waits for the checkpoint thread to stop; call it once the writer's
    /// store is dropped, or it waits for that.
    pub fn finish(self) {
        if let Some(thread) = self.thread {
            // A checkpoint that failed leaves the log for the next one:
            // nothing to report.
            let _ = thread.join();
        }
    }
}

impl Sqlite {
    /// See [`Store::checkpoint_in_background`](crate::Store::checkpoint_in_background).
    pub(crate) fn checkpoint_in_background(&mut self) -> Result<Checkpoints, Error> {
        let (path, busy_timeout) = (self.path.clone(), self.busy_timeout);
        let (ask, requests) = sync_channel::<Request>(1);
        let thread = std::thread::Builder::new()
            .name("caio-checkpoint".into())
            .stack_size(CHECKPOINT_STACK)
            .spawn(move || {
                // Opened at the first request: a short batch never asks.
                let mut requests = requests.into_iter().peekable();
                if requests.peek().is_none() {
                    return;
                }
                // Without its connection the thread stops, and the writer
                // checkpoints in line.
                let Ok(other) = Sqlite::connect(&path, busy_timeout) else {
                    return;
                };
                for done in requests {
                    // Best effort: a checkpoint that cannot copy everything
                    // now (another process reads an older snapshot) leaves
                    // the rest to the next.
                    let _ = other
                        .conn
                        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                    if let Some(done) = done {
                        let _ = done.send(());
                    }
                }
                // The writer is closed; its own trim may have met a
                // checkpoint of this thread running.
                other.trim_wal();
            })
            .map_err(|e| Error::Store {
                path: self.path.clone(),
                reason: format!("cannot start the checkpoint thread: {e}"),
                help: "retry; the system may be out of threads or memory",
            })?;
        // The pages of log when a checkpoint was last asked for.
        let mut asked = 0;
        let hook = move |wal: &mut rusqlite::hooks::Wal, pages: std::ffi::c_int| {
            if pages < asked {
                // The log restarted.
                asked = 0;
            }
            let sent = if pages >= RESTART_PAGES {
                let (done, answer) = sync_channel(1);
                ask.send(Some(done)).is_ok() && answer.recv().is_ok()
            } else if pages >= asked + CHECKPOINT_PAGES {
                // A request already waiting covers this one.
                !matches!(ask.try_send(None), Err(TrySendError::Disconnected(_)))
            } else {
                return Ok(());
            };
            asked = pages;
            if !sent {
                // The thread stopped: checkpoint here, as SQLite would.
                let _ = wal.checkpoint();
            }
            Ok(())
        };
        // The hook replaces SQLite's automatic checkpoint on this
        // connection; SQLite calls it after each commit, once the write
        // lock is released, so the checkpoint thread can run meanwhile.
        self.conn.wal_hook(Some(hook)).map_err(|e| self.err(e))?;
        Ok(Checkpoints {
            thread: Some(thread),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::home::Home;

    fn wal_pages(s: &Sqlite) -> i64 {
        // Frames in the log, without copying any.
        s.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))
            .unwrap()
    }

    #[test]
    fn the_log_restarts_while_a_writer_appends_without_pause() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home {
            path: dir.path().to_path_buf(),
        };
        let mut writer = Sqlite::open(&home, crate::DEFAULT_BUSY_TIMEOUT).unwrap();
        writer
            .conn
            .execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
            .unwrap();
        let checkpoints = writer.checkpoint_in_background().unwrap();
        // 40,000 pages of rows, in 400 commits of 100 pages each: ten
        // times the restart threshold.
        let body = vec![7u8; 4000];
        for _ in 0..400 {
            let tx = writer.conn.unchecked_transaction().unwrap();
            for _ in 0..100 {
                tx.execute("INSERT INTO t (body) VALUES (?1)", [&body])
                    .unwrap();
            }
            tx.commit().unwrap();
        }
        let log = std::fs::metadata(dir.path().join("caio.db-wal"))
            .unwrap()
            .len();
        assert!(
            log < 2 * (RESTART_PAGES as u64 + 200) * 4096,
            "the log grew to {log} bytes"
        );
        let rows: i64 = writer
            .conn
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 40_000);
        drop(writer);
        checkpoints.finish();
        let reader = Sqlite::open(&home, crate::DEFAULT_BUSY_TIMEOUT).unwrap();
        assert!(wal_pages(&reader) <= i64::from(RESTART_PAGES) + 200);
    }
}
