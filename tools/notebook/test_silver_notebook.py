"""The Databricks silver notebook (terraform/modules/databricks/notebooks/silver.py) on a local
Spark, against a bronze laid out from the services' real output as Data Factory and Stream
Analytics write it (bronze.py).

The six services run on the embedded default with small counts (binaries from $PLAYGROUND_BIN,
default target/debug); their output is converted to bronze; the notebook runs unchanged except
that Delta is read and written as Parquet (run_notebook.py: the Delta jars cannot be had
offline). Every silver table is then checked against the services' output: the rows are the
distinct source rows, keys are unique, VIPs are flagged, and the columns and types are those
the notebook declares in SCHEMAS.

Run: make check-notebook (or: target/venv-spark/bin/pytest tools/notebook).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

# PySpark turns timestamps into naive datetimes in the process's zone; compare in UTC, the
# notebook's session zone.
os.environ["TZ"] = "UTC"
time.tzset()

import bronze as bronze_layout  # noqa: E402
from run_notebook import local_spark, run_notebook  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "terraform" / "modules" / "databricks" / "notebooks" / "silver.py"
BIN = Path(os.environ.get("PLAYGROUND_BIN") or REPO / "target" / "debug")

USERS, VIPS, PRODUCTS, ORDERS = 2000, 50, 200, 5000
HIGH_LATENCY_MS = 2000  # terraform/variables.tf high_latency_ms, the query's threshold
# The streams replay six minutes of event time across an hour boundary (two hours of folders):
# the same events on every run, so playground-verify can check the notebook's tables against
# the answer keys (test_playground_verify_agrees).
REPLAY_FROM, REPLAY_UNTIL = "2026-12-01T09:57:00Z", "2026-12-01T10:03:00Z"
STREAM_FAULTS = {"DUPLICATE_FRACTION": "0.2", "LATE_FRACTION": "0.05"}
STREAM = {"SESSIONS_PER_SECOND": "5", "REPLAY_FROM": REPLAY_FROM, "REPLAY_UNTIL": REPLAY_UNTIL, **STREAM_FAULTS}


def service(name: str, data: Path, **settings: str) -> subprocess.Popen:
    binary = BIN / f"playground-{name}"
    if not binary.is_file():
        pytest.fail(f"{binary} is missing: build the services (make check-notebook does) or set PLAYGROUND_BIN")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PLAYGROUND_DATA": str(data), "SEED": "42", **settings}
    return subprocess.Popen([str(binary)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(proc: subprocess.Popen, name: str) -> None:
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, f"playground-{name} exited {proc.returncode}:\n{out}"


@pytest.fixture(scope="session")
def data(tmp_path_factory) -> Path:
    """The six services' embedded output: lake/, orders.sqlite, events/."""
    data = tmp_path_factory.mktemp("playground-data")
    started = time.monotonic()
    counts = {"USERS_COUNT": str(USERS), "PRODUCTS_COUNT": str(PRODUCTS)}
    streams = [
        ("pageviews", service("pageviews", data, **counts, **STREAM)),
        ("stars", service("stars", data, USERS_COUNT=str(USERS), **STREAM)),
    ]
    finish(service("users", data, COUNT=str(USERS), VIP_COUNT=str(VIPS)), "users")
    finish(service("products", data, COUNT=str(PRODUCTS)), "products")
    finish(service("orders", data, COUNT=str(ORDERS), USERS_COUNT=str(USERS)), "orders")
    finish(service("items", data, ORDERS_COUNT=str(ORDERS), PRODUCTS_COUNT=str(PRODUCTS)), "items")
    for name, proc in streams:
        finish(proc, name)
    print(f"services: {time.monotonic() - started:.1f} s")
    return data


@pytest.fixture(scope="session")
def source(data: Path) -> dict:
    """What silver must hold, read from the services' output directly (not from bronze)."""
    lake = data / "lake" / "bronze"
    users = [json.loads(line)["id"] for line in (lake / "users" / "users.json").read_text().splitlines() if line]
    vips = [json.loads(line)["id"] for line in (lake / "users" / "vip.json").read_text().splitlines() if line]
    products = [json.loads(p.read_text())["id"] for p in (lake / "products").glob("product_*.json")]
    db = sqlite3.connect(data / "orders.sqlite")
    orders = [r[0] for r in db.execute("SELECT orderId FROM orders")]
    items = db.execute("SELECT orderId, rowId FROM items").fetchall()
    first_order = db.execute("SELECT orderDate FROM orders WHERE orderId = 0").fetchone()[0]
    db.close()
    events = {}
    for stream in ("pageviews", "stars"):
        sent = [e for _, e in bronze_layout.capture_events(data, stream)]
        events[stream] = {"sent": len(sent), "ids": {e["event_id"] for e in sent if e.get("user_id") is not None}}
    return {
        "users": set(users),
        "user_lines": len(users),
        "vips": set(vips),
        "products": set(products),
        "orders": set(orders),
        "items": set(items),
        "first_order": first_order,
        "events": events,
    }


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    session = local_spark(tmp_path_factory.mktemp("spark"))
    yield session
    session.stop()


