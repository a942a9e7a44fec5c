//! The requester's whole journey over HTTP, for every error code: walk the
//! tree, fix it (a deflection is counted) or run out of checks, land on the
//! pre-filled form, make a mistake, fix it, and reach the status page.

mod common;

use apidesk::domain::ErrorCode;
use axum::http::StatusCode;
use common::{
    TestApp, as_pairs, escape, hidden_value, is_checked, selected, textarea_value, valid_ticket,
};

fn query_encode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)]).unwrap()[2..].to_string()
}

#[tokio::test]
async fn every_step_of_every_tree_can_fix_it_and_each_fix_is_counted() {
    let mut app = TestApp::spawn().await;
    let kb = app.state.kb.clone();
    for code in ErrorCode::ALL {
        let tree = kb.tree(code);
        for path in tree.paths() {
            for (i, step) in path.iter().enumerate() {
                let walked: Vec<&str> = path[..i].iter().map(|s| s.id.as_str()).collect();
                let url = if walked.is_empty() {
                    format!("/troubleshoot/{code}")
                } else {
                    format!("/troubleshoot/{code}?path={}", walked.join("%2C"))
                };
                let page = app.get(&url).await;
                assert_eq!(page.status, StatusCode::OK, "{url}");
                page.assert_contains(&escape(&step.check))
                    .assert_contains(&format!("Check {} of {}", i + 1, tree.steps.len()))
                    .assert_contains("Did that fix it?");

                let before = app
                    .state
                    .store
                    .deflection_count(code, &step.id)
                    .await
                    .unwrap();
                let fixed = app
                    .post_form(
                        &format!("/troubleshoot/{code}/fixed"),
                        &[("step", &step.id)],
                    )
                    .await;
                assert_eq!(fixed.status, StatusCode::SEE_OTHER);
                let thanks = app.get(fixed.location()).await;
                assert_eq!(thanks.status, StatusCode::OK);
                thanks
                    .assert_contains("Glad that fixed it")
                    .assert_contains(&escape(&step.check));
                // Reloading the thank-you page does not count twice.
                app.get(fixed.location()).await;
                let after = app
                    .state
                    .store
                    .deflection_count(code, &step.id)
                    .await
                    .unwrap();
                assert_eq!(after, before + 1, "{code} {}", step.id);
            }
        }
    }
}

#[tokio::test]
async fn still_stuck_on_any_code_ends_in_a_prefilled_form_and_a_stored_ticket() {
    let mut app = TestApp::spawn().await;
    let kb = app.state.kb.clone();
    for code in ErrorCode::ALL {
        let message = format!("HTTP POST failed while syncing <records> for {code}");
        let tree = kb.tree(code);
        for path in tree.paths() {
            // Answer "No, still failing" at every check, following the page's own links.
            let mut url = format!(
                "/troubleshoot/{code}?message={}&method=POST",
                query_encode(&message)
            );
            for step in &path {
                let page = app.get(&url).await;
                assert_eq!(page.status, StatusCode::OK);
                page.assert_contains(&escape(&step.check));
                url = link_after(&page.body, "No, still failing");
            }
            let end = app.get(&url).await;
            end.assert_contains("Time to bring in support")
                .assert_lacks("Did that fix it?");
            let article = kb.article_for(code);
            end.assert_contains(&format!("/articles/{}", article.slug));

            // The form comes pre-filled with the code, the message, the method and the path.
            let form_url = link_after(&end.body, "Describe the problem to support");
            let form = app.get(&form_url).await;
            assert_eq!(form.status, StatusCode::OK);
            assert_eq!(
                textarea_value(&form.body, "message").as_deref(),
                Some(message.as_str())
            );
            assert_eq!(
                selected(&form.body, "error_code").as_deref(),
                Some(code.as_str())
            );
            assert!(is_checked(&form.body, "method", "POST"));
            form.assert_contains("You already checked");
            for step in &path {
                form.assert_contains(&escape(&step.check));
            }
            let walked: Vec<&str> = path.iter().map(|s| s.id.as_str()).collect();
            assert_eq!(hidden_value(&form.body, "path").unwrap(), walked.join(","));

            // A mistake comes back with every value kept and the problem explained.
            let mut fields = valid_ticket();
            set(&mut fields, "error_code", code.as_str());
            set(&mut fields, "message", &message);
            set(&mut fields, "method", "POST");
            set(&mut fields, "path", &walked.join(","));
            set(
                &mut fields,
                "submission_id",
                &hidden_value(&form.body, "submission_id").unwrap(),
            );
            set(&mut fields, "email", "dana-at-example.com");
            let refused = app.post_form("/tickets", &as_pairs(&fields)).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
            refused
                .assert_contains("Enter an email address like name@example.com.")
                .assert_contains("href=\"#field-email\"")
                .assert_contains("value=\"dana-at-example.com\"")
                .assert_contains(&escape("Rotated the API user's token on Monday."))
                .assert_contains("You already checked");
            assert_eq!(
                textarea_value(&refused.body, "message").as_deref(),
                Some(message.as_str())
            );
            assert_eq!(
                app.count_tickets().await,
                0,
                "nothing is stored from a refused form"
            );

            // Fixed, it is stored and the requester lands on the status page.
            set(&mut fields, "email", "dana@example.com");
            let filed = app.post_form("/tickets", &as_pairs(&fields)).await;
            assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
            let status = app.get(filed.location()).await;
            assert_eq!(status.status, StatusCode::OK);
            status
                .assert_contains("Your ticket is filed")
                .assert_contains("APD-")
                .assert_contains(&escape(&message))
                .assert_contains("Checks you already made")
                .assert_contains(&format!("/articles/{}", article.slug));
            for step in &path {
                status.assert_contains(&escape(&step.check));
            }
            app.state.store.close().await;
            app = TestApp::spawn().await;
        }
    }
}

