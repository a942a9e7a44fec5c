//! Typed configuration, from command-line flags and `APIDESK_*` variables.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use clap::Args;

use crate::tickets::ResponseTargets;

pub const DEFAULT_BIND: &str = "127.0.0.1:3000";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/apidesk.db";

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, global = true, env = "APIDESK_BIND", default_value = DEFAULT_BIND)]
    pub bind: SocketAddr,

    /// SQLite database; the file and its folder are created on first start.
    #[arg(long, global = true, env = "APIDESK_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
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
        let s = s.trim();
        let (number, unit) = match s.strip_suffix("ms") {
            Some(number) => (number, 1),
            None => (s.strip_suffix('s').unwrap_or(s), 1_000),
        };
        let millis = number
            .trim()
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(unit))
            .filter(|ms| *ms <= 30_000)
            .ok_or_else(|| format!("{s:?} is not a budget such as 2s or 500ms (at most 30s)"))?;
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
}
