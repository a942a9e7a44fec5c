//! The knowledge base being served. A reload (SIGHUP with `--content`)
//! swaps in a new one while requests in flight finish with the one they
//! took, so no page mixes two versions of the content.

use std::sync::{Arc, PoisonError, RwLock};

use super::KnowledgeBase;

/// Cheap to clone: every clone sees the same, current content.
#[derive(Debug, Clone)]
pub struct SharedKb(Arc<RwLock<Arc<KnowledgeBase>>>);

impl SharedKb {
    pub fn new(kb: KnowledgeBase) -> Self {
        Self(Arc::new(RwLock::new(Arc::new(kb))))
    }

    /// The content as it is now. Take it once for a page or a mail and use
    /// that, rather than asking again halfway through.
    pub fn get(&self) -> Arc<KnowledgeBase> {
        // The lock is held only to clone or swap an `Arc`, which cannot
        // panic, so a poisoned lock still holds whole content.
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Serves `kb` from now on.
    pub fn replace(&self, kb: KnowledgeBase) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(kb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replacement_reaches_every_clone_and_spares_what_was_taken() {
        let shared = SharedKb::new(KnowledgeBase::load_embedded().unwrap());
        let clone = shared.clone();
        let taken = shared.get();
        let mut site = taken.site().clone();
        site.product.name = "Elsewhere".into();
        let mut replacement = (*taken).clone();
        replacement.site = site;
        shared.replace(replacement);
        assert_eq!(clone.get().site().product.name, "Elsewhere");
        assert_eq!(taken.site().product.name, "TrackVia");
    }
}
