//! The API's errors as `application/problem+json` (RFC 9457): a status, a
//! short title, a sentence for the developer reading it, and for a request
//! with mistakes, each field with its message (the form's own sentences).

use std::time::Duration;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::store::StoreError;
use crate::tickets::{FieldErrors, Refusal};
use crate::tokens::Scope;

pub const CONTENT_TYPE: &str = "application/problem+json";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no valid token")]
    Unauthorized,
    #[error("the token lacks the scope {0}")]
    Forbidden(Scope),
    #[error("not found")]
    NotFound,
    #[error("the request is not what this endpoint takes: {0}")]
    BadRequest(String),
    #[error("the ticket has mistakes")]
    Invalid(FieldErrors),
    #[error("the Idempotency-Key was used with another body")]
    KeyReused,
    #[error("the workflow refused: {0}")]
    Refused(Refusal),
    #[error("rate limited for {0:?}")]
    TooManyRequests(Duration),
    #[error("the request body is too large")]
    TooLarge,
    #[error("the endpoint does not take that method")]
    MethodNotAllowed,
    #[error("the request took longer than --request-timeout")]
    TimedOut,
    #[error("internal error: {0}")]
    Internal(String),
}

/// One mistake in the request, beside its field.
#[derive(Debug, Serialize, PartialEq, Eq, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// An error, as RFC 9457 has it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A link to the kind's explanation on the API's page.
    #[serde(rename = "type")]
    #[schema(example = "/api/v1/docs#problem-invalid")]
    kind: &'static str,
    title: &'static str,
    /// The HTTP status, again.
    status: u16,
    /// What to do about it, for the developer reading it.
    detail: String,
    /// Each field with a mistake and its message (the form's own words);
    /// only for `invalid` and `refused`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldProblem>,
    /// The request's id (also its `x-request-id` header): quote it to support.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "3f2b0c1e-9d7a-4e55-8a0b-1c2d3e4f5a6b")]
    request_id: Option<String>,
}

impl ApiError {
    /// Each kind of problem (type, status, title, what to do), for the
    /// API's page, where each problem's `type` points.
    pub fn kinds() -> Vec<(&'static str, u16, &'static str, String)> {
        let mut invalid = FieldErrors::default();
        invalid.add("field", "message");
        [
            Self::BadRequest("The body is not JSON, or names a field the endpoint does not know; `detail` says which.".into()),
            Self::Unauthorized,
            Self::Forbidden(Scope::TicketsRead),
            Self::NotFound,
            Self::MethodNotAllowed,
            Self::KeyReused,
            Self::Refused(Refusal::StatusChange {
                from: crate::tickets::TicketStatus::Resolved,
                to: crate::tickets::TicketStatus::New,
            }),
            Self::TooLarge,
            Self::Invalid(invalid),
            Self::TooManyRequests(Duration::from_secs(30)),
            Self::TimedOut,
            Self::Internal(String::new()),
        ]
        .iter()
        .map(|error| {
            let problem = error.problem();
            (problem.kind, problem.status, problem.title, problem.detail)
        })
        .collect()
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            // A staff id that is no one is a bad value; the rest are what the
            // ticket's state allows.
            Self::Refused(Refusal::UnknownAssignee | Refusal::FilesFull { .. }) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::KeyReused | Self::Refused(_) => StatusCode::CONFLICT,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::TimedOut => StatusCode::REQUEST_TIMEOUT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn problem(&self) -> Problem {
        let (kind, title, detail) = match self {
            Self::Unauthorized => (
                "unauthorized",
                "A valid token is needed",
                "Send `Authorization: Bearer <token>` with a token an admin created and has not revoked.".to_string(),
            ),
            Self::Forbidden(scope) => (
                "forbidden",
                "The token may not do this",
                format!("This needs a token with the scope `{scope}`. Ask an admin for one."),
            ),
            Self::NotFound => (
                "not-found",
                "Not found",
                "There is no such ticket or endpoint.".to_string(),
            ),
            Self::BadRequest(why) => ("bad-request", "The request cannot be read", why.clone()),
            Self::Invalid(_) => (
                "invalid",
                "The ticket has mistakes",
                "Fix each field listed in `errors` and send it again.".to_string(),
            ),
            Self::KeyReused => (
                "idempotency-key-reused",
                "That Idempotency-Key was used for another request",
                "A key identifies one request: send a new key for a new ticket, or the same body to get the first result again.".to_string(),
            ),
            Self::Refused(refusal) => ("refused", "The ticket cannot do that now", refusal.message()),
            Self::TooManyRequests(wait) => (
                "rate-limited",
                "Too many requests",
                format!(
                    "More requests came from this token (or, without a valid token, from this \
                     address) than the API takes. Try again in {}; Retry-After gives the seconds.",
                    crate::error::wait_in_words(crate::error::retry_after_secs(*wait))
                ),
            ),
            Self::TooLarge => (
                "too-large",
                "The request body is too large",
                "JSON bodies up to 256 KB are read, and uploads up to the file limits; reads take no body."
                    .to_string(),
            ),
            Self::MethodNotAllowed => (
                "method-not-allowed",
                "This endpoint does not take that method",
                "See the Allow header, or the API's description, for the methods it takes.".to_string(),
            ),
            Self::TimedOut => (
                "timed-out",
                "The request took too long",
                "It was stopped, and what it had begun to write was rolled back. Retry with the \
                 same Idempotency-Key: nothing is filed twice."
                    .to_string(),
            ),
            Self::Internal(_) => (
                "internal",
                "Something went wrong on our side",
                "It has been logged. Retry with the same Idempotency-Key: nothing is filed twice.".to_string(),
            ),
        };
        let errors = match self {
            Self::Invalid(errors) => errors
                .iter()
                .map(|(field, message)| FieldProblem {
                    field: field.to_string(),
                    message: message.to_string(),
                })
                .collect(),
            Self::Refused(refusal) => vec![FieldProblem {
                field: refusal.field().to_string(),
                message: refusal.message(),
            }],
            _ => Vec::new(),
        };
        Problem {
            kind,
            title,
            status: self.status().as_u16(),
            detail,
            errors,
            request_id: crate::telemetry::request_id(),
        }
    }
}

/// Every problem document's `type`: its section on the API's page (a
/// relative reference, resolved against this server).
pub const TYPE_BASE: &str = "/api/v1/docs#problem-";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "API request failed");
        } else {
            tracing::debug!(error = %self, "API request refused");
        }
        let problem = self.problem();
        let mut body = serde_json::to_value(&problem).unwrap_or_default();
        body["type"] = format!("{TYPE_BASE}{}", problem.kind).into();
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        match self {
            Self::Unauthorized => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"apidesk\""),
                );
            }
            Self::TooManyRequests(wait) => {
                headers.insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(crate::error::retry_after_secs(wait)),
                );
            }
            _ => {}
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        Self::Internal(format!("database: {}", err.cause()))
    }
}

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::NotFound => Self::NotFound,
            AppError::TooManyRequests { retry_after, .. } => Self::TooManyRequests(retry_after),
            other => Self::Internal(other.to_string()),
        }
    }
}

/// A status a layer answered with no body of its own (a timeout, an
/// oversized body, a method not allowed): the matching problem document.
pub fn for_bare_status(status: StatusCode) -> Option<ApiError> {
    Some(match status {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge,
        StatusCode::NOT_FOUND => ApiError::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        StatusCode::REQUEST_TIMEOUT => ApiError::TimedOut,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::BadRequest("Send the body as JSON (Content-Type: application/json).".into())
        }
        _ => return None,
    })
}
