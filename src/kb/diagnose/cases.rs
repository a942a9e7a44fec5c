//! Real error messages as common clients print them, each with the guide it
//! must reach: `(message, code, status)`. `code` is one of the five trees or
//! `None` (the `other` page); `status` is the HTTP status the page names.
//!
//! Every group names where its messages come from: the client's own source
//! or documentation, or an issue where someone pasted what they saw. Pasted
//! messages are copied as printed (only a long URL, token or body may be cut
//! short). Where a group's source is a format string, some of its messages
//! fill that exact format with another status or a placeholder URL
//! (`api.example.com`); the group's comment names the format. Nothing here
//! is written to fit the recogniser.

use super::diagnose;
use crate::domain::ErrorCode::{self, *};

type Case = (&'static str, Option<ErrorCode>, Option<u16>);

/// Python requests: `Response.raise_for_status` in `requests/models.py`
/// formats "%s Client Error: %s for url: %s" and "%s Server Error: …".
/// Pasted in drf-social-oauth2 issue #26 and "Automate the Boring Stuff".
const PYTHON_REQUESTS: &[Case] = &[
    (
        "requests.exceptions.HTTPError: 404 Client Error: Not Found for url: http://inventwithpython.com/page_that_does_not_exist",
        Some(NotFound),
        Some(404),
    ),
    (
        "401 Client Error: Unauthorized for url: https://www.googleapis.com/oauth2/v3/userinfo",
        Some(Unauthorized),
        Some(401),
    ),
    (
        "403 Client Error: Forbidden for url: https://api.example.com/v1/items",
        Some(Forbidden),
        Some(403),
    ),
    (
        "429 Client Error: Too Many Requests for url: https://api.example.com/v1/items",
        Some(TooManyRequests),
        Some(429),
    ),
    (
        "500 Server Error: Internal Server Error for url: https://api.example.com/v1/items",
        Some(InternalServerError),
        Some(500),
    ),
    (
        "502 Server Error: Bad Gateway for url: https://api.example.com/v1/items",
        None,
        Some(502),
    ),
    (
        "503 Server Error: Service Unavailable for url: https://api.example.com/v1/items",
        None,
        Some(503),
    ),
];

/// Python's standard library: `HTTPError.__str__` in `Lib/urllib/error.py`
/// is 'HTTP Error %s: %s'. Pasted in google/gmail-oauth2-tools issue #96.
const PYTHON_URLLIB: &[Case] = &[
    (
        "urllib.error.HTTPError: HTTP Error 401: Unauthorized",
        Some(Unauthorized),
        Some(401),
    ),
    ("HTTP Error 403: Forbidden", Some(Forbidden), Some(403)),
    ("HTTP Error 404: Not Found", Some(NotFound), Some(404)),
    (
        "HTTP Error 429: Too Many Requests",
        Some(TooManyRequests),
        Some(429),
    ),
    ("HTTP Error 502: Bad Gateway", None, Some(502)),
];

/// httpx: `Response.raise_for_status` in `httpx/_models.py`, "Client error
/// '404 Not Found' for url '…'" and a link to MDN. Pasted in a
/// huggingface_hub traceback and keboola-mcp-server's tests; "500 Server
/// Error" is a reason phrase a server chose, from an inferno validator log.
const PYTHON_HTTPX: &[Case] = &[
    (
        "httpx.HTTPStatusError: Client error '404 Not Found' for url 'https://huggingface.co/FlameF0X/LFM2-2.6B-Thinking/resolve/main/config.json'\nFor more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/404",
        Some(NotFound),
        Some(404),
    ),
    (
        "Client error '401 Unauthorized' for url 'https://api.example.com/v1/items'\nFor more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/401",
        Some(Unauthorized),
        Some(401),
    ),
    (
        "Validation failed: Server error '500 Server Error' for url 'https://inferno.healthit.gov/validatorapi/validate'\nFor more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/500",
        Some(InternalServerError),
        Some(500),
    ),
];

/// aiohttp: `ClientResponseError.__str__` in `aiohttp/client_exceptions.py`,
/// f"{self.status}, message={self.message!r}, url={…!r}".
const PYTHON_AIOHTTP: &[Case] = &[
    (
        "aiohttp.client_exceptions.ClientResponseError: 404, message='Not Found', url='https://api.example.com/v1/items/42'",
        Some(NotFound),
        Some(404),
    ),
    (
        "429, message='Too Many Requests', url='https://api.example.com/v1/items'",
        Some(TooManyRequests),
        Some(429),
    ),
    (
        "401, message='Unauthorized', url='https://api.example.com/v1/items'",
        Some(Unauthorized),
        Some(401),
    ),
];

/// botocore: `ClientError` formats "An error occurred ({code}) when calling
/// the {operation} operation: {message}". Pasted in aws-samples/
/// aws-rds-snapshot-management issue #6, aiobotocore issue #1005,
/// aws-samples/aws-python-sample issue #7 and SageMaker's issue tracker.
const PYTHON_BOTOCORE: &[Case] = &[
    (
        "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the GetObject operation: Access Denied",
        Some(Forbidden),
        Some(403),
    ),
    (
        "An error occurred (AccessDenied) when calling the CreateBucket operation: Access Denied",
        Some(Forbidden),
        Some(403),
    ),
    (
        "ModelError: An error occurred (ModelError) when calling the InvokeEndpoint operation: Received server error (504) from model with message \"<html>\n<head><title>504 Gateway Time-out</title></head>",
        None,
        Some(504),
    ),
];

/// Werkzeug/Flask: `HTTPException.__str__` is "{code} {name}: {description}".
/// Pasted in infiniflow/ragflow issue #9601.
const PYTHON_WERKZEUG: &[Case] = &[(
    "werkzeug.exceptions.Unauthorized: 401 Unauthorized: The server could not verify that you are authorized to access the URL requested.",
    Some(Unauthorized),
    Some(401),
)];

/// axios: `settle` in `lib/core/settle.js` rejects with "Request failed with
/// status code " + response.status.
const NODE_AXIOS: &[Case] = &[
    (
        "AxiosError: Request failed with status code 401",
        Some(Unauthorized),
        Some(401),
    ),
    (
        "Request failed with status code 403",
        Some(Forbidden),
        Some(403),
    ),
    (
        "Request failed with status code 404",
        Some(NotFound),
        Some(404),
    ),
    (
        "Request failed with status code 429",
        Some(TooManyRequests),
        Some(429),
    ),
    (
        "Request failed with status code 500",
        Some(InternalServerError),
        Some(500),
    ),
    ("Request failed with status code 502", None, Some(502)),
    ("Request failed with status code 504", None, Some(504)),
];

/// Node.js system errors ("Common system errors" in the Node.js errors
/// documentation), in the "{syscall} {code} {address}:{port}" form Node
/// prints. None is an HTTP status; trees for them come later.
const NODE_SYSTEM: &[Case] = &[
    ("Error: connect ECONNREFUSED 127.0.0.1:443", None, None),
    ("getaddrinfo ENOTFOUND api.example.com", None, None),
    ("Error: read ECONNRESET", None, None),
    ("Error: connect ETIMEDOUT 10.0.0.12:443", None, None),
];

/// curl with --fail: lib/http.c reports "The requested URL returned error:
/// %d" as error 22. Pasted in yeongpin/cursor-free-vip #157,
/// ChrisTitusTech/dwm-titus #79, rcourtman/Pulse #667, habari #346;
/// "Could not resolve host" (error 6) in brcly/linuwux-runtime #35.
const CURL: &[Case] = &[
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
        None,
        Some(503),
    ),
    ("curl: (6) Could not resolve host: install.sh", None, None),
];

