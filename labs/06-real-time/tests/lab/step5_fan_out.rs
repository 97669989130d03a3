//! Step 5: fan-out with slow consumers: a client that cannot keep up is told, and closed,
//! never buffered for without limit and never left with a silent gap. Read «Fan-out
//! and slow consumers».

use std::time::Duration;

use super::support::{ALICE, BOB, Seen, spawn_app, ws};

const SECTION: &str = "Fan-out and slow consumers (book/06-real-time/fan-out.md)";

const EVENTS: u64 = 400;

#[tokio::test]
async fn a_slow_consumer_is_closed_with_a_reason() {
    let app = spawn_app(|config| {
        config.max_message_bytes = 128 * 1024;
        config.channel_capacity = 16;
        // The server's blocked write to bob must wait until bob starts reading, however
        // long a loaded machine takes to publish 25 MiB: a write timeout that fires first
        // drops bob without a close frame, and the test would blame the lag policy.
        config.write_timeout = Duration::from_secs(60);
    })
    .await;
    let mut bob = ws(app.addr, BOB).await;
    // 400 events of 64 KiB: 25 MiB, more than the socket buffers of loopback hold, so
    // the server's writes to bob, who reads nothing yet, must block. The test runs on
    // one thread and yields after each publish, so bob's connection task gets a turn
    // every time: a task that keeps up by queueing everything it receives would never
    // fall behind.
    let text = "x".repeat(64 * 1024);
    for _ in 0..EVENTS {
        app.state.hub.publish("alice", &text);
        tokio::task::yield_now().await;
    }
    let mut last_id = 0;
    loop {
        match bob.next().await {
            Seen::Text(text) => {
                let message: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
                let id = message["id"].as_u64().unwrap_or(0);
                assert_eq!(
                    id,
                    last_id + 1,
                    "bob received event {id} right after event {last_id}: the events in between were \
                     skipped without a word. A lagging receiver must be told. Read «{SECTION}»."
                );
                last_id = id;
                assert!(
                    last_id < EVENTS,
                    "bob read nothing until all {EVENTS} events (25 MiB) were published, and still received \
                     every one: the server queued them all for a client that was not reading. That queue \
                     has no bound. Read «{SECTION}»."
                );
            }
            Seen::Closed(Some((code, reason))) => {
                assert_eq!(
                    code, 1013,
                    "a consumer that fell behind is closed with 1013 (try again later); got {code} {reason:?}. \
                     Read «{SECTION}»."
                );
                assert!(
                    reason.contains("missed"),
                    "the reason says how many events were missed; got {reason:?}. Read «{SECTION}»."
                );
                return;
            }
            other => panic!(
                "after event {last_id}, expected the next event or a close frame with code 1013; got {other:?}. \
                 Read «{SECTION}»."
            ),
        }
    }
}

#[tokio::test]
async fn a_consumer_that_keeps_up_misses_nothing() {
    let app = spawn_app(|config| config.channel_capacity = 16).await;
    let mut alice = ws(app.addr, ALICE).await;
    for n in 0..16 {
        app.state.hub.publish("bob", &format!("n{n}"));
    }
    for id in 1..=16 {
        let message = alice.message("alice reads 16 events, as many as the channel holds").await;
        assert_eq!(
            message["id"], id,
            "16 events fit in a channel of 16: none is lost and the client is not closed. Read «{SECTION}»."
        );
    }
}
