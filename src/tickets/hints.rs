//! What a support engineer would point out first, read from the ticket's
//! code, environment, endpoint and message against what the content says
//! about the platform (`site.toml`): a 404 whose record id is not an
//! internal id, a host of the other environment, a 401 or 403 that shows
//! no credentials at all. Shown to the requester before they file, and to
//! staff on the ticket.

use super::Environment;
use super::endpoint::Endpoint;
use super::input::grouped;
use super::redact::marker_kinds;
use crate::domain::ErrorCode;
use crate::kb::Site;
use crate::kb::calculator::{Load, Usage};

/// One thing worth checking first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    /// A 404 whose record segment does not have an internal id's shape:
    /// probably the visible Record ID.
    RecordIdNotInternal { segment: String },
    /// Filed for production, sent to a host that reads as a sandbox.
    SandboxHostInProduction { host: String },
    /// Filed for the sandbox, sent to a production host.
    ProductionHostInSandbox { host: String },
    /// A 401 or 403 whose message says the call carried no credentials,
    /// and whose endpoint and message show none.
    NoCredentials,
    /// A 429 filed from the rate-limit calculator: its verdict.
    RateLimit { minute: Load, month: Load },
}

/// What a ticket says, as the hints read it.
pub struct Reading<'a> {
    pub code: ErrorCode,
    pub environment: Environment,
    pub endpoint: &'a str,
    pub message: &'a str,
    /// What the rate-limit calculator was told, if it was used.
    pub usage: Option<Usage>,
}

impl<'a> Reading<'a> {
    /// What a new ticket says, read for hints.
    pub fn of(ticket: &'a crate::tickets::NewTicket) -> Self {
        Self {
            code: ticket.error_code,
            environment: ticket.environment,
            endpoint: &ticket.endpoint,
            message: &ticket.message,
            usage: ticket.usage,
        }
    }
}

/// The hints for a ticket about to be filed, in the requester's words (the
/// form shows them before filing; the API answers with them).
pub fn for_requester(ticket: &crate::tickets::NewTicket, site: &Site) -> Vec<String> {
    hints(&Reading::of(ticket), site)
        .iter()
        .map(|hint| hint.for_requester(site))
        .collect()
}

/// The hints that apply, in the order they are worth checking. Linear in
/// the endpoint's and message's length.
pub fn hints(reading: &Reading<'_>, site: &Site) -> Vec<Hint> {
    let endpoint = Endpoint::parse(reading.endpoint);
    let mut hints = Vec::new();
    if reading.code == ErrorCode::NotFound {
        let ids = endpoint.ids_after(|segment| site.ids.precedes_record_id(segment));
        if let Some(segment) = ids.into_iter().find(|id| !site.ids.is_internal_id(id)) {
            hints.push(Hint::RecordIdNotInternal {
                segment: segment.to_string(),
            });
        }
    }
    if let Some(host) = &endpoint.host {
        match reading.environment {
            Environment::Production if site.hosts.looks_like_sandbox(host) => {
                hints.push(Hint::SandboxHostInProduction { host: host.clone() });
            }
            Environment::Sandbox if site.hosts.is_production(host) => {
                hints.push(Hint::ProductionHostInSandbox { host: host.clone() });
            }
            _ => {}
        }
    }
    if matches!(reading.code, ErrorCode::Unauthorized | ErrorCode::Forbidden)
        && says_none_were_sent(reading.message, site)
        && !shows_credentials(&endpoint, reading, site)
    {
        hints.push(Hint::NoCredentials);
    }
    if let (ErrorCode::TooManyRequests, Some(usage)) = (reading.code, reading.usage) {
        let verdict = usage.verdict(site.rate_limits);
        hints.push(Hint::RateLimit {
            minute: verdict.minute,
            month: verdict.month,
        });
    }
    hints
}

