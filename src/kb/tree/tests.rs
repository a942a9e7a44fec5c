//! Tests of one tree file on its own: parsing and the problems it reports,
//! the walk order, walking a path, the ids a step replaces. Loading a whole
//! content folder is tested in `kb/tests.rs`.

use super::*;

fn step(id: &str, next: &str) -> String {
    format!(
        "[[step]]\nid = \"{id}\"\ncheck = \"Check that {id} is fine\"\nwhere = \"In the {id} log\"\ndo = \"Check **{id}**.\"\nnext = \"{next}\"\n\n"
    )
}

fn tree_file(start: &str, steps: &[(&str, &str)]) -> String {
    let mut text =
        format!("code = \"401\"\narticle = \"401-unauthorized\"\nstart = \"{start}\"\n\n");
    for (id, next) in steps {
        text.push_str(&step(id, next));
    }
    text
}

fn parsed(text: &str) -> Tree {
    let mut problems = Problems::default();
    let parsed = parse("trees/401.toml", text, &mut problems);
    assert!(problems.is_empty(), "{:#?}", problems.messages());
    parsed.expect("no problems, so a tree").tree
}

fn problems(text: &str) -> Vec<String> {
    let mut problems = Problems::default();
    parse("trees/401.toml", text, &mut problems);
    assert!(!problems.is_empty(), "expected problems in {text}");
    problems.messages()
}

fn ids(steps: &[&Step]) -> Vec<String> {
    steps.iter().map(|s| s.id.clone()).collect()
}

/// Listed out of order on purpose: the tree must come back in walk order.
fn sample() -> Tree {
    parsed(&tree_file("a", &[("c", "ticket"), ("a", "b"), ("b", "c")]))
}

#[test]
fn keeps_steps_in_walk_order() {
    let tree = sample();
    assert_eq!(tree.code, ErrorCode::Unauthorized);
    assert_eq!(tree.start().id, "a");
    let order: Vec<_> = tree.steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(order, ["a", "b", "c"]);
    assert_eq!(tree.steps[0].next, Next::Step("b".into()));
    assert_eq!(tree.steps[2].next, Next::Ticket);
    assert_eq!(tree.steps[1].do_html, "<p>Check <strong>b</strong>.</p>\n");
    assert_eq!(
        tree.step("c").map(|s| s.check.as_str()),
        Some("Check that c is fine")
    );
    assert!(tree.step("ticket").is_none());
}

#[test]
fn walks_valid_prefixes() {
    let tree = sample();
    let walk = tree.walk(&[]).expect("empty path");
    assert!(walk.done.is_empty());
    assert_eq!(walk.current.map(|s| s.id.as_str()), Some("a"));

    let walk = tree.walk(&["a", "b"]).expect("prefix");
    assert_eq!(ids(&walk.done), ["a", "b"]);
    assert_eq!(walk.current.map(|s| s.id.as_str()), Some("c"));

    let walk = tree.walk(&["a", "b", "c"]).expect("whole tree");
    assert_eq!(walk.done.len(), 3);
    assert_eq!(walk.current, None);
}

#[test]
fn invalid_walks_report_the_longest_valid_prefix() {
    let tree = sample();
    assert_eq!(tree.walk(&["b"]), Err(0));
    assert_eq!(tree.walk(&["a", "c"]), Err(1));
    assert_eq!(tree.walk(&["a", "b", "nope"]), Err(2));
    assert_eq!(tree.walk(&["a", "b", "c", "a"]), Err(3));
}

#[test]
fn paths_cover_every_step_and_end_at_the_ticket() {
    let tree = sample();
    let paths = tree.paths();
    assert_eq!(paths.len(), 1);
    assert_eq!(ids(&paths[0]), ["a", "b", "c"]);
    assert_eq!(paths[0].last().map(|s| &s.next), Some(&Next::Ticket));
}

#[test]
fn refuses_a_cycle() {
    let found = problems(&tree_file("a", &[("a", "b"), ("b", "c"), ("c", "b")]));
    assert_eq!(found, ["trees/401.toml: steps form a cycle: b -> c -> b"]);
}

