//! Column types: parsing SQL type names, the TYPE_INFO wire form (MS-TDS 2.2.5.4) and the
//! row value encodings for each, both directions.

use crate::Value;
use crate::reader::{Incomplete, Reader, put_utf16, utf16_to_string};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};

/// SQL_Latin1_General_CP1_CI_AS, as SQL Server sends it for `nvarchar` columns.
const COLLATION: [u8; 5] = [0x09, 0x04, 0xD0, 0x00, 0x34];

/// `nvarchar(max)` marker in the TYPE_INFO length.
const MAX_LEN: u16 = 0xFFFF;
const PLP_NULL: u64 = u64::MAX;

/// A column type as declared in `CREATE TABLE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SqlType {
    TinyInt,
    SmallInt,
    Int,
    BigInt,
    Bit,
    Real,
    Float,
    /// `datetime2(scale)`, scale 0..=7.
    DateTime2(u8),
    /// `nvarchar(n)` with the maximum length in bytes (2n), or [`MAX_LEN`] for `max`.
    NVarChar(u16),
}

impl SqlType {
    /// Parses a type as written in DDL, e.g. `int`, `datetime2(3)`, `nvarchar(100)`.
    pub(crate) fn parse(text: &str) -> Option<SqlType> {
        let text = text.trim().to_ascii_lowercase().replace(['[', ']', ' '], "");
        let (base, arg) = match text.split_once('(') {
            Some((base, rest)) => (base.to_string(), Some(rest.trim_end_matches(')').to_string())),
            None => (text, None),
        };
        let number = || arg.as_deref().and_then(|a| a.parse::<u32>().ok());
        Some(match base.as_str() {
            "tinyint" => SqlType::TinyInt,
            "smallint" => SqlType::SmallInt,
            "int" | "integer" => SqlType::Int,
            "bigint" => SqlType::BigInt,
            "bit" => SqlType::Bit,
            "real" => SqlType::Real,
            "float" => match number() {
                Some(bits) if bits <= 24 => SqlType::Real,
                _ => SqlType::Float,
            },
            "datetime2" => SqlType::DateTime2(match arg {
                None => 7,
                Some(_) => u8::try_from(number()?).ok().filter(|s| *s <= 7)?,
            }),
            "nvarchar" => match arg.as_deref() {
                None => SqlType::NVarChar(2),
                Some("max") => SqlType::NVarChar(MAX_LEN),
                Some(_) => SqlType::NVarChar(
                    u16::try_from(number()?.checked_mul(2)?)
                        .ok()
                        .filter(|n| *n < MAX_LEN && *n > 0)?,
                ),
            },
            _ => return None,
        })
    }

    /// The wire form SQL Server uses for a column of this type: fixed-length types for
    /// `NOT NULL` numeric columns, the nullable (`...N`) forms otherwise.
    pub(crate) fn wire(self, nullable: bool) -> Wire {
        match (self, nullable) {
            (SqlType::TinyInt, false) => Wire::FixedInt(1),
            (SqlType::SmallInt, false) => Wire::FixedInt(2),
            (SqlType::Int, false) => Wire::FixedInt(4),
            (SqlType::BigInt, false) => Wire::FixedInt(8),
            (SqlType::Bit, false) => Wire::FixedBit,
            (SqlType::Real, false) => Wire::FixedFloat(4),
            (SqlType::Float, false) => Wire::FixedFloat(8),
            (SqlType::TinyInt, true) => Wire::IntN(1),
            (SqlType::SmallInt, true) => Wire::IntN(2),
            (SqlType::Int, true) => Wire::IntN(4),
            (SqlType::BigInt, true) => Wire::IntN(8),
            (SqlType::Bit, true) => Wire::BitN,
            (SqlType::Real, true) => Wire::FloatN(4),
            (SqlType::Float, true) => Wire::FloatN(8),
            (SqlType::DateTime2(scale), _) => Wire::DateTime2(scale),
            (SqlType::NVarChar(len), _) => Wire::NVarChar(len),
        }
    }
}

/// A table column as created by `CREATE TABLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ColumnDef {
    pub(crate) name: String,
    pub(crate) ty: SqlType,
    pub(crate) nullable: bool,
}

impl ColumnDef {
    /// The column's wire type.
    pub(crate) fn wire(&self) -> Wire {
        self.ty.wire(self.nullable)
    }
}

/// How a column's values travel: the TYPE_INFO of COLMETADATA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wire {
    /// INT1/INT2/INT4/INT8 with the byte width.
    FixedInt(u8),
    /// BIT.
    FixedBit,
    /// FLT4/FLT8 with the byte width.
    FixedFloat(u8),
    /// INTN with the maximum byte width.
    IntN(u8),
    /// BITN.
    BitN,
    /// FLTN with the maximum byte width.
    FloatN(u8),
    /// DATETIME2N with its scale.
    DateTime2(u8),
    /// NVARCHAR with its maximum byte length ([`MAX_LEN`] = `max`, sent as PLP).
    NVarChar(u16),
}

