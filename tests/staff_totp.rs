//! The second factor for staff: setting it up (a code from the new secret
//! turns it on; recovery codes shown once), signing in with the password
//! and then a code, codes used once and one step either side, recovery
//! codes once each, failures limited as passwords are, turning it off and
//! new recovery codes, an admin's reset, and every new form's CSRF check.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use std::time::Duration;

use apidesk::staff::{RecoveryCode, Role, TotpSecret, hotp, time_step, typed_recovery_hash};
use apidesk::web::staff_session::COOKIE_NAME as SESSION;
use axum::http::StatusCode;
use common::{TestApp, TestResponse};
use staff_helpers::{PASSWORD, add_staff, sign_in};
use time::OffsetDateTime;

const WRONG_RECOVERY: &str = "abcde-fghij";

fn code(secret: &TotpSecret, step: i64) -> String {
    format!("{:06}", hotp(secret.as_bytes(), step as u64, 6))
}

/// The current 30-second step, read at least two seconds before it ends,
/// so that a code made for it reaches the server within the same step.
async fn current_step() -> i64 {
    loop {
        let now = OffsetDateTime::now_utc();
        let into_step = now.unix_timestamp().rem_euclid(30);
        if into_step < 28 {
            return time_step(now);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Turns the second factor on for `staff_id` as the set-up page would;
/// returns the secret and the recovery codes.
async fn second_factor_on(app: &TestApp, staff_id: i64) -> (TotpSecret, Vec<String>) {
    let secret = TotpSecret::generate();
    let now = OffsetDateTime::now_utc();
    let store = &app.state.store;
    assert!(store.begin_totp(staff_id, &secret, now).await.unwrap());
    let codes = RecoveryCode::generate_set();
    let hashes: Vec<String> = codes.iter().map(RecoveryCode::hash).collect();
    // An old step: no code a test types is taken already.
    let enabled = store
        .enable_totp(staff_id, &secret, time_step(now) - 100, &hashes, now)
        .await
        .unwrap();
    assert!(enabled);
    (
        secret,
        codes.iter().map(|c| c.reveal().to_string()).collect(),
    )
}

/// The password step, in a fresh browser: it must lead to the code step.
async fn password_step(app: &mut TestApp, email: &str, next: &str) {
    app.clear_cookies();
    let res = app
        .post_form(
            "/staff/login",
            &[("email", email), ("password", PASSWORD), ("next", next)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), "/staff/login/code");
    assert!(app.cookie(SESSION).is_none(), "a session before the code");
}

async fn code_step(app: &mut TestApp, typed: &str) -> TestResponse {
    app.post_form("/staff/login/code", &[("code", typed)]).await
}

/// The text between `marker` and the next `<`.
fn text_after(page: &TestResponse, marker: &str) -> String {
    let start = page
        .body
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker:?} in:\n{}", page.body))
        + marker.len();
    let end = start + page.body[start..].find('<').unwrap();
    common::unescape(&page.body[start..end])
}

fn recovery_codes_shown(page: &TestResponse) -> Vec<String> {
    let list_start = page
        .body
        .find("id=\"recovery-codes\"")
        .expect("codes listed");
    let list = &page.body[list_start..];
    let list = &list[..list.find("</ul>").unwrap()];
    list.split("<code>")
        .skip(1)
        .map(|piece| piece[..piece.find("</code>").unwrap()].to_string())
        .collect()
}

#[tokio::test]
async fn setting_up_needs_a_right_code_then_shows_the_recovery_codes_once() {
    let mut app = TestApp::spawn().await;
    let ana = add_staff(&app, "ana@example.com", "Ana Agent", Role::Agent).await;
    sign_in(&mut app, "ana@example.com").await;
    app.get("/staff/settings")
        .await
        .assert_contains("href=\"/staff/security\"");
    app.get("/staff/security")
        .await
        .assert_contains("Set up two-step sign-in");

    let res = app.post_form("/staff/security/totp", &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/staff/security/totp");
    let setup = app.get("/staff/security/totp").await;
    assert_eq!(setup.status, StatusCode::OK);
    let shown = text_after(&setup, "id=\"totp-secret\">").replace(' ', "");
    let secret = TotpSecret::from_stored(
        data_encoding::BASE32_NOPAD
            .decode(shown.as_bytes())
            .expect("the key is base32"),
    );
    setup
        .assert_contains("src=\"data:image/svg+xml;base64,")
        .assert_contains("alt=\"QR code for apidesk, ana@example.com.");

    // Not confirmed yet: the password alone still signs in.
    app.clear_cookies();
    sign_in(&mut app, "ana@example.com").await;

    let res = app
        .post_form("/staff/security/totp/confirm", &[("code", "")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("Enter the 6-digit code");
    let step = current_step().await;
    let wrong = code(&secret, step + 10);
    let res = app
        .post_form("/staff/security/totp/confirm", &[("code", &wrong)])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("That code is not right.")
        .assert_contains("id=\"code-error\"")
        .assert_contains("<title>Error: ")
        .assert_contains(&setup.body[setup.body.find("id=\"totp-secret\"").unwrap()..][..40]);
    assert!(
        !app.state
            .store
            .staff_totp(ana)
            .await
            .unwrap()
            .unwrap()
            .is_on()
    );

    let step = current_step().await;
    let res = app
        .post_form(
            "/staff/security/totp/confirm",
            &[("code", &code(&secret, step))],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    res.assert_contains("Two-step sign-in is on.")
        .assert_contains("they are not shown again");
    let codes = recovery_codes_shown(&res);
    assert_eq!(codes.len(), 10);
    let overview = app.get("/staff/security").await;
    overview
        .assert_contains("On since")
        .assert_contains("You have 10 unused recovery codes.");
    for shown in &codes {
        overview.assert_lacks(shown);
    }
    // The set-up page is done with.
    let res = app.get("/staff/security/totp").await;
    assert_eq!(res.location(), "/staff/security");

    // From now on the password leads to the code.
    password_step(&mut app, "ana@example.com", "/staff/queue").await;
}

#[tokio::test]
async fn signing_in_takes_the_password_then_a_code() {
    let mut app = TestApp::spawn().await;
    let ana = add_staff(&app, "ana@example.com", "Ana Agent", Role::Agent).await;
    let (secret, _) = second_factor_on(&app, ana).await;

    password_step(&mut app, "ana@example.com", "/staff/settings").await;
    // The password alone opens nothing.
    let res = app.get("/staff/queue").await;
    assert!(res.location().starts_with("/staff/login"));
    let page = app.get("/staff/login/code").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Enter the 6-digit code from your authenticator app, or a recovery code.");

    let res = code_step(&mut app, "").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let step = current_step().await;
    let res = code_step(&mut app, &code(&secret, step)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), "/staff/settings");
    assert!(app.cookie(SESSION).is_some());
    assert!(app.cookie("apidesk_sign_in").is_none(), "the step is over");
    assert_eq!(app.get("/staff/queue").await.status, StatusCode::OK);

    // Without the step's cookie there is nothing to answer.
    app.clear_cookies();
    let res = app.get("/staff/login/code").await;
    assert_eq!(res.location(), "/staff/login?expired=1");
    app.get("/staff/login?expired=1")
        .await
        .assert_contains("waited too long for its code");
}

#[tokio::test]
async fn a_code_works_once_and_one_step_either_side() {
    let mut app = TestApp::spawn().await;
    let ana = add_staff(&app, "ana@example.com", "Ana Agent", Role::Agent).await;
    let (secret, _) = second_factor_on(&app, ana).await;

    password_step(&mut app, "ana@example.com", "/staff/queue").await;
    let step = current_step().await;
    let earlier = code(&secret, step - 1);
    assert_eq!(
        code_step(&mut app, &earlier).await.status,
        StatusCode::SEE_OTHER
    );

    // The same code again, from another browser: refused.
    password_step(&mut app, "ana@example.com", "/staff/queue").await;
    let res = code_step(&mut app, &earlier).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    res.assert_contains("That code is not right, or was already used.")
        .assert_contains("id=\"code-error\"")
        .assert_lacks(&earlier);
    assert!(app.cookie(SESSION).is_none());

    // The next step's code is taken, spaces and all...
    let step = current_step().await;
    let later = code(&secret, step + 1);
    let spaced = format!("{} {}", &later[..3], &later[3..]);
    assert_eq!(
        code_step(&mut app, &spaced).await.status,
        StatusCode::SEE_OTHER
    );
    // ...and then no code of an earlier step is.
    password_step(&mut app, "ana@example.com", "/staff/queue").await;
    let res = code_step(&mut app, &code(&secret, step)).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_recovery_code_works_once_and_says_how_many_are_left() {
    let mut app = TestApp::spawn().await;
    let ana = add_staff(&app, "ana@example.com", "Ana Agent", Role::Agent).await;
    let (_, codes) = second_factor_on(&app, ana).await;

    password_step(&mut app, "ana@example.com", "/staff/settings").await;
    let typed = codes[3].to_uppercase().replace('-', " ");
    let res = code_step(&mut app, &typed).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.assert_contains("That recovery code is used up. You have 9 recovery codes left.")
        .assert_contains("href=\"/staff/settings\"");
    assert!(app.cookie(SESSION).is_some());
    assert_eq!(app.get("/staff/queue").await.status, StatusCode::OK);

    password_step(&mut app, "ana@example.com", "/staff/queue").await;
    let res = code_step(&mut app, &codes[3]).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let res = code_step(&mut app, &codes[4]).await;
    res.assert_contains("You have 8 recovery codes left.");
}

#[tokio::test]
async fn wrong_codes_count_against_the_accounts_sign_in_limit() {
    let mut app = TestApp::spawn().await;
    let ana = add_staff(&app, "ana@example.com", "Ana Agent", Role::Agent).await;
    let (_, codes) = second_factor_on(&app, ana).await;

    password_step(&mut app, "ana@example.com", "/staff/queue").await;
    for _ in 0..5 {
        let res = code_step(&mut app, WRONG_RECOVERY).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
    // The right code is refused now too, without being checked (and so
    // not used up).
    let res = code_step(&mut app, &codes[0]).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    res.assert_contains("Too many failed sign-ins. Try again in 15 minutes.");
    assert!(res.headers.contains_key("retry-after"));
    assert_eq!(app.state.store.recovery_codes_left(ana).await.unwrap(), 10);
    // And so is the password, from anywhere.
    app.clear_cookies();
    let res = app
        .post_form(
            "/staff/login",
            &[("email", "ana@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn turning_it_off_or_new_recovery_codes_need_the_password_or_a_code() {
    let mut app = TestApp::spawn().await;
    let ana = add_staff(&app, "ana@example.com", "Ana Agent", Role::Agent).await;
    let (secret, old_codes) = second_factor_on(&app, ana).await;
    password_step(&mut app, "ana@example.com", "/staff/queue").await;
    code_step(&mut app, &old_codes[0]).await;

    let res = app
        .post_form("/staff/security/recovery-codes", &[("proof", "")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("Enter your password, or a code");
    let res = app
        .post_form(
            "/staff/security/recovery-codes",
            &[("proof", "not my password at all")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("That is neither your password nor a current code.")
        .assert_contains("id=\"codes_proof-error\"")
        .assert_lacks("not my password at all");

    let step = current_step().await;
    let res = app
        .post_form(
            "/staff/security/recovery-codes",
            &[("proof", &code(&secret, step))],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    res.assert_contains("New recovery codes are made");
    let new_codes = recovery_codes_shown(&res);
    assert_eq!(new_codes.len(), 10);
    // The old ones no longer work; the new ones do.
    let take = |typed: &str| {
        let hash = typed_recovery_hash(typed).expect("a recovery code");
        let store = app.state.store.clone();
        async move {
            store
                .take_recovery_code(ana, &hash, OffsetDateTime::now_utc())
                .await
                .unwrap()
        }
    };
    assert_eq!(take(&old_codes[1]).await, None);
    assert_eq!(take(&new_codes[0]).await, Some(9));

    let res = app
        .post_form("/staff/security/totp/off", &[("proof", WRONG_RECOVERY)])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("id=\"off_proof-error\"");
    let res = app
        .post_form("/staff/security/totp/off", &[("proof", PASSWORD)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    app.get(res.location())
        .await
        .assert_contains("Two-step sign-in is off");
    assert!(app.state.store.staff_totp(ana).await.unwrap().is_none());
    // The password alone signs in again.
    app.clear_cookies();
    sign_in(&mut app, "ana@example.com").await;
}

#[tokio::test]
async fn an_admin_turns_off_someone_elses_second_factor() {
    let mut app = TestApp::spawn().await;
    let ada = add_staff(&app, "ada@example.com", "Ada Admin", Role::Admin).await;
    let ana = add_staff(&app, "ana@example.com", "Ana Agent", Role::Agent).await;
    second_factor_on(&app, ana).await;
    sign_in(&mut app, "ada@example.com").await;

    let page = app.get(&format!("/staff/accounts/{ana}")).await;
    page.assert_contains("Turn off their two-step sign-in");
    let res = app
        .post_form(&format!("/staff/accounts/{ana}/reset-2fa"), &[])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    app.get(res.location())
        .await
        .assert_contains("two-step sign-in is off");
    assert!(app.state.store.staff_totp(ana).await.unwrap().is_none());

    // Her own is changed on her own page, with a password or a code.
    second_factor_on(&app, ada).await;
    let res = app
        .post_form(&format!("/staff/accounts/{ada}/reset-2fa"), &[])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("To change your own two-step sign-in");
    assert!(app.state.store.staff_totp(ada).await.unwrap().is_some());

    // Ana signs in with her password alone; as an agent she may reset no one's.
    app.clear_cookies();
    sign_in(&mut app, "ana@example.com").await;
    let res = app
        .post_form(&format!("/staff/accounts/{ada}/reset-2fa"), &[])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(app.state.store.staff_totp(ada).await.unwrap().is_some());
}

#[tokio::test]
async fn every_new_form_needs_its_csrf_token() {
    let mut app = TestApp::spawn().await;
    let ada = add_staff(&app, "ada@example.com", "Ada Admin", Role::Admin).await;
    let ana = add_staff(&app, "ana@example.com", "Ana Agent", Role::Agent).await;
    let (_, codes) = second_factor_on(&app, ana).await;
    let (_, ada_codes) = second_factor_on(&app, ada).await;

    // The code step, waiting for Ada's code.
    password_step(&mut app, "ada@example.com", "/staff/queue").await;
    let body = format!("code={}", ada_codes[0]);
    for body in [body.clone(), format!("csrf_token=forged&{body}")] {
        let res = app.post_raw("/staff/login/code", &body).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
    }
    assert!(app.cookie(SESSION).is_none());
    code_step(&mut app, &ada_codes[1]).await;
    assert!(app.cookie(SESSION).is_some());

    let proof = format!("proof={}", PASSWORD.replace(' ', "+"));
    let forged = [
        ("/staff/security/totp".to_string(), String::new()),
        ("/staff/security/totp/confirm".into(), "code=123456".into()),
        ("/staff/security/totp/off".into(), proof.clone()),
        ("/staff/security/recovery-codes".into(), proof),
        (format!("/staff/accounts/{ana}/reset-2fa"), String::new()),
    ];
    for (path, body) in &forged {
        for body in [body.clone(), format!("csrf_token=forged&{body}")] {
            let res = app.post_raw(path, &body).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{path} {body}");
        }
    }
    assert!(app.state.store.staff_totp(ana).await.unwrap().is_some());
    assert!(
        app.state
            .store
            .staff_totp(ada)
            .await
            .unwrap()
            .unwrap()
            .is_on()
    );
    assert_eq!(
        app.state.store.recovery_codes_left(ana).await.unwrap(),
        codes.len() as i64
    );
    assert_eq!(app.state.store.recovery_codes_left(ada).await.unwrap(), 9);
}
