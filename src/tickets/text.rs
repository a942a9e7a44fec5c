//! Rules shared by every free-text field a person types.

/// `text` with every line break as `\n`. Browsers send a textarea's line
/// breaks as `\r\n`, scripts and mail often as `\n`: the same words must be
/// stored, shown and compared the same whichever way they came in.
pub fn normalise_line_breaks(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    use super::normalise_line_breaks;

    #[test]
    fn every_kind_of_line_break_becomes_a_newline() {
        assert_eq!(normalise_line_breaks("a\r\nb\rc\nd"), "a\nb\nc\nd");
        assert_eq!(normalise_line_breaks("\r\n\r\n"), "\n\n");
        assert_eq!(normalise_line_breaks("no breaks"), "no breaks");
    }
}
