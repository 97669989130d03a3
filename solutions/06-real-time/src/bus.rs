//! Two instances, one room. A client on instance A must see what a client on instance B
//! says, so every instance publishes what its own clients say on a bus, and relays what
//! the others published into its own hub. Production buses: Redis pub/sub, NATS,
//! Postgres LISTEN/NOTIFY; the tests use the in-process one below.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

use crate::state::AppState;

/// Which instance published a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InstanceId(pub u64);

impl InstanceId {
    /// An id no other instance of this process has.
    pub fn unique() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Self(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// What travels on the bus: a chat message and the instance where it was said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusMessage {
    pub origin: InstanceId,
    pub from: String,
    pub text: String,
}

/// A publish/subscribe channel between instances. Every subscriber receives every
/// message, the publisher's own included, as Redis pub/sub and NATS subjects do.
pub trait Bus: Send + Sync + 'static {
    fn publish(&self, message: BusMessage);
    fn subscribe(&self) -> broadcast::Receiver<BusMessage>;
}

/// A bus inside one process: enough to run two instances in one test.
#[derive(Debug)]
pub struct LocalBus {
    sender: broadcast::Sender<BusMessage>,
}

// ANCHOR: local_bus
impl LocalBus {
    pub fn new(capacity: usize) -> Self {
        Self { sender: broadcast::channel(capacity.max(1)).0 }
    }
}

impl Bus for LocalBus {
    fn publish(&self, message: BusMessage) {
        // No subscriber is not an error: no other instance is running.
        let _ = self.sender.send(message);
    }

    fn subscribe(&self) -> broadcast::Receiver<BusMessage> {
        self.sender.subscribe()
    }
}
// ANCHOR_END: local_bus

// ANCHOR: relay
/// Delivers what other instances published into this instance's hub, until shutdown.
pub fn spawn_relay(state: AppState, mut messages: broadcast::Receiver<BusMessage>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let received = tokio::select! {
                () = state.shutdown.cancelled() => return,
                received = messages.recv() => received,
            };
            match received {
                // Our own message comes back to us: it was delivered locally when it was
                // said, and a second copy would show every local client everything twice.
                Ok(message) if message.origin == state.instance => {}
                Ok(message) => {
                    state.hub.publish(&message.from, &message.text);
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(
                        missed,
                        "the bus relay fell behind; messages from other instances were lost"
                    );
                }
                Err(RecvError::Closed) => return,
            }
        }
    })
}
// ANCHOR_END: relay
