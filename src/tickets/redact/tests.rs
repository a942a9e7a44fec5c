use super::*;

// Fake credentials of real shapes, as macros so `concat!` can build the
// case tables at compile time.
macro_rules! jwt {
    () => {
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    };
}
macro_rules! random {
    () => {
        "8f3kLq9ZpX2mN7vB4cR1tY6w"
    };
}
macro_rules! uuid {
    () => {
        "3f2c1a9e-7b4d-4c2a-9e1f-0a1b2c3d4e5f"
    };
}

/// (input, expected output) per rule of the brief.
const FIELDS: &[(&str, &str)] = &[
    (
        "GET /v1/me?access_token=abc123&x=1",
        "GET /v1/me?access_token=[redacted access_token]&x=1",
    ),
    (
        "?refresh_token=r1&id_token=i2#top",
        "?refresh_token=[redacted refresh_token]&id_token=[redacted id_token]#top",
    ),
    (
        "/items?user_key=deadbeef&format=json",
        "/items?user_key=[redacted user_key]&format=json",
    ),
    (
        "?api_key=k1&apikey=k2&api-key=k3&API_KEY=k4&apiKey=k5",
        "?api_key=[redacted api_key]&apikey=[redacted api_key]&api-key=[redacted api_key]&API_KEY=[redacted api_key]&apiKey=[redacted api_key]",
    ),
    (
        "/geo?address=Main+St&key=abc123",
        "/geo?address=Main+St&key=[redacted key]",
    ),
    (
        "?token=t&auth_token=a&secret=s&client_secret=c",
        "?token=[redacted token]&auth_token=[redacted token]&secret=[redacted secret]&client_secret=[redacted client_secret]",
    ),
    (
        "login?user=bob&password=hunter2&passwd=p2&pwd=p3",
        "login?user=bob&password=[redacted password]&passwd=[redacted password]&pwd=[redacted password]",
    ),
    (
        "?sig=abc&session=s1&sessionid=s2&code=4/0AX4Xf&state=xyz",
        "?sig=[redacted signature]&session=[redacted session]&sessionid=[redacted session]&code=4/0AX4Xf&state=xyz",
    ),
    (
        "https://b.s3.amazonaws.com/f.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Security-Token=FwoGZXIvYXdzEJr&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
        "https://b.s3.amazonaws.com/f.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=[redacted credential]&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Security-Token=[redacted token]&X-Amz-Signature=[redacted signature]",
    ),
    (
        r#"{"api_key": "abc123", "name": "prod"}"#,
        r#"{"api_key": "[redacted api_key]", "name": "prod"}"#,
    ),
    (
        r#"{"password":"correct horse battery"}"#,
        r#"{"password":"[redacted password]"}"#,
    ),
    (
        "{'client_secret': 'abc', 'scope': 'read'}",
        "{'client_secret': '[redacted client_secret]', 'scope': 'read'}",
    ),
    (
        r#""body": "{\"password\":\"hunter2\",\"user\":\"bob\"}""#,
        r#""body": "{\"password\":\"[redacted password]\",\"user\":\"bob\"}""#,
    ),
    ("api_key: abc123", "api_key: [redacted api_key]"),
    ("password=hunter2", "password=[redacted password]"),
    (
        "Password: Tr0ub4dor&3 x\nUser: bob",
        "Password: [redacted password]\nUser: bob",
    ),
    (
        "export GITHUB_TOKEN=abc123\nDB_PASS=hunter2",
        "export GITHUB_TOKEN=[redacted token]\nDB_PASS=[redacted password]",
    ),
    (
        "Stripe-Signature: t=1492774577,v1=5257a869",
        "Stripe-Signature: [redacted signature]",
    ),
    ("my password: hunter2", "my password: [redacted password]"),
    (
        "X-Api-Key: 0123abcd\nX-Auth-Token: tok-777\nAccept: */*",
        "X-Api-Key: [redacted api_key]\nX-Auth-Token: [redacted token]\nAccept: */*",
    ),
    (
        "Cookie: session=abc123; theme=dark; _ga=GA1.2.3",
        "Cookie: session=[redacted session]; theme=[redacted cookie]; _ga=[redacted cookie]",
    ),
    (
        "Set-Cookie: sid=xyz789; Path=/; HttpOnly; Secure",
        "Set-Cookie: sid=[redacted cookie]; Path=/; HttpOnly; Secure",
    ),
    (
        "mysql --password=hunter2 -u root",
        "mysql --password=[redacted password] -u root",
    ),
    (
        "DB_PASSWORD=hunter2\nWEBHOOK_SECRET=whsec_abc",
        "DB_PASSWORD=[redacted password]\nWEBHOOK_SECRET=[redacted secret]",
    ),
    (
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_SECRET_ACCESS_KEY=[redacted aws_secret_key]",
    ),
    (
        "[link](https://x.io/cb?token=abc)",
        "[link](https://x.io/cb?token=[redacted token])",
    ),
];

