//! RPC requests (packet type 3, MS-TDS 2.2.6.6): tiberius' `execute`/`query` call
//! `sp_executesql` with the statement as the first parameter. The peer takes that statement
//! text and runs it like a batch; the other parameters are not substituted.

use crate::Value;
use crate::reader::Reader;
use crate::types::{DecodeError, Wire};

/// The statement text of an `sp_executesql` RPC payload, or why it could not be read.
pub(crate) fn statement_text(payload: &[u8]) -> Result<String, String> {
    let mut src = Reader::new(payload);
    let read = |e: DecodeError| match e {
        DecodeError::Incomplete => "RPC request ended early".to_string(),
        DecodeError::Invalid(m) => m,
    };
    let headers = src.u32_le().map_err(|_| "RPC request ended early")? as usize;
    src.bytes(headers.saturating_sub(4))
        .map_err(|_| "RPC request ended early")?;
    let name_len = src.u16_le().map_err(|_| "RPC request ended early")?;
    if name_len == 0xFFFF {
        let id = src.u16_le().map_err(|_| "RPC request ended early")?;
        if id != 10 {
            return Err(format!(
                "RPC procedure id {id} is not supported (only sp_executesql)"
            ));
        }
    } else {
        let name = src
            .utf16(usize::from(name_len))
            .map_err(|_| "RPC request ended early")?;
        if !name.eq_ignore_ascii_case("sp_executesql") {
            return Err(format!(
                "RPC procedure {name} is not supported (only sp_executesql)"
            ));
        }
    }
    let _options = src.u16_le().map_err(|_| "RPC request ended early")?;
    let _param_name = src.b_varchar().map_err(|_| "RPC request ended early")?;
    let _status = src.u8().map_err(|_| "RPC request ended early")?;
    let wire = Wire::decode(&mut src).map_err(read)?;
    match wire.read_value(&mut src).map_err(read)? {
        Value::Text(text) => Ok(text),
        other => Err(format!("sp_executesql statement is not text: {other:?}")),
    }
}
