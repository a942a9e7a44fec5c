//! The storage seam: what the web layer, the CLI and the seed command may ask
//! of a database, in domain types only. A backend implements every trait
//! below (SQLite's lives in `sqlite/`); `Backend` names them together. The
//! traits group the methods by what they store, one trait per table family,
//! so a backend can implement them in one file each.
//!
//! Every method returns `StoreError` (or an error that wraps it) for a
//! failure; "not found" is `None` or `false`, never an error.

use std::time::Duration;

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    AccountChangeError, ActionError, AddStaffError, ApiFiled, BudgetError, InsertOutcome,
    LoginAttempt, OutboxDepth, PoolLoad, QueuePage, RequesterTicket, SaveViewError, SeedLoader,
    SeenUpTo, SimilarTicket, StoreError, Together, Viewer,
};
use crate::attachments::{Attachment, Inspected, Limits, Via};
use crate::domain::{ErrorCode, Zone};
use crate::insights::{BusyProblem, DayCount, DurationCount, WalkMark, WalkTally};
use crate::kb::Tree;
use crate::staff::{
    AccountChange, AccountChanged, NewStaffMember, PasswordHash, Role, StaffAccount, StaffMember,
    StaffNotices, StoredTotp, TotpSecret,
};
use crate::tickets::bulk::{BulkChange, BulkEdit, Undo};
use crate::tickets::incident::{Incident, NewIncident};
use crate::tickets::macros::{Macro, NewMacro};
use crate::tickets::problem::{Problem, ProblemMember};
use crate::tickets::queue::views::SavedView;
use crate::tickets::queue::{Cursor, QueueFilter, ViewCount};
use crate::tickets::workflow::{Actor, Request};
use crate::tickets::{
    BouncedAddress, Delivery, InboundMail, InboundOutcome, InboundPlan, InboundRecord, MailRecord,
    MailThread, NewTicket, Outcome, Refusal, ResponseTargets, Ticket, TicketStatus, TimelineEvent,
    Triage,
};
use crate::tokens::{ApiToken, IdempotencyKey, NewToken};
use crate::webhooks::{Attempt, DeliveryRecord, DueDelivery, Endpoint, NewEndpoint, Secret};

/// Everything a backend provides; what `Store` holds.
pub trait Backend:
    Health
    + Tickets
    + Timelines
    + Queue
    + Actions
    + StaffAccounts
    + Sessions
    + Settings
    + Deflections
    + Seeding
    + Outbox
    + Inbox
    + Incidents
    + Problems
    + ApiTokens
    + Webhooks
    + SavedViews
    + BulkEdits
    + Workspace
    + Macros
    + Insights
    + Backups
    + Attachments
    + SecondFactors
    + Send
    + Sync
{
}

impl<T> Backend for T where
    T: Health
        + Tickets
        + Timelines
        + Queue
        + Actions
        + StaffAccounts
        + Sessions
        + Settings
        + Deflections
        + Seeding
        + Outbox
        + Inbox
        + Incidents
        + Problems
        + ApiTokens
        + Webhooks
        + SavedViews
        + BulkEdits
        + Workspace
        + Macros
        + Insights
        + Backups
        + Attachments
        + SecondFactors
        + Send
        + Sync
{
}

/// Known incidents: declared and ended by staff, linked to the tickets
/// filed while they lasted.
#[async_trait]
pub trait Incidents {
    /// Stores a declared incident; returns its id. An open incident with
    /// the same title (a second submit) is returned instead of a new one.
    async fn declare_incident(
        &self,
        incident: &NewIncident,
        by: i64,
        now: OffsetDateTime,
    ) -> Result<i64, StoreError>;

    /// Ends an open incident; `false` when there is no such open one.
    async fn end_incident(&self, id: i64, by: i64, now: OffsetDateTime)
    -> Result<bool, StoreError>;

    /// The incidents still open, the latest begun first.
    async fn open_incidents(&self) -> Result<Vec<Incident>, StoreError>;

    /// Open incidents, then the `limit` latest ended.
    async fn recent_incidents(&self, limit: u32) -> Result<Vec<Incident>, StoreError>;

    async fn incident(&self, id: i64) -> Result<Option<Incident>, StoreError>;

    /// The ids of up to `limit` tickets filed during the incident, oldest
    /// first, and how many there are in all.
    async fn incident_tickets(&self, id: i64, limit: u32) -> Result<(Vec<i64>, i64), StoreError>;
}

