//! Latency of the staff pages on a large database, over real HTTP.
//!
//! ```sh
//! cargo bench --bench triage -- --tickets 1000000 --requests 300
//! ```
//!
//! Seeds the database up to `--tickets` (once: later runs reuse the file),
//! starts apidesk in this process on a free port, signs in, and times
//! sequential requests for each scenario. Prints p50, p99 and max. This is a
//! measurement, not a test: nothing here fails on a slow result.

use std::time::{Duration, Instant};

use apidesk::config::Config;
use apidesk::seed::SeedOptions;
use apidesk::startup::Application;
use apidesk::store::Store;
use clap::Parser;
use time::OffsetDateTime;

#[derive(Parser)]
struct Args {
    /// Database to use; seeded up to --tickets if it holds fewer.
    #[arg(long, default_value = "sqlite://target/bench/apidesk.db")]
    database_url: String,
    /// How many tickets the database should hold.
    #[arg(long, default_value_t = 1_000_000)]
    tickets: u64,
    /// Timed requests per scenario (after 20 warm-up requests).
    #[arg(long, default_value_t = 300)]
    requests: usize,
    // `cargo bench` passes this to every bench target.
    #[arg(long, hide = true)]
    bench: bool,
}

/// A demo account: the bench database holds demo staff only.
const BENCH_EMAIL: &str = "agent1@apidesk.test";

/// Several views per scenario so one lucky plan does not flatter the figures.
const FILTERED: [&str; 5] = [
    "/staff/queue?status=open&code=429",
    "/staff/queue?code=500&environment=production&priority=high",
    "/staff/queue?status=all&tool=zapier&sort=newest",
    "/staff/queue?status=waiting&sort=updated",
    "/staff/queue?status=resolved,closed&code=404&from=2026-01-01&to=2026-06-30",
];
/// Sorted by last update with a filter that, walked in that order, may
/// match rarely: an assignee (or nobody), a range that ended months ago.
const BY_UPDATE: [&str; 7] = [
    "/staff/queue?assignee=me&sort=updated",
    "/staff/queue?assignee=me&sort=updated&status=all",
    "/staff/queue?assignee=none&sort=updated&status=all",
    "/staff/queue?sort=updated&from=2026-01-01&to=2026-06-30",
    "/staff/queue?sort=updated&status=all&from=2025-03-01&to=2025-03-31",
    "/staff/queue?status=resolved,closed&code=500&environment=production&sort=updated&from=2025-06-01&to=2026-02-28",
    "/staff/queue?status=all&assignee=me&tool=zapier&priority=high&sort=updated&to=2025-12-31",
];
/// The views apidesk starts with (migration 0016), as the sidebar links them.
const SAVED_VIEWS: [&str; 5] = [
    "/staff/queue?status=new%2Copen",
    "/staff/queue?status=new%2Copen&assignee=me",
    "/staff/queue?status=waiting&assignee=me",
    "/staff/queue?status=new%2Copen&assignee=none",
    "/staff/queue?status=new%2Copen&code=500&priority=urgent&environment=production",
];
const SEARCHES: [&str; 8] = [
    "timeout",
    "Purchase Orders",
    "Retry-After",
    "backoff",
    "UserKey",
    "sandbox credentials",
    "Traceback",
    "webhook",
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let config = Config {
        bind: "127.0.0.1:0".parse()?,
        database_url: args.database_url.clone(),
        // One client times hundreds of requests: limits are not measured here.
        rate_limits: "off".parse().map_err(anyhow::Error::msg)?,
        ..Config::default()
    };
    let store = Store::connect(&config.database_url).await?;
    // Demo staff with a fresh password every run (the seed assigns tickets
    // to them); refused if the database holds real staff.
    let (_, password) = apidesk::seed::demo_staff(&store, OffsetDateTime::now_utc()).await?;
    let have = store.count_tickets().await? as u64;
    if have < args.tickets {
        println!(
            "seeding {} tickets (have {have}); this is done once",
            args.tickets - have
        );
        let options = SeedOptions {
            tickets: args.tickets - have,
            seed: 1,
            demo_staff: false,
            row_by_row: false,
        };
        apidesk::seed::run(&store, options, &config.response_targets).await?;
    }
    let total = store.count_tickets().await?;
    store.close().await;

    let app = Application::build(config).await?;
    let base = format!("http://{}", app.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));

    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    sign_in(&client, &base, password.expose()).await?;

    println!(
        "\n{total} tickets, {} timed requests per scenario\n",
        args.requests
    );
    println!(
        "{:<28} {:>9} {:>9} {:>9}",
        "scenario", "p50 ms", "p99 ms", "max ms"
    );
    let n = args.requests;
    let ticket_ids: Vec<i64> = (0..n + 20)
        .map(|i| 1 + ((i as i64 * 7_919_113) % total.max(1)))
        .collect();
    let scenarios: Vec<(&str, Vec<String>)> = vec![
        ("queue, default view", vec!["/staff/queue".to_string()]),
        (
            "queue, filtered",
            FILTERED.iter().map(|s| s.to_string()).collect(),
        ),
        (
            "queue, by last update",
            BY_UPDATE.iter().map(|s| s.to_string()).collect(),
        ),
        (
            "queue, search",
            SEARCHES
                .iter()
                .map(|q| format!("/staff/queue?status=all&q={}", q.replace(' ', "+")))
                .collect(),
        ),
        (
            "ticket page",
            ticket_ids
                .iter()
                .map(|id| format!("/staff/tickets/{id}"))
                .collect(),
        ),
        (
            "queue, saved views",
            SAVED_VIEWS.iter().map(|s| s.to_string()).collect(),
        ),
        ("views page", vec!["/staff/views".to_string()]),
        (
            "ticket page, from a view",
            ticket_ids
                .iter()
                .map(|id| format!("/staff/tickets/{id}?view=%2Fstaff%2Fqueue"))
                .collect(),
        ),
        ("macros page", vec!["/staff/macros".to_string()]),
        // The default range (the last 30 days), and the last 90 days.
        (
            "insights, default range",
            vec!["/staff/insights".to_string()],
        ),
        ("insights, 90 days", vec![insights_days(90)]),
    ];
    for (name, urls) in scenarios {
        let mut times = Vec::with_capacity(n);
        for i in 0..n + 20 {
            let url = format!("{base}{}", urls[i % urls.len()]);
            let started = Instant::now();
            let res = client.get(&url).send().await?;
            let status = res.status();
            res.bytes().await?;
            let took = started.elapsed();
            anyhow::ensure!(status.is_success(), "{url} answered {status}");
            if i >= 20 {
                times.push(took);
            }
        }
        report(name, &mut times);
    }

    // What the searches' pages say of their counts: exact, or "at least"
    // when there were too many matches to count in the page's time.
    println!("\nsearch counts");
    for q in SEARCHES {
        let url = format!("{base}/staff/queue?status=all&q={}", q.replace(' ', "+"));
        let body = client.get(&url).send().await?.text().await?;
        let said = range_of(&body).unwrap_or("(no range)").to_string();
        // What staff.js then asks for when the page's count was cut short.
        let count_url = url.replacen("/staff/queue?", "/staff/queue/count?", 1);
        let started = Instant::now();
        let full = client.get(&count_url).send().await?.text().await?;
        let took = started.elapsed().as_secs_f64() * 1000.0;
        println!("  {q:<24} {said:<36} counted in full: {full} ({took:.0} ms)");
    }
    println!();

    // Paging: follow "Next page" from the start of a large view, timing each page.
    for (name, start) in [
        ("queue, next pages (all)", "/staff/queue?status=all"),
        (
            "queue, next pages (open)",
            "/staff/queue?status=open&sort=age",
        ),
    ] {
        let mut times = Vec::with_capacity(n);
        let mut url = start.to_string();
        for _ in 0..n {
            let started = Instant::now();
            let body = client
                .get(format!("{base}{url}"))
                .send()
                .await?
                .text()
                .await?;
            times.push(started.elapsed());
            url = match next_page(&body) {
                Some(next) => next,
                None => start.to_string(),
            };
        }
        report(name, &mut times);
    }

    let _ = stop.send(());
    server.await??;
    Ok(())
}

