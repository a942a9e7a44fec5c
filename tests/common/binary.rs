//! The real `apidesk` binary as a process of its own, for tests that kill
//! it (SIGKILL, SIGTERM), restart it on the same database, or run its
//! commands beside it: a deployment with an admin, an API token made with
//! `apidesk token create`, mail that stays queued (its SMTP port refuses)
//! and a webhook endpoint answered by a receiver inside the test.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use apidesk::store::Store;
use apidesk::webhooks::{Format, NewEndpoint, Secret, WebhookEvent};
use tempfile::TempDir;

const ADMIN: &str = "admin@example.com";
/// Long and random enough for any strength rule the staff accounts apply.
const ADMIN_PASSWORD: &str = "Tq8#vLm2!rZx9@Wp-crash-admin";

/// A database with what the server needs, and the settings it runs with.
pub struct Deployment {
    pub dir: TempDir,
    pub database: PathBuf,
    pub database_url: String,
    /// An API token that may file tickets.
    pub token: String,
    /// The address of a port nothing listens on: mail stays in the outbox.
    smtp_url: String,
    /// Deliveries the webhook receiver answered.
    pub webhooks_received: Arc<Mutex<usize>>,
}

impl Deployment {
    /// A new database with an admin, a token and a webhook endpoint for
    /// `ticket.filed`, made through the commands an operator uses (the
    /// endpoint through the store: registering one needs a signed-in page).
    pub async fn new() -> Self {
        // The tests' HTTP clients use the TLS provider the server installs.
        apidesk::webhooks::use_ring_for_tls();
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("apidesk.db");
        let database_url = format!("sqlite://{}", database.display());
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let smtp_url = format!("smtp://{}", closed.local_addr().unwrap());
        drop(closed);
        let mut deployment = Self {
            dir,
            database,
            database_url,
            token: String::new(),
            smtp_url,
            webhooks_received: Arc::new(Mutex::new(0)),
        };
        let added = deployment.command_with_input(
            &[
                "staff", "add", "--email", ADMIN, "--name", "Ada", "--role", "admin",
            ],
            &format!("{ADMIN_PASSWORD}\n"),
        );
        assert_success(&added, "staff add");
        let made = deployment.command(&["token", "create", "--name", "durability", "--by", ADMIN]);
        assert_success(&made, "token create");
        deployment.token = String::from_utf8(made.stdout).unwrap().trim().to_string();
        assert!(deployment.token.starts_with("apd_"), "{}", deployment.token);

        let receiver = webhook_receiver(deployment.webhooks_received.clone()).await;
        let store = Store::connect(&deployment.database_url).await.unwrap();
        let endpoint = NewEndpoint {
            url: format!("http://{receiver}/hooks/apidesk"),
            format: Format::Json,
            events: vec![WebhookEvent::TicketFiled],
            problem_threshold: None,
            secret: Secret::generate(),
        };
        // Staff member 1: the admin added above.
        store
            .add_webhook_endpoint(&endpoint, 1, time::OffsetDateTime::now_utc())
            .await
            .unwrap();
        store.close().await;
        deployment
    }

    /// Runs `apidesk ARGS --database-url URL` to its end.
    pub fn command(&self, args: &[&str]) -> Output {
        self.command_with_input(args, "")
    }

    fn command_with_input(&self, args: &[&str], input: &str) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_apidesk"))
            .args(args)
            .arg("--database-url")
            .arg(&self.database_url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the apidesk binary runs");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    /// Starts `apidesk serve` on a port of its choosing and waits until it
    /// answers `/healthz`.
    pub async fn start(&self) -> Running {
        let log = self.dir.path().join("server.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_apidesk"))
            .arg("serve")
            .args(["--bind", "127.0.0.1:0"])
            .args(["--database-url", &self.database_url])
            .args(["--rate-limits", "off"])
            .args(["--smtp-url", &self.smtp_url])
            .args(["--mail-from", "support@example.com"])
            .args(["--public-url", "http://127.0.0.1"])
            .args(["--webhook-allow-hosts", "127.0.0.1"])
            .env("RUST_LOG", "apidesk=info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the apidesk binary runs");
        let addr = listening_address(child.stderr.take().unwrap(), &log);
        let addr = match addr.recv_timeout(Duration::from_secs(60)) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the server did not start:\n{}", read_log(&log));
            }
        };
        let running = Running {
            child,
            addr,
            base: format!("http://{addr}"),
            log,
        };
        let client = reqwest::Client::new();
        let healthy = client
            .get(format!("{}/healthz", running.base))
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        assert!(
            healthy.is_ok_and(|r| r.status() == 200),
            "the server is not healthy:\n{}",
            read_log(&running.log)
        );
        running
    }
}

/// A running `apidesk serve`.
pub struct Running {
    child: Child,
    pub addr: SocketAddr,
    pub base: String,
    log: PathBuf,
}

impl Running {
    /// SIGKILL: no chance to finish anything.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM: asks for a graceful shutdown.
    pub fn terminate(&self) {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -TERM failed");
    }

    /// How the process ended, if it did within `deadline`; killed otherwise.
    pub fn exit_within(self, deadline: Duration) -> Option<ExitStatus> {
        self.exit_by(Instant::now() + deadline)
    }

    /// How the process ended, if it did by `end`; killed otherwise.
    pub fn exit_by(mut self, end: Instant) -> Option<ExitStatus> {
        while Instant::now() < end {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        None
    }

    pub fn log(&self) -> String {
        read_log(&self.log)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A failing test must not leave a server behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[track_caller]
pub fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "apidesk {what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read_log(log: &Path) -> String {
    std::fs::read_to_string(log).unwrap_or_default()
}

/// Copies the server's log lines into `log` (appended, so one file tells
/// every run) and hands over the address it says it listens on.
fn listening_address(stderr: std::process::ChildStderr, log: &Path) -> mpsc::Receiver<SocketAddr> {
    let (tx, rx) = mpsc::channel();
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let _ = writeln!(file, "{line}");
            if let Some(at) = line.find("listening on http://") {
                let rest = &line[at + "listening on http://".len()..];
                let addr: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
                    .collect();
                if let Ok(addr) = addr.parse() {
                    let _ = tx.send(addr);
                }
            }
        }
    });
    rx
}

/// A webhook receiver answering every delivery with 200.
async fn webhook_receiver(received: Arc<Mutex<usize>>) -> SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            let received = received.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0_u8; 4096];
                // The whole request: its head, then as much body as it says.
                loop {
                    let Ok(n) = stream.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    request.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&request).to_ascii_lowercase();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if request.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                *received.lock().unwrap() += 1;
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .await;
            });
        }
    });
    addr
}
