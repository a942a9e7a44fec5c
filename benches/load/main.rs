//! The load benchmark (issue 16): the real binary under wrk, each figure
//! beside a reference measured in the same run, written into BENCHMARKS.md.
//!
//! ```sh
//! sudo apt-get install -y wrk && cargo bench --bench load
//! cargo bench --bench load -- --help
//! ```
//!
//! It measures and reports; it never fails on a slow figure (timings stay
//! out of tests). The public rate limits are off for the server it starts
//! (`--rate-limits off`): every request comes from one address.

mod client;
mod database;
mod disk;
mod fresh;
mod large;
mod report;
mod server;
mod staff;
mod weight;
mod wrk;

use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Duration;

use clap::Parser;

#[derive(Parser)]
#[command(about = "Load benchmark of apidesk; writes its table into BENCHMARKS.md")]
pub struct Args {
    /// Tickets in the large database (seeded once, then reused).
    #[arg(long, default_value_t = 1_000_000)]
    tickets: u64,
    /// Length of each wrk run.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Timed requests per staff page scenario (each waits its turn behind
    /// the arriving tickets, so more makes the run much longer).
    #[arg(long, default_value_t = 100)]
    requests: usize,
    /// Where the table is written, between its markers.
    #[arg(long, default_value = "BENCHMARKS.md")]
    out: PathBuf,
    /// Where the databases and the servers' logs go.
    #[arg(long, default_value = "target/bench")]
    database_dir: PathBuf,
    /// Seed the large database again (and time it) although it exists.
    #[arg(long)]
    reseed: bool,
    // `cargo bench` passes this to every bench target.
    #[arg(long, hide = true)]
    bench: bool,
}

/// The public pages a visitor reads.
pub const PUBLIC_PAGES: [(&str, &str); 4] = [
    ("home", "/"),
    ("an article", "/articles/429-too-many-requests"),
    (
        "a troubleshoot step",
        "/troubleshoot/429?path=wait-a-minute",
    ),
    ("the rate-limit calculator", "/rate-limits"),
];

#[tokio::main]
async fn main() -> ExitCode {
    match run_all(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // What went wrong in one line (a missing wrk says how to install
            // it), not a backtrace.
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run_all(args: Args) -> anyhow::Result<()> {
    wrk::check_installed()?;
    // reqwest is built without a TLS provider of its own (see Cargo.toml).
    apidesk::webhooks::use_ring_for_tls();
    std::fs::create_dir_all(&args.database_dir)?;
    let mut report = report::Report {
        context: context(&args),
        ..Default::default()
    };
    for line in &report.context {
        println!("{line}");
    }
    println!();

    let fsyncs = disk::fsync_rate(
        &args.database_dir.join("fsync-probe"),
        Duration::from_secs(2),
    )?;
    report.note(format!(
        "fsync reference: 4 KB written and made durable (`fdatasync`), one after another, \
         {} on the disk under {}",
        report::per_second(fsyncs),
        args.database_dir.display()
    ));
    let baseline = fresh::run(&args, fsyncs, &mut report).await?;
    large::run(&args, fsyncs, &baseline, &mut report).await?;

    report.write_into(&args.out)?;
    println!("\nwritten into {}", args.out.display());
    Ok(())
}

/// When, what and where: the commit measured, the machine, the settings.
fn context(args: &Args) -> Vec<String> {
    let commit = output_of("git", &["rev-parse", "--short", "HEAD"]);
    let dirty = !output_of("git", &["status", "--porcelain", "--untracked-files=no"]).is_empty();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    vec![
        format!(
            "Measured {date} on commit `{commit}`{}, {} cores ({cpu}), debug assertions off (`cargo bench`).",
            if dirty {
                " with uncommitted changes"
            } else {
                ""
            },
            wrk::cores()
        ),
        format!(
            "**The public rate limits were off** for this run (`--rate-limits off`, as \
             `APIDESK_RATE_LIMITS=off`): every request comes from one address. In normal \
             operation they stay on. wrk runs of {} s, gzip asked for; the large database \
             holds {} tickets.",
            args.seconds,
            report::thousands(args.tickets)
        ),
    ]
}

fn output_of(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}
