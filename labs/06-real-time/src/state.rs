//! What every handler shares.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::bus::{Bus, BusMessage, InstanceId, spawn_relay};
use crate::config::Config;
use crate::event::Event;
use crate::handshake::User;
use crate::hub::Hub;
use crate::registry::Registry;

/// The state of one instance of the service.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub hub: Arc<Hub>,
    pub registry: Arc<Registry>,
    /// Cancelled when the instance starts to shut down: every stream watches it.
    pub shutdown: CancellationToken,
    pub instance: InstanceId,
    pub bus: Option<Arc<dyn Bus>>,
}

impl AppState {
    /// A single instance, with no bus.
    pub fn new(config: Config) -> Self {
        let hub = Arc::new(Hub::new(config.channel_capacity, config.history));
        Self {
            config: Arc::new(config),
            hub,
            registry: Registry::new(),
            shutdown: CancellationToken::new(),
            instance: InstanceId::unique(),
            bus: None,
        }
    }

    /// An instance that shares its room with the other instances on `bus`. Must be
    /// called inside a tokio runtime: it starts the relay task.
    pub fn with_bus(config: Config, bus: Arc<dyn Bus>) -> Self {
        let mut state = Self::new(config);
        // Subscribed before anything can be published, so the relay misses nothing.
        let messages = bus.subscribe();
        state.bus = Some(bus);
        spawn_relay(state.clone(), messages);
        state
    }

    /// What a client of this instance says: into the local room at once, and onto the
    /// bus for the other instances.
    pub fn post(&self, user: &User, text: &str) -> Arc<Event> {
        let event = self.hub.publish(&user.0, text);
        if let Some(bus) = &self.bus {
            bus.publish(BusMessage { origin: self.instance, from: user.0.clone(), text: text.to_owned() });
        }
        event
    }
}
