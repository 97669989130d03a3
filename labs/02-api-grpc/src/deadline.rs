//! Deadlines: what a caller's `grpc-timeout` header means, and the instant it gives.

use std::time::Duration;

use tokio::time::Instant;
use tonic::metadata::MetadataMap;

/// The header a gRPC client sends its remaining time in (gRPC over HTTP/2 spec).
pub const GRPC_TIMEOUT: &str = "grpc-timeout";

// ANCHOR: parse
/// Parses a `grpc-timeout` value: 1 to 8 ASCII digits, then one unit, `H` `M` `S` `m`
/// `u` `n` (hours, minutes, seconds, milli-, micro-, nanoseconds). Anything else is `None`.
pub fn parse_grpc_timeout(value: &str) -> Option<Duration> {
    todo!(
        "step 3: read a grpc-timeout value, refusing anything the spec does not allow. Read book/02-api-design/grpc-deadlines.md"
    )
}
// ANCHOR_END: parse

// ANCHOR: deadline
/// The instant by which this call must be answered: `now` plus the caller's timeout,
/// or plus the server's `limit` when the caller sent none, sent one that cannot be
/// read, or asked for more than the limit: the shorter of the two wins.
pub fn deadline(metadata: &MetadataMap, now: Instant, limit: Duration) -> Instant {
    todo!(
        "step 3: the caller's deadline or the server's limit, whichever comes first. Read book/02-api-design/grpc-deadlines.md"
    )
}
// ANCHOR_END: deadline
