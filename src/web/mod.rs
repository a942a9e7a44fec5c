//! HTTP: one router per area, merged here, wrapped in the shared layers.

mod articles;
mod assets;
pub mod client_addr;
mod cookies;
pub mod csrf;
mod format;
mod health;
mod links;
mod public;
pub mod rate_limit;
mod render;
mod staff;

/// Session handling, public so tools and tests can check sessions.
pub use staff::session as staff_session;
mod tickets;
mod troubleshoot;

use std::time::Duration;

use axum::extract::MatchedPath;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::{Router, middleware};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::error::{AppError, error_page};
use crate::state::AppState;

/// The largest request body accepted: a 10,000-character message, percent-encoded.
const MAX_BODY_BYTES: usize = 256 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(public::router())
        .merge(troubleshoot::router())
        .merge(articles::router())
        .merge(tickets::router())
        .merge(staff::router(state.clone()))
        .merge(health::router())
        .merge(assets::router())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), csrf::protect))
        .layer(middleware::map_response(error_pages_for_bare_statuses))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(CompressionLayer::new())
        // Pages need nothing from other origins.
        .layer(header_layer(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // Status pages carry their secret token in the URL: never send it elsewhere.
        .layer(header_layer(header::REFERRER_POLICY, "no-referrer"))
        .layer(header_layer(header::X_FRAME_OPTIONS, "DENY"))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// Logs the route's pattern, never the URI itself: status-page URLs carry
/// the requester's secret token, and query strings carry what people typed.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", MatchedPath::as_str);
    tracing::info_span!("request", method = %request.method(), route)
}

async fn not_found() -> AppError {
    AppError::NotFound
}

/// Layers such as the body limit answer with a status and no page; give
/// those the same HTML error page as everything else.
async fn error_pages_for_bare_statuses(response: Response) -> Response {
    let status = response.status();
    if (status.is_client_error() || status.is_server_error())
        && !response.headers().contains_key(header::CONTENT_TYPE)
    {
        return error_page(status);
    }
    response
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}
