//! Properties of reading mail over generated input: no bytes make the
//! reader panic, and cutting a reply's history is linear. The search for
//! history counts its steps (`trim::work`): each line is read once, looked
//! at again at most once as the line after an "On …" and within the four
//! lines after a `From:`, and each run of blank lines once when a line
//! ending in `:` waits for a quote. So at most [`STEPS_PER_BYTE`] steps per
//! byte (plus one), whatever the text.

use proptest::prelude::*;

use super::read::read;
use super::trim::new_words;
use crate::work;

const STEPS_PER_BYTE: usize = 8;

/// Lines of the kinds the trimmer looks at, and near-misses of them.
fn mail_lines() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "",
            " ",
            "> quoted",
            ">",
            "On Tue, Support wrote:",
            "On Tue,",
            "wrote:",
            "From: Support <s@example.com>",
            "From:",
            "Sent: Tuesday",
            "Date: x",
            "To: me",
            "Subject: Re: APD-000001",
            "-----Original Message-----",
            "---",
            "-- ",
            "--",
            "________________________________",
            "a@b:",
            "x@y.example:",
            "Le mar. a écrit :",
            "Am Di. schrieb x:",
            "Sent from my iPhone",
            "Write your reply above this line",
            "The key ends in 9f3a.",
            "é👋",
            "\t",
            "=?utf-8?B?PHNjcmlwdD4=?=",
        ]),
        0..120,
    )
    .prop_map(|lines| lines.join("\n"))
}

/// Something shaped like a message: headers from a list, any values,
/// then a body.
fn mail_bytes() -> impl Strategy<Value = Vec<u8>> {
    let header = (
        prop::sample::select(vec![
            "From",
            "To",
            "Subject",
            "Message-ID",
            "In-Reply-To",
            "References",
            "Content-Type",
            "Content-Transfer-Encoding",
            "Auto-Submitted",
            "Precedence",
            "List-Id",
            "Return-Path",
            "Date",
            "MIME-Version",
            "Content-Disposition",
        ]),
        any::<String>(),
    );
    (prop::collection::vec(header, 0..12), any::<Vec<u8>>()).prop_map(|(headers, body)| {
        let mut raw = Vec::new();
        for (name, value) in headers {
            raw.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        raw.extend_from_slice(b"\r\n");
        raw.extend_from_slice(&body);
        raw
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn any_bytes_are_read_or_refused_without_a_panic(raw in any::<Vec<u8>>()) {
        let _ = read(&raw);
    }

    #[test]
    fn message_shaped_bytes_are_read_or_refused_without_a_panic(raw in mail_bytes()) {
        if let Ok(received) = read(&raw) {
            prop_assert!(!received.message_id.is_empty());
        }
    }

    #[test]
    fn history_is_cut_in_linear_steps(text in mail_lines(), repeat in 1usize..50) {
        let text = text.repeat(repeat);
        let (words, steps) = work::counted(|| new_words(&text));
        prop_assert!(
            steps <= STEPS_PER_BYTE * (text.len() + 1),
            "{} steps for {} bytes", steps, text.len()
        );
        prop_assert!(words.len() <= text.len());
    }

    #[test]
    fn any_text_is_cut_in_linear_steps(text in any::<String>()) {
        let (_, steps) = work::counted(|| new_words(&text));
        prop_assert!(steps <= STEPS_PER_BYTE * (text.len() + 1));
    }
}

/// The shapes that cost most: every line a candidate that looks ahead.
#[test]
fn adversarial_runs_are_cut_in_linear_steps() {
    for unit in [
        "a@b:\n",
        "a@b:\n\n\n\n\n\n\n\n",
        "From: x\n",
        "From: x\nSent: y\n",
        "On x\n",
        "On x\n                                        \n",
        "\n",
        ">\n",
    ] {
        let text = unit.repeat(200_000 / unit.len());
        let (_, steps) = work::counted(|| new_words(&text));
        assert!(
            steps <= STEPS_PER_BYTE * (text.len() + 1),
            "{unit:?}: {steps} steps for {} bytes",
            text.len()
        );
    }
}
