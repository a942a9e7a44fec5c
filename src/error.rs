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
    /// Logged with the backend's own cause; the page says only that
    /// something went wrong on our side.
    #[error("database error: {}", .0.cause())]
    Database(#[from] crate::store::StoreError),
    #[error("template error: {0}")]
    Template(#[from] askama::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
    /// A rate limit: `form` when the request carried typed text (not saved).
    #[error("rate limited for {retry_after:?}")]
    TooManyRequests {
        retry_after: std::time::Duration,
        form: bool,
    },
    /// A request body larger than apidesk reads.
    #[error("the request body is too large")]
    TooLarge,
    /// Too much heavy work (file uploads) is under way to take more now.
    #[error("busy with other uploads")]
    Busy,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'static str,
    explanation: &'a str,
    /// The request's id, for the visitor to quote to support.
    request_id: Option<String>,
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Csrf | Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
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
            "The form was larger than apidesk accepts. Shorten the longest field, or attach fewer or smaller files, and try again.",
        ),
        StatusCode::SERVICE_UNAVAILABLE => (
            "apidesk is busy",
            "Many files are being sent to apidesk right now. Go back, wait a minute and send the form again: your browser still has what you typed.",
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

fn page(status: StatusCode, title: &'static str, explanation: &str) -> Response {
    let page = ErrorPage {
        status: status.as_u16(),
        title,
        explanation,
        request_id: crate::telemetry::request_id(),
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
        if let Self::TooManyRequests { retry_after, form } = self {
            return too_many_requests(retry_after, form);
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

/// The 429 page: when to try again, in words and in `Retry-After`, and for
/// a form, that what was typed was not saved but is still in the browser.
fn too_many_requests(retry_after: std::time::Duration, form: bool) -> Response {
    let secs = retry_after_secs(retry_after);
    let mut explanation = format!(
        "You have done this more often than apidesk allows in a short time. \
         Please try again in {}.",
        wait_in_words(secs)
    );
    if form {
        explanation.push_str(
            " What you typed was not saved. Go back with your browser's Back button: \
             your browser still has your text, so you can send it again then.",
        );
    }
    let mut response = page(
        StatusCode::TOO_MANY_REQUESTS,
        "Please wait before trying again",
        &explanation,
    );
    response.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        axum::http::HeaderValue::from(secs),
    );
    response
}

/// A wait as `Retry-After` says it: whole seconds, rounded up (never
/// inviting a retry that is still too early), at least one.
pub fn retry_after_secs(wait: std::time::Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

/// "45 seconds", "3 minutes", "1 hour and 5 minutes": rounded up.
pub fn wait_in_words(secs: u64) -> String {
    fn unit(n: u64, one: &str) -> String {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    }
    if secs < 60 {
        return unit(secs, "second");
    }
    let minutes = secs.div_ceil(60);
    if minutes < 60 {
        return unit(minutes, "minute");
    }
    let (hours, rest) = (minutes / 60, minutes % 60);
    if rest == 0 {
        unit(hours, "hour")
    } else {
        format!("{} and {}", unit(hours, "hour"), unit(rest, "minute"))
    }
}

#[cfg(test)]
mod tests {
    use super::wait_in_words;

    #[test]
    fn waits_are_said_in_words_rounded_up() {
        assert_eq!(wait_in_words(1), "1 second");
        assert_eq!(wait_in_words(45), "45 seconds");
        assert_eq!(wait_in_words(61), "2 minutes");
        assert_eq!(wait_in_words(180), "3 minutes");
        assert_eq!(wait_in_words(3600), "1 hour");
        assert_eq!(wait_in_words(3900), "1 hour and 5 minutes");
    }
}
