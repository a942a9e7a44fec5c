//! The delivery task against a receiver on 127.0.0.1, with host names
//! resolved by a table, so that what a name resolves to is the test's to
//! choose.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use async_trait::async_trait;
use axum::http::{HeaderMap, StatusCode};
use time::Duration;

use super::*;
use crate::staff::{PasswordHash, Role};
use crate::tickets::{OutgoingMail, ResponseTargets, TicketInput};
use crate::webhooks::{DeliveryState, EndpointInput, verify};

/// Each request a receiver got: its headers and body.
type Got = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

/// A receiver: answers each request with the next status of its script
/// (200 once the script runs out) and keeps what it was sent.
struct Receiver {
    addr: SocketAddr,
    got: Got,
}

async fn receiver(statuses: Vec<u16>) -> Receiver {
    let got: Got = Arc::default();
    let script = Arc::new(Mutex::new(statuses.into_iter()));
    let kept = got.clone();
    let app = axum::Router::new().fallback(move |headers: HeaderMap, body: axum::body::Bytes| {
        let kept = kept.clone();
        let script = script.clone();
        async move {
            kept.lock().unwrap().push((headers, body.to_vec()));
            let status = script.lock().unwrap().next().unwrap_or(200);
            (StatusCode::from_u16(status).unwrap(), "thanks")
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    Receiver { addr, got }
}

/// Names resolved from a table; any other name does not resolve.
struct Table(HashMap<&'static str, Vec<IpAddr>>);

#[async_trait]
impl Lookup for Table {
    async fn lookup(&self, host: &str) -> std::io::Result<Vec<IpAddr>> {
        self.0
            .get(host)
            .cloned()
            .ok_or_else(|| std::io::Error::other("no such name"))
    }
}

fn table() -> Arc<Table> {
    let ip = |text: &str| text.parse::<IpAddr>().unwrap();
    Arc::new(Table(HashMap::from([
        ("here.test", vec![ip("127.0.0.1")]),
        ("inside.test", vec![ip("10.0.0.7")]),
        ("rebind.test", vec![ip("93.184.215.14"), ip("127.0.0.1")]),
    ])))
}

/// A store with an admin, an endpoint for `url` (ticket.filed) and one
/// ticket filed after it; the deliverer allows `allow`.
async fn setup(url: &str, allow: &str) -> (Deliverer, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect_with(
        &format!("sqlite://{}/w.db", dir.path().display()),
        OutgoingMail::Off,
    )
    .await
    .unwrap();
    let now = OffsetDateTime::now_utc();
    let hash = PasswordHash::from_stored("unused".into());
    let admin = store
        .add_staff("ada@example.com", "Ada", Role::Admin, &hash, now)
        .await
        .unwrap();
    let allow = AllowList::parse(allow).unwrap();
    // Registered as an admin would, except that the URL is not checked
    // here: the tests are about what delivery does with any URL.
    let mut endpoint = EndpointInput {
        url: "https://hooks.example.com/".into(),
        format: "json".into(),
        events: vec!["ticket.filed".into()],
        problem_threshold: String::new(),
    }
    .validate(&allow)
    .unwrap();
    endpoint.url = url.into();
    store
        .add_webhook_endpoint(&endpoint, admin, now)
        .await
        .unwrap();
    let ticket = TicketInput::example("req@example.com")
        .validate(now)
        .unwrap();
    let triage = ticket.triage(now, &ResponseTargets::default());
    store.insert_ticket(&ticket, &triage, now).await.unwrap();
    let deliverer = Deliverer::with_lookup(
        store,
        Some("https://help.example.com".into()),
        allow,
        table(),
    )
    .unwrap();
    (deliverer, dir)
}

async fn the_delivery(d: &Deliverer) -> crate::webhooks::DeliveryRecord {
    d.store
        .recent_webhook_deliveries(1)
        .await
        .unwrap()
        .remove(0)
}

#[tokio::test]
async fn a_due_delivery_is_signed_sent_and_recorded() {
    let hook = receiver(vec![202]).await;
    let (d, _dir) = setup(
        &format!("http://here.test:{}/hook", hook.addr.port()),
        "here.test",
    )
    .await;
    let now = OffsetDateTime::now_utc();
    assert_eq!(d.deliver_due(now).await.unwrap(), 1);
    let got = hook.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "resolved to the receiver through the table");
    let (headers, body) = &got[0];
    let secret = d.store.webhook_endpoints().await.unwrap()[0].secret.clone();
    let header = |name: &str| headers.get(name).unwrap().to_str().unwrap().to_string();
    assert!(verify(
        secret.expose(),
        &header("apidesk-signature"),
        body,
        now.unix_timestamp(),
        300
    ));
    assert_eq!(header("apidesk-event"), "ticket.filed");
    assert_eq!(header("content-type"), "application/json");
    let record = the_delivery(&d).await;
    assert_eq!(header("apidesk-delivery"), record.uuid.to_string());
    let json: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(
        json["ticket"]["staff_url"],
        "https://help.example.com/staff/tickets/1"
    );
    assert_eq!(
        (record.state, record.last_status),
        (DeliveryState::Sent, Some(202))
    );
    assert_eq!(record.last_response, "thanks");
    assert_eq!(d.deliver_due(now).await.unwrap(), 0, "nothing due any more");
}

#[tokio::test]
async fn failures_are_retried_with_growing_waits_then_given_up() {
    let hook = receiver(vec![500; MAX_ATTEMPTS as usize]).await;
    let (d, _dir) = setup(
        &format!("http://127.0.0.1:{}/hook", hook.addr.port()),
        "127.0.0.1",
    )
    .await;
    // Whole seconds, as times are stored.
    let mut now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    let mut waits = Vec::new();
    for attempt in 1..=MAX_ATTEMPTS {
        assert_eq!(d.deliver_due(now).await.unwrap(), 1, "attempt {attempt}");
        let record = the_delivery(&d).await;
        assert_eq!(record.attempts, attempt);
        assert_eq!(record.last_status, Some(500));
        if let Some(next) = record.next_attempt_at {
            assert_eq!(record.state, DeliveryState::Pending);
            // Not due a second earlier.
            assert_eq!(d.deliver_due(next - Duration::seconds(1)).await.unwrap(), 0);
            waits.push((next - now).whole_seconds());
            now = next;
        } else {
            assert_eq!(record.state, DeliveryState::Failed);
            assert!(
                record.last_error.contains("gave up after 8 attempts"),
                "{}",
                record.last_error
            );
        }
    }
    assert_eq!(waits, [30, 120, 600, 3_600, 7_200, 14_400, 28_800]);
    assert_eq!(hook.got.lock().unwrap().len(), MAX_ATTEMPTS as usize);
    assert_eq!(d.deliver_due(now + Duration::days(30)).await.unwrap(), 0);
}

#[tokio::test]
async fn names_resolving_to_private_addresses_are_refused_without_connecting() {
    let hook = receiver(vec![]).await;
    let port = hook.addr.port();
    for (host, says) in [
        ("here.test", "here.test resolves to 127.0.0.1, loopback"),
        ("inside.test", "inside.test resolves to 10.0.0.7, private"),
        // One public address does not make up for a private one.
        ("rebind.test", "rebind.test resolves to 127.0.0.1, loopback"),
    ] {
        let (d, _dir) = setup(&format!("http://{host}:{port}/hook"), "").await;
        assert_eq!(d.deliver_due(OffsetDateTime::now_utc()).await.unwrap(), 1);
        let record = the_delivery(&d).await;
        assert_eq!(
            record.state,
            DeliveryState::Failed,
            "{host}: refused for good"
        );
        assert_eq!(record.attempts, 1);
        assert!(
            record.last_error.contains(says),
            "{host}: {}",
            record.last_error
        );
        assert!(record.last_error.contains("--webhook-allow-hosts"));
    }
    assert!(hook.got.lock().unwrap().is_empty(), "never connected");
}

#[tokio::test]
async fn a_name_that_does_not_resolve_is_tried_again_later() {
    let (d, _dir) = setup("http://nowhere.test/hook", "").await;
    d.deliver_due(OffsetDateTime::now_utc()).await.unwrap();
    let record = the_delivery(&d).await;
    assert_eq!(record.state, DeliveryState::Pending);
    assert!(
        record.last_error.contains("could not connect"),
        "{}",
        record.last_error
    );
}

#[tokio::test]
async fn a_disabled_endpoint_is_sent_nothing() {
    let hook = receiver(vec![]).await;
    let (d, _dir) = setup(
        &format!("http://127.0.0.1:{}/", hook.addr.port()),
        "127.0.0.1",
    )
    .await;
    let id = d.store.webhook_endpoints().await.unwrap()[0].id;
    let now = OffsetDateTime::now_utc();
    d.store.disable_webhook_endpoint(id, now).await.unwrap();
    assert_eq!(d.deliver_due(now).await.unwrap(), 0);
    let record = the_delivery(&d).await;
    assert_eq!(record.state, DeliveryState::Failed);
    assert!(record.last_error.contains("disabled"));
    assert!(hook.got.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_receiver_that_does_not_answer_holds_up_only_its_own_deliveries() {
    // A port nothing listens on: connections are refused.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead = format!("http://127.0.0.1:{}/", closed.local_addr().unwrap().port());
    drop(closed);
    let hook = receiver(vec![]).await;
    let (d, _dir) = setup(&dead, "127.0.0.1").await;
    // A second endpoint that answers, registered after two more tickets for
    // the first: its delivery comes last in the queue.
    for _ in 0..2 {
        let now = OffsetDateTime::now_utc();
        let ticket = TicketInput::example("req@example.com")
            .validate(now)
            .unwrap();
        let triage = ticket.triage(now, &ResponseTargets::default());
        d.store.insert_ticket(&ticket, &triage, now).await.unwrap();
    }
    let mut alive = EndpointInput {
        url: "https://hooks.example.com/".into(),
        format: "json".into(),
        events: vec!["ticket.filed".into()],
        problem_threshold: String::new(),
    }
    .validate(&AllowList::default())
    .unwrap();
    alive.url = format!("http://127.0.0.1:{}/", hook.addr.port());
    let now = OffsetDateTime::now_utc();
    d.store.add_webhook_endpoint(&alive, 1, now).await.unwrap();
    let ticket = TicketInput::example("req@example.com")
        .validate(now)
        .unwrap();
    let triage = ticket.triage(now, &ResponseTargets::default());
    d.store.insert_ticket(&ticket, &triage, now).await.unwrap();

    let later = now + Duration::seconds(1);
    // The dead endpoint's first delivery, then the live one's; the dead
    // endpoint's other three wait, untried.
    assert_eq!(d.deliver_due(later).await.unwrap(), 2);
    assert_eq!(hook.got.lock().unwrap().len(), 1);
    let attempts: Vec<(i64, u32)> = d
        .store
        .recent_webhook_deliveries(10)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.endpoint_id, r.attempts))
        .collect();
    assert_eq!(attempts, [(2, 1), (1, 0), (1, 0), (1, 0), (1, 1)]);
    let first = d.store.recent_webhook_deliveries(10).await.unwrap()[4].clone();
    assert!(
        first.last_error.contains("could not connect"),
        "{}",
        first.last_error
    );
}
