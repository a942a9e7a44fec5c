//! The server's side of one SMTP connection, for `smtp.rs`.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::{Received, Shared, TlsMode};

#[derive(Default)]
struct Transaction {
    mail_from: Option<String>,
    rcpt_to: Vec<String>,
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// One connection: TLS first when implicit, then the conversation, again
/// over TLS after each STARTTLS.
pub(super) async fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let mut io: Box<dyn Io> = Box::new(stream);
    let mut secure = false;
    if let Some((acceptor, TlsMode::Implicit)) = &shared.tls {
        let Ok(tls) = acceptor.accept(io).await else {
            return;
        };
        (io, secure) = (Box::new(tls), true);
    }
    let mut greet = true;
    while let Some(plain) = converse(io, &shared, greet, secure).await {
        let Some((acceptor, _)) = &shared.tls else {
            return;
        };
        let Ok(tls) = acceptor.accept(plain).await else {
            return;
        };
        (io, secure, greet) = (Box::new(tls), true, false);
    }
}

/// Speaks SMTP until QUIT or a dropped connection (`None`), or until the
/// client asks for STARTTLS: then the stream is handed back to be wrapped.
async fn converse(
    io: Box<dyn Io>,
    shared: &Shared,
    greet: bool,
    secure: bool,
) -> Option<Box<dyn Io>> {
    let mut stream = BufReader::new(io);
    let offer_starttls = !secure && matches!(shared.tls, Some((_, TlsMode::StartTls)));
    let mut user: Option<String> = None;
    let mut transaction = Transaction::default();
    let mut line = Vec::new();
    macro_rules! reply {
        ($($text:tt)*) => {{
            let line = format!("{}\r\n", format!($($text)*));
            if stream.write_all(line.as_bytes()).await.is_err() {
                return None;
            }
        }};
    }
    macro_rules! read_line {
        () => {{
            line.clear();
            match stream.read_until(b'\n', &mut line).await {
                Ok(0) | Err(_) => return None,
                Ok(_) => {
                    let text = String::from_utf8_lossy(&line).trim_end().to_string();
                    shared.script.lock().unwrap().transcript.push(text.clone());
                    text
                }
            }
        }};
    }

    if greet {
        reply!("220 test.smtp ESMTP ready");
    }
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
                let tls = if offer_starttls {
                    "250-STARTTLS\r\n"
                } else {
                    ""
                };
                reply!(
                    "250-test.smtp greets {argument}\r\n{tls}{auth}250-8BITMIME\r\n250 SMTPUTF8"
                );
            }
            "HELO" => reply!("250 test.smtp"),
            "STARTTLS" if offer_starttls => {
                reply!("220 2.0.0 Ready to start TLS");
                return Some(stream.into_inner());
            }
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
                    match stream.read_until(b'\n', &mut line).await {
                        Ok(0) | Err(_) => return None,
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
                    secure,
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
                return None;
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
