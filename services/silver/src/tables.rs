//! The silver tables of `terraform/modules/databricks/notebooks/silver.py`, one SQL query each,
//! beside the notebook's PySpark they stand for. Names, columns, types, keys and partitions
//! are the notebook's `SCHEMAS`, `KEYS` and `PARTITIONS`; `dropDuplicates(key)` is
//! `ROW_NUMBER() OVER (PARTITION BY key) = 1`, which DataFusion computes with an external
//! sort (spilling to disk), so a table far larger than memory streams through.

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

/// A source the queries read, registered under this name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// The table name in SQL.
    pub name: &'static str,
    /// `bronze` or `silver` (the latter is Stream Analytics' silver outputs).
    pub container: Container,
    /// The folder (or glob) below the container.
    pub path: &'static str,
    /// JSON lines or Parquet.
    pub format: Format,
}

/// Which container a source is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// The bronze container (`LAKE_CONTAINER`).
    Bronze,
    /// The silver container.
    Silver,
}

/// A source's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON lines (one object per line; a product file is one line).
    Json,
    /// Parquet.
    Parquet,
}

fn text(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}
fn int(name: &str) -> Field {
    Field::new(name, DataType::Int64, true)
}
fn texts(name: &str) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
        true,
    )
}

impl Source {
    /// Every source, as the notebook reads it.
    pub const ALL: [Source; 8] = [
        Source {
            name: "bronze_users",
            container: Container::Bronze,
            path: "users/users*.json",
            format: Format::Json,
        },
        Source {
            name: "bronze_vip",
            container: Container::Bronze,
            path: "users/vip.json",
            format: Format::Json,
        },
        Source {
            name: "bronze_products",
            container: Container::Bronze,
            path: "products/product_*.json",
            format: Format::Json,
        },
        Source {
            name: "bronze_orders",
            container: Container::Bronze,
            path: "orders/",
            format: Format::Parquet,
        },
        Source {
            name: "bronze_items",
            container: Container::Bronze,
            path: "items/",
            format: Format::Parquet,
        },
        Source {
            name: "bronze_pageviews",
            container: Container::Bronze,
            path: "stream-analytics/pageviews/",
            format: Format::Parquet,
        },
        Source {
            name: "bronze_stars",
            container: Container::Bronze,
            path: "stream-analytics/stars/",
            format: Format::Parquet,
        },
        Source {
            name: "latency_alerts",
            container: Container::Silver,
            path: "stream-analytics/latency_alerts/",
            format: Format::Parquet,
        },
    ];

    /// The columns read (a file's other columns are ignored; a missing one is null), as the
    /// writers write them: the services' JSON, the copy's SQL types, the job's Parquet.
    pub fn schema(&self) -> SchemaRef {
        let fields = match self.name {
            "bronze_users" => vec![
                int("id"),
                text("name"),
                text("city"),
                text("street_address"),
                text("phone_number"),
                text("birth_number"),
                text("user_name"),
                text("administrative_unit"),
                text("description"),
                texts("jobs"),
            ],
            "bronze_vip" => vec![int("id")],
            "bronze_products" => vec![
                int("id"),
                text("name"),
                text("description"),
                Field::new("price", DataType::Float64, true),
                texts("pages"),
            ],
            "bronze_orders" => vec![
                int("orderId"),
                int("userId"),
                Field::new(
                    "orderDate",
                    DataType::Timestamp(TimeUnit::Microsecond, None),
                    true,
                ),
                Field::new("orderValue", DataType::Float64, true),
            ],
            "bronze_items" => vec![
                int("orderId"),
                Field::new("rowId", DataType::Int32, true),
                int("productId"),
            ],
            "bronze_pageviews" => vec![
                int("user_id"),
                text("http_method"),
                text("uri"),
                text("client_ip"),
                text("user_agent"),
                int("latency"),
                text("event_time"),
                text("event_id"),
            ],
            "bronze_stars" => vec![int("user_id"), int("stars"), text("event_time"), text("event_id")],
            _ => vec![
                int("user_id"),
                text("http_method"),
                text("uri"),
                text("client_ip"),
                int("latency"),
                text("event_time"),
                text("event_id"),
            ],
        };
        Arc::new(Schema::new(fields))
    }
}

/// One silver table: its name (also its folder `silver/tables/<name>`), its query, and its
/// partition column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    /// The notebook's table name.
    pub name: &'static str,
    /// The query producing its rows, with exactly the notebook's columns and types.
    pub sql: &'static str,
    /// `partitionBy`, as the notebook's `PARTITIONS`.
    pub partition: Option<&'static str>,
}

/// Spark's `timestamp` is an instant: microseconds in UTC.
macro_rules! utc {
    ($e:literal) => {
        concat!("arrow_cast(", $e, ", 'Timestamp(Microsecond, Some(\"UTC\"))')")
    };
}

