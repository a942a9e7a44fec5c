//! URLs that carry state. A visitor's progress lives in the query string, so
//! back, forward, reload and a shared link all show the same page.

use serde::Deserialize;

use crate::domain::ErrorCode;

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

pub fn troubleshoot(code: ErrorCode, path: &[&str], carry: &Carry) -> String {
    let path = path.join(",");
    let mut pairs = vec![("path", path.as_str())];
    pairs.extend(carry.pairs());
    with_query(&format!("/troubleshoot/{code}"), &pairs)
}

pub fn fixed(code: ErrorCode, step: &str) -> String {
    with_query(&format!("/troubleshoot/{code}/fixed"), &[("step", step)])
}

pub fn ticket_form(code: ErrorCode, path: &[&str], carry: &Carry) -> String {
    let path = path.join(",");
    let mut pairs = vec![("error_code", code.as_str()), ("path", path.as_str())];
    pairs.extend(carry.pairs());
    with_query("/tickets/new", &pairs)
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
