//! Step 3: deadlines. The server reads the caller's `grpc-timeout`, hands the deadline to
//! the warehouse it calls, and stops at it. Read «Deadlines».

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use api_grpc::Config;
use api_grpc::deadline::{deadline, parse_grpc_timeout};
use api_grpc::pb::orders_server::Orders;
use api_grpc::pb::{OrderStatus, ShipOrderRequest};
use api_grpc::service::OrdersService;
use tokio::time::Instant;
use tonic::metadata::MetadataMap;
use tonic::{Code, Request, Status};

use super::support::{Behaviour, TestWarehouse, eventually, spawn_server_with, state_with, within};

const SECTION: &str = "Deadlines (book/02-api-design/grpc-deadlines.md)";

#[test]
fn grpc_timeout_values_follow_the_spec() {
    let cases = [
        ("100m", Some(Duration::from_millis(100))),
        ("1S", Some(Duration::from_secs(1))),
        ("2M", Some(Duration::from_secs(120))),
        ("1H", Some(Duration::from_secs(3600))),
        ("250u", Some(Duration::from_micros(250))),
        ("7n", Some(Duration::from_nanos(7))),
        ("99999999S", Some(Duration::from_secs(99_999_999))),
        ("0m", Some(Duration::ZERO)),
        ("", None),
        ("m", None),
        ("100", None),
        ("123456789S", None),
        ("1s", None),
        ("-1S", None),
        ("+1S", None),
        ("1.5S", None),
        (" 1S", None),
        ("1 S", None),
        ("١S", None),
        ("1é", None),
    ];
    for (value, expected) in cases {
        assert_eq!(
            parse_grpc_timeout(value),
            expected,
            "grpc-timeout {value:?}: 1 to 8 ASCII digits and one unit of H M S m u n. Read «{SECTION}»."
        );
    }
}

fn metadata(timeout: &str) -> MetadataMap {
    let mut metadata = MetadataMap::new();
    metadata.insert("grpc-timeout", timeout.parse().unwrap_or_else(|e| panic!("bad test header: {e}")));
    metadata
}

#[tokio::test(start_paused = true)]
async fn the_deadline_is_the_callers_or_the_servers_limit_whichever_is_shorter() {
    let now = Instant::now();
    let limit = Duration::from_secs(5);
    let cases = [
        (metadata("300m"), now + Duration::from_millis(300), "the caller's 300 ms"),
        (metadata("1H"), now + limit, "an hour is more than the server's 5 s limit"),
        (MetadataMap::new(), now + limit, "no grpc-timeout: the server's limit"),
        (metadata("soon"), now + limit, "an unreadable grpc-timeout: the server's limit"),
    ];
    for (metadata, expected, why) in cases {
        assert_eq!(deadline(&metadata, now, limit), expected, "{why}. Read «{SECTION}».");
    }
}

fn ship_request(id: u64, timeout: Option<&str>) -> Request<ShipOrderRequest> {
    let mut request = Request::new(ShipOrderRequest { id });
    if let Some(timeout) = timeout {
        *request.metadata_mut() = metadata(timeout);
    }
    request
}

/// Ships an order by calling the handler in-process: no socket, so tokio's clock can be
/// paused and a deadline of seconds passes in no time. Each test awaits it `within!` a
/// minute, so that a handler that never gives up fails at the test's line.
fn ship(
    warehouse: &Arc<TestWarehouse>,
    timeout: Option<&str>,
) -> impl Future<Output = Result<api_grpc::pb::Order, Status>> + use<> {
    let state = state_with(Config::default(), warehouse.clone());
    state.store.insert("oolong", 3);
    let service = OrdersService::new(state);
    let request = ship_request(1, timeout);
    async move { service.ship_order(request).await.map(|reply| reply.into_inner()) }
}

const MINUTE: Duration = Duration::from_secs(60);

fn still_waiting() -> String {
    format!("ShipOrder is still waiting a minute later: a deadline ends it. Read «{SECTION}».")
}

/// An instant as milliseconds after `start` (negative before it), for messages.
fn after(start: Instant, instant: Instant) -> String {
    match instant.checked_duration_since(start) {
        Some(later) => format!("{} ms after the call started", later.as_secs_f64() * 1000.0),
        None => format!("{} ms before the call started", (start - instant).as_secs_f64() * 1000.0),
    }
}

#[tokio::test(start_paused = true)]
async fn ship_order_passes_its_deadline_to_the_warehouse() {
    let warehouse = TestWarehouse::new(Behaviour::InStock);
    let start = Instant::now();
    let order = within!(MINUTE, still_waiting(), ship(&warehouse, Some("300m")));
    let order = order.unwrap_or_else(|status| {
        panic!("ShipOrder with stock ships the order; got {status:?}. Read «{SECTION}».")
    });
    assert_eq!(order.status(), OrderStatus::Shipped, "the answer is the shipped order. Read «{SECTION}».");
    let sent = warehouse.last_deadline();
    assert!(
        sent == Some(start + Duration::from_millis(300)),
        "the warehouse gets the caller's deadline, 300 ms after the call started (grpc-timeout 300m), so that it too stops when nobody waits; it got {}. Read «{SECTION}».",
        sent.map_or_else(|| "no call at all".to_owned(), |sent| after(start, sent))
    );
}

