//! Scanning uploads with a real ClamAV daemon. Each test writes its own
//! signature database (one body signature for the EICAR test file; no
//! official signatures, no freshclam, no network) and clamd.conf into a
//! temporary folder, starts `clamd` on a Unix socket there and stops it when
//! done.
//!
//! Every test is `#[ignore]`d so that `cargo test` alone passes without
//! clamd; `.ci/clamav` installs it when missing and runs them with
//! `--ignored`. Without clamd they say SKIPPED, or fail under CI=true.
//! `APIDESK_CLAMD` names another clamd binary.

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use apidesk::attachments::{
    ClamavAddress, DEFAULT_SCAN_TIMEOUT, Refused, ScanError, Scanner, Verdict,
};
use apidesk::config::Config;
use clap::Parser;
use tempfile::TempDir;

/// The name of the test's own signature, as written in its database
/// (clamd reports it with `.UNOFFICIAL` after it: the database is unsigned).
const SIGNATURE: &str = "Apidesk.Test.EICAR";

/// The EICAR anti-virus test file, put together at run time so that this
/// source file is not itself taken for one by a scanner on the machine.
fn eicar() -> Vec<u8> {
    [
        r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR",
        r"-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*",
    ]
    .concat()
    .into_bytes()
}

/// What the signature matches: the EICAR file's distinctive middle.
const EICAR_BODY: &[u8] = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE";

const LOG: &str = "\
2024-05-02T10:14:03Z INFO  request id=7f3c method=POST path=/v1/charges status=502 took=30012ms
2024-05-02T10:14:03Z ERROR upstream connect error or disconnect/reset before headers. reset reason: connection termination
2024-05-02T10:14:04Z INFO  retrying in 2s (attempt 2 of 5)
";

/// The clamd to run: `APIDESK_CLAMD`, else `clamd` on the PATH or in the
/// sbin folders (Debian puts it in /usr/sbin, which a user's PATH may lack).
fn clamd_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("APIDESK_CLAMD").filter(|path| !path.is_empty()) {
        return Some(path.into());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(
            ["/usr/sbin", "/usr/local/sbin", "/opt/homebrew/sbin"]
                .into_iter()
                .map(PathBuf::from),
        )
        .map(|dir| dir.join("clamd"))
        .find(|candidate| candidate.is_file())
}

/// The binary, or `None` (after saying so) when the tests run without one;
/// under CI=true that fails the test instead.
fn clamd_or_skip() -> Option<PathBuf> {
    let found = clamd_binary();
    if found.is_none() {
        if std::env::var("CI").is_ok_and(|ci| ci == "true") {
            panic!(
                "the virus scan tests need clamd under CI: run them with .ci/clamav, which \
                 installs clamav-daemon (or set APIDESK_CLAMD)"
            );
        }
        // Straight to stderr, past the test harness's capture, so the notice
        // shows (and .ci/clamav counts it).
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED (not in CI): no clamd (install clamav-daemon, or run .ci/clamav)"
        );
    }
    found
}

/// A clamd of the test's own, stopped when dropped.
struct Clamd {
    child: Child,
    socket: PathBuf,
    dir: TempDir,
}