/// Why a value or type could not be decoded.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DecodeError {
    /// More bytes are needed.
    Incomplete,
    /// The bytes do not form a valid value.
    Invalid(String),
}

impl From<Incomplete> for DecodeError {
    fn from(_: Incomplete) -> Self {
        DecodeError::Incomplete
    }
}

fn invalid<T>(message: impl Into<String>) -> Result<T, DecodeError> {
    Err(DecodeError::Invalid(message.into()))
}

impl Wire {
    /// Appends the TYPE_INFO bytes.
    pub(crate) fn encode(self, dst: &mut Vec<u8>) {
        match self {
            Wire::FixedInt(n) => dst.push(match n {
                1 => 0x30,
                2 => 0x34,
                4 => 0x38,
                _ => 0x7F,
            }),
            Wire::FixedBit => dst.push(0x32),
            Wire::FixedFloat(n) => dst.push(if n == 4 { 0x3B } else { 0x3E }),
            Wire::IntN(n) => dst.extend_from_slice(&[0x26, n]),
            Wire::BitN => dst.extend_from_slice(&[0x68, 1]),
            Wire::FloatN(n) => dst.extend_from_slice(&[0x6D, n]),
            Wire::DateTime2(scale) => dst.extend_from_slice(&[0x2A, scale]),
            Wire::NVarChar(len) => {
                dst.push(0xE7);
                dst.extend_from_slice(&len.to_le_bytes());
                dst.extend_from_slice(&COLLATION);
            }
        }
    }

    /// Reads a TYPE_INFO of one of the supported types.
    pub(crate) fn decode(src: &mut Reader<'_>) -> Result<Wire, DecodeError> {
        let ty = src.u8()?;
        Ok(match ty {
            0x30 => Wire::FixedInt(1),
            0x34 => Wire::FixedInt(2),
            0x38 => Wire::FixedInt(4),
            0x7F => Wire::FixedInt(8),
            0x32 => Wire::FixedBit,
            0x3B => Wire::FixedFloat(4),
            0x3E => Wire::FixedFloat(8),
            0x26 => match src.u8()? {
                n @ (1 | 2 | 4 | 8) => Wire::IntN(n),
                n => return invalid(format!("INTN with length {n}")),
            },
            0x68 => match src.u8()? {
                1 => Wire::BitN,
                n => return invalid(format!("BITN with length {n}")),
            },
            0x6D => match src.u8()? {
                n @ (4 | 8) => Wire::FloatN(n),
                n => return invalid(format!("FLTN with length {n}")),
            },
            0x2A => match src.u8()? {
                s @ 0..=7 => Wire::DateTime2(s),
                s => return invalid(format!("DATETIME2N with scale {s}")),
            },
            0xE7 => {
                let len = src.u16_le()?;
                src.bytes(COLLATION.len())?;
                Wire::NVarChar(len)
            }
            other => return invalid(format!("unsupported column type 0x{other:02X}")),
        })
    }

