# Databricks notebook source
# MAGIC %md
# MAGIC # Silver tier of the data playground
# MAGIC
# MAGIC Reads bronze and writes the silver Delta tables `users`, `products`, `orders`, `items`,
# MAGIC `pageviews`, `stars` and `latency_alerts_users` to
# MAGIC `abfss://silver@<account>.dfs.core.windows.net/tables/<name>`,
# MAGIC and registers them in the schema `playground` of the workspace's default catalog when the
# MAGIC caller may create it. Run hourly by Data Factory after it copied orders and items to
# MAGIC bronze; safe to run again (every table is rewritten from bronze, duplicates dropped).
# MAGIC Every table has exactly the columns and types of `SCHEMAS` below.
# MAGIC
# MAGIC Bronze, as the services, Data Factory and Stream Analytics write it:
# MAGIC - `users/users.json` (JSON lines), `users/vip.json` (JSON lines of `{"id": N}`)
# MAGIC - `products/product_{id}.json` (one object per file)
# MAGIC - `orders/orders.parquet`, `items/items.parquet` (Data Factory copies of the SQL tables)
# MAGIC - `stream-analytics/pageviews/yyyy/MM/dd/HH/*` and `stream-analytics/stars/yyyy/MM/dd/HH/*`
# MAGIC   (Parquet, from Stream Analytics: its `{date}/{time}` path pattern makes plain folders,
# MAGIC   not `key=value` partitions, so they are read with `recursiveFileLookup`)
# MAGIC
# MAGIC and Stream Analytics' silver output `stream-analytics/latency_alerts/yyyy/MM/dd/HH/*` (in
# MAGIC the silver container), which `latency_alerts_users` enriches with the users' fields. Stream
# MAGIC Analytics cannot do that join itself: 5 million users are far above the reference data
# MAGIC it can load (terraform/modules/stream_analytics/main.tf).
# MAGIC
# MAGIC Parameters: `storage_account` (Data Factory passes it), or `bronze`, `silver` and
# MAGIC `stream_analytics_silver` as root URLs of their own (any path Spark reads; the local test
# MAGIC passes directories).

# COMMAND ----------

dbutils.widgets.text("storage_account", "", "Storage account of the lake")  # noqa: F821
dbutils.widgets.text("bronze", "", "Bronze root URL (default: the account's bronze container)")  # noqa: F821
dbutils.widgets.text("silver", "", "Silver tables root URL (default: silver container, tables/)")  # noqa: F821
dbutils.widgets.text("stream_analytics_silver", "", "Stream Analytics' silver outputs (default: silver container, stream-analytics/)")  # noqa: F821
account = dbutils.widgets.get("storage_account")  # noqa: F821
bronze = dbutils.widgets.get("bronze") or (f"abfss://bronze@{account}.dfs.core.windows.net" if account else "")  # noqa: F821
silver = dbutils.widgets.get("silver") or (f"abfss://silver@{account}.dfs.core.windows.net/tables" if account else "")  # noqa: F821
asa_silver = dbutils.widgets.get("stream_analytics_silver") or (  # noqa: F821
    f"abfss://silver@{account}.dfs.core.windows.net/stream-analytics" if account else ""
)
if not (bronze and silver and asa_silver):
    raise ValueError("set the storage_account parameter (Data Factory passes it), or bronze, silver and stream_analytics_silver")
bronze = bronze.rstrip("/")
silver = silver.rstrip("/")
asa_silver = asa_silver.rstrip("/")

from pyspark.errors import AnalysisException  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

# Event times are UTC, as are Stream Analytics' {date}/{time} folders: event_date is a UTC date.
spark.conf.set("spark.sql.session.timeZone", "UTC")  # noqa: F821

