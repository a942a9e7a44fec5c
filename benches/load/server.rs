//! The real apidesk binary in a process of its own, so that its memory and
//! its start-up are its own and not the benchmark's.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

const BIN: &str = env!("CARGO_BIN_EXE_apidesk");

pub fn database_url(file: &Path) -> String {
    format!("sqlite://{}", file.display())
}

/// Runs `apidesk --database-url … ARGS` to the end; its standard output.
pub fn cli(database: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(BIN)
        .arg("--database-url")
        .arg(database_url(database))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running apidesk {}", args.join(" ")))?;
    if !out.status.success() {
        bail!(
            "apidesk {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

pub struct Server {
    child: Child,
    pub base: String,
    /// From spawning the process to the first answered `/healthz`.
    pub started_in: Duration,
}

impl Server {
    /// `apidesk serve` on `database` with the rate limits off (one address
    /// sends everything here), its log in `log`.
    pub async fn start(database: &Path, log: PathBuf) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()?;
        let log = File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let started = Instant::now();
        let mut child = Command::new(BIN)
            .arg("--database-url")
            .arg(database_url(database))
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .args(["--rate-limits", "off"])
            .arg("serve")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("starting apidesk serve")?;
        loop {
            if let Ok(res) = client.get(format!("{base}/healthz")).send().await
                && res.status().is_success()
            {
                break;
            }
            if let Some(status) = child.try_wait()? {
                bail!("apidesk serve exited ({status}) before answering; see its log");
            }
            if started.elapsed() > Duration::from_secs(120) {
                let _ = child.kill();
                bail!("apidesk serve did not answer /healthz within 2 minutes");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Ok(Server {
            started_in: started.elapsed(),
            child,
            base,
        })
    }

    /// Resident memory now and at its peak, in bytes (`VmRSS`, `VmHWM`).
    pub fn memory(&self) -> anyhow::Result<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
                .map(|kb| kb * 1024)
                .with_context(|| format!("no {name} in /proc/PID/status"))
        };
        Ok((field("VmRSS:")?, field("VmHWM:")?))
    }

    /// SIGTERM, as an operator stops it, then waits for it to finish.
    pub fn stop(mut self) -> anyhow::Result<()> {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        let until = Instant::now() + Duration::from_secs(15);
        while Instant::now() < until {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.child.kill()?;
        bail!("apidesk serve did not stop within 15 s of SIGTERM")
    }
}

impl Drop for Server {
    // A failed run must not leave a server holding the port and the file.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
