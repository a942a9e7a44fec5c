//! Password hashing with Argon2id. `Password` and `PasswordHash` have
//! redacting `Debug` so neither can reach a log by accident.

use std::fmt;
use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash as Phc;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

pub const MIN_PASSWORD_CHARS: usize = 12;
const MAX_PASSWORD_CHARS: usize = 1_024;

/// A password as typed. Compared and hashed, never printed.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Checks the length rules for a new password.
    pub fn new(text: String) -> Result<Self, String> {
        let chars = text.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(format!(
                "The password must be at least {MIN_PASSWORD_CHARS} characters."
            ));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(format!(
                "The password must be at most {MAX_PASSWORD_CHARS} characters."
            ));
        }
        Ok(Self(text))
    }

    /// A password offered at sign-in: no rules, it is only compared.
    pub fn offered(text: String) -> Self {
        Self(text)
    }

    fn bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A stored Argon2id hash in PHC format.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn from_stored(phc: String) -> Self {
        Self(phc)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

pub fn hash_password(password: &Password) -> anyhow::Result<PasswordHash> {
    let hash = Argon2::default()
        .hash_password(password.bytes())
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))?;
    Ok(PasswordHash(hash.to_string()))
}

/// Verifies `password` against `hash`. With no hash (no such account) it
/// verifies against a fixed dummy hash, so the answer takes as long either
/// way and timing does not reveal which accounts exist.
pub fn verify_password(password: &Password, hash: Option<&PasswordHash>) -> bool {
    static DUMMY: LazyLock<PasswordHash> = LazyLock::new(|| {
        hash_password(&Password::offered(
            "not a real password, only for timing".into(),
        ))
        .expect("hashing a fixed password works")
    });
    let (hash, real) = match hash {
        Some(hash) => (hash, true),
        None => (&*DUMMY, false),
    };
    let Ok(parsed) = Phc::new(hash.as_str()) else {
        return false;
    };
    let matches = Argon2::default()
        .verify_password(password.bytes(), &parsed)
        .is_ok();
    matches && real
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_the_right_password() {
        let password = Password::new("correct horse battery".into()).unwrap();
        let hash = hash_password(&password).unwrap();
        assert!(hash.as_str().starts_with("$argon2id$"));
        assert!(verify_password(&password, Some(&hash)));
        assert!(!verify_password(
            &Password::offered("wrong horse battery".into()),
            Some(&hash)
        ));
        // Same password, new salt.
        assert_ne!(hash, hash_password(&password).unwrap());
    }

    #[test]
    fn no_account_never_verifies() {
        let password = Password::offered("not a real password, only for timing".into());
        assert!(!verify_password(&password, None));
    }

    #[test]
    fn a_corrupt_hash_never_verifies() {
        let password = Password::offered("whatever it is".into());
        assert!(!verify_password(
            &password,
            Some(&PasswordHash::from_stored("garbage".into()))
        ));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(
            Password::new("elevenchars".into())
                .unwrap_err()
                .contains("12")
        );
        assert!(Password::new("twelve chars".into()).is_ok());
        assert!(Password::new("é".repeat(12)).is_ok());
    }

    #[test]
    fn debug_never_shows_secrets() {
        let password = Password::new("correct horse battery".into()).unwrap();
        assert_eq!(format!("{password:?}"), "Password(<redacted>)");
        let hash = hash_password(&password).unwrap();
        assert_eq!(format!("{hash:?}"), "PasswordHash(<redacted>)");
    }
}
