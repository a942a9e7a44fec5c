//! Knowledge base: the troubleshooting articles, one decision tree per error
//! code, and the diagnosis of pasted error messages.
//!
//! Content is embedded at compile time and validated as a whole when it is
//! loaded, so once a `KnowledgeBase` exists every lookup below succeeds.

mod article;
mod content_error;
mod diagnose;
mod heading;
mod markdown;
mod retired_ids;
mod tree;

use rust_embed::RustEmbed;

pub use article::{Article, ArticleKind, RealExample};
use content_error::Problems;
pub use content_error::{ContentError, Problem};
pub use diagnose::{Diagnosis, MAX_EXAMINED_BYTES, diagnose, diagnose_off_thread};
pub use markdown::Section;
pub use tree::{Next, Step, Tree, Walk};

use crate::domain::ErrorCode;

#[derive(RustEmbed)]
#[folder = "content/"]
struct EmbeddedContent;

#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    /// In display order: checklist, the codes in numeric order, still-stuck.
    articles: Vec<Article>,
    /// In `ErrorCode::ALL` order, one per code.
    trees: Vec<Tree>,
}

impl KnowledgeBase {
    /// Loads the content compiled into the binary.
    pub fn load_embedded() -> Result<Self, ContentError> {
        let mut problems = Problems::default();
        let mut files = Vec::new();
        for path in EmbeddedContent::iter().filter(|p| is_content_file(p)) {
            let Some(file) = EmbeddedContent::get(&path) else {
                continue;
            };
            match String::from_utf8(file.data.into_owned()) {
                Ok(text) => files.push((path.into_owned(), text)),
                Err(_) => problems.add(&path, "is not valid UTF-8"),
            }
        }
        Self::build(files, problems)
    }

    /// Loads `(path relative to content/, contents)` pairs. Files other than
    /// `articles/*.md` and `trees/*.toml` are ignored.
    pub fn from_files(files: Vec<(String, String)>) -> Result<Self, ContentError> {
        Self::build(files, Problems::default())
    }

    fn build(files: Vec<(String, String)>, mut problems: Problems) -> Result<Self, ContentError> {
        let mut articles = Vec::new();
        let mut trees = Vec::new();
        for (path, text) in &files {
            if in_folder(path, "articles/", ".md") {
                articles.extend(article::parse(path, text, &mut problems));
            } else if in_folder(path, "trees/", ".toml") {
                trees.extend(tree::parse(path, text, &mut problems));
            }
        }
        article::validate_set(&articles, &mut problems);
        tree::validate_set(&trees, &articles, &mut problems);
        for parsed in &trees {
            let earlier = retired_ids::earlier_ids(parsed.tree.code);
            tree::check_earlier_ids(parsed, earlier, &mut problems);
        }

        let mut articles: Vec<Article> = articles.into_iter().map(|p| p.article).collect();
        articles.sort_by_key(Article::display_rank);
        let mut trees: Vec<Tree> = trees.into_iter().map(|p| p.tree).collect();
        trees.sort_by_key(|t| t.code);
        problems.into_result(Self { articles, trees })
    }

    pub fn article(&self, slug: &str) -> Option<&Article> {
        self.articles.iter().find(|a| a.slug == slug)
    }

    /// Checklist, one per code in `ErrorCode::ALL` order, still-stuck.
    pub fn articles(&self) -> &[Article] {
        &self.articles
    }

    /// The article for a code; `Other` gets the general checklist.
    pub fn article_for(&self, code: ErrorCode) -> &Article {
        match code {
            ErrorCode::Other => self.expect_article(|a| a.kind == ArticleKind::Checklist),
            _ => self.expect_article(|a| a.code == Some(code)),
        }
    }

    pub fn still_stuck(&self) -> &Article {
        self.expect_article(|a| a.kind == ArticleKind::StillStuck)
    }

