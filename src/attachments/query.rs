//! Credentials in URLs: `?access_token=…`, `&sig=…`, and the `#access_token=`
//! fragment of OAuth's implicit flow. Only the values change; the rest of
//! the URL stays as it was, so a reader still sees which endpoint failed.

use crate::tickets::redact::{FieldPlace, SecretKind, is_marker, marker, secret_field};

/// The kind of credential a query parameter called `name` carries: the
/// names ticket text is redacted by, plus a few that only mean a
/// credential in a URL (an OAuth `code`, `auth`, `jwt`).
pub(super) fn param_kind(name: &str) -> Option<SecretKind> {
    if let Some(kind) = secret_field(name, FieldPlace::Query) {
        return Some(kind);
    }
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "code" | "auth" | "auth_code" | "authcode" | "otp" => Some(SecretKind::Credential),
        "jwt" | "assertion" => Some(SecretKind::Jwt),
        _ => None,
    }
}

/// `url` with each credential parameter's value replaced by a marker, and
/// how many were; `None` when nothing was.
pub(super) fn redact_url(url: &str) -> Option<(String, usize)> {
    let query_start = url.find('?');
    let fragment_start = url.find('#');
    let mut out = String::with_capacity(url.len());
    let mut count = 0;
    // The query ends at the fragment; a `?` inside the fragment is part of it.
    let query = match (query_start, fragment_start) {
        (Some(q), Some(f)) if q > f => None,
        (Some(q), f) => Some((q + 1, f.unwrap_or(url.len()))),
        (None, _) => None,
    };
    let fragment = fragment_start.map(|f| (f + 1, url.len()));
    let mut cursor = 0;
    for (start, end) in [query, fragment].into_iter().flatten() {
        out.push_str(url.get(cursor..start)?);
        count += redact_params(url.get(start..end)?, &mut out);
        cursor = end;
    }
    out.push_str(url.get(cursor..)?);
    (count > 0).then_some((out, count))
}

/// Appends `params` (`a=1&b=2`) to `out` with credential values replaced.
fn redact_params(params: &str, out: &mut String) -> usize {
    let mut count = 0;
    for (i, part) in params.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match part.split_once('=') {
            Some((name, value)) if !value.is_empty() && !is_marker(value) => {
                match param_kind(name) {
                    Some(kind) => {
                        out.push_str(name);
                        out.push('=');
                        out.push_str(&marker(kind));
                        count += 1;
                    }
                    None => out.push_str(part),
                }
            }
            _ => out.push_str(part),
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_parameters_lose_their_values_only() {
        let (out, n) = redact_url(
            "https://api.example-saas.com/v2/orders?page=2&access_token=ya29.abc&sig=ff00&code=4/0Ad#top",
        )
        .expect("found");
        assert_eq!(
            out,
            "https://api.example-saas.com/v2/orders?page=2&access_token=[redacted access_token]&sig=[redacted signature]&code=[redacted credential]#top"
        );
        assert_eq!(n, 3);
    }

    #[test]
    fn implicit_flow_fragments_count_too() {
        let (out, n) =
            redact_url("https://app.example/cb#access_token=abc&token_type=Bearer").expect("found");
        assert_eq!(
            out,
            "https://app.example/cb#access_token=[redacted access_token]&token_type=Bearer"
        );
        assert_eq!(n, 1);
    }

    #[test]
    fn clean_or_already_redacted_urls_are_left_alone() {
        assert!(redact_url("https://x.example/a?page=2&sort=asc").is_none());
        assert!(redact_url("https://x.example/a").is_none());
        assert!(redact_url("https://x.example/a?api_key=[redacted api_key]&key=").is_none());
        assert!(redact_url("?&=&==#?").is_none());
    }
}
