//! The `Orders` service: the handlers of the four RPCs of `proto/orders.proto`.

use std::pin::Pin;

use tokio::time::Instant;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::{Stream, StreamExt};
use tonic::{Request, Response, Status};

use crate::error::OrderError;
use crate::server::AppState;
use crate::store::Order;
use crate::warehouse::WarehouseError;
use crate::{deadline, pb};

/// The stream type of both server-streaming RPCs: boxed, so that each handler may build
/// it however it likes.
pub type OrderStream = Pin<Box<dyn Stream<Item = Result<pb::Order, Status>> + Send + 'static>>;

#[derive(Clone)]
pub struct OrdersService {
    state: AppState,
}

impl OrdersService {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    /// The order with this id: 0 is "no id" in proto3, so it is an invalid argument.
    fn find(&self, id: u64) -> Result<Order, OrderError> {
        if id == 0 {
            return Err(OrderError::Invalid { field: "id", problem: "an id is a positive number" });
        }
        self.state.store.get(id).ok_or(OrderError::NotFound(id))
    }
}

#[tonic::async_trait]
impl pb::orders_server::Orders for OrdersService {
    // ANCHOR: get_order
    async fn get_order(&self, request: Request<pb::GetOrderRequest>) -> Result<Response<pb::Order>, Status> {
        todo!(
            "step 1: answer the order with this id (`self.find`, then `to_wire`). Read book/02-api-design/grpc-service.md"
        )
    }
    // ANCHOR_END: get_order

    type ListOrdersStream = OrderStream;

    // ANCHOR: list_orders
    async fn list_orders(
        &self,
        _request: Request<pb::ListOrdersRequest>,
    ) -> Result<Response<Self::ListOrdersStream>, Status> {
        todo!(
            "step 1: stream every order of the store, in id order, then end. Read book/02-api-design/grpc-service.md"
        )
    }
    // ANCHOR_END: list_orders

    // ANCHOR: ship_order
    async fn ship_order(
        &self,
        request: Request<pb::ShipOrderRequest>,
    ) -> Result<Response<pb::Order>, Status> {
        todo!(
            "step 3: ship the order within the caller's deadline, passing it to the warehouse. Read book/02-api-design/grpc-deadlines.md"
        )
    }
    // ANCHOR_END: ship_order

    type WatchShipmentsStream = OrderStream;

    // ANCHOR: watch_shipments
    async fn watch_shipments(
        &self,
        _request: Request<pb::WatchShipmentsRequest>,
    ) -> Result<Response<Self::WatchShipmentsStream>, Status> {
        todo!(
            "step 4: stream each shipment of the store's feed until the client goes away. Read book/02-api-design/grpc-streams.md"
        )
    }
    // ANCHOR_END: watch_shipments
}
