//! The queue sorted by last update, read through migration 0020's indexes
//! (by assignee; a month of creation at a time for a range that ended a
//! while ago), lists exactly the tickets a plain query finds, in the same
//! order, page after page, for filter combinations on a seeded database.

use std::time::Duration as StdDuration;

use apidesk::seed::{SeedOptions, seed};
use apidesk::store::Store;
use apidesk::tickets::ResponseTargets;
use apidesk::tickets::queue::QueueQuery;
use sqlx::SqlitePool;
use sqlx::sqlite::SqlitePoolOptions;
use time::{Duration, OffsetDateTime};

/// Small pages, so that every view is read across many cursors.
const PAGE: i64 = 7;
/// agent1@apidesk.test, the first demo account created.
const ME: i64 = 1;

/// Every ticket id of the view, following the pages' cursors.
async fn paged(store: &Store, raw: &str, now: OffsetDateTime) -> Vec<i64> {
    let (query, _) = QueueQuery::read(raw);
    let mut filter = query.filter();
    let mut ids = Vec::new();
    loop {
        let page = store
            .queue_page(&filter, ME, now, PAGE, StdDuration::from_secs(30))
            .await
            .unwrap_or_else(|e| panic!("{raw}: {e:?}"));
        ids.extend(page.rows.iter().map(|r| r.id));
        match page.next {
            Some(next) => filter.after = Some(next),
            None => return ids,
        }
    }
}

/// The same view as one plain query, sorted the same way.
async fn plain(sql: &SqlitePool, conditions: &str) -> Vec<i64> {
    sqlx::query_scalar(&format!(
        "SELECT id FROM tickets WHERE folded = 0 AND {conditions} \
         ORDER BY updated_at DESC, id DESC"
    ))
    .fetch_all(sql)
    .await
    .unwrap()
}

#[tokio::test]
async fn views_by_last_update_list_what_a_plain_query_lists() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/q.db", dir.path().display());
    let store = Store::connect(&url).await.unwrap();
    let now = OffsetDateTime::now_utc();
    let options = SeedOptions {
        tickets: 3_000,
        seed: 7,
        demo_staff: true,
        row_by_row: false,
    };
    seed(&store, options, &ResponseTargets::default(), now, |_| {})
        .await
        .unwrap();
    let sql = SqlitePoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();

    // Ranges that ended a while ago are read a month at a time; one that
    // ended yesterday is read the other way; both are checked.
    let today = now.date();
    let day = |days: i64| today - Duration::days(days);
    let (old_from, old_to, recent_to) = (day(400), day(90), day(1));
    let range = |from: time::Date, to: time::Date| {
        format!("created_at >= '{from}T00:00:00Z' AND created_at <= '{to}T23:59:59Z'")
    };
    let needs_a_human = "status IN ('new', 'open')";
    let cases: Vec<(String, String)> = vec![
        (
            "assignee=me&sort=updated".into(),
            format!("{needs_a_human} AND assignee_id = {ME}"),
        ),
        (
            "assignee=me&sort=updated&status=all".into(),
            format!("assignee_id = {ME}"),
        ),
        (
            "assignee=none&sort=updated&status=all".into(),
            "assignee_id IS NULL".into(),
        ),
        (
            "assignee=3&sort=updated&status=waiting,resolved&code=401".into(),
            "assignee_id = 3 AND status IN ('waiting', 'resolved') AND error_code = '401'".into(),
        ),
        (
            "status=waiting&sort=updated".into(),
            "status = 'waiting'".into(),
        ),
        (
            format!("sort=updated&status=all&from={old_from}&to={old_to}"),
            range(old_from, old_to),
        ),
        (
            format!("sort=updated&from={old_from}&to={old_to}"),
            format!("{needs_a_human} AND {}", range(old_from, old_to)),
        ),
        (
            format!("sort=updated&status=all&to={old_to}"),
            format!("created_at <= '{old_to}T23:59:59Z'"),
        ),
        (
            format!("sort=updated&status=all&from={old_from}&to={recent_to}"),
            range(old_from, recent_to),
        ),
        (
            format!(
                "sort=updated&status=resolved,closed&assignee=me&environment=production\
                 &from={old_from}&to={old_to}"
            ),
            format!(
                "status IN ('resolved', 'closed') AND assignee_id = {ME} \
                 AND environment = 'production' AND {}",
                range(old_from, old_to)
            ),
        ),
        (
            format!("sort=updated&status=all&tool=zapier&priority=normal&to={old_to}"),
            format!("tool = 'zapier' AND priority = 2 AND created_at <= '{old_to}T23:59:59Z'"),
        ),
        (
            format!("sort=updated&status=all&assignee=me&from=2001-01-01&to={old_to}"),
            format!("assignee_id = {ME} AND created_at <= '{old_to}T23:59:59Z'"),
        ),
        (
            format!("sort=updated&status=all&code=429&assignee=none&from={old_to}&to={old_to}"),
            format!(
                "error_code = '429' AND assignee_id IS NULL AND {}",
                range(old_to, old_to)
            ),
        ),
    ];
    for (raw, conditions) in cases {
        let expected = plain(&sql, &conditions).await;
        let one_day = raw.contains(&format!("from={old_to}"));
        assert!(
            !expected.is_empty() || one_day,
            "{raw}: the case should list some tickets"
        );
        assert_eq!(paged(&store, &raw, now).await, expected, "{raw}");
    }
}
