//! When to retry, as pure decisions: which requests may be sent twice, which failures
//! are worth another try, how long to wait, and how many retries the client can afford.

use std::sync::Mutex;
use std::time::Duration;

use reqwest::Method;
use reqwest::StatusCode;
use reqwest::header::{DATE, HeaderMap, RETRY_AFTER};

use crate::backoff::Backoff;
use crate::http_date;

/// How one attempt ended, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The upstream answered with this status, and maybe a `Retry-After`.
    Status(StatusCode, Option<Duration>),
    /// No answer: the connection could not be made, or was reset.
    ConnectionFailed,
    /// No answer in time.
    TimedOut,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Wait this long, then send the request again.
    RetryAfter(Duration),
    /// Give up and report the failure.
    GiveUp,
}

#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Retries after the first attempt: 2 means at most 3 attempts.
    pub max_retries: u32,
    pub backoff: Backoff,
    /// A `Retry-After` longer than this is not worth waiting for: give up instead.
    pub max_retry_after: Duration,
}

// ANCHOR: decide
impl RetryPolicy {
    /// What to do after attempt number `attempt` (0 is the first) ended with `outcome`.
    /// `random` is a sample from [0, 1) for the jitter.
    pub fn decide(&self, method: &Method, attempt: u32, outcome: &Outcome, random: f64) -> Decision {
        todo!(
            "step 2: decide whether a retry is safe and useful, then when. Read book/05-resilience/retries.md"
        )
    }
}

/// RFC 9110 section 9.2.2: sending these twice has the same effect as sending them once.
/// A POST may have created an order the first time even if the answer was lost.
pub fn is_idempotent(method: &Method) -> bool {
    todo!(
        "step 2: the methods that may be sent twice (RFC 9110 section 9.2.2). Read book/05-resilience/retries.md"
    )
}

/// Whether another attempt could end differently: worth a retry, if the method allows one.
pub fn is_retryable(outcome: &Outcome) -> bool {
    todo!("step 2: which outcomes another attempt could change. Read book/05-resilience/retries.md")
}
// ANCHOR_END: decide

// ANCHOR: parse_retry_after
/// The delay a response's `Retry-After` asks for (RFC 9110 section 10.2.3): a number of
/// seconds, or an HTTP-date (`crate::http_date::parse` reads one). `None` means "no usable
/// advice": the policy then falls back to its backoff.
pub fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    todo!(
        "step 2: seconds or an HTTP-date (measured how?); anything unusable is None. Read book/05-resilience/retries.md"
    )
}
// ANCHOR_END: parse_retry_after

// ANCHOR: budget
/// A retry budget: every request deposits a fraction of a token, every retry withdraws
/// a whole one. When the upstream is down for everyone, retries stop at that fraction
/// of the traffic instead of multiplying it.
#[derive(Debug)]
pub struct RetryBudget {
    tokens: Mutex<f64>,
    reserve: f64,
    ratio: f64,
}

impl RetryBudget {
    /// Starts full with `reserve` retries; each request earns `ratio` of a retry back,
    /// up to the reserve.
    pub fn new(reserve: u32, ratio: f64) -> Self {
        let reserve = f64::from(reserve);
        Self { tokens: Mutex::new(reserve), reserve, ratio }
    }

    /// Called once per request (not per attempt).
    pub fn deposit(&self) {
        todo!("step 2: add `ratio` of a retry, never above the reserve. Read book/05-resilience/retries.md")
    }

    /// Takes one retry from the budget; `false` when there is none left.
    pub fn try_withdraw(&self) -> bool {
        todo!("step 2: take one retry if a whole one is there. Read book/05-resilience/retries.md")
    }
}
// ANCHOR_END: budget
