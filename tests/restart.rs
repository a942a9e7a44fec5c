//! Over real HTTP: a ticket filed before a restart is still there after it,
//! and shutdown finishes cleanly.

mod common;

use apidesk::startup::Application;
use tokio::sync::oneshot;

struct Running {
    base: String,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

async fn start(config: apidesk::config::Config) -> Running {
    let app = Application::build(config).await.expect("the server starts");
    let base = format!("http://{}", app.local_addr());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    Running { base, stop, task }
}

impl Running {
    async fn shut_down(self) {
        self.stop.send(()).unwrap();
        self.task.await.unwrap().expect("clean shutdown");
    }
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_filed_ticket_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::test_config(&dir);
    let server = start(config.clone()).await;
    let client = browser();

    let form = client
        .get(format!("{}/tickets/new?error_code=500", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut fields = common::valid_ticket();
    fields.push((
        "csrf_token",
        common::hidden_value(&form, "csrf_token").unwrap(),
    ));
    let filed = client
        .post(format!("{}/tickets", server.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(&fields).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(filed.status(), 303);
    let location = filed.headers()["location"].to_str().unwrap().to_string();
    server.shut_down().await;

    // Same database file, new process state.
    let server = start(config).await;
    let page = client
        .get(format!("{}{location}", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let body = page.text().await.unwrap();
    assert!(body.contains("APD-000001"));
    assert!(body.contains("HTTP GET failed: unauthorized (401)"));
    // The private link is shown, to keep (relative: no --public-url here).
    let token_path = location.split('?').next().unwrap();
    assert!(body.contains(&format!("href=\"{token_path}\"")), "{body}");
    let health = client
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    server.shut_down().await;
}

#[tokio::test]
async fn the_database_file_and_its_folder_are_created_on_first_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::test_config(&dir);
    let file = dir.path().join("nested/folder/apidesk.db");
    config.database_url = format!("sqlite://{}", file.display());
    let server = start(config).await;
    assert!(file.exists());
    server.shut_down().await;
}

/// The database holds the CSRF key and session hashes: only its owner may
/// read it (and SQLite's -wal and -shm files beside it).
#[cfg(unix)]
#[tokio::test]
async fn the_database_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let config = common::test_config(&dir);
    let server = start(config).await;
    let client = browser();
    let health = client
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let mut checked = 0;
    for name in ["apidesk.db", "apidesk.db-wal", "apidesk.db-shm"] {
        let path = dir.path().join(name);
        if let Ok(meta) = std::fs::metadata(&path) {
            assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{name}");
            checked += 1;
        }
    }
    assert!(checked >= 2, "the database and its WAL exist while running");
    server.shut_down().await;
}

/// Shutdown waits for a request still arriving, answers it, and does not
/// wait for a connection that never sent anything.
#[tokio::test]
async fn shutdown_finishes_a_request_in_flight() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    let server = start(common::test_config(&dir)).await;
    let client = reqwest::Client::new();
    let login = client
        .get(format!("{}/staff/login", server.base))
        .send()
        .await
        .unwrap();
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let token = common::hidden_value(&login.text().await.unwrap(), "csrf_token").unwrap();
    let body = serde_urlencoded::to_string([
        ("csrf_token", token.as_str()),
        ("email", "nobody@example.com"),
        ("password", "not the password"),
    ])
    .unwrap();
    let address = server.base.trim_start_matches("http://").to_string();
    let _idle = tokio::net::TcpStream::connect(&address).await.unwrap();
    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /staff/login HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let (first, rest) = body.split_at(body.len() / 2);
    slow.write_all(head.as_bytes()).await.unwrap();
    slow.write_all(first.as_bytes()).await.unwrap();
    // Give the server time to start on the request: it is now in flight.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    server.stop.send(()).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!server.task.is_finished(), "shutdown waits for the request");
    slow.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    slow.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    server.task.await.unwrap().expect("clean shutdown");
}
