//! Step 4: heartbeats: a ping on an interval, and a peer that stops answering is closed
//! after a deadline. Read «Heartbeats».

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use real_time::heartbeat::{Beat, Heartbeat};
use tokio::time::MissedTickBehavior;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::support::{ALICE, PATIENCE, close_of, config, header, raw, read_until_close, spawn_app, ws};

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

#[tokio::test]
async fn a_peer_that_never_answers_is_closed() {
    let app = spawn_app(|config| {
        config.heartbeat_interval = Duration::from_millis(20);
        config.heartbeat_timeout = Duration::from_millis(60);
    })
    .await;
    // A half-open peer: the handshake went through, then nothing is ever read or
    // answered again, as from a laptop that went to sleep.
    let mut tcp = raw(ws(app.addr, ALICE).await);
    let (frames, closed) = read_until_close(&mut tcp).await;
    assert!(
        closed,
        "a peer that answered no ping for {PATIENCE:?} (timeout: 60 ms) is still connected: the server must \
         ping on an interval and close a peer it has not heard from within the timeout. Read «{SECTION}»."
    );
    assert!(
        frames.iter().any(|(opcode, _)| *opcode == 0x9),
        "the server closed without ever sending a ping: a peer cannot prove it is alive unless asked. Got \
         frames {frames:?}. Read «{SECTION}»."
    );
    let close = close_of(&frames);
    assert!(
        close.as_ref().is_some_and(|(code, reason)| *code == 1001 && reason.contains("heartbeat")),
        "the server closes a silent peer with 1001 (going away) and a reason that names the heartbeat; got \
         {close:?}. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_busy_room_does_not_keep_a_silent_peer_alive() {
    let app = spawn_app(|config| {
        config.heartbeat_interval = Duration::from_millis(20);
        config.heartbeat_timeout = Duration::from_millis(60);
    })
    .await;
    // A half-open peer in a room that talks every 5 ms, four times per heartbeat
    // interval: the server writes to it all the time, and it never says a word back.
    // What the server sends proves nothing about the peer.
    let mut tcp = raw(ws(app.addr, ALICE).await);
    let hub = app.state.hub.clone();
    let chatter = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_millis(5));
        // No bursts to catch up after a stall: the connection gets a turn after every
        // event, so it never lags (that would close it with 1013, not the heartbeat).
        every.set_missed_tick_behavior(MissedTickBehavior::Skip);
        loop {
            every.tick().await;
            hub.publish("bob", "tick");
        }
    });
    let (frames, closed) = read_until_close(&mut tcp).await;
    chatter.abort();
    let close = close_of(&frames);
    assert!(
        closed && close.as_ref().is_some_and(|(code, reason)| *code == 1001 && reason.contains("heartbeat")),
        "a peer that said nothing for {PATIENCE:?} (timeout: 60 ms) while the room talked every 5 ms must be \
         closed with 1001 and a heartbeat reason; got {close:?} after {} frames. The ticks must keep their own \
         schedule (not restart on every event), and only what the peer sends counts as hearing from it. \
         Read «{SECTION}».",
        frames.len()
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

#[tokio::test(start_paused = true)]
async fn the_first_ping_waits_a_whole_interval() {
    // Paused time: the clock stands still while the handshake runs, and jumps to the next
    // timer only when every task waits. The server's heartbeat is the only timer here
    // (no `PATIENCE` on this handshake) until the test's own far deadline, so the
    // first ping arrives, on this clock, exactly when the server's first tick came.
    let app = spawn_app(|_| {}).await; // a ping every 60 s
    let interval = config().heartbeat_interval;
    let opened = tokio::time::Instant::now();
    let mut request = format!("ws://{}/ws", app.addr)
        .into_client_request()
        .unwrap_or_else(|e| panic!("bad test request: {e}"));
    request.headers_mut().insert("authorization", header(&format!("Bearer {ALICE}")));
    let first_ping = tokio::time::timeout(interval * 10, async {
        let (mut socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .unwrap_or_else(|e| panic!("the handshake with a valid token failed: {e}. Read «{SECTION}»."));
        loop {
            match socket.next().await {
                Some(Ok(Message::Ping(_))) => return,
                Some(Ok(_)) => {}
                other => panic!("the connection ended before its first ping: {other:?}. Read «{SECTION}»."),
            }
        }
    })
    .await;
    assert!(first_ping.is_ok(), "no ping within ten heartbeat intervals. Read «{SECTION}».");
    let waited = opened.elapsed();
    assert!(
        waited >= interval,
        "the first ping came {waited:?} after the connection opened, with a heartbeat interval of {interval:?}: \
         the first tick comes one interval after the connection opens, not at once (`interval_at(now + \
         interval, interval)`; `interval` ticks at once, and pings every connection the moment it opens). \
         Read «{SECTION}»."
    );
}
