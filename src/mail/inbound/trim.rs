//! The new words of a reply, without the history mail clients quote below
//! them or the signature. One pass over the lines, looking at most a few
//! lines ahead: linear in the size of the mail.

/// The line apidesk's mail starts with: whatever a reply quotes from here
/// on is apidesk's own mail.
pub const REPLY_ABOVE: &str = "Write your reply above this line";

/// How far past a `From:` line an Outlook-style header block is looked for.
const HEADER_BLOCK: usize = 4;

/// `text` (line breaks already `\n`) without quoted history or signature;
/// empty when nothing new is left.
pub fn new_words(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let cut = history_starts(&lines);
    let mut kept: Vec<&str> = lines[..cut]
        .iter()
        .copied()
        .filter(|line| !line.starts_with('>'))
        .collect();
    if is_blank(&kept) && cut < lines.len() {
        // Written below the quote (bottom-posting): keep what is neither
        // the quote nor its attribution.
        kept = lines[cut + 1..]
            .iter()
            .copied()
            .filter(|line| !line.trim_start().starts_with('>'))
            .collect();
    }
    if let Some(signature) = kept.iter().position(|line| matches!(*line, "-- " | "--")) {
        kept.truncate(signature);
    }
    while kept.last().is_some_and(|line| is_sign_off(line)) {
        kept.pop();
    }
    tidy(&kept)
}

/// Where the quoted history starts (the number of lines when there is none).
fn history_starts(lines: &[&str]) -> usize {
    for (at, line) in lines.iter().enumerate() {
        work::step(line.len() + 1);
        let bare = line.trim_start_matches(['>', ' ']).trim();
        if bare.contains(REPLY_ABOVE)
            || is_attribution(bare)
            || is_separator(bare)
            || (bare.starts_with("On ")
                && lines.get(at + 1).is_some_and(|next| {
                    work::step(next.len() + 1);
                    next.trim_end().ends_with("wrote:")
                }))
            || (is_header_line(bare, "From:") && header_block_follows(&lines[at + 1..]))
            || (bare.ends_with(':') && bare.contains('@') && quote_follows(&lines[at + 1..]))
        {
            return at;
        }
    }
    lines.len()
}

/// "On Tue, 3 Nov 2026 at 10:02, Support <…> wrote:", and the same in the
/// languages mail clients most often write it in.
fn is_attribution(line: &str) -> bool {
    (line.starts_with("On ") && line.ends_with("wrote:"))
        || (line.starts_with("Le ") && (line.ends_with("a écrit :") || line.ends_with("a écrit:")))
        || (line.starts_with("Am ") && line.contains(" schrieb") && line.ends_with(':'))
        || (line.starts_with("El ") && line.ends_with("escribió:"))
        || (line.starts_with("Il ") && line.ends_with("ha scritto:"))
        || (line.starts_with("Op ") && line.contains(" schreef") && line.ends_with(':'))
}

/// "-----Original Message-----" (Outlook), "-------- Original message
/// --------" (phones), "Begin forwarded message:" (Apple Mail), and the line
/// of underscores Outlook on the web draws above the quoted headers.
fn is_separator(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    (line.starts_with("---") && lower.contains("original message"))
        || lower == "begin forwarded message:"
        || (line.len() >= 20 && line.bytes().all(|b| b == b'_'))
}

/// Whether the next line with anything on it is quoted: an attribution in a
/// language not listed above ("2026年11月3日 9:31 Support <s@example.com>:").
fn quote_follows(rest: &[&str]) -> bool {
    rest.iter()
        .inspect(|line| work::step(line.len() + 1))
        .find(|line| !line.trim().is_empty())
        .is_some_and(|line| line.trim_start().starts_with('>'))
}

fn is_header_line(line: &str, name: &str) -> bool {
    line.get(..name.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(name))
}

/// Outlook quotes the answered mail under a block of headers: `From:`, then
/// `Sent:`/`Date:` and `To:`/`Subject:` within a few lines.
fn header_block_follows(rest: &[&str]) -> bool {
    let window = &rest[..rest.len().min(HEADER_BLOCK)];
    work::step(window.iter().map(|line| line.len() + 1).sum());
    let has = |names: &[&str]| {
        window.iter().any(|line| {
            let bare = line.trim_start_matches(['>', ' ']);
            names.iter().any(|name| is_header_line(bare, name))
        })
    };
    has(&["Sent:", "Date:"]) && has(&["To:", "Subject:"])
}

