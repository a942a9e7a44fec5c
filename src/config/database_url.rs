//! `--database-url`: checked as the start reads it, so a URL apidesk cannot
//! serve from stops the start with the setting named, rather than being
//! taken for a file name (`postgres://db/apidesk` once made a folder named
//! `postgres:` and served from a new, empty SQLite file inside it).

/// The URL unchanged when apidesk can open it: `sqlite://PATH` (or
/// `sqlite:PATH`, or a bare path), with SQLite's own `?mode=…` options.
pub(super) fn parse(text: &str) -> Result<String, String> {
    let text = text.trim();
    let path = match scheme_of(text) {
        None => text,
        Some("sqlite") => text
            .strip_prefix("sqlite://")
            .or_else(|| text.strip_prefix("sqlite:"))
            .unwrap_or(text),
        Some(other) => {
            return Err(format!(
                "the scheme {other:?} is not one apidesk serves from; give a SQLite file as \
                 sqlite://PATH (e.g. sqlite://data/apidesk.db)"
            ));
        }
    };
    let file = path.split('?').next().unwrap_or_default();
    if file.is_empty() {
        return Err(format!(
            "{text:?} names no database file; give one as sqlite://PATH (e.g. \
             sqlite://data/apidesk.db)"
        ));
    }
    Ok(text.to_string())
}

/// `postgres` for `postgres://…`: letters, digits, `+`, `-` and `.` before
/// a colon, starting with a letter, as RFC 3986 has it. A path has none
/// (`data/apidesk.db`, `./x:y.db`).
fn scheme_of(text: &str) -> Option<&str> {
    let (scheme, _) = text.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_and_paths_are_taken_as_they_are() {
        for url in [
            "sqlite://data/apidesk.db",
            "sqlite:///var/lib/apidesk/apidesk.db",
            "sqlite:apidesk.db",
            "sqlite://data/apidesk.db?mode=rwc",
            "sqlite::memory:",
            "data/apidesk.db",
            "./odd:name.db",
        ] {
            assert_eq!(parse(url).as_deref(), Ok(url), "{url}");
        }
    }

    #[test]
    fn other_schemes_and_empty_paths_are_refused_with_what_to_give() {
        for (url, said) in [
            ("postgres://db.example.com/apidesk", "\"postgres\""),
            ("postgresql://localhost/apidesk", "\"postgresql\""),
            ("mysql://localhost/apidesk", "\"mysql\""),
            ("http://example.com/x.db", "\"http\""),
            ("sqlite://", "names no database file"),
            ("sqlite:", "names no database file"),
            ("sqlite://?mode=rwc", "names no database file"),
            ("", "names no database file"),
        ] {
            let err = parse(url).unwrap_err();
            assert!(err.contains(said), "{url}: {err}");
            assert!(err.contains("sqlite://PATH"), "{url}: {err}");
        }
    }
}
