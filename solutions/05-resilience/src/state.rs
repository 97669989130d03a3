//! What the service shares between requests, and the settings it is built from. The
//! handlers (`service`) and the guards in front of them (`middleware`) both depend on
//! this module, and not on each other.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::breaker::{BreakerConfig, CircuitBreaker};
use crate::clock::Clock;
use crate::limiter::{Quota, RateLimiter};
use crate::metrics::Metrics;
use crate::rates::RateSource;
use crate::retry::RetryBudget;
use crate::upstream::{UpstreamClient, UpstreamConfig};

#[derive(Clone, Copy, Debug)]
pub struct ServiceConfig {
    pub quota: Quota,
    /// Requests handled at once; more are shed with a 503.
    pub max_in_flight: usize,
    /// Retries in reserve, and the fraction of a retry each request earns back.
    pub retry_reserve: u32,
    pub retry_ratio: f64,
    /// The oldest last-known rate served when the upstream fails.
    pub max_stale: Duration,
}

#[derive(Clone)]
pub struct AppState {
    pub rates: Arc<RateSource>,
    pub limiter: Arc<RateLimiter>,
    pub in_flight: Arc<Semaphore>,
    pub metrics: Arc<Metrics>,
    pub clock: Arc<dyn Clock>,
}

impl AppState {
    pub fn new(
        upstream: UpstreamConfig,
        breaker: BreakerConfig,
        service: ServiceConfig,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let metrics = Arc::new(Metrics::default());
        let budget = RetryBudget::new(service.retry_reserve, service.retry_ratio);
        let client = UpstreamClient::new(upstream, budget, Arc::clone(&clock));
        let breaker = CircuitBreaker::new(breaker, Arc::clone(&clock));
        let rates =
            RateSource::new(client, breaker, service.max_stale, Arc::clone(&metrics), Arc::clone(&clock));
        Self {
            rates: Arc::new(rates),
            limiter: Arc::new(RateLimiter::new(service.quota)),
            in_flight: Arc::new(Semaphore::new(service.max_in_flight)),
            metrics,
            clock,
        }
    }
}
