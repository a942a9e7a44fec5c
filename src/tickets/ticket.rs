use time::OffsetDateTime;
use uuid::Uuid;

use super::{Environment, Priority, ResponseTargets, TicketStatus, Tool, similar_key};
use crate::domain::{ErrorCode, HttpMethod, Zone};

/// A ticket that passed validation and is ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTicket {
    pub submission_id: Uuid,
    pub error_code: ErrorCode,
    pub message: String,
    pub endpoint: String,
    pub method: HttpMethod,
    /// Always UTC.
    pub occurred_at: OffsetDateTime,
    /// The zone the requester chose; their pages show times in it.
    pub time_zone: Zone,
    pub tool: Tool,
    pub recent_changes: String,
    pub environment: Environment,
    pub name: String,
    pub email: String,
    /// Decision-tree step ids the requester already tried, in order.
    pub path: Vec<String>,
}

/// What apidesk decides about a new ticket before storing it.
#[derive(Debug, Clone, PartialEq)]
pub struct Triage {
    pub priority: Priority,
    /// When the first response is due, from the priority's target.
    pub due_at: OffsetDateTime,
    pub similar_key: String,
}

impl NewTicket {
    pub fn triage(&self, now: OffsetDateTime, targets: &ResponseTargets) -> Triage {
        let priority = Priority::initial(self.error_code, self.environment);
        Triage {
            priority,
            due_at: now + targets.for_priority(priority),
            similar_key: similar_key(self.error_code, self.method, &self.endpoint, &self.tool),
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
