//! One article file: TOML front matter between `+++` lines, then Markdown.
//! Checks that need every article at once live in `validate_set`.

use std::collections::HashMap;

use serde::Deserialize;

use super::content_error::{Problems, line_offset};
use super::markdown::{self, InternalLink, Section};
use crate::domain::ErrorCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArticleKind {
    Code,
    Checklist,
    StillStuck,
}

impl ArticleKind {
    fn required_sections(self) -> &'static [&'static str] {
        match self {
            Self::Code => &[
                "What it means",
                "Common causes",
                "Example error",
                "Resolution steps",
                "Best practices",
            ],
            Self::Checklist => &["Before you start", "Checklist"],
            Self::StillStuck => &["What support needs"],
        }
    }
}

#[derive(Debug, Clone)]
pub struct Article {
    pub slug: String,
    pub title: String,
    pub kind: ArticleKind,
    /// Set exactly when `kind` is `Code`, and never `ErrorCode::Other`.
    pub code: Option<ErrorCode>,
    pub summary: String,
    pub related: Vec<String>,
    /// Real messages people met with this error, each with where it comes
    /// from; shown in the "Example error" section (already part of `html`).
    pub real_examples: Vec<RealExample>,
    /// Rendered body, safe to embed unescaped.
    pub html: String,
    pub sections: Vec<Section>,
}

impl Article {
    /// Sort key for `KnowledgeBase::articles`: the checklist first, the codes
    /// in numeric order (`ErrorCode`'s order), the way out last.
    pub(crate) fn display_rank(&self) -> (u8, Option<ErrorCode>) {
        let group = match self.kind {
            ArticleKind::Checklist => 0,
            ArticleKind::Code => 1,
            ArticleKind::StillStuck => 2,
        };
        (group, self.code)
    }
}

/// A real error message quoted in a code article (front matter
/// `[[real_example]]`). The loader checks that the recogniser sends it to
/// the article's own code, so what is shown as real is something a person
/// can paste and land here with.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RealExample {
    pub message: String,
    /// Where it comes from, e.g. "the reference help-centre article".
    pub source: String,
}

/// An article with what the loader still has to check against the others.
#[derive(Debug)]
pub(crate) struct ParsedArticle {
    pub path: String,
    pub article: Article,
    /// Each with the file line it is on.
    pub links: Vec<(InternalLink, Option<usize>)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    slug: String,
    title: String,
    kind: ArticleKind,
    code: Option<String>,
    summary: String,
    #[serde(default)]
    related: Vec<String>,
    #[serde(default, rename = "real_example")]
    real_examples: Vec<RealExample>,
}

/// Parses and checks one file on its own, adding what is wrong to
/// `problems`. The article comes back whenever its front matter could be
/// read, even with problems, so the checks across articles still see it
/// and do not report it as missing.
pub(crate) fn parse(path: &str, text: &str, problems: &mut Problems) -> Option<ParsedArticle> {
    let Some((front, body)) = split_front_matter(text) else {
        problems.add(
            path,
            "must start with a TOML front matter block between `+++` lines",
        );
        return None;
    };
    let front: FrontMatter = match toml::from_str(front) {
        Ok(front) => front,
        Err(e) => {
            problems.add_toml(path, &e, front, 2, Some("front matter"));
            return None;
        }
    };

    if !is_well_formed_id(&front.slug) {
        problems.add(
            path,
            format!(
                "slug \"{}\" must be lowercase letters, digits and '-'",
                front.slug
            ),
        );
    }
    let stem = path
        .rsplit('/')
        .next()
        .and_then(|name| name.strip_suffix(".md"));
    if stem != Some(front.slug.as_str()) {
        problems.add(
            path,
            format!("file name must be the slug: articles/{}.md", front.slug),
        );
    }
    if front.title.trim().is_empty() {
        problems.add(path, "title is empty");
    }
    if front.summary.trim().is_empty() {
        problems.add(path, "summary is empty");
    }
    let code = check_code(path, front.kind, front.code.as_deref(), problems);
    if front.related.contains(&front.slug) {
        problems.add(path, "related lists the article itself");
    }

    check_real_examples(path, code, &front.real_examples, problems);

    let mut rendered = markdown::render(body);
    if !front.real_examples.is_empty() && !rendered.html.is_empty() {
        rendered.html = with_real_examples(&rendered.html, &front.real_examples);
    }
    // The body is the end of the file: its first line follows what precedes it.
    let body_line = 1 + line_offset(text, text.len() - body.len());
    for problem in rendered.problems {
        problems.add_at(path, Some(body_line + problem.line), problem.message);
    }
    for required in front.kind.required_sections() {
        let wanted = markdown::anchor(required);
        if !rendered.sections.iter().any(|s| s.anchor == wanted) {
            problems.add(path, format!("missing section \"{required}\""));
        }
    }

    Some(ParsedArticle {
        path: path.to_string(),
        article: Article {
            slug: front.slug,
            title: front.title.trim().to_string(),
            kind: front.kind,
            code,
            summary: front.summary.trim().to_string(),
            related: front.related,
            real_examples: front.real_examples,
            html: rendered.html,
            sections: rendered.sections,
        },
        links: rendered
            .links
            .into_iter()
            .map(|link| {
                let line = body_line + link.line;
                (link, Some(line))
            })
            .collect(),
    })
}

