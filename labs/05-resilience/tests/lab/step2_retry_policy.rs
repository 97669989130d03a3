//! Step 2: when to retry, as pure decisions. Read «Retrying without making it worse».

use std::time::{Duration, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use resilience::http_date;
use resilience::retry::{Decision, Outcome, RetryBudget, parse_retry_after};

use super::support::{BACKOFF, policy};

const SECTION: &str = "Retrying without making it worse (book/05-resilience/retries.md)";

fn status(code: u16) -> Outcome {
    Outcome::Status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), None)
}

fn decide(method: Method, attempt: u32, outcome: Outcome) -> Decision {
    policy(3).decide(&method, attempt, &outcome, 0.5)
}

/// A status that carries `Retry-After: secs`.
fn status_after(code: u16, secs: u64) -> Outcome {
    match status(code) {
        Outcome::Status(status, _) => Outcome::Status(status, Some(Duration::from_secs(secs))),
        other => other,
    }
}

/// Response headers with a `Retry-After`, and a `Date` if given.
fn headers(retry_after: &[u8], date: Option<&'static str>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let value = HeaderValue::from_bytes(retry_after).unwrap_or_else(|e| panic!("bad test header: {e}"));
    headers.insert("retry-after", value);
    if let Some(date) = date {
        headers.insert("date", HeaderValue::from_static(date));
    }
    headers
}

/// Withdraws until the budget refuses; how many retries it allowed.
fn drain(budget: &RetryBudget) -> usize {
    (0..1_000).take_while(|_| budget.try_withdraw()).count()
}

