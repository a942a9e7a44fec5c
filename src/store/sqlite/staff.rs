use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use time::OffsetDateTime;

use async_trait::async_trait;

use super::{SqliteStore, time_text};
use crate::domain::Zone;
use crate::staff::{
    AccountChange, AccountChanged, NewStaffMember, PasswordHash, Role, StaffAccount, StaffMember,
    StaffNotices, check_change,
};
use crate::store::{AccountChangeError, AddStaffError, StaffAccounts, StoreError};

#[async_trait]
impl StaffAccounts for SqliteStore {
    /// Stores a checked new member; returns them as now stored.
    async fn add_staff_member(
        &self,
        new: NewStaffMember,
        now: OffsetDateTime,
    ) -> Result<StaffMember, AddStaffError> {
        let result = self
            .execute(
                sqlx::query(
                    "INSERT INTO staff (email, name, role, password_hash, must_change_password, \
             created_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
                )
                .bind(new.email.clone())
                .bind(new.name.clone())
                .bind(new.role.as_str())
                .bind(new.hash.as_str().to_string())
                .bind(new.must_change_password)
                .bind(time_text::to_text(now)),
            )
            .await;
        match result {
            Ok(done) => Ok(new.stored_as(done.last_insert_rowid())),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(AddStaffError::EmailTaken)
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn add_staff(
        &self,
        email: &str,
        name: &str,
        role: Role,
        hash: &PasswordHash,
        now: OffsetDateTime,
    ) -> Result<i64, AddStaffError> {
        let result = self.execute(sqlx::query(
            "INSERT INTO staff (email, name, role, password_hash, created_at) VALUES (?, ?, ?, \
             ?, ?)",
        )
        .bind(email.to_string())
        .bind(name.to_string())
        .bind(role.as_str())
        .bind(hash.as_str().to_string())
        .bind(time_text::to_text(now))
        )
        .await;
        match result {
            Ok(done) => Ok(done.last_insert_rowid()),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(AddStaffError::EmailTaken)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Disables the account and ends all its sessions, in one transaction.
    /// Returns false when there is no such account.
    async fn disable_staff(&self, email: &str, now: OffsetDateTime) -> Result<bool, StoreError> {
        let email = email.to_owned();
        self.write(move |tx| {
            Box::pin(async move {
                let email = &email;
                let id: Option<i64> = sqlx::query_scalar("SELECT id FROM staff WHERE email = ?")
                    .bind(email)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(id) = id else {
                    return Ok(false);
                };
                sqlx::query("UPDATE staff SET disabled_at = COALESCE(disabled_at, ?) WHERE id = ?")
                    .bind(time_text::to_text(now))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM staff_sessions WHERE staff_id = ?")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                Ok(true)
            })
        })
        .await
    }

    /// The account and its password hash, for signing in.
    async fn staff_credentials(
        &self,
        email: &str,
    ) -> Result<Option<(StaffMember, PasswordHash)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {STAFF_COLUMNS}, password_hash FROM staff WHERE email = ?"
        ))
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            let hash = PasswordHash::from_stored(row.try_get("password_hash")?);
            Ok((staff_from_row(&row)?, hash))
        })
        .transpose()
    }

    async fn staff_by_id(&self, id: i64) -> Result<Option<StaffMember>, StoreError> {
        Ok(
            sqlx::query(&format!("SELECT {STAFF_COLUMNS} FROM staff WHERE id = ?"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .map(|row| staff_from_row(&row))
                .transpose()?,
        )
    }

    /// The zone this staff member reads times in.
    async fn set_staff_time_zone(&self, id: i64, zone: &Zone) -> Result<(), StoreError> {
        let zone = zone.to_owned();
        self.write(move |tx| {
            Box::pin(async move {
                let zone = &zone;
                sqlx::query("UPDATE staff SET time_zone = ? WHERE id = ?")
                    .bind(zone.name())
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                Ok(())
            })
        })
        .await
    }

    async fn set_staff_notices(&self, id: i64, notices: StaffNotices) -> Result<(), StoreError> {
        self.write(move |tx| {
            Box::pin(async move {
                sqlx::query("UPDATE staff SET notify_urgent = ?, notify_assigned = ? WHERE id = ?")
                    .bind(notices.urgent)
                    .bind(notices.assigned)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                Ok(())
            })
        })
        .await
    }

    /// Every account's email, disabled ones included.
    async fn staff_emails(&self) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT email FROM staff ORDER BY id")
            .fetch_all(&self.pool)
            .await?)
    }

    /// Replaces an account's password hash. Returns false when there is no
    /// such account.
    async fn set_staff_password(
        &self,
        email: &str,
        hash: &PasswordHash,
    ) -> Result<bool, StoreError> {
        let done = self
            .execute(
                sqlx::query("UPDATE staff SET password_hash = ? WHERE email = ?")
                    .bind(hash.as_str().to_string())
                    .bind(email.to_string()),
            )
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Everyone who can be assigned tickets, by name.
    async fn active_staff(&self) -> Result<Vec<StaffMember>, StoreError> {
        Ok(sqlx::query(&format!(
            "SELECT {STAFF_COLUMNS} FROM staff WHERE disabled_at IS NULL ORDER BY name, id"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(staff_from_row)
        .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn staff_accounts(&self) -> Result<Vec<StaffAccount>, StoreError> {
        sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM staff \
             ORDER BY disabled_at IS NOT NULL, name COLLATE NOCASE, id"
        ))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(account_from_row)
        .collect()
    }

    async fn staff_account(&self, id: i64) -> Result<Option<StaffAccount>, StoreError> {
        sqlx::query(&format!("SELECT {ACCOUNT_COLUMNS} FROM staff WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(account_from_row)
            .transpose()
    }

    /// Read through `tickets_by_assignee`, one range per status.
    async fn open_tickets_assigned(&self, id: i64) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM tickets \
             WHERE assignee_id = ? AND status IN ('new', 'open', 'waiting')",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn change_staff_account(
        &self,
        actor: i64,
        id: i64,
        change: &AccountChange,
        now: OffsetDateTime,
    ) -> Result<Option<AccountChanged>, AccountChangeError> {
        let change = change.to_owned();
        self.write(move |tx| {
            Box::pin(async move {
                let change = &change;
                let row = sqlx::query(&format!("SELECT {STAFF_COLUMNS} FROM staff WHERE id = ?"))
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(before) = row.as_ref().map(staff_from_row).transpose()? else {
                    return Ok(None);
                };
                let active_admins: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM staff WHERE role = 'admin' AND disabled_at IS NULL",
                )
                .fetch_one(&mut *tx)
                .await?;
                check_change(actor, &before, active_admins, change)?;
                let mut end_sessions = false;
                match change {
                    AccountChange::SetRole(role) => {
                        sqlx::query("UPDATE staff SET role = ? WHERE id = ?")
                            .bind(role.as_str())
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    AccountChange::Disable => {
                        sqlx::query(
                            "UPDATE staff SET disabled_at = COALESCE(disabled_at, ?) WHERE id = ?",
                        )
                        .bind(time_text::to_text(now))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                        end_sessions = true;
                    }
                    AccountChange::Enable => {
                        sqlx::query("UPDATE staff SET disabled_at = NULL WHERE id = ?")
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    AccountChange::ResetPassword(hash) => {
                        sqlx::query(
                            "UPDATE staff SET password_hash = ?, must_change_password = 1 WHERE \
                             id = ?",
                        )
                        .bind(hash.as_str())
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                        end_sessions = true;
                    }
                }
                let sessions_ended = if end_sessions {
                    sqlx::query("DELETE FROM staff_sessions WHERE staff_id = ?")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected()
                } else {
                    0
                };
                Ok(Some(AccountChanged {
                    before,
                    sessions_ended,
                }))
            })
        })
        .await
    }

    async fn change_own_password(
        &self,
        id: i64,
        hash: &PasswordHash,
        keep_session: &str,
    ) -> Result<u64, StoreError> {
        let (hash, keep_session) = (hash.to_owned(), keep_session.to_owned());
        self.write(move |tx| {
            Box::pin(async move {
                let (hash, keep_session) = (&hash, &keep_session);
                sqlx::query(
                    "UPDATE staff SET password_hash = ?, must_change_password = 0 WHERE id = ?",
                )
                .bind(hash.as_str())
                .bind(id)
                .execute(&mut *tx)
                .await?;
                let ended =
                    sqlx::query("DELETE FROM staff_sessions WHERE staff_id = ? AND id_hash <> ?")
                        .bind(id)
                        .bind(keep_session)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                Ok(ended)
            })
        })
        .await
    }
}

const ACCOUNT_COLUMNS: &str = "id, email, name, role, disabled_at, time_zone, notify_urgent, \
     notify_assigned, must_change_password, created_at, last_sign_in_at";

fn account_from_row(row: &SqliteRow) -> Result<StaffAccount, StoreError> {
    let time = |column: &str| -> Result<Option<OffsetDateTime>, StoreError> {
        row.try_get::<Option<String>, _>(column)?
            .map(|text| time_text::from_text(&text))
            .transpose()
            .map_err(StoreError::from)
    };
    Ok(StaffAccount {
        member: staff_from_row(row)?,
        created_at: time("created_at")?
            .ok_or_else(|| StoreError::new("staff without created_at"))?,
        disabled_at: time("disabled_at")?,
        last_sign_in_at: time("last_sign_in_at")?,
    })
}

const STAFF_COLUMNS: &str = "id, email, name, role, disabled_at, time_zone, notify_urgent, \
     notify_assigned, must_change_password";

pub(super) fn staff_from_row(row: &SqliteRow) -> Result<StaffMember, sqlx::Error> {
    Ok(StaffMember {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        role: super::decode::parsed(row, "role", Role::parse)?,
        disabled: row.try_get::<Option<String>, _>("disabled_at")?.is_some(),
        time_zone: super::decode::time_zone(row, "time_zone")?,
        notices: StaffNotices {
            urgent: row.try_get("notify_urgent")?,
            assigned: row.try_get("notify_assigned")?,
        },
        must_change_password: row.try_get("must_change_password")?,
    })
}
