//! Is the other end still there? TCP cannot tell: a laptop that sleeps or a phone that
//! changes networks leaves a connection that looks open for hours. Only traffic can.

use std::time::{Duration, Instant};

/// What a connection does on each tick of its heartbeat interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Beat {
    /// The peer spoke recently enough: send a ping.
    Ping,
    /// The peer has been silent for the whole timeout: close the connection.
    Dead,
}

/// When the peer was last heard from. It reads no clock: the caller passes `now`.
#[derive(Debug)]
pub struct Heartbeat {
    timeout: Duration,
    last_heard: Instant,
}

impl Heartbeat {
    /// A heartbeat for a connection that opened at `now`.
    pub fn new(now: Instant, timeout: Duration) -> Self {
        Self { timeout, last_heard: now }
    }

    // ANCHOR: heartbeat
    /// The peer sent something at `now`: a pong, a message, anything proves it is there.
    pub fn heard(&mut self, now: Instant) {
        self.last_heard = self.last_heard.max(now);
    }

    /// What to do at a tick at `now`.
    pub fn tick(&self, now: Instant) -> Beat {
        if now.saturating_duration_since(self.last_heard) >= self.timeout { Beat::Dead } else { Beat::Ping }
    }
    // ANCHOR_END: heartbeat
}
