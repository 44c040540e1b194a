//! The silver tables against their keys: row counts, readable sums and the order-free hash
//! ([`playground_model::keys::batch`]), with the difference said in words.

use playground_model::keys::batch::TableKey;
use serde::Serialize;

/// The comparison of one table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableReport {
    /// The table's name in the silver tier.
    pub table: &'static str,
    /// Rows the key holds.
    pub expected: u64,
    /// Rows the table holds.
    pub found: u64,
    /// What differs, in words; empty when the table matches.
    pub differences: Vec<String>,
}

impl TableReport {
    /// True when the table matches its key.
    pub fn ok(&self) -> bool {
        self.differences.is_empty()
    }
}

/// Sets a table's fingerprint, computed from its rows, against the key.
pub fn compare_table(table: &'static str, expected: &TableKey, found: &TableKey) -> TableReport {
    let mut differences = Vec::new();
    if expected.rows != found.rows {
        let (a, b) = (expected.rows, found.rows);
        differences.push(if b < a {
            format!(
                "rows: {a} expected, {b} found: {} missing (a lost chunk or file?)",
                a - b
            )
        } else {
            format!(
                "rows: {a} expected, {b} found: {} extra (duplicated rows?)",
                b - a
            )
        });
    }
    for (name, want) in &expected.sums {
        let got = found.sums.get(name).copied().unwrap_or(0);
        if got != *want {
            differences.push(format!("sum of {name}: {want} expected, {got} found"));
        }
    }
    if differences.is_empty() && expected.hash != found.hash {
        differences.push(
            "same rows and sums, different rows: a value moved between rows (a wrong join?)".to_owned(),
        );
    }
    TableReport {
        table,
        expected: expected.rows,
        found: found.rows,
        differences,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use playground_model::keys::batch::orders_and_items;
    use playground_model::{OrderGenerator, OrdersConfig};

    fn orders_key(ids: impl Iterator<Item = u64>, generator: &OrderGenerator) -> TableKey {
        let mut key = TableKey::default();
        for order in ids.map(|i| generator.order(i)) {
            key.add(&playground_model::keys::batch::order_row(&order));
        }
        key
    }

    #[test]
    fn a_silver_orders_table_missing_one_chunk_is_named() {
        let generator = OrderGenerator::new(OrdersConfig::new(5, 300, 20));
        let (expected, _) = orders_and_items(&generator, 3000);
        let whole = compare_table("orders", &expected, &orders_key(0..3000, &generator));
        assert!(whole.ok(), "{whole:?}");
        let short = orders_key((0..3000).filter(|i| !(700..1400).contains(i)), &generator);
        let report = compare_table("orders", &expected, &short);
        assert!(!report.ok());
        assert_eq!((report.expected, report.found), (3000, 2300));
        assert!(report.differences[0].contains("700 missing"), "{report:?}");
        let doubled = orders_key((0..3000).chain(0..1), &generator);
        assert!(compare_table("orders", &expected, &doubled).differences[0].contains("1 extra"));
    }

    #[test]
    fn a_moved_value_with_equal_sums_is_named() {
        let mut a = TableKey::default();
        a.add(&[("id", 1), ("is_vip", 1)]);
        a.add(&[("id", 2), ("is_vip", 0)]);
        let mut b = TableKey::default();
        b.add(&[("id", 1), ("is_vip", 0)]);
        b.add(&[("id", 2), ("is_vip", 1)]);
        let report = compare_table("users", &a, &b);
        assert_eq!(report.differences.len(), 1, "{report:?}");
        assert!(report.differences[0].contains("wrong join"));
    }
}
