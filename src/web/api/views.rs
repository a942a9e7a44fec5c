//! What the API answers with, as JSON: a ticket, a page of them, and what
//! filing one did. Never the requester's private status link, except to
//! the caller that filed the ticket for them.

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::HttpMethod;
use crate::tickets::problem::Problem;
use crate::tickets::{Ticket, Tool, reference_for};
use crate::web::format::iso_time;

#[derive(Debug, Serialize, ToSchema)]
pub struct Requester {
    pub name: String,
    pub email: String,
}

/// The problem a ticket belongs to (tickets failing the same way).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemOut {
    pub id: i64,
    pub lead_id: i64,
    pub lead_reference: String,
    pub occurrences: i64,
    pub first_seen: String,
    pub last_seen: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketOut {
    pub id: i64,
    /// What people quote: `APD-000123`.
    #[schema(example = "APD-000123")]
    pub reference: String,
    /// `new`, `open`, `waiting`, `resolved` or `closed`.
    #[schema(example = "new")]
    pub status: &'static str,
    /// `urgent`, `high`, `normal` or `low`.
    #[schema(example = "normal")]
    pub priority: &'static str,
    /// As on the form: `401`, `429`, `timeout`, `other`…
    #[schema(example = "429")]
    pub error_code: &'static str,
    pub message: String,
    pub endpoint: String,
    /// Null while a ticket opened by mail lacks it.
    pub method: Option<&'static str>,
    /// When it failed, RFC 3339 in UTC.
    pub occurred_at: Option<String>,
    /// The requester's zone, e.g. `Europe/Berlin`.
    pub time_zone: String,
    /// `workato`, `zapier`, `make`, `script`, `postman` or `other`.
    pub tool: Option<&'static str>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub tool_other: String,
    pub environment: &'static str,
    pub recent_changes: String,
    pub requester: Requester,
    /// Decision-tree steps the requester already tried.
    pub path: Vec<String>,
    pub assignee_id: Option<i64>,
    pub merged_into_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub first_response_at: Option<String>,
    pub due_at: Option<String>,
    /// Only for a token that may read tickets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<ProblemOut>,
    /// The ticket's files, oldest first; on one ticket, not in a list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<super::files::FileOut>>,
}

impl TicketOut {
    pub fn new(ticket: &Ticket, problem: Option<&Problem>) -> Self {
        let d = &ticket.details;
        Self {
            id: ticket.id,
            reference: ticket.reference(),
            status: ticket.status.as_str(),
            priority: ticket.priority.as_str(),
            error_code: d.error_code.as_str(),
            message: d.message.clone(),
            endpoint: d.endpoint.clone(),
            method: d.method.map(HttpMethod::as_str),
            occurred_at: d.occurred_at.map(iso_time),
            time_zone: d.time_zone.name().to_string(),
            tool: d.tool.as_ref().map(Tool::as_str),
            tool_other: d
                .tool
                .as_ref()
                .map(|t| t.other_text().to_string())
                .unwrap_or_default(),
            environment: d.environment.as_str(),
            recent_changes: d.recent_changes.clone(),
            requester: Requester {
                name: d.name.clone(),
                email: d.email.clone(),
            },
            path: d.path.clone(),
            assignee_id: ticket.assignee_id,
            merged_into_id: ticket.merged_into_id,
            created_at: iso_time(ticket.created_at),
            updated_at: iso_time(ticket.updated_at),
            first_response_at: ticket.first_response_at.map(iso_time),
            due_at: ticket.due_at.map(iso_time),
            problem: problem.map(|p| ProblemOut {
                id: p.id,
                lead_id: p.lead_id,
                lead_reference: reference_for(p.lead_id),
                occurrences: p.occurrences,
                first_seen: iso_time(p.first_seen),
                last_seen: iso_time(p.last_seen),
            }),
            files: None,
        }
    }
}

/// A credential taken out of what was sent, and from which field.
#[derive(Debug, Serialize, ToSchema)]
pub struct Redacted {
    pub field: &'static str,
    pub kind: &'static str,
}

/// What `POST /tickets` answers (201).
#[derive(Debug, Serialize, ToSchema)]
pub struct Filed {
    #[serde(flatten)]
    pub ticket: TicketOut,
    /// The requester's private status page: give it to them, keep it out
    /// of logs.
    pub status_url: String,
    /// Credentials taken out before anything was stored: rotate them.
    pub redacted: Vec<Redacted>,
    /// What is worth checking first, in the requester's words.
    pub hints: Vec<String>,
}

/// A page of `GET /tickets`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketPage {
    pub tickets: Vec<TicketOut>,
    /// The next page's link, while there is one.
    pub next: Option<String>,
    /// Query values that meant nothing and were left out, in words.
    pub ignored: Vec<String>,
}
