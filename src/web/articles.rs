use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::render::render;
use crate::error::{AppError, Result};
use crate::kb::{Article, ArticleKind};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/articles", get(index))
        .route("/articles/{slug}", get(show))
}

#[derive(Template)]
#[template(path = "articles/index.html")]
struct IndexPage<'a> {
    articles: &'a [Article],
}

async fn index(State(state): State<AppState>) -> Result<Response> {
    Ok(render(&IndexPage {
        articles: state.kb.articles(),
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "articles/show.html")]
struct ArticlePage<'a> {
    article: &'a Article,
    related: Vec<&'a Article>,
    /// Where to start the checks this article belongs to.
    tree_url: String,
    still_stuck: bool,
}

async fn show(State(state): State<AppState>, Path(slug): Path<String>) -> Result<Response> {
    let kb = &state.kb;
    let article = kb.article(&slug).ok_or(AppError::NotFound)?;
    let related = article
        .related
        .iter()
        .filter_map(|slug| kb.article(slug))
        .collect();
    let code = article.code.unwrap_or(crate::domain::ErrorCode::Other);
    let page = ArticlePage {
        article,
        related,
        tree_url: format!("/troubleshoot/{code}"),
        still_stuck: article.kind == ArticleKind::StillStuck,
    };
    Ok(render(&page)?.into_response())
}
