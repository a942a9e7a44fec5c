//! A small, complete, valid content folder, and helpers to break it one rule
//! at a time and load it.

use crate::domain::ErrorCode;
use crate::kb::{KnowledgeBase, retired_ids};

pub(super) const CODE_ARTICLES: [(&str, &str); 5] = [
    ("401", "401-unauthorized"),
    ("403", "403-forbidden"),
    ("404", "404-not-found"),
    ("429", "429-too-many-requests"),
    ("500", "500-internal-server-error"),
];

/// Every code but `Other` with its article's slug: the five named above,
/// and `<code>-article` for the rest.
pub(super) fn code_articles() -> Vec<(ErrorCode, String)> {
    ErrorCode::ALL
        .into_iter()
        .filter(|c| *c != ErrorCode::Other)
        .map(|code| {
            let slug = CODE_ARTICLES
                .iter()
                .find(|(c, _)| *c == code.as_str())
                .map_or_else(|| format!("{code}-article"), |(_, s)| s.to_string());
            (code, slug)
        })
        .collect()
}

pub(super) fn article_file(
    slug: &str,
    kind: &str,
    code: Option<&str>,
    body: &str,
) -> (String, String) {
    let code = code
        .map(|c| format!("code = \"{c}\"\n"))
        .unwrap_or_default();
    let related = if slug == "checklist" {
        "still-stuck"
    } else {
        "checklist"
    };
    (
        format!("articles/{slug}.md"),
        format!(
            "+++\nslug = \"{slug}\"\ntitle = \"Title of {slug}\"\nkind = \"{kind}\"\n{code}\
             summary = \"About {slug}.\"\nrelated = [\"{related}\"]\n+++\n\n{body}"
        ),
    )
}

/// Two steps; the first takes over every id the real tree had before
/// issue 7, as the loader requires.
pub(super) fn tree_file(code: &str, article: &str) -> (String, String) {
    let earlier = retired_ids::earlier_ids(ErrorCode::parse(code).expect("a code"));
    let replaces: Vec<String> = earlier.iter().map(|id| format!("\"{id}\"")).collect();
    (
        format!("trees/{code}.toml"),
        format!(
            "code = \"{code}\"\narticle = \"{article}\"\nstart = \"first\"\n\n\
             [[step]]\nid = \"first\"\ncheck = \"Check the first thing\"\n\
             where = \"In your integration's log\"\nreplaces = [{}]\n\
             do = \"See [causes](/articles/{article}).\"\nnext = \"second\"\n\n\
             [[step]]\nid = \"second\"\ncheck = \"Try the second thing\"\n\
             ask = \"Ask your account admin to try it\"\ndo = \"Try again.\"\nnext = \"ticket\"\n",
            replaces.join(", ")
        ),
    )
}

/// A small, complete, valid content folder.
pub(super) fn fixture() -> Vec<(String, String)> {
    let mut files = vec![
        article_file(
            "checklist",
            "checklist",
            None,
            "## Before you start\n\nx\n\n## Checklist\n\nSee [support](/articles/still-stuck#what-support-needs).\n",
        ),
        article_file(
            "still-stuck",
            "still-stuck",
            None,
            "## What support needs\n\nx\n",
        ),
        ("README.md".into(), "+++ not an article".into()),
        ("articles/notes.txt".into(), "ignored".into()),
    ];
    for (code, slug) in code_articles() {
        let (code, slug) = (code.as_str(), slug.as_str());
        files.push(article_file(
            slug,
            "code",
            Some(code),
            "## What it means\n\nx\n\n## Common causes\n\nx\n\n## Example error\n\nx\n\n\
             ## Resolution steps\n\nx\n\n## Best practices\n\nx\n",
        ));
        files.push(tree_file(code, slug));
    }
    files.push(tree_file("other", "checklist"));
    files.push((
        "site.toml".into(),
        include_str!("../../../content/site.toml").into(),
    ));
    files
}

pub(super) fn edit(files: &mut [(String, String)], path: &str, from: &str, to: &str) {
    let file = files
        .iter_mut()
        .find(|(p, _)| p == path)
        .unwrap_or_else(|| panic!("fixture has no {path}"));
    assert!(file.1.contains(from), "{path} does not contain {from:?}");
    file.1 = file.1.replacen(from, to, 1);
}

pub(super) fn load_problems(files: Vec<(String, String)>) -> Vec<String> {
    match KnowledgeBase::from_files(files) {
        Ok(_) => panic!("expected the content to be refused"),
        Err(error) => error.problems.iter().map(ToString::to_string).collect(),
    }
}

pub(super) fn loaded(files: Vec<(String, String)>) -> KnowledgeBase {
    KnowledgeBase::from_files(files).unwrap_or_else(|e| panic!("{e}"))
}
