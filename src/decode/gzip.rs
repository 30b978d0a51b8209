//! Gzip, with a cap on what it may inflate to: a gzip bomb gets an error, not an
//! out-of-memory. Concatenated members (what `cat a.gz b.gz` makes) are read as one stream.

use super::DecodeError;
use flate2::read::MultiGzDecoder;
use std::io::Read;

pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.len() >= 3 && bytes[0] == 0x1f && bytes[1] == 0x8b && bytes[2] == 0x08
}

/// Inflates the whole stream; more than `limit` bytes is an error.
pub fn inflate(bytes: &[u8], limit: u64) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).min(limit as usize).min(64 << 20));
    let mut reader = MultiGzDecoder::new(bytes).take(limit.saturating_add(1));
    reader.read_to_end(&mut out).map_err(|e| DecodeError::Gzip { offset: out.len() as u64, reason: e.to_string() })?;
    if out.len() as u64 > limit {
        return Err(DecodeError::TooLarge { limit });
    }
    Ok(out)
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
