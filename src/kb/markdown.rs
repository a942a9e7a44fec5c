//! Markdown to HTML that is safe to embed in a page without a second look.
//!
//! Content authors are trusted but fallible: raw HTML is shown as text rather
//! than interpreted, and a link that could run script or leave the allowed
//! schemes stops the load instead of reaching a visitor.

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, html};

use super::content_error::line_offset;

/// A `##` heading: what the table of contents and `#anchor` links point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub anchor: String,
}

/// A link to another article (`/articles/<slug>[#anchor]`) or to an anchor
/// on the same page (`#anchor`, `slug` is `None`). Kept so the loader can
/// check it resolves once every article is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalLink {
    pub target: String,
    pub slug: Option<String>,
    pub anchor: Option<String>,
    /// Lines of the Markdown before the link's, so a broken one can be
    /// reported at its line of the file.
    pub line: usize,
}

/// Something wrong in the Markdown, `line` lines after its first.
#[derive(Debug, PartialEq, Eq)]
pub struct MarkdownProblem {
    pub line: usize,
    pub message: String,
}

#[derive(Debug)]
pub struct Rendered {
    /// Empty when there are problems, so unsafe output can never be used.
    pub html: String,
    pub sections: Vec<Section>,
    pub links: Vec<InternalLink>,
    /// Everything wrong, not just the first, so an author can fix a file in
    /// one pass; the sections and links are still filled in so the loader
    /// can go on checking the rest of the content.
    pub problems: Vec<MarkdownProblem>,
}

/// A code block keeps its lines whole and scrolls sideways on a phone; a
/// region that scrolls must be reachable by keyboard (axe
/// `scrollable-region-focusable`), and once focusable it needs a name, one
/// of its own on the page (axe `landmark-unique`): "Code example 2".
fn code_block_open(number: usize) -> String {
    format!("<pre tabindex=\"0\" role=\"region\" aria-label=\"Code example {number}\"><code>")
}

/// Renders CommonMark with tables.
pub fn render(markdown: &str) -> Rendered {
    let mut problems = Vec::new();
    let mut sections: Vec<Section> = Vec::new();
    let mut links = Vec::new();
    let mut code_blocks = 0;
    let mut events: Vec<Event<'_>> = Vec::new();
    // Index of the open `##` heading's start event, and its text so far.
    let mut open_heading: Option<(usize, String)> = None;

    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES).into_offset_iter();
    for (event, range) in parser {
        let event = neutralise_html(event);
        let line = || line_offset(markdown, range.start);
        let mut problem = |message: String| {
            problems.push(MarkdownProblem {
                line: line(),
                message,
            });
        };
        match &event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                problem(format!("images are not allowed (found \"{dest_url}\")"));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => {
                // The renderer prefixes email autolinks with `mailto:` itself.
                if *link_type != LinkType::Email && !is_allowed_url(dest_url) {
                    problem(format!(
                        "link \"{dest_url}\" is not allowed (use /articles/<slug>, #anchor, http(s):// or mailto:)"
                    ));
                } else if let Some(link) = internal_link(dest_url, line()) {
                    links.push(link);
                }
            }
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                ..
            }) => open_heading = Some((events.len(), String::new())),
            Event::Text(text) | Event::Code(text) => {
                if let Some((_, title)) = open_heading.as_mut() {
                    title.push_str(text);
                }
            }
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                if let Some((start, title)) = open_heading.take() {
                    let title = title.trim().to_string();
                    let anchor = anchor(&title);
                    if anchor.is_empty() {
                        problem(format!(
                            "section \"{title}\" has no letters or digits to make an anchor from"
                        ));
                    } else if sections.iter().any(|s| s.anchor == anchor) {
                        problem(format!("two sections share the anchor \"#{anchor}\""));
                    }
                    events[start] = Event::Start(Tag::Heading {
                        level: HeadingLevel::H2,
                        id: Some(CowStr::from(anchor.clone())),
                        classes: Vec::new(),
                        attrs: Vec::new(),
                    });
                    sections.push(Section { title, anchor });
                }
            }
            Event::Start(Tag::CodeBlock(_)) => {
                code_blocks += 1;
                events.push(Event::Html(CowStr::from(code_block_open(code_blocks))));
                continue;
            }
            Event::End(TagEnd::CodeBlock) => {
                events.push(Event::Html(CowStr::from("</code></pre>\n")));
                continue;
            }
            _ => {}
        }
        events.push(event);
    }

    let mut out = String::new();
    if problems.is_empty() {
        html::push_html(&mut out, events.into_iter());
    }
    Rendered {
        html: out,
        sections,
        links,
        problems,
    }
}

