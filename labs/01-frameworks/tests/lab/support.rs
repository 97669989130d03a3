//! What every step's tests share: sending a request in-process, reading the reply,
//! and starting a real server on a free port.

use std::cell::RefCell;
use std::future::IntoFuture;
use std::io;
use std::net::SocketAddr;
use std::sync::Once;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::routing::get as get_route;
use frameworks::Drained;
use http_body_util::BodyExt;
use tokio::net::{TcpListener, TcpStream};
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
                "`serve` had not returned {within:?} after the shutdown signal: shutdown must not wait forever. Read «Graceful shutdown (book/01-frameworks/shutdown.md)»."
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

// ANCHOR: streamed
/// A body whose size nobody knows until it is read, as a client that streams sends it
/// (no `Content-Length`): only a limit applied while reading can stop it.
pub fn streamed(bytes: Vec<u8>) -> Body {
    Body::from_stream(Body::from(bytes).into_data_stream())
}

/// Serves `router` on a real socket and POSTs to `path` a chunked JSON body that never
/// ends. Returns the status code of the answer, or `None` if none came within `within`:
/// a server that reads a body to its end before it checks the size never answers.
pub async fn status_of_endless_post(router: Router, path: &str, within: Duration) -> Option<u16> {
    let filler = format!("400\r\n{}\r\n", "x".repeat(0x400));
    status_of_raw_post(router, path, "b\r\n{\"title\": \"\r\n", Some(filler), within).await
}

/// Like `status_of_endless_post`, but the body breaks off: a chunk whose size line is not
/// a number, as from a client that crashed or a proxy that mangled the stream. No byte
/// of it is wrong JSON; the body simply cannot be read.
pub async fn status_of_broken_post(router: Router, path: &str, within: Duration) -> Option<u16> {
    status_of_raw_post(router, path, "b\r\n{\"title\": \"\r\nzz\r\n", None, within).await
}

/// POSTs a chunked body written by hand: `first`, then `filler` again and again while the
/// server reads (or nothing more), and returns the answer's status code, if one comes.
async fn status_of_raw_post(
    router: Router,
    path: &str,
    first: &str,
    filler: Option<String>,
    within: Duration,
) -> Option<u16> {
    let listener =
        TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("cannot bind 127.0.0.1:0: {e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("no local address: {e}"));
    let server = tokio::spawn(axum::serve(listener, router).into_future());
    let stream =
        TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("cannot connect to the test server: {e}"));
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
    );
    let answer = tokio::time::timeout(within, async {
        let mut outgoing = [head.as_str(), first].concat().into_bytes();
        let mut writing = true;
        let mut answer = Vec::new();
        loop {
            tokio::select! {
                ready = stream.writable(), if writing => {
                    match ready.and_then(|()| stream.try_write(&outgoing)) {
                        Ok(written) => {
                            outgoing.drain(..written);
                            if outgoing.is_empty() {
                                match &filler {
                                    Some(filler) => outgoing = filler.clone().into_bytes(),
                                    None => writing = false,
                                }
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                        // The server stopped reading and may have closed: its answer is what counts.
                        Err(_) => writing = false,
                    }
                }
                ready = stream.readable() => {
                    let mut buffer = [0u8; 1024];
                    match ready.and_then(|()| stream.try_read(&mut buffer)) {
                        Ok(0) => return answer,
                        Ok(read) => {
                            answer.extend_from_slice(&buffer[..read]);
                            if answer.windows(2).any(|w| w == b"\r\n") {
                                return answer;
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                        Err(_) => return answer,
                    }
                }
            }
        }
    })
    .await;
    server.abort();
    let answer = answer.ok()?;
    // "HTTP/1.1 413 Payload Too Large": the status is the second word.
    String::from_utf8_lossy(&answer).split_whitespace().nth(1).and_then(|code| code.parse().ok())
}
// ANCHOR_END: streamed

/// A POST of `body` as JSON, with no `Content-Length`.
pub fn post_streamed_json(uri: &str, body: Body) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .unwrap_or_else(|e| panic!("the test built a bad request: {e}"))
}

/// Captures what the code under test logs on this thread, until it is dropped.
/// `#[tokio::test]` runs the test and what it awaits on one thread, so that is all of it.
pub struct Logs(());

thread_local! {
    static CAPTURED: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
}

impl Logs {
    pub fn capture() -> Self {
        // One subscriber for the whole test binary, installed once: tracing caches, per
        // log statement, whether anyone listens, and a subscriber per test would race
        // with the tests that run beside it. Lines go to the capturing test, or nowhere.
        static INSTALLED: Once = Once::new();
        INSTALLED.call_once(|| {
            let subscriber = tracing_subscriber::fmt()
                .with_writer(|| ThreadLog)
                .with_ansi(false)
                .with_max_level(tracing::Level::TRACE)
                .finish();
            // Fails only if something else set one first; then nothing is captured and
            // the test that asked says so.
            let _ = tracing::subscriber::set_global_default(subscriber);
        });
        CAPTURED.with(|captured| *captured.borrow_mut() = Some(Vec::new()));
        Self(())
    }

    pub fn text(&self) -> String {
        CAPTURED.with(|captured| {
            String::from_utf8_lossy(captured.borrow().as_deref().unwrap_or_default()).into_owned()
        })
    }
}

impl Drop for Logs {
    fn drop(&mut self) {
        CAPTURED.with(|captured| *captured.borrow_mut() = None);
    }
}

/// Where the subscriber writes: this thread's capture, if a test on it asked for one.
struct ThreadLog;

impl io::Write for ThreadLog {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        CAPTURED.with(|captured| {
            if let Some(log) = captured.borrow_mut().as_mut() {
                log.extend_from_slice(buf);
            }
        });
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
