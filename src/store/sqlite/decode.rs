//! Reading our own columns back into domain types. A value the domain does
//! not accept is reported as a decode error naming the column.

use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use time::OffsetDateTime;
use uuid::Uuid;

use super::time_text;
use crate::domain::Zone;
use crate::tickets::Priority;

/// A text column parsed by the domain's own `parse`.
pub(super) fn parsed<T>(
    row: &SqliteRow,
    column: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, sqlx::Error> {
    let text: String = row.try_get(column)?;
    parse(&text).ok_or_else(|| invalid(column, &text))
}

/// A text column that may be NULL, parsed by the domain's own `parse`.
pub(super) fn optional_parsed<T>(
    row: &SqliteRow,
    column: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<Option<T>, sqlx::Error> {
    row.try_get::<Option<String>, _>(column)?
        .map(|text| parse(&text).ok_or_else(|| invalid(column, &text)))
        .transpose()
}

/// A value a column holds that the domain does not accept.
pub(super) fn invalid(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.to_string(),
        source: format!("unexpected value {value:?}").into(),
    }
}

/// The `priority` column, stored as its rank.
pub(super) fn priority(row: &SqliteRow) -> Result<Priority, sqlx::Error> {
    let rank: i64 = row.try_get("priority")?;
    Priority::from_rank(rank).ok_or_else(|| invalid("priority", &rank.to_string()))
}

pub(super) fn time(row: &SqliteRow, column: &str) -> Result<OffsetDateTime, sqlx::Error> {
    time_text::from_text(&row.try_get::<String, _>(column)?)
}

pub(super) fn optional_time(
    row: &SqliteRow,
    column: &str,
) -> Result<Option<OffsetDateTime>, sqlx::Error> {
    row.try_get::<Option<String>, _>(column)?
        .map(|t| time_text::from_text(&t))
        .transpose()
}

pub(super) fn uuid(text: &str) -> Result<Uuid, sqlx::Error> {
    Uuid::parse_str(text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// A stored time-zone name. A name a later copy of the time-zone database no
/// longer knows reads as UTC: showing times in UTC beats hiding the ticket.
pub(super) fn time_zone(row: &SqliteRow, column: &str) -> Result<Zone, sqlx::Error> {
    let text: String = row.try_get(column)?;
    Ok(Zone::parse(&text).unwrap_or_else(Zone::utc))
}
