//! The orders, in memory, and the feed of shipments that `WatchShipments` streams.

use std::collections::BTreeMap;
use std::sync::Mutex;

use tokio::sync::broadcast;

use crate::error::OrderError;
use crate::pb;

/// An order as the service keeps it; [`Order::to_wire`] is what a client receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: u64,
    pub item: String,
    pub quantity: u32,
    pub shipped: bool,
    pub note: Option<String>,
}

impl Order {
    pub fn to_wire(&self) -> pb::Order {
        let status = if self.shipped { pb::OrderStatus::Shipped } else { pb::OrderStatus::Pending };
        pb::Order {
            id: self.id,
            item: self.item.clone(),
            quantity: self.quantity,
            status: status.into(),
            note: self.note.clone().unwrap_or_default(),
        }
    }
}

/// How many shipments a watcher may fall behind before it is told it lagged.
const FEED_CAPACITY: usize = 64;

#[derive(Debug)]
pub struct OrderStore {
    orders: Mutex<BTreeMap<u64, Order>>,
    shipments: broadcast::Sender<Order>,
}

impl Default for OrderStore {
    fn default() -> Self {
        Self::new()
    }
}

impl OrderStore {
    pub fn new() -> Self {
        Self { orders: Mutex::new(BTreeMap::new()), shipments: broadcast::channel(FEED_CAPACITY).0 }
    }

    fn orders(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Order>> {
        // A panic while holding the lock cannot leave a map half-written: recover it.
        self.orders.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds a pending order and returns it; ids start at 1 (0 means "no id" on the wire).
    pub fn insert(&self, item: &str, quantity: u32) -> Order {
        let mut orders = self.orders();
        let id = orders.keys().next_back().map_or(1, |last| last + 1);
        let order = Order { id, item: item.to_owned(), quantity, shipped: false, note: None };
        orders.insert(id, order.clone());
        order
    }

    pub fn get(&self, id: u64) -> Option<Order> {
        self.orders().get(&id).cloned()
    }

    /// Every order, in id order.
    pub fn all(&self) -> Vec<Order> {
        self.orders().values().cloned().collect()
    }

    /// Marks an order shipped and tells every watcher.
    pub fn ship(&self, id: u64) -> Result<Order, OrderError> {
        let shipped = {
            let mut orders = self.orders();
            let order = orders.get_mut(&id).ok_or(OrderError::NotFound(id))?;
            if order.shipped {
                return Err(OrderError::AlreadyShipped(id));
            }
            order.shipped = true;
            order.clone()
        };
        // No watcher is not an error: the feed is for whoever listens now.
        let _ = self.shipments.send(shipped.clone());
        Ok(shipped)
    }

    /// A receiver of every shipment from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Order> {
        self.shipments.subscribe()
    }

    /// How many receivers of the feed exist: each open `WatchShipments` holds one.
    pub fn watchers(&self) -> usize {
        self.shipments.receiver_count()
    }
}
