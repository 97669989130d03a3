//! An opaque pagination cursor: a position in the list that clients carry but cannot
//! read, forge or edit. It is signed with a key only the server knows.

use std::fmt;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::error::ApiError;

/// The secret that signs cursors. Its `Debug` does not show it.
#[derive(Clone)]
pub struct CursorKey(Arc<[u8]>);

impl CursorKey {
    pub fn new(secret: Vec<u8>) -> Self {
        Self(secret.into())
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC accepts a key of any length, so this cannot fail.
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key"))
    }
}

impl fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CursorKey(..)")
    }
}

/// The cursor's format version, so that a later format can tell old cursors apart.
const VERSION: u8 = 1;
/// How much of the HMAC-SHA256 tag a cursor carries: 128 bits cannot be guessed.
const TAG_LEN: usize = 16;

/// Where the next page starts: after the order with this id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub after: u64,
}

impl Cursor {
    // ANCHOR: encode
    /// The cursor as URL-safe text: version, position, and a tag that signs both.
    pub fn encode(&self, key: &CursorKey) -> String {
        let mut bytes = Vec::with_capacity(1 + 8 + TAG_LEN);
        bytes.push(VERSION);
        bytes.extend_from_slice(&self.after.to_be_bytes());
        let mut mac = key.mac();
        mac.update(&bytes);
        bytes.extend_from_slice(&mac.finalize().into_bytes()[..TAG_LEN]);
        URL_SAFE_NO_PAD.encode(bytes)
    }
    // ANCHOR_END: encode

    // ANCHOR: decode
    /// The cursor a client sent back, if this server issued it. Anything else, however
    /// it is broken, is a 400 `invalid-cursor`; nothing a client sends can panic here.
    pub fn decode(text: &str, key: &CursorKey) -> Result<Self, ApiError> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| ApiError::InvalidCursor)?;
        let [VERSION, rest @ ..] = bytes.as_slice() else {
            return Err(ApiError::InvalidCursor);
        };
        let (position, tag) = rest.split_at_checked(8).ok_or(ApiError::InvalidCursor)?;
        if tag.len() != TAG_LEN {
            return Err(ApiError::InvalidCursor);
        }
        let mut mac = key.mac();
        mac.update(&bytes[..9]);
        // A constant-time comparison: timing must not tell a forger how much was right.
        mac.verify_truncated_left(tag).map_err(|_| ApiError::InvalidCursor)?;
        let after = u64::from_be_bytes(position.try_into().map_err(|_| ApiError::InvalidCursor)?);
        Ok(Self { after })
    }
    // ANCHOR_END: decode
}
