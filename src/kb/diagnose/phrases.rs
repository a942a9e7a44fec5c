//! The words the reader looks for, in one place: reason phrases, the words
//! clients print for a failure that got no status, a proxy refusing the
//! tunnel, the words around a number that make it a status, and the words
//! before a "not found" that say what was not found.

use crate::domain::ErrorCode;

/// Reason phrases, lowercase, words separated by one space (which matches
/// any run of ` `, `_`, `-`, or a camelCase join). `alone` says whether the
/// phrase is distinctive enough to count without a number beside it.
pub(super) const PHRASES: &[(u16, &str, bool)] = &[
    (400, "bad request", true),
    (401, "unauthorized", true),
    (401, "unauthorised", true),
    (401, "unauthenticated", true),
    // Bodies that name no number: OAuth's `invalid_token` (RFC 6750) and
    // a rejected user key.
    (401, "invalid token", true),
    (401, "invalid user key", true),
    (401, "invalid userkey", true),
    // nginx's spelling of 401.
    (401, "authorization required", true),
    (402, "payment required", true),
    (403, "forbidden", true),
    (403, "access denied", true),
    (404, "not found", true),
    (405, "method not allowed", true),
    (408, "request timeout", true),
    // nginx's spelling.
    (408, "request time out", true),
    // Zapier's list of status codes.
    (408, "request timed out", false),
    (409, "conflict", false),
    (410, "gone", false),
    (413, "payload too large", true),
    (413, "request entity too large", true),
    // RFC 9110's name for 413.
    (413, "content too large", true),
    (415, "unsupported media type", true),
    (422, "unprocessable entity", true),
    (422, "unprocessable content", true),
    (429, "too many requests", true),
    (429, "rate limit exceeded", true),
    (429, "rate limited", true),
    (429, "quota exceeded", true),
    (429, "throttled", true),
    // Make's name for an app's rate limit error.
    (429, "rate limit error", true),
    (500, "internal server error", true),
    (501, "not implemented", false),
    (502, "bad gateway", true),
    (503, "service unavailable", true),
    // nginx's spelling.
    (503, "service temporarily unavailable", true),
    // The body Envoy (Istio's proxy) sends with its 503.
    (503, "upstream connect error", true),
    (504, "gateway timeout", true),
    // nginx's spelling: "504 Gateway Time-out".
    (504, "gateway time out", true),
];

