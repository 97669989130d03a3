//! What the room says: events with ids, and the JSON every transport sends.

use serde::Serialize;

/// One message in the room. `id`s are assigned by the hub of this instance, in order,
/// starting at 1: a client that remembers the last id it saw can ask for what followed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    pub id: u64,
    pub from: String,
    pub text: String,
    /// The JSON for WebSocket and SSE clients, written once when the event is made: a
    /// broadcast to 10 000 clients must not serialize the same event 10 000 times.
    #[serde(skip)]
    json: String,
}

impl Event {
    pub fn new(id: u64, from: &str, text: &str) -> Self {
        let json = serde_json::json!({ "type": "message", "id": id, "from": from, "text": text }).to_string();
        Self { id, from: from.to_owned(), text: text.to_owned(), json }
    }

    /// The JSON a client receives: `{"type":"message","id":..,"from":..,"text":..}`.
    pub fn to_json(&self) -> &str {
        &self.json
    }
}
