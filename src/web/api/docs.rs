//! `GET /api/v1/docs`: the API's page for people, rendered on the server
//! from the OpenAPI document itself (no script, no CDN: the site's strict
//! CSP stays), so what it says is what the document says.

use askama::Template;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use utoipa::OpenApi;

use super::openapi::ApiDoc;
use super::problem::ApiError;
use crate::kb::inline_markdown;
use crate::web::render::render;

struct Field {
    name: String,
    kind: String,
    required: bool,
    description: String,
}

struct Schema {
    name: String,
    description: String,
    fields: Vec<Field>,
}

struct Param {
    name: String,
    place: String,
    kind: String,
    required: bool,
    description: String,
}

struct Answer {
    status: String,
    description: String,
    schema: Option<String>,
    media: String,
}

struct Operation {
    anchor: String,
    method: String,
    path: String,
    summary: String,
    description: String,
    params: Vec<Param>,
    body: Option<String>,
    answers: Vec<Answer>,
}

struct ProblemKind {
    kind: &'static str,
    status: u16,
    title: &'static str,
    detail: String,
}

#[derive(Template)]
#[template(path = "api/docs.html")]
struct DocsPage {
    title: String,
    version: String,
    description: String,
    operations: Vec<Operation>,
    schemas: Vec<Schema>,
    problems: Vec<ProblemKind>,
}

pub(super) async fn page() -> Result<Response, ApiError> {
    let doc = serde_json::to_value(ApiDoc::openapi())
        .map_err(|err| ApiError::Internal(err.to_string()))?;
    let page = from_document(&doc);
    match render(&page) {
        Ok(html) => Ok(html.into_response()),
        Err(err) => Err(ApiError::Internal(err.to_string())),
    }
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

/// A description from the document (CommonMark) as safe HTML.
fn prose(value: &Value) -> String {
    inline_markdown(value.as_str().unwrap_or_default())
}

/// A schema's type in a few words: `string`, `integer or null`,
/// `array of Redacted`, `TicketOut`.
fn type_name(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        return reference
            .rsplit('/')
            .next()
            .unwrap_or(reference)
            .to_string();
    }
    if let Some(options) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        return options
            .iter()
            .map(type_name)
            .collect::<Vec<_>>()
            .join(" or ");
    }
    if let Some(parts) = schema["allOf"].as_array() {
        return parts
            .iter()
            .map(type_name)
            .collect::<Vec<_>>()
            .join(" and ");
    }
    let kinds: Vec<String> = match &schema["type"] {
        Value::String(kind) => vec![kind.clone()],
        Value::Array(kinds) => kinds.iter().map(text).collect(),
        _ => vec!["any".into()],
    };
    kinds
        .iter()
        .map(|kind| {
            if kind == "array" {
                format!("array of {}", type_name(&schema["items"]))
            } else {
                kind.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

fn fields_of(schema: &Value) -> Vec<Field> {
    let mut fields = Vec::new();
    if let Some(parts) = schema["allOf"].as_array() {
        for part in parts {
            if let Some(name) = part["$ref"].as_str() {
                fields.push(Field {
                    name: "…".into(),
                    kind: type_name(part),
                    required: true,
                    description: format!(
                        "Every field of <a href=\"#schema-{0}\">{0}</a>.",
                        name.rsplit('/').next().unwrap_or(name)
                    ),
                });
            } else {
                fields.extend(fields_of(part));
            }
        }
        return fields;
    }
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(properties) = schema["properties"].as_object() {
        for (name, property) in properties {
            fields.push(Field {
                name: name.clone(),
                kind: type_name(property),
                required: required.contains(&name.as_str()),
                description: prose(&property["description"]),
            });
        }
    }
    fields
}

fn from_document(doc: &Value) -> DocsPage {
    let mut operations = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            let Some(methods) = item.as_object() else {
                continue;
            };
            for (method, op) in methods {
                let params = op["parameters"]
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .map(|p| Param {
                                name: text(&p["name"]),
                                place: text(&p["in"]),
                                kind: type_name(&p["schema"]),
                                required: p["required"].as_bool().unwrap_or(false),
                                description: prose(&p["description"]),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let body = op["requestBody"]["content"]
                    .as_object()
                    .and_then(|media| media.values().next())
                    .map(|m| type_name(&m["schema"]));
                let answers = op["responses"]
                    .as_object()
                    .map(|rs| {
                        rs.iter()
                            .map(|(status, r)| {
                                let content = r["content"].as_object();
                                let (media, schema) = content
                                    .and_then(|c| c.iter().next())
                                    .map(|(media, m)| {
                                        (media.clone(), Some(type_name(&m["schema"])))
                                    })
                                    .unwrap_or_default();
                                Answer {
                                    status: status.clone(),
                                    description: prose(&r["description"]),
                                    schema,
                                    media,
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                operations.push(Operation {
                    anchor: text(&op["operationId"]),
                    method: method.to_uppercase(),
                    path: path.clone(),
                    summary: prose(&op["summary"]),
                    description: prose(&op["description"]),
                    params,
                    body,
                    answers,
                });
            }
        }
    }
    let schemas = doc["components"]["schemas"]
        .as_object()
        .map(|all| {
            all.iter()
                .map(|(name, schema)| Schema {
                    name: name.clone(),
                    description: prose(&schema["description"]),
                    fields: fields_of(schema),
                })
                .collect()
        })
        .unwrap_or_default();
    DocsPage {
        title: text(&doc["info"]["title"]),
        version: text(&doc["info"]["version"]),
        description: prose(&doc["info"]["description"]),
        operations,
        schemas,
        problems: ApiError::kinds()
            .into_iter()
            .map(|(kind, status, title, detail)| ProblemKind {
                kind,
                status,
                title,
                detail: inline_markdown(&detail),
            })
            .collect(),
    }
}
