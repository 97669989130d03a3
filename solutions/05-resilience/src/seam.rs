//! A test seam: a lock that can pause the thread that just released it. A check made
//! under one lock and a write made under another leave a gap between them, and a race
//! through that gap is rare on a quiet machine; with the hook, a test holds a thread in
//! the gap until a second one has passed, so that the race happens every time. Nothing
//! in production sets a hook.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard};

/// Called after every release of a [`Lock`], on the thread that released it.
pub type UnlockHook = Arc<dyn Fn() + Send + Sync>;

/// A mutex whose guard calls the hook, if there is one, once the lock is released.
/// Its fields are private to this module: code elsewhere can only take the lock
/// through [`Lock::lock`], so it cannot step around the hook.
#[derive(Default)]
pub struct Lock<T> {
    inner: Mutex<T>,
    after_unlock: Option<UnlockHook>,
}

impl<T> Lock<T> {
    pub fn new(value: T, after_unlock: Option<UnlockHook>) -> Self {
        Self { inner: Mutex::new(value), after_unlock }
    }

    pub fn lock(&self) -> Guard<'_, T> {
        // Every change made under this lock is made in one step, so a panic elsewhere
        // cannot leave the value half-updated: the data behind a poisoned lock is fine.
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        Guard { guard: Some(guard), after_unlock: self.after_unlock.as_deref() }
    }
}

impl<T> fmt::Debug for Lock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock").field("hooked", &self.after_unlock.is_some()).finish_non_exhaustive()
    }
}

/// The lock, held. Dropping it releases the lock, then calls the hook.
pub struct Guard<'a, T> {
    guard: Option<MutexGuard<'a, T>>,
    after_unlock: Option<&'a (dyn Fn() + Send + Sync)>,
}

impl<T> Deref for Guard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // `guard` is `None` only inside `drop`.
        self.guard.as_deref().unwrap_or_else(|| unreachable!("the guard is held until drop"))
    }
}

impl<T> DerefMut for Guard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.guard.as_deref_mut().unwrap_or_else(|| unreachable!("the guard is held until drop"))
    }
}

impl<T> Drop for Guard<'_, T> {
    fn drop(&mut self) {
        drop(self.guard.take());
        if let Some(hook) = self.after_unlock {
            hook();
        }
    }
}
