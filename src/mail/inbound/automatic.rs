//! Mail no person wrote: out-of-office answers, other systems' notices,
//! mailing lists. Such mail never reopens a ticket or gets an answer, which
//! is what keeps two automatic systems from mailing each other forever.

use mail_parser::Message;

/// Why `message` was sent by a machine, if the headers say it was.
pub fn automatic(message: &Message<'_>) -> Option<String> {
    let header = |name: &'static str| message.header_raw(name).map(str::trim);
    if let Some(value) = header("Auto-Submitted") {
        let kind = value.split(';').next().unwrap_or_default().trim();
        if !kind.eq_ignore_ascii_case("no") {
            return Some(format!("automatic mail (Auto-Submitted: {kind})"));
        }
    }
    if let Some(value) = header("Precedence") {
        let value = value.to_ascii_lowercase();
        if ["bulk", "junk", "list", "auto_reply"].contains(&value.as_str()) {
            return Some(format!("automatic mail (Precedence: {value})"));
        }
    }
    for name in [
        "X-Autoreply",
        "X-Autorespond",
        "X-Autoresponder",
        "X-AutoReply-From",
    ] {
        if header(name).is_some() {
            return Some(format!("automatic mail ({name})"));
        }
    }
    for name in [
        "List-Id",
        "List-Unsubscribe",
        "List-Post",
        "List-Help",
        "List-Subscribe",
        "List-Owner",
        "List-Archive",
    ] {
        if header(name).is_some() {
            return Some(format!("mailing list mail ({name})"));
        }
    }
    if header("Return-Path").is_some_and(|path| path.trim_matches([' ', '\t']) == "<>") {
        return Some("automatic mail (empty return path)".into());
    }
    let sender = message
        .from()
        .and_then(|from| from.first())
        .and_then(|addr| addr.address())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if sender.starts_with("mailer-daemon@") || sender.starts_with("postmaster@") {
        return Some(format!("automatic mail (from {sender})"));
    }
    None
}
