//! Where deliveries may go: public addresses only (no SSRF).
//!
//! A webhook URL is typed by an admin, but the request is made from inside
//! the network apidesk runs in, where `http://10.0.0.5/admin`, a cloud's
//! metadata service (169.254.169.254) or a database on localhost would
//! answer. So a delivery goes only to public addresses: every address a
//! host name resolves to is checked when the connection is made (a name
//! that resolves to one public and one private address is refused: the
//! connection could take either, and a DNS server that answers differently
//! the second time, DNS rebinding, gains nothing because the addresses
//! checked are the addresses connected to). IP literals in the URL are
//! checked before sending, since no name is resolved for them. An operator
//! can allow named hosts (`--webhook-allow-hosts`), e.g. a listener on the
//! same machine.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// Host names (or IP literals) an operator allows to be private, from
/// `--webhook-allow-hosts`. Compared without regard to case, exactly: no
/// wildcards, so allowing one host never allows another.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList(Vec<String>);

impl AllowList {
    /// A comma-separated list of host names or IP addresses (`[::1]` or
    /// `::1`); empty entries are skipped.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut hosts = Vec::new();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let host = normalise(entry);
            let plausible = |c: char| c.is_ascii_alphanumeric() || ".-:_".contains(c);
            // A colon belongs only in an IPv6 address, never a port.
            let port = host.contains(':') && host.parse::<Ipv6Addr>().is_err();
            if port || host.is_empty() || !host.chars().all(plausible) {
                return Err(format!(
                    "{entry:?} is not a host name (write names or addresses only, no scheme, port or path)"
                ));
            }
            if !hosts.contains(&host) {
                hosts.push(host);
            }
        }
        Ok(Self(hosts))
    }

    /// Whether the operator allowed `host` (a URL's host, as `Url::host_str` gives it).
    pub fn allows(&self, host: &str) -> bool {
        let host = normalise(host);
        self.0.contains(&host)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for AllowList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(","))
    }
}

impl std::str::FromStr for AllowList {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Lower case, without the brackets of an IPv6 literal or a final dot.
fn normalise(host: &str) -> String {
    host.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// A delivery refused by the address rules, with why; its text is what the
/// admin page shows as the delivery's error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

const ALLOW_HINT: &str = "deliveries go to public addresses only, unless the host is allowed \
     with --webhook-allow-hosts";

/// Checks a URL before anything is sent to it (and when it is registered):
/// http or https, a host, no user or password, and an IP literal only when
/// public. A host name is checked later, at each connection, by what it
/// resolves to, except names that always mean this machine.
pub fn check_url(url: &Url, allow: &AllowList) -> Result<(), Refused> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Refused(
            "only http:// and https:// URLs are delivered to".into(),
        ));
    }
    // Credentials in a URL end up in logs and Referer-like places; a
    // receiver that needs them can read the signature instead.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refused(
            "the URL may not hold a user name or password".into(),
        ));
    }
    let host = url.host_str().unwrap_or_default();
    if host.is_empty() {
        return Err(Refused("the URL has no host".into()));
    }
    if allow.allows(host) {
        return Ok(());
    }
    let literal = match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
        Some(Host::Domain(name)) => {
            let name = normalise(name);
            if name == "localhost" || name.ends_with(".localhost") {
                return Err(Refused(format!(
                    "{host} is this machine (loopback); {ALLOW_HINT}"
                )));
            }
            return Ok(());
        }
        None => return Err(Refused("the URL has no host".into())),
    };
    match non_public(literal) {
        Some(why) => Err(Refused(format!("{literal} is {why}; {ALLOW_HINT}"))),
        None => Ok(()),
    }
}

/// Checks every address `host` resolved to: all must be public, unless the
/// operator allowed the host. Returns the addresses to connect to.
pub fn check_resolved(
    host: &str,
    addresses: Vec<IpAddr>,
    allow: &AllowList,
) -> Result<Vec<IpAddr>, Refused> {
    if addresses.is_empty() {
        return Err(Refused(format!("{host} resolves to no address")));
    }
    if allow.allows(host) {
        return Ok(addresses);
    }
    if let Some((ip, why)) = addresses
        .iter()
        .find_map(|ip| non_public(*ip).map(|why| (*ip, why)))
    {
        return Err(Refused(format!(
            "{host} resolves to {ip}, {why}; {ALLOW_HINT}"
        )));
    }
    Ok(addresses)
}

