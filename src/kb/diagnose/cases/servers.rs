//! What servers and proxies in front of an API send back, whatever the
//! client: gateway error pages and the OAuth bearer challenge.

use super::Case;
use crate::domain::ErrorCode::*;

/// Error pages from the servers and proxies in front of an API: nginx's own
/// (`ngx_http_special_response.c`), as pasted from curl output in
/// Kubernetes ingress write-ups and tests, openresty/lua-resty-upload #27
/// and reportportal/kubernetes #456; Envoy's 503 body, from curl and from
/// HashiCorp Vault's Go client in Cray-HPE/docs-csm
/// (`csm-service-upgrade-FAILED.md`,
/// `Power_On_and_Start_the_Management_Kubernetes_Cluster.md`).
pub(super) const GATEWAY_PAGES: &[Case] = &[
    (
        "<html>\n<head><title>401 Authorization Required</title></head>\n<body>\n<center><h1>401 Authorization Required</h1></center>\n<hr><center>nginx</center>",
        Some(Unauthorized),
        Some(401),
    ),
    (
        "<html>\n<head><title>502 Bad Gateway</title></head>",
        Some(BadGateway),
        Some(502),
    ),
    (
        "<html>\n<head><title>503 Service Temporarily Unavailable</title></head>",
        Some(ServiceUnavailable),
        Some(503),
    ),
    (
        "<html>\n<head><title>504 Gateway Time-out</title></head>\n<body>\n<center><h1>504 Gateway Time-out</h1></center>\n<hr><center>nginx/1.15.8</center>",
        Some(GatewayTimeout),
        Some(504),
    ),
    (
        "<html>\n<head><title>413 Request Entity Too Large</title></head>\n<body bgcolor=\"white\">\n<center><h1>413 Request Entity Too Large</h1></center>\n<hr><center>openresty/1.9.15.1</center>\n</body>\n</html>",
        Some(PayloadTooLarge),
        Some(413),
    ),
    (
        "413 Request Entity Too Large",
        Some(PayloadTooLarge),
        Some(413),
    ),
    (
        "upstream connect error or disconnect/reset before headers. reset reason: connection failure",
        Some(ServiceUnavailable),
        Some(503),
    ),
    (
        "panic: Error: &api.ResponseError{HTTPMethod:\"PUT\", URL:\"http://cray-vault.vault:8200/v1/auth/kubernetes/login\", StatusCode:503, RawError:true, Errors:[]string{\"upstream connect error or disconnect/reset before headers. reset reason: connection failure\"}}",
        Some(ServiceUnavailable),
        Some(503),
    ),
];

/// OAuth 2.0 bearer tokens, RFC 6750 section 3: the error code
/// `invalid_token` in the WWW-Authenticate challenge of a 401.
pub(super) const OAUTH_BEARER: &[Case] = &[(
    "WWW-Authenticate: Bearer realm=\"example\", error=\"invalid_token\", error_description=\"The access token expired\"",
    Some(Unauthorized),
    Some(401),
)];
