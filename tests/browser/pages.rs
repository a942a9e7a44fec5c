//! Every page, public and staff, error pages included, at the phone and the
//! desktop size: a screenshot of each under `target/screenshots/`, no
//! sideways scrolling on the phone, and the accessibility audit (see
//! audit.rs) of each.
//!
//! A new page is one line in [`PAGES`]: a path to visit, or a function that
//! gets there (from wherever the page before it left the browser).

use std::future::Future;
use std::pin::Pin;

use apidesk::staff::Role;

use crate::harness::{Browser, DESKTOP, PHONE, Size};

type Steps = for<'a> fn(&'a Browser) -> Pin<Box<dyn Future<Output = ()> + 'a>>;

/// How a page is reached.
enum Reach {
    Visit(&'static str),
    Steps(Steps),
}
use Reach::{Steps as Do, Visit};

/// Every page, in the order visited (screenshot name, how to reach it). The
/// staff pages follow the public ones: `staff_queue` signs in, and the
/// requester's status page with a reply needs the reply `staff_ticket_replied` posts.
const PAGES: &[(&str, Reach)] = &[
    ("start", Visit("/")),
    (
        "diagnose-recognised",
        Visit("/diagnose?message=HTTP+GET+failed%3A+unauthorized+%28401%29"),
    ),
    (
        "diagnose-unrecognised",
        Visit("/diagnose?message=the+flux+capacitor+is+sad"),
    ),
    ("diagnose-empty", Visit("/diagnose?message=")),
    ("tree-step", Visit("/troubleshoot/401")),
    ("tree-last-step", Do(tree_last_step)),
    ("fixed", Do(fixed)),
    (
        "rate-limits",
        Visit("/rate-limits?every=15&unit=minutes&calls=600&at_once=3"),
    ),
    ("articles", Visit("/articles")),
    // The API's page, rendered from its OpenAPI document.
    ("api-docs", Visit("/api/v1/docs")),
    ("article", Do(article)),
    ("ticket-form", Visit("/tickets/new")),
    ("ticket-form-errors", Do(ticket_form_errors)),
    // A credential in the endpoint: shown taken out, nothing filed yet.
    ("ticket-form-secrets", Do(ticket_form_secrets)),
    // A 404 on a Record ID: pointed out before filing.
    ("ticket-form-hints", Do(ticket_form_hints)),
    ("ticket-filed", Do(ticket_filed)),
    ("ticket-bad-csrf", Do(ticket_bad_csrf)),
    ("not-found", Visit("/no-such-page")),
    ("staff-login", Visit("/staff/login")),
    ("staff-login-failed", Do(staff_login_failed)),
    ("staff-queue", Do(staff_queue)),
    (
        "staff-queue-no-results",
        Visit("/staff/queue?q=nothing+matches+this"),
    ),
    ("staff-ticket", Visit("/staff/tickets/1")),
    // The mail sent to the requester, scrolled to.
    ("staff-ticket-mail", Visit("/staff/tickets/1#mail")),
    ("staff-ticket-reply-errors", Do(staff_ticket_reply_errors)),
    ("staff-ticket-replied", Do(staff_ticket_replied)),
    ("ticket-status-replied", Do(ticket_status_replied)),
    (
        "ticket-status-addition-errors",
        Do(ticket_status_addition_errors),
    ),
    ("ticket-status-added", Do(ticket_status_added)),
    // Files added: a HAR (what was taken out of it said) and a screenshot
    // (shown small); then the HAR read in the page.
    ("ticket-status-files", Do(ticket_status_files)),
    ("file-preview", Do(file_preview)),
    // The requester answered a mail; a colleague did too, and a bounce came.
    ("ticket-status-mailed", Do(ticket_status_mailed)),
    ("staff-ticket-mail-received", Do(staff_ticket_mail_received)),
    ("staff-mail", Visit("/staff/mail")),
    // A mail that answers nothing opened a ticket; its sender completes it.
    (
        "ticket-status-details-wanted",
        Do(ticket_status_details_wanted),
    ),
    (
        "ticket-status-details-errors",
        Do(ticket_status_details_errors),
    ),
    (
        "ticket-status-details-given",
        Do(ticket_status_details_given),
    ),
    ("ticket-links", Visit("/tickets/lost")),
    // Webhooks, for admins: a URL refused, then an endpoint registered.
    ("staff-webhooks-errors", Do(staff_webhooks_errors)),
    ("staff-webhooks", Do(staff_webhooks)),
    ("staff-settings", Visit("/staff/settings")),
    ("staff-settings-agent", Do(staff_settings_agent)),
    // Three tickets failing the same way: one row, and the lead's panel.
    ("staff-queue-problem", Do(staff_queue_problem)),
    ("staff-ticket-problem", Do(staff_ticket_problem)),
    // A known incident, declared by staff, then said first on the start page.
    ("staff-incidents", Do(staff_incidents)),
    ("start-incident", Visit("/")),
    // Canned replies: one written, then edited; the ticket page opened from
    // the queue with it in the composer.
    ("staff-macros", Do(staff_macros)),
    ("staff-macro-edit", Visit("/staff/macros/1")),
    (
        "staff-ticket-workspace",
        Visit("/staff/tickets/1?view=%2Fstaff%2Fqueue%3Fstatus%3Dall&macro=1"),
    ),
    ("staff-forbidden", Do(staff_forbidden)),
    // An admin creates an API token: shown once.
    ("staff-tokens-created", Do(staff_tokens_created)),
    // Staff accounts, for admins: an email in use, then someone added (their
    // temporary password shown once), then disabled; one's own password.
    ("staff-accounts-errors", Do(staff_accounts_errors)),
    ("staff-account-added", Do(staff_account_added)),
    ("staff-account-disabled", Do(staff_account_disabled)),
    ("staff-password-errors", Do(staff_password_errors)),
    // Two-step sign-in: off, a wrong code at set-up, the recovery codes
    // shown once, on, then turned off again with the password.
    ("staff-security", Visit("/staff/security")),
    ("staff-totp-setup-errors", Do(staff_totp_setup_errors)),
    ("staff-recovery-codes", Do(staff_recovery_codes)),
    ("staff-security-on", Visit("/staff/security")),
    ("staff-security-off", Do(staff_security_off)),
    ("ticket-rate-limited", Do(ticket_rate_limited)),
    // The team lead's figures: walks, tickets and replies made above.
    ("staff-insights", Visit("/staff/insights")),
    (
        "staff-insights-errors",
        Visit("/staff/insights?from=2026-03-10&to=2026-03-01"),
    ),
    // Saved views: their page, a name refused on the queue, a bulk edit
    // that says what it did and offers its undo.
    ("staff-views", Visit("/staff/views")),
    (
        "staff-queue-view-name-taken",
        Do(staff_queue_view_name_taken),
    ),
    ("staff-queue-bulk-done", Do(staff_queue_bulk_done)),
];

/// Tickets one address may file an hour here: the first is `ticket-filed`,
/// the second `ticket-rate-limited`.
const FILING_LIMIT: &str = "filing=1/h";

async fn every_page(size: Size) {
    let Some(mut b) = Browser::start(size).await else {
        return;
    };
    // A server whose filing limit a test reaches in two tickets.
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::common::test_config(&dir);
    config.rate_limits = FILING_LIMIT.parse().unwrap();
    let default = std::mem::replace(&mut b.app, crate::server::Server::start_with(config).await);
    default.shut_down().await;

    for (name, reach) in PAGES {
        match reach {
            Visit(path) => b.visit(path).await,
            Do(steps) => steps(&b).await,
        }
        let heading = b.text("h1").await;
        assert!(!heading.trim().is_empty(), "{name} has a heading");
        b.audit_now().await;
        let file = b.screenshot(name).await;
        assert!(std::fs::metadata(&file).unwrap().len() > 1000, "{file:?}");
        if size.width <= PHONE.width {
            b.assert_no_horizontal_scroll().await;
        }
    }
    b.finish().await;
}

#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn every_page_on_a_phone_fits_without_sideways_scrolling() {
    every_page(PHONE).await;
}

