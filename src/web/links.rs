//! URLs that carry state. A visitor's progress lives in the query string, so
//! back, forward, reload and a shared link all show the same page.

use serde::Deserialize;

use crate::domain::ErrorCode;
use crate::kb::calculator::Usage;

/// What the requester brought with them (the pasted message and the method
/// read from it), carried from the start page through the tree to the form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Carry {
    pub message: String,
    pub method: String,
}

impl Carry {
    fn pairs(&self) -> [(&'static str, &str); 2] {
        [("message", &self.message), ("method", &self.method)]
    }
}

/// Where a requester is in the checks: the code, the step ids answered
/// "still failing", and what they brought. Every link a requester may
/// follow mid-journey (the next check, the article, starting over, the
/// ticket form, the header's "Contact support") is built from these, here,
/// so none of them drops part of it.
pub fn troubleshoot(code: ErrorCode, path: &[&str], carry: &Carry) -> String {
    let path = path.join(",");
    let mut pairs = vec![("path", path.as_str())];
    pairs.extend(carry.pairs());
    with_query(&format!("/troubleshoot/{code}"), &pairs)
}

/// The thank-you page after "Yes, fixed", keeping the way back into the
/// checks in case the fix does not hold.
pub fn fixed(code: ErrorCode, step: &str, path: &[&str], carry: &Carry) -> String {
    let path = path.join(",");
    let mut pairs = vec![("step", step), ("path", path.as_str())];
    pairs.extend(carry.pairs());
    with_query(&format!("/troubleshoot/{code}/fixed"), &pairs)
}

pub fn ticket_form(code: ErrorCode, path: &[&str], carry: &Carry) -> String {
    let path = path.join(",");
    let mut pairs = vec![("error_code", code.as_str()), ("path", path.as_str())];
    pairs.extend(carry.pairs());
    with_query("/tickets/new", &pairs)
}

/// The ticket form from the rate-limit calculator, carrying the figures it
/// was given (`Usage::to_text`) when there are some.
pub fn ticket_form_with_usage(
    code: ErrorCode,
    path: &[&str],
    carry: &Carry,
    usage: Option<&Usage>,
) -> String {
    let path = path.join(",");
    let usage = usage.map(Usage::to_text).unwrap_or_default();
    let mut pairs = vec![("error_code", code.as_str()), ("path", path.as_str())];
    pairs.extend(carry.pairs());
    pairs.push(("usage", usage.as_str()));
    with_query("/tickets/new", &pairs)
}

/// An article read on the way: it offers the way back into the checks, or
/// on to the ticket once they are done, with everything carried along.
pub fn article(slug: &str, code: ErrorCode, path: &[&str], carry: &Carry) -> String {
    let path = path.join(",");
    let mut pairs = vec![("code", code.as_str()), ("path", path.as_str())];
    pairs.extend(carry.pairs());
    with_query(&format!("/articles/{slug}"), &pairs)
}

/// The rate-limit calculator, opened from the 429 checks at `path`.
pub fn calculator(path: &[&str], carry: &Carry) -> String {
    let path = path.join(",");
    let mut pairs = vec![("path", path.as_str())];
    pairs.extend(carry.pairs());
    with_query("/rate-limits", &pairs)
}

/// `base?k=v&…`, leaving out empty values so links stay short.
pub fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let present: Vec<_> = pairs.iter().filter(|(_, v)| !v.is_empty()).collect();
    if present.is_empty() {
        return base.to_string();
    }
    let query = serde_urlencoded::to_string(present).expect("string pairs always encode");
    format!("{base}?{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carries_message_and_path_encoded() {
        let carry = Carry {
            message: "HTTP GET failed: unauthorized (401) & more".into(),
            method: "GET".into(),
        };
        assert_eq!(
            troubleshoot(ErrorCode::Unauthorized, &["a", "b"], &carry),
            "/troubleshoot/401?path=a%2Cb&message=HTTP+GET+failed%3A+unauthorized+%28401%29+%26+more&method=GET"
        );
    }

    #[test]
    fn every_journey_link_carries_code_path_and_message() {
        let carry = Carry {
            message: "boom & bust".into(),
            method: "PUT".into(),
        };
        let tail = "path=a%2Cb&message=boom+%26+bust&method=PUT";
        assert_eq!(
            article("404-not-found", ErrorCode::NotFound, &["a", "b"], &carry),
            format!("/articles/404-not-found?code=404&{tail}")
        );
        assert_eq!(
            ticket_form(ErrorCode::NotFound, &["a", "b"], &carry),
            format!("/tickets/new?error_code=404&{tail}")
        );
        assert_eq!(
            fixed(ErrorCode::NotFound, "c", &["a", "b"], &carry),
            format!("/troubleshoot/404/fixed?step=c&{tail}")
        );
    }

    #[test]
    fn leaves_out_empty_values() {
        assert_eq!(
            troubleshoot(ErrorCode::Other, &[], &Carry::default()),
            "/troubleshoot/other"
        );
        assert_eq!(
            ticket_form(ErrorCode::NotFound, &["x"], &Carry::default()),
            "/tickets/new?error_code=404&path=x"
        );
    }
}
