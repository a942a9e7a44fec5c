//! Content the loader refuses: the fixture with one rule broken (or several,
//! all reported at once), and the exact problem each reports.

use super::fixture::{article_file, edit, fixture, load_problems};
use crate::domain::ErrorCode;
use crate::kb::KnowledgeBase;

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
            "articles/checklist.md: line 15: broken link \"/articles/still-stuck#what-to-send\": \
             \"still-stuck\" has no section with anchor \"#what-to-send\"",
            "articles/still-stuck.md: line 11: broken link \"/articles/404-not-fund\": no such article",
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
        ["trees/500.toml: line 6: broken link \"/articles/500\": no such article"]
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
            "trees/401.toml: line 6: step \"first\": check \"Is the access token still active?\" is a question"
        ),
        "{found:#?}"
    );
    assert!(
        found[1].starts_with(
            "trees/500.toml: line 14: step \"second\": check \"Does the retry work\" starts like a yes/no question"
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
            "trees/401.toml: line 14: step \"second\": needs `where` (where to look) or `ask` (whom to ask, and what), or both"
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
            "trees/403.toml: line 14: \"user-role\" is replaced by both \"first\" and \"second\"; an old id needs exactly one successor",
            "trees/403.toml: line 14: step \"second\": replaces \"first\", which is a live step; a live id already stands for itself",
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
        ["trees/403.toml: line 14: step \"second\" cannot be reached from start \"first\""]
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
            "trees/404.toml: line 6: step \"first\": next \"secnd\" is not a step (use \"ticket\" to end the tree)"
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
