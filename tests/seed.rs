//! `apidesk seed`: synthetic tickets that keep every invariant the schema's
//! triggers and the queue rely on, deterministic for a seed, appendable.

mod common;
#[path = "common/server.rs"]
mod server;

use apidesk::seed::{DEMO_STAFF, SeedOptions, SeedReport, seed};
use apidesk::staff::Role;
use apidesk::store::Store;
use apidesk::tickets::ResponseTargets;
use server::{PASSWORD, Server};
use sqlx::SqlitePool;
use sqlx::sqlite::SqlitePoolOptions;
use tempfile::TempDir;
use time::OffsetDateTime;

struct Db {
    store: Store,
    /// A plain pool on the same file, for checking what the seed wrote.
    sql: SqlitePool,
    _dir: TempDir,
}

async fn fresh() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/a.db", dir.path().display());
    let store = Store::connect(&url).await.unwrap();
    let sql = SqlitePoolOptions::new()
        .max_connections(2)
        .connect(&url)
        .await
        .unwrap();
    Db {
        store,
        sql,
        _dir: dir,
    }
}

async fn run_seed(db: &Db, tickets: u64, seed_value: u64) -> SeedReport {
    let options = SeedOptions {
        tickets,
        seed: seed_value,
        demo_staff: true,
        row_by_row: false,
    };
    let mut batches = 0;
    let report = seed(
        &db.store,
        options,
        &ResponseTargets::default(),
        OffsetDateTime::now_utc(),
        |_| batches += 1,
    )
    .await
    .unwrap();
    assert!(batches >= 1 || tickets == 0);
    report
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&db.sql).await.unwrap()
}

async fn assert_counts_match(db: &Db) {
    let wrong: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT c.status, c.count, (SELECT COUNT(*) FROM tickets t WHERE t.status = c.status) \
         FROM ticket_counts c",
    )
    .fetch_all(&db.sql)
    .await
    .unwrap();
    assert_eq!(wrong.len(), 5);
    for (status, counted, real) in wrong {
        assert_eq!(counted, real, "ticket_counts for {status}");
    }
}

#[tokio::test]
async fn seeds_realistic_consistent_tickets() {
    let db = fresh().await;
    let report = run_seed(&db, 2_000, 1).await;
    assert_eq!(report.tickets, 2_000);
    assert_eq!(report.ids, Some((1, 2_000)));
    assert_eq!(report.staff_created, 8);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM tickets").await, 2_000);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM staff").await, 8);
    assert_counts_match(&db).await;

    // Every ticket has exactly one `created` event, at its creation.
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM tickets t WHERE (SELECT COUNT(*) FROM ticket_events e \
             WHERE e.ticket_id = t.id AND e.kind = 'created' AND e.at = t.created_at) <> 1"
        )
        .await,
        0
    );
    // The other events come after it, and none after the ticket's updated_at.
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id \
             WHERE (e.kind <> 'created' AND e.at <= t.created_at) OR e.at > t.updated_at"
        )
        .await,
        0
    );
    let events = scalar(&db, "SELECT COUNT(*) FROM ticket_events").await;
    assert_eq!(events as u64, report.events);
    assert!(
        (5_000..=9_000).contains(&events),
        "about 3–4 events a ticket, got {events}"
    );
    // Every kind the timeline uses shows up.
    for kind in ["assigned", "status", "note", "reply", "requester_reply"] {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket_events WHERE kind = ?")
            .bind(kind)
            .fetch_one(&db.sql)
            .await
            .unwrap();
        assert!(n > 0, "no {kind} events");
    }
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM ticket_events WHERE kind = 'note' AND (public <> 0 OR body = '')"
        )
        .await,
        0,
        "notes are private and say something"
    );

    // A helpdesk two years in: a few percent still need a human, the old
    // ones are done, and most worked tickets have an assignee.
    let waiting_on_staff = scalar(
        &db,
        "SELECT COUNT(*) FROM tickets WHERE status IN ('new', 'open')",
    )
    .await;
    assert!(
        (10..=120).contains(&waiting_on_staff),
        "{waiting_on_staff} new or open"
    );
    let done = scalar(
        &db,
        "SELECT COUNT(*) FROM tickets WHERE status IN ('resolved', 'closed')",
    )
    .await;
    assert!(done > 1_700, "{done} resolved or closed");
    let unassigned_worked = scalar(
        &db,
        "SELECT COUNT(*) FROM tickets WHERE status <> 'new' AND assignee_id IS NULL",
    )
    .await;
    assert!(unassigned_worked < 300, "{unassigned_worked} unassigned");

    // created_at grows with the id; first_response_at is the first reply.
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM tickets a JOIN tickets b ON b.id = a.id + 1 \
             WHERE b.created_at < a.created_at"
        )
        .await,
        0
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM tickets t WHERE first_response_at IS NOT \
             (SELECT MIN(at) FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'reply')"
        )
        .await,
        0
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM tickets WHERE due_at IS NULL OR due_at <= created_at \
             OR similar_key = '' OR occurred_at > created_at"
        )
        .await,
        0
    );
    // Most first responses meet their target; some are late.
    let late = scalar(
        &db,
        "SELECT COUNT(*) FROM tickets WHERE first_response_at > due_at",
    )
    .await;
    let answered = scalar(
        &db,
        "SELECT COUNT(*) FROM tickets WHERE first_response_at IS NOT NULL",
    )
    .await;
    assert!(
        late > 0 && late * 4 < answered,
        "{late} of {answered} answered late"
    );
    // Codes are weighted: 401 is the most common.
    let top_code: String = sqlx::query_scalar(
        "SELECT error_code FROM tickets GROUP BY error_code ORDER BY COUNT(*) DESC LIMIT 1",
    )
    .fetch_one(&db.sql)
    .await
    .unwrap();
    assert_eq!(top_code, "401");
    assert_eq!(
        scalar(&db, "SELECT COUNT(DISTINCT token) FROM tickets").await,
        2_000
    );
}

