//! Knowledge base: the troubleshooting articles, one decision tree per error
//! code, and the diagnosis of pasted error messages.
//!
//! Content is embedded at compile time, or read from a folder in the same
//! format (`--content DIR`), and validated as a whole when it is loaded, so
//! once a `KnowledgeBase` exists every lookup below succeeds.

mod article;
pub mod calculator;
mod content_error;
mod diagnose;
mod export;
mod folder;
mod heading;
mod markdown;
mod retired_ids;
mod shared;
mod site;
mod tree;

use std::path::Path;

use rust_embed::RustEmbed;

pub use article::{Article, ArticleKind, RealExample};
use content_error::Problems;
pub use content_error::{ContentError, Problem};
pub use diagnose::{Diagnosis, MAX_EXAMINED_BYTES, diagnose, diagnose_off_thread};
pub use export::{ExportError, export_embedded};
pub use folder::{MAX_FILE_BYTES, MAX_FILES};
pub use markdown::Section;

/// Markdown written in code (the API's descriptions) as safe HTML: one
/// paragraph's worth, without its `<p>`, for use inline.
pub fn inline_markdown(text: &str) -> String {
    let html = markdown::render(text).html;
    let trimmed = html.trim();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|t| t.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => trimmed.to_string(),
    }
}
pub use shared::SharedKb;
pub use site::{Credentials, DigitRange, Hosts, IdShapes, Product, RateLimits, Site};
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
    /// The platform's names, limits, id and host shapes (`site.toml`).
    site: Site,
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
            if let Some(text) = folder::decode(&path, file.data.into_owned(), &mut problems) {
                files.push((path.into_owned(), text));
            }
        }
        Self::build(files, problems)
    }

    /// Loads the content in `dir` (`site.toml`, `articles/*.md`,
    /// `trees/*.toml`; other files are ignored), under the same rules as the
    /// embedded content. Problem paths are relative to `dir`; a problem with
    /// the folder itself has an empty path.
    pub fn load_folder(dir: &Path) -> Result<Self, ContentError> {
        let mut problems = Problems::default();
        match folder::read(dir, &mut problems) {
            Some(files) => Self::build(files, problems),
            // Nothing to check the rules on: the reason is the whole story.
            None => Err(problems.into_result(()).expect_err("a problem was added")),
        }
    }

    /// Loads `(path relative to content/, contents)` pairs. Files other than
    /// `site.toml`, `articles/*.md` and `trees/*.toml` are ignored.
    pub fn from_files(files: Vec<(String, String)>) -> Result<Self, ContentError> {
        Self::build(files, Problems::default())
    }

    fn build(files: Vec<(String, String)>, mut problems: Problems) -> Result<Self, ContentError> {
        let mut articles = Vec::new();
        let mut trees = Vec::new();
        let mut site = None;
        for (path, text) in &files {
            if path == site::PATH {
                site = site::parse(text, &mut problems);
            } else if in_folder(path, "articles/", ".md") {
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
        let Some(site) = site else {
            if !files.iter().any(|(path, _)| path == site::PATH) {
                problems.add(site::PATH, "is missing: the platform's names and limits");
            }
            return Err(problems.into_result(()).expect_err("a problem was added"));
        };
        problems.into_result(Self {
            articles,
            trees,
            site,
        })
    }

    /// "22 articles, 21 trees", for messages about what was loaded.
    pub fn describe(&self) -> String {
        format!(
            "{} articles, {} trees",
            self.articles.len(),
            self.trees.len()
        )
    }

    /// The platform's names, rate limits, and id and host shapes.
    pub fn site(&self) -> &Site {
        &self.site
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

    /// The checks a path names, as the headings the person worked through. An
    /// id from before a step was renamed or split shows its successor (once, if
    /// several earlier ids merged into it); an id the tree never had is shown
    /// as it is.
    pub fn checks_made(&self, code: Option<ErrorCode>, path: &[String]) -> Vec<String> {
        let mut checks: Vec<String> = Vec::with_capacity(path.len());
        for id in path {
            let check = code
                .and_then(|code| {
                    let tree = self.tree(code);
                    tree.current_id(id).and_then(|now| tree.step(now))
                })
                .map_or_else(|| id.clone(), |step| step.check.clone());
            if !checks.contains(&check) {
                checks.push(check);
            }
        }
        checks
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
    path == site::PATH || in_folder(path, "articles/", ".md") || in_folder(path, "trees/", ".toml")
}

/// Directly inside `folder` (not in a subfolder) with the given extension.
fn in_folder(path: &str, folder: &str, extension: &str) -> bool {
    path.strip_prefix(folder)
        .and_then(|name| name.strip_suffix(extension))
        .is_some_and(|stem| !stem.is_empty() && !stem.contains('/'))
}

#[cfg(test)]
mod tests;
