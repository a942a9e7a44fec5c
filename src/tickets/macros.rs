//! Canned replies (macros): the ones staff write and share, and the ones
//! built from the knowledge base, one per step of a code's decision tree.
//! Both are plain text with placeholders filled when the text is put into
//! a reply; escaping is the page's business, never done here.

use super::{FieldErrors, MAX_EVENT_BODY_CHARS, Priority, TicketStatus, group_thousands};
use crate::kb::Tree;
use crate::staff::Role;

/// The longest macro title, in characters.
pub const MAX_MACRO_TITLE_CHARS: usize = 120;

/// The statuses a macro may set: where a reply leaves a ticket. Never
/// `New`: nothing goes back to it.
pub const MACRO_STATUSES: [TicketStatus; 4] = [
    TicketStatus::Open,
    TicketStatus::Waiting,
    TicketStatus::Resolved,
    TicketStatus::Closed,
];

/// A macro as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Macro {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub set_status: Option<TicketStatus>,
    pub set_priority: Option<Priority>,
    pub created_by: i64,
    /// The creator's name, for the list.
    pub creator: String,
}

/// A macro checked and ready to store (new or edited).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMacro {
    pub title: String,
    pub body: String,
    pub set_status: Option<TicketStatus>,
    pub set_priority: Option<Priority>,
}

impl NewMacro {
    /// Checks what the macro form sent: a title, a body within the reply
    /// limit, and a status and priority from the lists or empty ("leave it
    /// as it is"). Every problem at once, each beside its field.
    pub fn check(
        title: &str,
        body: &str,
        status: &str,
        priority: &str,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = super::without_hidden_controls(title);
        let title = title.trim();
        let title_chars = title.chars().count();
        if title_chars == 0 {
            errors.add(
                "title",
                "Give the macro a title, e.g. “Ask for the request ID”.",
            );
        } else if title_chars > MAX_MACRO_TITLE_CHARS {
            errors.add(
                "title",
                format!(
                    "Keep the title to {MAX_MACRO_TITLE_CHARS} characters or fewer (this is {title_chars})."
                ),
            );
        }
        let body = super::clean_text(body);
        let body = body.trim();
        let body_chars = body.chars().count();
        if body_chars == 0 {
            errors.add("body", "Write the reply the macro puts in.");
        } else if body_chars > MAX_EVENT_BODY_CHARS {
            errors.add(
                "body",
                format!(
                    "Keep it to {} characters or fewer (this is {}).",
                    group_thousands(MAX_EVENT_BODY_CHARS),
                    group_thousands(body_chars)
                ),
            );
        }
        let set_status = match status.trim() {
            "" => None,
            value => match TicketStatus::parse(value).filter(|s| MACRO_STATUSES.contains(s)) {
                Some(s) => Some(s),
                None => {
                    errors.add("set_status", "Choose a status from the list.");
                    None
                }
            },
        };
        let set_priority = match priority.trim() {
            "" => None,
            value => match Priority::parse(value) {
                Some(p) => Some(p),
                None => {
                    errors.add("set_priority", "Choose urgent, high, normal or low.");
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            title: title.to_string(),
            body: body.to_string(),
            set_status,
            set_priority,
        })
    }
}

/// Whether a staff member may change or delete a macro: the person who
/// wrote it, or an admin. Anyone may use it.
pub fn may_edit(staff_id: i64, role: Role, item: &Macro) -> bool {
    role.is_admin() || item.created_by == staff_id
}

/// The values placeholders stand for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placeholders {
    /// The requester's name as they gave it (may be empty).
    pub requester_name: String,
    pub reference: String,
    /// The signed-in staff member's name.
    pub agent_name: String,
    /// "401 Unauthorized".
    pub error_code: String,
}

/// The placeholders a macro may use, for the macros page.
pub const PLACEHOLDERS: [(&str, &str); 4] = [
    ("{{requester_name}}", "the requester’s name, or “there”"),
    ("{{reference}}", "the ticket’s reference, e.g. APD-000123"),
    ("{{agent_name}}", "your name"),
    ("{{error_code}}", "the error, e.g. 401 Unauthorized"),
];

