//! Lab 05, resilience: a client for a flaky upstream, and a service that keeps
//! answering when it fails.
//!
//! Pure rules first (`backoff`, `retry`, `breaker`, `limiter`), all on an injected
//! `clock`; then the client that applies them (`upstream`, with `http_date` for
//! `Retry-After`), and the service around it (`rates`, `state`, `middleware`,
//! `service`, `metrics`, `problem`). `state` is what `middleware` and `service` share.
//! `seam` is a test hook on the breaker's lock.

pub mod backoff;
pub mod breaker;
pub mod clock;
pub mod http_date;
pub mod limiter;
pub mod metrics;
pub mod middleware;
pub mod problem;
pub mod rates;
pub mod retry;
pub mod seam;
pub mod service;
pub mod state;
pub mod upstream;

pub use service::app;
pub use state::{AppState, ServiceConfig};