const AUTH: &[(&str, &str)] = &[
    (
        "Authorization: Bearer abc.def-ghi",
        "Authorization: Bearer [redacted bearer_token]",
    ),
    (
        "authorization: basic dXNlcjpwYXNz",
        "authorization: basic [redacted basic_auth]",
    ),
    (
        "Authorization: Token 1234567890abcdef",
        "Authorization: Token [redacted token]",
    ),
    (
        r#"Authorization: Digest username="bob", response="6629fae4""#,
        "Authorization: Digest [redacted authorization]",
    ),
    (
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/x, Signature=ab12",
        "Authorization: AWS4-HMAC-SHA256 [redacted authorization]",
    ),
    (
        "Authorization: 8f3kLq9Z",
        "Authorization: [redacted authorization]",
    ),
    (
        "Proxy-Authorization: Basic Zm9vOmJhcg==",
        "Proxy-Authorization: Basic [redacted basic_auth]",
    ),
    (
        r#"{"Authorization": "Bearer abc", "Accept": "*/*"}"#,
        r#"{"Authorization": "Bearer [redacted bearer_token]", "Accept": "*/*"}"#,
    ),
    (
        r#"curl -H "Authorization: Digest abc" https://x.io"#,
        r#"curl -H "Authorization: Digest [redacted authorization]" https://x.io"#,
    ),
    (
        "Authorization: Bearer abc, X-Api-Key: def",
        "Authorization: Bearer [redacted bearer_token], X-Api-Key: [redacted api_key]",
    ),
    (
        "sent Bearer abcdefghijklmnop1234 twice",
        "sent Bearer [redacted bearer_token] twice",
    ),
    (
        concat!("Authorization: Bearer ", jwt!()),
        "Authorization: Bearer [redacted bearer_token]",
    ),
];

const URLS: &[(&str, &str)] = &[
    (
        "https://bob:hunter2@example.com/path",
        "https://bob:[redacted url_password]@example.com/path",
    ),
    (
        "postgres://app:p@ss:w0rd@db.internal:5432/app",
        "postgres://app:[redacted url_password]@db.internal:5432/app",
    ),
    (
        "redis://:secretpw@cache:6379",
        "redis://:[redacted url_password]@cache:6379",
    ),
    ("\"ftp://u:p@h\"", "\"ftp://u:[redacted url_password]@h\""),
];

const SHAPES_FOUND: &[(&str, &str)] = &[
    (
        concat!("got ", jwt!(), " in logs"),
        "got [redacted jwt] in logs",
    ),
    (concat!("Here: ", jwt!(), "."), "Here: [redacted jwt]."),
    (
        "id AKIAIOSFODNN7EXAMPLE and ASIAIOSFODNN7EXAMPLE",
        "id [redacted aws_access_key] and [redacted aws_access_key]",
    ),
    (
        "ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R",
        "[redacted github_token]",
    ),
    (
        "(github_pat_11ABCDEFG0123456789_abcdefghijklmnop)",
        "([redacted github_token])",
    ),
    (
        "use glpat-xYz12AbC34dEf56GhI78 now",
        "use [redacted gitlab_token] now",
    ),
    (
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "[redacted slack_token]",
    ),
    (
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc / rk_live_4eC39HqLyjWDarjtT1zdp7dc / sk_test_4eC39HqLyjWDarjtT1zdp7dc",
        "[redacted stripe_key] / [redacted stripe_key] / [redacted stripe_key]",
    ),
    (
        "maps key AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI",
        "maps key [redacted google_api_key]",
    ),
    (
        "/geo?key=AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI&x=1",
        "/geo?key=[redacted google_api_key]&x=1",
    ),
    (
        "curl -H 'X-Mine: apd_3f9c0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7' …",
        "curl -H 'X-Mine: [redacted apidesk_token]' …",
    ),
    (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA3Tz2\n-----END RSA PRIVATE KEY-----\nafter",
        "[redacted private_key]\nafter",
    ),
    (
        "key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA",
        "key:\n[redacted private_key]",
    ),
    (
        r#"{"private_key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n", "client_email": "a@b.iam.gserviceaccount.com"}"#,
        r#"{"private_key": "[redacted private_key]\n", "client_email": "a@b.iam.gserviceaccount.com"}"#,
    ),
];