fn set(fields: &mut [(&'static str, String)], name: &str, value: &str) {
    let field = fields
        .iter_mut()
        .find(|(k, _)| *k == name)
        .expect("known field");
    field.1 = value.to_string();
}

/// The href of the link whose text is `text`.
fn link_after(html: &str, text: &str) -> String {
    let at = html
        .find(&format!(">{text}</a>"))
        .unwrap_or_else(|| panic!("no link {text:?}"));
    let open = html[..at].rfind("<a ").unwrap();
    let tag = &html[open..at];
    let start = tag.find("href=\"").unwrap() + 6;
    let end = tag[start..].find('"').unwrap();
    common::unescape(&tag[start..start + end])
}

#[tokio::test]
async fn pasting_a_message_recognises_the_code_and_the_method() {
    let mut app = TestApp::spawn().await;
    let cases = [
        ("HTTP GET failed: unauthorized (401)", "401", "GET"),
        (
            "HTTP POST failed: internal server error (500)",
            "500",
            "POST",
        ),
        ("Error: 403 Forbidden while reading table", "403", ""),
        ("got status code 429 from the API", "429", ""),
        ("TOO MANY REQUESTS", "429", ""),
        ("Job failed: Not Found", "404", ""),
        ("internal server error", "500", ""),
    ];
    for (message, code, method) in cases {
        let res = app
            .get(&format!("/diagnose?message={}", query_encode(message)))
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{message}");
        let location = res.location().to_string();
        assert!(
            location.starts_with(&format!("/troubleshoot/{code}?")),
            "{message} -> {location}"
        );
        if !method.is_empty() {
            assert!(
                location.ends_with(&format!("method={method}")),
                "{location}"
            );
        }
        let page = app.get(&location).await;
        page.assert_contains("Your message shows")
            .assert_contains(&escape(message));
    }
}

#[tokio::test]
async fn an_unrecognised_message_goes_to_the_general_checks_kindly() {
    let mut app = TestApp::spawn().await;
    let res = app.get("/diagnose?message=connection+reset+by+peer").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res.location().starts_with("/troubleshoot/other?"));
    let page = app.get(res.location()).await;
    page.assert_contains("We could not tell which HTTP error this is")
        .assert_contains("connection reset by peer");

    let res = app
        .get("/diagnose?message=upstream+returned+502+Bad+Gateway")
        .await;
    let page = app.get(res.location()).await;
    page.assert_contains("HTTP 502");
}

#[tokio::test]
async fn an_empty_paste_is_explained_on_the_start_page() {
    let mut app = TestApp::spawn().await;
    let res = app.get("/diagnose?message=++").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    res.assert_contains("Paste the error message first")
        .assert_contains("aria-invalid=\"true\"");
}

#[tokio::test]
async fn the_start_page_offers_every_code() {
    let mut app = TestApp::spawn().await;
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    for code in ErrorCode::ALL {
        page.assert_contains(&format!("href=\"/troubleshoot/{code}\""));
    }
}

#[tokio::test]
async fn a_stale_path_keeps_the_part_that_still_makes_sense() {
    let mut app = TestApp::spawn().await;
    let first = app.state.kb.tree(ErrorCode::NotFound).start().id.clone();
    let res = app
        .get(&format!(
            "/troubleshoot/404?path={first}%2Cno-such-step%2Cother&message=x"
        ))
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        res.location(),
        format!("/troubleshoot/404?path={first}&message=x")
    );
}

#[tokio::test]
async fn unknown_codes_and_steps_are_not_found() {
    let mut app = TestApp::spawn().await;
    assert_eq!(
        app.get("/troubleshoot/418").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/troubleshoot/401/fixed?step=nope").await.status,
        StatusCode::NOT_FOUND
    );
    let res = app
        .post_form("/troubleshoot/401/fixed", &[("step", "nope")])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_article_renders_with_its_related_links() {
    let mut app = TestApp::spawn().await;
    let kb = app.state.kb.clone();
    for article in kb.articles() {
        let page = app.get(&format!("/articles/{}", article.slug)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", article.slug);
        page.assert_contains(&escape(&article.title));
        for related in &article.related {
            page.assert_contains(&format!("href=\"/articles/{related}\""));
        }
    }
    let index = app.get("/articles").await;
    for article in kb.articles() {
        index.assert_contains(&format!("href=\"/articles/{}\"", article.slug));
    }
    let limits = app.get("/articles/429-too-many-requests").await;
    limits
        .assert_contains("<table>")
        .assert_contains("1,200")
        .assert_contains("11,000,000");
    app.get("/articles/404-not-found")
        .await
        .assert_contains("Record ID");
    assert_eq!(
        app.get("/articles/nope").await.status,
        StatusCode::NOT_FOUND
    );
}
