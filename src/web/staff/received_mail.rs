//! "Received mail": every message apidesk took in lately, whatever became of
//! it, so staff can see that a reply arrived and why it did or did not land
//! on a ticket (mail that answers no ticket shows up nowhere else).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::session::CurrentStaff;
use super::ticket_mail::{InboundRow, inbound_rows};
use crate::error::Result;
use crate::staff::StaffMember;
use crate::tickets::OutgoingMail;
use crate::web::AppState;
use crate::web::csrf::CsrfToken;
use crate::web::render::render;

/// How many of the latest messages the page lists.
const SHOWN: u32 = 100;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/staff/mail", get(received_mail))
}

#[derive(Template)]
#[template(path = "staff/mail.html")]
struct ReceivedMailPage {
    me: StaffMember,
    csrf: CsrfToken,
    received: Vec<InboundRow>,
    shown: u32,
    /// Whether replies can reach apidesk at all (IMAP or the pipe).
    replies_on: bool,
    mail_on: bool,
}

async fn received_mail(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
) -> Result<Response> {
    let received = inbound_rows(state.store.recent_inbound(SHOWN).await?, &me.time_zone);
    let page = ReceivedMailPage {
        received,
        shown: SHOWN,
        replies_on: state.config.mail_replies(),
        mail_on: state.outgoing_mail == OutgoingMail::On,
        me,
        csrf,
    };
    Ok(render(&page)?.into_response())
}
