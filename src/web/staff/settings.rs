//! "My settings": what a staff member chooses for themselves: the time zone
//! staff pages show times in, and which mail they get.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::session::CurrentStaff;
use crate::domain::Zone;
use crate::error::Result;
use crate::staff::{StaffMember, StaffNotices};
use crate::tickets::OutgoingMail;
use crate::web::AppState;
use crate::web::csrf::CsrfToken;
use crate::web::render::render;
use crate::web::time_zones::ZoneSelect;

pub fn router() -> Router<AppState> {
    Router::new().route("/staff/settings", get(settings_page).post(save))
}

#[derive(Template)]
#[template(path = "staff/settings.html")]
struct SettingsPage {
    me: StaffMember,
    csrf: CsrfToken,
    zones: ZoneSelect,
    /// The mail choices as shown (as typed, after a refused form).
    notices: StaffNotices,
    /// Whether apidesk sends mail at all (else the choices wait for it).
    mail_on: bool,
    saved: bool,
    error: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SettingsQuery {
    saved: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SettingsForm {
    time_zone: String,
    /// Checkboxes: present ("on") when ticked.
    notify_urgent: Option<String>,
    notify_assigned: Option<String>,
}

async fn settings_page(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Query(query): Query<SettingsQuery>,
) -> Result<Response> {
    let mut zones = ZoneSelect::new(me.time_zone.name());
    // The saved choice is shown as it is; the browser never overrides it.
    zones.browser_default = false;
    let page = SettingsPage {
        notices: me.notices,
        mail_on: state.outgoing_mail == OutgoingMail::On,
        me,
        csrf,
        zones,
        saved: query.saved.is_some(),
        error: None,
    };
    Ok(render(&page)?.into_response())
}

async fn save(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Form(form): Form<SettingsForm>,
) -> Result<Response> {
    let notices = StaffNotices {
        urgent: form.notify_urgent.is_some(),
        assigned: form.notify_assigned.is_some(),
    };
    match Zone::parse(&form.time_zone) {
        Some(zone) => {
            state.store.set_staff_time_zone(me.id, &zone).await?;
            state.store.set_staff_notices(me.id, notices).await?;
            tracing::info!(staff_id = me.id, time_zone = %zone, "staff settings changed");
            Ok(Redirect::to("/staff/settings?saved=1").into_response())
        }
        None => {
            let mut zones = ZoneSelect::new(&form.time_zone);
            zones.browser_default = false;
            let page = SettingsPage {
                me,
                csrf,
                zones,
                notices,
                mail_on: state.outgoing_mail == OutgoingMail::On,
                saved: false,
                error: Some(
                    "Choose a time zone from the list: a city in your time zone, or a fixed offset from UTC.",
                ),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}
