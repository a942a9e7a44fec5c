//! The rules for managing staff accounts on pages: what an admin may change
//! about someone's account, what a new account and a changed password must
//! be, and the temporary passwords admins hand out. The store applies a
//! change only once [`check_change`] allows it, inside the transaction that
//! counted the active admins.

use std::fmt;

use time::OffsetDateTime;

use super::{Password, PasswordHash, PasswordOwner, Role, StaffMember};
use crate::tickets::FieldErrors;

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_EMAIL_CHARS: usize = 254;

/// A staff account as the admin pages list it.
#[derive(Debug, Clone)]
pub struct StaffAccount {
    pub member: StaffMember,
    pub created_at: OffsetDateTime,
    pub disabled_at: Option<OffsetDateTime>,
    /// When they last signed in; `None` when they never have (or did so
    /// only before sign-ins were recorded, with no session left).
    pub last_sign_in_at: Option<OffsetDateTime>,
}

/// What an admin changes about someone's account.
#[derive(Debug, Clone)]
pub enum AccountChange {
    SetRole(Role),
    /// They cannot sign in, and every session of theirs ends.
    Disable,
    Enable,
    /// A temporary password, to be changed at the next sign-in; every
    /// session of theirs ends.
    ResetPassword(PasswordHash),
}

impl AccountChange {
    /// The name the audit log gives the change.
    pub fn audit_name(&self) -> &'static str {
        match self {
            Self::SetRole(_) => "role_changed",
            Self::Disable => "disabled",
            Self::Enable => "enabled",
            Self::ResetPassword(_) => "password_reset",
        }
    }
}

/// A change made: the account as it was before, and how many of its
/// sessions ended with it.
#[derive(Debug, Clone)]
pub struct AccountChanged {
    pub before: StaffMember,
    pub sessions_ended: u64,
}

/// Why an account change is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccountRefusal {
    #[error(
        "You are the only active admin, so you cannot make yourself an agent. Make someone else an admin first."
    )]
    LastAdminDemoted,
    #[error(
        "You are the only active admin, so you cannot disable your account. Make someone else an admin first."
    )]
    LastAdminDisabled,
    #[error("To change your own password, use “Change my password”: it asks for your current one.")]
    OwnPasswordReset,
}

/// Whether the admin `actor` may make `change` to `target`, with
/// `active_admins` admins able to sign in now. No change may leave apidesk
/// without an active admin; an admin changes their own password knowing
/// the current one, never by a reset.
pub fn check_change(
    actor: i64,
    target: &StaffMember,
    active_admins: i64,
    change: &AccountChange,
) -> Result<(), AccountRefusal> {
    let last_admin = target.role.is_admin() && !target.disabled && active_admins <= 1;
    match change {
        AccountChange::SetRole(Role::Agent) if last_admin => Err(AccountRefusal::LastAdminDemoted),
        AccountChange::Disable if last_admin => Err(AccountRefusal::LastAdminDisabled),
        AccountChange::ResetPassword(_) if target.id == actor => {
            Err(AccountRefusal::OwnPasswordReset)
        }
        _ => Ok(()),
    }
}

/// A new account as typed on the admin page, checked: every mistake at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub name: String,
    pub email: String,
    pub role: Role,
}

impl NewAccount {
    pub fn check(name: &str, email: &str, role: &str) -> Result<Self, FieldErrors> {
        use validator::ValidateEmail;
        let mut errors = FieldErrors::default();
        let name = name.trim();
        let email = email.trim();
        if name.is_empty() {
            errors.add("name", "Enter their name, as colleagues know them.");
        } else if name.chars().count() > MAX_NAME_CHARS {
            errors.add(
                "name",
                format!("Shorten the name to {MAX_NAME_CHARS} characters or fewer."),
            );
        }
        if email.is_empty() {
            errors.add("email", "Enter their work email: they sign in with it.");
        } else if email.chars().count() > MAX_EMAIL_CHARS || !email.validate_email() {
            errors.add("email", "Enter an email address like name@example.com.");
        }
        let role = Role::parse(role);
        if role.is_none() {
            errors.add("role", "Choose agent or admin.");
        }
        match role {
            Some(role) if errors.is_empty() => Ok(Self {
                name: name.to_string(),
                email: email.to_string(),
                role,
            }),
            _ => Err(errors),
        }
    }
}

