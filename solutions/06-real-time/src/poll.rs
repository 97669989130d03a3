//! Long polling: for clients that can use neither WebSockets nor SSE. Each request asks
//! "anything after id N?" and is answered as soon as there is, or empty after a while.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::event::Event;
use crate::handshake::authorize;
use crate::hub::Replay;
use crate::state::AppState;

/// `GET /poll?after=N`.
#[derive(Debug, Default, Deserialize)]
pub struct PollQuery {
    /// The last id the client has seen; 0 or absent for "everything retained".
    pub after: Option<u64>,
    pub access_token: Option<String>,
}

// ANCHOR: poll_handler
/// `GET /poll?after=N`: `{"events": [...], "resync": bool}`, at once or after the timeout.
pub async fn poll_handler(
    State(state): State<AppState>,
    Query(query): Query<PollQuery>,
    headers: HeaderMap,
) -> Response {
    if let Err(refusal) = authorize(&headers, query.access_token.as_deref(), &state.config) {
        return refusal.into_response();
    }
    let _open = state.registry.enter();
    let after = query.after.unwrap_or(0);
    let replay = tokio::select! {
        replay = state.hub.wait_after(after, state.config.long_poll_timeout) => replay,
        // A stopping server answers every waiting poll now; the client polls again and
        // reaches an instance that is up.
        () = state.shutdown.cancelled() => Replay::default(),
    };
    let events: Vec<&Event> = replay.events.iter().map(|event| event.as_ref()).collect();
    Json(json!({ "events": events, "resync": replay.gap })).into_response()
}
// ANCHOR_END: poll_handler
