//! Static files: the favicon, content-named URLs cached for good, and
//! validators so an unchanged file is never downloaded twice.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::TestApp;
use sha2::{Digest, Sha256};

/// The value of the first `attr="…"` on the tag that contains `marker`.
fn attr_of_tag(html: &str, marker: &str, attr: &str) -> String {
    let at = html.find(marker).unwrap_or_else(|| panic!("no {marker:?}"));
    let open = html[..at].rfind('<').unwrap();
    let tag = &html[open..open + html[open..].find('>').unwrap()];
    let start = tag.find(&format!("{attr}=\"")).unwrap() + attr.len() + 2;
    tag[start..start + tag[start..].find('"').unwrap()].to_string()
}

async fn get_with(
    app: &mut TestApp,
    uri: &str,
    if_none_match: Option<&str>,
) -> common::TestResponse {
    let mut request = Request::get(uri);
    if let Some(etag) = if_none_match {
        request = request.header(header::IF_NONE_MATCH, etag);
    }
    app.request(request.body(Body::empty()).unwrap()).await
}

fn header_of(res: &common::TestResponse, name: header::HeaderName) -> &str {
    res.headers
        .get(&name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn the_favicon_answers_and_every_page_links_an_icon() {
    let mut app = TestApp::spawn().await;
    let icon = app.get("/favicon.ico").await;
    assert_eq!(icon.status, StatusCode::OK);
    assert_eq!(header_of(&icon, header::CONTENT_TYPE), "image/x-icon");
    assert!(!icon.body.is_empty());

    for page in [
        "/",
        "/articles",
        "/tickets/new",
        "/troubleshoot/429",
        "/staff/login",
    ] {
        let html = app.get(page).await.body;
        let svg = attr_of_tag(&html, "type=\"image/svg+xml\"", "href");
        let res = app.get(&svg).await;
        assert_eq!(res.status, StatusCode::OK, "{page}: {svg}");
        assert_eq!(header_of(&res, header::CONTENT_TYPE), "image/svg+xml");
        assert!(
            html.contains("<link rel=\"icon\" href=\"/favicon.ico\""),
            "{page}"
        );
    }
}

#[tokio::test]
async fn a_static_file_is_named_by_its_content_cached_for_good_and_revalidated() {
    let mut app = TestApp::spawn().await;
    let html = app.get("/").await.body;
    for (marker, attr, plain) in [
        ("rel=\"stylesheet\"", "href", "/static/app.css"),
        ("defer", "src", "/static/app.js"),
    ] {
        let url = attr_of_tag(&html, marker, attr);
        let res = get_with(&mut app, &url, None).await;
        assert_eq!(res.status, StatusCode::OK, "{url}");
        assert_eq!(
            header_of(&res, header::CACHE_CONTROL),
            "public, max-age=31536000, immutable"
        );

        // The name carries the content's digest: new content, new URL.
        let digest = hex::encode(&Sha256::digest(res.body.as_bytes())[..8]);
        let (stem, ext) = plain.rsplit_once('.').unwrap();
        assert_eq!(url, format!("{stem}.{digest}.{ext}"));

        // A browser holding it asks with its ETag and gets no body back.
        let etag = header_of(&res, header::ETAG).to_string();
        assert!(etag.contains(&digest), "{etag}");
        let again = get_with(&mut app, &url, Some(&etag)).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
        assert!(again.body.is_empty());
        assert_eq!(header_of(&again, header::ETAG), etag);

        // The plain name still works, revalidated on every use.
        let plain_res = get_with(&mut app, plain, None).await;
        assert_eq!(plain_res.status, StatusCode::OK);
        assert_eq!(plain_res.body, res.body);
        assert_eq!(
            header_of(&plain_res, header::CACHE_CONTROL),
            "public, no-cache"
        );
        assert_eq!(
            get_with(&mut app, plain, Some(&etag)).await.status,
            StatusCode::NOT_MODIFIED
        );
        // Another file's tag does not match.
        assert_eq!(
            get_with(&mut app, plain, Some("W/\"0000000000000000\""))
                .await
                .status,
            StatusCode::OK
        );
    }
    assert_eq!(
        app.get("/static/nope.css").await.status,
        StatusCode::NOT_FOUND
    );
}

/// Every page costs at most four requests (the page, one stylesheet, one
/// script, an icon): a staff page's one script holds app.js as well as
/// its own keys and bulk bar.
#[tokio::test]
async fn every_page_links_one_stylesheet_one_script_and_an_icon() {
    let mut app = TestApp::spawn().await;
    staff_helpers::signed_in_agent(&mut app, "ana@example.com", "Ana").await;
    let ticket = staff_helpers::file_ticket(&mut app).await;
    let app_js = app.get("/static/app.js").await.body;
    for page in [
        "/".to_string(),
        "/troubleshoot/429".to_string(),
        "/tickets/new".to_string(),
        "/staff/queue".to_string(),
        "/staff/insights".to_string(),
        staff_helpers::staff_url(&ticket),
    ] {
        let html = app.get(&page).await.body;
        assert_eq!(html.matches("<script").count(), 1, "{page}");
        assert_eq!(html.matches("rel=\"stylesheet\"").count(), 1, "{page}");
        let script = attr_of_tag(&html, "defer", "src");
        let body = app.get(&script).await.body;
        assert!(body.starts_with(&app_js), "{page}: {script} holds app.js");
        if page.starts_with("/staff") {
            assert!(
                body.contains("bulk"),
                "{page}: {script} holds the staff script"
            );
        }
    }
}
