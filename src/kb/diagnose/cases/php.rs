//! PHP: Guzzle, and curl's errors as PHP clients print them.

use super::Case;
use crate::domain::ErrorCode::*;

/// PHP Guzzle: `RequestException::create` formats "%s: `%s %s` resulted in
/// a `%s %s` response"; curl failures become "cURL error %d: %s (see
/// https://curl.haxx.se/libcurl/c/libcurl-errors.html)". Pasted in guzzle
/// #2377, #1847 and #3016, GetStream/stream-chat-php #101, onekb/ChatGPT
/// #5, curl/curl #7487 (another PHP client printing curl's error).
pub(super) const PHP_GUZZLE: &[Case] = &[
    (
        "Client error: `GET https://api.example.com/v1/items/42` resulted in a `404 Not Found` response",
        Some(NotFound),
        Some(404),
    ),
    (
        "Client error: `POST https://api.example.com/oauth/token` resulted in a `401 Unauthorized` response",
        Some(Unauthorized),
        Some(401),
    ),
    (
        "Server error: `POST https://api.example.com/v1/orders` resulted in a `500 Internal Server Error` response",
        Some(InternalServerError),
        Some(500),
    ),
    (
        "Client error: `POST https://api.example.com/v1/orders` resulted in a `422 Unprocessable Entity` response",
        Some(UnprocessableEntity),
        Some(422),
    ),
    (
        "Server error: `GET https://api.example.com/v1/orders` resulted in a `504 Gateway Time-out` response",
        Some(GatewayTimeout),
        Some(504),
    ),
    (
        "Client error: `PUT https://api.example.com/v1/orders/7` resulted in a `405 Method Not Allowed` response",
        Some(MethodNotAllowed),
        Some(405),
    ),
    (
        "cURL error 28: Connection timed out after 4514 milliseconds (see http://curl.haxx.se/libcurl/c/libcurl-errors.html)",
        Some(Timeout),
        None,
    ),
    (
        "Fatal error: Uncaught exception 'GuzzleHttp\\Exception\\ConnectException' with message 'cURL error 28: Operation timed out after 0 milliseconds with 0 out of 0 bytes received (see http://curl.haxx.se/libcurl/c/libcurl-errors.html)",
        Some(Timeout),
        None,
    ),
    (
        "GuzzleHttp\\Exception\\ConnectException: cURL error 28: Operation timed out after 67171 milliseconds",
        Some(Timeout),
        None,
    ),
    (
        "cURL error 28: Operation timed out after 3000 milliseconds with 0 bytes received (see https://curl.haxx.se/libcurl/c/libcurl-errors.html) for https://chat.stream-io-api.com/channels?api_key=XXX",
        Some(Timeout),
        None,
    ),
    (
        "[GuzzleHttp\\Exception\\RequestException]\n  cURL error 60: SSL certificate problem: unable to get local issuer certificate (see https://curl.haxx.se/libcurl/c/libcurl-errors.html) for https://chat.openai.com/api/auth/session",
        Some(Tls),
        None,
    ),
    (
        "cURL error 7: Failed to connect to exchapi port 1337: Connection refused (see http://curl.haxx.se/libcurl/c/libcurl-errors.html)",
        Some(Connection),
        None,
    ),
];
