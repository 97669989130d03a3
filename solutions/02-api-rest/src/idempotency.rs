//! Idempotency keys (IETF draft `draft-ietf-httpapi-idempotency-key-header`): a client
//! that retries a POST with the same key gets the first answer again, and the work is
//! done once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::error::ApiError;
use crate::seam::{Guard, Lock, UnlockHook};
use crate::state::AppState;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Tells the client that this answer is a replay of the first one (Stripe's name).
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// The largest request body the middleware reads to fingerprint it.
pub const MAX_BODY: usize = 64 * 1024;

// ANCHOR: parse_key
/// The key of an `Idempotency-Key` header. The draft makes it a structured-field string
/// (`"8e03978e-..."`); a bare token is accepted too, as most APIs do. 1 to 255 visible
/// ASCII characters, anything else is a 400.
pub fn parse_key(value: &HeaderValue) -> Result<String, ApiError> {
    let text = value.to_str().map_err(|_| ApiError::InvalidIdempotencyKey)?.trim();
    let key = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
    let valid = (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic() && b != b'"');
    if valid { Ok(key.to_owned()) } else { Err(ApiError::InvalidIdempotencyKey) }
}
// ANCHOR_END: parse_key

/// What a request was: two requests with the same fingerprint are the same request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

// ANCHOR: fingerprint
/// A digest of everything that makes a request what it is: method, path and body.
/// Each part is prefixed with its length, so that no two requests run together into
/// the same bytes (`/a` + `bc` and `/ab` + `c`).
pub fn fingerprint(method: &Method, path: &str, body: &[u8]) -> Fingerprint {
    let mut hasher = Sha256::new();
    for part in [method.as_str().as_bytes(), path.as_bytes(), body] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    Fingerprint(hasher.finalize().into())
}
// ANCHOR_END: fingerprint

/// A response kept to be replayed: all of it, not just the body.
#[derive(Clone, Debug)]
pub struct StoredResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl StoredResponse {
    // ANCHOR: replay
    /// The stored answer again, as it was the first time, marked as a replay.
    pub fn replay(&self) -> Response {
        let mut response = Response::new(Body::from(self.body.clone()));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers.clone();
        response.headers_mut().insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
        response
    }
    // ANCHOR_END: replay
}

// ANCHOR: store
/// What the server remembers about one key.
#[derive(Debug)]
enum Entry {
    /// The first request is running; its fingerprint is kept to judge duplicates.
    InFlight { fingerprint: Fingerprint },
    /// The first request finished; its answer is replayed until `expires_at`.
    Done { fingerprint: Fingerprint, response: StoredResponse, expires_at: Instant },
}

/// The keys, in memory. A real service keeps them in its database, in the same
/// transaction as the work, so that a crash cannot separate the two.
#[derive(Debug, Default)]
pub struct IdempotencyStore {
    entries: Lock<HashMap<String, Entry>>,
}

/// What to do with a request that carries a key.
#[derive(Debug)]
pub enum Begin {
    /// A new key: run the request, then complete the reservation with its answer.
    Proceed(Reservation),
    /// The same request again: answer with the stored response.
    Replay(StoredResponse),
    /// The same request again, while the first is still running: 409.
    InFlight,
    /// Another request with the same key: 422.
    Mismatch,
}
// ANCHOR_END: store

impl IdempotencyStore {
    /// A store that calls `after_unlock` each time its lock is released: a test seam
    /// (see [`crate::seam`]) that lets a test hold a thread between two steps.
    pub fn with_unlock_hook(after_unlock: UnlockHook) -> Self {
        Self { entries: Lock::new(HashMap::new(), Some(after_unlock)) }
    }

    /// The only way to the map: every lookup and change goes through this lock.
    fn lock(&self) -> Guard<'_, HashMap<String, Entry>> {
        self.entries.lock()
    }

    // ANCHOR: begin
    /// Looks the key up and reserves it if it is new, in one step under the lock: two
    /// duplicates arriving together must not both see "new".
    pub fn begin(self: &Arc<Self>, key: &str, fingerprint: Fingerprint, now: Instant) -> Begin {
        let mut entries = self.lock();
        // Forget answers older than their time to live, so that memory stays bounded.
        entries.retain(|_, entry| !matches!(entry, Entry::Done { expires_at, .. } if *expires_at <= now));
        match entries.get(key) {
            Some(Entry::InFlight { fingerprint: first } | Entry::Done { fingerprint: first, .. })
                if *first != fingerprint =>
            {
                Begin::Mismatch
            }
            Some(Entry::InFlight { .. }) => Begin::InFlight,
            Some(Entry::Done { response, .. }) => Begin::Replay(response.clone()),
            None => {
                entries.insert(key.to_owned(), Entry::InFlight { fingerprint });
                Begin::Proceed(Reservation { store: Arc::clone(self), key: key.to_owned(), fingerprint })
            }
        }
    }
    // ANCHOR_END: begin

    /// How many keys are remembered (in flight or done), for tests.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A key reserved by a request in flight. Complete it with the answer; dropped without
/// that (the handler panicked, the client went away), it frees the key for a retry.
#[derive(Debug)]
pub struct Reservation {
    store: Arc<IdempotencyStore>,
    key: String,
    fingerprint: Fingerprint,
}

impl Reservation {
    // ANCHOR: complete
    /// Keeps the answer for replays until `expires_at`. A server error is not kept: it
    /// says nothing about the request, and the client's retry should run it again.
    pub fn complete(self, response: StoredResponse, expires_at: Instant) {
        if response.status.is_server_error() {
            return; // `drop` frees the key.
        }
        let entry = Entry::Done { fingerprint: self.fingerprint, response, expires_at };
        self.store.lock().insert(self.key.clone(), entry);
    }
    // ANCHOR_END: complete
}

// ANCHOR: drop
impl Drop for Reservation {
    fn drop(&mut self) {
        // Still in flight means never completed: free the key. A completed key stays.
        let mut entries = self.store.lock();
        if matches!(entries.get(&self.key), Some(Entry::InFlight { .. })) {
            entries.remove(&self.key);
        }
    }
}
// ANCHOR_END: drop

/// A gate for tests: a request waits at it until the test opens it, and the test can
/// wait until a request has arrived. Forces "the first request is still in flight"
/// without guessing how long anything takes.
#[derive(Debug)]
pub struct Gate {
    arrived: Semaphore,
    open: Semaphore,
}

impl Gate {
    pub fn closed() -> Self {
        Self { arrived: Semaphore::new(0), open: Semaphore::new(0) }
    }

    /// Called by the request: announces itself, then waits until the gate opens.
    pub async fn pass(&self) {
        self.arrived.add_permits(1);
        if let Ok(permit) = self.open.acquire().await {
            permit.forget();
        }
    }

    /// Called by the test: returns once a request is waiting at the gate.
    pub async fn wait_for_arrival(&self) {
        if let Ok(permit) = self.arrived.acquire().await {
            permit.forget();
        }
    }

    /// Lets one waiting request through.
    pub fn open_once(&self) {
        self.open.add_permits(1);
    }
}

// ANCHOR: middleware
/// Wraps every POST that carries an `Idempotency-Key`: replays, refuses or runs it.
/// Requests without a key pass through untouched.
pub async fn idempotent(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let key = match request.headers().get(IDEMPOTENCY_KEY) {
        Some(value) if request.method() == Method::POST => value.clone(),
        _ => return next.run(request).await,
    };
    let key = match parse_key(&key) {
        Ok(key) => key,
        Err(error) => return error.into_response(),
    };
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return ApiError::MalformedBody("the body is too large or broke off".to_owned()).into_response();
    };
    let fingerprint = fingerprint(&parts.method, parts.uri.path(), &body);
    let reservation = match state.idempotency.begin(&key, fingerprint, state.clock.now()) {
        Begin::Proceed(reservation) => reservation,
        Begin::Replay(stored) => return stored.replay(),
        Begin::InFlight => return ApiError::IdempotencyKeyInFlight.into_response(),
        Begin::Mismatch => return ApiError::IdempotencyKeyReused.into_response(),
    };
    if let Some(gate) = &state.gate {
        gate.pass().await;
    }
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    let (parts, body) = response.into_parts();
    let Ok(body) = to_bytes(body, usize::MAX).await else {
        return ApiError::Internal("a response body failed".to_owned()).into_response();
    };
    let stored = StoredResponse { status: parts.status, headers: parts.headers.clone(), body: body.clone() };
    reservation.complete(stored, state.clock.now() + state.config.idempotency_ttl);
    Response::from_parts(parts, Body::from(body))
}
// ANCHOR_END: middleware
