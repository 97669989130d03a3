//! Counters for what the service hides from its clients: a failure served as stale data
//! must still be visible to whoever runs the service.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Metrics {
    upstream_failures: AtomicU64,
    stale_served: AtomicU64,
    rate_limited: AtomicU64,
    shed: AtomicU64,
}

/// The counters at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MetricsSnapshot {
    pub upstream_failures: u64,
    pub stale_served: u64,
    pub rate_limited: u64,
    pub shed: u64,
}

impl Metrics {
    pub fn upstream_failed(&self) {
        self.upstream_failures.fetch_add(1, Ordering::Relaxed);
    }
    pub fn served_stale(&self) {
        self.stale_served.fetch_add(1, Ordering::Relaxed);
    }
    pub fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }
    pub fn shed(&self) {
        self.shed.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> MetricsSnapshot {
        MetricsSnapshot {
            upstream_failures: self.upstream_failures.load(Ordering::Relaxed),
            stale_served: self.stale_served.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            shed: self.shed.load(Ordering::Relaxed),
        }
    }

    /// The counters in Prometheus' text format, for `GET /metrics`.
    pub fn render(&self) -> String {
        let s = self.snapshot();
        format!(
            "upstream_failures_total {}\nstale_responses_total {}\nrate_limited_total {}\nshed_total {}\n",
            s.upstream_failures, s.stale_served, s.rate_limited, s.shed
        )
    }
}