impl Table {
    /// Every table, in the notebook's order; `latency_alerts_users` joins the `users` table
    /// written before it.
    pub const ALL: [Table; 7] = [
        // users.dropDuplicates(["id"]).join(vip.dropDuplicates(["id"]).withColumn("is_vip", lit(True)), "id", "left")
        //      .withColumn("is_vip", coalesce(is_vip, lit(False)))
        // (the VIP list is the join's build side: it is small, the users are not)
        Table {
            name: "users",
            sql: "SELECT id, name, city, street_address, phone_number, birth_number, user_name, \
                         administrative_unit, description, jobs, is_vip FROM ( \
                    SELECT u.id, u.name, u.city, u.street_address, u.phone_number, u.birth_number, \
                           u.user_name, u.administrative_unit, u.description, u.jobs, \
                           v.id IS NOT NULL AS is_vip, \
                           ROW_NUMBER() OVER (PARTITION BY u.id) AS copy \
                    FROM (SELECT DISTINCT id FROM bronze_vip WHERE id IS NOT NULL) v \
                    RIGHT JOIN bronze_users u ON u.id = v.id) \
                  WHERE copy = 1",
            partition: None,
        },
        // products.withColumn("id", col("id").cast("long")).dropDuplicates(["id"])
        Table {
            name: "products",
            sql: "SELECT id, name, description, price, pages FROM ( \
                    SELECT id, name, description, price, pages, \
                           ROW_NUMBER() OVER (PARTITION BY id) AS copy FROM bronze_products) \
                  WHERE copy = 1",
            partition: None,
        },
        // orders: orderId, userId, orderDate, orderValue as order_id, user_id, order_date, order_value
        Table {
            name: "orders",
            sql: concat!(
                "SELECT order_id, user_id, order_date, order_value FROM ( \
                   SELECT \"orderId\" AS order_id, \"userId\" AS user_id, ",
                utc!("\"orderDate\""),
                " AS order_date, \"orderValue\" AS order_value, \
                   ROW_NUMBER() OVER (PARTITION BY \"orderId\") AS copy FROM bronze_orders) \
                 WHERE copy = 1"
            ),
            partition: None,
        },
        // items: orderId, rowId, productId as order_id, row_id (int), product_id
        Table {
            name: "items",
            sql: "SELECT order_id, row_id, product_id FROM ( \
                    SELECT \"orderId\" AS order_id, \"rowId\" AS row_id, \"productId\" AS product_id, \
                           ROW_NUMBER() OVER (PARTITION BY \"orderId\", \"rowId\") AS copy FROM bronze_items) \
                  WHERE copy = 1",
            partition: None,
        },
        // pageviews.where(user_id IS NOT NULL).dropDuplicates(["event_id"])
        //          .withColumn("event_time", to_timestamp).withColumn("event_date", to_date(event_time))
        Table {
            name: "pageviews",
            sql: concat!(
                "SELECT event_id, user_id, http_method, uri, client_ip, user_agent, latency, event_time, \
                        CAST(event_time AS DATE) AS event_date FROM ( \
                   SELECT event_id, user_id, http_method, uri, client_ip, user_agent, \
                          CAST(latency AS DOUBLE) AS latency, ",
                utc!("to_timestamp(event_time)"),
                " AS event_time, ROW_NUMBER() OVER (PARTITION BY event_id) AS copy \
                   FROM bronze_pageviews WHERE user_id IS NOT NULL) \
                 WHERE copy = 1"
            ),
            partition: Some("event_date"),
        },
        // stars: the same, with stars as int
        Table {
            name: "stars",
            sql: concat!(
                "SELECT event_id, user_id, stars, event_time, CAST(event_time AS DATE) AS event_date FROM ( \
                   SELECT event_id, user_id, CAST(stars AS INT) AS stars, ",
                utc!("to_timestamp(event_time)"),
                " AS event_time, ROW_NUMBER() OVER (PARTITION BY event_id) AS copy \
                   FROM bronze_stars WHERE user_id IS NOT NULL) \
                 WHERE copy = 1"
            ),
            partition: Some("event_date"),
        },
        // alerts (dropDuplicates event_id) inner-joined with the users' fields
        Table {
            name: "latency_alerts_users",
            sql: concat!(
                "SELECT a.event_id, a.user_id, u.name, u.user_name, u.city, u.administrative_unit, \
                        u.phone_number, a.uri, a.latency, a.event_time, CAST(a.event_time AS DATE) AS event_date \
                 FROM ( \
                   SELECT event_id, user_id, uri, CAST(latency AS DOUBLE) AS latency, ",
                utc!("to_timestamp(event_time)"),
                " AS event_time, ROW_NUMBER() OVER (PARTITION BY event_id) AS copy \
                   FROM latency_alerts WHERE user_id IS NOT NULL) a \
                 JOIN silver_users u ON a.user_id = u.id \
                 WHERE a.copy = 1"
            ),
            partition: Some("event_date"),
        },
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The notebook's table names, columns and partitions, read from its text: a table or a
    /// column renamed on either side fails here.
    #[test]
    fn every_table_has_the_notebooks_name_and_columns() {
        let notebook = include_str!("../../../terraform/modules/databricks/notebooks/silver.py");
        let schemas = notebook
            .split("SCHEMAS = {")
            .nth(1)
            .expect("SCHEMAS")
            .split("\n}\n")
            .next()
            .expect("end");
        for table in Table::ALL {
            let block = schemas
                .split(&format!("\"{}\": [", table.name))
                .nth(1)
                .unwrap_or_else(|| panic!("{} not in the notebook", table.name));
            let block = block.split("],\n").next().expect("block");
            let columns: Vec<&str> = block
                .split("(\"")
                .skip(1)
                .map(|c| c.split('"').next().expect("name"))
                .collect();
            let select = table
                .sql
                .split(" FROM")
                .next()
                .expect("select")
                .replace("SELECT", "");
            let ours: Vec<String> = select
                .split(',')
                .map(|c| {
                    c.split_whitespace()
                        .last()
                        .expect("column")
                        .trim_start_matches("a.")
                        .trim_start_matches("u.")
                        .to_owned()
                })
                .collect();
            assert_eq!(ours, columns, "{}", table.name);
            if let Some(p) = table.partition {
                assert!(
                    notebook.contains(&format!("\"{}\": \"{p}\"", table.name)),
                    "{}",
                    table.name
                );
            }
        }
    }
}
