//! The client for the flaky upstream: every call has a timeout, failed calls are
//! retried by the policy, within the budget, after a backoff the clock sleeps through.

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use crate::clock::Clock;
use crate::retry::{Decision, Outcome, RetryBudget, RetryPolicy, parse_retry_after};

#[derive(Clone, Debug)]
pub struct UpstreamConfig {
    /// Where the upstream lives, e.g. `http://127.0.0.1:8080`.
    pub base_url: String,
    /// The most one attempt may take, from connecting to the last byte.
    pub attempt_timeout: Duration,
    pub policy: RetryPolicy,
}

/// Why a call to the upstream failed, after any retries.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    #[error("the upstream answered {0}")]
    Status(StatusCode),
    #[error("no connection to the upstream")]
    ConnectionFailed,
    #[error("the upstream did not answer within {0:?}")]
    TimedOut(Duration),
    #[error("the upstream's answer could not be read: {0}")]
    BadBody(String),
}

pub struct UpstreamClient {
    http: reqwest::Client,
    config: UpstreamConfig,
    budget: RetryBudget,
    clock: Arc<dyn Clock>,
}

impl UpstreamClient {
    pub fn new(config: UpstreamConfig, budget: RetryBudget, clock: Arc<dyn Clock>) -> Self {
        // No proxy: the upstream is a service we call directly, not the open internet.
        // Without TLS and proxy settings there is nothing for `build` to fail on.
        let http = reqwest::Client::builder().no_proxy().build().expect("a plain HTTP client always builds");
        Self { http, config, budget, clock }
    }

    /// GETs `path` and reads the JSON body.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str) -> Result<T, UpstreamError> {
        let response = self.send(Method::GET, path, None).await?;
        response.json().await.map_err(|e| self.body_error(&e))
    }

    /// POSTs a JSON body to `path` and reads the JSON answer.
    pub async fn post_json<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> Result<T, UpstreamError> {
        let response = self.send(Method::POST, path, Some(body)).await?;
        response.json().await.map_err(|e| self.body_error(&e))
    }

    // ANCHOR: send
    /// Sends the request until it succeeds or the policy, or the budget, says stop.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<reqwest::Response, UpstreamError> {
        self.budget.deposit();
        let mut attempt = 0;
        loop {
            let outcome = match self.attempt(&method, path, body).await {
                Ok(response) if response.status().is_success() => return Ok(response),
                Ok(response) => Outcome::Status(response.status(), parse_retry_after(response.headers())),
                Err(outcome) => outcome,
            };
            let decision = self.config.policy.decide(&method, attempt, &outcome, rand::random::<f64>());
            match decision {
                Decision::RetryAfter(delay) if self.budget.try_withdraw() => {
                    tracing::debug!(?outcome, ?delay, attempt, "retrying the upstream");
                    self.clock.sleep(delay).await;
                    attempt += 1;
                }
                _ => return Err(self.error_for(outcome)),
            }
        }
    }

    // ANCHOR: attempt
    /// One attempt, bounded by the attempt timeout. A transport error is an outcome to
    /// decide on, not an error yet.
    async fn attempt(
        &self,
        method: &Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<reqwest::Response, Outcome> {
        let url = format!("{}{path}", self.config.base_url);
        let mut request = self.http.request(method.clone(), url).timeout(self.config.attempt_timeout);
        if let Some(body) = body {
            request = request.json(body);
        }
        request
            .send()
            .await
            .map_err(|e| if e.is_timeout() { Outcome::TimedOut } else { Outcome::ConnectionFailed })
    }
    // ANCHOR_END: attempt
    // ANCHOR_END: send

    /// The attempt timeout covers the body too: a body that stops arriving is a timeout.
    fn body_error(&self, error: &reqwest::Error) -> UpstreamError {
        if error.is_timeout() {
            UpstreamError::TimedOut(self.config.attempt_timeout)
        } else {
            UpstreamError::BadBody(error.to_string())
        }
    }

    fn error_for(&self, outcome: Outcome) -> UpstreamError {
        match outcome {
            Outcome::Status(status, _) => UpstreamError::Status(status),
            Outcome::ConnectionFailed => UpstreamError::ConnectionFailed,
            Outcome::TimedOut => UpstreamError::TimedOut(self.config.attempt_timeout),
        }
    }
}