/// After draining `budget`, how many deposits it takes to earn one retry (at most 100).
fn deposits_for_one_retry(budget: &RetryBudget) -> usize {
    drain(budget);
    (1..=100)
        .find(|_| {
            budget.deposit();
            budget.try_withdraw()
        })
        .unwrap_or(usize::MAX)
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
fn a_server_error_that_means_never_is_not_retried() {
    for code in [501, 505] {
        assert_eq!(
            decide(Method::GET, 0, status(code)),
            Decision::GiveUp,
            "a {code} is a 5xx, but it says the server does not support this at all (501 Not Implemented, 505 HTTP \
             Version Not Supported, RFC 9110 §15.6): the next attempt gets the same answer. Read «{SECTION}»."
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
    assert_eq!(
        decide(Method::GET, 0, status_after(503, 7)),
        Decision::RetryAfter(Duration::from_secs(7)),
        "a 503 may carry `Retry-After` too (RFC 9110 §10.2.3): wait 7 s. Read «{SECTION}»."
    );
    assert_eq!(
        decide(Method::GET, 0, status_after(503, 30)),
        Decision::RetryAfter(Duration::from_secs(30)),
        "`Retry-After: 30` is exactly `max_retry_after` (30 s): still worth waiting for. Read «{SECTION}»."
    );
}

#[test]
fn a_retry_after_longer_than_we_can_wait_gives_up() {
    for secs in [31, 3_600] {
        assert_eq!(
            decide(Method::GET, 0, status_after(503, secs)),
            Decision::GiveUp,
            "`Retry-After: {secs}` is over `max_retry_after` (30 s): give up now rather than hold the caller. Read «{SECTION}»."
        );
    }
}

#[test]
fn retry_after_does_not_make_a_post_retryable() {
    for code in [503, 429] {
        assert_eq!(
            decide(Method::POST, 0, status_after(code, 1)),
            Decision::GiveUp,
            "POST + {code} with `Retry-After: 1`: the header says *when* to retry, not *whether* it is safe. A POST is \
             never retried. Read «{SECTION}»."
        );
    }
}

#[test]
fn retry_after_does_not_make_a_client_error_retryable() {
    for code in [400, 404, 409] {
        assert_eq!(
            decide(Method::GET, 0, status_after(code, 1)),
            Decision::GiveUp,
            "GET + {code} with `Retry-After: 1`: the request itself is wrong, and waiting does not fix it. Only the \
             status decides whether to retry. Read «{SECTION}»."
        );
    }
}

#[test]
fn retry_after_does_not_lift_the_retry_cap() {
    assert_eq!(
        decide(Method::GET, 3, status_after(503, 1)),
        Decision::GiveUp,
        "attempt 3 of max_retries 3 with `Retry-After: 1`: the cap holds whatever the server suggests. Read «{SECTION}»."
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
    for (value, secs) in [("120", 120), (" 7 ", 7), ("0", 0)] {
        assert_eq!(
            parse_retry_after(&headers(value.as_bytes(), None)),
            Some(Duration::from_secs(secs)),
            "`Retry-After: {value:?}` is {secs} seconds. Read «{SECTION}»."
        );
    }
    for value in ["soon", "-5", "1.5", "", "12 s"] {
        assert_eq!(
            parse_retry_after(&headers(value.as_bytes(), None)),
            None,
            "`Retry-After: {value:?}` is neither seconds nor a date: no advice (None), and the backoff decides. Read «{SECTION}»."
        );
    }
    assert_eq!(
        parse_retry_after(&headers(b"\xff\xfe", None)),
        None,
        "a header that is not text is no advice (None), never a panic. Read «{SECTION}»."
    );
    assert_eq!(parse_retry_after(&HeaderMap::new()), None, "no Retry-After header: None");
}

#[test]
fn a_huge_retry_after_is_too_long_not_unreadable() {
    let huge = parse_retry_after(&headers(b"99999999999999999999999", None));
    assert!(
        huge.is_some_and(|d| d >= Duration::from_secs(365 * 86_400)),
        "`Retry-After: 99999999999999999999999` overflows a u64, but it plainly means 'not soon': read it as a very long \
         wait (the policy then gives up), not as no advice (which would retry after a short backoff); got {huge:?}. \
         Read «{SECTION}»."
    );
}

#[test]
fn retry_after_as_an_http_date_is_counted_from_the_date_header() {
    let cases = [
        ("Sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:07 GMT", 30),
        ("Wed, 01 Mar 2028 00:00:10 GMT", "Tue, 29 Feb 2028 23:59:50 GMT", 20),
        ("Sat, 01 Jan 2000 00:00:05 GMT", "Fri, 31 Dec 1999 23:59:55 GMT", 10),
        ("Mon, 01 Mar 2027 00:00:00 GMT", "Sun, 28 Feb 2027 23:00:00 GMT", 3_600),
        ("Tue, 29 Feb 2000 00:00:00 GMT", "Mon, 28 Feb 2000 00:00:00 GMT", 86_400),
        ("Fri, 01 Jan 2100 00:00:00 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", 4_102_444_800),
        ("Sun, 06 Nov 1994 08:49:07 GMT", "Sun, 06 Nov 1994 08:49:37 GMT", 0),
    ];
    for (retry_after, date, secs) in cases {
        assert_eq!(
            parse_retry_after(&headers(retry_after.as_bytes(), Some(date))),
            Some(Duration::from_secs(secs)),
            "`Retry-After: {retry_after}` in a response with `Date: {date}` asks for {secs} s: a date is measured from \
             the server's own Date (and one already past means now). Read «{SECTION}»."
        );
    }
    // The given parser itself, on RFC 9110's own example: seconds since 1970, exactly.
    assert_eq!(
        http_date::parse("Sun, 06 Nov 1994 08:49:37 GMT"),
        Some(UNIX_EPOCH + Duration::from_secs(784_111_777)),
        "http_date::parse is given; if this fails, it was edited. Read «{SECTION}»."
    );
}

#[test]
fn an_http_date_that_cannot_be_measured_is_ignored() {
    let cases = [
        ("Sun, 06 Nov 1994 08:49:37 GMT", None, "no Date header to measure from"),
        ("Sun, 06 Nov 1994 08:49:37 GMT", Some("yesterday"), "a Date that is not a date"),
        ("Sun, 06 Nov 1994 08:49:37 UTC", Some("Sun, 06 Nov 1994 08:49:07 GMT"), "a zone other than GMT"),
        (
            "Sunday, 06-Nov-94 08:49:37 GMT",
            Some("Sun, 06 Nov 1994 08:49:07 GMT"),
            "the obsolete RFC 850 form",
        ),
        ("Mon, 30 Feb 2026 00:00:00 GMT", Some("Sun, 01 Feb 2026 00:00:00 GMT"), "30 February"),
        (
            "Sun, 29 Feb 2026 00:00:00 GMT",
            Some("Sun, 01 Feb 2026 00:00:00 GMT"),
            "29 February of a common year",
        ),
        (
            "Mon, 29 Feb 2100 00:00:00 GMT",
            Some("Fri, 01 Jan 2100 00:00:00 GMT"),
            "29 February 2100, not a leap year",
        ),
        ("Fri, 31 Apr 2026 00:00:00 GMT", Some("Sun, 01 Feb 2026 00:00:00 GMT"), "31 April"),
        ("Sun, 06 Nov 1994 24:00:00 GMT", Some("Sun, 06 Nov 1994 08:49:07 GMT"), "hour 24"),
        ("Sun, 6 Nov 1994 08:49:37 GMT", Some("Sun, 06 Nov 1994 08:49:07 GMT"), "a one-digit day"),
    ];
    for (retry_after, date, what) in cases {
        assert_eq!(
            parse_retry_after(&headers(retry_after.as_bytes(), date)),
            None,
            "`Retry-After: {retry_after}` with Date {date:?} ({what}): no usable advice, so None and the backoff \
             decides, never a panic. Read «{SECTION}»."
        );
    }
}

#[test]
fn the_budget_caps_retries_and_earns_them_back() {
    let budget = RetryBudget::new(2, 0.5);
    assert!(
        budget.try_withdraw() && budget.try_withdraw(),
        "a budget with a reserve of 2 starts full: it allows 2 retries. Read «{SECTION}»."
    );
    assert!(!budget.try_withdraw(), "a third retry is refused: the budget is empty. Read «{SECTION}».");
    budget.deposit();
    assert!(
        !budget.try_withdraw(),
        "one request earns half a retry (ratio 0.5): a half is not a whole retry yet. Read «{SECTION}»."
    );
    budget.deposit();
    assert!(budget.try_withdraw(), "two requests earn a whole retry back. Read «{SECTION}».");
    for _ in 0..100 {
        budget.deposit();
    }
    assert_eq!(
        drain(&budget),
        2,
        "a quiet period refills the budget up to its reserve (2), not beyond. Read «{SECTION}»."
    );
}

#[test]
fn the_reserve_is_how_many_retries_a_full_budget_allows() {
    for reserve in [0, 1, 5] {
        let budget = RetryBudget::new(reserve, 0.5);
        assert_eq!(
            drain(&budget),
            reserve as usize,
            "RetryBudget::new({reserve}, 0.5) starts full: exactly {reserve} retries before any request earns more. \
             Read «{SECTION}»."
        );
        for _ in 0..100 {
            budget.deposit();
        }
        assert_eq!(
            drain(&budget),
            reserve as usize,
            "after 100 requests, RetryBudget::new({reserve}, 0.5) holds its reserve again: {reserve} retries, no more. \
             Read «{SECTION}»."
        );
    }
}

#[test]
fn the_ratio_is_the_share_of_a_retry_each_request_earns() {
    for (ratio, deposits) in [(0.5, 2), (0.25, 4), (1.0, 1)] {
        assert_eq!(
            deposits_for_one_retry(&RetryBudget::new(3, ratio)),
            deposits,
            "with ratio {ratio}, an empty budget needs {deposits} requests to earn one retry. Read «{SECTION}»."
        );
    }
    // 0.1 has no exact binary form: ten deposits may fall a hair short of a whole retry.
    let tenth = deposits_for_one_retry(&RetryBudget::new(3, 0.1));
    assert!(
        (10..=11).contains(&tenth),
        "with ratio 0.1, an empty budget needs about 10 requests to earn one retry, not {tenth}. Read «{SECTION}»."
    );
}
