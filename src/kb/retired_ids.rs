//! The step ids each tree had before the content rewrite of issue 7
//! (`content/trees/*.toml` at commit 78de3e9).
//!
//! They are kept because they live on outside the content: stored tickets
//! list the checks a requester made by step id, deflection counts ("Yes,
//! fixed") are kept per step id, and shared troubleshooting links carry step
//! ids in `?path=`. The loader refuses a tree in which one of these ids is
//! neither a live step nor listed in exactly one step's `replaces`, so every
//! old id keeps a readable successor. Never remove an id from this list;
//! when a later change retires more ids, add them here.

use crate::domain::ErrorCode;

pub(crate) fn earlier_ids(code: ErrorCode) -> &'static [&'static str] {
    match code {
        ErrorCode::Unauthorized => &[
            "token-active",
            "user-active",
            "userkey-valid",
            "environment-match",
            "regenerate-token",
        ],
        ErrorCode::Forbidden => &[
            "user-role",
            "table-access",
            "operation-allowed",
            "permissions-saved",
            "environment-access",
        ],
        ErrorCode::NotFound => &[
            "endpoint-url",
            "record-id",
            "ids-environment",
            "resource-exists",
            "routing-config",
        ],
        ErrorCode::TooManyRequests => &[
            "rate-limits",
            "polling",
            "bursts",
            "backoff",
            "batch-cache",
            "recursive-loop",
        ],
        ErrorCode::InternalServerError => &[
            "retry-once",
            "platform-incident",
            "app-script",
            "payload-valid",
            "null-values",
            "simplified-payload",
        ],
        ErrorCode::Other => &[
            "exact-message",
            "platform-incident",
            "connection",
            "credentials",
            "endpoint-typo",
            "payload",
            "simplified-payload",
        ],
        // Trees added in issue 7 retired nothing yet.
        ErrorCode::BadRequest
        | ErrorCode::MethodNotAllowed
        | ErrorCode::Conflict
        | ErrorCode::PayloadTooLarge
        | ErrorCode::UnsupportedMediaType
        | ErrorCode::UnprocessableEntity
        | ErrorCode::BadGateway
        | ErrorCode::ServiceUnavailable
        | ErrorCode::GatewayTimeout
        | ErrorCode::Timeout
        | ErrorCode::Connection
        | ErrorCode::Dns
        | ErrorCode::Tls
        | ErrorCode::InvalidJson
        | ErrorCode::Pagination => &[],
    }
}
