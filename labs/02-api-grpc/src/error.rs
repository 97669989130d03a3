//! The error catalogue: every way a call can fail, each with its gRPC status code and a
//! machine-readable reason in the status's details.

use prost::Message;
use tonic::{Code, Status};

use crate::pb::ErrorInfo;

/// The `domain` of every [`ErrorInfo`] this service sends.
pub const DOMAIN: &str = "orders.example.com";

// ANCHOR: order_error
/// Everything a call can fail with. Handlers return `Result<_, Status>` and build the
/// status only through [`OrderError::to_status`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// `NotFound`, reason `ORDER_NOT_FOUND`, metadata `id`: no order has this id.
    #[error("order {0} does not exist")]
    NotFound(u64),
    /// `InvalidArgument`, reason `INVALID_FIELD`, metadata `field`: the request itself is
    /// wrong, whatever the state of the server. Retrying it cannot help.
    #[error("field `{field}` is invalid: {problem}")]
    Invalid { field: &'static str, problem: &'static str },
    /// `FailedPrecondition`, reason `ORDER_ALREADY_SHIPPED`, metadata `id`: the request is
    /// fine but the order is not in a state that allows it.
    #[error("order {0} has already shipped")]
    AlreadyShipped(u64),
    /// `FailedPrecondition`, reason `OUT_OF_STOCK`, metadata `item`.
    #[error("not enough {0} in stock")]
    OutOfStock(String),
    /// `Unavailable`, reason `WAREHOUSE_UNAVAILABLE`: a dependency is down; the same call
    /// may succeed later, so a client may retry it with backoff.
    #[error("the warehouse is unavailable: {0}")]
    Unavailable(String),
    /// `DeadlineExceeded`, reason `DEADLINE_EXCEEDED`: the caller's deadline passed before
    /// the work was done (or before it could start).
    #[error("the deadline passed before the order was shipped")]
    DeadlineExceeded,
    /// `Internal`, reason `INTERNAL`: our bug. The cause is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}
// ANCHOR_END: order_error

// ANCHOR: to_status
impl OrderError {
    /// The status a client receives: the code, a message for people, and an
    /// [`ErrorInfo`] for programs in the details.
    pub fn to_status(&self) -> Status {
        todo!(
            "step 2: the status of each error, with an ErrorInfo in its details. Read book/02-api-design/grpc-errors.md"
        )
    }
}
// ANCHOR_END: to_status

impl From<OrderError> for Status {
    fn from(error: OrderError) -> Self {
        error.to_status()
    }
}

/// Reads the [`ErrorInfo`] out of a status's details, as a client does.
pub fn error_info(status: &Status) -> Option<ErrorInfo> {
    ErrorInfo::decode(status.details()).ok()
}