    /// Reads one row value of this type.
    pub(crate) fn read_value(self, src: &mut Reader<'_>) -> Result<Value, DecodeError> {
        let int = |src: &mut Reader<'_>, n: u8| -> Result<Value, DecodeError> {
            let raw = src.uint_le(n as usize)?;
            let shift = 64 - 8 * u32::from(n);
            // Sign-extend from n bytes (tinyint is unsigned in SQL Server).
            Ok(Value::Int(if n == 1 {
                raw as i64
            } else {
                ((raw << shift) as i64) >> shift
            }))
        };
        let float = |src: &mut Reader<'_>, n: u8| -> Result<Value, DecodeError> {
            Ok(Value::Float(if n == 4 {
                f64::from(f32::from_bits(src.u32_le()?))
            } else {
                f64::from_bits(src.u64_le()?)
            }))
        };
        match self {
            Wire::FixedInt(n) => int(src, n),
            Wire::FixedBit => Ok(Value::Int(i64::from(src.u8()? != 0))),
            Wire::FixedFloat(n) => float(src, n),
            Wire::IntN(max) => match src.u8()? {
                0 => Ok(Value::Null),
                n @ (1 | 2 | 4 | 8) if n <= max => int(src, n),
                n => invalid(format!("INTN({max}) value with length {n}")),
            },
            Wire::BitN => match src.u8()? {
                0 => Ok(Value::Null),
                1 => Ok(Value::Int(i64::from(src.u8()? != 0))),
                n => invalid(format!("BITN value with length {n}")),
            },
            Wire::FloatN(max) => match src.u8()? {
                0 => Ok(Value::Null),
                n @ (4 | 8) if n <= max => float(src, n),
                n => invalid(format!("FLTN({max}) value with length {n}")),
            },
            Wire::DateTime2(scale) => {
                let len = src.u8()?;
                if len == 0 {
                    return Ok(Value::Null);
                }
                let time_len = time_len(scale);
                if usize::from(len) != time_len + 3 {
                    return invalid(format!("DATETIME2N({scale}) value with length {len}"));
                }
                let increments = src.uint_le(time_len)?;
                let days = src.uint_le(3)?;
                datetime_from_wire(days, increments, scale).map(Value::DateTime)
            }
            Wire::NVarChar(MAX_LEN) => read_plp_text(src),
            Wire::NVarChar(max) => match src.u16_le()? {
                0xFFFF => Ok(Value::Null),
                n if n <= max => Ok(Value::Text(utf16_to_string(src.bytes(usize::from(n))?))),
                n => invalid(format!("NVARCHAR({max}) value of {n} bytes")),
            },
        }
    }

    /// Appends one row value of this type (used for result sets the peer sends).
    pub(crate) fn write_value(self, dst: &mut Vec<u8>, value: &Value) {
        match (self, value) {
            (Wire::IntN(_) | Wire::BitN | Wire::FloatN(_) | Wire::DateTime2(_), Value::Null) => dst.push(0),
            (Wire::NVarChar(MAX_LEN), Value::Null) => dst.extend_from_slice(&PLP_NULL.to_le_bytes()),
            (Wire::NVarChar(_), Value::Null) => dst.extend_from_slice(&0xFFFFu16.to_le_bytes()),
            (Wire::FixedInt(n), v) => put_int(dst, n, v),
            (Wire::IntN(n), v) => {
                dst.push(n);
                put_int(dst, n, v);
            }
            (Wire::FixedBit, v) => put_int(dst, 1, v),
            (Wire::BitN, v) => {
                dst.push(1);
                put_int(dst, 1, v);
            }
            (Wire::FixedFloat(n), v) => put_float(dst, n, v),
            (Wire::FloatN(n), v) => {
                dst.push(n);
                put_float(dst, n, v);
            }
            (Wire::DateTime2(scale), v) => {
                let dt = match v {
                    Value::DateTime(dt) => *dt,
                    _ => NaiveDateTime::default(),
                };
                let (days, increments) = datetime_to_wire(dt, scale);
                let time_len = time_len(scale);
                dst.push((time_len + 3) as u8);
                dst.extend_from_slice(&increments.to_le_bytes()[..time_len]);
                dst.extend_from_slice(&days.to_le_bytes()[..3]);
            }
            (Wire::NVarChar(len), v) => {
                let text = match v {
                    Value::Text(s) => s.clone(),
                    Value::Int(i) => i.to_string(),
                    Value::Float(f) => f.to_string(),
                    Value::DateTime(dt) => dt.to_string(),
                    Value::Null => String::new(),
                };
                let mut bytes = Vec::new();
                put_utf16(&mut bytes, &text);
                if len == MAX_LEN {
                    dst.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
                    if !bytes.is_empty() {
                        dst.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
                        dst.extend_from_slice(&bytes);
                    }
                    dst.extend_from_slice(&0u32.to_le_bytes());
                } else {
                    bytes.truncate(usize::from(len));
                    dst.extend_from_slice(&(bytes.len() as u16).to_le_bytes());
                    dst.extend_from_slice(&bytes);
                }
            }
        }
    }
}

fn put_int(dst: &mut Vec<u8>, n: u8, value: &Value) {
    let v = match value {
        Value::Int(i) => *i,
        Value::Float(f) => *f as i64,
        _ => 0,
    };
    dst.extend_from_slice(&v.to_le_bytes()[..usize::from(n)]);
}

fn put_float(dst: &mut Vec<u8>, n: u8, value: &Value) {
    let v = match value {
        Value::Float(f) => *f,
        Value::Int(i) => *i as f64,
        _ => 0.0,
    };
    if n == 4 {
        dst.extend_from_slice(&(v as f32).to_le_bytes());
    } else {
        dst.extend_from_slice(&v.to_le_bytes());
    }
}

/// PLP (`nvarchar(max)`): total length (or NULL / unknown marker), then chunks closed by a
/// zero-length chunk.
fn read_plp_text(src: &mut Reader<'_>) -> Result<Value, DecodeError> {
    let total = src.u64_le()?;
    if total == PLP_NULL {
        return Ok(Value::Null);
    }
    let mut bytes = Vec::new();
    loop {
        let chunk = src.u32_le()? as usize;
        if chunk == 0 {
            break;
        }
        bytes.extend_from_slice(src.bytes(chunk)?);
    }
    Ok(Value::Text(utf16_to_string(&bytes)))
}

