//! Random-looking words just after "token", "key", "secret" or "password"
//! in prose, which no field name or shape gives away.

use super::*;

#[derive(Clone, Copy)]
pub(super) struct Armed {
    kind: SecretKind,
    fillers_left: u8,
}

pub(super) enum WordClass {
    Keyword(SecretKind),
    /// Names an identifier ("id", "page token", "public key"): what follows
    /// is data, not a secret.
    NotSecret,
    Filler,
    Other,
}

/// What the words read so far on this line say about the next one.
#[derive(Default)]
pub(super) struct Context {
    armed: Option<Armed>,
    /// The last word was a qualifier like "page" or "public".
    qualified: bool,
}

/// Rule of thumb for secrets with no recognisable name or shape: a keyword
/// ("token", "key", "secret", "password", "credential") arms the scanner,
/// and the next word, possibly after a few fillers like "is" or "the", is
/// removed if it looks random. Any other word, a line break, a sentence end
/// or a marker disarms it.
pub(super) fn scan_context(text: &str, out: &mut Vec<Finding>) {
    let b = text.as_bytes();
    let mut context = Context::default();
    let mut i = 0;
    while i < b.len() {
        crate::work::step(1);
        if let Some(len) = marker_len(b, i) {
            context = Context::default();
            i += len;
            continue;
        }
        if !is_word_byte(b[i]) {
            if b"\n\r;|!?".contains(&b[i]) {
                context.armed = None;
            }
            i += 1;
            continue;
        }
        let start = i;
        i = run_end(b, i, is_word_byte);
        // `key=value` is one run of word bytes; judge the halves apart.
        // Trailing `=` is base64 padding, unless a marker (a removed value)
        // follows.
        let padding = match marker_len(b, i) {
            Some(_) => 0,
            None => b[start..i].iter().rev().take_while(|&&c| c == b'=').count(),
        };
        match b[start..i - padding].iter().position(|&c| c == b'=') {
            Some(eq) => {
                context.step(text, start, start + eq, true, out);
                context.step(text, start + eq + 1, i, false, out);
            }
            None => context.step(text, start, i, false, out),
        }
        if b[i - 1] == b'.' && b.get(i).is_none_or(u8::is_ascii_whitespace) {
            context.armed = None;
        }
    }
}

impl Context {
    /// Judges the word at `start..end`. A field name (before `=` or `:`)
    /// may arm the scanner but is never removed: it frames a value, and a
    /// header name like `Set-Cookie` must survive for a second run to read
    /// the line the same way.
    fn step(
        &mut self,
        text: &str,
        start: usize,
        end: usize,
        is_name: bool,
        out: &mut Vec<Finding>,
    ) {
        let b = text.as_bytes();
        let is_name = is_name
            || b.get(end) == Some(&b':')
            || b.get(end..end + 2)
                .is_some_and(|n| matches!(n, [b'"' | b'\'', b':']));
        let email = b.get(end) == Some(&b'@') || prev_byte(b, start) == Some(b'@');
        // A full stop ends the sentence, not the word; base64 padding stays
        // out of the marker so no `=` that frames a cookie or field is lost.
        let mut end = end;
        while end > start && matches!(b[end - 1], b'.' | b'=') {
            end -= 1;
        }
        let Some(word) = b.get(start..end).filter(|w| !w.is_empty()) else {
            return;
        };
        if let Some(armed) = self.armed
            && !is_name
            && !email
            && (looks_random(word)
                || (armed.kind == SecretKind::Password && looks_like_password(word)))
        {
            push(out, text, start, end, armed.kind);
            *self = Context::default();
            return;
        }
        let (class, qualifies) = classify_word(word, self.qualified);
        self.qualified = qualifies;
        self.armed = match class {
            WordClass::Keyword(kind) => Some(Armed {
                kind,
                fillers_left: MAX_FILLERS,
            }),
            WordClass::Filler => self.armed.filter(|a| a.fillers_left > 0).map(|a| Armed {
                fillers_left: a.fillers_left - 1,
                ..a
            }),
            WordClass::NotSecret | WordClass::Other => None,
        };
    }
}

/// Looks at the word's letter segments (`apiKey` → api, Key); the last
/// telling one decides, as in English compounds the head noun comes last.
/// Also reports whether the word ends in a qualifier like "page" or
/// "public", which makes a following keyword harmless.
pub(super) fn classify_word(word: &[u8], mut qualified: bool) -> (WordClass, bool) {
    if !word.iter().any(u8::is_ascii_alphanumeric) || eq_any(word, FILLERS) {
        return (WordClass::Filler, false);
    }
    let mut class = WordClass::Other;
    for seg in segments(word) {
        if let Some(kind) = keyword_kind(seg) {
            class = if qualified {
                WordClass::NotSecret
            } else {
                WordClass::Keyword(kind)
            };
        } else if eq_any(seg, &["id", "ids", "uuid", "guid", "idempotency"]) {
            class = WordClass::NotSecret;
        }
        qualified = eq_any(seg, QUALIFIERS);
    }
    (class, qualified)
}

pub(super) const FILLERS: &[&str] = &[
    "is", "was", "are", "my", "our", "your", "the", "a", "an", "its", "this", "new", "value",
    "here", "now",
];

