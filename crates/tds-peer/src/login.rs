//! LOGIN7 (MS-TDS 2.2.6.4) decoding: the fixed 36-byte prefix, then (offset, length in
//! characters) pairs pointing at UTF-16LE strings. The password is obfuscated per byte
//! (nibbles swapped, then XOR 0xA5); [`deobfuscate`] reverses that.

use crate::reader::{Reader, utf16_to_string};
use std::fmt;
use std::io;

/// What the peer needs from a LOGIN7 record.
pub(crate) struct Login7 {
    pub(crate) user: String,
    pub(crate) password: String,
    pub(crate) database: String,
    /// Packet size the client asked for (0 means "server default").
    pub(crate) packet_size: u32,
}

impl fmt::Debug for Login7 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Login7")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("database", &self.database)
            .field("packet_size", &self.packet_size)
            .finish()
    }
}

/// Byte offset of the first OffsetLength pair (HostName).
const OFFSETS_START: usize = 36;
const USER_NAME: usize = 1;
const PASSWORD: usize = 2;
const DATABASE: usize = 8;

/// Decodes the parts of a LOGIN7 payload the peer uses.
pub(crate) fn decode(payload: &[u8]) -> io::Result<Login7> {
    let mut fixed = Reader::new(payload);
    let _length = fixed.u32_le()?;
    let _tds_version = fixed.u32_le()?;
    let packet_size = fixed.u32_le()?;

    let field = |index: usize| -> io::Result<&[u8]> {
        let mut pair = Reader::new(payload);
        pair.bytes(OFFSETS_START + index * 4)?;
        let offset = pair.u16_le()? as usize;
        let chars = pair.u16_le()? as usize;
        payload
            .get(offset..offset + chars * 2)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "LOGIN7 field out of range"))
    };

    Ok(Login7 {
        user: utf16_to_string(field(USER_NAME)?),
        password: utf16_to_string(&deobfuscate(field(PASSWORD)?)),
        database: utf16_to_string(field(DATABASE)?),
        packet_size,
    })
}

/// Reverses the client's password obfuscation: XOR 0xA5, then swap nibbles.
pub(crate) fn deobfuscate(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().map(|b| (b ^ 0xA5).rotate_left(4)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deobfuscate_reverses_client_encoding() {
        let plain = [0x61u8, 0x00, 0x7A, 0x00, 0xFF];
        let obfuscated: Vec<u8> = plain.iter().map(|b| b.rotate_left(4) ^ 0xA5).collect();
        assert_eq!(deobfuscate(&obfuscated), plain);
    }
}
