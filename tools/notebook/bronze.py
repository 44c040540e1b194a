"""Lay out a bronze container from the services' embedded output, as Azure would write it.

- users, products: the services write bronze themselves; copied as they are
  (`lake/bronze/users/*.json`, `lake/bronze/products/product_{id}.json`).
- orders, items: Data Factory's copy activity (terraform/modules/data_factory/main.tf) writes each
  SQL table to one snappy Parquet file, `orders/orders.parquet` and `items/items.parquet`, with
  the SQL column names and types (int as INT32, float as DOUBLE, datetime2 as an INT96
  timestamp, ADF's mapping for Parquet). Here the source is `orders.sqlite`.
- pageviews, stars: Stream Analytics' raw outputs (terraform/modules/stream_analytics) write
  the query's columns as Parquet under `stream-analytics/<stream>/{date}/{time}/` with date
  `yyyy/MM/dd` and time `HH` (plain folders), several blobs per folder named
  `{partition}_{guid}_{n}.parquet`. JSON integers become BIGINT and the RFC 3339 `event_time`
  stays a string, as Stream Analytics passes JSON through; duplicates are passed on. Here the
  source is the capture files `events/<stream>/{partition}/yyyy/mm/dd/hh/mm.json`, and the hour
  folder is the event's own `event_time` hour (UTC).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

# The columns each raw output selects (query.asaql: INTO [bronze-pageviews], [bronze-stars]).
STREAM_COLUMNS = {
    "pageviews": [
        ("user_id", pa.int64()),
        ("http_method", pa.string()),
        ("uri", pa.string()),
        ("client_ip", pa.string()),
        ("user_agent", pa.string()),
        ("latency", pa.int64()),
        ("event_time", pa.string()),
        ("event_id", pa.string()),
    ],
    "stars": [
        ("user_id", pa.int64()),
        ("stars", pa.int64()),
        ("event_time", pa.string()),
        ("event_id", pa.string()),
    ],
}


def copy_lake(data: Path, bronze: Path) -> None:
    for folder in ("users", "products"):
        shutil.copytree(data / "lake" / "bronze" / folder, bronze / folder, dirs_exist_ok=True)


def copy_tables(data: Path, bronze: Path) -> None:
    """Data Factory's hourly copy of orders and items."""
    db = sqlite3.connect(f"file:{data / 'orders.sqlite'}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT orderId, userId, orderDate, orderValue FROM orders ORDER BY orderId").fetchall()
        orders = pa.table(
            {
                "orderId": pa.array([r[0] for r in rows], pa.int32()),
                "userId": pa.array([r[1] for r in rows], pa.int32()),
                "orderDate": pa.array([datetime.fromisoformat(r[2]) for r in rows], pa.timestamp("us")),
                "orderValue": pa.array([r[3] for r in rows], pa.float64()),
            }
        )
        rows = db.execute("SELECT orderId, rowId, productId FROM items ORDER BY orderId, rowId").fetchall()
        items = pa.table({name: pa.array([r[i] for r in rows], pa.int32()) for i, name in enumerate(["orderId", "rowId", "productId"])})
    finally:
        db.close()
    for name, table in (("orders", orders), ("items", items)):
        (bronze / name).mkdir(parents=True, exist_ok=True)
        pq.write_table(table, bronze / name / f"{name}.parquet", compression="snappy", use_deprecated_int96_timestamps=True)


def capture_events(data: Path, stream: str) -> list[tuple[str, dict]]:
    """Every event line of a stream's capture files, with its partition, in file order."""
    events = []
    root = data / "events" / stream
    for file in sorted(root.glob("*/*/*/*/*/*.json")):
        partition = file.relative_to(root).parts[0]
        with file.open(encoding="utf-8") as f:
            events.extend((partition, json.loads(line)) for line in f if line.strip())
    return events


def write_stream(data: Path, bronze: Path, stream: str) -> int:
    """Stream Analytics' raw output of one stream; returns the number of files written."""
    columns = STREAM_COLUMNS[stream]
    schema = pa.schema(columns)
    blobs: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for partition, event in capture_events(data, stream):
        t = datetime.fromisoformat(event["event_time"].replace("Z", "+00:00"))
        blobs[(t.strftime("%Y/%m/%d/%H"), partition)].append(event)
    for (hour, partition), events in blobs.items():
        folder = bronze / "stream-analytics" / stream / hour
        folder.mkdir(parents=True, exist_ok=True)
        table = pa.table({c: pa.array([e.get(c) for e in events], t) for c, t in columns}, schema=schema)
        pq.write_table(table, folder / f"{partition}_{uuid.uuid4().hex}_1.parquet", compression="snappy")
    return len(blobs)


# query.asaql's alerts: `SELECT * INTO [silver-latency-alerts] FROM alerts`, where alerts selects
# these columns of the pageviews with latency above the threshold the template passes.
ALERT_COLUMNS = ["user_id", "http_method", "uri", "client_ip", "latency", "event_time", "event_id"]


def write_alerts(data: Path, silver: Path, high_latency_ms: int) -> set[str]:
    """Stream Analytics' silver output `latency_alerts/{date}/{time}/` (in the silver
    container's `stream-analytics` folder, here `silver`); returns the alerts' event ids."""
    columns = [(c, t) for c, t in STREAM_COLUMNS["pageviews"] if c in ALERT_COLUMNS]
    schema = pa.schema(columns)
    blobs: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for partition, event in capture_events(data, "pageviews"):
        if event["latency"] > high_latency_ms:
            t = datetime.fromisoformat(event["event_time"].replace("Z", "+00:00"))
            blobs[(t.strftime("%Y/%m/%d/%H"), partition)].append(event)
    for (hour, partition), events in blobs.items():
        folder = silver / "latency_alerts" / hour
        folder.mkdir(parents=True, exist_ok=True)
        table = pa.table({c: pa.array([e.get(c) for e in events], t) for c, t in columns}, schema=schema)
        pq.write_table(table, folder / f"{partition}_{uuid.uuid4().hex}_1.parquet", compression="snappy")
    return {e["event_id"] for events in blobs.values() for e in events}


def lay_out(data: Path, bronze: Path, streams: tuple[str, ...] = ("pageviews", "stars")) -> dict[str, int]:
    """The whole bronze container; returns the Parquet files written per stream."""
    copy_lake(data, bronze)
    copy_tables(data, bronze)
    return {stream: write_stream(data, bronze, stream) for stream in streams}