/// Markdown as plain text, for words that leave the page (a reply built
/// from a step): paragraphs apart, list items as `- ` or `1. ` lines, a
/// link as its text with its address in brackets after it, emphasis and
/// code marks dropped. Nothing is escaped: the caller escapes where it shows it.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    // Per open list: the next item's number, `None` for bullets.
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut link: Option<(String, usize)> = None;
    let end_block = |out: &mut String, in_list: bool| {
        let out_trimmed = out.trim_end_matches(' ').len();
        out.truncate(out_trimmed);
        out.push_str(if in_list { "\n" } else { "\n\n" });
    };
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Text(text) | Event::Code(text) | Event::Html(text) | Event::InlineHtml(text) => {
                out.push_str(&text)
            }
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::List(first)) => {
                if !lists.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                lists.push(first);
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
                if lists.is_empty() {
                    out.push('\n');
                }
            }
            Event::Start(Tag::Item) => {
                out.push_str(&"   ".repeat(lists.len().saturating_sub(1)));
                match lists.last_mut() {
                    Some(Some(number)) => {
                        out.push_str(&format!("{number}. "));
                        *number += 1;
                    }
                    _ => out.push_str("- "),
                }
            }
            Event::End(TagEnd::Item) if !out.ends_with('\n') => out.push('\n'),
            Event::Start(Tag::Link { dest_url, .. }) => {
                link = Some((dest_url.to_string(), out.len()))
            }
            Event::End(TagEnd::Link) => {
                if let Some((url, start)) = link.take()
                    && out[start..] != *url
                {
                    out.push_str(&format!(" ({url})"));
                }
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock) => {
                end_block(&mut out, !lists.is_empty());
            }
            _ => {}
        }
    }
    let mut text = out.trim().to_string();
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    text
}

/// The anchor for a section title: lowercased, each run of anything that is
/// not a letter or digit becomes one `-`, with no `-` at either end.
pub fn anchor(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Raw HTML becomes text, so the renderer escapes it; an HTML block becomes a
/// paragraph so the text still reads as a block.
fn neutralise_html(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
        Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
        other => other,
    }
}

fn is_allowed_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    // `//host` and `/\host` are read by browsers as links to another site.
    let site_relative = url.starts_with('/') && !url.starts_with("//") && !url.starts_with("/\\");
    site_relative
        || url.starts_with('#')
        || ["http://", "https://", "mailto:"]
            .iter()
            .any(|scheme| lower.starts_with(scheme))
}

