//! Server-Sent Events: one long HTTP response, text lines, ids the browser remembers and
//! sends back as `Last-Event-ID` when it reconnects.

use std::collections::VecDeque;
use std::convert::Infallible;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use crate::event::Event;
use crate::handshake::{TokenQuery, authorize};
use crate::hub::Replay;
use crate::registry::ConnectionGuard;
use crate::state::AppState;

/// The id a reconnecting client last saw, from its `Last-Event-ID` header.
pub fn last_event_id(headers: &HeaderMap) -> Option<u64> {
    headers.get("last-event-id")?.to_str().ok()?.trim().parse().ok()
}

/// One event of the room, as SSE: `id:` (so the client can resume) and the JSON as `data:`.
pub fn message_event(event: &Event) -> SseEvent {
    SseEvent::default().id(event.id.to_string()).data(event.to_json())
}

// ANCHOR: sse_handler
/// `GET /events`: the room as an event stream.
pub async fn sse_handler(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
) -> Response {
    todo!(
        "step 6: authorize, count the stream, subscribe, then a `ready` event with `retry`, the replay after Last-Event-ID, and the live feed with a keep-alive. Read book/06-real-time/sse.md"
    )
}
// ANCHOR_END: sse_handler

/// The state of one SSE stream.
struct Feed {
    state: AppState,
    /// What to send before the live events: `retry`, a resync notice, the replay.
    first: VecDeque<SseEvent>,
    live: broadcast::Receiver<std::sync::Arc<Event>>,
    /// The id of the last event sent: the live channel may repeat the replay's last ones.
    last_sent: u64,
    /// A final event was sent: the stream ends after it.
    done: bool,
    /// Counts the stream as open for as long as it lives (step 8; `None` before it).
    _open: Option<ConnectionGuard>,
}

impl Feed {
    fn into_stream(self) -> impl Stream<Item = Result<SseEvent, Infallible>> + Send + 'static {
        futures_util::stream::unfold(self, |mut feed| async move {
            let event = feed.next().await?;
            Some((Ok(event), feed))
        })
    }

    // ANCHOR: feed_next
    /// The next event to send, or `None` to end the stream.
    async fn next(&mut self) -> Option<SseEvent> {
        todo!(
            "step 6: what was queued first, then live events with ids (no duplicates); a lagging feed says so and ends. Read book/06-real-time/sse.md"
        )
    }
    // ANCHOR_END: feed_next
}
