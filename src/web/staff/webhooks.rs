//! Webhooks, for admins: register an endpoint (URL, format, events), see
//! its signing secret once, see the latest deliveries with the receiver's
//! last answer, and disable an endpoint. Agents are refused (403): an
//! endpoint sends ticket details out of apidesk.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use time::OffsetDateTime;

use super::session::{CurrentStaff, require_admin};
use crate::domain::human_time_in;
use crate::error::{AppError, Result};
use crate::staff::StaffMember;
use crate::tickets::FieldErrors;
use crate::web::AppState;
use crate::web::csrf::CsrfToken;
use crate::web::form_pairs::FormPairs;
use crate::web::render::render;
use crate::webhooks::{
    DeliveryRecord, DeliveryState, Endpoint, EndpointInput, Format, MAX_PROBLEM_THRESHOLD,
    MIN_PROBLEM_THRESHOLD, WebhookEvent,
};

/// Deliveries listed, newest first.
const DELIVERIES_SHOWN: u32 = 50;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/webhooks", get(page).post(register))
        .route("/staff/webhooks/{id}/disable", post(disable))
}

struct EndpointRow {
    endpoint: Endpoint,
    secret_hint: String,
    created: String,
    disabled: Option<String>,
}

struct DeliveryRow {
    record: DeliveryRecord,
    /// The endpoint's URL, for telling deliveries apart.
    url: String,
    created: String,
    /// When it is tried again, while pending.
    next: Option<String>,
    state_class: &'static str,
}

#[derive(Template)]
#[template(path = "staff/webhooks.html")]
struct WebhooksPage {
    me: StaffMember,
    csrf: CsrfToken,
    endpoints: Vec<EndpointRow>,
    deliveries: Vec<DeliveryRow>,
    events: [WebhookEvent; 6],
    formats: [Format; 2],
    min_threshold: i64,
    max_threshold: i64,
    /// The registration form as typed, and its mistakes.
    url: String,
    format: String,
    ticked: Vec<String>,
    problem_threshold: String,
    errors: FieldErrors,
    flash: Option<String>,
    /// A new endpoint's whole secret, on the one page that shows it.
    new_secret: Option<String>,
    /// Links in bodies are paths only without `--public-url`.
    public_url_set: bool,
}

impl WebhooksPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    fn is_ticked(&self, event: &WebhookEvent) -> bool {
        self.ticked.iter().any(|t| t == event.as_str())
    }

    fn is_format(&self, format: &Format) -> bool {
        self.format == format.as_str()
    }
}

async fn view(
    state: &AppState,
    me: StaffMember,
    csrf: CsrfToken,
    form: EndpointInput,
    errors: FieldErrors,
) -> Result<WebhooksPage> {
    let zone = me.time_zone.clone();
    let endpoints = state.store.webhook_endpoints().await?;
    let url_of = |id: i64| {
        endpoints
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.url.clone())
            .unwrap_or_default()
    };
    let deliveries = state
        .store
        .recent_webhook_deliveries(DELIVERIES_SHOWN)
        .await?
        .into_iter()
        .map(|record| DeliveryRow {
            url: url_of(record.endpoint_id),
            created: human_time_in(record.created_at, &zone),
            next: (record.state == DeliveryState::Pending)
                .then_some(record.next_attempt_at)
                .flatten()
                .map(|at| human_time_in(at, &zone)),
            state_class: match record.state {
                DeliveryState::Pending => "",
                DeliveryState::Sent => "mail-sent",
                DeliveryState::Failed => "mail-failed",
            },
            record,
        })
        .collect();
    let endpoints = endpoints
        .into_iter()
        .map(|endpoint| EndpointRow {
            secret_hint: endpoint.secret.hint(),
            created: human_time_in(endpoint.created_at, &zone),
            disabled: endpoint.disabled_at.map(|at| human_time_in(at, &zone)),
            endpoint,
        })
        .collect();
    Ok(WebhooksPage {
        endpoints,
        deliveries,
        events: WebhookEvent::ALL,
        formats: Format::ALL,
        min_threshold: MIN_PROBLEM_THRESHOLD,
        max_threshold: MAX_PROBLEM_THRESHOLD,
        url: form.url,
        // JSON is chosen until the admin picks another.
        format: if form.format.is_empty() {
            Format::Json.as_str().to_string()
        } else {
            form.format
        },
        ticked: form.events,
        problem_threshold: form.problem_threshold,
        errors,
        flash: None,
        new_secret: None,
        public_url_set: state.config.public_url.is_some(),
        me,
        csrf,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PageQuery {
    created: Option<i64>,
    disabled: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Query(query): Query<PageQuery>,
) -> Result<Response> {
    require_admin(&me)?;
    let mut page = view(
        &state,
        me,
        csrf,
        EndpointInput::default(),
        FieldErrors::default(),
    )
    .await?;
    if let Some(id) = query.created {
        // Shown on this one page after registering; a reload shows its start only.
        page.new_secret = state
            .store
            .reveal_webhook_secret(id)
            .await?
            .map(|secret| secret.expose().to_string());
        page.flash = Some("Endpoint registered; its events are sent from now on.".into());
    } else if query.disabled.is_some() {
        page.flash =
            Some("Endpoint disabled; deliveries still waiting for it were given up.".into());
    }
    Ok(render(&page)?.into_response())
}

/// The registration form, read by hand: each ticked event is its own
/// `events` pair, which a struct cannot collect.
fn endpoint_input(body: &str) -> EndpointInput {
    let form = FormPairs::parse(body);
    EndpointInput {
        url: form.first("url").to_string(),
        format: form.first("format").to_string(),
        events: form.all("events", WebhookEvent::ALL.len()),
        problem_threshold: form.first("problem_threshold").to_string(),
    }
}

async fn register(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    body: String,
) -> Result<Response> {
    require_admin(&me)?;
    let form = endpoint_input(&body);
    match form.validate(&state.config.webhook_allow_hosts) {
        Ok(endpoint) => {
            let now = OffsetDateTime::now_utc();
            let id = state
                .store
                .add_webhook_endpoint(&endpoint, me.id, now)
                .await?;
            // Neither the URL (Slack's are secrets) nor the secret is logged.
            tracing::info!(endpoint = id, by = me.id, "webhook endpoint registered");
            Ok(Redirect::to(&format!("/staff/webhooks?created={id}")).into_response())
        }
        Err(errors) => {
            let page = view(&state, me, csrf, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

async fn disable(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    Path(id): Path<i64>,
) -> Result<Response> {
    require_admin(&me)?;
    if !state
        .store
        .disable_webhook_endpoint(id, OffsetDateTime::now_utc())
        .await?
    {
        return Err(AppError::NotFound);
    }
    tracing::info!(endpoint = id, by = me.id, "webhook endpoint disabled");
    Ok(Redirect::to("/staff/webhooks?disabled=1").into_response())
}
