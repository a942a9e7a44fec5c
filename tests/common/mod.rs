//! Test harness: a fresh app on its own database file, driven through the
//! router with `oneshot`, keeping cookies (CSRF, staff session) like a
//! browser would.

#![allow(dead_code)]

pub mod ending;
pub mod multipart;

use apidesk::config::Config;
use apidesk::web::AppState;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tempfile::TempDir;
use tower::ServiceExt;

pub struct TestApp {
    pub state: AppState,
    router: Router,
    /// Cookie name → value, as the browser would send them back.
    cookies: std::collections::BTreeMap<String, String>,
    // Kept so the database file lives as long as the test.
    dir: TempDir,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as sent, for files.
    pub bytes: Vec<u8>,
}

impl TestResponse {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .expect("the response has a Location header")
    }

    #[track_caller]
    pub fn assert_contains(&self, needle: &str) -> &Self {
        assert!(
            self.body.contains(needle),
            "expected the page to contain {needle:?}, got:\n{}",
            self.body
        );
        self
    }

    #[track_caller]
    pub fn assert_lacks(&self, needle: &str) -> &Self {
        assert!(
            !self.body.contains(needle),
            "the page should not contain {needle:?}"
        );
        self
    }
}

pub fn test_config(dir: &TempDir) -> Config {
    Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: format!("sqlite://{}", dir.path().join("apidesk.db").display()),
        ..Config::default()
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_configured(|_| {}).await
    }

    /// A fresh app whose test configuration `change` adjusts first.
    pub async fn spawn_configured(change: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = test_config(&dir);
        change(&mut config);
        let state = apidesk::startup::build_state(config)
            .await
            .expect("the app starts");
        Self {
            router: apidesk::web::router(state.clone()),
            state,
            cookies: Default::default(),
            dir,
        }
    }

    /// The same database opened again by a new app, as after a restart:
    /// the old app's connections are closed first. Cookies are kept, as
    /// the browser keeps them.
    pub async fn restart(self) -> Self {
        let config = (*self.state.config).clone();
        self.state.store.close().await;
        let state = apidesk::startup::build_state(config)
            .await
            .expect("the app starts again");
        Self {
            router: apidesk::web::router(state.clone()),
            state,
            cookies: self.cookies,
            dir: self.dir,
        }
    }

    /// A fresh app that serves `kb` instead of the built-in content.
    pub async fn spawn_with_kb(kb: apidesk::kb::KnowledgeBase) -> Self {
        let mut app = Self::spawn().await;
        app.state.kb = apidesk::kb::SharedKb::new(kb);
        app.router = apidesk::web::router(app.state.clone());
        app
    }

    /// Every byte of the database's files as they are now: the database,
    /// its WAL and its shared memory.
    pub fn database_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        for suffix in ["", "-wal", "-shm"] {
            let path = self.dir.path().join(format!("apidesk.db{suffix}"));
            if let Ok(more) = std::fs::read(path) {
                bytes.extend(more);
            }
        }
        bytes
    }

    /// Forgets the browser's cookies, as a new visitor.
    pub fn clear_cookies(&mut self) {
        self.cookies.clear();
    }

    /// Forgets one cookie (e.g. the staff session), keeping the others.
    pub fn forget_cookie(&mut self, name: &str) {
        self.cookies.remove(name);
    }

    /// The value of one cookie the browser holds (e.g. the staff session).
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.get(name).cloned()
    }

    /// Puts a cookie back, as a second browser of the same person would
    /// send its own.
    pub fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_string(), value.to_string());
    }

    /// The `Cookie` header the browser would send, if it has any cookies.
    fn cookie_header(&self) -> Option<String> {
        (!self.cookies.is_empty()).then(|| {
            self.cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    pub async fn request(&mut self, request: Request<Body>) -> TestResponse {
        let response = self.router.clone().oneshot(request).await.unwrap();
        for set in response.headers().get_all(header::SET_COOKIE) {
            let set = set.to_str().unwrap();
            let pair = set.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            let expired = set
                .split(';')
                .any(|attr| attr.trim().eq_ignore_ascii_case("Max-Age=0"));
            if expired || value.is_empty() {
                self.cookies.remove(name.trim());
            } else {
                self.cookies
                    .insert(name.trim().to_string(), value.to_string());
            }
        }
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&mut self, uri: &str) -> TestResponse {
        let mut builder = Request::get(uri);
        if let Some(cookie) = self.cookie_header() {
            builder = builder.header(header::COOKIE, cookie);
        }
        self.request(builder.body(Body::empty()).unwrap()).await
    }

    /// The CSRF token for this visitor, read from a page with a form.
    pub async fn csrf_token(&mut self) -> String {
        let page = self.get("/tickets/new").await;
        hidden_value(&page.body, "csrf_token").expect("the form has a CSRF token")
    }

    /// Posts a form as the browser would, with its CSRF token.
    pub async fn post_form(&mut self, uri: &str, fields: &[(&str, &str)]) -> TestResponse {
        let token = self.csrf_token().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        all.extend_from_slice(fields);
        self.post_raw(uri, &serde_urlencoded::to_string(&all).unwrap())
            .await
    }

    /// Posts a form with files as the browser would: the CSRF token first,
    /// then the fields, then the files.
    pub async fn post_multipart(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        files: &[multipart::FilePart<'_>],
    ) -> TestResponse {
        let token = self.csrf_token().await;
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", &token)];
        all.extend_from_slice(fields);
        let body = multipart::body(&all, files);
        let mut builder =
            Request::post(uri).header(header::CONTENT_TYPE, multipart::content_type());
        if let Some(cookie) = self.cookie_header() {
            builder = builder.header(header::COOKIE, cookie);
        }
        self.request(builder.body(Body::from(body)).unwrap()).await
    }

    /// Posts a body exactly as given (no token added).
    pub async fn post_raw(&mut self, uri: &str, body: &str) -> TestResponse {
        let mut builder =
            Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(cookie) = self.cookie_header() {
            builder = builder.header(header::COOKIE, cookie);
        }
        self.request(builder.body(Body::from(body.to_string())).unwrap())
            .await
    }

    pub async fn count_tickets(&self) -> i64 {
        self.state.store.count_tickets().await.unwrap()
    }
}

/// The `value` of the hidden or text input called `name`, HTML-unescaped.
pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = html.find(&marker)?;
    let rest = &html[at..];
    let start = rest.find("value=\"")? + "value=\"".len();
    let end = rest[start..].find('"')?;
    Some(unescape(&rest[start..start + end]))
}

/// The contents of the textarea called `name`, HTML-unescaped.
pub fn textarea_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = html.find(&marker)?;
    let rest = &html[at..];
    let start = rest.find('>')? + 1;
    let end = rest[start..].find("</textarea>")?;
    Some(unescape(&rest[start..start + end]))
}

pub fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
}