impl Placeholders {
    /// The text with each known placeholder replaced, in one pass: a value
    /// that itself looks like a placeholder is left as it is, and unknown
    /// ones stay as typed, for the writer to see.
    pub fn fill(&self, text: &str) -> String {
        let name = self.requester_name.trim();
        let name = if name.is_empty() { "there" } else { name };
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let value = match after[..end].trim() {
                "requester_name" => Some(name),
                "reference" => Some(self.reference.as_str()),
                "agent_name" => Some(self.agent_name.as_str()),
                "error_code" => Some(self.error_code.as_str()),
                _ => None,
            };
            match value {
                Some(value) => {
                    out.push_str(value);
                    rest = &after[end + 2..];
                }
                None => {
                    out.push_str("{{");
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// A macro built from a tree step: not stored, made from the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepMacro {
    /// The step's id; the picker's value is `step:<id>`.
    pub step_id: String,
    /// The step's instruction, e.g. "Check that the UserKey is exactly right".
    pub title: String,
    /// Whether the requester already tried this step before filing.
    pub tried: bool,
    /// A reply to the requester, with placeholders.
    pub body: String,
}

/// One macro per step of the tree, in walk order: the step's "what to do"
/// written as a reply to the requester. `walked` is the path the requester
/// took (ids answered "still failing"), in stored ids; `base` is put before
/// a link to an article (the public address, or empty).
pub fn step_macros(tree: &Tree, walked: &[String], base: &str) -> Vec<StepMacro> {
    let walked: Vec<&str> = walked.iter().map(String::as_str).collect();
    let walked = tree.current_path(&walked);
    tree.steps
        .iter()
        .map(|step| {
            let mut body = format!(
                "Hello {{{{requester_name}}}},\n\nThank you for the details. Please try this next: {}.\n\n{}",
                lower_first(&step.check),
                with_base(&step.do_text, base)
            );
            if let Some(place) = &step.where_to_look {
                body.push_str(&format!("\n\nWhere to look: {place}"));
            }
            if let Some(ask) = &step.ask {
                body.push_str(&format!("\n\n{ask}"));
            }
            if let Some(caution) = &step.caution {
                body.push_str(&format!("\n\nBefore you change anything: {caution}"));
            }
            body.push_str(
                "\n\nIf the call still fails afterwards, reply here with what you found and we will take the next step with you.",
            );
            StepMacro {
                step_id: step.id.clone(),
                title: step.check.clone(),
                tried: walked.contains(&step.id.as_str()),
                body,
            }
        })
        .collect()
}

/// "Check the …" → "check the …", to follow "Please try this next:".
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Links to our own pages as full addresses, when the public address is known.
fn with_base(text: &str, base: &str) -> String {
    if base.is_empty() {
        return text.to_string();
    }
    text.replace(
        "(/articles/",
        &format!("({}/articles/", base.trim_end_matches('/')),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(created_by: i64) -> Macro {
        Macro {
            id: 1,
            title: "Ask for the request ID".into(),
            body: "Hello".into(),
            set_status: None,
            set_priority: None,
            created_by,
            creator: "Ana".into(),
        }
    }

    #[test]
    fn a_macro_needs_a_title_and_a_body_within_limits() {
        let errors = NewMacro::check(" ", "", "new", "panic").unwrap_err();
        for field in ["title", "body", "set_status", "set_priority"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let long = "x".repeat(MAX_EVENT_BODY_CHARS + 1);
        let errors = NewMacro::check(&"t".repeat(121), &long, "", "").unwrap_err();
        assert!(errors.get("title").unwrap().contains("120"));
        assert!(errors.get("body").unwrap().contains("10,001"));
        let ok = NewMacro::check(" Waiting ", "Hi\r\nthere ", "waiting", "high").unwrap();
        assert_eq!(
            ok,
            NewMacro {
                title: "Waiting".into(),
                body: "Hi\nthere".into(),
                set_status: Some(TicketStatus::Waiting),
                set_priority: Some(Priority::High),
            }
        );
        assert_eq!(NewMacro::check("T", "B", "", "").unwrap().set_status, None);
    }

    #[test]
    fn the_creator_or_an_admin_edits_a_macro() {
        assert!(may_edit(3, Role::Agent, &stored(3)));
        assert!(!may_edit(4, Role::Agent, &stored(3)));
        assert!(may_edit(4, Role::Admin, &stored(3)));
    }

    #[test]
    fn placeholders_are_filled_once_and_unknown_ones_kept() {
        let values = Placeholders {
            requester_name: "Dana <b>".into(),
            reference: "APD-000042".into(),
            agent_name: "{{reference}}".into(),
            error_code: "401 Unauthorized".into(),
        };
        assert_eq!(
            values.fill("Hi {{requester_name}}, about {{ reference }} ({{error_code}}), {{agent_name}}. {{unknown}} {{"),
            "Hi Dana <b>, about APD-000042 (401 Unauthorized), {{reference}}. {{unknown}} {{"
        );
        let nameless = Placeholders::default();
        assert_eq!(nameless.fill("Hello {{requester_name}}"), "Hello there");
    }
}
