//! Giving the ticket workflow a command from a page, and what its answer
//! means for the response: the one place the store's `ActionError` is
//! translated for people.

use crate::error::{AppError, Result};
use crate::staff::StaffMember;
use crate::store::ActionError;
use crate::tickets::workflow::{Actor, Request};
use crate::tickets::{Outcome, Refusal};
use crate::web::AppState;

/// The workflow's actor for a signed-in staff member.
pub(crate) fn staff_actor(me: &StaffMember) -> Actor {
    Actor::Staff {
        id: me.id,
        role: me.role,
    }
}

/// Applies a request. A missing ticket is a 404, a role rule a 403 and a
/// database failure an error page; any other refusal comes back for the page
/// to show beside the form (`Ok(Err(refusal))`).
pub(crate) async fn apply(
    state: &AppState,
    request: Request,
) -> Result<std::result::Result<Outcome, Refusal>> {
    match state
        .store
        .apply(&request, &state.config.response_targets)
        .await
    {
        Ok(outcome) => Ok(Ok(outcome)),
        Err(ActionError::Refused(Refusal::TicketNotFound)) => Err(AppError::NotFound),
        Err(ActionError::Refused(Refusal::NotAllowed)) => Err(AppError::Forbidden),
        Err(ActionError::Refused(refusal)) => Ok(Err(refusal)),
        Err(ActionError::Database(e)) => Err(e.into()),
    }
}

/// As [`apply`], the staged `files` going with the message the request
/// writes (`Refusal::FilesFull` past the deployment's limits).
pub(crate) async fn apply_with_files(
    state: &AppState,
    request: Request,
    files: &[uuid::Uuid],
) -> Result<std::result::Result<Outcome, Refusal>> {
    let limits = state.config.attachments.limits();
    match state
        .store
        .apply_with_files(&request, &state.config.response_targets, files, &limits)
        .await
    {
        Ok(outcome) => Ok(Ok(outcome)),
        Err(ActionError::Refused(Refusal::TicketNotFound)) => Err(AppError::NotFound),
        Err(ActionError::Refused(Refusal::NotAllowed)) => Err(AppError::Forbidden),
        Err(ActionError::Refused(refusal)) => Ok(Err(refusal)),
        Err(ActionError::Database(e)) => Err(e.into()),
    }
}
