//! Whoever asked for database work, and whether they are still waiting.
//!
//! A timed-out request is dropped, but dropping a future does not stop a
//! statement SQLite is running for it on another thread: a write would go
//! on holding the database's one write lock. So each request runs within a
//! `Caller` scope that says "gone" once the request's future ends (answered
//! or dropped), and the backend stops a write transaction's statements
//! when the caller it was begun for is gone before it committed. The
//! transaction then rolls back: nothing half-written remains.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

tokio::task_local! {
    static CALLER: Caller;
}

/// One request's (or task's) claim on the work it started.
#[derive(Debug, Clone, Default)]
pub struct Caller(Arc<AtomicBool>);

impl Caller {
    /// Whether the caller stopped waiting.
    pub fn is_gone(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// The caller of the running task, if it runs within `within`.
    pub(crate) fn current() -> Option<Self> {
        CALLER.try_with(Clone::clone).ok()
    }
}

/// Marks its caller gone when dropped: when the future holding it finishes
/// or is dropped mid-way.
struct GoneOnDrop(Caller);

impl Drop for GoneOnDrop {
    fn drop(&mut self) {
        self.0.0.store(true, Ordering::Relaxed);
    }
}

/// Runs `work` as a caller of its own: writes it begins are stopped if it
/// is dropped before they commit.
pub async fn within<F: Future>(work: F) -> F::Output {
    let caller = Caller::default();
    let _gone = GoneOnDrop(caller.clone());
    CALLER.scope(caller, work).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_caller_is_gone_once_its_work_ends_or_is_dropped() {
        assert!(Caller::current().is_none());
        let seen = within(async { Caller::current().unwrap() }).await;
        assert!(seen.is_gone(), "finished");

        let (tx, rx) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(within(async move {
            tx.send(Caller::current().unwrap()).unwrap();
            std::future::pending::<()>().await;
        }));
        let caller = rx.await.unwrap();
        assert!(!caller.is_gone(), "still waiting");
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        assert!(caller.is_gone(), "dropped");
    }
}
