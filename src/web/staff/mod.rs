//! The staff side: sign-in, the triage queue, and ticket work. Everything
//! but the sign-in page sits behind `session::require_staff`.

mod accounts;
mod auth;
mod files;
mod guesses;
mod incidents;
mod insights;
mod macros;
mod password;
pub(crate) mod queue;
mod queue_bulk;
mod queue_export;
mod received_mail;
mod second_factor;
mod security;
pub mod session;
mod settings;
mod sign_in_code;
mod ticket;
mod ticket_actions;
mod ticket_mail;
mod tokens;
mod views;
mod webhooks;
mod workspace;

use axum::response::Redirect;
use axum::routing::{get, post};
use axum::{Router, middleware};

use crate::web::AppState;

pub fn router(state: AppState) -> Router<AppState> {
    let signed_in = Router::new()
        .route("/staff", get(|| async { Redirect::to("/staff/queue") }))
        .route("/staff/logout", post(auth::logout))
        .merge(queue::router())
        .merge(ticket::router())
        .merge(files::router())
        .merge(settings::router())
        .merge(received_mail::router())
        .merge(incidents::router())
        .merge(tokens::router())
        .merge(webhooks::router())
        .merge(views::router())
        .merge(accounts::router())
        .merge(password::router())
        .merge(security::router())
        .merge(macros::router())
        .merge(insights::router())
        // Inside the session check, so it knows who is acting.
        .route_layer(middleware::from_fn(crate::web::audit::record))
        .route_layer(middleware::from_fn_with_state(
            state,
            session::require_staff,
        ));
    // Staff pages show requesters' details and private links: never cached.
    Router::new()
        .route("/staff/login", get(auth::login_page).post(auth::login))
        .merge(sign_in_code::router())
        .merge(signed_in)
        .layer(crate::web::no_store())
}
