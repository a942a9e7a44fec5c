use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    Detail, Environment, Priority, ResponseTargets, TicketStatus, Tool, Wanted, problem,
    similar_key,
};
use crate::domain::{ErrorCode, HttpMethod, Zone};
use crate::kb::calculator::Usage;

/// A ticket that passed validation and is ready to store.
///
/// Through the form every detail is given. A ticket opened from an email
/// may lack some (`wanted`): the method, time and tool are then `None`, the
/// endpoint is empty and an unknown code is `Other`, until the requester
/// completes them (`workflow::Command::GiveDetails`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewTicket {
    pub submission_id: Uuid,
    pub error_code: ErrorCode,
    pub message: String,
    pub endpoint: String,
    pub method: Option<HttpMethod>,
    /// Always UTC.
    pub occurred_at: Option<OffsetDateTime>,
    /// The zone the requester chose; their pages show times in it.
    pub time_zone: Zone,
    pub tool: Option<Tool>,
    pub recent_changes: String,
    pub environment: Environment,
    pub name: String,
    pub email: String,
    /// Decision-tree step ids the requester already tried, in order.
    pub path: Vec<String>,
    /// The details still to be given; empty for a ticket from the form.
    pub wanted: Wanted,
    /// How the integration calls the API, when the requester worked it out
    /// with the rate-limit calculator before filing.
    pub usage: Option<Usage>,
}

/// What apidesk decides about a new ticket before storing it.
#[derive(Debug, Clone, PartialEq)]
pub struct Triage {
    pub priority: Priority,
    /// When the first response is due, from the priority's target.
    pub due_at: OffsetDateTime,
    pub similar_key: String,
    /// What groups it with tickets failing the same way (`problem`).
    pub fingerprint: String,
}

impl NewTicket {
    pub fn triage(&self, now: OffsetDateTime, targets: &ResponseTargets) -> Triage {
        let priority = Priority::initial(self.error_code, self.environment);
        // An incomplete ticket is grouped with others once it is complete.
        let similar_key = match (self.method, &self.tool) {
            (Some(method), Some(tool)) if self.wanted.is_empty() => {
                similar_key(self.error_code, method, &self.endpoint, tool)
            }
            _ => String::new(),
        };
        Triage {
            priority,
            due_at: now + targets.for_priority(priority),
            fingerprint: problem::fingerprint(&similar_key, &self.email),
            similar_key,
        }
    }

    /// "401 Unauthorized on GET"; while the code or method is not known,
    /// as much as is.
    pub fn title(&self) -> String {
        let code = if self.wanted.contains(Detail::ErrorCode) {
            "Error reported by email".to_string()
        } else {
            self.error_code.label()
        };
        match self.method {
            Some(method) => format!("{code} on {method}"),
            None => code,
        }
    }
}

/// A stored ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticket {
    pub id: i64,
    pub token: Uuid,
    pub status: TicketStatus,
    pub priority: Priority,
    pub assignee_id: Option<i64>,
    pub merged_into_id: Option<i64>,
    pub first_response_at: Option<OffsetDateTime>,
    pub due_at: Option<OffsetDateTime>,
    pub similar_key: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// The known incident it was filed during, if any.
    pub incident_id: Option<i64>,
    pub fingerprint: String,
    /// The problem it belongs to, if it is grouped.
    pub problem_id: Option<i64>,
    /// Shown in the queue only through its problem's lead.
    pub folded: bool,
    pub details: NewTicket,
}

impl Ticket {
    pub fn reference(&self) -> String {
        reference_for(self.id)
    }
}

/// The short reference people quote in emails and on the phone.
pub fn reference_for(id: i64) -> String {
    format!("APD-{id:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_zero_padded_and_grow() {
        assert_eq!(reference_for(123), "APD-000123");
        assert_eq!(reference_for(1_234_567), "APD-1234567");
    }
}