#[tokio::test]
async fn full_text_search_finds_words_from_seeded_notes() {
    let db = fresh().await;
    run_seed(&db, 2_000, 1).await;
    let (ticket_id, body): (i64, String) = sqlx::query_as(
        "SELECT ticket_id, body FROM ticket_events WHERE kind = 'note' ORDER BY id LIMIT 1",
    )
    .fetch_one(&db.sql)
    .await
    .unwrap();
    let word = body
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 6)
        .max_by_key(|w| w.len())
        .unwrap_or_else(|| panic!("a long word in {body:?}"))
        .to_string();
    let found: Vec<i64> =
        // Search rows are per piece of a ticket: rowid = ticket id << 20 | piece.
        sqlx::query_scalar("SELECT rowid >> 20 FROM ticket_search WHERE ticket_search MATCH ?")
            .bind(&word)
            .fetch_all(&db.sql)
            .await
            .unwrap();
    assert!(
        found.contains(&ticket_id),
        "{word:?} should find ticket {ticket_id}"
    );
    assert!(
        found.len() < 2_000,
        "{word:?} matched everything: search has no selectivity"
    );
}

#[tokio::test]
async fn the_same_seed_gives_the_same_tickets() {
    type Row = (String, String, String, String, i64);
    const ROWS: &str =
        "SELECT status, error_code, method, endpoint, priority FROM tickets ORDER BY id";
    let (a, b, c) = (fresh().await, fresh().await, fresh().await);
    run_seed(&a, 2_000, 7).await;
    run_seed(&b, 2_000, 7).await;
    run_seed(&c, 2_000, 8).await;
    let rows = |db: &Db| {
        let pool = db.sql.clone();
        async move {
            sqlx::query_as::<_, Row>(ROWS)
                .fetch_all(&pool)
                .await
                .unwrap()
        }
    };
    let (ra, rb, rc) = (rows(&a).await, rows(&b).await, rows(&c).await);
    assert_eq!(ra.len(), 2_000);
    assert_eq!(ra, rb);
    assert_ne!(ra, rc);
    let bodies = "SELECT body FROM ticket_events ORDER BY id";
    let ba: Vec<String> = sqlx::query_scalar(bodies).fetch_all(&a.sql).await.unwrap();
    let bb: Vec<String> = sqlx::query_scalar(bodies).fetch_all(&b.sql).await.unwrap();
    assert_eq!(ba, bb);
    // Tokens are random all the same.
    let token = "SELECT token FROM tickets WHERE id = 1";
    let (ta, tb): (String, String) = (
        sqlx::query_scalar(token).fetch_one(&a.sql).await.unwrap(),
        sqlx::query_scalar(token).fetch_one(&b.sql).await.unwrap(),
    );
    assert_ne!(ta, tb);
}

#[tokio::test]
async fn seeding_twice_appends() {
    let db = fresh().await;
    let first = run_seed(&db, 2_000, 1).await;
    let second = run_seed(&db, 1_500, 1).await;
    assert_eq!(first.ids, Some((1, 2_000)));
    assert_eq!(second.ids, Some((2_001, 3_500)));
    assert_eq!(second.staff_created, 0);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM tickets").await, 3_500);
    assert_eq!(scalar(&db, "SELECT MAX(id) FROM tickets").await, 3_500);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM staff").await, 8);
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM ticket_events WHERE kind = 'created'"
        )
        .await,
        3_500
    );
    assert_counts_match(&db).await;
    // The store's own reads still work on seeded data.
    assert_eq!(db.store.count_tickets().await.unwrap(), 3_500);
    let tokens: Vec<String> =
        sqlx::query_scalar("SELECT token FROM tickets WHERE id IN (1, 1999, 2001, 3500)")
            .fetch_all(&db.sql)
            .await
            .unwrap();
    for token in tokens {
        let ticket = db
            .store
            .ticket_by_token(token.parse().unwrap())
            .await
            .unwrap()
            .expect("the seeded ticket reads back");
        assert!(!ticket.details.message.is_empty());
    }
}

/// Every password the project ever published for seeded accounts.
const PUBLISHED_PASSWORDS: [&str; 2] = ["apidesk-demo-password", PASSWORD];

