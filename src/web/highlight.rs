//! Search words marked in the text a queue row shows.

/// A run of text, and whether it is a search hit (shown in `<mark>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub hit: bool,
}

/// `text` cut into pieces, the hits being each place one of `words` stands
/// as a whole word (as the full-text index matches), whatever its case.
/// Letters are compared ASCII-folded, which keeps byte positions, so each
/// word is one linear scan of the text.
pub fn highlight(text: &str, words: &[&str]) -> Vec<Piece> {
    let folded = text.to_ascii_lowercase();
    let mut hits = vec![false; text.len()];
    for word in words {
        let word = word.to_ascii_lowercase();
        if word.is_empty() {
            continue;
        }
        for (at, found) in folded.match_indices(&word) {
            let end = at + found.len();
            let starts_word = folded[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            let ends_word = folded[end..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric());
            if starts_word && ends_word {
                hits[at..end].iter_mut().for_each(|hit| *hit = true);
            }
        }
    }
    let mut pieces: Vec<Piece> = Vec::new();
    for (at, c) in text.char_indices() {
        let hit = hits[at];
        match pieces.last_mut() {
            Some(last) if last.hit == hit => last.text.push(c),
            _ => pieces.push(Piece {
                text: c.to_string(),
                hit,
            }),
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(text: &str, words: &[&str]) -> String {
        highlight(text, words)
            .into_iter()
            .map(|p| {
                if p.hit {
                    format!("[{}]", p.text)
                } else {
                    p.text
                }
            })
            .collect()
    }

    #[test]
    fn whole_words_in_any_case_are_marked() {
        assert_eq!(
            marked("Timeout after 30s: TIMEOUT again", &["timeout"]),
            "[Timeout] after 30s: [TIMEOUT] again"
        );
        assert_eq!(
            marked("timeouts and 4010", &["timeout", "401"]),
            "timeouts and 4010"
        );
        assert_eq!(
            marked("GET /v1/users failed (401)", &["401", "users"]),
            "GET /v1/[users] failed ([401])"
        );
    }

    #[test]
    fn a_word_with_a_hyphen_is_one_piece_and_text_is_kept_whole() {
        let pieces = highlight("Retry-After header", &["retry-after"]);
        assert_eq!(pieces[0].text, "Retry-After");
        assert!(pieces[0].hit);
        assert_eq!(
            pieces.iter().map(|p| p.text.as_str()).collect::<String>(),
            "Retry-After header"
        );
    }

    #[test]
    fn text_beyond_ascii_is_safe() {
        assert_eq!(
            marked("Ünïcode fehlgeschlagen: ошибка 500", &["500"]),
            "Ünïcode fehlgeschlagen: ошибка [500]"
        );
        assert_eq!(marked("", &["x"]), "");
        assert_eq!(marked("abc", &[]), "abc");
    }
}
