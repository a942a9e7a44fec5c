//! API tokens, for admins: create one (shown once, on the page that answers
//! the form, never again), see each with its scopes, its admin and when it
//! was last used, and revoke one at once.

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
use crate::error::Result;
use crate::staff::StaffMember;
use crate::tickets::FieldErrors;
use crate::tokens::{ApiToken, Scope, TokenSecret, check_new_token};
use crate::web::AppState;
use crate::web::csrf::CsrfToken;
use crate::web::form_pairs::FormPairs;
use crate::web::render::render;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/tokens", get(page).post(create))
        .route("/staff/tokens/{id}/revoke", post(revoke))
}

struct TokenRow {
    token: ApiToken,
    created: String,
    last_used: Option<String>,
    revoked: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/tokens.html")]
struct TokensPage {
    me: StaffMember,
    csrf: CsrfToken,
    rows: Vec<TokenRow>,
    scopes: [Scope; 3],
    /// The form as typed, and its mistakes.
    name: String,
    ticked: Vec<String>,
    errors: FieldErrors,
    /// A token just created: its name and its value, shown this once.
    created: Option<(String, String)>,
    flash: Option<&'static str>,
}

impl TokensPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    fn is_ticked(&self, scope: &Scope) -> bool {
        if self.ticked.is_empty() {
            *scope == Scope::TicketsCreate
        } else {
            self.ticked.iter().any(|t| t == scope.as_str())
        }
    }
}

async fn view(state: &AppState, me: StaffMember, csrf: CsrfToken) -> Result<TokensPage> {
    let zone = me.time_zone.clone();
    let rows = state
        .store
        .tokens()
        .await?
        .into_iter()
        .map(|token| TokenRow {
            created: human_time_in(token.created_at, &zone),
            last_used: token.last_used_at.map(|at| human_time_in(at, &zone)),
            revoked: token.revoked_at.map(|at| human_time_in(at, &zone)),
            token,
        })
        .collect();
    Ok(TokensPage {
        me,
        csrf,
        rows,
        scopes: Scope::ALL,
        name: String::new(),
        ticked: Vec::new(),
        errors: FieldErrors::default(),
        created: None,
        flash: None,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PageQuery {
    revoked: String,
}

async fn page(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Query(query): Query<PageQuery>,
) -> Result<Response> {
    require_admin(&me)?;
    let mut page = view(&state, me, csrf).await?;
    if !query.revoked.is_empty() {
        page.flash = Some("Token revoked: it no longer works.");
    }
    Ok(render(&page)?.into_response())
}

/// Creates a token and answers with the page showing it once (200, never a
/// redirect: the value must not sit in a URL or be shown again).
async fn create(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    body: String,
) -> Result<Response> {
    require_admin(&me)?;
    let form = FormPairs::parse(&body);
    let name = form.first("name").to_string();
    let ticked = form.all("scopes", 64);
    let admin_id = me.id;
    match check_new_token(&name, &ticked) {
        Ok(new) => {
            let secret = TokenSecret::generate();
            let token = state
                .store
                .create_token(
                    &new,
                    &secret.hash(),
                    &secret.prefix(),
                    admin_id,
                    OffsetDateTime::now_utc(),
                )
                .await?;
            tracing::info!(token = token.id, by = admin_id, "API token created");
            let mut page = view(&state, me, csrf).await?;
            page.created = Some((token.name, secret.reveal().to_string()));
            Ok(render(&page)?.into_response())
        }
        Err(errors) => {
            let mut page = view(&state, me, csrf).await?;
            page.name = name;
            page.ticked = ticked;
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

async fn revoke(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    Path(id): Path<i64>,
) -> Result<Response> {
    require_admin(&me)?;
    // Revoked already (a second click) is as good as revoked now.
    if state
        .store
        .revoke_token(id, OffsetDateTime::now_utc())
        .await?
    {
        tracing::info!(token = id, by = me.id, "API token revoked");
    }
    Ok(Redirect::to("/staff/tokens?revoked=1").into_response())
}
