//! Exchange rates from the upstream, through the circuit breaker, with the last known
//! rate as the fallback when the upstream fails: stale, and marked as stale.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

use crate::breaker::CircuitBreaker;
use crate::clock::Clock;
use crate::metrics::Metrics;
use crate::upstream::{UpstreamClient, UpstreamError};

/// An ISO 4217 currency code: three ASCII capital letters. Checked before it goes into
/// the upstream's URL, so a client cannot steer our request to another path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Currency(String);

// ANCHOR: currency
impl Currency {
    pub fn parse(raw: &str) -> Option<Self> {
        todo!(
            "step 6: exactly three ASCII capital letters, checked before the code goes into a URL. Read book/05-resilience/degradation.md"
        )
    }
}
// ANCHOR_END: currency

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the upstream answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub currency: String,
    pub rate: f64,
}

/// What our service answers: the rate, and whether it is fresh.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    pub currency: String,
    pub rate: f64,
    /// True when the upstream failed and this is the last rate it gave.
    pub stale: bool,
    /// Seconds since the upstream gave this rate.
    pub age_secs: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum QuoteError {
    #[error("the upstream does not know this currency")]
    UnknownCurrency,
    #[error("the circuit is open: the upstream was not called")]
    CircuitOpen,
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
}

pub struct RateSource {
    upstream: UpstreamClient,
    breaker: CircuitBreaker,
    last_known: Mutex<HashMap<Currency, (Rate, Instant)>>,
    /// The oldest rate worth serving when the upstream fails; past it, the error is
    /// more honest than the rate.
    max_stale: Duration,
    metrics: Arc<Metrics>,
    clock: Arc<dyn Clock>,
}

impl RateSource {
    pub fn new(
        upstream: UpstreamClient,
        breaker: CircuitBreaker,
        max_stale: Duration,
        metrics: Arc<Metrics>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { upstream, breaker, last_known: Mutex::new(HashMap::new()), max_stale, metrics, clock }
    }

    pub fn breaker(&self) -> &CircuitBreaker {
        &self.breaker
    }

    // ANCHOR: quote
    /// A fresh rate if the upstream gives one; otherwise the last known rate, marked
    /// stale, if it is no older than `max_stale`. Either way a failure is logged and
    /// counted: degrading gracefully must not mean failing silently.
    pub async fn quote(&self, currency: &Currency) -> Result<Quote, QuoteError> {
        todo!(
            "step 6: a fresh rate if fetch works; otherwise log, count, and serve the last known rate marked stale, if it is not too old. Read book/05-resilience/degradation.md"
        )
    }
    // ANCHOR_END: quote

    // ANCHOR: fetch
    /// Calls the upstream through the breaker, and tells the breaker how it went.
    async fn fetch(&self, currency: &Currency) -> Result<Rate, QuoteError> {
        todo!(
            "step 6: call the upstream through the breaker and tell it whether the upstream failed. Read book/05-resilience/degradation.md"
        )
    }
    // ANCHOR_END: fetch

    fn remember(&self, currency: &Currency, rate: &Rate) {
        let mut known = self.last_known.lock().unwrap_or_else(PoisonError::into_inner);
        known.insert(currency.clone(), (rate.clone(), self.clock.now()));
    }

    /// The last known rate, and how old it is on the injected clock.
    fn recall(&self, currency: &Currency) -> Option<(Rate, Duration)> {
        let known = self.last_known.lock().unwrap_or_else(PoisonError::into_inner);
        let (rate, fetched_at) = known.get(currency)?;
        Some((rate.clone(), self.clock.now().saturating_duration_since(*fetched_at)))
    }
}

// ANCHOR: is_outage
/// Whether an error says the upstream is failing: what the breaker counts as a failure.
/// Not every error is an outage.
fn is_outage(error: &UpstreamError) -> bool {
    todo!(
        "step 6: which errors mean the upstream is failing, and which are answers? Read book/05-resilience/degradation.md"
    )
}
// ANCHOR_END: is_outage
