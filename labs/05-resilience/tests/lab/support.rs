//! What the steps share: a client and a service wired to a wiremock upstream on
//! 127.0.0.1, a clock that sleeps in no time, and a server that resets connections.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Json, Path};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::routing::get as get_route;
use http_body_util::BodyExt;
use resilience::backoff::Backoff;
use resilience::breaker::BreakerConfig;
use resilience::clock::ManualClock;
use resilience::limiter::Quota;
use resilience::retry::{RetryBudget, RetryPolicy};
use resilience::upstream::{UpstreamClient, UpstreamConfig};
use resilience::{AppState, ServiceConfig, app};
use serde_json::json;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const BACKOFF: Backoff = Backoff { base: Duration::from_millis(100), cap: Duration::from_secs(2) };

pub fn policy(max_retries: u32) -> RetryPolicy {
    RetryPolicy { max_retries, backoff: BACKOFF, max_retry_after: Duration::from_secs(30) }
}

pub fn upstream_config(base_url: &str, max_retries: u32) -> UpstreamConfig {
    UpstreamConfig {
        base_url: base_url.to_owned(),
        attempt_timeout: Duration::from_secs(2),
        policy: policy(max_retries),
    }
}

/// A client for `base_url` with a generous budget, and the clock it sleeps on.
pub fn client(
    base_url: &str,
    config: impl FnOnce(&mut UpstreamConfig),
) -> (UpstreamClient, Arc<ManualClock>) {
    let mut upstream = upstream_config(base_url, 2);
    config(&mut upstream);
    let clock = Arc::new(ManualClock::new());
    (UpstreamClient::new(upstream, RetryBudget::new(100, 1.0), clock.clone()), clock)
}

/// The body the upstream answers for a rate.
pub fn rate(currency: &str, rate: f64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({ "currency": currency, "rate": rate }))
}

// ANCHOR: upstream_answers
/// Mounts `response` for `GET /rates/{currency}`, at most `times` times if given.
pub async fn upstream_answers(
    server: &MockServer,
    currency: &str,
    response: ResponseTemplate,
    times: Option<u64>,
) {
    let mock = Mock::given(method("GET")).and(path(format!("/rates/{currency}"))).respond_with(response);
    let mock = match times {
        Some(n) => mock.up_to_n_times(n),
        None => mock,
    };
    mock.mount(server).await;
}

/// How many requests the upstream has received.
pub async fn calls(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}
// ANCHOR_END: upstream_answers

/// The oldest last-known rate the test service serves when the upstream fails.
pub const MAX_STALE: Duration = Duration::from_secs(600);

/// Service settings for tests: small numbers, so limits are easy to reach.
pub fn service_config() -> ServiceConfig {
    ServiceConfig {
        quota: Quota { per_second: 100, burst: 100 },
        max_in_flight: 8,
        retry_reserve: 100,
        retry_ratio: 1.0,
        max_stale: MAX_STALE,
    }
}

pub const BREAKER: BreakerConfig = BreakerConfig { failure_threshold: 3, open_for: Duration::from_secs(30) };

/// The service in front of `server`, with its state and clock.
pub fn service(
    server: &MockServer,
    max_retries: u32,
    configure: impl FnOnce(&mut ServiceConfig, &mut UpstreamConfig),
) -> (Router, AppState, Arc<ManualClock>) {
    service_at(&server.uri(), max_retries, configure)
}

/// The service in front of the upstream at `base_url`, with its state and clock.
pub fn service_at(
    base_url: &str,
    max_retries: u32,
    configure: impl FnOnce(&mut ServiceConfig, &mut UpstreamConfig),
) -> (Router, AppState, Arc<ManualClock>) {
    let mut config = service_config();
    let mut upstream = upstream_config(base_url, max_retries);
    configure(&mut config, &mut upstream);
    let clock = Arc::new(ManualClock::new());
    let state = AppState::new(upstream, BREAKER, config, clock.clone());
    (app(state.clone()), state, clock)
}

/// A response with its body read.
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
            .unwrap_or_else(|e| panic!("expected JSON, got {:?} ({e})", self.text()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// `GET uri` to the service in-process, as the client with `api_key`.
pub async fn get(router: &Router, uri: &str, api_key: &str) -> Reply {
    let request = Request::get(uri)
        .header("x-api-key", api_key)
        .body(Body::empty())
        .unwrap_or_else(|e| panic!("bad test request: {e}"));
    let response = match router.clone().oneshot(request).await {
        Ok(response) => response,
        Err(infallible) => match infallible {},
    };
    let (parts, body) = response.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_else(|e| panic!("the body failed: {e}"));
    Reply { status: parts.status, headers: parts.headers, body }
}

// ANCHOR: resetting_server
/// A server on 127.0.0.1 that accepts connections and resets them without answering,
/// as a crashed process or a broken load balancer does. It counts the connections.
pub struct ResettingServer {
    pub addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
}

impl ResettingServer {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("cannot bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("no address: {e}"));
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                // Read one byte of the request and close: with unread data left in the
                // socket, the kernel answers with a reset, not a clean close.
                let mut first = [0u8; 1];
                let _ = stream.read(&mut first).await;
                drop(stream);
            }
        });
        Self { addr, accepted }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn connections(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}
// ANCHOR_END: resetting_server

/// An upstream whose answers to `GET /rates/{currency}` wait until the test opens its
/// gate: the test, not a delay on the clock, decides how long requests stay in flight.
/// It counts the requests it has received.
pub struct GatedUpstream {
    addr: SocketAddr,
    received: Arc<AtomicUsize>,
    gate: watch::Sender<bool>,
}

impl GatedUpstream {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("cannot bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("no address: {e}"));
        let received = Arc::new(AtomicUsize::new(0));
        let (gate, opened) = watch::channel(false);
        let counter = received.clone();
        let rates = get_route(move |Path(currency): Path<String>| {
            let (counter, mut opened) = (counter.clone(), opened.clone());
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                // An error means the test is over (the gate was dropped): answer anyway.
                let _ = opened.wait_for(|open| *open).await;
                Json(json!({ "currency": currency, "rate": 1.08 }))
            }
        });
        let router = Router::new().route("/rates/{currency}", rates);
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { addr, received, gate }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests have reached the upstream (and wait at the gate, until it opens).
    pub fn calls(&self) -> usize {
        self.received.load(Ordering::SeqCst)
    }

    /// Sends `GET uri` to `router` while requests wait at the gate, and returns the answer.
    /// A service that queues the request instead of answering it would wait for a gate
    /// that only the test opens: after two seconds the test fails with `what`.
    pub async fn get_while_closed(&self, router: &Router, uri: &str, api_key: &str, what: &str) -> Reply {
        tokio::time::timeout(Duration::from_secs(2), get(router, uri, api_key))
            .await
            .unwrap_or_else(|_| panic!("{uri} got no answer within 2 s while the service was full: {what}"))
    }

    /// Lets every waiting request, and every later one, through.
    pub fn open(&self) {
        self.gate.send_replace(true);
    }
}

/// Log lines written while the returned guard lives (on this thread).
#[derive(Clone, Default)]
pub struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl CapturedLogs {
    pub fn start() -> (Self, tracing::subscriber::DefaultGuard) {
        let logs = Self::default();
        let subscriber = tracing_subscriber::fmt().with_writer(logs.clone()).with_ansi(false).finish();
        let guard = tracing::subscriber::set_default(subscriber);
        (logs, guard)
    }

    pub fn text(&self) -> String {
        let bytes = self.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for CapturedLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut bytes) = self.0.lock() {
            bytes.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for CapturedLogs {
    type Writer = CapturedLogs;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}
