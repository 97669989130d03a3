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
        // These rules say whether a retry is safe and useful at all. A `Retry-After` only
        // says *when*: it cannot make a POST safe, a 400 right, or lift the cap.
        if !is_idempotent(method) || !is_retryable(outcome) || attempt >= self.max_retries {
            return Decision::GiveUp;
        }
        match outcome {
            // The server said when: believe it, unless it asks for longer than we can wait.
            Outcome::Status(_, Some(after)) if *after > self.max_retry_after => Decision::GiveUp,
            Outcome::Status(_, Some(after)) => Decision::RetryAfter(*after),
            _ => Decision::RetryAfter(self.backoff.delay(attempt, random)),
        }
    }
}

/// RFC 9110 section 9.2.2: sending these twice has the same effect as sending them once.
/// A POST may have created an order the first time even if the answer was lost.
pub fn is_idempotent(method: &Method) -> bool {
    [Method::GET, Method::HEAD, Method::OPTIONS, Method::TRACE, Method::PUT, Method::DELETE].contains(method)
}

/// Worth another try: the upstream failed (5xx), asked us to slow down (429), or never
/// answered. A 4xx other than 429 is our mistake: sending it again changes nothing.
pub fn is_retryable(outcome: &Outcome) -> bool {
    match outcome {
        // 5xx that say "never", not "not now" (RFC 9110 sections 15.6.2 and 15.6.6): the
        // server does not implement the method, or does not speak our version of HTTP.
        Outcome::Status(StatusCode::NOT_IMPLEMENTED | StatusCode::HTTP_VERSION_NOT_SUPPORTED, _) => false,
        Outcome::Status(status, _) => status.is_server_error() || *status == StatusCode::TOO_MANY_REQUESTS,
        Outcome::ConnectionFailed | Outcome::TimedOut => true,
    }
}
// ANCHOR_END: decide

// ANCHOR: parse_retry_after
/// The delay a response's `Retry-After` asks for (RFC 9110 section 10.2.3): a number of
/// seconds, or an HTTP-date. A date is a moment on the *server's* clock, so it is measured
/// from the response's own `Date` (the server's clock when it answered), which cancels any
/// skew between its clock and ours. `None` means "no usable advice": fall back to the backoff.
pub fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        // Only overflow makes digits fail to parse: more seconds than a u64 still means
        // "not soon", and the policy's `max_retry_after` gives up on it.
        return Some(Duration::from_secs(text.parse().unwrap_or(u64::MAX)));
    }
    let retry_at = http_date::parse(text)?;
    let sent_at = http_date::parse(headers.get(DATE)?.to_str().ok()?.trim())?;
    // A moment already past means: now.
    Some(retry_at.duration_since(sent_at).unwrap_or(Duration::ZERO))
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
        let mut tokens = self.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *tokens = (*tokens + self.ratio).min(self.reserve);
    }

    /// Takes one retry from the budget; `false` when there is none left.
    pub fn try_withdraw(&self) -> bool {
        let mut tokens = self.tokens.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}
// ANCHOR_END: budget
