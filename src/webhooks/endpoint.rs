//! Endpoints admins register: where to send, in which format, which events.

use std::fmt;

use time::OffsetDateTime;
use url::Url;

use super::address::{AllowList, check_url};
use super::event::WebhookEvent;
use crate::tickets::FieldErrors;

/// Longest URL accepted; Slack's are about 80 characters.
pub const MAX_URL_CHARS: usize = 2_000;
/// The smallest problem worth a message: a problem starts with two tickets.
pub const MIN_PROBLEM_THRESHOLD: i64 = 2;
pub const MAX_PROBLEM_THRESHOLD: i64 = 100_000;

/// What a delivery's body looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// apidesk's own JSON (see the README), for programs.
    Json,
    /// `{"text": "…"}`, what a Slack (or Mattermost, Rocket.Chat…)
    /// incoming webhook posts to a channel.
    Slack,
}

impl Format {
    pub const ALL: [Self; 2] = [Self::Json, Self::Slack];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Slack => "slack",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == text.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Json => "JSON, signed (for your own receiver)",
            Self::Slack => "Slack-compatible incoming webhook (one line of text)",
        }
    }
}

/// An endpoint's signing secret. Its `Debug` hides it, so it cannot reach a
/// log through a `{:?}`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A new secret: `whsec_` and 32 random bytes in hex.
    pub fn generate() -> Self {
        let mut bytes = [0_u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system provides randomness");
        Self(format!("whsec_{}", hex::encode(bytes)))
    }

    pub fn from_stored(text: String) -> Self {
        Self(text)
    }

    /// The whole secret: to store it, sign with it, and show it once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Its first characters, enough to tell two apart on the admin page.
    pub fn hint(&self) -> String {
        format!("{}…", self.0.chars().take(12).collect::<String>())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// A registered endpoint.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub id: i64,
    pub url: String,
    pub format: Format,
    pub events: Vec<WebhookEvent>,
    /// For `problem.grown`: the number of tickets a problem reaches when
    /// the endpoint hears of it (once per problem).
    pub problem_threshold: Option<i64>,
    pub secret: Secret,
    /// The name of the admin who registered it.
    pub created_by: String,
    pub created_at: OffsetDateTime,
    pub disabled_at: Option<OffsetDateTime>,
}

impl Endpoint {
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }

    /// "ticket.filed, problem.grown (at 10 tickets)".
    pub fn events_text(&self) -> String {
        self.events
            .iter()
            .map(|event| match (event, self.problem_threshold) {
                (WebhookEvent::ProblemGrown, Some(n)) => format!("{event} (at {n} tickets)"),
                _ => event.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Events as stored: their names, comma-separated.
pub fn events_to_text(events: &[WebhookEvent]) -> String {
    events
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Read back leniently: a name this version does not know is dropped.
pub fn events_from_text(text: &str) -> Vec<WebhookEvent> {
    text.split(',').filter_map(WebhookEvent::parse).collect()
}

/// An endpoint as registered, checked, with its new secret.
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    pub url: String,
    pub format: Format,
    pub events: Vec<WebhookEvent>,
    pub problem_threshold: Option<i64>,
    pub secret: Secret,
}

/// The registration form as typed.
#[derive(Debug, Clone, Default)]
pub struct EndpointInput {
    pub url: String,
    pub format: String,
    /// Each ticked event's name.
    pub events: Vec<String>,
    pub problem_threshold: String,
}

impl EndpointInput {
    /// Checks the form; the URL under the same rules deliveries obey, so an
    /// endpoint that could never be delivered to is refused now, with why.
    pub fn validate(&self, allow: &AllowList) -> Result<NewEndpoint, FieldErrors> {
        let mut errors = FieldErrors::default();
        let url = self.url.trim();
        if url.is_empty() {
            errors.add("url", "Give the URL to send events to.");
        } else if url.chars().count() > MAX_URL_CHARS {
            errors.add(
                "url",
                format!("Keep the URL under {MAX_URL_CHARS} characters."),
            );
        } else {
            match Url::parse(url) {
                Err(_) => errors.add(
                    "url",
                    "Give a whole URL, starting with https:// (or http://).",
                ),
                Ok(parsed) => {
                    if let Err(refused) = check_url(&parsed, allow) {
                        errors.add("url", format!("This URL cannot be used: {refused}."));
                    }
                }
            }
        }
        let format = Format::parse(&self.format);
        if format.is_none() {
            errors.add("format", "Choose a format.");
        }
        let mut events = Vec::new();
        for name in &self.events {
            match WebhookEvent::parse(name) {
                Some(event) if !events.contains(&event) => events.push(event),
                Some(_) => {}
                None => errors.add("events", "Tick events from the list only."),
            }
        }
        // Stored in the list's order, whatever order the form sent.
        events.sort_by_key(|e| WebhookEvent::ALL.iter().position(|a| a == e));
        if events.is_empty() {
            errors.add("events", "Tick at least one event.");
        }
        let problem_threshold = if events.contains(&WebhookEvent::ProblemGrown) {
            match self.problem_threshold.trim().parse::<i64>() {
                Ok(n) if (MIN_PROBLEM_THRESHOLD..=MAX_PROBLEM_THRESHOLD).contains(&n) => Some(n),
                _ => {
                    errors.add(
                        "problem_threshold",
                        format!(
                            "Give a number of tickets from {MIN_PROBLEM_THRESHOLD} to {MAX_PROBLEM_THRESHOLD}."
                        ),
                    );
                    None
                }
            }
        } else {
            None
        };
        match format {
            Some(format) if errors.is_empty() => Ok(NewEndpoint {
                url: url.to_string(),
                format,
                events,
                problem_threshold,
                secret: Secret::generate(),
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(url: &str, events: &[&str], threshold: &str) -> EndpointInput {
        EndpointInput {
            url: url.into(),
            format: "json".into(),
            events: events.iter().map(|e| e.to_string()).collect(),
            problem_threshold: threshold.into(),
        }
    }

    #[test]
    fn a_valid_registration_gets_a_fresh_secret() {
        let new = input(
            " https://hooks.example.com/apidesk ",
            &["problem.grown", "ticket.filed", "ticket.filed"],
            "10",
        )
        .validate(&AllowList::default())
        .unwrap();
        assert_eq!(new.url, "https://hooks.example.com/apidesk");
        assert_eq!(
            new.events,
            [WebhookEvent::TicketFiled, WebhookEvent::ProblemGrown]
        );
        assert_eq!(new.problem_threshold, Some(10));
        let secret = new.secret.expose();
        assert!(
            secret.starts_with("whsec_") && secret.len() == 6 + 64,
            "{secret}"
        );
        assert_ne!(Secret::generate(), new.secret);
        assert_eq!(format!("{:?}", new.secret), "Secret(…)");
        assert_eq!(new.secret.hint().chars().count(), 13);
    }

    #[test]
    fn mistakes_are_named_by_field() {
        let none = AllowList::default();
        let errors = input("", &[], "").validate(&none).unwrap_err();
        assert!(errors.get("url").unwrap().contains("Give the URL"));
        assert!(errors.get("events").unwrap().contains("at least one"));
        let errors = input("not a url", &["ticket.bogus"], "")
            .validate(&none)
            .unwrap_err();
        assert!(errors.get("url").unwrap().contains("whole URL"));
        assert!(errors.get("events").unwrap().contains("from the list"));
        let errors = input("http://10.0.0.8/hook", &["problem.grown"], "1")
            .validate(&none)
            .unwrap_err();
        assert!(errors.get("url").unwrap().contains("private"), "{errors:?}");
        assert!(errors.get("problem_threshold").is_some());
        // The threshold matters only with problem.grown.
        assert!(
            input("https://a.example/", &["ticket.filed"], "x")
                .validate(&none)
                .is_ok()
        );
        let mut bad_format = input("https://a.example/", &["ticket.filed"], "");
        bad_format.format = "xml".into();
        assert!(
            bad_format
                .validate(&none)
                .unwrap_err()
                .get("format")
                .is_some()
        );
        // Allowed by the operator: a local listener may be registered.
        let allow = AllowList::parse("127.0.0.1").unwrap();
        assert!(
            input("http://127.0.0.1:9000/", &["ticket.filed"], "")
                .validate(&allow)
                .is_ok()
        );
    }

    #[test]
    fn events_round_trip_as_text() {
        let events = [WebhookEvent::TicketFiled, WebhookEvent::IncidentEnded];
        assert_eq!(events_to_text(&events), "ticket.filed,incident.ended");
        assert_eq!(
            events_from_text("ticket.filed,future.event,incident.ended"),
            events
        );
    }
}
