//! Connecting and logging in: TLS from the start (`imaps://`) or after
//! STARTTLS (`imap://`), certificates always verified, the password sent
//! only over TLS. Every step has a time limit.

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_imap::imap_proto::{Response, Status};
use async_imap::{Client, Session};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

use super::ImapError;
use crate::config::{ImapConfig, ImapSecurity};

/// Time to open the TCP connection, and then to finish the TLS handshake.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// Time for one command's whole answer (a body of up to 10 MiB included).
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

pub(super) type ImapSession = Session<TlsStream<TcpStream>>;

/// A logged-in session on `config`'s server (no mailbox selected yet).
pub(super) async fn log_in(config: &ImapConfig) -> Result<ImapSession, ImapError> {
    let server = config.server();
    let connector = TlsConnector::from(client_config(config.ca_pem.as_deref(), &server)?);
    let name = ServerName::try_from(config.host.clone()).map_err(|err| ImapError::Connect {
        server: server.clone(),
        reason: format!("the host is not a name TLS can check ({err})"),
    })?;
    let tcp = TcpStream::connect((config.host.as_str(), config.port));
    let tcp = within(CONNECT_TIMEOUT, &server, "connecting", async {
        tcp.await
            .map_err(|err| ImapError::from_connect(&server, &err, false))
    })
    .await?;
    let tcp = match config.security {
        ImapSecurity::Tls => tcp,
        ImapSecurity::StartTls => start_tls(tcp, &server).await?,
    };
    let stream = within(CONNECT_TIMEOUT, &server, "securing the connection", async {
        connector
            .connect(name, tcp)
            .await
            .map_err(|err| ImapError::from_connect(&server, &err, true))
    })
    .await?;
    let mut client = Client::new(stream);
    if config.security == ImapSecurity::Tls {
        greeting(&mut client, &server).await?;
    }
    within(COMMAND_TIMEOUT, &server, "logging in", async {
        client
            .login(&config.user, &config.password)
            .await
            .map_err(|(err, _)| ImapError::login(&server, &config.user, &err))
    })
    .await
}

/// `step`, or [`ImapError::Timeout`] once `limit` has passed.
pub(super) async fn within<T>(
    limit: Duration,
    server: &str,
    doing: &'static str,
    step: impl Future<Output = Result<T, ImapError>>,
) -> Result<T, ImapError> {
    tokio::time::timeout(limit, step).await.unwrap_or_else(|_| {
        Err(ImapError::Timeout {
            server: server.to_string(),
            doing,
            waited: limit,
        })
    })
}

/// The plain-text greeting, then STARTTLS: a server that refuses it gets
/// no password.
async fn start_tls(tcp: TcpStream, server: &str) -> Result<TcpStream, ImapError> {
    let mut client = Client::new(tcp);
    greeting(&mut client, server).await?;
    within(COMMAND_TIMEOUT, server, "asking for STARTTLS", async {
        client
            .run_command_and_check_ok("STARTTLS", None)
            .await
            .map_err(|err| match err {
                async_imap::error::Error::No(reason) | async_imap::error::Error::Bad(reason) => {
                    ImapError::NoStartTls {
                        server: server.to_string(),
                        reason: reason.trim().to_string(),
                    }
                }
                other => ImapError::protocol(server, "asking for STARTTLS", &other),
            })
    })
    .await?;
    Ok(client.into_inner())
}

/// The server's first line: anything but BYE lets the conversation go on.
async fn greeting<T>(client: &mut Client<T>, server: &str) -> Result<(), ImapError>
where
    T: AsyncRead + AsyncWrite + Unpin + std::fmt::Debug + Send,
{
    let doing = "waiting for the greeting";
    let fail = |reason: String| ImapError::Protocol {
        server: server.to_string(),
        doing,
        reason,
    };
    within(COMMAND_TIMEOUT, server, doing, async {
        match client.read_response().await {
            Ok(Some(answer)) => match answer.parsed() {
                Response::Data {
                    status: Status::Bye,
                    information,
                    ..
                } => Err(fail(format!(
                    "it said goodbye: {}",
                    information.as_deref().unwrap_or_default()
                ))),
                _ => Ok(()),
            },
            Ok(None) => Err(fail("the server closed the connection".to_string())),
            Err(err) => Err(ImapError::from_connect(server, &err, false)),
        }
    })
    .await
}

/// Certificates are always verified: against the CA file when one is given
/// (then only it is trusted, as for SMTP), else against the system's roots.
fn client_config(ca_pem: Option<&[u8]>, server: &str) -> Result<Arc<ClientConfig>, ImapError> {
    let unusable = |reason: String| ImapError::Tls {
        server: server.to_string(),
        reason: format!("--imap-ca-file {reason}"),
    };
    let mut roots = match ca_pem {
        Some(_) => RootCertStore::empty(),
        None => system_roots().clone(),
    };
    for cert in ca_pem
        .map(CertificateDer::pem_slice_iter)
        .into_iter()
        .flatten()
    {
        let cert = cert.map_err(|err| unusable(format!("cannot be read ({err})")))?;
        roots
            .add(cert)
            .map_err(|err| unusable(format!("holds an unusable certificate ({err})")))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| unusable(err.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Read once: the system's store does not change while apidesk runs.
fn system_roots() -> &'static RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        for err in &found.errors {
            tracing::warn!(%err, "a system certificate could not be loaded");
        }
        let mut roots = RootCertStore::empty();
        roots.add_parsable_certificates(found.certs);
        roots
    })
}
