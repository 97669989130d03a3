//! What every call carries besides its message: a request id and a bearer token.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use subtle::ConstantTimeEq;
use tonic::metadata::{AsciiMetadataValue, MetadataValue};
use tonic::{Request, Status};

pub const REQUEST_ID: &str = "x-request-id";
pub const AUTHORIZATION: &str = "authorization";

/// The secret a caller must present as `authorization: Bearer <token>`.
#[derive(Clone)]
pub struct AuthToken(Arc<str>);

impl AuthToken {
    pub fn new(token: &str) -> Self {
        Self(token.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

// ANCHOR: debug
/// Says that a token is set, never which: `Config` derives `Debug`, and a `{config:?}`
/// in a log line or a panic message would otherwise print the secret.
impl std::fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        todo!("step 6: show that a token is set, never the token. Read book/02-api-design/grpc-metadata.md")
    }
}
// ANCHOR_END: debug

/// The id of one call, in the request's extensions for handlers and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    /// A fresh id, unique within this process.
    pub fn generate() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Self(format!("orders-{:016x}", NEXT.fetch_add(1, Ordering::Relaxed)))
    }

    /// Whether a caller's id is one we may keep: 1 to 64 letters, digits, `-` or `_`,
    /// nothing that could forge a log line.
    pub fn is_acceptable(id: &str) -> bool {
        (1..=64).contains(&id.len())
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }
}

// ANCHOR: authenticate
/// The server's interceptor: a request without the right bearer token is refused with
/// `Unauthenticated`; every request that passes carries a [`RequestId`], the caller's
/// if it is acceptable, a fresh one otherwise.
pub fn authenticate(expected: &AuthToken, request: Request<()>) -> Result<Request<()>, Status> {
    todo!(
        "step 6: refuse a request without the bearer token; give every other one a RequestId. Read book/02-api-design/grpc-metadata.md"
    )
}
// ANCHOR_END: authenticate

// ANCHOR: client
/// The client's interceptor: every outgoing call carries the token and a fresh request
/// id, so that no call site can forget them.
pub fn client_metadata(token: AuthToken) -> impl FnMut(Request<()>) -> Result<Request<()>, Status> + Clone {
    move |request: Request<()>| {
        let _ = &token;
        todo!(
            "step 6: add the bearer token and a fresh request id to every call. Read book/02-api-design/grpc-metadata.md"
        )
    }
}
// ANCHOR_END: client