#[test]
fn refuses_an_unreachable_step() {
    let found = problems(&tree_file("a", &[("a", "ticket"), ("orphan", "ticket")]));
    assert_eq!(
        found,
        ["trees/401.toml: line 13: step \"orphan\" cannot be reached from start \"a\""]
    );
}

#[test]
fn refuses_a_next_pointing_nowhere() {
    let found = problems(&tree_file("a", &[("a", "b"), ("b", "tickt")]));
    assert_eq!(
        found,
        [
            "trees/401.toml: line 13: step \"b\": next \"tickt\" is not a step (use \"ticket\" to end the tree)"
        ]
    );
}

#[test]
fn refuses_bad_ids_and_missing_start() {
    let found = problems(&tree_file(
        "start",
        &[("a", "ticket"), ("a", "ticket"), ("Bad_Id", "ticket")],
    ));
    for expected in [
        "trees/401.toml: line 13: two steps have id \"a\"",
        "trees/401.toml: line 20: step id \"Bad_Id\" must be lowercase letters, digits and '-'",
        "trees/401.toml: start \"start\" is not a step",
    ] {
        assert!(
            found.iter().any(|f| f == expected),
            "{expected} not in {found:#?}"
        );
    }
}

#[test]
fn refuses_an_empty_tree() {
    let found = problems(&tree_file("a", &[]));
    assert!(
        found.contains(&"trees/401.toml: has no steps".to_string()),
        "{found:?}"
    );
}

#[test]
fn file_name_must_match_code() {
    let text = tree_file("a", &[("a", "ticket")]).replace("code = \"401\"", "code = \"403\"");
    assert_eq!(
        problems(&text),
        ["trees/401.toml: file name must match code: trees/403.toml"]
    );
    let text = tree_file("a", &[("a", "ticket")]).replace("code = \"401\"", "code = \"402\"");
    assert_eq!(
        problems(&text),
        [format!(
            "trees/401.toml: code \"402\" must be one of {}",
            ErrorCode::keys(", ")
        )]
    );
}

#[test]
fn unsafe_markdown_in_a_step_names_the_step() {
    let text =
        tree_file("a", &[("a", "ticket")]).replace("Check **a**.", "[x](javascript:alert(1))");
    let found = problems(&text);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with(
            "trees/401.toml: line 6: step \"a\": link \"javascript:alert(1)\" is not allowed"
        ),
        "{found:?}"
    );
}

#[test]
fn where_ask_and_caution_are_read_as_plain_text() {
    let text = tree_file("a", &[("a", "b"), ("b", "ticket")])
        .replace(
            "where = \"In the b log\"",
            "ask = \" Ask your account admin to <b>check</b> \"\ncaution = \"It can break things\"\nreplaces = [\"old-b\"]",
        )
        .replace("where = \"In the a log\"", "where = \"In the a log\"\nask = \"\"");
    let tree = parsed(&text);
    let a = tree.step("a").expect("a");
    assert_eq!(a.where_to_look.as_deref(), Some("In the a log"));
    assert_eq!(a.ask, None, "blank counts as absent");
    assert_eq!(a.caution, None);
    let b = tree.step("b").expect("b");
    assert_eq!(b.where_to_look, None);
    assert_eq!(
        b.ask.as_deref(),
        Some("Ask your account admin to <b>check</b>")
    );
    assert_eq!(b.caution.as_deref(), Some("It can break things"));
    assert_eq!(b.replaces, ["old-b"]);
}

#[test]
fn old_ids_map_to_their_successor() {
    let text = tree_file("a", &[("a", "b"), ("b", "c"), ("c", "ticket")]).replace(
        "where = \"In the b log\"",
        "where = \"In the b log\"\nreplaces = [\"old-b1\", \"old-b2\"]",
    );
    let tree = parsed(&text);
    assert_eq!(tree.current_id("a"), Some("a"));
    assert_eq!(tree.current_id("old-b2"), Some("b"));
    assert_eq!(tree.current_id("never"), None);
    assert_eq!(
        tree.current_path(&["a", "old-b1", "old-b2", "c"]),
        ["a", "b", "c"]
    );
    assert_eq!(tree.current_path(&["a", "never"]), ["a", "never"]);
}

