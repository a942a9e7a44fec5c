use time::macros::datetime;
use uuid::Uuid;

use super::*;
use crate::domain::{ErrorCode, HttpMethod, Zone};
use crate::tickets::{Detail, Environment, MailState, NewTicket, Priority, Wanted};

fn ticket() -> Ticket {
    Ticket {
        id: 12,
        token: Uuid::nil(),
        status: TicketStatus::New,
        priority: Priority::Normal,
        assignee_id: None,
        merged_into_id: None,
        first_response_at: None,
        due_at: None,
        similar_key: String::new(),
        created_at: datetime!(2026-11-27 08:20 UTC),
        updated_at: datetime!(2026-11-27 08:20 UTC),
        incident_id: None,
        fingerprint: String::new(),
        problem_id: None,
        folded: false,
        details: NewTicket {
            submission_id: Uuid::nil(),
            error_code: ErrorCode::parse("401").unwrap(),
            message: "HTTP GET failed: unauthorized (401) token=SECRET-TYPED".into(),
            endpoint: "/openapi/views/12/records?user_key=TYPED-KEY".into(),
            method: Some(HttpMethod::Get),
            occurred_at: Some(datetime!(2026-11-27 08:15 UTC)),
            time_zone: Zone::parse("Europe/Berlin").unwrap(),
            tool: Some(Tool::Other("<b>my tool</b>".into())),
            recent_changes: "Typed by <i>someone</i>".into(),
            environment: Environment::Production,
            name: "Typed Name".into(),
            email: "ada@example.com".into(),
            path: vec![],
            wanted: Wanted::default(),
            usage: None,
        },
    }
}

fn mail(kind: MailKind) -> MailRecord {
    MailRecord {
        id: 1,
        about: crate::tickets::MailAbout::Event {
            ticket_id: 12,
            event_id: 1,
        },
        kind,
        recipient: "ada@example.com".into(),
        message_key: "apidesk.x".into(),
        state: MailState::Pending,
        reason: String::new(),
        attempts: 0,
        next_attempt_at: None,
        created_at: datetime!(2026-11-27 08:20 UTC),
        sent_at: None,
        resend_of: None,
    }
}

/// An event by Sam from support, to fill in.
fn by_sam() -> TimelineEvent {
    TimelineEvent {
        id: 1,
        at: datetime!(2026-11-27 10:00 UTC),
        actor: EventActor::Staff {
            id: 1,
            name: "Sam".into(),
        },
        kind: EventKind::Note,
        public: false,
        body: String::new(),
    }
}

const LINK: &str = "https://help.example.com/tickets/00000000-0000-0000-0000-000000000000";

fn rendered(kind: MailKind, event: Option<&TimelineEvent>) -> Rendered {
    rendered_with(kind, event, false)
}

fn rendered_with(kind: MailKind, event: Option<&TimelineEvent>, replies: bool) -> Rendered {
    rendered_for(&ticket(), kind, event, replies)
}

fn rendered_for(
    ticket: &Ticket,
    kind: MailKind,
    event: Option<&TimelineEvent>,
    replies: bool,
) -> Rendered {
    let mail = mail(kind);
    render(&MailInput {
        mail: &mail,
        ticket,
        event,
        checks: vec!["Check that the user key is active".into()],
        public_url: "https://help.example.com".into(),
        replies,
    })
    .unwrap()
}

#[test]
fn when_replies_reach_apidesk_mail_invites_one_above_the_line_it_cuts_at() {
    let on = rendered_with(MailKind::Filed, None, true);
    for part in [&on.text, &on.html] {
        assert!(
            part.contains("Reply to this email to add information"),
            "{part}"
        );
        assert!(part.contains("reply to this email or use the link above"));
    }
    let first_line = on.text.lines().next().unwrap();
    assert_eq!(
        first_line,
        "## Write your reply above this line to add it to APD-000012. ##"
    );
    // What a client quotes of it is cut away again when the answer comes in.
    let answer = format!("Fixed, thanks.\n\n> {first_line}\n> We received your ticket");
    assert_eq!(
        crate::mail::inbound::read(
            format!("From: a@b.example\r\nMessage-ID: <x@b.example>\r\n\r\n{answer}").as_bytes()
        )
        .unwrap()
        .kind,
        crate::mail::inbound::Kind::Person {
            words: "Fixed, thanks.".into()
        }
    );
    let off = rendered(MailKind::Filed, None);
    for part in [&off.text, &off.html] {
        assert!(!part.contains("Reply to this email") && !part.contains("reply to this email"));
        assert!(!part.contains(REPLY_ABOVE));
    }
}

