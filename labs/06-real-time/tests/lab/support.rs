//! What the steps share: the service on 127.0.0.1 (port 0), a WebSocket client, an SSE
//! client, and a way to wait for a condition instead of sleeping.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use eventsource_stream::Eventsource;
use futures_util::{SinkExt, Stream, StreamExt};
use real_time::limits::Quota;
use real_time::{AppState, Config, app};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The page allowed to open connections in the tests.
pub const CHAT_ORIGIN: &str = "https://chat.example";
pub const ALICE: &str = "alice-token";
pub const BOB: &str = "bob-token";

/// How long any wait in these tests may take before it counts as "never".
pub const PATIENCE: Duration = Duration::from_secs(2);

/// Settings for tests: two users, one allowed origin, small limits, and intervals long
/// enough that they never fire unless a test shortens them.
pub fn config() -> Config {
    Config {
        tokens: HashMap::from([(ALICE.to_owned(), "alice".to_owned()), (BOB.to_owned(), "bob".to_owned())]),
        allowed_origins: vec![CHAT_ORIGIN.to_owned()],
        max_message_bytes: 1024,
        quota: Quota { burst: 5, per: Duration::from_secs(60) },
        heartbeat_interval: Duration::from_secs(60),
        heartbeat_timeout: Duration::from_secs(180),
        write_timeout: Duration::from_secs(2),
        channel_capacity: 16,
        history: 64,
        sse_retry: Duration::from_millis(1500),
        sse_keep_alive: Duration::from_secs(60),
        long_poll_timeout: Duration::from_secs(25),
        ws_read_buffer: 4096,
        ws_write_buffer: 4096,
    }
}

/// One instance of the service, served on a port of its own.
pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
}

