//! Migrations from every earlier schema, with data in it: for each
//! migration k, a database is built up to k with rows valid at each step
//! (`tests/fixtures/migrations/NNNN.sql`, inserted right after migration
//! NNNN), then opened by apidesk as a new version would open it. Every row
//! is still there, and the app reads the tickets: through the store, the
//! queue's counters and the requester's status page. And from an empty file.
//!
//! A new migration needs a fixture of its own, with rows for what it adds
//! (or a comment saying why there are none): the test fails naming it.

mod common;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use apidesk::config::Config;
use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use tower::ServiceExt;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The migrations up to and including `version`.
fn up_to(version: i64) -> Migrator {
    Migrator {
        migrations: Cow::Owned(
            MIGRATOR
                .iter()
                .filter(|m| m.version <= version)
                .cloned()
                .collect(),
        ),
        ..Migrator::DEFAULT
    }
}

fn fixture(version: i64) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/fixtures/migrations/{version:04}.sql"))
}

async fn open(file: &Path) -> SqliteConnection {
    // As apidesk migrates: foreign keys off while tables are rebuilt.
    SqliteConnectOptions::new()
        .filename(file)
        .create_if_missing(true)
        .foreign_keys(false)
        .connect()
        .await
        .unwrap()
}

/// Rows in every table (FTS's own tables and the migrations' record left out).
async fn row_counts(conn: &mut SqliteConnection) -> BTreeMap<String, i64> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE '\\_sqlx%' ESCAPE '\\' AND sql NOT LIKE 'CREATE VIRTUAL%' \
         AND name NOT LIKE 'ticket_search_%' ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let mut counts = BTreeMap::new();
    for table in tables {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\""))
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        counts.insert(table, n);
    }
    counts
}

/// A database at schema `version`, holding every fixture up to it.
async fn built_up_to(version: i64, file: &Path) -> BTreeMap<String, i64> {
    let mut conn = open(file).await;
    for step in MIGRATOR.iter().filter(|m| m.version <= version) {
        up_to(step.version).run(&mut conn).await.unwrap();
        // One without a fixture still runs, over the rows before it;
        // `every_migration_has_a_fixture` names it.
        let Ok(sql) = std::fs::read_to_string(fixture(step.version)) else {
            continue;
        };
        sqlx::raw_sql(&sql)
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("fixture {:04}.sql at schema {version}: {e}", step.version));
    }
    let broken: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert!(
        broken.is_empty(),
        "the fixtures up to {version} break references: {broken:?}"
    );
    let counts = row_counts(&mut conn).await;
    conn.close().await.unwrap();
    counts
}

/// Opens the database as `apidesk serve` does (migrations, then the rest of
/// the start) and reads its tickets back.
async fn opened_and_read(file: &Path, tickets: i64) {
    let config = Config {
        database_url: format!("sqlite://{}", file.display()),
        ..Config::default()
    };
    let state = apidesk::startup::build_state(config)
        .await
        .expect("apidesk opens the database");
    let store = state.store.clone();
    assert_eq!(store.count_tickets().await.unwrap(), tickets);
    let mut tokens = Vec::new();
    for id in 1..=tickets {
        let ticket = store
            .ticket_by_id(id)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("ticket {id} does not load"));
        tokens.push(ticket.token.to_string());
    }
    let counted: i64 = store
        .status_counts()
        .await
        .unwrap()
        .iter()
        .map(|(_, n)| n)
        .sum();
    assert_eq!(counted, tickets, "the queue's counters");
    let router = apidesk::web::router(state);
    for (id, token) in tokens.iter().enumerate() {
        let page = router
            .clone()
            .oneshot(
                Request::get(format!("/tickets/{token}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = page.status();
        let body = page.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, 200, "ticket {}'s status page: {body}", id + 1);
        assert!(body.contains(&format!("APD-{:06}", id + 1)), "{body}");
    }
    store.close().await;
}

#[tokio::test]
async fn every_migration_has_a_fixture() {
    let missing: Vec<String> = MIGRATOR
        .iter()
        .filter(|m| !fixture(m.version).exists())
        .map(|m| {
            format!(
                "{:04}_{} has no tests/fixtures/migrations/{:04}.sql: add rows for what it \
                 adds (or a comment saying why none)",
                m.version,
                m.description.replace(' ', "_"),
                m.version
            )
        })
        .collect();
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[tokio::test]
async fn every_earlier_schema_with_data_in_it_is_brought_up_to_date() {
    for version in MIGRATOR.iter().map(|m| m.version) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("apidesk.db");
        let before = built_up_to(version, &file).await;
        let tickets = before.get("tickets").copied().unwrap_or(0);
        opened_and_read(&file, tickets).await;

        let mut conn = open(&file).await;
        let after = row_counts(&mut conn).await;
        conn.close().await.unwrap();
        for (table, rows) in &before {
            // A table a later migration replaces or drops is checked by
            // the reads above, through what replaced it.
            if let Some(now) = after.get(table) {
                assert!(
                    now >= rows,
                    "from schema {version}: {table} held {rows} rows, now {now}"
                );
            }
        }
    }
}

#[tokio::test]
async fn an_empty_database_file_is_brought_up_to_date() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("apidesk.db");
    std::fs::File::create(&file).unwrap();
    opened_and_read(&file, 0).await;
    let mut conn = open(&file).await;
    let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    assert_eq!(applied as usize, MIGRATOR.iter().count());
}
