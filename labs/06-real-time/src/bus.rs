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
        todo!("step 9: a broadcast channel of `capacity`. Read book/06-real-time/bus.md")
    }
}

impl Bus for LocalBus {
    fn publish(&self, message: BusMessage) {
        todo!(
            "step 9: send to every subscriber; no subscriber is not an error. Read book/06-real-time/bus.md"
        )
    }

    fn subscribe(&self) -> broadcast::Receiver<BusMessage> {
        todo!("step 9: a receiver of every message from now on. Read book/06-real-time/bus.md")
    }
}
// ANCHOR_END: local_bus

// ANCHOR: relay
/// Delivers what other instances published into this instance's hub, until shutdown.
pub fn spawn_relay(state: AppState, mut messages: broadcast::Receiver<BusMessage>) -> JoinHandle<()> {
    todo!(
        "step 9: a task that publishes other instances' messages into this hub, until shutdown. Read book/06-real-time/bus.md"
    )
}
// ANCHOR_END: relay
