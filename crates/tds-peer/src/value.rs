//! The values the peer stores for received rows.

/// One received column value, widened to a few Rust types.
///
/// `tinyint`/`smallint`/`int`/`bigint`/`bit` arrive as [`Value::Int`], `real`/`float` as
/// [`Value::Float`], `datetime2` as [`Value::DateTime`], `nvarchar`/`nchar` as
/// [`Value::Text`], and SQL `NULL` as [`Value::Null`].
#[derive(Debug, Clone, PartialEq, PartialOrd)]
pub enum Value {
    /// SQL `NULL`.
    Null,
    /// Any integer type.
    Int(i64),
    /// `real` or `float`.
    Float(f64),
    /// `datetime2` (no time zone).
    DateTime(chrono::NaiveDateTime),
    /// `nvarchar` / `nchar`.
    Text(String),
}
