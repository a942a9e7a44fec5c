//! The real IMAP server the IMAP tests run against (Dovecot, started by
//! `.ci/imap`), found through `APIDESK_TEST_IMAP_URL`,
//! `APIDESK_TEST_IMAP_STARTTLS_URL` and `APIDESK_TEST_IMAP_CA`, and a client of its own that puts messages in a
//! fresh mailbox and reads their flags back.
//!
//! Declare it with `#[path = "common/imap.rs"] mod imap;`.

#![allow(dead_code)]

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use apidesk::config::{ImapConfig, ImapSettings};
use async_imap::Session;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

pub struct ImapServer {
    /// `imaps://user:pass@127.0.0.1:port/INBOX`
    pub url: url::Url,
    /// `imap://user:pass@127.0.0.1:port/INBOX`: the same server, STARTTLS.
    pub starttls_url: url::Url,
    /// The test CA that signed the server's certificate.
    pub ca: PathBuf,
}

impl ImapServer {
    /// The server `.ci/imap` started, or `None` (after saying so) when the
    /// tests run without one; under CI=true that fails the test instead.
    pub fn from_env() -> Option<Self> {
        let url = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|url| url::Url::parse(&url).unwrap_or_else(|err| panic!("{name}: {err}")))
        };
        let tls = url("APIDESK_TEST_IMAP_URL");
        let starttls = url("APIDESK_TEST_IMAP_STARTTLS_URL");
        let ca = std::env::var_os("APIDESK_TEST_IMAP_CA");
        match (tls, starttls, ca) {
            (Some(url), Some(starttls_url), Some(ca)) => Some(Self {
                url,
                starttls_url,
                ca: ca.into(),
            }),
            _ if std::env::var("CI").is_ok_and(|ci| ci == "true") => panic!(
                "the IMAP tests need a server under CI: run them with .ci/imap, which sets \
                 APIDESK_TEST_IMAP_URL, APIDESK_TEST_IMAP_STARTTLS_URL and APIDESK_TEST_IMAP_CA"
            ),
            _ => {
                // Straight to stderr, past the test harness's capture, so
                // the notice shows (and .ci/imap counts it).
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED (not in CI): no IMAP server (run the IMAP tests with .ci/imap)"
                );
                None
            }
        }
    }

    pub fn user(&self) -> String {
        self.url.username().to_string()
    }

    pub fn password(&self) -> String {
        self.url
            .password()
            .expect("the URL has a password")
            .to_string()
    }

    /// A new, empty mailbox for one test, so that tests never see each
    /// other's messages; and apidesk's checked settings for it.
    pub async fn fresh_mailbox(&self, test: &str) -> (ImapConfig, Mailbox) {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "{test}-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        );
        let mut session = self.session().await;
        // The name is this process's alone, so ALREADYEXISTS means the
        // mailbox is there: Dovecot has answered so when several tests
        // create their first mailboxes in a new maildir at the same moment.
        match session.create(&name).await {
            Ok(()) => {}
            Err(async_imap::error::Error::No(text)) if text.contains("ALREADYEXISTS") => {}
            Err(err) => panic!("CREATE the test mailbox: {err:?}"),
        }
        session
            .select(&name)
            .await
            .expect("SELECT the test mailbox");
        let config = self.config(&name, self.password().as_str(), Some(self.ca.clone()));
        (config, Mailbox { session, name })
    }

    /// apidesk's checked settings for `mailbox`, with `password` and `ca`.
    pub fn config(&self, mailbox: &str, password: &str, ca: Option<PathBuf>) -> ImapConfig {
        Self::config_at(&self.url, mailbox, password, ca)
    }

    /// The `--imap-url` for `mailbox`, as an operator would write it.
    pub fn url_for(&self, mailbox: &str) -> String {
        let mut url = self.url.clone();
        url.set_path(mailbox);
        url.to_string()
    }

    /// As [`ImapServer::config`], over `imap://` with STARTTLS.
    pub fn starttls_config(&self, mailbox: &str) -> ImapConfig {
        Self::config_at(
            &self.starttls_url,
            mailbox,
            &self.password(),
            Some(self.ca.clone()),
        )
    }

    fn config_at(
        base: &url::Url,
        mailbox: &str,
        password: &str,
        ca: Option<PathBuf>,
    ) -> ImapConfig {
        let mut url = base.clone();
        url.set_path(mailbox);
        url.set_password(Some(password)).unwrap();
        ImapSettings {
            imap_url: Some(url.to_string()),
            imap_ca_file: ca,
            ..ImapSettings::default()
        }
        .check()
        .expect("valid IMAP settings")
        .expect("IMAP is on")
    }

    /// A session of the tests' own, trusting the test CA only.
    async fn session(&self) -> Session<TlsStream<TcpStream>> {
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(&self.ca).expect("read the test CA") {
            roots.add(cert.unwrap()).unwrap();
        }
        let ring = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let tls = ClientConfig::builder_with_provider(ring)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let host = self.url.host_str().expect("a host").to_string();
        let port = self.url.port().unwrap_or(993);
        let tcp = TcpStream::connect((host.as_str(), port)).await.unwrap();
        let name = ServerName::try_from(host).unwrap();
        let stream = TlsConnector::from(Arc::new(tls))
            .connect(name, tcp)
            .await
            .expect("TLS to the test server");
        let mut client = async_imap::Client::new(stream);
        client.read_response().await.unwrap().expect("a greeting");
        client
            .login(self.user(), self.password())
            .await
            .map_err(|(err, _)| err)
            .expect("the test user logs in")
    }
}

/// A test's own mailbox, seen through the tests' session.
pub struct Mailbox {
    session: Session<TlsStream<TcpStream>>,
    pub name: String,
}

impl Mailbox {
    /// Puts `raw` in the mailbox, unseen.
    pub async fn append(&mut self, raw: &[u8]) {
        self.session
            .append(&self.name, None, None, raw)
            .await
            .expect("APPEND a test message");
    }

    /// The UIDs of the messages matching `query` (`UNSEEN`, `SEEN`, `ALL`),
    /// as the server says now.
    pub async fn uids(&mut self, query: &str) -> HashSet<u32> {
        // NOOP first: the server tells this session of flags that another
        // session (apidesk's) changed.
        self.session.noop().await.unwrap();
        self.session.uid_search(query).await.unwrap()
    }
}
