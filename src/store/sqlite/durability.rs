//! Every connection that may write runs in WAL mode with `synchronous =
//! FULL`: a commit returns only once its WAL frames are fsynced, so a
//! ticket acknowledged with a 303 or a 201 survives a power cut, not only
//! a crash. (NORMAL would lose the last commits to a power cut; OFF could
//! also lose older ones, since a checkpoint would not fsync the database
//! before the WAL is reused.)
//!
//! A crash test cannot catch a missing fsync: SIGKILL leaves the operating
//! system's page cache, and so every write, intact. So the settings are
//! chosen in one place ([`durable`]) and read back from SQLite on every
//! such connection as it opens ([`require`]): a connection that is not
//! durable fails to open, and the start with it.

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};

/// `PRAGMA synchronous`'s answer for FULL.
const FULL: i64 = 2;

/// `options` with the settings every write connection runs with.
pub(super) fn durable(options: SqliteConnectOptions) -> SqliteConnectOptions {
    options
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
}

/// Fails unless SQLite reports `conn` in WAL mode with `synchronous = FULL`.
pub(super) async fn require(conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(&mut *conn)
        .await?;
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut *conn)
        .await?;
    if synchronous != FULL || !journal.eq_ignore_ascii_case("wal") {
        return Err(sqlx::Error::Configuration(
            format!(
                "a write connection must run with journal_mode=wal and synchronous=FULL (2); \
                 this one has journal_mode={journal}, synchronous={synchronous}"
            )
            .into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Seeding;
    use crate::tickets::OutgoingMail;
    use sqlx::{ConnectOptions, Connection};

    /// What SQLite reports for a connection: (synchronous, journal_mode).
    async fn pragmas(conn: &mut SqliteConnection) -> (i64, String) {
        let synchronous = sqlx::query_scalar("PRAGMA synchronous")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        let journal = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        (synchronous, journal)
    }

    fn url(dir: &tempfile::TempDir) -> String {
        format!("sqlite://{}/d.db", dir.path().display())
    }

    #[tokio::test]
    async fn every_connection_of_the_pool_is_durable() {
        let dir = tempfile::tempdir().unwrap();
        let store = super::super::SqliteStore::connect(&url(&dir), OutgoingMail::On)
            .await
            .unwrap();
        // Held all at once, so the pool opens every one it may have.
        let size = store.pool.options().get_max_connections() as usize;
        let mut held = Vec::new();
        for _ in 0..size {
            held.push(store.pool.acquire().await.unwrap());
        }
        assert_eq!(store.pool.size() as usize, size);
        for conn in &mut held {
            assert_eq!(pragmas(conn).await, (FULL, "wal".to_string()));
        }
    }

    #[tokio::test]
    async fn the_seed_loader_is_durable() {
        let dir = tempfile::tempdir().unwrap();
        let store = super::super::SqliteStore::connect(&url(&dir), OutgoingMail::Off)
            .await
            .unwrap();
        // Its connection checks itself as it opens; it opens, so it is.
        store.seed_loader(false).await.unwrap();
    }

    #[tokio::test]
    async fn a_connection_that_is_not_durable_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let base = || {
            SqliteConnectOptions::new()
                .filename(dir.path().join("d.db"))
                .create_if_missing(true)
        };
        let mut good = durable(base()).connect().await.unwrap();
        assert_eq!(pragmas(&mut good).await, (FULL, "wal".to_string()));
        require(&mut good).await.unwrap();
        good.close().await.unwrap();
        for weaker in [
            durable(base()).synchronous(SqliteSynchronous::Normal),
            durable(base()).synchronous(SqliteSynchronous::Off),
        ] {
            let mut conn = weaker.connect().await.unwrap();
            let refused = require(&mut conn).await.unwrap_err().to_string();
            assert!(refused.contains("synchronous=FULL"), "{refused}");
        }
        // The journal mode is the file's: another file, never made WAL.
        let mut rollback = durable(SqliteConnectOptions::new())
            .journal_mode(SqliteJournalMode::Delete)
            .filename(dir.path().join("other.db"))
            .create_if_missing(true)
            .connect()
            .await
            .unwrap();
        assert!(require(&mut rollback).await.is_err());
    }

    #[tokio::test]
    async fn migrating_and_redacting_refuse_a_connection_that_is_not_durable() {
        let dir = tempfile::tempdir().unwrap();
        let weak = SqliteConnectOptions::new()
            .filename(dir.path().join("d.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        let refused = super::super::migrate::apply(&weak).await.unwrap_err();
        assert!(
            format!("{refused:#}").contains("synchronous=FULL"),
            "{refused:#}"
        );
        super::super::migrate::apply(&durable(weak.clone()))
            .await
            .unwrap();
        let refused = super::super::scrub::scrub(&weak).await.unwrap_err();
        assert!(
            format!("{refused:#}").contains("synchronous=FULL"),
            "{refused:#}"
        );
    }
}
