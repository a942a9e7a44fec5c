//! The requester's whole journey over HTTP, for every error code: walk the
//! tree, fix it (a deflection is counted) or run out of checks, land on the
//! pre-filled form, make a mistake, fix it, and reach the status page.

mod common;

use apidesk::domain::ErrorCode;
use axum::http::StatusCode;
use common::{
    TestApp, as_pairs, escape, hidden_value, is_checked, selected, textarea_value, valid_ticket,
};

/// Pastes `message` on the start page and checks that it is sent to the
/// tree of `code`; returns where it was sent.
async fn pasted_lands_on(app: &mut TestApp, message: &str, code: impl std::fmt::Display) -> String {
    let res = app
        .get(&format!("/diagnose?message={}", query_encode(message)))
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{message}");
    let location = res.location().to_string();
    assert!(
        location.starts_with(&format!("/troubleshoot/{code}?")),
        "{message} -> {location}"
    );
    location
}

fn query_encode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)]).unwrap()[2..].to_string()
}

const QUESTION: &str = "Did this fix the error?";
const NEXT_CHECK: &str = "No, still failing — next check";
const LAST_NO: &str = "No, still failing — contact support";
const YES: &str = "Yes, fixed — the call works now";

/// The answers a step page offers, in document order: (label, is the
/// "fixed" form's button, is styled as the quieter secondary button).
fn answers(html: &str) -> Vec<(String, bool, bool)> {
    let start = html
        .find("class=\"step-answer\"")
        .expect("a step page has an answer area");
    let area = &html[start..start + html[start..].find("</section>").unwrap()];
    let mut found = Vec::new();
    let mut rest = area;
    while let Some(open) = rest.find(['<']) {
        rest = &rest[open..];
        let is_link = rest.starts_with("<a ");
        let is_button = rest.starts_with("<button");
        if is_link || is_button {
            let tag_end = rest.find('>').unwrap();
            let tag = &rest[..tag_end];
            let close = if is_link { "</a>" } else { "</button>" };
            let label = &rest[tag_end + 1..tag_end + 1 + rest[tag_end + 1..].find(close).unwrap()];
            found.push((
                label.to_string(),
                is_button,
                tag.contains("button-secondary"),
            ));
        }
        rest = &rest[1..];
    }
    found
}

/// The text of the step's heading.
fn heading(html: &str) -> String {
    let start = html
        .find("<h2 id=\"step-heading\">")
        .expect("a step heading")
        + 22;
    common::unescape(&html[start..start + html[start..].find("</h2>").unwrap()])
}

/// How a hurried reader takes a heading: as a yes/no question when it
/// looks like one (they answer it), as an instruction otherwise.
fn reads_as_yes_no_question(text: &str) -> bool {
    let first = text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_lowercase();
    text.trim_end().ends_with('?')
        || [
            "is", "are", "do", "does", "did", "can", "could", "has", "have", "was", "were", "will",
            "would", "should",
        ]
        .contains(&first.as_str())
}

#[tokio::test]
async fn every_step_reads_as_an_instruction_then_one_question_with_no_first() {
    let mut app = TestApp::spawn().await;
    let kb = app.state.kb.get();
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
                page.assert_contains(&format!("Check {} of {}", i + 1, tree.steps.len()));

                // The heading is the step's instruction, never a yes/no question.
                let h = heading(&page.body);
                assert_eq!(h, step.check, "{url}");
                assert!(!reads_as_yes_no_question(&h), "{code} {}: {h:?}", step.id);

                // One question, then "No" first and strongest, "Yes" after and quieter.
                assert_eq!(page.body.matches(QUESTION).count(), 1, "{url}");
                let last = i + 1 == path.len();
                let no = if last { LAST_NO } else { NEXT_CHECK };
                assert_eq!(
                    answers(&page.body),
                    [
                        (no.to_string(), false, false),
                        (YES.to_string(), true, true)
                    ],
                    "{url}"
                );
                let question_at = page.body.find(QUESTION).unwrap();
                assert!(page.body.find(&format!(">{no}</a>")).unwrap() > question_at);
            }
        }
    }
}

