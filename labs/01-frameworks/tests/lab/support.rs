//! What every step's tests share: sending a request in-process, reading the reply,
//! and starting a real server on a free port.

use std::future::IntoFuture;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::routing::get as get_route;
use frameworks::Drained;
use http_body_util::BodyExt;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tower::ServiceExt;

/// A response with its body read, so tests can look at it more than once.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON; a body that is not JSON fails the test with what it was.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("expected a JSON body, got {:?} ({e})", self.text()))
    }

    /// Asserts the reply is an RFC 9457 problem document with `status`, and returns it.
    pub fn problem(&self, status: StatusCode, section: &str) -> serde_json::Value {
        assert_eq!(
            self.status,
            status,
            "expected status {status}, got {} with body {:?}. Read «{section}».",
            self.status,
            self.text()
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "an error must be sent as `Content-Type: application/problem+json` (RFC 9457), got {:?}. Read «{section}».",
            self.header("content-type")
        );
        let problem = self.json();
        assert_eq!(
            problem["status"],
            status.as_u16(),
            "the problem document's `status` member must repeat the status code; got {problem}. Read «{section}»."
        );
        assert!(
            problem["title"].is_string() && problem["type"].is_string(),
            "a problem document has a `type` and a `title` (RFC 9457 section 3.1); got {problem}. Read «{section}»."
        );
        problem
    }
}

// ANCHOR: send
/// Sends one request to `router` in-process (no socket) and reads the whole reply.
pub async fn send(router: &Router, request: Request<Body>) -> Reply {
    let response = match router.clone().oneshot(request).await {
        Ok(response) => response,
        Err(infallible) => match infallible {},
    };
    let (parts, body) = response.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_else(|e| panic!("the response body failed: {e}"));
    Reply { status: parts.status, headers: parts.headers, body }
}
// ANCHOR_END: send

pub fn get(uri: &str) -> Request<Body> {
    request("GET", uri, Body::empty())
}

pub fn delete(uri: &str) -> Request<Body> {
    request("DELETE", uri, Body::empty())
}

pub fn request(method: &str, uri: &str, body: Body) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .body(body)
        .unwrap_or_else(|e| panic!("the test built a bad request: {e}"))
}

/// A POST with a JSON body and the right content type.
pub fn post_json(uri: &str, json: &str) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, json.len())
        .body(Body::from(json.to_owned()))
        .unwrap_or_else(|e| panic!("the test built a bad request: {e}"))
}

// ANCHOR: running_server
/// A server on 127.0.0.1 and a free port, run by `frameworks::serve`.
pub struct RunningServer {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    pub handle: JoinHandle<io::Result<Drained>>,
}

impl RunningServer {
    pub async fn start(app: Router, drain_deadline: Duration) -> Self {
        let listener =
            TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("cannot bind 127.0.0.1:0: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("no local address: {e}"));
        let (tx, rx) = oneshot::channel::<()>();
        let shutdown = async move {
            let _ = rx.await;
        };
        let handle = tokio::spawn(frameworks::serve(listener, app, shutdown, drain_deadline).into_future());
        Self { addr, shutdown: Some(tx), handle }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sends the shutdown signal, as Ctrl-C would.
    pub fn shut_down(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// Waits (a few seconds at most) for `serve` to return.
    pub async fn stopped(self, within: Duration) -> io::Result<Drained> {
        match tokio::time::timeout(within, self.handle).await {
            Ok(Ok(result)) => result,
            Ok(Err(join_error)) => panic!("`serve` panicked: {join_error}"),
            Err(_) => panic!(
                "`serve` had not returned {within:?} after the shutdown signal: shutdown must not wait forever. Read «Graceful shutdown»."
            ),
        }
    }
}
// ANCHOR_END: running_server

/// An HTTP client for loopback: no proxy from the environment, no TLS.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap_or_else(|e| panic!("cannot build the test client: {e}"))
}

// ANCHOR: gated_router
/// A router whose `/gate` requests wait until the test opens the gate, and tell the test
/// when they have arrived: the test, not the clock, decides how many are in flight.
pub fn gated_router() -> (Router, mpsc::UnboundedReceiver<()>, watch::Sender<bool>) {
    let (entered_tx, entered) = mpsc::unbounded_channel::<()>();
    let (gate, gate_rx) = watch::channel(false);
    let router = Router::new().route(
        "/gate",
        get_route(move || {
            let entered_tx = entered_tx.clone();
            let mut gate_rx = gate_rx.clone();
            async move {
                let _ = entered_tx.send(());
                let _ = gate_rx.wait_for(|open| *open).await;
                "finished"
            }
        }),
    );
    (router, entered, gate)
}
// ANCHOR_END: gated_router
