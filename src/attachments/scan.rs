//! Virus scanning with a ClamAV daemon (clamd), when the deployment names
//! one (`--clamav`).
//!
//! Each file is sent over clamd's INSTREAM command: `zINSTREAM\0`, the bytes
//! in chunks of at most 64 KiB each after its length (4 bytes, big-endian),
//! then a chunk of length zero. clamd answers `stream: OK\0`,
//! `stream: <signature> FOUND\0`, or a line ending in `ERROR\0` (such as
//! `INSTREAM size limit exceeded. ERROR\0`).
//!
//! Scanning fails closed: a daemon that cannot be reached, does not answer
//! within the time limit, or answers with an error gives a [`ScanError`],
//! and the file is then refused with [`NOT_CHECKED`], never kept unscanned.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, UnixStream};

use super::Refused;

/// How long one whole exchange with clamd may take, from connecting to its
/// answer, unless the deployment chooses otherwise.
pub const DEFAULT_SCAN_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest chunk sent at once (clamd's INSTREAM takes any size up to its
/// own buffer; 64 KiB stays well within it).
pub const CHUNK_BYTES: usize = 64 * 1024;

/// What the sender is told when the scanner could not give an answer.
pub const NOT_CHECKED: &str = "the file could not be checked for viruses, try again later";

/// The longest answer read from clamd; its answers are one short line.
const MAX_REPLY_BYTES: usize = 4096;

/// Where clamd listens, as written in `--clamav`: an absolute Unix socket
/// path (`/run/clamav/clamd.ctl`, Debian's), or `tcp:HOST:PORT`
/// (`tcp:127.0.0.1:3310`, `tcp:clamav.internal:3310`, `tcp:[::1]:3310`).
///
/// Over TCP the files travel unencrypted: use it on loopback or a private
/// network only.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClamavAddress {
    Unix(PathBuf),
    Tcp { host: String, port: u16 },
}

impl FromStr for ClamavAddress {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let usage = "a ClamAV address is a Unix socket path starting with / \
                     (like /run/clamav/clamd.ctl) or tcp:HOST:PORT (like tcp:127.0.0.1:3310)";
        if let Some(rest) = text.strip_prefix("tcp:") {
            let (host, port) = rest
                .rsplit_once(':')
                .ok_or_else(|| format!("{text:?} has no port: {usage}"))?;
            let port = port
                .parse::<u16>()
                .ok()
                .filter(|port| *port != 0)
                .ok_or_else(|| format!("{text:?} has no valid port (1 to 65535): {usage}"))?;
            // An IPv6 address is written in brackets, as in a URL.
            let host = match host.strip_prefix('[') {
                Some(inner) => inner
                    .strip_suffix(']')
                    .filter(|inner| inner.parse::<std::net::Ipv6Addr>().is_ok())
                    .ok_or_else(|| format!("{text:?} has no valid host: {usage}"))?,
                None => host,
            };
            let plausible = |b: u8| b.is_ascii_alphanumeric() || b".-_:".contains(&b);
            if host.is_empty()
                || !host.bytes().all(plausible)
                || (host.contains(':') && !rest.starts_with('['))
            {
                return Err(format!("{text:?} has no valid host: {usage}"));
            }
            return Ok(Self::Tcp {
                host: host.to_string(),
                port,
            });
        }
        if text.starts_with('/') {
            if text.bytes().any(|b| b.is_ascii_control()) {
                return Err(format!("{text:?} holds control characters: {usage}"));
            }
            return Ok(Self::Unix(PathBuf::from(text)));
        }
        if text.is_empty() {
            return Err(format!("the ClamAV address is empty: {usage}"));
        }
        if let Some((_, port)) = text.rsplit_once(':')
            && port.parse::<u16>().is_ok()
        {
            return Err(format!(
                "{text:?}: write tcp:{text} for a TCP address; {usage}"
            ));
        }
        Err(format!(
            "{text:?} is not an address clamd listens on: {usage}"
        ))
    }
}

impl fmt::Display for ClamavAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unix(path) => write!(f, "{}", path.display()),
            Self::Tcp { host, port } if host.contains(':') => write!(f, "tcp:[{host}]:{port}"),
            Self::Tcp { host, port } => write!(f, "tcp:{host}:{port}"),
        }
    }
}

/// What clamd said of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// `signature` is clamd's name for what it found, e.g.
    /// `Win.Test.EICAR_HDB-1` (custom signatures end in `.UNOFFICIAL`).
    Infected {
        signature: String,
    },
}

impl Verdict {
    /// Why the file is not kept, if it is not.
    pub fn refusal(self) -> Option<Refused> {
        match self {
            Self::Clean => None,
            Self::Infected { signature } => Some(Refused::Infected { signature }),
        }
    }

    /// `Ok` for a clean file, the refusal for an infected one.
    pub fn into_result(self) -> Result<(), Refused> {
        self.refusal().map_or(Ok(()), Err)
    }
}