/// .NET: `HttpResponseMessage.EnsureSuccessStatusCode` throws
/// HttpRequestException "Response status code does not indicate success:
/// {code} ({reason})." (quoted verbatim in several projects' tests); the
/// older WebClient "The remote server returned an error: (401)
/// Unauthorized." from DotNetOpenAuth issue #341.
const DOTNET: &[Case] = &[
    (
        "Response status code does not indicate success: 404 (Not Found).",
        Some(NotFound),
        Some(404),
    ),
    (
        "Response status code does not indicate success: 401 (Unauthorized).",
        Some(Unauthorized),
        Some(401),
    ),
    (
        "Response status code does not indicate success: 502 (Bad Gateway).",
        None,
        Some(502),
    ),
    (
        "The remote server returned an error: (401) Unauthorized.",
        Some(Unauthorized),
        Some(401),
    ),
];

/// Java. Spring's `DefaultResponseErrorHandler.getErrorMessage` builds
/// "{code} {statusText}: [no body]"; older Spring printed "404 Not Found"
/// (sozialhelden/wheelmap-android #42). `HttpURLConnection` throws
/// "Server returned HTTP response code: N for URL: …" (blangel/wrk #4,
/// btk5h/reqn #13, elimu-ai/webapp #124) and FileNotFoundException for a 404
/// (spring-framework #27380). Micronaut from micronaut-core #1090.
const JAVA: &[Case] = &[
    (
        "org.springframework.web.client.HttpClientErrorException$NotFound: 404 Not Found: [no body]",
        Some(NotFound),
        Some(404),
    ),
    (
        "org.springframework.web.client.HttpClientErrorException: 404 Not Found",
        Some(NotFound),
        Some(404),
    ),
    (
        "HttpClientErrorException$Unauthorized: 401 Unauthorized: [no body]",
        Some(Unauthorized),
        Some(401),
    ),
    (
        "HttpServerErrorException$InternalServerError: 500 Internal Server Error: [no body]",
        Some(InternalServerError),
        Some(500),
    ),
    (
        "java.io.IOException: Server returned HTTP response code: 401 for URL: https://trello.com/1/members/my/cards",
        Some(Unauthorized),
        Some(401),
    ),
    (
        "java.io.IOException: Server returned HTTP response code: 400",
        None,
        Some(400),
    ),
    (
        "Caused by: java.io.FileNotFoundException: https://exanple.com/fancy-api/request",
        Some(NotFound),
        Some(404),
    ),
    (
        "io.micronaut.http.client.exceptions.HttpClientResponseException: Not Found",
        Some(NotFound),
        Some(404),
    ),
];

