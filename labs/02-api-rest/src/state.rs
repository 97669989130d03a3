//! What every handler shares.

use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, SystemClock};
use crate::cursor::CursorKey;
use crate::idempotency::{Gate, IdempotencyStore};
use crate::store::OrderStore;

/// The settings an operator chooses.
#[derive(Clone, Debug)]
pub struct Config {
    /// Signs the pagination cursors. Keep it secret; a new key invalidates old cursors.
    pub cursor_key: CursorKey,
    /// The page size when the client does not ask for one.
    pub default_page_size: usize,
    /// The largest page a client may ask for.
    pub max_page_size: usize,
    /// How long a completed idempotency key is remembered.
    pub idempotency_ttl: Duration,
}

impl Config {
    /// Settings for a given cursor key, with the defaults for everything else.
    pub fn new(cursor_key: CursorKey) -> Self {
        Self {
            cursor_key,
            default_page_size: 20,
            max_page_size: 100,
            idempotency_ttl: Duration::from_secs(24 * 60 * 60),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<OrderStore>,
    pub idempotency: Arc<IdempotencyStore>,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    /// A seam for tests: when set, a request that reserved an idempotency key waits here
    /// before it runs, so that a test can send its duplicate while it is in flight.
    pub gate: Option<Arc<Gate>>,
}

impl AppState {
    pub fn new(config: Config, clock: Arc<dyn Clock>) -> Self {
        Self {
            store: Arc::new(OrderStore::default()),
            idempotency: Arc::new(IdempotencyStore::default()),
            config: Arc::new(config),
            clock,
            gate: None,
        }
    }

    /// A state that only serves to build the OpenAPI document.
    pub fn for_docs() -> Self {
        Self::new(Config::new(CursorKey::new(b"documentation only".to_vec())), Arc::new(SystemClock))
    }
}
