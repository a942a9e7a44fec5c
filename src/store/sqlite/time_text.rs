//! Timestamps are stored as RFC 3339 text in UTC with second precision, a
//! fixed width so that comparing the text compares the times.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

pub fn to_text(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .replace_nanosecond(0)
        .expect("zero nanoseconds is valid")
        .format(&Rfc3339)
        .expect("a UTC time formats as RFC 3339")
}

pub fn from_text(s: &str) -> Result<OffsetDateTime, sqlx::Error> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn stores_utc_and_reads_it_back() {
        let t = datetime!(2026-11-26 10:15:30.5 +01:00);
        let text = to_text(t);
        assert_eq!(text, "2026-11-26T09:15:30Z");
        assert_eq!(
            from_text(&text).unwrap(),
            datetime!(2026-11-26 09:15:30 UTC)
        );
    }
}