/// IPv4 ranges that are not the public internet (IANA's special-purpose
/// registry): each network, its prefix length, and what it is.
const V4_RANGES: &[(Ipv4Addr, u8, &str)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8, "unspecified (0.0.0.0/8)"),
    (Ipv4Addr::new(10, 0, 0, 0), 8, "private (10.0.0.0/8)"),
    (
        Ipv4Addr::new(100, 64, 0, 0),
        10,
        "shared carrier-grade NAT space (100.64.0.0/10)",
    ),
    (Ipv4Addr::new(127, 0, 0, 0), 8, "loopback (127.0.0.0/8)"),
    (
        Ipv4Addr::new(169, 254, 0, 0),
        16,
        "link-local (169.254.0.0/16)",
    ),
    (Ipv4Addr::new(172, 16, 0, 0), 12, "private (172.16.0.0/12)"),
    (
        Ipv4Addr::new(192, 0, 0, 0),
        24,
        "reserved for protocols (192.0.0.0/24)",
    ),
    (
        Ipv4Addr::new(192, 0, 2, 0),
        24,
        "for documentation (192.0.2.0/24)",
    ),
    (
        Ipv4Addr::new(192, 88, 99, 0),
        24,
        "the old 6to4 relay range (192.88.99.0/24)",
    ),
    (
        Ipv4Addr::new(192, 168, 0, 0),
        16,
        "private (192.168.0.0/16)",
    ),
    (
        Ipv4Addr::new(198, 18, 0, 0),
        15,
        "for benchmarking (198.18.0.0/15)",
    ),
    (
        Ipv4Addr::new(198, 51, 100, 0),
        24,
        "for documentation (198.51.100.0/24)",
    ),
    (
        Ipv4Addr::new(203, 0, 113, 0),
        24,
        "for documentation (203.0.113.0/24)",
    ),
    (Ipv4Addr::new(224, 0, 0, 0), 4, "multicast (224.0.0.0/4)"),
    // Includes the broadcast address 255.255.255.255.
    (
        Ipv4Addr::new(240, 0, 0, 0),
        4,
        "reserved or broadcast (240.0.0.0/4)",
    ),
];

/// IPv6 ranges that are not the public internet. Forms that carry an IPv4
/// address (mapped, compatible, NAT64, 6to4) are judged by that address
/// first, in `non_public_v6`.
const V6_RANGES: &[(Ipv6Addr, u8, &str)] = &[
    (Ipv6Addr::UNSPECIFIED, 128, "unspecified (::)"),
    (Ipv6Addr::LOCALHOST, 128, "loopback (::1)"),
    (
        Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0),
        48,
        "local NAT64 (64:ff9b:1::/48)",
    ),
    (
        Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0),
        64,
        "discard-only (100::/64)",
    ),
    (
        Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0),
        23,
        "reserved for protocols (2001::/23)",
    ),
    (
        Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),
        32,
        "for documentation (2001:db8::/32)",
    ),
    (
        Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0),
        20,
        "for documentation (3fff::/20)",
    ),
    (
        Ipv6Addr::new(0x5f00, 0, 0, 0, 0, 0, 0, 0),
        16,
        "for segment routing (5f00::/16)",
    ),
    (
        Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0),
        7,
        "unique local (fc00::/7)",
    ),
    (
        Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0),
        10,
        "link-local (fe80::/10)",
    ),
    (
        Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0),
        10,
        "site-local (fec0::/10)",
    ),
    (
        Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0),
        8,
        "multicast (ff00::/8)",
    ),
];

/// What `ip` is when it is not a public address; `None` when it is.
pub fn non_public(ip: IpAddr) -> Option<String> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4).map(str::to_string),
        IpAddr::V6(v6) => non_public_v6(v6),
    }
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let bits = u32::from(ip);
    V4_RANGES.iter().find_map(|(net, len, what)| {
        let mask = u32::MAX.checked_shl(32 - u32::from(*len)).unwrap_or(0);
        (bits & mask == u32::from(*net)).then_some(*what)
    })
}

fn in_v6(ip: Ipv6Addr, net: Ipv6Addr, len: u8) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
    u128::from(ip) & mask == u128::from(net)
}

fn non_public_v6(ip: Ipv6Addr) -> Option<String> {
    if let Some((v4, form)) = embedded_v4(ip) {
        return non_public_v4(v4).map(|what| format!("{form} of {v4}, which is {what}"));
    }
    // The deprecated IPv4-compatible form (::a.b.c.d, but :: and ::1 are
    // judged below): no host is reached that way any more, so nothing is
    // lost by refusing it whatever it holds.
    let bits = u128::from(ip);
    if bits >> 32 == 0 && bits > 1 {
        return Some("an IPv4-compatible IPv6 address (::/96), which is deprecated".into());
    }
    V6_RANGES
        .iter()
        .find(|(net, len, _)| in_v6(ip, *net, *len))
        .map(|(_, _, what)| (*what).to_string())
}

/// The IPv4 address inside an IPv6 address that reaches it, and the form's
/// name: IPv4-mapped (`::ffff:a.b.c.d`, how a dual-stack socket writes an
/// IPv4 peer), NAT64 (`64:ff9b::a.b.c.d`, translated to it by a gateway)
/// and 6to4 (`2002:aabb:ccdd::/48`, relayed to it).
fn embedded_v4(ip: Ipv6Addr) -> Option<(Ipv4Addr, &'static str)> {
    let bits = u128::from(ip);
    let low = Ipv4Addr::from((bits & 0xffff_ffff) as u32);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some((v4, "an IPv4-mapped IPv6 address"));
    }
    if in_v6(ip, Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96) {
        return Some((low, "a NAT64 IPv6 address"));
    }
    if in_v6(ip, Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16) {
        let v4 = Ipv4Addr::from(((bits >> 80) & 0xffff_ffff) as u32);
        return Some((v4, "a 6to4 IPv6 address"));
    }
    None
}

#[cfg(test)]
mod tests;
