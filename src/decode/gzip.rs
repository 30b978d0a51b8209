//! Gzip: the magic, a look at the start of a stream, and [`Inflater`], which inflates a stream
//! as it arrives for [`super::Stream`] (which caps what it may inflate to: a gzip bomb gets an
//! error, not an out-of-memory), reading concatenated members (`cat a.gz b.gz`) as one stream.
//!
//! The inflater is ours rather than flate2's `write::MultiGzDecoder` so that what it reports
//! cannot depend on how the input was cut: flate2's writer holds back up to 32 KiB of output
//! until its next write, so a broken stream fed whole and the same stream fed in slices
//! reported different offsets. Here every byte inflated before a fault reaches the decoder
//! first, and an error names how many there were.

use crate::decode::format::DecodeError;
use flate2::read::MultiGzDecoder;
use flate2::{Crc, Decompress, FlushDecompress, Status};
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

/// The window deflate refers back into (RFC 1951), and the room each call to the decompressor
/// inflates into before its output is handed on.
const WINDOW: usize = 32 << 10;

const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;

/// Where in a gzip member (RFC 1952) the next input byte belongs. Every part is read a byte at
/// a time into a fixed buffer or skipped, so a header costs the same memory however long its
/// name, comment or extra field.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// ID1 ID2 CM FLG MTIME(4) XFL OS: ten bytes, `have` of them so far.
    Fixed {
        bytes: [u8; 10],
        have: u8,
    },
    /// FEXTRA's two-byte length.
    ExtraLen {
        flags: u8,
        bytes: [u8; 2],
        have: u8,
    },
    Extra {
        flags: u8,
        left: u16,
    },
    /// FNAME, up to its NUL.
    Name {
        flags: u8,
    },
    /// FCOMMENT, up to its NUL.
    Comment {
        flags: u8,
    },
    /// FHCRC: two bytes, skipped.
    HeaderCrc {
        left: u8,
    },
    Body,
    /// CRC32 and ISIZE, little-endian.
    Trailer {
        bytes: [u8; 8],
        have: u8,
    },
    /// A member ended; input that follows starts the next one.
    Between,
}

/// A gzip stream inflated as it arrives: [`Inflater::write`] each piece, then
/// [`Inflater::finish`]. Feeding the same stream in any pieces hands the same bytes to the sink
/// and ends in the same result.
pub struct Inflater {
    part: Part,
    inflate: Decompress,
    crc: Crc,
    out: Box<[u8]>,
    /// Bytes inflated so far, every member.
    total_out: u64,
}

impl Default for Inflater {
    fn default() -> Self {
        Inflater {
            part: Part::Fixed { bytes: [0; 10], have: 0 },
            inflate: Decompress::new(false),
            crc: Crc::new(),
            out: vec![0; WINDOW].into_boxed_slice(),
            total_out: 0,
        }
    }
}

impl Inflater {
    fn broken(&self, reason: &str) -> DecodeError {
        DecodeError::Gzip { offset: self.total_out, reason: reason.to_string() }
    }

