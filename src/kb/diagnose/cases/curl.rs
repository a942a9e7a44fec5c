//! curl, the command-line tool: `--fail`'s error 22 and curl's exit codes.

use super::Case;
use crate::domain::ErrorCode::*;

/// curl: with --fail, lib/http.c reports "The requested URL returned error:
/// %d" as error 22; the other numbers are curl's exit codes (the
/// libcurl-errors documentation). Pasted: error 22 in
/// yeongpin/cursor-free-vip #157, ChrisTitusTech/dwm-titus #79,
/// rcourtman/Pulse #667, habari #346; (6) in brcly/linuwux-runtime #35; (7)
/// in curl/curl #9358, cisco/libest #122, microsoft/msphpsql #294; (52) in
/// lisong/code-push-server #166; (56) in curl/curl #1016; (35) in
/// golang/go #48681; (60) in openssl/openssl #2833 and holzschu/a-shell
/// #932.
pub(super) const CURL: &[Case] = &[
    (
        "curl: (22) The requested URL returned error: 404",
        Some(NotFound),
        Some(404),
    ),
    (
        "CURL error 22: The requested URL returned error: 404 in /XYZ/htdocs/habari/system/classes/curlrequestprocessor.php:133",
        Some(NotFound),
        Some(404),
    ),
    (
        "curl: (22) The requested URL returned error: 401",
        Some(Unauthorized),
        Some(401),
    ),
    (
        "curl: (22) The requested URL returned error: 403",
        Some(Forbidden),
        Some(403),
    ),
    (
        "curl: (22) The requested URL returned error: 429",
        Some(TooManyRequests),
        Some(429),
    ),
    (
        "curl: (22) The requested URL returned error: 500",
        Some(InternalServerError),
        Some(500),
    ),
    (
        "curl: (22) The requested URL returned error: 503",
        Some(ServiceUnavailable),
        Some(503),
    ),
    (
        "curl: (22) The requested URL returned error: 413",
        Some(PayloadTooLarge),
        Some(413),
    ),
    (
        "curl: (6) Could not resolve host: install.sh",
        Some(Dns),
        None,
    ),
    (
        "curl: (7) Failed to connect to 127.0.0.1 port 20170: Connection refused",
        Some(Connection),
        None,
    ),
    (
        "curl: (7) Failed to connect to testrfc7030.com port 8443 after 293 ms: Connection refused",
        Some(Connection),
        None,
    ),
    (
        "curl: (7) Failed connect to packages.microsoft.com:443; connect refused",
        Some(Connection),
        None,
    ),
    ("curl: (52) Empty reply from server", Some(Connection), None),
    (
        "curl: (56) Recv failure: Connection reset by peer",
        Some(Connection),
        None,
    ),
    (
        "curl: (35) OpenSSL SSL_connect: Connection reset by peer in connection to golang.org:443",
        Some(Tls),
        None,
    ),
    (
        "curl: (60) SSL certificate problem: unable to get local issuer certificate",
        Some(Tls),
        None,
    ),
    (
        "curl: (60) SSL certificate problem: unable to get local issuer certificate\nMore details here: https://curl.se/docs/sslcerts.html",
        Some(Tls),
        None,
    ),
];
