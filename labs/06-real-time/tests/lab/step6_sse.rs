//! Step 6: Server-Sent Events with ids, `retry`, keep-alive, and resume from
//! `Last-Event-ID`, read by a real streaming client. Read «Server-Sent Events».

use std::time::Duration;

use axum::http::StatusCode;
use futures_util::StreamExt;

use super::support::{ALICE, PATIENCE, next_sse, spawn_app, sse_events, sse_request, within};

const SECTION: &str = "Server-Sent Events (book/06-real-time/sse.md)";

#[tokio::test]
async fn a_stream_starts_with_retry_and_carries_ids() {
    let app = spawn_app(|_| {}).await;
    app.state.hub.publish("bob", "before");
    let response = sse_request(app.addr, Some(ALICE), None).await;
    assert_eq!(response.status(), StatusCode::OK, "GET /events with a token streams. Read «{SECTION}».");
    assert_eq!(
        response.headers().get("content-type").and_then(|v| v.to_str().ok()),
        Some("text/event-stream"),
        "an SSE response is `text/event-stream`. Read «{SECTION}»."
    );
    let mut events = sse_events(response);
    let ready = next_sse(&mut events, "the first event").await;
    let ready = ready.unwrap_or_else(|| panic!("the first SSE event did not parse. Read «{SECTION}»."));
    assert_eq!(ready.event, "ready", "the first event is `event: ready`; got {ready:?}. Read «{SECTION}».");
    assert_eq!(
        ready.retry,
        Some(Duration::from_millis(1500)),
        "the first event tells the client how long to wait before reconnecting (`retry:` from \
         config.sse_retry); got {ready:?}. Read «{SECTION}»."
    );
    assert_eq!(
        ready.id, "1",
        "a fresh stream's first event carries the id of the latest event, so that a client that drops before \
         any message still resumes from here; got {ready:?}. Read «{SECTION}»."
    );
    app.state.hub.publish("bob", "after");
    let message = next_sse(&mut events, "bob's message").await;
    let message = message.unwrap_or_else(|| panic!("the message did not parse. Read «{SECTION}»."));
    assert_eq!(message.event, "message", "a room message is a default (`message`) event. Read «{SECTION}».");
    assert_eq!(
        message.id, "2",
        "every message carries its id, so the client can resume; got {message:?}. Read «{SECTION}»."
    );
    let data: serde_json::Value = serde_json::from_str(&message.data).unwrap_or_default();
    assert_eq!(
        data["text"], "after",
        "the data is the event's JSON; got {:?}. Read «{SECTION}».",
        message.data
    );
}

