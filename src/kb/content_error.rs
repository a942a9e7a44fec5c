//! Load errors. Every problem in every file is collected before failing, so
//! an author sees the whole list at once instead of fixing one per restart.

use std::fmt;

/// One thing wrong with one file (`file` is relative to `content/`; a
/// directory such as `articles/` when the problem is a missing file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the knowledge base content is invalid:{}", bullet_list(.problems))]
pub struct ContentError {
    pub problems: Vec<Problem>,
}

fn bullet_list(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("\n  - {p}")).collect()
}

/// Accumulates problems while loading.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<Problem>);

impl Problems {
    pub fn add(&mut self, file: &str, message: impl Into<String>) {
        self.0.push(Problem {
            file: file.to_string(),
            message: message.into(),
        });
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Problems come out grouped by file (in the order found within each),
    /// however the files were fed in.
    pub fn into_result<T>(mut self, value: T) -> Result<T, ContentError> {
        if self.0.is_empty() {
            return Ok(value);
        }
        self.0.sort_by(|a, b| a.file.cmp(&b.file));
        Err(ContentError { problems: self.0 })
    }

    #[cfg(test)]
    pub fn messages(&self) -> Vec<String> {
        self.0.iter().map(ToString::to_string).collect()
    }
}

/// A TOML error as "line N: message"; `first_line` is the file line the
/// TOML text starts on (front matter starts after the `+++` line).
pub(crate) fn describe_toml_error(
    error: &toml::de::Error,
    toml: &str,
    first_line: usize,
) -> String {
    match error.span() {
        Some(span) => {
            let line = first_line
                + toml.as_bytes()[..span.start.min(toml.len())]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count();
            format!("line {line}: {}", error.message().trim())
        }
        None => error.message().trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_problem_with_its_file() {
        let mut problems = Problems::default();
        problems.add("articles/a.md", "missing section \"Checklist\"");
        problems.add("trees/401.toml", "steps form a cycle: a -> b -> a");
        let error = problems.into_result(()).err().map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some(
                "the knowledge base content is invalid:\n  \
                 - articles/a.md: missing section \"Checklist\"\n  \
                 - trees/401.toml: steps form a cycle: a -> b -> a"
            )
        );
    }

    #[test]
    fn no_problems_is_ok() {
        assert_eq!(Problems::default().into_result(7).ok(), Some(7));
    }

    #[test]
    fn toml_errors_carry_the_file_line() {
        let text = "a = 1\nb = \n";
        let error = match toml::from_str::<toml::Table>(text) {
            Ok(_) => panic!("should not parse"),
            Err(e) => e,
        };
        let described = describe_toml_error(&error, text, 2);
        assert!(described.starts_with("line 3: "), "{described}");
    }
}
