//! The client against a tiny clamd in the same process, one connection per
//! test; the real daemon is in tests/virus_scan.rs.

use std::path::Path;

use tempfile::TempDir;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, UnixListener};
use tokio::task::JoinHandle;

use super::*;

/// How the fake daemon behaves once it has read the command.
#[derive(Clone, Copy)]
enum Fake {
    /// Reads the whole stream, then sends this answer (with its NUL).
    Answer(&'static str),
    /// Reads the first chunk, sends this answer and hangs up, as clamd does
    /// past its size limit.
    AnswerEarly(&'static str),
    /// Reads the whole stream and then says nothing, keeping the connection.
    Silent,
    /// Reads the whole stream and hangs up without a word.
    HangUp,
}

/// What the fake daemon received: the command and each chunk's length, and
/// the bytes put together.
#[derive(Debug, Default)]
struct Received {
    command: Vec<u8>,
    chunks: Vec<usize>,
    bytes: Vec<u8>,
}

async fn serve<S>(mut stream: S, fake: Fake) -> Received
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut received = Received::default();
    let mut command = vec![0u8; b"zINSTREAM\0".len()];
    stream.read_exact(&mut command).await.unwrap();
    received.command = command;
    loop {
        let length = stream.read_u32().await.unwrap() as usize;
        if length == 0 {
            break;
        }
        let mut chunk = vec![0u8; length];
        stream.read_exact(&mut chunk).await.unwrap();
        received.chunks.push(length);
        received.bytes.extend(chunk);
        if let Fake::AnswerEarly(answer) = fake {
            stream.write_all(answer.as_bytes()).await.unwrap();
            stream.write_all(b"\0").await.unwrap();
            return received;
        }
    }
    match fake {
        Fake::Answer(answer) => {
            stream.write_all(answer.as_bytes()).await.unwrap();
            stream.write_all(b"\0").await.unwrap();
        }
        Fake::Silent => std::future::pending::<()>().await,
        Fake::AnswerEarly(_) | Fake::HangUp => {}
    }
    received
}

/// A fake clamd on a Unix socket in a new folder, for one connection.
fn fake_clamd(fake: Fake) -> (TempDir, ClamavAddress, JoinHandle<Received>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clamd.ctl");
    let listener = UnixListener::bind(&path).unwrap();
    let served = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        serve(stream, fake).await
    });
    (dir, ClamavAddress::Unix(path), served)
}

fn scanner(address: ClamavAddress) -> Scanner {
    Scanner::new(address, Duration::from_secs(5))
}

#[tokio::test]
async fn a_clean_file_is_sent_in_chunks_of_at_most_64_kib() {
    let (_dir, address, served) = fake_clamd(Fake::Answer("stream: OK"));
    let bytes: Vec<u8> = (0..150 * 1024).map(|n| (n % 251) as u8).collect();
    let verdict = scanner(address).scan(&bytes).await.unwrap();
    assert_eq!(verdict, Verdict::Clean);
    assert_eq!(verdict.into_result(), Ok(()));
    let received = served.await.unwrap();
    assert_eq!(received.command, b"zINSTREAM\0");
    assert_eq!(received.chunks, [65536, 65536, 22528]);
    assert_eq!(received.bytes, bytes);
}

#[tokio::test]
async fn a_found_signature_is_infected_and_refused_by_its_name() {
    let (_dir, address, served) = fake_clamd(Fake::Answer("stream: Win.Test.EICAR_HDB-1 FOUND"));
    let verdict = scanner(address).scan(b"anything").await.unwrap();
    assert_eq!(
        verdict,
        Verdict::Infected {
            signature: "Win.Test.EICAR_HDB-1".into()
        }
    );
    let refused = verdict.into_result().unwrap_err();
    assert_eq!(
        refused,
        Refused::Infected {
            signature: "Win.Test.EICAR_HDB-1".into()
        }
    );
    assert_eq!(
        refused.to_string(),
        "the virus scanner found Win.Test.EICAR_HDB-1 in it"
    );
    assert_eq!(served.await.unwrap().bytes, b"anything");
}

#[tokio::test]
async fn an_error_answer_is_a_scan_error() {
    let (_dir, address, _served) = fake_clamd(Fake::Answer("stream: Can't allocate memory ERROR"));
    let err = scanner(address).scan(b"anything").await.unwrap_err();
    match &err {
        ScanError::Daemon { message, .. } => assert_eq!(message, "Can't allocate memory"),
        other => panic!("expected the daemon's error, got {other:?}"),
    }
    assert!(err.to_string().contains("could not scan the file"), "{err}");
}

#[tokio::test]
async fn the_size_limit_answer_arrives_although_sending_stops() {
    let (_dir, address, served) =
        fake_clamd(Fake::AnswerEarly("INSTREAM size limit exceeded. ERROR"));
    // Far more than the socket buffers hold, so sending fails part way.
    let bytes = vec![b'a'; 8 * 1024 * 1024];
    let err = scanner(address).scan(&bytes).await.unwrap_err();
    match &err {
        ScanError::Daemon { message, .. } => assert_eq!(message, "INSTREAM size limit exceeded"),
        other => panic!("expected the size limit, got {other:?}"),
    }
    assert_eq!(served.await.unwrap().chunks, [CHUNK_BYTES]);
}

