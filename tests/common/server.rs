//! A real server on port 0 and a browser-like client (cookie jar, no
//! automatic redirects), for tests that need sessions and addresses.

#![allow(dead_code)]

use apidesk::config::Config;
use apidesk::staff::Role;
use apidesk::startup::Application;
use apidesk::store::Store;
use tempfile::TempDir;
use tokio::sync::oneshot;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct Server {
    pub base: String,
    pub store: Store,
    pub config: Config,
    /// Walks through the checks are counted after their pages answer.
    pub walks: apidesk::web::WalkCounts,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _dir: Option<TempDir>,
}

impl Server {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::common::test_config(&dir);
        let mut server = Self::start_with(config).await;
        server._dir = Some(dir);
        server
    }

    pub async fn start_with(config: Config) -> Self {
        let app = Application::build(config.clone())
            .await
            .expect("the server starts");
        let base = format!("http://{}", app.local_addr());
        let store = app.store();
        let walks = app.walk_counts();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until(async move {
            let _ = stopped.await;
        }));
        Self {
            base,
            store,
            config,
            walks,
            stop: Some(stop),
            task: Some(task),
            _dir: None,
        }
    }

    pub async fn add_staff(&self, email: &str, name: &str, role: Role) {
        let new = apidesk::staff::NewStaffMember::check(email, name, role, PASSWORD.into())
            .await
            .expect("a valid staff member");
        self.store
            .add_staff_member(new, time::OffsetDateTime::now_utc())
            .await
            .expect("staff added");
    }

    pub fn browser(&self) -> Browser {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        Browser {
            base: self.base.clone(),
            client: reqwest::Client::builder()
                .cookie_provider(jar.clone())
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            jar,
        }
    }

    pub async fn shut_down(mut self) {
        if let (Some(stop), Some(task)) = (self.stop.take(), self.task.take()) {
            let _ = stop.send(());
            task.await.unwrap().expect("clean shutdown");
        }
    }
}

pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
}

pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

impl Page {
    #[track_caller]
    pub fn assert_contains(&self, needle: &str) -> &Self {
        assert!(
            self.body.contains(needle),
            "expected {needle:?} in:\n{}",
            self.body
        );
        self
    }

    #[track_caller]
    pub fn assert_lacks(&self, needle: &str) -> &Self {
        assert!(!self.body.contains(needle), "did not expect {needle:?}");
        self
    }
}

impl Browser {
    /// The browser's `Cookie` header for this site, as a header map.
    pub fn cookie_headers(&self) -> axum::http::HeaderMap {
        use reqwest::cookie::CookieStore;
        let mut headers = axum::http::HeaderMap::new();
        if let Some(value) = self.jar.cookies(&self.base.parse().unwrap()) {
            headers.insert("cookie", value.to_str().unwrap().parse().unwrap());
        }
        headers
    }

    pub async fn get(&self, path: &str) -> Page {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        page(res).await
    }

    /// Posts a form with the CSRF token taken from `form_page`.
    pub async fn post(&self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(form_page).await;
        let token = crate::common::hidden_value(&page.body, "csrf_token")
            .expect("a form with a CSRF token");
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(action, &serde_urlencoded::to_string(&all).unwrap())
            .await
    }

    pub async fn post_raw(&self, action: &str, body: &str) -> Page {
        let res = self
            .client
            .post(format!("{}{action}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        page(res).await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Page {
        self.post(
            "/staff/login",
            "/staff/login",
            &[
                ("email", email),
                ("password", password),
                ("next", "/staff/queue"),
            ],
        )
        .await
    }
}

async fn page(res: reqwest::Response) -> Page {
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    Page {
        status,
        location,
        body: res.text().await.unwrap(),
    }
}
