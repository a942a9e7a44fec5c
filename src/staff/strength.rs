//! How guessable a new password is, by the zxcvbn estimator, with the
//! owner's own details counted among the first guesses. No composition
//! rules: a long phrase of plain words passes, "Passw0rd!2024" does not.

use zxcvbn::Score;

/// Whose password it is: their email and name are what a guesser who
/// targets them tries first.
#[derive(Debug, Clone, Default)]
pub struct PasswordOwner {
    pub email: String,
    pub name: String,
}

impl PasswordOwner {
    pub fn new(email: &str, name: &str) -> Self {
        Self {
            email: email.trim().to_lowercase(),
            name: name.trim().to_lowercase(),
        }
    }

    /// The email, its local part, the name, and the pieces of each, so that
    /// "jane.doe2024!!" is caught for jane.doe@example.com as "Doe1984" is
    /// for Jane Doe.
    fn words(&self) -> Vec<String> {
        let local = self.email.split('@').next().unwrap_or_default();
        let mut words = vec![self.email.clone(), local.to_string(), self.name.clone()];
        let pieces = |text: &str| -> Vec<String> {
            text.split(|c: char| !c.is_alphanumeric())
                .filter(|piece| piece.chars().count() >= 3)
                .map(str::to_string)
                .collect()
        };
        words.extend(pieces(local));
        words.extend(pieces(&self.name));
        words.retain(|word| !word.is_empty());
        words.dedup();
        words
    }
}

/// The weakest score accepted: zxcvbn's own line between "too guessable"
/// (up to 10^8 guesses) and "safely unguessable" for an online attack.
const ENOUGH: Score = Score::Three;

const SUGGESTION: &str =
    "Use a few unrelated words instead: a longer phrase is harder to guess and easy to type.";

/// Why `text` is too easy to guess for `owner`, in plain words, or `None`
/// when it is strong enough. CPU work (milliseconds): call it only on
/// input already bounded in length, and off the async workers.
pub fn too_guessable(text: &str, owner: &PasswordOwner) -> Option<String> {
    let words = owner.words();
    let inputs: Vec<&str> = words.iter().map(String::as_str).collect();
    let estimate = zxcvbn::zxcvbn(text, &inputs);
    let lower = text.to_lowercase();
    let own = words.iter().any(|word| lower.contains(word.as_str()));
    if estimate.score() >= ENOUGH {
        // zxcvbn rates "jane.doe2024!!" fair for Jane: her details count
        // for little, but they are the first thing tried. What the password
        // adds to them must be strong on its own.
        if !own || zxcvbn::zxcvbn(&without(&lower, &words), &[]).score() >= ENOUGH {
            return None;
        }
    }
    let warning = if own {
        "It contains your name or your email address, which are among the first guesses."
            .to_string()
    } else {
        estimate
            .feedback()
            .and_then(|feedback| feedback.warning())
            .map_or_else(
                || "Programs that guess passwords would find it quickly.".to_string(),
                |warning| warning.to_string(),
            )
    };
    Some(format!(
        "This password is too easy to guess. {warning} {SUGGESTION}"
    ))
}

/// `lower` with every one of the owner's words taken out, longest first.
fn without(lower: &str, words: &[String]) -> String {
    let mut words: Vec<&String> = words.iter().collect();
    words.sort_by_key(|word| std::cmp::Reverse(word.chars().count()));
    words.iter().fold(lower.to_string(), |rest, word| {
        rest.replace(word.as_str(), "")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jane() -> PasswordOwner {
        PasswordOwner::new("Jane.Doe@example.com", "Jane Doe")
    }

    #[test]
    fn common_passwords_are_refused_saying_why() {
        let owner = PasswordOwner::default();
        let common = too_guessable("password1234", &owner).unwrap();
        assert!(common.contains("common password"), "{common}");
        assert!(common.contains("Use a few unrelated words"), "{common}");
        let keys = too_guessable("qwertyuiop12", &owner).unwrap();
        assert!(keys.contains("too easy to guess"), "{keys}");
    }

    #[test]
    fn the_owners_name_and_email_are_refused() {
        for own in ["jane.doe2024!!", "JaneDoe19840101", "jane.doe@example.com"] {
            let refusal = too_guessable(own, &jane()).unwrap_or_else(|| panic!("{own} passed"));
            assert!(
                refusal.contains("your name or your email"),
                "{own}: {refusal}"
            );
        }
    }

    #[test]
    fn a_long_passphrase_of_plain_words_passes() {
        assert_eq!(too_guessable("staple orbit lantern quietly", &jane()), None);
        assert_eq!(too_guessable("correct horse battery staple", &jane()), None);
        // Her name is no help, but it does not spoil a strong passphrase.
        assert_eq!(
            too_guessable("jane staple orbit lantern quietly", &jane()),
            None
        );
    }

    #[test]
    fn the_owner_words_include_the_pieces_of_the_email_and_name() {
        let words = jane().words();
        for word in [
            "jane.doe@example.com",
            "jane.doe",
            "jane doe",
            "jane",
            "doe",
        ] {
            assert!(
                words.iter().any(|w| w == word),
                "{word} missing from {words:?}"
            );
        }
    }
}
