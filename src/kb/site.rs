//! What the content says about the platform apidesk supports, beyond its
//! articles and trees (`content/site.toml`): its names, its API's rate
//! limits, what its record ids and hosts look like. Validated with the rest
//! of the content, so pages, hints and the calculator can rely on it.

use serde::Deserialize;

use super::content_error::Problems;

pub(crate) const PATH: &str = "site.toml";

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub product: Product,
    pub rate_limits: RateLimits,
    pub ids: IdShapes,
    pub hosts: Hosts,
    pub credentials: Credentials,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// Query parameters that carry the API's credentials (`user_key`).
    pub query_keys: Vec<String>,
    /// What a response says when a call carried no credentials, lowercase.
    pub missing_phrases: Vec<String>,
}

impl Credentials {
    pub fn is_query_key(&self, key: &str) -> bool {
        self.query_keys.iter().any(|k| k.eq_ignore_ascii_case(key))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// "TrackVia".
    pub name: String,
    /// "TrackVia API".
    pub api_name: String,
}

/// Calls the API accepts per account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimits {
    pub per_minute: u64,
    pub per_month: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdShapes {
    /// Path segments followed by a record's id (`records`).
    pub record_segments: Vec<String>,
    /// How many digits an internal id has.
    pub internal_digits: DigitRange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigitRange {
    pub min: usize,
    pub max: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hosts {
    /// The API's production host names.
    pub production: Vec<String>,
    /// Words in a host name (between dots and dashes) that mark a sandbox.
    pub sandbox_markers: Vec<String>,
}

impl IdShapes {
    /// Whether `segment` has the shape of an internal id.
    pub fn is_internal_id(&self, segment: &str) -> bool {
        let digits = self.internal_digits;
        (digits.min..=digits.max).contains(&segment.len())
            && segment.bytes().all(|b| b.is_ascii_digit())
    }

    /// Whether a record's id follows `segment` in a path.
    pub fn precedes_record_id(&self, segment: &str) -> bool {
        self.record_segments
            .iter()
            .any(|name| name.eq_ignore_ascii_case(segment))
    }
}

impl Hosts {
    /// Whether `host` reads as a sandbox's: one of its words is a marker.
    pub fn looks_like_sandbox(&self, host: &str) -> bool {
        host.split(['.', '-']).any(|word| {
            self.sandbox_markers
                .iter()
                .any(|m| m.eq_ignore_ascii_case(word))
        })
    }

    pub fn is_production(&self, host: &str) -> bool {
        self.production.iter().any(|h| h.eq_ignore_ascii_case(host))
    }
}

pub(crate) fn parse(text: &str, problems: &mut Problems) -> Option<Site> {
    let site: Site = match toml::from_str(text) {
        Ok(site) => site,
        Err(e) => {
            problems.add_toml(PATH, &e, text, 1, None);
            return None;
        }
    };
    let mut bad = |message: &str| problems.add(PATH, message);
    if site.product.name.trim().is_empty() || site.product.api_name.trim().is_empty() {
        bad("product.name and product.api_name must not be empty");
    }
    let limits = site.rate_limits;
    if limits.per_minute == 0 || limits.per_month < limits.per_minute {
        bad("rate_limits: per_minute must be at least 1, and per_month at least per_minute");
    }
    let digits = site.ids.internal_digits;
    if digits.min == 0 || digits.min > digits.max || digits.max > 40 {
        bad("ids.internal_digits: min must be at least 1 and at most max, max at most 40");
    }
    if site.ids.record_segments.iter().any(|s| !is_word(s)) || site.ids.record_segments.is_empty() {
        bad("ids.record_segments: list one or more path segments, such as \"records\"");
    }
    if site.hosts.production.iter().any(|h| !is_host(h)) {
        bad("hosts.production: each must be a host name in lowercase, such as \"api.example.com\"");
    }
    if site
        .credentials
        .missing_phrases
        .iter()
        .any(|p| p.trim().is_empty() || p.to_lowercase() != *p)
    {
        bad("credentials.missing_phrases: each must be lowercase text, not empty");
    }
    if site.credentials.query_keys.iter().any(|k| !is_word(k)) {
        bad("credentials.query_keys: each must be a parameter name, such as \"user_key\"");
    }
    if site.hosts.sandbox_markers.iter().any(|m| !is_word(m)) {
        bad(
            "hosts.sandbox_markers: each must be one word of letters and digits, such as \"sandbox\"",
        );
    }
    Some(site)
}

fn is_word(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn is_host(text: &str) -> bool {
    text.contains('.')
        && text.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULT: &str = include_str!("../../content/site.toml");

    fn site() -> Site {
        let mut problems = Problems::default();
        let site = parse(DEFAULT, &mut problems).unwrap();
        assert!(problems.is_empty(), "{:?}", problems.messages());
        site
    }

    #[test]
    fn the_default_site_holds_the_reference_articles_figures() {
        let site = site();
        assert_eq!(site.rate_limits.per_minute, 1_200);
        assert_eq!(site.rate_limits.per_month, 11_000_000);
        assert_eq!(site.product.name, "TrackVia");
    }

    #[test]
    fn internal_ids_are_digits_of_the_configured_length() {
        let ids = site().ids;
        assert!(ids.is_internal_id("7"));
        assert!(ids.is_internal_id("1234567890123456789"));
        assert!(!ids.is_internal_id("12345678901234567890"));
        assert!(!ids.is_internal_id("R-1042"));
        assert!(!ids.is_internal_id(""));
        assert!(ids.precedes_record_id("Records"));
        assert!(!ids.precedes_record_id("tables"));
    }

    #[test]
    fn sandbox_hosts_are_known_by_a_marker_word() {
        let hosts = site().hosts;
        assert!(hosts.looks_like_sandbox("sandbox.trackvia.com"));
        assert!(hosts.looks_like_sandbox("api-test.example.com"));
        assert!(!hosts.looks_like_sandbox("latest.example.com"));
        assert!(!hosts.looks_like_sandbox("go.trackvia.com"));
        assert!(hosts.is_production("GO.trackvia.com"));
    }

    #[test]
    fn every_problem_is_named() {
        let text = DEFAULT
            .replace("per_month = 11000000", "per_month = 10")
            .replace("min = 1, max = 19", "min = 5, max = 2")
            .replace("\"go.trackvia.com\"", "\"Go Trackvia\"");
        let mut problems = Problems::default();
        parse(&text, &mut problems);
        assert_eq!(problems.messages().len(), 3, "{:?}", problems.messages());
        let mut problems = Problems::default();
        assert!(parse("[product]\nname = 1", &mut problems).is_none());
        assert!(
            problems.messages()[0].starts_with("site.toml: line "),
            "{:?}",
            problems.messages()
        );
    }
}
