//! Given: a test seam. A `std::sync::Mutex` whose guard, once it has released the
//! lock, calls a hook if there is one. A count read under one lock and written under
//! another leaves a gap between the two, and two visits meet in that gap only now and
//! then; with the hook, a test holds the first visit's thread in the gap until the
//! second has passed, so the race happens every time. Nothing but a test sets a hook.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Called after every release of a [`Lock`], on the thread that released it.
pub type UnlockHook = Arc<dyn Fn() + Send + Sync>;

/// A mutex whose guard calls the hook, if there is one, once the lock is released.
/// Its fields are private to this module: code elsewhere can only take the lock
/// through [`Lock::lock`], so it cannot step around the hook.
pub struct Lock<T> {
    inner: Mutex<T>,
    after_unlock: Option<UnlockHook>,
}

impl<T> Lock<T> {
    pub fn new(value: T, after_unlock: Option<UnlockHook>) -> Self {
        Self { inner: Mutex::new(value), after_unlock }
    }

    /// Takes the lock. The guard is a `std::sync::MutexGuard` inside, so it is not
    /// `Send` either: a future that holds it across `.await` cannot be spawned.
    pub fn lock(&self) -> Guard<'_, T> {
        // A panic in another holder cannot leave a counter half-updated (each change
        // is one `+= 1`), so the data behind a poisoned lock is fine to keep using.
        let guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
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
