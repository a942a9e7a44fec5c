//! Password hashing with Argon2id. `Password` and `PasswordHash` have
//! redacting `Debug` so neither can reach a log by accident.

use std::fmt;
use std::sync::LazyLock;
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash as Phc;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use super::strength::{PasswordOwner, too_guessable};

pub const MIN_PASSWORD_CHARS: usize = 12;
/// Long enough for any passphrase or manager-made password; short enough
/// that the strength estimate and Argon2 stay cheap.
pub const MAX_PASSWORD_CHARS: usize = 128;

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
    /// The rules for every new password, whichever way it is set: 12 to
    /// 128 characters (counted as characters, not bytes), and not too easy
    /// to guess for `owner`. No rules on which kinds of characters. The
    /// length is checked first, so the estimate only ever sees bounded
    /// input. CPU work: async code calls [`Password::new_off_thread`].
    pub fn new(text: String, owner: &PasswordOwner) -> Result<Self, String> {
        let chars = text.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(format!(
                "The password must be at least {MIN_PASSWORD_CHARS} characters. A few unrelated words are long and easy to type."
            ));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(format!(
                "The password must be at most {MAX_PASSWORD_CHARS} characters: this one has {chars}."
            ));
        }
        if let Some(why) = too_guessable(&text, owner) {
            return Err(why);
        }
        Ok(Self(text))
    }

    /// [`Password::new`] on a blocking thread, for async code. The outer
    /// error is the check failing to run at all.
    pub async fn new_off_thread(
        text: String,
        owner: PasswordOwner,
    ) -> anyhow::Result<Result<Self, String>> {
        Ok(tokio::task::spawn_blocking(move || Self::new(text, &owner)).await?)
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

    fn new(text: &str) -> Result<Password, String> {
        Password::new(text.to_string(), &PasswordOwner::default())
    }

    #[test]
    fn hashes_verify_only_the_right_password() {
        let password = new("correct horse battery").unwrap();
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
    fn a_password_has_12_to_128_characters() {
        // Random letters: strong enough, so only the length decides.
        let random = "kq7vzt2wmx9rbh4nfp6jsd3gyc8ltw5qkz2vmx7rbh9nfp4jsd6gyc3ltw8qkz5vmx2rbh7nfp9jsd4gyc6ltw3qkz8vmx5rbh2nfp7jsd9gyc4ltw6qkz3vmx8rbh5nfp2jsd";
        let short = new(&random[..11]).unwrap_err();
        assert!(short.contains("at least 12 characters"), "{short}");
        assert!(new(&random[..12]).is_ok());
        assert!(new(&random[..128]).is_ok());
        let long = new(&random[..129]).unwrap_err();
        assert!(
            long.contains("at most 128 characters: this one has 129"),
            "{long}"
        );
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // 12 characters, 24 bytes: long enough.
        assert!(new("жёлтый ёж ъэ").is_ok());
        // 11 characters, 22 bytes (at least 12 bytes): too short.
        assert!(new("жёлтыйёжъэю").unwrap_err().contains("at least 12"));
        // 128 characters, 256 bytes: not too long.
        let cyrillic: String = "жёлтыйёжъэюящьбвгдзиклмнопрстуфхцчшщ"
            .chars()
            .cycle()
            .take(128)
            .collect();
        assert!(new(&cyrillic).is_ok());
        let over = format!("{cyrillic}ж");
        assert!(new(&over).unwrap_err().contains("at most 128"));
    }

    #[test]
    fn weak_passwords_are_refused_with_the_reason() {
        for weak in ["password1234", "qwertyuiop12", "aaaaaaaaaaaaaaaa"] {
            let refusal = new(weak).unwrap_err();
            assert!(refusal.contains("too easy to guess"), "{weak}: {refusal}");
        }
        let owner = PasswordOwner::new("jane.doe@example.com", "Jane Doe");
        let own = Password::new("jane.doe2024!!".into(), &owner).unwrap_err();
        assert!(own.contains("your name or your email"), "{own}");
        assert!(Password::new("lantern orbit staple quietly".into(), &owner).is_ok());
    }

    #[tokio::test]
    async fn the_rules_run_off_the_async_workers_too() {
        let owner = PasswordOwner::default();
        let weak = Password::new_off_thread("password1234".into(), owner.clone())
            .await
            .unwrap();
        assert!(weak.unwrap_err().contains("common password"));
        let strong = Password::new_off_thread("lantern orbit staple quietly".into(), owner)
            .await
            .unwrap();
        assert!(strong.is_ok());
    }

    #[test]
    fn debug_never_shows_secrets() {
        let password = new("correct horse battery").unwrap();
        assert_eq!(format!("{password:?}"), "Password(<redacted>)");
        let hash = hash_password(&password).unwrap();
        assert_eq!(format!("{hash:?}"), "PasswordHash(<redacted>)");
    }
}
