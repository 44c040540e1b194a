//! Writers for the server-to-client tokens the peer sends (MS-TDS 2.2.7): LOGINACK,
//! ENVCHANGE, DONE, ERROR, COLMETADATA and ROW.

use crate::Value;
use crate::reader::put_utf16;
use crate::types::Wire;

/// DONE status bits (MS-TDS 2.2.7.6).
pub(crate) mod done_status {
    /// The final DONE of a request.
    pub(crate) const FINAL: u16 = 0x00;
    /// The statement failed.
    pub(crate) const ERROR: u16 = 0x02;
    /// The row count is valid.
    pub(crate) const COUNT: u16 = 0x10;
    /// Acknowledges an attention (cancel) request.
    pub(crate) const ATTENTION: u16 = 0x20;
}

/// CurCmd values for DONE.
pub(crate) mod command {
    pub(crate) const NONE: u16 = 0;
    pub(crate) const SELECT: u16 = 0xC1;
    pub(crate) const INSERT: u16 = 0xC3;
}

/// ENVCHANGE types (MS-TDS 2.2.7.9).
pub(crate) mod env {
    pub(crate) const DATABASE: u8 = 1;
    pub(crate) const PACKET_SIZE: u8 = 4;
}

/// TDS 7.4, big-endian as LOGINACK carries it.
const TDS_74: u32 = 0x7400_0004;

/// COLMETADATA flags (MS-TDS 2.2.7.4).
const FLAG_NULLABLE: u16 = 0x0001;
const FLAG_UPDATEABLE: u16 = 0x0004;

fn put_b_varchar(dst: &mut Vec<u8>, text: &str) {
    let units = text.encode_utf16().count().min(255);
    dst.push(units as u8);
    let truncated: String = char::decode_utf16(text.encode_utf16().take(units))
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    put_utf16(dst, &truncated);
}

fn put_us_varchar(dst: &mut Vec<u8>, text: &str) {
    let units: Vec<u16> = text.encode_utf16().take(u16::MAX as usize).collect();
    dst.extend_from_slice(&(units.len() as u16).to_le_bytes());
    for unit in units {
        dst.extend_from_slice(&unit.to_le_bytes());
    }
}

/// Writes `token` followed by a u16 length and `body`.
fn put_with_length(dst: &mut Vec<u8>, token: u8, body: &[u8]) {
    dst.push(token);
    dst.extend_from_slice(&(body.len() as u16).to_le_bytes());
    dst.extend_from_slice(body);
}

/// LOGINACK: SQL interface, TDS 7.4, program name and version.
pub(crate) fn login_ack(dst: &mut Vec<u8>) {
    let mut body = vec![1];
    body.extend_from_slice(&TDS_74.to_be_bytes());
    put_b_varchar(&mut body, "Microsoft SQL Server");
    body.extend_from_slice(&[15, 0, 0x07, 0xD0]);
    put_with_length(dst, 0xAD, &body);
}

/// ENVCHANGE of a string-valued type (database, packet size, ...).
pub(crate) fn env_change(dst: &mut Vec<u8>, ty: u8, new: &str, old: &str) {
    let mut body = vec![ty];
    put_b_varchar(&mut body, new);
    put_b_varchar(&mut body, old);
    put_with_length(dst, 0xE3, &body);
}

/// DONE with a 64-bit row count (TDS 7.2+).
pub(crate) fn done(dst: &mut Vec<u8>, status: u16, command: u16, rows: u64) {
    dst.push(0xFD);
    dst.extend_from_slice(&status.to_le_bytes());
    dst.extend_from_slice(&command.to_le_bytes());
    dst.extend_from_slice(&rows.to_le_bytes());
}

/// ERROR: number, state, class, message, server name, procedure, line (4 bytes, TDS 7.2+).
pub(crate) fn error(dst: &mut Vec<u8>, number: u32, state: u8, class: u8, message: &str) {
    let mut body = Vec::new();
    body.extend_from_slice(&number.to_le_bytes());
    body.push(state);
    body.push(class);
    put_us_varchar(&mut body, message);
    put_b_varchar(&mut body, "tds-peer");
    put_b_varchar(&mut body, "");
    body.extend_from_slice(&1u32.to_le_bytes());
    put_with_length(dst, 0xAA, &body);
}

/// ERROR (class 16) followed by a DONE carrying the error flag: a failed statement.
pub(crate) fn failed_statement(dst: &mut Vec<u8>, number: u32, message: &str) {
    error(dst, number, 1, 16, message);
    done(dst, done_status::ERROR, command::NONE, 0);
}

/// A result-set column: name, wire type and whether it is nullable.
#[derive(Debug, Clone)]
pub(crate) struct ResultColumn {
    pub(crate) name: String,
    pub(crate) wire: Wire,
    pub(crate) nullable: bool,
}

/// COLMETADATA announcing `columns`.
pub(crate) fn col_metadata(dst: &mut Vec<u8>, columns: &[ResultColumn]) {
    dst.push(0x81);
    dst.extend_from_slice(&(columns.len() as u16).to_le_bytes());
    for column in columns {
        dst.extend_from_slice(&0u32.to_le_bytes()); // UserType
        let nullable = if column.nullable { FLAG_NULLABLE } else { 0 };
        dst.extend_from_slice(&(nullable | FLAG_UPDATEABLE).to_le_bytes());
        column.wire.encode(dst);
        put_b_varchar(dst, &column.name);
    }
}

/// ROW with one value per column of the last COLMETADATA.
pub(crate) fn row(dst: &mut Vec<u8>, columns: &[ResultColumn], values: &[Value]) {
    dst.push(0xD1);
    for (column, value) in columns.iter().zip(values) {
        column.wire.write_value(dst, value);
    }
}
