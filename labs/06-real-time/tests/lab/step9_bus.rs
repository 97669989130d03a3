//! Step 9: two instances, one room: fan-out across instances through a bus. Read
//! «Two instances, one room».

use std::sync::Arc;

use real_time::AppState;
use real_time::bus::{Bus, BusMessage, InstanceId, LocalBus, spawn_relay};

use super::support::{ALICE, BOB, config, serve_state, within, ws};

const SECTION: &str = "Two instances, one room (book/06-real-time/bus.md)";

#[tokio::test]
async fn the_local_bus_delivers_to_every_subscriber() {
    let bus = LocalBus::new(16);
    let mut first = bus.subscribe();
    let mut second = bus.subscribe();
    let message = BusMessage { origin: InstanceId(7), from: "alice".to_owned(), text: "hi".to_owned() };
    bus.publish(message.clone());
    assert_eq!(
        first.try_recv().ok(),
        Some(message.clone()),
        "every subscriber receives it. Read «{SECTION}»."
    );
    assert_eq!(second.try_recv().ok(), Some(message), "every subscriber receives it. Read «{SECTION}».");
}

#[tokio::test]
async fn a_message_reaches_clients_of_the_other_instance_once() {
    let bus: Arc<dyn Bus> = Arc::new(LocalBus::new(64));
    let east = serve_state(AppState::with_bus(config(), bus.clone())).await;
    let west = serve_state(AppState::with_bus(config(), bus)).await;
    let mut alice = ws(east.addr, ALICE).await;
    let mut bob = ws(west.addr, BOB).await;

    alice.say("one").await;
    alice.say("two").await;
    bob.say("three").await;
    for (who, client) in
        [("alice, on the instance she talks to", &mut alice), ("bob, on the other one", &mut bob)]
    {
        let mut texts = Vec::new();
        while texts.len() < 3 {
            let message = client.message(&format!("{who} reads the room")).await;
            texts.push(message["text"].as_str().unwrap_or_default().to_owned());
        }
        texts.sort();
        assert_eq!(
            texts,
            ["one", "three", "two"],
            "{who} sees each of the three messages exactly once, whichever instance it was said on. A message \
             that came back from the bus to the instance that published it was delivered twice. Read «{SECTION}»."
        );
    }
}

#[tokio::test]
async fn the_relay_stops_at_shutdown() {
    let bus = LocalBus::new(16);
    let state = AppState::new(config());
    let relay = spawn_relay(state.clone(), bus.subscribe());
    state.shutdown.cancel();
    let ended = within(
        &format!(
            "the relay task was still running after `state.shutdown` was cancelled: it must end at shutdown, or \
             an instance that is stopping keeps feeding its room from the bus. Read «{SECTION}»."
        ),
        relay,
    )
    .await;
    assert!(ended.is_ok(), "the relay task ended with a panic: {ended:?}. Read «{SECTION}».");
    let other = InstanceId::unique();
    bus.publish(BusMessage { origin: other, from: "bob".to_owned(), text: "after the end".to_owned() });
    // One turn of this current-thread runtime: a task still subscribed to the bus would
    // run now, before the test looks.
    tokio::task::yield_now().await;
    assert_eq!(
        state.hub.last_id(),
        0,
        "a message published on the bus after shutdown reached the stopped instance's room. Read «{SECTION}»."
    );
}
