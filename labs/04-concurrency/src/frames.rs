//! Reading newline-delimited frames in a way that survives `select!`: when another
//! branch wins, the bytes read so far stay in the reader, not in a dropped future.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt};

pub struct FrameReader<R> {
    reader: R,
    /// Bytes read but not yet returned as a frame.
    buffer: Vec<u8>,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    pub fn new(reader: R) -> Self {
        Self { reader, buffer: Vec::new() }
    }

    // ANCHOR: read_frame
    /// The next frame without its newline, or `None` at a clean end of stream.
    /// Cancellation safe: if the future is dropped, no byte is lost.
    pub async fn read_frame(&mut self) -> io::Result<Option<String>> {
        todo!(
            "step 4: the next frame, whole, even when earlier calls were dropped half-way by select!. Read book/04-concurrency/cancellation.md"
        )
    }
    // ANCHOR_END: read_frame
}
