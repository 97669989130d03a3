//! A visit counter shared by threads: the simplest race there is, and the one loom
//! finds in a handful of interleavings.

use crate::sync::{AtomicUsize, Ordering};

#[derive(Debug, Default)]
pub struct VisitCounter {
    hits: AtomicUsize,
}

// ANCHOR: counter
impl VisitCounter {
    pub fn new() -> Self {
        Self { hits: AtomicUsize::new(0) }
    }

    /// Counts one visit and returns the new total, however many threads count at once.
    pub fn increment(&self) -> usize {
        todo!(
            "step 8: count one visit and return the new total, with no visit lost between threads. Read book/04-concurrency/loom.md"
        )
    }

    pub fn get(&self) -> usize {
        self.hits.load(Ordering::Acquire)
    }
}
// ANCHOR_END: counter
