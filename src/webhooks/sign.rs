//! Signing a delivery, as Stripe and GitHub sign theirs: the receiver holds
//! the endpoint's secret, recomputes the HMAC of the body it received and
//! compares. The timestamp is signed with the body, so a captured delivery
//! cannot be replayed later than the receiver's tolerance.
//!
//! `Apidesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`,
//! the key being the whole secret as shown (`whsec_…`) in UTF-8.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::endpoint::Secret;

pub const SIGNATURE_HEADER: &str = "Apidesk-Signature";
pub const EVENT_HEADER: &str = "Apidesk-Event";
pub const DELIVERY_HEADER: &str = "Apidesk-Delivery";

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The `Apidesk-Signature` value for `body` sent at `timestamp`.
pub fn signature(secret: &Secret, timestamp: i64, body: &[u8]) -> String {
    let digest = mac(secret.expose(), timestamp, body)
        .finalize()
        .into_bytes();
    format!("t={timestamp},v1={}", hex::encode(digest))
}

/// What a receiver does: whether `header` signs `body` with `secret`, at a
/// time no further than `tolerance_seconds` from `now`. Any `v1` entry may
/// match (a sender may sign with two secrets while one replaces the
/// other); the comparison takes the same time whatever the bytes.
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64, tolerance_seconds: i64) -> bool {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => candidates.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let Some(timestamp) = timestamp else {
        return false;
    };
    if (now - timestamp).abs() > tolerance_seconds {
        return false;
    }
    candidates
        .iter()
        .any(|candidate| mac(secret, timestamp, body).verify_slice(candidate).is_ok())
}

#[cfg(test)]
mod tests {
    use sha2::Digest;

    use super::*;

    const SECRET: &str = "whsec_test";
    const BODY: &[u8] = br#"{"event":"ticket.filed"}"#;
    const T: i64 = 1_767_225_600;

    /// HMAC-SHA256 written out from RFC 2104, from SHA-256 alone: a
    /// second way to the same digest, so the test does not only repeat
    /// what `signature` does.
    fn hmac_by_hand(key: &[u8], message: &[u8]) -> Vec<u8> {
        let mut block = [0_u8; 64];
        block[..key.len()].copy_from_slice(key);
        let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
        let inner = sha2::Sha256::new()
            .chain_update(pad(0x36))
            .chain_update(message)
            .finalize();
        sha2::Sha256::new()
            .chain_update(pad(0x5c))
            .chain_update(inner)
            .finalize()
            .to_vec()
    }

    #[test]
    fn the_signature_is_the_hmac_of_the_timestamp_and_body() {
        let secret = Secret::from_stored(SECRET.into());
        // Computed with `printf '%s' '1767225600.{"event":"ticket.filed"}'
        // | openssl dgst -sha256 -hmac whsec_test`.
        assert_eq!(
            signature(&secret, T, BODY),
            "t=1767225600,v1=b9807951450f6cb9065f9c1a442b180b7f481b997ff10682ce85c0b3b79e3171"
        );
        let body = "{\"ticket\":{\"message\":\"Zürich ✓\"}}".as_bytes();
        let by_hand = hmac_by_hand(SECRET.as_bytes(), &[b"42.", body].concat());
        assert_eq!(
            signature(&secret, 42, body),
            format!("t=42,v1={}", hex::encode(by_hand))
        );
    }

    #[test]
    fn receivers_verify_the_body_the_secret_and_the_time() {
        let secret = Secret::from_stored(SECRET.into());
        let header = signature(&secret, T, BODY);
        assert!(verify(SECRET, &header, BODY, T + 60, 300));
        // Another body, another secret, too late or too early, a bare header.
        assert!(!verify(
            SECRET,
            &header,
            br#"{"event":"ticket.resolved"}"#,
            T,
            300
        ));
        assert!(!verify("whsec_other", &header, BODY, T, 300));
        assert!(!verify(SECRET, &header, BODY, T + 301, 300));
        assert!(!verify(SECRET, &header, BODY, T - 301, 300));
        assert!(!verify(SECRET, "v1=00", BODY, T, 300));
        // The timestamp is signed: changing it breaks the signature.
        let moved = header.replace("t=1767225600", "t=1767225700");
        assert!(!verify(SECRET, &moved, BODY, T + 100, 300));
        // A second v1 (a secret being rotated) may be the one that matches.
        let both = format!(
            "t={T},v1=deadbeef,{}",
            &header[header.find("v1=").unwrap()..]
        );
        assert!(verify(SECRET, &both, BODY, T, 300));
    }
}
