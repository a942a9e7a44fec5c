//! The staff pages, timed one request after another as an agent clicks,
//! signed in, on the large database.

use std::time::{Duration, Instant};

use time::OffsetDateTime;

/// Several views per scenario so one lucky plan does not flatter a figure.
pub fn scenarios(tickets: u64) -> Vec<(&'static str, Vec<String>)> {
    let today = OffsetDateTime::now_utc().date();
    let days_ago = |n: i64| today - time::Duration::days(n);
    let ids: Vec<String> = (0..64u64)
        .map(|i| format!("/staff/tickets/{}", 1 + (i * 7_919_113) % tickets.max(1)))
        .collect();
    let paths = |list: &[&str]| -> Vec<String> { list.iter().map(|s| s.to_string()).collect() };
    vec![
        ("queue, default view", paths(&["/staff/queue"])),
        (
            "queue, filtered (status, code, priority, assignee=me&sort=updated)",
            paths(&[
                "/staff/queue?status=open&code=429",
                "/staff/queue?code=500&environment=production&priority=high",
                "/staff/queue?assignee=me&sort=updated",
                "/staff/queue?status=all&tool=zapier&sort=newest",
            ]),
        ),
        (
            "queue, sort=updated with a date range (last month)",
            vec![format!(
                "/staff/queue?status=all&sort=updated&from={}&to={}",
                days_ago(60),
                days_ago(31)
            )],
        ),
        (
            "queue, search",
            paths(&[
                "/staff/queue?status=all&q=timeout",
                "/staff/queue?status=all&q=Retry-After",
                "/staff/queue?status=all&q=webhook",
                "/staff/queue?status=all&q=sandbox+credentials",
            ]),
        ),
        ("ticket page", ids),
        ("insights", paths(&["/staff/insights"])),
    ]
}

/// p99 of `requests` sequential GETs cycling through `paths`, after ten
/// not counted; any answer but 200 fails the run (it would not be a page).
pub async fn p99(
    client: &reqwest::Client,
    base: &str,
    paths: &[String],
    requests: usize,
) -> anyhow::Result<Duration> {
    let mut times = Vec::with_capacity(requests);
    for i in 0..requests + 10 {
        let url = format!("{base}{}", paths[i % paths.len()]);
        let started = Instant::now();
        let res = client.get(&url).send().await?;
        let status = res.status();
        res.bytes().await?;
        let took = started.elapsed();
        anyhow::ensure!(status == 200, "{url} answered {status}");
        if i >= 10 {
            times.push(took);
        }
    }
    times.sort();
    let rank = ((0.99 * times.len() as f64).ceil() as usize).clamp(1, times.len());
    Ok(times[rank - 1])
}
