//! Webhooks end to end: an admin registers an endpoint on the admin page, a
//! ticket filed through the public form reaches a receiver on 127.0.0.1
//! (allowed with --webhook-allow-hosts) signed and without the requester's
//! private link; a receiver that fails first gets the delivery again; a
//! private destination is refused without a connection; a redirect is not
//! followed. Delivery is driven by calling `deliver_due` with the clock.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use apidesk::staff::Role;
use apidesk::webhooks::delivery::Deliverer;
use apidesk::webhooks::{AllowList, DeliveryRecord, DeliveryState, Lookup, verify};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use common::TestApp;
use staff_helpers::{add_staff, file_ticket, sign_in, signed_in_agent, staff_url};
use time::{Duration, OffsetDateTime};

const PUBLIC_URL: &str = "https://help.example.com";

/// Each request a receiver got: its headers and body.
type Got = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

/// A receiver on 127.0.0.1 answering from a script (200 once it runs out);
/// `redirect_to` makes every 3xx point there.
struct Receiver {
    addr: SocketAddr,
    got: Got,
}

impl Receiver {
    async fn start(statuses: Vec<u16>, redirect_to: Option<String>) -> Self {
        let got: Got = Arc::default();
        let script = Arc::new(Mutex::new(statuses.into_iter()));
        let kept = got.clone();
        let app =
            axum::Router::new().fallback(move |headers: HeaderMap, body: axum::body::Bytes| {
                let (kept, script, redirect_to) =
                    (kept.clone(), script.clone(), redirect_to.clone());
                async move {
                    kept.lock().unwrap().push((headers, body.to_vec()));
                    let status =
                        StatusCode::from_u16(script.lock().unwrap().next().unwrap_or(200)).unwrap();
                    let location = redirect_to.unwrap_or_default();
                    (
                        status,
                        [(header::LOCATION, location)],
                        "receiver says hello",
                    )
                        .into_response()
                }
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, got }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/apidesk-hook", self.addr.port())
    }

    fn requests(&self) -> Vec<(HeaderMap, Vec<u8>)> {
        self.got.lock().unwrap().clone()
    }
}

/// An app whose operator allows `allow` (--webhook-allow-hosts), with an
/// admin signed in.
async fn app_with_admin(allow: &str) -> TestApp {
    let allow = AllowList::parse(allow).unwrap();
    let mut app = TestApp::spawn_configured(|config| {
        config.public_url = Some(PUBLIC_URL.into());
        config.webhook_allow_hosts = allow;
    })
    .await;
    add_staff(&app, "ada@example.com", "Ada Admin", Role::Admin).await;
    sign_in(&mut app, "ada@example.com").await;
    app
}

/// The deliverer the server would run, over the app's database.
fn deliverer(app: &TestApp) -> Deliverer {
    let config = &app.state.config;
    Deliverer::new(
        app.state.store.clone(),
        config.public_url.clone(),
        config.webhook_allow_hosts.clone(),
    )
    .unwrap()
}

/// Registers an endpoint through the admin page; returns the secret the
/// page shows once.
async fn register(app: &mut TestApp, url: &str, events: &[&str]) -> String {
    let mut fields = vec![("url", url), ("format", "json")];
    fields.extend(events.iter().map(|e| ("events", *e)));
    let res = app.post_form("/staff/webhooks", &fields).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = app.get(res.location()).await;
    page.assert_contains("Copy the signing secret now");
    let at = page.body.find("whsec_").expect("the secret is shown");
    page.body[at..at + 6 + 64].to_string()
}

async fn deliveries(app: &TestApp) -> Vec<DeliveryRecord> {
    app.state.store.recent_webhook_deliveries(50).await.unwrap()
}

#[tokio::test]
async fn a_ticket_filed_through_the_form_reaches_the_receiver_signed() {
    let receiver = Receiver::start(vec![], None).await;
    let mut app = app_with_admin("127.0.0.1").await;

    // A URL that cannot be delivered to comes back with everything typed.
    let wrong = app
        .post_form(
            "/staff/webhooks",
            &[
                ("url", "http://10.0.0.8/hook"),
                ("format", "slack"),
                ("events", "ticket.resolved"),
                ("events", "problem.grown"),
                ("problem_threshold", "25"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong
        .assert_contains("This URL cannot be used: 10.0.0.8 is private (10.0.0.0/8)")
        .assert_contains("id=\"url-error\"")
        .assert_contains("value=\"http://10.0.0.8/hook\"")
        .assert_contains("value=\"25\"");
    for (name, value) in [
        ("format", "slack"),
        ("events", "ticket.resolved"),
        ("events", "problem.grown"),
    ] {
        assert!(
            common::is_checked(&wrong.body, name, value),
            "{name}={value} kept"
        );
    }
    assert!(!common::is_checked(&wrong.body, "events", "ticket.filed"));

    let secret = register(
        &mut app,
        &receiver.url(),
        &["ticket.filed", "ticket.resolved"],
    )
    .await;
    // Once only: afterwards the page shows its start.
    let again = app.get("/staff/webhooks?created=1").await;
    again
        .assert_lacks(&secret)
        .assert_contains(&secret[..12])
        .assert_contains(&receiver.url());

    let ticket = file_ticket(&mut app).await;
    let now = OffsetDateTime::now_utc();
    assert_eq!(deliverer(&app).deliver_due(now).await.unwrap(), 1);
    let got = receiver.requests();
    assert_eq!(got.len(), 1);
    let (headers, body) = &got[0];
    let signature = headers["apidesk-signature"].to_str().unwrap();
    assert!(
        signature.starts_with(&format!("t={},v1=", now.unix_timestamp())),
        "{signature}"
    );
    assert!(verify(&secret, signature, body, now.unix_timestamp(), 300));
    assert!(!verify(
        &secret,
        signature,
        b"{}",
        now.unix_timestamp(),
        300
    ));
    assert_eq!(headers["apidesk-event"], "ticket.filed");

    let text = String::from_utf8(body.clone()).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["event"], "ticket.filed");
    assert_eq!(json["id"], headers["apidesk-delivery"].to_str().unwrap());
    assert_eq!(json["ticket"]["reference"], "APD-000001");
    assert_eq!(json["ticket"]["error_code"], "401");
    assert_eq!(json["ticket"]["method"], "GET");
    assert_eq!(
        json["ticket"]["staff_url"],
        format!("{PUBLIC_URL}/staff/tickets/1")
    );
    // Never the requester's private link, its token, or who they are.
    for private in [
        ticket.token.to_string(),
        ticket.token.simple().to_string(),
        format!("{PUBLIC_URL}/tickets/"),
        "dana@example.com".into(),
        "Dana Developer".into(),
    ] {
        assert!(
            !text.contains(&private),
            "the body holds {private:?}: {text}"
        );
    }

    // Resolving it on the staff page is delivered too.
    let res = app
        .post_form(
            &format!("{}/status", staff_url(&ticket)),
            &[("status", "resolved")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    deliverer(&app)
        .deliver_due(OffsetDateTime::now_utc())
        .await
        .unwrap();
    let got = receiver.requests();
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].0["apidesk-event"], "ticket.resolved");

    let page = app.get("/staff/webhooks").await;
    page.assert_contains("ticket.resolved")
        .assert_contains("Sent")
        .assert_contains("last answer 200")
        .assert_contains("receiver says hello");
}

#[tokio::test]
async fn only_admins_manage_webhooks() {
    let mut app = TestApp::spawn().await;
    signed_in_agent(&mut app, "ana@example.com", "Ana Agent").await;
    assert_eq!(
        app.get("/staff/webhooks").await.status,
        StatusCode::FORBIDDEN
    );
    let res = app
        .post_form(
            "/staff/webhooks",
            &[
                ("url", "https://hooks.example.com/"),
                ("format", "json"),
                ("events", "ticket.filed"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.post_form("/staff/webhooks/1/disable", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    app.get("/staff/queue")
        .await
        .assert_lacks("/staff/webhooks");
    assert!(
        app.state
            .store
            .webhook_endpoints()
            .await
            .unwrap()
            .is_empty()
    );

    add_staff(&app, "ada@example.com", "Ada Admin", Role::Admin).await;
    sign_in(&mut app, "ada@example.com").await;
    app.get("/staff/queue")
        .await
        .assert_contains("href=\"/staff/webhooks\"");
    // Without the CSRF token, nothing is registered.
    let forged = app
        .post_raw(
            "/staff/webhooks",
            "url=https%3A%2F%2Fevil.example%2F&format=json&events=ticket.filed",
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(
        app.state
            .store
            .webhook_endpoints()
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_receiver_that_fails_first_gets_the_delivery_again_later() {
    let receiver = Receiver::start(vec![500, 200], None).await;
    let mut app = app_with_admin("127.0.0.1").await;
    let secret = register(&mut app, &receiver.url(), &["ticket.filed"]).await;
    file_ticket(&mut app).await;
    let deliverer = deliverer(&app);

    let first = OffsetDateTime::now_utc();
    assert_eq!(deliverer.deliver_due(first).await.unwrap(), 1);
    let waiting = &deliveries(&app).await[0];
    assert_eq!(
        (waiting.state, waiting.attempts),
        (DeliveryState::Pending, 1)
    );
    assert_eq!(waiting.last_status, Some(500));
    assert!(
        waiting.last_error.contains("answered 500"),
        "{}",
        waiting.last_error
    );
    let next = waiting.next_attempt_at.unwrap();
    assert!(next >= first + Duration::seconds(29), "{next}");
    app.get("/staff/webhooks")
        .await
        .assert_contains("Waiting")
        .assert_contains("last answer 500")
        .assert_contains("next try");
    assert_eq!(
        deliverer.deliver_due(first).await.unwrap(),
        0,
        "not due yet"
    );

    assert_eq!(deliverer.deliver_due(next).await.unwrap(), 1);
    let sent = &deliveries(&app).await[0];
    assert_eq!(
        (sent.state, sent.attempts, sent.last_status),
        (DeliveryState::Sent, 2, Some(200))
    );
    assert!(sent.last_error.is_empty());
    let got = receiver.requests();
    assert_eq!(got.len(), 2);
    // The same delivery twice: same id and body, signed afresh.
    assert_eq!(got[0].0["apidesk-delivery"], got[1].0["apidesk-delivery"]);
    assert_eq!(got[0].1, got[1].1);
    let signature = got[1].0["apidesk-signature"].to_str().unwrap();
    assert!(verify(
        &secret,
        signature,
        &got[1].1,
        next.unix_timestamp(),
        300
    ));
}

/// Names resolved from a table, for a name that leads into the network.
struct Table(HashMap<&'static str, Vec<IpAddr>>);

#[async_trait::async_trait]
impl Lookup for Table {
    async fn lookup(&self, host: &str) -> std::io::Result<Vec<IpAddr>> {
        self.0
            .get(host)
            .cloned()
            .ok_or_else(|| std::io::Error::other("no such name"))
    }
}

#[tokio::test]
async fn private_destinations_are_refused_and_never_connected_to() {
    let receiver = Receiver::start(vec![], None).await;
    let port = receiver.addr.port();
    // Registered while the operator allowed them; the allow list is then
    // taken away (a restart without --webhook-allow-hosts).
    let mut app = app_with_admin("127.0.0.1,localhost,::1,10.0.0.7").await;
    let urls = [
        format!("http://127.0.0.1:{port}/hook"),
        format!("http://localhost:{port}/hook"),
        format!("http://[::1]:{port}/hook"),
        "http://10.0.0.7/hook".to_string(),
        // A name that resolves into the network is registered freely, and
        // judged by its addresses when delivering.
        format!("http://intranet.test:{port}/hook"),
    ];
    for url in &urls {
        register(&mut app, url, &["ticket.filed"]).await;
    }
    // Without the allow list, the page refuses them now.
    let none =
        TestApp::spawn_configured(|config| config.public_url = Some(PUBLIC_URL.into())).await;
    assert!(
        apidesk::webhooks::EndpointInput {
            url: urls[1].clone(),
            format: "json".into(),
            events: vec!["ticket.filed".into()],
            problem_threshold: String::new(),
        }
        .validate(&none.state.config.webhook_allow_hosts)
        .is_err()
    );

    file_ticket(&mut app).await;
    let table = Table(HashMap::from([
        ("intranet.test", vec!["10.0.0.7".parse().unwrap()]),
        (
            "localhost",
            vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()],
        ),
    ]));
    let deliverer = Deliverer::with_lookup(
        app.state.store.clone(),
        Some(PUBLIC_URL.into()),
        AllowList::default(),
        Arc::new(table),
    )
    .unwrap();
    assert_eq!(
        deliverer
            .deliver_due(OffsetDateTime::now_utc())
            .await
            .unwrap(),
        5
    );
    assert!(receiver.requests().is_empty(), "never connected");

    let mut errors: Vec<String> = deliveries(&app)
        .await
        .into_iter()
        .map(|d| {
            assert_eq!(
                (d.state, d.attempts, d.last_status),
                (DeliveryState::Failed, 1, None)
            );
            d.last_error
        })
        .collect();
    errors.sort();
    let expected = [
        "not sent: 10.0.0.7 is private (10.0.0.0/8)",
        "not sent: 127.0.0.1 is loopback (127.0.0.0/8)",
        "not sent: ::1 is loopback (::1)",
        "not sent: intranet.test resolves to 10.0.0.7, private (10.0.0.0/8)",
        "not sent: localhost is this machine (loopback)",
    ];
    for (error, start) in errors.iter().zip(expected) {
        assert!(error.starts_with(start), "{error:?} should start {start:?}");
        assert!(error.ends_with("unless the host is allowed with --webhook-allow-hosts"));
    }
    app.get("/staff/webhooks")
        .await
        .assert_contains("Failed")
        .assert_contains("intranet.test resolves to 10.0.0.7");
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let elsewhere = Receiver::start(vec![], None).await;
    let redirecting = Receiver::start(vec![302], Some(elsewhere.url())).await;
    let mut app = app_with_admin("127.0.0.1").await;
    register(&mut app, &redirecting.url(), &["ticket.filed"]).await;
    file_ticket(&mut app).await;
    deliverer(&app)
        .deliver_due(OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(redirecting.requests().len(), 1);
    assert!(
        elsewhere.requests().is_empty(),
        "the redirect was not followed"
    );
    let record = &deliveries(&app).await[0];
    assert_eq!(
        (record.state, record.last_status),
        (DeliveryState::Pending, Some(302))
    );
    assert!(
        record.last_error.contains(&format!(
            "answered 302, a redirect to {}; redirects are not followed",
            elsewhere.url()
        )),
        "{}",
        record.last_error
    );
}

#[tokio::test]
async fn disabling_an_endpoint_gives_up_what_waits_for_it() {
    let receiver = Receiver::start(vec![], None).await;
    let mut app = app_with_admin("127.0.0.1").await;
    register(&mut app, &receiver.url(), &["ticket.filed"]).await;
    file_ticket(&mut app).await;
    let res = app.post_form("/staff/webhooks/1/disable", &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    app.get(res.location())
        .await
        .assert_contains("Endpoint disabled")
        .assert_contains("Disabled");
    assert_eq!(
        app.post_form("/staff/webhooks/1/disable", &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        deliverer(&app)
            .deliver_due(OffsetDateTime::now_utc())
            .await
            .unwrap(),
        0
    );
    assert!(receiver.requests().is_empty());
    file_ticket(&mut app).await;
    assert_eq!(
        deliveries(&app).await.len(),
        1,
        "nothing new for a disabled endpoint"
    );
}
