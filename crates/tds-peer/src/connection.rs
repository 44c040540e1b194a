//! One client connection: PRELOGIN, LOGIN7, then a loop over SQL batches, RPC requests,
//! bulk loads and attention signals.

use crate::bulk::BulkDecoder;
use crate::packet::{self, DEFAULT_PACKET_SIZE, Packet, kind};
use crate::state::Shared;
use crate::tokens::{self, command, done_status, env};
use crate::{login, prelogin, rpc, sql};
use std::io;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite, BufReader};
use tokio::net::TcpStream;

/// Error number and severity SQL Server uses for a failed login.
const LOGIN_FAILED: u32 = 18456;
const LOGIN_FAILED_CLASS: u8 = 14;

fn protocol_error(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// Serves one connection until the client leaves, a protocol error occurs or a fault
/// closes it.
pub(crate) async fn serve(stream: TcpStream, shared: Arc<Shared>) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);

    let Some(packet_size) = handshake(&mut read, &mut write, &shared).await? else {
        return Ok(());
    };

    let mut session = sql::Session::default();
    while let Some(first) = packet::read_packet(&mut read).await? {
        let reply = match first.kind {
            kind::SQL_BATCH => {
                let payload = packet::read_rest(&mut read, first).await?;
                sql::execute(&shared, &mut session, &sql::batch_text(&payload))
            }
            kind::RPC => {
                let payload = packet::read_rest(&mut read, first).await?;
                match rpc::statement_text(&payload) {
                    Ok(text) => sql::execute(&shared, &mut session, &text),
                    Err(message) => {
                        let mut out = Vec::new();
                        tokens::failed_statement(&mut out, 50000, &message);
                        out
                    }
                }
            }
            kind::BULK_LOAD => {
                match receive_bulk(&mut read, first, &shared, &mut session).await? {
                    Some(reply) => reply,
                    // Injected fault: close without answering.
                    None => return Ok(()),
                }
            }
            kind::ATTENTION => {
                let mut out = Vec::new();
                tokens::done(&mut out, done_status::ATTENTION, command::NONE, 0);
                out
            }
            other => return Err(protocol_error(format!("unexpected packet type {other}"))),
        };
        packet::write_message(&mut write, &reply, packet_size).await?;
    }
    Ok(())
}

/// PRELOGIN and LOGIN7. Returns the negotiated packet size, or `None` when the client
/// left or the login was refused (the refusal has been sent).
async fn handshake<R, W>(read: &mut R, write: &mut W, shared: &Shared) -> io::Result<Option<usize>>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let Some((kind, payload)) = packet::read_message(read).await? else {
        return Ok(None);
    };
    if kind != kind::PRELOGIN {
        return Err(protocol_error(format!(
            "expected PRELOGIN, got packet type {kind}"
        )));
    }
    prelogin::client_encryption(&payload)?;
    packet::write_message(write, &prelogin::response(), DEFAULT_PACKET_SIZE).await?;

    let Some((kind, payload)) = packet::read_message(read).await? else {
        return Ok(None);
    };
    if kind != kind::LOGIN7 {
        return Err(protocol_error(format!(
            "expected LOGIN7, got packet type {kind} (the peer does not do TLS)"
        )));
    }
    let login = login::decode(&payload)?;
    let mut out = Vec::new();
    if login.user != shared.user || login.password != shared.password {
        let message = format!("Login failed for user '{}'.", login.user);
        tokens::error(&mut out, LOGIN_FAILED, 1, LOGIN_FAILED_CLASS, &message);
        tokens::done(&mut out, done_status::ERROR, command::NONE, 0);
        packet::write_message(write, &out, DEFAULT_PACKET_SIZE).await?;
        return Ok(None);
    }

    let packet_size = match usize::try_from(login.packet_size) {
        Ok(size @ 512..=32767) => size,
        _ => DEFAULT_PACKET_SIZE,
    };
    let database = if login.database.is_empty() {
        "master"
    } else {
        login.database.as_str()
    };
    tokens::env_change(&mut out, env::DATABASE, database, "master");
    tokens::login_ack(&mut out);
    tokens::env_change(
        &mut out,
        env::PACKET_SIZE,
        &packet_size.to_string(),
        &DEFAULT_PACKET_SIZE.to_string(),
    );
    tokens::done(&mut out, done_status::FINAL, command::NONE, 0);
    packet::write_message(write, &out, DEFAULT_PACKET_SIZE).await?;
    shared.lock().logins += 1;
    Ok(Some(packet_size))
}

/// Reads a whole BULK LOAD message and stores its rows. Returns the reply, or `None` when
/// the armed `drop_next_bulk_after` fault fired and the connection must close.
async fn receive_bulk<R: AsyncRead + Unpin>(
    read: &mut R,
    first: Packet,
    shared: &Shared,
    session: &mut sql::Session,
) -> io::Result<Option<Vec<u8>>> {
    let drop_after = shared.lock().drop_bulk_after.take();
    let mut decoder = BulkDecoder::default();
    let mut last = first.is_last();
    decoder.feed(&first.payload);
    loop {
        if drop_after.is_some_and(|limit| decoder.rows_received() >= limit) {
            return Ok(None);
        }
        if last {
            break;
        }
        let packet = packet::read_packet(read)
            .await?
            .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
        if packet.kind != kind::BULK_LOAD {
            return Err(protocol_error(format!(
                "packet type {} inside a bulk load",
                packet.kind
            )));
        }
        last = packet.is_last();
        decoder.feed(&packet.payload);
    }

    let mut out = Vec::new();
    let outcome = match session.bulk_target.take() {
        None => Err((4815, "bulk load without a preceding INSERT BULK".to_string())),
        Some(table) => decoder
            .finish()
            .map_err(|m| (4815, m))
            .and_then(|(columns, rows)| shared.lock().append_rows(&table, &columns, rows)),
    };
    match outcome {
        Ok(count) => tokens::done(&mut out, done_status::COUNT, command::INSERT, count),
        Err((number, message)) => tokens::failed_statement(&mut out, number, &message),
    }
    Ok(Some(out))
}
