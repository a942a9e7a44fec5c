//! Typed configuration, from command-line flags and `APIDESK_*` variables.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::Args;

mod attachments;
mod database_url;
mod imap;
mod mail;
mod observability;
mod rate_limits;
pub use attachments::{AttachmentSettings, ByteSize};
pub use imap::{ImapConfig, ImapConfigError, ImapSecurity, ImapSettings};
pub use mail::{MailConfig, MailConfigError, MailSettings, SmtpCredentials, SmtpSecurity};
pub use observability::{LogFormat, MetricsSettings, MetricsToken};
pub use rate_limits::{Level, Rate, RateLimitSettings};

use crate::attachments::ClamavAddress;
use crate::domain::parse_span;
use crate::tickets::ResponseTargets;
use crate::webhooks::AllowList;

pub const DEFAULT_BIND: &str = "127.0.0.1:3000";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/apidesk.db";
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, global = true, env = "APIDESK_BIND", default_value = DEFAULT_BIND)]
    pub bind: SocketAddr,

    /// SQLite database; the file and its folder are created on first start.
    #[arg(long, global = true, env = "APIDESK_DATABASE_URL", default_value = DEFAULT_DATABASE_URL, value_parser = database_url::parse)]
    pub database_url: String,

    /// Mark cookies Secure (set this when apidesk is served over HTTPS).
    #[arg(long, global = true, env = "APIDESK_COOKIE_SECURE")]
    pub cookie_secure: bool,

    /// First-response targets per priority, e.g. "urgent=1h,high=4h,normal=1d,low=3d".
    #[arg(long, global = true, env = "APIDESK_RESPONSE_TARGETS", default_value_t = ResponseTargets::default())]
    pub response_targets: ResponseTargets,

    /// Longest a staff queue view (filters, search, one CSV batch) may read
    /// the database before it is stopped with "narrow the search", e.g. "2s" or "500ms".
    #[arg(long, global = true, env = "APIDESK_STAFF_QUERY_BUDGET", default_value_t = QueryBudget::default())]
    pub staff_query_budget: QueryBudget,

    /// The address people reach apidesk at, e.g. "https://help.example.com";
    /// used for the private link shown once a ticket is filed. Without it
    /// the link is shown relative to the page, never built from the request.
    #[arg(long, global = true, env = "APIDESK_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,

    /// Time a client has to send a request's headers, from connecting or from
    /// the end of its previous response ("10s", "500ms"). Also ends idle
    /// keep-alive connections.
    #[arg(long, global = true, env = "APIDESK_HEADER_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub header_timeout: Duration,

    /// Longest a request may take ("30s", "500ms"): past it the answer is 408
    /// (a page, or a problem document for the API), the handler is dropped,
    /// a budgeted database read it started is interrupted, and a write it
    /// queued that has not started yet is dropped from the writer's queue.
    #[arg(long, global = true, env = "APIDESK_REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,

    /// Open connections served at once; further clients wait to be accepted.
    #[arg(long, global = true, env = "APIDESK_MAX_CONNECTIONS", default_value_t = DEFAULT_MAX_CONNECTIONS, value_parser = clap::value_parser!(usize))]
    pub max_connections: usize,

    /// Behind a reverse proxy: take the client's address from the last
    /// `X-Forwarded-For` entry (the one the nearest proxy appended).
    #[arg(long, global = true, env = "APIDESK_TRUST_PROXY")]
    pub trust_proxy: bool,

    /// Rate limits, e.g. "filing=10/m,additions=30/h" (levels left out keep
    /// their default), or "off" for load tests.
    #[arg(long, global = true, env = "APIDESK_RATE_LIMITS", default_value_t = RateLimitSettings::default())]
    pub rate_limits: RateLimitSettings,

    /// Folder of content (site.toml, articles/*.md, trees/*.toml) to serve
    /// instead of the built-in content; checked at start like it, and read
    /// again on SIGHUP. `apidesk content export DIR` writes a starting point.
    #[arg(long, global = true, env = "APIDESK_CONTENT_DIR", value_name = "DIR")]
    pub content: Option<PathBuf>,

    /// Outgoing mail: `--smtp-url`, `--mail-from`, `--smtp-ca-file`.
    #[command(flatten)]
    pub mail: MailSettings,

    /// Incoming mail: `--imap-url`, `--imap-ca-file`, `--imap-poll-seconds`.
    #[command(flatten)]
    pub imap: ImapSettings,

    /// Attachments: `--max-file-size`, `--max-ticket-files-size`, `--max-ticket-files`.
    #[command(flatten)]
    pub attachments: AttachmentSettings,

    /// Hosts webhook deliveries may reach although they are private,
    /// loopback or link-local, e.g. "hooks.internal,127.0.0.1"
    /// (comma-separated names or addresses; no wildcards).
    #[arg(
        long,
        global = true,
        env = "APIDESK_WEBHOOK_ALLOW_HOSTS",
        default_value = "",
        hide_default_value = true
    )]
    pub webhook_allow_hosts: AllowList,

    /// ClamAV daemon to scan every upload with before it is kept: a Unix
    /// socket path, or tcp:HOST:PORT; without it files are not scanned.
    #[arg(
        long,
        global = true,
        env = "APIDESK_CLAMAV",
        value_name = "ADDRESS",
        value_parser = ClamavAddress::from_str
    )]
    pub clamav: Option<ClamavAddress>,

    /// Log lines as plain text, or as one JSON object per line.
    #[arg(long, global = true, env = "APIDESK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Where metrics may be scraped: `--metrics-bind`, `--metrics-token`.
    #[command(flatten)]
    pub metrics: MetricsSettings,
}

