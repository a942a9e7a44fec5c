//! A time budget for reads that a visitor's input can make expensive (the
//! queue's search and filters), enforced inside SQLite.
//!
//! A dropped future does not stop SQLite: the statement keeps running on the
//! connection's worker thread, and the pool cannot hand that connection out
//! (or even take it back) until it finishes, possibly minutes later. So a
//! budgeted read runs on a connection of its own with a progress handler that
//! SQLite calls every few thousand virtual-machine steps; the handler
//! interrupts the statement once the deadline has passed or once the caller
//! has gone away (a timed-out request, a closed browser tab).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sqlx::Sqlite;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::SqliteConnection;

use super::SqliteStore;
use crate::store::BudgetError;

/// Virtual-machine steps between two looks at the clock: frequent enough to
/// stop within a millisecond or so, rare enough to cost nothing measurable.
const STEPS_BETWEEN_CHECKS: i32 = 1_000;

/// What the progress handler consults, shared with the connection's thread.
#[derive(Debug)]
struct Watch {
    deadline: Instant,
    /// Set when the caller's future is dropped before the read finished.
    abandoned: AtomicBool,
    /// Set by the handler when it interrupted a statement.
    interrupted: AtomicBool,
    /// How often the handler was called (tests wait for a statement to run).
    checks: AtomicU64,
}

impl Watch {
    fn keep_going(&self) -> bool {
        self.checks.fetch_add(1, Ordering::Relaxed);
        let stop = self.abandoned.load(Ordering::Relaxed) || Instant::now() >= self.deadline;
        if stop {
            self.interrupted.store(true, Ordering::Relaxed);
        }
        !stop
    }
}

/// A pool connection with a deadline. Call `finish` when done; dropped
/// without it (the caller went away mid-read), it interrupts whatever runs
/// on the connection and closes it rather than return a connection with a
/// stale handler to the pool.
pub(super) struct Budgeted {
    conn: Option<PoolConnection<Sqlite>>,
    watch: Arc<Watch>,
}

impl SqliteStore {
    pub(super) async fn budgeted(&self, budget: Duration) -> Result<Budgeted, sqlx::Error> {
        let conn = self.pool.acquire().await?;
        let watch = Arc::new(Watch {
            deadline: Instant::now() + budget,
            abandoned: AtomicBool::new(false),
            interrupted: AtomicBool::new(false),
            checks: AtomicU64::new(0),
        });
        let mut budgeted = Budgeted {
            conn: Some(conn),
            watch: watch.clone(),
        };
        budgeted
            .conn()
            .lock_handle()
            .await?
            .set_progress_handler(STEPS_BETWEEN_CHECKS, move || watch.keep_going());
        Ok(budgeted)
    }
}

impl Budgeted {
    pub(super) fn conn(&mut self) -> &mut SqliteConnection {
        self.conn
            .as_mut()
            .expect("the connection stays until finish or drop")
    }

    /// A statement's result, with an interruption by the handler told apart
    /// from other failures. Once the handler has stopped a statement, even
    /// a success is not trusted: a virtual table (the full-text index) that
    /// swallowed the interruption would end early with too few rows.
    pub(super) fn check<T>(&self, result: Result<T, sqlx::Error>) -> Result<T, BudgetError> {
        if self.watch.interrupted.load(Ordering::Relaxed) {
            return Err(BudgetError::OverBudget);
        }
        Ok(result?)
    }

    /// Removes the handler and gives the connection back to the pool.
    pub(super) async fn finish(mut self) {
        let cleared = match self.conn.as_mut() {
            Some(conn) => match conn.lock_handle().await {
                Ok(mut handle) => {
                    handle.remove_progress_handler();
                    true
                }
                Err(err) => {
                    tracing::warn!(%err, "cannot clear a query budget; closing its connection");
                    false
                }
            },
            None => false,
        };
        if cleared {
            // Back to the pool; `drop` then has nothing left to close.
            self.conn.take();
        }
    }
}

impl Drop for Budgeted {
    fn drop(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            self.watch.abandoned.store(true, Ordering::Relaxed);
            conn.close_on_drop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::SqlitePoolOptions;

    /// Counts for ever: only an interruption ends it.
    const ENDLESS: &str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) \
                           SELECT COUNT(*) FROM n";

    /// A store whose pool has a single connection, so a connection that is
    /// never given back would leave nothing for the next query.
    async fn one_connection_store() -> (SqliteStore, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/b.db?mode=rwc", dir.path().display());
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .unwrap();
        let outgoing = crate::tickets::OutgoingMail::Off;
        let options =
            <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str(&url).unwrap();
        let writer =
            super::super::writer::Writer::start(super::super::durability::durable(options))
                .await
                .unwrap();
        (
            SqliteStore {
                pool,
                writer,
                outgoing,
            },
            dir,
        )
    }

    /// Some work on the pool that takes many progress checks: a stale
    /// handler left on the connection would interrupt it.
    async fn a_long_count(store: &SqliteStore) -> i64 {
        sqlx::query_scalar(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) \
             SELECT COUNT(*) FROM n",
        )
        .fetch_one(&store.pool)
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn a_read_past_its_deadline_is_interrupted_and_the_connection_reused() {
        let (store, _dir) = one_connection_store().await;
        let mut read = store.budgeted(Duration::ZERO).await.unwrap();
        let result = sqlx::query_scalar::<_, i64>(ENDLESS)
            .fetch_one(read.conn())
            .await;
        assert!(matches!(read.check(result), Err(BudgetError::OverBudget)));
        read.finish().await;
        assert_eq!(a_long_count(&store).await, 200_000);
    }

    #[tokio::test]
    async fn a_read_within_its_budget_answers_and_plain_errors_stay_errors() {
        let (store, _dir) = one_connection_store().await;
        let mut read = store.budgeted(Duration::from_secs(3600)).await.unwrap();
        let result = sqlx::query_scalar::<_, i64>("SELECT 41 + 1")
            .fetch_one(read.conn())
            .await;
        assert_eq!(read.check(result).unwrap(), 42);
        let result = sqlx::query("SELECT * FROM no_such_table")
            .fetch_all(read.conn())
            .await;
        assert!(matches!(read.check(result), Err(BudgetError::Database(_))));
        read.finish().await;
        assert_eq!(a_long_count(&store).await, 200_000);
    }

    /// A request that times out drops its future mid-statement: the
    /// statement must stop, and the pool must get a usable connection back.
    #[tokio::test]
    async fn an_abandoned_read_stops_and_frees_the_pool() {
        let (store, _dir) = one_connection_store().await;
        let mut read = store.budgeted(Duration::from_secs(3600)).await.unwrap();
        let watch = read.watch.clone();
        let task = tokio::spawn(async move {
            let result = sqlx::query_scalar::<_, i64>(ENDLESS)
                .fetch_one(read.conn())
                .await;
            read.check(result).map(|_| ())
        });
        // Wait until SQLite is inside the statement.
        while watch.checks.load(Ordering::Relaxed) == 0 {
            tokio::task::yield_now().await;
        }
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        // Hang guard only: without the handler this would wait for ever.
        let answer = tokio::time::timeout(Duration::from_secs(120), a_long_count(&store))
            .await
            .expect("the pool answers again");
        assert_eq!(answer, 200_000);
        assert!(watch.interrupted.load(Ordering::Relaxed));
    }
}
