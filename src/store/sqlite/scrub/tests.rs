use std::str::FromStr;

use sqlx::sqlite::{SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use super::*;
use crate::store::sqlite::migrate;

/// Credentials an earlier version stored as typed, each in another place.
const SECRETS: [&str; 5] = [
    "S1atok9f8e7d6c5b4a3",
    "AKIAQWERTYUIOPASDF34",
    "ghp_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2",
    "hunter2SECRETpw5",
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
];

fn options(dir: &tempfile::TempDir) -> SqliteConnectOptions {
    SqliteConnectOptions::from_str(&format!("sqlite://{}/s.db", dir.path().display()))
        .unwrap()
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
}

async fn pool(options: &SqliteConnectOptions) -> SqlitePool {
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone())
        .await
        .unwrap()
}

/// The database as an earlier version left it: credentials in a ticket's
/// fields, in notes and additions (indexed for search), in a received
/// mail's subject, and the rewrite not yet done.
async fn stored_before_redaction(options: &SqliteConnectOptions) {
    migrate::apply(options).await.unwrap();
    let pool = pool(options).await;
    let run = |sql: String| {
        let pool = pool.clone();
        async move { sqlx::query(&sql).execute(&pool).await.unwrap() }
    };
    run(format!(
        "INSERT INTO tickets (id, token, submission_id, error_code, message, endpoint, method, \
         occurred_at, tool, tool_other, recent_changes, environment, requester_email, \
         created_at, updated_at) VALUES (1, 't1', 's1', '401', \
         'HTTP GET failed: unauthorized (401) zebra', '/v1/apps?access_token={}', 'GET', \
         '2026-01-01T00:00:00Z', 'other', 'tool with token {}', 'rotated key {}', \
         'production', 'r@example.com', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
        SECRETS[0], SECRETS[2], SECRETS[1]
    ))
    .await;
    run(
        "INSERT INTO tickets (id, token, submission_id, error_code, message, endpoint, method, \
         occurred_at, tool, environment, requester_email, created_at, updated_at) VALUES \
         (2, 't2', 's2', '404', 'plain giraffe', '/v1/records/77', 'GET', \
         '2026-01-01T00:00:00Z', 'make', 'sandbox', 'q@example.com', \
         '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
            .into(),
    )
    .await;
    for (kind, body) in [
        ("requester_reply", format!("my password: {}", SECRETS[3])),
        ("note", format!("their Stripe key {} leaked", SECRETS[4])),
        ("reply", "antelope answer".to_string()),
    ] {
        run(format!(
            "INSERT INTO ticket_events (ticket_id, at, actor, kind, public, body) \
             VALUES (1, '2026-01-02T00:00:00Z', 'requester', '{kind}', 1, '{body}')"
        ))
        .await;
    }
    run(format!(
        "INSERT INTO mail_inbound (message_id, sender, subject, received_at, outcome) VALUES \
         ('<m@x>', 'r@example.com', 'Re: access_token={} fails', '2026-01-03T00:00:00Z', \
         'unmatched')",
        SECRETS[0]
    ))
    .await;
    run(format!("DELETE FROM settings WHERE key = '{DONE}'")).await;
    pool.close().await;
}

fn file_bytes(dir: &tempfile::TempDir) -> Vec<u8> {
    let mut all = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        if let Ok(bytes) = std::fs::read(dir.path().join(format!("s.db{suffix}"))) {
            all.extend(bytes);
        }
    }
    all
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[tokio::test]
async fn credentials_stored_earlier_are_redacted_and_gone_from_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let options = options(&dir);
    stored_before_redaction(&options).await;
    assert!(
        SECRETS.iter().all(|s| holds(&file_bytes(&dir), s)),
        "the test starts with every credential in the files"
    );

    scrub(&options).await.unwrap();

    let bytes = file_bytes(&dir);
    for secret in SECRETS {
        assert!(!holds(&bytes, secret), "{secret} is still in the files");
    }
    let pool = pool(&options).await;
    let texts: Vec<String> = sqlx::query_scalar(
        "SELECT endpoint || ' | ' || tool_other || ' | ' || recent_changes FROM tickets \
         WHERE id = 1 UNION ALL SELECT body FROM ticket_events WHERE ticket_id = 1 \
         UNION ALL SELECT subject FROM mail_inbound",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        texts,
        [
            "/v1/apps?access_token=[redacted access_token] | tool with token \
             [redacted github_token] | rotated key [redacted aws_access_key]",
            "my password: [redacted password]",
            "their Stripe key [redacted stripe_key] leaked",
            "antelope answer",
            "Re: access_token=[redacted access_token] fails",
        ]
    );
    // Search still finds each ticket by its words, the credentials by nothing.
    for (word, hits) in [("zebra", 1), ("antelope", 1), ("giraffe", 1), ("leaked", 1)] {
        let found: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM ticket_search WHERE ticket_search MATCH ?")
                .bind(word)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(found, hits, "{word}");
    }
    // The timeline is append-only again.
    let update = sqlx::query("UPDATE ticket_events SET body = 'x' WHERE ticket_id = 1")
        .execute(&pool)
        .await;
    assert!(update.is_err(), "the append-only trigger is back");
    pool.close().await;

    // Done once: a second start changes nothing.
    let before = file_bytes(&dir);
    scrub(&options).await.unwrap();
    assert_eq!(file_bytes(&dir).len(), before.len());
}

#[tokio::test]
async fn a_new_database_is_marked_done_without_compacting() {
    let dir = tempfile::tempdir().unwrap();
    let options = options(&dir);
    migrate::apply(&options).await.unwrap();
    scrub(&options).await.unwrap();
    let pool = pool(&options).await;
    let done: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
        .bind(DONE)
        .fetch_optional(&pool)
        .await
        .unwrap();
    assert_eq!(done.as_deref(), Some("0"));
}
