//! Short messages, each pinning down one case of the rules in the module
//! comment of `diagnose.rs`: which numbers are statuses, the misroutes
//! issue 7 named, and what decides when a message names a status and a
//! failure. Real messages from real clients are in `diagnose/cases/`.

use crate::domain::ErrorCode::{self, *};
use crate::kb::diagnose::diagnose;

/// (message, expected code, expected status)
const STATUS_CASES: &[(&str, Option<ErrorCode>, Option<u16>)] = &[
    // The formats the brief names.
    (
        "HTTP GET failed: unauthorized (401)",
        Some(Unauthorized),
        Some(401),
    ),
    (
        "HTTP POST failed: internal server error (500)",
        Some(InternalServerError),
        Some(500),
    ),
    ("401 Unauthorized", Some(Unauthorized), Some(401)),
    ("403 Forbidden", Some(Forbidden), Some(403)),
    (
        "Request failed with status code 429",
        Some(TooManyRequests),
        Some(429),
    ),
    ("Too Many Requests", Some(TooManyRequests), Some(429)),
    ("Not Found", Some(NotFound), Some(404)),
    (
        "Internal Server Error",
        Some(InternalServerError),
        Some(500),
    ),
    ("unauthorized", Some(Unauthorized), Some(401)),
    ("forbidden", Some(Forbidden), Some(403)),
    (
        "Rate limit exceeded. Retry in 30 seconds.",
        Some(TooManyRequests),
        Some(429),
    ),
    ("lookup failed (404)", Some(NotFound), Some(404)),
    ("status: 404", Some(NotFound), Some(404)),
    ("HTTP 404", Some(NotFound), Some(404)),
    (
        "{\"statusCode\":429,\"message\":\"slow down\"}",
        Some(TooManyRequests),
        Some(429),
    ),
    ("statusCode=429", Some(TooManyRequests), Some(429)),
    ("error 403 while syncing", Some(Forbidden), Some(403)),
    (
        "the server returned 500",
        Some(InternalServerError),
        Some(500),
    ),
    // Case and surrounding text.
    (
        "job 17 step 3: HTTP GET FAILED: UNAUTHORIZED (401) at 09:12",
        Some(Unauthorized),
        Some(401),
    ),
    ("not found", Some(NotFound), Some(404)),
    ("NOT FOUND", Some(NotFound), Some(404)),
    ("Error: 500", Some(InternalServerError), Some(500)),
    ("HTTP/1.1 403 Forbidden", Some(Forbidden), Some(403)),
    ("404 - not found", Some(NotFound), Some(404)),
    ("status_code: 401", Some(Unauthorized), Some(401)),
    ("\"status\": 500", Some(InternalServerError), Some(500)),
    (
        "the API returned a 404 for that id",
        Some(NotFound),
        Some(404),
    ),
    ("401", Some(Unauthorized), Some(401)),
    ("  429  ", Some(TooManyRequests), Some(429)),
    ("[403]", Some(Forbidden), Some(403)),
    // Identifier styles.
    (
        "UnauthorizedException: token expired",
        Some(Unauthorized),
        Some(401),
    ),
    ("RecordNotFound", Some(NotFound), Some(404)),
    ("TOO_MANY_REQUESTS", Some(TooManyRequests), Some(429)),
    ("error: unauthorized_client", Some(Unauthorized), Some(401)),
    ("rate-limited by upstream", Some(TooManyRequests), Some(429)),
    // A status context beats a phrase, wherever each appears.
    ("Unauthorized (status 403)", Some(Forbidden), Some(403)),
    (
        "Forbidden: HTTP 404 returned for /tables/401",
        Some(NotFound),
        Some(404),
    ),
    (
        "not found, status: 500",
        Some(InternalServerError),
        Some(500),
    ),
    // The first strong match wins.
    ("status 401 then status 403", Some(Unauthorized), Some(401)),
    ("(429) after (500)", Some(TooManyRequests), Some(429)),
    // Statuses with a guide of their own since issue 7, and one without.
    ("HTTP 502 Bad Gateway", Some(BadGateway), Some(502)),
    (
        "upstream said 503 Service Unavailable",
        Some(ServiceUnavailable),
        Some(503),
    ),
    ("bad gateway", Some(BadGateway), Some(502)),
    ("status: 200", None, Some(200)),
    (
        "HTTP 502 but the body says Unauthorized",
        Some(BadGateway),
        Some(502),
    ),
    // Numbers that are not statuses.
    ("GET /tables/401/records", None, None),
    ("record 4041 is missing", None, None),
    ("took 500ms", None, None),
    ("on 2024-04-01 at noon", None, None),
    ("fetched 500 rows", None, None),
    ("https://api.example.com/v1/items?status=404", None, None),
    ("version 1.500", None, None),
    ("1,404 records", None, None),
    ("process exited with code 137", None, None),
    ("connect ECONNREFUSED 127.0.0.1:443", Some(Connection), None),
    ("error 999", None, None),
    ("(042)", None, None),
    ("/tables/401/records not found", Some(NotFound), Some(404)),
    // Not HTTP at all.
    ("connection timed out", Some(Timeout), None),
    (
        "SSL certificate problem: unable to get local issuer certificate",
        Some(Tls),
        None,
    ),
    ("", None, None),
    ("everything is fine", None, None),
    ("the foundation is gone", None, None),
    ("forbiddenness", None, None),
];

