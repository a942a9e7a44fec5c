//! A decision tree: the checks for one error code, asked one at a time.
//!
//! Each step has a single "No, still failing" exit, so a valid tree is a
//! chain from `start` to the ticket form. It is kept in that walk order,
//! which makes a walked path a prefix of `steps` and cheap to verify.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use super::article::{self, ParsedArticle};
use super::content_error::{Problems, line_offset};
use super::heading;
use super::markdown::{self, InternalLink};
use crate::domain::ErrorCode;

/// Built only by the loader, which guarantees: at least one step, `steps[0]`
/// is `start`, each step's `next` is the step after it and the last one's
/// is `Next::Ticket`.
#[derive(Debug, Clone)]
pub struct Tree {
    pub code: ErrorCode,
    /// Slug of the article shown beside every step and at the end.
    pub article: String,
    pub start: String,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Stable: shared links and stored tickets refer to it.
    pub id: String,
    /// The heading: an instruction, never a yes/no question (see `heading`).
    pub check: String,
    /// Where to look, in plain words (TOML key `where`). Plain text: escape
    /// it when showing it. At least one of this and `ask` is set.
    pub where_to_look: Option<String>,
    /// Whom to ask, and what. Plain text.
    pub ask: Option<String>,
    /// What the fix can break, read before acting. Plain text.
    pub caution: Option<String>,
    /// Ids of earlier steps this one took over: stored tickets, old links
    /// and deflection counts that name them now mean this step.
    pub replaces: Vec<String>,
    /// Rendered "what to do", safe to embed unescaped.
    pub do_html: String,
    /// "What to do" as plain text (lists as `- ` and `1. ` lines, a link
    /// as its text with the address after it): for a reply built from the
    /// step. Escape it when showing it.
    pub do_text: String,
    pub next: Next,
}

/// Where "No, still failing" leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Step(String),
    Ticket,
}

/// A position in a tree: the steps answered "No" so far, and the one to show
/// now (`None` once every check has failed: show the article and ticket form).
#[derive(Debug, PartialEq, Eq)]
pub struct Walk<'a> {
    pub done: Vec<&'a Step>,
    pub current: Option<&'a Step>,
}

impl Tree {
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// The live id a stored or linked step id stands for today: the id
    /// itself while it is a step, else the step that `replaces` it. `None`
    /// for an id this tree never had (or that was dropped unlisted, which the
    /// loader refuses for the ids in `retired_ids`).
    pub fn current_id(&self, id: &str) -> Option<&str> {
        self.step(id)
            .or_else(|| {
                self.steps
                    .iter()
                    .find(|s| s.replaces.iter().any(|r| r == id))
            })
            .map(|s| s.id.as_str())
    }

