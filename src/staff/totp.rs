//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as
//! authenticator apps make them: HMAC-SHA-1, 6 digits, 30-second steps.
//! A code is accepted for the current step and one either side (clocks
//! drift, people type slowly), and never for a step at or before the last
//! one used, so a code seen over someone's shoulder cannot be replayed.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use time::OffsetDateTime;

pub const DIGITS: u32 = 6;
pub const STEP_SECONDS: i64 = 30;
/// Steps either side of now a code is accepted for.
const DRIFT_STEPS: i64 = 1;
const SECRET_BYTES: usize = 20;
const ISSUER: &str = "apidesk";

/// RFC 4226 HOTP: the `digits`-digit code for `counter` under `key`.
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> u32 {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    // Dynamic truncation (RFC 4226 section 5.3).
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let word = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    word % 10u32.pow(digits)
}

/// RFC 6238: the step a moment falls in (seconds since the epoch / 30).
pub fn time_step(at: OffsetDateTime) -> i64 {
    at.unix_timestamp().div_euclid(STEP_SECONDS)
}

/// A staff member's shared secret: 20 random bytes, as RFC 4226
/// recommends for SHA-1. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

impl TotpSecret {
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes).expect("the operating system provides randomness");
        Self(bytes)
    }

    pub fn from_stored(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Base32 without padding, as authenticator apps take it.
    pub fn base32(&self) -> String {
        data_encoding::BASE32_NOPAD.encode(&self.0)
    }

    /// The base32 text in groups of four, for typing it in by hand.
    pub fn base32_grouped(&self) -> String {
        let text = self.base32();
        let groups: Vec<&str> = (0..text.len())
            .step_by(4)
            .map(|i| &text[i..(i + 4).min(text.len())])
            .collect();
        groups.join(" ")
    }

    /// The `otpauth://` URI a QR code carries to the app (Key Uri Format).
    pub fn otpauth_uri(&self, email: &str) -> String {
        let label = percent_encode(&format!("{ISSUER}:{email}"));
        format!(
            "otpauth://totp/{label}?secret={}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            self.base32()
        )
    }

    fn code_at(&self, step: i64) -> u32 {
        hotp(&self.0, u64::try_from(step).unwrap_or(0), DIGITS)
    }

    /// The step `code` belongs to near `now`, if it is right for one that
    /// comes after `last_used`; `None` for a wrong, stale or replayed code.
    pub fn matching_step(
        &self,
        code: &OneTimeCode,
        now: OffsetDateTime,
        last_used: Option<i64>,
    ) -> Option<i64> {
        let current = time_step(now);
        (current - DRIFT_STEPS..=current + DRIFT_STEPS)
            .filter(|step| last_used.is_none_or(|last| *step > last))
            .find(|step| same_code(self.code_at(*step), code.0))
    }
}

/// Compares two codes without stopping at the first differing digit.
fn same_code(expected: u32, given: u32) -> bool {
    let (a, b) = (expected.to_be_bytes(), given.to_be_bytes());
    a.iter()
        .zip(b.iter())
        .fold(0u8, |diff, (x, y)| diff | (x ^ y))
        == 0
}

/// Percent-encodes all but unreserved characters (RFC 3986), for the label.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' | b':' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A staff member's authenticator as stored.
#[derive(Debug, Clone)]
pub struct StoredTotp {
    pub secret: TotpSecret,
    /// `None` while it is being set up: it guards no sign-in yet.
    pub enabled_at: Option<OffsetDateTime>,
    /// The step of the last code taken.
    pub last_used_step: Option<i64>,
}

impl StoredTotp {
    pub fn is_on(&self) -> bool {
        self.enabled_at.is_some()
    }
}

/// Six digits as typed, spaces allowed ("123 456"). Never printed.
#[derive(Clone, Copy)]
pub struct OneTimeCode(u32);

impl fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimeCode(<redacted>)")
    }
}

impl OneTimeCode {
    /// `None` unless `text` is exactly six digits, ignoring spaces and dashes.
    pub fn parse(text: &str) -> Option<Self> {
        let digits: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        (digits.len() == DIGITS as usize && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse().ok().map(Self))
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4226 Appendix D: the secret "12345678901234567890".
    #[test]
    fn hotp_matches_rfc_4226() {
        let key = b"12345678901234567890";
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(hotp(key, counter as u64, 6), *code, "counter {counter}");
        }
    }

    /// RFC 6238 Appendix B, the SHA-1 rows (8 digits).
    #[test]
    fn totp_matches_rfc_6238() {
        let key = b"12345678901234567890";
        let vectors: [(i64, u32); 6] = [
            (59, 94287082),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ];
        for (unix, code) in vectors {
            let at = OffsetDateTime::from_unix_timestamp(unix).unwrap();
            assert_eq!(hotp(key, time_step(at) as u64, 8), code, "at {unix}");
        }
    }

    fn code(secret: &TotpSecret, step: i64) -> OneTimeCode {
        OneTimeCode(secret.code_at(step))
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_never_again() {
        let secret = TotpSecret::generate();
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let step = time_step(now);
        for offset in [-1, 0, 1] {
            assert_eq!(
                secret.matching_step(&code(&secret, step + offset), now, None),
                Some(step + offset)
            );
        }
        for offset in [-2, 2] {
            assert_eq!(
                secret.matching_step(&code(&secret, step + offset), now, None),
                None
            );
        }
        // Used once: that step and every earlier one are refused.
        assert_eq!(
            secret.matching_step(&code(&secret, step), now, Some(step)),
            None
        );
        assert_eq!(
            secret.matching_step(&code(&secret, step - 1), now, Some(step)),
            None
        );
        assert_eq!(
            secret.matching_step(&code(&secret, step + 1), now, Some(step)),
            Some(step + 1)
        );
        // Another secret's code is wrong.
        let other = TotpSecret::generate();
        assert_eq!(other.matching_step(&code(&secret, step), now, None), None);
    }

    #[test]
    fn codes_are_six_digits_spaces_allowed() {
        assert_eq!(OneTimeCode::parse("123 456").map(|c| c.0), Some(123456));
        assert_eq!(OneTimeCode::parse(" 012345 ").map(|c| c.0), Some(12345));
        for bad in ["12345", "1234567", "12a456", "", "１２３４５６"] {
            assert!(OneTimeCode::parse(bad).is_none(), "{bad:?}");
        }
        assert_eq!(
            format!("{:?}", OneTimeCode::parse("123456").unwrap()),
            "OneTimeCode(<redacted>)"
        );
    }

    #[test]
    fn the_secret_is_shown_in_base32_and_carried_in_an_otpauth_uri() {
        let secret = TotpSecret::from_stored(b"12345678901234567890".to_vec());
        assert_eq!(secret.base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            secret.base32_grouped(),
            "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
        );
        assert_eq!(
            secret.otpauth_uri("ana+x@example.com"),
            "otpauth://totp/apidesk:ana%2Bx@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=apidesk&algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(TotpSecret::generate().as_bytes().len(), 20);
        assert_eq!(format!("{secret:?}"), "TotpSecret(<redacted>)");
    }
}
