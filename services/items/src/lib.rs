//! The items service: the `items` table, 1–10 rows per order, in resumable atomic chunks.
//! It regenerates each order's item count from the seed; it never reads the orders table.

use std::sync::Arc;

use playground_model::{OrderGenerator, OrdersConfig, Shard};
use playground_service::Shutdown;
use playground_service::chunks::{self, Loaded};
use playground_service::settings::{ConfigError, Setting, aliased, from_iter, ids_count, parse};
use playground_sinks::SinkError;
use playground_sinks::table::{Rows, Table, TableSink};
use serde::Deserialize;

/// Variables this service reads (besides the table's and the common ones).
pub const SETTINGS: &[Setting] = &[
    Setting {
        name: "ORDERS_COUNT",
        default: "100000",
        help: "Orders that exist (as the orders service's COUNT); items are written for each.",
    },
    Setting {
        name: "PRODUCTS_COUNT",
        default: "1000",
        help: "Products that exist; productId is drawn from 0..PRODUCTS_COUNT. Alias: PRODUCT_MAX_ID.",
    },
    Setting {
        name: "SHARD",
        default: "0/1",
        help: "i/n: write the items of slice i of n of the order ids.",
    },
    Setting {
        name: "CHUNK_ORDERS",
        default: "50000",
        help: "Orders whose items form one atomic chunk.",
    },
];

/// The service's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// How orders (and so items) look.
    pub orders: OrdersConfig,
    /// Orders in all.
    pub orders_count: u64,
    /// Which slice of the orders this process covers.
    pub shard: Shard,
    /// Orders per chunk.
    pub chunk: u64,
}

#[derive(Debug, Deserialize)]
struct Vars {
    seed: Option<u64>,
    orders_count: Option<u64>,
    products_count: Option<u64>,
    product_max_id: Option<u64>,
    shard: Option<String>,
    chunk_orders: Option<u64>,
}

impl Config {
    /// Reads and checks the settings; every error names its variable.
    pub fn from_vars(vars: Vec<(String, String)>) -> Result<Config, ConfigError> {
        let v: Vars = from_iter(vars)?;
        let products = aliased(
            ("PRODUCTS_COUNT", v.products_count),
            ("PRODUCT_MAX_ID", v.product_max_id),
        )?
        .unwrap_or(1000);
        if products == 0 {
            return Err(ConfigError::new(
                "PRODUCTS_COUNT",
                "must be at least 1: every item is a product",
            ));
        }
        ids_count("PRODUCTS_COUNT", products)?;
        let orders_count = v.orders_count.unwrap_or(100_000);
        if orders_count > i32::MAX as u64 {
            return Err(ConfigError::new(
                "ORDERS_COUNT",
                format!("{orders_count} exceeds {}: orderId is an SQL int", i32::MAX),
            ));
        }
        let cfg = Config {
            orders: OrdersConfig::new(v.seed.unwrap_or(42), 0, products),
            orders_count,
            shard: parse("SHARD", v.shard.as_deref())?.unwrap_or_default(),
            chunk: v.chunk_orders.unwrap_or(50_000),
        };
        if !(1..=10_000_000).contains(&cfg.chunk) {
            return Err(ConfigError::new("CHUNK_ORDERS", "must be between 1 and 10000000"));
        }
        Ok(cfg)
    }
}

/// Writes the items of this shard's orders to `sink`, skipping chunks already written.
pub async fn run<T: TableSink + 'static>(
    cfg: &Config,
    sink: Arc<T>,
    shutdown: &Shutdown,
) -> Result<Loaded, SinkError> {
    let generator = OrderGenerator::new(cfg.orders.clone());
    let range = cfg.shard.range(cfg.orders_count);
    chunks::load(
        "orders' items",
        sink,
        Table::Items,
        range,
        cfg.chunk,
        shutdown,
        move |piece| {
            let mut rows = Vec::with_capacity((piece.end - piece.start) as usize * 4);
            for order in piece {
                generator.items_into(order, &mut rows);
            }
            Rows::Items(rows)
        },
    )
    .await
}
