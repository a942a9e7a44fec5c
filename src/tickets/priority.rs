//! Priority: where it starts (a visible rule), and how soon a first response
//! is due for each level.

use std::fmt;
use std::str::FromStr;

use time::Duration;

use super::Environment;
use crate::domain::{ErrorCode, parse_span};

/// Stored as its rank: 0 is the most urgent, so sorting by the number sorts
/// by urgency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    Urgent,
    High,
    Normal,
    Low,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Self::Urgent, Self::High, Self::Normal, Self::Low];

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "urgent" => Some(Self::Urgent),
            "high" => Some(Self::High),
            "normal" => Some(Self::Normal),
            "low" => Some(Self::Low),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Urgent => "urgent",
            Self::High => "high",
            Self::Normal => "normal",
            Self::Low => "low",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Urgent => "Urgent",
            Self::High => "High",
            Self::Normal => "Normal",
            Self::Low => "Low",
        }
    }

    pub fn rank(self) -> i64 {
        self as i64
    }

    pub fn from_rank(rank: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.rank() == rank)
    }

    /// The starting priority of a new ticket. Written as a table so staff can
    /// read the rule in the README and on the ticket page:
    /// - a 500, 502, 503 or 504 in production is high: the platform (or
    ///   something in front of it) is failing for real users;
    /// - anything else in production, or unsure, is normal;
    /// - anything in sandbox is normal, never higher: nothing live is broken;
    /// - "something else" in sandbox is low.
    pub fn initial(code: ErrorCode, environment: Environment) -> Self {
        match (code, environment) {
            (
                ErrorCode::InternalServerError
                | ErrorCode::BadGateway
                | ErrorCode::ServiceUnavailable
                | ErrorCode::GatewayTimeout,
                Environment::Production,
            ) => Self::High,
            (ErrorCode::Other, Environment::Sandbox) => Self::Low,
            _ => Self::Normal,
        }
    }

    pub const RULE: &'static str = "500, 502, 503 or 504 in production starts high; \"something else\" in sandbox starts low; everything else starts normal.";
}

/// In event details, by name (the column holds the rank).
impl serde::Serialize for Priority {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How long each priority may wait for a first response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseTargets {
    pub urgent: Duration,
    pub high: Duration,
    pub normal: Duration,
    pub low: Duration,
}

impl Default for ResponseTargets {
    fn default() -> Self {
        Self {
            urgent: Duration::hours(1),
            high: Duration::hours(4),
            normal: Duration::hours(24),
            low: Duration::hours(72),
        }
    }
}

impl ResponseTargets {
    pub fn for_priority(&self, priority: Priority) -> Duration {
        match priority {
            Priority::Urgent => self.urgent,
            Priority::High => self.high,
            Priority::Normal => self.normal,
            Priority::Low => self.low,
        }
    }
}

impl fmt::Display for ResponseTargets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mins = |d: Duration| d.whole_minutes();
        write!(
            f,
            "urgent={}m,high={}m,normal={}m,low={}m",
            mins(self.urgent),
            mins(self.high),
            mins(self.normal),
            mins(self.low)
        )
    }
}

/// `urgent=1h,high=4h,normal=1d,low=3d`; units m, h, d. Levels left out keep
/// their defaults.
impl FromStr for ResponseTargets {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut targets = Self::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (level, amount) = part
                .split_once('=')
                .ok_or_else(|| format!("expected level=duration, got {part:?}"))?;
            let priority = Priority::parse(level)
                .ok_or_else(|| format!("unknown priority {level:?} (urgent, high, normal, low)"))?;
            let duration = parse_duration(amount).ok_or_else(|| {
                format!("bad duration {amount:?}: use e.g. 30m, 4h or 2d, at most 365d")
            })?;
            match priority {
                Priority::Urgent => targets.urgent = duration,
                Priority::High => targets.high = duration,
                Priority::Normal => targets.normal = duration,
                Priority::Low => targets.low = duration,
            }
        }
        Ok(targets)
    }
}

/// Longest target accepted: beyond a year is a typing mistake, and a bound
/// keeps "created + target" inside the calendar.
const MAX_TARGET: Duration = Duration::days(365);

fn parse_duration(s: &str) -> Option<Duration> {
    let minutes = parse_span(s, &[("m", 1), ("h", 60), ("d", 24 * 60)], None)
        .filter(|minutes| *minutes > 0)?;
    let minutes = i64::try_from(minutes)
        .unwrap_or(i64::MAX)
        .min(MAX_TARGET.whole_minutes() + 1);
    Some(Duration::minutes(minutes)).filter(|d| *d <= MAX_TARGET)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_sort_by_urgency_and_round_trip() {
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()), Some(p));
            assert_eq!(Priority::from_rank(p.rank()), Some(p));
        }
        assert!(Priority::Urgent.rank() < Priority::Low.rank());
        assert_eq!(Priority::from_rank(4), None);
    }

    #[test]
    fn the_starting_rule() {
        use Environment::*;
        assert_eq!(
            Priority::initial(ErrorCode::InternalServerError, Production),
            Priority::High
        );
        assert_eq!(
            Priority::initial(ErrorCode::InternalServerError, Sandbox),
            Priority::Normal
        );
        assert_eq!(
            Priority::initial(ErrorCode::Unauthorized, Production),
            Priority::Normal
        );
        assert_eq!(Priority::initial(ErrorCode::Other, Sandbox), Priority::Low);
        assert_eq!(
            Priority::initial(ErrorCode::Other, Unsure),
            Priority::Normal
        );
        for gateway in [
            ErrorCode::BadGateway,
            ErrorCode::ServiceUnavailable,
            ErrorCode::GatewayTimeout,
        ] {
            assert_eq!(Priority::initial(gateway, Production), Priority::High);
            assert_eq!(Priority::initial(gateway, Unsure), Priority::Normal);
        }
        // A timeout on the requester's side, or a 4xx, is not the platform failing.
        assert_eq!(
            Priority::initial(ErrorCode::Timeout, Production),
            Priority::Normal
        );
        assert_eq!(
            Priority::initial(ErrorCode::BadRequest, Production),
            Priority::Normal
        );
    }

    #[test]
    fn targets_parse_with_defaults_for_the_rest() {
        let t: ResponseTargets = "urgent=30m, low=2d".parse().unwrap();
        assert_eq!(t.urgent, Duration::minutes(30));
        assert_eq!(t.low, Duration::days(2));
        assert_eq!(t.high, ResponseTargets::default().high);
        assert!("urgent=0h".parse::<ResponseTargets>().is_err());
        assert!("soon=1h".parse::<ResponseTargets>().is_err());
        assert!("urgent=1w".parse::<ResponseTargets>().is_err());
        assert!("urgent".parse::<ResponseTargets>().is_err());
        // Issue 6, item 11: huge or odd values are refused, never a panic.
        assert!("low=365d".parse::<ResponseTargets>().is_ok());
        for bad in [
            "low=366d",
            "low=9223372036854775807d",
            "low=9223372036854775807m",
            "low=106751991167300d",
            "low=1é",
            "low=é",
            "low=-1d",
        ] {
            assert!(bad.parse::<ResponseTargets>().is_err(), "{bad}");
        }
        let round: ResponseTargets = ResponseTargets::default().to_string().parse().unwrap();
        assert_eq!(round, ResponseTargets::default());
    }
}