impl Clamd {
    /// Starts clamd with the test signature, and `extra` lines of
    /// configuration, and waits until it answers PING.
    fn start(binary: &Path, extra: &str) -> Self {
        // Under /tmp rather than $TMPDIR: the socket's path must stay short
        // (108 bytes), and Ubuntu's AppArmor profile for /usr/sbin/clamd
        // lets it write under /tmp.
        let base = if Path::new("/tmp").is_dir() {
            PathBuf::from("/tmp")
        } else {
            std::env::temp_dir()
        };
        let dir = tempfile::Builder::new()
            .prefix("apidesk-clamd-")
            .tempdir_in(base)
            .unwrap();
        let path = dir.path();
        std::fs::create_dir(path.join("tmp")).unwrap();
        std::fs::create_dir(path.join("db")).unwrap();
        std::fs::write(
            path.join("db/apidesk-test.ndb"),
            format!("{SIGNATURE}:0:*:{}\n", hex::encode(EICAR_BODY)),
        )
        .unwrap();
        let socket = path.join("clamd.sock");
        // No User line: clamd then stays whoever started it (root or not),
        // and only reads and writes this folder.
        let config = format!(
            "# Written by tests/virus_scan.rs; removed when the test ends.\n\
             LocalSocket {socket}\n\
             DatabaseDirectory {db}\n\
             TemporaryDirectory {tmp}\n\
             LogFile {log}\n\
             Foreground yes\n\
             {extra}\n",
            socket = socket.display(),
            db = path.join("db").display(),
            tmp = path.join("tmp").display(),
            log = path.join("clamd.log").display(),
        );
        std::fs::write(path.join("clamd.conf"), config).unwrap();
        let output = std::fs::File::create(path.join("output.log")).unwrap();
        let child = Command::new(binary)
            .arg("-c")
            .arg(path.join("clamd.conf"))
            .stdin(Stdio::null())
            .stdout(output.try_clone().unwrap())
            .stderr(output)
            .spawn()
            .unwrap_or_else(|err| panic!("{} cannot be started: {err}", binary.display()));
        let mut clamd = Self { child, socket, dir };
        clamd.wait_until_ready();
        clamd
    }

