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
        todo!("step 8: set the flag under the lock and wake every waiter. Read book/04-concurrency/loom.md")
    }

    /// Blocks until the latch is released. The flag is checked and the wait begins
    /// under one lock, so a release cannot slip in between; the loop absorbs
    /// spurious wakeups.
    pub fn wait(&self) {
        todo!("step 8: check the flag and wait under one lock, in a loop. Read book/04-concurrency/loom.md")
    }
}
// ANCHOR_END: latch
