//! Automation platforms that call APIs for their users: Workato, Zapier
//! and Make, as their help pages word the errors people see.

use super::Case;
use crate::domain::ErrorCode::*;

/// Workato: the HTTP connector's job error (docs.workato.com, "Error type
/// IDs" and "HTTP error handling") has error_message "HTTP 404 error" and
/// error_type "404 Not Found"; "General error codes" lists the others.
/// TrackVia's help article on integration timeouts
/// (help.trackvia.com/hc/en-us/articles/50585234051995) says a timed-out
/// Workato job shows "408 Request Timeout", "504 Gateway Timeout" or
/// "MULE:RETRY_EXHAUSTED".
pub(super) const WORKATO: &[Case] = &[
    ("HTTP 404 error", Some(NotFound), Some(404)),
    ("HTTP 500 error", Some(InternalServerError), Some(500)),
    ("HTTP 502 error", Some(BadGateway), Some(502)),
    ("404 Not Found", Some(NotFound), Some(404)),
    ("401 Unauthorized", Some(Unauthorized), Some(401)),
    ("403 Forbidden", Some(Forbidden), Some(403)),
    (
        "422 Unprocessable Entity",
        Some(UnprocessableEntity),
        Some(422),
    ),
    ("400 Bad Request", Some(BadRequest), Some(400)),
    ("408 Request Timeout", Some(Timeout), Some(408)),
    ("504 Gateway Timeout", Some(GatewayTimeout), Some(504)),
    ("MULE:RETRY_EXHAUSTED", Some(Timeout), None),
];

/// Zapier's help centre: "Fix 'Not authenticated' or 'Unauthorized' errors
/// in Zaps"; "How to Troubleshoot Errors in Zaps" (messages like
/// "Throttled by Zapier");
/// its list of status codes as copied by Teachworks' help centre ("408
/// Request Timed Out"); the developer platform's "Troubleshoot action
/// timeouts" (the message users see). Make's help centre: "the
/// RateLimitError … corresponds to the HTTP 429 Too Many Requests error
/// code"; "Fixing connection errors": modules output the ConnectionError
/// when the app is unavailable.
pub(super) const ZAPIER_AND_MAKE: &[Case] = &[
    ("Unauthorized", Some(Unauthorized), Some(401)),
    ("RateLimitError", Some(TooManyRequests), Some(429)),
    ("Throttled by Zapier", Some(TooManyRequests), Some(429)),
    ("408 Request Timed Out", Some(Timeout), Some(408)),
    (
        "The app did not respond in-time. It may or may not have completed successfully.",
        Some(Timeout),
        None,
    ),
    ("ConnectionError", Some(Connection), None),
];
