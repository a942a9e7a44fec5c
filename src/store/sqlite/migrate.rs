//! Bringing the schema up to date on start.
//!
//! Migrations run on a connection of their own with foreign keys off,
//! because some schema changes SQLite can only make by rebuilding a table
//! (0005 widens a CHECK constraint): dropping the old table with foreign keys
//! on would fail for every row that refers to it. Nothing is left unchecked:
//! once the migrations are in, `PRAGMA foreign_key_check` must find no
//! broken reference, or the start stops with the tables named. The pool's
//! connections are opened afterwards with foreign keys on.

use std::time::Instant;

use anyhow::{Context, bail};
use sqlx::migrate::{Migrate, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Row};

pub(super) static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

pub(super) async fn apply(options: &SqliteConnectOptions) -> anyhow::Result<()> {
    apply_with(&MIGRATOR, options).await
}

async fn apply_with(migrator: &Migrator, options: &SqliteConnectOptions) -> anyhow::Result<()> {
    let options = options.clone().foreign_keys(false);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    super::durability::require(&mut conn).await?;
    // Said before they run: a table rebuild on a large database takes a
    // while, and the server does not listen until it is done.
    let (pending, fresh) = pending(migrator, &mut conn).await?;
    if fresh {
        tracing::info!("creating the database schema");
    } else if !pending.is_empty() {
        tracing::info!(
            migrations = %pending.join(", "),
            "updating the database schema; on a large database this can take a minute or more"
        );
    }
    let started = Instant::now();
    let applied = migrator.run(&mut conn).await;
    if !pending.is_empty() && applied.is_ok() {
        tracing::info!(
            seconds = started.elapsed().as_secs_f64(),
            "database schema up to date"
        );
    }
    // The check reads every row that refers to another (every ticket and
    // every timeline entry): seconds at a million tickets. Only a migration
    // runs with foreign keys off, so a start that applied none has nothing
    // new to check and must not pay for it before it listens.
    let broken = if pending.is_empty() {
        Ok(Vec::new())
    } else {
        sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&mut conn)
            .await
    };
    conn.close().await.ok();
    applied.context("cannot apply the database migrations")?;
    let broken = broken.context("cannot check the foreign keys after migrating")?;
    if !broken.is_empty() {
        let mut tables: Vec<String> = broken
            .iter()
            .filter_map(|row| row.try_get::<String, _>("table").ok())
            .collect();
        tables.dedup();
        bail!(
            "the database migrations left {} row(s) referring to rows that do not exist, in: {}",
            broken.len(),
            tables.join(", ")
        );
    }
    Ok(())
}