#[test]
fn the_confirmation_names_what_was_received_and_quotes_nothing_typed() {
    let mail = rendered(MailKind::Filed, None);
    assert_eq!(mail.subject, "[APD-000012] 401 Unauthorized on GET");
    for part in [&mail.text, &mail.html] {
        assert!(
            part.contains("We received your ticket APD-000012"),
            "{part}"
        );
        assert!(part.contains("Check that the user key is active"));
        assert!(part.contains(LINK));
        assert!(
            part.contains("27 Nov 2026, 09:15 CET"),
            "the time in their zone"
        );
        assert!(part.contains("another tool (named in your ticket)"));
        for typed in [
            "SECRET-TYPED",
            "TYPED-KEY",
            "my tool",
            "someone",
            "Typed Name",
        ] {
            assert!(
                !part.contains(typed),
                "{typed:?} must not be mailed:\n{part}"
            );
        }
    }
    assert!(mail.text.contains("- Full error message: received"));
    assert!(mail.text.contains("1. Check that the user key is active"));
}

#[test]
fn a_reply_quotes_supports_words_escaped_in_html_and_says_what_happens_next() {
    let event = TimelineEvent {
        kind: EventKind::Reply {
            status: Some(StatusMove {
                from: TicketStatus::Open,
                to: TicketStatus::Waiting,
            }),
        },
        public: true,
        body: "Which key do you use?\n\nSend <the> last 4 characters & the app.".into(),
        ..by_sam()
    };
    let mail = rendered(MailKind::Reply, Some(&event));
    assert_eq!(mail.subject, "Re: [APD-000012] 401 Unauthorized on GET");
    assert!(mail.text.contains("Sam from support wrote:"));
    assert!(
        mail.text
            .contains("> Which key do you use?\n>\n> Send <the> last 4")
    );
    assert!(
        mail.html
            .contains("Send &#60;the&#62; last 4 characters &#38; the app.")
            || mail
                .html
                .contains("Send &lt;the&gt; last 4 characters &amp; the app."),
        "{}",
        mail.html
    );
    assert!(!mail.html.contains("<the>"));
    assert!(mail.text.contains("Support needs something from you"));
    assert!(
        !mail.text.contains("What we received"),
        "a reply does not repeat the fields"
    );
}

#[test]
fn status_mails_say_what_the_requester_can_do() {
    let waiting = rendered(MailKind::Waiting, None);
    assert!(
        waiting
            .text
            .contains("Support is waiting for you on APD-000012")
    );
    let resolved = rendered(MailKind::Resolved, None);
    assert!(resolved.text.contains("it opens again"));
    assert!(resolved.html.contains(&format!("href=\"{LINK}\"")));
}

#[test]
fn staff_mail_links_the_staff_page_and_quotes_nothing_typed() {
    let assign = TimelineEvent {
        kind: EventKind::Assigned {
            from: None,
            to: Some(crate::tickets::StaffRef::id(2)),
        },
        ..by_sam()
    };
    let assigned = rendered(MailKind::StaffAssigned, Some(&assign));
    assert_eq!(
        assigned.subject,
        "[APD-000012] Assigned to you: 401 Unauthorized on GET"
    );
    assert!(assigned.text.contains("Sam assigned APD-000012 to you"));
    let urgent = rendered(MailKind::StaffUrgent, None);
    assert!(urgent.subject.contains("Needs attention fast"));
    for part in [&assigned.text, &assigned.html, &urgent.text, &urgent.html] {
        assert!(
            part.contains("https://help.example.com/staff/tickets/12"),
            "{part}"
        );
        assert!(
            !part.contains("/tickets/00000000"),
            "not the requester's private link"
        );
        for typed in [
            "SECRET-TYPED",
            "TYPED-KEY",
            "my tool",
            "someone",
            "Typed Name",
        ] {
            assert!(!part.contains(typed), "{typed:?}");
        }
    }
}

/// A ticket opened from a mail that named the code and method only.
fn opened_by_mail() -> Ticket {
    let mut ticket = ticket();
    let details = &mut ticket.details;
    details.endpoint = String::new();
    details.occurred_at = None;
    details.tool = None;
    details.wanted = Wanted::new([Detail::Endpoint, Detail::OccurredAt, Detail::Tool]);
    ticket
}

#[test]
fn a_ticket_opened_by_mail_is_confirmed_with_a_request_for_what_it_lacks() {
    let mail = rendered_for(&opened_by_mail(), MailKind::Filed, None, true);
    assert_eq!(mail.subject, "[APD-000012] 401 Unauthorized on GET");
    for part in [&mail.text, &mail.html] {
        assert!(
            part.contains("Your email opened ticket APD-000012"),
            "{part}"
        );
        assert!(
            part.contains(
                "support also needs the API endpoint, when it failed and the tool that made \
                 the call"
            ),
            "{part}"
        );
        assert!(part.contains("Add the missing details"));
        assert!(part.contains(&format!("{LINK}#details")));
        assert!(part.contains("not given yet"));
        assert!(part.contains("a mail from this address opened ticket APD-000012"));
        // Still nothing the sender wrote.
        for typed in ["SECRET-TYPED", "Typed Name", "someone"] {
            assert!(!part.contains(typed), "{typed} in {part}");
        }
    }
}
