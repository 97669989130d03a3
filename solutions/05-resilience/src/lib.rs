//! Lab 05, resilience: a client for a flaky upstream, and a service that keeps
//! answering when it fails.
//!
//! Pure rules first (`backoff`, `retry`, `breaker`, `limiter`), all on an injected
//! `clock`; then the client that applies them (`upstream`), and the service around it
//! (`rates`, `middleware`, `service`, `metrics`, `problem`).

pub mod backoff;
pub mod breaker;
pub mod clock;
pub mod limiter;
pub mod metrics;
pub mod middleware;
pub mod problem;
pub mod rates;
pub mod retry;
pub mod service;
pub mod upstream;

pub use service::{AppState, ServiceConfig, app};