/// Bytes of the time part of a `datetime2` with this scale.
fn time_len(scale: u8) -> usize {
    match scale {
        0..=2 => 3,
        3..=4 => 4,
        _ => 5,
    }
}

/// 0001-01-01, day zero of `date`/`datetime2`.
fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// Days since 0001-01-01 and time increments of 10^-scale seconds since midnight.
fn datetime_to_wire(dt: NaiveDateTime, scale: u8) -> (u32, u64) {
    let days = dt.date().signed_duration_since(epoch()).num_days().max(0) as u32;
    let nanos =
        u64::from(dt.time().num_seconds_from_midnight()) * 1_000_000_000 + u64::from(dt.time().nanosecond());
    (days, nanos / 10u64.pow(9 - u32::from(scale)))
}

fn datetime_from_wire(days: u64, increments: u64, scale: u8) -> Result<NaiveDateTime, DecodeError> {
    let date = epoch()
        .checked_add_days(chrono::Days::new(days))
        .ok_or_else(|| DecodeError::Invalid(format!("datetime2 day count {days}")))?;
    let nanos = increments * 10u64.pow(9 - u32::from(scale));
    let time = u32::try_from(nanos / 1_000_000_000)
        .ok()
        .and_then(|secs| NaiveTime::from_num_seconds_from_midnight_opt(secs, (nanos % 1_000_000_000) as u32))
        .filter(|_| nanos < 86_400 * 1_000_000_000)
        .ok_or_else(|| DecodeError::Invalid(format!("datetime2 time increments {increments}")))?;
    Ok(NaiveDateTime::new(date, time))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn round_trip(wire: Wire, value: Value) -> Value {
        let mut buf = Vec::new();
        wire.write_value(&mut buf, &value);
        let mut r = Reader::new(&buf);
        let back = wire.read_value(&mut r).expect("decodes");
        assert_eq!(r.remaining(), 0);
        back
    }

    #[test]
    fn parses_ddl_types() {
        assert_eq!(SqlType::parse("int"), Some(SqlType::Int));
        assert_eq!(SqlType::parse("FLOAT"), Some(SqlType::Float));
        assert_eq!(SqlType::parse("datetime2"), Some(SqlType::DateTime2(7)));
        assert_eq!(SqlType::parse("datetime2(3)"), Some(SqlType::DateTime2(3)));
        assert_eq!(SqlType::parse("nvarchar(100)"), Some(SqlType::NVarChar(200)));
        assert_eq!(SqlType::parse("nvarchar(max)"), Some(SqlType::NVarChar(MAX_LEN)));
        assert_eq!(SqlType::parse("geography"), None);
    }

    #[test]
    fn values_round_trip() {
        let dt = NaiveDate::from_ymd_opt(2024, 2, 29)
            .unwrap()
            .and_hms_nano_opt(23, 59, 58, 123_456_700)
            .unwrap();
        assert_eq!(round_trip(Wire::FixedInt(4), Value::Int(-7)), Value::Int(-7));
        assert_eq!(
            round_trip(Wire::IntN(8), Value::Int(i64::MIN)),
            Value::Int(i64::MIN)
        );
        assert_eq!(round_trip(Wire::IntN(4), Value::Null), Value::Null);
        assert_eq!(
            round_trip(Wire::FloatN(8), Value::Float(1.25)),
            Value::Float(1.25)
        );
        assert_eq!(
            round_trip(Wire::DateTime2(7), Value::DateTime(dt)),
            Value::DateTime(dt)
        );
        assert_eq!(
            round_trip(Wire::NVarChar(20), Value::Text("héllo".into())),
            Value::Text("héllo".into())
        );
        assert_eq!(
            round_trip(Wire::NVarChar(MAX_LEN), Value::Text("x".repeat(5000))),
            Value::Text("x".repeat(5000))
        );
        assert_eq!(round_trip(Wire::NVarChar(MAX_LEN), Value::Null), Value::Null);
    }

    #[test]
    fn type_info_round_trip() {
        for wire in [
            Wire::FixedInt(4),
            Wire::IntN(8),
            Wire::FloatN(8),
            Wire::FixedFloat(8),
            Wire::DateTime2(7),
            Wire::NVarChar(200),
            Wire::BitN,
        ] {
            let mut buf = Vec::new();
            wire.encode(&mut buf);
            assert_eq!(Wire::decode(&mut Reader::new(&buf)), Ok(wire));
        }
    }
}
