//! The HTTP client deliveries go out through: no redirects followed, no
//! proxy, bounded in time, and a resolver that hands the connector only
//! addresses the rules allow (`address`), so what is checked is what is
//! connected to.

use std::error::Error as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Url;

use super::address::{AllowList, Refused, check_resolved, check_url};
use super::record::excerpt;

/// Time to connect (and for TLS), and for the whole exchange.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Bytes of an answer read: enough for the excerpt kept, never a whole
/// download a receiver might send back.
const READ_AT_MOST: usize = 4 * 1024;

/// Finds the addresses of a host name. The system's resolver in production;
/// tests give names the addresses they need.
#[async_trait]
pub trait Lookup: Send + Sync {
    async fn lookup(&self, host: &str) -> std::io::Result<Vec<IpAddr>>;
}

/// The operating system's resolver (`getaddrinfo`, off the async threads).
pub struct SystemLookup;

#[async_trait]
impl Lookup for SystemLookup {
    async fn lookup(&self, host: &str) -> std::io::Result<Vec<IpAddr>> {
        let found = tokio::net::lookup_host((host, 0)).await?;
        Ok(found.map(|addr| addr.ip()).collect())
    }
}

/// reqwest's resolver: looks the name up, then refuses it unless every
/// address is allowed.
struct Guarded {
    lookup: Arc<dyn Lookup>,
    allow: AllowList,
}

impl Resolve for Guarded {
    fn resolve(&self, name: Name) -> Resolving {
        let lookup = self.lookup.clone();
        let allow = self.allow.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found = lookup.lookup(&host).await?;
            let checked = check_resolved(&host, found, &allow)?;
            let addrs: Addrs = Box::new(checked.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

/// reqwest is built without a default crypto provider (see Cargo.toml), so
/// building any reqwest client panics until one is installed. ring, which
/// SMTP and IMAP use too, is made the process's default here, once; the
/// server does it when it builds the webhook client, before any other
/// reqwest client exists. A process that builds a client without starting
/// the server in it (a test talking to a child process) calls this first.
pub fn use_ring_for_tls() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Err only when a provider is installed already: that one serves.
        let _ = tokio_rustls::rustls::crypto::ring::default_provider().install_default();
    });
}

/// How an attempt to post went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The receiver answered (any status; a redirect is not followed).
    Status {
        code: u16,
        body: String,
        /// Where a 3xx pointed, said in the error so an admin can fix the URL.
        location: Option<String>,
    },
    /// No answer: no connection, a TLS failure, a timeout.
    Failed(String),
    /// Not sent: the address rules refuse where the URL leads.
    Refused(String),
}

/// Posts deliveries.
pub struct Sender {
    client: reqwest::Client,
    allow: AllowList,
}

impl Sender {
    pub fn new(allow: AllowList, lookup: Arc<dyn Lookup>) -> anyhow::Result<Self> {
        use_ring_for_tls();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve the name itself, past the rules.
            .no_proxy()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(TIMEOUT)
            .user_agent(concat!("apidesk-webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(Guarded {
                lookup,
                allow: allow.clone(),
            }))
            .build()
            .context("cannot build the webhook HTTP client")?;
        Ok(Self { client, allow })
    }

    /// Posts `body` to `url` with `headers`, once.
    pub async fn post(&self, url: &str, headers: &[(&str, String)], body: Vec<u8>) -> Answer {
        let url = match Url::parse(url) {
            Ok(url) => url,
            Err(err) => return Answer::Refused(format!("the URL cannot be read: {err}")),
        };
        // No name is resolved for an IP literal: it is checked here.
        if let Err(Refused(why)) = check_url(&url, &self.allow) {
            return Answer::Refused(why);
        }
        let mut request = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) => return failure(err),
        };
        let code = response.status().as_u16();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .map(excerpt);
        Answer::Status {
            code,
            body: read_some(response).await,
            location,
        }
    }
}

/// The start of an answer's body, as text.
async fn read_some(mut response: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < READ_AT_MOST {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            // The status is what counts; a body cut short keeps what came.
            Ok(None) | Err(_) => break,
        }
    }
    excerpt(String::from_utf8_lossy(&bytes).trim())
}

/// Why a request got no answer, in words for the admin page. The URL is
/// left out: a Slack URL is itself a secret, and errors are logged.
fn failure(err: reqwest::Error) -> Answer {
    let err = err.without_url();
    let mut source = err.source();
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<Refused>() {
            return Answer::Refused(refused.0.clone());
        }
        source = cause.source();
    }
    if err.is_timeout() {
        return Answer::Failed(format!("no answer within {} seconds", TIMEOUT.as_secs()));
    }
    // The innermost cause says most ("Connection refused", a certificate's fault).
    let mut innermost = err.source();
    while let Some(deeper) = innermost.and_then(|e| e.source()) {
        innermost = Some(deeper);
    }
    let what = if err.is_connect() {
        "could not connect"
    } else {
        "the request failed"
    };
    Answer::Failed(match innermost {
        Some(cause) => format!("{what}: {cause}"),
        None => format!("{what}: {err}"),
    })
}
