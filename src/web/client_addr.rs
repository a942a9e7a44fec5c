//! The client's address, for rate limits and the sign-in throttle.
//!
//! By default it is the socket's peer address. Behind a reverse proxy that is
//! the proxy, so with `--trust-proxy` it is the address the nearest proxy
//! appended to `X-Forwarded-For`: the rightmost entry. Entries to its left
//! were sent by the client (or by proxies we know nothing about) and can say
//! anything, so they are never used.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::web::AppState;

const FORWARDED_FOR: &str = "x-forwarded-for";

/// The client's address when the server knows it (not in router tests,
/// which have no connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    /// What rate limits count by. An IPv6 client usually holds a whole /64,
    /// so its addresses share one key; clients without an address share one.
    pub fn rate_key(&self) -> String {
        match self.0.map(|ip| ip.to_canonical()) {
            Some(IpAddr::V4(v4)) => v4.to_string(),
            Some(IpAddr::V6(v6)) => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                format!("{}/64", Ipv6Addr::from(prefix))
            }
            None => "unknown".to_string(),
        }
    }

    /// The address from the socket, or from the proxy's header when the
    /// proxy is trusted.
    pub fn resolve(peer: Option<IpAddr>, headers: &HeaderMap, trust_proxy: bool) -> Self {
        if trust_proxy && let Some(forwarded) = nearest_forwarded_for(headers) {
            return Self(Some(forwarded));
        }
        Self(peer)
    }
}

/// The rightmost `X-Forwarded-For` entry across all the header's lines, if
/// it is an address. A proxy that appends writes it last; a malformed last
/// entry is not skipped in favour of one further left.
fn nearest_forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let last_line = headers.get_all(FORWARDED_FOR).iter().next_back()?;
    let entry = last_line.to_str().ok()?.rsplit(',').next()?.trim();
    parse_entry(entry)
}

/// `203.0.113.7`, `2001:db8::1`, and the forms with a port some proxies
/// write: `203.0.113.7:4711`, `[2001:db8::1]:4711`.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

impl<S> FromRequestParts<S> for ClientAddr
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(Self::resolve(
            peer,
            &parts.headers,
            state.config.trust_proxy,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(lines: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for line in lines {
            map.append(FORWARDED_FOR, HeaderValue::from_str(line).unwrap());
        }
        map
    }

    const PEER: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1)));

    fn resolved(lines: &[&str], trust: bool) -> String {
        ClientAddr::resolve(PEER, &headers(lines), trust)
            .0
            .unwrap()
            .to_string()
    }

    #[test]
    fn the_rightmost_entry_is_used_only_when_the_proxy_is_trusted() {
        let spoofed = ["1.2.3.4, 203.0.113.7"];
        assert_eq!(resolved(&spoofed, true), "203.0.113.7");
        assert_eq!(resolved(&spoofed, false), "10.0.0.1");
        // Several header lines: the last line's last entry.
        assert_eq!(
            resolved(&["1.2.3.4", "5.6.7.8, 198.51.100.2"], true),
            "198.51.100.2"
        );
    }

    #[test]
    fn ports_and_ipv6_are_understood_and_garbage_falls_back_to_the_socket() {
        assert_eq!(resolved(&["203.0.113.7:4711"], true), "203.0.113.7");
        assert_eq!(resolved(&["[2001:db8::1]:4711"], true), "2001:db8::1");
        assert_eq!(resolved(&["2001:db8::1"], true), "2001:db8::1");
        // A bad last entry is not replaced by a client-controlled one to its left.
        assert_eq!(resolved(&["1.2.3.4, unknown"], true), "10.0.0.1");
        assert_eq!(resolved(&[], true), "10.0.0.1");
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        let a = ClientAddr(Some("2001:db8:1:2:aaaa::1".parse().unwrap()));
        let b = ClientAddr(Some("2001:db8:1:2:bbbb::9".parse().unwrap()));
        let c = ClientAddr(Some("2001:db8:1:3::1".parse().unwrap()));
        assert_eq!(a.rate_key(), b.rate_key());
        assert_ne!(a.rate_key(), c.rate_key());
        let mapped = ClientAddr(Some("::ffff:192.0.2.1".parse().unwrap()));
        assert_eq!(mapped.rate_key(), "192.0.2.1");
        assert_eq!(ClientAddr(None).rate_key(), "unknown");
    }
}