/// A real example must be a message the recogniser sends to the article's
/// own code: otherwise a person pasting it would land somewhere else, and
/// the page would show as real something apidesk does not treat as this
/// error. Only code articles have a code to check against.
fn check_real_examples(
    path: &str,
    code: Option<ErrorCode>,
    examples: &[RealExample],
    problems: &mut Problems,
) {
    for example in examples {
        let message = example.message.trim();
        if message.is_empty() {
            problems.add(path, "a real_example has an empty message");
            continue;
        }
        if example.source.trim().is_empty() {
            problems.add(
                path,
                format!(
                    "real_example \"{message}\": source is empty (say where the message comes from)"
                ),
            );
        }
        let Some(code) = code else {
            problems.add(
                path,
                format!(
                    "real_example \"{message}\": only kind = \"code\" articles have real examples"
                ),
            );
            continue;
        };
        let found = super::diagnose(message).code;
        if found != Some(code) {
            let recognised = match found {
                Some(other) => format!("is recognised as {}", other.label()),
                None => "is not recognised as any code with a guide".to_string(),
            };
            problems.add(
                path,
                format!(
                    "real_example \"{message}\" {recognised}, not {}: quote a message that leads here, or mark it as illustrative in the body",
                    code.label()
                ),
            );
        }
    }
}

