//! The password never goes over a connection that is not encrypted: a
//! plain-text IMAP server on 127.0.0.1 that refuses STARTTLS, or answers a
//! TLS client in plain text, never sees the LOGIN. (The rest is tested
//! against a real Dovecot in tests/mail_imap.rs.)

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use super::*;
use crate::config::ImapSettings;

const PASSWORD: &str = "Plain-Pa55-Never-Sent";

struct Ignore;

#[async_trait]
impl Take for Ignore {
    async fn take(&self, _raw: &[u8]) -> Result<(), TakeLater> {
        Ok(())
    }
}

/// A server that greets in plain text, answers every command with BAD and
/// keeps the lines it received.
async fn plain_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let lines = Arc::new(Mutex::new(Vec::new()));
    let kept = lines.clone();
    tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (read, mut write) = socket.into_split();
        write.write_all(b"* OK plain only\r\n").await.unwrap();
        let mut read = BufReader::new(read).lines();
        while let Ok(Some(line)) = read.next_line().await {
            let tag = line.split(' ').next().unwrap_or("*").to_string();
            kept.lock().unwrap().push(line);
            let answer = format!("{tag} BAD not here\r\n");
            if write.write_all(answer.as_bytes()).await.is_err() {
                break;
            }
        }
    });
    (addr, lines)
}

fn config(url: &str) -> ImapConfig {
    ImapSettings {
        imap_url: Some(url.to_string()),
        ..ImapSettings::default()
    }
    .check()
    .unwrap()
    .unwrap()
}

#[tokio::test]
async fn a_server_without_starttls_never_gets_the_password() {
    let (addr, lines) = plain_server().await;
    let config = config(&format!("imap://support:{PASSWORD}@{addr}/INBOX"));
    let err = poll_once(&config, &Ignore).await.unwrap_err();
    assert!(matches!(err, ImapError::NoStartTls { .. }), "{err:?}");
    assert!(err.to_string().contains("does not offer STARTTLS"), "{err}");
    let lines = lines.lock().unwrap().clone();
    assert!(
        lines.iter().any(|line| line.ends_with("STARTTLS")),
        "{lines:?}"
    );
    assert!(
        !lines.iter().any(|line| line.contains(PASSWORD)),
        "{lines:?}"
    );
}

#[tokio::test]
async fn a_plain_text_answer_to_imaps_is_a_tls_failure() {
    let (addr, lines) = plain_server().await;
    let config = config(&format!("imaps://support:{PASSWORD}@{addr}/INBOX"));
    let err = poll_once(&config, &Ignore).await.unwrap_err();
    assert!(matches!(err, ImapError::Tls { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains(PASSWORD));
    let lines = lines.lock().unwrap().clone();
    assert!(
        !lines.iter().any(|line| line.contains(PASSWORD)),
        "{lines:?}"
    );
}

#[tokio::test]
async fn nothing_listening_is_a_connection_failure() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = poll_once(&config(&format!("imaps://u:p@{addr}")), &Ignore)
        .await
        .unwrap_err();
    assert!(matches!(err, ImapError::Connect { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("cannot connect to {addr}")),
        "{err}"
    );
}
