//! Runs wrk and reads its report.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};

const INSTALL: &str = "wrk is not installed: on Debian or Ubuntu run `sudo apt-get install -y wrk` \
     (elsewhere see https://github.com/wg/wrk), then run the benchmark again";

/// Fails with how to install wrk when it is missing, before anything is
/// seeded or started.
pub fn check_installed() -> anyhow::Result<()> {
    match Command::new("wrk").arg("--version").output() {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(INSTALL),
        Err(e) => Err(e).context("running wrk"),
    }
}

/// One wrk run: `connections` clients for `seconds` on `url`.
pub struct Load<'a> {
    pub url: String,
    pub connections: u32,
    pub seconds: u64,
    /// A Lua script in benches/load/ and its arguments.
    pub script: Option<(&'a str, Vec<String>)>,
}

impl Load<'_> {
    pub fn get(url: String, connections: u32, seconds: u64) -> Self {
        Load {
            url,
            connections,
            seconds,
            script: None,
        }
    }

    /// Starts wrk; `Running::finish` waits for it and reads its report.
    pub fn start(&self) -> anyhow::Result<Running> {
        // No more threads than the machine has cores: wrk shares them with
        // the server it loads.
        let threads = self.connections.min(cores());
        let mut cmd = Command::new("wrk");
        cmd.arg(format!("-t{threads}"))
            .arg(format!("-c{}", self.connections))
            .arg(format!("-d{}s", self.seconds))
            .arg("--latency")
            .args(["-H", "Accept-Encoding: gzip"]);
        if let Some((script, _)) = &self.script {
            cmd.arg("-s").arg(format!(
                "{}/benches/load/{script}",
                env!("CARGO_MANIFEST_DIR")
            ));
        }
        cmd.arg(&self.url);
        if let Some((_, args)) = &self.script {
            cmd.arg("--").args(args);
        }
        let child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context(INSTALL)?;
        Ok(Running {
            child,
            url: self.url.clone(),
        })
    }

    pub fn run(&self) -> anyhow::Result<Report> {
        self.start()?.finish()
    }
}

pub struct Running {
    child: Child,
    url: String,
}

impl Running {
    pub fn finish(self) -> anyhow::Result<Report> {
        let out = self.child.wait_with_output()?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if !out.status.success() {
            bail!(
                "wrk on {} failed: {}{}",
                self.url,
                text,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Report::parse(&text)
            .with_context(|| format!("reading wrk's report on {}:\n{text}", self.url))
    }
}

#[derive(Debug, Clone)]
pub struct Report {
    pub per_second: f64,
    pub p99: Duration,
    /// Answers other than 2xx/3xx, and socket errors.
    pub errors: u64,
    /// Counted by the scripts' `done()`: the answers that acknowledged a
    /// ticket, and the others.
    pub acked: Option<u64>,
    pub other: Option<u64>,
    pub seconds: f64,
}

impl Report {
    fn parse(text: &str) -> anyhow::Result<Self> {
        let mut per_second = None;
        let mut p99 = None;
        let mut errors = 0;
        let mut acked = None;
        let mut other = None;
        let mut seconds = None;
        for line in text.lines().map(str::trim) {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["Requests/sec:", n] => per_second = n.parse().ok(),
                ["99%", t] => p99 = duration(t),
                ["Non-2xx", "or", "3xx", "responses:", n] => errors += n.parse::<u64>()?,
                ["Socket", "errors:", rest @ ..] => {
                    errors += rest
                        .iter()
                        .filter_map(|w| w.trim_end_matches(',').parse::<u64>().ok())
                        .sum::<u64>()
                }
                ["ACKED", a, "OTHER", o] => {
                    acked = a.parse().ok();
                    other = o.parse().ok();
                }
                [_, "requests", "in", t, ..] => {
                    seconds = duration(t.trim_end_matches(',')).map(|d| d.as_secs_f64())
                }
                _ => {}
            }
        }
        Ok(Report {
            per_second: per_second.context("no Requests/sec")?,
            p99: p99.context("no 99% latency")?,
            errors,
            acked,
            other,
            seconds: seconds.context("no duration")?,
        })
    }

    /// Acknowledged tickets a second.
    pub fn acked_per_second(&self) -> f64 {
        self.acked.unwrap_or(0) as f64 / self.seconds
    }
}

/// wrk's `1.23ms`, `456.00us`, `2.00s`, `1.50m`.
fn duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (n, unit) = text.split_at(split);
    let n: f64 = n.parse().ok()?;
    let seconds = match unit {
        "us" => n / 1e6,
        "ms" => n / 1e3,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return None,
    };
    Some(Duration::from_secs_f64(seconds))
}

pub fn cores() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}
