//! The mail a ticket's requester was sent, on the staff ticket page: to
//! whom, how delivery went, and "send again".

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Redirect;
use axum::routing::post;
use time::OffsetDateTime;

use super::session::CurrentStaff;
use super::ticket::ticket_id;
use crate::domain::Zone;
use crate::error::{AppError, Result};
use crate::tickets::{BouncedAddress, InboundRecord, MailRecord, MailState, reference_for};
use crate::web::AppState;
use crate::web::format::{human_time_in, iso_time};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/staff/tickets/{id}/mail/{mail}/resend", post(resend))
}

/// One mail as the page lists it.
pub(super) struct MailRow {
    pub(super) id: i64,
    pub(super) what: &'static str,
    pub(super) to: String,
    pub(super) state: &'static str,
    pub(super) state_label: &'static str,
    pub(super) when: String,
    pub(super) at: String,
    /// Why it is not sent, the last error, or how many tries it took.
    pub(super) detail: String,
    pub(super) resent: bool,
}

pub(super) fn mail_rows(mail: Vec<MailRecord>, zone: &Zone) -> Vec<MailRow> {
    mail.into_iter()
        .map(|m| {
            let detail = match m.state {
                MailState::Sent if m.attempts > 1 => {
                    format!("Delivered on attempt {}.", m.attempts)
                }
                MailState::Sent => String::new(),
                MailState::Pending if m.attempts > 0 => format!(
                    "Attempt {} failed: {} Trying again{}.",
                    m.attempts,
                    m.reason,
                    m.next_attempt_at
                        .map(|at| format!(" at {}", human_time_in(at, zone)))
                        .unwrap_or_default()
                ),
                _ => m.reason.clone(),
            };
            MailRow {
                id: m.id,
                what: m.kind.label(),
                to: m.recipient,
                state: m.state.as_str(),
                state_label: m.state.label(),
                when: human_time_in(m.sent_at.unwrap_or(m.created_at), zone),
                at: iso_time(m.sent_at.unwrap_or(m.created_at)),
                detail,
                resent: m.resend_of.is_some(),
            }
        })
        .collect()
}

/// One received mail as the page lists it.
pub(super) struct InboundRow {
    pub(super) from: String,
    pub(super) subject: String,
    pub(super) when: String,
    pub(super) at: String,
    pub(super) outcome: &'static str,
    pub(super) outcome_label: &'static str,
    pub(super) reason: String,
    /// The staff page of its ticket, and the ticket's reference, if any.
    pub(super) ticket: Option<(String, String)>,
}

pub(super) fn inbound_rows(received: Vec<InboundRecord>, zone: &Zone) -> Vec<InboundRow> {
    received
        .into_iter()
        .map(|r| InboundRow {
            from: r.sender,
            subject: r.subject,
            when: human_time_in(r.received_at, zone),
            at: iso_time(r.received_at),
            outcome: r.outcome.as_str(),
            outcome_label: r.outcome.label(),
            reason: r.reason,
            ticket: r
                .ticket_id
                .map(|id| (format!("/staff/tickets/{id}#mail"), reference_for(id))),
        })
        .collect()
}

/// The requester's address, when mail to it came back undeliverable.
pub(super) struct Bounced {
    pub(super) address: String,
    pub(super) status: String,
    pub(super) detail: String,
    pub(super) when: String,
    pub(super) at: String,
}

pub(super) fn bounced(address: BouncedAddress, zone: &Zone) -> Bounced {
    Bounced {
        address: address.address,
        status: address.status,
        detail: address.detail,
        when: human_time_in(address.bounced_at, zone),
        at: iso_time(address.bounced_at),
    }
}

/// A new copy of the mail, sent now (or recorded as not sent when mail is
/// off), then back to the ticket's mail list.
async fn resend(
    State(state): State<AppState>,
    CurrentStaff(_me): CurrentStaff,
    Path((id, mail)): Path<(String, String)>,
) -> Result<Redirect> {
    let id = ticket_id(&id)?;
    let mail = ticket_id(&mail)?;
    state
        .store
        .resend_mail(id, mail, OffsetDateTime::now_utc())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Redirect::to(&format!(
        "/staff/tickets/{id}?done=resent#mail"
    )))
}
