//! Ruby clients: Faraday, Net::HTTP, OpenSSL and JSON.

use super::Case;
use crate::domain::ErrorCode::*;

/// Ruby. Faraday's RaiseError middleware: "the server responded with status
/// N" (Founden/doers #69, samvera/hyku #779). Net::HTTP's
/// `HTTPResponse#error!` raises `@code + ' ' + @message.dump`. Failures
/// without a status: Faraday::ConnectionFailed in EBWiki/EBWiki #874,
/// samvera/hyku #794, lostisland/faraday #704, railslink/railslink #33,
/// avinashbot/redd #25; OpenSSL in ruby/openssl #99, ruby/rubygems #2415,
/// fastlane/fastlane #4267; Net::ReadTimeout in peach-hack/auto-matching
/// #409 and exercism/website #6893; JSON::ParserError in
/// rainforestapp/rainforest-cli #4, nomad-cli/venice #73,
/// 8398a7/abilitysheet #200 and sul-dlss/exhibits #2029.
pub(super) const RUBY: &[Case] = &[
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
        "Faraday::UnprocessableEntityError: the server responded with status 422",
        Some(UnprocessableEntity),
        Some(422),
    ),
    (
        "Faraday::ConflictError: the server responded with status 409",
        Some(Conflict),
        Some(409),
    ),
    (
        "Net::HTTPClientException: 404 \"Not Found\"",
        Some(NotFound),
        Some(404),
    ),
    (
        "Net::HTTPFatalError: 503 \"Service Unavailable\"",
        Some(ServiceUnavailable),
        Some(503),
    ),
    (
        "Net::HTTPFatalError: 502 \"Bad Gateway\"",
        Some(BadGateway),
        Some(502),
    ),
    (
        "Faraday::ConnectionFailed: Failed to open TCP connection to fili-us-east-1.searchly.com:80 (getaddrinfo: Name or service not known)",
        Some(Dns),
        None,
    ),
    (
        "Faraday::ConnectionFailed: Failed to open TCP connection to fcrepo.demo.vpc.hydrainabox.org:80 (getaddrinfo: Temporary failure in name resolution)",
        Some(Dns),
        None,
    ),
    (
        "Faraday::ConnectionFailed: Failed to open TCP connection to 127.0.0.1:8984 (Connection refused - connect(2) for \"127.0.0.1\" port 8984)",
        Some(Connection),
        None,
    ),
    (
        "Faraday::ConnectionFailed: Failed to open TCP connection to slack.com:443 (Connection refused - connect(2) for \"slack.com\" port 443)",
        Some(Connection),
        None,
    ),
    (
        "/usr/local/lib/ruby/2.2.0/net/http.rb:879:in `initialize': getaddrinfo: Name or service not known (Faraday::ConnectionFailed)",
        Some(Dns),
        None,
    ),
    (
        "-:7:in `connect': SSL_connect returned=1 errno=0 state=error: certificate verify failed (unable to get local issuer certificate) (OpenSSL::SSL::SSLError)",
        Some(Tls),
        None,
    ),
    (
        "OpenSSL::SSL::SSLError (SSL_connect returned=1 errno=0 state=error: certificate verify failed (unable to get local issuer certificate))",
        Some(Tls),
        None,
    ),
    (
        "ruby-2.0.0-p598/lib/ruby/2.0.0/net/http.rb:918:in `connect': SSL_connect returned=1 errno=0 state=SSLv3 read server certificate B: certificate verify failed (Faraday::SSLError)",
        Some(Tls),
        None,
    ),
    (
        "Net::ReadTimeout: Net::ReadTimeout with #<TCPSocket:(closed)>",
        Some(Timeout),
        None,
    ),
    (
        "Net::ReadTimeout with #<Socket:(closed)>",
        Some(Timeout),
        None,
    ),
    (
        "/home/ubuntu/Rainforest/vendor/bundle/ruby/2.1.0/gems/json-1.8.1/lib/json/common.rb:155:in `parse': 757: unexpected token at '<!DOCTYPE html> (JSON::ParserError)",
        Some(InvalidJson),
        None,
    ),
    (
        "JSON::ParserError: 809: unexpected token at '<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\"> <html><head> <title>301 Moved Permanently</title> </head><body> <h1>Moved Permanently</h",
        Some(InvalidJson),
        None,
    ),
    // The server's own status, printed inside the parse error: the status
    // decides (rule 1 in diagnose.rs).
    (
        "JSON::ParserError: 784: unexpected token at '<html><body><b>Http/1.1 Service Unavailable</b></body> </html>'",
        Some(ServiceUnavailable),
        Some(503),
    ),
    (
        "JSON::ParserError: 757: unexpected token at '404 Not Found'",
        Some(NotFound),
        Some(404),
    ),
];
