//! Which of the files that came with one message are kept: each scanned
//! (where a scanner is set) and inspected in turn, then counted against
//! what its ticket may hold. One path for the forms, mail and the API, so
//! a file is judged the same way wherever it comes in.

use std::fmt;

use super::{
    DEFAULT_SCAN_TIMEOUT, Held, Inspected, Limits, Refused, Scanner, Upload, display_name, inspect,
    size_text,
};

/// A file that was not kept, and why, in words for its sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotKept {
    /// Its name as shown.
    pub name: String,
    pub why: String,
}

impl NotKept {
    pub fn new(name: &str, why: impl fmt::Display) -> Self {
        Self {
            name: display_name(name),
            why: why.to_string(),
        }
    }
}

impl fmt::Display for NotKept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}.", self.name, self.why)
    }
}

/// How files are judged: the deployment's limits and its virus scanner.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub limits: Limits,
    pub scanner: Option<Scanner>,
}

impl Rules {
    pub fn new(limits: Limits, clamav: Option<super::ClamavAddress>) -> Self {
        Self {
            limits,
            scanner: clamav.map(|address| Scanner::new(address, DEFAULT_SCAN_TIMEOUT)),
        }
    }
}

/// Judges `uploads` in order: those that pass and still fit after `held`
/// are returned to be kept; each of the rest with why. Inspection runs off
/// the async workers; a file the scanner cannot check is not kept (an
/// unscanned file is never kept where scanning is asked for).
pub async fn admit(
    uploads: Vec<Upload>,
    rules: &Rules,
    held: Held,
) -> (Vec<Inspected>, Vec<NotKept>) {
    let limits = rules.limits;
    let (mut files, mut bytes) = (held.files, held.bytes);
    let mut kept = Vec::new();
    let mut refused = Vec::new();
    for upload in uploads {
        let name = upload.name.clone();
        // Counted before the work of inspecting it.
        if files >= limits.max_ticket_files {
            let why = format!("a ticket holds at most {} files", limits.max_ticket_files);
            refused.push(NotKept::new(&name, why));
            continue;
        }
        match judge(upload, rules).await {
            Err(why) => refused.push(NotKept::new(&name, why)),
            Ok(file) if bytes + file.bytes.len() as u64 > limits.max_ticket_bytes => {
                let why = format!(
                    "a ticket's files may hold {} in all",
                    size_text(limits.max_ticket_bytes)
                );
                refused.push(NotKept::new(&name, why));
            }
            Ok(file) => {
                files += 1;
                bytes += file.bytes.len() as u64;
                kept.push(file);
            }
        }
    }
    (kept, refused)
}

/// One file: scanned as sent, before anything in it is changed, then
/// inspected.
async fn judge(upload: Upload, rules: &Rules) -> Result<Inspected, Refused> {
    if upload.bytes.is_empty() {
        return Err(Refused::Empty);
    }
    if let Some(scanner) = &rules.scanner {
        match scanner.scan(&upload.bytes).await {
            Ok(verdict) => {
                if let Err(refused) = verdict.into_result() {
                    tracing::warn!(%refused, "the virus scanner refused a file");
                    return Err(refused);
                }
            }
            Err(err) => {
                tracing::error!(%err, "the virus scanner did not answer; the file is refused");
                return Err(Refused::NotChecked);
            }
        }
    }
    let limits = rules.limits;
    match tokio::task::spawn_blocking(move || inspect(upload, &limits)).await {
        Ok(result) => result,
        // A decoder that panics on a crafted file refuses that file; the
        // server goes on.
        Err(err) => {
            tracing::error!(%err, "inspecting a file failed");
            Err(Refused::NotAllowed { looks_like: None })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(name: &str, text: &str) -> Upload {
        Upload {
            name: name.into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[tokio::test]
    async fn files_are_kept_in_order_until_the_ticket_is_full() {
        let rules = Rules::new(
            Limits {
                max_ticket_files: 3,
                max_ticket_bytes: 40,
                max_file_bytes: 1024,
            },
            None,
        );
        let held = Held {
            files: 1,
            bytes: 10,
        };
        let uploads = vec![
            upload("a.log", "first line\n"),
            upload("b.sh", "#!/bin/sh\nrm -rf /\n"),
            upload("c.log", "a line long enough to pass the bytes\n"),
            upload("d.log", "second\n"),
            upload("e.log", "third\n"),
        ];
        let (kept, refused) = admit(uploads, &rules, held).await;
        let names: Vec<&str> = kept.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a.log", "d.log"]);
        let said: Vec<String> = refused.iter().map(ToString::to_string).collect();
        assert_eq!(said.len(), 3);
        assert!(
            said[0].starts_with("b.sh: it looks like a script"),
            "{said:?}"
        );
        assert_eq!(said[1], "c.log: a ticket's files may hold 40 bytes in all.");
        assert_eq!(said[2], "e.log: a ticket holds at most 3 files.");
    }

    #[tokio::test]
    async fn an_unreachable_scanner_keeps_nothing() {
        let rules = Rules::new(
            Limits::default(),
            Some("/nonexistent/clamd.ctl".parse().unwrap()),
        );
        let (kept, refused) = admit(vec![upload("a.log", "x\n")], &rules, Held::default()).await;
        assert!(kept.is_empty());
        assert!(refused[0].why.contains("could not be checked for viruses"));
    }
}
