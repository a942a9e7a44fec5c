//! Typed configuration, from command-line flags and `APIDESK_*` variables.

use std::net::SocketAddr;

use clap::Args;

use crate::tickets::ResponseTargets;
use crate::web::rate_limit::RateLimitSettings;

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

    /// Behind a reverse proxy: take the client's address from the last
    /// `X-Forwarded-For` entry (the one the nearest proxy appended).
    #[arg(long, global = true, env = "APIDESK_TRUST_PROXY")]
    pub trust_proxy: bool,

    /// Rate limits, e.g. "filing=10/m,additions=30/h" (levels left out keep
    /// their default), or "off" for load tests.
    #[arg(long, global = true, env = "APIDESK_RATE_LIMITS", default_value_t = RateLimitSettings::default())]
    pub rate_limits: RateLimitSettings,
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
            trust_proxy: false,
            rate_limits: RateLimitSettings::default(),
        }
    }
}