# The silver tables: columns and types in order (the partition column last), the key that
# duplicates are dropped by, and the partition column.
SCHEMAS = {
    "users": [
        ("id", "bigint"), ("name", "string"), ("city", "string"), ("street_address", "string"),
        ("phone_number", "string"), ("birth_number", "string"), ("user_name", "string"),
        ("administrative_unit", "string"), ("description", "string"), ("jobs", "array<string>"),
        ("is_vip", "boolean"),
    ],
    "products": [
        ("id", "bigint"), ("name", "string"), ("description", "string"), ("price", "double"),
        ("pages", "array<string>"),
    ],
    "orders": [("order_id", "bigint"), ("user_id", "bigint"), ("order_date", "timestamp"), ("order_value", "double")],
    "items": [("order_id", "bigint"), ("row_id", "int"), ("product_id", "bigint")],
    "pageviews": [
        ("event_id", "string"), ("user_id", "bigint"), ("http_method", "string"), ("uri", "string"),
        ("client_ip", "string"), ("user_agent", "string"), ("latency", "double"),
        ("event_time", "timestamp"), ("event_date", "date"),
    ],
    "stars": [
        ("event_id", "string"), ("user_id", "bigint"), ("stars", "int"), ("event_time", "timestamp"),
        ("event_date", "date"),
    ],
    # query.asaql's latency alerts with the user's fields (the join Stream Analytics cannot do).
    "latency_alerts_users": [
        ("event_id", "string"), ("user_id", "bigint"), ("name", "string"), ("user_name", "string"),
        ("city", "string"), ("administrative_unit", "string"), ("phone_number", "string"),
        ("uri", "string"), ("latency", "double"), ("event_time", "timestamp"), ("event_date", "date"),
    ],
}
KEYS = {
    "users": ["id"],
    "products": ["id"],
    "orders": ["order_id"],
    "items": ["order_id", "row_id"],
    "pageviews": ["event_id"],
    "stars": ["event_id"],
    "latency_alerts_users": ["event_id"],
}
PARTITIONS = {"pageviews": "event_date", "stars": "event_date", "latency_alerts_users": "event_date"}


def conform(df, name):
    """df with exactly the declared columns of silver table `name`, cast to their types."""
    return df.select(*[F.col(c).cast(t).alias(c) for c, t in SCHEMAS[name]])


def read_stream_analytics(name, columns, root=None):
    """Stream Analytics' Parquet output `<root>/<name>/yyyy/MM/dd/HH/<blob>` (root: bronze's
    `stream-analytics` folder unless given).

    Spark infers partitions only from `key=value` folders and finds no files to infer a schema
    from in plain ones (UNABLE_TO_INFER_SCHEMA), so every file below is read. Before the job
    has written anything (a fresh deployment, no rating yet) the table is empty, not an error.
    """
    path = f"{root or f'{bronze}/stream-analytics'}/{name}/"
    try:
        return spark.read.option("recursiveFileLookup", "true").parquet(path)  # noqa: F821
    except AnalysisException as e:
        condition = e.getCondition() if hasattr(e, "getCondition") else e.getErrorClass()
        if condition not in ("PATH_NOT_FOUND", "UNABLE_TO_INFER_SCHEMA"):
            raise
        print(f"no Stream Analytics output under {path} yet ({condition}): {name} is empty")
        return spark.createDataFrame([], ", ".join(f"{c} string" for c in columns))  # noqa: F821


# COMMAND ----------

# Users with their VIP flag. users.json may also arrive as shard parts (users.part-*.json).
users = spark.read.json(f"{bronze}/users/users*.json")  # noqa: F821
vip = spark.read.json(f"{bronze}/users/vip.json").select(F.col("id").cast("long").alias("id"))  # noqa: F821
users = (
    users.withColumn("id", F.col("id").cast("long"))
    .dropDuplicates(["id"])
    .join(vip.dropDuplicates(["id"]).withColumn("is_vip", F.lit(True)), "id", "left")
    .withColumn("is_vip", F.coalesce(F.col("is_vip"), F.lit(False)))
)

# COMMAND ----------

