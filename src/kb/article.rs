//! One article file: TOML front matter between `+++` lines, then Markdown.
//! Checks that need every article at once live in `validate_set`.

use std::collections::HashMap;

use serde::Deserialize;

use super::content_error::{Problems, describe_toml_error};
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
    pub links: Vec<InternalLink>,
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
            problems.add(
                path,
                format!("front matter {}", describe_toml_error(&e, front, 2)),
            );
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
    for problem in rendered.problems {
        problems.add(path, problem);
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
        links: rendered.links,
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
    for example in examples {
        block.push_str(&format!(
            "<figure class=\"real-example\">\n<pre tabindex=\"0\" role=\"region\" aria-label=\"Real error message\"><code>{}</code></pre>\n\
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
    ErrorCode::keys(", ")
        .trim_end_matches(ErrorCode::Other.as_str())
        .trim_end_matches(", ")
        .to_string()
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
        for link in &parsed.links {
            let target = match &link.slug {
                Some(slug) => by_slug.get(slug.as_str()).map(|p| &p.article),
                None => Some(article),
            };
            if let Some(problem) = broken_link(link, target) {
                problems.add(&parsed.path, problem);
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
mod tests {
    use super::*;

    const CODE_BODY: &str = "## What it means\n\nx\n\n## Common causes\n\nx\n\n\
        ## Example error\n\nx\n\n## Resolution steps\n\nx\n\n## Best practices\n\nx\n";

    fn messages(path: &str, text: &str) -> Vec<String> {
        let mut problems = Problems::default();
        parse(path, text, &mut problems);
        assert!(!problems.is_empty(), "expected problems in {path}");
        problems.messages()
    }

    fn parsed(path: &str, text: &str) -> ParsedArticle {
        let mut problems = Problems::default();
        let parsed = parse(path, text, &mut problems);
        assert!(problems.is_empty(), "{:#?}", problems.messages());
        parsed.expect("no problems, so an article")
    }

    #[test]
    fn parses_a_code_article() {
        let text = format!(
            "+++\nslug = \"404-not-found\"\ntitle = \"404 Not Found\"\nkind = \"code\"\n\
             code = \"404\"\nsummary = \"It is not there.\"\nrelated = [\"checklist\"]\n+++\n\n{CODE_BODY}"
        );
        let article = parsed("articles/404-not-found.md", &text).article;
        assert_eq!(article.code, Some(ErrorCode::NotFound));
        assert_eq!(article.kind, ArticleKind::Code);
        assert_eq!(article.related, vec!["checklist"]);
        assert_eq!(article.sections.len(), 5);
        assert_eq!(article.sections[4].anchor, "best-practices");
        assert!(article.html.contains(r#"<h2 id="what-it-means">"#));
    }

    fn code_article_with(real: &str) -> String {
        format!(
            "+++\nslug = \"401-unauthorized\"\ntitle = \"401 Unauthorized\"\nkind = \"code\"\n\
             code = \"401\"\nsummary = \"s\"\n{real}+++\n\n{CODE_BODY}"
        )
    }

    #[test]
    fn real_examples_show_in_the_example_section_with_their_source() {
        let text = code_article_with(
            "[[real_example]]\nmessage = \"HTTP GET failed: unauthorized (401) <x>\"\n\
             source = \"the reference help-centre article\"\n",
        );
        let article = parsed("articles/401-unauthorized.md", &text).article;
        assert_eq!(article.real_examples.len(), 1);
        let html = &article.html;
        let example = html.find("class=\"real-examples\"").expect("shown");
        let section = html.find("id=\"example-error\"").expect("section");
        let next = html.find("id=\"resolution-steps\"").expect("next section");
        assert!(section < example && example < next, "{html}");
        assert!(
            html.contains("HTTP GET failed: unauthorized (401) &lt;x&gt;"),
            "{html}"
        );
        assert!(
            html.contains("Real message. Source: the reference help-centre article"),
            "{html}"
        );
    }

    #[test]
    fn refuses_a_real_example_that_leads_elsewhere() {
        let text = code_article_with(
            "[[real_example]]\nmessage = \"HTTP GET failed: not found (404)\"\nsource = \"a client\"\n\n\
             [[real_example]]\nmessage = \"Something broke\"\nsource = \"\"\n",
        );
        assert_eq!(
            messages("articles/401-unauthorized.md", &text),
            [
                "articles/401-unauthorized.md: real_example \"HTTP GET failed: not found (404)\" is recognised as 404 Not Found, \
                 not 401 Unauthorized: quote a message that leads here, or mark it as illustrative in the body",
                "articles/401-unauthorized.md: real_example \"Something broke\": source is empty (say where the message comes from)",
                "articles/401-unauthorized.md: real_example \"Something broke\" is not recognised as any code with a guide, \
                 not 401 Unauthorized: quote a message that leads here, or mark it as illustrative in the body",
            ]
        );
    }

    #[test]
    fn only_code_articles_have_real_examples() {
        let text = "+++\nslug = \"still-stuck\"\ntitle = \"t\"\nkind = \"still-stuck\"\nsummary = \"s\"\n\
                    [[real_example]]\nmessage = \"HTTP 401\"\nsource = \"x\"\n+++\n## What support needs\n";
        assert_eq!(
            messages("articles/still-stuck.md", text),
            [
                "articles/still-stuck.md: real_example \"HTTP 401\": only kind = \"code\" articles have real examples"
            ]
        );
    }

    #[test]
    fn accepts_crlf_line_endings() {
        let text = "+++\r\nslug = \"still-stuck\"\r\ntitle = \"t\"\r\nkind = \"still-stuck\"\r\n\
                    summary = \"s\"\r\n+++\r\n## What support needs\r\n";
        assert_eq!(
            parsed("articles/still-stuck.md", text)
                .article
                .sections
                .len(),
            1
        );
    }

    #[test]
    fn reports_every_front_matter_problem_at_once() {
        let text = "+++\nslug = \"Bad_Slug\"\ntitle = \" \"\nkind = \"code\"\ncode = \"402\"\n\
                    summary = \"\"\nrelated = [\"Bad_Slug\"]\n+++\n## What it means\n";
        let found = messages("articles/x.md", text);
        let expected = [
            "articles/x.md: slug \"Bad_Slug\" must be lowercase letters, digits and '-'",
            "articles/x.md: file name must be the slug: articles/Bad_Slug.md",
            "articles/x.md: title is empty",
            "articles/x.md: summary is empty",
            &format!(
                "articles/x.md: code \"402\" must be one of {}",
                article_codes()
            ),
            "articles/x.md: related lists the article itself",
            "articles/x.md: missing section \"Common causes\"",
            "articles/x.md: missing section \"Best practices\"",
        ];
        for message in expected {
            assert!(
                found.iter().any(|f| f == message),
                "{message} not in {found:#?}"
            );
        }
    }

    #[test]
    fn code_is_required_for_code_articles_only() {
        let code_without = format!(
            "+++\nslug = \"a\"\ntitle = \"t\"\nkind = \"code\"\nsummary = \"s\"\n+++\n{CODE_BODY}"
        );
        assert_eq!(
            messages("articles/a.md", &code_without),
            vec![format!(
                "articles/a.md: kind = \"code\" needs a code, one of {}",
                article_codes()
            )]
        );
        let checklist_with = "+++\nslug = \"a\"\ntitle = \"t\"\nkind = \"checklist\"\ncode = \"401\"\n\
                              summary = \"s\"\n+++\n## Before you start\n## Checklist\n";
        assert_eq!(
            messages("articles/a.md", checklist_with),
            vec!["articles/a.md: only kind = \"code\" articles have a code"]
        );
        let other = format!(
            "+++\nslug = \"a\"\ntitle = \"t\"\nkind = \"code\"\ncode = \"other\"\nsummary = \"s\"\n+++\n{CODE_BODY}"
        );
        assert_eq!(
            messages("articles/a.md", &other),
            vec![format!(
                "articles/a.md: code \"other\" must be one of {}",
                article_codes()
            )]
        );
    }

    #[test]
    fn refuses_missing_or_unknown_front_matter() {
        assert_eq!(
            messages("articles/a.md", "## What support needs\n"),
            vec!["articles/a.md: must start with a TOML front matter block between `+++` lines"]
        );
        let unknown_kind =
            "+++\nslug = \"a\"\ntitle = \"t\"\nkind = \"faq\"\nsummary = \"s\"\n+++\n";
        let found = messages("articles/a.md", unknown_kind);
        assert!(
            found[0].starts_with("articles/a.md: front matter line 4: unknown variant `faq`"),
            "{found:?}"
        );
        let typo = "+++\nslug = \"a\"\ntitle = \"t\"\nkind = \"checklist\"\nsumary = \"s\"\n+++\n";
        let found = messages("articles/a.md", typo);
        assert!(found[0].contains("sumary"), "{found:?}");
    }

    #[test]
    fn markdown_problems_name_the_file() {
        let text = "+++\nslug = \"a\"\ntitle = \"t\"\nkind = \"still-stuck\"\nsummary = \"s\"\n+++\n\
                    ## What support needs\n\n[x](javascript:alert(1))\n";
        let found = messages("articles/a.md", text);
        assert_eq!(found.len(), 1);
        assert!(found[0].starts_with("articles/a.md: link \"javascript:alert(1)\" is not allowed"));
    }

    #[test]
    fn ids_are_lowercase_digits_and_dashes() {
        for good in ["a", "404-not-found", "token-2"] {
            assert!(is_well_formed_id(good), "{good}");
        }
        for bad in ["", "A", "a_b", "a b", "é", "a/b"] {
            assert!(!is_well_formed_id(bad), "{bad}");
        }
    }
}
