//! The room: one broadcast channel for the listeners that are connected now, and a short
//! history for those that come back (SSE resume, long polling).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::{Notify, broadcast};

use crate::event::Event;

/// What a client that last saw event `after` has missed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replay {
    /// The retained events after `after`, oldest first.
    pub events: Vec<Arc<Event>>,
    /// Some events after `after` are no longer retained (or `after` is from before a
    /// restart): the client must reload its state instead of trusting `events` to be all.
    pub gap: bool,
}

struct History {
    last_id: u64,
    events: VecDeque<Arc<Event>>,
    capacity: usize,
}

type Hook = Box<dyn FnOnce() + Send>;

/// The room's events, live and recent.
pub struct Hub {
    sender: broadcast::Sender<Arc<Event>>,
    history: Mutex<History>,
    /// Woken on every publish, for long polls.
    published: Notify,
    /// Seams for tests: each runs once, right before or right after the next read of
    /// the history.
    before_read: Mutex<Option<Hook>>,
    after_read: Mutex<Option<Hook>>,
}

impl Hub {
    /// A hub whose channel holds `channel_capacity` events for its slowest receiver, and
    /// which keeps the last `history` events.
    pub fn new(channel_capacity: usize, history: usize) -> Self {
        let (sender, _) = broadcast::channel(channel_capacity.max(1));
        Self {
            sender,
            history: Mutex::new(History { last_id: 0, events: VecDeque::new(), capacity: history }),
            published: Notify::new(),
            before_read: Mutex::new(None),
            after_read: Mutex::new(None),
        }
    }

    /// Adds an event to the room and sends it to every receiver.
    pub fn publish(&self, from: &str, text: &str) -> Arc<Event> {
        let event = {
            let mut history = self.lock_history();
            history.last_id += 1;
            let event = Arc::new(Event::new(history.last_id, from, text));
            history.events.push_back(event.clone());
            while history.events.len() > history.capacity {
                history.events.pop_front();
            }
            // Sent under the lock, so that receivers see the events in id order. An error
            // only means that nobody is listening right now.
            let _ = self.sender.send(event.clone());
            event
        };
        self.published.notify_waiters();
        event
    }

    /// A receiver of every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }

    /// The id of the latest event, 0 before the first.
    pub fn last_id(&self) -> u64 {
        self.lock_history().last_id
    }

    /// The retained events after `after`, and whether some are missing.
    pub fn events_after(&self, after: u64) -> Replay {
        Self::run_hook(&self.before_read);
        let replay = {
            let history = self.lock_history();
            let first_retained = history.last_id + 1 - history.events.len() as u64;
            // An id from the future was issued before a restart: nothing after it can be
            // trusted to follow on.
            let from_before_a_restart = after > history.last_id;
            let gap = from_before_a_restart || after + 1 < first_retained;
            let events =
                history.events.iter().filter(|e| from_before_a_restart || e.id > after).cloned().collect();
            Replay { events, gap }
        };
        Self::run_hook(&self.after_read);
        replay
    }

    // ANCHOR: wait_after
    /// A long poll: the events after `after` at once if there are any, otherwise the first
    /// ones published within `timeout`, otherwise nothing.
    pub async fn wait_after(&self, after: u64, timeout: Duration) -> Replay {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            // Register for the wakeup *before* looking: `notify_waiters` wakes only the
            // futures that exist (and are enabled) when it runs, and stores nothing for
            // later. An event published between the look and the wait would be missed.
            let published = self.published.notified();
            tokio::pin!(published);
            published.as_mut().enable();
            let replay = self.events_after(after);
            if !replay.events.is_empty() || replay.gap {
                return replay;
            }
            if tokio::time::timeout_at(deadline, published).await.is_err() {
                return replay;
            }
        }
    }
    // ANCHOR_END: wait_after

    /// Runs `hook` once, right after the next read of the history and before its caller
    /// can do anything else: the tests use it to publish in the gap between a check and
    /// a wait. Not for production use.
    #[doc(hidden)]
    pub fn after_next_read(&self, hook: impl FnOnce() + Send + 'static) {
        *self.after_read.lock().unwrap_or_else(PoisonError::into_inner) = Some(Box::new(hook));
    }

    /// Runs `hook` once, right before the next read of the history: the tests use it to
    /// publish an event that is both in the history and on the live channel. Not for
    /// production use.
    #[doc(hidden)]
    pub fn before_next_read(&self, hook: impl FnOnce() + Send + 'static) {
        *self.before_read.lock().unwrap_or_else(PoisonError::into_inner) = Some(Box::new(hook));
    }

    fn run_hook(slot: &Mutex<Option<Hook>>) {
        let hook = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(hook) = hook {
            hook();
        }
    }

    fn lock_history(&self) -> MutexGuard<'_, History> {
        self.history.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
