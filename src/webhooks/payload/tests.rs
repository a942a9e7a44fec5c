use serde_json::{Value, json};
use time::macros::datetime;

use super::*;

fn ticket() -> Subject {
    Subject::Ticket(TicketFacts {
        id: 12,
        reference: "APD-000012".into(),
        error_code: "401".into(),
        method: Some("GET".into()),
        endpoint: "https://api.example.com/v1/records?a=1&b=<2>".into(),
        tool: Some("workato".into()),
        environment: "production".into(),
        status: "new".into(),
        priority: "high".into(),
        message: "HTTP GET failed: unauthorized (401)".into(),
    })
}

fn delivery(event: WebhookEvent, subject: &Subject) -> Delivery<'_> {
    Delivery {
        event,
        id: Uuid::parse_str("0b5e0d4e-7c1a-4a8e-9a57-2f1f3c1d9b10").unwrap(),
        occurred_at: datetime!(2026-03-02 10:15:30.25 UTC),
        subject,
    }
}

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

#[test]
fn a_ticket_event_in_json_carries_the_ticket_and_its_staff_link() {
    let subject = ticket();
    let sent = body(
        Format::Json,
        &delivery(WebhookEvent::TicketFiled, &subject),
        Some("https://help.example.com"),
    );
    assert_eq!(
        json_of(&sent),
        json!({
            "event": "ticket.filed",
            "id": "0b5e0d4e-7c1a-4a8e-9a57-2f1f3c1d9b10",
            "occurred_at": "2026-03-02T10:15:30Z",
            "ticket": {
                "id": 12,
                "reference": "APD-000012",
                "error_code": "401",
                "method": "GET",
                "endpoint": "https://api.example.com/v1/records?a=1&b=<2>",
                "tool": "workato",
                "environment": "production",
                "status": "new",
                "priority": "high",
                "message": "HTTP GET failed: unauthorized (401)",
                "staff_url": "https://help.example.com/staff/tickets/12"
            }
        })
    );
}

#[test]
fn problems_and_incidents_have_their_own_objects() {
    let problem = Subject::Problem(ProblemFacts::new(3, 12, 10));
    let sent = json_of(&body(
        Format::Json,
        &delivery(WebhookEvent::ProblemGrown, &problem),
        None,
    ));
    assert_eq!(
        sent["problem"],
        json!({"id": 3, "lead_id": 12, "lead_reference": "APD-000012", "occurrences": 10,
               "staff_url": "/staff/tickets/12"})
    );
    let incident = Subject::Incident(IncidentFacts {
        id: 4,
        title: "Record updates failing".into(),
        codes: vec!["500".into(), "503".into()],
        started_at: "2026-03-02T09:00:00Z".into(),
        ended_at: None,
    });
    let sent = json_of(&body(
        Format::Json,
        &delivery(WebhookEvent::IncidentOpened, &incident),
        Some("https://help.example.com"),
    ));
    assert_eq!(sent["event"], "incident.opened");
    assert_eq!(sent["incident"]["codes"], json!(["500", "503"]));
    assert_eq!(sent["incident"]["ended_at"], Value::Null);
    assert_eq!(
        sent["incident"]["staff_url"],
        "https://help.example.com/staff/incidents"
    );
}

#[test]
fn the_stored_subject_reads_back_as_written() {
    let subject = ticket();
    let stored = serde_json::to_string(&subject).unwrap();
    assert!(stored.starts_with(r#"{"ticket":{"id":12,"#), "{stored}");
    assert_eq!(serde_json::from_str::<Subject>(&stored).unwrap(), subject);
}

#[test]
fn slack_gets_one_escaped_line_with_a_link() {
    let subject = ticket();
    let sent = json_of(&body(
        Format::Slack,
        &delivery(WebhookEvent::TicketResolved, &subject),
        Some("https://help.example.com"),
    ));
    assert_eq!(
        sent,
        json!({"text": "Resolved: APD-000012: 401 on GET https://api.example.com/v1/records?a=1&amp;b=&lt;2&gt; \
                        (production, workato, high priority) \
                        <https://help.example.com/staff/tickets/12|APD-000012>"})
    );
    let incident = Subject::Incident(IncidentFacts {
        id: 4,
        title: "Writes <fail>".into(),
        codes: vec![],
        started_at: "2026-03-02T09:00:00Z".into(),
        ended_at: None,
    });
    let text = json_of(&body(
        Format::Slack,
        &delivery(WebhookEvent::IncidentOpened, &incident),
        None,
    ))["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        text,
        "Incident declared: Writes &lt;fail&gt; (affects every error code) (/staff/incidents)"
    );
}
