use super::*;
use crate::attachments::Removal;

const HAR: &str = include_str!("../../../tests/fixtures/attachments/chromium.har");

/// Every credential the fixture holds, each somewhere a DevTools export
/// puts one.
const SECRETS: [&str; 10] = [
    // authorization: Bearer … (a JWT), and again in a token response body
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjIwMjQtMDktYSJ9",
    "BwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4_QEFCQ0RFRg",
    // the session cookie, in `cookie:` and the cookies array
    "Qm9vZ2xlLXNlc3Npb24tOTk4NzY1",
    "GA1.1.1234567890.1741943000",
    // ?access_token= in the URL, `:path` and queryString
    "at_8cN2pQ7rT4vX9zB1mK5",
    // client_secret in a JSON request body
    "cs_live_Z9y8X7w6V5u4T3s2R1q0",
    // set-cookie and the response's cookies array
    "NewSess1onValue77",
    "xak_3f9a1c7e5b2d4f6a8c0e2b4d",
    "rt_Gh7Jk9Lm2Np4Qr6St8Uv0",
    // an OAuth code in a redirect's location and redirectURL
    "oac_Yt5Rf3Ed1WsQa9Zx",
];

fn run(text: &str) -> (Node, String, Vec<Removal>) {
    let mut node = Node::parse(text).expect("parses");
    assert!(is_har(&node));
    let mut tally = Tally::default();
    redact_har(&mut node, &mut tally);
    let out = String::from_utf8(node.to_pretty()).expect("utf-8");
    (node, out, tally.into_vec())
}

fn count(removed: &[Removal], what: &str) -> usize {
    removed
        .iter()
        .find(|r| r.what == what)
        .map_or(0, |r| r.count)
}

#[test]
fn no_credential_survives_a_chromium_export() {
    for secret in SECRETS {
        assert!(HAR.contains(secret), "fixture holds {secret}");
    }
    let (_, out, removed) = run(HAR);
    for secret in SECRETS {
        assert!(!out.contains(secret), "{secret} left in the HAR");
    }
    assert!(!out.contains("iVBORw0KGgo"), "the base64 body is dropped");
    assert_eq!(count(&removed, "Authorization header"), 1, "{removed:?}");
    assert_eq!(count(&removed, "Cookie header"), 3, "{removed:?}");
    assert_eq!(count(&removed, "Set-Cookie header"), 1, "{removed:?}");
    assert_eq!(count(&removed, "X-Api-Key header"), 1, "{removed:?}");
    assert_eq!(count(&removed, "encoded response body"), 1, "{removed:?}");
    assert!(count(&removed, "cookie") >= 7, "{removed:?}");
    assert!(count(&removed, "token in a URL") >= 5, "{removed:?}");
    assert_eq!(count(&removed, "client_secret"), 1, "{removed:?}");
    assert_eq!(count(&removed, "refresh_token"), 1, "{removed:?}");
}

#[test]
fn what_helps_diagnose_a_401_is_kept() {
    let (node, out, _) = run(HAR);
    let entry = |i: usize| {
        node.get("log")
            .and_then(|l| l.get("entries"))
            .and_then(|e| match e {
                Node::Array(items) => items.get(i),
                _ => None,
            })
            .expect("entry")
    };
    let request = entry(0).get("request").expect("request");
    assert_eq!(
        request.get("url").and_then(Node::as_str),
        Some(
            "https://api.example-saas.com/v2/orders?limit=50&status=open&access_token=[redacted access_token]"
        )
    );
    let header = |name: &str| match request.get("headers") {
        Some(Node::Array(headers)) => headers
            .iter()
            .find(|h| h.get("name").and_then(Node::as_str) == Some(name))
            .and_then(|h| h.get("value"))
            .and_then(Node::as_str)
            .map(str::to_owned),
        _ => None,
    };
    assert_eq!(
        header("authorization").as_deref(),
        Some("Bearer [redacted bearer_token]")
    );
    assert_eq!(
        header(":authority").as_deref(),
        Some("api.example-saas.com")
    );
    assert!(
        out.contains("error=\\\"invalid_token\\\""),
        "WWW-Authenticate is kept"
    );
    assert!(out.contains("token_expired"), "the error body is kept");
    assert!(
        out.contains("\"_initiator\""),
        "Chromium's own fields are kept"
    );
    assert!(
        out.contains("state=af0ifjsldkj"),
        "harmless parameters are kept"
    );
    // Member order is the file's own.
    let log = out.find("\"log\"").expect("log");
    assert!(out[log..].find("\"version\"") < out[log..].find("\"creator\""));
}

#[test]
fn redacting_a_redacted_har_finds_nothing_new() {
    let (_, once, _) = run(HAR);
    let (_, twice, removed) = run(&once);
    assert_eq!(once, twice);
    assert!(removed.is_empty(), "{removed:?}");
}

#[test]
fn header_rules() {
    assert!(matches!(header_rule("X-Csrf-Token"), Rule::Secret(_)));
    assert!(matches!(
        header_rule("X-Auth-Token"),
        Rule::Secret(SecretKind::Token)
    ));
    assert!(matches!(
        header_rule("Proxy-Authorization"),
        Rule::Secret(SecretKind::Authorization)
    ));
    assert!(matches!(header_rule("X-Session-Id"), Rule::Secret(_)));
    assert!(matches!(header_rule("Sec-WebSocket-Key"), Rule::Secret(_)));
    assert!(matches!(header_rule(":authority"), Rule::Keep));
    assert!(matches!(header_rule("WWW-Authenticate"), Rule::Keep));
    assert!(matches!(header_rule("content-type"), Rule::Keep));
    assert!(matches!(header_rule(":path"), Rule::Url));
    assert_eq!(canonical("x-api-key"), "X-Api-Key");
    assert_eq!(
        authorization("Basic dXNlcjpwYXNz"),
        "Basic [redacted basic_auth]"
    );
    assert_eq!(authorization("opaque"), "[redacted authorization]");
}

#[test]
fn form_parameters_and_odd_shapes() {
    let har = r#"{"log":{"entries":[
        {"request":{"headers":{"not":"an array"},"postData":{"mimeType":"application/x-www-form-urlencoded",
          "params":[{"name":"client_secret","value":"abc123xyz"},{"name":"grant_type","value":"refresh_token"}],
          "text":"client_secret=abc123xyz&grant_type=refresh_token"}},
         "response":{"headers":[{"name":"set-cookie"},{"value":"x"},{"name":"x-token","value":7}]}},
        "not an entry", 42
    ]}}"#;
    let (_, out, removed) = run(har);
    assert!(!out.contains("abc123xyz"), "{out}");
    assert!(
        out.contains("refresh_token"),
        "a grant type is no secret: {out}"
    );
    assert_eq!(count(&removed, "form field"), 1, "{removed:?}");
}