impl Config {
    /// How attached files are judged: the size limits and `--clamav`.
    pub fn file_rules(&self) -> crate::attachments::Rules {
        crate::attachments::Rules::new(self.attachments.limits(), self.clamav.clone())
    }

    /// Whether answers to apidesk's mail reach it: `--mail-replies`, on by
    /// default when IMAP polling is configured.
    pub fn mail_replies(&self) -> bool {
        self.mail
            .mail_replies
            .unwrap_or(self.imap.imap_url.is_some())
    }
}

/// `http(s)://host[:port][/prefix]`, kept without a trailing slash.
fn parse_public_url(text: &str) -> Result<String, String> {
    let text = text.trim().trim_end_matches('/');
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .ok_or("the public URL must start with https:// or http://")?;
    let host = rest.split('/').next().unwrap_or_default();
    let plausible = |b: u8| b.is_ascii_alphanumeric() || b".-:[]".contains(&b);
    if host.is_empty() || !host.bytes().all(plausible) {
        return Err("the public URL needs a host name, like https://help.example.com".into());
    }
    if rest
        .bytes()
        .any(|b| b"?#@ ".contains(&b) || b.is_ascii_control())
    {
        return Err("the public URL takes no query, fragment, user or spaces".into());
    }
    Ok(text.to_string())
}

/// "10s", "500ms" or a bare number of seconds, in milliseconds.
fn parse_millis(text: &str) -> Option<u64> {
    parse_span(text, &[("ms", 1), ("s", 1_000)], Some(1_000))
}

/// A duration of at least a millisecond.
fn parse_duration(text: &str) -> Result<Duration, String> {
    match parse_millis(text) {
        None => Err(format!(
            "{:?} is not a duration like 10s or 500ms",
            text.trim()
        )),
        Some(0) => Err("the duration must be more than zero".into()),
        Some(ms) => Ok(Duration::from_millis(ms)),
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: DEFAULT_BIND
                .parse()
                .expect("the default bind address is valid"),
            database_url: DEFAULT_DATABASE_URL.to_string(),
            cookie_secure: false,
            response_targets: ResponseTargets::default(),
            staff_query_budget: QueryBudget::default(),
            public_url: None,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            trust_proxy: false,
            rate_limits: RateLimitSettings::default(),
            content: None,
            mail: MailSettings::default(),
            imap: ImapSettings::default(),
            attachments: AttachmentSettings::default(),
            webhook_allow_hosts: AllowList::default(),
            clamav: None,
            log_format: LogFormat::Text,
            metrics: MetricsSettings::default(),
        }
    }
}

/// A time budget for one database read, written `2s` or `500ms`. Well under
/// the 30-second request timeout: a staff page that reads longer is refused
/// with a message rather than left to hold a database connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryBudget(pub Duration);

impl Default for QueryBudget {
    fn default() -> Self {
        Self(Duration::from_secs(2))
    }
}

impl FromStr for QueryBudget {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let millis = parse_millis(s).filter(|ms| *ms <= 30_000).ok_or_else(|| {
            format!(
                "{:?} is not a budget such as 2s or 500ms (at most 30s)",
                s.trim()
            )
        })?;
        Ok(Self(Duration::from_millis(millis)))
    }
}

impl fmt::Display for QueryBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.0.as_millis();
        if millis.is_multiple_of(1_000) {
            write!(f, "{}s", millis / 1_000)
        } else {
            write!(f, "{millis}ms")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_budgets_parse_and_print_back() {
        for (text, millis, printed) in [
            ("2s", 2_000, "2s"),
            ("500ms", 500, "500ms"),
            (" 1500ms ", 1_500, "1500ms"),
            ("3", 3_000, "3s"),
            ("0ms", 0, "0s"),
        ] {
            let budget: QueryBudget = text.parse().unwrap();
            assert_eq!(budget.0, Duration::from_millis(millis), "{text}");
            assert_eq!(budget.to_string(), printed);
        }
        for bad in ["", "fast", "-1s", "2m", "31s", "1.5s"] {
            assert!(bad.parse::<QueryBudget>().is_err(), "{bad}");
        }
    }

    #[test]
    fn public_urls_are_checked_and_trimmed() {
        assert_eq!(
            parse_public_url("https://help.example.com/").unwrap(),
            "https://help.example.com"
        );
        assert_eq!(
            parse_public_url("http://localhost:3000/desk").unwrap(),
            "http://localhost:3000/desk"
        );
        for bad in [
            "help.example.com",
            "https://",
            "javascript:alert(1)",
            "https://a.example/?x=1",
            "https://user@a.example",
            "https://bad host",
        ] {
            assert!(parse_public_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_clamav_flag_takes_a_socket_path_or_tcp_address() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            config: Config,
        }
        let parse = |value: &str| Cli::try_parse_from(["apidesk", "--clamav", value]);
        assert_eq!(
            parse("/run/clamav/clamd.ctl").unwrap().config.clamav,
            Some(ClamavAddress::Unix("/run/clamav/clamd.ctl".into()))
        );
        assert_eq!(
            parse("tcp:127.0.0.1:3310").unwrap().config.clamav,
            Some(ClamavAddress::Tcp {
                host: "127.0.0.1".into(),
                port: 3310
            })
        );
        let err = parse("clamd.ctl").err().unwrap().to_string();
        assert!(err.contains("--clamav"), "{err}");
        assert!(err.contains("tcp:HOST:PORT"), "{err}");
        assert_eq!(
            Cli::try_parse_from(["apidesk"]).unwrap().config.clamav,
            None
        );
    }

    #[test]
    fn durations_take_seconds_or_milliseconds() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("ten").is_err());
    }
}
