//! Reading newline-delimited frames in a way that survives `select!`: when another
//! branch wins, the bytes read so far stay in the reader, not in a dropped future.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt};

pub struct FrameReader<R> {
    reader: R,
    /// Bytes read but not yet returned as a frame. Living in `self` rather than in the
    /// future of `read_frame` is what makes `read_frame` cancellation safe.
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
        loop {
            if let Some(end) = self.buffer.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.buffer.drain(..=end).collect();
                // Refuse bytes that are not text rather than guess at them.
                let text = String::from_utf8(line[..end].to_vec())
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                return Ok(Some(text));
            }
            // The only `.await`: if it is cancelled, nothing was taken from the buffer.
            let read = self.reader.read_buf(&mut self.buffer).await?;
            if read == 0 {
                return if self.buffer.is_empty() {
                    Ok(None)
                } else {
                    Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the stream ended inside a frame"))
                };
            }
        }
    }
    // ANCHOR_END: read_frame
}
