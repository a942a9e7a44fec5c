//! The tallies behind `/staff/insights` (migration 0013). Tickets filed,
//! first responses, resolutions and problems' tickets are tallied per day
//! by triggers, in the transaction that changes the ticket; walks through
//! the checks are recorded here. Every read is a range of days over a
//! table keyed by day first, so its cost follows the days asked for and
//! what happened on them, never the number of tickets; the one read of
//! `tickets` itself (open tickets by age) reads only the last week's
//! unsettled tickets through an index, and the per-status counters for
//! the rest.

use async_trait::async_trait;
use sqlx::{Row, SqliteConnection};
use time::{Date, Duration, OffsetDateTime, UtcOffset};

use super::decode::{self, parsed};
use super::{SqliteStore, time_text};
use crate::domain::ErrorCode;
use crate::insights::range::{day_text, parse_day};
use crate::insights::{BusyProblem, DayCount, DurationCount, Measure, WalkMark, WalkTally};
use crate::store::{Insights, StoreError};
use crate::tickets::NewTicket;

/// Visitor rows of earlier days deleted by each walk recorded: more than
/// one, so they never pile up, and few, so no visitor's page waits on a
/// large delete.
const PRUNE_PER_WRITE: i64 = 20;

/// The UTC day of a time, as the tallies key it.
fn day_of(at: OffsetDateTime) -> String {
    day_text(at.to_offset(UtcOffset::UTC).date())
}

fn day_column(row: &sqlx::sqlite::SqliteRow) -> Result<Date, sqlx::Error> {
    parsed(row, "day", parse_day)
}

