//! What each mail to a requester says: one view per mail, shown through a
//! plain-text and an HTML template (`templates/mail/`).
//!
//! The confirmation quotes nothing the requester typed: their address is
//! not verified, so a ticket must not become a way to send someone else's
//! words (or pasted credentials) to any mailbox. It names what was received
//! and repeats only values chosen from apidesk's own lists.

use askama::Template;

use super::inbound::REPLY_ABOVE;
use crate::domain::human_time_in;
use crate::tickets::{
    Detail, EventActor, EventKind, MailKind, MailRecord, StatusMove, Ticket, TicketStatus,
    TimelineEvent, Tool,
};

/// A rendered mail: its subject and both bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What a mail is about.
pub struct MailInput<'a> {
    pub mail: &'a MailRecord,
    pub ticket: &'a Ticket,
    /// The event the mail tells about (a reply's text and author).
    pub event: Option<&'a TimelineEvent>,
    /// The checks the requester made, as headings.
    pub checks: Vec<String>,
    /// Where people reach apidesk, e.g. "https://help.example.com".
    pub public_url: String,
    /// Whether answers to this mail reach the ticket (`--mail-replies`).
    pub replies: bool,
}

struct MailView {
    /// The line above which a reply is written (what `inbound::trim` cuts
    /// at), when replies reach apidesk.
    reply_above: Option<String>,
    subject: String,
    heading: String,
    paragraphs: Vec<String>,
    /// Who wrote, and their words with each line marked as quoted.
    quote: Option<(String, String)>,
    /// The quoted words as written, for the HTML part.
    quote_body: String,
    facts: Vec<(&'static str, String)>,
    checks: Vec<String>,
    /// Several tickets, each (what it is, its link).
    links: Vec<(String, String)>,
    link: String,
    link_label: &'static str,
    footer: String,
}

#[derive(Template)]
#[template(path = "mail/message.txt")]
struct TextMail<'a> {
    view: &'a MailView,
}

#[derive(Template)]
#[template(path = "mail/message.html")]
struct HtmlMail<'a> {
    view: &'a MailView,
}

/// The subject every mail about a ticket shares, so a mail client keeps
/// them in one thread: "[APD-000012] 401 Unauthorized on GET".
pub fn thread_subject(ticket: &Ticket) -> String {
    format!("[{}] {}", ticket.reference(), ticket_title(ticket))
}

pub fn render(input: &MailInput<'_>) -> Result<Rendered, askama::Error> {
    let view = view(input);
    Ok(Rendered {
        text: TextMail { view: &view }.render()?,
        html: HtmlMail { view: &view }.render()?,
        subject: view.subject,
    })
}

