//! Keys of the batch side's silver tables: a row count and fingerprints that a lost chunk, a
//! duplicated row or a wrong join changes, computed from the generators in one pass and
//! constant memory (the VIP set aside, which is the reference data itself).
//!
//! Each row is reduced to integers a reader of the table has (ids, flags, money in cents,
//! instants in seconds); the row's hash mixes them, so a VIP flag on the wrong user or an item
//! moved to another order changes it even when every sum stays the same. The table's hash is
//! the wrapping sum of its rows' hashes: the order of rows does not matter, a missing or an
//! extra row does.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::orders::{Item, Order, OrderGenerator};
use crate::products::ProductGenerator;
use crate::users::UserGenerator;

/// A table's expected count and fingerprints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TableKey {
    /// Rows.
    pub rows: u64,
    /// Wrapping sum of the rows' hashes ([`row_hash`]).
    pub hash: u64,
    /// Readable sums that say what differs: e.g. `sum(id)`, `sum(is_vip)`, `sum(orderValue
    /// in cents)`.
    pub sums: BTreeMap<&'static str, u128>,
}

impl TableKey {
    /// Adds one row: its fields in the table's order, named for the sums.
    pub fn add(&mut self, fields: &[(&'static str, u64)]) {
        self.rows += 1;
        self.hash = self.hash.wrapping_add(row_hash(fields.iter().map(|f| f.1)));
        for (name, value) in fields {
            *self.sums.entry(name).or_default() += u128::from(*value);
        }
    }
}

/// The hash of one row's integer fields (SplitMix64's finaliser over each field in turn):
/// a reader of the table computes the same from the same columns.
pub fn row_hash(fields: impl IntoIterator<Item = u64>) -> u64 {
    let mut h: u64 = 0x9E37_79B9_7F4A_7C15;
    for f in fields {
        let mut z = (h ^ f).wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        h = z ^ (z >> 31);
    }
    h
}

/// Money in cents, as the tables' two-decimal values are.
pub fn cents(value: f64) -> u64 {
    (value * 100.0).round().max(0.0) as u64
}

/// An `orders` row as the key reads it: `order_id`, `user_id`, `order_date` (Unix seconds),
/// the value in cents.
pub fn order_row(order: &Order) -> [(&'static str, u64); 4] {
    [
        ("order_id", order.order_id),
        ("user_id", order.user_id),
        ("order_date", order.order_date.and_utc().timestamp().max(0) as u64),
        ("value_cents", cents(order.order_value)),
    ]
}

/// An `items` row as the key reads it: `order_id`, `row_id`, `product_id`.
pub fn item_row(item: &Item) -> [(&'static str, u64); 3] {
    [
        ("order_id", item.order_id),
        ("row_id", u64::from(item.row_id)),
        ("product_id", item.product_id),
    ]
}

/// The silver `users` table: `id` and `is_vip` (the first `vip_count` of the VIP list).
pub fn users(users: &UserGenerator, vip_count: u64) -> TableKey {
    let vips: HashSet<u64> = users
        .vips(0..vip_count.min(users.count()))
        .map(|v| v.id)
        .collect();
    let mut key = TableKey::default();
    for id in 0..users.count() {
        key.add(&[("id", id), ("is_vip", u64::from(vips.contains(&id)))]);
    }
    key
}

/// The silver `products` table: `id` and the price in cents.
pub fn products(products: &ProductGenerator, count: u64) -> TableKey {
    let mut key = TableKey::default();
    for p in products.products(0..count) {
        key.add(&[("id", p.id), ("price_cents", cents(p.price))]);
    }
    key
}

/// The silver `orders` and `items` tables for orders `0..count`: orders by `order_id`,
/// `user_id`, `order_date` (Unix seconds) and the value in cents; items by `order_id`,
/// `row_id` and `product_id`.
pub fn orders_and_items(orders: &OrderGenerator, count: u64) -> (TableKey, TableKey) {
    let (mut o, mut i) = (TableKey::default(), TableKey::default());
    let mut items = Vec::with_capacity(10);
    for id in 0..count {
        let order = orders.order(id);
        o.add(&order_row(&order));
        items.clear();
        orders.items_into(id, &mut items);
        for item in &items {
            i.add(&item_row(item));
        }
    }
    (o, i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Locale;
    use crate::orders::OrdersConfig;

    fn items_of(generator: &OrderGenerator, ids: impl Iterator<Item = u64>) -> TableKey {
        let mut key = TableKey::default();
        let mut buf = Vec::new();
        for id in ids {
            buf.clear();
            generator.items_into(id, &mut buf);
            for item in &buf {
                key.add(&item_row(item));
            }
        }
        key
    }

    #[test]
    fn a_lost_chunk_a_duplicate_or_a_moved_item_changes_the_items_key() {
        let generator = OrderGenerator::new(OrdersConfig::new(7, 1000, 100));
        let (_, items) = orders_and_items(&generator, 500);
        assert_eq!(items, items_of(&generator, 0..500));
        assert_ne!(
            items,
            items_of(&generator, (0..500).filter(|i| !(100..150).contains(i)))
        );
        assert_ne!(items, items_of(&generator, (0..500).chain([42])));
        // Same sums, another join: two items swap orders.
        let mut swapped = TableKey::default();
        let mut all = Vec::new();
        for id in 0..500 {
            generator.items_into(id, &mut all);
        }
        let (a, b) = (all[0], all[all.len() - 1]);
        for item in &mut all {
            if *item == a {
                item.order_id = b.order_id;
            } else if *item == b {
                item.order_id = a.order_id;
            }
        }
        for item in &all {
            swapped.add(&item_row(item));
        }
        assert_eq!(swapped.sums, items.sums, "the sums cannot see it");
        assert_ne!(swapped.hash, items.hash, "the hash does");
    }

    #[test]
    fn the_vip_flag_on_the_wrong_user_changes_the_users_key() {
        let generator = UserGenerator::new(3, 1000, Locale::CsCz);
        let key = users(&generator, 50);
        assert_eq!((key.rows, key.sums["is_vip"]), (1000, 50));
        let vips: HashSet<u64> = generator.vips(0..50).map(|v| v.id).collect();
        let wrong = vips.iter().map(|v| (v + 1) % 1000).collect::<HashSet<_>>();
        let mut other = TableKey::default();
        for id in 0..1000 {
            other.add(&[("id", id), ("is_vip", u64::from(wrong.contains(&id)))]);
        }
        if wrong.len() == 50 {
            assert_eq!(other.sums, key.sums);
        }
        assert_ne!(other.hash, key.hash);
    }

    #[test]
    fn products_key_counts_every_product() {
        let key = products(&ProductGenerator::new(1, Locale::CsCz), 20);
        assert_eq!((key.rows, key.sums["id"]), (20, 190));
    }
}
