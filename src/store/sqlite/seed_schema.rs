//! The seed's fast path into an empty database: the secondary indexes and
//! insert triggers of `tickets` and `ticket_events` are dropped inside the
//! load's one transaction and put back, exactly as `sqlite_master` had them,
//! before it commits; what the triggers maintain is rebuilt set-based
//! (`seed_sql/rebuild.sql`). Interrupted, the transaction rolls back, so the
//! schema is never seen without them.

use sqlx::SqliteConnection;

use crate::store::StoreError;

/// The insert triggers `rebuild.sql` stands in for. Any other set of insert
/// triggers (a later migration adding or renaming one) keeps the per-row
/// path: the rebuild would no longer match.
const REBUILT_TRIGGERS: [&str; 9] = [
    "insights_first_response_filed",
    "insights_problem_filed",
    "insights_resolution",
    "insights_ticket_filed",
    "queue_day_tally_insert",
    "queue_tally_insert",
    "ticket_events_search_insert",
    "tickets_count_insert",
    "tickets_search_insert",
];

const REBUILD: &str = include_str!("seed_sql/rebuild.sql");

/// Indexes and triggers dropped for a load, in the order they were created.
#[derive(Debug)]
pub(super) struct Dropped {
    ddl: Vec<(String, String)>,
}

/// Inside the caller's write transaction: drops the indexes and insert
/// triggers when `tickets` is empty and the triggers are the ones the
/// rebuild knows; `None` (nothing dropped) otherwise.
pub(super) async fn drop_for_load(
    conn: &mut SqliteConnection,
) -> Result<Option<Dropped>, StoreError> {
    let has_tickets: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM tickets)")
        .fetch_one(&mut *conn)
        .await?;
    if has_tickets {
        return Ok(None);
    }
    let mut triggers: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' \
         AND tbl_name IN ('tickets', 'ticket_events') AND sql LIKE '% INSERT ON %'",
    )
    .fetch_all(&mut *conn)
    .await?;
    triggers.sort();
    if triggers != REBUILT_TRIGGERS {
        tracing::warn!(
            ?triggers,
            "the tickets' insert triggers are not the ones the seed can rebuild; loading row by row"
        );
        return Ok(None);
    }
    // Autoindexes (UNIQUE columns) have no SQL and cannot be dropped; they
    // stay, and keep checking uniqueness during the load.
    let ddl: Vec<(String, String)> = sqlx::query_as(
        "SELECT type, name, sql FROM sqlite_master \
         WHERE tbl_name IN ('tickets', 'ticket_events') AND sql IS NOT NULL \
         AND (type = 'index' OR (type = 'trigger' AND name IN (SELECT value FROM json_each(?)))) \
         ORDER BY rowid",
    )
    .bind(serde_json::to_string(&REBUILT_TRIGGERS).expect("names serialize"))
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(kind, name, sql): (String, String, String)| {
        (format!("DROP {} \"{name}\"", kind.to_uppercase()), sql)
    })
    .collect();
    for (drop, _) in &ddl {
        sqlx::query(drop).execute(&mut *conn).await?;
    }
    Ok(Some(Dropped { ddl }))
}

/// Still in the load's transaction: recreates the indexes, rebuilds what the
/// triggers would have written (the indexes help it), then the triggers.
pub(super) async fn restore(
    conn: &mut SqliteConnection,
    dropped: Dropped,
) -> Result<(), StoreError> {
    let (triggers, indexes): (Vec<_>, Vec<_>) = dropped
        .ddl
        .iter()
        .partition(|(drop, _)| drop.starts_with("DROP TRIGGER"));
    for (_, create) in indexes {
        sqlx::query(create).execute(&mut *conn).await?;
    }
    // One statement at a time: each ends its line with `;`.
    for statement in REBUILD.split_terminator(";\n") {
        sqlx::query(statement).execute(&mut *conn).await?;
    }
    for (_, create) in triggers {
        sqlx::query(create).execute(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Seeding;
    use crate::tickets::OutgoingMail;
    use sqlx::{ConnectOptions, Connection};

    async fn store(dir: &tempfile::TempDir) -> super::super::SqliteStore {
        let url = format!("sqlite://{}/d.db", dir.path().display());
        super::super::SqliteStore::connect(&url, OutgoingMail::Off)
            .await
            .unwrap()
    }

    async fn schema(conn: &mut SqliteConnection) -> Vec<(String, String)> {
        sqlx::query_as("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
            .fetch_all(conn)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn an_empty_database_drops_and_gets_back_its_indexes_and_insert_triggers() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let mut conn = store.pool.connect_options().connect().await.unwrap();
        let before = schema(&mut conn).await;

        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.unwrap();
        let dropped = drop_for_load(&mut tx).await.unwrap();
        let dropped = dropped.expect("the migrations' triggers are the ones rebuilt");
        let left: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE tbl_name IN ('tickets', 'ticket_events') \
             AND sql IS NOT NULL AND (type = 'index' OR sql LIKE '% INSERT ON %')",
        )
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        assert_eq!(left, 0);
        restore(&mut tx, dropped).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(schema(&mut conn).await, before);
    }

    #[tokio::test]
    async fn a_loader_that_never_finishes_leaves_the_schema_whole() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let mut conn = store.pool.connect_options().connect().await.unwrap();
        let before = schema(&mut conn).await;
        let loader = store.seed_loader(false).await.unwrap();
        drop(loader); // As a failed batch or an interrupted seed does.
        assert_eq!(schema(&mut conn).await, before);
    }

    #[tokio::test]
    async fn a_database_with_tickets_keeps_its_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(&dir).await;
        let mut conn = store.pool.connect_options().connect().await.unwrap();
        sqlx::query(
            "INSERT INTO tickets (token, submission_id, error_code, message, endpoint, \
             environment, requester_email, created_at, updated_at) \
             VALUES ('t', 's', '500', 'm', '/e', 'production', 'a@b.test', \
             '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.unwrap();
        assert!(drop_for_load(&mut tx).await.unwrap().is_none());
    }
}