#[test]
fn recognises_status_and_code() {
    let mut failures = Vec::new();
    for &(text, code, status) in STATUS_CASES {
        let found = diagnose(text);
        if (found.code, found.status) != (code, status) {
            failures.push(format!(
                "{text:?}: expected {code:?}/{status:?}, got {:?}/{:?}",
                found.code, found.status
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The misroutes issue 7 names: (message, expected code, expected status).
const MISROUTES: &[(&str, Option<ErrorCode>, Option<u16>)] = &[
    // A field that is missing is a validation problem, not a 404.
    ("Field 'Status' not found", Some(BadRequest), None),
    ("Field \"Status\" not found", Some(BadRequest), None),
    ("Field Status not found", Some(BadRequest), None),
    ("column `email` not found", Some(BadRequest), None),
    // A quoted reason phrase is still one.
    ("404 \"Not Found\"", Some(NotFound), Some(404)),
    ("\"Not Found\"", Some(NotFound), Some(404)),
    // A name that did not resolve is DNS, not a 404.
    ("Host not found", Some(Dns), None),
    ("Server not found", Some(Dns), None),
    ("getaddrinfo ENOTFOUND api.example.com", Some(Dns), None),
    ("Name or service not known", Some(Dns), None),
    ("No such host is known", Some(Dns), None),
    // A missing resource still is.
    ("Resource not found", Some(NotFound), Some(404)),
    ("/tables/401/records not found", Some(NotFound), Some(404)),
    // nginx's spelling of 504, and the other gateway errors.
    ("504 Gateway Time-out", Some(GatewayTimeout), Some(504)),
    ("Gateway Time-out", Some(GatewayTimeout), Some(504)),
    ("502 Bad Gateway", Some(BadGateway), Some(502)),
    (
        "503 Service Unavailable",
        Some(ServiceUnavailable),
        Some(503),
    ),
    ("504 Gateway Timeout", Some(GatewayTimeout), Some(504)),
    (
        "503 Service Temporarily Unavailable",
        Some(ServiceUnavailable),
        Some(503),
    ),
    ("408 Request Time-out", Some(Timeout), Some(408)),
    ("401 Authorization Required", Some(Unauthorized), Some(401)),
    // "response" before a number.
    ("Got response 404 from server", Some(NotFound), Some(404)),
    // Bodies with no number.
    ("invalid_token", Some(Unauthorized), Some(401)),
    (
        "{\"error\":\"invalid_token\"}",
        Some(Unauthorized),
        Some(401),
    ),
    ("Invalid user key", Some(Unauthorized), Some(401)),
    ("invalid userkey", Some(Unauthorized), Some(401)),
    ("Invalid UserKey", Some(Unauthorized), Some(401)),
    ("Access denied", Some(Forbidden), Some(403)),
    ("AccessDenied", Some(Forbidden), Some(403)),
    ("Quota exceeded", Some(TooManyRequests), Some(429)),
    ("throttled", Some(TooManyRequests), Some(429)),
    ("Throttled", Some(TooManyRequests), Some(429)),
    ("Request was throttled.", Some(TooManyRequests), Some(429)),
    ("RateLimitError", Some(TooManyRequests), Some(429)),
    // Lookalikes that stay unrecognised.
    ("unthrottled", None, None),
    ("access denied-ish", Some(Forbidden), Some(403)),
];

#[test]
fn fixes_the_misroutes_of_issue_7() {
    let mut failures = Vec::new();
    for &(text, code, status) in MISROUTES {
        let found = diagnose(text);
        if (found.code, found.status) != (code, status) {
            failures.push(format!(
                "{text:?}: expected {code:?}/{status:?}, got {:?}/{:?}",
                found.code, found.status
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn never_reports_other_or_pagination() {
    for &(text, _, _) in STATUS_CASES.iter().chain(MISROUTES).chain(DECISIONS) {
        let code = diagnose(text).code;
        assert!(!matches!(code, Some(Other | Pagination)), "{text}");
    }
}

/// When a message names both a status and a failure, or several
/// failures, what happened decides (the rules in the module comment):
/// (message, expected code, expected status).
const DECISIONS: &[(&str, Option<ErrorCode>, Option<u16>)] = &[
    // 1. A status with a tree beats the words beside it.
    (
        "SyntaxError: Unexpected token < in JSON: <title>502 Bad Gateway</title>",
        Some(BadGateway),
        Some(502),
    ),
    (
        "HTTP 500: java.net.SocketTimeoutException: Read timed out",
        Some(InternalServerError),
        Some(500),
    ),
    (
        "Max retries exceeded (Caused by ResponseError('too many 429 error responses'))",
        Some(TooManyRequests),
        Some(429),
    ),
    ("Gateway Timeout", Some(GatewayTimeout), Some(504)),
    ("408 Request Timeout", Some(Timeout), Some(408)),
    ("Request Timeout", Some(Timeout), Some(408)),
    // 2. A proxy refusing the tunnel is about the proxy, whatever it
    // answered.
    (
        "ProxyError('Cannot connect to proxy.', OSError('Tunnel connection failed: 403 Forbidden'))",
        Some(Connection),
        Some(403),
    ),
    (
        "curl: (56) Received HTTP code 407 from proxy after CONNECT",
        Some(Connection),
        Some(407),
    ),
    // 3. The most specific failure: TLS, DNS, timeout, connection, JSON.
    (
        "Failed to establish a new connection: [SSL: CERTIFICATE_VERIFY_FAILED]",
        Some(Tls),
        None,
    ),
    (
        "Failed to establish a new connection: [Errno -2] Name or service not known",
        Some(Dns),
        None,
    ),
    (
        "curl: (28) Resolving timed out after 5000 milliseconds",
        Some(Dns),
        None,
    ),
    ("Connection timed out", Some(Timeout), None),
    (
        "socket hang up, then Unexpected end of JSON input",
        Some(Connection),
        None,
    ),
    ("Unexpected end of JSON input", Some(InvalidJson), None),
    // A bare "not found" loses to any failure, and is not named.
    (
        "unexpected end of stream\nCaused by: java.io.EOFException: \\n not found: size=0",
        Some(Connection),
        None,
    ),
    ("Not Found", Some(NotFound), Some(404)),
    ("HTTP 404: socket hang up", Some(NotFound), Some(404)),
    // After a reason phrase, a number is its status, not a setting.
    ("Unauthorized: 401", Some(Unauthorized), Some(401)),
    // A field that is missing loses to any failure.
    (
        "Field 'Status' not found: connection reset",
        Some(Connection),
        None,
    ),
    // 4. A status with no tree yields to the words, and is still named.
    (
        "HTTP/1.1 200 Connection established\ncurl: (60) SSL certificate problem",
        Some(Tls),
        Some(200),
    ),
    ("Error 522: Connection timed out", Some(Timeout), Some(522)),
    ("HTTP 418", None, Some(418)),
    // Settings are not events: the request's config printed after it.
    (
        "Error: socket hang up { timeout: 0, clarifyTimeoutError: false }",
        Some(Connection),
        None,
    ),
    (
        "{ rejectUnauthorized: false } Error: read ECONNRESET",
        Some(Connection),
        None,
    ),
    ("timeout: 30000", None, None),
    ("Read timed out. (read timeout=30)", Some(Timeout), None),
    // No client fails with a 1xx; an errno in brackets is not a status.
    (
        "SocketException (111): Connection refused",
        Some(Connection),
        None,
    ),
    ("HTTP 100", None, None),
    // A number followed by "Client Error" is a status whatever the reason.
    (
        "409 Client Error: Conflict for url: https://api.example.com/x",
        Some(Conflict),
        Some(409),
    ),
];

#[test]
fn decides_by_what_happened() {
    let mut failures = Vec::new();
    for &(text, code, status) in DECISIONS {
        let found = diagnose(text);
        if (found.code, found.status) != (code, status) {
            failures.push(format!(
                "{text:?}: expected {code:?}/{status:?}, got {:?}/{:?}",
                found.code, found.status
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
