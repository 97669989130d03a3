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
        let mut released = self.released.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *released = true;
        self.condvar.notify_all();
    }

    /// Blocks until the latch is released. The flag is checked and the wait begins
    /// under one lock, so a release cannot slip in between; the loop absorbs
    /// spurious wakeups.
    pub fn wait(&self) {
        let mut released = self.released.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        while !*released {
            released = self.condvar.wait(released).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
}
// ANCHOR_END: latch