fn config_for(db_dir: &TempDir) -> apidesk::config::Config {
    common::test_config(db_dir)
}

/// Runs the real binary, as an operator would.
fn apidesk_command(db_dir: &TempDir, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_apidesk"))
        .args(args)
        .arg("--database-url")
        .arg(&config_for(db_dir).database_url)
        .env("RUST_LOG", "info")
        .output()
        .expect("the apidesk binary runs")
}

async fn can_sign_in(server: &Server, email: &str, password: &str) -> bool {
    server.browser().sign_in(email, password).await.status == 303
}

#[tokio::test]
async fn seed_without_demo_staff_creates_no_account_anyone_can_sign_in_with() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = apidesk_command(&dir, &["seed", "--tickets", "200"]);
    assert!(seeded.status.success(), "{seeded:?}");
    let out = String::from_utf8(seeded.stdout).unwrap();
    assert!(!out.contains("password"), "{out}");
    let log = String::from_utf8(seeded.stderr).unwrap();
    assert!(log.contains("INFO"), "the log is on standard error: {log}");

    let server = Server::start_with(config_for(&dir)).await;
    assert_eq!(server.store.count_tickets().await.unwrap(), 200);
    assert!(server.store.staff_emails().await.unwrap().is_empty());
    for (email, _, _) in DEMO_STAFF {
        for password in PUBLISHED_PASSWORDS {
            assert!(!can_sign_in(&server, email, password).await, "{email}");
        }
    }
    server.shut_down().await;
}

#[tokio::test]
async fn seed_without_demo_staff_assigns_to_the_staff_already_there() {
    let db = fresh().await;
    let real = apidesk::staff::NewStaffMember::check(
        "real@example.com",
        "Real Person",
        Role::Admin,
        PASSWORD.into(),
    )
    .await
    .unwrap();
    db.store
        .add_staff_member(real, OffsetDateTime::now_utc())
        .await
        .unwrap();
    let options = SeedOptions {
        tickets: 500,
        seed: 1,
        demo_staff: false,
        row_by_row: false,
    };
    let now = OffsetDateTime::now_utc();
    let report = seed(&db.store, options, &ResponseTargets::default(), now, |_| {})
        .await
        .unwrap();
    assert_eq!(report.staff_created, 0);
    assert!(report.demo_password.is_none());
    assert_eq!(db.store.staff_emails().await.unwrap(), ["real@example.com"]);
    assert!(scalar(&db, "SELECT COUNT(*) FROM tickets WHERE assignee_id = 1").await > 0);
    assert_counts_match(&db).await;
}

#[tokio::test]
async fn demo_staff_prints_a_generated_password_that_signs_in() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = apidesk_command(&dir, &["seed", "--tickets", "20", "--demo-staff"]);
    assert!(seeded.status.success(), "{seeded:?}");
    let out = String::from_utf8(seeded.stdout).unwrap();
    let marker = "demo staff password (shown only now): ";
    let line = out.lines().find(|l| l.starts_with(marker)).expect(&out);
    let password = line[marker.len()..].trim().to_string();
    assert!(!PUBLISHED_PASSWORDS.contains(&password.as_str()));
    assert!(password.len() >= 20, "{password}");
    // Printed to the operator, never logged.
    let log = String::from_utf8(seeded.stderr).unwrap();
    assert!(!log.contains(&password), "the password is in the log");

    let server = Server::start_with(config_for(&dir)).await;
    assert!(can_sign_in(&server, "admin@apidesk.test", &password).await);
    assert!(!can_sign_in(&server, "admin@apidesk.test", "apidesk-demo-password").await);
    server.shut_down().await;

    // A second run makes a new password; the old one stops working.
    let again = apidesk_command(&dir, &["seed", "--tickets", "0", "--demo-staff"]);
    assert!(again.status.success(), "{again:?}");
    let out = String::from_utf8(again.stdout).unwrap();
    let line = out.lines().find(|l| l.starts_with(marker)).expect(&out);
    let second = line[marker.len()..].trim().to_string();
    assert_ne!(second, password);
    let server = Server::start_with(config_for(&dir)).await;
    assert!(can_sign_in(&server, "agent1@apidesk.test", &second).await);
    assert!(!can_sign_in(&server, "agent1@apidesk.test", &password).await);
    server.shut_down().await;
}

#[tokio::test]
async fn demo_staff_is_refused_when_real_staff_exist() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(config_for(&dir)).await;
    server
        .add_staff("ops@example.com", "Ops Person", Role::Admin)
        .await;
    server.shut_down().await;

    let refused = apidesk_command(&dir, &["seed", "--tickets", "10", "--demo-staff"]);
    assert!(!refused.status.success());
    let err = String::from_utf8(refused.stderr).unwrap();
    assert!(err.contains("refusing to create demo staff"), "{err}");
    assert!(err.contains("ops@example.com"), "{err}");

    let server = Server::start_with(config_for(&dir)).await;
    assert_eq!(
        server.store.staff_emails().await.unwrap(),
        ["ops@example.com"]
    );
    assert_eq!(server.store.count_tickets().await.unwrap(), 0);
    server.shut_down().await;
}