fn view(input: &MailInput<'_>) -> MailView {
    let ticket = input.ticket;
    if input.mail.kind.is_for_staff() {
        return staff_view(input);
    }
    let reference = ticket.reference();
    let subject = thread_subject(ticket);
    let mut view = MailView {
        reply_above: input
            .replies
            .then(|| format!("{REPLY_ABOVE} to add it to {reference}.")),
        subject: format!("Re: {subject}"),
        heading: String::new(),
        paragraphs: Vec::new(),
        quote: None,
        quote_body: String::new(),
        facts: Vec::new(),
        checks: Vec::new(),
        links: Vec::new(),
        link: format!("{}/tickets/{}", input.public_url, ticket.token),
        link_label: "Open your ticket",
        footer: if input.replies {
            format!(
                "You get this mail because this address was given when ticket {reference} was \
                 filed. To add information, reply to this email or use the link above: either \
                 way it goes on the ticket."
            )
        } else {
            format!(
                "You get this mail because this address was given when ticket {reference} was \
                 filed. To add information, use the link above: it keeps everything with the \
                 ticket."
            )
        },
    };
    match input.mail.kind {
        MailKind::Filed if !ticket.details.wanted.is_empty() => {
            // Opened from their mail: ask for what it did not say. Their
            // words are not repeated (the sender is not verified either).
            view.subject = subject;
            view.heading = format!("Your email opened ticket {reference}");
            view.paragraphs = vec![
                format!(
                    "To look into the failure, support also needs {}. Please add them on \
                     your ticket's page; it takes a minute, and support sees them at once.",
                    ticket.details.wanted.sentence()
                ),
                "Keep this mail: its link is the private way back to your ticket.".into(),
            ];
            view.link_label = "Add the missing details";
            view.link = format!("{}#details", view.link);
            view.facts = received(ticket);
            view.footer = format!(
                "You get this mail because a mail from this address opened ticket {reference}. \
                 If you did not write to us, ignore it: nothing else happens."
            );
        }
        MailKind::Filed => {
            view.subject = subject;
            view.heading = format!("We received your ticket {reference}");
            view.paragraphs = vec![
                "Support will look at it and answer on your ticket's page; you will get a mail \
                 when they do."
                    .into(),
                if input.replies {
                    "Reply to this email to add information (a screenshot's words, a log \
                     line, what changed); keep it, too: its link is the private way back to \
                     your ticket."
                        .into()
                } else {
                    "Keep this mail: its link is the private way back to your ticket.".into()
                },
            ];
            view.facts = received(ticket);
            view.checks = input.checks.clone();
        }
        MailKind::Reply => {
            view.heading = format!("Support replied on {reference}");
            let who = match input.event.map(|e| &e.actor) {
                Some(EventActor::Staff { name, .. }) => format!("{name} from support"),
                _ => "Support".into(),
            };
            let body = input.event.map(|e| e.body.clone()).unwrap_or_default();
            view.quote = Some((who, quoted(&body)));
            view.quote_body = body;
            if let Some(EventKind::Reply {
                status: Some(StatusMove { to, .. }),
            }) = input.event.map(|e| &e.kind)
            {
                view.paragraphs.push(status_news(*to));
            }
        }
        MailKind::Waiting => {
            view.heading = format!("Support is waiting for you on {reference}");
            view.paragraphs = vec![status_news(TicketStatus::Waiting)];
        }
        MailKind::Resolved => {
            view.heading = format!("Support resolved {reference}");
            view.paragraphs = vec![status_news(TicketStatus::Resolved)];
        }
        MailKind::StaffUrgent | MailKind::StaffAssigned | MailKind::Links => {}
    }
    view
}

/// A mail to staff: what happened and the link to the ticket's staff page.
/// It repeats nothing the requester typed either: mail is read on phones
/// and in notification previews.
fn staff_view(input: &MailInput<'_>) -> MailView {
    let ticket = input.ticket;
    let reference = ticket.reference();
    let (subject, heading, paragraph) = match input.mail.kind {
        MailKind::StaffUrgent => (
            format!(
                "[{reference}] Needs attention fast: {}",
                ticket_title(ticket)
            ),
            format!("{reference} needs attention fast"),
            format!(
                "{} in {}, priority {}. Its first response is due {}.",
                ticket_title(ticket),
                ticket.details.environment.label().to_lowercase(),
                ticket.priority.label().to_lowercase(),
                ticket
                    .due_at
                    .map(|at| human_time_in(at, &crate::domain::Zone::utc()))
                    .unwrap_or_else(|| "soon".into())
            ),
        ),
        _ => {
            let by = match input.event.map(|e| &e.actor) {
                Some(EventActor::Staff { name, .. }) => name.clone(),
                _ => "Someone".into(),
            };
            (
                format!("[{reference}] Assigned to you: {}", ticket_title(ticket)),
                format!("{by} assigned {reference} to you"),
                format!("{} ({}).", ticket_title(ticket), ticket.priority.label()),
            )
        }
    };
    MailView {
        reply_above: None,
        subject,
        heading,
        paragraphs: vec![paragraph],
        quote: None,
        quote_body: String::new(),
        facts: Vec::new(),
        checks: Vec::new(),
        links: Vec::new(),
        link: format!("{}/staff/tickets/{}", input.public_url, ticket.id),
        link_label: "Open the ticket",
        footer: "You get this mail because you chose it under My settings in apidesk; \
                 change it there."
            .into(),
    }
}

