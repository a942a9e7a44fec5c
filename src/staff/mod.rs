//! Support staff: who they are, their roles, and their passwords.

mod account;
mod password;
mod recovery;
mod role;
mod strength;
mod totp;

pub use account::{
    AccountChange, AccountChanged, AccountRefusal, EMAIL_TAKEN, NewAccount, PasswordChangeInput,
    StaffAccount, TemporaryPassword, check_change,
};

pub use password::{
    HashingBusy, MAX_CONCURRENT_HASHES, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, Password,
    PasswordHash, hash_password, hash_password_off_thread, verify_password,
    verify_password_off_thread,
};
pub use recovery::{RECOVERY_CODES, RecoveryCode, typed_recovery_hash};
pub use role::Role;
pub use strength::PasswordOwner;
pub use totp::{OneTimeCode, StoredTotp, TotpSecret, hotp, time_step};

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
    /// The mail they asked for ("My settings"); none until chosen.
    pub notices: StaffNotices,
    /// Their password is a temporary one an admin was shown: they choose
    /// their own before anything else.
    pub must_change_password: bool,
}

/// The mail a staff member chose to get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StaffNotices {
    /// A new ticket that starts urgent.
    pub urgent: bool,
    /// A ticket someone else assigned to them.
    pub assigned: bool,
}

/// A staff member ready to be stored: the email and name checked, the
/// password hashed. The store adds it; the caller says so.
#[derive(Debug)]
pub struct NewStaffMember {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub hash: PasswordHash,
    /// The password is a temporary one (made up for an admin to hand over):
    /// it is to be replaced at the first sign-in. `check` leaves it false.
    pub must_change_password: bool,
}

/// Why a staff member cannot be added as given.
#[derive(Debug, thiserror::Error)]
pub enum NewStaffError {
    #[error("{0:?} is not a valid email address")]
    Email(String),
    #[error("the name must not be empty")]
    EmptyName,
    #[error("{0}")]
    Password(String),
    #[error(transparent)]
    Hashing(#[from] anyhow::Error),
}

impl NewStaffMember {
    /// Checks the email and the password rules, then hashes the password
    /// (off the async threads: hashing is deliberately slow).
    pub async fn check(
        email: &str,
        name: &str,
        role: Role,
        password: String,
    ) -> Result<Self, NewStaffError> {
        use validator::ValidateEmail;
        let email = email.trim();
        let name = name.trim();
        if !email.validate_email() {
            return Err(NewStaffError::Email(email.to_string()));
        }
        if name.is_empty() {
            return Err(NewStaffError::EmptyName);
        }
        let owner = PasswordOwner::new(email, name);
        let password = Password::new_off_thread(password, owner)
            .await?
            .map_err(NewStaffError::Password)?;
        let hash = hash_password_off_thread(password).await?;
        Ok(Self {
            email: email.to_string(),
            name: name.to_string(),
            role,
            hash,
            must_change_password: false,
        })
    }

    /// The member as stored under `id`: enabled, showing times in UTC.
    pub fn stored_as(self, id: i64) -> StaffMember {
        StaffMember {
            id,
            email: self.email,
            name: self.name,
            role: self.role,
            disabled: false,
            time_zone: crate::domain::Zone::utc(),
            notices: StaffNotices::default(),
            must_change_password: self.must_change_password,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_new_member_needs_an_email_a_name_and_a_good_password() {
        let long = "correct horse battery staple".to_string();
        let err = |r: Result<NewStaffMember, NewStaffError>| r.unwrap_err().to_string();
        assert_eq!(
            err(NewStaffMember::check("nope", "Ann", Role::Agent, long.clone()).await),
            "\"nope\" is not a valid email address"
        );
        assert_eq!(
            err(NewStaffMember::check("a@b.test", "  ", Role::Agent, long.clone()).await),
            "the name must not be empty"
        );
        assert!(
            err(NewStaffMember::check("a@b.test", "Ann", Role::Agent, "short".into()).await)
                .starts_with("The password must be at least")
        );
        // The rules know whose password it is.
        assert!(
            err(NewStaffMember::check(
                "ann.lee@b.test",
                "Ann Lee",
                Role::Agent,
                "ann.lee2024!!".into()
            )
            .await)
            .contains("your name or your email")
        );
        let member = NewStaffMember::check(" a@b.test ", " Ann ", Role::Admin, long)
            .await
            .unwrap()
            .stored_as(7);
        assert_eq!(
            (member.id, member.email.as_str(), member.name.as_str()),
            (7, "a@b.test", "Ann")
        );
        assert_eq!(member.role, Role::Admin);
        assert!(!member.disabled);
    }
}
