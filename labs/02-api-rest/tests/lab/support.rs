//! What the steps share: the app in-process with a manual clock, requests, replies.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use api_rest::clock::ManualClock;
use api_rest::cursor::CursorKey;
use api_rest::seam::UnlockHook;
use api_rest::{AppState, Config, app};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const CURSOR_SECRET: &[u8] = b"the lab's cursor key";

pub fn config() -> Config {
    Config::new(CursorKey::new(CURSOR_SECRET.to_vec()))
}

/// The whole app, its state and its clock.
pub fn spawn_app() -> (Router, AppState, Arc<ManualClock>) {
    spawn_app_with(|_| {})
}

pub fn spawn_app_with(configure: impl FnOnce(&mut AppState)) -> (Router, AppState, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    let mut state = AppState::new(config(), clock.clone());
    configure(&mut state);
    (app(state.clone()), state, clock)
}

/// A response with its body read.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("expected a JSON body, got {} {:?} ({e})", self.status, self.text()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The problem type's last part (`not-found`), or a panic that shows the reply.
    pub fn problem_slug(&self) -> String {
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "an error is an RFC 9457 problem, labelled `application/problem+json`; got {} {:?}. Read «One error catalogue» (book/02-api-design/errors.md).",
            self.status,
            self.text()
        );
        let body = self.json();
        let kind = body["type"].as_str().unwrap_or_default();
        kind.strip_prefix(api_rest::problem::PROBLEM_BASE)
            .unwrap_or_else(|| panic!("a problem's type starts with PROBLEM_BASE; got {body}"))
            .to_owned()
    }
}

/// A request: method, URI, headers, and a JSON body if given.
pub fn request(method: Method, uri: &str, headers: &[(&str, &str)], json: Option<&str>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let body = match json {
        Some(json) => {
            builder = builder.header("content-type", "application/json");
            Body::from(json.to_owned())
        }
        None => Body::empty(),
    };
    builder.body(body).unwrap_or_else(|e| panic!("bad test request: {e}"))
}

/// Sends a request to the app in-process.
pub async fn send(router: &Router, request: Request<Body>) -> Reply {
    let response = match router.clone().oneshot(request).await {
        Ok(response) => response,
        Err(infallible) => match infallible {},
    };
    let (parts, body) = response.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_else(|e| panic!("the body failed: {e}"));
    Reply { status: parts.status, headers: parts.headers, body }
}

pub async fn get(router: &Router, uri: &str) -> Reply {
    send(router, request(Method::GET, uri, &[], None)).await
}

/// `POST /v2/orders` with `{"item": item, "quantity": quantity}`.
pub async fn create(router: &Router, item: &str, quantity: u32) -> Reply {
    let body = serde_json::json!({ "item": item, "quantity": quantity }).to_string();
    send(router, request(Method::POST, "/v2/orders", &[], Some(&body))).await
}

/// Creates `n` orders, `order 1` to `order n`, and checks that each was created.
pub async fn create_many(router: &Router, n: u32) {
    for i in 1..=n {
        let reply = create(router, &format!("order {i}"), 1).await;
        assert_eq!(reply.status, StatusCode::CREATED, "creating an order failed: {:?}", reply.text());
    }
}

/// Forces a check-then-act race instead of hoping for it. Installed as a store's unlock
/// hook (`api_rest::seam`) and armed, it holds every thread that releases the store's
/// lock until `threads` releases have happened: code that looks under one lock and
/// writes under another is then caught with every thread between the two, every time.
/// Code that does both under one lock is not affected. A deadline, 3 s after `arm`
/// (never reached by a working solution), keeps a broken one from hanging the test.
pub struct Rendezvous {
    threads: usize,
    /// When it was armed, and how many releases it has seen since.
    state: Mutex<(Option<Instant>, usize)>,
    changed: Condvar,
}

impl Rendezvous {
    pub fn new(threads: usize) -> Arc<Self> {
        Arc::new(Self { threads, state: Mutex::new((None, 0)), changed: Condvar::new() })
    }

    /// The hook to give the store.
    pub fn hook(self: &Arc<Self>) -> UnlockHook {
        let rendezvous = self.clone();
        Arc::new(move || rendezvous.released())
    }

    /// From now on, releases are counted and held.
    pub fn arm(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).0 = Some(Instant::now());
    }

    /// How many releases it has seen since it was armed: a race test checks that the
    /// store's hook ran, or it proved nothing.
    pub fn releases(&self) -> usize {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).1
    }

    fn released(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let Some(armed_at) = state.0 else {
            return;
        };
        state.1 += 1;
        self.changed.notify_all();
        let left = (armed_at + Duration::from_secs(3)).saturating_duration_since(Instant::now());
        let _held = self.changed.wait_timeout_while(state, left, |state| state.1 < self.threads);
    }
}

/// Sends each request from a thread of its own, all at once, and returns the replies
/// in the order of the requests.
pub fn send_from_threads(router: &Router, requests: Vec<Request<Body>>) -> Vec<Reply> {
    let threads: Vec<_> = requests
        .into_iter()
        .map(|request| {
            let router = router.clone();
            std::thread::spawn(move || block_on(send(&router, request)))
        })
        .collect();
    threads
        .into_iter()
        .map(|thread| thread.join().unwrap_or_else(|_| panic!("a request panicked; see its message above")))
        .collect()
}

/// Runs a future to its end on a runtime of its own, for tests that use threads.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("the test could not start a runtime: {e}"))
        .block_on(future)
}
