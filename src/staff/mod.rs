//! Support staff: who they are, their roles, and their passwords.

mod password;
mod role;

pub use password::{
    HashingBusy, MAX_CONCURRENT_HASHES, MIN_PASSWORD_CHARS, Password, PasswordHash, hash_password,
    hash_password_off_thread, verify_password, verify_password_off_thread,
};
pub use role::Role;

/// A staff member as the rest of the app sees them; never carries the hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    /// Staff pages show times in this zone ("My settings"); UTC until chosen.
    pub time_zone: crate::domain::Zone,
}

/// Adds a staff member after checking the email and the password rules.
pub async fn add(
    store: &crate::store::Store,
    email: &str,
    name: &str,
    role: Role,
    password: String,
) -> anyhow::Result<()> {
    use validator::ValidateEmail;
    let email = email.trim();
    let name = name.trim();
    anyhow::ensure!(
        email.validate_email(),
        "{email:?} is not a valid email address"
    );
    anyhow::ensure!(!name.is_empty(), "the name must not be empty");
    let password = Password::new(password).map_err(anyhow::Error::msg)?;
    let hash = hash_password_off_thread(password).await?;
    let id = store
        .add_staff(email, name, role, &hash, time::OffsetDateTime::now_utc())
        .await?;
    tracing::info!(staff_id = id, %role, "staff member added");
    println!("Added {name} <{email}> as {role}.");
    Ok(())
}
