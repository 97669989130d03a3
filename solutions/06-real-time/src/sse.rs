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
    if let Err(refusal) = authorize(&headers, query.access_token.as_deref(), &state.config) {
        return refusal.into_response();
    }
    let open = state.registry.enter();
    // Subscribe before reading the history: an event published in between is then in
    // both, and the id filter drops the copy. The other order loses it.
    let live = state.hub.subscribe();
    let mut last_sent = state.hub.last_id();
    // The first event tells the browser how long to wait before it reconnects, and where
    // the stream starts: with that id, even a client that sees no message before it
    // drops resumes from here instead of from "now" at its next attempt.
    let ready = SseEvent::default().event("ready").retry(state.config.sse_retry);
    let mut first = VecDeque::new();
    let seen = last_event_id(&headers);
    first.push_back(match seen {
        Some(_) => ready.data("resuming"),
        None => ready.id(last_sent.to_string()).data("ready"),
    });
    if let Some(seen) = seen {
        let Replay { events, gap } = state.hub.events_after(seen);
        if gap {
            first
                .push_back(SseEvent::default().event("resync").data("some events are gone; reload the room"));
        }
        first.extend(events.iter().map(|event| message_event(event)));
        last_sent = events.last().map_or(seen.min(last_sent), |event| event.id);
    }
    let keep_alive = KeepAlive::new().interval(state.config.sse_keep_alive).text("keep-alive");
    let feed = Feed { state, first, live, last_sent, done: false, _open: Some(open) };
    Sse::new(feed.into_stream()).keep_alive(keep_alive).into_response()
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
        if let Some(event) = self.first.pop_front() {
            return Some(event);
        }
        if self.done {
            return None;
        }
        loop {
            let received = tokio::select! {
                biased;
                // A final event, then the end: the server can stop, and the browser's
                // EventSource reconnects (to another instance, or to this one restarted).
                () = self.state.shutdown.cancelled() => {
                    self.done = true;
                    return Some(SseEvent::default().event("shutdown").data("server shutting down"));
                }
                received = self.live.recv() => received,
            };
            match received {
                Ok(event) if event.id <= self.last_sent => continue,
                Ok(event) => {
                    self.last_sent = event.id;
                    return Some(message_event(&event));
                }
                // Fallen behind. End the stream: the client reconnects with the id of the
                // last event it got, and the history fills the hole (or says it cannot).
                Err(RecvError::Lagged(missed)) => {
                    self.done = true;
                    return Some(SseEvent::default().event("lagged").data(format!("missed {missed} events")));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }
    // ANCHOR_END: feed_next
}