    /// Step ids a code's tree once had, which stored tickets, links and
    /// counts may still name (see `retired_ids`).
    pub fn earlier_step_ids(code: ErrorCode) -> &'static [&'static str] {
        retired_ids::earlier_ids(code)
    }

    pub fn tree(&self, code: ErrorCode) -> &Tree {
        self.trees
            .iter()
            .find(|t| t.code == code)
            .expect("validated at load: every code has a tree")
    }

    /// The live step id a stored or linked id of `code`'s tree stands for
    /// (see `Tree::current_id`).
    pub fn current_id(&self, code: ErrorCode, id: &str) -> Option<&str> {
        self.tree(code).current_id(id)
    }

    fn expect_article(&self, wanted: impl Fn(&Article) -> bool) -> &Article {
        self.articles
            .iter()
            .find(|a| wanted(a))
            .expect("validated at load: checklist, still-stuck and one article per code exist")
    }
}

fn is_content_file(path: &str) -> bool {
    in_folder(path, "articles/", ".md") || in_folder(path, "trees/", ".toml")
}

/// Directly inside `folder` (not in a subfolder) with the given extension.
fn in_folder(path: &str, folder: &str, extension: &str) -> bool {
    path.strip_prefix(folder)
        .and_then(|name| name.strip_suffix(extension))
        .is_some_and(|stem| !stem.is_empty() && !stem.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CODE_ARTICLES: [(&str, &str); 5] = [
        ("401", "401-unauthorized"),
        ("403", "403-forbidden"),
        ("404", "404-not-found"),
        ("429", "429-too-many-requests"),
        ("500", "500-internal-server-error"),
    ];

    /// Every code but `Other` with its article's slug: the five named above,
    /// and `<code>-article` for the rest.
    fn code_articles() -> Vec<(ErrorCode, String)> {
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

    fn article_file(slug: &str, kind: &str, code: Option<&str>, body: &str) -> (String, String) {
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
    fn tree_file(code: &str, article: &str) -> (String, String) {
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
    fn fixture() -> Vec<(String, String)> {
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
        files
    }

    fn edit(files: &mut [(String, String)], path: &str, from: &str, to: &str) {
        let file = files
            .iter_mut()
            .find(|(p, _)| p == path)
            .unwrap_or_else(|| panic!("fixture has no {path}"));
        assert!(file.1.contains(from), "{path} does not contain {from:?}");
        file.1 = file.1.replacen(from, to, 1);
    }

    fn load_problems(files: Vec<(String, String)>) -> Vec<String> {
        match KnowledgeBase::from_files(files) {
            Ok(_) => panic!("expected the content to be refused"),
            Err(error) => error.problems.iter().map(ToString::to_string).collect(),
        }
    }

    fn loaded(files: Vec<(String, String)>) -> KnowledgeBase {
        KnowledgeBase::from_files(files).unwrap_or_else(|e| panic!("{e}"))
    }

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
    /// message of each (from `diagnose/cases.rs`) leads to its article.
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
    fn refuses_a_missing_section() {
        let mut files = fixture();
        edit(
            &mut files,
            "articles/404-not-found.md",
            "## Best practices",
            "## Good ideas",
        );
        assert_eq!(
            load_problems(files),
            ["articles/404-not-found.md: missing section \"Best practices\""]
        );
    }

    #[test]
    fn refuses_a_broken_internal_link() {
        let mut files = fixture();
        edit(
            &mut files,
            "articles/still-stuck.md",
            "x\n",
            "See [this](/articles/404-not-fund).\n",
        );
        edit(
            &mut files,
            "articles/checklist.md",
            "#what-support-needs",
            "#what-to-send",
        );
        assert_eq!(
            load_problems(files),
            [
                "articles/checklist.md: broken link \"/articles/still-stuck#what-to-send\": \
                 \"still-stuck\" has no section with anchor \"#what-to-send\"",
                "articles/still-stuck.md: broken link \"/articles/404-not-fund\": no such article",
            ]
        );
    }

    #[test]
    fn refuses_a_broken_link_in_a_tree_step() {
        let mut files = fixture();
        edit(
            &mut files,
            "trees/500.toml",
            "/articles/500-internal-server-error",
            "/articles/500",
        );
        assert_eq!(
            load_problems(files),
            ["trees/500.toml: broken link \"/articles/500\": no such article"]
        );
    }

    #[test]
    fn refuses_a_duplicate_slug() {
        let mut files = fixture();
        let (_, text) = article_file(
            "still-stuck",
            "still-stuck",
            None,
            "## What support needs\n",
        );
        files.push(("articles/still-stuck-2.md".into(), text));
        let found = load_problems(files);
        assert!(
            found.contains(
                &"articles/still-stuck-2.md: duplicate slug \"still-stuck\" (also used by articles/still-stuck.md)"
                    .to_string()
            ),
            "{found:#?}"
        );
    }

    #[test]
    fn refuses_a_second_article_for_a_role() {
        let mut files = fixture();
        files.push(article_file(
            "help",
            "still-stuck",
            None,
            "## What support needs\n",
        ));
        files.push(article_file(
            "404-again",
            "code",
            Some("404"),
            "## What it means\n## Common causes\n## Example error\n## Resolution steps\n## Best practices\n",
        ));
        assert_eq!(
            load_problems(files),
            [
                "articles/: 2 articles have kind = \"still-stuck\"; there must be exactly one",
                "articles/404-again.md: code 404 already has an article (articles/404-not-found.md)",
            ]
        );
    }

    #[test]
    fn refuses_a_step_heading_worded_as_a_question() {
        let mut files = fixture();
        edit(
            &mut files,
            "trees/401.toml",
            "check = \"Check the first thing\"",
            "check = \"Is the access token still active?\"",
        );
        edit(
            &mut files,
            "trees/500.toml",
            "check = \"Try the second thing\"",
            "check = \"Does the retry work\"",
        );
        let found = load_problems(files);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(
            found[0].starts_with(
                "trees/401.toml: step \"first\": check \"Is the access token still active?\" is a question"
            ),
            "{found:#?}"
        );
        assert!(
            found[1].starts_with(
                "trees/500.toml: step \"second\": check \"Does the retry work\" starts like a yes/no question"
            ),
            "{found:#?}"
        );
    }

    #[test]
    fn refuses_a_step_without_where_or_ask() {
        let mut files = fixture();
        edit(
            &mut files,
            "trees/401.toml",
            "ask = \"Ask your account admin to try it\"\n",
            "",
        );
        assert_eq!(
            load_problems(files),
            [
                "trees/401.toml: step \"second\": needs `where` (where to look) or `ask` (whom to ask, and what), or both"
            ]
        );
    }

    #[test]
    fn refuses_an_old_id_with_two_successors_or_a_live_one() {
        let mut files = fixture();
        edit(
            &mut files,
            "trees/403.toml",
            "ask = \"Ask",
            "replaces = [\"user-role\", \"first\"]\nask = \"Ask",
        );
        assert_eq!(
            load_problems(files),
            [
                "trees/403.toml: \"user-role\" is replaced by both \"first\" and \"second\"; an old id needs exactly one successor",
                "trees/403.toml: step \"second\": replaces \"first\", which is a live step; a live id already stands for itself",
            ]
        );
    }

    #[test]
    fn refuses_a_tree_that_drops_an_earlier_step_id() {
        let mut files = fixture();
        edit(&mut files, "trees/429.toml", "\"polling\", ", "");
        edit(
            &mut files,
            "trees/other.toml",
            ", \"simplified-payload\"",
            "",
        );
        assert_eq!(
            load_problems(files),
            [
                "trees/429.toml: step id \"polling\" was used before and stored tickets and deflection counts name it: \
                 keep a step with that id or list it in one step's `replaces`",
                "trees/other.toml: step id \"simplified-payload\" was used before and stored tickets and deflection counts name it: \
                 keep a step with that id or list it in one step's `replaces`",
            ]
        );
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
    fn refuses_a_tree_cycle() {
        let mut files = fixture();
        edit(
            &mut files,
            "trees/401.toml",
            "next = \"ticket\"",
            "next = \"first\"",
        );
        assert_eq!(
            load_problems(files),
            ["trees/401.toml: steps form a cycle: first -> second -> first"]
        );
    }

    #[test]
    fn refuses_an_unreachable_step() {
        let mut files = fixture();
        edit(
            &mut files,
            "trees/403.toml",
            "next = \"second\"",
            "next = \"ticket\"",
        );
        assert_eq!(
            load_problems(files),
            ["trees/403.toml: step \"second\" cannot be reached from start \"first\""]
        );
    }

    #[test]
    fn refuses_a_next_pointing_nowhere() {
        let mut files = fixture();
        edit(
            &mut files,
            "trees/404.toml",
            "next = \"second\"",
            "next = \"secnd\"",
        );
        assert_eq!(
            load_problems(files),
            [
                "trees/404.toml: step \"first\": next \"secnd\" is not a step (use \"ticket\" to end the tree)"
            ]
        );
    }

    #[test]
    fn refuses_a_missing_tree() {
        let mut files = fixture();
        files.retain(|(path, _)| path != "trees/429.toml");
        assert_eq!(
            load_problems(files),
            [format!(
                "trees/429.toml: missing: every code ({}) needs a tree",
                ErrorCode::keys(" ")
            )]
        );
    }

    #[test]
    fn refuses_a_tree_whose_article_is_missing() {
        let mut files = fixture();
        edit(
            &mut files,
            "trees/other.toml",
            "article = \"checklist\"",
            "article = \"faq\"",
        );
        assert_eq!(
            load_problems(files),
            ["trees/other.toml: article \"faq\" does not exist"]
        );
    }

    #[test]
    fn refuses_missing_articles() {
        let files = fixture()
            .into_iter()
            .filter(|(path, _)| {
                path != "articles/checklist.md" && path != "articles/429-too-many-requests.md"
            })
            .collect();
        let found = load_problems(files);
        for expected in [
            "articles/: no article has kind = \"checklist\"",
            "articles/: no article has code = \"429\"",
            "trees/429.toml: article \"429-too-many-requests\" does not exist",
            "articles/still-stuck.md: related article \"checklist\" does not exist",
        ] {
            assert!(
                found.iter().any(|f| f == expected),
                "{expected} not in {found:#?}"
            );
        }
    }

    #[test]
    fn reports_every_problem_in_every_file_at_once() {
        let mut files = fixture();
        edit(
            &mut files,
            "articles/404-not-found.md",
            "## Best practices",
            "## Good ideas",
        );
        edit(
            &mut files,
            "articles/checklist.md",
            "(/articles/",
            "(javascript:alert(1)//",
        );
        edit(
            &mut files,
            "trees/401.toml",
            "next = \"ticket\"",
            "next = \"first\"",
        );
        files.retain(|(path, _)| path != "trees/500.toml");
        let error = match KnowledgeBase::from_files(files) {
            Ok(_) => panic!("expected the content to be refused"),
            Err(error) => error,
        };
        let files: Vec<&str> = error.problems.iter().map(|p| p.file.as_str()).collect();
        assert_eq!(
            files,
            [
                "articles/404-not-found.md",
                "articles/checklist.md",
                "trees/401.toml",
                "trees/500.toml"
            ]
        );
        let message = error.to_string();
        assert!(
            message.contains("- articles/404-not-found.md: missing section \"Best practices\""),
            "{message}"
        );
    }

    #[test]
    fn refuses_content_that_is_not_utf8_or_parsable() {
        let mut files = fixture();
        edit(&mut files, "trees/other.toml", "start = ", "start == ");
        let found = load_problems(files);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(
            found[0].starts_with("trees/other.toml: line 3: "),
            "{found:#?}"
        );
        assert_eq!(
            found[1],
            format!(
                "trees/other.toml: missing: every code ({}) needs a tree",
                ErrorCode::keys(" ")
            )
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
}
