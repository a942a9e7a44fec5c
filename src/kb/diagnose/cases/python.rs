//! Python clients: requests and urllib3, the standard library's urllib,
//! httpx, aiohttp, botocore and Werkzeug/Flask.

use super::Case;
use crate::domain::ErrorCode::*;

/// Python requests: `Response.raise_for_status` in `requests/models.py`
/// formats "%s Client Error: %s for url: %s" and "%s Server Error: …".
/// Pasted in drf-social-oauth2 issue #26, "Automate the Boring Stuff" and
/// Cray-HPE/docs-csm (`operations/kubernetes/csm-service-upgrade-FAILED.md`,
/// 2022).
pub(super) const PYTHON_REQUESTS: &[Case] = &[
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
        Some(BadGateway),
        Some(502),
    ),
    (
        "503 Server Error: Service Unavailable for url: https://api.example.com/v1/items",
        Some(ServiceUnavailable),
        Some(503),
    ),
    (
        "ERROR: 503 Server Error: Service Unavailable for url: http://cray-sls/v1/search/hardware?type=comptype_cabinet",
        Some(ServiceUnavailable),
        Some(503),
    ),
    (
        "400 Client Error: Bad Request for url: https://api.example.com/v1/items",
        Some(BadRequest),
        Some(400),
    ),
    (
        "405 Client Error: Method Not Allowed for url: https://api.example.com/v1/items/42",
        Some(MethodNotAllowed),
        Some(405),
    ),
    (
        "409 Client Error: Conflict for url: https://api.example.com/v1/items",
        Some(Conflict),
        Some(409),
    ),
    (
        "413 Client Error: Request Entity Too Large for url: https://api.example.com/v1/files",
        Some(PayloadTooLarge),
        Some(413),
    ),
    (
        "415 Client Error: Unsupported Media Type for url: https://api.example.com/v1/items",
        Some(UnsupportedMediaType),
        Some(415),
    ),
    (
        "422 Client Error: Unprocessable Entity for url: https://api.example.com/v1/items",
        Some(UnprocessableEntity),
        Some(422),
    ),
    (
        "504 Server Error: Gateway Timeout for url: https://api.example.com/v1/items",
        Some(GatewayTimeout),
        Some(504),
    ),
];

/// Python requests and urllib3 when no status came back, or after retries.
/// urllib3's MaxRetryError wraps the cause; its ResponseError reads "too
/// many {status_code} error responses" (`urllib3/exceptions.py`). Pasted in
/// thp/urlwatch #262 and #505, psf/requests #4189, #4963 and #2410,
/// blaylockbk/Herbie #375, urllib3 #2189, stevezau/media_preview_generator
/// #22, pymedusa/Medusa #8005, GauravSingh9356/J.A.R.V.I.S #51,
/// bugsuse/pytropomi #2, Koodous/python-sdk #18 and Cray-HPE/docs-csm
/// (`csm-service-upgrade-FAILED.md`); the Zapier timeout from a luhhu.com
/// write-up on Zapier timeouts.
pub(super) const PYTHON_REQUESTS_NETWORK: &[Case] = &[
    (
        "HTTPConnectionPool(host='randomwebsite.com', port=80): Max retries exceeded with url: / (Caused by NewConnectionError('<requests.packages.urllib3.connection.HTTPConnection object at 0x7f5aee6bae80>: Failed to establish a new connection: [Errno 111] Connection refused',))",
        Some(Connection),
        None,
    ),
    (
        "HTTPConnectionPool(host='xxx', port=xxx): Max retries exceeded with url: /Upload/Processing.aspx (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f79f9c9c1d0>: Failed to establish a new connection: [Errno 113] No route to host',))",
        Some(Connection),
        None,
    ),
    (
        "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='ecmwf-forecasts.s3.eu-central-1.amazonaws.com', port=443): Max retries exceeded with url: /20240202/06z/0p25/oper/20240202060000-0h-oper-fc.index (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f551fb6fa90>: Failed to establish a new connection: [Errno 101] Network is unreachable'))",
        Some(Connection),
        None,
    ),
    (
        "urllib3.exceptions.NewConnectionError: <urllib3.connection.HTTPConnection object at 0x02D87DB0>: Failed to establish a new connection: [WinError 10061] No connection could be made because the target machine actively refused it",
        Some(Connection),
        None,
    ),
    (
        "HTTPSConnectionPool(host='www.xyz.com', port=443): Max retries exceeded with url: XYZ (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1108)')))",
        Some(Tls),
        None,
    ),
    (
        "requests.exceptions.SSLError: HTTPSConnectionPool(host='api.cloudflare.com', port=443): Max retries exceeded with url: /client/v4/zones (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self signed certificate in certificate chain (_ssl.c:1123)')))",
        Some(Tls),
        None,
    ),
    (
        "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='127.0.0.1', port=32400): Read timed out. (read timeout=30)",
        Some(Timeout),
        None,
    ),
    (
        "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='api.github.com', port=443): Read timed out. (read timeout=15)",
        Some(Timeout),
        None,
    ),
    (
        "urllib3.exceptions.ReadTimeoutError: HTTPConnectionPool(host='....', port=80): Read timed out.",
        Some(Timeout),
        None,
    ),
    (
        "ExternalHTTPSConnectionPool(host='sheets.googleapis.com', port=443): Read timed out. (read timeout=39)",
        Some(Timeout),
        None,
    ),
    (
        "Requests.exceptions.JSONDecodeError: Expecting value: line 1 column 1 (char 0)",
        Some(InvalidJson),
        None,
    ),
    (
        "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)",
        Some(InvalidJson),
        None,
    ),
    (
        "raise JSONDecodeError(\"Expecting value\", s, err.value) from None\njson.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)",
        Some(InvalidJson),
        None,
    ),
    (
        "urllib3.exceptions.MaxRetryError: HTTPConnectionPool(host='cray-dhcp-kea-api', port=8000): Max retries exceeded with url: / (Caused by ResponseError('too many 503 error responses'))",
        Some(ServiceUnavailable),
        Some(503),
    ),
];