/// Ruby. Faraday's RaiseError middleware: "the server responded with status
/// N" (Founden/doers #69, samvera/hyku #779). Net::HTTP's
/// `HTTPResponse#error!` raises `@code + ' ' + @message.dump`.
const RUBY: &[Case] = &[
    (
        "Faraday::ResourceNotFound: the server responded with status 404",
        Some(NotFound),
        Some(404),
    ),
    (
        "Faraday::UnauthorizedError: the server responded with status 401",
        Some(Unauthorized),
        Some(401),
    ),
    (
        "Faraday::ServerError: the server responded with status 500",
        Some(InternalServerError),
        Some(500),
    ),
    (
        "Net::HTTPClientException: 404 \"Not Found\"",
        Some(NotFound),
        Some(404),
    ),
    (
        "Net::HTTPFatalError: 503 \"Service Unavailable\"",
        None,
        Some(503),
    ),
];

/// PHP Guzzle: `RequestException::create` formats "%s: `%s %s` resulted in
/// a `%s %s` response".
const PHP_GUZZLE: &[Case] = &[
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
];

/// Go. golang.org/x/oauth2 "oauth2: cannot fetch token: {status}\nResponse:
/// {body}" (auth0-samples/auth0-golang-web-app #2, prasmussen/gdrive #652);
/// google-api-go-client "googleapi: Error N: …" (prasmussen/gdrive #426,
/// where Google answers a rate limit with 403); net/http's client timeout
/// (projectdiscovery/httpx #210); a bare `resp.Status` (1268/google #30).
const GO: &[Case] = &[
    (
        "oauth2: cannot fetch token: 401 Unauthorized\nResponse: {\"error\":\"access_denied\",\"error_description\":\"Unauthorized\"}",
        Some(Unauthorized),
        Some(401),
    ),
    (
        "Failed to get file: googleapi: Error 403: Rate Limit Exceeded, rateLimitExceeded",
        Some(Forbidden),
        Some(403),
    ),
    ("panic: 403 Forbidden", Some(Forbidden), Some(403)),
    (
        "Get \"http://jigsaw.w3.org\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
        None,
        None,
    ),
];

