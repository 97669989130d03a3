//! Step 5: idempotency keys. A client may send a POST again after a timeout, and the
//! order is still placed once. Read «Idempotency keys».

use std::sync::Arc;
use std::time::{Duration, Instant};

use api_rest::idempotency::{Begin, Gate, IdempotencyStore, StoredResponse, fingerprint};
use api_rest::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode};
use tokio::task::JoinHandle;

use super::support::{Rendezvous, Reply, request, send, spawn_app, spawn_app_with};

const SECTION: &str = "Idempotency keys (book/02-api-design/idempotency.md)";

const TEA: &str = r#"{"item": "green tea", "quantity": 2}"#;
const COFFEE: &str = r#"{"item": "coffee", "quantity": 2}"#;

async fn post(router: &Router, key: &str, body: &str) -> Reply {
    send(router, request(Method::POST, "/v2/orders", &[("idempotency-key", key)], Some(body))).await
}

#[tokio::test]
async fn a_retry_with_the_same_key_replays_the_first_answer() {
    let (router, state, _) = spawn_app();
    let first = post(&router, "order-7f3a", TEA).await;
    assert_eq!(first.status, StatusCode::CREATED, "got {:?}", first.text());
    let retry = post(&router, "order-7f3a", TEA).await;
    assert_eq!(
        state.store.all().len(),
        1,
        "the retry placed a second order (it answered {} {:?}): the key was forgotten after the first answer. \
         Does `complete` store a `Done` entry, and does your `Drop` for `Reservation` leave it alone (it frees \
         only a key still `InFlight`)? Read «{SECTION}».",
        retry.status,
        retry.header("location")
    );
    assert_eq!(
        (retry.status, retry.header("location")),
        (StatusCode::CREATED, Some("/v2/orders/1")),
        "a retry gets the first answer again: its status and its Location, got {} {:?}. Read «{SECTION}».",
        retry.status,
        retry.text()
    );
    assert_eq!(retry.body, first.body, "...and its body, byte for byte. Read «{SECTION}».");
    assert_eq!(retry.header("etag"), first.header("etag"), "...and its other headers. Read «{SECTION}».");
    assert_eq!(
        retry.header("idempotent-replayed"),
        Some("true"),
        "a replay says it is one. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn an_error_answer_is_replayed_too() {
    let (router, state, _) = spawn_app();
    let first = post(&router, "k-invalid", r#"{"item": ""}"#).await;
    assert_eq!(first.status, StatusCode::UNPROCESSABLE_ENTITY, "got {:?}", first.text());
    let retry = post(&router, "k-invalid", r#"{"item": ""}"#).await;
    assert_eq!(
        (retry.status, retry.header("content-type")),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("application/problem+json")),
        "the same request gets the same answer, an error as well: status and headers as stored. Read «{SECTION}»."
    );
    assert_eq!(
        (retry.header("idempotent-replayed"), &retry.body),
        (Some("true"), &first.body),
        "a 422 is kept and replayed like a 201: it is the server's final word on this request, not an accident \
         of the moment (only a 5xx is). Read «{SECTION}»."
    );
    assert!(state.store.all().is_empty());
}

#[tokio::test]
async fn the_same_key_with_another_payload_is_refused() {
    let (router, state, _) = spawn_app();
    post(&router, "order-7f3a", TEA).await;
    let reply = post(&router, "order-7f3a", COFFEE).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the key was used for another request: replaying the tea order's answer to a coffee order would lie. \
         Got {} {:?}. Read «{SECTION}».",
        reply.status,
        reply.text()
    );
    assert_eq!(reply.problem_slug(), "idempotency-key-reused");
    assert_eq!(state.store.all().len(), 1, "and nothing was created. Read «{SECTION}».");
}

/// The app with a closed gate, and a tea order under the key `order-7f3a` that has
/// reserved its key and waits at the gate: in flight, not yet done.
async fn tea_in_flight() -> (Router, AppState, Arc<Gate>, JoinHandle<Reply>) {
    let gate = Arc::new(Gate::closed());
    let (router, state, _) = spawn_app_with(|state| state.gate = Some(gate.clone()));
    let mut first = tokio::spawn({
        let router = router.clone();
        async move { post(&router, "order-7f3a", TEA).await }
    });
    arrived(&gate, &mut first).await;
    (router, state, gate, first)
}

/// Waits until the first request is at the gate. If it ended before reaching it (it
/// failed early), says so instead of waiting forever.
async fn arrived(gate: &Gate, first: &mut JoinHandle<Reply>) {
    tokio::select! {
        () = gate.wait_for_arrival() => {}
        ended = first => match ended {
            Ok(reply) => panic!("the first request ended before it reached the gate: {} {:?}", reply.status, reply.text()),
            Err(e) => panic!("the first request failed before it reached the gate: {e}. Read «{SECTION}»."),
        },
    }
}

#[tokio::test]
async fn a_duplicate_while_the_first_is_in_flight_is_409() {
    let (router, state, gate, first) = tea_in_flight().await;
    let duplicate = tokio::select! {
        reply = post(&router, "order-7f3a", TEA) => reply,
        () = gate.wait_for_arrival() => panic!(
            "the duplicate was let through to run a second time while the first is in flight; expected 409. Read «{SECTION}»."
        ),
    };
    assert_eq!(
        duplicate.status,
        StatusCode::CONFLICT,
        "a duplicate while the first request runs cannot be replayed (there is no answer yet) nor run (twice): 409. \
         Got {} {:?}. Read «{SECTION}».",
        duplicate.status,
        duplicate.text()
    );
    assert_eq!(duplicate.problem_slug(), "idempotency-key-in-flight");
    gate.open_once();
    let first = first.await.unwrap_or_else(|e| panic!("the first request failed: {e}"));
    assert_eq!(first.status, StatusCode::CREATED, "the first request completes: {:?}", first.text());
    let later = tokio::select! {
        reply = post(&router, "order-7f3a", TEA) => reply,
        () = gate.wait_for_arrival() => panic!(
            "once the first request is done, its retry was run again instead of replayed. Read «{SECTION}»."
        ),
    };
    assert_eq!(
        later.header("idempotent-replayed"),
        Some("true"),
        "once done, a retry is a replay. Read «{SECTION}»."
    );
    assert_eq!(state.store.all().len(), 1);
}

#[tokio::test]
async fn another_request_with_the_key_of_one_in_flight_is_422() {
    let (router, state, gate, first) = tea_in_flight().await;
    let other = tokio::select! {
        reply = post(&router, "order-7f3a", COFFEE) => reply,
        () = gate.wait_for_arrival() => panic!(
            "a coffee order with the tea order's key was let through to run; expected 422. Read «{SECTION}»."
        ),
    };
    assert_eq!(
        (other.status, other.problem_slug().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "idempotency-key-reused"),
        "another request with the key of one in flight is a reuse of the key, 422, whether the first has finished \
         or not: the fingerprint is kept from the moment the key is reserved, and compared before the state. \
         Read «{SECTION}»."
    );
    gate.open_once();
    let first = first.await.unwrap_or_else(|e| panic!("the first request failed: {e}"));
    assert_eq!(first.status, StatusCode::CREATED, "the first request completes: {:?}", first.text());
    assert_eq!(state.store.all().len(), 1, "only the tea order was placed. Read «{SECTION}».");
}

#[tokio::test]
async fn a_request_that_never_finished_frees_its_key() {
    let (router, state, gate, first) = tea_in_flight().await;
    // The client gives up and the server drops the request before it did any work.
    first.abort();
    assert!(first.await.is_err_and(|e| e.is_cancelled()), "the test cancels the first request");
    assert!(
        state.idempotency.is_empty(),
        "a request dropped before it answered leaves no key behind (its reservation is dropped with it); \
         {} remain. Read «{SECTION}».",
        state.idempotency.len()
    );
    gate.open_once();
    let retry = post(&router, "order-7f3a", TEA).await;
    assert_eq!(
        retry.status,
        StatusCode::CREATED,
        "the first attempt never finished, so the retry runs; a key stuck `in flight` would refuse it forever. \
         Got {} {:?}. Read «{SECTION}».",
        retry.status,
        retry.text()
    );
    assert_eq!(retry.header("idempotent-replayed"), None, "this one is not a replay");
    assert_eq!(state.store.all().len(), 1);
    assert!(!state.idempotency.is_empty(), "the retry's answer is kept under the key");
}

#[tokio::test]
async fn keys_expire_after_their_time_to_live() {
    let (router, state, clock) = spawn_app();
    let ttl = state.config.idempotency_ttl;
    post(&router, "order-7f3a", TEA).await;
    // Most keys are never sent again: they must expire all the same.
    post(&router, "order-91c2", COFFEE).await;
    assert_eq!(state.idempotency.len(), 2, "two keys are remembered until they expire");
    clock.advance(ttl - Duration::from_secs(1));
    let replay = post(&router, "order-7f3a", TEA).await;
    assert_eq!(replay.header("idempotent-replayed"), Some("true"), "within its time to live, a key replays.");
    clock.advance(Duration::from_secs(1));
    let fresh = post(&router, "order-7f3a", TEA).await;
    assert_eq!(
        (fresh.status, fresh.header("location")),
        (StatusCode::CREATED, Some("/v2/orders/3")),
        "after its time to live ({ttl:?}) a key is forgotten, and the request is new. Read «{SECTION}»."
    );
    assert_eq!(
        state.idempotency.len(),
        1,
        "expired keys are not kept, even those never sent again (order-91c2): memory is bounded by the time \
         to live only if every expired key goes, not just the one being looked up. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn only_a_post_is_made_idempotent_by_a_key() {
    let (router, _, _) = spawn_app();
    post(&router, "order-7f3a", TEA).await;
    let read = |key| send(&router, request(Method::GET, "/v2/orders/1", &[("idempotency-key", key)], None));
    let before = read("read-1").await;
    let change = r#"{"item": "green tea", "quantity": 3}"#;
    let etag = before.header("etag").unwrap_or_default().to_owned();
    let put = send(&router, request(Method::PUT, "/v2/orders/1", &[("if-match", &etag)], Some(change))).await;
    assert_eq!(put.status, StatusCode::OK, "got {:?}", put.text());
    let after = read("read-1").await;
    assert_eq!(
        (after.header("idempotent-replayed"), &after.json()["quantity"]),
        (None, &serde_json::json!(3)),
        "a GET is safe, so a key on it changes nothing: the second GET reads the order as it is now, not a \
         replay of the first; got {:?}. Read «{SECTION}».",
        after.text()
    );
}

#[tokio::test]
async fn a_body_of_some_kilobytes_is_fingerprinted_not_refused() {
    let (router, _, _) = spawn_app();
    // Valid JSON, padded with whitespace to 4 KiB: well under the middleware's limit.
    let body = format!("{TEA}{}", " ".repeat(4096));
    let reply = post(&router, "order-7f3a", &body).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "a 4 KiB body is an ordinary request: the middleware reads up to {} bytes to fingerprint it; got {} {:?}. \
         Read «{SECTION}».",
        api_rest::idempotency::MAX_BODY,
        reply.status,
        reply.text()
    );
}

#[test]
fn duplicates_arriving_together_reserve_the_key_once() {
    const THREADS: usize = 8;
    // The store holds each thread right after it releases its lock, until every thread
    // has: a lookup and a reservation made under two locks are caught with every thread
    // past the lookup (the key absent) and none reserved, every time.
    let rendezvous = Rendezvous::new(THREADS);
    let store = Arc::new(IdempotencyStore::with_unlock_hook(rendezvous.hook()));
    let print = fingerprint(&Method::POST, "/v2/orders", TEA.as_bytes());
    let now = Instant::now();
    rendezvous.arm();
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || store.begin("k", print, now))
        })
        .collect();
    // The answers are kept until all are in: a dropped reservation would free the key.
    let answers: Vec<Begin> = threads
        .into_iter()
        .map(|t| t.join().unwrap_or_else(|_| panic!("a thread panicked in begin")))
        .collect();
    assert!(
        rendezvous.releases() >= THREADS,
        "the store's unlock hook ran {} times: IdempotencyStore::with_unlock_hook must keep the hook and call \
         it after each release of the lock, or this test proves nothing",
        rendezvous.releases()
    );
    let proceeding = answers.iter().filter(|a| matches!(a, Begin::Proceed(_))).count();
    let in_flight = answers.iter().filter(|a| matches!(a, Begin::InFlight)).count();
    assert_eq!(
        (proceeding, in_flight),
        (1, THREADS - 1),
        "of {THREADS} identical requests arriving together, one runs and the others are told it is in flight; \
         more than one `Proceed` means the lookup and the reservation were two steps. Look up and reserve under \
         one lock. Read «{SECTION}»."
    );
}

