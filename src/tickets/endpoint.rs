//! An endpoint as typed (an absolute URL or a path), taken apart the way a
//! support engineer reads it: the host, the path's segments, which of them
//! are ids, and the query's keys. One linear pass; nothing is decoded or
//! fetched.

/// The parts of an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint<'a> {
    /// The host in lowercase, without port or credentials; `None` for a path.
    pub host: Option<String>,
    /// The path's non-empty segments, as typed.
    pub segments: Vec<&'a str>,
    /// The query's parameter names, as typed, in order.
    pub query_keys: Vec<&'a str>,
}

impl<'a> Endpoint<'a> {
    pub fn parse(endpoint: &'a str) -> Self {
        let endpoint = endpoint.trim();
        let (host, rest) = match strip_scheme(endpoint) {
            Some(after) => {
                let end = after.find(['/', '?', '#']).unwrap_or(after.len());
                let authority = &after[..end];
                // user:password@host:port → host
                let host = authority.rsplit('@').next().unwrap_or_default();
                let host = host.split(':').next().unwrap_or_default();
                let host = (!host.is_empty()).then(|| host.to_ascii_lowercase());
                (host, &after[end..])
            }
            None => (None, endpoint),
        };
        let (path, query) = match rest.split_once('?') {
            Some((path, query)) => (path, query.split('#').next().unwrap_or_default()),
            None => (rest.split('#').next().unwrap_or_default(), ""),
        };
        Self {
            host,
            segments: path.split('/').filter(|s| !s.is_empty()).collect(),
            query_keys: query
                .split('&')
                .filter_map(|pair| pair.split('=').next())
                .filter(|key| !key.is_empty())
                .collect(),
        }
    }

    /// The path with every id as `{id}`, in lowercase:
    /// `/accounts/{id}/apps/{id}/tables/{id}/records/{id}`.
    pub fn shape(&self) -> String {
        if self.segments.is_empty() {
            return "/".into();
        }
        self.segments
            .iter()
            .map(|segment| {
                if looks_like_id(segment) {
                    "/{id}".to_string()
                } else {
                    format!("/{}", segment.to_ascii_lowercase())
                }
            })
            .collect()
    }

    /// The segments that follow one named by `precedes` (`records` in
    /// `/records/{id}`): where a record's id stands.
    pub fn ids_after(&self, precedes: impl Fn(&str) -> bool) -> Vec<&'a str> {
        self.segments
            .windows(2)
            .filter(|pair| precedes(pair[0]))
            .map(|pair| pair[1])
            .collect()
    }

    pub fn has_query_key(&self, wanted: impl Fn(&str) -> bool) -> bool {
        self.query_keys.iter().any(|key| wanted(key))
    }
}

fn strip_scheme(endpoint: &str) -> Option<&str> {
    let lower = endpoint.get(..8).unwrap_or(endpoint).to_ascii_lowercase();
    if lower.starts_with("https://") {
        Some(&endpoint[8..])
    } else if lower.starts_with("http://") {
        Some(&endpoint[7..])
    } else {
        None
    }
}

/// Numbers, UUIDs and long hex or mixed letter-digit tokens are ids.
pub(super) fn looks_like_id(segment: &str) -> bool {
    if segment.is_empty() {
        return false;
    }
    let digits = segment.bytes().filter(u8::is_ascii_digit).count();
    let all_digits = digits == segment.len();
    let uuid_like =
        segment.len() == 36 && segment.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
    let long_token = segment.len() >= 16
        && digits > 0
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    all_digits || uuid_like || long_token
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_taken_apart() {
        let e = Endpoint::parse(
            "HTTPS://user:pw@Go.TrackVia.com:443/openapi/views/12/records/R-7?user_key=[redacted user_key]&page=2#top",
        );
        assert_eq!(e.host.as_deref(), Some("go.trackvia.com"));
        assert_eq!(e.segments, ["openapi", "views", "12", "records", "R-7"]);
        assert_eq!(e.query_keys, ["user_key", "page"]);
        assert_eq!(e.shape(), "/openapi/views/{id}/records/r-7");
        assert_eq!(e.ids_after(|s| s == "records"), ["R-7"]);
        assert!(e.has_query_key(|k| k == "page"));
    }

    #[test]
    fn a_path_has_no_host() {
        let e = Endpoint::parse(
            "/accounts/3/apps/44/tables/9f1c2b7e-1d2a-4c3b-8e9f-0a1b2c3d4e5f/records/7/",
        );
        assert_eq!(e.host, None);
        assert_eq!(
            e.shape(),
            "/accounts/{id}/apps/{id}/tables/{id}/records/{id}"
        );
        assert!(e.query_keys.is_empty());
    }

    #[test]
    fn odd_input_never_panics() {
        for text in [
            "",
            "/",
            "https://",
            "http://?",
            "?a=1&&=2&b",
            "https://é.example/ü?ö=1",
            "//x",
        ] {
            let e = Endpoint::parse(text);
            let _ = e.shape();
        }
        assert_eq!(Endpoint::parse("https://h.example").shape(), "/");
        assert_eq!(Endpoint::parse("?a=1&&=2&b").query_keys, ["a", "b"]);
    }
}

/// Properties over generated input: no text makes parsing panic, and the
/// parts it gives are parts (no separator inside a segment or a key, a
/// host in lowercase without port or credentials).
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::Endpoint;

    fn endpoint_like() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec![
                "https://",
                "http://",
                "HTTPS://",
                "user:pw@",
                "@",
                ":",
                "443",
                "go.example.com",
                "/",
                "//",
                "?",
                "&",
                "=",
                "#",
                "records",
                "12",
                "9f1c2b7e-1d2a-4c3b-8e9f-0a1b2c3d4e5f",
                "é",
                " ",
                "%2F",
                "[redacted user_key]",
            ]),
            0..60,
        )
        .prop_map(|parts| parts.concat())
    }

    fn check(text: &str) -> Result<(), TestCaseError> {
        let e = Endpoint::parse(text);
        if let Some(host) = &e.host {
            prop_assert!(!host.contains(['/', '?', '#', '@', ':']), "host {:?}", host);
            prop_assert_eq!(host, &host.to_ascii_lowercase());
        }
        for segment in &e.segments {
            prop_assert!(!segment.is_empty() && !segment.contains('/'));
        }
        for key in &e.query_keys {
            prop_assert!(!key.is_empty() && !key.contains(['&', '=', '#']));
        }
        let shape = e.shape();
        prop_assert!(shape.starts_with('/'));
        let _ = e.ids_after(|s| s == "records");
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_text_parses_into_parts(text in any::<String>()) {
            check(&text)?;
        }

        #[test]
        fn endpoint_like_text_parses_into_parts(text in endpoint_like()) {
            check(&text)?;
        }
    }
}
