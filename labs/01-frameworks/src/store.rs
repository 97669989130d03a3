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
        todo!(
            "step 2: give the task the next id (from 1, never reused) and keep it. Read book/01-frameworks/state.md"
        )
    }

    fn get(&self, id: TaskId) -> Result<Option<Task>, StoreError> {
        todo!("step 2: return the task with this id, or None. Read book/01-frameworks/state.md")
    }

    fn list(&self) -> Result<Vec<Task>, StoreError> {
        todo!("step 2: return every task, oldest first. Read book/01-frameworks/state.md")
    }

    fn delete(&self, id: TaskId) -> Result<bool, StoreError> {
        todo!("step 2: remove the task; say whether there was one. Read book/01-frameworks/state.md")
    }
}
// ANCHOR_END: in_memory
