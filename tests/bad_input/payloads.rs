//! The hostile values every field is sent, and the checks that a page,
//! an export or a JSON body shows them inert.

#![allow(dead_code)]

/// One hostile value and what it tries.
pub struct Payload {
    pub name: &'static str,
    pub value: String,
}

fn p(name: &'static str, value: impl Into<String>) -> Payload {
    Payload {
        name,
        value: value.into(),
    }
}

/// Values that try to run script, break out of an attribute, become a
/// link, reach SQL or the search index, or break a line, a header or a
/// spreadsheet. Each is short enough to be stored by every text field.
pub fn hostile() -> Vec<Payload> {
    vec![
        p("script tag", "<script>alert('xss-1')</script>"),
        p("event handler", "\"><img src=x onerror=alert('xss-2')>"),
        p("attribute break", "' autofocus onfocus='alert(3)"),
        p("svg", "<svg/onload=alert('xss-4')>"),
        p("javascript url", "javascript:alert('xss-5')"),
        p("mixed-case javascript url", " JaVaScRiPt:alert(6)"),
        p("data url", "data:text/html,<script>alert('xss-7')</script>"),
        p("vbscript url", "vbscript:msgbox(8)"),
        p("sql quote", "x' OR '1'='1"),
        p("sql statement", "1'; DROP TABLE tickets; --"),
        p("sql union", "0 UNION SELECT password_hash FROM staff --"),
        p(
            "fts syntax",
            "\"unbalanced NEAR(a b) OR * AND NOT ^c {x y}: col:val",
        ),
        p("nul byte", "before\0after"),
        p("right-to-left override", "invoice\u{202E}gpj.exe"),
        p(
            "crlf header",
            "line one\r\nBcc: victim@example.com\r\n\r\nbody",
        ),
        p(
            "formula equals",
            "=HYPERLINK(\"https://evil.example\",\"x\")",
        ),
        p("formula plus", "+1+cmd|' /C calc'!A0"),
        p("formula minus", "-2+3"),
        p("formula at", "@SUM(1+1)*cmd|' /C calc'!A0"),
        p("formula after tab", "\t=1+1"),
        p("formula after cr", "\r=1+1"),
        p(
            "template syntax",
            "{{ 7*7 }} {% if true %}x{% endif %} ${7*7}",
        ),
        p("percent and entities", "%3Cscript%3E &lt;b&gt; &#60;i&#62;"),
        p("unicode", "Grüße 👋 \u{200B}zero\u{FEFF}width \u{0301}"),
        p("empty", ""),
        p("blank", "   \t  "),
    ]
}

/// The payloads worth storing in a text field, without the empty ones a
/// required field refuses.
pub fn hostile_text() -> Vec<Payload> {
    hostile()
        .into_iter()
        .filter(|p| !p.value.trim().is_empty())
        .collect()
}

/// Dates no calendar field should take, or should take sensibly.
pub fn absurd_dates() -> Vec<&'static str> {
    vec![
        "9999-12-31T23:59",
        "9999-12-31T23:59:59-12:00",
        "+275760-09-13T00:00:00Z",
        "0000-01-01T00:00",
        "-0001-01-01T00:00:00Z",
        "1e20",
        "-1",
        "0",
        "18446744073709551616",
        "2026-02-30T10:00",
        "2026-13-01T10:00",
        "2026-01-15T25:61",
        "2026-01-15T09:30:00+99:00",
        "yesterday",
        "2026-01-15T09:30\0",
        "<script>alert(1)</script>",
        "",
    ]
}

/// The pieces of a payload that must never reach a page unescaped: a tag
/// opening or a quote closing an attribute would let it run.
pub fn live_markup(payload: &str) -> bool {
    payload.contains(['<', '>', '"', '\''])
}

/// Checks an HTML page shows nothing of `payload` live: the payload is
/// never there as sent when it holds markup, no tag the payloads open is
/// there, and no link goes to a script or data URL.
#[track_caller]
pub fn assert_inert_html(page: &str, payload: &str, place: &str) {
    assert_escaped(page, payload, place);
    assert_no_live_markup(page, place);
}

