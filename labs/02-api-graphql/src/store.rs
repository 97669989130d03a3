//! The data behind the schema: orders and customers in memory. The customer directory
//! stands for another service or a database table: every call to it is a round trip,
//! and it counts them, so that a test can see an N+1 load.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// A customer, as the directory returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerRecord {
    pub id: u64,
    pub name: String,
}

/// Where an order is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Pending,
    Shipped,
}

/// An order as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRecord {
    pub id: u64,
    pub customer_id: u64,
    pub item: String,
    pub quantity: u32,
    pub note: Option<String>,
    pub status: Status,
}

/// What a new order needs; the store gives it an id and the status `Pending`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOrder {
    pub customer_id: u64,
    pub item: String,
    pub quantity: u32,
    pub note: Option<String>,
}

#[derive(Default)]
struct Tables {
    orders: Vec<OrderRecord>,
    customers: HashMap<u64, CustomerRecord>,
}

/// The store. Cheap to clone: clones share the same tables and counters.
#[derive(Clone, Default)]
pub struct Store {
    tables: Arc<Mutex<Tables>>,
    directory_calls: Arc<AtomicUsize>,
    batches: Arc<Mutex<Vec<Vec<u64>>>>,
}

impl Store {
    pub fn new() -> Self {
        Self::default()
    }

    fn tables(&self) -> MutexGuard<'_, Tables> {
        // A panic while holding the lock leaves the tables consistent (every change is
        // one push or one insert), so a poisoned lock is safe to keep using.
        self.tables.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds a customer and returns its id (1, 2, 3, ...).
    pub fn add_customer(&self, name: &str) -> u64 {
        let mut tables = self.tables();
        let id = tables.customers.len() as u64 + 1;
        tables.customers.insert(id, CustomerRecord { id, name: name.to_owned() });
        id
    }

    /// Renames a customer; false if there is none with this id.
    pub fn rename_customer(&self, id: u64, name: &str) -> bool {
        match self.tables().customers.get_mut(&id) {
            Some(customer) => {
                customer.name = name.to_owned();
                true
            }
            None => false,
        }
    }

    /// Stores a new order. The caller has checked the fields.
    pub fn insert_order(&self, new: NewOrder) -> OrderRecord {
        let mut tables = self.tables();
        let order = OrderRecord {
            id: tables.orders.len() as u64 + 1,
            customer_id: new.customer_id,
            item: new.item,
            quantity: new.quantity,
            note: new.note,
            status: Status::Pending,
        };
        tables.orders.push(order.clone());
        order
    }

    /// Marks an order shipped; false if there is none with this id.
    pub fn ship(&self, id: u64) -> bool {
        let mut tables = self.tables();
        match tables.orders.iter_mut().find(|order| order.id == id) {
            Some(order) => {
                order.status = Status::Shipped;
                true
            }
            None => false,
        }
    }

    pub fn order(&self, id: u64) -> Option<OrderRecord> {
        self.tables().orders.iter().find(|order| order.id == id).cloned()
    }

    /// The first `n` orders, oldest first.
    pub fn orders(&self, n: usize) -> Vec<OrderRecord> {
        self.tables().orders.iter().take(n).cloned().collect()
    }

    /// The first `n` orders of one customer, oldest first.
    pub fn orders_of(&self, customer_id: u64, n: usize) -> Vec<OrderRecord> {
        self.tables()
            .orders
            .iter()
            .filter(|order| order.customer_id == customer_id)
            .take(n)
            .cloned()
            .collect()
    }

    /// Whether a customer exists. A cheap local check, not a directory call.
    pub fn has_customer(&self, id: u64) -> bool {
        self.tables().customers.contains_key(&id)
    }

    /// One round trip to the customer directory for any number of ids: the call a
    /// DataLoader batches into. Ids that name nobody are absent from the map.
    pub fn customers(&self, ids: &[u64]) -> HashMap<u64, CustomerRecord> {
        self.directory_calls.fetch_add(1, Ordering::SeqCst);
        self.batches.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(ids.to_vec());
        let tables = self.tables();
        ids.iter().filter_map(|id| tables.customers.get(id).map(|c| (*id, c.clone()))).collect()
    }

    /// How many times the directory was called.
    pub fn directory_calls(&self) -> usize {
        self.directory_calls.load(Ordering::SeqCst)
    }

    /// The ids asked for in each directory call, in order.
    pub fn directory_batches(&self) -> Vec<Vec<u64>> {
        self.batches.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }
}
