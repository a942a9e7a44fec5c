//! API tokens: what a token may do (its scopes), how one is made, shown once
//! and recognised by its hash, and the rules for creating one. A token acts
//! in the name of the admin who created it; what it does is recorded as that
//! token.

use std::fmt;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::tickets::FieldErrors;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// File tickets: what an error handler needs (the default).
    TicketsCreate,
    /// Read tickets and the queue.
    TicketsRead,
    /// Staff actions on tickets: assign, status, priority, note, reply.
    /// Merging, and everything else kept for admins, is never open to a
    /// token.
    TicketsAct,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Self::TicketsCreate, Self::TicketsRead, Self::TicketsAct];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TicketsCreate => "tickets:create",
            Self::TicketsRead => "tickets:read",
            Self::TicketsAct => "tickets:act",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }

    /// What it allows, in words for the admin choosing it.
    pub fn label(self) -> &'static str {
        match self {
            Self::TicketsCreate => "File tickets (what an error handler needs)",
            Self::TicketsRead => "Read tickets and the queue",
            Self::TicketsAct => "Work tickets: assign, status, priority, notes, replies",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Scopes as stored: comma-separated, in a fixed order, no repeats.
pub fn scopes_to_text(scopes: &[Scope]) -> String {
    let mut sorted = scopes.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Stored scopes read back; anything this version does not know is dropped
/// (it grants nothing).
pub fn scopes_from_text(text: &str) -> Vec<Scope> {
    let mut scopes: Vec<Scope> = text.split(',').filter_map(Scope::parse).collect();
    scopes.sort();
    scopes.dedup();
    scopes
}

/// Every token starts with this, so a leaked one is recognisable (secret
/// scanners, our own redaction).
pub const TOKEN_PREFIX: &str = "apd_";
/// How many characters of a token are kept to tell tokens apart.
const SHOWN_CHARS: usize = 10;
const MAX_NAME_CHARS: usize = 100;

/// A token's secret value, as given to its holder once.
pub struct TokenSecret(String);

impl TokenSecret {
    /// 32 random bytes, hex.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system provides randomness");
        Self(format!("{TOKEN_PREFIX}{}", hex::encode(bytes)))
    }

    /// The value to show once.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> String {
        token_hash(&self.0)
    }

    /// The first characters, kept in the clear to tell tokens apart.
    pub fn prefix(&self) -> String {
        self.0.chars().take(SHOWN_CHARS).collect()
    }
}

impl fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSecret(<redacted>)")
    }
}

/// How a presented token is looked up. The token is 256 random bits, so a
/// fast hash is enough: nobody can guess their way back to it, and a
/// request never waits for a slow one.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A token as stored (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub prefix: String,
    /// The admin it acts for.
    pub created_by: i64,
    pub created_by_name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// How often a token's "last used" is written: reading it needs no more,
/// and a busy token must not turn every request into a write.
pub const TOUCH_EVERY: time::Duration = time::Duration::minutes(1);

impl ApiToken {
    /// Whether a request at `now` should write the token's "last used":
    /// not within `TOUCH_EVERY` of the last time it was.
    pub fn due_for_touch(&self, now: OffsetDateTime) -> bool {
        self.last_used_at.is_none_or(|at| now - at >= TOUCH_EVERY)
    }

    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}

/// A token to create, as an admin asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub name: String,
    pub scopes: Vec<Scope>,
}

/// Checks a token's name and scopes as typed (the admin page's fields, or
/// the command line's); no scope at all means the default, filing tickets.
pub fn check_new_token(name: &str, scopes: &[String]) -> Result<NewToken, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = name.trim();
    if name.is_empty() {
        errors.add(
            "name",
            "Name the token after what will use it, e.g. “Workato error handler”.",
        );
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.add(
            "name",
            format!("Keep the name under {MAX_NAME_CHARS} characters."),
        );
    }
    let mut parsed = Vec::new();
    for scope in scopes.iter().filter(|s| !s.trim().is_empty()) {
        match Scope::parse(scope) {
            Some(scope) => parsed.push(scope),
            None => {
                let known: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
                errors.add(
                    "scopes",
                    format!(
                        "“{}” is not a scope: use {}.",
                        scope.trim(),
                        known.join(", ")
                    ),
                );
                break;
            }
        }
    }
    if parsed.is_empty() {
        parsed.push(Scope::TicketsCreate);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(NewToken {
        name: name.to_string(),
        scopes: scopes_from_text(&scopes_to_text(&parsed)),
    })
}