/// Problems: tickets failing the same way, grouped as `tickets::problem`
/// says when each is filed (`Tickets::insert_ticket`).
#[async_trait]
pub trait Problems {
    async fn problem(&self, id: i64) -> Result<Option<Problem>, StoreError>;

    /// Up to `limit` of a problem's tickets, oldest first.
    async fn problem_members(&self, id: i64, limit: u32) -> Result<Vec<ProblemMember>, StoreError>;

    /// The folded members of the problems these tickets lead (none for a
    /// ticket that leads none), the tickets acting on a lead's queue row
    /// also acts on; with `unsettled_only`, only those neither resolved,
    /// closed nor merged.
    async fn folded_members(
        &self,
        leads: &[i64],
        unsettled_only: bool,
    ) -> Result<Vec<i64>, StoreError>;
}

/// API tokens, and the tickets they file.
#[async_trait]
pub trait ApiTokens {
    /// Stores a new token (its hash only) for the admin `by`.
    async fn create_token(
        &self,
        new: &NewToken,
        hash: &str,
        prefix: &str,
        by: i64,
        now: OffsetDateTime,
    ) -> Result<ApiToken, StoreError>;

    /// The token with this hash, revoked or not.
    async fn token_by_hash(&self, hash: &str) -> Result<Option<ApiToken>, StoreError>;

    /// Every token, the newest first.
    async fn tokens(&self) -> Result<Vec<ApiToken>, StoreError>;

    /// Revokes a token at once; `false` when there is no such token still
    /// in force.
    async fn revoke_token(&self, id: i64, now: OffsetDateTime) -> Result<bool, StoreError>;

    /// Records that the token was used (written at most once a minute).
    async fn touch_token(&self, id: i64, now: OffsetDateTime) -> Result<(), StoreError>;

    /// Files a ticket for a token, as `Tickets::insert_ticket` does, its
    /// `created` event marked as the token's. With an Idempotency-Key, in
    /// the same transaction: a key the token used within
    /// `tokens::IDEMPOTENCY_WINDOW` returns its ticket (same body) or a
    /// refusal (another body) instead of filing.
    async fn file_with_token(
        &self,
        ticket: &NewTicket,
        triage: &Triage,
        now: OffsetDateTime,
        token: i64,
        key: Option<&IdempotencyKey>,
    ) -> Result<ApiFiled, StoreError>;
}

/// The database itself: is it there, and letting it go at shutdown.
#[async_trait]
pub trait Health {
    /// Answers whether the database responds to a trivial query.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Waits for work in progress and closes every connection.
    async fn close(&self);

    /// The connection pool's size and idle connections, for `/metrics`.
    fn pool_load(&self) -> PoolLoad;

    /// Mail and webhook deliveries still to be sent, for `/metrics`.
    async fn outbox_depth(&self) -> Result<OutboxDepth, StoreError>;
}

/// Filed tickets: filing one, and reading one back.
#[async_trait]
pub trait Tickets {
    /// Stores a new ticket and its `created` event; a repeated submit of the
    /// same form finds the ticket the first one filed. Durable before it
    /// returns, so the caller may acknowledge the ticket.
    async fn insert_ticket(
        &self,
        ticket: &NewTicket,
        triage: &Triage,
        now: OffsetDateTime,
    ) -> Result<InsertOutcome, StoreError>;

    async fn count_tickets(&self) -> Result<i64, StoreError>;

    async fn ticket_by_id(&self, id: i64) -> Result<Option<Ticket>, StoreError>;

    async fn ticket_by_token(&self, token: Uuid) -> Result<Option<Ticket>, StoreError>;
}

/// A ticket's surroundings for its pages.
#[async_trait]
pub trait Timelines {
    /// The most recent tickets sharing this one's similar key, itself left out.
    async fn similar_tickets(
        &self,
        ticket: &Ticket,
        limit: i64,
    ) -> Result<Vec<SimilarTicket>, StoreError>;

    /// Every event of a ticket, for staff, oldest first.
    async fn ticket_timeline(&self, id: i64) -> Result<Vec<TimelineEvent>, StoreError>;

    /// Only the events the requester may see, oldest first: internal notes
    /// never reach the requester's page.
    async fn public_timeline(&self, id: i64) -> Result<Vec<TimelineEvent>, StoreError>;
}

