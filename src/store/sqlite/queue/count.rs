//! How many tickets a queue view holds, exactly, without counting rows
//! wherever a maintained tally can answer:
//! - filters on status, code, priority, assignee, environment and tool sum
//!   the rows of `queue_tally` that match (one per combination present);
//! - a date range with at most a status sums `queue_day_tally` over its days
//!   (the date filters are whole UTC days, as that tally is);
//! - a date range with other filters is counted from the index the page
//!   itself reads, only the tickets created in the range, within the count's
//!   time; past it the count is left unknown rather than slow;
//! - a search is counted a batch of matches at a time, walking the
//!   full-text index from its rarest word; when its time is up the page
//!   says "at least" the matches counted so far.

use std::time::Instant;

use sqlx::{QueryBuilder, Sqlite};

use super::conditions::{push_filters, push_status_filter};
use crate::store::sqlite::SqliteStore;
use crate::store::sqlite::budget::Budgeted;
use crate::store::sqlite::search_index::{Matches, fts_terms};
use crate::store::{BudgetError, StoreError};
use crate::tickets::queue::{AssigneeFilter, QueueFilter, ViewCount};

/// Ticket ids taken from the full-text index per counting step: small at
/// first, so a search with few matches costs little and the time limit is
/// kept to within a step, then larger while matches keep coming.
const FIRST_SEARCH_BATCH: usize = 128;
const MAX_SEARCH_BATCH: usize = 2_048;

impl SqliteStore {
    /// The count; a search past `until` gives what it counted so far.
    pub(super) async fn count_in(
        &self,
        read: &mut Budgeted,
        filter: &QueueFilter,
        me: i64,
        until: Instant,
    ) -> Result<ViewCount, sqlx::Error> {
        let terms = fts_terms(&filter.search_words());
        if !terms.is_empty() {
            return count_search(read, &terms, filter, me, until).await;
        }
        let dated = filter.created_from.is_some() || filter.created_to.is_some();
        let mut qb = if !dated {
            tally_sum(filter, me)
        } else if !filter.narrows_fields() {
            day_tally_sum(filter)
        } else {
            let mut qb =
                QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM tickets t WHERE t.folded = 0");
            push_status_filter(&mut qb, filter, "t.");
            push_filters(&mut qb, filter, me, "t.");
            qb
        };
        let n = qb
            .build_query_scalar::<i64>()
            .fetch_one(read.conn())
            .await?;
        Ok(ViewCount::Exact(n))
    }
}

/// The count from `queue_tally`: folded members are shown through their
/// lead's row, so they are not counted, as the page does not list them.
fn tally_sum(filter: &QueueFilter, me: i64) -> QueryBuilder<'static, Sqlite> {
    let mut qb =
        QueryBuilder::<Sqlite>::new("SELECT IFNULL(SUM(n), 0) FROM queue_tally WHERE folded = 0");
    push_status_filter(&mut qb, filter, "");
    if let Some(code) = filter.code {
        qb.push(" AND error_code = ").push_bind(code.as_str());
    }
    if let Some(priority) = filter.priority {
        qb.push(" AND priority = ").push_bind(priority.rank());
    }
    let assignee = match filter.assignee {
        AssigneeFilter::Anyone => None,
        AssigneeFilter::Me => Some(me),
        AssigneeFilter::Unassigned => Some(0),
        AssigneeFilter::Person(id) => Some(id),
    };
    if let Some(id) = assignee {
        qb.push(" AND assignee_id = ").push_bind(id);
    }
    if let Some(environment) = filter.environment {
        qb.push(" AND environment = ")
            .push_bind(environment.as_str());
    }
    if let Some(tool) = &filter.tool {
        qb.push(" AND tool = ").push_bind(tool.clone());
    }
    qb
}

/// The count of a date range (and statuses) from `queue_day_tally`.
fn day_tally_sum(filter: &QueueFilter) -> QueryBuilder<'static, Sqlite> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT IFNULL(SUM(n), 0) FROM queue_day_tally WHERE folded = 0",
    );
    push_status_filter(&mut qb, filter, "");
    if let Some(from) = filter.created_from {
        qb.push(" AND day >= ").push_bind(from.to_string());
    }
    if let Some(to) = filter.created_to {
        qb.push(" AND day <= ").push_bind(to.to_string());
    }
    qb
}