#[tokio::test]
#[ignore = "browser test: cargo test --test browser -- --ignored"]
async fn every_page_on_a_desktop() {
    every_page(DESKTOP).await;
}

const NEXT_CHECK: &str = "No, still failing — next check";
const YES: &str = "Yes, fixed — the call works now";

/// The last check of the 401 tree, whose "still failing" leads to support.
fn tree_last_step(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.visit("/troubleshoot/401").await;
        while b.script(NEXT_BUTTON_SHOWN).await == serde_json::Value::Bool(true) {
            b.follow_text(NEXT_CHECK).await;
        }
    })
}

const NEXT_BUTTON_SHOWN: &str = r#"
    return [...document.querySelectorAll('button, a')]
        .some(el => el.textContent.trim().replace(/\s+/g, ' ') === "No, still failing — next check");
"#;

fn fixed(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.visit("/troubleshoot/401").await;
        b.follow_text(YES).await;
        assert!(b.path().await.starts_with("/troubleshoot/401/fixed"));
    })
}

fn article(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.visit("/articles").await;
        b.follow("main a[href^='/articles/']").await;
    })
}

fn ticket_form_errors(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.visit("/tickets/new").await;
        b.follow("form.ticket-form button[type=submit]").await;
        assert!(
            b.text("#error-summary")
                .await
                .contains("things need fixing")
        );
    })
}

