//! Bad input, tried for real: hostile values (script, links to script,
//! SQL and search syntax, NUL, direction overrides, CR/LF, formulas, a
//! megabyte, nothing at all, absurd dates, the wrong content type) sent to
//! every form field, query key, API field and mail header. Each must get a
//! 4xx or be stored and shown inert wherever it appears: the status page,
//! the staff pages, the queue and its CSV, the API's JSON and the mail
//! apidesk sends. Never a 5xx. Also: agents are refused admin pages, the
//! signed-out are sent to sign in, and what the public sees of a ticket is
//! not guessable.

mod common;
#[path = "common/staff.rs"]
mod staff_helpers;

#[path = "bad_input/api.rs"]
mod api;
#[path = "bad_input/content_types.rs"]
mod content_types;
#[path = "bad_input/controls.rs"]
mod controls;
#[path = "bad_input/exports.rs"]
mod exports;
#[path = "bad_input/mail.rs"]
mod mail;
#[path = "bad_input/payloads.rs"]
mod payloads;
#[path = "bad_input/public_forms.rs"]
mod public_forms;
#[path = "bad_input/roles.rs"]
mod roles;
#[path = "bad_input/staff_forms.rs"]
mod staff_forms;
#[path = "bad_input/ticket_form.rs"]
mod ticket_form;

use common::TestApp;

/// A fresh app without rate limits: the suite files many tickets from one
/// address, and the limits have tests of their own.
pub async fn app() -> TestApp {
    TestApp::spawn_configured(|config| {
        config.rate_limits = apidesk::web::rate_limit::RateLimitSettings::off();
    })
    .await
}

/// Posts a form with a CSRF token read once: reading it again for each of
/// hundreds of posts would render the ticket form each time.
pub async fn post_with(
    app: &mut TestApp,
    csrf: &str,
    uri: &str,
    fields: &[(&str, &str)],
) -> common::TestResponse {
    let mut all = vec![("csrf_token", csrf)];
    all.extend_from_slice(fields);
    app.post_raw(uri, &serde_urlencoded::to_string(&all).unwrap())
        .await
}