/// A complete, valid ticket form (without the CSRF token).
pub fn valid_ticket() -> Vec<(&'static str, String)> {
    vec![
        ("error_code", "401".into()),
        ("message", "HTTP GET failed: unauthorized (401)".into()),
        (
            "endpoint",
            "https://go.trackvia.com/openapi/views/12/records".into(),
        ),
        ("method", "GET".into()),
        ("occurred_at", "2026-01-15T09:30".into()),
        ("utc_offset", "+01:00".into()),
        ("tool", "workato".into()),
        ("tool_other", String::new()),
        (
            "recent_changes",
            "Rotated the API user's token on Monday.".into(),
        ),
        ("environment", "production".into()),
        ("name", "Dana Developer".into()),
        ("email", "dana@example.com".into()),
        ("path", String::new()),
        ("submission_id", uuid::Uuid::new_v4().to_string()),
    ]
}

pub fn as_pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// How askama escapes text, to look for a value as it appears in a page.
pub fn escape(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// Whether the radio button `name=value` is checked.
pub fn is_checked(html: &str, name: &str, value: &str) -> bool {
    html.split("<input")
        .filter_map(|rest| rest.split('>').next())
        .find(|tag| {
            tag.contains(&format!("name=\"{name}\"")) && tag.contains(&format!("value=\"{value}\""))
        })
        .is_some_and(|tag| tag.contains(" checked"))
}

/// The selected option's value in the `<select name=…>`.
pub fn selected(html: &str, name: &str) -> Option<String> {
    let start = html.find(&format!("name=\"{name}\""))?;
    let select = &html[start..start + html[start..].find("</select>")?];
    select
        .split("<option")
        .filter_map(|rest| rest.split('>').next())
        .find(|tag| tag.contains(" selected"))
        .and_then(|tag| {
            let v = tag.find("value=\"")? + 7;
            Some(unescape(&tag[v..v + tag[v..].find('"')?]))
        })
}

/// A new ticket as the bulk loader takes it (what `apidesk seed` writes):
/// filed at `created`, triaged then, with its "filed" event.
pub fn seed_ticket_filed(
    details: apidesk::tickets::NewTicket,
    created: time::OffsetDateTime,
) -> apidesk::store::SeedTicket {
    use apidesk::tickets::{Author, EventKind, ResponseTargets, TicketStatus};
    let triage = details.triage(created, &ResponseTargets::default());
    apidesk::store::SeedTicket {
        token: uuid::Uuid::new_v4(),
        status: TicketStatus::New,
        priority: triage.priority,
        assignee_id: None,
        first_response_at: None,
        due_at: triage.due_at,
        similar_key: triage.similar_key,
        created_at: created,
        updated_at: created,
        events: vec![apidesk::store::SeedEvent {
            at: created,
            by: Author::Requester,
            kind: EventKind::Created { via: None },
            body: String::new(),
        }],
        details,
    }
}