fn ticket_form_secrets(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.visit("/tickets/new").await;
        b.script(FILL_TICKET_FORM).await;
        b.script(
            "document.querySelector('form.ticket-form').endpoint.value = \
             'https://api.example.com/v1/orders?access_token=8f3kLq2ZxW9vT4mN7pR1sY6u'; \
             return null;",
        )
        .await;
        b.follow("form.ticket-form button[type=submit]").await;
        let notice = b.text("#secrets").await;
        assert!(notice.contains("We took out a credential"), "{notice}");
        let endpoint = b.value("#field-endpoint").await;
        assert!(
            endpoint.ends_with("access_token=[redacted access_token]"),
            "{endpoint}"
        );
    })
}

fn ticket_form_hints(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.visit("/tickets/new").await;
        b.script(FILL_TICKET_FORM).await;
        b.script(
            "const f = document.querySelector('form.ticket-form'); \
             f.error_code.value = '404'; \
             f.endpoint.value = '/openapi/views/12/records/R-1042'; return null;",
        )
        .await;
        b.follow("form.ticket-form button[type=submit]").await;
        let notice = b.text("#hints").await;
        assert!(notice.contains("R-1042"), "{notice}");
    })
}

/// Fills in the ticket form (any valid answers) without sending it.
const FILL_TICKET_FORM: &str = r#"
    const f = document.querySelector('form.ticket-form');
    f.error_code.value = '401';
    f.message.value = 'HTTP GET failed: unauthorized (401)';
    f.endpoint.value = 'https://api.example.com/v1/orders';
    f.querySelector('input[name=method][value=GET]').checked = true;
    f.occurred_at.value = new Date(Date.now() - 2 * 86400e3).toISOString().slice(0, 16);
    f.tool.value = f.tool.options[1].value;
    f.querySelector('input[name=environment]').checked = true;
    f.email.value = 'dev@example.com';
    return null;
"#;

/// Files a ticket through the form, ending on the page that follows.
async fn file_ticket(b: &Browser) {
    b.visit("/tickets/new").await;
    b.script(FILL_TICKET_FORM).await;
    b.follow("form.ticket-form button[type=submit]").await;
}

fn ticket_filed(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        file_ticket(b).await;
        assert!(b.path().await.ends_with("?filed=1"), "{}", b.path().await);
    })
}

fn ticket_bad_csrf(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.visit("/tickets/new").await;
        b.script(FILL_TICKET_FORM).await;
        b.script("document.querySelector('input[name=csrf_token]').value = 'forged'; return null;")
            .await;
        b.follow("form.ticket-form button[type=submit]").await;
        assert!(
            b.text("main").await.contains("403"),
            "{}",
            b.text("main").await
        );
    })
}

