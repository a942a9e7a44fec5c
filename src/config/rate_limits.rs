//! `--rate-limits`: how often anonymous visitors (and mail senders) may do
//! each limited thing.
//! Plain values read from the configuration; the web layer counts against them.

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::time::Duration;

use crate::domain::parse_span;

/// What is limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// Tickets filed (`POST /tickets`), per client address.
    Filing,
    /// Requester additions (`POST /tickets/{token}/replies`), per client address.
    Additions,
    /// Requester additions per ticket, whoever sends them.
    TicketAdditions,
    /// "Yes, fixed" (`POST /troubleshoot/{code}/fixed`), per client address.
    Fixed,
    /// Reading a pasted error message (`GET /diagnose`), per client address.
    Diagnose,
    /// "Email me my tickets" (`POST /tickets/lost`), per client address.
    Links,
    /// Requests to the JSON API (`/api/v1`), per token.
    Api,
    /// Files attached by visitors (the ticket form, status pages), per
    /// client address: each is inspected and kept for a day even when the
    /// form around it is never filed.
    Uploads,
    /// Mail received (`apidesk mail ingest`, IMAP), per sender address;
    /// counted in the database, so every ingesting process shares it.
    Mail,
}

impl Level {
    pub const ALL: [Level; 9] = [
        Level::Filing,
        Level::Additions,
        Level::TicketAdditions,
        Level::Fixed,
        Level::Diagnose,
        Level::Links,
        Level::Api,
        Level::Uploads,
        Level::Mail,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Filing => "filing",
            Self::Additions => "additions",
            Self::TicketAdditions => "ticket_additions",
            Self::Fixed => "fixed",
            Self::Diagnose => "diagnose",
            Self::Links => "links",
            Self::Api => "api",
            Self::Uploads => "uploads",
            Self::Mail => "mail",
        }
    }

    /// The defaults: well above what a person does, well below a script.
    fn default_rate(self) -> Rate {
        match self {
            Self::Filing => Rate::new(20, Duration::from_secs(3600)),
            Self::Additions => Rate::new(60, Duration::from_secs(3600)),
            Self::TicketAdditions => Rate::new(20, Duration::from_secs(3600)),
            Self::Fixed => Rate::new(60, Duration::from_secs(3600)),
            Self::Diagnose => Rate::new(120, Duration::from_secs(3600)),
            Self::Links => Rate::new(10, Duration::from_secs(3600)),
            // A busy integration, not a runaway loop.
            Self::Api => Rate::new(600, Duration::from_secs(60)),
            Self::Uploads => Rate::new(60, Duration::from_secs(3600)),
            // A person writes a few; an auto-responder loop, hundreds.
            Self::Mail => Rate::new(30, Duration::from_secs(3600)),
        }
    }
}

/// Up to `count` within `per`, refilled evenly: `20/h` allows 20 at once,
/// then one more every three minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    count: NonZeroU32,
    per: Duration,
}

impl Rate {
    pub(crate) fn new(count: u32, per: Duration) -> Self {
        Self {
            count: NonZeroU32::new(count).expect("a rate allows at least one"),
            per,
        }
    }

    pub fn count(self) -> NonZeroU32 {
        self.count
    }

    pub fn per(self) -> Duration {
        self.per
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.per.as_secs();
        let (n, unit) = if secs.is_multiple_of(86_400) {
            (secs / 86_400, "d")
        } else if secs.is_multiple_of(3600) {
            (secs / 3600, "h")
        } else if secs.is_multiple_of(60) {
            (secs / 60, "m")
        } else {
            (secs, "s")
        };
        if n == 1 {
            write!(f, "{}/{unit}", self.count)
        } else {
            write!(f, "{}/{n}{unit}", self.count)
        }
    }
}

impl FromStr for Rate {
    type Err = String;

