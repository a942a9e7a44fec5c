//! Go clients: golang.org/x/oauth2, google-api-go-client, net/http and
//! encoding/json.

use super::Case;
use crate::domain::ErrorCode::*;

/// Go. golang.org/x/oauth2 "oauth2: cannot fetch token: {status}\nResponse:
/// {body}" (auth0-samples/auth0-golang-web-app #2, prasmussen/gdrive #652);
/// google-api-go-client "googleapi: Error N: …" (prasmussen/gdrive #426,
/// where Google answers a rate limit with 403); net/http's client timeout
/// (projectdiscovery/httpx #210); a bare `resp.Status` (1268/google #30).
/// net/http's `*url.Error` is `Op "URL": Err`: resolver errors in
/// BishopFox/sj #12 and styxyang/dnsmasq-chinadns #8, TLS in
/// ccpopy/antissh #27 and neucn/ipgw #34, resets in go-resty/resty #676 and
/// golang/go #71934, refused in harness/developer-hub (a Split SDK log), EOF
/// in sashabaranov/go-openai #189, netlify/go-client #10,
/// wechatpay-apiv3/wechatpay-go #158; encoding/json on an HTML page in
/// exercism/v3-beta #310 and cloudfoundry/go-cfclient #327.
pub(super) const GO: &[Case] = &[
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
        Some(Timeout),
        None,
    ),
    (
        "Get \"https://REDACTED.tld/api/route\": dial tcp: lookup REDACTED.tld on 10.10.0.X:53: no such host",
        Some(Dns),
        None,
    ),
    (
        "[Error] dial tcp: lookup tieba.baidu.com: no such host",
        Some(Dns),
        None,
    ),
    (
        "tls: failed to verify certificate: x509: certificate is valid for antigravity-unleash.goog, not daily-cloudcode-pa.googleapis.com",
        Some(Tls),
        None,
    ),
    (
        "Get \"https://ipgw.neu.edu.cn/srun_cas.php?ac_id=1\": x509: certificate signed by unknown authority",
        Some(Tls),
        None,
    ),
    (
        "Post \"http://xx:9000/mq/order/create\": read tcp xx:37158->xx:9000: read: connection reset by peer",
        Some(Connection),
        None,
    ),
    (
        "read tcp xxx->xxx: read: connection reset by peer",
        Some(Connection),
        None,
    ),
    (
        "ERROR - 2021/09/13 12:48:07 Error fetching split changes Get \"https://sdk.split.io/api/splitChanges?since=-1\": dial tcp 151.101.3.9:443: connect: connection refused",
        Some(Connection),
        None,
    ),
    (
        "Completion error: Post \"https://api.openai.com/v1/completions\": EOF",
        Some(Connection),
        None,
    ),
    (
        "Post https://api.netlify.com/api/v1/sites/site-id/deploys: unexpected EOF",
        Some(Connection),
        None,
    ),
    (
        "{\"error\": \"Post \\\"https://api.mch.weixin.qq.com/v3/transfer/batches\\\": EOF\"}",
        Some(Connection),
        None,
    ),
    (
        "Error: failed to parse API error response: invalid character '<' looking for beginning of value",
        Some(InvalidJson),
        None,
    ),
    (
        "error getting /v3/apps/7e7284b3-366f-4da9-8bdc-0cb64ee42a56: error executing request, failed during HTTP request send: Get \"https://api.sys.cfd05.rabobank.nl/v3/apps/7e7284b3-366f-4da9-8bdc-0cb64ee42a56\": invalid character '<' looking for beginning of value",
        Some(InvalidJson),
        None,
    ),
];
