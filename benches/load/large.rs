//! On the large database: seeding it, starting on it, the staff pages while
//! tickets arrive at a steady pace, memory, and what each page weighs.

use std::time::{Duration, Instant};

use crate::client::{Filer, browser, sign_in};
use crate::fresh::Baseline;
use crate::report::{Report, kb, mb, ms, per_second, ratio, thousands};
use crate::server::{Server, cli};
use crate::{Args, PUBLIC_PAGES, database, staff, weight};

const ARRIVALS: u32 = 500;

pub async fn run(
    args: &Args,
    fsyncs: f64,
    baseline: &Baseline,
    report: &mut Report,
) -> anyhow::Result<()> {
    let n = args.tickets;
    let file = args.database_dir.join(format!("load-{n}.db"));
    if args.reseed || !file.exists() {
        database::remove(&file)?;
        println!("seeding {} tickets…", thousands(n));
        let started = Instant::now();
        cli(
            &file,
            &["seed", "--tickets", &n.to_string(), "--demo-staff"],
        )?;
        let took = started.elapsed();
        let rate = n as f64 / took.as_secs_f64();
        report.row(
            format!("`apidesk seed --tickets {n}`"),
            format!("{:.1} s ({})", took.as_secs_f64(), per_second(rate)),
            format!("{} fsyncs", per_second(fsyncs)),
            ratio(rate / fsyncs),
            "< 60 s",
            Some(took < Duration::from_secs(60)),
        );
    } else {
        report.row(
            format!("`apidesk seed --tickets {n}`"),
            "not timed: database reused",
            "—",
            "—",
            "< 60 s",
            None,
        );
        report.note(format!(
            "{} was seeded by an earlier run; `--reseed` seeds and times it again",
            file.display()
        ));
    }
    let access = database::prepare(&file).await?;
    let tickets = database::count_tickets(&file).await?;

    let server = Server::start(&file, args.database_dir.join(format!("load-{n}.log"))).await?;
    let base = server.base.clone();
    report.row(
        format!(
            "start-up with {} tickets, to the first answered request",
            thousands(tickets)
        ),
        ms(server.started_in),
        format!("{} (empty database)", ms(baseline.started_in)),
        ratio(server.started_in.as_secs_f64() / baseline.started_in.as_secs_f64()),
        "< 1 s",
        Some(server.started_in < Duration::from_secs(1)),
    );

    let client = browser()?;
    sign_in(&client, &base, &access.password).await?;
    for (name, path) in PUBLIC_PAGES.iter().copied().chain([
        ("the ticket form", "/tickets/new"),
        ("staff queue", "/staff/queue"),
    ]) {
        let w = weight::measure(&client, &base, path).await?;
        let met = w.transferred < 30_000 && w.requests <= 4 && w.uncached.is_empty();
        report.row(
            format!("weight of {name} (`{path}`), transferred, with what it links"),
            format!("{} in {} requests", kb(w.transferred), w.requests),
            format!("{} uncompressed", kb(w.uncompressed)),
            ratio(w.transferred as f64 / w.uncompressed as f64),
            "< 30 KB, ≤ 4 requests, all but the page cacheable",
            Some(met),
        );
        if !w.uncached.is_empty() {
            report.note(format!(
                "{path} links files not cacheable: {}",
                w.uncached.join(", ")
            ));
        }
    }

    let filer = Filer::start(&base, &access.token, ARRIVALS)?;
    // The pace settles before anything is timed.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let healthz = vec!["/healthz".to_string()];
    let cheapest = staff::p99(&client, &base, &healthz, args.requests).await?;
    let reference = format!("{} (`/healthz`)", ms(cheapest));
    for (name, paths) in staff::scenarios(tickets) {
        let p99 = staff::p99(&client, &base, &paths, args.requests).await?;
        report.row(
            format!(
                "{name}, p99, {} tickets, {ARRIVALS} tickets/s arriving",
                thousands(tickets)
            ),
            ms(p99),
            reference.clone(),
            ratio(p99.as_secs_f64() / cheapest.as_secs_f64()),
            "p99 < 50 ms",
            Some(p99 < Duration::from_millis(50)),
        );
    }
    let (now, peak) = server.memory()?;
    let (sent, acked) = filer.stop().await?;
    report.note(format!(
        "while the staff pages were timed ({} requests each, one at a time), tickets were sent \
         through the API at {} and {} were acknowledged",
        args.requests,
        per_second(sent),
        per_second(acked)
    ));
    report.row(
        format!(
            "resident memory under load, {} tickets (peak VmHWM)",
            thousands(tickets)
        ),
        mb(peak),
        format!(
            "{} (empty database, filing flat out)",
            mb(baseline.peak_memory)
        ),
        ratio(peak as f64 / baseline.peak_memory as f64),
        "< 100 MB",
        Some(peak < 100_000_000),
    );
    report.note(format!(
        "resident memory at the end of the staff pages: {}",
        mb(now)
    ));
    server.stop()
}
