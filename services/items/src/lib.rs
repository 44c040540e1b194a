//! The items service: the `items` table, 1–10 rows per order, in resumable atomic chunks.
//! It regenerates each order's item count from the seed; it never reads the orders table.

use std::sync::Arc;

use playground_model::{OrderGenerator, OrdersConfig, Shard};
use playground_runtime::chunks::{self, CHUNK_ORDERS, Loaded};
use playground_runtime::settings::common::SEED;
use playground_runtime::settings::world::{ORDERS_COUNT, PRODUCTS_COUNT, SHARD};
use playground_runtime::settings::{ConfigError, Env, Group};
use playground_runtime::{ServiceInfo, Shutdown, table};
use playground_sinks::SinkError;
use playground_sinks::table::{Rows, Table, TableSink};

/// Variables this service reads (besides the table's and the common ones).
pub static SETTINGS: Group = &[&ORDERS_COUNT, &PRODUCTS_COUNT, &SHARD, &CHUNK_ORDERS];

/// Who the service is, for `--help` and logs.
pub const INFO: ServiceInfo = ServiceInfo {
    name: "playground-items",
    about: "Generates the items of every order into the table items(orderId, rowId, productId), \
            1-10 per order. Deterministic from SEED; a restart skips the chunks already written.",
    settings: &[SETTINGS, table::SETTINGS],
};

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

impl Config {
    /// Reads and checks the settings; every error names its variable.
    pub fn read(env: &Env) -> Result<Config, ConfigError> {
        Ok(Config {
            orders: OrdersConfig::new(env.get(&SEED)?, 0, env.get(&PRODUCTS_COUNT)?),
            orders_count: env.get(&ORDERS_COUNT)?,
            shard: env.get(&SHARD)?,
            chunk: env.get(&CHUNK_ORDERS)?,
        })
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
