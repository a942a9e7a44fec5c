use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::*;

pub(crate) fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, bytes) in members {
        if name.ends_with('/') {
            writer.add_directory(*name, options).expect("adds");
        } else {
            writer.start_file(*name, options).expect("starts");
            writer.write_all(bytes).expect("writes");
        }
    }
    writer.finish().expect("finishes").into_inner()
}

fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).expect("opens");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).expect("member");
            let mut data = Vec::new();
            file.read_to_end(&mut data).expect("reads");
            (file.name().expect("name").into_owned(), data)
        })
        .collect()
}

fn run(bytes: &[u8]) -> Result<(Vec<u8>, Vec<crate::attachments::Removal>), Refused> {
    let limits = Limits::default();
    let mut budget = Budget::for_file(&limits);
    let mut tally = Tally::default();
    repack(bytes, &limits, 1, &mut budget, &mut tally).map(|out| (out, tally.into_vec()))
}

#[test]
fn a_log_in_a_zip_loses_its_token() {
    let log = b"2025-03-14 GET /v2/orders\nAuthorization: Bearer abcdefghijklmnop0123456789\n";
    let input = zip_of(&[
        ("logs/", b""),
        ("logs/job.log", log),
        ("../../readme.txt", b"hello"),
    ]);
    let (out, removed) = run(&input).expect("accepted");
    let members = unzip(&out);
    let names: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["logs/job.log", "readme.txt"]);
    let text = String::from_utf8(members[0].1.clone()).expect("utf-8");
    assert!(!text.contains("abcdefghijklmnop0123456789"), "{text}");
    assert!(text.contains("[redacted bearer_token]"));
    assert_eq!(removed[0].what, "bearer_token");
}

#[test]
fn a_zip_bomb_is_refused() {
    let zeros = vec![0u8; 50 * 1024 * 1024];
    let input = zip_of(&[("zeros.txt", &zeros)]);
    assert!(
        input.len() < 200 * 1024,
        "deflates to {} bytes",
        input.len()
    );
    assert_eq!(run(&input).err(), Some(BOMB));
}

#[test]
fn unpacking_past_the_budget_is_refused() {
    let limits = Limits {
        max_file_bytes: 1000,
        ..Limits::default()
    };
    let text = "a line of log that is not very compressible 0123456789\n".repeat(100);
    let input = zip_of(&[("a.log", text.as_bytes())]);
    let mut budget = Budget::for_file(&limits);
    let got = repack(&input, &limits, 1, &mut budget, &mut Tally::default());
    assert_eq!(got.err(), Some(TOO_BIG));
}

#[test]
fn a_program_inside_is_named() {
    let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xFF\xFF\0\0This program cannot be run in DOS mode";
    let input = zip_of(&[("ok.txt", b"fine"), ("tools/setup.exe", exe)]);
    assert_eq!(
        run(&input).err(),
        Some(Refused::InZip {
            member: "tools/setup.exe".into(),
            why: Box::new(Refused::NotAllowed {
                looks_like: Some("a program")
            }),
        })
    );
}

#[test]
fn a_zip_in_a_zip_is_fine_but_not_deeper() {
    let inner = zip_of(&[("note.txt", b"password=hunter22")]);
    let middle = zip_of(&[("inner.zip", &inner)]);
    let (out, removed) = run(&middle).expect("two deep is fine");
    assert_eq!(removed[0].what, "password");
    let repacked_inner = &unzip(&out)[0].1;
    let note = &unzip(repacked_inner)[0].1;
    assert_eq!(note, b"password=[redacted password]");

    let outer = zip_of(&[("middle.zip", &middle)]);
    let Err(Refused::InZip { member, why }) = run(&outer) else {
        panic!("three deep is refused");
    };
    assert_eq!(member, "middle.zip");
    assert!(
        matches!(*why, Refused::InZip { ref member, why: ref deeper }
        if member == "inner.zip" && matches!(**deeper, Refused::BadZip { .. }))
    );
}

#[test]
fn too_many_members_are_refused() {
    let names: Vec<String> = (0..=MAX_MEMBERS).map(|i| format!("{i}.txt")).collect();
    let members: Vec<(&str, &[u8])> = names
        .iter()
        .map(|n| (n.as_str(), b"x".as_slice()))
        .collect();
    assert!(matches!(
        run(&zip_of(&members)),
        Err(Refused::BadZip { .. })
    ));
}

#[test]
fn damaged_zips_are_refused_not_panicked_on() {
    let good = zip_of(&[("a.txt", b"hello hello hello")]);
    for cut in [4, 10, 30, good.len() / 2, good.len() - 5] {
        assert!(run(&good[..cut]).is_err());
    }
    let mut flipped = good.clone();
    for b in flipped.iter_mut().skip(30).take(10) {
        *b ^= 0x55;
    }
    let _ = run(&flipped);
}

#[test]
fn names_that_clean_alike_are_numbered() {
    let input = zip_of(&[
        ("a/x.txt", b"one"),
        ("a/../a/x.txt", b"two"),
        ("./a/x.txt", b"three"),
    ]);
    let (out, _) = run(&input).expect("accepted");
    let names: Vec<String> = unzip(&out).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["a/x.txt", "a/a/x.txt", "a/x (2).txt"]);
}

#[test]
fn empty_zip_and_empty_members_are_kept() {
    let (out, _) = run(&zip_of(&[])).expect("an empty zip");
    assert!(unzip(&out).is_empty());
    let (out, _) = run(&zip_of(&[(".gitkeep", b"")])).expect("an empty member");
    assert_eq!(unzip(&out), [("gitkeep".to_owned(), Vec::new())]);
}

#[test]
fn encrypted_members_are_refused() {
    let mut input = zip_of(&[("secret.txt", b"hello")]);
    // Set "encrypted" (bit 0 of the general purpose flags) in the local
    // and central headers, as a password-protected zip has it.
    for (magic, flags_at) in [(b"PK\x03\x04", 6), (b"PK\x01\x02", 8)] {
        let at = input.windows(4).position(|w| w == magic).expect("header");
        input[at + flags_at] |= 1;
    }
    assert_eq!(
        run(&input).err(),
        Some(Refused::BadZip {
            why: "is protected by a password"
        })
    );
}
