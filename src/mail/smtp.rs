//! The SMTP conversation, one connection per message, each step bounded in
//! time. Driven step by step (rather than through lettre's transport) so
//! that a failure says which step failed: a refused sign-in reads
//! differently from a refused recipient.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{
    AsyncSmtpConnection, Certificate, CertificateStore, TlsParameters,
};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::transport::smtp::response::Response;

use super::message::{self, OutgoingMessage};
use super::outcome::{Failure, SendError, Sent, Stage};
use crate::config::{MailConfig, MailConfigError, SmtpCredentials, SmtpSecurity};

/// Longest wait for the connection and for each reply.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends mail through the configured server. Cheap to clone; holds no
/// connection between messages.
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    host: String,
    port: u16,
    security: SmtpSecurity,
    tls: Option<TlsParameters>,
    credentials: Option<SmtpCredentials>,
    from: Mailbox,
    hello: ClientId,
    timeout: Duration,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server())
            .field("from", &self.inner.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    pub fn new(config: &MailConfig) -> Result<Mailer, MailConfigError> {
        let tls = match config.security {
            SmtpSecurity::Plain => None,
            SmtpSecurity::StartTls | SmtpSecurity::Tls => {
                Some(tls_parameters(&config.host, config.ca_pem.as_deref())?)
            }
        };
        Ok(Mailer {
            inner: Arc::new(Inner {
                host: config.host.clone(),
                port: config.port,
                security: config.security,
                tls,
                credentials: config.credentials.clone(),
                from: config.from.clone(),
                hello: ClientId::default(),
                timeout: DEFAULT_TIMEOUT,
            }),
        })
    }

    /// The same mailer with another bound on each wait.
    pub fn with_timeout(mut self, timeout: Duration) -> Mailer {
        Arc::make_mut(&mut self.inner).timeout = timeout;
        self
    }

    /// `host:port (security)`, for messages to people.
    pub fn server(&self) -> String {
        let Inner {
            host,
            port,
            security,
            ..
        } = &*self.inner;
        if host.contains(':') {
            format!("[{host}]:{port} ({security})")
        } else {
            format!("{host}:{port} ({security})")
        }
    }

    pub fn from(&self) -> &Mailbox {
        &self.inner.from
    }

    /// Sends one message over a fresh connection.
    pub async fn send(&self, message: &OutgoingMessage) -> Result<Sent, SendError> {
        self.deliver(message).await.map_err(SendError::from)
    }

    /// Sends a short test message to `to`; the outcome as one line for a
    /// person, with what to check when it failed.
    pub async fn test_connection(&self, to: &str) -> Result<String, String> {
        let domain = self.inner.from.email.domain();
        let message = OutgoingMessage {
            to: to.to_string(),
            subject: "apidesk mail test".to_string(),
            message_id: format!("test.{}@{domain}", uuid::Uuid::new_v4().simple()),
            in_reply_to: None,
            references: Vec::new(),
            text: TEST_TEXT.to_string(),
            html: format!("<p>{TEST_TEXT}</p>"),
        };
        match self.deliver(&message).await {
            Ok(sent) => Ok(format!(
                "Sent to {to} via {}: {}",
                self.server(),
                sent.reply
            )),
            Err(failure) => {
                let mut line = format!("Not sent: {}.", failure.reason);
                if let Some(advice) = failure.advice() {
                    line = format!("{line} {advice}");
                }
                if failure.temporary {
                    line.push_str(" The failure looks temporary: try again later.");
                }
                Err(line)
            }
        }
    }

    async fn deliver(&self, message: &OutgoingMessage) -> Result<Sent, Failure> {
        let secret = self.inner.credentials.as_ref().map(|c| c.password.as_str());
        let (to, raw) = message::build(&self.inner.from, message).map_err(Failure::build)?;
        let mut connection = self.connect().await.map_err(|f| f.scrubbed(secret))?;
        let outcome = self.converse(&mut connection, &to, &raw).await;
        match outcome {
            Ok(_) => {
                // The message is taken; a lost QUIT changes nothing.
                let _ = tokio::time::timeout(self.inner.timeout, connection.quit()).await;
            }
            // A TLS upgrade that failed leaves lettre no stream to write
            // QUIT on (writing would trip its debug assertion): just close.
            Err(Failure {
                stage: Stage::Secure,
                ..
            }) => drop(connection),
            Err(_) => {
                let _ = tokio::time::timeout(self.inner.timeout, connection.abort()).await;
            }
        }
        outcome.map_err(|f| f.scrubbed(secret))
    }

    /// Connects, reads the greeting and says EHLO (TLS first for `smtps`).
    async fn connect(&self) -> Result<AsyncSmtpConnection, Failure> {
        let inner = &*self.inner;
        let wrapped = match inner.security {
            SmtpSecurity::Tls => inner.tls.clone(),
            SmtpSecurity::StartTls | SmtpSecurity::Plain => None,
        };
        let connecting = AsyncSmtpConnection::connect_tokio1(
            (inner.host.as_str(), inner.port),
            Some(inner.timeout),
            &inner.hello,
            wrapped,
            None,
        );
        self.step(Stage::Connect, "", connecting).await
    }

    /// STARTTLS, sign-in and the transaction on an open connection.
    async fn converse(
        &self,
        connection: &mut AsyncSmtpConnection,
        to: &Mailbox,
        raw: &[u8],
    ) -> Result<Sent, Failure> {
        let inner = &*self.inner;
        if let (SmtpSecurity::StartTls, Some(tls)) = (inner.security, &inner.tls) {
            if !connection.can_starttls() {
                return Err(Failure::no_starttls(&self.server()));
            }
            let securing = connection.starttls(tls.clone(), &inner.hello);
            self.step(Stage::Secure, "", securing).await?;
        }
        if let Some(SmtpCredentials { user, password }) = &inner.credentials {
            let credentials = Credentials::new(user.clone(), password.clone());
            let signing_in = connection.auth(&[Mechanism::Plain, Mechanism::Login], &credentials);
            self.step(Stage::SignIn, "", signing_in).await?;
        }
        let mut parameters = Vec::new();
        if !raw.is_ascii()
            && connection
                .server_info()
                .supports_feature(Extension::EightBitMime)
        {
            parameters.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        let from = &inner.from.email;
        let sender = connection.command(Mail::new(Some(from.clone()), parameters));
        self.step(Stage::Sender, from.as_ref(), sender).await?;
        let recipient = connection.command(Rcpt::new(to.email.clone(), Vec::new()));
        self.step(Stage::Recipient, to.email.as_ref(), recipient)
            .await?;
        self.step(Stage::Message, "", connection.command(Data))
            .await?;
        let reply = self
            .step(Stage::Message, "", connection.message(raw))
            .await?;
        Ok(Sent {
            reply: reply_text(&reply),
        })
    }

    /// One step of the conversation, bounded in time, its error in words.
    async fn step<T>(
        &self,
        stage: Stage,
        subject: &str,
        step: impl Future<Output = Result<T, lettre::transport::smtp::Error>>,
    ) -> Result<T, Failure> {
        match tokio::time::timeout(self.inner.timeout, step).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => Err(Failure::smtp(stage, &err, &self.server(), subject)),
            Err(_) => Err(Failure::timeout(stage, &self.server(), self.inner.timeout)),
        }
    }
}

const TEST_TEXT: &str = "This is a test message from apidesk. It reached you, so apidesk \
     can send mail with these settings.";

fn reply_text(reply: &Response) -> String {
    let words = reply.message().collect::<Vec<_>>().join(" ");
    format!("{} {words}", reply.code()).trim().to_string()
}

/// Certificates are always verified: against the CA file when one is
/// given, else against the system's roots.
fn tls_parameters(host: &str, ca_pem: Option<&[u8]>) -> Result<TlsParameters, MailConfigError> {
    let mut builder = TlsParameters::builder(host.to_string());
    if let Some(pem) = ca_pem {
        let unusable = |err: lettre::transport::smtp::Error| {
            MailConfigError::CaFile(format!("holds no certificate apidesk can use ({err})"))
        };
        builder = builder
            .certificate_store(CertificateStore::None)
            .add_root_certificate(Certificate::from_pem(pem).map_err(unusable)?);
        return builder.build_rustls().map_err(unusable);
    }
    builder
        .build_rustls()
        .map_err(|err| MailConfigError::Tls(err.to_string()))
}