/// Python's standard library: `HTTPError.__str__` in `Lib/urllib/error.py`
/// is 'HTTP Error %s: %s' (pasted in google/gmail-oauth2-tools #96), and
/// `URLError.__str__` is '<urlopen error %s>' (pasted in
/// boramalper/himawaripy #71, rcorcs/NatI #11, acheong08/ChatGPT #611);
/// socket.gaierror from pytube/pytube #1776.
pub(super) const PYTHON_URLLIB: &[Case] = &[
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
    ("HTTP Error 502: Bad Gateway", Some(BadGateway), Some(502)),
    ("HTTP Error 400: Bad Request", Some(BadRequest), Some(400)),
    (
        "HTTP Error 405: Method Not Allowed",
        Some(MethodNotAllowed),
        Some(405),
    ),
    (
        "urllib.error.URLError: <urlopen error [Errno -3] Temporary failure in name resolution>",
        Some(Dns),
        None,
    ),
    (
        "URLError: <urlopen error [Errno -2] Name or service not known>",
        Some(Dns),
        None,
    ),
    (
        "URLError: <urlopen error [Errno 8] nodename nor servname provided, or not known>",
        Some(Dns),
        None,
    ),
    (
        "socket.gaierror: [Errno -3] Temporary failure in name resolution",
        Some(Dns),
        None,
    ),
];

/// httpx: `Response.raise_for_status` in `httpx/_models.py`, "Client error
/// '404 Not Found' for url '…'" and a link to MDN. Pasted in a
/// huggingface_hub traceback and keboola-mcp-server's tests; "500 Server
/// Error" is a reason phrase a server chose, from an inferno validator log.
/// Transport errors from encode/httpx #3017, JartanFTW/Trade-Notifier #61
/// and basic-bgnr/NepseUnofficialApi #9.
pub(super) const PYTHON_HTTPX: &[Case] = &[
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
    (
        "Client error '409 Conflict' for url 'https://api.example.com/v1/items'\nFor more information check: https://developer.mozilla.org/en-US/docs/Web/HTTP/Status/409",
        Some(Conflict),
        Some(409),
    ),
    (
        "httpx.ConnectError: [Errno 65] No route to host",
        Some(Connection),
        None,
    ),
    (
        "httpx.ConnectTimeout: _ssl.c:983: The handshake operation timed out",
        Some(Timeout),
        None,
    ),
    (
        "httpx.ReadTimeout: The read operation timed out",
        Some(Timeout),
        None,
    ),
    (
        "httpx.ConnectError: [Errno 11001] getaddrinfo failed",
        Some(Dns),
        None,
    ),
    ("httpx.ConnectTimeout: timed out", Some(Timeout), None),
];

/// aiohttp: `ClientResponseError.__str__` in `aiohttp/client_exceptions.py`,
/// f"{self.status}, message={self.message!r}, url={…!r}".
pub(super) const PYTHON_AIOHTTP: &[Case] = &[
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
    (
        "aiohttp.client_exceptions.ClientResponseError: 415, message='Unsupported Media Type', url='https://api.example.com/v1/items'",
        Some(UnsupportedMediaType),
        Some(415),
    ),
];

/// botocore: `ClientError` formats "An error occurred ({code}) when calling
/// the {operation} operation: {message}". Pasted in aws-samples/
/// aws-rds-snapshot-management issue #6, aiobotocore issue #1005,
/// aws-samples/aws-python-sample issue #7 and SageMaker's issue tracker.
pub(super) const PYTHON_BOTOCORE: &[Case] = &[
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
        Some(GatewayTimeout),
        Some(504),
    ),
];

/// Werkzeug/Flask: `HTTPException.__str__` is "{code} {name}: {description}".
/// Pasted in infiniflow/ragflow issue #9601.
pub(super) const PYTHON_WERKZEUG: &[Case] = &[(
    "werkzeug.exceptions.Unauthorized: 401 Unauthorized: The server could not verify that you are authorized to access the URL requested.",
    Some(Unauthorized),
    Some(401),
)];
