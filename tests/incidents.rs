//! Known incidents: staff declare one, the start page and the checks of the
//! codes it causes say so first, tickets filed meanwhile are linked to it,
//! and ending it with one reply answers each of them on its own.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use axum::http::StatusCode;
use common::{TestApp, as_pairs, valid_ticket};
use staff_helpers::{event_kinds, reload, signed_in_agent};

fn ticket_with(code: &str, email: &str) -> Vec<(&'static str, String)> {
    let mut fields = valid_ticket();
    for (name, value) in [("error_code", code), ("email", email)] {
        fields.iter_mut().find(|(k, _)| *k == name).unwrap().1 = value.into();
    }
    fields
        .iter_mut()
        .find(|(k, _)| *k == "submission_id")
        .unwrap()
        .1 = uuid::Uuid::new_v4().to_string();
    fields
}

#[tokio::test]
async fn an_incident_is_said_first_links_tickets_and_is_answered_together() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    // Staff only.
    let mut stranger = TestApp::spawn().await;
    assert_eq!(
        stranger.get("/staff/incidents").await.status,
        StatusCode::SEE_OTHER
    );

    // A mistake comes back with what was typed.
    let wrong = app
        .post_form(
            "/staff/incidents",
            &[
                ("title", ""),
                ("affected", "Writes fail."),
                ("codes", "500"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong
        .assert_contains("Give the incident a title")
        .assert_contains("Writes fail.");

    let declared = app
        .post_form(
            "/staff/incidents",
            &[
                ("title", "Record updates failing"),
                ("affected", "Updates to records answer 500 or 503."),
                ("codes", "500"),
                ("codes", "503"),
            ],
        )
        .await;
    assert_eq!(declared.status, StatusCode::SEE_OTHER, "{}", declared.body);
    // A double click declares it once.
    let twice = app
        .post_form(
            "/staff/incidents",
            &[("title", "record updates failing"), ("codes", "500")],
        )
        .await;
    assert_eq!(twice.status, StatusCode::SEE_OTHER);
    let open = app.state.store.open_incidents().await.unwrap();
    assert_eq!(open.len(), 1);

    // Said first on the start page, on the checks it causes, not on others.
    let start = app.get("/").await;
    start.assert_contains("Known problem on TrackVia’s side: Record updates failing");
    app.get("/troubleshoot/500")
        .await
        .assert_contains("Record updates failing");
    app.get("/troubleshoot/401")
        .await
        .assert_lacks("Record updates failing");
    app.get("/tickets/new?error_code=503")
        .await
        .assert_contains("Record updates failing");

    // Tickets of its codes filed meanwhile are linked; others are not.
    for (code, email) in [
        ("500", "a@example.com"),
        ("401", "b@example.com"),
        ("503", "c@example.com"),
    ] {
        let res = app
            .post_form("/tickets", &as_pairs(&ticket_with(code, email)))
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
    let linked: Vec<Option<i64>> = linked_incidents(&app, &[1, 2, 3]).await;
    assert_eq!(linked, [Some(1), None, Some(1)]);
    let status = app
        .get(&format!("/tickets/{}", reload(&app, 1).await.token))
        .await;
    status.assert_contains("Filed during a known problem on the platform’s side");
    app.get("/staff/tickets/1")
        .await
        .assert_contains("Filed during an incident");
    let page = app.get("/staff/incidents").await;
    page.assert_contains("2 tickets filed during it")
        .assert_contains("/staff/tickets/3");

    // Ending it with one reply answers each linked ticket, and only those.
    let ended = app
        .post_form(
            "/staff/incidents/1/end",
            &[("reply", "The platform is fixed; please run your job again.")],
        )
        .await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert_eq!(ended.location(), "/staff/incidents?ended=1&replied=2");
    assert!(event_kinds(&app, 1).await.contains(&"reply".to_string()));
    assert!(!event_kinds(&app, 2).await.contains(&"reply".to_string()));
    assert!(event_kinds(&app, 3).await.contains(&"reply".to_string()));
    app.get("/").await.assert_lacks("Record updates failing");
    // Ending it twice finds nothing open.
    let again = app
        .post_form("/staff/incidents/1/end", &[("reply", "")])
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    // A ticket filed after it ended is not linked.
    app.post_form("/tickets", &as_pairs(&ticket_with("500", "d@example.com")))
        .await;
    assert_eq!(linked_incidents(&app, &[4]).await, [None]);
}

async fn linked_incidents(app: &TestApp, ids: &[i64]) -> Vec<Option<i64>> {
    let mut out = Vec::new();
    for id in ids {
        out.push(reload(app, *id).await.incident_id);
    }
    out
}
