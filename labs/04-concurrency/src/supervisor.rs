//! Structured shutdown: every background task is tracked and can be told to stop, so
//! shutting down waits for all of them and leaves none behind.

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How a shutdown went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// Every task finished within the deadline.
    Cleanly,
    /// Some tasks were still running at the deadline.
    TimedOut,
}

#[derive(Default)]
pub struct Supervisor {
    tracker: TaskTracker,
    token: CancellationToken,
}

// ANCHOR: supervisor
impl Supervisor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Spawns a background task. It gets a token that is cancelled at shutdown and must
    /// return soon after; the supervisor keeps track of it until it has.
    pub fn spawn<F, Fut>(&self, task: F)
    where
        F: FnOnce(CancellationToken) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        todo!(
            "step 6: start the task so that shutdown can both stop it and wait for it. Read book/04-concurrency/shutdown.md"
        )
    }

    /// Cancels every task and waits for all of them, at most `deadline`.
    pub async fn shutdown(self, deadline: Duration) -> Stopped {
        todo!(
            "step 6: stop every task and return once all have returned, or at `deadline`. Read book/04-concurrency/shutdown.md"
        )
    }
}
// ANCHOR_END: supervisor
