//! Seeing what happens: a request id on every response, `/metrics` (its
//! gating, its format, its series moving as things happen) and the audit
//! lines' absence of secrets is in tests/log_secrets.rs.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use std::collections::BTreeMap;

use apidesk::domain::ErrorCode;
use apidesk::startup::Application;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{TestApp, as_pairs, valid_ticket};

const TOKEN: &str = "scrape-token-for-tests-0123";

fn request_id(response: &common::TestResponse) -> String {
    response
        .headers
        .get("x-request-id")
        .unwrap_or_else(|| panic!("no x-request-id on a {} answer", response.status))
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn every_answer_carries_its_own_request_id() {
    let mut app = TestApp::spawn().await;
    let mut seen = std::collections::BTreeSet::new();
    let page = app.get("/").await;
    let asset = app.get("/static/app.css").await;
    let missing = app.get("/no/such/page").await;
    let api = app.get("/api/v1/tickets").await;
    let too_large = app
        .request(
            Request::post("/tickets")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::CONTENT_LENGTH, "999999999")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(asset.status, StatusCode::OK);
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    for response in [&page, &asset, &missing, &api, &too_large] {
        let id = request_id(response);
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
        assert!(seen.insert(id), "ids are not reused");
    }
    // Error pages and problem documents say it, for quoting to support.
    missing.assert_contains(&request_id(&missing));
    too_large.assert_contains(&request_id(&too_large));
    let problem: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(problem["request_id"], request_id(&api));
}

#[tokio::test]
async fn a_clients_request_id_is_kept_only_behind_a_trusted_proxy_and_only_if_plain() {
    let get_with = |id: &str| {
        Request::get("/")
            .header("x-request-id", id)
            .body(Body::empty())
            .unwrap()
    };
    let mut direct = TestApp::spawn().await;
    let answer = direct.request(get_with("edge-1234")).await;
    assert_ne!(request_id(&answer), "edge-1234", "an anonymous client's id");

    let mut proxied = TestApp::spawn_configured(|config| config.trust_proxy = true).await;
    let answer = proxied.request(get_with("edge-1234")).await;
    assert_eq!(request_id(&answer), "edge-1234");
    let forged = "a\"b=c";
    let answer = proxied.request(get_with(forged)).await;
    let id = request_id(&answer);
    assert_ne!(id, forged);
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
}

#[tokio::test]
async fn metrics_on_the_main_listener_are_a_404_without_a_token_configured() {
    let mut app = TestApp::spawn().await;
    let scrape = app
        .request(
            Request::get("/metrics")
                .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(scrape.status, StatusCode::NOT_FOUND);
    assert!(!scrape.body.contains("apidesk_http_requests_total"));
}

async fn scrape(app: &mut TestApp, token: Option<&str>) -> common::TestResponse {
    let mut request = Request::get("/metrics");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    app.request(request.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn metrics_need_the_configured_token() {
    let mut app = TestApp::spawn_configured(|config| {
        config.metrics.metrics_token = Some(TOKEN.parse().unwrap());
    })
    .await;
    for wrong in [None, Some("scrape-token-for-tests-0124"), Some("")] {
        let refused = scrape(&mut app, wrong).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{wrong:?}");
        assert!(!refused.body.contains("apidesk_"), "{wrong:?}");
    }
    let scraped = scrape(&mut app, Some(TOKEN)).await;
    assert_eq!(scraped.status, StatusCode::OK);
    assert_eq!(
        scraped.headers[header::CONTENT_TYPE],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    parse(&scraped.body);
}

/// Every series in a scrape, by its name and labels as written, checking
/// the text format's shape on the way: each sample's metric has `# HELP`
/// and `# TYPE` before it, names and label names are plain, values parse.
fn parse(text: &str) -> BTreeMap<String, f64> {
    let mut typed = std::collections::BTreeSet::new();
    let mut samples = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("a TYPE line names a kind");
            assert!(["counter", "gauge", "histogram"].contains(&kind), "{line}");
            assert!(typed.insert(name.to_string()), "{name} typed twice");
            continue;
        }
        if line.starts_with("# HELP ") {
            continue;
        }
        assert!(!line.starts_with('#') && !line.is_empty(), "{line:?}");
        let (series, value) = line.rsplit_once(' ').expect("a sample has a value");
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("{line}")),
        };
        let name = series.split('{').next().unwrap();
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{line}"
        );
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix).filter(|f| typed.contains(*f)))
            .unwrap_or(name);
        assert!(typed.contains(family), "{name} before its TYPE line");
        let labels = &series[name.len()..];
        assert!(
            labels.is_empty() || (labels.starts_with('{') && labels.ends_with('}')),
            "{line}"
        );
        assert!(
            samples.insert(series.to_string(), value).is_none(),
            "{series} twice"
        );
    }
    samples
}

