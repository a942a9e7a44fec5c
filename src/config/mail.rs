//! `--smtp-url`, `--mail-from`, `--smtp-ca-file`: where outgoing mail goes.
//! Read as plain text by clap and checked once at start-up by
//! [`MailSettings::check`], so that a bad URL is reported by the setting's
//! name and never echoed back with its password in it.

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use clap::Args;
use lettre::message::Mailbox;

#[derive(Clone, Default, Args)]
pub struct MailSettings {
    /// Mail server for outgoing mail: smtp://user:pass@host:587 (STARTTLS
    /// required) or smtps://user:pass@host:465 (TLS from the start). Plain,
    /// unencrypted SMTP only to a loopback host, e.g. smtp://127.0.0.1:2525
    /// for a local relay (?tls=none to any other host is refused). Without
    /// it apidesk sends no mail.
    // Kept as text (not parsed by clap) so a parse error cannot print the
    // password; the value is hidden from --help for the same reason.
    #[arg(long, global = true, env = "APIDESK_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Sender of outgoing mail, e.g. "apidesk support <support@example.com>".
    /// Required with --smtp-url.
    #[arg(long, global = true, env = "APIDESK_MAIL_FROM")]
    pub mail_from: Option<String>,

    /// PEM file of the certificate authority that signed the mail server's
    /// certificate; without it the system's trusted roots are used.
    /// Certificates are always verified.
    #[arg(long, global = true, env = "APIDESK_SMTP_CA_FILE")]
    pub smtp_ca_file: Option<PathBuf>,

    /// Whether answers to apidesk's mail reach it (through --imap-url, or
    /// an MTA piping into `apidesk mail ingest`): mail to requesters then
    /// invites them to reply. On by default when --imap-url is set.
    #[arg(long, global = true, env = "APIDESK_MAIL_REPLIES")]
    pub mail_replies: Option<bool>,

    /// Whether a person's mail that answers no ticket opens a new one, with
    /// what the mail says; its sender is mailed a link to give the rest
    /// (method, time, tool). Off by default: mail that matches nothing is
    /// then only listed for staff under Received mail.
    #[arg(long, global = true, env = "APIDESK_MAIL_NEW_TICKETS")]
    pub mail_new_tickets: bool,
}

impl fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailSettings")
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .field("smtp_ca_file", &self.smtp_ca_file)
            .field("mail_replies", &self.mail_replies)
            .field("mail_new_tickets", &self.mail_new_tickets)
            .finish()
    }
}

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtp://` to a remote host: the server must offer STARTTLS.
    StartTls,
    /// `smtps://`: TLS from the first byte.
    Tls,
    /// `smtp://` to a loopback host: no encryption.
    Plain,
}

impl fmt::Display for SmtpSecurity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::StartTls => "STARTTLS",
            Self::Tls => "TLS",
            Self::Plain => "plain SMTP, loopback only",
        })
    }
}

/// The user and password from the URL; the password never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpCredentials {
    pub user: String,
    pub password: String,
}

impl fmt::Debug for SmtpCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpCredentials")
            .field("user", &self.user)
            .field("password", &"[redacted]")
            .finish()
    }
}

/// Checked mail settings: everything needed to send, nothing left to parse.
#[derive(Debug, Clone)]
pub struct MailConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub credentials: Option<SmtpCredentials>,
    pub from: Mailbox,
    /// The contents of `--smtp-ca-file`, read at start-up.
    pub ca_pem: Option<Vec<u8>>,
    /// `--public-url`, for the links in mail.
    pub public_url: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MailConfigError {
    #[error(
        "--smtp-url (APIDESK_SMTP_URL) is set but --mail-from (APIDESK_MAIL_FROM) is not: \
         mail needs a sender, e.g. \"apidesk support <support@example.com>\""
    )]
    MissingFrom,
    #[error(
        "--smtp-url (APIDESK_SMTP_URL) is set but --public-url (APIDESK_PUBLIC_URL) is not: \
         the links in mail are built from it, e.g. https://help.example.com"
    )]
    MissingPublicUrl,
    #[error("--smtp-url (APIDESK_SMTP_URL) is not a mail server address: {0}")]
    BadUrl(String),
    #[error(
        "--smtp-url (APIDESK_SMTP_URL) asks for plain, unencrypted SMTP to {0}: that is \
         allowed only to a loopback host (127.0.0.1, ::1, localhost); use smtp:// (STARTTLS) \
         or smtps:// (TLS) for a remote server"
    )]
    PlainToRemote(String),
    #[error(
        "--mail-from (APIDESK_MAIL_FROM) is not a mail address like \"Name <name@example.com>\": {0}"
    )]
    BadFrom(String),
    #[error("--smtp-ca-file (APIDESK_SMTP_CA_FILE) {0}")]
    CaFile(String),
    #[error("TLS for --smtp-url (APIDESK_SMTP_URL) cannot be set up: {0}")]
    Tls(String),
}

