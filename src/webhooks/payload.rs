//! What a delivery says. The store writes each delivery's facts (`Subject`)
//! when the event happens, in its transaction; the body is made from them
//! when it is sent (`body`), in the endpoint's format, with links built from
//! the configured public URL. A body never holds the requester's private
//! link or its token, nor their name or address: only what staff need to
//! recognise the ticket, and a link to its staff page.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::endpoint::Format;
use super::event::WebhookEvent;
use crate::tickets::incident::Incident;
use crate::tickets::{Ticket, reference_for};

/// The longest excerpt of a ticket's error message a body carries.
pub const MESSAGE_CHARS: usize = 500;

/// What a delivery is about, as stored (`{"ticket": {…}}`, `{"problem": …}`
/// or `{"incident": …}`): the wire format's object without its links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    Ticket(TicketFacts),
    Problem(ProblemFacts),
    Incident(IncidentFacts),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketFacts {
    pub id: i64,
    pub reference: String,
    pub error_code: String,
    /// `None` for a ticket opened by mail that did not say.
    pub method: Option<String>,
    pub endpoint: String,
    pub tool: Option<String>,
    pub environment: String,
    pub status: String,
    pub priority: String,
    /// The start of the error message (already redacted when filed).
    pub message: String,
}

impl TicketFacts {
    pub fn of(ticket: &Ticket) -> Self {
        let details = &ticket.details;
        Self {
            id: ticket.id,
            reference: ticket.reference(),
            error_code: details.error_code.as_str().to_string(),
            method: details.method.map(|m| m.as_str().to_string()),
            endpoint: details.endpoint.clone(),
            tool: details.tool.as_ref().map(|t| t.as_str().to_string()),
            environment: details.environment.as_str().to_string(),
            status: ticket.status.as_str().to_string(),
            priority: ticket.priority.as_str().to_string(),
            message: details.message.chars().take(MESSAGE_CHARS).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemFacts {
    pub id: i64,
    /// The ticket that stands for the problem in the queue.
    pub lead_id: i64,
    pub lead_reference: String,
    /// How many tickets it holds.
    pub occurrences: i64,
}

impl ProblemFacts {
    pub fn new(id: i64, lead_id: i64, occurrences: i64) -> Self {
        Self {
            id,
            lead_id,
            lead_reference: reference_for(lead_id),
            occurrences,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentFacts {
    pub id: i64,
    pub title: String,
    /// The error codes it causes; empty for every code.
    pub codes: Vec<String>,
    pub started_at: String,
    pub ended_at: Option<String>,
}

impl IncidentFacts {
    pub fn of(incident: &Incident) -> Self {
        Self {
            id: incident.id,
            title: incident.title.clone(),
            codes: incident
                .codes
                .iter()
                .map(|c| c.as_str().to_string())
                .collect(),
            started_at: rfc3339(incident.started_at),
            ended_at: incident.ended_at.map(rfc3339),
        }
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.replace_nanosecond(0)
        .unwrap_or(at)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// One delivery, as its body is made from it.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    pub event: WebhookEvent,
    /// The delivery's own id: receivers drop a delivery they already had
    /// (one may come twice: a send that timed out may still have arrived).
    pub id: Uuid,
    pub occurred_at: OffsetDateTime,
    pub subject: &'a Subject,
}

/// Facts with the link to their staff page beside them.
#[derive(Serialize)]
struct Linked<'a, T> {
    #[serde(flatten)]
    facts: &'a T,
    staff_url: String,
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum LinkedSubject<'a> {
    Ticket(Linked<'a, TicketFacts>),
    Problem(Linked<'a, ProblemFacts>),
    Incident(Linked<'a, IncidentFacts>),
}

#[derive(Serialize)]
struct JsonBody<'a> {
    event: &'static str,
    id: String,
    occurred_at: String,
    #[serde(flatten)]
    subject: LinkedSubject<'a>,
}

#[derive(Serialize)]
struct SlackBody {
    text: String,
}

/// The staff page a subject is seen on: the ticket's, the lead's for a
/// problem (its panel lists the members), the incidents page. Absolute
/// when a public URL is configured, a path otherwise.
pub fn staff_url(subject: &Subject, public_url: Option<&str>) -> String {
    let path = match subject {
        Subject::Ticket(t) => format!("/staff/tickets/{}", t.id),
        Subject::Problem(p) => format!("/staff/tickets/{}", p.lead_id),
        Subject::Incident(_) => "/staff/incidents".to_string(),
    };
    format!("{}{path}", public_url.unwrap_or_default())
}

/// The body sent for `delivery` in `format`.
pub fn body(format: Format, delivery: &Delivery<'_>, public_url: Option<&str>) -> Vec<u8> {
    let staff_url = staff_url(delivery.subject, public_url);
    let bytes = match format {
        Format::Json => {
            let subject = match delivery.subject {
                Subject::Ticket(facts) => LinkedSubject::Ticket(Linked { facts, staff_url }),
                Subject::Problem(facts) => LinkedSubject::Problem(Linked { facts, staff_url }),
                Subject::Incident(facts) => LinkedSubject::Incident(Linked { facts, staff_url }),
            };
            serde_json::to_vec(&JsonBody {
                event: delivery.event.as_str(),
                id: delivery.id.to_string(),
                occurred_at: rfc3339(delivery.occurred_at),
                subject,
            })
        }
        Format::Slack => serde_json::to_vec(&SlackBody {
            text: slack_text(delivery, &staff_url),
        }),
    };
    bytes.expect("plain structs of strings and numbers serialise")
}

/// One line a person reads in a channel, with the reference and a link.
fn slack_text(delivery: &Delivery<'_>, staff_url: &str) -> String {
    let line = match delivery.subject {
        Subject::Ticket(t) => {
            let what = match delivery.event {
                WebhookEvent::TicketReplied => "Staff replied on",
                WebhookEvent::TicketResolved => "Resolved:",
                _ => "New ticket",
            };
            let method = t
                .method
                .as_deref()
                .map(|m| format!(" {m}"))
                .unwrap_or_default();
            let tool = t
                .tool
                .as_deref()
                .map(|tool| format!(", {tool}"))
                .unwrap_or_default();
            format!(
                "{what} {}: {} on{method} {} ({}{tool}, {} priority)",
                t.reference,
                t.error_code,
                if t.endpoint.is_empty() {
                    "an endpoint not given"
                } else {
                    &t.endpoint
                },
                t.environment,
                t.priority
            )
        }
        Subject::Problem(p) => format!(
            "Problem grown: {} tickets failing the same way as {}",
            p.occurrences, p.lead_reference
        ),
        Subject::Incident(i) => {
            let codes = if i.codes.is_empty() {
                "every error code".to_string()
            } else {
                i.codes.join(", ")
            };
            match delivery.event {
                WebhookEvent::IncidentEnded => format!("Incident ended: {}", i.title),
                _ => format!("Incident declared: {} (affects {codes})", i.title),
            }
        }
    };
    let label = match delivery.subject {
        Subject::Ticket(t) => t.reference.clone(),
        Subject::Problem(p) => p.lead_reference.clone(),
        Subject::Incident(_) => "Incidents".to_string(),
    };
    // Slack reads <url|label> as a link, and &, < and > as markup: what
    // staff or requesters typed is escaped, so it cannot make a link.
    if staff_url.starts_with("http") {
        format!(
            "{} <{}|{}>",
            slack_escape(&line),
            slack_escape(staff_url),
            slack_escape(&label)
        )
    } else {
        format!("{} ({})", slack_escape(&line), slack_escape(staff_url))
    }
}

fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests;