fn value(samples: &BTreeMap<String, f64>, series: &str) -> f64 {
    samples.get(series).copied().unwrap_or(0.0)
}

#[tokio::test]
async fn the_series_move_as_things_happen() {
    let mut app = TestApp::spawn_configured(|config| {
        config.metrics.metrics_token = Some(TOKEN.parse().unwrap());
        config.rate_limits = "fixed=1/h".parse().unwrap();
    })
    .await;
    let before = parse(&scrape(&mut app, Some(TOKEN)).await.body);

    // A ticket filed through the form.
    let fields = valid_ticket();
    let filed = app.post_form("/tickets", &as_pairs(&fields)).await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let status_page = app.get(filed.location()).await;
    assert_eq!(status_page.status, StatusCode::OK);

    // "Yes, fixed", then again at once: the second is over the limit.
    let code = ErrorCode::ALL[0];
    let step = app.state.kb.get().tree(code).paths()[0][0].id.clone();
    let fixed = [("step", step.as_str()), ("path", "")];
    let first = app
        .post_form(&format!("/troubleshoot/{code}/fixed"), &fixed)
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let second = app
        .post_form(&format!("/troubleshoot/{code}/fixed"), &fixed)
        .await;
    assert_eq!(second.status, StatusCode::TOO_MANY_REQUESTS);

    // A sign-in with the wrong password.
    staff_helpers::add_staff(&app, "ana@example.com", "Ana", apidesk::staff::Role::Admin).await;
    let refused = app
        .post_form(
            "/staff/login",
            &[
                ("email", "ana@example.com"),
                ("password", "not the password"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);

    let after = parse(&scrape(&mut app, Some(TOKEN)).await.body);
    let moved = |series: &str, by: f64| {
        let (was, now) = (value(&before, series), value(&after, series));
        assert!(now >= was + by, "{series}: {was} then {now}");
    };
    moved(
        r#"apidesk_http_requests_total{route="/tickets",method="POST",status="303"}"#,
        1.0,
    );
    moved(
        r#"apidesk_http_requests_total{route="/tickets/{token}",method="GET",status="200"}"#,
        1.0,
    );
    moved(
        r#"apidesk_http_request_duration_seconds_count{route="/tickets"}"#,
        1.0,
    );
    moved(
        r#"apidesk_http_request_duration_seconds_bucket{route="/tickets",le="+Inf"}"#,
        1.0,
    );
    moved(r#"apidesk_tickets_filed_total{via="form"}"#, 1.0);
    moved(
        &format!(r#"apidesk_deflections_total{{code="{code}"}}"#),
        1.0,
    );
    moved(r#"apidesk_rate_limit_refusals_total{level="fixed"}"#, 1.0);
    moved(
        r#"apidesk_signin_failures_total{reason="wrong_credentials"}"#,
        1.0,
    );
    moved("apidesk_db_write_wait_seconds_count", 1.0);
    // Read at scrape time: present whatever their value.
    for gauge in [
        r#"apidesk_outbox_depth{kind="mail"}"#,
        r#"apidesk_outbox_depth{kind="webhook"}"#,
        r#"apidesk_db_pool_connections{state="idle"}"#,
        r#"apidesk_db_pool_connections{state="busy"}"#,
    ] {
        assert!(after.contains_key(gauge), "{gauge} missing");
    }
    // The status page's secret token is never a label: only the pattern is.
    let token = filed.location().trim_start_matches("/tickets/");
    let token = token.split('?').next().unwrap();
    assert!(!after.keys().any(|series| series.contains(token)));
}

#[tokio::test]
async fn a_metrics_listener_serves_only_metrics_and_the_main_one_none() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::test_config(&dir);
    config.metrics.metrics_bind = Some("127.0.0.1:0".parse().unwrap());
    let app = Application::build(config).await.expect("the server starts");
    let main = format!("http://{}", app.local_addr());
    let metrics = format!("http://{}", app.metrics_addr().expect("a metrics listener"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let get = |url: String| {
        let client = client.clone();
        async move { client.get(url).send().await.unwrap() }
    };
    assert_eq!(get(format!("{main}/healthz")).await.status(), 200);
    assert_eq!(get(format!("{main}/metrics")).await.status(), 404);
    assert_eq!(get(format!("{metrics}/healthz")).await.status(), 404);
    let scraped = get(format!("{metrics}/metrics")).await;
    assert_eq!(scraped.status(), 200);
    let samples = parse(&scraped.text().await.unwrap());
    assert!(
        value(
            &samples,
            r#"apidesk_http_requests_total{route="/healthz",method="GET",status="200"}"#
        ) >= 1.0
    );
    let _ = stop.send(());
    task.await.unwrap().expect("a clean shutdown");
}
