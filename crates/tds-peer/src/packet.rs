//! TDS packet framing: an 8-byte header (type, status, big-endian length, SPID, packet id,
//! window) followed by the payload. A message spans packets until the end-of-message bit.

use std::io;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Header length in bytes.
pub(crate) const HEADER_LEN: usize = 8;

/// Packet types the peer reads or writes (MS-TDS 2.2.3.1.1).
pub(crate) mod kind {
    pub(crate) const SQL_BATCH: u8 = 1;
    pub(crate) const RPC: u8 = 3;
    pub(crate) const TABULAR_RESULT: u8 = 4;
    pub(crate) const ATTENTION: u8 = 6;
    pub(crate) const BULK_LOAD: u8 = 7;
    pub(crate) const LOGIN7: u8 = 16;
    pub(crate) const PRELOGIN: u8 = 18;
}

/// Status bit marking the last packet of a message.
const STATUS_EOM: u8 = 0x01;

/// Server process id written into every reply header (any value works for the client).
const SPID: u16 = 54;

/// Packet size used until LOGIN7 negotiates another one.
pub(crate) const DEFAULT_PACKET_SIZE: usize = 4096;

/// One packet as read from the client.
#[derive(Debug)]
pub(crate) struct Packet {
    pub(crate) kind: u8,
    status: u8,
    pub(crate) payload: Vec<u8>,
}

impl Packet {
    /// Whether this packet ends its message.
    pub(crate) fn is_last(&self) -> bool {
        self.status & STATUS_EOM != 0
    }
}

/// Reads one packet. `Ok(None)` when the client closed the connection between packets.
pub(crate) async fn read_packet<R: AsyncRead + Unpin>(reader: &mut R) -> io::Result<Option<Packet>> {
    let mut header = [0u8; HEADER_LEN];
    match reader.read_exact(&mut header).await {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let length = u16::from_be_bytes([header[2], header[3]]) as usize;
    if length < HEADER_LEN {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("TDS packet length {length} is shorter than its header"),
        ));
    }
    let mut payload = vec![0u8; length - HEADER_LEN];
    reader.read_exact(&mut payload).await?;
    Ok(Some(Packet {
        kind: header[0],
        status: header[1],
        payload,
    }))
}

/// Reads the remaining packets of a message whose first packet is `first`, returning the
/// whole payload. Fails if the client closes mid-message.
pub(crate) async fn read_rest<R: AsyncRead + Unpin>(reader: &mut R, first: Packet) -> io::Result<Vec<u8>> {
    let mut done = first.is_last();
    let mut payload = first.payload;
    while !done {
        let packet = read_packet(reader)
            .await?
            .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
        done = packet.is_last();
        payload.extend_from_slice(&packet.payload);
    }
    Ok(payload)
}

/// Reads one whole message. `Ok(None)` when the client closed the connection first.
pub(crate) async fn read_message<R: AsyncRead + Unpin>(reader: &mut R) -> io::Result<Option<(u8, Vec<u8>)>> {
    let Some(first) = read_packet(reader).await? else {
        return Ok(None);
    };
    let kind = first.kind;
    Ok(Some((kind, read_rest(reader, first).await?)))
}

/// Writes `payload` as a tabular-result message split into packets of at most
/// `packet_size` bytes (header included), then flushes.
pub(crate) async fn write_message<W: AsyncWrite + Unpin>(
    writer: &mut W,
    payload: &[u8],
    packet_size: usize,
) -> io::Result<()> {
    let chunk = packet_size.saturating_sub(HEADER_LEN).max(1);
    let mut frames = Vec::with_capacity(payload.len() + HEADER_LEN * (payload.len() / chunk + 1));
    let mut parts = payload.chunks(chunk).peekable();
    let mut id: u8 = 1;
    if parts.peek().is_none() {
        push_header(&mut frames, STATUS_EOM, 0, id);
    }
    while let Some(part) = parts.next() {
        let status = if parts.peek().is_none() { STATUS_EOM } else { 0 };
        push_header(&mut frames, status, part.len(), id);
        frames.extend_from_slice(part);
        id = id.wrapping_add(1);
    }
    writer.write_all(&frames).await?;
    writer.flush().await
}

fn push_header(dst: &mut Vec<u8>, status: u8, payload_len: usize, id: u8) {
    // `chunk` keeps payload_len + HEADER_LEN within the negotiated size (<= 32767).
    let length = u16::try_from(payload_len + HEADER_LEN).unwrap_or(u16::MAX);
    dst.push(kind::TABULAR_RESULT);
    dst.push(status);
    dst.extend_from_slice(&length.to_be_bytes());
    dst.extend_from_slice(&SPID.to_be_bytes());
    dst.push(id);
    dst.push(0);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn splits_and_reassembles() {
        let payload: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let mut wire = Vec::new();
        write_message(&mut wire, &payload, 512).await.unwrap();
        let mut input = &wire[..];
        let (kind, back) = read_message(&mut input).await.unwrap().unwrap();
        assert_eq!(kind, kind::TABULAR_RESULT);
        assert_eq!(back, payload);
        assert!(read_message(&mut input).await.unwrap().is_none());
    }
}
