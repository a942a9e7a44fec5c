//! Staff accounts on pages: changing one's own password, and the admin's
//! `/staff/accounts` (add, role, disable, enable, reset), with the role
//! rules: agents refused, the last active admin kept, emails unique, every
//! form CSRF-protected.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use apidesk::staff::Role;
use apidesk::web::staff_session::COOKIE_NAME as SESSION;
use axum::http::StatusCode;
use common::{TestApp, TestResponse, escape, hidden_value, is_checked};
use staff_helpers::{PASSWORD, add_staff, file_ticket, reload, sign_in};

const NEW_PASSWORD: &str = "a different long passphrase";

async fn try_sign_in(app: &mut TestApp, email: &str, password: &str) -> TestResponse {
    app.post_form(
        "/staff/login",
        &[
            ("email", email),
            ("password", password),
            ("next", "/staff/queue"),
        ],
    )
    .await
}

async fn change_password(
    app: &mut TestApp,
    current: &str,
    new: &str,
    confirm: &str,
) -> TestResponse {
    app.post_form(
        "/staff/password",
        &[
            ("current_password", current),
            ("new_password", new),
            ("confirm_password", confirm),
        ],
    )
    .await
}

/// The temporary password a page shows once.
fn temporary_password(page: &TestResponse) -> String {
    let marker = "id=\"temporary-password\">";
    let start = page
        .body
        .find(marker)
        .unwrap_or_else(|| panic!("no temporary password shown:\n{}", page.body))
        + marker.len();
    let end = start + page.body[start..].find('<').unwrap();
    common::unescape(&page.body[start..end])
}

/// The admin Ada, signed in; returns her id.
async fn signed_in_admin(app: &mut TestApp) -> i64 {
    let id = add_staff(app, "ada@example.com", "Ada Admin", Role::Admin).await;
    sign_in(app, "ada@example.com").await;
    id
}

async fn role_of(app: &TestApp, id: i64) -> Role {
    app.state.store.staff_by_id(id).await.unwrap().unwrap().role
}

