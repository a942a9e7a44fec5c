//! The name a file is shown under. It comes from the sender and is only
//! ever shown (escaped), never used as a path: cleaning it is about what a
//! reader sees, not about where it could be written.

use super::MAX_NAME_CHARS;

const FALLBACK: &str = "attachment";

/// The sender's name without any folders, invisible or direction-changing
/// characters, leading dots (hidden files, `..`), never empty.
pub fn display_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean = clean_segment(last);
    if clean.is_empty() {
        FALLBACK.to_owned()
    } else {
        clean
    }
}

/// A zip member's path as a display string: its folders are kept, as they
/// tell files of the same name apart, but empty, `.` and `..` segments and
/// any leading `/` or drive are dropped, so the repacked zip unpacks
/// inside whatever folder it is unpacked into.
pub(super) fn member_name(raw: &str) -> String {
    let segments: Vec<String> = raw
        .split(['/', '\\'])
        .map(clean_segment)
        .filter(|s| !s.is_empty() && !s.ends_with(':'))
        .collect();
    let joined = segments.join("/");
    if joined.is_empty() {
        FALLBACK.to_owned()
    } else if joined.chars().count() > MAX_NAME_CHARS {
        // Too deep to show whole: the file's own name says most.
        segments
            .last()
            .cloned()
            .unwrap_or_else(|| FALLBACK.to_owned())
    } else {
        joined
    }
}

fn clean_segment(raw: &str) -> String {
    let visible: String = raw.chars().filter(|&c| !is_hidden(c)).collect();
    let cut: String = visible.trim().chars().take(MAX_NAME_CHARS).collect();
    cut.trim_start_matches('.').trim().to_owned()
}

/// Characters that are invisible or reorder what follows them: a name
/// like `invoice\u{202E}gpj.exe` reads as `invoiceexe.jpg`.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{061C}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_and_control_characters_go() {
        assert_eq!(display_name("../../etc/passwd\u{0007}.txt"), "passwd.txt");
        assert_eq!(display_name("C:\\Users\\me\\shot.png"), "shot.png");
        assert_eq!(display_name("a\u{85}b\u{2028}c.log"), "abc.log");
    }

    #[test]
    fn direction_marks_go() {
        assert_eq!(display_name("invoice\u{202E}gpj.exe"), "invoicegpj.exe");
        assert_eq!(display_name("\u{2066}x\u{2069}\u{200F}.txt"), "x.txt");
    }

    #[test]
    fn leading_dots_and_blanks_go_and_empty_falls_back() {
        assert_eq!(display_name("  .env  "), "env");
        assert_eq!(display_name("..."), "attachment");
        assert_eq!(display_name("dir/"), "attachment");
        assert_eq!(display_name(""), "attachment");
    }

    #[test]
    fn long_names_are_cut_by_characters() {
        let long = "é".repeat(500);
        assert_eq!(display_name(&long).chars().count(), MAX_NAME_CHARS);
    }

    #[test]
    fn member_names_keep_folders_but_never_climb_out() {
        assert_eq!(member_name("logs/app.log"), "logs/app.log");
        assert_eq!(member_name("../../etc/passwd"), "etc/passwd");
        assert_eq!(member_name("/abs/./x.txt"), "abs/x.txt");
        assert_eq!(member_name("C:\\temp\\x.txt"), "temp/x.txt");
        assert_eq!(member_name("../"), "attachment");
    }
}
