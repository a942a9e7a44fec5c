//! Loading the knowledge base as a whole: the real embedded content loads and
//! every path through it works, the small fixture loads with its lookups in
//! place, and (in `tests/refusals.rs`) broken content is refused.

mod fixture;
mod refusals;

use super::*;
use fixture::{code_articles, fixture, loaded};

#[test]
fn the_embedded_content_loads() {
    let kb = KnowledgeBase::load_embedded().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kb.articles().len(), ErrorCode::ALL.len() + 1);
    for code in ErrorCode::ALL {
        let tree = kb.tree(code);
        assert_eq!(tree.code, code);
        assert!(
            kb.article(&tree.article).is_some(),
            "{code}: {}",
            tree.article
        );
        assert_eq!(
            kb.article_for(code).code,
            (code != ErrorCode::Other).then_some(code)
        );
    }
}

#[test]
fn every_path_of_every_embedded_tree_walks_to_the_ticket() {
    let kb = KnowledgeBase::load_embedded().unwrap_or_else(|e| panic!("{e}"));
    for code in ErrorCode::ALL {
        let tree = kb.tree(code);
        for path in tree.paths() {
            assert_eq!(path[0].id, tree.start, "{code}");
            assert_eq!(path.last().map(|s| &s.next), Some(&Next::Ticket), "{code}");
            let ids: Vec<&str> = path.iter().map(|s| s.id.as_str()).collect();
            for n in 0..ids.len() {
                let walk = tree
                    .walk(&ids[..n])
                    .unwrap_or_else(|e| panic!("{code}: {e}"));
                assert_eq!(walk.done.len(), n);
                assert_eq!(walk.current.map(|s| s.id.as_str()), Some(ids[n]));
            }
            let end = tree.walk(&ids).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert_eq!(end.current, None, "{code}");
            assert!(
                path.iter()
                    .all(|s| !s.check.is_empty() && !s.do_html.is_empty())
            );
        }
    }
}

#[test]
fn a_pasted_reason_phrase_leads_to_its_article() {
    let kb = KnowledgeBase::load_embedded().unwrap_or_else(|e| panic!("{e}"));
    for code in ErrorCode::ALL
        .into_iter()
        .filter(|c| c.http_status().is_some())
    {
        let found = diagnose(&format!("HTTP GET failed: {}", code.label()));
        assert_eq!(found.code, Some(code), "{}", code.label());
        assert_eq!(kb.article_for(code).code, Some(code));
    }
}

/// Failures that never got a status have no reason phrase; a typical
/// message of each (from `diagnose/cases/`) leads to its article.
/// Pagination prints no message of its own: it is chosen, not
/// recognised, and still has its article.
#[test]
fn a_typical_failure_message_leads_to_its_article() {
    use ErrorCode::*;
    let kb = KnowledgeBase::load_embedded().unwrap_or_else(|e| panic!("{e}"));
    let typical = [
        (Timeout, "AxiosError: timeout of 30000ms exceeded"),
        (Connection, "Error: connect ECONNREFUSED 127.0.0.1:443"),
        (Dns, "curl: (6) Could not resolve host: api.example.com"),
        (
            Tls,
            "curl: (60) SSL certificate problem: unable to get local issuer certificate",
        ),
        (
            InvalidJson,
            "SyntaxError: Unexpected token < in JSON at position 0",
        ),
    ];
    for (code, message) in typical {
        assert_eq!(diagnose(message).code, Some(code), "{message}");
        assert_eq!(kb.article_for(code).code, Some(code));
    }
    let without_status: Vec<ErrorCode> = ErrorCode::ALL
        .into_iter()
        .filter(|c| c.http_status().is_none() && !matches!(c, Other | Pagination))
        .collect();
    assert_eq!(without_status, typical.map(|(code, _)| code));
    assert_eq!(kb.article_for(Pagination).code, Some(Pagination));
}

#[test]
fn every_earlier_id_of_the_embedded_content_has_a_successor() {
    let kb = KnowledgeBase::load_embedded().unwrap_or_else(|e| panic!("{e}"));
    for code in ErrorCode::ALL {
        for old in retired_ids::earlier_ids(code) {
            let now = kb.current_id(code, old);
            assert!(
                now.is_some_and(|id| kb.tree(code).step(id).is_some()),
                "{code}: {old}"
            );
        }
    }
}

#[test]
fn fixture_loads_with_lookups_in_place() {
    let kb = loaded(fixture());
    let order: Vec<&str> = kb.articles().iter().map(|a| a.slug.as_str()).collect();
    let mut expected = vec!["checklist".to_string()];
    expected.extend(code_articles().into_iter().map(|(_, slug)| slug));
    expected.push("still-stuck".into());
    assert_eq!(order, expected);
    assert_eq!(order[2], "401-unauthorized");
    assert_eq!(kb.article_for(ErrorCode::Other).slug, "checklist");
    assert_eq!(kb.article_for(ErrorCode::NotFound).slug, "404-not-found");
    assert_eq!(kb.still_stuck().slug, "still-stuck");
    assert_eq!(kb.tree(ErrorCode::Other).article, "checklist");
    assert_eq!(kb.tree(ErrorCode::TooManyRequests).start().id, "first");
    assert!(kb.article("nope").is_none());
}

#[test]
fn earlier_ids_map_to_their_successor() {
    let kb = loaded(fixture());
    let code = ErrorCode::TooManyRequests;
    assert_eq!(kb.current_id(code, "recursive-loop"), Some("first"));
    assert_eq!(kb.current_id(code, "second"), Some("second"));
    assert_eq!(kb.current_id(code, "token-active"), None);
    assert_eq!(
        kb.current_id(ErrorCode::Unauthorized, "token-active"),
        Some("first")
    );
}

#[test]
fn only_article_and_tree_files_count() {
    assert!(in_folder("articles/a.md", "articles/", ".md"));
    assert!(!in_folder("articles/sub/a.md", "articles/", ".md"));
    assert!(!in_folder("articles/.md", "articles/", ".md"));
    assert!(!in_folder("README.md", "articles/", ".md"));
    assert!(is_content_file("trees/401.toml"));
    assert!(!is_content_file("trees/401.md"));
}
