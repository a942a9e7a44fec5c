//! Stops a write transaction's statements once the caller it was begun
//! for has gone (see `store::caller`), so a timed-out request cannot keep
//! the write lock: SQLite interrupts the statement, and the transaction,
//! never committed, rolls back.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use sqlx::SqliteConnection;

use crate::store::caller::Caller;

/// As for budgeted reads: often enough to stop at once, rarely enough to
/// cost nothing.
const STEPS_BETWEEN_CHECKS: i32 = 1_000;

#[derive(Debug)]
pub(super) struct WriteWatch {
    caller: Caller,
    /// Until the transaction commits or rolls back.
    open: AtomicBool,
    /// How often the handler was called (tests wait for a statement to run).
    pub(super) checks: AtomicU64,
}

impl WriteWatch {
    fn keep_going(&self) -> bool {
        self.checks.fetch_add(1, Ordering::Relaxed);
        !(self.open.load(Ordering::Relaxed) && self.caller.is_gone())
    }
}

/// Watches the transaction just begun on `conn` for the running task's
/// caller; work outside any caller (background tasks, the CLI) runs as
/// before. The handler and hooks stay on the connection until the next
/// write replaces them; once the transaction has ended they let
/// everything through.
pub(super) async fn watch(
    conn: &mut SqliteConnection,
) -> Result<Option<Arc<WriteWatch>>, sqlx::Error> {
    let Some(caller) = Caller::current() else {
        return Ok(None);
    };
    let watch = Arc::new(WriteWatch {
        caller,
        open: AtomicBool::new(true),
        checks: AtomicU64::new(0),
    });
    let mut handle = conn.lock_handle().await?;
    let progress = watch.clone();
    handle.set_progress_handler(STEPS_BETWEEN_CHECKS, move || progress.keep_going());
    let committed = watch.clone();
    handle.set_commit_hook(move || {
        committed.open.store(false, Ordering::Relaxed);
        true
    });
    let rolled_back = watch.clone();
    handle.set_rollback_hook(move || rolled_back.open.store(false, Ordering::Relaxed));
    Ok(Some(watch))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::caller;
    use crate::store::sqlite::SqliteStore;
    use std::time::Duration;

    /// One connection, so a write left running would leave nothing for
    /// the next query.
    async fn one_connection_store() -> (SqliteStore, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/w.db?mode=rwc", dir.path().display());
        let pool = super::super::pool_options()
            .max_connections(1)
            .connect(&url)
            .await
            .unwrap();
        sqlx::query("CREATE TABLE t (x INTEGER)")
            .execute(&pool)
            .await
            .unwrap();
        let outgoing = crate::tickets::OutgoingMail::Off;
        (SqliteStore { pool, outgoing }, dir)
    }

    async fn rows(store: &SqliteStore) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM t")
            .fetch_one(&store.pool)
            .await
            .unwrap()
    }

    /// A request that times out is dropped mid-write: the statement stops,
    /// what the transaction wrote is rolled back, and the write lock and
    /// the connection are free again.
    #[tokio::test]
    async fn a_write_whose_caller_is_dropped_stops_and_leaves_nothing() {
        let (store, _dir) = one_connection_store().await;
        let writer = store.clone();
        let (started, watched) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(caller::within(async move {
            let mut tx = writer.pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
            let watch = watch(&mut tx)
                .await
                .unwrap()
                .expect("a caller to watch for");
            started.send(watch).unwrap();
            sqlx::query("INSERT INTO t VALUES (1)")
                .execute(&mut *tx)
                .await
                .unwrap();
            // Writes row after row for ever: only an interruption ends it.
            let endless = "INSERT INTO t SELECT i FROM (WITH RECURSIVE n(i) AS \
                           (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i FROM n)";
            let _ = sqlx::query(endless).execute(&mut *tx).await;
            tx.commit().await.unwrap();
        }));
        let watch = watched.await.unwrap();
        // Wait until SQLite is inside the endless statement.
        while watch.checks.load(Ordering::Relaxed) < 2 {
            tokio::task::yield_now().await;
        }
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        // Hang guard only: without the handler this would wait for ever.
        let left = tokio::time::timeout(Duration::from_secs(120), rows(&store))
            .await
            .expect("the pool answers again");
        assert_eq!(left, 0, "nothing half-written remains");
        let mut tx = store.begin_write().await.expect("the write lock is free");
        sqlx::query("INSERT INTO t VALUES (2)")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(rows(&store).await, 1);
    }

    /// Once committed, a request's write leaves nothing on the connection
    /// that would stop later work there, although its caller is gone.
    #[tokio::test]
    async fn a_committed_write_does_not_stop_later_work_on_its_connection() {
        let (store, _dir) = one_connection_store().await;
        let writer = store.clone();
        caller::within(async move {
            let mut tx = writer.begin_write().await.unwrap();
            sqlx::query("INSERT INTO t VALUES (1)")
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        })
        .await;
        let counted: i64 = sqlx::query_scalar(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) \
             SELECT COUNT(*) FROM n",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap();
        assert_eq!(counted, 200_000);
        assert_eq!(rows(&store).await, 1);
        assert!(
            watch(&mut store.pool.acquire().await.unwrap())
                .await
                .unwrap()
                .is_none()
        );
    }
}
