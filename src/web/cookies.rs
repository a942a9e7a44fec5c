//! The two cookies apidesk sets (the CSRF value and the staff session) are
//! both 32 random bytes in hex; this reads and makes them.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

/// A cookie's name as set and read back. With `--cookie-secure` it carries
/// the `__Host-` prefix: browsers then keep it only when it is Secure, has
/// `Path=/` and no `Domain`, so neither a sibling subdomain nor a plain-http
/// page on the way can plant or shadow it.
pub fn cookie_name(name: &'static str, host_only: &'static str, secure: bool) -> &'static str {
    if secure { host_only } else { name }
}

/// 32 random bytes, hex-encoded: 64 characters.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    hex::encode(bytes)
}

/// The cookie called `name`, if the request has one that looks like ours.
pub fn token_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(cookie, _)| *cookie == name)
        .map(|(_, value)| value)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn reads_only_well_formed_tokens() {
        let good = random_token();
        assert_eq!(good.len(), 64);
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_str(&format!("x=1; c={good}")).unwrap(),
        );
        assert_eq!(token_cookie(&headers, "c"), Some(good));
        assert_eq!(token_cookie(&headers, "x"), None);
        headers.insert(COOKIE, HeaderValue::from_static("c=short"));
        assert_eq!(token_cookie(&headers, "c"), None);
    }
}
