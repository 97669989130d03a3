//! What the steps share: the server on a port-0 listener, a generated client, and a
//! warehouse that tests can make slow, broken, or watchful.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api_grpc::pb::orders_client::OrdersClient;
use api_grpc::warehouse::{Reservation, Warehouse, WarehouseError};
use api_grpc::{AppState, Config, serve};
use tokio::net::TcpListener;
use tokio::time::Instant;
use tonic::transport::{Channel, Endpoint};

/// How the test warehouse answers a reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    InStock,
    OutOfStock,
    Down,
    /// Never answers: only a deadline (or a client that goes away) ends the call.
    Hangs,
}

/// A warehouse that records what it was asked, and notices when a caller stops waiting.
#[derive(Debug)]
pub struct TestWarehouse {
    pub behaviour: Behaviour,
    pub calls: AtomicUsize,
    pub deadlines: Mutex<Vec<Instant>>,
    /// Set when a reservation's future is dropped before it finished.
    pub abandoned: AtomicBool,
}

impl TestWarehouse {
    pub fn new(behaviour: Behaviour) -> Arc<Self> {
        Arc::new(Self {
            behaviour,
            calls: AtomicUsize::new(0),
            deadlines: Mutex::new(Vec::new()),
            abandoned: AtomicBool::new(false),
        })
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    pub fn last_deadline(&self) -> Option<Instant> {
        self.deadlines.lock().ok().and_then(|d| d.last().copied())
    }

    pub fn abandoned(&self) -> bool {
        self.abandoned.load(Ordering::SeqCst)
    }
}

/// Marks the reservation abandoned if it is dropped before it finishes.
struct Abandon<'a>(&'a AtomicBool, bool);

impl Drop for Abandon<'_> {
    fn drop(&mut self) {
        if !self.1 {
            self.0.store(true, Ordering::SeqCst);
        }
    }
}

impl Warehouse for TestWarehouse {
    fn reserve<'a>(&'a self, item: &'a str, _quantity: u32, deadline: Instant) -> Reservation<'a> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut deadlines) = self.deadlines.lock() {
            deadlines.push(deadline);
        }
        Box::pin(async move {
            let mut guard = Abandon(&self.abandoned, false);
            let answer = match self.behaviour {
                Behaviour::InStock => Ok(()),
                Behaviour::OutOfStock => Err(WarehouseError::OutOfStock(item.to_owned())),
                Behaviour::Down => {
                    Err(WarehouseError::Unavailable("connection refused by wh-3.internal:7000".into()))
                }
                Behaviour::Hangs => std::future::pending().await,
            };
            guard.1 = true;
            answer
        })
    }
}

/// The app state without a server, for calling the handlers in-process.
pub fn state_with(config: Config, warehouse: Arc<TestWarehouse>) -> AppState {
    AppState::new(config, warehouse)
}

/// A running server on 127.0.0.1, its state, and a client connected to it.
pub struct TestServer {
    pub state: AppState,
    pub client: OrdersClient<Channel>,
    pub channel: Channel,
    _task: AbortOnDrop,
}

/// Stops the server when the test's `TestServer` goes away.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub async fn spawn_server() -> TestServer {
    spawn_server_with(Config::default(), TestWarehouse::new(Behaviour::InStock)).await
}

/// Binds port 0 first, so the address is known before the server runs and no test
/// waits for it to start: connections queue in the listener's backlog meanwhile.
pub async fn spawn_server_with(config: Config, warehouse: Arc<TestWarehouse>) -> TestServer {
    let listener =
        TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("cannot bind a port: {e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("no local address: {e}"));
    let state = state_with(config, warehouse);
    let server = serve(listener, state.clone());
    let task = tokio::spawn(async move {
        if let Err(error) = server.await {
            panic!("the server stopped: {error}");
        }
    });
    let channel = Endpoint::from_shared(format!("http://{addr}"))
        .unwrap_or_else(|e| panic!("bad endpoint: {e}"))
        .connect()
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the test server: {e}"));
    TestServer { state, client: OrdersClient::new(channel.clone()), channel, _task: AbortOnDrop(task) }
}

/// Waits until `condition` holds, checking every few milliseconds, for at most `limit`.
/// Over real sockets this is how a test waits: for a condition, never a fixed sleep.
pub async fn eventually(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        if condition() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    condition()
}

/// Awaits `call`, failing the test with `message` if it takes longer than `limit`. A
/// macro, so that the failure points at the test's line rather than at this file.
macro_rules! within {
    ($limit:expr, $message:expr, $call:expr $(,)?) => {
        tokio::time::timeout($limit, $call).await.unwrap_or_else(|_| panic!("{}", $message))
    };
}
pub(crate) use within;
