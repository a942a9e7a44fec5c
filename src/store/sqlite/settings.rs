use async_trait::async_trait;

use super::SqliteStore;
use crate::store::{Settings, StoreError};

#[async_trait]
impl Settings for SqliteStore {
    /// Returns the stored value for `key`, storing `make()` first if there is
    /// none. Two servers starting at once agree on one value.
    async fn setting_or_insert(
        &self,
        key: &str,
        make: fn() -> String,
    ) -> Result<String, StoreError> {
        let key = key.to_owned();
        self.write(move |tx| {
            Box::pin(async move {
                let key = &key;
                sqlx::query(
                    "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                )
                .bind(key)
                .bind(make())
                .execute(&mut *tx)
                .await?;
                let value: String = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
                    .bind(key)
                    .fetch_one(&mut *tx)
                    .await?;
                Ok(value)
            })
        })
        .await
    }
}
