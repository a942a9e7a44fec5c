//! `GET /metrics`, in Prometheus' text format, and the layer that counts
//! every request. Not public: on the main listener it answers only a
//! request bearing `--metrics-token` (a 404 when none is set); with
//! `--metrics-bind` a second listener serves it to whoever reaches that
//! address, which should be private.

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::error::{AppError, Result};
use crate::metrics::{CONTENT_TYPE, Gauge};
use crate::web::AppState;

pub const PATH: &str = "/metrics";

/// The route on the main listener, behind the token.
pub(super) fn router() -> Router<AppState> {
    Router::new().route(PATH, get(with_token))
}

/// The second listener's whole app (`--metrics-bind`): `/metrics`, and a
/// 404 for anything else.
pub fn scrape_only(state: AppState) -> Router {
    Router::new()
        .route(PATH, get(scrape))
        .fallback(|| async { StatusCode::NOT_FOUND })
        .with_state(state)
}

/// Counts the request by its route's pattern (never its path, which can
/// carry a requester's secret link), method and status, and times it to
/// its response's headers. Outside every other layer, so refusals,
/// timeouts and panics' 500s count too.
pub(super) async fn count(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", MatchedPath::as_str)
        .to_string();
    let method = request.method().clone();
    let started = Instant::now();
    let response = next.run(request).await;
    crate::metrics::request_answered(
        &route,
        method.as_str(),
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

async fn with_token(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    let Some(expected) = &state.config.metrics.metrics_token else {
        return Err(AppError::NotFound);
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    match presented {
        Some(token) if same_secret(token, expected.as_str()) => scrape(State(state)).await,
        _ => {
            tracing::info!("metrics scrape refused: missing or wrong token");
            Ok((
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\"")],
                "a bearer token is needed to read the metrics\n",
            )
                .into_response())
        }
    }
}

/// Compares digests, all of their bytes whatever differs: the time taken
/// says nothing about how much of the token was right.
fn same_secret(presented: &str, expected: &str) -> bool {
    let (a, b) = (
        Sha256::digest(presented.as_bytes()),
        Sha256::digest(expected.as_bytes()),
    );
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

async fn scrape(State(state): State<AppState>) -> Result<Response> {
    let pool = state.store.pool_load();
    let depth = state.store.outbox_depth().await?;
    let gauge = |name, help, labels: Vec<(&'static str, &str)>, value: f64| Gauge {
        name,
        help,
        labels: labels
            .into_iter()
            .map(|(k, v)| (k, v.to_string()))
            .collect(),
        value,
    };
    let gauges = [
        gauge(
            "apidesk_outbox_depth",
            "Deliveries waiting to be sent, by kind (mail, webhook).",
            vec![("kind", "mail")],
            depth.mail as f64,
        ),
        gauge(
            "apidesk_outbox_depth",
            "",
            vec![("kind", "webhook")],
            depth.webhooks as f64,
        ),
        gauge(
            "apidesk_db_pool_connections",
            "Database connections open, by state (idle, busy).",
            vec![("state", "idle")],
            f64::from(pool.idle),
        ),
        gauge(
            "apidesk_db_pool_connections",
            "",
            vec![("state", "busy")],
            f64::from(pool.open.saturating_sub(pool.idle)),
        ),
    ];
    Ok((
        [
            (header::CONTENT_TYPE, CONTENT_TYPE),
            (header::CACHE_CONTROL, "no-store"),
        ],
        crate::metrics::render(&gauges),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn secrets_match_only_when_equal() {
        assert!(same_secret("a-long-scrape-token", "a-long-scrape-token"));
        assert!(!same_secret("a-long-scrape-tokeN", "a-long-scrape-token"));
        assert!(!same_secret("", "a-long-scrape-token"));
    }
}
