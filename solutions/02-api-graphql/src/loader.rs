//! Loading customers in batches: one directory call per request level, not per order.

use std::collections::HashMap;
use std::convert::Infallible;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::{Context, Error, Request, Result};

use crate::schema::Customer;
use crate::store::{CustomerRecord, Store};

/// Loads customers from the directory, many ids per call.
pub struct CustomerLoader {
    store: Store,
}

/// The loader as the resolvers find it in the request's data.
pub type Customers = DataLoader<CustomerLoader, HashMapCache>;

// ANCHOR: loader
impl Loader<u64> for CustomerLoader {
    type Value = CustomerRecord;
    type Error = Infallible;

    /// Every id the resolvers asked for while the batch was open, in one call.
    async fn load(&self, keys: &[u64]) -> Result<HashMap<u64, CustomerRecord>, Infallible> {
        Ok(self.store.customers(keys))
    }
}
// ANCHOR_END: loader

// ANCHOR: per_request
/// Gives one request its own loader. Its cache lives as long as the request: two
/// orders of the same customer load them once, and the next request sees fresh data.
pub fn per_request(store: &Store, request: Request) -> Request {
    let loader = CustomerLoader { store: store.clone() };
    request.data(DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default()))
}
// ANCHOR_END: per_request

// ANCHOR: customer
/// The customer of an order, through the request's loader: the resolver waits while
/// the loader collects the other orders' ids, then all are fetched at once.
pub async fn customer(ctx: &Context<'_>, id: u64) -> Result<Customer> {
    let customers = ctx.data::<Customers>()?;
    match customers.load_one(id).await? {
        Some(record) => Ok(Customer(record)),
        // Every order has a customer: a missing one is our bug, not the client's.
        None => Err(Error::new("the order's customer is missing")),
    }
}
// ANCHOR_END: customer