const CONTEXT: &[(&str, &str)] = &[
    (
        concat!("my token is ", random!()),
        "my token is [redacted token]",
    ),
    (
        concat!("the token was ", random!(), "."),
        "the token was [redacted token].",
    ),
    (
        "the shared secret: Zx9mQ2vL8kP4nR7tW1yB5cD3",
        "the shared secret: [redacted secret]",
    ),
    (
        "here is the key=Q2hhbmdlTWVQbGVhc2UxMjM0NTY3OA==",
        "here is the key=[redacted key]==",
    ),
    (
        "API credential 4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c",
        "API credential [redacted credential]",
    ),
    (
        "new password is Tr0ub4dor3xKq9LmZ2pW",
        "new password is [redacted password]",
    ),
    (
        "Secret ZxQwErTyUiOpAsDfGhJkLmNb",
        "Secret [redacted secret]",
    ),
    (
        "my password is hunter2!",
        "my password is [redacted password]!",
    ),
    ("pwd 12345678", "pwd [redacted password]"),
];

/// Ordinary text that must come back byte for byte.
const UNCHANGED: &[&str] = &[
    "HTTP GET failed: unauthorized (401)",
    "GET /accounts/123/tables/456/records/789 returned 404",
    concat!("x-request-id: ", uuid!()),
    "record 12345678901234567890 not found",
    concat!("job ", uuid!(), " failed at 2024-01-15T10:30:00.123Z"),
    "Record ID 5a7f9c2e1b3d4a6f8e0c1b2a",
    "object key 5a7f9c2e1b3d4a6f8e0c1b2a",
    "token 12345678901234567890",
    concat!("token ", uuid!()),
    concat!("token for job ", uuid!()),
    "key 5a7f9c2e1b3d4a6f8e0c1b2a",
    "Invalid token: signature verification failed",
    "Error: session: expired",
    "authorization: failed for user 42",
    "Authorization: failed for user 42",
    "login authorization: denied",
    "Authorization header missing; use a Bearer token",
    "The Authorization: Bearer header is missing",
    "Bearer short12",
    "The access token expired at 2024-01-15T10:30:00Z",
    "token expired at 2024-01-15T10:30:00.123456Z",
    "contact support@example.com for an api key",
    "password reset sent to jane.doe1234567890@example.com",
    "see https://api.example.com/v1/tokens?page=2&per_page=50",
    "token https://auth.example.com/oauth2/v1/token",
    "secret path /var/lib/secrets/8f3kLq9ZpX2mN7vB4cR1",
    "key is InternalServerErrorOccurred",
    "token getUserAccountByIdRequestHandler",
    "token api.eu-west-1.amazonaws.com.example.org",
    concat!("idempotency key ", random!()),
    "page token CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA3",
    "public key MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
    concat!("token. ", random!()),
    concat!("token\n", random!()),
    concat!("build ", random!(), " failed"),
    "commit 3f2c1a9e7b4d4c2a9e1f0a1b2c3d4e5f6a7b8c9d",
    "secret santa_is_coming_to_town_tonight",
    "token_type=Bearer&expires_in=3600&scope=read",
    "press key=enter to continue",
    "nextPageToken=CiAKGjBp&bypass=1",
    "password is incorrect; password must be at least 8 characters",
    r#"{"key": "PROJ-123", "summary": "Login broken"}"#,
    r#"{"token": null, "password": "", "secret": "********"}"#,
    r#"{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}"#,
    r#"{"ok":false,"error":"invalid_auth"}"#,
    "Stripe error: No such customer: 'cus_NffrFeUfNV2Hib'",
    "User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36",
    "Content-Type: application/json; charset=utf-8\nRetry-After: 120\nX-RateLimit-Remaining: 0",
    "ETag: \"33a64df551425fcc55e4d42a148795d9f25f8\"",
    "https://user@example.com/a?b=c@d and ssh://git@github.com:22/x",
    "-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAKHHIG\n-----END CERTIFICATE-----",
    "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----",
    "eyJhbGciOi is not a JWT, nor is eyJhbGciOiJIUzI1NiJ9.e30",
    "AKIAIOSFODNN7EXAMPL and xAKIAIOSFODNN7EXAMPLE and sk_live_short",
    "Order #A1B2C3D4E5F6G7H8I9J0 shipped; café naïve 🎉 \u{202B}שלום\u{202C}",
    "",
];