/// The message beside the email field when another account has it.
pub const EMAIL_TAKEN: &str =
    "Another account already uses this email. Each person signs in with their own address.";

/// "Change my password" as typed: the current password and the new one
/// twice. Never printed.
pub struct PasswordChangeInput {
    pub current: String,
    pub new: String,
    pub confirm: String,
}

impl fmt::Debug for PasswordChangeInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordChangeInput(<redacted>)")
    }
}

impl PasswordChangeInput {
    /// Checks what can be checked without the stored hash: every field
    /// given, the new password following the rules for `owner`, typed the
    /// same twice, and not the current one. The current password itself is
    /// checked against the hash afterwards. CPU work (the strength
    /// estimate): async code runs it on a blocking thread.
    pub fn check(&self, owner: &PasswordOwner) -> Result<Password, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.current.is_empty() {
            errors.add("current_password", "Enter your current password.");
        }
        let new = if self.new.is_empty() {
            errors.add("new_password", "Enter a new password.");
            None
        } else {
            match Password::new(self.new.clone(), owner) {
                Ok(password) => Some(password),
                Err(message) => {
                    errors.add("new_password", message);
                    None
                }
            }
        };
        if new.is_some() && self.new == self.current {
            errors.add(
                "new_password",
                "Choose a new password: this is the one you have now.",
            );
        }
        if new.is_some() && self.confirm != self.new {
            errors.add(
                "confirm_password",
                "The two new passwords are not the same. Type the new one again.",
            );
        }
        match new {
            Some(password) if errors.is_empty() => Ok(password),
            _ => Err(errors),
        }
    }
}

/// A password made up for someone by apidesk, shown to an admin once, and
/// replaced by its owner at their next sign-in. Its `Debug` hides it.
pub struct TemporaryPassword(String);

/// No 0/O, 1/l/I: read off a screen and typed by someone else.
const ALPHABET: &[u8] = b"23456789abcdefghijkmnpqrstuvwxyz";

impl TemporaryPassword {
    /// Four groups of five characters (100 random bits), e.g.
    /// `k7dqe-9mzta-4wvhc-p2nrs`.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 20];
        getrandom::fill(&mut bytes).expect("the operating system provides randomness");
        // 32 characters: the low five bits of each byte pick one evenly.
        let chars: Vec<char> = bytes
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
            .collect();
        let groups: Vec<String> = chars.chunks(5).map(|g| g.iter().collect()).collect();
        Self(groups.join("-"))
    }

    pub fn reveal(&self) -> &str {
        &self.0
    }

    /// As a password to hash (it meets the length rule).
    pub fn password(&self) -> Password {
        Password::offered(self.0.clone())
    }
}

