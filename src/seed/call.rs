//! The failing call a ticket is about: a TrackVia OpenAPI endpoint and method.

use crate::domain::{ErrorCode, HttpMethod};

use super::rng::Rng;
use super::words::{FILE_FIELDS, SEARCH_WORDS};

/// The failing call a ticket is about.
pub(super) struct Call {
    pub(super) method: HttpMethod,
    pub(super) endpoint: String,
    pub(super) path: String,
    pub(super) view: u64,
    pub(super) record: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Records,
    Record,
    Views,
    View,
    Find,
    Apps,
    Users,
    File,
    Token,
}

/// A TrackVia OpenAPI call: the shape of the endpoint, a method that fits
/// it, and ids from a few busy views plus a long tail.
pub(super) fn call(rng: &mut Rng, code: ErrorCode) -> Call {
    use HttpMethod::*;
    let view = if rng.chance(0.6) {
        1 + rng.below(60)
    } else {
        1 + rng.below(4_000)
    };
    let record = 1 + rng.below(2_500_000);
    let shape = if code == ErrorCode::TooManyRequests && rng.chance(0.3) {
        Shape::Records // polling for changes
    } else {
        rng.weighted(&[
            (Shape::Records, 25),
            (Shape::Record, 30),
            (Shape::Views, 4),
            (Shape::View, 4),
            (Shape::Find, 4),
            (Shape::Apps, 6),
            (Shape::Users, 6),
            (Shape::File, 8),
            (Shape::Token, 3),
        ])
    };
    let method = match shape {
        Shape::Records => rng.weighted(&[(Get, 60), (Post, 35), (Delete, 5)]),
        Shape::Record => rng.weighted(&[(Get, 40), (Put, 35), (Patch, 10), (Delete, 15)]),
        Shape::Users => rng.weighted(&[(Get, 70), (Post, 30)]),
        Shape::File => rng.weighted(&[(Get, 40), (Post, 45), (Delete, 15)]),
        Shape::Token => Post,
        Shape::Views | Shape::View | Shape::Find | Shape::Apps => Get,
    };
    let mut path = match shape {
        Shape::Records => format!("/openapi/views/{view}/records"),
        Shape::Record => format!("/openapi/views/{view}/records/{record}"),
        Shape::Views => "/openapi/views".to_string(),
        Shape::View => format!("/openapi/views/{view}"),
        Shape::Find => format!("/openapi/views/{view}/find"),
        Shape::Apps => "/openapi/apps".to_string(),
        Shape::Users => "/openapi/users".to_string(),
        Shape::File => format!(
            "/openapi/views/{view}/records/{record}/files/{}",
            rng.pick(&FILE_FIELDS)
        ),
        Shape::Token => "/oauth/token".to_string(),
    };
    if code == ErrorCode::NotFound && rng.chance(0.2) {
        // The typos that really cause 404s.
        path = match rng.below(3) {
            0 => path.replacen("/views", "/view", 1),
            1 => path.replacen("/openapi", "/api", 1),
            _ => path.replacen("/records", "/record", 1),
        };
    }
    let query = match (shape, method) {
        (Shape::Records, Get) if rng.chance(0.4) => format!(
            "?start={}&max={}",
            100 * rng.below(50),
            rng.pick(&[50, 100, 500, 1000])
        ),
        (Shape::Find, _) => format!("?q={}", rng.pick(&SEARCH_WORDS)),
        (Shape::Users, Get) if rng.chance(0.5) => "?start=0&max=100".to_string(),
        _ => String::new(),
    };
    let endpoint = if rng.chance(0.82) {
        format!("https://go.trackvia.com{path}{query}")
    } else {
        format!("{path}{query}")
    };
    Call {
        method,
        endpoint,
        path,
        view,
        record,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_passes_the_form_rules() {
        let mut rng = Rng::for_item(1, 0, 0);
        for code in ErrorCode::ALL {
            for _ in 0..200 {
                let call = call(&mut rng, code);
                assert!(
                    call.endpoint.starts_with('/')
                        || call.endpoint.starts_with("https://go.trackvia.com/"),
                    "{}",
                    call.endpoint
                );
                assert!(!call.endpoint.contains(char::is_whitespace));
            }
        }
    }
}
