//! Step 7: long polling: at once when an event exists, after a timeout otherwise, and
//! never a missed wakeup. No socket here: paused time, and a hook that publishes at
//! the worst possible moment. Read «Long polling».

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use real_time::hub::Hub;
use real_time::{AppState, app};
use tokio::time::Instant;
use tower::ServiceExt;

use super::support::{ALICE, config};

const SECTION: &str = "Long polling (book/06-real-time/long-poll.md)";

const TIMEOUT: Duration = Duration::from_secs(25);

fn texts(replay: &real_time::hub::Replay) -> Vec<&str> {
    replay.events.iter().map(|event| event.text.as_str()).collect()
}

#[tokio::test(start_paused = true)]
async fn an_event_already_there_is_answered_at_once() {
    let hub = Hub::new(16, 64);
    hub.publish("bob", "one");
    hub.publish("bob", "two");
    let start = Instant::now();
    let replay = hub.wait_after(1, TIMEOUT).await;
    assert_eq!(texts(&replay), ["two"], "after id 1, the one event after it. Read «{SECTION}».");
    assert_eq!(
        start.elapsed(),
        Duration::ZERO,
        "an event that exists is answered without waiting. Read «{SECTION}»."
    );
}

#[tokio::test(start_paused = true)]
async fn with_nothing_new_the_poll_answers_empty_after_the_timeout() {
    let hub = Hub::new(16, 64);
    hub.publish("bob", "one");
    let start = Instant::now();
    let replay = hub.wait_after(1, TIMEOUT).await;
    assert!(
        replay.events.is_empty() && !replay.gap,
        "nothing after id 1: an empty answer. Read «{SECTION}»."
    );
    assert_eq!(
        start.elapsed(),
        TIMEOUT,
        "the poll waits the whole timeout, no more, no less. Read «{SECTION}»."
    );
}

#[tokio::test(start_paused = true)]
async fn an_event_during_the_wait_ends_it() {
    let hub = Arc::new(Hub::new(16, 64));
    let publisher = hub.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(3)).await;
        publisher.publish("bob", "news");
    });
    let start = Instant::now();
    let replay = hub.wait_after(0, TIMEOUT).await;
    assert_eq!(
        texts(&replay),
        ["news"],
        "an event published during the wait is the answer. Read «{SECTION}»."
    );
    assert_eq!(start.elapsed(), Duration::from_secs(3), "answered when it was published. Read «{SECTION}».");
}

#[tokio::test(start_paused = true)]
async fn an_event_between_the_check_and_the_wait_is_not_missed() {
    let hub = Arc::new(Hub::new(16, 64));
    let publisher = hub.clone();
    // Runs right after `events_after` has looked at the history and found nothing: the
    // event arrives after the check and before the wait. Every run, not by luck.
    hub.after_next_read(move || {
        publisher.publish("bob", "just in time");
    });
    let start = Instant::now();
    let replay = hub.wait_after(0, TIMEOUT).await;
    assert_eq!(
        texts(&replay),
        ["just in time"],
        "an event published between the check and the wait was missed, and the poll slept {:?}: register \
         for the wakeup (Notify::notified, enabled) before looking at the history. Read «{SECTION}».",
        start.elapsed()
    );
    assert!(start.elapsed() < TIMEOUT, "and answered at once, not after the timeout. Read «{SECTION}».");
}

#[tokio::test(start_paused = true)]
async fn a_cursor_one_event_beyond_the_history_is_told_to_resync() {
    let hub = Hub::new(16, 4);
    for n in 1..=10 {
        hub.publish("bob", &format!("n{n}"));
    }
    // The history keeps 7 to 10. A client that saw 5 never got 6, and 6 is gone.
    let behind = hub.wait_after(5, TIMEOUT).await;
    assert!(
        behind.gap && texts(&behind) == ["n7", "n8", "n9", "n10"],
        "after id 5, with 7 to 10 retained, event 6 is missing: the answer carries 7 to 10 and `gap: true` \
         (a single missing event is a hole too); got {:?} with gap {}. Read «{SECTION}».",
        texts(&behind),
        behind.gap
    );
    let caught_up = hub.wait_after(6, TIMEOUT).await;
    assert!(
        !caught_up.gap && texts(&caught_up) == ["n7", "n8", "n9", "n10"],
        "after id 6, everything that followed is retained: 7 to 10 and no gap; got {:?} with gap {}. \
         Read «{SECTION}».",
        texts(&caught_up),
        caught_up.gap
    );
}

/// `GET uri` on the app, in-process: the status and the JSON body (null if none).
async fn get(state: AppState, uri: &str, headers: &[(&str, &str)]) -> (StatusCode, serde_json::Value) {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Body::empty()).unwrap_or_else(|e| panic!("bad test request: {e}"));
    let response = match app(state).oneshot(request).await {
        Ok(response) => response,
        Err(infallible) => match infallible {},
    };
    let status = response.status();
    let body = response.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    (status, serde_json::from_slice(&body).unwrap_or_default())
}

#[tokio::test(start_paused = true)]
async fn the_poll_endpoint_answers_with_the_events_after_the_cursor() {
    let state = AppState::new(config());
    state.hub.publish("bob", "one");
    state.hub.publish("bob", "two");
    let bearer = format!("Bearer {ALICE}");
    let (status, json) = get(state, "/poll?after=1", &[("authorization", &bearer)]).await;
    assert_eq!(status, StatusCode::OK, "GET /poll?after=1 with a token. Read «{SECTION}».");
    assert_eq!(
        json,
        serde_json::json!({ "events": [{ "id": 2, "from": "bob", "text": "two" }], "resync": false }),
        "the events after the cursor, and whether some are gone. Read «{SECTION}»."
    );
}

#[tokio::test(start_paused = true)]
async fn a_poll_with_nothing_new_answers_an_empty_list_after_the_timeout() {
    let state = AppState::new(config());
    state.hub.publish("bob", "one");
    let bearer = format!("Bearer {ALICE}");
    let start = Instant::now();
    let (status, json) = get(state, "/poll?after=1", &[("authorization", &bearer)]).await;
    assert_eq!(
        (status, json.clone()),
        (StatusCode::OK, serde_json::json!({ "events": [], "resync": false })),
        "a poll that times out is still an answer in the same shape: 200 with an empty list, which every \
         client parses like any other; got {status} {json}. Read «{SECTION}»."
    );
    assert_eq!(
        start.elapsed(),
        config().long_poll_timeout,
        "the endpoint waits `config.long_poll_timeout`. Read «{SECTION}»."
    );
}

#[tokio::test(start_paused = true)]
async fn the_poll_endpoint_checks_the_caller_like_the_others() {
    let state = AppState::new(config());
    state.hub.publish("bob", "private");
    let (status, json) = get(state.clone(), "/poll?after=0", &[]).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "GET /poll without a token is 401, like /ws and /events: the room is not public; got {status} {json}. \
         Read «{SECTION}»."
    );
    let bearer = format!("Bearer {ALICE}");
    let (status, json) =
        get(state, "/poll?after=0", &[("authorization", &bearer), ("origin", "https://evil.example")]).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "GET /poll from https://evil.example is 403 (step 1's `authorize`), whatever the token; got {status} \
         {json}. Read «{SECTION}»."
    );
}
