//! `--imap-url`, `--imap-ca-file`, `--imap-poll-seconds`: the mailbox that
//! incoming mail is fetched from. Read as plain text by clap and checked once
//! at start-up by [`ImapSettings::check`], so that a bad URL is reported by
//! the setting's name and never echoed back with its password in it.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use tokio_rustls::rustls::RootCertStore;
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::pki_types::pem::PemObject;

use super::mail::{read_ca_file, redact_url};

pub const DEFAULT_IMAP_POLL_SECONDS: u64 = 30;

#[derive(Clone, Args)]
pub struct ImapSettings {
    /// Mailbox to fetch incoming mail from: imaps://user:pass@host:993/INBOX
    /// (TLS from the start) or imap://user:pass@host:143/INBOX (STARTTLS
    /// required). The path names the mailbox, INBOX when left out. Without
    /// it apidesk fetches no mail.
    // Kept as text (not parsed by clap) so a parse error cannot print the
    // password; the value is hidden from --help for the same reason.
    #[arg(long, global = true, env = "APIDESK_IMAP_URL", hide_env_values = true)]
    pub imap_url: Option<String>,

    /// PEM file of the certificate authority that signed the IMAP server's
    /// certificate; then only it is trusted (without it, the system's
    /// roots). Certificates are always verified.
    #[arg(long, global = true, env = "APIDESK_IMAP_CA_FILE")]
    pub imap_ca_file: Option<PathBuf>,

    /// Seconds between two looks into the mailbox (5 to 3600).
    #[arg(
        long,
        global = true,
        env = "APIDESK_IMAP_POLL_SECONDS",
        default_value_t = DEFAULT_IMAP_POLL_SECONDS,
        value_parser = clap::value_parser!(u64).range(5..=3600)
    )]
    pub imap_poll_seconds: u64,
}

impl Default for ImapSettings {
    fn default() -> Self {
        Self {
            imap_url: None,
            imap_ca_file: None,
            imap_poll_seconds: DEFAULT_IMAP_POLL_SECONDS,
        }
    }
}

impl fmt::Debug for ImapSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapSettings")
            .field("imap_url", &self.imap_url.as_deref().map(redact_url))
            .field("imap_ca_file", &self.imap_ca_file)
            .field("imap_poll_seconds", &self.imap_poll_seconds)
            .finish()
    }
}

/// How the connection to the IMAP server is protected; there is no plain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImapSecurity {
    /// `imaps://`: TLS from the first byte.
    Tls,
    /// `imap://`: the server must offer STARTTLS before the login.
    StartTls,
}

impl fmt::Display for ImapSecurity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Tls => "TLS",
            Self::StartTls => "STARTTLS",
        })
    }
}

/// Checked IMAP settings: everything needed to poll, nothing left to parse.
#[derive(Clone)]
pub struct ImapConfig {
    pub host: String,
    pub port: u16,
    pub security: ImapSecurity,
    pub user: String,
    pub password: String,
    pub mailbox: String,
    /// The contents of `--imap-ca-file`, read at start-up.
    pub ca_pem: Option<Vec<u8>>,
    /// Time between two polls.
    pub poll: Duration,
}

impl ImapConfig {
    /// `host:port`, for messages.
    pub fn server(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Debug for ImapConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.user)
            .field("password", &"[redacted]")
            .field("mailbox", &self.mailbox)
            .field("ca_pem", &self.ca_pem.as_ref().map(|pem| pem.len()))
            .field("poll", &self.poll)
            .finish()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImapConfigError {
    #[error("--imap-url (APIDESK_IMAP_URL) is not a mailbox address: {0}")]
    BadUrl(String),
    #[error("--imap-ca-file (APIDESK_IMAP_CA_FILE) {0}")]
    CaFile(String),
}

impl ImapSettings {
    /// The checked settings, or `None` when no IMAP mailbox is configured.
    pub fn check(&self) -> Result<Option<ImapConfig>, ImapConfigError> {
        // An empty value (APIDESK_IMAP_URL= in an env file) means off too.
        let Some(url) = self
            .imap_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        else {
            return Ok(None);
        };
        let mut config = parse_imap_url(url)?;
        config.poll = Duration::from_secs(self.imap_poll_seconds);
        if let Some(path) = &self.imap_ca_file {
            let pem = read_ca_file(path).map_err(ImapConfigError::CaFile)?;
            check_certificates(&pem)
                .map_err(|why| ImapConfigError::CaFile(format!("{} {why}", path.display())))?;
            config.ca_pem = Some(pem);
        }
        Ok(Some(config))
    }
}

fn parse_imap_url(text: &str) -> Result<ImapConfig, ImapConfigError> {
    let bad = |why: &str| ImapConfigError::BadUrl(why.to_string());
    // url's own messages never quote the input, so they are safe to show.
    let url = url::Url::parse(text).map_err(|err| bad(&err.to_string()))?;
    let (security, default_port) = match url.scheme() {
        "imaps" => (ImapSecurity::Tls, 993),
        "imap" => (ImapSecurity::StartTls, 143),
        _ => {
            return Err(bad(
                "it must start with imaps:// (TLS) or imap:// (STARTTLS)",
            ));
        }
    };
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("it takes no query or fragment after the mailbox"));
    }
    let host = match url.host() {
        Some(url::Host::Domain(name)) => name.to_string(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        None => {
            return Err(bad(
                "it needs a host name, e.g. imaps://user:pass@imap.example.com/INBOX",
            ));
        }
    };
    let decode = |part: &str, what: &str| {
        percent_encoding::percent_decode_str(part)
            .decode_utf8()
            .map(|text| text.into_owned())
            .map_err(|_| bad(&format!("its {what} is not valid percent-encoded UTF-8")))
    };
    let user = decode(url.username(), "user")?;
    if user.is_empty() {
        return Err(bad(
            "it needs a user, e.g. imaps://support%40example.com:pass@imap.example.com",
        ));
    }
    let password = decode(url.password().unwrap_or_default(), "password")?;
    if password.is_empty() {
        return Err(bad("it needs a password after the user (user:pass@host)"));
    }
    let mailbox = decode(url.path().trim_start_matches('/'), "mailbox")?;
    Ok(ImapConfig {
        port: url.port().unwrap_or(default_port),
        host,
        security,
        user,
        password,
        mailbox: if mailbox.is_empty() {
            "INBOX".to_string()
        } else {
            mailbox
        },
        ca_pem: None,
        poll: Duration::from_secs(DEFAULT_IMAP_POLL_SECONDS),
    })
}

/// Every certificate in the file must be one TLS can trust, so that a
/// broken file is reported at start-up rather than at every poll.
fn check_certificates(pem: &[u8]) -> Result<(), String> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|err| format!("holds a PEM block that cannot be read ({err})"))?;
        roots
            .add(cert)
            .map_err(|err| format!("holds a certificate that cannot be used ({err})"))?;
    }
    if roots.is_empty() {
        return Err("holds no certificate".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
