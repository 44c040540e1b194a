//! A little-endian byte cursor for TDS payloads that tells "not enough bytes yet" apart from
//! malformed data, so the bulk decoder can wait for the next packet.

use std::io;

/// The input ended before the value being read was complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Incomplete;

impl From<Incomplete> for io::Error {
    fn from(_: Incomplete) -> Self {
        io::Error::new(io::ErrorKind::InvalidData, "TDS payload ended early")
    }
}

/// Reading result: `Err(Incomplete)` when more bytes are needed.
pub(crate) type Read<T> = Result<T, Incomplete>;

/// A forward-only cursor over a byte slice.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes consumed so far.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes left to read.
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Read<&'a [u8]> {
        if self.remaining() < n {
            return Err(Incomplete);
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Read<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Read<u8> {
        Ok(self.array::<1>()?[0])
    }

    pub(crate) fn u16_le(&mut self) -> Read<u16> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    pub(crate) fn u32_le(&mut self) -> Read<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub(crate) fn u64_le(&mut self) -> Read<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// Reads `n` bytes and returns them as a little-endian unsigned integer (n <= 8).
    pub(crate) fn uint_le(&mut self, n: usize) -> Read<u64> {
        let mut out = [0u8; 8];
        out[..n].copy_from_slice(self.bytes(n)?);
        Ok(u64::from_le_bytes(out))
    }

    /// Reads `units` UTF-16LE code units.
    pub(crate) fn utf16(&mut self, units: usize) -> Read<String> {
        let raw = self.bytes(units * 2)?;
        Ok(utf16_to_string(raw))
    }

    /// B_VARCHAR: a one-byte length in characters, then UTF-16LE.
    pub(crate) fn b_varchar(&mut self) -> Read<String> {
        let units = self.u8()? as usize;
        self.utf16(units)
    }
}

/// Decodes UTF-16LE bytes, replacing invalid sequences (an odd trailing byte is dropped).
pub(crate) fn utf16_to_string(raw: &[u8]) -> String {
    let units: Vec<u16> = raw
        .chunks_exact(2)
        .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

/// Appends `text` as UTF-16LE.
pub(crate) fn put_utf16(dst: &mut Vec<u8>, text: &str) {
    for unit in text.encode_utf16() {
        dst.extend_from_slice(&unit.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reports_incomplete_without_consuming() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert_eq!(r.u16_le().unwrap(), 0x0201);
        assert_eq!(r.u16_le(), Err(Incomplete));
        assert_eq!(r.pos(), 2);
        assert_eq!(r.u8().unwrap(), 3);
    }

    #[test]
    fn utf16_round_trip() {
        let mut buf = vec![3];
        put_utf16(&mut buf, "abc");
        assert_eq!(Reader::new(&buf).b_varchar().unwrap(), "abc");
    }
}
