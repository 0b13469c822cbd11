//! SQLite's busiest writes (a case step, a household's first village) on one thread
//! of their own, several to a commit.
//!
//! SQLite has one writer at a time, so the time a write holds the database caps how
//! many a process can take. Through sqlx each of a case write's ten statements is a
//! round trip to the connection's thread and back through the async scheduler (about
//! 1 ms a write on the 2-core machine, 2026-12-02: at most about 1,000 a second). Here
//! a thread owns a rusqlite connection to the same file and runs the same statements
//! (`sql::write_case`, through [`Lite`]) in place. It takes every write waiting when it
//! wakes (at most [`BATCH`]) into one transaction, each in a savepoint of its own, so
//! a refused write undoes only itself; and it answers none before the commit, so an
//! answer still means the write is on disk.

use super::exec::Lite;
use super::{StoreError, StoreResult};
use std::sync::Arc;
use tokio::sync::{Mutex, mpsc, oneshot};

/// The most writes one commit takes: enough to drain a burst, few enough that the
/// first of them is not kept waiting long (about 0.2 ms each).
const BATCH: usize = 64;

/// A write waiting for the lane: run in a savepoint, answered after the commit.
trait Job: Send {
    /// Runs the write: whether to keep it (an error undoes it).
    fn run(&mut self, db: &mut Lite<'_>) -> bool;
    /// Sends the write's answer, or the error that kept its transaction from committing.
    fn answer(self: Box<Self>, committed: Result<(), &rusqlite::Error>);
}

type Work<T> = Box<dyn FnOnce(&mut Lite<'_>) -> StoreResult<T> + Send>;

struct Pending<T> {
    work: Option<Work<T>>,
    outcome: Option<StoreResult<T>>,
    reply: oneshot::Sender<StoreResult<T>>,
}

impl<T: Send> Job for Pending<T> {
    fn run(&mut self, db: &mut Lite<'_>) -> bool {
        let outcome = match self.work.take() {
            Some(work) => work(db),
            None => Err(StoreError::Unavailable("a lane write ran twice".into())),
        };
        let keep = outcome.is_ok();
        self.outcome = Some(outcome);
        keep
    }

    fn answer(self: Box<Self>, committed: Result<(), &rusqlite::Error>) {
        let outcome = match (committed, self.outcome) {
            (Ok(()), Some(outcome)) => outcome,
            (Err(e), _) => Err(StoreError::Unavailable(format!("the commit failed: {e}"))),
            (Ok(()), None) => Err(StoreError::Unavailable("the write stopped part way".into())),
        };
        // A phone that gave up waiting has nobody to hear its answer; its write stands.
        let _ = self.reply.send(outcome);
    }
}

pub(crate) struct WriteLane {
    jobs: std::sync::Mutex<Option<mpsc::UnboundedSender<Box<dyn Job>>>>,
    thread: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl WriteLane {
    /// Opens the lane's own connection to the database file at `path` and starts its
    /// thread. `write_lock` is the store's: other writes take it too, so the lane and
    /// the pool never write at once.
    pub fn open(path: &std::path::Path, write_lock: Arc<Mutex<()>>) -> StoreResult<WriteLane> {
        let conn = rusqlite::Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;",
        )?;
        // A write has about a dozen distinct statements; keep them all prepared.
        conn.set_prepared_statement_cache_capacity(64);
        let (tx, rx) = mpsc::unbounded_channel();
        let thread = std::thread::Builder::new()
            .name("sqlite-writes".into())
            .spawn(move || run(conn, rx, write_lock))
            .map_err(|e| StoreError::Unavailable(format!("cannot start the write thread: {e}")))?;
        Ok(WriteLane {
            jobs: std::sync::Mutex::new(Some(tx)),
            thread: std::sync::Mutex::new(Some(thread)),
        })
    }

    /// Runs `work` on the lane (its statements through [`Lite`], so every await in it
    /// is ready at once) and answers once its transaction has committed. An error
    /// undoes what `work` wrote and nothing else.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Lite<'_>) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let (reply, answered) = oneshot::channel();
        let job: Box<dyn Job> = Box::new(Pending {
            work: Some(Box::new(work)),
            outcome: None,
            reply,
        });
        let sent = match self.jobs.lock() {
            Ok(jobs) => jobs.as_ref().is_some_and(|j| j.send(job).is_ok()),
            Err(_) => false,
        };
        if !sent {
            return Err(StoreError::Unavailable("the store is closed".into()));
        }
        answered
            .await
            .unwrap_or_else(|_| Err(StoreError::Unavailable("the write thread stopped".into())))
    }

    /// Stops taking writes, lets the thread finish those it has, and closes its
    /// connection.
    pub fn close(&self) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.take();
        }
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(t) = thread
            && t.join().is_err()
        {
            tracing::error!("the SQLite write thread panicked");
        }
    }
}

impl Drop for WriteLane {
    /// The thread ends once it has answered the writes it holds (not joined here: a
    /// drop may happen on an async thread).
    fn drop(&mut self) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.take();
        }
    }
}

impl std::fmt::Debug for WriteLane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WriteLane")
    }
}

fn run(mut conn: rusqlite::Connection, mut jobs: mpsc::UnboundedReceiver<Box<dyn Job>>, write_lock: Arc<Mutex<()>>) {
    while let Some(first) = jobs.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match jobs.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let _w = write_lock.blocking_lock();
        let committed = commit_batch(&mut conn, &mut batch);
        for job in batch {
            job.answer(committed.as_ref().map(|_| ()));
        }
    }
}

/// Runs `batch` in one transaction, each write in a savepoint of its own.
fn commit_batch(conn: &mut rusqlite::Connection, batch: &mut [Box<dyn Job>]) -> rusqlite::Result<()> {
    let mut tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for job in batch.iter_mut() {
        let sp = tx.savepoint()?;
        // Keep what a write did only if it succeeded; dropping the savepoint undoes it.
        // A write that panics is undone and answered as failed, and the lane goes on
        // with the others (the panic hook has reported it).
        let kept = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.run(&mut Lite(&sp))));
        if kept.unwrap_or(false) {
            sp.commit()?;
        }
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a panic is the failure report

    use super::*;
    use crate::store::exec::{Exec, run_ready};

    #[tokio::test]
    async fn a_write_that_panics_is_undone_and_the_lane_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lane.db");
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE t (v INTEGER NOT NULL)")
            .unwrap();
        let lane = WriteLane::open(&path, Arc::new(Mutex::new(()))).unwrap();
        let insert =
            |v: i64| move |db: &mut Lite<'_>| run_ready(db.execute("INSERT INTO t (v) VALUES ($1)", vec![v.into()]));
        let (first, broken, last) = tokio::join!(
            lane.run(insert(1)),
            lane.run(move |db: &mut Lite<'_>| -> StoreResult<u64> {
                run_ready(db.execute("INSERT INTO t (v) VALUES (2)", vec![]))?;
                panic!("a bug in a write");
            }),
            lane.run(insert(3)),
        );
        assert!(broken.is_err());
        assert_eq!((first.unwrap(), last.unwrap()), (1, 1));
        lane.close();
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mut st = conn.prepare("SELECT v FROM t ORDER BY v").unwrap();
        let kept: Vec<i64> = st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        assert_eq!(kept, vec![1, 3], "the broken write undone, the others kept");
    }
}