/// "Email me my tickets": the private link of each of `tickets`, newest
/// first. Someone asked for it by typing this address, so it says so and
/// that nothing else changed.
pub fn render_links(tickets: &[Ticket], public_url: &str) -> Result<Rendered, askama::Error> {
    let links = tickets
        .iter()
        .map(|ticket| {
            (
                format!(
                    "{}: {} ({})",
                    ticket.reference(),
                    ticket_title(ticket),
                    ticket.status.label().to_lowercase()
                ),
                format!("{public_url}/tickets/{}", ticket.token),
            )
        })
        .collect();
    let view = MailView {
        reply_above: None,
        subject: "Your apidesk tickets".into(),
        heading: "The links to your tickets".into(),
        paragraphs: vec![
            "Someone, probably you, asked for the links to the tickets filed with this address. \
             Here are the ones support is still working on; each link is private, so keep this \
             mail to yourself."
                .into(),
        ],
        quote: None,
        quote_body: String::new(),
        facts: Vec::new(),
        checks: Vec::new(),
        links,
        link: format!("{public_url}/tickets/new"),
        link_label: "File a new ticket",
        footer: "If you did not ask for this, you can ignore it: nothing was changed, and the \
                 links were sent only to this address."
            .into(),
    };
    Ok(Rendered {
        text: TextMail { view: &view }.render()?,
        html: HtmlMail { view: &view }.render()?,
        subject: view.subject,
    })
}

/// "401 Unauthorized on GET".
fn ticket_title(ticket: &Ticket) -> String {
    ticket.details.title()
}

/// What a status means for the requester, in a sentence.
fn status_news(status: TicketStatus) -> String {
    match status {
        TicketStatus::Waiting => {
            "Support needs something from you before they can go on: the ticket's page says \
             what. Add it there and the ticket goes back to them."
        }
        TicketStatus::Resolved => {
            "Support believes the problem is solved. If it is not, add information on the \
             ticket's page and it opens again."
        }
        TicketStatus::Closed => "The ticket is closed.",
        TicketStatus::New | TicketStatus::Open => "Support is working on the ticket.",
    }
    .to_string()
}

/// The fields received, by name; values only where they come from apidesk's
/// own lists, never text the requester typed.
fn received(ticket: &Ticket) -> Vec<(&'static str, String)> {
    let details = &ticket.details;
    let given = |text: &str| {
        if text.trim().is_empty() {
            "not given".to_string()
        } else {
            "received".to_string()
        }
    };
    let wanted = "not given yet".to_string();
    let tool = match &details.tool {
        Some(Tool::Other(_)) => "another tool (named in your ticket)".to_string(),
        Some(known) => known.label(),
        None => wanted.clone(),
    };
    let code = if details.wanted.contains(Detail::ErrorCode) {
        wanted.clone()
    } else {
        details.error_code.label()
    };
    vec![
        ("Error", code),
        (
            "HTTP method",
            details.method.map_or(wanted.clone(), |m| m.to_string()),
        ),
        (
            "When it failed",
            details
                .occurred_at
                .map_or(wanted, |at| human_time_in(at, &details.time_zone)),
        ),
        ("Integration tool", tool),
        ("Environment", details.environment.label().to_string()),
        ("Full error message", given(&details.message)),
        (
            "API endpoint",
            if details.wanted.contains(Detail::Endpoint) {
                "not given yet".into()
            } else {
                given(&details.endpoint)
            },
        ),
        (
            "Recent configuration changes",
            given(&details.recent_changes),
        ),
    ]
}

/// `text` with each line marked as quoted ("> "), as plain-text mail does.
fn quoted(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.is_empty() {
                ">".to_string()
            } else {
                format!("> {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests;
