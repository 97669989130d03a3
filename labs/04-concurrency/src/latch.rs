//! A one-shot latch: threads wait until one thread releases it. The classic bug is
//! the lost wakeup: checking the flag and then waiting, with the lock let go between.

use crate::sync::{Condvar, Mutex};

#[derive(Debug, Default)]
pub struct Latch {
    released: Mutex<bool>,
    condvar: Condvar,
}

// ANCHOR: latch
impl Latch {
    pub fn new() -> Self {
        Self { released: Mutex::new(false), condvar: Condvar::new() }
    }

    /// Opens the latch for every waiter, now and later.
    pub fn release(&self) {
        todo!("step 8: open the latch for every waiter, now and later. Read book/04-concurrency/loom.md")
    }

    /// Blocks until the latch is released; returns at once if it already is.
    pub fn wait(&self) {
        todo!(
            "step 8: return once the latch is open, never sleeping through a release. Read book/04-concurrency/loom.md"
        )
    }
}
// ANCHOR_END: latch