#[test]
fn a_step_names_where_to_look_or_whom_to_ask() {
    let text = tree_file("a", &[("a", "ticket")]).replace("where = \"In the a log\"\n", "");
    assert_eq!(
        problems(&text),
        [
            "trees/401.toml: line 6: step \"a\": needs `where` (where to look) or `ask` (whom to ask, and what), or both"
        ]
    );
    let text = tree_file("a", &[("a", "ticket")])
        .replace("where = \"In the a log\"", "where = \" \"\nask = \"\"");
    assert_eq!(problems(&text).len(), 1);
}

#[test]
fn plain_text_fields_are_one_line() {
    let text = tree_file("a", &[("a", "ticket")]).replace(
        "where = \"In the a log\"",
        "where = \"In the a log\"\ncaution = \"\"\"\nOne\nTwo\"\"\"",
    );
    assert_eq!(
        problems(&text),
        ["trees/401.toml: line 6: step \"a\": `caution` must be one line of plain text"]
    );
}

#[test]
fn an_old_id_has_exactly_one_successor_and_is_never_live() {
    let text = tree_file("a", &[("a", "b"), ("b", "ticket")])
        .replace(
            "where = \"In the a log\"",
            "where = \"In the a log\"\nreplaces = [\"old\", \"b\", \"Bad_Old\"]",
        )
        .replace(
            "where = \"In the b log\"",
            "where = \"In the b log\"\nreplaces = [\"old\", \"b-old\", \"b-old\"]",
        );
    assert_eq!(
        problems(&text),
        [
            "trees/401.toml: line 6: step \"a\": replaces \"b\", which is a live step; a live id already stands for itself",
            "trees/401.toml: line 6: step \"a\": replaces \"Bad_Old\", which is not a step id (lowercase letters, digits and '-')",
            "trees/401.toml: line 14: \"old\" is replaced by both \"a\" and \"b\"; an old id needs exactly one successor",
            "trees/401.toml: line 14: step \"b\": replaces \"b-old\" twice",
        ]
    );
}

#[test]
fn every_earlier_id_is_live_or_replaced() {
    let text = tree_file("a", &[("a", "b"), ("b", "ticket")]).replace(
        "where = \"In the b log\"",
        "where = \"In the b log\"\nreplaces = [\"gone\"]",
    );
    let mut problems = Problems::default();
    let tree = parse("trees/401.toml", &text, &mut problems).expect("parses");
    check_earlier_ids(&tree, &["a", "gone"], &mut problems);
    assert!(problems.is_empty(), "{:#?}", problems.messages());
    check_earlier_ids(&tree, &["a", "dropped"], &mut problems);
    assert_eq!(
        problems.messages(),
        [
            "trees/401.toml: step id \"dropped\" was used before and stored tickets and deflection counts name it: \
             keep a step with that id or list it in one step's `replaces`"
        ]
    );
}

#[test]
fn a_broken_chain_does_not_hide_the_steps_after_it() {
    let text = tree_file("a", &[("a", "tickt"), ("b", "ticket")]).replace(
        "where = \"In the b log\"",
        "where = \"In the b log\"\nreplaces = [\"old\"]",
    );
    let mut problems = Problems::default();
    let tree = parse("trees/401.toml", &text, &mut problems).expect("parses");
    assert_eq!(problems.messages().len(), 1, "{:#?}", problems.messages());
    check_earlier_ids(&tree, &["b", "old"], &mut problems);
    assert_eq!(
        problems.messages(),
        [
            "trees/401.toml: line 6: step \"a\": next \"tickt\" is not a step (use \"ticket\" to end the tree)"
        ],
        "b and what it replaces are still steps of the tree"
    );
}

#[test]
fn toml_errors_name_the_line() {
    let found = problems("code = \"401\"\narticle = \n");
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("trees/401.toml: line 2: "),
        "{found:?}"
    );
}
