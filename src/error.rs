//! One error type for every handler. It renders a proper HTML page with the
//! right status and logs the cause inside the request's span; the visitor
//! never sees internal details.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("the form's security token is missing or does not match")]
    Csrf,
    #[error("the signed-in staff member's role does not allow this")]
    Forbidden,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("template error: {0}")]
    Template(#[from] askama::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: &'static str,
    explanation: &'static str,
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Csrf | Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Database(_) | Self::Template(_) | Self::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

/// The error page for a status, used for our own errors and for statuses
/// produced by layers (timeouts, oversized bodies).
pub fn error_page(status: StatusCode) -> Response {
    let (title, explanation) = match status {
        StatusCode::NOT_FOUND => (
            "Page not found",
            "We could not find that page. If you followed a link to a ticket, check that you copied the whole link.",
        ),
        StatusCode::FORBIDDEN => (
            "This form has expired",
            "For your security, forms only work in the browser tab that opened them. Go back, reload the page, and send it again: what you typed is kept by your browser.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "That was too much to send",
            "The form was larger than apidesk accepts. Shorten the longest field and try again.",
        ),
        StatusCode::REQUEST_TIMEOUT => (
            "That took too long",
            "The server did not finish in time. Please try again in a moment.",
        ),
        _ => (
            "Something went wrong on our side",
            "The problem has been logged. Please try again in a moment; nothing you already filed has been lost.",
        ),
    };
    page(status, title, explanation)
}

fn page(status: StatusCode, title: &'static str, explanation: &'static str) -> Response {
    let page = ErrorPage {
        status: status.as_u16(),
        title,
        explanation,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        // The error page itself failed: fall back to text rather than panic.
        Err(err) => {
            tracing::error!(%err, "cannot render the error page");
            (status, title).into_response()
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if matches!(self, Self::Forbidden) {
            tracing::info!(error = %self, "request refused");
            return page(
                StatusCode::FORBIDDEN,
                "You cannot do that",
                "Your role does not allow this action. Ask an admin.",
            );
        }
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        } else {
            tracing::debug!(error = %self, "request refused");
        }
        error_page(status)
    }
}
