//! Step 1: a unary and a server-streaming RPC, served on a real port and called through
//! the generated client. Read «A service and its client».

use std::time::Duration;

use api_grpc::pb::{GetOrderRequest, ListOrdersRequest, Order, OrderStatus};

use super::support::{spawn_server, within};

const SECTION: &str = "A service and its client (book/02-api-design/grpc-service.md)";

#[tokio::test]
async fn get_order_answers_with_the_order() {
    let mut server = spawn_server().await;
    server.state.store.insert("green tea", 2);
    server.state.store.insert("oolong", 5);
    let reply = server.client.get_order(GetOrderRequest { id: 2 }).await;
    let order = reply
        .unwrap_or_else(|status| {
            panic!("GetOrder(2) answers the order; got the status {status:?}. Read «{SECTION}».")
        })
        .into_inner();
    assert_eq!(
        (order.id, order.item.as_str(), order.quantity, order.status()),
        (2, "oolong", 5, OrderStatus::Pending),
        "GetOrder(2) answers order 2 as the store has it. Read «{SECTION}»."
    );
}

async fn list(server: &mut super::support::TestServer) -> Vec<Order> {
    let reply = server.client.list_orders(ListOrdersRequest {}).await;
    let mut stream = reply
        .unwrap_or_else(|status| {
            panic!("ListOrders opens a stream; got the status {status:?}. Read «{SECTION}».")
        })
        .into_inner();
    let mut orders = Vec::new();
    let message =
        format!("the stream of ListOrders ends after the last order; it never ended. Read «{SECTION}».");
    while let Some(order) =
        within!(Duration::from_secs(2), &message, stream.message()).unwrap_or_else(|status| {
            panic!("ListOrders streams orders, not the status {status:?}. Read «{SECTION}».")
        })
    {
        orders.push(order);
    }
    orders
}

#[tokio::test]
async fn list_orders_streams_every_order_in_id_order_then_ends() {
    let mut server = spawn_server().await;
    for item in ["green tea", "oolong", "sencha"] {
        server.state.store.insert(item, 1);
    }
    let orders = list(&mut server).await;
    let items: Vec<_> = orders.iter().map(|o| (o.id, o.item.as_str())).collect();
    assert_eq!(
        items,
        [(1, "green tea"), (2, "oolong"), (3, "sencha")],
        "ListOrders streams every order, one message each, in id order. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn an_empty_list_is_an_empty_stream_not_an_error() {
    let mut server = spawn_server().await;
    let orders = list(&mut server).await;
    assert!(
        orders.is_empty(),
        "no orders: a stream that ends at once with OK; got {orders:?}. Read «{SECTION}»."
    );
}