/// Other clients quoting a status: Raku's Cro::HTTP (croservices/cro-http
/// #163), Dart's oauth2_client (teranetsrl/oauth2_client #145), a Go tool
/// wrapping an API (stevegt/grokker).
const OTHER_CLIENTS: &[Case] = &[
    (
        "Server responded with 404 Not Found",
        Some(NotFound),
        Some(404),
    ),
    (
        "Exception: Provider error 401: invalid_client: Unauthorized",
        Some(Unauthorized),
        Some(401),
    ),
    (
        "Perplexity API returned status 401: <html>\n<head><title>401 Authorization Required</title></head>",
        Some(Unauthorized),
        Some(401),
    ),
];

/// nginx's own error pages (`ngx_http_special_response.c`), as pasted from
/// curl output in Kubernetes ingress write-ups and tests.
const NGINX_PAGES: &[Case] = &[
    (
        "<html>\n<head><title>401 Authorization Required</title></head>\n<body>\n<center><h1>401 Authorization Required</h1></center>\n<hr><center>nginx</center>",
        Some(Unauthorized),
        Some(401),
    ),
    (
        "<html>\n<head><title>502 Bad Gateway</title></head>",
        None,
        Some(502),
    ),
    (
        "<html>\n<head><title>503 Service Temporarily Unavailable</title></head>",
        None,
        Some(503),
    ),
    (
        "<html>\n<head><title>504 Gateway Time-out</title></head>\n<body>\n<center><h1>504 Gateway Time-out</h1></center>\n<hr><center>nginx/1.15.8</center>",
        None,
        Some(504),
    ),
];

/// OAuth 2.0 bearer tokens, RFC 6750 section 3: the error code
/// `invalid_token` in the WWW-Authenticate challenge of a 401.
const OAUTH_BEARER: &[Case] = &[(
    "WWW-Authenticate: Bearer realm=\"example\", error=\"invalid_token\", error_description=\"The access token expired\"",
    Some(Unauthorized),
    Some(401),
)];

/// Workato: the HTTP connector's job error (docs.workato.com, "Error type
/// IDs" and "HTTP error handling") has error_message "HTTP 404 error" and
/// error_type "404 Not Found"; "General error codes" lists the others.
const WORKATO: &[Case] = &[
    ("HTTP 404 error", Some(NotFound), Some(404)),
    ("HTTP 500 error", Some(InternalServerError), Some(500)),
    ("404 Not Found", Some(NotFound), Some(404)),
    ("401 Unauthorized", Some(Unauthorized), Some(401)),
    ("403 Forbidden", Some(Forbidden), Some(403)),
    ("422 Unprocessable Entity", None, Some(422)),
];

/// Zapier's help centre: "Fix 'Not authenticated' or 'Unauthorized' errors
/// in Zaps". Make's help centre: "the RateLimitError … corresponds to the
/// HTTP 429 Too Many Requests error code".
const ZAPIER_AND_MAKE: &[Case] = &[
    ("Unauthorized", Some(Unauthorized), Some(401)),
    ("RateLimitError", Some(TooManyRequests), Some(429)),
];