    /// Reads the next piece of the stream, handing what it inflates to `sink`. The first error
    /// (the sink's own, or a broken stream) is returned; the inflater is not used after it.
    pub fn write(&mut self, mut input: &[u8], sink: &mut dyn FnMut(&[u8]) -> Result<(), DecodeError>) -> Result<(), DecodeError> {
        while !input.is_empty() {
            if let Part::Body = self.part {
                input = self.inflate(input, sink)?;
                continue;
            }
            let byte = input[0];
            input = &input[1..];
            self.part = match self.part {
                Part::Between => Part::Fixed { bytes: [byte, 0, 0, 0, 0, 0, 0, 0, 0, 0], have: 1 },
                Part::Fixed { mut bytes, have } => {
                    bytes[have as usize] = byte;
                    let have = have + 1;
                    let magic = (have as usize).min(3);
                    if bytes[..magic] != [0x1f, 0x8b, 0x08][..magic] {
                        return Err(self.broken("invalid gzip header"));
                    }
                    if have < 10 {
                        Part::Fixed { bytes, have }
                    } else {
                        self.after(bytes[3], 0)
                    }
                }
                Part::ExtraLen { flags, mut bytes, have } => {
                    bytes[have as usize] = byte;
                    match u16::from_le_bytes(bytes) {
                        _ if have == 0 => Part::ExtraLen { flags, bytes, have: 1 },
                        0 => self.after(flags, FEXTRA),
                        left => Part::Extra { flags, left },
                    }
                }
                Part::Extra { flags, left: 1 } => self.after(flags, FEXTRA),
                Part::Extra { flags, left } => Part::Extra { flags, left: left - 1 },
                Part::Name { flags } if byte == 0 => self.after(flags, FNAME),
                Part::Comment { flags } if byte == 0 => self.after(flags, FCOMMENT),
                part @ (Part::Name { .. } | Part::Comment { .. }) => part,
                Part::HeaderCrc { left: 1 } => self.body(),
                Part::HeaderCrc { left } => Part::HeaderCrc { left: left - 1 },
                Part::Trailer { mut bytes, have } => {
                    bytes[have as usize] = byte;
                    if have < 7 {
                        Part::Trailer { bytes, have: have + 1 }
                    } else {
                        let crc = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
                        let size = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
                        if crc != self.crc.sum() || size != self.crc.amount() {
                            return Err(self.broken("the checksum at the end of a gzip member does not match its data"));
                        }
                        Part::Between
                    }
                }
                Part::Body => unreachable!("the body is inflated above"),
            };
        }
        Ok(())
    }

    /// The part of the header after the field `done`, by the flags that say which follow.
    fn after(&mut self, flags: u8, done: u8) -> Part {
        let left = |field: u8| flags & field != 0 && done < field;
        if left(FEXTRA) {
            Part::ExtraLen { flags, bytes: [0; 2], have: 0 }
        } else if left(FNAME) {
            Part::Name { flags }
        } else if left(FCOMMENT) {
            Part::Comment { flags }
        } else if flags & FHCRC != 0 {
            Part::HeaderCrc { left: 2 }
        } else {
            self.body()
        }
    }

    /// A member's deflate data starts.
    fn body(&mut self) -> Part {
        self.inflate.reset(false);
        self.crc.reset();
        Part::Body
    }

