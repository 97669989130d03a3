//! Step 3: limits on what one connection may send: size and rate. Read «Limits on a
//! connection».

use std::time::{Duration, Instant};

use futures_util::SinkExt;
use real_time::limits::{Quota, RateLimit};
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::Message;

use super::support::{ALICE, BOB, PATIENCE, close_of, raw, read_until_close, spawn_app, wait_until, ws};

const SECTION: &str = "Limits on a connection (book/06-real-time/limits.md)";

const QUOTA: Quota = Quota { burst: 3, per: Duration::from_secs(1) };

#[test]
fn a_burst_is_allowed_then_one_message_per_interval() {
    let start = Instant::now();
    let mut limit = RateLimit::new(QUOTA);
    for n in 1..=3 {
        assert!(limit.allow(start), "message {n} of a burst of 3 is allowed. Read «{SECTION}».");
    }
    assert!(
        !limit.allow(start),
        "the 4th message at the same instant exceeds the burst of 3. Read «{SECTION}»."
    );
    assert!(
        !limit.allow(start + Duration::from_millis(999)),
        "999 ms later the next message is not yet due (one per second). Read «{SECTION}»."
    );
    assert!(
        limit.allow(start + QUOTA.per),
        "one second later, one more is allowed: the messages refused at +0 ms and +999 ms must cost nothing \
         (a refused message does not move the schedule). Read «{SECTION}»."
    );
    assert!(!limit.allow(start + QUOTA.per), "but only one. Read «{SECTION}».");
}

#[test]
fn a_quiet_connection_does_not_bank_credit() {
    let start = Instant::now();
    let mut limit = RateLimit::new(QUOTA);
    assert!(limit.allow(start), "the first message is allowed. Read «{SECTION}».");
    let later = start + Duration::from_secs(3600);
    let allowed = (0..10).filter(|_| limit.allow(later)).count();
    assert_eq!(
        allowed, 3,
        "after an hour of silence, a burst is still at most 3 messages; got {allowed}. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_flooding_client_is_closed_with_1008() {
    let app = spawn_app(|_| {}).await; // burst 5, then one a minute
    let mut alice = ws(app.addr, ALICE).await;
    for n in 1..=6 {
        alice.say(&format!("flood {n}")).await;
    }
    let (code, reason) = alice.close_frame("the sixth message in a burst of five").await;
    assert_eq!(
        code, 1008,
        "over its rate limit, the connection is closed with 1008 (policy violation) and a reason; got {code} \
         {reason:?}. Read «{SECTION}»."
    );
    assert!(reason.contains("rate"), "the reason says why: got {reason:?}. Read «{SECTION}».");
    assert_eq!(
        app.state.hub.last_id(),
        5,
        "the first five messages are within the burst and published, the sixth is not. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_message_over_the_size_limit_closes_with_1009() {
    let app = spawn_app(|_| {}).await; // 1024 bytes at most
    let mut bob = ws(app.addr, BOB).await;
    let mut alice = ws(app.addr, ALICE).await;
    alice.say(&"x".repeat(1024)).await;
    alice.say(&"x".repeat(4096)).await;
    let first = bob.message("bob waits for alice's message of exactly 1024 bytes").await;
    assert_eq!(
        first["text"].as_str().map(str::len),
        Some(1024),
        "a message of exactly max_message_bytes is allowed. Read «{SECTION}»."
    );
    let (code, reason) = alice.close_frame("alice sent 4096 bytes with a limit of 1024").await;
    assert_eq!(
        code, 1009,
        "a message over max_message_bytes closes the connection with 1009 (message too big); got {code} \
         {reason:?}. Set the limit on the upgrade (`max_message_size`), so the server never buffers it. \
         Read «{SECTION}»."
    );
    assert_eq!(app.state.hub.last_id(), 1, "the oversized message is not published. Read «{SECTION}».");
}

#[tokio::test]
async fn a_message_announced_too_large_is_refused_before_it_is_read() {
    let app = spawn_app(|_| {}).await; // 1024 bytes at most
    let mut tcp = raw(ws(app.addr, ALICE).await);
    // A frame header that announces 1 MiB of text (FIN and text, masked, a 64-bit
    // length), and not one byte of it. Only the configured limit refuses it from the
    // header (tungstenite's own frame limit is 16 MiB); a server that reads a message
    // whole before it judges the size waits here for a MiB it would then hold.
    let mut header = vec![0x81, 0x80 | 127];
    header.extend_from_slice(&(1u64 << 20).to_be_bytes());
    header.extend_from_slice(&[0x12, 0x34, 0x56, 0x78]);
    tcp.write_all(&header).await.unwrap_or_else(|e| panic!("could not send the frame header: {e}"));
    let (frames, _) = read_until_close(&mut tcp).await;
    let close = close_of(&frames);
    assert_eq!(
        close.as_ref().map(|(code, _)| *code),
        Some(1009),
        "a frame that announces 1 MiB, with a limit of 1024 bytes, must be refused from its header with 1009, \
         before its payload is read; within {PATIENCE:?} the server sent {close:?}. A length check in your own \
         code comes after tungstenite has buffered the whole message: give the upgrade `max_frame_size` and \
         `max_message_size`. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn the_rate_limit_is_per_connection() {
    let app = spawn_app(|_| {}).await; // burst 5 per connection
    let mut alice = ws(app.addr, ALICE).await;
    let mut bob = ws(app.addr, BOB).await;
    for n in 1..=5 {
        // A refusal shows in the count below; a send that fails here is part of it.
        let _ = alice.socket.send(Message::text(format!("alice {n}"))).await;
        let _ = bob.socket.send(Message::text(format!("bob {n}"))).await;
    }
    let hub = app.state.hub.clone();
    wait_until(
        || {
            format!(
                "alice and bob each sent 5 messages on their own connection, each within its burst of 5: all 10 \
                 are published, but the room has {}. One limit shared by every connection lets one flooding \
                 client silence everybody. Read «{SECTION}».",
                hub.last_id()
            )
        },
        || hub.last_id() == 10,
    )
    .await;
    alice.say("alice 6").await;
    let (code, reason) = alice.close_frame("alice's sixth message, over her own burst of 5").await;
    assert_eq!(
        code, 1008,
        "alice's own sixth message is over her limit, whatever bob did: 1008; got {code} {reason:?}. \
         Read «{SECTION}»."
    );
}
