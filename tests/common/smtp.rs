//! A real SMTP server for tests: speaks the protocol over TCP on
//! 127.0.0.1, records what it receives, and answers as scripted (deferrals,
//! refused recipients, a stop and a restart on the same port).
//!
//! Declare it with `#[path = "common/smtp.rs"] mod smtp;`.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

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
        Self::launch(None).await
    }

    /// A server that requires AUTH PLAIN or LOGIN with these credentials.
    pub async fn start_with_auth(user: &str, password: &str) -> Self {
        Self::launch(Some((user.to_string(), password.to_string()))).await
    }

    async fn launch(credentials: Option<(String, String)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let shared = Arc::new(Shared {
            credentials,
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
                    connections.spawn(converse(stream, shared.clone()));
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

#[derive(Default)]
struct Transaction {
    mail_from: Option<String>,
    rcpt_to: Vec<String>,
}

async fn converse(stream: TcpStream, shared: Arc<Shared>) {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    let mut user: Option<String> = None;
    let mut transaction = Transaction::default();
    let mut line = Vec::new();
    macro_rules! reply {
        ($($text:tt)*) => {
            if writer.write_all(format!("{}\r\n", format!($($text)*)).as_bytes()).await.is_err() {
                return;
            }
        };
    }
    macro_rules! read_line {
        () => {{
            line.clear();
            match reader.read_until(b'\n', &mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&line).trim_end().to_string();
                    shared.script.lock().unwrap().transcript.push(text.clone());
                    text
                }
            }
        }};
    }

    reply!("220 test.smtp ESMTP ready");
    loop {
        let command = read_line!();
        let verb = command
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let argument = command
            .get(verb.len()..)
            .unwrap_or_default()
            .trim()
            .to_string();
        match verb.as_str() {
            "EHLO" => {
                let auth = if shared.credentials.is_some() {
                    "250-AUTH PLAIN LOGIN\r\n"
                } else {
                    ""
                };
                reply!("250-test.smtp greets {argument}\r\n{auth}250-8BITMIME\r\n250 SMTPUTF8");
            }
            "HELO" => reply!("250 test.smtp"),
            "AUTH" => {
                let mut words = argument.split(' ');
                let mechanism = words.next().unwrap_or_default().to_ascii_uppercase();
                let initial = words.next().map(str::to_string);
                let (name, password) = match mechanism.as_str() {
                    "PLAIN" => {
                        let response = match initial {
                            Some(response) => response,
                            None => {
                                reply!("334 ");
                                read_line!()
                            }
                        };
                        let decoded = decode(&response);
                        let mut parts = decoded.split('\0').skip(1);
                        (
                            parts.next().unwrap_or_default().to_string(),
                            parts.next().unwrap_or_default().to_string(),
                        )
                    }
                    "LOGIN" => {
                        let name = match initial {
                            Some(name) => decode(&name),
                            None => {
                                reply!("334 VXNlcm5hbWU6");
                                decode(&read_line!())
                            }
                        };
                        reply!("334 UGFzc3dvcmQ6");
                        (name, decode(&read_line!()))
                    }
                    _ => {
                        reply!("504 5.5.4 unrecognised authentication type");
                        continue;
                    }
                };
                if shared.credentials == Some((name.clone(), password)) {
                    user = Some(name);
                    reply!("235 2.7.0 Authentication successful");
                } else {
                    reply!("535 5.7.8 Authentication credentials invalid");
                }
            }
            "MAIL" => {
                if shared.credentials.is_some() && user.is_none() {
                    reply!("530 5.7.0 Authentication required");
                } else {
                    transaction = Transaction {
                        mail_from: Some(address(&argument)),
                        rcpt_to: Vec::new(),
                    };
                    reply!("250 2.1.0 Ok");
                }
            }
            "RCPT" if transaction.mail_from.is_none() => reply!("503 5.5.1 MAIL first"),
            "RCPT" => {
                let refusal = shared.script.lock().unwrap().refuse_recipients.clone();
                match refusal {
                    Some(refusal) => reply!("{refusal}"),
                    None => {
                        transaction.rcpt_to.push(address(&argument));
                        reply!("250 2.1.5 Ok");
                    }
                }
            }
            "DATA" if transaction.rcpt_to.is_empty() => reply!("503 5.5.1 RCPT first"),
            "DATA" => {
                reply!("354 End data with <CR><LF>.<CR><LF>");
                let mut data = Vec::new();
                loop {
                    line.clear();
                    match reader.read_until(b'\n', &mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == b".\r\n" || line == b".\n" {
                        break;
                    }
                    // Dot-unstuffing (RFC 5321 4.5.2).
                    let start = usize::from(line.starts_with(b".."));
                    data.extend_from_slice(&line[start..]);
                }
                let taken = std::mem::take(&mut transaction);
                let failure = {
                    let mut script = shared.script.lock().unwrap();
                    (script.fail_next > 0).then(|| {
                        script.fail_next -= 1;
                        script.fail_reply.clone()
                    })
                };
                if let Some(failure) = failure {
                    reply!("{failure}");
                    continue;
                }
                let received = Received {
                    mail_from: taken.mail_from.unwrap_or_default(),
                    rcpt_to: taken.rcpt_to,
                    data,
                    user: user.clone(),
                };
                let number = {
                    let mut number = 0;
                    shared.received.send_modify(|all| {
                        all.push(received);
                        number = all.len();
                    });
                    number
                };
                reply!("250 2.0.0 Ok: queued as {number}");
            }
            "RSET" => {
                transaction = Transaction::default();
                reply!("250 2.0.0 Ok");
            }
            "NOOP" => reply!("250 2.0.0 Ok"),
            "QUIT" => {
                reply!("221 2.0.0 Bye");
                return;
            }
            _ => reply!("502 5.5.2 Command not recognised"),
        }
    }
}

/// `FROM:<a@b> BODY=8BITMIME` → `a@b`.
fn address(argument: &str) -> String {
    let start = argument.find('<').map_or(0, |i| i + 1);
    let end = argument[start..]
        .find('>')
        .map_or(argument.len(), |i| start + i);
    argument[start..end].to_string()
}

fn decode(base64: &str) -> String {
    let bytes = BASE64.decode(base64.trim()).unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}
