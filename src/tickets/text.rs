//! Rules shared by every free-text field a person types.

/// `text` with every line break as `\n`. Browsers send a textarea's line
/// breaks as `\r\n`, scripts and mail often as `\n`: the same words must be
/// stored, shown and compared the same whichever way they came in.
pub fn normalise_line_breaks(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// `text` as it is kept: line breaks as `\n` (see [`normalise_line_breaks`])
/// and no [hidden control](is_hidden_control).
pub fn clean_text(text: &str) -> String {
    without_hidden_controls(&normalise_line_breaks(text))
}

/// `text` without any [hidden control](is_hidden_control): for one-line
/// fields (a name, an endpoint, a subject) as much as for long text.
pub fn without_hidden_controls(text: &str) -> String {
    text.chars().filter(|&c| !is_hidden_control(c)).collect()
}

/// A character that acts without being seen. NUL and the other C0 and C1
/// controls (but tab and line breaks): a page holding them is not valid
/// HTML, and an escape sequence in an export recolours or rewrites the
/// terminal that prints it. The bidirectional embeddings, overrides and
/// isolates (U+202A–U+202E, U+2066–U+2069): they turn around what follows
/// them on the line, so `exe.png` reads `gnp.exe` and a name can spill
/// over the words after it (Trojan Source). Right-to-left text needs none
/// of them, and the marks U+200E and U+200F are kept.
pub fn is_hidden_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::{clean_text, normalise_line_breaks};

    #[test]
    fn hidden_controls_go_and_everything_else_stays() {
        assert_eq!(
            clean_text("a\0b\u{1b}[31mc\u{7}\u{85}d\u{202E}gpj.exe\u{2066}x\u{2069}\r\n\te"),
            "ab[31mcdgpj.exex\n\te"
        );
        let kept = "Grüße 👋 שלום مرحبا \u{200F}x\u{200E} \u{200B}";
        assert_eq!(clean_text(kept), kept);
    }

    #[test]
    fn every_kind_of_line_break_becomes_a_newline() {
        assert_eq!(normalise_line_breaks("a\r\nb\rc\nd"), "a\nb\nc\nd");
        assert_eq!(normalise_line_breaks("\r\n\r\n"), "\n\n");
        assert_eq!(normalise_line_breaks("no breaks"), "no breaks");
    }
}
