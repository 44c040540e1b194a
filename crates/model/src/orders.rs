//! Orders and their items (the SQL tables `orders` and `items`).

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use rand::Rng;
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand_distr::LogNormal;
use serde::Serialize;

use crate::rng::{Entity, RecordRng, stream};
use crate::skew::Popularity;

/// One row of `orders(orderId int PK, userId int, orderDate datetime2, orderValue float)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// `0..orders_count`.
    pub order_id: u64,
    /// An existing user; active users order more often.
    pub user_id: u64,
    /// Within the configured period, busier in the afternoon and evening.
    pub order_date: NaiveDateTime,
    /// Right-skewed (log-normal), two decimals.
    pub order_value: f64,
}

/// One row of `items(orderId int, rowId int, productId int, PK(orderId, rowId))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    /// The order this item belongs to.
    pub order_id: u64,
    /// `1..=k` within the order.
    pub row_id: u32,
    /// An existing product; popular products occur more often; distinct within an order.
    pub product_id: u64,
}

/// Settings that shape orders and items.
#[derive(Debug, Clone, PartialEq)]
pub struct OrdersConfig {
    /// The seed shared by every service of one playground.
    pub seed: u64,
    /// Users that exist (`userId` is drawn from `0..users_count`).
    pub users_count: u64,
    /// Products that exist (`productId` is drawn from `0..products_count`).
    pub products_count: u64,
    /// First day of the order period.
    pub period_start: NaiveDate,
    /// Length of the order period in days (at least 1).
    pub period_days: u32,
}

impl OrdersConfig {
    /// Defaults: one year of orders starting 2024-01-01.
    pub fn new(seed: u64, users_count: u64, products_count: u64) -> OrdersConfig {
        OrdersConfig {
            seed,
            users_count,
            products_count,
            period_start: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
            period_days: 366,
        }
    }
}

/// Relative frequency of 1..=10 items in an order: most orders are small.
const ITEMS_PER_ORDER_WEIGHTS: [u32; 10] = [24, 19, 15, 12, 9, 7, 5, 4, 3, 2];
/// Relative frequency of an order in each hour of the day (UTC).
const HOURLY_WEIGHTS: [u32; 24] = [
    2, 1, 1, 1, 1, 2, 3, 5, 6, 7, 7, 8, 8, 8, 8, 8, 8, 9, 10, 11, 11, 9, 6, 4,
];

/// Orders and items for one configuration. Order `i` and its items are pure functions of
/// `(seed, i)`: the items service regenerates "order i has k items" from the seed without
/// reading the orders table.
#[derive(Debug, Clone)]
pub struct OrderGenerator {
    cfg: OrdersConfig,
    users: Popularity,
    products: Popularity,
    items_per_order: WeightedIndex<u32>,
    hours: WeightedIndex<u32>,
    value: LogNormal<f64>,
}

impl OrderGenerator {
    /// A generator for `cfg`.
    pub fn new(cfg: OrdersConfig) -> OrderGenerator {
        let weights =
            |w: &[u32]| WeightedIndex::new(w).unwrap_or_else(|_| unreachable!("constant positive weights"));
        OrderGenerator {
            users: Popularity::new(cfg.seed, 0x55_53_45_52, cfg.users_count, 0.8),
            products: Popularity::new(cfg.seed, 0x50_52_4f_44, cfg.products_count, 1.0),
            items_per_order: weights(&ITEMS_PER_ORDER_WEIGHTS),
            hours: weights(&HOURLY_WEIGHTS),
            value: LogNormal::new(900f64.ln(), 0.85).unwrap_or_else(|_| unreachable!("constant parameters")),
            cfg,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &OrdersConfig {
        &self.cfg
    }

    /// The items stream of an order; its first draw is the item count, so the items service
    /// needs one stream per order and the orders service none of it.
    fn items_stream(&self, order_id: u64) -> (RecordRng, u32) {
        let mut rng = stream(self.cfg.seed, Entity::Items, &[order_id]);
        let k = self.items_per_order.sample(&mut rng) as u32 + 1;
        let k = k.min(self.cfg.products_count.min(u32::MAX as u64) as u32);
        (rng, k)
    }

    /// How many items order `order_id` has (1..=10, fewer only if there are fewer products).
    pub fn item_count(&self, order_id: u64) -> u32 {
        self.items_stream(order_id).1
    }

    /// Order `order_id`.
    pub fn order(&self, order_id: u64) -> Order {
        let mut rng = stream(self.cfg.seed, Entity::Order, &[order_id]);
        let user_id = self.users.sample(&mut rng);
        let day = rng.random_range(0..self.cfg.period_days.max(1)) as i64;
        let hour = self.hours.sample(&mut rng) as i64;
        let second = rng.random_range(0..3600);
        let order_date = self.cfg.period_start.and_time(chrono::NaiveTime::MIN)
            + TimeDelta::seconds(day * 86_400 + hour * 3600 + second);
        let order_value = (self.value.sample(&mut rng) * 100.0).round() / 100.0;
        Order {
            order_id,
            user_id,
            order_date,
            order_value: order_value.max(1.0),
        }
    }

    /// Appends the items of order `order_id` to `out`.
    pub fn items_into(&self, order_id: u64, out: &mut Vec<Item>) {
        let (mut rng, k) = self.items_stream(order_id);
        let start = out.len();
        for row in 1..=k {
            let mut product_id = self.products.sample(&mut rng);
            let mut tries = 0;
            while out[start..].iter().any(|i| i.product_id == product_id) {
                tries += 1;
                product_id = if tries < 32 {
                    self.products.sample(&mut rng)
                } else {
                    (product_id + 1) % self.cfg.products_count
                };
            }
            out.push(Item {
                order_id,
                row_id: row,
                product_id,
            });
        }
    }

    /// Orders `range`, in id order.
    pub fn orders(&self, range: std::ops::Range<u64>) -> impl Iterator<Item = Order> + '_ {
        range.map(|i| self.order(i))
    }

    /// Items of orders `range`, in `(orderId, rowId)` order.
    pub fn items(&self, range: std::ops::Range<u64>) -> impl Iterator<Item = Item> + '_ {
        let mut buf = Vec::with_capacity(10);
        range.flat_map(move |i| {
            buf.clear();
            self.items_into(i, &mut buf);
            buf.clone()
        })
    }
}
