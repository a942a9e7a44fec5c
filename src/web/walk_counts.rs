//! Counting walks through the checks for the insights page, off the
//! visitor's path: a step page is a read, and waiting for its count's
//! commit (an fsync) would make every view of a check as slow as a write,
//! the writer's queue as long as the visitors. A count is handed to a task
//! of its own and the page answers at once.
//!
//! Counting is best effort, as it always was (a failure is logged, never
//! shown): at most `IN_FLIGHT` counts wait for the writer at once, and a
//! view past that, in a storm, goes uncounted rather than queueing without
//! bound.

use std::sync::Arc;

use time::OffsetDateTime;
use tokio::sync::Semaphore;

use crate::domain::ErrorCode;
use crate::insights::WalkMark;
use crate::store::Store;

/// Counts that may wait for the writer at once.
const IN_FLIGHT: u32 = 1024;

/// Clones share the counts in flight.
#[derive(Clone)]
pub struct WalkCounts {
    in_flight: Arc<Semaphore>,
}

impl Default for WalkCounts {
    fn default() -> Self {
        Self {
            in_flight: Arc::new(Semaphore::new(IN_FLIGHT as usize)),
        }
    }
}

impl WalkCounts {
    /// Counts a step of a walk, once per visitor, step and day, without
    /// waiting for it.
    pub fn count(
        &self,
        store: &Store,
        code: ErrorCode,
        step_id: &str,
        mark: WalkMark,
        visitor_hash: String,
    ) {
        let Ok(permit) = self.in_flight.clone().try_acquire_owned() else {
            tracing::warn!("a walk through the checks was not counted: too many counts waiting");
            return;
        };
        let (store, step_id) = (store.clone(), step_id.to_string());
        tokio::spawn(async move {
            let counted = store
                .record_walk(
                    code,
                    &step_id,
                    mark,
                    &visitor_hash,
                    OffsetDateTime::now_utc(),
                )
                .await;
            if let Err(err) = counted {
                tracing::warn!(cause = %err.cause(), "cannot count a walk through the checks");
            }
            drop(permit);
        });
    }

    /// Waits until every count handed over so far is written (or failed):
    /// before the database closes, and in tests before reading them.
    pub async fn settled(&self) {
        if let Ok(all) = self.in_flight.acquire_many(IN_FLIGHT).await {
            drop(all);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every count handed over is written once `settled` returns, the page
    /// having answered long before.
    #[tokio::test]
    async fn counts_handed_over_are_written_by_the_time_they_settle() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/w.db", dir.path().display());
        let store = Store::connect(&url).await.unwrap();
        let counts = WalkCounts::default();
        let kb = crate::kb::KnowledgeBase::load_embedded().unwrap();
        let first = kb.tree(ErrorCode::Unauthorized).start().id.clone();
        for visitor in 0..50 {
            counts.count(
                &store,
                ErrorCode::Unauthorized,
                &first,
                WalkMark::Reached { first: true },
                format!("visitor-{visitor}"),
            );
        }
        counts.settled().await;
        let today = OffsetDateTime::now_utc().date();
        let tally = store.walk_tallies(today, today).await.unwrap();
        assert_eq!(
            tally.iter().map(|t| t.started).sum::<i64>(),
            50,
            "{tally:?}"
        );
    }
}
