//! The orders, in memory. It knows nothing of HTTP. Deleted ids are remembered, so
//! that the API can tell "never existed" (404) from "deleted" (410).

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Order, OrderFields, OrderStatus};
use crate::seam::{Guard, Lock, UnlockHook};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("no such order")]
    NotFound,
    #[error("the order was deleted")]
    Gone,
    #[error("order {0} has shipped")]
    Shipped(u64),
}

#[derive(Debug, Default)]
pub struct OrderStore {
    inner: Lock<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    last_id: u64,
    orders: BTreeMap<u64, Order>,
    deleted: BTreeSet<u64>,
}

impl Inner {
    fn find(&mut self, id: u64) -> Result<&mut Order, StoreError> {
        if self.deleted.contains(&id) {
            return Err(StoreError::Gone);
        }
        self.orders.get_mut(&id).ok_or(StoreError::NotFound)
    }
}

impl OrderStore {
    /// A store that calls `after_unlock` each time its lock is released: a test seam
    /// (see [`crate::seam`]) that lets a test hold a request between two calls.
    pub fn with_unlock_hook(after_unlock: UnlockHook) -> Self {
        Self { inner: Lock::new(Inner::default(), Some(after_unlock)) }
    }

    fn lock(&self) -> Guard<'_, Inner> {
        // Every change below is made in one step, so a panic elsewhere cannot leave the
        // map half-updated (the lock ignores poisoning).
        self.inner.lock()
    }

    /// Stores a new pending order under the next id. Ids only grow, and are never reused.
    pub fn insert(&self, fields: OrderFields) -> Order {
        let mut inner = self.lock();
        inner.last_id += 1;
        let order = Order {
            id: inner.last_id,
            item: fields.item,
            quantity: fields.quantity,
            note: fields.note,
            status: OrderStatus::Pending,
        };
        inner.orders.insert(order.id, order.clone());
        order
    }

    pub fn get(&self, id: u64) -> Result<Order, StoreError> {
        self.lock().find(id).map(|order| order.clone())
    }

    /// Cancels (deletes) a pending order. A shipped one cannot be cancelled.
    pub fn delete(&self, id: u64) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let order = inner.find(id)?;
        if order.status == OrderStatus::Shipped {
            return Err(StoreError::Shipped(id));
        }
        inner.orders.remove(&id);
        inner.deleted.insert(id);
        Ok(())
    }

    /// The warehouse ships an order. (Not part of the API: tests call it directly.)
    pub fn ship(&self, id: u64) -> Result<(), StoreError> {
        self.lock().find(id)?.status = OrderStatus::Shipped;
        Ok(())
    }

    // ANCHOR: page_after
    /// Up to `limit` orders with an id above `after`, in id order, and whether more
    /// follow. A position is an id, not a count: rows inserted or deleted before it
    /// do not move it.
    pub fn page_after(&self, after: Option<u64>, limit: usize) -> (Vec<Order>, bool) {
        let inner = self.lock();
        let start = after.map_or(0, |id| id.saturating_add(1));
        let mut orders: Vec<Order> =
            inner.orders.range(start..).take(limit + 1).map(|(_, o)| o.clone()).collect();
        let more = orders.len() > limit;
        orders.truncate(limit);
        (orders, more)
    }
    // ANCHOR_END: page_after

    /// Every order in id order, for tests and for a page at an offset.
    pub fn all(&self) -> Vec<Order> {
        self.lock().orders.values().cloned().collect()
    }

    // ANCHOR: update
    /// Runs `change` on the current order under the store's lock and keeps its result:
    /// the check it makes (say, an ETag comparison) and the write cannot be separated
    /// by another writer.
    pub fn update<E>(&self, id: u64, change: impl FnOnce(&Order) -> Result<Order, E>) -> Result<Order, E>
    where
        E: From<StoreError>,
    {
        let mut inner = self.lock();
        let current = inner.find(id)?;
        let next = change(current)?;
        *current = Order { id, ..next };
        Ok(current.clone())
    }
    // ANCHOR_END: update
}
