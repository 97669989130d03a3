//! The domain and its representations: what an order is, and how each API version
//! shows it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where an order is in its life. A shipped order can no longer be cancelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Pending,
    Shipped,
}

/// An order as version 2 of the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Order {
    pub id: u64,
    pub item: String,
    pub quantity: u32,
    pub note: Option<String>,
    pub status: OrderStatus,
}

/// The fields a client chooses, once they are valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderFields {
    pub item: String,
    pub quantity: u32,
    pub note: Option<String>,
}

/// The body of a create or a replace, for the documentation only: the handlers read
/// the JSON themselves, so that every field error can be reported at once.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    /// 1 to 100 characters.
    pub item: String,
    /// 1 to 1000.
    pub quantity: u32,
    /// At most 500 characters.
    #[serde(default)]
    pub note: Option<String>,
}

/// An order as version 1 showed it: `qty`, no note, no status. Frozen: clients of
/// version 1 parse exactly this.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OrderV1 {
    pub id: u64,
    pub item: String,
    pub qty: u32,
}

impl From<&Order> for OrderV1 {
    fn from(order: &Order) -> Self {
        Self { id: order.id, item: order.item.clone(), qty: order.quantity }
    }
}

/// One page of the list. `next_cursor` is also in the `Link: <...>; rel="next"` header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OrderPage {
    pub items: Vec<Order>,
    pub next_cursor: Option<String>,
}
