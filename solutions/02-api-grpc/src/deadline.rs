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
    let split = value.len().checked_sub(1)?;
    let (digits, unit) = value.split_at_checked(split)?;
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Eight digits fit in a u64 with room to spare, even as hours in seconds.
    let amount: u64 = digits.parse().ok()?;
    match unit {
        "H" => Some(Duration::from_secs(amount * 3600)),
        "M" => Some(Duration::from_secs(amount * 60)),
        "S" => Some(Duration::from_secs(amount)),
        "m" => Some(Duration::from_millis(amount)),
        "u" => Some(Duration::from_micros(amount)),
        "n" => Some(Duration::from_nanos(amount)),
        _ => None,
    }
}
// ANCHOR_END: parse

// ANCHOR: deadline
/// The instant by which this call must be answered: `now` plus the caller's timeout,
/// or plus the server's `limit` when the caller sent none, sent one that cannot be
/// read, or asked for more than the limit: the shorter of the two wins.
pub fn deadline(metadata: &MetadataMap, now: Instant, limit: Duration) -> Instant {
    let asked = metadata.get(GRPC_TIMEOUT).and_then(|v| v.to_str().ok()).and_then(parse_grpc_timeout);
    now + asked.map_or(limit, |asked| asked.min(limit))
}
// ANCHOR_END: deadline
