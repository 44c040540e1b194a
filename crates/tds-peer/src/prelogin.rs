//! PRELOGIN (MS-TDS 2.2.6.5): an option table (token, big-endian offset, big-endian length)
//! closed by 0xFF, followed by the option data. The peer never offers TLS.

use crate::reader::Reader;
use std::io;

const VERSION: u8 = 0x00;
const ENCRYPTION: u8 = 0x01;
const INSTOPT: u8 = 0x02;
const THREADID: u8 = 0x03;
const MARS: u8 = 0x04;
const TERMINATOR: u8 = 0xFF;

/// ENCRYPT_NOT_SUP: the server cannot encrypt, not even the login.
pub(crate) const ENCRYPT_NOT_SUP: u8 = 0x02;

/// Reads the client's ENCRYPTION option (if sent) from its PRELOGIN payload.
pub(crate) fn client_encryption(payload: &[u8]) -> io::Result<Option<u8>> {
    let mut table = Reader::new(payload);
    loop {
        let token = table.u8()?;
        if token == TERMINATOR {
            return Ok(None);
        }
        let offset = u16::from_be_bytes([table.u8()?, table.u8()?]) as usize;
        let length = u16::from_be_bytes([table.u8()?, table.u8()?]) as usize;
        if token == ENCRYPTION && length >= 1 {
            return payload
                .get(offset)
                .copied()
                .map(Some)
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "PRELOGIN option out of range"));
        }
    }
}

/// The server's PRELOGIN answer: a SQL Server 2019-like version, encryption not supported,
/// instance accepted, no thread id, MARS off.
pub(crate) fn response() -> Vec<u8> {
    let options: [(u8, &[u8]); 5] = [
        // major 15, minor 0, build 2000 (big-endian), sub-build 0
        (VERSION, &[15, 0, 0x07, 0xD0, 0, 0]),
        (ENCRYPTION, &[ENCRYPT_NOT_SUP]),
        (INSTOPT, &[0]),
        (THREADID, &[]),
        (MARS, &[0]),
    ];
    let mut table = Vec::new();
    let mut data = Vec::new();
    let table_len = options.len() * 5 + 1;
    for (token, value) in options {
        let offset = (table_len + data.len()) as u16;
        table.push(token);
        table.extend_from_slice(&offset.to_be_bytes());
        table.extend_from_slice(&(value.len() as u16).to_be_bytes());
        data.extend_from_slice(value);
    }
    table.push(TERMINATOR);
    table.extend_from_slice(&data);
    table
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn response_carries_not_supported() {
        assert_eq!(client_encryption(&response()).unwrap(), Some(ENCRYPT_NOT_SUP));
    }
}