/// The triage queue: filtered, sorted views read by keyset, each read
/// stopped once it needs more than its time `budget`.
#[async_trait]
pub trait Queue {
    /// One page of the queue. `me` is the signed-in staff member (for
    /// "assigned to me"); `now` decides what is overdue.
    async fn queue_page(
        &self,
        filter: &QueueFilter,
        me: i64,
        now: OffsetDateTime,
        limit: i64,
        budget: Duration,
    ) -> Result<QueuePage, BudgetError>;

    /// Up to `limit` whole tickets of the view after its cursor, each with
    /// its assignee's name, and where the next batch starts.
    async fn export_batch(
        &self,
        filter: &QueueFilter,
        me: i64,
        now: OffsetDateTime,
        limit: i64,
        budget: Duration,
    ) -> Result<(Vec<(Ticket, Option<String>)>, Option<Cursor>), BudgetError>;

    /// How many tickets the view holds (its cursor and sort aside), or
    /// `ViewCount::Unknown` if counting would need more than `budget`.
    async fn count_view(
        &self,
        filter: &QueueFilter,
        me: i64,
        budget: Duration,
    ) -> Result<ViewCount, StoreError>;

    /// How many tickets have each status, in the order of `STATUSES`.
    async fn status_counts(&self) -> Result<Vec<(TicketStatus, i64)>, StoreError>;
}

/// Changes to filed tickets, decided by `tickets::workflow`.
#[async_trait]
pub trait Actions {
    /// Applies one command atomically: the ticket's state is read, the
    /// workflow decides, and the change and its events are written together.
    async fn apply(
        &self,
        request: &Request,
        targets: &ResponseTargets,
    ) -> Result<Outcome, ActionError>;

    /// Applies each request as `apply` would, on its own: a refused one
    /// changes nothing and the rest go on. Many share a transaction, so one
    /// action on many tickets (a problem's answer, a bulk action) costs a
    /// few commits rather than one each. The outcomes, in order.
    async fn apply_each(
        &self,
        requests: &[Request],
        targets: &ResponseTargets,
    ) -> Result<Vec<Result<Outcome, Refusal>>, StoreError>;
}

/// Staff accounts.
#[async_trait]
pub trait StaffAccounts {
    /// Stores a checked new member; returns them as now stored.
    async fn add_staff_member(
        &self,
        new: NewStaffMember,
        now: OffsetDateTime,
    ) -> Result<StaffMember, AddStaffError>;

    async fn add_staff(
        &self,
        email: &str,
        name: &str,
        role: Role,
        hash: &PasswordHash,
        now: OffsetDateTime,
    ) -> Result<i64, AddStaffError>;

    /// Disables the account and ends all its sessions, together. False when
    /// there is no such account.
    async fn disable_staff(&self, email: &str, now: OffsetDateTime) -> Result<bool, StoreError>;

    /// The account and its password hash, for signing in.
    async fn staff_credentials(
        &self,
        email: &str,
    ) -> Result<Option<(StaffMember, PasswordHash)>, StoreError>;

    async fn staff_by_id(&self, id: i64) -> Result<Option<StaffMember>, StoreError>;

    async fn set_staff_time_zone(&self, id: i64, zone: &Zone) -> Result<(), StoreError>;

    /// Which mail the staff member gets.
    async fn set_staff_notices(&self, id: i64, notices: StaffNotices) -> Result<(), StoreError>;

    async fn staff_emails(&self) -> Result<Vec<String>, StoreError>;

    /// Replaces an account's password hash; false when there is no such
    /// account.
    async fn set_staff_password(
        &self,
        email: &str,
        hash: &PasswordHash,
    ) -> Result<bool, StoreError>;

    async fn active_staff(&self) -> Result<Vec<StaffMember>, StoreError>;

    /// Every account for the admin pages: active ones first, each by name.
    async fn staff_accounts(&self) -> Result<Vec<StaffAccount>, StoreError>;

    async fn staff_account(&self, id: i64) -> Result<Option<StaffAccount>, StoreError>;

    /// How many tickets not yet resolved (new, open or waiting) are
    /// assigned to the staff member.
    async fn open_tickets_assigned(&self, id: i64) -> Result<i64, StoreError>;