/// How long an `Idempotency-Key` holds: a retry within a day gets the
/// ticket the first request filed; after that the key is free again.
pub const IDEMPOTENCY_WINDOW: time::Duration = time::Duration::hours(24);
const MAX_KEY_CHARS: usize = 255;

/// A token's `Idempotency-Key` for one request, with the hash of the body
/// it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub token_id: i64,
    pub key: String,
    pub body_hash: String,
}

impl IdempotencyKey {
    /// The header's value as sent, checked: 1 to 255 visible ASCII
    /// characters (a UUID is the usual choice).
    pub fn new(token_id: i64, key: &str, body: &[u8]) -> Result<Self, &'static str> {
        if key.is_empty() || key.len() > MAX_KEY_CHARS || !key.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(
                "Idempotency-Key must be 1 to 255 visible ASCII characters, such as a UUID.",
            );
        }
        Ok(Self {
            token_id,
            key: key.to_string(),
            body_hash: hex::encode(Sha256::digest(body)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_touched_once_a_minute_at_most() {
        let now = time::macros::datetime!(2026-12-08 12:00 UTC);
        let mut token = ApiToken {
            id: 1,
            name: "ci".into(),
            scopes: vec![Scope::TicketsCreate],
            prefix: "apd_x".into(),
            created_by: 1,
            created_by_name: "Ada".into(),
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        };
        assert!(token.due_for_touch(now), "never used");
        token.last_used_at = Some(now - time::Duration::seconds(59));
        assert!(!token.due_for_touch(now));
        token.last_used_at = Some(now - TOUCH_EVERY);
        assert!(token.due_for_touch(now));
    }

    #[test]
    fn a_token_is_long_random_prefixed_and_known_by_its_hash_only() {
        let a = TokenSecret::generate();
        let b = TokenSecret::generate();
        assert!(a.reveal().starts_with("apd_"));
        assert_eq!(a.reveal().len(), 4 + 64);
        assert_ne!(a.reveal(), b.reveal());
        assert_eq!(a.hash(), token_hash(a.reveal()));
        assert_ne!(a.hash(), b.hash());
        assert_eq!(a.prefix().len(), 10);
        assert!(!format!("{a:?}").contains(&a.reveal()[4..]));
    }

    #[test]
    fn scopes_default_to_filing_and_unknown_ones_are_refused() {
        let none = check_new_token("Workato", &[]).unwrap();
        assert_eq!(none.scopes, [Scope::TicketsCreate]);
        let some = check_new_token(
            " Ops bot ",
            &[
                "tickets:act".into(),
                "tickets:read".into(),
                "tickets:act".into(),
            ],
        )
        .unwrap();
        assert_eq!(some.name, "Ops bot");
        assert_eq!(some.scopes, [Scope::TicketsRead, Scope::TicketsAct]);
        let errors = check_new_token("", &["tickets:merge".into()]).unwrap_err();
        assert!(errors.get("name").is_some());
        assert!(errors.get("scopes").unwrap().contains("tickets:merge"));
    }

    #[test]
    fn idempotency_keys_are_short_visible_text_and_hash_the_body() {
        let a = IdempotencyKey::new(1, "9f1c2b7e-1d2a", b"{}").unwrap();
        let b = IdempotencyKey::new(1, "9f1c2b7e-1d2a", b"{ }").unwrap();
        assert_ne!(a.body_hash, b.body_hash, "the body as sent");
        for bad in ["", "has space", &"k".repeat(256), "é"] {
            assert!(IdempotencyKey::new(1, bad, b"{}").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn stored_scopes_read_back_and_unknown_ones_grant_nothing() {
        let text = scopes_to_text(&[Scope::TicketsAct, Scope::TicketsCreate]);
        assert_eq!(text, "tickets:create,tickets:act");
        assert_eq!(
            scopes_from_text("tickets:act,admin:all,tickets:create"),
            [Scope::TicketsCreate, Scope::TicketsAct]
        );
    }
}