    fn wait_until_ready(&mut self) {
        let started = Instant::now();
        loop {
            if self.pings() {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "clamd stopped ({status}) before it answered:\n{}",
                    self.logs()
                );
            }
            if started.elapsed() > Duration::from_secs(60) {
                panic!("clamd did not answer within 60s:\n{}", self.logs());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn pings(&self) -> bool {
        use std::io::Read as _;
        let Ok(mut stream) = std::os::unix::net::UnixStream::connect(&self.socket) else {
            return false;
        };
        let mut answer = Vec::new();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        stream.write_all(b"zPING\0").is_ok()
            && stream.read_to_end(&mut answer).is_ok()
            && answer == b"PONG\0"
    }

    fn logs(&self) -> String {
        ["output.log", "clamd.log"]
            .iter()
            .map(|name| {
                let text = std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
                format!("--- {name}\n{text}")
            })
            .collect()
    }

    /// The socket as an operator would configure it: through apidesk's own
    /// `--clamav` flag.
    fn scanner(&self) -> Scanner {
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            config: Config,
        }
        let socket = self.socket.to_str().expect("the temporary path is UTF-8");
        let cli = Cli::try_parse_from(["apidesk", "--clamav", socket])
            .unwrap_or_else(|err| panic!("--clamav {socket} is refused: {err}"));
        let address = cli.config.clamav.expect("--clamav is set");
        assert_eq!(address, ClamavAddress::Unix(self.socket.clone()));
        Scanner::new(address, DEFAULT_SCAN_TIMEOUT)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Clamd {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test]
#[ignore = "needs clamd: run with .ci/clamav"]
async fn eicar_is_found_and_a_log_is_clean() {
    let Some(binary) = clamd_or_skip() else {
        return;
    };
    let started = Instant::now();
    let clamd = Clamd::start(&binary, "");
    eprintln!("clamd answered after {:?}", started.elapsed());
    let scanner = clamd.scanner();

    let verdict = scanner.scan(&eicar()).await.unwrap();
    let Verdict::Infected { signature } = &verdict else {
        panic!("EICAR was not found: {verdict:?}\n{}", clamd.logs());
    };
    assert!(
        signature.starts_with(SIGNATURE),
        "found {signature}, not the test's signature"
    );
    assert_eq!(
        verdict.clone().into_result(),
        Err(Refused::Infected {
            signature: signature.clone()
        })
    );

    assert_eq!(scanner.scan(LOG.as_bytes()).await.unwrap(), Verdict::Clean);
    // More than one chunk, EICAR nowhere in it.
    let large = LOG.repeat(2_000);
    assert!(large.len() > 3 * 64 * 1024);
    assert_eq!(
        scanner.scan(large.as_bytes()).await.unwrap(),
        Verdict::Clean
    );
    // ... and found past the first chunk.
    let mut late = large.into_bytes();
    late.extend(eicar());
    assert!(matches!(
        scanner.scan(&late).await.unwrap(),
        Verdict::Infected { .. }
    ));
    eprintln!("done after {:?}", started.elapsed());
}

#[tokio::test]
#[ignore = "needs clamd: run with .ci/clamav"]
async fn eicar_inside_a_zip_is_found() {
    let Some(binary) = clamd_or_skip() else {
        return;
    };
    let clamd = Clamd::start(&binary, "");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("logs/app.log", options).unwrap();
    zip.write_all(LOG.as_bytes()).unwrap();
    // Repeated, so that deflate shrinks it (68 bytes once would be stored
    // as they are) and the signature can only be found by unpacking.
    zip.start_file("logs/eicar.txt", options).unwrap();
    zip.write_all(&eicar().repeat(20)).unwrap();
    let zipped = zip.finish().unwrap().into_inner();
    assert!(
        !zipped
            .windows(EICAR_BODY.len())
            .any(|window| window == EICAR_BODY),
        "the test file should be compressed out of sight"
    );
    let verdict = clamd.scanner().scan(&zipped).await.unwrap();
    assert!(
        matches!(&verdict, Verdict::Infected { signature } if signature.starts_with(SIGNATURE)),
        "{verdict:?}\n{}",
        clamd.logs()
    );
}

#[tokio::test]
#[ignore = "needs clamd: run with .ci/clamav"]
async fn a_file_past_the_daemons_size_limit_is_not_checked() {
    let Some(binary) = clamd_or_skip() else {
        return;
    };
    let clamd = Clamd::start(&binary, "StreamMaxLength 1M");
    let scanner = clamd.scanner();
    assert_eq!(
        scanner.scan(&vec![b'a'; 512 * 1024]).await.unwrap(),
        Verdict::Clean
    );
    let err = scanner
        .scan(&vec![b'a'; 3 * 1024 * 1024])
        .await
        .unwrap_err();
    match &err {
        ScanError::Daemon { message, .. } => {
            assert!(message.contains("size limit"), "{message}");
        }
        other => panic!("expected clamd's size limit, got {other:?}"),
    }
}

#[tokio::test]
#[ignore = "needs clamd: run with .ci/clamav"]
async fn a_stopped_daemon_is_unreachable() {
    let Some(binary) = clamd_or_skip() else {
        return;
    };
    let mut clamd = Clamd::start(&binary, "");
    let scanner = clamd.scanner();
    assert_eq!(scanner.scan(LOG.as_bytes()).await.unwrap(), Verdict::Clean);
    clamd.stop();
    let err = scanner.scan(LOG.as_bytes()).await.unwrap_err();
    assert!(matches!(err, ScanError::Unreachable { .. }), "{err:?}");
}

#[tokio::test]
#[ignore = "needs clamd: run with .ci/clamav"]
async fn the_ticket_form_refuses_what_the_scanner_finds_and_keeps_the_rest() {
    use axum::http::StatusCode;
    use common::multipart::FilePart;
    let Some(binary) = clamd_or_skip() else {
        return;
    };
    let clamd = Clamd::start(&binary, "");
    let address = clamd.scanner().address().clone();
    let mut app = common::TestApp::spawn_configured(|config| config.clamav = Some(address)).await;
    let fields = common::valid_ticket();
    let eicar = eicar();
    let res = app
        .post_multipart(
            "/tickets",
            &common::as_pairs(&fields),
            &[
                FilePart::file("invoice.pdf.txt", &eicar),
                FilePart::file("job.log", LOG.as_bytes()),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    res.assert_contains("the virus scanner found Apidesk.Test.EICAR");
    // The clean log was scanned, inspected and kept for the next submit.
    assert!(res.body.contains("name=\"files_kept\""));
    assert_eq!(app.count_tickets().await, 0);
    let raw = app.database_bytes();
    assert!(!raw.windows(eicar.len()).any(|w| w == eicar.as_slice()));
}
