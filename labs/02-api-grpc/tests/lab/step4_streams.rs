//! Step 4: a stream with no natural end. It delivers each shipment as it happens, and it
//! ends on the server as soon as its client goes away. Read «Streams that end».

use std::time::Duration;

use api_grpc::pb::{OrderStatus, WatchShipmentsRequest};

use super::support::{eventually, spawn_server, within};

const SECTION: &str = "Streams that end (book/02-api-design/grpc-streams.md)";

#[tokio::test]
async fn a_watch_delivers_each_shipment_as_it_happens() {
    let mut server = spawn_server().await;
    for item in ["green tea", "oolong", "sencha"] {
        server.state.store.insert(item, 1);
    }
    let reply = server.client.watch_shipments(WatchShipmentsRequest {}).await;
    let mut stream = reply
        .unwrap_or_else(|status| panic!("WatchShipments opens a stream; got {status:?}. Read «{SECTION}»."))
        .into_inner();
    // The headers arrive once the handler has answered: by then it is subscribed.
    assert_eq!(
        server.state.store.watchers(),
        1,
        "an open watch holds one subscription to the feed. Read «{SECTION}»."
    );
    for id in [3, 1] {
        let shipped = server.state.store.ship(id);
        assert!(shipped.is_ok(), "shipping order {id} in the test failed: {shipped:?}");
    }
    let mut seen = Vec::new();
    for _ in 0..2 {
        let message = format!("two orders shipped, but the watch did not deliver them. Read «{SECTION}».");
        match within(Duration::from_secs(2), &message, stream.message()).await {
            Ok(Some(order)) => seen.push((order.id, order.status())),
            other => panic!("the watch delivers each shipment; got {other:?}. Read «{SECTION}»."),
        }
    }
    assert_eq!(
        seen,
        [(3, OrderStatus::Shipped), (1, OrderStatus::Shipped)],
        "each shipment once, in the order they shipped. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_watch_ends_on_the_server_when_its_client_goes_away() {
    let mut server = spawn_server().await;
    let reply = server.client.watch_shipments(WatchShipmentsRequest {}).await;
    let stream = reply
        .unwrap_or_else(|status| panic!("WatchShipments opens a stream; got {status:?}. Read «{SECTION}»."))
        .into_inner();
    assert_eq!(
        server.state.store.watchers(),
        1,
        "an open watch holds one subscription to the feed. Read «{SECTION}»."
    );
    // The client goes away: its stream and its connection are dropped. Nothing ships,
    // so a server that only notices on its next send never notices.
    drop(stream);
    drop(server.client);
    drop(server.channel);
    let store = server.state.store.clone();
    assert!(
        eventually(Duration::from_secs(2), || store.watchers() == 0).await,
        "the client went away two seconds ago, yet the server still holds {} subscription(s): a stream that never ends leaks memory and a task per client. Read «{SECTION}».",
        store.watchers()
    );
}
