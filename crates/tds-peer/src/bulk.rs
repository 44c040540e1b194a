//! BULK LOAD (packet type 7) payload decoding: the client's COLMETADATA, then ROW tokens,
//! then DONE. Fed packet by packet, so rows are counted as they arrive and a value split
//! across two packets simply waits for the next one.

use crate::Value;
use crate::reader::Reader;
use crate::types::{DecodeError, Wire};

/// A column of the bulk load as the client announced it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BulkColumn {
    pub(crate) name: String,
    pub(crate) wire: Wire,
}

/// Incremental decoder for one bulk-load message.
#[derive(Debug, Default)]
pub(crate) struct BulkDecoder {
    buf: Vec<u8>,
    columns: Option<Vec<BulkColumn>>,
    rows: Vec<Vec<Value>>,
    done: bool,
    error: Option<String>,
}

enum Token {
    Meta(Vec<BulkColumn>),
    Row(Vec<Value>),
    Done,
}

impl BulkDecoder {
    /// Appends the payload of the next packet and decodes every complete token.
    pub(crate) fn feed(&mut self, data: &[u8]) {
        if self.error.is_some() {
            return;
        }
        self.buf.extend_from_slice(data);
        let mut consumed = 0;
        while self.error.is_none() && consumed < self.buf.len() {
            let mut src = Reader::new(&self.buf[consumed..]);
            let token = if self.done {
                Err(DecodeError::Invalid(
                    "data after the bulk load's DONE token".into(),
                ))
            } else {
                parse_token(&mut src, self.columns.as_deref())
            };
            match token {
                Ok(token) => {
                    consumed += src.pos();
                    match token {
                        Token::Meta(columns) => self.columns = Some(columns),
                        Token::Row(values) => self.rows.push(values),
                        Token::Done => self.done = true,
                    }
                }
                Err(DecodeError::Incomplete) => break,
                Err(DecodeError::Invalid(message)) => self.error = Some(message),
            }
        }
        self.buf.drain(..consumed);
    }

    /// Rows decoded so far.
    pub(crate) fn rows_received(&self) -> usize {
        self.rows.len()
    }

    /// The columns and rows of a complete, well-formed bulk load, or why it is not one.
    pub(crate) fn finish(self) -> Result<(Vec<BulkColumn>, Vec<Vec<Value>>), String> {
        if let Some(error) = self.error {
            return Err(error);
        }
        if !self.done || !self.buf.is_empty() {
            return Err("the bulk load ended without a complete DONE token".into());
        }
        let columns = self
            .columns
            .ok_or_else(|| "the bulk load carried no COLMETADATA".to_string())?;
        Ok((columns, self.rows))
    }
}

fn parse_token(src: &mut Reader<'_>, columns: Option<&[BulkColumn]>) -> Result<Token, DecodeError> {
    match src.u8()? {
        0x81 => {
            if columns.is_some() {
                return Err(DecodeError::Invalid(
                    "a second COLMETADATA in one bulk load".into(),
                ));
            }
            let count = src.u16_le()?;
            let mut out = Vec::with_capacity(usize::from(count));
            for _ in 0..count {
                let _user_type = src.u32_le()?;
                let _flags = src.u16_le()?;
                let wire = Wire::decode(src)?;
                let name = src.b_varchar()?;
                out.push(BulkColumn { name, wire });
            }
            Ok(Token::Meta(out))
        }
        0xD1 => {
            let columns = columns.ok_or_else(|| DecodeError::Invalid("ROW before COLMETADATA".into()))?;
            let values = columns
                .iter()
                .map(|column| column.wire.read_value(src))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Token::Row(values))
        }
        0xFD => {
            let _status = src.u16_le()?;
            let _command = src.u16_le()?;
            let _rows = src.u64_le()?;
            Ok(Token::Done)
        }
        other => Err(DecodeError::Invalid(format!(
            "unexpected token 0x{other:02X} in a bulk load"
        ))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::tokens::{self, ResultColumn};

    fn payload(rows: usize) -> Vec<u8> {
        let columns = vec![
            ResultColumn {
                name: "id".into(),
                wire: Wire::FixedInt(4),
                nullable: false,
            },
            ResultColumn {
                name: "note".into(),
                wire: Wire::NVarChar(100),
                nullable: true,
            },
        ];
        let mut buf = Vec::new();
        tokens::col_metadata(&mut buf, &columns);
        for i in 0..rows {
            let note = if i % 2 == 0 {
                Value::Null
            } else {
                Value::Text(format!("n{i}"))
            };
            tokens::row(&mut buf, &columns, &[Value::Int(i as i64), note]);
        }
        tokens::done(&mut buf, 0, 0, 0);
        buf
    }

    #[test]
    fn decodes_byte_by_byte() {
        let mut decoder = BulkDecoder::default();
        for byte in payload(5) {
            decoder.feed(&[byte]);
        }
        let (columns, rows) = decoder.finish().expect("complete");
        assert_eq!(columns.len(), 2);
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[3], vec![Value::Int(3), Value::Text("n3".into())]);
        assert_eq!(rows[4][1], Value::Null);
    }

    #[test]
    fn truncated_load_is_an_error() {
        let mut decoder = BulkDecoder::default();
        let data = payload(3);
        decoder.feed(&data[..data.len() - 4]);
        assert_eq!(decoder.rows_received(), 3);
        assert!(decoder.finish().is_err());
    }
}
