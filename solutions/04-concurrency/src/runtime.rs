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
/// A multi-thread runtime with `config`'s sizes, its threads named `lab-…`, and the
/// I/O and time drivers on.
pub fn build_runtime(config: RuntimeConfig) -> io::Result<Runtime> {
    Builder::new_multi_thread()
        .worker_threads(config.workers)
        .max_blocking_threads(config.max_blocking)
        .thread_name("lab-runtime")
        .enable_all()
        .build()
}
// ANCHOR_END: build_runtime