fn staff_login_failed(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.visit("/staff/login").await;
        b.type_into("input[name=email]", "nobody@example.com").await;
        b.type_into("input[name=password]", "not the password")
            .await;
        b.follow("main form button[type=submit]").await;
        assert!(b.path().await.starts_with("/staff/login"));
    })
}

fn staff_queue(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.sign_in_staff("admin@example.com", "Ada Admin", Role::Admin)
            .await;
        b.visit("/staff/queue").await;
        assert!(b.text("main table").await.contains("GET"));
    })
}

fn staff_ticket_reply_errors(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.visit("/staff/tickets/1").await;
        b.follow("#composer-send").await;
        let main = b.text("main").await;
        assert!(main.contains("Nothing to send"), "{main}");
    })
}

fn staff_ticket_replied(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.visit("/staff/tickets/1").await;
        b.type_into("#field-text", "Your key was rotated; use the new one.")
            .await;
        b.follow("#composer-send").await;
    })
}

/// Ticket 1's status page, as its requester opens it from their link.
async fn visit_status_page(b: &Browser) {
    let ticket = b
        .app
        .store
        .ticket_by_id(1)
        .await
        .unwrap()
        .expect("ticket 1");
    b.visit(&format!("/tickets/{}", ticket.token)).await;
}

fn ticket_status_replied(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        visit_status_page(b).await;
        assert!(b.text("main").await.contains("Your key was rotated"));
    })
}

/// "Add information" sent empty, from the status page with the reply.
fn ticket_status_addition_errors(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.follow("form[action$='/replies'] button[type=submit]")
            .await;
        let title = b.client.title().await.unwrap();
        assert!(title.starts_with("Error: "), "{title}");
    })
}

fn ticket_status_added(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.type_into("#field-body", "The new key works, thank you.")
            .await;
        b.follow("form[action$='/replies'] button[type=submit]")
            .await;
        assert!(b.text("main").await.contains("The new key works"));
    })
}

fn ticket_status_files(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        use crate::attachments::{choose_files, fixture, write_screenshot};
        let dir = tempfile::tempdir().unwrap();
        let png = write_screenshot(dir.path(), "connection settings.png");
        visit_status_page(b).await;
        b.type_into(
            "#field-body",
            "The browser's network log, and the settings.",
        )
        .await;
        choose_files(b, "#field-files", &[&fixture("chromium.har"), &png]).await;
        b.follow("form[action$='/replies'] button[type=submit]")
            .await;
        let updates = b.text("#updates").await;
        assert!(
            updates.contains("Taken out before it was kept"),
            "{updates}"
        );
        // The thumbnail loaded (lazily: scrolled to), for the screenshot.
        let loaded = b
            .wait_until(
                "const img = document.querySelector('#updates .attachments img'); \
                 img.scrollIntoView({ block: 'center' }); \
                 return img.complete && img.naturalWidth > 0;",
            )
            .await;
        assert!(loaded, "the thumbnail loads");
    })
}

fn file_preview(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.follow("#updates a[href$='/preview']").await;
        assert_eq!(b.text("h1").await, "chromium.har");
        assert!(b.text(".file-preview").await.contains("[redacted"));
    })
}

/// A fixture from tests/fixtures/mail/ taken in for ticket 1, as if its
/// requester's mail server had delivered it.
async fn mail_in(b: &Browser, name: &str) {
    let store = &b.app.store;
    let ticket = store.ticket_by_id(1).await.unwrap().expect("ticket 1");
    let key = store.ticket_mail(1).await.unwrap()[0].message_key.clone();
    let path = format!("{}/tests/fixtures/mail/{name}", env!("CARGO_MANIFEST_DIR"));
    let raw = String::from_utf8(std::fs::read(path).unwrap()).unwrap();
    let raw = raw
        .replace("{{KEY}}", &key)
        .replace("pat@example.com", &ticket.details.email);
    let ingest = apidesk::mail::inbound::Ingest {
        store: store.clone(),
        targets: apidesk::tickets::ResponseTargets::default(),
        open_tickets: false,
        sender_limit: None,
        rules: Default::default(),
    };
    let taken = ingest.take(raw.into_bytes()).await.unwrap();
    assert!(
        matches!(taken, apidesk::mail::inbound::Ingested::Taken(_)),
        "{name}: {taken:?}"
    );
}

