use askama::Template;
use axum::response::Html;

use crate::error::Result;

/// Renders a page; a template failure becomes an `AppError` (a logged 500
/// page), never a panic.
pub fn render(template: &impl Template) -> Result<Html<String>> {
    Ok(Html(template.render()?))
}
