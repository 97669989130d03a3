//! Step 4: heartbeats: a ping on an interval, and a peer that stops answering is closed
//! after a deadline. Read «Heartbeats».

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use real_time::heartbeat::{Beat, Heartbeat};
use tokio::io::AsyncReadExt;
use tokio_tungstenite::MaybeTlsStream;
use tokio_tungstenite::tungstenite::Message;

use super::support::{ALICE, PATIENCE, spawn_app, ws};

const SECTION: &str = "Heartbeats (book/06-real-time/heartbeat.md)";

const TIMEOUT: Duration = Duration::from_secs(30);

#[test]
fn a_peer_heard_from_recently_is_pinged() {
    let start = Instant::now();
    let heartbeat = Heartbeat::new(start, TIMEOUT);
    assert_eq!(
        heartbeat.tick(start + Duration::from_secs(10)),
        Beat::Ping,
        "10 s of 30: ping. Read «{SECTION}»."
    );
    assert_eq!(
        heartbeat.tick(start + TIMEOUT - Duration::from_millis(1)),
        Beat::Ping,
        "just under the timeout: still alive. Read «{SECTION}»."
    );
}

#[test]
fn a_peer_silent_for_the_whole_timeout_is_dead() {
    let start = Instant::now();
    let heartbeat = Heartbeat::new(start, TIMEOUT);
    assert_eq!(
        heartbeat.tick(start + TIMEOUT),
        Beat::Dead,
        "silent for exactly the timeout: dead. Read «{SECTION}»."
    );
    assert_eq!(
        heartbeat.tick(start + TIMEOUT * 10),
        Beat::Dead,
        "silent for longer: dead. Read «{SECTION}»."
    );
}

#[test]
fn anything_heard_resets_the_deadline() {
    let start = Instant::now();
    let mut heartbeat = Heartbeat::new(start, TIMEOUT);
    heartbeat.heard(start + Duration::from_secs(20));
    assert_eq!(
        heartbeat.tick(start + Duration::from_secs(40)),
        Beat::Ping,
        "heard at 20 s, so at 40 s the peer has been silent for 20 s only. Read «{SECTION}»."
    );
    assert_eq!(
        heartbeat.tick(start + Duration::from_secs(50)),
        Beat::Dead,
        "and at 50 s for 30 s. Read «{SECTION}»."
    );
    heartbeat.heard(start + Duration::from_secs(5));
    assert_eq!(
        heartbeat.tick(start + Duration::from_secs(40)),
        Beat::Ping,
        "a late report of an earlier instant does not move the deadline back. Read «{SECTION}»."
    );
}

/// The frames a server sent on a raw socket: (opcode, payload). Server frames are not
/// masked, and these are all short.
fn frames(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut frames = Vec::new();
    while bytes.len() >= 2 {
        let (opcode, len) = (bytes[0] & 0x0f, usize::from(bytes[1] & 0x7f));
        if len > 125 || bytes.len() < 2 + len {
            break;
        }
        frames.push((opcode, bytes[2..2 + len].to_vec()));
        bytes = &bytes[2 + len..];
    }
    frames
}

#[tokio::test]
async fn a_peer_that_never_answers_is_closed() {
    let app = spawn_app(|config| {
        config.heartbeat_interval = Duration::from_millis(20);
        config.heartbeat_timeout = Duration::from_millis(60);
    })
    .await;
    // A half-open peer: the handshake went through, then nothing is ever read or
    // answered again, as from a laptop that went to sleep.
    let client = ws(app.addr, ALICE).await;
    let MaybeTlsStream::Plain(mut tcp) = client.socket.into_inner() else {
        panic!("the test client uses plain TCP");
    };
    let mut received = Vec::new();
    let ended = tokio::time::timeout(PATIENCE, tcp.read_to_end(&mut received)).await;
    assert!(
        ended.is_ok(),
        "a peer that answered no ping for {PATIENCE:?} (timeout: 60 ms) is still connected: the server must \
         ping on an interval and close a peer it has not heard from within the timeout. Read «{SECTION}»."
    );
    let frames = frames(&received);
    assert!(
        frames.iter().any(|(opcode, _)| *opcode == 0x9),
        "the server closed without ever sending a ping: a peer cannot prove it is alive unless asked. Got \
         frames {frames:?}. Read «{SECTION}»."
    );
    let close = frames.iter().find(|(opcode, _)| *opcode == 0x8);
    let reason =
        close.map(|(_, payload)| String::from_utf8_lossy(payload.get(2..).unwrap_or_default()).into_owned());
    assert!(
        reason.as_deref().is_some_and(|r| r.contains("heartbeat")),
        "the server closes with a close frame whose reason names the heartbeat; got {reason:?}. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_peer_that_answers_stays_connected() {
    // A deadline of ten intervals: a pong delayed by a busy machine is still in time.
    let app = spawn_app(|config| {
        config.heartbeat_interval = Duration::from_millis(20);
        config.heartbeat_timeout = Duration::from_millis(200);
    })
    .await;
    let mut client = ws(app.addr, ALICE).await;
    // Reading is what makes tungstenite answer each ping with a pong. 25 pings span
    // more than twice the timeout.
    let mut pings = 0;
    while pings < 25 {
        let next = tokio::time::timeout(PATIENCE, client.socket.next()).await;
        match next {
            Ok(Some(Ok(Message::Ping(_)))) => pings += 1,
            Ok(Some(Ok(Message::Pong(_) | Message::Text(_)))) => {}
            other => panic!(
                "a client that answers every ping must stay connected; after {pings} pings got {other:?}. \
                 Read «{SECTION}»."
            ),
        }
    }
}
