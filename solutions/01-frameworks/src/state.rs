//! The application's shared state, and how handlers take only the part they need.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::middleware::HttpConfig;
use crate::store::{InMemoryTasks, TaskRepository};

// ANCHOR: app_state
/// The task repository as handlers see it: one store behind an `Arc`, shared by all.
pub type TaskStore = Arc<dyn TaskRepository>;

/// Everything the application shares between requests. Cloning it is cheap: the
/// store is behind an `Arc`, so every clone points at the same tasks.
#[derive(Clone)]
pub struct AppState {
    pub tasks: TaskStore,
    pub http: HttpConfig,
}

impl AppState {
    /// State around any repository, with the default HTTP limits.
    pub fn new(tasks: impl TaskRepository) -> Self {
        Self { tasks: Arc::new(tasks), http: HttpConfig::default() }
    }

    /// State around an empty in-memory repository.
    pub fn in_memory() -> Self {
        Self::new(InMemoryTasks::new())
    }
}
// ANCHOR_END: app_state

// ANCHOR: from_ref
// With this impl a handler can ask for `State<TaskStore>` instead of the whole
// `AppState`: it declares exactly what it depends on.
impl FromRef<AppState> for TaskStore {
    fn from_ref(state: &AppState) -> Self {
        state.tasks.clone()
    }
}
// ANCHOR_END: from_ref