/// "1,800 calls in the busiest minute, over the 1,200 limit by 600".
fn load_words(load: &Load, what: &str) -> String {
    let state = match load.over_by() {
        Some(over) => format!(
            "over the {} limit by {}",
            grouped(u128::from(load.limit)),
            grouped(over)
        ),
        None => format!(
            "within the {} limit ({} %)",
            grouped(u128::from(load.limit)),
            load.percent()
        ),
    };
    format!("{} calls {what}, {state}", grouped(load.calls))
}

/// Whether the response says the call came without credentials. (Their
/// absence from what was pasted alone proves nothing: people take keys out
/// of what they paste, and tools send them in headers.)
fn says_none_were_sent(message: &str, site: &Site) -> bool {
    site.credentials
        .missing_phrases
        .iter()
        .any(|phrase| contains_ignoring_case(message, phrase))
}

/// Whether anything pasted shows the call carried credentials: a
/// credential parameter, an `Authorization` header, or a credential
/// redaction took out.
fn shows_credentials(endpoint: &Endpoint<'_>, reading: &Reading<'_>, site: &Site) -> bool {
    endpoint.has_query_key(|key| site.credentials.is_query_key(key))
        || contains_ignoring_case(reading.message, "authorization")
        || contains_ignoring_case(reading.message, "bearer")
        || site
            .credentials
            .query_keys
            .iter()
            .any(|key| contains_ignoring_case(reading.message, key))
        || marker_kinds(reading.message).next().is_some()
        || marker_kinds(reading.endpoint).next().is_some()
}

fn contains_ignoring_case(text: &str, word: &str) -> bool {
    text.as_bytes()
        .windows(word.len())
        .any(|window| window.eq_ignore_ascii_case(word.as_bytes()))
}

impl Hint {
    /// For the requester, before they file.
    pub fn for_requester(&self, site: &Site) -> String {
        let product = &site.product.name;
        match self {
            Self::RecordIdNotInternal { segment } => format!(
                "The record id in your endpoint, “{segment}”, is not the shape of a {product} \
                 internal id. The API wants the record's internal ID field, not the Record ID \
                 shown in the app: using the Record ID is the commonest cause of a 404."
            ),
            Self::SandboxHostInProduction { host } => format!(
                "You chose production, but “{host}” reads as a sandbox host. Sandbox and \
                 production have separate credentials and ids: check which one the call goes to."
            ),
            Self::ProductionHostInSandbox { host } => format!(
                "You chose sandbox, but “{host}” is a production host. Sandbox and production \
                 have separate credentials and ids: check which one the call goes to."
            ),
            Self::RateLimit { minute, month } => format!(
                "By the figures you gave the calculator, your integration makes {} and {}. \
                 Support will see this with your ticket.",
                load_words(minute, "in its busiest minute"),
                load_words(month, "in a 30-day month")
            ),
            Self::NoCredentials => format!(
                "The error says the call came without credentials, and nothing you pasted \
                 shows any: no {} in the endpoint, no Authorization header. Check that your \
                 tool sends them with every call (a connection that lost its settings sends \
                 none).",
                site.credentials.query_keys.join(" or ")
            ),
        }
    }

