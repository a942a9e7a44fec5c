//! Recovery codes: ten single-use codes shown once when the second factor
//! is turned on, for the day the phone is lost. Each has 50 random bits,
//! far beyond guessing under the sign-in limits, so a plain SHA-256 is
//! enough to keep them (no slow hash needed, unlike passwords).

use std::fmt;

use sha2::{Digest, Sha256};

pub const RECOVERY_CODES: usize = 10;

/// No 0/O, 1/l/I: read off paper and typed.
const ALPHABET: &[u8] = b"23456789abcdefghijkmnpqrstuvwxyz";

/// One code as shown, e.g. `k7dqe-9mzta`. Never printed.
pub struct RecoveryCode(String);

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode(<redacted>)")
    }
}

impl RecoveryCode {
    /// A fresh set of [`RECOVERY_CODES`] codes.
    pub fn generate_set() -> Vec<Self> {
        (0..RECOVERY_CODES).map(|_| Self::generate()).collect()
    }

    fn generate() -> Self {
        let mut bytes = [0u8; 10];
        getrandom::fill(&mut bytes).expect("the operating system provides randomness");
        // 32 characters: the low five bits of each byte pick one evenly.
        let chars: String = bytes
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
            .collect();
        Self(format!("{}-{}", &chars[..5], &chars[5..]))
    }

    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// What the database keeps.
    pub fn hash(&self) -> String {
        hash_typed(&self.0)
    }
}

/// The hash of a code as someone typed it: case, spaces and dashes do not
/// matter. `None` when it cannot be a recovery code at all.
pub fn typed_recovery_hash(typed: &str) -> Option<String> {
    let normal = normalise(typed);
    (normal.len() == 10 && normal.bytes().all(|b| ALPHABET.contains(&b))).then(|| hash_typed(typed))
}

fn normalise(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

fn hash_typed(typed: &str) -> String {
    hex::encode(Sha256::digest(normalise(typed).as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_is_ten_different_readable_codes() {
        let set = RecoveryCode::generate_set();
        assert_eq!(set.len(), RECOVERY_CODES);
        let mut shown: Vec<&str> = set.iter().map(RecoveryCode::reveal).collect();
        shown.sort_unstable();
        shown.dedup();
        assert_eq!(shown.len(), RECOVERY_CODES);
        for code in &set {
            let (a, b) = code.reveal().split_once('-').unwrap();
            assert_eq!((a.len(), b.len()), (5, 5));
        }
        assert_eq!(format!("{:?}", set[0]), "RecoveryCode(<redacted>)");
    }

    #[test]
    fn a_typed_code_matches_whatever_its_case_spaces_and_dashes() {
        let code = RecoveryCode::generate();
        let bare = code.reveal().replace('-', "");
        for typed in [
            code.reveal().to_string(),
            code.reveal().to_uppercase(),
            format!(" {bare} "),
            format!("{} {}", &bare[..5], &bare[5..]),
        ] {
            assert_eq!(typed_recovery_hash(&typed), Some(code.hash()), "{typed}");
        }
        assert_ne!(code.hash(), code.reveal());
        assert_eq!(typed_recovery_hash("123456"), None);
        assert_eq!(typed_recovery_hash("k7dqe-9mzt0"), None);
    }
}