/// Words clients print for a failure that got no status, in the phrase
/// syntax of [`PHRASES`]. Where each comes from is in `diagnose/cases/`.
pub(super) const FAILURES: &[(ErrorCode, &str)] = &[
    // Certificates and the TLS handshake.
    (ErrorCode::Tls, "certificate verify failed"),
    (ErrorCode::Tls, "certificate problem"),
    (ErrorCode::Tls, "certificate has expired"),
    (ErrorCode::Tls, "cert has expired"),
    (ErrorCode::Tls, "unable to get local issuer certificate"),
    (ErrorCode::Tls, "unable to verify the first certificate"),
    (ErrorCode::Tls, "self signed"),
    (ErrorCode::Tls, "selfsigned"),
    (ErrorCode::Tls, "certificate signed by unknown authority"),
    (ErrorCode::Tls, "does not match certificate"),
    (ErrorCode::Tls, "x509"),
    (ErrorCode::Tls, "pkix"),
    (ErrorCode::Tls, "valid certification path"),
    (ErrorCode::Tls, "certificate exception"),
    (ErrorCode::Tls, "no subject alternative"),
    (ErrorCode::Tls, "ssl handshake"),
    (ErrorCode::Tls, "handshake failure"),
    (ErrorCode::Tls, "ssl error"),
    (ErrorCode::Tls, "ssl exception"),
    (ErrorCode::Tls, "ssl routines"),
    (ErrorCode::Tls, "ssl connect"),
    (ErrorCode::Tls, "ssl connection could not be established"),
    (ErrorCode::Tls, "trust relationship"),
    (ErrorCode::Tls, "remote certificate is invalid"),
    (ErrorCode::Tls, "unable to verify leaf signature"),
    (ErrorCode::Tls, "wrong version number"),
    (ErrorCode::Tls, "violation of protocol"),
    // Names that did not resolve.
    (ErrorCode::Dns, "enotfound"),
    (ErrorCode::Dns, "eai again"),
    (ErrorCode::Dns, "could not resolve"),
    (ErrorCode::Dns, "couldn't resolve"),
    (ErrorCode::Dns, "failed to resolve"),
    (ErrorCode::Dns, "resolving timed out"),
    (ErrorCode::Dns, "name or service not known"),
    (ErrorCode::Dns, "nodename nor servname provided"),
    (ErrorCode::Dns, "no such host"),
    (ErrorCode::Dns, "unknown host"),
    (ErrorCode::Dns, "temporary failure in name resolution"),
    (ErrorCode::Dns, "name resolution"),
    (ErrorCode::Dns, "getaddrinfo failed"),
    (ErrorCode::Dns, "name not resolved"),
    // Timeouts, the client's own or a 408.
    (ErrorCode::Timeout, "timeout"),
    (ErrorCode::Timeout, "timed out"),
    (ErrorCode::Timeout, "etimedout"),
    (ErrorCode::Timeout, "esockettimedout"),
    (ErrorCode::Timeout, "deadline exceeded"),
    (ErrorCode::Timeout, "execution expired"),
    (ErrorCode::Timeout, "task canceled exception"),
    (ErrorCode::Timeout, "did not respond in time"),
    (ErrorCode::Timeout, "retry exhausted"),
    // Connections refused, reset or closed early.
    (ErrorCode::Connection, "econnrefused"),
    (ErrorCode::Connection, "econnreset"),
    (ErrorCode::Connection, "econnaborted"),
    (ErrorCode::Connection, "epipe"),
    (ErrorCode::Connection, "ehostunreach"),
    (ErrorCode::Connection, "enetunreach"),
    (ErrorCode::Connection, "connection refused"),
    (ErrorCode::Connection, "actively refused"),
    (ErrorCode::Connection, "connection reset"),
    (ErrorCode::Connection, "connection aborted"),
    (ErrorCode::Connection, "connection closed"),
    (ErrorCode::Connection, "prematurely closed"),
    (ErrorCode::Connection, "closed connection without response"),
    (ErrorCode::Connection, "connection was closed"),
    (ErrorCode::Connection, "other side closed"),
    (ErrorCode::Connection, "socket hang up"),
    (ErrorCode::Connection, "broken pipe"),
    (ErrorCode::Connection, "failed to connect"),
    (ErrorCode::Connection, "failed connect to"),
    (ErrorCode::Connection, "couldn't connect"),
    (ErrorCode::Connection, "could not connect"),
    (
        ErrorCode::Connection,
        "failed to establish a new connection",
    ),
    (ErrorCode::Connection, "failed to open tcp connection"),
    (ErrorCode::Connection, "connection failed"),
    (ErrorCode::Connection, "connect exception"),
    (ErrorCode::Connection, "empty reply from server"),
    (ErrorCode::Connection, "recv failure"),
    (ErrorCode::Connection, "send failure"),
    (ErrorCode::Connection, "failed to respond"),
    (ErrorCode::Connection, "unexpected end of file from server"),
    (ErrorCode::Connection, "unexpected end of stream"),
    (ErrorCode::Connection, "network is unreachable"),
    (ErrorCode::Connection, "no route to host"),
    (ErrorCode::Connection, "remote disconnected"),
    (ErrorCode::Connection, "eof"),
    // The least specific: Make's ConnectionError (an app that did not
    // answer), Python's ConnectionError, axios's "Network Error".
    (ErrorCode::Connection, "connection error"),
    (ErrorCode::Connection, "network error"),
    // A reply that is not the JSON the client expected.
    (ErrorCode::InvalidJson, "in json at position"),
    (ErrorCode::InvalidJson, "is not valid json"),
    (ErrorCode::InvalidJson, "end of json input"),
    (ErrorCode::InvalidJson, "invalid json"),
    (ErrorCode::InvalidJson, "json decode"),
    (ErrorCode::InvalidJson, "json parse"),
    (ErrorCode::InvalidJson, "json syntax"),
    (ErrorCode::InvalidJson, "malformed json"),
    (ErrorCode::InvalidJson, "of the json data"),
    (ErrorCode::InvalidJson, "expecting value"),
    (ErrorCode::InvalidJson, "looking for beginning of value"),
    (ErrorCode::InvalidJson, "unexpected token at"),
    (ErrorCode::InvalidJson, "invalid start of a value"),
    (
        ErrorCode::InvalidJson,
        "unexpected character encountered while parsing",
    ),
    (ErrorCode::InvalidJson, "no suitable http message converter"),
];

/// Words that say a proxy, not the API, refused the tunnel: its status is
/// about the proxy (rule 2 in the module comment).
pub(super) const PROXY_REFUSED: &[&str] = &[
    "tunnel connection failed",
    "cannot connect to proxy",
    "from proxy after connect",
    "connect tunnel failed",
];

/// Words after which a number is a status. Matched case-insensitively,
/// ignoring `:`, `=`, quotes and spaces between them and the number. Bare
/// `code` is left out: "exit code 137" is not HTTP.
pub(super) const STATUS_WORDS: &[&str] = &[
    "status",
    "status code",
    "statuscode",
    "status_code",
    "error code",
    "response code",
    "response",
    "http code",
    "http",
    "http/1.0",
    "http/1.1",
    "http/2",
    "http/3",
    "error",
    "returned",
    "returned a",
    "returned an",
    "returns",
    "responded with",
    "responded with a",
];

/// Words right after a number that make it a status whatever its reason
/// phrase: Python requests' "409 Client Error: Conflict", urllib3's "too
/// many 503 error responses".
pub(super) const STATUS_SUFFIXES: &[&str] = &["client error", "server error", "error responses"];

/// Words that, just before "not found", say a name did not resolve.
pub(super) const HOST_WORDS: &[&str] = &["host", "hostname", "server", "domain"];

/// Words that, a few words before "not found", say a field is missing.
pub(super) const FIELD_WORDS: &[&str] = &["field", "column", "property", "attribute"];