products = (
    spark.read.option("multiLine", "true").json(f"{bronze}/products/product_*.json")  # noqa: F821
    .withColumn("id", F.col("id").cast("long"))
    .dropDuplicates(["id"])
)

# COMMAND ----------

orders = (
    spark.read.parquet(f"{bronze}/orders/")  # noqa: F821
    .select(
        F.col("orderId").cast("long").alias("order_id"),
        F.col("userId").cast("long").alias("user_id"),
        F.col("orderDate").cast("timestamp").alias("order_date"),
        F.col("orderValue").cast("double").alias("order_value"),
    )
    .dropDuplicates(["order_id"])
)

items = (
    spark.read.parquet(f"{bronze}/items/")  # noqa: F821
    .select(
        F.col("orderId").cast("long").alias("order_id"),
        F.col("rowId").cast("int").alias("row_id"),
        F.col("productId").cast("long").alias("product_id"),
    )
    .dropDuplicates(["order_id", "row_id"])
)

# COMMAND ----------

# Pageviews and stars: at-least-once delivery and DUPLICATE_FRACTION send some twice with the
# same event_id; keep one. Events missing a user are dropped; a missing client_ip stays null.
# event_time arrives as Stream Analytics passes the JSON through: an RFC 3339 string.
pageviews = (
    read_stream_analytics(
        "pageviews",
        ["user_id", "http_method", "uri", "client_ip", "user_agent", "latency", "event_time", "event_id"],
    )
    .where(F.col("user_id").isNotNull())
    .dropDuplicates(["event_id"])
    .withColumn("event_time", F.to_timestamp("event_time"))
    .withColumn("event_date", F.to_date("event_time"))
)

stars = (
    read_stream_analytics("stars", ["user_id", "stars", "event_time", "event_id"])
    .where(F.col("user_id").isNotNull())
    .dropDuplicates(["event_id"])
    .withColumn("event_time", F.to_timestamp("event_time"))
    .withColumn("event_date", F.to_date("event_time"))
)

# Alerts (query.asaql: latency above the template's threshold) with the user's fields. An
# inner join, as Stream Analytics' reference join was: an alert without a user has none.
alerts = (
    read_stream_analytics(
        "latency_alerts",
        ["user_id", "http_method", "uri", "client_ip", "latency", "event_time", "event_id"],
        root=asa_silver,
    )
    .where(F.col("user_id").isNotNull())
    .dropDuplicates(["event_id"])
    .withColumn("user_id", F.col("user_id").cast("long"))
    .withColumn("event_time", F.to_timestamp("event_time"))
    .withColumn("event_date", F.to_date("event_time"))
)
latency_alerts_users = alerts.join(
    users.select(
        F.col("id").alias("user_id"), "name", "user_name", "city", "administrative_unit", "phone_number"
    ),
    "user_id",
)

# COMMAND ----------

tables = {
    "users": users,
    "products": products,
    "orders": orders,
    "items": items,
    "pageviews": pageviews,
    "stars": stars,
    "latency_alerts_users": latency_alerts_users,
}
for name, df in tables.items():
    writer = conform(df, name).write.format("delta").mode("overwrite").option("overwriteSchema", "true")
    if name in PARTITIONS:
        writer = writer.partitionBy(PARTITIONS[name])
    writer.save(f"{silver}/{name}")
    print(f"silver {name}: {spark.read.format('delta').load(f'{silver}/{name}').count()} rows")  # noqa: F821

# COMMAND ----------

# Register the tables for the SQL warehouse, where the caller may create the schema.
try:
    spark.sql("CREATE SCHEMA IF NOT EXISTS playground")  # noqa: F821
    for name in tables:
        spark.sql(f"CREATE TABLE IF NOT EXISTS playground.{name} USING DELTA LOCATION '{silver}/{name}'")  # noqa: F821
except Exception as e:  # a missing privilege must not fail the pipeline: the data is written
    print(f"tables not registered ({e}); query them with delta.`{silver}/<name>`")
