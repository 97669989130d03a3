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
        (raw.len() == 3 && raw.bytes().all(|b| b.is_ascii_uppercase())).then(|| Self(raw.to_owned()))
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
        let error = match self.fetch(currency).await {
            Ok(rate) => {
                self.remember(currency, &rate);
                return Ok(Quote {
                    currency: currency.to_string(),
                    rate: rate.rate,
                    stale: false,
                    age_secs: 0,
                });
            }
            Err(QuoteError::UnknownCurrency) => return Err(QuoteError::UnknownCurrency),
            Err(error) => error,
        };
        tracing::warn!(%currency, %error, "upstream failed; trying the last known rate");
        self.metrics.upstream_failed();
        let Some((rate, age)) = self.recall(currency).filter(|(_, age)| *age <= self.max_stale) else {
            return Err(error);
        };
        self.metrics.served_stale();
        Ok(Quote { currency: currency.to_string(), rate: rate.rate, stale: true, age_secs: age.as_secs() })
    }
    // ANCHOR_END: quote

    // ANCHOR: fetch
    /// Calls the upstream through the breaker, and tells the breaker whether the
    /// upstream failed, which is not the same as whether we got a rate.
    async fn fetch(&self, currency: &Currency) -> Result<Rate, QuoteError> {
        let permit = self.breaker.try_acquire().map_err(|_| QuoteError::CircuitOpen)?;
        let result = self.upstream.get_json::<Rate>(&format!("/rates/{currency}")).await;
        match &result {
            Err(error) if is_outage(error) => permit.failed(),
            _ => permit.succeeded(),
        }
        match result {
            Ok(rate) => Ok(rate),
            Err(UpstreamError::Status(StatusCode::NOT_FOUND)) => Err(QuoteError::UnknownCurrency),
            Err(error) => Err(error.into()),
        }
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
/// Whether an error says the upstream is failing, which is what the breaker counts. A
/// 4xx other than 429 is an answer (the upstream is up and says no), and counting it
/// would let any client open the breaker for everyone with three bad requests. A 429
/// counts: the upstream is shedding our load, and the cool-down is the pause it asked for.
fn is_outage(error: &UpstreamError) -> bool {
    match error {
        UpstreamError::Status(status) => status.is_server_error() || *status == StatusCode::TOO_MANY_REQUESTS,
        // No answer, or no usable one: a 200 whose body is not a rate is broken too.
        UpstreamError::ConnectionFailed | UpstreamError::TimedOut(_) | UpstreamError::BadBody(_) => true,
    }
}
// ANCHOR_END: is_outage
