//! `apidesk content check|export`: a team's content folder, checked the way
//! apidesk loads it (a pull-request check in the team's content repository)
//! and started from the built-in content. Neither needs a database.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

use crate::kb::{KnowledgeBase, Problem, export_embedded};

#[derive(Debug, Subcommand)]
pub(super) enum ContentCommand {
    /// Check a content folder exactly as `--content DIR` would load it.
    /// Prints "ok: N articles, M trees", or every problem as
    /// `DIR/FILE:LINE: MESSAGE` (`DIR/FILE: MESSAGE` where no one line is
    /// at fault). Exits 0 when the content is valid, 1 when it is not or
    /// cannot be read, 2 on a usage error. Touches no database.
    Check {
        /// The folder holding site.toml, articles/ and trees/.
        dir: PathBuf,
    },
    /// Write the built-in content into DIR (created if needed) as the
    /// starting point of your own. Refuses a DIR that is not empty.
    Export {
        dir: PathBuf,
        /// Write into a DIR that is not empty, replacing the files the
        /// export writes and keeping every other file.
        #[arg(long)]
        force: bool,
    },
}

pub(super) fn run(command: ContentCommand) -> anyhow::Result<ExitCode> {
    match command {
        ContentCommand::Check { dir } => Ok(check(&dir)),
        ContentCommand::Export { dir, force } => {
            let written = export_embedded(&dir, force)?;
            println!(
                "Wrote {written} files to {shown}. Edit them, check them with \
                 `apidesk content check {shown}`, and serve them with `apidesk --content {shown}`.",
                shown = dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn check(dir: &Path) -> ExitCode {
    match KnowledgeBase::load_folder(dir) {
        Ok(kb) => {
            println!("ok: {}", kb.describe());
            ExitCode::SUCCESS
        }
        Err(error) => {
            for problem in &error.problems {
                println!("{}", located(dir, problem));
            }
            let count = error.problems.len();
            let plural = if count == 1 { "" } else { "s" };
            eprintln!("{count} problem{plural} in {}", dir.display());
            ExitCode::FAILURE
        }
    }
}

/// `DIR/FILE:LINE: MESSAGE`, the form editors and CI annotations turn into
/// a link to the line.
fn located(dir: &Path, problem: &Problem) -> String {
    let path = if problem.file.is_empty() {
        dir.to_path_buf()
    } else {
        dir.join(&problem.file)
    };
    match problem.line {
        Some(line) => format!("{}:{line}: {}", path.display(), problem.message),
        None => format!("{}: {}", path.display(), problem.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_located_under_the_folder_given() {
        let problem = |file: &str, line| Problem {
            file: file.into(),
            line,
            message: "m".into(),
        };
        let dir = Path::new("content");
        assert_eq!(
            located(dir, &problem("trees/401.toml", Some(7))),
            "content/trees/401.toml:7: m"
        );
        assert_eq!(
            located(dir, &problem("articles/", None)),
            "content/articles/: m"
        );
        assert_eq!(located(dir, &problem("", None)), "content: m");
    }
}
