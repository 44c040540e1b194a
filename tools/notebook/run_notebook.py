"""Run a Databricks Python notebook (source format) on a local PySpark, unchanged.

The notebook's own code runs as it is: this module only provides what Databricks would, a
`spark` session and `dbutils.widgets` answering with the given parameters, and, because the
Delta Lake jars cannot be downloaded here, reads and writes format "delta" as "parquet" (the
one swap: `.format("delta")` on readers and writers, `USING DELTA` in `spark.sql`).

    python tools/notebook/run_notebook.py NOTEBOOK bronze=DIR silver=DIR
"""

from __future__ import annotations

import contextlib
import re
import sys
from pathlib import Path


class Widgets:
    """dbutils.widgets: `text` declares a widget with its default, `get` answers the parameter
    passed for it (as Data Factory's baseParameters do), else that default."""

    def __init__(self, params: dict[str, str]):
        self.params = dict(params)
        self.defaults: dict[str, str] = {}

    def text(self, name: str, default: str = "", label: str | None = None) -> None:
        self.defaults[name] = default

    def get(self, name: str) -> str:
        if name in self.params:
            return self.params[name]
        if name in self.defaults:
            return self.defaults[name]
        raise ValueError(f"no widget named {name!r}")  # Databricks fails likewise


class DBUtils:
    def __init__(self, params: dict[str, str]):
        self.widgets = Widgets(params)


def local_spark(tmp: Path):
    """A small local session: two cores, few shuffle partitions, UTC like Databricks."""
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("silver-notebook")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(tmp / "warehouse"))
        .config("spark.local.dir", str(tmp / "spark-local"))
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={tmp / 'derby'}")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


class _DeltaAsParquetSession:
    """The session as the notebook sees it: `sql` with `USING DELTA` as `USING PARQUET`."""

    def __init__(self, spark):
        self._spark = spark

    def sql(self, query: str, *args, **kwargs):
        return self._spark.sql(re.sub(r"\bUSING\s+DELTA\b", "USING PARQUET", query, flags=re.I), *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._spark, name)


@contextlib.contextmanager
def delta_as_parquet():
    """While active, DataFrameReader/Writer.format("delta") means "parquet"."""
    from pyspark.sql.readwriter import DataFrameReader, DataFrameWriter

    def swap(original):
        def format(self, source):
            return original(self, "parquet" if source.lower() == "delta" else source)

        return format

    saved = DataFrameReader.format, DataFrameWriter.format
    DataFrameReader.format, DataFrameWriter.format = swap(saved[0]), swap(saved[1])
    try:
        yield
    finally:
        DataFrameReader.format, DataFrameWriter.format = saved


def run_notebook(path: Path, spark, params: dict[str, str]) -> dict:
    """Execute the notebook file as one Python program (its `# COMMAND ----------` cells in
    order; `# MAGIC` lines are comments) and return its globals."""
    source = Path(path).read_text(encoding="utf-8")
    namespace = {
        "__name__": "__notebook__",
        "__file__": str(path),
        "spark": _DeltaAsParquetSession(spark),
        "dbutils": DBUtils(params),
    }
    with delta_as_parquet():
        exec(compile(source, str(path), "exec"), namespace)
    return namespace


def main(argv: list[str]) -> int:
    if not argv or any("=" not in a for a in argv[1:]):
        print(__doc__, file=sys.stderr)
        return 2
    import tempfile

    params = dict(a.split("=", 1) for a in argv[1:])
    with tempfile.TemporaryDirectory(prefix="silver-notebook-") as tmp:
        spark = local_spark(Path(tmp))
        try:
            run_notebook(Path(argv[0]), spark, params)
        finally:
            spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
