//! The downstream service that `ShipOrder` calls: in production another gRPC service,
//! here a trait, so that tests can make it slow, broken, or watchful.

use std::future::Future;
use std::pin::Pin;

use tokio::time::Instant;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WarehouseError {
    #[error("the warehouse is unavailable: {0}")]
    Unavailable(String),
    #[error("not enough {0} in stock")]
    OutOfStock(String),
}

pub type Reservation<'a> = Pin<Box<dyn Future<Output = Result<(), WarehouseError>> + Send + 'a>>;

pub trait Warehouse: Send + Sync + 'static {
    /// Reserves stock for an order. `deadline` is the caller's: a real client sends it on
    /// as its own `grpc-timeout`, so the warehouse stops working when nobody waits.
    fn reserve<'a>(&'a self, item: &'a str, quantity: u32, deadline: Instant) -> Reservation<'a>;
}

/// A warehouse that always has stock, for `main` and the examples.
#[derive(Debug, Default)]
pub struct AlwaysInStock;

impl Warehouse for AlwaysInStock {
    fn reserve<'a>(&'a self, _item: &'a str, _quantity: u32, _deadline: Instant) -> Reservation<'a> {
        Box::pin(async { Ok(()) })
    }
}
