//! The ticket form as typed, and the rules that turn it into a `NewTicket`.
//! Every field is a plain string so that a form with mistakes can always be
//! shown back exactly as the person typed it.

use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;
use validator::{ValidateEmail, ValidateUrl};

use super::occurred_at::parse_occurred_at;
use super::redact::{SecretKind, mask_markers, redact};
use super::text::{clean_text, without_hidden_controls};
use super::{Environment, FieldErrors, GivenDetails, NewTicket, Tool, Wanted};
use crate::domain::{ErrorCode, HttpMethod};
use crate::kb::calculator::Usage;

pub const MAX_MESSAGE_CHARS: usize = 10_000;
/// The limit as people read it.
pub const MAX_MESSAGE_TEXT: &str = "10,000";
const MAX_ENDPOINT_CHARS: usize = 2_048;
const MAX_CHANGES_CHARS: usize = 5_000;
const MAX_NAME_CHARS: usize = 200;
const MAX_TOOL_OTHER_CHARS: usize = 100;
const MAX_EMAIL_CHARS: usize = 254;

/// Field names are the public form and deep-link keys (see DESIGN.md).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TicketInput {
    pub error_code: String,
    pub message: String,
    pub endpoint: String,
    pub method: String,
    pub occurred_at: String,
    /// A place (`Europe/Berlin`) or a fixed offset (`UTC+01:00`).
    pub time_zone: String,
    /// The older deep-link key: `+01:00`. `time_zone` wins when both are given.
    pub utc_offset: String,
    pub tool: String,
    pub tool_other: String,
    pub recent_changes: String,
    pub environment: String,
    pub name: String,
    pub email: String,
    /// Decision-tree steps already walked, comma-separated step ids.
    pub path: String,
    /// Identifies one rendering of the form, to spot a second submit.
    pub submission_id: String,
    /// Set on a form shown back with hints (`tickets::hints`): sent again,
    /// it is filed as it is.
    pub reviewed: String,
    /// What the rate-limit calculator was told (`Usage::to_text`), carried
    /// from it; anything else is dropped, as it only comes from our links.
    pub usage: String,
}

impl TicketInput {
    /// Checks every field, collecting all the problems at once.
    pub fn validate(&self, now: OffsetDateTime) -> Result<NewTicket, FieldErrors> {
        let mut errors = FieldErrors::default();
        // Checked in form order, so the summary lists mistakes as the form does.
        let code = self.check_code(&mut errors);

        let message = clean_text(&self.message);
        let message = message.trim();
        if message.is_empty() {
            errors.add(
                "message",
                "Paste the full error message, exactly as your tool shows it.",
            );
        } else if message.chars().count() > MAX_MESSAGE_CHARS {
            errors.add(
                "message",
                format!(
                    "The message is too long: keep it under {MAX_MESSAGE_TEXT} characters (the first lines matter most)."
                ),
            );
        }

        let details = self.check_call(now, &mut errors, code);

        let recent_changes = clean_text(&self.recent_changes);
        let recent_changes = recent_changes.trim();
        if recent_changes.chars().count() > MAX_CHANGES_CHARS {
            errors.add(
                "recent_changes",
                format!(
                    "Keep this under {} characters; support can ask for more.",
                    group_thousands(MAX_CHANGES_CHARS)
                ),
            );
        }

        let environment = Environment::parse(&self.environment);
        if environment.is_none() {
            errors.add("environment", "Choose production, sandbox, or not sure.");
        }

        let name = without_hidden_controls(&self.name);
        let name = name.trim();
        if name.chars().count() > MAX_NAME_CHARS {
            errors.add(
                "name",
                format!("Keep your name under {MAX_NAME_CHARS} characters."),
            );
        }

        let email = self.email.trim();
        if let Err(problem) = check_email(email) {
            errors.add("email", problem);
        }

        match (details, environment) {
            (Some(details), Some(environment)) if errors.is_empty() => Ok(NewTicket {
                submission_id: Uuid::parse_str(self.submission_id.trim())
                    .unwrap_or_else(|_| Uuid::new_v4()),
                error_code: details.error_code,
                message: redact(message).text,
                endpoint: details.endpoint,
                method: Some(details.method),
                occurred_at: Some(details.occurred_at),
                time_zone: details.time_zone,
                tool: Some(details.tool),
                recent_changes: redact(recent_changes).text,
                environment,
                name: name.to_string(),
                email: email.to_string(),
                path: split_path(&self.path),
                wanted: Wanted::default(),
                usage: Usage::parse(&self.usage),
            }),
            _ => Err(errors),
        }
    }

    /// Checks only the failure's details (code, endpoint, method, time,
    /// tool), by the same rules as the whole form: what a ticket opened
    /// from an email is completed with.
    pub fn validate_details(&self, now: OffsetDateTime) -> Result<GivenDetails, FieldErrors> {
        let mut errors = FieldErrors::default();
        let code = self.check_code(&mut errors);
        match self.check_call(now, &mut errors, code) {
            Some(details) if errors.is_empty() => Ok(details),
            _ => Err(errors),
        }
    }

