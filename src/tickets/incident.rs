//! Known incidents: the platform itself failing, declared by staff. The
//! reference article's first advice is to check whether the platform is
//! down before debugging an integration, so while an incident lasts the
//! start page and the checks of the codes it causes say so first, and
//! tickets filed meanwhile are linked to it to be answered together.

use time::OffsetDateTime;

use super::{FieldErrors, clean_text, parse_occurred_at, without_hidden_controls};
use crate::domain::ErrorCode;

pub const MAX_TITLE_CHARS: usize = 120;
pub const MAX_AFFECTED_CHARS: usize = 1_000;

/// A declared incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub id: i64,
    pub title: String,
    pub affected: String,
    /// The codes it causes; empty for every code.
    pub codes: Vec<ErrorCode>,
    pub started_at: OffsetDateTime,
    pub ended_at: Option<OffsetDateTime>,
    /// Who declared it.
    pub declared_by: String,
}

impl Incident {
    /// Whether a failure with `code` may be this incident's doing.
    pub fn covers(&self, code: ErrorCode) -> bool {
        self.codes.is_empty() || self.codes.contains(&code)
    }

    pub fn is_open(&self) -> bool {
        self.ended_at.is_none()
    }

    /// "401, 403 and 500", or "every error".
    pub fn codes_text(&self) -> String {
        codes_sentence(&self.codes)
    }
}

/// Codes as a sentence lists them.
pub fn codes_sentence(codes: &[ErrorCode]) -> String {
    let labels: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
    match labels.split_last() {
        None => "every error code".into(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// Codes as stored: comma-separated keys, '' for every code.
pub fn codes_to_text(codes: &[ErrorCode]) -> String {
    codes
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Read back leniently: a key this version does not know is dropped.
pub fn codes_from_text(text: &str) -> Vec<ErrorCode> {
    text.split(',').filter_map(ErrorCode::parse).collect()
}

/// An incident as declared, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncident {
    pub title: String,
    pub affected: String,
    pub codes: Vec<ErrorCode>,
    pub started_at: OffsetDateTime,
}

/// The declaration form as typed.
#[derive(Debug, Clone, Default)]
pub struct IncidentInput {
    pub title: String,
    pub affected: String,
    /// Each ticked code's key.
    pub codes: Vec<String>,
    /// Local `YYYY-MM-DDTHH:MM` in `time_zone`; empty for now.
    pub started_at: String,
    pub time_zone: String,
}

impl IncidentInput {
    pub fn validate(&self, now: OffsetDateTime) -> Result<NewIncident, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = without_hidden_controls(&self.title);
        let title = title.trim();
        if title.is_empty() {
            errors.add("title", "Give the incident a title people will recognise.");
        } else if title.chars().count() > MAX_TITLE_CHARS {
            errors.add(
                "title",
                format!("Keep the title under {MAX_TITLE_CHARS} characters."),
            );
        }
        let affected = clean_text(&self.affected);
        let affected = affected.trim();
        if affected.chars().count() > MAX_AFFECTED_CHARS {
            errors.add(
                "affected",
                format!("Keep this under {MAX_AFFECTED_CHARS} characters."),
            );
        }
        let mut codes = Vec::new();
        for key in &self.codes {
            match ErrorCode::parse(key) {
                Some(code) if !codes.contains(&code) => codes.push(code),
                Some(_) => {}
                None => errors.add("codes", "Tick codes from the list only."),
            }
        }
        codes.sort();
        let started_at = if self.started_at.trim().is_empty() {
            Some(now)
        } else {
            parse_occurred_at(&self.started_at, &self.time_zone, "", now)
                .map_err(|problem| errors.add("started_at", problem.message))
                .ok()
                .map(|occurred| occurred.at)
        };
        match started_at {
            Some(started_at) if errors.is_empty() => Ok(NewIncident {
                title: title.to_string(),
                affected: affected.to_string(),
                codes,
                started_at,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-12-07 10:00 UTC);

    fn input(title: &str, codes: &[&str], started_at: &str) -> IncidentInput {
        IncidentInput {
            title: title.into(),
            affected: "Record writes fail.".into(),
            codes: codes.iter().map(|c| c.to_string()).collect(),
            started_at: started_at.into(),
            time_zone: "Europe/Berlin".into(),
        }
    }

    #[test]
    fn a_declaration_is_checked_and_its_start_read_in_the_staff_zone() {
        let incident = input("Writes failing", &["503", "500", "503"], "2026-12-07T10:30")
            .validate(NOW)
            .unwrap();
        assert_eq!(
            incident.codes,
            [
                ErrorCode::InternalServerError,
                ErrorCode::ServiceUnavailable
            ]
        );
        assert_eq!(incident.started_at, datetime!(2026-12-07 09:30 UTC));
        let now = input("Down", &[], "").validate(NOW).unwrap();
        assert_eq!((now.started_at, now.codes.len()), (NOW, 0));
    }

    #[test]
    fn every_mistake_is_named_beside_its_field() {
        let errors = input(" ", &["999"], "2026-12-09T10:00")
            .validate(NOW)
            .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["title", "codes", "started_at"]);
    }

    #[test]
    fn an_incident_covers_its_codes_or_every_code() {
        let mut incident = Incident {
            id: 1,
            title: "x".into(),
            affected: String::new(),
            codes: vec![ErrorCode::InternalServerError],
            started_at: NOW,
            ended_at: None,
            declared_by: "Ana".into(),
        };
        assert!(incident.covers(ErrorCode::InternalServerError));
        assert!(!incident.covers(ErrorCode::Unauthorized));
        assert_eq!(incident.codes_text(), "500");
        incident.codes.clear();
        assert!(incident.covers(ErrorCode::Unauthorized));
        assert_eq!(incident.codes_text(), "every error code");
        assert_eq!(
            codes_from_text("500,zzz,401"),
            [ErrorCode::InternalServerError, ErrorCode::Unauthorized]
        );
        assert_eq!(
            codes_to_text(&[ErrorCode::Unauthorized, ErrorCode::NotFound]),
            "401,404"
        );
    }
}
