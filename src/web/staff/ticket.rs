//! One ticket, for staff: everything the requester sent, what apidesk knows
//! around it (checks made, the matching article, similar tickets), its
//! timeline, and the forms of its actions (`ticket_actions` takes them).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use time::OffsetDateTime;

use super::session::CurrentStaff;
use super::ticket_mail::{Bounced, InboundRow, MailRow, bounced, inbound_rows, mail_rows};
use super::workspace::{
    InView, MacroChoice, OTHER_TICKETS_SHOWN, VIEWERS_WITHIN, macro_choices, next_in_view,
    steps_for, viewer_sentence,
};
use crate::attachments::Attachment;
use crate::domain::Zone;
use crate::error::{AppError, Result};
use crate::kb::Article;
use crate::staff::StaffMember;
use crate::store::SimilarTicket;
use crate::tickets::composer::Kind;
use crate::tickets::hints::{Reading, hints};
use crate::tickets::incident::Incident;
use crate::tickets::macros::Placeholders;
use crate::tickets::problem::{Problem, organisation};
use crate::tickets::{
    Endpoint, FieldErrors, MAX_EVENT_BODY_CHARS, OutgoingMail, Priority, Ticket, TicketStatus,
    TimelineEvent, group_thousands, reference_for, staff_label, staff_targets,
};
use crate::web::AppState;
use crate::web::csrf::CsrfToken;
use crate::web::format::{age, due, first_line, human_time_in, iso_time};
use crate::web::render::render;
use crate::web::uploads::FilesField;

/// How many similar tickets the page lists.
const SIMILAR_SHOWN: i64 = 10;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/tickets/{id}", get(show))
        .merge(super::ticket_actions::router())
        .merge(super::ticket_mail::router())
        .merge(super::workspace::router())
}

/// What was typed or chosen in a refused form, to show it again. `None`
/// (and an empty text) shows the ticket as it is.
#[derive(Debug, Default)]
pub(super) struct Kept {
    pub(super) assignee: Option<String>,
    pub(super) priority: Option<String>,
    pub(super) status: Option<String>,
    /// The composer's text, and whether it was a reply or a note.
    pub(super) text: String,
    pub(super) kind: Option<Kind>,
    pub(super) merge: String,
    pub(super) problem_reply: String,
    /// Files the composer kept (staged) from a submit that was not applied.
    pub(super) files: Vec<Attachment>,
}

/// How the page is shown: after a refused action, with what was typed and
/// the message beside its field; after a 303, with its confirmation.
#[derive(Debug, Default)]
pub(super) struct Shown {
    pub(super) kept: Kept,
    pub(super) errors: FieldErrors,
    pub(super) flash: Option<&'static str>,
    pub(super) answered: Option<usize>,
    /// The queue view the page was opened from.
    pub(super) view: Option<InView>,
    /// Events by others since the composer was loaded: it was not applied.
    pub(super) conflict: Vec<i64>,
    /// A canned reply to put in the composer (`?macro=`).
    pub(super) macro_choice: String,
}

/// One of the requester's other tickets.
struct OtherTicket {
    id: i64,
    reference: String,
    status: TicketStatus,
    code: String,
    created: String,
    first_line: String,
}

/// A timeline entry as the page shows it.
struct TimelineRow {
    who: String,
    /// What happened; when it names another ticket, the text before the
    /// link, with `what_after` after it.
    what: String,
    what_after: String,
    when: String,
    at: String,
    body: String,
    public: bool,
    kind: &'static str,
    link: Option<(String, String)>,
    /// The files that came with it.
    files: Vec<Attachment>,
}

/// The problem the ticket belongs to, as its panel shows it.
struct ProblemPanel {
    problem: Problem,
    lead: String,
    /// This ticket leads it: its queue row stands for the problem.
    leads: bool,
    organisation: String,
    first_seen: String,
    last_seen: String,
    members: Vec<MemberRow>,
    /// Members beyond those listed.
    more: i64,
    /// How many tickets one answer reaches: the lead and its folded
    /// members still unsettled (0 unless this ticket leads).
    answers: usize,
}

struct MemberRow {
    id: i64,
    reference: String,
    status: TicketStatus,
    created: String,
    email: String,
    folded: bool,
}

struct SimilarRow {
    ticket: SimilarTicket,
    first_line: String,
    created: String,
}