    /// `10/m`, `30/h`, `5/10m`, `100/d`, `2/s`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{s:?} is not a rate like 10/m, 30/h or 5/10m");
        let (count, per) = s.trim().split_once('/').ok_or_else(bad)?;
        let count: u32 = count.trim().parse().map_err(|_| bad())?;
        // "/h" is "/1h".
        let per = per.trim();
        let per = if per.starts_with(|c: char| c.is_ascii_digit()) {
            per.to_string()
        } else {
            format!("1{per}")
        };
        let units = [("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400)];
        let secs = parse_span(&per, &units, None)
            .filter(|&s| s > 0)
            .ok_or_else(bad)?;
        if count == 0 {
            return Err(format!(
                "{s:?} allows nothing; use \"off\" to turn limits off"
            ));
        }
        Ok(Self::new(count, Duration::from_secs(secs)))
    }
}

/// `--rate-limits`: `off`, or levels to change from their defaults, e.g.
/// `filing=10/m,additions=30/h`. Levels left out keep their default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitSettings {
    rates: Option<HashMap<Level, Rate>>,
}

impl RateLimitSettings {
    pub fn off() -> Self {
        Self { rates: None }
    }

    pub fn enabled(&self) -> bool {
        self.rates.is_some()
    }

    pub fn rate(&self, level: Level) -> Option<Rate> {
        self.rates.as_ref().map(|rates| rates[&level])
    }
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            rates: Some(
                Level::ALL
                    .map(|l| (l, l.default_rate()))
                    .into_iter()
                    .collect(),
            ),
        }
    }
}

impl fmt::Display for RateLimitSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rates {
            None => f.write_str("off"),
            Some(rates) => {
                let parts: Vec<String> = Level::ALL
                    .iter()
                    .map(|l| format!("{}={}", l.name(), rates[l]))
                    .collect();
                f.write_str(&parts.join(","))
            }
        }
    }
}

impl FromStr for RateLimitSettings {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("off") {
            return Ok(Self::off());
        }
        let mut settings = Self::default();
        let rates = settings.rates.as_mut().expect("the default is enabled");
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, rate) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?} should look like filing=10/m"))?;
            let level = Level::ALL
                .into_iter()
                .find(|l| l.name() == name.trim())
                .ok_or_else(|| {
                    let names: Vec<&str> = Level::ALL.iter().map(|l| l.name()).collect();
                    format!("unknown limit {name:?}; known: {}", names.join(", "))
                })?;
            rates.insert(level, rate.parse()?);
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_keep_defaults_and_print_back() {
        let s: RateLimitSettings = "filing=10/m, additions=5/10m".parse().unwrap();
        assert_eq!(
            s.rate(Level::Filing),
            Some(Rate::new(10, Duration::from_secs(60)))
        );
        assert_eq!(
            s.rate(Level::Additions),
            Some(Rate::new(5, Duration::from_secs(600)))
        );
        assert_eq!(s.rate(Level::Fixed), Some(Level::Fixed.default_rate()));
        assert_eq!(s.to_string().parse::<RateLimitSettings>().unwrap(), s);
        let default = RateLimitSettings::default();
        assert_eq!(
            default.to_string().parse::<RateLimitSettings>().unwrap(),
            default
        );

        let off: RateLimitSettings = " OFF ".parse().unwrap();
        assert!(!off.enabled());
        assert_eq!(off.rate(Level::Filing), None);
        assert_eq!(off.to_string(), "off");
    }

    #[test]
    fn bad_settings_say_what_is_wrong() {
        for bad in [
            "filing",
            "filing=10",
            "filing=0/m",
            "nope=1/m",
            "filing=1/x",
            "filing=1/0m",
        ] {
            assert!(bad.parse::<RateLimitSettings>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_unit_that_is_not_ascii_is_an_error_not_a_panic() {
        assert!("filing=10/é".parse::<RateLimitSettings>().is_err());
        assert_eq!(
            "10/h".parse::<Rate>().unwrap(),
            Rate::new(10, Duration::from_secs(3_600))
        );
    }
}