const UNICODE: &[(&str, &str)] = &[
    (
        "naïve café ?access_token=abcé&x=1 🎉",
        "naïve café ?access_token=[redacted access_token]&x=1 🎉",
    ),
    ("prix ?token=abc€ ok", "prix ?token=[redacted token]€ ok"),
    (
        "\u{202B}password=hunter2\u{202C} ok",
        "\u{202B}password=[redacted password]\u{202C} ok",
    ),
    ("🔑 token=abc🎉", "🔑 token=[redacted token]🎉"),
    ("password=pässwort!", "password=[redacted password]"),
    (
        "mot de passe “password: hunter2”",
        "mot de passe “password: [redacted password]”",
    ),
    (
        "é https://bob:pä@ss@hôte.fr/ é",
        "é https://bob:[redacted url_password]@hôte.fr/ é",
    ),
    (
        concat!("Ключ: token is ", random!(), " ✓"),
        "Ключ: token is [redacted token] ✓",
    ),
];

const ALREADY_REDACTED: &[&str] = &[
    "access_token=[redacted access_token]",
    "Authorization: Bearer [redacted bearer_token]",
    "Authorization: [redacted authorization]",
    "Cookie: a=[redacted cookie]; b=[redacted cookie]",
    "https://u:[redacted url_password]@h/",
    concat!("token is [redacted token] then ", random!()),
    "[redacted private_key]AKIAIOSFODNN7EXAMPLE",
];

fn all_tables() -> [&'static [(&'static str, &'static str)]; 6] {
    [FIELDS, AUTH, URLS, SHAPES_FOUND, CONTEXT, UNICODE]
}

fn every_input() -> Vec<&'static str> {
    let pairs = all_tables()
        .into_iter()
        .flatten()
        .flat_map(|&(i, o)| [i, o]);
    pairs
        .chain(UNCHANGED.iter().copied())
        .chain(ALREADY_REDACTED.iter().copied())
        .collect()
}

fn check(cases: &[(&str, &str)]) {
    for &(input, want) in cases {
        let got = redact(input);
        assert_eq!(got.text, want, "input: {input:?}");
        assert_eq!(
            got.count(),
            want.matches(MARKER_OPEN).count(),
            "input: {input:?}"
        );
        assert!(!got.is_clean());
    }
}

#[test]
fn named_query_json_and_header_fields() {
    check(FIELDS);
}

#[test]
fn authorization_headers_and_bearer_tokens() {
    check(AUTH);
}

#[test]
fn url_passwords() {
    check(URLS);
}

#[test]
fn well_known_shapes_and_private_keys() {
    check(SHAPES_FOUND);
}

#[test]
fn random_words_after_keywords() {
    check(CONTEXT);
}

#[test]
fn multi_byte_text_is_kept_around_secrets() {
    check(UNICODE);
}

#[test]
fn ordinary_text_passes_unchanged() {
    for &input in UNCHANGED {
        let got = redact(input);
        assert_eq!(got.text, input);
        assert!(got.is_clean(), "{input:?} lost {:?}", got.removed);
    }
}

#[test]
fn redacting_twice_changes_nothing() {
    for input in every_input() {
        let once = redact(input).text;
        let twice = redact(&once);
        assert_eq!(twice.text, once, "input: {input:?}");
        assert!(
            twice.is_clean(),
            "input: {input:?} then {:?}",
            twice.removed
        );
    }
    for &input in ALREADY_REDACTED {
        assert!(redact(input).is_clean(), "{input:?}");
    }
}

#[test]
fn removed_lists_kinds_in_order() {
    let got = redact("?access_token=a&client_secret=b\nAuthorization: Bearer c");
    assert_eq!(
        got.removed,
        [
            SecretKind::AccessToken,
            SecretKind::ClientSecret,
            SecretKind::BearerToken
        ]
    );
    assert_eq!(got.count(), 3);
}