#[derive(Template)]
#[template(path = "staff/ticket.html")]
struct TicketPage<'a> {
    me: StaffMember,
    csrf: CsrfToken,
    ticket: Ticket,
    reference: String,
    occurred_at: String,
    created_at: String,
    updated_at: String,
    checked: Vec<String>,
    article: &'a Article,
    similar: Vec<SimilarRow>,
    /// "due in 3 h" / "overdue 2 d", while a first response is owed.
    due: Option<(String, bool)>,
    due_at: Option<String>,
    first_response: Option<String>,
    priority_rule: &'static str,
    target: String,
    assignee: Option<StaffMember>,
    staff: Vec<StaffMember>,
    priorities: [Priority; 4],
    timeline: Vec<TimelineRow>,
    /// What the requester was mailed, and how delivery went.
    mail: Vec<MailRow>,
    /// Whether outgoing mail is switched off (no SMTP configured).
    mail_off: bool,
    /// The mail received for the ticket, and what was done with each.
    received: Vec<InboundRow>,
    /// When mail to the requester last came back undeliverable.
    bounced: Option<Bounced>,
    /// The survivor's id and reference, when this ticket is merged.
    merged_into: Option<(i64, String)>,
    /// What is worth checking first (`tickets::hints`), for staff.
    hints: Vec<String>,
    /// The known incident the ticket was filed during.
    incident: Option<Incident>,
    problem: Option<ProblemPanel>,
    /// After a problem's answer: how many tickets it answered.
    answered: Option<usize>,
    /// The endpoint understood: its host, its shape with ids as `{id}`, and
    /// its query's keys.
    endpoint_host: Option<String>,
    endpoint_shape: String,
    query_keys: String,
    kept: Kept,
    errors: FieldErrors,
    flash: Option<&'static str>,
    max_body: usize,
    max_body_text: String,
    /// The newest event shown: the composer's `seen`.
    last_event: i64,
    /// The statuses the composer offers: the current one, then the moves.
    status_options: Vec<TicketStatus>,
    /// The assignee when their account is disabled (not in `staff`).
    disabled_assignee: Option<StaffMember>,
    /// The composer's text and kind.
    composer_text: String,
    /// The composer's file field, and where the ticket's files are served.
    files: FilesField,
    files_base: String,
    composer_kind: Kind,
    view: Option<InView>,
    /// The next ticket in the view, if any.
    next_url: Option<String>,
    /// "Sam opened this ticket 2 minutes ago."
    viewers: Vec<String>,
    /// What others did since the composer was loaded.
    conflict: Vec<TimelineRow>,
    conflict_lead: String,
    shared_macros: Vec<MacroChoice>,
    step_macros: Vec<MacroChoice>,
    macro_choice: String,
    code_label: String,
    other_tickets: Vec<OtherTicket>,
}

impl TicketPage<'_> {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field)
    }

    /// Takes the status by value or by reference, as the template has it.
    fn status_name(&self, status: impl std::borrow::Borrow<TicketStatus>) -> &'static str {
        staff_label(*status.borrow())
    }

    /// The option to show selected in the assignee list.
    fn assignee_choice(&self) -> String {
        self.kept.assignee.clone().unwrap_or_else(|| {
            self.ticket
                .assignee_id
                .map_or_else(|| "none".to_string(), |id| id.to_string())
        })
    }

    fn priority_choice(&self) -> String {
        self.kept
            .priority
            .clone()
            .unwrap_or_else(|| self.ticket.priority.as_str().to_string())
    }

    fn status_choice(&self) -> String {
        self.kept
            .status
            .clone()
            .unwrap_or_else(|| self.ticket.status.as_str().to_string())
    }

    fn is_note(&self) -> bool {
        self.composer_kind == Kind::Note
    }

    fn assignee_value(&self) -> String {
        self.ticket
            .assignee_id
            .map_or_else(|| "none".to_string(), |id| id.to_string())
    }

    fn assigned_to_me(&self) -> bool {
        self.ticket.assignee_id == Some(self.me.id)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ShowQuery {
    done: String,
    /// How many tickets a problem's answer reached (`done=problem`).
    answered: String,
    /// The queue view the page was opened from (`workspace::InView`).
    view: String,
    /// A canned reply to put in the composer.
    #[serde(rename = "macro")]
    macro_choice: String,
}

/// The confirmation shown after a 303; only these fixed texts, never
/// anything from the query string itself.
fn flash_for(done: &str) -> Option<&'static str> {
    Some(match done {
        "assigned" => "Assignment saved.",
        "priority" => "Priority saved.",
        "status" => "Status changed.",
        "note" => "Internal note added.",
        "reply" => "Reply sent: the requester sees it on their status page.",
        "merged" => "Ticket merged.",
        "split" => "Ticket split out of its problem: it is worked on its own from now on.",
        "resent" => "The mail is sent again.",
        "unchanged" => "Nothing to change: the ticket was already like that.",
        "updated" => "Ticket updated.",
        "next" => "Saved. This is the next ticket in your view.",
        _ => return None,
    })
}

