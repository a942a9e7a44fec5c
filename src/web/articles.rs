use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::links::{self, Carry};
use super::render::render;
use crate::domain::ErrorCode;
use crate::error::{AppError, Result};
use crate::kb::{Article, ArticleKind, KnowledgeBase};
use crate::web::AppState;

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
    let kb = state.kb.get();
    Ok(render(&IndexPage {
        articles: kb.articles(),
    })?
    .into_response())
}

/// The journey an article was opened from, if any (see `links::article`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ArticleQuery {
    code: String,
    path: String,
    #[serde(flatten)]
    carry: Carry,
}

/// Where the article sends the reader next.
struct Onward {
    /// The main way on: back into the checks, or on to the ticket.
    primary: (String, String),
    /// Filing a ticket straight away, when the checks are not done yet.
    ticket: Option<String>,
    /// Where the header's "Contact support" goes.
    contact: String,
}

#[derive(Template)]
#[template(path = "articles/show.html")]
struct ArticlePage<'a> {
    article: &'a Article,
    /// Related articles with their links, context kept.
    related: Vec<(&'a Article, String)>,
    onward: Onward,
    /// Whether the reader came from the checks (with what they brought).
    in_journey: bool,
    /// On the 429 article: the rate-limit calculator.
    calculator_url: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<ArticleQuery>,
) -> Result<Response> {
    let kb = state.kb.get();
    let kb = &*kb;
    let article = kb.article(&slug).ok_or(AppError::NotFound)?;
    let journey = ErrorCode::parse(&query.code);
    let code = journey.or(article.code).unwrap_or(ErrorCode::Other);
    // Only the part of the path that is a real walk of the tree counts; an
    // edited link cannot claim the checks are done.
    let given: Vec<&str> = query.path.split(',').filter(|s| !s.is_empty()).collect();
    let tree = kb.tree(code);
    // Earlier step ids (an old link) stand for their successors.
    let path = tree.current_path(&given);
    let valid = tree.walk(&path).map_or_else(|n| n, |_| path.len());
    let path = &path[..valid];
    let carry = &query.carry;
    let onward = onward(kb, article, code, journey.is_some(), path, carry);
    let related = article
        .related
        .iter()
        .filter_map(|slug| kb.article(slug))
        .map(|other| {
            let url = match journey {
                Some(code) => links::article(&other.slug, code, path, carry),
                None => format!("/articles/{}", other.slug),
            };
            (other, url)
        })
        .collect();
    let page = ArticlePage {
        calculator_url: (article.code == Some(ErrorCode::TooManyRequests))
            .then(|| links::calculator(path, carry)),
        article,
        related,
        onward,
        in_journey: journey.is_some(),
    };
    Ok(render(&page)?.into_response())
}

fn onward(
    kb: &KnowledgeBase,
    article: &Article,
    code: ErrorCode,
    in_journey: bool,
    path: &[&str],
    carry: &Carry,
) -> Onward {
    let ticket = if in_journey {
        links::ticket_form(code, path, carry)
    } else {
        "/tickets/new".to_string()
    };
    let total = kb.tree(code).steps.len();
    let checks_done = in_journey && path.len() == total;
    let primary = if checks_done || article.kind == ArticleKind::StillStuck {
        let label = if in_journey {
            "Continue to your ticket"
        } else {
            "File a ticket"
        };
        (label.to_string(), ticket.clone())
    } else if in_journey {
        (
            format!("Back to check {} of {total}", path.len() + 1),
            links::troubleshoot(code, path, carry),
        )
    } else {
        (
            "Walk through the checks".to_string(),
            links::troubleshoot(code, &[], carry),
        )
    };
    let file_early = in_journey && !checks_done && article.kind != ArticleKind::StillStuck;
    Onward {
        ticket: file_early.then(|| ticket.clone()),
        contact: ticket,
        primary,
    }
}
