//! The integration API, `/api/v1`: JSON in and out, a bearer token instead
//! of a session (so no CSRF check), errors as problem documents.

mod auth;
mod docs;
mod files;
pub mod openapi;
mod problem;
mod tickets;
mod views;

use axum::Router;
use axum::http::header;
use axum::middleware;
use axum::response::{IntoResponse, Response};

use crate::web::AppState;
use problem::ApiError;

/// The API's routes, to nest under `/api/v1`.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .merge(tickets::router())
        .merge(files::router())
        .route("/openapi.json", axum::routing::get(openapi::document))
        .route("/docs", axum::routing::get(docs::page))
        .route_layer(middleware::from_fn(crate::web::audit::record))
        .fallback(|| async { ApiError::NotFound })
        .layer(middleware::map_response(problems_for_bare_statuses))
        .layer(crate::web::no_store())
}

pub(super) use problem::CONTENT_TYPE as PROBLEM_CONTENT_TYPE;

/// The problem document for a status a layer answered with, if it has one.
pub(super) fn problem_for_status(status: axum::http::StatusCode) -> Option<Response> {
    problem::for_bare_status(status).map(IntoResponse::into_response)
}

/// A status a layer or axum answered without a body (a method the route
/// does not take, an oversized body): as a problem document.
async fn problems_for_bare_statuses(response: Response) -> Response {
    let status = response.status();
    if (status.is_client_error() || status.is_server_error())
        && !response.headers().contains_key(header::CONTENT_TYPE)
        && let Some(problem) = problem::for_bare_status(status)
    {
        let allow = response.headers().get(header::ALLOW).cloned();
        let mut answer = problem.into_response();
        if let Some(allow) = allow {
            answer.headers_mut().insert(header::ALLOW, allow);
        }
        return answer;
    }
    response
}