    /// Inflates from `input` until it is used up or the member's deflate data ends; gives back
    /// what is left. One call inflates as far as the input, the room or a fault allows, and
    /// everything it inflated is handed on before a fault is reported, so what reaches the
    /// sink before an error does not depend on how the input was cut.
    fn inflate<'a>(&mut self, mut input: &'a [u8], sink: &mut dyn FnMut(&[u8]) -> Result<(), DecodeError>) -> Result<&'a [u8], DecodeError> {
        loop {
            let room = self.out.len();
            let (before_in, before_out) = (self.inflate.total_in(), self.inflate.total_out());
            let status = self.inflate.decompress(input, &mut self.out, FlushDecompress::None);
            let used = (self.inflate.total_in() - before_in) as usize;
            let made = (self.inflate.total_out() - before_out) as usize;
            input = &input[used..];
            if made > 0 {
                self.crc.update(&self.out[..made]);
                self.total_out += made as u64;
                sink(&self.out[..made])?;
            }
            match status {
                // One sentence whatever the library says: zlib-rs names the fault when its slow
                // path meets it, but when its fast path does (input and room to spare) the same
                // call ends saying "repeated call with bad state", so its words depend on how
                // the input was cut. Where the fault is (bytes inflated before it) does not.
                Err(_) => return Err(self.broken("the deflate data is corrupt")),
                Ok(Status::StreamEnd) => {
                    self.part = Part::Trailer { bytes: [0; 8], have: 0 };
                    return Ok(input);
                }
                // The room is full: the next call goes on, input or not (a match may be
                // half written).
                Ok(_) if made == room => {}
                Ok(_) if input.is_empty() => return Ok(input),
                Ok(_) if used == 0 && made == 0 => return Err(self.broken("the deflate data makes no progress")),
                Ok(_) => {}
            }
        }
    }

    /// Ends the stream: it must end between members.
    pub fn finish(&mut self, sink: &mut dyn FnMut(&[u8]) -> Result<(), DecodeError>) -> Result<(), DecodeError> {
        if let Part::Body = self.part {
            // Output the decompressor still holds.
            self.inflate(&[], sink)?;
        }
        match self.part {
            Part::Between => Ok(()),
            Part::Body => Err(self.broken("the stream ends inside a gzip member's data (the file was cut short?)")),
            Part::Trailer { .. } => Err(self.broken("the stream ends inside the checksum at the end of a gzip member")),
            _ => Err(self.broken("the stream ends inside a gzip header")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::{Compression, GzBuilder};
    use std::io::Write;

    fn inflate_in_pieces(gz: &[u8], size: usize) -> (Vec<u8>, Result<(), DecodeError>) {
        let mut out = Vec::new();
        let mut inflater = Inflater::default();
        let mut sink = |b: &[u8]| {
            out.extend_from_slice(b);
            Ok(())
        };
        let result = gz.chunks(size.max(1)).try_for_each(|piece| inflater.write(piece, &mut sink)).and_then(|()| inflater.finish(&mut sink));
        (out, result)
    }

    #[test]
    fn members_with_every_header_field_inflate_in_any_pieces() {
        let text: Vec<u8> = (0..200_000u32).flat_map(|i| format!("line {i} {}\n", i * 7919 % 1000).into_bytes()).collect();
        let mut gz = Vec::new();
        let mut e = GzBuilder::new().filename("a.txt").comment("a comment").extra(vec![1, 2, 3]).write(Vec::new(), Compression::fast());
        e.write_all(&text[..150_000]).unwrap();
        gz.extend(e.finish().unwrap());
        let mut e = GzEncoder::new(Vec::new(), Compression::best());
        e.write_all(&text[150_000..]).unwrap();
        gz.extend(e.finish().unwrap());
        for size in [1, 7, 4096, 32 << 10, gz.len()] {
            let (out, result) = inflate_in_pieces(&gz, size);
            assert_eq!(result, Ok(()), "pieces of {size}");
            assert!(out == text, "pieces of {size}");
        }
    }

    #[test]
    fn a_fault_is_reported_after_the_same_output_however_the_input_is_cut() {
        let text: Vec<u8> = (0..100_000u32).flat_map(|i| format!("{i:x}\n").into_bytes()).collect();
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(&text).unwrap();
        let gz = e.finish().unwrap();
        for at in [gz.len() / 3, gz.len() / 2, gz.len() - 4, gz.len() - 12] {
            let mut broken = gz.clone();
            broken[at] ^= 0x55;
            let whole = inflate_in_pieces(&broken, broken.len());
            assert!(whole.1.is_err(), "a flipped byte at {at} is found");
            for size in [1, 3, 1000, 40_000] {
                assert_eq!(inflate_in_pieces(&broken, size).1, whole.1, "flip at {at}, pieces of {size}");
            }
            let cut = inflate_in_pieces(&gz[..at], 5000);
            assert!(matches!(cut.1, Err(DecodeError::Gzip { .. })), "cut at {at}");
        }
        assert!(matches!(inflate_in_pieces(&[0x1f, 0x8b, 0x07], 1).1, Err(DecodeError::Gzip { offset: 0, .. })));
        let mut two = gz.clone();
        two.extend_from_slice(b"\x1f\x8b\x08garbage");
        assert!(matches!(inflate_in_pieces(&two, 100).1, Err(DecodeError::Gzip { .. })));
    }
}