#[test]
fn a_server_error_frees_the_key_for_a_retry() {
    let store = Arc::new(IdempotencyStore::default());
    let now = Instant::now();
    let print = fingerprint(&Method::POST, "/v2/orders", TEA.as_bytes());
    let answer = |status| StoredResponse { status, headers: HeaderMap::new(), body: Bytes::new() };
    let Begin::Proceed(reservation) = store.begin("k", print, now) else {
        panic!("a new key is reserved: Begin::Proceed. Read «{SECTION}».");
    };
    reservation.complete(answer(StatusCode::SERVICE_UNAVAILABLE), now + Duration::from_secs(60));
    let Begin::Proceed(reservation) = store.begin("k", print, now) else {
        panic!("a 503 says nothing about the request: it is not kept, and the retry runs. Read «{SECTION}».");
    };
    reservation.complete(answer(StatusCode::CREATED), now + Duration::from_secs(60));
    let replayed = store.begin("k", print, now);
    assert!(
        matches!(&replayed, Begin::Replay(stored) if stored.status == StatusCode::CREATED),
        "a 201 is kept and replayed; got {replayed:?}. Read «{SECTION}»."
    );
}

#[tokio::test]
async fn a_malformed_key_is_400() {
    let (router, state, _) = spawn_app();
    let too_long = "k".repeat(256);
    for (key, shown, why) in [
        ("", "", "empty"),
        ("\"\"", "\"\"", "empty between its quotes"),
        (too_long.as_str(), "kkk...k", "256 characters"),
        ("two words", "two words", "a space is not visible"),
    ] {
        let reply = post(&router, key, TEA).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "Idempotency-Key: `{shown}` is not a key ({why}; a key is 1 to 255 visible ASCII characters), got {} \
             {:?}. Read «{SECTION}».",
            reply.status,
            reply.text()
        );
        assert_eq!(reply.problem_slug(), "invalid-idempotency-key");
    }
    assert!(state.store.all().is_empty(), "a request with a malformed key is not run");
    let quoted = post(&router, "\"8e03978e-40d5-43e8\"", TEA).await;
    assert_eq!(
        quoted.status,
        StatusCode::CREATED,
        "the draft's form, a quoted string, is a key. Read «{SECTION}»."
    );
    let longest = post(&router, &"k".repeat(255), TEA).await;
    assert_eq!(longest.status, StatusCode::CREATED, "255 characters is still a key. Read «{SECTION}».");
    let quoted_longest = post(&router, &format!("\"{}\"", "q".repeat(255)), TEA).await;
    assert_eq!(
        quoted_longest.status,
        StatusCode::CREATED,
        "255 characters between quotes is a key too: the limit is on the key, not on its quotes. Read «{SECTION}»."
    );
}

#[test]
fn the_fingerprint_covers_method_path_and_body() {
    let base = fingerprint(&Method::POST, "/v2/orders", TEA.as_bytes());
    assert_eq!(
        base,
        fingerprint(&Method::POST, "/v2/orders", TEA.as_bytes()),
        "the same request, the same fingerprint"
    );
    for (what, advice, other) in [
        ("body", "", fingerprint(&Method::POST, "/v2/orders", COFFEE.as_bytes())),
        ("path", "", fingerprint(&Method::POST, "/v2/returns", TEA.as_bytes())),
        ("method", "", fingerprint(&Method::PUT, "/v2/orders", TEA.as_bytes())),
        (
            "boundary between path and body",
            ": prefix each part with its length, or `/v2/orders` + `{\"item\"...` and `/v2/orders{` + `\"item\"...` \
             run together into the same bytes and hash alike",
            fingerprint(&Method::POST, "/v2/orders{", &TEA.as_bytes()[1..]),
        ),
    ] {
        assert!(
            base != other,
            "a request with another {what} has another fingerprint{advice}. Read «{SECTION}»."
        );
    }
}
