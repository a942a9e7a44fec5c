//! Staff sign-in over real HTTP: right, wrong, disabled, throttled, expired,
//! and every staff route closed without a session.

mod common;
#[path = "common/server.rs"]
mod server;

use apidesk::staff::Role;
use apidesk::web::staff_session::{ABSOLUTE_TIMEOUT, IDLE_TIMEOUT, SessionId};
use server::{PASSWORD, Server};
use time::{Duration, OffsetDateTime};

const GENERIC: &str = "That email and password do not match an active account.";

#[tokio::test]
async fn the_right_password_signs_in_and_returns_to_where_you_were_going() {
    let server = Server::start().await;
    server
        .add_staff("ana@example.com", "Ana Agent", Role::Agent)
        .await;
    let browser = server.browser();

    let res = browser.get("/staff/queue?code=429").await;
    assert_eq!(res.status, 303);
    let login = res.location.unwrap();
    assert_eq!(login, "/staff/login?next=%2Fstaff%2Fqueue%3Fcode%3D429");

    let form = browser.get(&login).await;
    assert_eq!(
        common::hidden_value(&form.body, "next").unwrap(),
        "/staff/queue?code=429"
    );
    let res = browser
        .post(
            &login,
            "/staff/login",
            &[
                ("email", "ANA@example.com "),
                ("password", PASSWORD),
                ("next", "/staff/queue?code=429"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location.as_deref(), Some("/staff/queue?code=429"));
    let queue = browser.get("/staff/queue?code=429").await;
    assert_eq!(queue.status, 200);
    queue.assert_contains("Ana Agent");
    server.shut_down().await;
}

#[tokio::test]
async fn only_local_paths_are_followed_after_sign_in() {
    let server = Server::start().await;
    server
        .add_staff("ana@example.com", "Ana", Role::Agent)
        .await;
    let browser = server.browser();
    for next in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let res = browser
            .post(
                "/staff/login",
                "/staff/login",
                &[
                    ("email", "ana@example.com"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(res.location.as_deref(), Some("/staff/queue"), "{next}");
    }
    server.shut_down().await;
}

#[tokio::test]
async fn wrong_credentials_get_one_generic_message() {
    let server = Server::start().await;
    server
        .add_staff("ana@example.com", "Ana", Role::Agent)
        .await;
    let browser = server.browser();

    let wrong_password = browser
        .sign_in("ana@example.com", "not the password at all")
        .await;
    let no_account = browser.sign_in("nobody@example.com", PASSWORD).await;
    for res in [&wrong_password, &no_account] {
        assert_eq!(res.status, 401);
        res.assert_contains(GENERIC).assert_lacks("apidesk_session");
    }
    // The email typed is kept; the password never comes back.
    assert_eq!(
        common::hidden_value(&no_account.body, "email").unwrap(),
        "nobody@example.com"
    );
    no_account.assert_lacks(PASSWORD);
    assert_eq!(browser.get("/staff/queue").await.status, 303);
    server.shut_down().await;
}

#[tokio::test]
async fn a_disabled_account_cannot_sign_in_and_its_sessions_end() {
    let server = Server::start().await;
    server
        .add_staff("ana@example.com", "Ana", Role::Agent)
        .await;
    let signed_in = server.browser();
    assert_eq!(
        signed_in.sign_in("ana@example.com", PASSWORD).await.status,
        303
    );
    assert_eq!(signed_in.get("/staff/queue").await.status, 200);

    assert!(
        server
            .store
            .disable_staff("ana@example.com", OffsetDateTime::now_utc())
            .await
            .unwrap()
    );
    let res = signed_in.get("/staff/queue").await;
    assert_eq!(res.status, 303);
    assert!(res.location.unwrap().starts_with("/staff/login"));

    let again = server.browser().sign_in("ana@example.com", PASSWORD).await;
    assert_eq!(again.status, 401);
    again.assert_contains(GENERIC);
    server.shut_down().await;
}

#[tokio::test]
async fn repeated_failures_for_an_account_refuse_sign_in_for_a_while() {
    let server = Server::start().await;
    server
        .add_staff("ana@example.com", "Ana", Role::Agent)
        .await;
    let browser = server.browser();
    for _ in 0..5 {
        assert_eq!(
            browser
                .sign_in("ana@example.com", "guess guess guess")
                .await
                .status,
            401
        );
    }
    // Even the right password is refused now, from any browser.
    let res = server.browser().sign_in("ana@example.com", PASSWORD).await;
    assert_eq!(res.status, 429);
    res.assert_contains("Too many failed sign-ins");
    // Another account is not affected by this one's failures.
    server.add_staff("bo@example.com", "Bo", Role::Agent).await;
    assert_eq!(
        server
            .browser()
            .sign_in("bo@example.com", PASSWORD)
            .await
            .status,
        303
    );
    server.shut_down().await;
}

#[tokio::test]
async fn repeated_failures_from_an_address_refuse_sign_in_for_a_while() {
    let server = Server::start().await;
    server
        .add_staff("ana@example.com", "Ana", Role::Agent)
        .await;
    let browser = server.browser();
    for i in 0..20 {
        let email = format!("guess{i}@example.com");
        assert_eq!(
            browser.sign_in(&email, "guess guess guess").await.status,
            401
        );
    }
    let res = browser.sign_in("ana@example.com", PASSWORD).await;
    assert_eq!(res.status, 429);
    server.shut_down().await;
}

#[tokio::test]
async fn signing_in_issues_a_new_session_id_and_signing_out_ends_it() {
    let server = Server::start().await;
    server
        .add_staff("ana@example.com", "Ana", Role::Agent)
        .await;
    let browser = server.browser();
    browser.sign_in("ana@example.com", PASSWORD).await;
    let first = SessionId::from_headers(&browser.cookie_headers(), false).unwrap();
    browser.sign_in("ana@example.com", PASSWORD).await;
    let second = SessionId::from_headers(&browser.cookie_headers(), false).unwrap();
    assert_ne!(first.hash(), second.hash());
    let now = OffsetDateTime::now_utc();
    let check = |id: &SessionId| {
        let hash = id.hash();
        let store = server.store.clone();
        async move {
            store
                .session_staff(&hash, now, IDLE_TIMEOUT, ABSOLUTE_TIMEOUT)
                .await
        }
    };
    assert!(
        check(&first).await.unwrap().is_none(),
        "the old session ended"
    );
    assert!(check(&second).await.unwrap().is_some());

    let res = browser.post("/staff/queue", "/staff/logout", &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location.as_deref(), Some("/staff/login?signed_out=1"));
    assert!(check(&second).await.unwrap().is_none());
    assert_eq!(browser.get("/staff/queue").await.status, 303);
    server.shut_down().await;
}

#[tokio::test]
async fn sessions_expire_when_idle_and_after_their_lifetime() {
    let server = Server::start().await;
    server
        .add_staff("ana@example.com", "Ana", Role::Agent)
        .await;
    let browser = server.browser();
    browser.sign_in("ana@example.com", PASSWORD).await;
    let id = SessionId::from_headers(&browser.cookie_headers(), false).unwrap();
    let now = OffsetDateTime::now_utc();
    let store = &server.store;

    // Active every hour for ten hours: still signed in.
    for hour in 1..=10 {
        let at = now + Duration::hours(hour);
        assert!(
            store
                .session_staff(&id.hash(), at, IDLE_TIMEOUT, ABSOLUTE_TIMEOUT)
                .await
                .unwrap()
                .is_some()
        );
    }
    // Past the absolute lifetime, activity does not help.
    let late = now + ABSOLUTE_TIMEOUT + Duration::minutes(1);
    assert!(
        store
            .session_staff(&id.hash(), late, IDLE_TIMEOUT, ABSOLUTE_TIMEOUT)
            .await
            .unwrap()
            .is_none()
    );

    // A fresh session left idle too long ends.
    browser.sign_in("ana@example.com", PASSWORD).await;
    let id = SessionId::from_headers(&browser.cookie_headers(), false).unwrap();
    let idle = OffsetDateTime::now_utc() + IDLE_TIMEOUT + Duration::minutes(1);
    assert!(
        store
            .session_staff(&id.hash(), idle, IDLE_TIMEOUT, ABSOLUTE_TIMEOUT)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        browser.get("/staff/queue").await.status,
        303,
        "and the browser is signed out"
    );
    server.shut_down().await;
}

#[tokio::test]
async fn staff_routes_are_closed_without_a_session() {
    let server = Server::start().await;
    let browser = server.browser();
    for path in [
        "/staff",
        "/staff/queue",
        "/staff/queue?status=all",
        "/staff/tickets/1",
    ] {
        let res = browser.get(path).await;
        assert_eq!(res.status, 303, "{path}");
        assert!(
            res.location.unwrap().starts_with("/staff/login?next="),
            "{path}"
        );
    }
    let res = browser.post("/staff/login", "/staff/logout", &[]).await;
    assert_eq!(res.status, 303);
    assert!(res.location.unwrap().starts_with("/staff/login"));
    server.shut_down().await;
}

#[tokio::test]
async fn sign_in_without_a_csrf_token_is_refused() {
    let server = Server::start().await;
    server
        .add_staff("ana@example.com", "Ana", Role::Agent)
        .await;
    let browser = server.browser();
    browser.get("/staff/login").await;
    let body = format!(
        "email=ana%40example.com&password={}",
        PASSWORD.replace(' ', "+")
    );
    let res = browser.post_raw("/staff/login", &body).await;
    assert_eq!(res.status, 403);
    assert_eq!(browser.get("/staff/queue").await.status, 303);
    server.shut_down().await;
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_secure_when_configured() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::test_config(&dir);
    config.cookie_secure = true;
    let server = Server::start_with(config).await;
    server
        .add_staff("ana@example.com", "Ana", Role::Agent)
        .await;
    let page = server.browser().get("/staff/login").await;
    let token = common::hidden_value(&page.body, "csrf_token").unwrap();
    // Use a raw client to read the Set-Cookie header itself.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login_page = client
        .get(format!("{}/staff/login", server.base))
        .send()
        .await
        .unwrap();
    let csrf_cookie = login_page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let login_html = login_page.text().await.unwrap();
    let token_for_cookie = common::hidden_value(&login_html, "csrf_token").unwrap();
    assert_ne!(token, token_for_cookie, "tokens are per browser");
    let res = client
        .post(format!("{}/staff/login", server.base))
        .header("cookie", csrf_cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            serde_urlencoded::to_string([
                ("csrf_token", token_for_cookie.as_str()),
                ("email", "ana@example.com"),
                ("password", PASSWORD),
            ])
            .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("__Host-apidesk_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure")
    );
    server.shut_down().await;
}

/// Parallel guesses all used to pass the check before the first failure was
/// recorded (100 at once: 40 evaluated against a limit of 5).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_cannot_outrun_the_limit() {
    let server = Server::start().await;
    server
        .add_staff("ana@example.com", "Ana", Role::Agent)
        .await;
    let browser = server.browser();
    let form = browser.get("/staff/login").await;
    let token = common::hidden_value(&form.body, "csrf_token").unwrap();
    let body = serde_urlencoded::to_string([
        ("csrf_token", token.as_str()),
        ("email", "ana@example.com"),
        ("password", "guess guess guess"),
        ("next", "/staff/queue"),
    ])
    .unwrap();
    let guesses = (0..32).map(|_| browser.post_raw("/staff/login", &body));
    let pages = futures_util::future::join_all(guesses).await;

    let wrong = pages.iter().filter(|p| p.status == 401).count();
    let too_many = pages.iter().filter(|p| p.status == 429).count();
    assert_eq!((wrong, too_many), (5, 27), "evaluated vs refused");
    for page in pages.iter().filter(|p| p.status == 401) {
        page.assert_contains(GENERIC);
    }
    let since = OffsetDateTime::now_utc() - Duration::hours(1);
    let recorded = server
        .store
        .login_failures_since("email:ana@example.com", since)
        .await
        .unwrap();
    assert_eq!(recorded, 5);

    // The right password is refused for the rest of the window.
    let res = server.browser().sign_in("ana@example.com", PASSWORD).await;
    assert_eq!(res.status, 429);
    server.shut_down().await;
}

#[tokio::test]
async fn the_csrf_cookie_is_renewed_at_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::test_config(&dir);
    config.cookie_secure = true;
    let server = Server::start_with(config).await;
    server
        .add_staff("ana@example.com", "Ana", Role::Agent)
        .await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login_page = client
        .get(format!("{}/staff/login", server.base))
        .send()
        .await
        .unwrap();
    let before = login_page.headers()["set-cookie"].to_str().unwrap();
    assert!(before.contains("; Secure"), "{before}");
    let before = before.split(';').next().unwrap().to_string();
    let html = login_page.text().await.unwrap();
    let token = common::hidden_value(&html, "csrf_token").unwrap();
    let res = client
        .post(format!("{}/staff/login", server.base))
        .header("cookie", &before)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            serde_urlencoded::to_string([
                ("csrf_token", token.as_str()),
                ("email", "ana@example.com"),
                ("password", PASSWORD),
            ])
            .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let renewed = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with("__Host-apidesk_csrf="))
        .expect("a new CSRF cookie at sign-in");
    assert!(renewed.contains("; Secure") && renewed.contains("HttpOnly"));
    assert_ne!(renewed.split(';').next().unwrap(), before);
    server.shut_down().await;
}