pub(super) const QUALIFIERS: &[&str] = &[
    "page",
    "next",
    "continuation",
    "pagination",
    "cursor",
    "sync",
    "idempotency",
    "primary",
    "foreign",
    "sort",
    "partition",
    "object",
    "cache",
    "public",
    "publishable",
    "routing",
];

pub(super) fn keyword_kind(seg: &[u8]) -> Option<SecretKind> {
    let kinds: [(&[&str], SecretKind); 5] = [
        (&["token", "tokens"], SecretKind::Token),
        (&["key", "keys", "apikey", "accesskey"], SecretKind::Key),
        (&["secret", "secrets", "secretkey"], SecretKind::Secret),
        (
            &["password", "passwords", "passwd", "pwd", "passphrase"],
            SecretKind::Password,
        ),
        (&["credential", "credentials"], SecretKind::Credential),
    ];
    kinds
        .iter()
        .find(|(words, _)| eq_any(seg, words))
        .map(|&(_, kind)| kind)
}

/// Runs of letters, split where a lower-case letter meets an upper-case one.
pub(super) fn segments(word: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = word;
    std::iter::from_fn(move || {
        let start = rest.iter().position(u8::is_ascii_alphabetic)?;
        rest = &rest[start..];
        let camel_break = |w: &[u8]| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase();
        let len = 1 + rest
            .windows(2)
            .take_while(|w| w[1].is_ascii_alphabetic() && !camel_break(w))
            .count();
        let (segment, tail) = rest.split_at(len);
        rest = tail;
        Some(segment)
    })
}

/// Random enough to be a secret: at least 20 bytes, letters with digits
/// or both cases, and classes (digit, lower, upper) alternating often,
/// which natural words and identifiers like `GetUserById` or `order_2024_07`
/// don't. Hex wins outright (hashes, keys) except for UUIDs and 24-digit
/// database ids; paths, host and file names never count.
pub(super) fn looks_random(w: &[u8]) -> bool {
    if w.len() < MIN_RANDOM_LEN || is_structured(w) {
        return false;
    }
    let s = Stats::of(w);
    if s.alnum < 16 || s.upper + s.lower == 0 || s.distinct < 8 {
        return false;
    }
    if s.hex && s.digits > 0 {
        return true;
    }
    if s.transitions * 4 < s.alnum - 1 {
        return false;
    }
    // Letters only: camel case has long lower-case runs, random text doesn't.
    s.digits > 0 || (s.upper > 0 && s.lower > 0 && s.lower < 3 * s.lower_runs)
}

/// People pick short passwords, so right after "password" any word with
/// a digit counts (`hunter2`, `12345678`), unless it is a structured id.
pub(super) fn looks_like_password(w: &[u8]) -> bool {
    w.len() >= 4 && w.iter().any(u8::is_ascii_digit) && !is_structured(w)
}

/// Ids, paths, host and file names: never secrets, however random.
pub(super) fn is_structured(w: &[u8]) -> bool {
    matches!(w.first(), Some(b'/' | b'.' | b'~'))
        || is_uuid(w)
        || (w.len() == 24 && w.iter().all(u8::is_ascii_hexdigit))
        || is_dotted_name(w)
        || is_path(w)
}

#[derive(Default)]
pub(super) struct Stats {
    alnum: usize,
    digits: usize,
    upper: usize,
    lower: usize,
    lower_runs: usize,
    transitions: usize,
    distinct: usize,
    hex: bool,
}

impl Stats {
    fn of(w: &[u8]) -> Stats {
        let mut s = Stats {
            hex: true,
            ..Stats::default()
        };
        let mut seen = [false; 128];
        let mut prev = None;
        for &c in w.iter().filter(|c| c.is_ascii_alphanumeric()) {
            let class = if c.is_ascii_digit() {
                0
            } else if c.is_ascii_lowercase() {
                1
            } else {
                2
            };
            match class {
                0 => s.digits += 1,
                1 => s.lower += 1,
                _ => s.upper += 1,
            }
            if class == 1 && prev != Some(1) {
                s.lower_runs += 1;
            }
            if prev.is_some_and(|p| p != class) {
                s.transitions += 1;
            }
            prev = Some(class);
            s.alnum += 1;
            s.hex &= c.is_ascii_hexdigit();
            if !seen[usize::from(c)] {
                seen[usize::from(c)] = true;
                s.distinct += 1;
            }
        }
        s
    }
}

pub(super) fn is_uuid(w: &[u8]) -> bool {
    w.len() == 36
        && w.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// `api.eu-west-1.example.com`, `report_2024_final.json`, `com.acme.Foo`.
pub(super) fn is_dotted_name(w: &[u8]) -> bool {
    w.rsplit(|&c| c == b'.').next().is_some_and(|last| {
        last.len() < w.len() && (1..=10).contains(&last.len()) && is_plain_word(last)
    })
}

/// A path has a plain word between slashes; base64 almost never does.
pub(super) fn is_path(w: &[u8]) -> bool {
    w.contains(&b'/')
        && w.split(|&c| c == b'/')
            .any(|seg| seg.len() >= 3 && seg.iter().all(u8::is_ascii_lowercase))
}

pub(super) fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"_-.+/=".contains(&c)
}