impl MailSettings {
    /// The checked settings, or `None` when no mail server is configured
    /// (mail off). `public_url` is `--public-url`, already checked.
    pub fn check(&self, public_url: Option<&str>) -> Result<Option<MailConfig>, MailConfigError> {
        // An empty value (APIDESK_SMTP_URL= in an env file) means off too.
        let Some(url) = self
            .smtp_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        else {
            return Ok(None);
        };
        let server = parse_smtp_url(url)?;
        let from = self
            .mail_from
            .as_deref()
            .map(str::trim)
            .filter(|from| !from.is_empty())
            .ok_or(MailConfigError::MissingFrom)?;
        let from: Mailbox = from
            .parse()
            .map_err(|err| MailConfigError::BadFrom(format!("{err}")))?;
        let public_url = public_url.ok_or(MailConfigError::MissingPublicUrl)?;
        let ca_pem = self
            .smtp_ca_file
            .as_deref()
            .map(read_ca_file)
            .transpose()
            .map_err(MailConfigError::CaFile)?;
        Ok(Some(MailConfig {
            host: server.host,
            port: server.port,
            security: server.security,
            credentials: server.credentials,
            from,
            ca_pem,
            public_url: public_url.to_string(),
        }))
    }
}

struct SmtpServer {
    host: String,
    port: u16,
    security: SmtpSecurity,
    credentials: Option<SmtpCredentials>,
}

fn parse_smtp_url(text: &str) -> Result<SmtpServer, MailConfigError> {
    let bad = |why: &str| MailConfigError::BadUrl(why.to_string());
    // url's own messages never quote the input, so they are safe to show.
    let url = url::Url::parse(text).map_err(|err| bad(&err.to_string()))?;
    let (secure, default_port) = match url.scheme() {
        "smtp" => (false, 587),
        "smtps" => (true, 465),
        _ => return Err(bad("it must start with smtp:// or smtps://")),
    };
    // `?tls=none` says "plain" outright, so that it can be refused by name
    // for a remote host rather than silently upgraded.
    let plain_asked = match url.query() {
        None => false,
        Some("tls=none") if !secure => true,
        Some(_) => return Err(bad("the only query it takes is ?tls=none, with smtp://")),
    };
    if url.fragment().is_some() || !matches!(url.path(), "" | "/") {
        return Err(bad("it takes no path or fragment after the port"));
    }
    let host = match url.host() {
        Some(url::Host::Domain(name)) => name.to_string(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        None => {
            return Err(bad(
                "it needs a host name, e.g. smtp://mail.example.com:587",
            ));
        }
    };
    let decode = |part: &str| {
        percent_encoding::percent_decode_str(part)
            .decode_utf8()
            .map(|text| text.into_owned())
            .map_err(|_| bad("its user or password is not valid percent-encoded UTF-8"))
    };
    let credentials = match (url.username(), url.password()) {
        ("", None) => None,
        ("", Some(_)) => return Err(bad("it has a password but no user")),
        (user, password) => Some(SmtpCredentials {
            user: decode(user)?,
            password: decode(password.unwrap_or_default())?,
        }),
    };
    let security = match (secure, is_loopback(&host)) {
        (true, _) => SmtpSecurity::Tls,
        (false, true) => SmtpSecurity::Plain,
        (false, false) if plain_asked => return Err(MailConfigError::PlainToRemote(host)),
        (false, false) => SmtpSecurity::StartTls,
    };
    Ok(SmtpServer {
        port: url.port().unwrap_or(default_port),
        host,
        security,
        credentials,
    })
}

/// Plain SMTP is allowed here because the traffic never leaves the machine.
fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The PEM file of a CA (`--smtp-ca-file`, `--imap-ca-file`), or why it
/// cannot be used, in words that follow the setting's name.
pub(super) fn read_ca_file(path: &Path) -> Result<Vec<u8>, String> {
    let pem =
        std::fs::read(path).map_err(|err| format!("{} cannot be read: {err}", path.display()))?;
    if !pem
        .windows(b"-----BEGIN CERTIFICATE-----".len())
        .any(|w| w == b"-----BEGIN CERTIFICATE-----")
    {
        return Err(format!(
            "{} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            path.display()
        ));
    }
    Ok(pem)
}

/// The URL with its password replaced, for `Debug`.
pub(super) fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Setting a password fails only for URLs that cannot have one.
            match parsed.set_password(Some("[redacted]")) {
                Ok(()) => parsed.to_string(),
                Err(()) => "[redacted]".to_string(),
            }
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => "[unparsed, redacted]".to_string(),
    }
}

#[cfg(test)]
mod tests;