@pytest.fixture(scope="session")
def lake(tmp_path_factory) -> Path:
    """One lake as in Azure: the bronze container, and in silver Stream Analytics' outputs
    (`stream-analytics/`) beside the notebook's tables (`tables/`)."""
    return tmp_path_factory.mktemp("lake")


@pytest.fixture(scope="session")
def bronze(data: Path, lake: Path) -> Path:
    root = lake / "bronze"
    root.mkdir()
    files = bronze_layout.lay_out(data, root)
    assert files["pageviews"] >= 4 and files["stars"] >= 1, files
    return root


@pytest.fixture(scope="session")
def asa_silver(data: Path, lake: Path) -> tuple[Path, set]:
    """Stream Analytics' silver latency alerts, and their event ids."""
    root = lake / "silver" / "stream-analytics"
    root.mkdir(parents=True)
    return root, bronze_layout.write_alerts(data, root, HIGH_LATENCY_MS)


@pytest.fixture(scope="session")
def notebook(bronze: Path, asa_silver, spark, lake: Path) -> dict:
    """Runs the notebook once; its globals (SCHEMAS, KEYS, ...) and where silver went."""
    silver = lake / "silver" / "tables"
    silver.mkdir(parents=True)
    started = time.monotonic()
    params = {"bronze": str(bronze), "silver": str(silver), "stream_analytics_silver": str(asa_silver[0])}
    namespace = run_notebook(NOTEBOOK, spark, params)
    print(f"notebook: {time.monotonic() - started:.1f} s")
    namespace["silver_root"] = silver
    return namespace


def table(spark, notebook: dict, name: str):
    return spark.read.parquet(str(notebook["silver_root"] / name))


def check_table(spark, notebook: dict, name: str, expected_keys: set) -> list:
    """Declared columns and types, unique keys, exactly the expected keys; returns the rows."""
    df = table(spark, notebook, name)
    assert [(f.name, f.dataType.simpleString()) for f in df.schema.fields] == notebook["SCHEMAS"][name]
    keys = notebook["KEYS"][name]
    rows = df.collect()
    got = [tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]] for r in rows]
    assert len(got) == len(set(got)), f"{name}: duplicate keys"
    assert set(got) == expected_keys, f"{name}: {len(got)} rows, {len(expected_keys)} expected"
    print(f"silver {name}: {len(rows)} rows")
    return rows


def test_plain_read_of_stream_analytics_output_finds_no_schema(spark, bronze: Path):
    """The layout reproduces what the notebook met on Spark: {date}/{time} folders are not
    key=value partitions, and a plain read of the output root fails."""
    hours = list((bronze / "stream-analytics" / "pageviews").glob("[0-9]" * 4 + "/*/*/*"))
    assert hours and all(h.is_dir() for h in hours)
    with pytest.raises(Exception, match="UNABLE_TO_INFER_SCHEMA"):
        spark.read.parquet(str(bronze / "stream-analytics" / "pageviews") + "/").schema


def test_users(spark, notebook, source):
    assert source["user_lines"] == USERS == len(source["users"])
    rows = check_table(spark, notebook, "users", source["users"])
    assert len(source["vips"]) == VIPS
    assert {r["id"] for r in rows if r["is_vip"]} == source["vips"]
    assert all(len(r["jobs"]) == 3 and r["name"] for r in rows)


def test_products(spark, notebook, source):
    assert len(source["products"]) == PRODUCTS
    rows = check_table(spark, notebook, "products", source["products"])
    assert all(len(r["pages"]) == 3 and r["price"] > 0 for r in rows)


def test_orders(spark, notebook, source):
    assert source["orders"] == set(range(ORDERS))
    rows = check_table(spark, notebook, "orders", source["orders"])
    first = next(r for r in rows if r["order_id"] == 0)
    # Data Factory's INT96 timestamp comes back as the SQL value, in UTC.
    assert first["order_date"].isoformat(sep=" ") == source["first_order"].replace("T", " ")
    assert all(0 <= r["user_id"] < USERS for r in rows)


