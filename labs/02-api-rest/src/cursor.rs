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
        todo!(
            "step 3: version, position and a signature, as URL-safe text. Read book/02-api-design/pagination.md"
        )
    }
    // ANCHOR_END: encode

    // ANCHOR: decode
    /// The cursor a client sent back, if this server issued it. Anything else, however
    /// it is broken, is a 400 `invalid-cursor`; nothing a client sends can panic here.
    pub fn decode(text: &str, key: &CursorKey) -> Result<Self, ApiError> {
        todo!(
            "step 3: accept only what encode produced with this key; never panic. Read book/02-api-design/pagination.md"
        )
    }
    // ANCHOR_END: decode
}