#[tokio::test]
async fn every_step_of_every_tree_can_fix_it_and_each_fix_is_counted() {
    // One visitor says "fixed" on every step of all 21 trees, far more often
    // than the hourly limit lets a real visitor; tests/rate_limits.rs covers it.
    let mut app = TestApp::spawn_configured(|config| {
        config.rate_limits = apidesk::web::rate_limit::RateLimitSettings::off();
    })
    .await;
    let kb = app.state.kb.get();
    for code in ErrorCode::ALL {
        let tree = kb.tree(code);
        for path in tree.paths() {
            for (i, step) in path.iter().enumerate() {
                let walked: Vec<&str> = path[..i].iter().map(|s| s.id.as_str()).collect();
                let before = app
                    .state
                    .store
                    .deflection_count(tree, &step.id)
                    .await
                    .unwrap();
                let fixed = app
                    .post_form(
                        &format!("/troubleshoot/{code}/fixed"),
                        &[
                            ("step", &step.id),
                            ("path", &walked.join(",")),
                            ("message", "HTTP GET failed (x)"),
                            ("method", "GET"),
                        ],
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
                    .deflection_count(tree, &step.id)
                    .await
                    .unwrap();
                assert_eq!(after, before + 1, "{code} {}", step.id);

                // If the fix does not hold, the way back leads on past this
                // step, with the message kept.
                let onward = link_after(&thanks.body, "Pick up where you left off");
                let mut expected: Vec<&str> = walked.clone();
                expected.push(&step.id);
                assert_eq!(
                    onward,
                    format!(
                        "/troubleshoot/{code}?path={}&message=HTTP+GET+failed+%28x%29&method=GET",
                        expected.join("%2C")
                    )
                );
                let next = app.get(&onward).await;
                assert_eq!(next.status, StatusCode::OK);
                next.assert_contains("HTTP GET failed (x)");
                match path.get(i + 1) {
                    Some(after) => assert_eq!(heading(&next.body), after.check),
                    None => {
                        next.assert_contains("Time to bring in support");
                    }
                }
            }
        }
    }
}

/// A new user on the 401 checks who answers what each heading seems to ask,
/// and whose error never goes away: they must reach support, never "fixed".
#[tokio::test]
async fn answering_the_401_headings_as_invited_never_says_fixed() {
    let mut app = TestApp::spawn().await;
    let mut url = "/troubleshoot/401?message=HTTP+GET+failed%3A+unauthorized+%28401%29".to_string();
    let mut steps_seen = 0;
    loop {
        let page = app.get(&url).await;
        assert_eq!(page.status, StatusCode::OK, "{url}");
        if page.body.contains("Time to bring in support") {
            break;
        }
        steps_seen += 1;
        let h = heading(&page.body);
        // A heading that reads as a question gets answered "yes, that part is
        // fine"; an instruction is carried out, and then the page's own
        // question gets the truthful answer: the error is still there.
        let invited = if reads_as_yes_no_question(&h) {
            "Yes"
        } else {
            assert!(page.body.contains(QUESTION), "{url}");
            "No"
        };
        let choices = answers(&page.body);
        let (label, is_fixed_button, _) = choices
            .iter()
            .find(|(label, _, _)| label.starts_with(invited))
            .unwrap_or_else(|| panic!("no answer starting {invited:?} on {url}"));
        assert!(
            !is_fixed_button,
            "step {steps_seen} ({h:?}) leads a person whose error persists to {label:?}"
        );
        // Someone unsure takes the first, strongest button: the same one.
        assert_eq!(&choices[0].0, label, "{url}");
        url = link_after(&page.body, label);
    }
    assert_eq!(
        steps_seen,
        app.state.kb.get().tree(ErrorCode::Unauthorized).steps.len()
    );
    for step in &app.state.kb.get().tree(ErrorCode::Unauthorized).steps {
        assert_eq!(
            app.state
                .store
                .deflection_count(app.state.kb.get().tree(ErrorCode::Unauthorized), &step.id)
                .await
                .unwrap(),
            0,
            "no deflection is counted for {}",
            step.id
        );
    }
}

/// A stressed integrator meets the quick checks first on a 401 (what changed,
/// which environment, a pasting slip), and is told to list every place using
/// the token before the step that makes a new one, since a new token breaks
/// the integrations still holding the old one.
#[tokio::test]
async fn the_401_checks_start_quick_and_list_token_uses_before_a_new_token() {
    let mut app = TestApp::spawn().await;
    let mut url = "/troubleshoot/401".to_string();
    let mut headings = Vec::new();
    loop {
        let page = app.get(&url).await;
        if page.body.contains("Time to bring in support") {
            break;
        }
        headings.push(heading(&page.body));
        url = link_after(&page.body, &answers(&page.body)[0].0);
    }
    let at = |words: &str| {
        headings
            .iter()
            .position(|h| h.contains(words))
            .unwrap_or_else(|| panic!("no check about {words:?} in {headings:?}"))
    };
    assert_eq!(at("what changed"), 0, "{headings:?}");
    let quick = [at("environment"), at("pasted Access Token"), at("UserKey")];
    let slow = [at("expired or been revoked"), at("API user is active")];
    assert!(quick.iter().max() < slow.iter().min(), "{headings:?}");
    assert_eq!(
        at("every place using the token") + 1,
        at("Generate a new token")
    );
    assert_eq!(at("Generate a new token"), headings.len() - 1);

    app.get("/articles/401-unauthorized")
        .await
        .assert_contains("breaks every other integration still using the old one")
        .assert_contains("API Authentication and Access")
        .assert_contains("Auth Token Authentication");
    app.get("/articles/403-forbidden")
        .await
        .assert_contains("How to Create a Role to Assign Permissions");
}

#[tokio::test]
async fn still_stuck_on_any_code_ends_in_a_prefilled_form_and_a_stored_ticket() {
    let mut app = TestApp::spawn().await;
    let kb = app.state.kb.get();
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
                url = answers(&page.body)[0].0.clone();
                url = link_after(&page.body, &url);
            }
            let end = app.get(&url).await;
            end.assert_contains("Time to bring in support")
                .assert_lacks(QUESTION);
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

#[tokio::test]
async fn every_link_on_the_way_carries_the_message_method_and_path() {
    let mut app = TestApp::spawn().await;
    let kb = app.state.kb.get();
    let tree = kb.tree(ErrorCode::Unauthorized);
    let article = kb.article_for(ErrorCode::Unauthorized);
    let message = "HTTP POST failed: unauthorized (401) & <retry>";
    let carried = format!("message={}&method=POST", query_encode(message));
    let first = tree.steps[0].id.as_str();
    let second = tree.steps[1].id.as_str();
    let walked = format!("path={first}%2C{second}");

    // Two checks answered "still failing" by following the page's own links.
    let mut url = format!("/troubleshoot/401?{carried}");
    for _ in 0..2 {
        let page = app.get(&url).await;
        url = link_after(&page.body, NEXT_CHECK);
    }
    assert_eq!(url, format!("/troubleshoot/401?{walked}&{carried}"));
    let page = app.get(&url).await;
    assert_eq!(page.status, StatusCode::OK);

    let ticket = format!("/tickets/new?error_code=401&{walked}&{carried}");
    let article_url = format!("/articles/{}?code=401&{walked}&{carried}", article.slug);
    assert_eq!(
        link_after(&page.body, "Start these checks again"),
        format!("/troubleshoot/401?{carried}")
    );
    assert_eq!(
        link_after(&page.body, "← Previous check"),
        format!("/troubleshoot/401?path={first}&{carried}")
    );
    assert_eq!(link_after(&page.body, "Contact support"), ticket);
    assert_eq!(
        link_after(&page.body, "Skip ahead and file a ticket"),
        ticket
    );
    assert_eq!(link_after(&page.body, &escape(&article.title)), article_url);

    // The article read part-way leads back to the same check, or on to the
    // ticket, and its related articles keep the journey too.
    let read = app.get(&article_url).await;
    assert_eq!(read.status, StatusCode::OK);
    let back = format!("Back to check 3 of {}", tree.steps.len());
    assert_eq!(link_after(&read.body, &back), url);
    assert_eq!(link_after(&read.body, "Contact support"), ticket);
    assert_eq!(
        link_after(&read.body, "Skip ahead and file a ticket"),
        ticket
    );
    read.assert_lacks("Continue to your ticket")
        .assert_lacks("Walk through the checks");
    let related = &read.body[read.body.find("Related articles").unwrap()..];
    for slug in &article.related {
        let other = kb.article(slug).unwrap();
        assert_eq!(
            link_after(related, &escape(&other.title)),
            format!("/articles/{slug}?code=401&{walked}&{carried}")
        );
    }

    // "Yes, fixed" posts the journey along with the step.
    for field in ["path", "message", "method"] {
        assert!(hidden_value(&page.body, field).is_some(), "{field}");
    }
    assert_eq!(
        hidden_value(&page.body, "path").unwrap(),
        format!("{first},{second}")
    );
    assert_eq!(hidden_value(&page.body, "message").unwrap(), message);
}

#[tokio::test]
async fn the_article_after_the_last_check_continues_to_the_prefilled_ticket() {
    let mut app = TestApp::spawn().await;
    let kb = app.state.kb.get();
    for code in ErrorCode::ALL {
        let message = format!("HTTP PATCH failed for {code} & co");
        let tree = kb.tree(code);
        let mut url = format!(
            "/troubleshoot/{code}?message={}&method=PATCH",
            query_encode(&message)
        );
        for _ in &tree.steps {
            let page = app.get(&url).await;
            let no = answers(&page.body)[0].0.clone();
            url = link_after(&page.body, &no);
        }
        let end = app.get(&url).await;
        end.assert_contains("Time to bring in support");
        let article = kb.article_for(code);
        let read = app
            .get(&link_after(&end.body, &escape(&article.title)))
            .await;
        assert_eq!(read.status, StatusCode::OK);
        read.assert_contains(&escape(&article.title))
            .assert_lacks("Walk through the checks")
            .assert_lacks("Back to check");
        let form_url = link_after(&read.body, "Continue to your ticket");
        assert_eq!(link_after(&read.body, "Contact support"), form_url);

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
        assert!(is_checked(&form.body, "method", "PATCH"), "{code}");
        let walked: Vec<&str> = tree.steps.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(hidden_value(&form.body, "path").unwrap(), walked.join(","));
        form.assert_contains("You already checked");
        for step in &tree.steps {
            form.assert_contains(&escape(&step.check));
        }
    }
}

#[tokio::test]
async fn an_edited_path_cannot_claim_the_checks_are_done() {
    let mut app = TestApp::spawn().await;
    let page = app
        .get("/articles/401-unauthorized?code=401&path=made-up%2Cother&message=x")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_lacks("Continue to your ticket");
    let total = app.state.kb.get().tree(ErrorCode::Unauthorized).steps.len();
    assert_eq!(
        link_after(&page.body, &format!("Back to check 1 of {total}")),
        "/troubleshoot/401?message=x"
    );
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
        let location = pasted_lands_on(&mut app, message, code).await;
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
    let res = app
        .get("/diagnose?message=Job+failed+without+a+message")
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(res.location().starts_with("/troubleshoot/other?"));
    let page = app.get(res.location()).await;
    page.assert_contains("We could not tell which error this is")
        .assert_contains("Job failed without a message");

    // A status without a tree of its own is named on the general checks.
    let res = app
        .get("/diagnose?message=upstream+returned+418+I%27m+a+teapot")
        .await;
    assert!(res.location().starts_with("/troubleshoot/other?"));
    let page = app.get(res.location()).await;
    page.assert_contains("HTTP 418");
}

/// A new user pastes what their client printed and lands on the right
/// tree, whose first check and article are on the page. One message per
/// client, each quoted from that client's source or documentation (the
/// recogniser's table, `src/kb/diagnose/cases/`, names them all).
#[tokio::test]
async fn a_dozen_real_messages_from_different_clients_land_on_their_tree() {
    let mut app = TestApp::spawn().await;
    let cases = [
        // Workato, as quoted by the reference help-centre article.
        (
            "HTTP GET failed: unauthorized (401)",
            ErrorCode::Unauthorized,
        ),
        // curl: CURLE_COULDNT_RESOLVE_HOST.
        (
            "curl: (6) Could not resolve host: go.trackvia.con",
            ErrorCode::Dns,
        ),
        // Python requests: Response.raise_for_status.
        (
            "requests.exceptions.HTTPError: 404 Client Error: Not Found for url: https://api.example.com/v1/items/9",
            ErrorCode::NotFound,
        ),
        // Python json (also raised by requests' Response.json).
        (
            "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)",
            ErrorCode::InvalidJson,
        ),
        // axios: lib/core/settle.js.
        (
            "Request failed with status code 422",
            ErrorCode::UnprocessableEntity,
        ),
        // Node.js net: a refused TCP connection.
        (
            "Error: connect ECONNREFUSED 127.0.0.1:443",
            ErrorCode::Connection,
        ),
        // Java (JSSE): a certificate chain the JVM does not trust.
        (
            "javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
            ErrorCode::Tls,
        ),
        // Java HttpURLConnection.getInputStream.
        (
            "java.io.IOException: Server returned HTTP response code: 403 for URL: https://api.example.com/v1/items",
            ErrorCode::Forbidden,
        ),
        // .NET HttpResponseMessage.EnsureSuccessStatusCode.
        (
            "System.Net.Http.HttpRequestException: Response status code does not indicate success: 503 (Service Unavailable).",
            ErrorCode::ServiceUnavailable,
        ),
        // Go net/http: Client.Timeout.
        (
            "Get \"https://api.example.com/v1/items\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
            ErrorCode::Timeout,
        ),
        // nginx's own error page, as a client shows the body.
        (
            "<html><head><title>504 Gateway Time-out</title></head>",
            ErrorCode::GatewayTimeout,
        ),
        // PHP Guzzle: RequestException::create.
        (
            "Client error: `POST https://api.example.com/v1/items` resulted in a `400 Bad Request` response",
            ErrorCode::BadRequest,
        ),
    ];
    for (message, code) in cases {
        let location = pasted_lands_on(&mut app, message, code).await;
        let page = app.get(&location).await;
        let kb = app.state.kb.get();
        let tree = kb.tree(code);
        let article = kb.article_for(code);
        let understood = if code.http_status().is_some() {
            format!("Your message shows {}", code.label())
        } else {
            "Your message reads like".to_string()
        };
        page.assert_contains(&escape(&tree.start().check))
            .assert_contains(&format!("/articles/{}", article.slug))
            .assert_contains(&escape(message))
            .assert_contains(&understood);
    }
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
    let first = app
        .state
        .kb
        .get()
        .tree(ErrorCode::NotFound)
        .start()
        .id
        .clone();
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
    let kb = app.state.kb.get();
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
    // Outside the checks, an article offers them, and "Contact support" is the blank form.
    let plain = app.get("/articles/401-unauthorized").await;
    assert_eq!(
        link_after(&plain.body, "Walk through the checks"),
        "/troubleshoot/401"
    );
    assert_eq!(link_after(&plain.body, "Contact support"), "/tickets/new");
    assert_eq!(
        link_after(
            &app.get("/articles/still-stuck").await.body,
            "File a ticket"
        ),
        "/tickets/new"
    );

    let limits = app.get("/articles/429-too-many-requests").await;
    limits
        .assert_contains("<table>")
        .assert_contains("1,200")
        .assert_contains("11,000,000");
    app.get("/articles/404-not-found")
        .await
        .assert_contains("Record ID");
    // A code block that scrolls sideways can be reached and named by keyboard users.
    limits.assert_contains("<pre tabindex=\"0\" role=\"region\" aria-label=\"Code example 1\">");
    for article in kb.articles() {
        let page = app.get(&format!("/articles/{}", article.slug)).await;
        for pre in page.body.split("<pre").skip(1) {
            assert!(
                pre.starts_with(" tabindex=\"0\" role=\"region\" aria-label=\""),
                "{}: <pre{}",
                article.slug,
                &pre[..pre.len().min(80)]
            );
        }
    }
    assert_eq!(
        app.get("/articles/nope").await.status,
        StatusCode::NOT_FOUND
    );
}

/// The headings a person meets by answering "No, still failing" from the
/// start of a tree, in order.
async fn headings_walked(app: &mut TestApp, code: &str) -> Vec<String> {
    let mut page = app.get(&format!("/troubleshoot/{code}")).await;
    let mut seen = Vec::new();
    loop {
        assert_eq!(page.status, StatusCode::OK, "{code}: {seen:?}");
        seen.push(heading(&page.body));
        if page.body.contains(&format!(">{LAST_NO}</a>")) {
            return seen;
        }
        page = app.get(&link_after(&page.body, NEXT_CHECK)).await;
    }
}

fn position(headings: &[String], part: &str) -> usize {
    headings
        .iter()
        .position(|h| h.contains(part))
        .unwrap_or_else(|| panic!("no heading with {part:?} in {headings:?}"))
}

#[tokio::test]
async fn the_quick_likely_checks_come_first_and_risky_ones_after_their_safeguard() {
    let mut app = TestApp::spawn().await;

    // 429: wait out the one-minute window first, then the likeliest cause of a
    // sudden spike (a recipe or script that starts itself), before counting calls.
    let limits = headings_walked(&mut app, "429").await;
    assert!(limits[0].starts_with("Wait one full minute"), "{limits:?}");
    assert!(limits[1].contains("starts itself again"), "{limits:?}");
    assert!(position(&limits, "1,200") < position(&limits, "11,000,000"));

    // 500: platform status first; never send the request again before
    // checking whether the first one did its work (a repeated POST duplicates).
    let server = headings_walked(&mut app, "500").await;
    assert!(server[0].contains("platform incident"), "{server:?}");
    assert!(
        position(&server, "did its work") < position(&server, "Send the same request once more")
    );

    // Something else: status first, and never a request for the message just pasted.
    let other = headings_walked(&mut app, "other").await;
    assert!(other[0].contains("incident or outage"), "{other:?}");
    assert!(
        !other.iter().any(|h| h.contains("exact error message")),
        "{other:?}"
    );

    // The checklist's first item is the outage check its own text says to do first.
    let checklist = app.get("/articles/checklist").await;
    let list = &checklist.body[checklist.body.find("<ol>").expect("a numbered checklist")..];
    let first_item = &list[..list.find("</li>").unwrap()];
    assert!(
        first_item.contains("Check for a platform incident or outage"),
        "{first_item}"
    );
}

#[tokio::test]
async fn the_articles_keep_people_safe_and_explain_the_retry_plan() {
    let mut app = TestApp::spawn().await;
    let limits = app.get("/articles/429-too-many-requests").await;
    limits
        .assert_contains("Retry-After")
        .assert_contains("Jitter is a small random extra")
        .assert_contains("about 3 minutes in all, well past one minute")
        .assert_contains("For example (illustrative)");
    assert!(!limits.body.contains("share the same limit"));

    let stuck = app.get("/articles/still-stuck").await;
    assert!(!stuck.body.contains("redact"), "no promise of redaction");
    stuck.assert_contains("The UserKey or a token may be part of the URL");

    let server = app.get("/articles/500-internal-server-error").await;
    server.assert_contains("A 500 does not prove that nothing happened.");
}

/// A paste longer than a ticket can take is explained on the start page,
/// with what was pasted kept, rather than carried into links that grow past
/// what a server accepts in a URL.
#[tokio::test]
async fn a_paste_longer_than_a_ticket_takes_is_explained_and_kept() {
    let mut app = TestApp::spawn().await;
    let long = format!("HTTP GET failed: unauthorized (401) {}", "x".repeat(10_000));
    let page = app
        .get(&format!("/diagnose?message={}", query_encode(&long)))
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("longer than 10,000 characters")
        .assert_contains(&long);
    let start = app.get("/").await;
    start.assert_contains("maxlength=\"10000\"");
}

#[tokio::test]
async fn the_429_checks_lead_to_the_calculator_and_its_verdict_leads_back() {
    let mut app = TestApp::spawn().await;
    let step = app
        .get("/troubleshoot/429?path=wait-a-minute&message=HTTP+GET+failed%3A+429&method=GET")
        .await;
    let link = "/rate-limits?path=wait-a-minute&#38;message=HTTP+GET+failed%3A+429&#38;method=GET";
    step.assert_contains(link)
        .assert_contains("Work out which limit it crosses");
    // Other codes' checks do not offer it.
    app.get("/troubleshoot/401")
        .await
        .assert_lacks("/rate-limits");
    app.get("/articles/429-too-many-requests")
        .await
        .assert_contains("href=\"/rate-limits\"");

    let blank = app.get("/rate-limits").await;
    assert_eq!(blank.status, StatusCode::OK);
    blank
        .assert_contains("accepts 1,200 calls a minute and 11,000,000 calls a month")
        .assert_lacks("The result");

    // Three recipes of 600 calls every 15 minutes: the minute limit is
    // crossed by 600, the month is not.
    let result = app
        .get(
            "/rate-limits?every=15&unit=minutes&calls=600&at_once=3&run_minutes=1\
             &path=wait-a-minute&message=HTTP+GET+failed%3A+429&method=GET",
        )
        .await;
    assert_eq!(result.status, StatusCode::OK);
    result
        .assert_contains("1,800 calls of the 1,200 allowed")
        .assert_contains("Over by 600")
        .assert_contains("5,184,000 calls of the 11,000,000 allowed")
        .assert_contains("at least 2 minutes")
        .assert_contains("Retry-After")
        // The way back keeps the checks already made and the message.
        .assert_contains(
            "href=\"/troubleshoot/429?path=wait-a-minute&#38;message=HTTP+GET+failed%3A+429&#38;method=GET\"",
        );

    // A mistake comes back with what was typed and a message beside the field.
    let wrong = app
        .get("/rate-limits?every=0&unit=minutes&calls=lots&at_once=2")
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong
        .assert_contains("id=\"every-error\"")
        .assert_contains("Calls in one run: enter digits only, such as 5.")
        .assert_contains("value=\"lots\"")
        .assert_contains("value=\"2\"");
}

#[tokio::test]
async fn the_calculators_figures_go_with_a_429_ticket_and_staff_see_the_verdict() {
    let mut app = TestApp::spawn().await;
    let result = app
        .get("/rate-limits?every=15&unit=minutes&calls=600&at_once=3&run_minutes=1")
        .await;
    let form_link = "/tickets/new?error_code=429&#38;usage=15%2C600%2C3%2C1";
    result.assert_contains(form_link);
    let form = app
        .get("/tickets/new?error_code=429&usage=15%2C600%2C3%2C1")
        .await;
    assert_eq!(
        hidden_value(&form.body, "usage").as_deref(),
        Some("15,600,3,1")
    );

    let mut fields = valid_ticket();
    for (name, value) in [
        ("error_code", "429"),
        ("message", "HTTP POST failed: too many requests (429)"),
        ("usage", "15,600,3,1"),
    ] {
        match fields.iter_mut().find(|(k, _)| *k == name) {
            Some(field) => field.1 = value.into(),
            None => fields.push((name, value.into())),
        }
    }
    let review = app.post_form("/tickets", &as_pairs(&fields)).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    review.assert_contains(
        "makes 1,800 calls in its busiest minute, over the 1,200 limit by 600 and 5,184,000 \
         calls in a 30-day month, within the 11,000,000 limit (48 %)",
    );
    fields.push(("reviewed", "1".into()));
    let filed = app.post_form("/tickets", &as_pairs(&fields)).await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);

    let ticket = app.state.store.ticket_by_id(1).await.unwrap().unwrap();
    assert_eq!(
        ticket.details.usage.map(|u| u.to_text()).as_deref(),
        Some("15,600,3,1")
    );
    // A figure that did not come from the calculator is dropped, not stored.
    let mut odd = valid_ticket();
    odd.push(("usage", "0,1,2,3".into()));
    let res = app.post_form("/tickets", &as_pairs(&odd)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let ticket = app.state.store.ticket_by_id(2).await.unwrap().unwrap();
    assert_eq!(ticket.details.usage, None);
}
