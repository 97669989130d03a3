//! Where tasks live. Handlers talk to the [`TaskRepository`] trait, never to a concrete
//! store, so the tests (and later a database) can plug in another implementation.

mod memory;

use crate::domain::{NewTask, Task, TaskId};
pub use memory::{InMemoryTasks, UnlockHook};

/// A storage failure. Its text is for the logs, never for the client.
#[derive(Debug, thiserror::Error)]
#[error("task storage unavailable: {0}")]
pub struct StoreError(pub String);

// ANCHOR: repository
/// What the application needs from storage. `Send + Sync` because one store is shared
/// by every request, on every worker thread.
pub trait TaskRepository: Send + Sync + 'static {
    /// Stores a task and returns it with its new id.
    fn insert(&self, task: NewTask) -> Result<Task, StoreError>;
    fn get(&self, id: TaskId) -> Result<Option<Task>, StoreError>;
    /// All tasks, oldest first.
    fn list(&self) -> Result<Vec<Task>, StoreError>;
    /// Removes a task; `false` when there was none with that id.
    fn delete(&self, id: TaskId) -> Result<bool, StoreError>;
}
// ANCHOR_END: repository

// ANCHOR: in_memory
// `InMemoryTasks` and its `with_tasks` are given (src/store/memory.rs). Every method below
// goes through `with_tasks`, which holds the lock while its closure runs.
impl TaskRepository for InMemoryTasks {
    fn insert(&self, task: NewTask) -> Result<Task, StoreError> {
        self.with_tasks(|tasks| {
            tasks.last_id += 1;
            let task = Task { id: TaskId(tasks.last_id), title: task.title, priority: task.priority };
            tasks.by_id.insert(task.id, task.clone());
            task
        })
    }

    fn get(&self, id: TaskId) -> Result<Option<Task>, StoreError> {
        self.with_tasks(|tasks| tasks.by_id.get(&id).cloned())
    }

    fn list(&self) -> Result<Vec<Task>, StoreError> {
        // A BTreeMap iterates in key order, and ids grow: oldest first.
        self.with_tasks(|tasks| tasks.by_id.values().cloned().collect())
    }

    fn delete(&self, id: TaskId) -> Result<bool, StoreError> {
        self.with_tasks(|tasks| tasks.by_id.remove(&id).is_some())
    }
}
// ANCHOR_END: in_memory
