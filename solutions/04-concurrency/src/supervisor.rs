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
        self.tracker.spawn(task(self.token.child_token()));
    }

    /// Cancels every task and waits for all of them, at most `deadline`.
    pub async fn shutdown(self, deadline: Duration) -> Stopped {
        self.token.cancel();
        // `wait` returns only once the tracker is closed and its tasks are done. (Closing
        // does not forbid new spawns; `shutdown` taking `self` is what does.)
        self.tracker.close();
        match tokio::time::timeout(deadline, self.tracker.wait()).await {
            Ok(()) => Stopped::Cleanly,
            Err(_) => {
                tracing::warn!(still_running = self.tracker.len(), "shutdown deadline passed");
                Stopped::TimedOut
            }
        }
    }
}
// ANCHOR_END: supervisor
