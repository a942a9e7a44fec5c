//! `apidesk seed` into an empty database takes a fast path (indexes and
//! insert triggers dropped, tallies and search rebuilt at the end): it must
//! leave exactly what the per-row path leaves.

use apidesk::seed::{SeedOptions, seed};
use apidesk::store::Store;
use apidesk::tickets::ResponseTargets;
use sqlx::SqlitePool;
use sqlx::sqlite::SqlitePoolOptions;
use tempfile::TempDir;
use time::macros::datetime;

const TICKETS: u64 = 2_000;

/// A database seeded one way, and a plain pool on it for reading it back.
async fn seeded(row_by_row: bool) -> (SqlitePool, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/a.db", dir.path().display());
    let store = Store::connect(&url).await.unwrap();
    let options = SeedOptions {
        tickets: TICKETS,
        seed: 7,
        demo_staff: true,
        row_by_row,
    };
    // A fixed end of the seeded years, so both runs generate the same tickets.
    let now = datetime!(2026-11-30 12:00 UTC);
    let report = seed(&store, options, &ResponseTargets::default(), now, |_| {})
        .await
        .unwrap();
    assert_eq!(report.tickets, TICKETS);
    let sql = SqlitePoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    (sql, dir)
}

/// Every row of a query, as JSON text, in the query's order.
async fn rows(pool: &SqlitePool, columns: &str, rest: &str) -> Vec<String> {
    let sql = format!("SELECT json_array({columns}) {rest}");
    sqlx::query_scalar(&sql).fetch_all(pool).await.unwrap()
}

/// A table's columns but the random ones (tokens, submission ids, password
/// hashes), which differ from run to run even for a fixed seed.
async fn columns(pool: &SqlitePool, table: &str) -> String {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid")
            .bind(table)
            .fetch_all(pool)
            .await
            .unwrap();
    assert!(!names.is_empty(), "no table {table}");
    names
        .into_iter()
        .filter(|c| !matches!(c.as_str(), "token" | "submission_id" | "password_hash"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[tokio::test]
async fn the_fast_path_into_an_empty_database_stores_what_the_per_row_path_stores() {
    let (fast, _fast_dir) = seeded(false).await;
    let (slow, _slow_dir) = seeded(true).await;

    let tables = [
        ("tickets", "id"),
        ("ticket_events", "id"),
        ("ticket_counts", "status"),
        ("ticket_days", "day, error_code"),
        ("duration_days", "day, measure, priority, band"),
        ("problem_days", "day, problem_id"),
        ("problems", "id"),
        (
            "queue_tally",
            "status, folded, error_code, priority, assignee_id, environment, tool",
        ),
        ("queue_day_tally", "day, status, folded"),
        ("staff", "id"),
    ];
    let mut queries = Vec::new();
    for (table, order) in tables {
        let columns = columns(&slow, table).await;
        queries.push((columns, format!("FROM {table} ORDER BY {order}")));
    }
    queries.push((
        "rowid, body".to_string(),
        "FROM ticket_search ORDER BY rowid".to_string(),
    ));
    // The schema put back as the migrations made it.
    queries.push((
        "type, name, tbl_name, sql".to_string(),
        "FROM sqlite_master ORDER BY type, name".to_string(),
    ));
    for (columns, rest) in &queries {
        let expected = rows(&slow, columns, rest).await;
        let empty_is_expected = rest.contains("problem");
        assert!(
            !expected.is_empty() || empty_is_expected,
            "{rest} is empty: nothing compared"
        );
        assert!(
            rows(&fast, columns, rest).await == expected,
            "{rest} differs"
        );
    }

    let mut searched = 0;
    for word in [
        "timeout",
        "token",
        "webhook",
        "pagination",
        "sandbox",
        "retry",
    ] {
        let search =
            format!("FROM ticket_search WHERE ticket_search MATCH '{word}' ORDER BY rank, rowid");
        let expected = rows(&slow, "rowid, bm25(ticket_search)", &search).await;
        searched += expected.len();
        assert_eq!(
            rows(&fast, "rowid, bm25(ticket_search)", &search).await,
            expected,
            "searching {word}"
        );
    }
    assert!(searched > 0, "no search found anything: nothing compared");

    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&fast)
        .await
        .unwrap();
    assert_eq!(integrity, "ok");
}