fn is_sign_off(line: &str) -> bool {
    let line = line.trim();
    line.is_empty() || line.starts_with("Sent from my ") || line.starts_with("Get Outlook for ")
}

fn is_blank(lines: &[&str]) -> bool {
    lines.iter().all(|line| line.trim().is_empty())
}

/// The lines joined, without blank lines at either end or more than one
/// blank line in a row.
fn tidy(lines: &[&str]) -> String {
    let mut out = String::new();
    let mut blank_run = 0;
    for line in lines {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_run > 0 { "\n\n" } else { "\n" });
        }
        blank_run = 0;
        out.push_str(line);
    }
    out
}

use crate::work;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_style_history_is_cut_at_its_attribution() {
        let text = "Still 401 with the new key.\n\nOn Tue, 3 Nov 2026 at 10:02, apidesk <support@example.com> wrote:\n> Hello,\n> we replied.";
        assert_eq!(new_words(text), "Still 401 with the new key.");
        let wrapped = "Thanks!\n\nOn Tue, 3 Nov 2026 at 10:02, Very Long Support Team Name <support@example.com>\nwrote:\n> quoted";
        assert_eq!(new_words(wrapped), "Thanks!");
    }

    #[test]
    fn outlook_styles_are_cut_at_their_separators() {
        let classic = "New token, same error.\r\n\r\n-----Original Message-----\r\nFrom: Support\r\nSent: Tuesday\r\nTo: me\r\nSubject: Re: APD-000001".replace("\r\n", "\n");
        assert_eq!(new_words(&classic), "New token, same error.");
        let web = "Done.\n\n________________________________\nFrom: Support <s@example.com>\nSent: 3 November 2026 10:02\nTo: Pat\nSubject: APD-000001";
        assert_eq!(new_words(web), "Done.");
        let bare = "Done.\n\nFrom: Support <s@example.com>\nDate: 3 November 2026\nSubject: APD-000001\n\nHello";
        assert_eq!(new_words(bare), "Done.");
    }

    #[test]
    fn apidesks_own_marker_cuts_even_without_an_attribution() {
        let text = "It works now.\n\n> Write your reply above this line to add it to APD-000001.\n> Support replied:";
        assert_eq!(new_words(text), "It works now.");
    }

    #[test]
    fn other_languages_and_phones_are_recognised() {
        for attribution in [
            "Le mar. 3 nov. 2026 à 10:02, Support <s@example.com> a écrit :",
            "Am Di., 3. Nov. 2026 um 10:02 Uhr schrieb Support <s@example.com>:",
            "El mar, 3 nov 2026 a las 10:02, Support (<s@example.com>) escribió:",
            "-------- Original message --------",
            "Begin forwarded message:",
            "2026年11月3日 9:31 Support <s@example.com>:",
        ] {
            let text = format!("Merci.\n\n{attribution}\n> old");
            assert_eq!(new_words(&text), "Merci.", "{attribution}");
        }
    }

    #[test]
    fn signatures_and_sign_offs_are_dropped() {
        let text = "The job ran at 09:30.\n\n-- \nPat Doe\nIntegration team";
        assert_eq!(new_words(text), "The job ran at 09:30.");
        let phone = "Yes, same error.\n\nSent from my iPhone";
        assert_eq!(new_words(phone), "Yes, same error.");
    }

    #[test]
    fn an_answer_written_below_the_quote_is_kept() {
        let text =
            "On Tue, 3 Nov 2026, Support wrote:\n> Did rotating the key help?\n\nNo, still 401.";
        assert_eq!(new_words(text), "No, still 401.");
    }

    #[test]
    fn interleaved_quotes_are_dropped_and_ordinary_lines_kept() {
        let text = "> Which endpoint?\n/openapi/apps\n> Which method?\nGET\n\n\n\nOn Monday we changed the key.";
        assert_eq!(
            new_words(text),
            "/openapi/apps\nGET\n\nOn Monday we changed the key."
        );
    }

    #[test]
    fn a_reply_that_only_quotes_is_empty() {
        assert_eq!(new_words("On Tue, Support wrote:\n> hello"), "");
        assert_eq!(new_words("\n\n  \n"), "");
    }
}
