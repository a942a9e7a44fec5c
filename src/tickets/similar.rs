//! "Similar" tickets share an error code, a method, an endpoint shape and a
//! tool. The shape is the endpoint's path with ids replaced, so
//! `/views/12/records/7` and `/views/12/records/9` fail the same way.

use crate::domain::{ErrorCode, HttpMethod};

use super::Tool;
use super::endpoint::looks_like_id;

/// The path of an endpoint with its host, query and ids taken out.
pub fn endpoint_shape(endpoint: &str) -> String {
    let without_scheme = endpoint
        .strip_prefix("https://")
        .or_else(|| endpoint.strip_prefix("http://"))
        .map(|rest| rest.find('/').map_or("/", |i| &rest[i..]))
        .unwrap_or(endpoint);
    let path = without_scheme
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('/');
    let shaped: Vec<&str> = path
        .split('/')
        .map(|segment| {
            if looks_like_id(segment) {
                "{id}"
            } else {
                segment
            }
        })
        .collect();
    let shape = shaped.join("/").to_ascii_lowercase();
    if shape.is_empty() { "/".into() } else { shape }
}

pub fn similar_key(code: ErrorCode, method: HttpMethod, endpoint: &str, tool: &Tool) -> String {
    format!(
        "{code}|{method}|{}|{}",
        endpoint_shape(endpoint),
        tool.as_str()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_hosts_and_queries_are_taken_out() {
        assert_eq!(
            endpoint_shape("https://go.trackvia.com/openapi/views/12/records/7?user_key=abc"),
            "/openapi/views/{id}/records/{id}"
        );
        assert_eq!(
            endpoint_shape("/openapi/views/99/records/3/"),
            "/openapi/views/{id}/records/{id}"
        );
        assert_eq!(
            endpoint_shape("/files/9f1c2b7e-1d2a-4c3b-8e9f-0a1b2c3d4e5f"),
            "/files/{id}"
        );
        assert_eq!(endpoint_shape("/users/me"), "/users/me");
        assert_eq!(endpoint_shape("https://api.example.com"), "/");
        assert_eq!(endpoint_shape("/Records/A1B2C3D4E5F6G7H8"), "/records/{id}");
    }

    #[test]
    fn the_key_combines_code_method_shape_and_tool() {
        let a = similar_key(
            ErrorCode::NotFound,
            HttpMethod::Get,
            "/v/1/records/2",
            &Tool::Workato,
        );
        let b = similar_key(
            ErrorCode::NotFound,
            HttpMethod::Get,
            "https://h/v/8/records/9",
            &Tool::Workato,
        );
        let c = similar_key(
            ErrorCode::NotFound,
            HttpMethod::Get,
            "/v/1/records/2",
            &Tool::Zapier,
        );
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, "404|GET|/v/{id}/records/{id}|workato");
    }
}
