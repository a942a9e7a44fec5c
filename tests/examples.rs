//! The scripts in `examples/` work as the README says: run against a real
//! server, `file-ticket.sh` files a ticket (and again with the same key,
//! the same one), and `deep-link.sh` prints a link that opens the form
//! pre-filled.

mod common;
#[path = "common/server.rs"]
mod server;
#[path = "common/staff.rs"]
mod staff_helpers;

use std::process::Command;

use apidesk::staff::Role;
use apidesk::tokens::Scope;
use server::Server;

fn example(name: &str) -> Command {
    let mut command = Command::new("sh");
    command.arg(format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR")));
    command
}

#[tokio::test]
async fn the_examples_file_a_ticket_once_and_link_to_a_filled_form() {
    let server = Server::start().await;
    server
        .add_staff("ada@example.com", "Ada Admin", Role::Admin)
        .await;
    let (admin, _) = server
        .store
        .staff_credentials("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    let token = staff_helpers::api_token(&server.store, admin.id, &[Scope::TicketsCreate]).await;

    let run = |key: &str| {
        let base = server.base.clone();
        let token = token.clone();
        let key = key.to_string();
        tokio::task::spawn_blocking(move || {
            example("file-ticket.sh")
                .env("APIDESK_URL", base)
                .env("APIDESK_TOKEN", token)
                .env("ERROR_CODE", "429")
                .env(
                    "ERROR_MESSAGE",
                    "HTTP GET failed: too many requests (429)\n\"Retry later\" \\ said the API\ttwice",
                )
                .env("ENDPOINT", "https://go.trackvia.com/openapi/views/12/records")
                .env("REQUESTER_EMAIL", "dev@example.com")
                // The failure's time, as the handler knows it: a retry
                // (seconds later) sends the same body.
                .env("OCCURRED_AT", "2026-12-07T09:30:00Z")
                .env("IDEMPOTENCY_KEY", key)
                .output()
                .expect("sh runs")
        })
    };
    let first = run("nightly-sync-2026-12-07").await.unwrap();
    let out = String::from_utf8_lossy(&first.stdout).to_string();
    assert!(
        first.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let answer: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(answer["reference"], "APD-000001");
    assert_eq!(
        answer["message"],
        "HTTP GET failed: too many requests (429)\n\"Retry later\" \\ said the API\ttwice",
        "the message arrives exactly as the handler had it"
    );
    let again = run("nightly-sync-2026-12-07").await.unwrap();
    let retried: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&again.stdout).trim()).unwrap();
    assert_eq!(retried["id"], answer["id"], "a retry files nothing twice");
    assert_eq!(server.store.count_tickets().await.unwrap(), 1);
    // A refusal exits 1 with the problem document.
    let refused = tokio::task::spawn_blocking({
        let base = server.base.clone();
        move || {
            example("file-ticket.sh")
                .env("APIDESK_URL", base)
                .env("APIDESK_TOKEN", "apd_wrong")
                .env("ERROR_CODE", "429")
                .env("ERROR_MESSAGE", "x")
                .env("ENDPOINT", "/x")
                .env("REQUESTER_EMAIL", "dev@example.com")
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stdout).contains("\"status\":401"));

    let link = tokio::task::spawn_blocking({
        let base = server.base.clone();
        move || {
            example("deep-link.sh")
                .env("APIDESK_URL", base)
                .env("ERROR_CODE", "404")
                .env(
                    "ERROR_MESSAGE",
                    "HTTP GET failed: not found (404) & \"gone\"",
                )
                .env(
                    "ENDPOINT",
                    "https://go.trackvia.com/openapi/views/12/records/7?x=1",
                )
                .env("METHOD", "GET")
                .env("TOOL", "workato")
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert!(link.status.success());
    let url = String::from_utf8_lossy(&link.stdout).trim().to_string();
    let path = url
        .strip_prefix(&server.base)
        .expect("a link to this server");
    let form = server.browser().get(path).await;
    form.assert_contains("HTTP GET failed: not found (404) &#38; &#34;gone&#34;")
        .assert_contains("value=\"https://go.trackvia.com/openapi/views/12/records/7?x=1\"");
    server.shut_down().await;
}
