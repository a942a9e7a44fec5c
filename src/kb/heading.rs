//! The rule for a step's heading: an instruction ("Check that the token has
//! not expired"), never a yes/no question.
//!
//! Under the heading the page asks "Did this fix the error?". A heading that
//! is itself a question ("Is the token still active?") invites the answer
//! "yes, that part is fine", which lands on the button that ends the checks
//! as fixed; the person leaves unhelped and a false deflection is counted.

/// Words that open a yes/no question in English.
const AUXILIARIES: [&str; 24] = [
    "am", "are", "aren't", "can", "can't", "could", "did", "do", "does", "doesn't", "had", "has",
    "have", "is", "isn't", "may", "might", "must", "shall", "should", "was", "were", "will",
    "would",
];

/// Why `heading` reads as a yes/no question, or `None` when it is fine.
pub(crate) fn question_problem(heading: &str) -> Option<String> {
    let heading = heading.trim();
    if heading.ends_with('?') {
        return Some(format!(
            "check \"{heading}\" is a question; word it as an instruction \
             (\"Check that …\"), the page asks \"Did this fix the error?\" under it"
        ));
    }
    let first = heading
        .split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .unwrap_or_default()
        .replace('’', "'")
        .to_lowercase();
    AUXILIARIES.contains(&first.as_str()).then(|| {
        format!(
            "check \"{heading}\" starts like a yes/no question (\"{first} …\"); word it as an \
             instruction (\"Check that …\")"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::question_problem;

    #[test]
    fn refuses_questions() {
        for heading in [
            "Is the access token still active?",
            "Is the access token still active",
            "Did regenerating the token help",
            "Does the role allow this operation",
            "Can the API user reach the table",
            "Are sandbox and production credentials kept apart",
            "Have you retried once?",
            "Should it work now",
            "Why does it fail?",
            "DOES IT WORK",
            "Isn’t the token revoked",
        ] {
            assert!(question_problem(heading).is_some(), "{heading}");
        }
    }

    #[test]
    fn accepts_instructions() {
        for heading in [
            "Check that the access token has not expired or been revoked",
            "Retry the same request once after a short wait",
            "Look for null or empty values in the payload",
            "Island of stability: find the exact message",
            "Dockerised runners: check the clock",
        ] {
            assert_eq!(question_problem(heading), None, "{heading}");
        }
    }
}