fn ticket_status_mailed(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        mail_in(b, "plain-reply.eml").await;
        visit_status_page(b).await;
        let main = b.text("main").await;
        assert!(main.contains("You added information by email"), "{main}");
        assert!(main.contains("I rotated the key at 09:40"), "{main}");
    })
}

/// Robin's mail, answering nothing, taken in with new tickets by mail on.
fn ticket_status_details_wanted(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        let store = &b.app.store;
        let path = format!(
            "{}/tests/fixtures/mail/new-request.eml",
            env!("CARGO_MANIFEST_DIR")
        );
        let ingest = apidesk::mail::inbound::Ingest {
            store: store.clone(),
            targets: apidesk::tickets::ResponseTargets::default(),
            open_tickets: true,
            sender_limit: None,
            rules: Default::default(),
        };
        let taken = ingest.take(std::fs::read(path).unwrap()).await.unwrap();
        assert_eq!(
            taken,
            apidesk::mail::inbound::Ingested::Taken(apidesk::tickets::InboundOutcome::Opened)
        );
        let newest = store.count_tickets().await.unwrap();
        let ticket = store.ticket_by_id(newest).await.unwrap().expect("opened");
        b.visit(&format!("/tickets/{}#details", ticket.token)).await;
        let main = b.text("main").await;
        assert!(main.contains("Support needs a few more details"), "{main}");
        assert!(main.contains("Not given yet"), "{main}");
        assert!(main.contains("We took a credential out"), "{main}");
    })
}

/// The details form sent without the time and tool it asks for.
fn ticket_status_details_errors(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.follow("form[action$='/details'] button[type=submit]")
            .await;
        let title = b.client.title().await.unwrap();
        assert!(title.starts_with("Error: "), "{title}");
        let main = b.text("main").await;
        assert!(main.contains("Choose the tool or platform"), "{main}");
    })
}

fn ticket_status_details_given(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        crate::forms::set_date_time(b, "Date and time", "2026-11-04T07:50").await;
        crate::forms::choose(b, "Integration tool", "Make").await;
        b.follow("form[action$='/details'] button[type=submit]")
            .await;
        let main = b.text("main").await;
        assert!(main.contains("every detail of the failure"), "{main}");
        assert!(!main.contains("Not given yet"), "{main}");
    })
}

/// Files three tickets failing the same way at one organisation straight
/// into the store (the form allows one an hour here); returns the first.
async fn file_a_problem(b: &Browser) -> i64 {
    let store = &b.app.store;
    let now = time::OffsetDateTime::now_utc();
    let mut lead = 0;
    for n in 0..3 {
        let ticket = apidesk::tickets::TicketInput {
            error_code: "429".into(),
            message: "HTTP GET failed: too many requests (429)".into(),
            endpoint: format!("https://api.example.com/v1/orders/{}", 100 + n),
            method: "GET".into(),
            occurred_at: "2026-01-15T09:30:00Z".into(),
            tool: "workato".into(),
            environment: "production".into(),
            name: format!("Developer {n}"),
            email: format!("dev{n}@acme.example"),
            ..Default::default()
        }
        .validate(now)
        .expect("a valid ticket");
        let triage = ticket.triage(now, &apidesk::tickets::ResponseTargets::default());
        store.insert_ticket(&ticket, &triage, now).await.unwrap();
        if n == 0 {
            lead = store.count_tickets().await.unwrap();
        }
    }
    lead
}

