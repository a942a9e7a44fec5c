//! Tests of one article file on its own: front matter, sections, real
//! examples and the problems each reports. Checks across all articles are
//! tested with the whole content folder in `kb/tests.rs`.

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
    let unknown_kind = "+++\nslug = \"a\"\ntitle = \"t\"\nkind = \"faq\"\nsummary = \"s\"\n+++\n";
    let found = messages("articles/a.md", unknown_kind);
    assert!(
        found[0].starts_with("articles/a.md: line 4: front matter: unknown variant `faq`"),
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
    assert!(
        found[0].starts_with("articles/a.md: line 9: link \"javascript:alert(1)\" is not allowed")
    );
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