/// Adds the real examples at the end of the "Example error" section, before
/// the next `##` heading (the loader has checked the section exists). Both
/// fields are plain text and escaped here.
fn with_real_examples(html: &str, examples: &[RealExample]) -> String {
    const SECTION: &str = "<h2 id=\"example-error\">";
    let label = if examples.len() == 1 {
        "A real message with this error:"
    } else {
        "Real messages with this error:"
    };
    let mut block =
        format!("<div class=\"real-examples\">\n<p class=\"real-examples-label\">{label}</p>\n");
    for (i, example) in examples.iter().enumerate() {
        // Each scrolling region needs a name of its own on the page.
        let name = if examples.len() == 1 {
            "Real error message".to_string()
        } else {
            format!("Real error message {}", i + 1)
        };
        block.push_str(&format!(
            "<figure class=\"real-example\">\n<pre tabindex=\"0\" role=\"region\" aria-label=\"{name}\"><code>{}</code></pre>\n\
             <figcaption>Real message. Source: {}</figcaption>\n</figure>\n",
            escape_html(example.message.trim()),
            escape_html(example.source.trim())
        ));
    }
    block.push_str("</div>\n");
    let Some(start) = html.find(SECTION) else {
        return html.to_string();
    };
    let after = start + SECTION.len();
    let end = html[after..]
        .find("<h2 ")
        .map_or(html.len(), |offset| after + offset);
    format!("{}{block}{}", &html[..end], &html[end..])
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The codes an article may have: all but "other", which the checklist serves.
fn article_codes() -> String {
    ErrorCode::ALL
        .into_iter()
        .filter(|c| *c != ErrorCode::Other)
        .map(ErrorCode::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_code(
    path: &str,
    kind: ArticleKind,
    code: Option<&str>,
    problems: &mut Problems,
) -> Option<ErrorCode> {
    match (kind, code) {
        (ArticleKind::Code, None) => {
            problems.add(
                path,
                format!("kind = \"code\" needs a code, one of {}", article_codes()),
            );
            None
        }
        (ArticleKind::Code, Some(raw)) => match ErrorCode::parse(raw) {
            Some(ErrorCode::Other) | None => {
                problems.add(
                    path,
                    format!("code \"{raw}\" must be one of {}", article_codes()),
                );
                None
            }
            found => found,
        },
        (_, Some(_)) => {
            problems.add(path, "only kind = \"code\" articles have a code");
            None
        }
        (_, None) => None,
    }
}

/// Rules that need every article: unique slugs, one article per role, and
/// references (related, links) that resolve.
pub(crate) fn validate_set(articles: &[ParsedArticle], problems: &mut Problems) {
    let mut by_slug: HashMap<&str, &ParsedArticle> = HashMap::new();
    for parsed in articles {
        if let Some(first) = by_slug.insert(&parsed.article.slug, parsed) {
            problems.add(
                &parsed.path,
                format!(
                    "duplicate slug \"{}\" (also used by {})",
                    parsed.article.slug, first.path
                ),
            );
        }
    }

    check_roles(articles, problems);

    for parsed in articles {
        let article = &parsed.article;
        for related in &article.related {
            if !by_slug.contains_key(related.as_str()) {
                problems.add(
                    &parsed.path,
                    format!("related article \"{related}\" does not exist"),
                );
            }
        }
        for (link, line) in &parsed.links {
            let target = match &link.slug {
                Some(slug) => by_slug.get(slug.as_str()).map(|p| &p.article),
                None => Some(article),
            };
            if let Some(problem) = broken_link(link, target) {
                problems.add_at(&parsed.path, *line, problem);
            }
        }
    }
}

/// Why `link` does not resolve, given the article its slug names (if any).
pub(crate) fn broken_link(link: &InternalLink, target: Option<&Article>) -> Option<String> {
    let Some(target) = target else {
        return Some(format!("broken link \"{}\": no such article", link.target));
    };
    let anchor = link.anchor.as_deref()?;
    if target.sections.iter().any(|s| s.anchor == anchor) {
        return None;
    }
    Some(format!(
        "broken link \"{}\": \"{}\" has no section with anchor \"#{anchor}\"",
        link.target, target.slug
    ))
}

fn check_roles(articles: &[ParsedArticle], problems: &mut Problems) {
    let count = |kind: ArticleKind| articles.iter().filter(|p| p.article.kind == kind).count();
    for (kind, name) in [
        (ArticleKind::Checklist, "checklist"),
        (ArticleKind::StillStuck, "still-stuck"),
    ] {
        match count(kind) {
            1 => {}
            0 => problems.add("articles/", format!("no article has kind = \"{name}\"")),
            n => problems.add(
                "articles/",
                format!("{n} articles have kind = \"{name}\"; there must be exactly one"),
            ),
        }
    }

    for code in ErrorCode::ALL
        .into_iter()
        .filter(|c| *c != ErrorCode::Other)
    {
        let for_code: Vec<_> = articles
            .iter()
            .filter(|p| p.article.code == Some(code))
            .collect();
        match for_code.as_slice() {
            [] => problems.add("articles/", format!("no article has code = \"{code}\"")),
            [first, extras @ ..] => {
                for extra in extras {
                    problems.add(
                        &extra.path,
                        format!("code {code} already has an article ({})", first.path),
                    );
                }
            }
        }
    }
}

/// Lowercase ASCII letters, digits and `-`; used for slugs and step ids,
/// which both appear in URLs.
pub(crate) fn is_well_formed_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Splits `+++\n<toml>\n+++\n<body>`; tolerates CRLF and a leading BOM.
fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text.strip_prefix("+++")?;
    let rest = rest
        .strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return Some((&rest[..offset], &rest[offset + line.len()..]));
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests;
