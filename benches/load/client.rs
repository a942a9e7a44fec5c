//! What the benchmark does as a browser or an integration would: sign in,
//! take a form's CSRF pair, file tickets at a steady pace.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;

/// A demo account: bench databases hold demo staff only.
pub const STAFF_EMAIL: &str = "agent1@apidesk.test";
pub const ADMIN_EMAIL: &str = "admin@apidesk.test";

pub fn browser() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .cookie_store(true)
        // A page slower than this is a failure worth seeing, not a hang.
        .timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()?)
}

/// The `csrf_token` field of a page's form.
fn form_token(page: &str) -> anyhow::Result<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = page.find(marker).context("no CSRF token on the page")? + marker.len();
    let end = start + page[start..].find('"').context("unterminated CSRF token")?;
    Ok(page[start..end].to_string())
}

pub async fn sign_in(client: &reqwest::Client, base: &str, password: &str) -> anyhow::Result<()> {
    let page = client
        .get(format!("{base}/staff/login"))
        .send()
        .await?
        .text()
        .await?;
    let token = form_token(&page)?;
    let res = client
        .post(format!("{base}/staff/login"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", STAFF_EMAIL),
            ("password", password),
        ])
        .send()
        .await?;
    anyhow::ensure!(res.status() == 303, "sign-in failed: {}", res.status());
    Ok(())
}

/// The CSRF cookie and the form's token, from one GET of the ticket form,
/// as a browser holds them before filing.
pub async fn ticket_form_csrf(base: &str) -> anyhow::Result<(String, String)> {
    let res = reqwest::get(format!("{base}/tickets/new")).await?;
    let cookie = res
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("apidesk_csrf="))
        .and_then(|v| v.split(';').next())
        .context("the ticket form set no apidesk_csrf cookie")?
        .to_string();
    let token = form_token(&res.text().await?)?;
    Ok((cookie, token))
}

/// Files tickets through the API at `per_second` until stopped, each on its
/// own task so a slow answer does not slow the pace. At most `IN_FLIGHT`
/// wait for an answer: a server slower than the pace gets fewer tickets
/// (the shortfall is reported) rather than thousands of open connections.
pub struct Filer {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<(u64, f64)>,
    acked: Arc<AtomicU64>,
}

const IN_FLIGHT: usize = 64;

impl Filer {
    pub fn start(base: &str, token: &str, per_second: u32) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()?;
        let url = format!("{base}/api/v1/tickets");
        let auth = format!("Bearer {token}");
        let acked = Arc::new(AtomicU64::new(0));
        let counted = acked.clone();
        let slots = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1) / per_second);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            let started = Instant::now();
            let mut sent = 0u64;
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    _ = tick.tick() => {}
                }
                let Ok(slot) = slots.clone().try_acquire_owned() else {
                    continue;
                };
                sent += 1;
                let request = client
                    .post(&url)
                    .header("Authorization", &auth)
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
                    .body(ticket_json(sent));
                let counted = counted.clone();
                tokio::spawn(async move {
                    if let Ok(res) = request.send().await
                        && res.status() == 201
                    {
                        counted.fetch_add(1, Ordering::Relaxed);
                    }
                    drop(slot);
                });
            }
            (sent, started.elapsed().as_secs_f64())
        });
        Ok(Filer { stop, task, acked })
    }

    /// Stops; tickets sent a second, and acknowledged a second.
    pub async fn stop(self) -> anyhow::Result<(f64, f64)> {
        let _ = self.stop.send(());
        let (sent, seconds) = self.task.await?;
        let acked = self.acked.load(Ordering::Relaxed);
        Ok((sent as f64 / seconds, acked as f64 / seconds))
    }
}

fn ticket_json(n: u64) -> String {
    serde_json::json!({
        "error_code": 500,
        "message": format!("HTTP POST failed: internal server error (500), paced ticket {n}"),
        "endpoint": "https://go.trackvia.com/openapi/views/12/records",
        "method": "POST",
        "occurred_at": "2026-01-15T09:30:00Z",
        "tool": "zapier",
        "environment": "production",
        "name": "Dana Developer",
        "email": "dana@example.com",
        "path": []
    })
    .to_string()
}
