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
    todo!(
        "step 7: authorize, then wait for the events after the cursor and answer with the events and whether some are gone. Read book/06-real-time/long-poll.md"
    )
}
// ANCHOR_END: poll_handler