async fn sign_in(client: &reqwest::Client, base: &str, password: &str) -> anyhow::Result<()> {
    let page = client
        .get(format!("{base}/staff/login"))
        .send()
        .await?
        .text()
        .await?;
    let marker = "name=\"csrf_token\" value=\"";
    let start = page
        .find(marker)
        .map(|i| i + marker.len())
        .ok_or_else(|| anyhow::anyhow!("no CSRF token on the sign-in page"))?;
    let token = &page[start..start + 64];
    let res = client
        .post(format!("{base}/staff/login"))
        .form(&[
            ("csrf_token", token),
            ("email", BENCH_EMAIL),
            ("password", password),
        ])
        .send()
        .await?;
    anyhow::ensure!(res.status() == 303, "sign-in failed: {}", res.status());
    Ok(())
}

/// The insights page for the `days` days up to today (UTC).
fn insights_days(days: i64) -> String {
    let today = OffsetDateTime::now_utc().date();
    let from = today - time::Duration::days(days - 1);
    format!("/staff/insights?from={from}&to={today}")
}

fn report(name: &str, times: &mut [Duration]) {
    times.sort();
    println!(
        "{name:<28} {:>9.1} {:>9.1} {:>9.1}",
        ms(percentile(times, 50.0)),
        ms(percentile(times, 99.0)),
        ms(*times.last().unwrap_or(&Duration::ZERO))
    );
}

/// The "Next page" link of a queue page, unescaped.
fn next_page(html: &str) -> Option<String> {
    let end = html.find(">Next page")?;
    let start = html[..end].rfind("href=\"")? + 6;
    let stop = start + html[start..].find('"')?;
    Some(html[start..stop].replace("&#38;", "&"))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The queue page's "1–50 of 2,069".
fn range_of(html: &str) -> Option<&str> {
    let at = html.find("id=\"queue-range\"")?;
    let start = html[at..].find('>')? + at + 1;
    let end = html[start..].find("</p>")? + start;
    Some(&html[start..end])
}
