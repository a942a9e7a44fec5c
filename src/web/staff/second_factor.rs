//! Checking what someone types to prove the second factor: a code from
//! their authenticator app, one of their recovery codes, or (to turn the
//! second factor off or make new recovery codes while signed in) their
//! password. Every check is counted as a sign-in is, against the same
//! per-account and per-address limits, before it is made.

use std::net::IpAddr;

use time::OffsetDateTime;

use super::guesses::{self, Wait};
use crate::error::Result;
use crate::staff::{
    HashingBusy, OneTimeCode, Password, StaffMember, typed_recovery_hash,
    verify_password_off_thread,
};
use crate::web::AppState;

/// What a typed proof turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Proof {
    /// A fresh code from the authenticator.
    Code,
    /// An unused recovery code, now used; this many are left.
    Recovery { left: i64 },
    /// The account's password.
    Password,
    /// None of those (a wrong, stale or reused code; a wrong password).
    Wrong,
    /// Not checked: the account or the address has too many recent
    /// failures; the next guess is counted after this wait.
    TooMany(Wait),
    /// Not checked: password checks are backed up.
    Busy,
}

/// What may be offered as proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Accept {
    /// An authenticator code or a recovery code (signing in).
    Codes,
    /// Those, or the password (changing the second factor while signed in).
    CodesOrPassword,
}

/// Checks `typed` for `staff`, taking a code's step or a recovery code as
/// used when it is right. A failure stays counted; a success is not.
pub(super) async fn check_proof(
    state: &AppState,
    staff: &StaffMember,
    ip: Option<IpAddr>,
    typed: &str,
    accept: Accept,
) -> Result<Proof> {
    let now = OffsetDateTime::now_utc();
    let attempt = match guesses::reserve(state, &staff.email, ip).await? {
        Ok(attempt) => attempt,
        Err(wait) => return Ok(Proof::TooMany(wait)),
    };
    let proof = if let Some(code) = OneTimeCode::parse(typed) {
        match state.store.staff_totp(staff.id).await? {
            Some(totp) if totp.is_on() => {
                let step = totp.secret.matching_step(&code, now, totp.last_used_step);
                match step {
                    // Taken atomically: the same code sent twice at once
                    // passes only once.
                    Some(step) if state.store.take_totp_step(staff.id, step).await? => Proof::Code,
                    _ => Proof::Wrong,
                }
            }
            _ => Proof::Wrong,
        }
    } else if let Some(hash) = typed_recovery_hash(typed) {
        match state.store.take_recovery_code(staff.id, &hash, now).await? {
            Some(left) => Proof::Recovery { left },
            None => Proof::Wrong,
        }
    } else if accept == Accept::CodesOrPassword && !typed.is_empty() {
        let hash = state
            .store
            .staff_credentials(&staff.email)
            .await?
            .map(|(_, hash)| hash);
        match verify_password_off_thread(Password::offered(typed.to_string()), hash).await {
            Ok(true) => Proof::Password,
            Ok(false) => Proof::Wrong,
            Err(err) if err.is::<HashingBusy>() => Proof::Busy,
            Err(err) => return Err(err.into()),
        }
    } else {
        Proof::Wrong
    };
    if !matches!(proof, Proof::Wrong) {
        // Right, or never evaluated: not a failure.
        state.store.release_login_attempt(attempt).await?;
    }
    Ok(proof)
}
