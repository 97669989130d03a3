//! Step 4: a stream with no natural end. It delivers each shipment as it happens, and it
//! ends on the server as soon as its client goes away. Read «Streams that end».

use std::time::Duration;

use api_grpc::Config;
use api_grpc::pb::orders_server::Orders;
use api_grpc::pb::{OrderStatus, WatchShipmentsRequest};
use api_grpc::service::OrdersService;
use tokio_stream::StreamExt;
use tonic::Request;

use super::support::{Behaviour, TestWarehouse, eventually, spawn_server, state_with, within};

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
        match within!(Duration::from_secs(2), &message, stream.message()) {
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

/// In-process, on the test's one thread: nothing the handler spawns can run before the
/// test's next `.await`, so what the handler did before answering is all there is.
#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_watch_is_subscribed_when_the_handler_answers() {
    let state = state_with(Config::default(), TestWarehouse::new(Behaviour::InStock));
    let order = state.store.insert("oolong", 1);
    let service = OrdersService::new(state.clone());
    let reply = service.watch_shipments(Request::new(WatchShipmentsRequest {})).await;
    let mut stream = reply
        .unwrap_or_else(|status| panic!("WatchShipments opens a stream; got {status:?}. Read «{SECTION}»."))
        .into_inner();
    // No `.await` since the handler answered: a subscription made later, in a task the
    // handler spawned, does not exist yet.
    assert_eq!(
        state.store.watchers(),
        1,
        "when WatchShipments answers, its subscription to the feed already exists: subscribe before you \
         answer, not in a task that runs later, or the shipments in between are lost. Read «{SECTION}»."
    );
    let shipped = state.store.ship(order.id);
    assert!(shipped.is_ok(), "shipping order {} in the test failed: {shipped:?}", order.id);
    let message = format!(
        "order {} shipped right after WatchShipments answered, and the watch never delivered it. Read «{SECTION}».",
        order.id
    );
    match within!(Duration::from_secs(60), message, stream.next()) {
        Some(Ok(delivered)) => assert_eq!(
            (delivered.id, delivered.status()),
            (order.id, OrderStatus::Shipped),
            "the watch delivers the shipment that happened after it answered. Read «{SECTION}»."
        ),
        other => panic!("the watch delivers each shipment; got {other:?}. Read «{SECTION}»."),
    }
}
