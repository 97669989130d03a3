//! Lab 04, concurrency: how tokio runs tasks, and the bugs that only show up when
//! several things happen at once.
//!
//! One module per lesson: `runtime` (workers and the blocking pool), `hashing`
//! (blocking work in async code), `stats` (locks and `.await`), `frames` (cancellation
//! safety), `queue` (backpressure), `supervisor` (structured shutdown), `ttl_store`
//! (a state machine under property tests), `counter` and `latch` (checked with loom);
//! `problem` is given: the one shape of every error answer; so is `seam`, the lock
//! through which step 3's test forces two visits into the same gap.

pub mod counter;
pub mod frames;
pub mod hashing;
pub mod latch;
pub mod problem;
pub mod queue;
pub mod runtime;
pub mod seam;
pub mod stats;
pub mod supervisor;
pub mod ttl_store;

mod sync;
