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
        f.write_str("AuthToken(..)")
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
pub fn authenticate(expected: &AuthToken, mut request: Request<()>) -> Result<Request<()>, Status> {
    let presented = request
        .metadata()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Constant time: how long the comparison takes says nothing about the secret.
    let matches: bool = presented.as_bytes().ct_eq(expected.expose().as_bytes()).into();
    if presented.is_empty() || !matches {
        return Err(Status::unauthenticated("a valid bearer token is required"));
    }
    let id = request
        .metadata()
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|id| RequestId::is_acceptable(id))
        .map_or_else(RequestId::generate, |id| RequestId(id.to_owned()));
    request.extensions_mut().insert(id);
    Ok(request)
}
// ANCHOR_END: authenticate

// ANCHOR: client
/// The client's interceptor: every outgoing call carries the token and a fresh request
/// id, so that no call site can forget them.
pub fn client_metadata(token: AuthToken) -> impl FnMut(Request<()>) -> Result<Request<()>, Status> + Clone {
    move |mut request: Request<()>| {
        let bearer: AsciiMetadataValue = format!("Bearer {}", token.expose())
            .parse()
            .map_err(|_| Status::invalid_argument("the token is not valid in a header"))?;
        let id = MetadataValue::try_from(RequestId::generate().0)
            .map_err(|_| Status::internal("a generated request id is not a valid header"))?;
        request.metadata_mut().insert(AUTHORIZATION, bearer);
        request.metadata_mut().insert(REQUEST_ID, id);
        Ok(request)
    }
}
// ANCHOR_END: client