#[tokio::test(start_paused = true)]
async fn a_warehouse_slower_than_the_deadline_is_deadline_exceeded_and_its_work_dropped() {
    let warehouse = TestWarehouse::new(Behaviour::Hangs);
    let start = Instant::now();
    let status = match within!(MINUTE, still_waiting(), ship(&warehouse, Some("200m"))) {
        Ok(order) => {
            panic!("the warehouse never answered, yet ShipOrder answered {order:?}. Read «{SECTION}».")
        }
        Err(status) => status,
    };
    assert_eq!(
        status.code(),
        Code::DeadlineExceeded,
        "the server gave up at the deadline, and says so with DeadlineExceeded; got {status:?}. Read «{SECTION}»."
    );
    assert_eq!(
        start.elapsed(),
        Duration::from_millis(200),
        "it gives up at the deadline, not before, not after. Read «{SECTION}»."
    );
    assert!(
        warehouse.abandoned(),
        "the reservation in progress is dropped, not left running. Read «{SECTION}»."
    );
}

#[tokio::test(start_paused = true)]
async fn a_call_whose_deadline_has_passed_does_not_reach_the_warehouse() {
    let warehouse = TestWarehouse::new(Behaviour::InStock);
    let result = within!(MINUTE, still_waiting(), ship(&warehouse, Some("0n")));
    let (status, calls) = (result.map(|_| ()).map_err(|status| status.code()), warehouse.calls());
    assert!(
        status == Err(Code::DeadlineExceeded) && calls == 0,
        "grpc-timeout 0n (no time left: the deadline is now): expected DeadlineExceeded and 0 warehouse calls, as no work starts downstream for an answer nobody waits for; got {status:?} and {calls} call(s). Read «{SECTION}»."
    );
}

#[tokio::test(start_paused = true)]
async fn ship_order_failures_have_their_codes() {
    for (stock, code) in
        [(Behaviour::Down, Code::Unavailable), (Behaviour::OutOfStock, Code::FailedPrecondition)]
    {
        let warehouse = TestWarehouse::new(stock);
        let result = within!(MINUTE, still_waiting(), ship(&warehouse, Some("1S")));
        assert_eq!(
            result.map_err(|status| status.code()).err(),
            Some(code),
            "a warehouse that is {stock:?}: {code:?}, as the doc comment of the OrderError it maps to says. Read «{SECTION}»."
        );
    }
    let state = state_with(Config::default(), TestWarehouse::new(Behaviour::InStock));
    let order = state.store.insert("sencha", 1);
    let service = OrdersService::new(state.clone());
    let first = service.ship_order(ship_request(order.id, None)).await.map(|_| ());
    let second =
        service.ship_order(ship_request(order.id, None)).await.map(|_| ()).map_err(|status| status.code());
    assert_eq!(
        (first.map_err(|status| status.code()), second),
        (Ok(()), Err(Code::FailedPrecondition)),
        "shipping twice: the second is FailedPrecondition (the order's state forbids it). Read «{SECTION}»."
    );
}

#[tokio::test]
async fn over_the_wire_a_client_deadline_ends_the_call_and_the_work_behind_it() {
    let warehouse = TestWarehouse::new(Behaviour::Hangs);
    let mut server = spawn_server_with(Config::default(), warehouse.clone()).await;
    server.state.store.insert("oolong", 3);
    let mut request = Request::new(ShipOrderRequest { id: 1 });
    request.set_timeout(Duration::from_millis(100));
    let status = match server.client.ship_order(request).await {
        Ok(reply) => panic!(
            "the warehouse never answers, yet ShipOrder answered {:?}. Read «{SECTION}».",
            reply.get_ref()
        ),
        Err(status) => status,
    };
    // Who notices first decides the code: our handler answers DeadlineExceeded, while
    // tonic's own timers (the client's, and the server's for grpc-timeout) report
    // Cancelled "Timeout expired". Both mean "out of time"; Unknown would not.
    assert!(
        matches!(status.code(), Code::DeadlineExceeded | Code::Cancelled),
        "a call out of time ends with DeadlineExceeded (or tonic's Cancelled \"Timeout expired\"); got {status:?}. Read «{SECTION}»."
    );
    assert!(
        eventually(Duration::from_secs(2), || warehouse.abandoned()).await,
        "the deadline passed, but the server is still waiting for the warehouse. Read «{SECTION}»."
    );
}
