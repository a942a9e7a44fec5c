//! The API described: an OpenAPI 3.1 document derived from the handlers and
//! types themselves (so it cannot drift from them), served as JSON.

use axum::Json;
use axum::response::IntoResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{files, tickets};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "apidesk API",
        version = "1",
        description = "File support tickets from an integration's error handler, and read and work them from a team's tools. Every request carries `Authorization: Bearer <token>`, a token an admin creates under Staff → API tokens or with `apidesk token create`. Errors are `application/problem+json` (RFC 9457)."
    ),
    paths(
        tickets::file,
        tickets::list,
        tickets::show,
        tickets::assign,
        tickets::status,
        tickets::priority,
        tickets::note,
        tickets::reply,
        files::upload,
        files::download,
    ),
    tags(
        (name = "tickets", description = "Filing and reading tickets."),
        (name = "actions", description = "Staff work on a ticket, through the same rules as the staff pages."),
        (name = "files", description = "Files sent with tickets and messages, inspected and with credentials taken out before they are kept."),
    ),
    modifiers(&BearerToken)
)]
pub struct ApiDoc;

/// The one way in: a bearer token.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token (apd_…), shown once when an admin creates it.",
                    ))
                    .build(),
            ),
        );
    }
}

/// `GET /openapi.json`: open to anyone, as API descriptions are; it holds
/// no data, only the shape of the API.
pub(super) async fn document() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_openapi_3_1_with_every_operation_behind_the_token() {
        let doc = serde_json::to_value(ApiDoc::openapi()).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
        assert_eq!(
            doc["components"]["securitySchemes"]["token"]["scheme"],
            "bearer"
        );
        let mut operations = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                assert_eq!(
                    op["security"][0]["token"],
                    serde_json::json!([]),
                    "{method} {path}"
                );
                operations.push(format!("{} {path}", method.to_uppercase()));
            }
        }
        operations.sort();
        assert_eq!(
            operations,
            [
                "GET /api/v1/tickets",
                "GET /api/v1/tickets/{id}",
                "GET /api/v1/tickets/{id}/files/{file}",
                "POST /api/v1/tickets",
                "POST /api/v1/tickets/{id}/assign",
                "POST /api/v1/tickets/{id}/notes",
                "POST /api/v1/tickets/{id}/priority",
                "POST /api/v1/tickets/{id}/replies",
                "POST /api/v1/tickets/{id}/status",
                "POST /api/v1/uploads",
            ]
        );
    }
}
