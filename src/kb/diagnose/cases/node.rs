//! Node.js clients: axios, Node's own system and TLS errors, and the
//! built-in fetch (undici).

use super::Case;
use crate::domain::ErrorCode::*;

/// axios: `settle` in `lib/core/settle.js` rejects with `"Request failed
/// with status code " + response.status`; the adapters reject with
/// `"timeout of " + timeout + "ms exceeded"` and, in the browser, "Network
/// Error".
/// Pasted: a timeout in C2DH/journal-of-digital-history #121, "socket hang
/// up" in axios #4245 and in lucadentella/raspberry-dgc #37 (with the
/// request's config printed after it), "read ECONNRESET" in axios #996.
pub(super) const NODE_AXIOS: &[Case] = &[
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
    (
        "Request failed with status code 502",
        Some(BadGateway),
        Some(502),
    ),
    (
        "Request failed with status code 504",
        Some(GatewayTimeout),
        Some(504),
    ),
    (
        "Request failed with status code 400",
        Some(BadRequest),
        Some(400),
    ),
    (
        "Request failed with status code 405",
        Some(MethodNotAllowed),
        Some(405),
    ),
    (
        "Request failed with status code 409",
        Some(Conflict),
        Some(409),
    ),
    (
        "AxiosError: Request failed with status code 413",
        Some(PayloadTooLarge),
        Some(413),
    ),
    (
        "Request failed with status code 415",
        Some(UnsupportedMediaType),
        Some(415),
    ),
    (
        "AxiosError: Request failed with status code 422",
        Some(UnprocessableEntity),
        Some(422),
    ),
    (
        "Request failed with status code 503",
        Some(ServiceUnavailable),
        Some(503),
    ),
    (
        "Request failed with status code 408",
        Some(Timeout),
        Some(408),
    ),
    ("Error: timeout of 5000ms exceeded", Some(Timeout), None),
    ("AxiosError: Network Error", Some(Connection), None),
    (
        "Error: socket hang up\n    at connResetException (internal/errors.js:607:14)\n    at Socket.socketOnEnd (_http_client.js:493:23)\n    at Socket.emit (events.js:327:22)\n    at endReadableNT (internal/streams/readable.js:1327:12)\n    at processTicksAndRejections (internal/process/task_queues.js:80:21) {\n  code: 'ECONNRESET'",
        Some(Connection),
        None,
    ),
    (
        "Error: socket hang up\n    at connResetException (node:internal/errors:691:14)\n    at TLSSocket.socketOnEnd (node:_http_client:471:23)\n    at TLSSocket.emit (node:events:402:35)\n    at endReadableNT (node:internal/streams/readable:1343:12)\n    at processTicksAndRejections (node:internal/process/task_queues:83:21) {\n  code: 'ECONNRESET',\n  config: {\n    transitional: {\n      silentJSONParsing: true,\n      forcedJSONParsing: true,\n      clarifyTimeoutError: false\n    },\n    adapter: [Function: httpAdapter],\n    transformRequest: [ [Function: transformRequest] ],\n    transformResponse: [ [Function: transformResponse] ],\n    timeout: 0,",
        Some(Connection),
        None,
    ),
    (
        "Error: read ECONNRESET\n    at exports._errnoException (util.js:1022:11)\n    at TCP.onread [as _originalOnread] (net.js:572:26)\n  code: 'ECONNRESET',\n  errno: 'ECONNRESET',\n  syscall: 'read',",
        Some(Connection),
        None,
    ),
];