    /// A walked path with each earlier id replaced by its successor and
    /// repeats dropped (two old checks merged into one count once). Ids the
    /// tree does not know are kept, so `walk` still trims at them.
    pub fn current_path<'a>(&'a self, path: &[&'a str]) -> Vec<&'a str> {
        let mut out: Vec<&'a str> = Vec::with_capacity(path.len());
        for id in path {
            let id = self.current_id(id).unwrap_or(id);
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out
    }

    pub fn start(&self) -> &Step {
        // Non-empty and start-first by construction (see `Tree`).
        &self.steps[0]
    }

    /// Follows `path`, the ids answered "No, still failing", from the start.
    /// `Err(n)`: only the first `n` ids are a real walk (an edited or stale
    /// link); the caller redirects to that prefix.
    pub fn walk(&self, path: &[&str]) -> Result<Walk<'_>, usize> {
        let valid = path
            .iter()
            .zip(&self.steps)
            .take_while(|(id, step)| **id == step.id)
            .count();
        if valid < path.len() {
            return Err(valid);
        }
        Ok(Walk {
            done: self.steps[..valid].iter().collect(),
            current: self.steps.get(valid),
        })
    }

    /// Every path from the start to the ticket form. With one exit per step
    /// there is exactly one; callers iterate anyway so they keep working if
    /// steps ever branch.
    pub fn paths(&self) -> Vec<Vec<&Step>> {
        vec![self.steps.iter().collect()]
    }
}

/// A tree with what the loader still has to check against the articles.
#[derive(Debug)]
pub(crate) struct ParsedTree {
    pub path: String,
    pub tree: Tree,
    /// Each with the file line of the step it is in.
    pub links: Vec<(InternalLink, Option<usize>)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TreeFile {
    code: String,
    article: String,
    start: String,
    #[serde(default, rename = "step")]
    steps: Vec<StepFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StepFile {
    id: String,
    check: String,
    #[serde(default, rename = "where")]
    where_to_look: Option<String>,
    #[serde(default)]
    ask: Option<String>,
    #[serde(default)]
    caution: Option<String>,
    #[serde(default)]
    replaces: Vec<String>,
    #[serde(rename = "do")]
    todo: String,
    next: String,
}

/// A trimmed plain-text field; blank counts as absent.
fn plain(field: &Option<String>) -> Option<String> {
    field
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

const TICKET: &str = "ticket";

/// Parses and checks one file on its own, adding what is wrong to
/// `problems`. The tree comes back whenever its code could be read, even
/// with problems, so the checks across files do not report it as missing.
pub(crate) fn parse(path: &str, text: &str, problems: &mut Problems) -> Option<ParsedTree> {
    let file: TreeFile = match toml::from_str(text) {
        Ok(file) => file,
        Err(e) => {
            problems.add_toml(path, &e, text, 1, None);
            return None;
        }
    };

    let code = ErrorCode::parse(&file.code);
    match code {
        None => problems.add(
            path,
            format!(
                "code \"{}\" must be one of {}",
                file.code,
                ErrorCode::keys(", ")
            ),
        ),
        Some(code) if path != format!("trees/{code}.toml") => problems.add(
            path,
            format!("file name must match code: trees/{code}.toml"),
        ),
        Some(_) => {}
    }
    if file.steps.is_empty() {
        problems.add(path, "has no steps");
    }

    let mut links = Vec::new();
    let mut rendered = HashMap::new();
    let mut by_id: HashMap<&str, &StepFile> = HashMap::new();
    let lines = step_lines(text, file.steps.len());
    for (step, at) in file.steps.iter().zip(lines.iter().copied()) {
        let id = step.id.as_str();
        if id == TICKET {
            problems.add_at(
                path,
                at,
                "step id \"ticket\" is reserved for `next = \"ticket\"`",
            );
        } else if !article::is_well_formed_id(id) {
            problems.add_at(
                path,
                at,
                format!("step id \"{id}\" must be lowercase letters, digits and '-'"),
            );
        }
        if by_id.insert(id, step).is_some() {
            problems.add_at(path, at, format!("two steps have id \"{id}\""));
        }
        if step.check.trim().is_empty() {
            problems.add_at(path, at, format!("step \"{id}\": check is empty"));
        } else if let Some(problem) = heading::question_problem(&step.check) {
            problems.add_at(path, at, format!("step \"{id}\": {problem}"));
        }
        if plain(&step.where_to_look).is_none() && plain(&step.ask).is_none() {
            problems.add_at(
                path,
                at,
                format!(
                    "step \"{id}\": needs `where` (where to look) or `ask` (whom to ask, and what), or both"
                ),
            );
        }
        for (name, field) in [
            ("where", &step.where_to_look),
            ("ask", &step.ask),
            ("caution", &step.caution),
        ] {
            if field.as_deref().is_some_and(|t| t.contains('\n')) {
                problems.add_at(
                    path,
                    at,
                    format!("step \"{id}\": `{name}` must be one line of plain text"),
                );
            }
        }
        let r = markdown::render(&step.todo);
        for problem in r.problems {
            problems.add_at(path, at, format!("step \"{id}\": {}", problem.message));
        }
        for link in &r.links {
            if link.slug.is_none() {
                problems.add_at(
                    path,
                    at,
                    format!(
                        "step \"{id}\": link \"{}\" has no page to point into; use /articles/<slug>#anchor",
                        link.target
                    ),
                );
            }
        }
        links.extend(r.links.into_iter().map(|link| (link, at)));
        rendered.insert(id, r.html);
    }
    for (step, at) in file.steps.iter().zip(lines.iter().copied()) {
        if step.next != TICKET && !by_id.contains_key(step.next.as_str()) {
            problems.add_at(
                path,
                at,
                format!(
                    "step \"{}\": next \"{}\" is not a step (use \"ticket\" to end the tree)",
                    step.id, step.next
                ),
            );
        }
    }

    check_replaces(path, &file, &by_id, &lines, problems);

    // File order only matters when there are problems, and then the tree is
    // never shown.
    let order = walk_order(path, &file, &by_id, &lines, problems)
        .unwrap_or_else(|| file.steps.iter().collect());

    Some(ParsedTree {
        path: path.to_string(),
        tree: Tree {
            code: code?,
            article: file.article.clone(),
            start: file.start.clone(),
            steps: order
                .into_iter()
                .map(|s| Step {
                    id: s.id.clone(),
                    check: s.check.trim().to_string(),
                    where_to_look: plain(&s.where_to_look),
                    ask: plain(&s.ask),
                    caution: plain(&s.caution),
                    replaces: s.replaces.clone(),
                    do_html: rendered.remove(s.id.as_str()).unwrap_or_default(),
                    do_text: markdown::plain_text(&s.todo),
                    next: match s.next.as_str() {
                        TICKET => Next::Ticket,
                        next => Next::Step(next.to_string()),
                    },
                })
                .collect(),
        },
        links,
    })
}

/// The file line of each step's `id`, one per step in file order, so that
/// a step's problems point into a long file. Read in a second, lenient pass
/// over a file the strict pass already accepted; should it fail, the
/// problems name no line rather than a wrong one.
fn step_lines(text: &str, steps: usize) -> Vec<Option<usize>> {
    #[derive(Deserialize)]
    struct Steps {
        #[serde(default, rename = "step")]
        steps: Vec<StepId>,
    }
    #[derive(Deserialize)]
    struct StepId {
        id: toml::Spanned<String>,
    }
    let mut lines: Vec<Option<usize>> = toml::from_str::<Steps>(text)
        .map(|file| {
            file.steps
                .iter()
                .map(|step| Some(1 + line_offset(text, step.id.span().start)))
                .collect()
        })
        .unwrap_or_default();
    lines.resize(steps, None);
    lines
}

/// `replaces` ids are well formed, each listed by one step only (an old id
/// must map to exactly one successor), and never a live step's id (a live
/// id already means itself).
fn check_replaces(
    path: &str,
    file: &TreeFile,
    by_id: &HashMap<&str, &StepFile>,
    lines: &[Option<usize>],
    problems: &mut Problems,
) {
    let mut claimed: HashMap<&str, &str> = HashMap::new();
    for (step, at) in file.steps.iter().zip(lines.iter().copied()) {
        for old in &step.replaces {
            let old = old.as_str();
            if !article::is_well_formed_id(old) {
                problems.add_at(
                    path,
                    at,
                    format!(
                        "step \"{}\": replaces \"{old}\", which is not a step id (lowercase letters, digits and '-')",
                        step.id
                    ),
                );
            }
            if by_id.contains_key(old) {
                problems.add_at(
                    path,
                    at,
                    format!(
                        "step \"{}\": replaces \"{old}\", which is a live step; a live id already stands for itself",
                        step.id
                    ),
                );
            }
            match claimed.insert(old, step.id.as_str()) {
                Some(first) if first == step.id => problems.add_at(
                    path,
                    at,
                    format!("step \"{}\": replaces \"{old}\" twice", step.id),
                ),
                Some(first) => problems.add_at(
                    path,
                    at,
                    format!(
                        "\"{old}\" is replaced by both \"{first}\" and \"{}\"; an old id needs exactly one successor",
                        step.id
                    ),
                ),
                None => {}
            }
        }
    }
}

/// Every id in `earlier` (the ids stored tickets, old links and deflection
/// counts may hold, see `retired_ids`) is still a step or listed in a step's
/// `replaces`. Listing one in two steps is reported by `check_replaces`.
pub(crate) fn check_earlier_ids(parsed: &ParsedTree, earlier: &[&str], problems: &mut Problems) {
    for old in earlier {
        if parsed.tree.current_id(old).is_none() {
            problems.add(
                &parsed.path,
                format!(
                    "step id \"{old}\" was used before and stored tickets and deflection counts name it: \
                     keep a step with that id or list it in one step's `replaces`"
                ),
            );
        }
    }
}

/// The steps in the order "No" leads through them, or `None` when that
/// order does not take in every step (the caller then keeps the file's
/// order, so the checks after this one still see every step rather than
/// report the ones cut off as gone). Reports a missing start, a cycle and
/// steps the walk never reaches (the last only when the chain itself is
/// sound, as a dangling `next` would make that list misleading).
fn walk_order<'a>(
    path: &str,
    file: &'a TreeFile,
    by_id: &HashMap<&str, &'a StepFile>,
    lines: &[Option<usize>],
    problems: &mut Problems,
) -> Option<Vec<&'a StepFile>> {
    let Some(mut current) = by_id.get(file.start.as_str()).copied() else {
        problems.add(path, format!("start \"{}\" is not a step", file.start));
        return None;
    };
    let mut order: Vec<&StepFile> = Vec::new();
    let mut seen = HashSet::new();
    let mut sound = true;
    loop {
        if !seen.insert(current.id.as_str()) {
            let from = order.iter().position(|s| s.id == current.id).unwrap_or(0);
            let cycle: Vec<&str> = order[from..]
                .iter()
                .map(|s| s.id.as_str())
                .chain([current.id.as_str()])
                .collect();
            problems.add(path, format!("steps form a cycle: {}", cycle.join(" -> ")));
            break;
        }
        order.push(current);
        if current.next == TICKET {
            break;
        }
        match by_id.get(current.next.as_str()) {
            Some(next) => current = next,
            None => {
                sound = false;
                break;
            }
        }
    }
    if sound {
        for (step, at) in file.steps.iter().zip(lines.iter().copied()) {
            if !seen.contains(step.id.as_str()) {
                problems.add_at(
                    path,
                    at,
                    format!(
                        "step \"{}\" cannot be reached from start \"{}\"",
                        step.id, file.start
                    ),
                );
            }
        }
    }
    (order.len() == file.steps.len()).then_some(order)
}

/// Rules that need the articles and every tree: one tree per code, and the
/// article and links each tree points at exist.
pub(crate) fn validate_set(
    trees: &[ParsedTree],
    articles: &[ParsedArticle],
    problems: &mut Problems,
) {
    let article = |slug: &str| articles.iter().map(|p| &p.article).find(|a| a.slug == slug);
    for code in ErrorCode::ALL {
        let count = trees.iter().filter(|t| t.tree.code == code).count();
        if count == 0 {
            problems.add(
                &format!("trees/{code}.toml"),
                format!(
                    "missing: every code ({}) needs a tree",
                    ErrorCode::keys(" ")
                ),
            );
        } else if count > 1 {
            problems.add(
                &format!("trees/{code}.toml"),
                format!("{count} trees have code = \"{code}\""),
            );
        }
    }
    for parsed in trees {
        if article(&parsed.tree.article).is_none() {
            problems.add(
                &parsed.path,
                format!("article \"{}\" does not exist", parsed.tree.article),
            );
        }
        for (link, line) in &parsed.links {
            let target = link.slug.as_deref().and_then(article);
            if let Some(problem) = article::broken_link(link, target) {
                problems.add_at(&parsed.path, *line, problem);
            }
        }
    }
}

#[cfg(test)]
mod tests;