/// Why a file could not be scanned. The upload is then refused with
/// [`NOT_CHECKED`]; the error itself is for the log.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("the virus scanner at {address} cannot be reached: {source}")]
    Unreachable {
        address: ClamavAddress,
        #[source]
        source: io::Error,
    },
    #[error("the virus scanner at {address} did not answer within {}s", after.as_secs_f32())]
    TimedOut {
        address: ClamavAddress,
        after: Duration,
    },
    #[error("the connection to the virus scanner at {address} failed: {source}")]
    Connection {
        address: ClamavAddress,
        #[source]
        source: io::Error,
    },
    /// clamd answered `… ERROR`, e.g. "INSTREAM size limit exceeded".
    #[error("the virus scanner at {address} could not scan the file: {message}")]
    Daemon {
        address: ClamavAddress,
        message: String,
    },
    #[error("the virus scanner at {address} gave an answer apidesk does not understand: {reply:?}")]
    Unexpected {
        address: ClamavAddress,
        reply: String,
    },
}

/// A client for one clamd. Cheap to clone: each scan opens its own
/// connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scanner {
    address: ClamavAddress,
    timeout: Duration,
}

impl Scanner {
    /// A scanner for the daemon at `address`; `timeout` bounds each whole
    /// exchange (connecting, sending, and the answer). See
    /// [`DEFAULT_SCAN_TIMEOUT`].
    pub fn new(address: ClamavAddress, timeout: Duration) -> Self {
        Self { address, timeout }
    }

    pub fn address(&self) -> &ClamavAddress {
        &self.address
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Sends `bytes` to clamd and returns its verdict. Any failure to get one
    /// (unreachable, too slow, an `ERROR` answer) is a [`ScanError`]: the
    /// caller refuses the file rather than keep it unscanned.
    pub async fn scan(&self, bytes: &[u8]) -> Result<Verdict, ScanError> {
        match tokio::time::timeout(self.timeout, self.exchange(bytes)).await {
            Ok(outcome) => outcome,
            Err(_elapsed) => Err(ScanError::TimedOut {
                address: self.address.clone(),
                after: self.timeout,
            }),
        }
    }

    async fn exchange(&self, bytes: &[u8]) -> Result<Verdict, ScanError> {
        let unreachable = |source| ScanError::Unreachable {
            address: self.address.clone(),
            source,
        };
        let reply = match &self.address {
            ClamavAddress::Unix(path) => {
                let stream = UnixStream::connect(path).await.map_err(unreachable)?;
                instream(stream, bytes).await
            }
            ClamavAddress::Tcp { host, port } => {
                let stream = TcpStream::connect((host.as_str(), *port))
                    .await
                    .map_err(unreachable)?;
                instream(stream, bytes).await
            }
        }
        .map_err(|source| ScanError::Connection {
            address: self.address.clone(),
            source,
        })?;
        self.verdict(&reply)
    }

    fn verdict(&self, reply: &str) -> Result<Verdict, ScanError> {
        let reply = reply.trim_end_matches('\0').trim();
        if let Some(message) = reply.strip_suffix("ERROR") {
            let message = message.trim_end();
            // "stream: <why> ERROR" or, for the size limit, no "stream: ".
            let message = message.strip_prefix("stream:").unwrap_or(message).trim();
            return Err(ScanError::Daemon {
                address: self.address.clone(),
                message: message.trim_end_matches('.').to_string(),
            });
        }
        let unexpected = || ScanError::Unexpected {
            address: self.address.clone(),
            reply: reply.to_string(),
        };
        let answer = reply
            .strip_prefix("stream:")
            .map(str::trim)
            .ok_or_else(unexpected)?;
        if answer == "OK" {
            return Ok(Verdict::Clean);
        }
        match answer.strip_suffix(" FOUND").map(str::trim) {
            Some(signature) if !signature.is_empty() => Ok(Verdict::Infected {
                signature: signature.to_string(),
            }),
            _ => Err(unexpected()),
        }
    }
}

/// The INSTREAM exchange on an open connection; returns clamd's answer, up to
/// its terminating NUL.
async fn instream<S>(mut stream: S, bytes: &[u8]) -> io::Result<String>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let sent = send(&mut stream, bytes).await;
    // clamd answers and closes as soon as a stream passes its size limit, so
    // a write that fails may still be followed by an answer that says why.
    let reply = read_reply(&mut stream).await;
    match (sent, reply) {
        (Ok(()), reply) => reply,
        (Err(_), Ok(reply)) => Ok(reply),
        (Err(err), Err(_)) => Err(err),
    }
}

async fn send<S>(stream: &mut S, bytes: &[u8]) -> io::Result<()>
where
    S: AsyncWrite + Unpin,
{
    stream.write_all(b"zINSTREAM\0").await?;
    for chunk in bytes.chunks(CHUNK_BYTES) {
        let length = u32::try_from(chunk.len()).expect("a chunk is at most 64 KiB");
        stream.write_all(&length.to_be_bytes()).await?;
        stream.write_all(chunk).await?;
    }
    stream.write_all(&0u32.to_be_bytes()).await?;
    stream.flush().await
}

async fn read_reply<S>(stream: &mut S) -> io::Result<String>
where
    S: AsyncRead + Unpin,
{
    let mut reply = Vec::new();
    let mut buffer = [0u8; 512];
    loop {
        let read = stream.read(&mut buffer).await?;
        if read == 0 {
            break;
        }
        reply.extend_from_slice(&buffer[..read]);
        if let Some(end) = reply.iter().position(|b| *b == 0) {
            reply.truncate(end);
            break;
        }
        if reply.len() > MAX_REPLY_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the answer is longer than any clamd gives",
            ));
        }
    }
    if reply.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the connection closed without an answer",
        ));
    }
    Ok(String::from_utf8_lossy(&reply).into_owned())
}

#[cfg(test)]
mod tests;