    /// This form with every credential taken out, as it will be stored
    /// (shown back to the requester before filing), and what was taken out
    /// of which field, in form order.
    pub fn redacted(mut self) -> (Self, Vec<(&'static str, SecretKind)>) {
        let mut found = Vec::new();
        for (field, text) in [
            ("message", &mut self.message),
            ("endpoint", &mut self.endpoint),
            ("tool_other", &mut self.tool_other),
            ("recent_changes", &mut self.recent_changes),
        ] {
            let done = redact(text);
            found.extend(done.removed.into_iter().map(|kind| (field, kind)));
            *text = done.text;
        }
        (self, found)
    }

    fn check_code(&self, errors: &mut FieldErrors) -> Option<ErrorCode> {
        let error_code = ErrorCode::parse(&self.error_code);
        if error_code.is_none() {
            errors.add(
                "error_code",
                "Choose the error code you got, or “Something else”.",
            );
        }
        error_code
    }

    /// The call that failed (endpoint, method, time, tool), completing the
    /// details with the `error_code` checked before.
    fn check_call(
        &self,
        now: OffsetDateTime,
        errors: &mut FieldErrors,
        error_code: Option<ErrorCode>,
    ) -> Option<GivenDetails> {
        // Checked as typed, stored with its credentials taken out.
        let endpoint = without_hidden_controls(&self.endpoint);
        let endpoint = endpoint.trim();
        if let Err(problem) = check_endpoint(endpoint) {
            errors.add("endpoint", problem);
        }
        let endpoint = redact(endpoint).text;

        let method = HttpMethod::parse(&self.method);
        if method.is_none() {
            errors.add("method", "Choose the HTTP method of the call that failed.");
        }

        let occurred_at =
            parse_occurred_at(&self.occurred_at, &self.time_zone, &self.utc_offset, now)
                .map_err(|problem| errors.add(problem.field, problem.message))
                .ok();

        let tool_other = without_hidden_controls(&self.tool_other);
        let tool = Tool::parse(&self.tool, &redact(&tool_other).text);
        match &tool {
            None => errors.add("tool", "Choose the tool or platform that made the call."),
            Some(Tool::Other(text)) if text.is_empty() => errors.add(
                "tool_other",
                "Tell us which tool or platform made the call.",
            ),
            Some(Tool::Other(text)) if text.chars().count() > MAX_TOOL_OTHER_CHARS => errors.add(
                "tool_other",
                format!("Keep the tool's name under {MAX_TOOL_OTHER_CHARS} characters."),
            ),
            Some(_) => {}
        }

        // Every problem is collected above; now any one missing means none.
        let occurred = occurred_at?;
        Some(GivenDetails {
            error_code: error_code?,
            endpoint,
            method: method?,
            occurred_at: occurred.at,
            time_zone: occurred.zone,
            tool: tool?,
        })
    }
}

/// An endpoint is either an absolute http(s) URL or a path on the API host.
pub fn check_endpoint(endpoint: &str) -> Result<(), String> {
    // A marker where a credential was ("?access_token=[redacted access_token]")
    // counts as one word, so a form shown again after redaction still passes.
    let endpoint = &*mask_markers(endpoint);
    if endpoint.is_empty() {
        return Err(
            "Enter the API endpoint you called, for example /openapi/views/12/records.".into(),
        );
    }
    if endpoint.chars().count() > MAX_ENDPOINT_CHARS {
        return Err(format!(
            "That endpoint is too long: keep it under {} characters.",
            group_thousands(MAX_ENDPOINT_CHARS)
        ));
    }
    if endpoint.chars().any(char::is_whitespace) {
        return Err("An endpoint has no spaces. Paste only the URL or path.".into());
    }
    let lower = endpoint.to_ascii_lowercase();
    let is_path = endpoint.starts_with('/') && !endpoint.starts_with("//");
    let is_url = (lower.starts_with("https://") || lower.starts_with("http://"))
        && endpoint.validate_url()
        && endpoint
            .split('/')
            .nth(2)
            .is_some_and(|host| !host.is_empty());
    if is_path || is_url {
        Ok(())
    } else {
        Err("Enter a full URL starting with https:// or a path starting with /.".into())
    }
}

/// Step ids are short slugs; anything else in the path is dropped rather than
/// stored, since the path only ever comes from our own links.
pub fn split_path(path: &str) -> Vec<String> {
    path.split(',')
        .map(str::trim)
        .filter(|id| {
            !id.is_empty()
                && id.len() <= 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
        .take(50)
        .map(str::to_string)
        .collect()
}

/// The rules a requester's email address obeys, wherever it is typed (the
/// ticket form, "email me my tickets"): the message for the first broken.
pub fn check_email(email: &str) -> Result<(), &'static str> {
    let email = email.trim();
    if email.is_empty() {
        Err("Enter your email address so support can reply.")
    } else if email.len() > MAX_EMAIL_CHARS || !email.validate_email() {
        Err("Enter an email address like name@example.com.")
    } else if !has_public_domain(email) {
        Err("Check the part after @: it needs a full domain, like example.com.")
    } else {
        Ok(())
    }
}

/// 10000 → "10,000", for limits shown in hints and messages.
pub fn group_thousands(n: usize) -> String {
    grouped(n as u128)
}

/// As [`group_thousands`], for the calculator's large figures.
pub fn grouped(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Whether the address ends in a domain mail can reach from outside: at
/// least two labels (`example.com`), none empty. The email validator
/// accepts `ada@example` and `ada@localhost`, which are valid syntax but
/// never reach a requester, so support's replies would vanish.
fn has_public_domain(email: &str) -> bool {
    email.rsplit_once('@').is_some_and(|(_, domain)| {
        let domain = domain.strip_suffix('.').unwrap_or(domain);
        domain.contains('.') && domain.split('.').all(|label| !label.is_empty())
    })
}

/// A complete ticket as the form sends it (a 401 from Workato in
/// production), for tests elsewhere in the crate that need one stored.
#[cfg(test)]
impl TicketInput {
    pub(crate) fn example(email: &str) -> Self {
        Self {
            error_code: "401".into(),
            message: "HTTP GET failed: unauthorized (401)".into(),
            endpoint: "/openapi/apps".into(),
            method: "GET".into(),
            occurred_at: "2026-01-15T09:30:00Z".into(),
            tool: "workato".into(),
            environment: "production".into(),
            email: email.into(),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests;