/// Checks the page shows each of `payloads` inert; the page itself is
/// looked over once.
#[track_caller]
pub fn assert_all_inert(page: &str, payloads: &[Payload], place: &str) {
    for payload in payloads {
        assert_escaped(page, &payload.value, &format!("{place}: {}", payload.name));
    }
    assert_no_live_markup(page, place);
}

/// A payload holding markup is never on the page as sent.
#[track_caller]
pub fn assert_escaped(page: &str, payload: &str, place: &str) {
    if live_markup(payload) {
        assert!(
            !page.contains(payload),
            "{place}: {payload:?} is on the page unescaped"
        );
    }
}

/// How the second-factor set-up page shows its QR code.
const OWN_QR_CODE: &str = "data:image/svg+xml;base64,";

/// No tag the payloads open is on the page, and no attribute that a
/// browser follows or loads holds a script, data or VBScript URL.
#[track_caller]
pub fn assert_no_live_markup(page: &str, place: &str) {
    let lower = page.to_ascii_lowercase();
    for tag in ["<script>alert", "<img src=x", "<svg/onload", "<i>", "<b>"] {
        assert!(!lower.contains(tag), "{place}: {tag:?} is on the page live");
    }
    for scheme in ["javascript:", "data:", "vbscript:"] {
        for (at, _) in lower.match_indices(scheme) {
            // The page's own QR code for a new authenticator (no payload
            // is a base64 SVG): an image, which runs no script.
            if lower[at..].starts_with(OWN_QR_CODE) {
                continue;
            }
            let before = lower[..at].trim_end_matches([' ', '\t', '\n']);
            let before = before.trim_end_matches(['"', '\'']).trim_end();
            for attr in ["href=", "src=", "action=", "formaction=", "srcdoc="] {
                assert!(
                    !before.ends_with(attr),
                    "{place}: a {scheme} URL is an attribute: {}",
                    &page[at.saturating_sub(40)..(at + 40).min(page.len())]
                );
            }
        }
    }
}

/// Every CSV cell that a spreadsheet would read as a formula is made text.
#[track_caller]
pub fn assert_csv_neutral(csv: &str, place: &str) {
    for cell in csv_cells(csv) {
        if let Some(first) = cell.chars().next() {
            assert!(
                !matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r'),
                "{place}: the cell {cell:?} would run as a formula"
            );
        }
    }
}

/// The cells of an RFC 4180 CSV file where every cell is quoted.
pub fn csv_cells(csv: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut chars = csv.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut cell = String::new();
        loop {
            match chars.next() {
                Some('"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                Some('"') | None => break,
                Some(other) => cell.push(other),
            }
        }
        cells.push(cell);
    }
    cells
}

/// A response was answered, not crashed: never a 5xx.
#[track_caller]
pub fn assert_not_5xx(status: axum::http::StatusCode, place: &str) {
    assert!(
        !status.is_server_error(),
        "{place}: answered {status}, a server error"
    );
}

#[test]
fn csv_cells_reads_quoted_cells() {
    assert_eq!(
        csv_cells("\"a\",\"b\"\"c\",\"\"\r\n\"=x\"\r\n"),
        ["a", "b\"c", "", "=x"]
    );
}

#[test]
#[should_panic(expected = "unescaped")]
fn a_payload_on_a_page_as_sent_is_caught() {
    assert_inert_html(
        "<p>\"><img src=x onerror=alert(1)></p>",
        "\"><img src=x onerror=alert(1)>",
        "t",
    );
}

#[test]
#[should_panic(expected = "attribute")]
fn a_script_link_is_caught() {
    assert_no_live_markup("<a href=\" JavaScript:alert(1)\">x</a>", "t");
}

#[test]
fn escaped_payloads_pass() {
    assert_inert_html(
        "<p>&#34;&#62;&#60;img src=x onerror=alert(1)&#62; javascript:alert(1)</p>",
        "\"><img src=x onerror=alert(1)>",
        "t",
    );
}