/// Failures before any HTTP status: no tree yet, so `other` with no status.
/// Python requests/urllib3 (thp/urlwatch #262, psf/requests #4189 and
/// #4963, blaylockbk/Herbie #375); Go's resolver (BishopFox/sj #12,
/// styxyang/dnsmasq-chinadns #8) and TLS (ccpopy/antissh #27); .NET's
/// resolver (gwdevhub/Daybreak #1042); axios timeouts and connect errors
/// (C2DH/journal-of-digital-history #121, axios #489).
const NETWORK_FAILURES: &[Case] = &[
    (
        "HTTPConnectionPool(host='randomwebsite.com', port=80): Max retries exceeded with url: / (Caused by NewConnectionError('<requests.packages.urllib3.connection.HTTPConnection object at 0x7f5aee6bae80>: Failed to establish a new connection: [Errno 111] Connection refused',))",
        None,
        None,
    ),
    (
        "HTTPConnectionPool(host='xxx', port=xxx): Max retries exceeded with url: /Upload/Processing.aspx (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f79f9c9c1d0>: Failed to establish a new connection: [Errno 113] No route to host',))",
        None,
        None,
    ),
    (
        "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='ecmwf-forecasts.s3.eu-central-1.amazonaws.com', port=443): Max retries exceeded with url: /20240202/06z/0p25/oper/20240202060000-0h-oper-fc.index (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f551fb6fa90>: Failed to establish a new connection: [Errno 101] Network is unreachable'))",
        None,
        None,
    ),
    (
        "urllib3.exceptions.NewConnectionError: <urllib3.connection.HTTPConnection object at 0x02D87DB0>: Failed to establish a new connection: [WinError 10061] No connection could be made because the target machine actively refused it",
        None,
        None,
    ),
    (
        "Get \"https://REDACTED.tld/api/route\": dial tcp: lookup REDACTED.tld on 10.10.0.X:53: no such host",
        None,
        None,
    ),
    (
        "[Error] dial tcp: lookup tieba.baidu.com: no such host",
        None,
        None,
    ),
    (
        "tls: failed to verify certificate: x509: certificate is valid for antigravity-unleash.goog, not daily-cloudcode-pa.googleapis.com",
        None,
        None,
    ),
    (
        "System.Net.Http.HttpRequestException: No such host is known. (github.com:443)\n ---> System.Net.Sockets.SocketException (11001): No such host is known.",
        None,
        None,
    ),
    ("Error: timeout of 5000ms exceeded", None, None),
    ("Error: connect ETIMEDOUT 5.4.3.2:80", None, None),
];

const GROUPS: &[(&str, &[Case])] = &[
    ("Python requests", PYTHON_REQUESTS),
    ("Python urllib", PYTHON_URLLIB),
    ("Python httpx", PYTHON_HTTPX),
    ("Python aiohttp", PYTHON_AIOHTTP),
    ("Python botocore", PYTHON_BOTOCORE),
    ("Python werkzeug", PYTHON_WERKZEUG),
    ("Node axios", NODE_AXIOS),
    ("Node system errors", NODE_SYSTEM),
    ("curl", CURL),
    (".NET", DOTNET),
    ("Java", JAVA),
    ("Ruby", RUBY),
    ("PHP Guzzle", PHP_GUZZLE),
    ("Go", GO),
    ("other clients", OTHER_CLIENTS),
    ("nginx pages", NGINX_PAGES),
    ("OAuth bearer", OAUTH_BEARER),
    ("Workato", WORKATO),
    ("Zapier and Make", ZAPIER_AND_MAKE),
    ("network failures", NETWORK_FAILURES),
];

#[test]
fn real_messages_reach_their_tree() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (group, cases) in GROUPS {
        for &(text, code, status) in *cases {
            count += 1;
            let found = diagnose(text);
            if (found.code, found.status) != (code, status) {
                failures.push(format!(
                    "[{group}] {text:?}: expected {code:?}/{status:?}, got {:?}/{:?}",
                    found.code, found.status
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    println!("{count} real messages");
    // The issue asks for 150 in the end; this is the first slice.
    assert!(count >= 40, "only {count} cases");
}
