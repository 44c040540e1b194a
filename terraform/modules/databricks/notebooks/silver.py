# Databricks notebook source
# MAGIC %md
# MAGIC # Silver tier of the data playground
# MAGIC
# MAGIC Reads bronze and writes the silver Delta tables `users`, `products`, `orders`, `items`
# MAGIC and `pageviews` to `abfss://silver@<account>.dfs.core.windows.net/tables/<name>`, and
# MAGIC registers them in the schema `playground` of the workspace's default catalog when the
# MAGIC caller may create it. Run hourly by Data Factory after it copied orders and items to
# MAGIC bronze; safe to run again (every table is rewritten from bronze, duplicates dropped).
# MAGIC
# MAGIC Bronze, as the services, Data Factory and Stream Analytics write it:
# MAGIC - `users/users.json` (JSON lines), `users/vip.json` (JSON lines of `{"id": N}`)
# MAGIC - `products/product_{id}.json` (one object per file)
# MAGIC - `orders/*.parquet`, `items/*.parquet` (Data Factory copies of the SQL tables)
# MAGIC - `stream-analytics/pageviews/**` (Parquet, from Stream Analytics)

# COMMAND ----------

dbutils.widgets.text("storage_account", "", "Storage account of the lake")  # noqa: F821
account = dbutils.widgets.get("storage_account")  # noqa: F821
if not account:
    raise ValueError("set the storage_account parameter (Data Factory passes it)")

bronze = f"abfss://bronze@{account}.dfs.core.windows.net"
silver = f"abfss://silver@{account}.dfs.core.windows.net/tables"

from pyspark.sql import functions as F  # noqa: E402

# COMMAND ----------

# Users with their VIP flag. users.json may also arrive as shard parts (users.part-*.json).
users = spark.read.json(f"{bronze}/users/users*.json")  # noqa: F821
vip = spark.read.json(f"{bronze}/users/vip.json").select(F.col("id").cast("long").alias("id"))  # noqa: F821
users = (
    users.withColumn("id", F.col("id").cast("long"))
    .dropDuplicates(["id"])
    .join(vip.withColumn("is_vip", F.lit(True)), "id", "left")
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

# Pageviews: at-least-once delivery and DUPLICATE_FRACTION send some twice with the same
# event_id; keep one. Events missing a user are dropped; a missing client_ip stays null.
pageviews = (
    spark.read.parquet(f"{bronze}/stream-analytics/pageviews/")  # noqa: F821
    .withColumn("event_time", F.to_timestamp("event_time"))
    .withColumn("user_id", F.col("user_id").cast("long"))
    .withColumn("latency", F.col("latency").cast("double"))
    .where(F.col("user_id").isNotNull())
    .dropDuplicates(["event_id"])
    .withColumn("event_date", F.to_date("event_time"))
)

# COMMAND ----------

tables = {
    "users": (users, None),
    "products": (products, None),
    "orders": (orders, None),
    "items": (items, None),
    "pageviews": (pageviews, "event_date"),
}
for name, (df, partition) in tables.items():
    writer = df.write.format("delta").mode("overwrite").option("overwriteSchema", "true")
    if partition:
        writer = writer.partitionBy(partition)
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