fn internal_link(url: &str, line: usize) -> Option<InternalLink> {
    let (slug, anchor) = if let Some(rest) = url.strip_prefix("/articles/") {
        let (slug, anchor) = rest.split_once('#').unwrap_or((rest, ""));
        (Some(slug.to_string()), anchor)
    } else {
        (None, url.strip_prefix('#')?)
    };
    Some(InternalLink {
        target: url.to_string(),
        slug,
        anchor: (!anchor.is_empty()).then(|| anchor.to_string()),
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(markdown: &str) -> Rendered {
        let rendered = render(markdown);
        assert!(rendered.problems.is_empty(), "{:?}", rendered.problems);
        rendered
    }

    fn problems(markdown: &str) -> Vec<String> {
        let rendered = render(markdown);
        assert!(
            !rendered.problems.is_empty(),
            "expected problems: {markdown}"
        );
        assert_eq!(rendered.html, "", "no HTML once anything is wrong");
        rendered.problems.into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn script_block_is_escaped_text() {
        let html = ok("Intro\n\n<script>alert(1)</script>\n").html;
        assert!(!html.contains("<script"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
    }

    #[test]
    fn inline_html_is_escaped_text() {
        let html = ok("Click <img src=x onerror=alert(1)> here").html;
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{html}"
        );
    }

    #[test]
    fn refuses_javascript_links_in_every_form() {
        for md in [
            "[x](javascript:alert(1))",
            "[x](JavaScript:alert(1))",
            "<javascript:alert(1)>",
            "[x][r]\n\n[r]: javascript:alert(1)",
            "[x](data:text/html,hi)",
            "[x](//evil.example)",
            "[x](relative/path)",
        ] {
            let found = problems(md);
            assert_eq!(found.len(), 1, "{md}: {found:?}");
            assert!(found[0].contains("is not allowed"), "{md}: {found:?}");
        }
    }

    #[test]
    fn allows_the_documented_link_kinds() {
        let html = ok(
            "[a](/articles/401-unauthorized) [b](#top) [c](https://example.com) \
             [d](http://example.com) [e](mailto:help@example.com) <help@example.com>",
        )
        .html;
        assert!(
            html.contains(r#"href="/articles/401-unauthorized""#),
            "{html}"
        );
        assert!(html.contains(r#"href="mailto:help@example.com""#), "{html}");
    }

    #[test]
    fn refuses_images() {
        let found = problems("![logo](/static/logo.png)");
        assert_eq!(
            found,
            vec![r#"images are not allowed (found "/static/logo.png")"#]
        );
    }

    #[test]
    fn problems_and_links_know_their_line() {
        let rendered = render("Intro.\n\n## Causes\n\nSee [x](/articles/x)\nand ![y](/y.png).\n");
        let lines: Vec<usize> = rendered.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [5]);
        assert_eq!(rendered.links[0].line, 4);
    }

    #[test]
    fn reports_every_problem() {
        assert_eq!(
            problems("[a](javascript:x) ![b](/c.png) [d](vbscript:y)").len(),
            3
        );
    }

    #[test]
    fn level_two_headings_get_anchors() {
        let rendered =
            ok("# Title\n\n## What it means\n\ntext\n\n## Step 2: `curl` -v!\n\n### Detail\n");
        assert_eq!(
            rendered.sections,
            vec![
                Section {
                    title: "What it means".into(),
                    anchor: "what-it-means".into()
                },
                Section {
                    title: "Step 2: curl -v!".into(),
                    anchor: "step-2-curl-v".into()
                },
            ]
        );
        assert!(
            rendered
                .html
                .contains(r#"<h2 id="what-it-means">What it means</h2>"#)
        );
        assert!(rendered.html.contains("<h3>Detail</h3>"));
    }

    #[test]
    fn duplicate_anchors_are_refused() {
        assert_eq!(
            problems("## Causes\n\n## causes!\n"),
            vec![r##"two sections share the anchor "#causes""##]
        );
    }

    #[test]
    fn anchors_collapse_punctuation_runs() {
        assert_eq!(anchor("  What -- it   means?  "), "what-it-means");
        assert_eq!(anchor("401 / 403: Who?"), "401-403-who");
        assert_eq!(anchor("***"), "");
    }

    #[test]
    fn collects_internal_links() {
        let links =
            ok("[a](/articles/x) [b](/articles/y#best-practices) [c](#here) [d](/tickets/new)")
                .links;
        let found: Vec<_> = links
            .iter()
            .map(|l| (l.slug.as_deref(), l.anchor.as_deref()))
            .collect();
        assert_eq!(
            found,
            vec![
                (Some("x"), None),
                (Some("y"), Some("best-practices")),
                (None, Some("here"))
            ]
        );
    }

    #[test]
    fn code_blocks_can_be_reached_by_keyboard_and_stay_escaped() {
        let html = ok("Before.\n\n```text\nGET /x <b>&\n```\n\n    indented\n").html;
        for n in [1, 2] {
            let open = format!(
                "<pre tabindex=\"0\" role=\"region\" aria-label=\"Code example {n}\"><code>"
            );
            assert_eq!(html.matches(&open).count(), 1, "each named apart: {html}");
        }
        assert!(
            html.contains("GET /x &lt;b&gt;&amp;\n</code></pre>"),
            "{html}"
        );
        assert!(!html.contains("<b>"), "{html}");
    }

    #[test]
    fn renders_tables() {
        let html = ok("| a | b |\n|---|---|\n| 1 | 2 |\n").html;
        assert!(
            html.contains("<table>") && html.contains("<td>2</td>"),
            "{html}"
        );
    }

    #[test]
    fn plain_text_keeps_lists_and_link_addresses() {
        let text = plain_text(
            "Check **this** first.\n\n- one\n- see [the article](/articles/x)\n\n1. first\n2. `second`\n\nDone.",
        );
        assert_eq!(
            text,
            "Check this first.\n\n- one\n- see the article (/articles/x)\n\n1. first\n2. second\n\nDone."
        );
    }
}
