//! The store's errors, in words its callers can act on. A backend's own
//! error (SQLite's, later another's) is kept as the opaque cause of a
//! `StoreError`: it is logged, never matched on or shown.

use crate::tickets::Refusal;

/// The cause of a failure, as the backend reported it.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A storage operation failed: the database is unreachable or busy for
/// longer than the backend waits, a statement failed, a row does not
/// decode. No caller acts differently on these, so they are one error; "not
/// found" is not a failure and comes back as `None` or `false`.
#[derive(Debug, thiserror::Error)]
#[error("the database failed")]
pub struct StoreError(#[source] Cause);

impl StoreError {
    /// Wraps a backend's own error.
    pub fn new(cause: impl Into<Cause>) -> Self {
        Self(cause.into())
    }

    /// The backend's own description of what went wrong, for the log.
    pub fn cause(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self.0.as_ref()
    }
}

/// Why a budgeted read (the queue's search and filters) gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum BudgetError {
    /// The read needed more than its budget; asking for less will help.
    #[error("the query needed more than its time budget")]
    OverBudget,
    #[error(transparent)]
    Database(#[from] StoreError),
}

/// Why an action did not happen: the rules refused it, or the database failed.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("refused: {0}")]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Database(#[from] StoreError),
}

/// Why a staff member could not be added.
#[derive(Debug, thiserror::Error)]
pub enum AddStaffError {
    #[error("a staff member with that email already exists")]
    EmailTaken,
    #[error(transparent)]
    Database(#[from] StoreError),
}

/// Why a view was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveViewError {
    #[error("a view has that name")]
    NameTaken,
    #[error("the team keeps as many views as it may")]
    TooMany,
    #[error(transparent)]
    Database(#[from] StoreError),
}

/// Why an admin's change to a staff account did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AccountChangeError {
    #[error("refused: {0}")]
    Refused(#[from] crate::staff::AccountRefusal),
    #[error(transparent)]
    Database(#[from] StoreError),
}