pub(super) fn ticket_id(raw: &str) -> Result<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(AppError::NotFound)
}

async fn show(
    State(state): State<AppState>,
    CurrentStaff(me): CurrentStaff,
    csrf: CsrfToken,
    Path(id): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response> {
    let id = ticket_id(&id)?;
    let shown = Shown {
        flash: flash_for(&query.done),
        answered: (query.done == "problem")
            .then(|| query.answered.parse().ok())
            .flatten(),
        view: InView::read(&query.view),
        macro_choice: query.macro_choice.trim().to_string(),
        ..Shown::default()
    };
    page(&state, me, csrf, id, shown)
        .await
        .map(|html| html.into_response())
}

pub(super) async fn page(
    state: &AppState,
    me: StaffMember,
    csrf: CsrfToken,
    id: i64,
    shown: Shown,
) -> Result<axum::response::Html<String>> {
    let now = OffsetDateTime::now_utc();
    let zone = me.time_zone.clone();
    let store = &state.store;
    let ticket = store.ticket_by_id(id).await?.ok_or(AppError::NotFound)?;
    // Whoever has the page open is named to the others (collision notice).
    store.touch_viewer(id, me.id, now).await?;
    let viewers = store
        .recent_viewers(id, me.id, now - VIEWERS_WITHIN)
        .await?
        .into_iter()
        .map(|v| viewer_sentence(&v.name, v.seen_at, now))
        .collect();
    let staff = store.active_staff().await?;
    let assignee = match ticket.assignee_id {
        Some(aid) => match staff.iter().find(|s| s.id == aid) {
            Some(found) => Some(found.clone()),
            None => store.staff_by_id(aid).await?,
        },
        None => None,
    };
    let events = store.ticket_timeline(id).await?;
    let last_event = events.last().map_or(0, |e| e.id);
    let conflict: Vec<TimelineRow> = events
        .iter()
        .filter(|e| shown.conflict.contains(&e.id))
        .map(|event| timeline_row(event, &zone))
        .collect();
    let conflict_lead = conflict_lead(&conflict);
    let mut files = store.ticket_files(id, false).await?;
    let timeline = events
        .iter()
        .map(|event| TimelineRow {
            files: files
                .extract_if(.., |file| file.event_id == Some(event.id))
                .collect(),
            ..timeline_row(event, &zone)
        })
        .collect();
    let other_tickets = store
        .requester_tickets(&ticket.details.email, id, OTHER_TICKETS_SHOWN)
        .await?
        .into_iter()
        .map(|t| OtherTicket {
            id: t.id,
            reference: reference_for(t.id),
            status: t.status,
            code: t.error_code.label(),
            created: human_time_in(t.created_at, &zone),
            first_line: first_line(&t.message_start),
        })
        .collect();
    let next_url = match &shown.view {
        Some(view) => next_in_view(state, &me, &ticket, view, now)
            .await?
            .map(|next| view.ticket_url(next)),
        None => None,
    };
    let placeholders = Placeholders {
        requester_name: ticket.details.name.clone(),
        reference: ticket.reference(),
        agent_name: me.name.clone(),
        error_code: ticket.details.error_code.label(),
    };
    let shared = store.macros().await?;
    let (shared_macros, step_macros) =
        macro_choices(&shared, &steps_for(state, &ticket), &placeholders);
    let mut kept = shown.kept;
    let status_options: Vec<TicketStatus> = std::iter::once(ticket.status)
        .chain(staff_targets(ticket.status))
        .collect();
    // A canned reply asked for puts its text and settings in the composer,
    // unless something typed is being shown again.
    if kept.text.is_empty()
        && let Some(choice) = shared_macros
            .iter()
            .chain(&step_macros)
            .find(|c| c.value == shown.macro_choice)
    {
        kept.text = choice.body.clone();
        kept.kind = Some(Kind::Reply);
        if status_options
            .iter()
            .any(|s| s.as_str() == choice.status && *s != ticket.status)
        {
            kept.status = Some(choice.status.clone());
        }
        if !choice.priority.is_empty() {
            kept.priority = Some(choice.priority.clone());
        }
    }
    let disabled_assignee = ticket
        .assignee_id
        .filter(|aid| !staff.iter().any(|s| s.id == *aid))
        .and_then(|_| assignee.clone());
    let similar = store
        .similar_tickets(&ticket, SIMILAR_SHOWN)
        .await?
        .into_iter()
        .map(|t| SimilarRow {
            first_line: first_line(&t.message_start),
            created: human_time_in(t.created_at, &zone),
            ticket: t,
        })
        .collect();
    let code = ticket.details.error_code;
    let kb = state.kb.get();
    let owes_response = ticket.first_response_at.is_none()
        && matches!(ticket.status, TicketStatus::New | TicketStatus::Open);
    let site = kb.site();
    let details = &ticket.details;
    let hints = hints(&Reading::of(details), site)
        .iter()
        .map(|hint| hint.for_staff(site))
        .collect();
    let endpoint = Endpoint::parse(&details.endpoint);
    let (endpoint_host, endpoint_shape) = (endpoint.host.clone(), endpoint.shape());
    let query_keys = endpoint.query_keys.join(", ");
    let incident = match ticket.incident_id {
        Some(id) => state.store.incident(id).await?,
        None => None,
    };
    let problem = match ticket.problem_id {
        Some(problem) => problem_panel(state, &ticket, problem, &zone, now).await?,
        None => None,
    };
    let page = TicketPage {
        incident,
        problem,
        answered: shown.answered,
        hints,
        endpoint_host,
        endpoint_shape,
        query_keys,
        reference: ticket.reference(),
        occurred_at: ticket
            .details
            .occurred_at
            .map(|at| occurred_text(at, &zone, &ticket.details.time_zone))
            .unwrap_or_default(),
        created_at: human_time_in(ticket.created_at, &zone),
        updated_at: human_time_in(ticket.updated_at, &zone),
        checked: kb.checks_made(Some(code), &ticket.details.path),
        article: kb.article_for(code),
        similar,
        due: ticket
            .due_at
            .filter(|_| owes_response)
            .map(|at| due(at, now)),
        due_at: ticket.due_at.map(|at| human_time_in(at, &zone)),
        first_response: ticket.first_response_at.map(|at| human_time_in(at, &zone)),
        priority_rule: Priority::RULE,
        target: target_text(state.config.response_targets.for_priority(ticket.priority)),
        assignee,
        staff,
        priorities: Priority::ALL,
        timeline,
        last_event,
        status_options,
        disabled_assignee,
        composer_text: kept.text.clone(),
        files: FilesField::new("Attach files", &state.config.attachments.limits())
            .with_kept(kept.files.clone()),
        files_base: format!("/staff/tickets/{id}/files"),
        composer_kind: kept.kind.unwrap_or_default(),
        view: shown.view,
        next_url,
        viewers,
        conflict,
        conflict_lead,
        shared_macros,
        step_macros,
        macro_choice: shown.macro_choice,
        code_label: ticket.details.error_code.label(),
        other_tickets,
        mail: mail_rows(store.ticket_mail(id).await?, &zone),
        mail_off: state.outgoing_mail == OutgoingMail::Off,
        received: inbound_rows(store.ticket_inbound(id).await?, &zone),
        bounced: store
            .bounced_address(&ticket.details.email)
            .await?
            .map(|b| bounced(b, &zone)),
        merged_into: ticket
            .merged_into_id
            .map(|into| (into, reference_for(into))),
        ticket,
        me,
        csrf,
        kept,
        errors: shown.errors,
        flash: shown.flash,
        max_body: MAX_EVENT_BODY_CHARS,
        max_body_text: group_thousands(MAX_EVENT_BODY_CHARS),
    };
    render(&page)
}

/// How many of a problem's tickets its panel lists.
const MEMBERS_SHOWN: u32 = 20;

async fn problem_panel(
    state: &AppState,
    ticket: &Ticket,
    id: i64,
    zone: &Zone,
    now: OffsetDateTime,
) -> Result<Option<ProblemPanel>> {
    let store = &state.store;
    let Some(problem) = store.problem(id).await? else {
        return Ok(None);
    };
    let leads = problem.lead_id == ticket.id;
    let answers =
        if leads && !matches!(ticket.status, TicketStatus::Resolved | TicketStatus::Closed) {
            1 + store.folded_members(&[ticket.id], true).await?.len()
        } else {
            0
        };
    let members: Vec<MemberRow> = store
        .problem_members(id, MEMBERS_SHOWN)
        .await?
        .into_iter()
        .map(|m| MemberRow {
            reference: reference_for(m.id),
            created: human_time_in(m.created_at, zone),
            id: m.id,
            status: m.status,
            email: m.requester_email,
            folded: m.folded,
        })
        .collect();
    Ok(Some(ProblemPanel {
        lead: reference_for(problem.lead_id),
        leads,
        organisation: organisation(&ticket.details.email),
        first_seen: format!(
            "{} ({} ago)",
            human_time_in(problem.first_seen, zone),
            age(problem.first_seen, now)
        ),
        last_seen: format!(
            "{} ({} ago)",
            human_time_in(problem.last_seen, zone),
            age(problem.last_seen, now)
        ),
        more: (problem.occurrences - members.len() as i64).max(0),
        members,
        answers,
        problem,
    }))
}

/// The failure time in the agent's zone, and on the requester's clock too
/// when that differs: what they will quote from their logs.
fn occurred_text(at: OffsetDateTime, mine: &Zone, theirs: &Zone) -> String {
    let shown = human_time_in(at, mine);
    if mine == theirs {
        return shown;
    }
    format!(
        "{shown} ({} on the requester’s clock, {theirs})",
        human_time_in(at, theirs)
    )
}

fn timeline_row(event: &TimelineEvent, zone: &Zone) -> TimelineRow {
    use crate::tickets::EventKind as K;
    let kind = match event.kind {
        K::Created { .. } => "created",
        K::DetailsGiven { .. } => "requester-reply",
        K::Assigned { .. } => "assigned",
        K::Priority { .. } => "priority",
        K::Status { .. } => "status",
        K::Note => "note",
        K::Reply { .. } => "reply",
        K::RequesterReply { .. } => "requester-reply",
        K::MailNote { .. } => "note",
        K::Merged { .. } | K::MergedFrom { .. } | K::SplitOut { .. } => "merge",
        K::Other(_) => "other",
    };
    let summary = event.summary_for_staff();
    let link = event
        .linked_ticket()
        .map(|id| (format!("/staff/tickets/{id}"), reference_for(id)));
    let (what, what_after) = match &link {
        Some((_, label)) => match summary.find(label.as_str()) {
            Some(at) => (
                summary[..at].to_string(),
                summary[at + label.len()..].to_string(),
            ),
            None => (format!("{summary}: "), String::new()),
        },
        None => (summary, String::new()),
    };
    TimelineRow {
        who: event.actor_for_staff(),
        what,
        what_after,
        when: human_time_in(event.at, zone),
        at: iso_time(event.at),
        body: event.body.clone(),
        public: event.public,
        kind,
        link,
        files: Vec::new(),
    }
}

/// The first line of the notice after someone else's change: "Sam replied
/// to the requester while you were writing — read it, then send again."
fn conflict_lead(rows: &[TimelineRow]) -> String {
    match rows {
        [] => String::new(),
        [one] => format!(
            "{} {}{} while you were writing — read it, then send again.",
            one.who,
            one.what,
            one.link
                .as_ref()
                .map_or(String::new(), |(_, label)| format!(
                    "{label}{}",
                    one.what_after
                ))
        ),
        [first, ..] => {
            let mut names: Vec<&str> = rows.iter().map(|r| r.who.as_str()).collect();
            names.dedup();
            let who = if names.len() == 1 {
                first.who.clone()
            } else {
                "Others".to_string()
            };
            format!(
                "{who} made {} changes while you were writing — read them, then send again.",
                rows.len()
            )
        }
    }
}

fn target_text(d: time::Duration) -> String {
    let minutes = d.whole_minutes();
    if minutes >= 48 * 60 && minutes % (24 * 60) == 0 {
        format!("{} d", d.whole_days())
    } else if minutes >= 60 && minutes % 60 == 0 {
        format!("{} h", d.whole_hours())
    } else {
        format!("{minutes} min")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_flashes_are_shown() {
        assert_eq!(flash_for("note"), Some("Internal note added."));
        assert_eq!(flash_for("<script>"), None);
        assert_eq!(flash_for(""), None);
    }

    #[test]
    fn targets_read_compactly() {
        assert_eq!(target_text(time::Duration::minutes(30)), "30 min");
        assert_eq!(target_text(time::Duration::hours(4)), "4 h");
        assert_eq!(target_text(time::Duration::days(3)), "3 d");
        assert_eq!(target_text(time::Duration::minutes(90)), "90 min");
    }
}
