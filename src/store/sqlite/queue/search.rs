//! A queue view with a search: tickets holding every word, walked from the
//! full-text index.

use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite};

use super::QUEUE_JOINS;
use super::conditions::{push_filters, push_status_filter};
use crate::store::sqlite::budget::Budgeted;
use crate::store::sqlite::search_index::Matches;
use crate::tickets::queue::{QueueFilter, Sort};

/// A search: tickets holding every word, in ticket order (newest first,
/// or oldest first with the Age sort), walked from the full-text index
/// (see `search_index`) so the page stops as soon as it is full, however
/// many tickets match. The other filters apply to each batch found.
pub(super) async fn search_rows(
    read: &mut Budgeted,
    columns: &str,
    terms: &[String],
    filter: &QueueFilter,
    me: i64,
    limit: i64,
) -> Result<Vec<(SqliteRow, i64)>, sqlx::Error> {
    let descending = filter.sort != Sort::Age;
    let want = usize::try_from(limit + 1).unwrap_or(1);
    let conn = read.conn();
    let mut matches = Matches::new(terms, descending, filter.after.as_ref().map(|a| a.id));
    let mut batch = want;
    let mut rows = Vec::new();
    while rows.len() < want {
        let ids = matches.next_batch(conn, batch).await?;
        if ids.is_empty() {
            break;
        }
        let mut qb = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {columns} FROM tickets v {QUEUE_JOINS} WHERE v.id IN ("
        ));
        let mut list = qb.separated(", ");
        for id in &ids {
            list.push_bind(*id);
        }
        qb.push(")");
        push_status_filter(&mut qb, filter, "v.");
        push_filters(&mut qb, filter, me, "v.");
        qb.push(if descending {
            " ORDER BY v.id DESC"
        } else {
            " ORDER BY v.id ASC"
        });
        for row in qb.build().fetch_all(&mut *conn).await? {
            if rows.len() < want {
                rows.push((row, 0));
            }
        }
        if ids.len() < batch {
            break;
        }
        // Filters left some out: look further in larger steps.
        batch = (batch * 2).min(2_000);
    }
    Ok(rows)
}
