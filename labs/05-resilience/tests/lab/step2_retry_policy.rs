//! Step 2: when to retry, as pure decisions. Read «Retrying without making it worse».

use std::time::Duration;

use reqwest::header::HeaderValue;
use reqwest::{Method, StatusCode};
use resilience::retry::{Decision, Outcome, RetryBudget, parse_retry_after};

use super::support::{BACKOFF, policy};

const SECTION: &str = "Retrying without making it worse (book/05-resilience/retries.md)";

fn status(code: u16) -> Outcome {
    Outcome::Status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), None)
}

fn decide(method: Method, attempt: u32, outcome: Outcome) -> Decision {
    policy(3).decide(&method, attempt, &outcome, 0.5)
}

#[test]
fn a_get_that_met_a_503_is_retried_after_a_backoff() {
    assert_eq!(
        decide(Method::GET, 0, status(503)),
        Decision::RetryAfter(BACKOFF.delay(0, 0.5)),
        "GET + 503 on the first attempt: retry after the backoff's delay for attempt 0. Read «{SECTION}»."
    );
}

#[test]
fn a_post_is_never_retried() {
    for outcome in [status(503), status(502), Outcome::ConnectionFailed, Outcome::TimedOut] {
        assert_eq!(
            decide(Method::POST, 0, outcome),
            Decision::GiveUp,
            "POST is not idempotent: after {outcome:?} the first attempt may have worked, and a retry would do it twice. Read «{SECTION}»."
        );
    }
}

#[test]
fn idempotent_methods_are_retried() {
    for method in [Method::GET, Method::HEAD, Method::PUT, Method::DELETE, Method::OPTIONS] {
        assert!(
            matches!(decide(method.clone(), 0, status(503)), Decision::RetryAfter(_)),
            "{method} is idempotent (RFC 9110 §9.2.2): a 503 is worth a retry. Read «{SECTION}»."
        );
    }
}

#[test]
fn client_errors_are_not_retried() {
    for code in [400, 401, 403, 404, 409, 422] {
        assert_eq!(
            decide(Method::GET, 0, status(code)),
            Decision::GiveUp,
            "a {code} means our request is wrong; sending it again changes nothing. Read «{SECTION}»."
        );
    }
}

#[test]
fn server_errors_429_and_lost_connections_are_retried() {
    for outcome in
        [status(500), status(502), status(504), status(429), Outcome::ConnectionFailed, Outcome::TimedOut]
    {
        assert!(
            matches!(decide(Method::GET, 0, outcome), Decision::RetryAfter(_)),
            "{outcome:?} on a GET is worth a retry. Read «{SECTION}»."
        );
    }
}

#[test]
fn retry_after_is_honoured() {
    let outcome = Outcome::Status(StatusCode::TOO_MANY_REQUESTS, Some(Duration::from_secs(7)));
    assert_eq!(
        decide(Method::GET, 0, outcome),
        Decision::RetryAfter(Duration::from_secs(7)),
        "when the upstream says `Retry-After: 7`, wait 7 s, not our own backoff. Read «{SECTION}»."
    );
}

#[test]
fn a_retry_after_longer_than_we_can_wait_gives_up() {
    let outcome = Outcome::Status(StatusCode::SERVICE_UNAVAILABLE, Some(Duration::from_secs(3_600)));
    assert_eq!(
        decide(Method::GET, 0, outcome),
        Decision::GiveUp,
        "an hour is over `max_retry_after` (30 s): give up now. Read «{SECTION}»."
    );
}

#[test]
fn retries_stop_at_the_maximum() {
    assert!(
        matches!(decide(Method::GET, 2, status(503)), Decision::RetryAfter(_)),
        "attempt 2 of max_retries 3 may retry"
    );
    assert_eq!(
        decide(Method::GET, 3, status(503)),
        Decision::GiveUp,
        "after max_retries (3) retries, give up. Read «{SECTION}»."
    );
}

#[test]
fn retry_after_is_read_in_seconds() {
    assert_eq!(parse_retry_after(&HeaderValue::from_static("120")), Some(Duration::from_secs(120)));
    assert_eq!(
        parse_retry_after(&HeaderValue::from_static("soon")),
        None,
        "a value that is not a number is ignored. Read «{SECTION}»."
    );
}

#[test]
fn the_budget_caps_retries_and_earns_them_back() {
    let budget = RetryBudget::new(2, 0.5);
    assert!(
        budget.try_withdraw() && budget.try_withdraw(),
        "a budget with a reserve of 2 allows 2 retries. Read «{SECTION}»."
    );
    assert!(!budget.try_withdraw(), "a third retry is refused: the budget is empty. Read «{SECTION}».");
    budget.deposit();
    assert!(!budget.try_withdraw(), "one request earns half a retry (ratio 0.5): not enough yet");
    budget.deposit();
    assert!(budget.try_withdraw(), "two requests earn a whole retry back. Read «{SECTION}».");
    for _ in 0..100 {
        budget.deposit();
    }
    let mut retries = 0;
    while budget.try_withdraw() {
        retries += 1;
    }
    assert_eq!(
        retries, 2,
        "a quiet period refills the budget up to its reserve, not beyond. Read «{SECTION}»."
    );
}
