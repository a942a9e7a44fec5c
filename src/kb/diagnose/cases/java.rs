//! Java clients: Spring, `HttpURLConnection`, Micronaut, OkHttp and Jackson.

use super::Case;
use crate::domain::ErrorCode::*;

/// Java. Spring's `DefaultResponseErrorHandler.getErrorMessage` builds
/// "{code} {statusText}: [no body]"; older Spring printed "404 Not Found"
/// (sozialhelden/wheelmap-android #42). `HttpURLConnection` throws
/// "Server returned HTTP response code: N for URL: …" (blangel/wrk #4,
/// btk5h/reqn #13, elimu-ai/webapp #124) and FileNotFoundException for a 404
/// (spring-framework #27380). Micronaut from micronaut-core #1090.
/// Failures without a status: RestTemplate's ResourceAccessException in
/// sozialhelden/wheelmap-android #63 and #23 and spring-projects/spring-ai
/// #3480; PKIX in swiftinc/gpi-v4-demo #13 and lysine-dev/retrofit #745;
/// connections in zalando-zmon/zmon-controller #668, rastating/DroidBeard
/// #79, com-lihaoyi/requests-scala #103, openMF/DataImportTool #37;
/// Jackson in JMCuixy/swagger2word #42 and SKCraft/Launcher #326; OkHttp
/// in lysine-dev/okhttp #1867 and #3758 and lysine-dev/retrofit #2718;
/// certificate names in Chora10/Cknife #14, opengoofy/hippo4j #1190 and
/// flightstats/hub #112.
pub(super) const JAVA: &[Case] = &[
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
        "HttpClientErrorException$UnprocessableEntity: 422 Unprocessable Entity: [no body]",
        Some(UnprocessableEntity),
        Some(422),
    ),
    (
        "HttpServerErrorException$ServiceUnavailable: 503 Service Unavailable: [no body]",
        Some(ServiceUnavailable),
        Some(503),
    ),
    (
        "java.io.IOException: Server returned HTTP response code: 401 for URL: https://trello.com/1/members/my/cards",
        Some(Unauthorized),
        Some(401),
    ),
    (
        "java.io.IOException: Server returned HTTP response code: 400",
        Some(BadRequest),
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
    (
        "org.springframework.web.client.ResourceAccessException: I/O error: barclaysbankplc.tt.omtrdc.net; nested exception is java.net.UnknownHostException: barclaysbankplc.tt.omtrdc.net",
        Some(Dns),
        None,
    ),
    (
        "org.springframework.web.client.ResourceAccessException: I/O error: null; nested exception is java.net.SocketTimeoutException",
        Some(Timeout),
        None,
    ),
    (
        "org.springframework.web.client.ResourceAccessException: I/O error on POST request for \"https://api.siliconflow.cn/v1/chat/completions\": Timeout on blocking read for 5000000000 NANOSECONDS",
        Some(Timeout),
        None,
    ),
    (
        "javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
        Some(Tls),
        None,
    ),
    (
        "Exception in thread \"main\" retrofit.RetrofitError: sun.security.validator.ValidatorException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
        Some(Tls),
        None,
    ),
    (
        "HttpHostConnectException: Connect to localhost:8080 [localhost/127.0.0.1] failed: Connection refused (Connection refused)",
        Some(Connection),
        None,
    ),
    (
        "org.apache.http.conn.HttpHostConnectException: Connection to http://192.168.1.1:8080 refused",
        Some(Connection),
        None,
    ),
    (
        "Exception in thread \"main\" java.net.ConnectException: Connection refused (Connection refused)",
        Some(Connection),
        None,
    ),
    (
        "java.lang.IllegalStateException: java.net.ConnectException: Connection refused:\nconnect",
        Some(Connection),
        None,
    ),
    (
        "com.fasterxml.jackson.core.JsonParseException: Unexpected character ('<' (code 60)): expected a valid value (number, String, array, object, 'true', 'false' or 'null')",
        Some(InvalidJson),
        None,
    ),
    (
        "com.fasterxml.jackson.core.JsonParseException: Unexpected character ('<' (code 60)): expected a valid value (number, String, array, object, 'true', 'false' or 'null')\n at [Source: java.io.StringReader@3e00008e; line: 1, column: 2]",
        Some(InvalidJson),
        None,
    ),
    (
        "java.io.IOException: unexpected end of stream on Connection{api.laifeng.com:80, proxy=DIRECT@ hostAddress=106.38.221.245 cipherSuite=none protocol=http/1.1} (recycle count=0)\nCaused by: java.io.EOFException: \\n not found: size=416.",
        Some(Connection),
        None,
    ),
    (
        "java.io.IOException: unexpected end of stream on Connection{sjkh.stocke.com.cn:443, proxy=DIRECT hostAddress=sjkh.stocke.com.cn/115.236.66.22:443 cipherSuite=TLS_RSA_WITH_AES_128_GCM_SHA256 protocol=http/1.1}",
        Some(Connection),
        None,
    ),
    (
        "java.io.IOException: unexpected end of stream on okhttp3.Address@34845fb\nat okhttp3.internal.http.Http1xStream.readResponse(Http1xStream.java:199)",
        Some(Connection),
        None,
    ),
    (
        "java.security.cert.CertificateException: No subject alternative names present",
        Some(Tls),
        None,
    ),
    (
        "javax.net.ssl.SSLHandshakeException: No subject alternative DNS name matching open.feishu.cn found.",
        Some(Tls),
        None,
    ),
    (
        "com.sun.jersey.api.client.ClientHandlerException: javax.net.ssl.SSLHandshakeException: java.security.cert.CertificateException: No subject alternative DNS name matching encrypted-hub-v2-03.cloud-east.staging found.",
        Some(Tls),
        None,
    ),
];