#[tokio::test]
async fn a_wrong_current_password_is_said_beside_its_field_and_never_shown_back() {
    let mut app = TestApp::spawn().await;
    staff_helpers::signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    let page = app.get("/staff/settings").await;
    page.assert_contains("href=\"/staff/password\"");

    let typed_current = "not my password at all";
    let res = change_password(&mut app, typed_current, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("That is not your current password.")
        .assert_contains("id=\"current_password-error\"")
        .assert_contains("<title>Error: ")
        .assert_lacks(typed_current)
        .assert_lacks(NEW_PASSWORD);
    // With another mistake, both are listed, in the order of their fields.
    let res = change_password(&mut app, typed_current, NEW_PASSWORD, "not the same").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = res.body.find("href=\"#field-current_password\"").unwrap();
    let mismatch = res.body.find("href=\"#field-confirm_password\"").unwrap();
    assert!(wrong < mismatch);
    // Nothing changed: the old password still signs in, the new one does not.
    app.clear_cookies();
    assert_eq!(
        try_sign_in(&mut app, "ana@example.com", NEW_PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        try_sign_in(&mut app, "ana@example.com", PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn wrong_current_passwords_lock_like_failed_sign_ins() {
    let mut app = TestApp::spawn().await;
    staff_helpers::signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    for _ in 0..5 {
        let res = change_password(&mut app, "a wrong guess here", NEW_PASSWORD, NEW_PASSWORD).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // The right one is refused now too, without being checked.
    let res = change_password(&mut app, PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    res.assert_contains(
        "Too many failed password checks for your account. Try again in 15 minutes.",
    );
    // When the first of the five failures leaves the 15-minute window.
    let wait: u64 = res.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    // And so is signing in to that account from anywhere.
    app.clear_cookies();
    let res = try_sign_in(&mut app, "ana@example.com", PASSWORD).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_new_password_must_be_typed_twice_and_follow_the_rules() {
    let mut app = TestApp::spawn().await;
    staff_helpers::signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;

    let res = change_password(
        &mut app,
        PASSWORD,
        NEW_PASSWORD,
        "a different long passphrasE",
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("The two new passwords are not the same.")
        .assert_contains("id=\"confirm_password-error\"")
        .assert_lacks(NEW_PASSWORD);

    let res = change_password(&mut app, PASSWORD, "too short", "too short").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("The password must be at least 12 characters.")
        .assert_contains("id=\"new_password-error\"")
        .assert_lacks("too short");

    let res = change_password(&mut app, PASSWORD, PASSWORD, PASSWORD).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("this is the one you have now");

    // Long enough is not enough: too easy to guess is refused, saying why.
    let res = change_password(&mut app, PASSWORD, "password1234", "password1234").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("This password is too easy to guess. This is a very common password.")
        .assert_contains("Use a few unrelated words")
        .assert_contains("id=\"new_password-error\"")
        .assert_lacks("password1234");
    let own = "ana.agent2024!!";
    let res = change_password(&mut app, PASSWORD, own, own).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("It contains your name or your email address");
    let long = "staple orbit lantern ".repeat(7);
    let res = change_password(&mut app, PASSWORD, &long, &long).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("The password must be at most 128 characters: this one has 147.");

    let res = change_password(&mut app, "", "", "").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("Enter your current password.")
        .assert_contains("Enter a new password.");

    // None of it changed the password.
    app.clear_cookies();
    assert_eq!(
        try_sign_in(&mut app, "ana@example.com", PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_changed_password_ends_every_other_session_but_this_one() {
    let mut app = TestApp::spawn().await;
    add_staff(&app, "ana@example.com", "Ana Agent", Role::Agent).await;
    // Signed in on a laptop and on a phone.
    sign_in(&mut app, "ana@example.com").await;
    let laptop = app.cookie(SESSION).expect("a session cookie");
    app.clear_cookies();
    sign_in(&mut app, "ana@example.com").await;
    let phone = app.cookie(SESSION).expect("a session cookie");
    assert_ne!(laptop, phone);

    let res = change_password(&mut app, PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.location(), "/staff/password?changed=1");
    app.get(res.location()).await.assert_contains(
        "Password changed. You stay signed in here; your other session was signed out.",
    );
    // The phone stays signed in...
    assert_eq!(app.get("/staff/queue").await.status, StatusCode::OK);
    // ...the laptop is signed out.
    app.set_cookie(SESSION, &laptop);
    let res = app.get("/staff/queue").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res.location().starts_with("/staff/login"));

    // The old password no longer signs in; the new one does.
    app.clear_cookies();
    assert_eq!(
        try_sign_in(&mut app, "ana@example.com", PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        try_sign_in(&mut app, "ana@example.com", NEW_PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn an_admin_adds_someone_who_chooses_their_own_password_at_first_sign_in() {
    let mut app = TestApp::spawn().await;
    signed_in_admin(&mut app).await;
    let list = app.get("/staff/accounts").await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_contains("href=\"/staff/accounts\">Accounts</a>")
        .assert_contains("Ada Admin");

    let res = app
        .post_form(
            "/staff/accounts",
            &[
                ("name", " Bo Agent "),
                ("email", "bo@example.com"),
                ("role", "agent"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.assert_contains("Bo Agent is added")
        .assert_contains("Copy it now: it is not shown again.");
    let temporary = temporary_password(&res);
    assert!(temporary.len() >= 12);
    // Shown once: the person's page and the list never show it again.
    let bo = app
        .state
        .store
        .staff_credentials("bo@example.com")
        .await
        .unwrap()
        .expect("Bo is stored")
        .0;
    assert_eq!((bo.name.as_str(), bo.role), ("Bo Agent", Role::Agent));
    app.get(&format!("/staff/accounts/{}", bo.id))
        .await
        .assert_lacks(&temporary)
        .assert_contains("must choose a new password at next sign-in");
    app.get("/staff/accounts")
        .await
        .assert_lacks(&temporary)
        .assert_contains("Temporary password");

    // Bo signs in with it and is sent to choose a password before anything else.
    app.clear_cookies();
    let res = try_sign_in(&mut app, "bo@example.com", &temporary).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    for path in ["/staff/queue", "/staff/settings", "/staff/tickets/1"] {
        let res = app.get(path).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(res.location(), "/staff/password", "{path}");
    }
    app.get("/staff/password")
        .await
        .assert_contains("You signed in with a temporary password an admin gave you.");
    let res = change_password(&mut app, &temporary, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(app.get("/staff/queue").await.status, StatusCode::OK);
    app.get("/staff/password")
        .await
        .assert_lacks("You signed in with a temporary password");
}

#[tokio::test]
async fn an_email_already_in_use_is_a_field_error_with_the_form_kept() {
    let mut app = TestApp::spawn().await;
    signed_in_admin(&mut app).await;
    add_staff(&app, "ana@example.com", "Ana Agent", Role::Agent).await;

    let res = app
        .post_form(
            "/staff/accounts",
            &[
                ("name", "Ana O'Neil"),
                ("email", "ANA@example.com"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    res.assert_contains("Another account already uses this email.")
        .assert_contains("id=\"email-error\"")
        .assert_contains("href=\"#field-email\"");
    assert_eq!(hidden_value(&res.body, "name").unwrap(), "Ana O'Neil");
    assert_eq!(hidden_value(&res.body, "email").unwrap(), "ANA@example.com");
    assert!(is_checked(&res.body, "role", "admin"));
    assert!(!is_checked(&res.body, "role", "agent"));

    // Other mistakes, all at once, each beside its field.
    let res = app
        .post_form(
            "/staff/accounts",
            &[("name", ""), ("email", "ana at example"), ("role", "owner")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("3 things need fixing")
        .assert_contains("Enter their name")
        .assert_contains("Enter an email address like name@example.com.")
        .assert_contains("Choose agent or admin.");
    assert_eq!(
        app.state.store.staff_emails().await.unwrap(),
        ["ada@example.com", "ana@example.com"]
    );
}

#[tokio::test]
async fn an_admin_changes_roles() {
    let mut app = TestApp::spawn().await;
    signed_in_admin(&mut app).await;
    let ana = add_staff(&app, "ana@example.com", "Ana Agent", Role::Agent).await;
    let url = format!("/staff/accounts/{ana}");

    let res = app
        .post_form(&format!("{url}/role"), &[("role", "admin")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), format!("{url}?done=role"));
    assert_eq!(role_of(&app, ana).await, Role::Admin);
    let page = app.get(res.location()).await;
    page.assert_contains("Ana Agent is now an admin.");
    assert!(is_checked(&page.body, "role", "admin"));

    app.post_form(&format!("{url}/role"), &[("role", "agent")])
        .await;
    assert_eq!(role_of(&app, ana).await, Role::Agent);

    let res = app
        .post_form(&format!("{url}/role"), &[("role", "owner")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("Choose agent or admin.");
    assert_eq!(role_of(&app, ana).await, Role::Agent);

    assert_eq!(
        app.get("/staff/accounts/999").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post_form("/staff/accounts/999/disable", &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn disabling_ends_their_sessions_and_keeps_their_tickets_assigned() {
    let mut app = TestApp::spawn().await;
    let ana = add_staff(&app, "ana@example.com", "Ana Agent", Role::Agent).await;
    signed_in_admin(&mut app).await;
    let first = file_ticket(&mut app).await;
    let second = file_ticket(&mut app).await;
    for ticket in [&first, &second] {
        let res = app
            .post_form(
                &format!("/staff/tickets/{}/assign", ticket.id),
                &[("assignee", &ana.to_string())],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let admin_session = app.cookie(SESSION).unwrap();
    // Ana is signed in elsewhere.
    app.clear_cookies();
    sign_in(&mut app, "ana@example.com").await;
    let ana_session = app.cookie(SESSION).unwrap();
    app.set_cookie(SESSION, &admin_session);

    let url = format!("/staff/accounts/{ana}");
    app.get(&url).await.assert_contains(
        "The 2 open tickets assigned to them stay assigned until someone reassigns them.",
    );
    let res = app.post_form(&format!("{url}/disable"), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let page = app.get(res.location()).await;
    page.assert_contains(
        "Ana Agent is disabled: they cannot sign in, and their sessions have ended.",
    )
    .assert_contains("2 open tickets are still assigned to them")
    .assert_contains(&format!("href=\"/staff/queue?assignee={ana}\""))
    .assert_contains("Enable Ana Agent");
    for ticket in [&first, &second] {
        assert_eq!(reload(&app, ticket.id).await.assignee_id, Some(ana));
    }
    app.get("/staff/accounts")
        .await
        .assert_contains("status-closed\">Disabled");

    // Her session ended, and she cannot sign in again.
    app.set_cookie(SESSION, &ana_session);
    assert_eq!(app.get("/staff/queue").await.status, StatusCode::SEE_OTHER);
    app.clear_cookies();
    assert_eq!(
        try_sign_in(&mut app, "ana@example.com", PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // Enabled again, she signs in with the password she had.
    app.set_cookie(SESSION, &admin_session);
    let res = app.post_form(&format!("{url}/enable"), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    app.get(res.location())
        .await
        .assert_contains("Ana Agent can sign in again, with the password they had.");
    app.clear_cookies();
    assert_eq!(
        try_sign_in(&mut app, "ana@example.com", PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_reset_gives_a_temporary_password_and_ends_their_sessions() {
    let mut app = TestApp::spawn().await;
    let ana = add_staff(&app, "ana@example.com", "Ana Agent", Role::Agent).await;
    sign_in(&mut app, "ana@example.com").await;
    let ana_session = app.cookie(SESSION).unwrap();
    app.clear_cookies();
    let ada = signed_in_admin(&mut app).await;

    let res = app
        .post_form(&format!("/staff/accounts/{ana}/reset-password"), &[])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.assert_contains("Password reset").assert_contains(
        "Their old password no longer works, and they were signed out everywhere.",
    );
    let temporary = temporary_password(&res);

    // Her own password cannot be reset this way: she knows it.
    let res = app
        .post_form(&format!("/staff/accounts/{ada}/reset-password"), &[])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("To change your own password, use");

    app.clear_cookies();
    app.set_cookie(SESSION, &ana_session);
    assert_eq!(app.get("/staff/queue").await.status, StatusCode::SEE_OTHER);
    app.clear_cookies();
    assert_eq!(
        try_sign_in(&mut app, "ana@example.com", PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        try_sign_in(&mut app, "ana@example.com", &temporary)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let res = app.get("/staff/queue").await;
    assert_eq!(res.location(), "/staff/password");
}

#[tokio::test]
async fn the_last_active_admin_cannot_demote_or_disable_themselves() {
    let mut app = TestApp::spawn().await;
    let ada = signed_in_admin(&mut app).await;
    let url = format!("/staff/accounts/{ada}");

    let res = app
        .post_form(&format!("{url}/role"), &[("role", "agent")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("You are the only active admin, so you cannot make yourself an agent. Make someone else an admin first.")
        .assert_contains("href=\"#field-role\"");
    let res = app.post_form(&format!("{url}/disable"), &[]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("You are the only active admin, so you cannot disable your account.");
    assert_eq!(role_of(&app, ada).await, Role::Admin);
    assert_eq!(app.get("/staff/accounts").await.status, StatusCode::OK);

    // A disabled admin does not count.
    let old = add_staff(&app, "old@example.com", "Old Admin", Role::Admin).await;
    app.post_form(&format!("/staff/accounts/{old}/disable"), &[])
        .await;
    let res = app
        .post_form(&format!("{url}/role"), &[("role", "agent")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);

    // With another active admin, Ada may step down, and then is an agent.
    app.post_form(&format!("/staff/accounts/{old}/enable"), &[])
        .await;
    let res = app
        .post_form(&format!("{url}/role"), &[("role", "agent")])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.location(), "/staff/queue");
    assert_eq!(role_of(&app, ada).await, Role::Agent);
    assert_eq!(
        app.get("/staff/accounts").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn agents_are_refused_every_admin_page_and_action_but_keep_their_own_password() {
    let mut app = TestApp::spawn().await;
    let ada = add_staff(&app, "ada@example.com", "Ada Admin", Role::Admin).await;
    let ana = staff_helpers::signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;

    app.get("/staff/queue")
        .await
        .assert_lacks("href=\"/staff/accounts\"");
    for path in [
        "/staff/accounts".to_string(),
        format!("/staff/accounts/{ada}"),
        format!("/staff/accounts/{ana}"),
    ] {
        let res = app.get(&path).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}");
        res.assert_contains("You cannot do that");
    }
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            "/staff/accounts".into(),
            vec![
                ("name", "Eve"),
                ("email", "eve@example.com"),
                ("role", "admin"),
            ],
        ),
        (
            format!("/staff/accounts/{ana}/role"),
            vec![("role", "admin")],
        ),
        (
            format!("/staff/accounts/{ada}/role"),
            vec![("role", "agent")],
        ),
        (format!("/staff/accounts/{ada}/disable"), vec![]),
        (format!("/staff/accounts/{ada}/enable"), vec![]),
        (format!("/staff/accounts/{ada}/reset-password"), vec![]),
    ];
    for (path, fields) in &posts {
        let res = app.post_form(path, fields).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}");
        res.assert_contains("You cannot do that");
    }
    // Nothing changed.
    assert_eq!(role_of(&app, ana).await, Role::Agent);
    assert_eq!(role_of(&app, ada).await, Role::Admin);
    assert_eq!(app.state.store.staff_emails().await.unwrap().len(), 2);
    let ada_now = app.state.store.staff_by_id(ada).await.unwrap().unwrap();
    assert!(!ada_now.disabled && !ada_now.must_change_password);

    // Their own password is theirs to change.
    assert_eq!(app.get("/staff/password").await.status, StatusCode::OK);
    let res = change_password(&mut app, PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn every_form_needs_its_csrf_token() {
    let mut app = TestApp::spawn().await;
    signed_in_admin(&mut app).await;
    let ana = add_staff(&app, "ana@example.com", "Ana Agent", Role::Agent).await;
    let forged = [
        (
            "/staff/accounts".to_string(),
            "name=Eve&email=eve%40example.com&role=admin".to_string(),
        ),
        (format!("/staff/accounts/{ana}/role"), "role=admin".into()),
        (format!("/staff/accounts/{ana}/disable"), String::new()),
        (
            format!("/staff/accounts/{ana}/reset-password"),
            String::new(),
        ),
        (
            "/staff/password".into(),
            format!(
                "current_password={}&new_password=x{}&confirm_password=x{}",
                PASSWORD.replace(' ', "+"),
                NEW_PASSWORD.replace(' ', "+"),
                NEW_PASSWORD.replace(' ', "+"),
            ),
        ),
    ];
    for (path, body) in &forged {
        for body in [body.clone(), format!("csrf_token=forged&{body}")] {
            let res = app.post_raw(path, &body).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{path} {body}");
        }
    }
    assert_eq!(role_of(&app, ana).await, Role::Agent);
    assert_eq!(app.state.store.staff_emails().await.unwrap().len(), 2);
    let ana_now = app.state.store.staff_by_id(ana).await.unwrap().unwrap();
    assert!(!ana_now.disabled && !ana_now.must_change_password);
    // Ada's password is unchanged.
    app.clear_cookies();
    assert_eq!(
        try_sign_in(&mut app, "ada@example.com", PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_list_says_who_is_who_and_when_they_last_signed_in() {
    let mut app = TestApp::spawn().await;
    add_staff(&app, "zoe@example.com", "Zoe <Agent>", Role::Agent).await;
    signed_in_admin(&mut app).await;
    let list = app.get("/staff/accounts").await;
    // Ada signed in; Zoe never has. Names are escaped.
    let ada_row = list
        .body
        .split("<tr>")
        .skip(1)
        .find(|row| row.contains("Ada Admin"))
        .unwrap();
    assert!(
        ada_row.contains("Admin</td>") && !ada_row.contains("Never"),
        "{ada_row}"
    );
    let zoe_row = list
        .body
        .split("<tr>")
        .skip(1)
        .find(|row| row.contains(&escape("Zoe <Agent>")))
        .unwrap();
    assert!(
        zoe_row.contains("Agent</td>") && zoe_row.contains("Never"),
        "{zoe_row}"
    );
    assert!(ada_row.contains("(you)"));
}
