//! Every number the service runs on, in one place. Production values come from
//! `Config::default()`; the tests shrink the intervals so that real sockets answer fast.

use std::collections::HashMap;
use std::time::Duration;

use crate::limits::Quota;

/// The service's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Bearer tokens and the user each one stands for. (Chapter 03 issues real ones.)
    pub tokens: HashMap<String, String>,
    /// The pages allowed to open a WebSocket, as exact origins: `https://chat.example`.
    pub allowed_origins: Vec<String>,
    /// The largest message a client may send, in bytes.
    pub max_message_bytes: usize,
    /// How many messages one connection may send: a burst, then one per interval.
    pub quota: Quota,
    /// How often the server pings an idle WebSocket.
    pub heartbeat_interval: Duration,
    /// How long a WebSocket may stay silent (no pong, no message) before it is closed.
    pub heartbeat_timeout: Duration,
    /// How long one write to a client may take before the client counts as gone.
    pub write_timeout: Duration,
    /// How many events the broadcast channel holds for its slowest receiver.
    pub channel_capacity: usize,
    /// How many past events the hub keeps for SSE resume and long polling.
    pub history: usize,
    /// The reconnection delay an SSE client is told to use (`retry:`).
    pub sse_retry: Duration,
    /// How often an idle SSE stream sends a comment, so proxies do not time it out.
    pub sse_keep_alive: Duration,
    /// How long a long poll waits for an event before it answers empty.
    pub long_poll_timeout: Duration,
    /// The WebSocket read and write buffers, per connection (see the chapter's numbers).
    pub ws_read_buffer: usize,
    pub ws_write_buffer: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            tokens: HashMap::new(),
            allowed_origins: Vec::new(),
            max_message_bytes: 4 * 1024,
            quota: Quota { burst: 10, per: Duration::from_millis(500) },
            heartbeat_interval: Duration::from_secs(20),
            heartbeat_timeout: Duration::from_secs(60),
            write_timeout: Duration::from_secs(10),
            channel_capacity: 64,
            history: 1024,
            sse_retry: Duration::from_secs(3),
            sse_keep_alive: Duration::from_secs(15),
            long_poll_timeout: Duration::from_secs(25),
            // tungstenite's defaults are 128 KiB each: 256 KiB for a connection that is
            // idle nearly all the time. A chat message fits in a few KiB.
            ws_read_buffer: 4 * 1024,
            ws_write_buffer: 4 * 1024,
        }
    }
}
