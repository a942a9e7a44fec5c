//! Load errors. Every problem in every file is collected before failing, so
//! an author sees the whole list at once instead of fixing one per restart.

use std::fmt;

/// One thing wrong with one file (`file` is relative to the content folder;
/// a directory such as `articles/` when the problem is a missing file, and
/// empty when it is the folder itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// The file line the problem is on, where one place can be named.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.file.is_empty() {
            write!(f, "{}: ", self.file)?;
        }
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        f.write_str(&self.message)
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
        self.add_at(file, None, message);
    }

    /// A problem at a known line of `file`.
    pub fn add_at(&mut self, file: &str, line: Option<usize>, message: impl Into<String>) {
        self.0.push(Problem {
            file: file.to_string(),
            line,
            message: message.into(),
        });
    }

    /// A TOML error at the file line it points to; `first_line` is the file
    /// line the TOML text starts on (front matter starts after the `+++`
    /// line), `what` names that text when it is not the whole file.
    pub fn add_toml(
        &mut self,
        file: &str,
        error: &toml::de::Error,
        toml: &str,
        first_line: usize,
        what: Option<&str>,
    ) {
        let line = error
            .span()
            .map(|span| first_line + line_offset(toml, span.start));
        let message = error.message().trim();
        match what {
            Some(what) => self.add_at(file, line, format!("{what}: {message}")),
            None => self.add_at(file, line, message),
        }
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

/// How many lines `text` runs on for before byte `offset`.
pub(crate) fn line_offset(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
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
        let mut problems = Problems::default();
        problems.add_toml("articles/a.md", &error, text, 2, Some("front matter"));
        let problem = &problems.0[0];
        assert_eq!(problem.line, Some(3));
        assert!(
            problem
                .to_string()
                .starts_with("articles/a.md: line 3: front matter: "),
            "{problem}"
        );
    }

    #[test]
    fn a_problem_with_the_folder_itself_names_no_file() {
        let mut problems = Problems::default();
        problems.add("", "holds no content");
        assert_eq!(problems.messages(), ["holds no content"]);
    }
}