/// Serves `state` on 127.0.0.1, port 0.
pub async fn serve_state(state: AppState) -> TestApp {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("cannot bind: {e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("no address: {e}"));
    let router = app(state.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    TestApp { addr, state }
}

/// The service with the test settings, changed by `configure`.
pub async fn spawn_app(configure: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = config();
    configure(&mut config);
    serve_state(AppState::new(config)).await
}

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A WebSocket handshake to `addr`, with a bearer token and an Origin if given.
pub async fn try_ws(
    addr: SocketAddr,
    token: Option<&str>,
    origin: Option<&str>,
) -> Result<Socket, tungstenite::Error> {
    let mut request =
        format!("ws://{addr}/ws").into_client_request().unwrap_or_else(|e| panic!("bad test request: {e}"));
    let headers = request.headers_mut();
    if let Some(token) = token {
        headers.insert("authorization", header(&format!("Bearer {token}")));
    }
    if let Some(origin) = origin {
        headers.insert("origin", header(origin));
    }
    let connected = tokio::time::timeout(PATIENCE, tokio_tungstenite::connect_async(request)).await;
    let (socket, _) =
        connected.unwrap_or_else(|_| panic!("the WebSocket handshake took more than {PATIENCE:?}"))?;
    Ok(socket)
}

/// A WebSocket client from the chat page, as `token`; the handshake must succeed.
pub async fn ws(addr: SocketAddr, token: &str) -> WsClient {
    match try_ws(addr, Some(token), Some(CHAT_ORIGIN)).await {
        Ok(socket) => WsClient { socket },
        Err(error) => panic!(
            "a handshake from {CHAT_ORIGIN} with a valid token must be upgraded (101); it failed: {error}. \
             Read «A WebSocket endpoint» (book/06-real-time/websocket.md)."
        ),
    }
}

pub fn header(value: &str) -> HeaderValue {
    HeaderValue::from_str(value).unwrap_or_else(|e| panic!("bad test header {value:?}: {e}"))
}

/// What a client saw next.
#[derive(Debug)]
pub enum Seen {
    Text(String),
    Closed(Option<(u16, String)>),
    /// The connection ended without a close frame (the error, for the message).
    Gone(#[allow(dead_code)] String),
    Nothing,
}

pub struct WsClient {
    pub socket: Socket,
}

impl WsClient {
    pub async fn say(&mut self, text: &str) {
        if let Err(e) = self.socket.send(Message::text(text)).await {
            panic!("could not send {text:?} on the WebSocket: {e}");
        }
    }

    /// The next text or close, skipping pings and pongs; `Nothing` after `PATIENCE`.
    pub async fn next(&mut self) -> Seen {
        let read = async {
            loop {
                match self.socket.next().await {
                    Some(Ok(Message::Text(text))) => return Seen::Text(text.to_string()),
                    Some(Ok(Message::Close(frame))) => return Seen::Closed(frame.map(close_parts)),
                    Some(Ok(_)) => continue,
                    Some(Err(error)) => return Seen::Gone(error.to_string()),
                    None => return Seen::Gone("end of stream".to_owned()),
                }
            }
        };
        tokio::time::timeout(PATIENCE, read).await.unwrap_or(Seen::Nothing)
    }

    /// The next message, parsed; panics with `context` if something else comes.
    pub async fn message(&mut self, context: &str) -> serde_json::Value {
        match self.next().await {
            Seen::Text(text) => serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{context}: expected a JSON message, got {text:?} ({e})")),
            other => panic!("{context}: expected a message, got {other:?}"),
        }
    }

    /// The close frame that must come next (messages before it are skipped).
    pub async fn close_frame(&mut self, context: &str) -> (u16, String) {
        loop {
            match self.next().await {
                Seen::Text(_) => continue,
                Seen::Closed(Some(frame)) => return frame,
                other => panic!("{context}: expected a close frame with a code and a reason, got {other:?}"),
            }
        }
    }
}

fn close_parts(frame: CloseFrame) -> (u16, String) {
    (u16::from(frame.code), frame.reason.to_string())
}

/// Waits, `PATIENCE` at most, until `condition` holds; panics with `describe()` otherwise
/// (called at the end, so that it can show the state that did not change).
pub async fn wait_until(describe: impl FnOnce() -> String, mut condition: impl FnMut() -> bool) {
    let waited = tokio::time::timeout(PATIENCE, async {
        while !condition() {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "{}", describe());
}

/// `future`, or a panic saying `what` did not happen within `PATIENCE`.
pub async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(PATIENCE, future).await.unwrap_or_else(|_| panic!("{what}"))
}

/// An SSE request to `/events` as `token`, resuming after `last_event_id` if given.
pub async fn sse_request(
    addr: SocketAddr,
    token: Option<&str>,
    last_event_id: Option<u64>,
) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("http://{addr}/events"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id.to_string());
    }
    within("GET /events did not answer", request.send())
        .await
        .unwrap_or_else(|e| panic!("GET /events failed: {e}"))
}

pub type SseStream = std::pin::Pin<Box<dyn Stream<Item = Option<eventsource_stream::Event>> + Send>>;

/// The events of an SSE response, parsed as a browser would (`None` on a parse error).
pub fn sse_events(response: reqwest::Response) -> SseStream {
    Box::pin(response.bytes_stream().eventsource().map(|event| event.ok()))
}

/// The next SSE event, or a panic saying `what` did not come.
pub async fn next_sse(events: &mut SseStream, what: &str) -> Option<eventsource_stream::Event> {
    within(&format!("{what}: no SSE event came within {PATIENCE:?}"), events.next()).await.flatten()
}

/// The frames a server sent on a raw socket: (opcode, payload). Server frames are not
/// masked, and these are all short (a longer one ends the parse).
pub fn frames(mut bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut frames = Vec::new();
    while bytes.len() >= 2 {
        let (opcode, len) = (bytes[0] & 0x0f, usize::from(bytes[1] & 0x7f));
        if len > 125 || bytes.len() < 2 + len {
            break;
        }
        frames.push((opcode, bytes[2..2 + len].to_vec()));
        bytes = &bytes[2 + len..];
    }
    frames
}

/// The raw TCP stream under a client, for tests that play a peer no library would.
pub fn raw(client: WsClient) -> TcpStream {
    match client.socket.into_inner() {
        MaybeTlsStream::Plain(tcp) => tcp,
        _ => panic!("the test client uses plain TCP"),
    }
}

/// Reads what the server sends on a raw socket until a close frame comes or the
/// connection ends, `PATIENCE` at most, answering nothing. The frames, and whether
/// the server closed or ended in time.
pub async fn read_until_close(tcp: &mut TcpStream) -> (Vec<(u8, Vec<u8>)>, bool) {
    let mut received = Vec::new();
    let read = tokio::time::timeout(PATIENCE, async {
        let mut chunk = [0u8; 4096];
        loop {
            match tcp.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&chunk[..n]),
            }
            if frames(&received).iter().any(|(opcode, _)| *opcode == 0x8) {
                return;
            }
        }
    })
    .await;
    (frames(&received), read.is_ok())
}

/// The code and reason of the first close frame among `frames`.
pub fn close_of(frames: &[(u8, Vec<u8>)]) -> Option<(u16, String)> {
    let (_, payload) = frames.iter().find(|(opcode, _)| *opcode == 0x8)?;
    let code = u16::from_be_bytes([*payload.first()?, *payload.get(1)?]);
    Some((code, String::from_utf8_lossy(&payload[2..]).into_owned()))
}