#[tokio::test]
async fn a_client_resumes_after_its_last_event_id() {
    let app = spawn_app(|_| {}).await;
    for n in 1..=5 {
        app.state.hub.publish("bob", &format!("n{n}"));
    }
    let mut events = sse_events(sse_request(app.addr, Some(ALICE), Some(3)).await);
    let ready = next_sse(&mut events, "the first event").await;
    assert_eq!(
        ready.map(|e| e.event),
        Some("ready".to_owned()),
        "the stream starts with `ready`. Read «{SECTION}»."
    );
    app.state.hub.publish("bob", "n6");
    let mut ids = Vec::new();
    while ids.len() < 3 {
        let event = next_sse(&mut events, "the events after Last-Event-ID: 3").await;
        ids.push(event.map(|e| e.id).unwrap_or_default());
    }
    assert_eq!(
        ids,
        ["4", "5", "6"],
        "a client that saw event 3 gets 4 and 5 from the history, then 6 live: nothing twice, nothing from \
         the start. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_resume_from_too_far_back_is_told_to_resync() {
    let app = spawn_app(|config| config.history = 4).await;
    for n in 1..=10 {
        app.state.hub.publish("bob", &format!("n{n}"));
    }
    let mut events = sse_events(sse_request(app.addr, Some(ALICE), Some(2)).await);
    let _ready = next_sse(&mut events, "the first event").await;
    let next = next_sse(&mut events, "the event after `ready`").await;
    assert_eq!(
        next.as_ref().map(|e| e.event.as_str()),
        Some("resync"),
        "events 3 to 6 are gone from a history of 4: the client must be told (`event: resync`) before it \
         gets 7 to 10, or it would show a room with a hole in it; got {next:?}. Read «{SECTION}»."
    );
    let following = next_sse(&mut events, "the retained events").await;
    assert_eq!(
        following.map(|e| e.id),
        Some("7".to_owned()),
        "then the retained events, from 7. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn an_idle_stream_sends_keep_alive_comments() {
    let app = spawn_app(|config| config.sse_keep_alive = Duration::from_millis(30)).await;
    let response = sse_request(app.addr, Some(ALICE), None).await;
    let mut body = response.bytes_stream();
    let mut seen = String::new();
    let found = within(
        "no comment line (`: ...`) came on an idle stream: proxies close connections that stay silent. Set a \
         keep-alive on the Sse response. Read «Server-Sent Events (book/06-real-time/sse.md)».",
        async {
            while let Some(Ok(chunk)) = body.next().await {
                seen.push_str(&String::from_utf8_lossy(&chunk));
                if seen.lines().any(|line| line.starts_with(':')) {
                    return true;
                }
            }
            false
        },
    )
    .await;
    assert!(found, "the stream ended before any keep-alive comment; it sent {seen:?}. Read «{SECTION}».");
}

#[tokio::test]
async fn a_stream_needs_credentials() {
    let app = spawn_app(|_| {}).await;
    let response = sse_request(app.addr, None, None).await;
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "GET /events without a token is 401, like the WebSocket handshake. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn an_event_published_while_the_stream_opens_is_not_lost() {
    let app = spawn_app(|_| {}).await;
    app.state.hub.publish("bob", "seen");
    let hub = app.state.hub.clone();
    // Runs right after the handler has read the history for the replay: the event is
    // published between that read and anything the handler does next. Every run.
    app.state.hub.after_next_read(move || {
        hub.publish("bob", "in between");
    });
    let mut events = sse_events(sse_request(app.addr, Some(ALICE), Some(1)).await);
    let _ready = next_sse(&mut events, "the first event").await;
    let next = tokio::time::timeout(PATIENCE, events.next()).await;
    let next = match next {
        Ok(Some(Some(event))) => event,
        other => panic!(
            "an event published right after the history was read never came (got {other:?} within {PATIENCE:?}): \
             it was in neither the replay nor the live channel. Subscribe before you read the history. \
             Read «{SECTION}»."
        ),
    };
    assert_eq!(
        (next.event.as_str(), next.id.as_str()),
        ("message", "2"),
        "after Last-Event-ID: 1, the next event is 2, the one published while the stream opened; got {next:?}. \
         Read «{SECTION}»."
    );
}

#[tokio::test]
async fn an_event_in_both_the_replay_and_the_live_channel_is_sent_once() {
    let app = spawn_app(|_| {}).await;
    app.state.hub.publish("bob", "seen");
    let hub = app.state.hub.clone();
    // Runs right before the handler reads the history, after it has subscribed: the
    // event is in the replay and on the live channel both. Every run.
    app.state.hub.before_next_read(move || {
        hub.publish("bob", "in both");
    });
    let mut events = sse_events(sse_request(app.addr, Some(ALICE), Some(1)).await);
    let _ready = next_sse(&mut events, "the first event").await;
    let replayed = next_sse(&mut events, "the replayed event").await;
    app.state.hub.publish("bob", "live");
    let live = next_sse(&mut events, "the live event").await;
    let ids = [replayed, live].map(|event| event.map(|e| e.id).unwrap_or_default());
    assert_eq!(
        ids,
        ["2", "3"],
        "event 2 was in the replay and on the live channel: it must be sent once, then 3. Skip a live event \
         whose id is not above the last one sent. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_stream_that_falls_behind_is_told_and_ended() {
    let app = spawn_app(|config| config.channel_capacity = 4).await;
    let mut events = sse_events(sse_request(app.addr, Some(ALICE), None).await);
    let _ready = next_sse(&mut events, "the first event").await;
    // 20 events with no await in between: the stream's task cannot run until all are
    // published, so its receiver falls 16 behind a channel of 4. Every run.
    for n in 1..=20 {
        app.state.hub.publish("bob", &format!("n{n}"));
    }
    let next = next_sse(&mut events, "the event after a burst of 20 into a channel of 4").await;
    assert_eq!(
        next.as_ref().map(|e| e.event.as_str()),
        Some("lagged"),
        "the stream fell 16 events behind: it must say so (`event: lagged`), not jump from `ready` to event 17 \
         as if nothing were missing; got {next:?}. Read «{SECTION}»."
    );
    assert!(
        next_sse(&mut events, "the end of the stream after `lagged`").await.is_none(),
        "after `lagged` the stream ends: the client reconnects with its Last-Event-ID and the history fills \
         the hole (or says it cannot). Read «{SECTION}»."
    );
}