/// The migrations not yet applied, as `0005_more_error_codes`, and whether
/// none ever was (a new database).
async fn pending(
    migrator: &Migrator,
    conn: &mut SqliteConnection,
) -> anyhow::Result<(Vec<String>, bool)> {
    conn.ensure_migrations_table()
        .await
        .context("cannot read which migrations were applied")?;
    let applied = conn
        .list_applied_migrations()
        .await
        .context("cannot read which migrations were applied")?;
    let pending = migrator
        .iter()
        .filter(|m| !applied.iter().any(|a| a.version == m.version))
        .map(|m| format!("{:04}_{}", m.version, m.description.replace(' ', "_")))
        .collect();
    Ok((pending, applied.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::SqlitePool;
    use sqlx::sqlite::SqlitePoolOptions;
    use std::borrow::Cow;
    use std::str::FromStr;

    fn options(dir: &tempfile::TempDir) -> SqliteConnectOptions {
        let options =
            SqliteConnectOptions::from_str(&format!("sqlite://{}/m.db", dir.path().display()))
                .unwrap();
        crate::store::sqlite::durability::durable(options)
            .create_if_missing(true)
            .foreign_keys(true)
    }

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

    async fn open_pool(options: &SqliteConnectOptions) -> SqlitePool {
        SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .unwrap()
    }

    async fn strings(pool: &SqlitePool, sql: &str) -> Vec<String> {
        sqlx::query_scalar(sql).fetch_all(pool).await.unwrap()
    }

    const TICKET_COLUMNS: &str = "INSERT INTO tickets (id, token, submission_id, error_code, message, \
        endpoint, method, occurred_at, tool, environment, requester_email, tree_path, status, \
        priority, merged_into_id, similar_key, created_at, updated_at, time_zone) VALUES ";

    /// Everything about the tickets table that must survive its rebuild:
    /// its rows, its indexes and triggers, and what refers to it.
    async fn snapshot(pool: &SqlitePool) -> Vec<Vec<String>> {
        vec![
            strings(
                pool,
                "SELECT id || '|' || token || '|' || error_code || '|' || status || '|' || \
                 priority || '|' || IFNULL(merged_into_id, '-') || '|' || time_zone \
                 FROM tickets ORDER BY id",
            )
            .await,
            strings(
                pool,
                "SELECT type || ' ' || name FROM sqlite_schema \
                 WHERE tbl_name = 'tickets' AND type IN ('index', 'trigger') ORDER BY name",
            )
            .await,
            strings(
                pool,
                "SELECT status || '=' || count FROM ticket_counts ORDER BY status",
            )
            .await,
            strings(
                pool,
                "SELECT similar_key || '=' || count FROM similar_counts",
            )
            .await,
            strings(
                pool,
                "SELECT ticket_id || ':' || kind FROM ticket_events ORDER BY id",
            )
            .await,
            strings(
                pool,
                "SELECT rowid || ':' || body FROM ticket_search ORDER BY rowid",
            )
            .await,
        ]
    }

    #[tokio::test]
    async fn widening_the_error_codes_keeps_every_ticket_and_what_refers_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let options = options(&dir);
        apply_with(&up_to(4), &options).await.unwrap();
        let pool = open_pool(&options).await;
        for (id, code, status, merged) in [
            (1, "401", "open", "NULL"),
            (2, "other", "new", "NULL"),
            (3, "401", "closed", "1"),
        ] {
            sqlx::query(&format!(
                "{TICKET_COLUMNS} ({id}, 't{id}', 's{id}', '{code}', 'HTTP GET failed ({id})', \
                 '/openapi/views/{id}', 'GET', '2026-01-01T00:00:00Z', 'workato', 'production', \
                 'r@example.com', 'a,b', '{status}', 1, {merged}, 'k', \
                 '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'UTC')"
            ))
            .execute(&pool)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, at, actor, kind, public, body) \
                 VALUES (?, '2026-01-01T00:00:00Z', 'staff', 'note', 0, 'looked at it')",
            )
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
        }
        let before = snapshot(&pool).await;
        pool.close().await;

        // Up to the widening only: later migrations add their own indexes.
        apply_with(&up_to(5), &options).await.unwrap();
        let pool = open_pool(&options).await;
        assert_eq!(snapshot(&pool).await, before);
        pool.close().await;
        apply(&options).await.unwrap();
        let pool = open_pool(&options).await;

        // The new codes are accepted, anything else still refused, and
        // references are enforced again on ordinary connections.
        let insert = |id: i64, code: &str| {
            format!(
                "{TICKET_COLUMNS} ({id}, 't{id}', 's{id}', '{code}', 'm', '/x', 'GET', \
                 '2026-01-01T00:00:00Z', 'script', 'sandbox', 'r@example.com', '', 'new', 2, \
                 NULL, '', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'UTC')"
            )
        };
        for (id, code) in [(10, "504"), (11, "invalid-json"), (12, "tls")] {
            sqlx::query(&insert(id, code)).execute(&pool).await.unwrap();
        }
        assert!(
            sqlx::query(&insert(20, "402"))
                .execute(&pool)
                .await
                .is_err()
        );
        assert!(
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, at, actor, kind, public) \
                 VALUES (999, '2026-01-01T00:00:00Z', 'system', 'created', 1)"
            )
            .execute(&pool)
            .await
            .is_err(),
            "foreign keys are on again"
        );
        let counts = strings(
            &pool,
            "SELECT status || '=' || count FROM ticket_counts WHERE status = 'new'",
        )
        .await;
        assert_eq!(counts, ["new=4"], "the count triggers were re-created");
        let found: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM ticket_search WHERE ticket_search MATCH 'invalid' OR rowid = 11 * 1048576",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(found, 1, "the search trigger was re-created");
    }

    #[tokio::test]
    async fn a_broken_reference_stops_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let options = options(&dir);
        apply_with(&up_to(4), &options).await.unwrap();
        let pool = open_pool(&options).await;
        sqlx::query("PRAGMA foreign_keys = OFF")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO ticket_events (ticket_id, at, actor, kind, public) \
             VALUES (42, '2026-01-01T00:00:00Z', 'system', 'created', 1)",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
        let error = apply(&options).await.unwrap_err().to_string();
        assert!(error.contains("ticket_events"), "{error}");
    }

    /// Every column of every ticket, and every received mail, as text.
    async fn rows(pool: &SqlitePool) -> Vec<String> {
        let mut rows = strings(
            pool,
            "SELECT json_array(id, token, submission_id, error_code, message, endpoint, method, \
             occurred_at, tool, tool_other, recent_changes, environment, requester_name, \
             requester_email, tree_path, status, created_at, updated_at, priority, assignee_id, \
             merged_into_id, first_response_at, due_at, similar_key, time_zone) \
             FROM tickets ORDER BY id",
        )
        .await;
        rows.extend(
            strings(
                pool,
                "SELECT json_array(id, message_id, sender, subject, received_at, outcome, reason, \
                 ticket_id, event_id) FROM mail_inbound ORDER BY id",
            )
            .await,
        );
        rows
    }

    #[tokio::test]
    async fn making_details_optional_keeps_every_ticket_and_received_mail() {
        let dir = tempfile::tempdir().unwrap();
        let options = options(&dir);
        apply_with(&up_to(7), &options).await.unwrap();
        let pool = open_pool(&options).await;
        for (id, status, merged) in [(1, "open", "NULL"), (2, "closed", "1")] {
            sqlx::query(&format!(
                "{TICKET_COLUMNS} ({id}, 't{id}', 's{id}', '422', 'HTTP POST failed ({id})', \
                 '/openapi/views/{id}', 'POST', '2026-01-01T00:00:00Z', 'make', 'sandbox', \
                 'r@example.com', 'a', '{status}', 1, {merged}, 'k{id}', \
                 '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', 'Europe/Berlin')"
            ))
            .execute(&pool)
            .await
            .unwrap();
        }
        sqlx::query(
            "INSERT INTO mail_inbound (message_id, sender, subject, received_at, outcome, \
             reason, ticket_id) VALUES ('<a@b>', 'r@example.com', 'Re: x', \
             '2026-01-03T00:00:00Z', 'held', 'too much', 1)",
        )
        .execute(&pool)
        .await
        .unwrap();
        let (before, before_schema) = (rows(&pool).await, snapshot(&pool).await);
        pool.close().await;

        // Up to 0008 only: later migrations add their own indexes.
        apply_with(&up_to(8), &options).await.unwrap();
        let pool = open_pool(&options).await;
        assert_eq!(rows(&pool).await, before);
        let after_schema = snapshot(&pool).await;
        for (i, (after, before)) in after_schema.iter().zip(&before_schema).enumerate() {
            if i != 1 {
                assert_eq!(after, before, "part {i}");
            }
        }
        let added: Vec<&String> = after_schema[1]
            .iter()
            .filter(|name| !before_schema[1].contains(name))
            .collect();
        assert_eq!(
            added,
            [
                "trigger tickets_search_details",
                "trigger tickets_similar_details"
            ]
        );
        let wanted = strings(&pool, "SELECT details_wanted FROM tickets").await;
        assert_eq!(wanted, ["", ""]);

        // A ticket opened by mail lacks its method, time and tool; mail may
        // now have opened it.
        sqlx::query(
            "INSERT INTO tickets (id, token, submission_id, error_code, message, endpoint, \
             environment, requester_email, created_at, updated_at, details_wanted) VALUES \
             (3, 't3', 's3', 'other', 'help', '', 'unsure', 'r@example.com', \
             '2026-01-04T00:00:00Z', '2026-01-04T00:00:00Z', 'method,occurred_at,tool')",
        )
        .execute(&pool)
        .await
        .unwrap();
        let outcome = |outcome: &str| {
            format!(
                "INSERT INTO mail_inbound (message_id, sender, received_at, outcome, ticket_id) \
                 VALUES ('<{outcome}@b>', 'r@example.com', '2026-01-04T00:00:00Z', '{outcome}', 3)"
            )
        };
        sqlx::query(&outcome("opened"))
            .execute(&pool)
            .await
            .unwrap();
        assert!(sqlx::query(&outcome("eaten")).execute(&pool).await.is_err());

        // Completing it re-indexes its endpoint and counts its group.
        sqlx::query(
            "UPDATE tickets SET endpoint = '/openapi/zebras/9', similar_key = 'k1' WHERE id = 3",
        )
        .execute(&pool)
        .await
        .unwrap();
        let found: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM ticket_search WHERE ticket_search MATCH 'zebras'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(found, 1);
        let counts = strings(
            &pool,
            "SELECT similar_key || '=' || count FROM similar_counts ORDER BY 1",
        )
        .await;
        assert_eq!(counts, ["k1=2", "k2=1"]);
    }
}