impl fmt::Debug for TemporaryPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TemporaryPassword(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Zone;
    use crate::staff::{MIN_PASSWORD_CHARS, StaffNotices};

    fn member(id: i64, role: Role, disabled: bool) -> StaffMember {
        StaffMember {
            id,
            email: format!("s{id}@example.com"),
            name: format!("Staff {id}"),
            role,
            disabled,
            time_zone: Zone::utc(),
            notices: StaffNotices::default(),
            must_change_password: false,
        }
    }

    fn reset() -> AccountChange {
        AccountChange::ResetPassword(PasswordHash::from_stored("$argon2id$x".into()))
    }

    #[test]
    fn the_last_active_admin_can_be_neither_demoted_nor_disabled() {
        let me = member(1, Role::Admin, false);
        let demote = AccountChange::SetRole(Role::Agent);
        assert_eq!(
            check_change(1, &me, 1, &demote),
            Err(AccountRefusal::LastAdminDemoted)
        );
        assert_eq!(
            check_change(1, &me, 1, &AccountChange::Disable),
            Err(AccountRefusal::LastAdminDisabled)
        );
        // With another admin, either is allowed, to oneself as to others.
        assert_eq!(check_change(1, &me, 2, &demote), Ok(()));
        assert_eq!(check_change(1, &me, 2, &AccountChange::Disable), Ok(()));
        let other = member(2, Role::Admin, false);
        assert_eq!(check_change(1, &other, 2, &AccountChange::Disable), Ok(()));
        // Keeping the role, or enabling, never loses an admin.
        assert_eq!(
            check_change(1, &me, 1, &AccountChange::SetRole(Role::Admin)),
            Ok(())
        );
        assert_eq!(check_change(1, &me, 1, &AccountChange::Enable), Ok(()));
    }

    #[test]
    fn a_disabled_admin_or_an_agent_is_never_the_last_admin() {
        let disabled = member(2, Role::Admin, true);
        assert_eq!(
            check_change(1, &disabled, 1, &AccountChange::SetRole(Role::Agent)),
            Ok(())
        );
        let agent = member(3, Role::Agent, false);
        assert_eq!(check_change(1, &agent, 1, &AccountChange::Disable), Ok(()));
    }

    #[test]
    fn only_others_passwords_are_reset() {
        assert_eq!(
            check_change(1, &member(1, Role::Admin, false), 2, &reset()),
            Err(AccountRefusal::OwnPasswordReset)
        );
        assert_eq!(
            check_change(1, &member(2, Role::Agent, false), 1, &reset()),
            Ok(())
        );
    }

    #[test]
    fn a_new_account_needs_a_name_an_email_and_a_role() {
        let ok = NewAccount::check(" Alan Agent ", " alan@example.com ", "agent").unwrap();
        assert_eq!(
            ok,
            NewAccount {
                name: "Alan Agent".into(),
                email: "alan@example.com".into(),
                role: Role::Agent
            }
        );
        let errors = NewAccount::check("", "not an email", "owner").unwrap_err();
        let fields: Vec<_> = errors.iter().map(|(field, _)| field).collect();
        assert_eq!(fields, ["name", "email", "role"]);
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        assert!(
            NewAccount::check(&long, "a@example.com", "admin")
                .unwrap_err()
                .get("name")
                .unwrap()
                .contains("100")
        );
    }

    fn change(current: &str, new: &str, confirm: &str) -> Result<Password, FieldErrors> {
        PasswordChangeInput {
            current: current.into(),
            new: new.into(),
            confirm: confirm.into(),
        }
        .check(&PasswordOwner::new("ana@example.com", "Ana Agent"))
    }

    #[test]
    fn a_new_password_follows_the_rules_and_is_typed_twice() {
        let new = "a brand new passphrase";
        assert!(change("the old passphrase", new, new).is_ok());
        let errors = change("", "", "").unwrap_err();
        assert!(errors.get("current_password").is_some());
        assert_eq!(errors.get("new_password"), Some("Enter a new password."));
        let weak = change("the old passphrase", "short", "short").unwrap_err();
        assert!(
            weak.get("new_password")
                .unwrap()
                .contains(&MIN_PASSWORD_CHARS.to_string())
        );
        assert!(weak.get("confirm_password").is_none());
        let mismatch = change("the old passphrase", new, "a brand new passphrasE").unwrap_err();
        assert!(mismatch.get("confirm_password").is_some());
        let same = change(new, new, new).unwrap_err();
        assert!(
            same.get("new_password")
                .unwrap()
                .contains("the one you have now")
        );
        assert_eq!(
            format!(
                "{:?}",
                PasswordChangeInput {
                    current: "secret one".into(),
                    new: "secret two".into(),
                    confirm: "secret two".into()
                }
            ),
            "PasswordChangeInput(<redacted>)"
        );
    }

    #[test]
    fn temporary_passwords_are_long_readable_and_different_each_time() {
        let one = TemporaryPassword::generate();
        let two = TemporaryPassword::generate();
        assert_ne!(one.reveal(), two.reveal());
        assert_eq!(one.reveal().len(), 23);
        assert!(Password::new(one.reveal().to_string(), &PasswordOwner::default()).is_ok());
        assert!(
            one.reveal()
                .split('-')
                .all(|g| g.len() == 5 && g.bytes().all(|b| ALPHABET.contains(&b)))
        );
        assert_eq!(format!("{one:?}"), "TemporaryPassword(<redacted>)");
    }
}