/// Node.js system errors ("Common system errors" in the Node.js errors
/// documentation), in the "{syscall} {code} {address}:{port}" form Node
/// prints; TLS errors from Node's `_tls_wrap`. Pasted: EAI_AGAIN in
/// ever-co/ever-gauzy #6340, FurqanSoftware/node-whois #98,
/// homespun/homebridge-platform-ring-video-doorbell #63, luniehq/lunie
/// #4303; sockets in ranm8/requestify #33, axios #4720 and #489;
/// certificates in
/// axios #3005, nodejs/node #45977, nestjs/axios #578,
/// jira-node/node-jira-client #344, Daplie/node-ssl-root-cas #22.
pub(super) const NODE_SYSTEM: &[Case] = &[
    (
        "Error: connect ECONNREFUSED 127.0.0.1:443",
        Some(Connection),
        None,
    ),
    ("getaddrinfo ENOTFOUND api.example.com", Some(Dns), None),
    ("Error: read ECONNRESET", Some(Connection), None),
    (
        "Error: connect ETIMEDOUT 10.0.0.12:443",
        Some(Timeout),
        None,
    ),
    ("Error: connect ETIMEDOUT 5.4.3.2:80", Some(Timeout), None),
    ("Error: getaddrinfo EAI_AGAIN api", Some(Dns), None),
    (
        "Error: getaddrinfo EAI_AGAIN whois.arin.net\n    at GetAddrInfoReqWrap.onlookup [as oncomplete] (dns.js:60:26) {\n  errno: 'EAI_AGAIN',\n  code: 'EAI_AGAIN',\n  syscall: 'getaddrinfo',\n  hostname: 'whois.arin.net'\n}",
        Some(Dns),
        None,
    ),
    (
        "diagnostic: 'Error: getaddrinfo EAI_AGAIN api.ring.com:443'",
        Some(Dns),
        None,
    ),
    (
        "getaddrinfo EAI_AGAIN staging-db.lunie.io: Request to https://staging-db.lunie.io/v1/graphql failed",
        Some(Dns),
        None,
    ),
    (
        "{ [Error: socket hang up] code: 'ECONNRESET' }",
        Some(Connection),
        None,
    ),
    (
        "Error: read ECONNRESET\n    at TLSWrap.onStreamRead (node:internal/stream_base_commons:220:20)",
        Some(Connection),
        None,
    ),
    (
        "Error: Error: unable to verify the first certificate",
        Some(Tls),
        None,
    ),
    (
        "AxiosError: self signed certificate\n    at TLSSocket.onConnectSecure (_tls_wrap.js:1507:34)\n    at TLSSocket.emit (events.js:376:20)\n    at TLSSocket._finishInit (_tls_wrap.js:932:8)\n    at TLSWrap.ssl.onhandshakedone (_tls_wrap.js:706:12) {\n  code: 'DEPTH_ZERO_SELF_SIGNED_CERT',",
        Some(Tls),
        None,
    ),
    (
        "Error: self signed certificate in certificate chain\n    at TLSSocket.onConnectSecure (node:_tls_wrap:1530:34)",
        Some(Tls),
        None,
    ),
    (
        "Error: unable to verify the first certificate\n    at TLSSocket.onConnectSecure (node:_tls_wrap:1530:34)\n    at TLSSocket.emit (node:events:390:28)\n    at TLSSocket._finishInit (node:_tls_wrap:944:8)\n    at TLSWrap.ssl.onhandshakedone (node:_tls_wrap:725:12) {\n  code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'\n}",
        Some(Tls),
        None,
    ),
    (
        "{\"code\":\"UNABLE_TO_VERIFY_LEAF_SIGNATURE\"}",
        Some(Tls),
        None,
    ),
];

/// Node's built-in fetch (undici) rejects with "TypeError: fetch failed" and
/// puts the reason in `cause`; `JSON.parse` on an HTML page throws V8's
/// "Unexpected token < in JSON at position 0" (newer V8: "… is not valid
/// JSON"). Pasted in mckaywrigley/ai-code-translator #38, nodejs/undici
/// #2182 and #1922, mintme-com/old-wallet #172,
/// holy-unblocker/website-legacy-aio #51, feross/simple-get #70.
pub(super) const NODE_FETCH: &[Case] = &[
    (
        "[TypeError: fetch failed] {\n  cause:  [ConnectTimeoutError: Connect Timeout Error] {\n  name: 'ConnectTimeoutError',\n  code: 'UND_ERR_CONNECT_TIMEOUT',\n  message: 'Connect Timeout Error'\n}",
        Some(Timeout),
        None,
    ),
    (
        "Uncaught TypeError: fetch failed\n    at Object.fetch (node:internal/deps/undici/undici:11522:11)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n    at async REPL3:1:33 {\n  cause: Error [ERR_SOCKET_CONNECTION_TIMEOUT]: Socket connection timeout",
        Some(Timeout),
        None,
    ),
    (
        "TypeError: fetch failed\n   [...]\n  cause: HeadersTimeoutError: Headers Timeout Error\n      at Timeout.onParserTimeout [as callback] (\\node_modules\\undici\\lib\\client.js:906:28)",
        Some(Timeout),
        None,
    ),
    (
        "SyntaxError: Unexpected token < in JSON at position 0",
        Some(InvalidJson),
        None,
    ),
    (
        "SyntaxError: Unexpected token '<', \"<!DOCTYPE \"... is not valid JSON",
        Some(InvalidJson),
        None,
    ),
    (
        "SyntaxError: Unexpected token '<', \"<html>\n<he\"... is not valid JSON",
        Some(InvalidJson),
        None,
    ),
    (
        "SyntaxError: API error: Unexpected token < in JSON at position 0\n    at JSON.parse (<anonymous>)",
        Some(InvalidJson),
        None,
    ),
];
