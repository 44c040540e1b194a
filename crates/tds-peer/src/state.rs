//! State shared by all connections of one peer: credentials, created tables and their rows,
//! received batches, armed faults and counters.

use crate::Value;
use crate::bulk::BulkColumn;
use crate::types::ColumnDef;
use std::sync::{Mutex, MutexGuard};

/// A table created by `CREATE TABLE`, with the rows of its completed bulk loads.
#[derive(Debug)]
pub(crate) struct Table {
    /// Lower-case name without schema.
    pub(crate) key: String,
    pub(crate) columns: Vec<ColumnDef>,
    /// Positions of the primary key's columns (empty: no key). A bulk load that would repeat
    /// a key is refused whole with error 2627, as SQL Server does.
    pub(crate) primary_key: Vec<usize>,
    pub(crate) rows: Vec<Vec<Value>>,
}

/// One-shot fault for [`crate::TdsPeer::fail_next_batch`].
#[derive(Debug, Clone)]
pub(crate) struct BatchFault {
    /// Lower-cased pattern.
    pub(crate) pattern: String,
    pub(crate) number: u32,
    pub(crate) message: String,
}

/// Mutable state.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) tables: Vec<Table>,
    pub(crate) batches: Vec<String>,
    pub(crate) drop_bulk_after: Option<usize>,
    pub(crate) batch_fault: Option<BatchFault>,
    pub(crate) connections: usize,
    pub(crate) logins: usize,
}

/// Credentials plus state; the password never appears in a `Debug` output.
pub(crate) struct Shared {
    pub(crate) user: String,
    pub(crate) password: String,
    state: Mutex<State>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl Shared {
    pub(crate) fn new(user: &str, password: &str) -> Self {
        Self {
            user: user.to_string(),
            password: password.to_string(),
            state: Mutex::new(State::default()),
        }
    }

    /// Locks the state; a panic in another connection task does not make it unusable.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The lookup key of a table name: its last dot-separated part, without brackets or
/// quotes, lower-cased (`[dbo].[Orders]` -> `orders`).
pub(crate) fn table_key(name: &str) -> String {
    let last = name.rsplit('.').next().unwrap_or(name);
    last.trim_matches(|c| matches!(c, '[' | ']' | '"' | ' '))
        .to_lowercase()
}

impl State {
    pub(crate) fn table(&self, name: &str) -> Option<&Table> {
        let key = table_key(name);
        self.tables.iter().find(|t| t.key == key)
    }

    /// Appends the rows of a completed bulk load to `table`, placing each bulk column in
    /// the table column of the same name (absent columns become NULL). All or nothing.
    pub(crate) fn append_rows(
        &mut self,
        table: &str,
        columns: &[BulkColumn],
        rows: Vec<Vec<Value>>,
    ) -> Result<u64, (u32, String)> {
        let key = table_key(table);
        let target = self
            .tables
            .iter_mut()
            .find(|t| t.key == key)
            .ok_or_else(|| (4815, format!("Invalid object name '{table}'.")))?;
        let positions = columns
            .iter()
            .map(|column| {
                target
                    .columns
                    .iter()
                    .position(|c| c.name.eq_ignore_ascii_case(&column.name))
                    .ok_or_else(|| {
                        (
                            4815,
                            format!("Invalid column name '{}' in bulk load.", column.name),
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let count = rows.len() as u64;
        let width = target.columns.len();
        let full: Vec<Vec<Value>> = rows
            .into_iter()
            .map(|values| {
                let mut full = vec![Value::Null; width];
                for (value, &position) in values.into_iter().zip(&positions) {
                    full[position] = value;
                }
                full
            })
            .collect();
        if !target.primary_key.is_empty() {
            let key_of = |row: &[Value]| {
                format!(
                    "{:?}",
                    target.primary_key.iter().map(|&i| &row[i]).collect::<Vec<_>>()
                )
            };
            let mut keys: std::collections::HashSet<String> = target.rows.iter().map(|r| key_of(r)).collect();
            for row in &full {
                let k = key_of(row);
                if !keys.insert(k.clone()) {
                    return Err((
                        2627,
                        format!(
                            "Violation of PRIMARY KEY constraint on table '{table}'. Cannot insert duplicate key in object '{table}'. The duplicate key value is {k}."
                        ),
                    ));
                }
            }
        }
        target.rows.extend(full);
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_keys() {
        assert_eq!(table_key("dbo.orders"), "orders");
        assert_eq!(table_key("[dbo].[Orders]"), "orders");
        assert_eq!(table_key("ITEMS"), "items");
    }
}