/// A ticket just filed with the checks it answered "still failing": counted
/// for the last of them, in the filing's transaction. Nothing for a ticket
/// filed without a walk.
pub(super) async fn record_filed(
    conn: &mut SqliteConnection,
    ticket: &NewTicket,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let Some(last) = ticket.path.last() else {
        return Ok(());
    };
    sqlx::query(
        "INSERT INTO walk_days (day, error_code, step_id, filed) VALUES (?, ?, ?, 1) \
         ON CONFLICT (day, error_code, step_id) DO UPDATE SET filed = filed + 1",
    )
    .bind(day_of(at))
    .bind(ticket.error_code.as_str())
    .bind(last)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[async_trait]
impl Insights for SqliteStore {
    async fn insights_since(&self) -> Result<Option<OffsetDateTime>, StoreError> {
        let text: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = 'insights_since'")
                .fetch_optional(&self.pool)
                .await?;
        Ok(text.map(|t| time_text::from_text(&t)).transpose()?)
    }

    async fn record_walk(
        &self,
        code: ErrorCode,
        step_id: &str,
        mark: WalkMark,
        visitor_hash: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let day = day_of(at);
        let (mark_text, started, reached, fixed) = match mark {
            WalkMark::Reached { first } => ("reached", i64::from(first), 1, 0),
            WalkMark::Fixed => ("fixed", 0, 0, 1),
        };
        let (step_id, visitor_hash) = (step_id.to_owned(), visitor_hash.to_owned());
        self.write(move |tx| {
            Box::pin(async move {
                let (step_id, visitor_hash) = (&step_id, &visitor_hash);
                sqlx::query(
                    "DELETE FROM walk_visitors WHERE id IN \
                     (SELECT id FROM walk_visitors WHERE day < ? LIMIT ?)",
                )
                .bind(&day)
                .bind(PRUNE_PER_WRITE)
                .execute(&mut *tx)
                .await?;
                let first = sqlx::query(
                    "INSERT INTO walk_visitors (day, error_code, step_id, mark, visitor_hash) \
                     VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                )
                .bind(&day)
                .bind(code.as_str())
                .bind(step_id)
                .bind(mark_text)
                .bind(visitor_hash)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1;
                if first {
                    sqlx::query(
                        "INSERT INTO walk_days (day, error_code, step_id, started, reached, \
                         fixed) VALUES (?, ?, ?, ?, ?, ?) \
                         ON CONFLICT (day, error_code, step_id) DO UPDATE SET \
                         started = started + excluded.started, \
                         reached = reached + excluded.reached, fixed = fixed + excluded.fixed",
                    )
                    .bind(&day)
                    .bind(code.as_str())
                    .bind(step_id)
                    .bind(started)
                    .bind(reached)
                    .bind(fixed)
                    .execute(&mut *tx)
                    .await?;
                }
                Ok(first)
            })
        })
        .await
    }

    async fn walk_tallies(&self, from: Date, to: Date) -> Result<Vec<WalkTally>, StoreError> {
        let rows = sqlx::query(
            "SELECT day, error_code, step_id, started, reached, fixed, filed FROM walk_days \
             WHERE day BETWEEN ? AND ?",
        )
        .bind(day_text(from))
        .bind(day_text(to))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(WalkTally {
                    day: day_column(row)?,
                    code: parsed(row, "error_code", ErrorCode::parse)?,
                    step_id: row.try_get("step_id")?,
                    started: row.try_get("started")?,
                    reached: row.try_get("reached")?,
                    fixed: row.try_get("fixed")?,
                    filed: row.try_get("filed")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    async fn tickets_per_day(&self, from: Date, to: Date) -> Result<Vec<DayCount>, StoreError> {
        let rows =
            sqlx::query("SELECT day, error_code, filed FROM ticket_days WHERE day BETWEEN ? AND ?")
                .bind(day_text(from))
                .bind(day_text(to))
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|row| {
                Ok(DayCount {
                    day: day_column(row)?,
                    code: parsed(row, "error_code", ErrorCode::parse)?,
                    count: row.try_get("filed")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    async fn duration_counts(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<DurationCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT measure, priority, band, SUM(count) AS count, SUM(met) AS met \
             FROM duration_days WHERE day BETWEEN ? AND ? GROUP BY measure, priority, band",
        )
        .bind(day_text(from))
        .bind(day_text(to))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let band: i64 = row.try_get("band")?;
                Ok(DurationCount {
                    measure: parsed(row, "measure", Measure::parse)?,
                    priority: decode::priority(row)?,
                    band: usize::try_from(band)
                        .map_err(|_| decode::invalid("band", &band.to_string()))?,
                    count: row.try_get("count")?,
                    met: row.try_get("met")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Only tickets younger than the largest limit are read, through the
    /// status index (status, folded, created_at): at most the unsettled
    /// tickets of the last week. Older ones are the per-status counters'
    /// total less those.
    async fn open_tickets_by_age(
        &self,
        now: OffsetDateTime,
        limits: &[Duration],
    ) -> Result<Vec<i64>, StoreError> {
        let Some(oldest) = limits.iter().max() else {
            let total: i64 = sqlx::query_scalar(
                "SELECT COALESCE(SUM(count), 0) FROM ticket_counts \
                 WHERE status IN ('new', 'open', 'waiting')",
            )
            .fetch_one(&self.pool)
            .await?;
            return Ok(vec![total]);
        };
        let younger: Vec<String> = limits
            .iter()
            .map(|_| "COALESCE(SUM(created_at > ?), 0)".to_string())
            .collect();
        let sql = format!(
            "SELECT {}, (SELECT COALESCE(SUM(count), 0) FROM ticket_counts \
             WHERE status IN ('new', 'open', 'waiting')) \
             FROM tickets WHERE status IN ('new', 'open', 'waiting') AND folded IN (0, 1) \
             AND created_at > ?",
            younger.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for limit in limits {
            query = query.bind(time_text::to_text(now - *limit));
        }
        let row = query
            .bind(time_text::to_text(now - *oldest))
            .fetch_one(&self.pool)
            .await?;
        // Cumulative: how many are younger than each limit, then all.
        let mut cumulative = Vec::with_capacity(limits.len() + 1);
        for i in 0..=limits.len() {
            cumulative.push(row.try_get::<i64, _>(i)?);
        }
        let mut bands = Vec::with_capacity(cumulative.len());
        let mut before = 0;
        for n in cumulative {
            bands.push(n - before);
            before = n;
        }
        Ok(bands)
    }

    async fn busiest_problems(
        &self,
        from: Date,
        to: Date,
        limit: u32,
    ) -> Result<Vec<BusyProblem>, StoreError> {
        let rows = sqlx::query(
            "SELECT b.tickets AS in_range, p.id, p.lead_ticket_id, p.occurrences, p.last_seen, \
             t.error_code, t.method, t.endpoint \
             FROM (SELECT problem_id, SUM(tickets) AS tickets FROM problem_days \
                   WHERE day BETWEEN ?1 AND ?2 GROUP BY problem_id HAVING SUM(tickets) > 0 \
                   ORDER BY SUM(tickets) DESC, problem_id LIMIT ?3) b \
             JOIN problems p ON p.id = b.problem_id \
             JOIN tickets t ON t.id = p.lead_ticket_id \
             ORDER BY b.tickets DESC, p.id",
        )
        .bind(day_text(from))
        .bind(day_text(to))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(BusyProblem {
                    id: row.try_get("id")?,
                    lead_ticket_id: row.try_get("lead_ticket_id")?,
                    code: parsed(row, "error_code", ErrorCode::parse)?,
                    method: row.try_get("method")?,
                    endpoint: row.try_get("endpoint")?,
                    in_range: row.try_get("in_range")?,
                    occurrences: row.try_get("occurrences")?,
                    last_seen: decode::time(row, "last_seen")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}

#[cfg(test)]
mod tests {
    use crate::insights::BAND_LIMITS;

    #[tokio::test]
    async fn the_bands_table_holds_the_bands_the_page_reads() {
        let (store, _dir) = super::super::tests::with_admin(0).await;
        let rows: Vec<(i64, Option<i64>)> =
            sqlx::query_as("SELECT band, below FROM duration_bands ORDER BY band")
                .fetch_all(&store.pool)
                .await
                .unwrap();
        let mut expected: Vec<(i64, Option<i64>)> = BAND_LIMITS
            .iter()
            .enumerate()
            .map(|(i, limit)| (i as i64, Some(*limit)))
            .collect();
        expected.push((BAND_LIMITS.len() as i64, None));
        assert_eq!(rows, expected);
    }
}
