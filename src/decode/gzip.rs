//! Gzip: the magic, and a look at the start of a stream. The whole stream is inflated as it
//! arrives by [`super::Stream`], which caps what it may inflate to (a gzip bomb gets an error,
//! not an out-of-memory) and reads concatenated members (`cat a.gz b.gz`) as one stream.

use super::DecodeError;
use flate2::read::MultiGzDecoder;
use std::io::Read;

pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.len() >= 3 && bytes[0] == 0x1f && bytes[1] == 0x8b && bytes[2] == 0x08
}

/// Inflates at most the first `len` bytes, to look at what the stream holds. A stream cut
/// short still gives what it had.
pub fn inflate_head(bytes: &[u8], len: usize) -> Result<Vec<u8>, DecodeError> {
    let mut out = vec![0u8; len];
    let mut reader = MultiGzDecoder::new(bytes);
    let mut filled = 0;
    while filled < len {
        match reader.read(&mut out[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if filled == 0 => return Err(DecodeError::Gzip { offset: 0, reason: e.to_string() }),
            Err(_) => break,
        }
    }
    out.truncate(filled);
    Ok(out)
}