fn staff_queue_problem(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        file_a_problem(b).await;
        b.visit("/staff/queue?sort=newest").await;
        let main = b.text("main").await;
        assert!(main.contains("3 tickets"), "{main}");
    })
}

fn staff_ticket_problem(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        let lead = b.app.store.count_tickets().await.unwrap() - 2;
        b.visit(&format!("/staff/tickets/{lead}#problem")).await;
        let panel = b.text("#problem").await;
        assert!(
            panel.contains("Send to 3 tickets and resolve them"),
            "{panel}"
        );
    })
}

fn staff_incidents(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.visit("/staff/incidents").await;
        crate::forms::fill(b, "Title", "Record updates failing").await;
        crate::forms::fill(
            b,
            "What is affected (optional)",
            "Updates to records answer 503.",
        )
        .await;
        b.follow("form[action='/staff/incidents'] button[type=submit]")
            .await;
        let main = b.text("main").await;
        assert!(main.contains("Incident declared"), "{main}");
    })
}

fn staff_webhooks_errors(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.visit("/staff/webhooks").await;
        crate::forms::fill(b, "URL", "http://10.0.0.8/hook").await;
        b.click("input[name=events][value='ticket.filed']").await;
        b.follow("form[action='/staff/webhooks'] button[type=submit]")
            .await;
        let main = b.text("main").await;
        assert!(main.contains("This URL cannot be used"), "{main}");
    })
}

fn staff_webhooks(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        crate::forms::fill(b, "URL", "https://hooks.example.com/apidesk").await;
        b.follow("form[action='/staff/webhooks'] button[type=submit]")
            .await;
        let main = b.text("main").await;
        assert!(main.contains("Copy the signing secret now"), "{main}");
    })
}

fn staff_ticket_mail_received(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        mail_in(b, "stranger.eml").await;
        mail_in(b, "dsn-bounce.eml").await;
        b.visit("/staff/tickets/1#mail").await;
        let main = b.text("main").await;
        assert!(main.contains("comes back undeliverable"), "{main}");
        assert!(main.contains("Mail received"), "{main}");
    })
}

fn staff_settings_agent(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.follow("form[action='/staff/logout'] button").await;
        b.sign_in_staff("agent@example.com", "Alan Agent", Role::Agent)
            .await;
        b.visit("/staff/settings").await;
    })
}

/// What an agent gets for an admin's action: a merge, sent from a form the
/// page does not offer them (only admins see it).
fn staff_tokens_created(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.visit("/staff/queue").await;
        b.follow("form[action='/staff/logout'] button").await;
        b.sign_in_staff("ada.admin@example.com", "Ada Admin", Role::Admin)
            .await;
        b.visit("/staff/tokens").await;
        crate::forms::fill(b, "Name", "Workato error handler").await;
        b.follow("form[action='/staff/tokens'] button[type=submit]")
            .await;
        let created = b.text("#created").await;
        assert!(created.contains("apd_"), "{created}");
    })
}

fn staff_macros(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.visit("/staff/macros").await;
        crate::forms::fill(b, "Title", "Ask for the request ID").await;
        b.type_into(
            "#field-body",
            "Hello {{requester_name}},\n\nPlease send the request ID of the failing call ({{reference}}).",
        )
        .await;
        b.follow("form[action='/staff/macros'] button[type=submit]")
            .await;
        let main = b.text("main").await;
        assert!(main.contains("Macro saved"), "{main}");
    })
}

fn staff_forbidden(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.visit("/staff/tickets/1").await;
        b.script(FORGED_MERGE).await;
        b.follow("#forged-merge button").await;
        assert!(
            b.text("main").await.contains("403"),
            "{}",
            b.text("main").await
        );
    })
}

const FORGED_MERGE: &str = r#"
    const form = document.createElement('form');
    form.id = 'forged-merge';
    form.method = 'post';
    form.action = '/staff/tickets/1/merge';
    form.innerHTML = '<input type="hidden" name="into" value="APD-000002"><button type="submit">Merge</button>';
    form.prepend(document.querySelector('input[name=csrf_token]').cloneNode());
    document.querySelector('main').append(form);
    return null;
