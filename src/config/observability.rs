//! `--log-format`, `--metrics-bind`, `--metrics-token`: how apidesk shows
//! what it does.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One readable line per event.
    Text,
    /// One JSON object per line, with the request's span fields.
    Json,
}

/// `/metrics` is off unless one of these says who may read it.
#[derive(Debug, Clone, Default, Args)]
pub struct MetricsSettings {
    /// Serve `/metrics` (and nothing else) on a second listener at this
    /// address, e.g. 127.0.0.1:9090, for a scraper on a private network.
    #[arg(long, global = true, env = "APIDESK_METRICS_BIND", value_name = "ADDR")]
    pub metrics_bind: Option<SocketAddr>,

    /// Serve `/metrics` on the main listener to requests that send
    /// `Authorization: Bearer TOKEN` (at least 16 characters).
    #[arg(
        long,
        global = true,
        env = "APIDESK_METRICS_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub metrics_token: Option<MetricsToken>,
}

/// The scrape token: kept out of `Debug` output, so a printed configuration
/// never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct MetricsToken(String);

impl MetricsToken {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for MetricsToken {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.chars().count() < 16 {
            return Err("the metrics token needs at least 16 characters".into());
        }
        if !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("the metrics token takes printable ASCII without spaces".into());
        }
        Ok(Self(s.to_string()))
    }
}

impl fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MetricsToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metrics_token_is_long_enough_and_never_printed() {
        let token: MetricsToken = "s3cret-scrape-token-1".parse().unwrap();
        assert_eq!(token.as_str(), "s3cret-scrape-token-1");
        assert!(!format!("{token:?}").contains("s3cret"));
        assert!("short".parse::<MetricsToken>().is_err());
        assert!("has a space in the middle".parse::<MetricsToken>().is_err());
    }
}
