//! A real SMTP server for tests: speaks the protocol over TCP on
//! 127.0.0.1, records what it receives, and answers as scripted (deferrals,
//! refused recipients, a stop and a restart on the same port), in the
//! clear or over TLS (STARTTLS or from the start) with a test CA.
//!
//! Declare it with `#[path = "common/smtp.rs"] mod smtp;`.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::PrivateKeyDer;

// Beside this file (a path in a non-mod.rs file is relative to its folder).
#[path = "smtp_session.rs"]
mod session;

/// How long `wait_for_messages` waits before failing the test.
const DEADLINE: Duration = Duration::from_secs(10);

/// One message the server accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The message as sent, dot-unstuffed, without the final `.` line.
    pub data: Vec<u8>,
    /// The user who signed in on that connection, if anyone did.
    pub user: Option<String>,
    /// Whether it came over TLS.
    pub secure: bool,
}

/// A certificate authority made for one test, and a server certificate it
/// signed for 127.0.0.1 and localhost.
pub struct TestCa {
    /// The authority's certificate, for `--smtp-ca-file`.
    pub ca_pem: String,
    acceptor: TlsAcceptor,
}

impl TestCa {
    pub fn new() -> Self {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "apidesk test CA");
        let ca_key = KeyPair::generate().unwrap();
        let ca_cert = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);
        let names = vec!["127.0.0.1".to_string(), "localhost".to_string()];
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(names)
            .unwrap()
            .signed_by(&key, &issuer)
            .unwrap();
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone()],
                PrivateKeyDer::Pkcs8(key.serialize_der().into()),
            )
            .unwrap();
        Self {
            ca_pem: ca_cert.pem(),
            acceptor: TlsAcceptor::from(Arc::new(config)),
        }
    }
}

/// How the server offers TLS.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Offered with STARTTLS after EHLO.
    StartTls,
    /// From the first byte, as on port 465.
    Implicit,
}

impl Received {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

#[derive(Default)]
struct Script {
    /// Transactions still to fail at the end of DATA, and the reply.
    fail_next: usize,
    fail_reply: String,
    /// The answer to every RCPT TO, when set.
    refuse_recipients: Option<String>,
    /// Every line the clients sent, AUTH lines included, to check what
    /// went over the wire.
    transcript: Vec<String>,
}

struct Shared {
    credentials: Option<(String, String)>,
    tls: Option<(TlsAcceptor, TlsMode)>,
    script: Mutex<Script>,
    received: watch::Sender<Vec<Received>>,
}

pub struct SmtpServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
}

impl SmtpServer {
    /// A server that takes mail without signing in (and offers no AUTH).
    pub async fn start() -> Self {
        Self::launch(None, None).await
    }

    /// A server that requires AUTH PLAIN or LOGIN with these credentials.
    pub async fn start_with_auth(user: &str, password: &str) -> Self {
        Self::launch(Some((user.to_string(), password.to_string())), None).await
    }

    /// A server that requires the credentials, over TLS with `ca`'s
    /// certificate.
    pub async fn start_tls(ca: &TestCa, mode: TlsMode, user: &str, password: &str) -> Self {
        let credentials = Some((user.to_string(), password.to_string()));
        Self::launch(credentials, Some((ca.acceptor.clone(), mode))).await
    }

    async fn launch(
        credentials: Option<(String, String)>,
        tls: Option<(TlsAcceptor, TlsMode)>,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let shared = Arc::new(Shared {
            credentials,
            tls,
            script: Mutex::default(),
            received: watch::Sender::new(Vec::new()),
        });
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(accept(listener, shared.clone()));
        Self {
            addr,
            shared,
            task: Some(task),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `smtp://127.0.0.1:port`, with `user:password@` when given.
    pub fn url(&self, credentials: Option<(&str, &str)>) -> String {
        match credentials {
            Some((user, password)) => format!("smtp://{user}:{password}@{}", self.addr),
            None => format!("smtp://{}", self.addr),
        }
    }

    /// The next `n` transactions end with `reply` (e.g. "451 4.3.0 try
    /// later") instead of being accepted.
    pub fn fail_next(&self, n: usize, reply: &str) {
        let mut script = self.shared.script.lock().unwrap();
        script.fail_next = n;
        script.fail_reply = reply.to_string();
    }

    /// Every recipient is answered with `reply` (e.g. "550 5.1.1 no such user").
    pub fn refuse_recipients(&self, reply: &str) {
        self.shared.script.lock().unwrap().refuse_recipients = Some(reply.to_string());
    }

    /// Recipients are accepted again.
    pub fn accept_recipients(&self) {
        self.shared.script.lock().unwrap().refuse_recipients = None;
    }

    /// Closes the port and every open connection: clients now get
    /// "connection refused".
    pub async fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }

    /// Listens again on the same port, keeping what was received.
    pub async fn restart(&mut self) {
        self.stop().await;
        let listener = TcpListener::bind(self.addr).await.unwrap();
        self.task = Some(tokio::spawn(accept(listener, self.shared.clone())));
    }

    /// Everything accepted so far.
    pub fn messages(&self) -> Vec<Received> {
        self.shared.received.borrow().clone()
    }

    /// Every line clients sent so far.
    pub fn transcript(&self) -> Vec<String> {
        self.shared.script.lock().unwrap().transcript.clone()
    }

    /// Waits until at least `n` messages have arrived; fails the test if
    /// they have not within a generous deadline.
    pub async fn wait_for_messages(&self, n: usize) -> Vec<Received> {
        let mut receiver = self.shared.received.subscribe();
        let waited = tokio::time::timeout(DEADLINE, receiver.wait_for(|all| all.len() >= n)).await;
        match waited {
            Ok(Ok(all)) => all.clone(),
            _ => panic!(
                "expected {n} messages within {DEADLINE:?}, got {}",
                self.messages().len()
            ),
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Accepts until aborted; the connections live in the set, so aborting
/// this task ends them too.
async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    connections.spawn(session::serve(stream, shared.clone()));
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}