"#;

fn ticket_rate_limited(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        file_ticket(b).await;
        assert!(
            b.text("main").await.contains("429"),
            "{}",
            b.text("main").await
        );
    })
}

fn staff_accounts_errors(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.visit("/staff/accounts").await;
        crate::forms::fill(b, "Name", "Alan Again").await;
        crate::forms::fill(b, "Email", "agent@example.com").await;
        b.follow("form[action='/staff/accounts'] button[type=submit]")
            .await;
        let main = b.text("main").await;
        assert!(
            main.contains("Another account already uses this email"),
            "{main}"
        );
    })
}

fn staff_account_added(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        crate::forms::fill(b, "Name", "Bo Agent").await;
        crate::forms::fill(b, "Email", "bo.agent@example.com").await;
        b.follow("form[action='/staff/accounts'] button[type=submit]")
            .await;
        let shown = b.text("#temporary").await;
        assert!(shown.contains("not shown again"), "{shown}");
    })
}

fn staff_account_disabled(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.follow("form[action$='/disable'] button[type=submit]")
            .await;
        let main = b.text("main").await;
        assert!(main.contains("Bo Agent is disabled"), "{main}");
    })
}

fn staff_password_errors(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.visit("/staff/password").await;
        crate::forms::fill(b, "Current password", "not the password").await;
        crate::forms::fill(b, "New password", "a new long passphrase").await;
        crate::forms::fill(b, "New password again", "another long passphrase").await;
        b.follow("form[action='/staff/password'] button[type=submit]")
            .await;
        let main = b.text("main").await;
        assert!(main.contains("not your current password"), "{main}");
        assert!(main.contains("not the same"), "{main}");
    })
}

fn staff_totp_setup_errors(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.visit("/staff/security").await;
        b.follow("form[action='/staff/security/totp'] button[type=submit]")
            .await;
        b.type_into("#field-code", "12345").await;
        b.follow("form[action='/staff/security/totp/confirm'] button[type=submit]")
            .await;
        let main = b.text("main").await;
        assert!(main.contains("That code is not right"), "{main}");
    })
}

fn staff_recovery_codes(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        let shown = b.text("#totp-secret").await.replace(' ', "");
        let secret = data_encoding::BASE32_NOPAD
            .decode(shown.as_bytes())
            .expect("the key is base32");
        let step = apidesk::staff::time_step(time::OffsetDateTime::now_utc());
        let code = format!("{:06}", apidesk::staff::hotp(&secret, step as u64, 6));
        b.type_into("#field-code", &code).await;
        b.follow("form[action='/staff/security/totp/confirm'] button[type=submit]")
            .await;
        let main = b.text("main").await;
        assert!(main.contains("Keep them now"), "{main}");
    })
}

fn staff_security_off(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.type_into("#field-off_proof", crate::server::PASSWORD)
            .await;
        b.follow("form[action='/staff/security/totp/off'] button[type=submit]")
            .await;
        let main = b.text("main").await;
        assert!(main.contains("Two-step sign-in is off"), "{main}");
    })
}

fn staff_queue_view_name_taken(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.visit("/staff/queue?status=all").await;
        b.click(".save-view summary").await;
        b.type_into("#view-name", "needs a human").await;
        b.follow(".save-view-form button[type=submit]").await;
        let said = b.text(".save-view").await;
        assert!(said.contains("A view is already called"), "{said}");
    })
}

fn staff_queue_bulk_done(b: &Browser) -> Pin<Box<dyn Future<Output = ()> + '_>> {
    Box::pin(async move {
        b.visit("/staff/queue?status=all&sort=newest").await;
        b.click("#queue-table tbody input[name=ids]").await;
        b.script(
            "const s = document.getElementById('b-priority'); s.value = 'low'; \
             s.dispatchEvent(new Event('change', { bubbles: true })); return null;",
        )
        .await;
        b.follow("#bulk-apply").await;
        let said = b.text("#bulk-result").await;
        assert!(said.contains("Priority set to Low"), "{said}");
    })
}
