//! The orders service: the `orders` table, in resumable atomic chunks.

use std::sync::Arc;

use chrono::Datelike;
use playground_model::{NaiveDate, OrderGenerator, OrdersConfig, Shard};
use playground_service::Shutdown;
use playground_service::chunks::{self, Loaded};
use playground_service::settings::{ConfigError, Setting, aliased, from_iter, ids_count, parse};
use playground_sinks::SinkError;
use playground_sinks::table::{Rows, Table, TableSink};
use serde::Deserialize;

/// Variables this service reads (besides the table's and the common ones).
pub const SETTINGS: &[Setting] = &[
    Setting {
        name: "COUNT",
        default: "100000",
        help: "Orders to generate (orderId 0..COUNT).",
    },
    Setting {
        name: "USERS_COUNT",
        default: "10000",
        help: "Users that exist; userId is drawn from 0..USERS_COUNT. Alias: USER_MAX_ID.",
    },
    Setting {
        name: "ORDERS_START",
        default: "2024-01-01",
        help: "First day of the order period (YYYY-MM-DD).",
    },
    Setting {
        name: "ORDERS_DAYS",
        default: "366",
        help: "Length of the order period in days.",
    },
    Setting {
        name: "SHARD",
        default: "0/1",
        help: "i/n: write slice i of n of the order ids.",
    },
    Setting {
        name: "CHUNK_ORDERS",
        default: "50000",
        help: "Orders per atomic chunk (one transaction or bulk load).",
    },
];

/// Largest order id that fits the SQL `int` key.
pub const MAX_ORDERS: u64 = i32::MAX as u64;

/// The service's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Orders in all and how they look.
    pub orders: OrdersConfig,
    /// Orders in all.
    pub count: u64,
    /// Which slice this process writes.
    pub shard: Shard,
    /// Orders per chunk.
    pub chunk: u64,
}

#[derive(Debug, Deserialize)]
struct Vars {
    seed: Option<u64>,
    count: Option<u64>,
    users_count: Option<u64>,
    user_max_id: Option<u64>,
    orders_start: Option<String>,
    orders_days: Option<u32>,
    shard: Option<String>,
    chunk_orders: Option<u64>,
}

impl Config {
    /// Reads and checks the settings; every error names its variable.
    pub fn from_vars(vars: Vec<(String, String)>) -> Result<Config, ConfigError> {
        let v: Vars = from_iter(vars)?;
        let users =
            aliased(("USERS_COUNT", v.users_count), ("USER_MAX_ID", v.user_max_id))?.unwrap_or(10_000);
        let count = v.count.unwrap_or(100_000);
        let mut orders = OrdersConfig::new(v.seed.unwrap_or(42), users, 0);
        if let Some(start) = parse::<NaiveDate>("ORDERS_START", v.orders_start.as_deref())? {
            orders.period_start = start;
        }
        orders.period_days = v.orders_days.unwrap_or(366);
        let cfg = Config {
            orders,
            count,
            shard: parse("SHARD", v.shard.as_deref())?.unwrap_or_default(),
            chunk: v.chunk_orders.unwrap_or(50_000),
        };
        if users == 0 {
            return Err(ConfigError::new(
                "USERS_COUNT",
                "must be at least 1: every order belongs to a user",
            ));
        }
        ids_count("USERS_COUNT", users)?;
        // datetime2 (SQL Server) and the date functions of SQLite hold years 1 to 9999.
        let first = cfg.orders.period_start;
        let last = first.checked_add_days(chrono::Days::new(u64::from(cfg.orders.period_days.max(1)) - 1));
        let latest = NaiveDate::from_ymd_opt(9999, 12, 31);
        if first.year() < 1 || last.is_none() || last > latest {
            return Err(ConfigError::new(
                "ORDERS_START",
                format!(
                    "{first} with ORDERS_DAYS {} is outside 0001-01-01..9999-12-31, the dates SQL can store",
                    cfg.orders.period_days
                ),
            ));
        }
        if count > MAX_ORDERS {
            return Err(ConfigError::new(
                "COUNT",
                format!("{count} exceeds {MAX_ORDERS}: orderId is an SQL int"),
            ));
        }
        if !(1..=100_000).contains(&cfg.orders.period_days) {
            return Err(ConfigError::new("ORDERS_DAYS", "must be between 1 and 100000"));
        }
        if !(1..=10_000_000).contains(&cfg.chunk) {
            return Err(ConfigError::new("CHUNK_ORDERS", "must be between 1 and 10000000"));
        }
        Ok(cfg)
    }
}

/// Writes this shard's orders to `sink`, skipping chunks already written.
pub async fn run<T: TableSink + 'static>(
    cfg: &Config,
    sink: Arc<T>,
    shutdown: &Shutdown,
) -> Result<Loaded, SinkError> {
    let generator = OrderGenerator::new(cfg.orders.clone());
    let range = cfg.shard.range(cfg.count);
    chunks::load(
        "orders",
        sink,
        Table::Orders,
        range,
        cfg.chunk,
        shutdown,
        move |piece| Rows::Orders(generator.orders(piece).collect()),
    )
    .await
}