def test_items(spark, notebook, source):
    rows = check_table(spark, notebook, "items", source["items"])
    assert len(rows) > ORDERS
    assert {r["order_id"] for r in rows} == source["orders"]
    assert all(0 <= r["product_id"] < PRODUCTS for r in rows)


@pytest.mark.parametrize("stream", ["pageviews", "stars"])
def test_events(spark, notebook, source, stream):
    events = source["events"][stream]
    # Duplicate sends reached bronze, so dropping them is exercised.
    assert events["sent"] > len(events["ids"]) > 0, events["sent"]
    print(f"{stream}: {events['sent']} sent, {len(events['ids'])} distinct")
    rows = check_table(spark, notebook, stream, events["ids"])
    assert all(r["event_time"] is not None and r["event_date"] == r["event_time"].date() for r in rows)
    if stream == "stars":
        assert {r["stars"] for r in rows} <= {1, 2, 3, 4, 5}


def test_latency_alerts_users(spark, notebook, data, asa_silver):
    """Issue 13: the alerts enriched with the user's fields, built here because Stream Analytics
    cannot load 5 million users as reference data. Every alert with an existing user, once, with
    exactly that user's fields."""
    users = {}
    for line in (data / "lake" / "bronze" / "users" / "users.json").read_text().splitlines():
        if line:
            u = json.loads(line)
            users[u["id"]] = u
    alerts = {}
    for _, e in bronze_layout.capture_events(data, "pageviews"):
        if e["event_id"] in asa_silver[1] and e.get("user_id") in users:
            alerts[e["event_id"]] = e
    assert alerts, "the stream sent no pageview above the threshold: raise RUN_SECONDS"
    rows = check_table(spark, notebook, "latency_alerts_users", set(alerts))
    for r in rows:
        u, e = users[r["user_id"]], alerts[r["event_id"]]
        assert r["user_id"] == e["user_id"] and r["latency"] == e["latency"] and r["uri"] == e["uri"]
        for field in ("name", "user_name", "city", "administrative_unit", "phone_number"):
            assert r[field] == u[field], (field, r, u)


def test_tables_registered(spark, notebook):
    """The notebook's last cell registers every table (here in the local catalog). A Parquet
    table's partitions are found by a repair, which a Delta table does not need."""
    for name in notebook["SCHEMAS"]:
        if name in notebook["PARTITIONS"]:
            spark.catalog.recoverPartitions(f"playground.{name}")
        assert spark.table(f"playground.{name}").count() == table(spark, notebook, name).count()


def test_playground_verify_agrees(notebook, lake: Path):
    """Issue 16: playground-verify reads what Spark really wrote (the notebook's Parquet tables,
    INT96 timestamps, `event_date=` partition folders) and the Stream Analytics layout, and
    finds every table and output equal to the answer keys for the replayed range, duplicates
    and late events explained. The range ends LATE_MAX_SECONDS (60 s) before the replay's end,
    so that every event in it was sent within the replay."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LAKE_URL": f"file://{lake}",
        "SEED": "42",
        "USERS_COUNT": str(USERS),
        "VIP_COUNT": str(VIPS),
        "PRODUCTS_COUNT": str(PRODUCTS),
        "ORDERS_COUNT": str(ORDERS),
        "SESSIONS_PER_SECOND": STREAM["SESSIONS_PER_SECOND"],
        "HIGH_LATENCY_MS": str(HIGH_LATENCY_MS),
        "VERIFY_FROM": REPLAY_FROM,
        "VERIFY_UNTIL": "2026-12-01T10:01:30Z",
        **STREAM_FAULTS,
    }
    out = subprocess.run([str(BIN / "playground-verify"), "--json"], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, f"playground-verify exited {out.returncode}:\n{out.stdout[-4000:]}\n{out.stderr[-4000:]}"
    report = json.loads(out.stdout)
    status = {o["output"]: (o["status"], o["found"]) for o in report["outputs"]}
    status |= {t["table"]: (t["status"], t["found"]) for t in report["tables"]}
    print("playground-verify:", status)
    compared = [
        "bronze-pageviews", "bronze-stars", "silver-latency-alerts", "latency_alerts_users",
        "tables/pageviews", "tables/stars", "tables/users", "tables/products", "tables/orders", "tables/items",
    ]
    for name in compared:
        assert name in status, (name, sorted(status))
        assert status[name][0] == "ok" and status[name][1] > 0, (name, status[name])
    explained = {o["output"]: (o["duplicates"], o["late"]) for o in report["outputs"]}
    assert explained["bronze-pageviews"][0] > 0, explained
