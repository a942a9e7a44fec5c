//! Support staff: who they are, their roles, and their passwords.

mod password;
mod role;

pub use password::{MIN_PASSWORD_CHARS, Password, PasswordHash, hash_password, verify_password};
pub use role::Role;

/// A staff member as the rest of the app sees them; never carries the hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
}