#[tokio::test]
async fn no_daemon_is_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    // No file at all.
    let missing = ClamavAddress::Unix(dir.path().join("missing.ctl"));
    let err = scanner(missing).scan(b"anything").await.unwrap_err();
    assert!(matches!(err, ScanError::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().contains("cannot be reached"), "{err}");

    // A socket file that nobody listens on any more.
    let path = dir.path().join("stale.ctl");
    drop(UnixListener::bind(&path).unwrap());
    let err = scanner(ClamavAddress::Unix(path))
        .scan(b"anything")
        .await
        .unwrap_err();
    assert!(matches!(err, ScanError::Unreachable { .. }), "{err:?}");
}

#[tokio::test]
async fn a_daemon_that_never_answers_times_out() {
    let (_dir, address, _served) = fake_clamd(Fake::Silent);
    let timeout = Duration::from_millis(200);
    let started = std::time::Instant::now();
    let err = Scanner::new(address, timeout)
        .scan(b"anything")
        .await
        .unwrap_err();
    assert!(
        matches!(err, ScanError::TimedOut { after, .. } if after == timeout),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(
        err.to_string().contains("did not answer within 0.2s"),
        "{err}"
    );
}

#[tokio::test]
async fn a_daemon_that_hangs_up_without_an_answer_is_a_scan_error() {
    let (_dir, address, _served) = fake_clamd(Fake::HangUp);
    let err = scanner(address).scan(b"anything").await.unwrap_err();
    assert!(matches!(err, ScanError::Connection { .. }), "{err:?}");
}

#[tokio::test]
async fn an_answer_of_another_shape_is_a_scan_error() {
    let (_dir, address, _served) = fake_clamd(Fake::Answer("PONG"));
    let err = scanner(address).scan(b"anything").await.unwrap_err();
    assert!(matches!(err, ScanError::Unexpected { .. }), "{err:?}");
}

#[tokio::test]
async fn an_empty_file_is_scanned_too() {
    let (_dir, address, served) = fake_clamd(Fake::Answer("stream: OK"));
    assert_eq!(scanner(address).scan(b"").await.unwrap(), Verdict::Clean);
    assert!(served.await.unwrap().chunks.is_empty());
}

#[tokio::test]
async fn a_daemon_over_tcp() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let served = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        serve(stream, Fake::Answer("stream: Eicar-Signature FOUND")).await
    });
    let address: ClamavAddress = format!("tcp:127.0.0.1:{port}").parse().unwrap();
    let verdict = scanner(address).scan(b"over tcp").await.unwrap();
    assert_eq!(
        verdict.refusal(),
        Some(Refused::Infected {
            signature: "Eicar-Signature".into()
        })
    );
    assert_eq!(served.await.unwrap().bytes, b"over tcp");
}

#[test]
fn addresses_are_a_socket_path_or_tcp_host_and_port() {
    for (text, address, shown) in [
        (
            "/run/clamav/clamd.ctl",
            ClamavAddress::Unix(Path::new("/run/clamav/clamd.ctl").into()),
            "/run/clamav/clamd.ctl",
        ),
        (
            " tcp:127.0.0.1:3310 ",
            ClamavAddress::Tcp {
                host: "127.0.0.1".into(),
                port: 3310,
            },
            "tcp:127.0.0.1:3310",
        ),
        (
            "tcp:clamav.internal:3310",
            ClamavAddress::Tcp {
                host: "clamav.internal".into(),
                port: 3310,
            },
            "tcp:clamav.internal:3310",
        ),
        (
            "tcp:[::1]:3310",
            ClamavAddress::Tcp {
                host: "::1".into(),
                port: 3310,
            },
            "tcp:[::1]:3310",
        ),
    ] {
        let parsed: ClamavAddress = text.parse().unwrap();
        assert_eq!(parsed, address, "{text}");
        assert_eq!(parsed.to_string(), shown);
        assert_eq!(shown.parse::<ClamavAddress>().unwrap(), address);
    }
    for bad in [
        "",
        "clamd.ctl",
        "run/clamav/clamd.ctl",
        "tcp:",
        "tcp:127.0.0.1",
        "tcp::3310",
        "tcp:127.0.0.1:0",
        "tcp:127.0.0.1:99999",
        "tcp:127.0.0.1:port",
        "tcp:::1:3310",
        "tcp:[nonsense]:3310",
        "tcp:bad host:3310",
        "unix:/run/clamav/clamd.ctl",
    ] {
        let err = bad.parse::<ClamavAddress>().unwrap_err();
        assert!(err.contains("tcp:HOST:PORT"), "{bad}: {err}");
    }
    let err = "127.0.0.1:3310".parse::<ClamavAddress>().unwrap_err();
    assert!(err.contains("write tcp:127.0.0.1:3310"), "{err}");
}