    /// For staff, on the ticket.
    pub fn for_staff(&self, site: &Site) -> String {
        match self {
            Self::RecordIdNotInternal { segment } => format!(
                "404 with record id “{segment}”, not an internal id: probably the visible \
                 Record ID instead of the internal ID."
            ),
            Self::SandboxHostInProduction { host } => {
                format!("Filed as production, but the host “{host}” reads as a sandbox.")
            }
            Self::ProductionHostInSandbox { host } => {
                format!("Filed as sandbox, but the host “{host}” is production.")
            }
            Self::RateLimit { minute, month } => format!(
                "Calculator, as the requester filled it in: {}; {}.",
                load_words(minute, "in the busiest minute"),
                load_words(month, "in a 30-day month")
            ),
            Self::NoCredentials => format!(
                "The error says no credentials came, and nothing pasted shows any ({} or an \
                 Authorization header): the call probably carried none.",
                site.credentials.query_keys.join(", ")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kb::KnowledgeBase;

    fn site() -> Site {
        KnowledgeBase::load_embedded().unwrap().site().clone()
    }

    fn read(code: &str, environment: Environment, endpoint: &str, message: &str) -> Vec<Hint> {
        let reading = Reading {
            code: ErrorCode::parse(code).unwrap(),
            environment,
            endpoint,
            message,
            usage: None,
        };
        hints(&reading, &site())
    }

    #[test]
    fn a_404_on_a_record_id_that_is_not_internal_is_pointed_out() {
        let hints = read(
            "404",
            Environment::Unsure,
            "https://go.trackvia.com/openapi/views/12/records/R-1042?user_key=x",
            "HTTP GET failed: not found (404)",
        );
        assert_eq!(
            hints,
            [Hint::RecordIdNotInternal {
                segment: "R-1042".into()
            }]
        );
        let internal = read(
            "404",
            Environment::Unsure,
            "/openapi/views/12/records/1042",
            "",
        );
        assert_eq!(internal, []);
        // Only a 404 makes the id suspect.
        assert_eq!(
            read("500", Environment::Unsure, "/views/1/records/R-1", ""),
            []
        );
    }

    #[test]
    fn a_host_of_the_other_environment_is_pointed_out() {
        assert_eq!(
            read(
                "500",
                Environment::Production,
                "https://sandbox.trackvia.com/openapi/apps",
                ""
            ),
            [Hint::SandboxHostInProduction {
                host: "sandbox.trackvia.com".into()
            }]
        );
        assert_eq!(
            read(
                "500",
                Environment::Sandbox,
                "https://go.trackvia.com/openapi/apps",
                ""
            ),
            [Hint::ProductionHostInSandbox {
                host: "go.trackvia.com".into()
            }]
        );
        assert_eq!(
            read(
                "500",
                Environment::Production,
                "https://go.trackvia.com/x",
                ""
            ),
            []
        );
        assert_eq!(
            read(
                "500",
                Environment::Unsure,
                "https://sandbox.trackvia.com/x",
                ""
            ),
            []
        );
        assert_eq!(
            read("500", Environment::Production, "/openapi/apps", ""),
            []
        );
    }

    #[test]
    fn a_401_or_403_saying_no_credentials_came_is_pointed_out() {
        let none =
            "TrackVia API error 401: Full authentication is required to access this resource";
        let bare = "/openapi/apps";
        assert_eq!(
            read("401", Environment::Unsure, bare, none),
            [Hint::NoCredentials]
        );
        assert_eq!(
            read(
                "403",
                Environment::Unsure,
                bare,
                "403: No credentials supplied"
            ),
            [Hint::NoCredentials]
        );
        // A plain 401 says nothing about what was sent.
        assert_eq!(
            read("401", Environment::Unsure, bare, "unauthorized (401)"),
            []
        );
        // Anything showing credentials were sent outweighs the words.
        for (endpoint, message) in [
            ("/openapi/apps?user_key=[redacted user_key]", none),
            ("/openapi/apps?ACCESS_TOKEN=abc", none),
            (
                bare,
                "Authorization: Bearer [redacted bearer_token]; full authentication is required",
            ),
            (
                bare,
                "the user_key was sent; full authentication is required",
            ),
        ] {
            assert_eq!(
                read("401", Environment::Unsure, endpoint, message),
                [],
                "{message}"
            );
        }
        assert_eq!(read("404", Environment::Unsure, bare, none), []);
    }

    #[test]
    fn every_hint_reads_for_both_audiences() {
        let site = site();
        for hint in [
            Hint::RecordIdNotInternal {
                segment: "R-1".into(),
            },
            Hint::SandboxHostInProduction {
                host: "sandbox.x.com".into(),
            },
            Hint::ProductionHostInSandbox {
                host: "go.trackvia.com".into(),
            },
            Hint::NoCredentials,
        ] {
            assert!(!hint.for_requester(&site).is_empty());
            assert!(!hint.for_staff(&site).is_empty());
        }
        assert!(
            Hint::NoCredentials
                .for_requester(&site)
                .contains("no user_key or access_token in the endpoint")
        );
    }
}
