//! On a new, empty database: the public pages against the cheapest route,
//! and filing flat out through the form and the API against the disk's
//! flush rate, with a public page timed meanwhile.

use std::time::Duration;

use crate::report::{Report, ms, per_second, ratio};
use crate::server::Server;
use crate::wrk::Load;
use crate::{Args, PUBLIC_PAGES, database};

/// What the large database's figures are judged against.
pub struct Baseline {
    pub started_in: Duration,
    pub peak_memory: u64,
}

const CLIENTS: u32 = 64;
/// A few visitors reading while filing runs: their p99 is the figure.
const READERS: u32 = 4;
const FILING_TARGET: f64 = 8_000.0;

pub async fn run(args: &Args, fsyncs: f64, report: &mut Report) -> anyhow::Result<Baseline> {
    let file = args.database_dir.join("load-fresh.db");
    database::remove(&file)?;
    let access = database::prepare(&file).await?;
    let server = Server::start(&file, args.database_dir.join("load-fresh.log")).await?;
    let base = server.base.clone();
    let s = args.seconds;

    let cheapest = Load::get(format!("{base}/healthz"), CLIENTS, s).run()?;
    let reference = format!("{} (`/healthz`)", per_second(cheapest.per_second));
    for (name, path) in PUBLIC_PAGES {
        let page = Load::get(format!("{base}{path}"), CLIENTS, s).run()?;
        let r = page.per_second / cheapest.per_second;
        report.row(
            format!("public page, {name} (`{path}`), {CLIENTS} clients"),
            per_second(page.per_second),
            reference.clone(),
            ratio(r),
            "≥ 0.80× `/healthz`",
            Some(r >= 0.8 && page.errors == 0),
        );
        if page.errors > 0 {
            report.note(format!("{path}: {} errors or non-2xx answers", page.errors));
        }
    }

    let quiet = Load::get(format!("{base}/"), READERS, s).run()?;
    let fsync_ref = format!("{} fsyncs", per_second(fsyncs));
    let run_number = (time::OffsetDateTime::now_utc().unix_timestamp() % 100_000_000).to_string();

    // Through the form, with a few visitors reading the home page meanwhile.
    let (cookie, token) = crate::client::ticket_form_csrf(&base).await?;
    let before = database::count_tickets(&file).await?;
    let filing = Load {
        url: format!("{base}/tickets"),
        connections: CLIENTS,
        seconds: s,
        script: Some(("form.lua", vec![cookie, token, run_number.clone()])),
    }
    .start()?;
    // Started a moment later and stopped a moment earlier, so that every
    // read is timed while filing runs flat out.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let readers = Load::get(format!("{base}/"), READERS, s.saturating_sub(1).max(1)).start()?;
    let (filing, readers) = (filing.finish()?, readers.finish()?);
    let filed = database::count_tickets(&file).await? - before;
    filing_row(
        report,
        "filing through the form",
        &filing,
        fsyncs,
        &fsync_ref,
    );
    report.note(format!(
        "form: {} answers acknowledged a ticket (303), {} did not; the database gained {} \
         tickets (more when answers were in flight as wrk stopped counting)",
        filing.acked.unwrap_or(0),
        filing.other.unwrap_or(0),
        filed
    ));
    let loaded = readers.p99;
    report.row(
        format!("public page p99 (`/`, {READERS} clients) while the form is filed flat out"),
        ms(loaded),
        format!("{} (same, no filing)", ms(quiet.p99)),
        ratio(loaded.as_secs_f64() / quiet.p99.as_secs_f64()),
        "< 20 ms",
        Some(loaded < Duration::from_millis(20) && readers.errors == 0),
    );

    let before = database::count_tickets(&file).await?;
    let api = Load {
        url: format!("{base}/api/v1/tickets"),
        connections: CLIENTS,
        seconds: s,
        script: Some(("api.lua", vec![access.token, run_number])),
    }
    .run()?;
    let filed = database::count_tickets(&file).await? - before;
    filing_row(report, "filing through the API", &api, fsyncs, &fsync_ref);
    report.note(format!(
        "API: {} answers acknowledged a ticket (201), {} did not; the database gained {} tickets",
        api.acked.unwrap_or(0),
        api.other.unwrap_or(0),
        filed
    ));

    let (_, peak_memory) = server.memory()?;
    let started_in = server.started_in;
    server.stop()?;
    Ok(Baseline {
        started_in,
        peak_memory,
    })
}

fn filing_row(
    report: &mut Report,
    what: &str,
    run: &crate::wrk::Report,
    fsyncs: f64,
    fsync_ref: &str,
) {
    let rate = run.acked_per_second();
    let r = rate / fsyncs;
    report.row(
        format!("{what}, {CLIENTS} clients, synchronous=FULL (acknowledged tickets)"),
        per_second(rate),
        fsync_ref.to_string(),
        ratio(r),
        "≥ 8,000/s and ≥ 2.00× fsyncs",
        Some(rate >= FILING_TARGET && r >= 2.0),
    );
}
