//! "My settings": what a staff member chooses for themselves. Today that is
//! the time zone staff pages show times in.

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
use crate::staff::StaffMember;
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
}

async fn settings_page(
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Query(query): Query<SettingsQuery>,
) -> Result<Response> {
    let mut zones = ZoneSelect::new(me.time_zone.name());
    // The saved choice is shown as it is; the browser never overrides it.
    zones.browser_default = false;
    let page = SettingsPage {
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
    match Zone::parse(&form.time_zone) {
        Some(zone) => {
            state.store.set_staff_time_zone(me.id, &zone).await?;
            tracing::info!(staff_id = me.id, time_zone = %zone, "staff time zone changed");
            Ok(Redirect::to("/staff/settings?saved=1").into_response())
        }
        None => {
            let mut zones = ZoneSelect::new(&form.time_zone);
            zones.browser_default = false;
            let page = SettingsPage {
                me,
                csrf,
                zones,
                saved: false,
                error: Some(
                    "Choose a time zone from the list: a city in your time zone, or a fixed offset from UTC.",
                ),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}
