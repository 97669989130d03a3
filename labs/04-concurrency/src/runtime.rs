//! Building a tokio runtime on purpose: how many workers run async tasks, how many
//! threads the blocking pool may grow to, and what they are called in a debugger.

use std::io;

use tokio::runtime::{Builder, Runtime};

#[derive(Clone, Copy, Debug)]
pub struct RuntimeConfig {
    /// Threads that poll async tasks: usually one per core.
    pub workers: usize,
    /// The most threads `spawn_blocking` may use at once; more blocking jobs wait.
    pub max_blocking: usize,
}

// ANCHOR: build_runtime
/// The runtime a server runs on: `config`'s sizes, its threads named `lab-…`, and able
/// to do what a server does.
pub fn build_runtime(config: RuntimeConfig) -> io::Result<Runtime> {
    todo!(
        "step 1: a runtime with exactly the configured workers and blocking cap, threads named lab-..., that can serve sockets and fire timers. Read book/04-concurrency/scheduler.md"
    )
}
// ANCHOR_END: build_runtime
