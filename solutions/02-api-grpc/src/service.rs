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
        let order = self.find(request.get_ref().id)?;
        Ok(Response::new(order.to_wire()))
    }
    // ANCHOR_END: get_order

    type ListOrdersStream = OrderStream;

    // ANCHOR: list_orders
    async fn list_orders(
        &self,
        _request: Request<pb::ListOrdersRequest>,
    ) -> Result<Response<Self::ListOrdersStream>, Status> {
        // A snapshot: the lock is held for the copy, not for as long as a client reads.
        let orders = self.state.store.all();
        let stream = tokio_stream::iter(orders.into_iter().map(|order| Ok(order.to_wire())));
        Ok(Response::new(Box::pin(stream)))
    }
    // ANCHOR_END: list_orders

    // ANCHOR: ship_order
    async fn ship_order(
        &self,
        request: Request<pb::ShipOrderRequest>,
    ) -> Result<Response<pb::Order>, Status> {
        let deadline =
            deadline::deadline(request.metadata(), Instant::now(), self.state.config.deadline_limit);
        let order = self.find(request.get_ref().id)?;
        if order.shipped {
            return Err(OrderError::AlreadyShipped(order.id).into());
        }
        // Work that cannot finish in time is not started.
        if Instant::now() >= deadline {
            return Err(OrderError::DeadlineExceeded.into());
        }
        let reservation = self.state.warehouse.reserve(&order.item, order.quantity, deadline);
        match tokio::time::timeout_at(deadline, reservation).await {
            Err(_elapsed) => Err(OrderError::DeadlineExceeded.into()),
            Ok(Err(WarehouseError::Unavailable(cause))) => Err(OrderError::Unavailable(cause).into()),
            Ok(Err(WarehouseError::OutOfStock(item))) => Err(OrderError::OutOfStock(item).into()),
            Ok(Ok(())) => Ok(Response::new(self.state.store.ship(order.id)?.to_wire())),
        }
    }
    // ANCHOR_END: ship_order

    type WatchShipmentsStream = OrderStream;

    // ANCHOR: watch_shipments
    async fn watch_shipments(
        &self,
        _request: Request<pb::WatchShipmentsRequest>,
    ) -> Result<Response<Self::WatchShipmentsStream>, Status> {
        // No task of our own: the stream holds the receiver, and tonic drops the stream
        // (and with it the receiver) as soon as the client goes away.
        let feed = BroadcastStream::new(self.state.store.subscribe());
        let stream = feed.map(|shipment| match shipment {
            Ok(order) => Ok(order.to_wire()),
            Err(lagged) => Err(Status::resource_exhausted(format!("{lagged}; watch again"))),
        });
        Ok(Response::new(Box::pin(stream)))
    }
    // ANCHOR_END: watch_shipments
}
