//! Given code: the tasks in memory, behind one lock. Step 2 writes the repository's
//! methods on top of [`InMemoryTasks::with_tasks`], the only way in: the mutex is a private
//! field of this module (a child of `store`), so code elsewhere cannot take it any other way.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::StoreError;
use crate::domain::{Task, TaskId};

/// A test seam: called after every release of the lock, on the thread that released it.
pub type UnlockHook = Arc<dyn Fn() + Send + Sync>;

// ANCHOR: memory
/// The in-memory repository: a map behind a mutex. Ids start at 1 and are never reused.
#[derive(Default)]
pub struct InMemoryTasks {
    tasks: Mutex<Tasks>,
    after_unlock: Option<UnlockHook>,
}

/// What the lock protects.
#[derive(Debug, Default)]
pub struct Tasks {
    /// The last id handed out: ids only grow, even after a delete.
    pub last_id: u64,
    /// Every task, by id. A `BTreeMap` iterates in key order: oldest first.
    pub by_id: BTreeMap<TaskId, Task>,
}

impl InMemoryTasks {
    pub fn new() -> Self {
        Self::default()
    }

    /// A store that calls `after_unlock` each time its lock is released, so that a test
    /// can hold a thread between two calls of `with_tasks`. Nothing in the server sets one.
    pub fn with_unlock_hook(after_unlock: UnlockHook) -> Self {
        Self { tasks: Mutex::default(), after_unlock: Some(after_unlock) }
    }

    /// Runs `f` with the lock held. The guard never escapes this function, so it can
    /// never be held across an `.await` (there is none here). A poisoned lock means a
    /// thread panicked mid-update: report it instead of trusting half-written data.
    pub fn with_tasks<T>(&self, f: impl FnOnce(&mut Tasks) -> T) -> Result<T, StoreError> {
        let mut tasks = self.tasks.lock().map_err(|_| StoreError("a previous writer panicked".into()))?;
        let result = f(&mut tasks);
        drop(tasks); // the lock is released here, before the hook runs
        if let Some(hook) = &self.after_unlock {
            hook();
        }
        Ok(result)
    }
}
// ANCHOR_END: memory