/// A search's count: every ticket holding each word (folded or not, as the
/// search lists them) that passes the other filters, a batch of ids at a time.
async fn count_search(
    read: &mut Budgeted,
    terms: &[String],
    filter: &QueueFilter,
    me: i64,
    until: Instant,
) -> Result<ViewCount, sqlx::Error> {
    let conn = read.conn();
    let mut matches = Matches::new(terms, true, None);
    // A search of every ticket counts its matches as they come; any other
    // filter is checked on each batch of them.
    let unfiltered = filter.statuses.is_empty()
        && !filter.narrows_fields()
        && filter.created_from.is_none()
        && filter.created_to.is_none();
    let mut total = 0;
    let mut batch = FIRST_SEARCH_BATCH;
    loop {
        if Instant::now() >= until {
            return Ok(ViewCount::AtLeast(total));
        }
        let ids = matches.next_batch(conn, batch).await?;
        if ids.is_empty() {
            break;
        }
        if unfiltered {
            total += ids.len() as i64;
        } else {
            let mut qb =
                QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM tickets v WHERE v.id IN (");
            let mut list = qb.separated(", ");
            for id in &ids {
                list.push_bind(*id);
            }
            qb.push(")");
            push_status_filter(&mut qb, filter, "v.");
            push_filters(&mut qb, filter, me, "v.");
            total += qb.build_query_scalar::<i64>().fetch_one(&mut *conn).await?;
        }
        if ids.len() < batch {
            break;
        }
        batch = (batch * 2).min(MAX_SEARCH_BATCH);
    }
    Ok(ViewCount::Exact(total))
}

/// Whether a count came back, or the budget ran out first.
pub(super) fn count_or_unknown(
    result: Result<ViewCount, BudgetError>,
) -> Result<ViewCount, StoreError> {
    match result {
        Ok(count) => Ok(count),
        Err(BudgetError::OverBudget) => Ok(ViewCount::Unknown),
        Err(BudgetError::Database(err)) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use time::{Duration, OffsetDateTime};

    use super::*;
    use crate::staff::Role;
    use crate::store::sqlite::tests::with_admin;
    use crate::store::{Actions, Tickets};
    use crate::tickets::workflow::{Actor, Command, Request};
    use crate::tickets::{Priority, ResponseTargets, TicketInput, TicketStatus};

    const ADMIN: Actor = Actor::Staff {
        id: 1,
        role: Role::Admin,
    };

    /// The tallies as kept, and as counted from the tickets themselves.
    async fn kept_and_counted(store: &SqliteStore) -> [(Vec<String>, Vec<String>); 2] {
        let rows = |sql: &'static str| async move {
            let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&store.pool).await.unwrap();
            rows.into_iter().map(|(r,)| r).collect::<Vec<_>>()
        };
        [
            (
                rows("SELECT status || folded || error_code || priority || assignee_id || environment \
                      || tool || ':' || n FROM queue_tally WHERE n <> 0 ORDER BY 1")
                .await,
                rows("SELECT status || folded || error_code || priority || IFNULL(assignee_id, 0) \
                      || environment || IFNULL(tool, '') || ':' || COUNT(*) FROM tickets \
                      GROUP BY status, folded, error_code, priority, IFNULL(assignee_id, 0), \
                      environment, IFNULL(tool, '') ORDER BY 1")
                .await,
            ),
            (
                rows("SELECT day || status || folded || ':' || n FROM queue_day_tally \
                      WHERE n <> 0 ORDER BY 1")
                .await,
                rows("SELECT substr(created_at, 1, 10) || status || folded || ':' || COUNT(*) \
                      FROM tickets GROUP BY substr(created_at, 1, 10), status, folded ORDER BY 1")
                .await,
            ),
        ]
    }

    #[tokio::test]
    async fn the_tallies_always_equal_the_tickets_counted() {
        let (store, _dir) = with_admin(0).await;
        let now = OffsetDateTime::now_utc();
        // Different codes, environments and days; four alike from one
        // organisation, which fold under the first as a problem.
        for (n, (code, environment, email)) in [
            ("401", "production", "a@one.example"),
            ("500", "production", "b@two.example"),
            ("429", "sandbox", "c@three.example"),
            ("404", "unsure", "d@four.example"),
            ("401", "production", "e@one.example"),
            ("401", "production", "f@one.example"),
            ("401", "production", "g@one.example"),
        ]
        .into_iter()
        .enumerate()
        {
            let input = TicketInput {
                error_code: code.into(),
                environment: environment.into(),
                ..TicketInput::example(email)
            };
            let at = now - Duration::days(n as i64 % 3);
            let ticket = input.validate(now).unwrap();
            let triage = ticket.triage(at, &ResponseTargets::default());
            store.insert_ticket(&ticket, &triage, at).await.unwrap();
        }
        let [tally, days] = kept_and_counted(&store).await;
        assert_eq!(tally.0, tally.1);
        assert_eq!(days.0, days.1);
        assert!(
            tally.1.iter().any(|row| row.contains("new1401")),
            "some folded: {:?}",
            tally.1
        );

        let commands = [
            (2, Command::Assign { to: Some(1) }),
            (2, Command::SetPriority { to: Priority::Low }),
            (
                3,
                Command::SetStatus {
                    to: TicketStatus::Waiting,
                },
            ),
            (4, Command::Assign { to: Some(1) }),
            (4, Command::Assign { to: None }),
            // Resolving the problem's lead brings its members back.
            (
                1,
                Command::SetStatus {
                    to: TicketStatus::Resolved,
                },
            ),
            (
                6,
                Command::SetStatus {
                    to: TicketStatus::Closed,
                },
            ),
        ];
        for (ticket, command) in commands {
            let request = Request {
                ticket,
                actor: ADMIN,
                command,
                at: now,
            };
            let outcome = store
                .apply(&request, &ResponseTargets::default())
                .await
                .unwrap();
            assert!(outcome.changed(), "ticket {ticket}'s change was made");
            let [tally, days] = kept_and_counted(&store).await;
            assert_eq!(tally.0, tally.1, "after ticket {ticket}'s change");
            assert_eq!(days.0, days.1, "after ticket {ticket}'s change");
        }
        // Whatever writes a ticket, the triggers follow (a later migration
        // or a tool editing the table directly included).
        store
            .execute(sqlx::query(
                "UPDATE tickets SET environment = 'sandbox', tool = NULL, \
                 created_at = '2025-01-01T00:00:00Z' WHERE id = 3",
            ))
            .await
            .unwrap();
        let [tally, days] = kept_and_counted(&store).await;
        assert_eq!(tally.0, tally.1);
        assert_eq!(days.0, days.1);
    }
}