#[test]
fn a_value_found_twice_gets_one_marker() {
    let got = redact(concat!("?access_token=", jwt!()));
    assert_eq!(got.text, "?access_token=[redacted access_token]");
    assert_eq!(got.removed, [SecretKind::AccessToken]);
}

#[test]
fn a_value_running_into_a_marker_swallows_it_whole() {
    let got = redact("password=abc[redacted token] ok");
    assert_eq!(got.text, "password=[redacted password] ok");
    assert_eq!(got.removed, [SecretKind::Password]);
}

#[test]
fn kind_names_are_unique_marker_names() {
    let all = SecretKind::ALL;
    let mut names: Vec<_> = all.iter().map(|k| k.name()).collect();
    for name in &names {
        let marker = format!("[redacted {name}]");
        assert_eq!(
            marker_len(marker.as_bytes(), 0),
            Some(marker.len()),
            "{name}"
        );
    }
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all.len());
}

#[test]
fn pathological_megabyte_inputs_complete() {
    // No timing assertion: were any scan quadratic, this would not finish.
    let brief = [
        "token=".repeat(100_000),
        "eyJ".repeat(300_000),
        "a".repeat(1_000_000),
        "-----BEGIN PRIVATE KEY-----".repeat(30_000),
        "?&".repeat(500_000),
    ];
    let more = [
        "eyJ.".repeat(64_000),
        "-----BEGIN CERTIFICATE-----".repeat(10_000),
        "token: ".repeat(40_000),
        "\"token\":\"".repeat(25_000),
        "Authorization: ".repeat(20_000),
        "Cookie: a=b;".repeat(20_000),
        "[redacted ".repeat(25_000),
        "a:b@".repeat(64_000),
        "xoxb-".repeat(50_000),
        " ".repeat(256_000) + "token",
        format!("token {}", "8f3kLq9Z".repeat(32_000)),
    ];
    for input in brief.iter().chain(&more) {
        let _ = redact(input);
    }
}

/// Glues random fragments together: none of it may panic, and a second
/// pass must never find anything.
#[test]
fn random_mixtures_are_stable() {
    #[rustfmt::skip]
    const PARTS: &[&str] = &[
        "token", "key", "=", "==", ":", " ", "\n", "\"", "'", "\\\"", "?", "&", ";", ",", ".", "/",
        "@", "-", "_", "[", "]", "{", "}", "*", "null", "the ", "is ", "id", "public", "page",
        "Bearer ", "Basic ", "Digest ", "Authorization: ", "Proxy-Authorization: ", "Cookie: ",
        "Set-Cookie: ", "password", "secret", "credential", "access_token", "X-Api-Key",
        "\"password\": \"", "https://", "u:p@h", jwt!(), random!(), uuid!(), "AKIAIOSFODNN7EXAMPLE",
        "ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R", "-----BEGIN PRIVATE KEY-----",
        "-----END PRIVATE KEY-----", "[redacted token]", "é", "🎉", "\u{202B}", "“", "pässwort",
        "12345678901234567890", "Zx9mQ2vL8kP4nR7tW1yB5cD3", "Q2hhbmdlTWVQbGVhc2UxMjM0NTY3OA==",
        "eyJ", "xoxb-", "AIza", "hunter2",
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut pick = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        usize::try_from(seed % u64::try_from(n).unwrap_or(1)).unwrap_or(0)
    };
    for _ in 0..3_000 {
        let len = 1 + pick(24);
        let input: String = (0..len).map(|_| PARTS[pick(PARTS.len())]).collect();
        let once = redact(&input).text;
        let twice = redact(&once);
        assert_eq!(twice.text, once, "input: {input:?}");
        assert!(twice.is_clean(), "input: {input:?}");
    }
}

#[test]
fn markers_are_read_back_and_masked_as_one_word() {
    let text = redact("GET /v1/x?access_token=abc123def456&user_key=zz9 failed").text;
    assert_eq!(
        marker_kinds(&text).collect::<Vec<_>>(),
        ["access_token", "user_key"]
    );
    assert_eq!(
        mask_markers(&text),
        "GET /v1/x?access_token=REDACTED&user_key=REDACTED failed"
    );
    assert!(matches!(mask_markers("plain"), Cow::Borrowed("plain")));
    assert_eq!(marker_kinds("[redacted not closed").count(), 0);
}
