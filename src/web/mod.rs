//! HTTP: one router per area, merged here, wrapped in the shared layers.

mod actions;
mod api;
mod articles;
pub(crate) mod assets;
mod audit;
mod body_limits;
mod cache_policy;
mod calculator;
pub mod client_addr;
mod cookies;
pub mod csrf;
mod files;
mod form_pairs;
mod format;
mod health;
mod highlight;
mod incident_notice;
mod links;
mod metrics;
mod public;
pub mod rate_limit;
mod render;
mod request_id;
mod staff;
mod state;

/// Session handling, public so tools and tests can check sessions.
pub use staff::session as staff_session;
mod ticket_links;
mod tickets;
mod time_zones;
mod troubleshoot;
mod uploads;
mod walk_counts;
pub use metrics::scrape_only as metrics_only;
pub use uploads::UploadPermits;
pub use walk_counts::WalkCounts;

use std::any::Any;

use axum::extract::{DefaultBodyLimit, MatchedPath};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::{Router, middleware};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::error::{AppError, error_page};
pub use state::AppState;

/// No inline script or style anywhere: `tests/csp.rs` checks every template.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";
/// Two years, subdomains included: sent only with `--cookie-secure`, which
/// says apidesk is reached over HTTPS (plain http on localhost keeps working).
const STRICT_TRANSPORT_SECURITY: &str = "max-age=63072000; includeSubDomains";

pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .merge(public::router())
        .merge(troubleshoot::router())
        .merge(calculator::router())
        .merge(articles::router())
        .merge(tickets::router())
        .merge(ticket_links::router())
        .merge(staff::router(state.clone()))
        .merge(health::router())
        .merge(metrics::router())
        .merge(assets::router())
        .fallback(not_found);
    // The API is nested after the pages' own layers: a token, not a
    // browser's cookies, authenticates it, so it has no CSRF check, and its
    // errors are problem documents, not pages.
    let app = page_layers(routes, &state).nest("/api/v1", api::router());
    with_layers(app, state)
}

/// What every page (every route but the API's) gets: the CSRF check on
/// each POST, and an error page for a status answered without a body.
fn page_layers(routes: Router<AppState>, state: &AppState) -> Router<AppState> {
    routes
        .layer(middleware::from_fn_with_state(state.clone(), csrf::protect))
        .layer(middleware::map_response(error_pages_for_bare_statuses))
}

/// The layers every route gets, outermost last. Separate from the routes so
/// tests can wrap the same stack around a handler of their own.
fn with_layers(routes: Router<AppState>, state: AppState) -> Router {
    let routes = routes
        .layer(middleware::from_fn_with_state(
            state.clone(),
            body_limits::limit_body,
        ))
        // `limit_body` bounds every body; axum's own 2 MB default for
        // extractors would cut forms with files short.
        .layer(DefaultBodyLimit::disable())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.config.request_timeout,
        ))
        .layer(middleware::from_fn(answers_for_layer_refusals))
        // Inside the header and trace layers: the 500 page gets the usual
        // headers, and the log line lands in the request's span.
        .layer(CatchPanicLayer::custom(panic_page))
        .layer(middleware::from_fn(cache_policy::no_store_unless_public))
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
        // Only browsers without CSP still read this; "block" (never the
        // filtering mode, which could be turned against a page) stops the
        // page instead of editing it.
        .layer(header_layer(header::X_XSS_PROTECTION, "1; mode=block"));
    let routes = if state.config.cookie_secure {
        routes.layer(header_layer(
            header::STRICT_TRANSPORT_SECURITY,
            STRICT_TRANSPORT_SECURITY,
        ))
    } else {
        routes
    };
    routes
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(middleware::from_fn(metrics::count))
        // Outermost: the id is in the request span and on every response.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            request_id::assign,
        ))
        .with_state(state)
}

/// A handler that panicked: the visitor gets the ordinary 500 page instead
/// of a dropped connection, and the log gets one line saying where.
fn panic_page(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "handler panicked");
    error_page(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Pages that are private to one person (status pages, every staff page,
/// exports) must not be kept by browsers or shared caches.
pub(crate) fn no_store() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
}

/// Logs the route's pattern, never the URI itself: status-page URLs carry
/// the requester's secret token, and query strings carry what people typed.
/// The request id makes every line the request causes findable together.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", MatchedPath::as_str);
    let request_id = request_id::of(request);
    tracing::info_span!("request", request_id, method = %request.method(), route)
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

/// The body-size and timeout layers answer in plain text (or not at all)
/// before any route runs: a page visitor gets the error page instead, an
/// API client its problem document.
async fn answers_for_layer_refusals(
    request: axum::extract::Request,
    next: middleware::Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let ours = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with(api::PROBLEM_CONTENT_TYPE));
    if ours
        || !matches!(
            status,
            StatusCode::PAYLOAD_TOO_LARGE | StatusCode::REQUEST_TIMEOUT
        )
    {
        return response;
    }
    if api {
        api::problem_for_status(status).unwrap_or(response)
    } else {
        error_page(status)
    }
}

fn header_layer(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use tower::ServiceExt;

    async fn state() -> (AppState, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::config::Config {
            database_url: format!("sqlite://{}", dir.path().join("t.db").display()),
            ..Default::default()
        };
        (crate::startup::build_state(config).await.unwrap(), dir)
    }

    #[tokio::test]
    async fn a_panicking_handler_gets_the_error_page() {
        let (state, _dir) = state().await;
        let routes = Router::new().route(
            "/boom",
            get(|| async {
                let far_future = "9999-12-31".parse::<u32>();
                far_future
                    .expect("a far-future date had no timestamp")
                    .to_string()
            }),
        );
        let response = with_layers(page_layers(routes, &state), state)
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .expect("a response, not a dropped connection");
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            response.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(response.headers().contains_key(header::X_FRAME_OPTIONS));
        let id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_string();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let body = String::from_utf8_lossy(&body);
        assert!(body.contains("Something went wrong on our side"), "{body}");
        assert!(!body.contains("far-future"), "{body}");
        assert!(body.contains(&id), "the 500 page names its request");
    }
}
