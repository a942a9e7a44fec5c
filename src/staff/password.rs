//! Password hashing with Argon2id. `Password` and `PasswordHash` have
//! redacting `Debug` so neither can reach a log by accident.

use std::fmt;
use std::sync::LazyLock;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash as Phc;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

pub const MIN_PASSWORD_CHARS: usize = 12;
const MAX_PASSWORD_CHARS: usize = 1_024;

/// Argon2 takes about 19 MiB of memory and a core for tens of milliseconds
/// per run. Running at most this many at once keeps a burst of sign-ins
/// from taking every core or gigabytes of memory; the rest wait in line.
pub const MAX_CONCURRENT_HASHES: usize = 2;
/// How long a sign-in waits in that line before it is told to try again
/// (503): past this, the server is being flooded, and queueing more only
/// delays everyone.
pub const MAX_HASH_WAIT: Duration = Duration::from_secs(10);

static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_CONCURRENT_HASHES);

/// Too many password checks are already waiting to run.
#[derive(Debug, thiserror::Error)]
#[error("the server is busy checking other passwords")]
pub struct HashingBusy;

/// A password as typed. Compared and hashed, never printed.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Checks the length rules for a new password.
    pub fn new(text: String) -> Result<Self, String> {
        let chars = text.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(format!(
                "The password must be at least {MIN_PASSWORD_CHARS} characters."
            ));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(format!(
                "The password must be at most {MAX_PASSWORD_CHARS} characters."
            ));
        }
        Ok(Self(text))
    }

    /// A password offered at sign-in: no rules, it is only compared.
    pub fn offered(text: String) -> Self {
        Self(text)
    }

    fn bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A stored Argon2id hash in PHC format.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn from_stored(phc: String) -> Self {
        Self(phc)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

pub fn hash_password(password: &Password) -> anyhow::Result<PasswordHash> {
    let hash = Argon2::default()
        .hash_password(password.bytes())
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))?;
    Ok(PasswordHash(hash.to_string()))
}

/// Verifies `password` against `hash`. With no hash (no such account) it
/// verifies against a fixed dummy hash, so the answer takes as long either
/// way and timing does not reveal which accounts exist.
pub fn verify_password(password: &Password, hash: Option<&PasswordHash>) -> bool {
    static DUMMY: LazyLock<PasswordHash> = LazyLock::new(|| {
        hash_password(&Password::offered(
            "not a real password, only for timing".into(),
        ))
        .expect("hashing a fixed password works")
    });
    let (hash, real) = match hash {
        Some(hash) => (hash, true),
        None => (&*DUMMY, false),
    };
    let Ok(parsed) = Phc::new(hash.as_str()) else {
        return false;
    };
    let matches = Argon2::default()
        .verify_password(password.bytes(), &parsed)
        .is_ok();
    matches && real
}

/// Runs Argon2 work on a blocking thread once one of the few hashing slots
/// is free, waiting at most `wait` for it.
async fn hashing_slot<T: Send + 'static>(
    wait: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> anyhow::Result<T> {
    let _permit = tokio::time::timeout(wait, HASHING.acquire())
        .await
        .map_err(|_| HashingBusy)?
        .expect("the hashing semaphore is never closed");
    Ok(tokio::task::spawn_blocking(work).await?)
}

/// [`verify_password`] off the async workers, bounded in concurrency. Fails
/// with [`HashingBusy`] when no slot freed up within [`MAX_HASH_WAIT`].
pub async fn verify_password_off_thread(
    password: Password,
    hash: Option<PasswordHash>,
) -> anyhow::Result<bool> {
    hashing_slot(MAX_HASH_WAIT, move || {
        verify_password(&password, hash.as_ref())
    })
    .await
}

/// [`hash_password`] off the async workers, bounded in concurrency.
pub async fn hash_password_off_thread(password: Password) -> anyhow::Result<PasswordHash> {
    hashing_slot(MAX_HASH_WAIT, move || hash_password(&password)).await?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_the_right_password() {
        let password = Password::new("correct horse battery".into()).unwrap();
        let hash = hash_password(&password).unwrap();
        assert!(hash.as_str().starts_with("$argon2id$"));
        assert!(verify_password(&password, Some(&hash)));
        assert!(!verify_password(
            &Password::offered("wrong horse battery".into()),
            Some(&hash)
        ));
        // Same password, new salt.
        assert_ne!(hash, hash_password(&password).unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn only_a_few_hashes_run_at_once() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let jobs = (0..4 * MAX_CONCURRENT_HASHES).map(|_| {
            let (running, most) = (running.clone(), most.clone());
            tokio::spawn(hashing_slot(Duration::from_secs(60), move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(20));
                running.fetch_sub(1, Ordering::SeqCst);
            }))
        });
        for job in jobs.collect::<Vec<_>>() {
            job.await.unwrap().unwrap();
        }
        assert!(most.load(Ordering::SeqCst) <= MAX_CONCURRENT_HASHES);

        // With every slot taken, a check that cannot wait is told so.
        let _held = HASHING
            .acquire_many(MAX_CONCURRENT_HASHES as u32)
            .await
            .unwrap();
        let err = hashing_slot(Duration::from_millis(1), || ())
            .await
            .unwrap_err();
        assert!(err.is::<HashingBusy>());
    }

    #[test]
    fn no_account_never_verifies() {
        let password = Password::offered("not a real password, only for timing".into());
        assert!(!verify_password(&password, None));
    }

    #[test]
    fn a_corrupt_hash_never_verifies() {
        let password = Password::offered("whatever it is".into());
        assert!(!verify_password(
            &password,
            Some(&PasswordHash::from_stored("garbage".into()))
        ));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(
            Password::new("elevenchars".into())
                .unwrap_err()
                .contains("12")
        );
        assert!(Password::new("twelve chars".into()).is_ok());
        assert!(Password::new("é".repeat(12)).is_ok());
    }

    #[test]
    fn debug_never_shows_secrets() {
        let password = Password::new("correct horse battery".into()).unwrap();
        assert_eq!(format!("{password:?}"), "Password(<redacted>)");
        let hash = hash_password(&password).unwrap();
        assert_eq!(format!("{hash:?}"), "PasswordHash(<redacted>)");
    }
}
