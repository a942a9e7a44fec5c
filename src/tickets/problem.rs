//! One problem, not a thousand tickets. Tickets that fail the same way are
//! grouped into a problem, so a storm of identical failures is one row in
//! the queue and one answer from staff.
//!
//! The rules:
//! - Tickets fail "the same way" when they share a fingerprint: the error
//!   code, method, endpoint shape and tool (the similar key) and the
//!   requester's organisation, which is their email's domain. At a shared
//!   mail provider the "organisation" is everyone there, which is as good
//!   as not knowing it: the failure alone groups them.
//! - A new ticket joins the unresolved problem with its fingerprint last
//!   seen within `WINDOW`; if there is none, but an unresolved ticket with
//!   that fingerprint was filed within `WINDOW` and stands alone, the two
//!   form a problem led by the older. A problem is unresolved while its
//!   lead is neither resolved nor closed.
//! - The lead's row stands for the problem in the queue; the other members
//!   are *folded* under it. Acting on the problem (the row's bulk actions,
//!   "answer and resolve") acts on the lead and its folded members, each
//!   ticket through the workflow on its own.
//! - A member whose requester writes again is unfolded: it needs someone to
//!   read it, so it shows on its own row (still a member). When the lead is
//!   settled, members that are not come back on their own rows too.
//! - Staff can split a ticket out; it is not grouped again. When the lead
//!   is split out, the oldest member left leads; a problem left with one
//!   ticket is dissolved.
//! - A requester sees nothing of this: not the problem, not the other
//!   tickets, not how many there are. Their ticket, its status and its mail
//!   are what they would be alone (a fingerprint is guessable; joining one
//!   must tell nothing).

use time::{Duration, OffsetDateTime};

/// How long a problem stays open to new occurrences after its last one.
pub const WINDOW: Duration = Duration::hours(24);

/// The fingerprint of a ticket with this similar key, filed by this
/// address; empty (never grouped) while the similar key is.
pub fn fingerprint(similar_key: &str, email: &str) -> String {
    if similar_key.is_empty() {
        return String::new();
    }
    format!("{similar_key}|{}", organisation(email))
}

/// The requester's organisation: their address's domain, in lower case.
/// Migration 0010 derives it in SQL the same way for older tickets.
pub fn organisation(email: &str) -> String {
    email
        .rsplit_once('@')
        .map_or("", |(_, domain)| domain)
        .to_ascii_lowercase()
}

/// A problem as staff see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub id: i64,
    pub lead_id: i64,
    /// How many tickets it holds now, the lead included.
    pub occurrences: i64,
    pub first_seen: OffsetDateTime,
    pub last_seen: OffsetDateTime,
}

/// A ticket's place in its problem, for its staff page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemMember {
    pub id: i64,
    pub status: super::TicketStatus,
    pub created_at: OffsetDateTime,
    pub requester_email: String,
    /// Shown only through the lead's row.
    pub folded: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_adds_the_organisation_to_the_similar_key() {
        assert_eq!(
            fingerprint("429|GET|/records/{id}|workato", "Ana@Acme.Example"),
            "429|GET|/records/{id}|workato|acme.example"
        );
        assert_eq!(
            fingerprint("429|GET|/records/{id}|workato", "bob@acme.example"),
            fingerprint("429|GET|/records/{id}|workato", "ana@ACME.example"),
        );
        assert_ne!(
            fingerprint("429|GET|/records/{id}|workato", "bob@acme.example"),
            fingerprint("429|GET|/records/{id}|workato", "bob@other.example"),
        );
    }

    #[test]
    fn an_incomplete_ticket_has_no_fingerprint() {
        assert_eq!(fingerprint("", "ana@acme.example"), "");
    }

    #[test]
    fn the_organisation_is_the_domain_after_the_last_at_sign() {
        assert_eq!(organisation("\"a@b\"@Corp.Example"), "corp.example");
        assert_eq!(organisation("no-at-sign"), "");
    }
}