    /// Makes the admin `actor`'s change to account `id` if
    /// `staff::check_change` allows it, the active admins counted in the
    /// same write transaction (two admins demoting each other at once
    /// cannot both succeed). Disabling and resetting the password end every
    /// session of the account. `None` when there is no such account.
    async fn change_staff_account(
        &self,
        actor: i64,
        id: i64,
        change: &AccountChange,
        now: OffsetDateTime,
    ) -> Result<Option<AccountChanged>, AccountChangeError>;

    /// A member's own new password: stored, no longer to be changed, and
    /// every session of theirs but `keep_session` (a session id's hash)
    /// ended, together. Returns how many sessions ended.
    async fn change_own_password(
        &self,
        id: i64,
        hash: &PasswordHash,
        keep_session: &str,
    ) -> Result<u64, StoreError>;
}

/// Staff sessions and sign-in throttling.
#[async_trait]
pub trait Sessions {
    /// A new session for a sign-in, recorded as the member's latest sign-in.
    async fn create_session(
        &self,
        id_hash: &str,
        staff_id: i64,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// The member a live session belongs to: not idle longer than `idle`,
    /// not older than `absolute`, the account still active.
    async fn session_staff(
        &self,
        id_hash: &str,
        now: OffsetDateTime,
        idle: time::Duration,
        absolute: time::Duration,
    ) -> Result<Option<StaffMember>, StoreError>;

    async fn end_session(&self, id_hash: &str) -> Result<(), StoreError>;

    /// Records a sign-in attempt as a failure in every scope, or `None` when
    /// any scope already has its limit of attempts since `since`; the count
    /// and the record are one atomic step, so parallel attempts cannot all
    /// pass the check. Counts as a failure until released.
    async fn reserve_login_attempt(
        &self,
        limits: &[(&str, i64)],
        since: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Option<LoginAttempt>, StoreError>;

    /// Takes back a reserved attempt: it succeeded, or was never evaluated.
    async fn release_login_attempt(&self, attempt: LoginAttempt) -> Result<(), StoreError>;

    async fn login_failures_since(
        &self,
        scope: &str,
        since: OffsetDateTime,
    ) -> Result<i64, StoreError>;

    async fn clear_login_failures(&self, scope: &str) -> Result<(), StoreError>;

    /// When every scope is back under its limit of failures since `since`:
    /// the moment its `limit`-th newest failure is `window` old. `None` when
    /// none is at its limit now.
    async fn login_retry_at(
        &self,
        limits: &[(&str, i64)],
        since: OffsetDateTime,
        window: time::Duration,
    ) -> Result<Option<OffsetDateTime>, StoreError>;
}

/// Staff members' second factor: the authenticator's secret, the recovery
/// codes (as hashes), and the short step between a right password and the
/// code. Whatever is "taken" (a code's step, a recovery code) is taken in
/// one atomic write, so two requests with the same code cannot both pass.
#[async_trait]
pub trait SecondFactors {
    /// The member's authenticator, on or still being set up.
    async fn staff_totp(&self, staff_id: i64) -> Result<Option<StoredTotp>, StoreError>;

    /// Keeps `secret` as the member's authenticator being set up, replacing
    /// one not yet confirmed. False (nothing changed) when one is on.
    async fn begin_totp(
        &self,
        staff_id: i64,
        secret: &TotpSecret,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Turns on the authenticator being set up with `secret`, the step of
    /// its confirming code taken, and `recovery_hashes` as the member's
    /// only recovery codes. False when no such one is waiting (set up
    /// again in another tab, or already on).
    async fn enable_totp(
        &self,
        staff_id: i64,
        secret: &TotpSecret,
        step: i64,
        recovery_hashes: &[String],
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Takes `step` as used if the authenticator is on and `step` comes
    /// after the last step taken; false otherwise (a replayed code).
    async fn take_totp_step(&self, staff_id: i64, step: i64) -> Result<bool, StoreError>;

    /// Marks the unused recovery code with this hash used, and returns how
    /// many unused ones are left; `None` when there is no such unused code.
    async fn take_recovery_code(
        &self,
        staff_id: i64,
        hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<i64>, StoreError>;

    async fn recovery_codes_left(&self, staff_id: i64) -> Result<i64, StoreError>;

    /// Replaces every recovery code of a member whose authenticator is on;
    /// false (nothing changed) when it is not.
    async fn replace_recovery_codes(
        &self,
        staff_id: i64,
        hashes: &[String],
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Removes the member's authenticator (on or being set up), recovery
    /// codes and waiting sign-in steps; false when there was none.
    async fn remove_totp(&self, staff_id: i64) -> Result<bool, StoreError>;

    /// Records a browser waiting to give the code for `staff_id`, under
    /// the hash of its cookie, until `expires_at`; then `next` is where it
    /// goes. Expired ones are cleared on the way.
    async fn create_sign_in_challenge(
        &self,
        id_hash: &str,
        staff_id: i64,
        next: &str,
        expires_at: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// The staff id and `next` of a waiting sign-in not yet expired.
    async fn sign_in_challenge(
        &self,
        id_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<(i64, String)>, StoreError>;

    async fn end_sign_in_challenge(&self, id_hash: &str) -> Result<(), StoreError>;
}

/// Settings the application keeps for itself (the CSRF key).
#[async_trait]
pub trait Settings {
    /// The stored value, or `make()`'s, stored first if none was.
    async fn setting_or_insert(
        &self,
        key: &str,
        make: fn() -> String,
    ) -> Result<String, StoreError>;
}

/// Diagnosis steps that answered a visitor's question.
#[async_trait]
pub trait Deflections {
    /// Counts one "yes, fixed" for a step of a code's tree, at most once per
    /// visitor and step within the backend's window (30 days for SQLite);
    /// returns whether it counted. An earlier step id counts for the step that replaced it.
    async fn record_deflection(
        &self,
        tree: &Tree,
        step_id: &str,
        visitor_hash: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    async fn deflection_count(&self, tree: &Tree, step_id: &str) -> Result<i64, StoreError>;
}

/// Bulk loading for `apidesk seed`.
#[async_trait]
pub trait Seeding {
    /// A writer for large batches, with settings of its own that never reach
    /// the connections serving requests. Into an empty database it may
    /// load faster by building indexes and tallies at the end; `row_by_row`
    /// takes the path a database with tickets gets instead.
    async fn seed_loader(&self, row_by_row: bool) -> Result<SeedLoader, StoreError>;
}

/// Mail to requesters. The store writes it together with the events that
/// cause it (`Tickets::insert_ticket`, `Actions::apply`), in their
/// transaction; `mail::delivery` sends what is pending and records how each
/// attempt went.
#[async_trait]
pub trait Outbox {
    /// Pending mail due at `now`, the longest-waiting first, at most `limit`.
    async fn due_mail(
        &self,
        now: OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<MailRecord>, StoreError>;

    /// When the next pending mail is due, if any is pending.
    async fn next_mail_due(&self) -> Result<Option<OffsetDateTime>, StoreError>;

    /// Every mail about a ticket, oldest first.
    async fn ticket_mail(&self, ticket_id: i64) -> Result<Vec<MailRecord>, StoreError>;

    /// One mail, if there is such a mail.
    async fn mail_by_id(&self, mail_id: i64) -> Result<Option<MailRecord>, StoreError>;

    /// Records one delivery attempt and moves the mail on as it says.
    async fn record_delivery(
        &self,
        mail_id: i64,
        at: OffsetDateTime,
        delivery: &Delivery,
    ) -> Result<(), StoreError>;

    /// "Email me my tickets": one mail to the address linking its tickets
    /// still in progress (new, open, waiting), written unless it has none;
    /// not sent when mail is off or the address had its fill this hour.
    /// `None` when there was nothing to write. Whatever it returns, a page
    /// must say the same, or it would tell who has tickets.
    async fn mail_ticket_links(
        &self,
        email: &str,
        now: OffsetDateTime,
    ) -> Result<Option<MailRecord>, StoreError>;

    /// A new copy of a ticket's mail, to be sent now (staff pressing
    /// "resend"); `None` when the ticket has no such mail.
    async fn resend_mail(
        &self,
        ticket_id: i64,
        mail_id: i64,
        now: OffsetDateTime,
    ) -> Result<Option<MailRecord>, StoreError>;
}

/// Mail apidesk receives. Each message is recorded once, with what was done
/// with it, in the same transaction as whatever it did to its ticket.
#[async_trait]
pub trait Inbox {
    /// The ticket named by the newest of apidesk's mails whose Message-ID
    /// key is among `message_keys` (what a received mail answers).
    async fn mail_thread(&self, message_keys: &[String]) -> Result<Option<MailThread>, StoreError>;

    /// Records `mail` and carries out `plan`, all or nothing. `Ok(None)`:
    /// this message was taken before, and nothing is done again.
    async fn take_mail(
        &self,
        mail: &InboundMail,
        plan: &InboundPlan,
        targets: &ResponseTargets,
    ) -> Result<Option<InboundOutcome>, StoreError>;

    /// The mail received for a ticket, oldest first.
    async fn ticket_inbound(&self, ticket_id: i64) -> Result<Vec<InboundRecord>, StoreError>;

    /// The latest received mail, whatever became of it, newest first.
    async fn recent_inbound(&self, limit: u32) -> Result<Vec<InboundRecord>, StoreError>;

    /// Whether mail to `address` last came back undeliverable.
    async fn bounced_address(&self, address: &str) -> Result<Option<BouncedAddress>, StoreError>;

    /// How many mails from `sender` (any case) were received after `since`,
    /// whatever became of them.
    async fn mail_from_sender_since(
        &self,
        sender: &str,
        since: OffsetDateTime,
    ) -> Result<u64, StoreError>;
}

/// Webhooks: endpoints admins register, and deliveries to them. The store
/// writes deliveries with the events that cause them, in their transaction
/// (`Tickets::insert_ticket`, `Actions::apply`, the incident methods);
/// `webhooks::delivery` sends what is due and records each attempt.
#[async_trait]
pub trait Webhooks {
    /// Stores a checked endpoint registered by staff member `by`; its id.
    async fn add_webhook_endpoint(
        &self,
        endpoint: &NewEndpoint,
        by: i64,
        now: OffsetDateTime,
    ) -> Result<i64, StoreError>;

    /// Every endpoint, active ones first, the newest first.
    async fn webhook_endpoints(&self) -> Result<Vec<Endpoint>, StoreError>;

    /// The endpoint's whole secret, the first time it is asked for only
    /// (the page that follows its registration); `None` ever after.
    async fn reveal_webhook_secret(&self, id: i64) -> Result<Option<Secret>, StoreError>;

    /// Disables an active endpoint, giving up its pending deliveries;
    /// `false` when there is no such active endpoint.
    async fn disable_webhook_endpoint(
        &self,
        id: i64,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Pending deliveries due at `now` with their endpoints, the
    /// longest-waiting first, at most `limit` in all and `per_endpoint` to
    /// any one endpoint (so that one with a backlog cannot hold up the rest).
    async fn due_webhook_deliveries(
        &self,
        now: OffsetDateTime,
        limit: u32,
        per_endpoint: u32,
    ) -> Result<Vec<DueDelivery>, StoreError>;

    /// Records one attempt at a delivery and moves it on as it says.
    async fn record_webhook_attempt(
        &self,
        id: i64,
        at: OffsetDateTime,
        attempt: &Attempt,
    ) -> Result<(), StoreError>;

    /// The latest deliveries to every endpoint, newest first.
    async fn recent_webhook_deliveries(
        &self,
        limit: u32,
    ) -> Result<Vec<DeliveryRecord>, StoreError>;
}

/// Named queue views shared by the team, and each person's default.
#[async_trait]
pub trait SavedViews {
    /// Every view: those apidesk starts with first, then by name.
    async fn saved_views(&self) -> Result<Vec<SavedView>, StoreError>;

    /// Saves a view (its name already checked); its id.
    async fn save_view(
        &self,
        name: &str,
        query: &str,
        by: i64,
        at: OffsetDateTime,
    ) -> Result<i64, SaveViewError>;

    async fn saved_view(&self, id: i64) -> Result<Option<SavedView>, StoreError>;

    /// Whether there was such a view to delete.
    async fn delete_view(&self, id: i64) -> Result<bool, StoreError>;

    /// The view a person's queue opens on, if they chose one.
    async fn default_view(&self, staff_id: i64) -> Result<Option<SavedView>, StoreError>;

    /// Sets or clears (`None`) a person's default view; false if the view
    /// no longer exists.
    async fn set_default_view(&self, staff_id: i64, view: Option<i64>) -> Result<bool, StoreError>;
}

/// Bulk edits from the queue, undoable by their author for a short while
/// (`tickets::bulk`).
#[async_trait]
pub trait BulkEdits {
    /// Applies `change` to each ticket as `actor` (the staff member
    /// `staff_id`) and records the edit; returns its id. `staff_names`
    /// names assignees in the edit's summary.
    #[allow(clippy::too_many_arguments)]
    async fn apply_bulk(
        &self,
        actor: Actor,
        staff_id: i64,
        tickets: &[i64],
        change: &BulkChange,
        staff_names: &[(i64, String)],
        targets: &ResponseTargets,
        at: OffsetDateTime,
    ) -> Result<i64, StoreError>;

    /// A bulk edit, if it is this person's.
    async fn bulk_edit(&self, id: i64, staff_id: i64) -> Result<Option<BulkEdit>, StoreError>;

    /// Undoes the edit for its author, if still within its window.
    async fn undo_bulk(
        &self,
        id: i64,
        actor: Actor,
        staff_id: i64,
        targets: &ResponseTargets,
        now: OffsetDateTime,
    ) -> Result<Undo, StoreError>;
}

/// The ticket page as a workspace: several commands applied together, who
/// else has the ticket open, and the requester's other tickets.
#[async_trait]
pub trait Workspace {
    /// Applies every request in one `BEGIN IMMEDIATE` transaction, in
    /// order, each as `Actions::apply` would: all of them or, when one is
    /// refused, none. With `seen`, refuses first (`Together::Stale`) when
    /// anyone but `seen.staff_id` has added an event to a request's ticket
    /// after `seen.event_id`. Staged `files` go with the message written
    /// (`Refusal::FilesFull` past `limits`).
    async fn apply_together(
        &self,
        requests: &[Request],
        targets: &ResponseTargets,
        seen: Option<SeenUpTo>,
        files: &[Uuid],
        limits: &Limits,
    ) -> Result<Together, StoreError>;

    /// Records that a staff member has the ticket open now.
    async fn touch_viewer(
        &self,
        ticket_id: i64,
        staff_id: i64,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// The staff members, other than `except`, who opened the ticket at or
    /// after `since`, the most recent first.
    async fn recent_viewers(
        &self,
        ticket_id: i64,
        except: i64,
        since: OffsetDateTime,
    ) -> Result<Vec<Viewer>, StoreError>;

    /// The requester's tickets (same address, in any case) other than
    /// `except`, the newest first, at most `limit`.
    async fn requester_tickets(
        &self,
        email: &str,
        except: i64,
        limit: u32,
    ) -> Result<Vec<RequesterTicket>, StoreError>;
}

/// Canned replies staff share.
#[async_trait]
pub trait Macros {
    /// Every macro, by title.
    async fn macros(&self) -> Result<Vec<Macro>, StoreError>;

    async fn macro_by_id(&self, id: i64) -> Result<Option<Macro>, StoreError>;

    /// Stores a checked macro written by staff member `by`; its id.
    async fn add_macro(
        &self,
        new: &NewMacro,
        by: i64,
        now: OffsetDateTime,
    ) -> Result<i64, StoreError>;

    /// Replaces a macro's content; `false` when there is no such macro.
    async fn update_macro(
        &self,
        id: i64,
        new: &NewMacro,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Deletes a macro; `false` when there is no such macro.
    async fn delete_macro(&self, id: i64) -> Result<bool, StoreError>;
}

/// The tallies behind the team lead's insights, each kept per UTC day as
/// things happen (tickets filed, answered and resolved by the database
/// itself; walks by `record_walk`), so that a range of days reads rows per
/// day, never the tickets.
#[async_trait]
pub trait Insights {
    /// When walks began to be recorded (the first start of the version
    /// that records them).
    async fn insights_since(&self) -> Result<Option<OffsetDateTime>, StoreError>;

    /// Counts what a visitor did at a step of a code's tree, once per
    /// visitor (a hash of something only their browser holds), step and
    /// UTC day; returns whether it counted. The step must be one of the
    /// tree's, as the caller found it.
    async fn record_walk(
        &self,
        code: ErrorCode,
        step_id: &str,
        mark: WalkMark,
        visitor_hash: &str,
        at: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// The walk tallies of the days from `from` to `to`, both included.
    async fn walk_tallies(
        &self,
        from: time::Date,
        to: time::Date,
    ) -> Result<Vec<WalkTally>, StoreError>;

    /// Tickets filed per day and code, from `from` to `to`.
    async fn tickets_per_day(
        &self,
        from: time::Date,
        to: time::Date,
    ) -> Result<Vec<DayCount>, StoreError>;

    /// First responses and resolutions per priority and duration band, of
    /// the days from `from` to `to` (the day of the response or resolution).
    async fn duration_counts(
        &self,
        from: time::Date,
        to: time::Date,
    ) -> Result<Vec<DurationCount>, StoreError>;

    /// Tickets new, open or waiting, by age at `now`: one count per band of
    /// `limits` (each an upper limit, ascending) and one for older ones.
    async fn open_tickets_by_age(
        &self,
        now: OffsetDateTime,
        limits: &[time::Duration],
    ) -> Result<Vec<i64>, StoreError>;

    /// The `limit` problems with the most tickets filed from `from` to `to`,
    /// the most first.
    async fn busiest_problems(
        &self,
        from: time::Date,
        to: time::Date,
        limit: u32,
    ) -> Result<Vec<BusyProblem>, StoreError>;
}

/// Copies of the whole database (`apidesk backup`).
#[async_trait]
pub trait Backups {
    /// Writes a consistent copy of the live database to `to` (a file that
    /// must not exist yet) while writes go on.
    async fn backup_to(&self, to: &std::path::Path) -> Result<super::Copied, StoreError>;
}

/// Attached files: kept once per content, staged until the ticket or
/// message they came with is stored, then part of it.
#[async_trait]
pub trait Attachments {
    /// Keeps inspected files, staged until `until`: they belong to nothing
    /// yet. In the order given.
    async fn stage_files(
        &self,
        files: &[Inspected],
        via: Via,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<Vec<Attachment>, StoreError>;

    /// Those of `ids` that are still staged, in the order given.
    async fn staged_files(&self, ids: &[Uuid]) -> Result<Vec<Attachment>, StoreError>;

    /// Files a ticket holds, oldest first; with `public_only`, only those
    /// that came with an event its requester may see.
    async fn ticket_files(
        &self,
        ticket: i64,
        public_only: bool,
    ) -> Result<Vec<Attachment>, StoreError>;

    /// One of a ticket's files and its stored bytes (or its thumbnail's),
    /// as `ticket_files` would list it.
    async fn ticket_file(
        &self,
        ticket: i64,
        file: Uuid,
        public_only: bool,
        thumbnail: bool,
    ) -> Result<Option<(Attachment, Vec<u8>)>, StoreError>;

    /// Files a new ticket as `Tickets::insert_ticket` does, the staged
    /// `files` with it; a repeated submit binds nothing again.
    async fn insert_ticket_with_files(
        &self,
        ticket: &NewTicket,
        triage: &Triage,
        now: OffsetDateTime,
        files: &[Uuid],
        limits: &Limits,
    ) -> Result<InsertOutcome, ActionError>;

    /// Applies one command as `Actions::apply` does, the staged `files`
    /// with the message it writes. Refused (`Refusal::FilesFull`) when the
    /// ticket would hold more than `limits` allow.
    async fn apply_with_files(
        &self,
        request: &Request,
        targets: &ResponseTargets,
        files: &[Uuid],
        limits: &Limits,
    ) -> Result<Outcome, ActionError>;

    /// Files a ticket for an API token as `ApiTokens::file_with_token`
    /// does (its Idempotency-Key too), the staged `files` with it; a replay
    /// binds nothing. Refused (`Refusal::FilesFull`) past `limits`.
    #[allow(clippy::too_many_arguments)]
    async fn file_with_token_and_files(
        &self,
        ticket: &NewTicket,
        triage: &Triage,
        now: OffsetDateTime,
        token: i64,
        key: Option<&IdempotencyKey>,
        files: &[Uuid],
        limits: &Limits,
    ) -> Result<ApiFiled, ActionError>;

    /// Takes a mail as `Inbox::take_mail` does, the staged `files` with the
    /// event it writes (the requester's addition, the note, or the new
    /// ticket's `created`). A mail is never refused for its files: those
    /// past `limits` are left staged, and unclaimed.
    async fn take_mail_with_files(
        &self,
        mail: &InboundMail,
        plan: &InboundPlan,
        targets: &ResponseTargets,
        files: &[Uuid],
        limits: &Limits,
    ) -> Result<Option<InboundOutcome>, StoreError>;

    /// Drops staged files nobody claimed by `now`, and contents nothing
    /// refers to any more; returns how many files went.
    async fn drop_unclaimed_files(&self, now: OffsetDateTime) -> Result<u64, StoreError>;
}
