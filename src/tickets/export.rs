//! Tickets as CSV. Every cell is quoted, and a cell that a spreadsheet would
//! read as a formula is neutralised first.
//!
//! The requester's private token is never exported: it is the key to their
//! status page, and spreadsheets travel further than the staff pages do.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Ticket, Tool};
use crate::domain::HttpMethod;

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

pub const CSV_HEADER: [&str; 23] = [
    "reference",
    "id",
    "status",
    "priority",
    "error_code",
    "method",
    "endpoint",
    "message",
    "occurred_at",
    "tool",
    "tool_other",
    "environment",
    "recent_changes",
    "requester_name",
    "requester_email",
    "checks_made",
    "assignee",
    "created_at",
    "updated_at",
    "first_response_at",
    "due_at",
    "merged_into",
    "similar_key",
];

/// A cell starting with `=`, `+`, `-` or `@` (or a tab or carriage return,
/// which some spreadsheets skip before looking) is run as a formula by
/// Excel, LibreOffice and Sheets. A leading apostrophe makes it text.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// One CSV line (RFC 4180): every cell quoted, quotes doubled, CRLF ending.
pub fn csv_line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        line.push('"');
        line.push_str(&neutralise(cell.as_ref()).replace('"', "\"\""));
        line.push('"');
    }
    line.push_str("\r\n");
    line
}

/// `checks_made`: the step ids of the checks made, comma-separated, as the
/// caller maps them (earlier ids to their successors).
pub fn ticket_csv_line(ticket: &Ticket, assignee: Option<&str>, checks_made: &str) -> String {
    let d = &ticket.details;
    let optional = |t: Option<OffsetDateTime>| t.map(rfc3339).unwrap_or_default();
    csv_line(&[
        ticket.reference(),
        ticket.id.to_string(),
        ticket.status.as_str().to_string(),
        ticket.priority.as_str().to_string(),
        d.error_code.as_str().to_string(),
        d.method
            .map(HttpMethod::as_str)
            .unwrap_or_default()
            .to_string(),
        d.endpoint.clone(),
        d.message.clone(),
        optional(d.occurred_at),
        d.tool
            .as_ref()
            .map(Tool::as_str)
            .unwrap_or_default()
            .to_string(),
        d.tool
            .as_ref()
            .map(Tool::other_text)
            .unwrap_or_default()
            .to_string(),
        d.environment.as_str().to_string(),
        d.recent_changes.clone(),
        d.name.clone(),
        d.email.clone(),
        checks_made.to_string(),
        assignee.unwrap_or_default().to_string(),
        rfc3339(ticket.created_at),
        rfc3339(ticket.updated_at),
        optional(ticket.first_response_at),
        optional(ticket.due_at),
        ticket
            .merged_into_id
            .map(super::reference_for)
            .unwrap_or_default(),
        ticket.similar_key.clone(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        for cell in [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert!(neutralise(cell).starts_with('\''), "{cell:?}");
        }
        for cell in ["HTTP GET failed", "", "1=1", "a@b.c"] {
            assert_eq!(neutralise(cell), cell);
        }
    }

    #[test]
    fn lines_quote_everything_and_double_quotes() {
        assert_eq!(
            csv_line(&["a", "say \"hi\"", "=1+1", "two\nlines"]),
            "\"a\",\"say \"\"hi\"\"\",\"'=1+1\",\"two\nlines\"\r\n"
        );
    }
}
