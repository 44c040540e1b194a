#!/usr/bin/env bash
# End-to-end benchmark of the batch services on the embedded default, with the baselines
# measured in the same run: SQLite alone (same rows and statements, one transaction) and the
# Python version's loops (Faker). Prints rows/s, users/s, peak memory and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_RECORDS:-1000000}
BIN=target/release
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One build per service, as `make build` does: each binary links only its own backends.
for s in users orders items products; do cargo build --release --quiet -p "playground-$s"; done

measure() { # name, env..., binary -> prints seconds and peak KB
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" env PLAYGROUND_DATA="$work/data" LOG_LEVEL=warn "$@" >/dev/null
  read -r secs kb < "$work/$name.time"
  echo "$secs $kb"
}

read -r us ukb < <(measure users COUNT="$N" VIP_COUNT=1000 "$BIN/playground-users")
read -r os okb < <(measure orders COUNT="$N" "$BIN/playground-orders")
read -r is ikb < <(measure items ORDERS_COUNT="$N" "$BIN/playground-items")
read -r ps pkb < <(measure products COUNT="$N" "$BIN/playground-products")
# The same users, and 10,000 products, uploaded to Azurite (started here on a free port).
. bench/azurite.sh
start_azurite
read -r azus azukb < <(measure az-users COUNT="$N" VIP_COUNT=1000 STORAGE_CONNECTION_STRING="$az_conn" "$BIN/playground-users")
read -r azps azpkb < <(measure az-products COUNT=10000 STORAGE_CONNECTION_STRING="$az_conn" "$BIN/playground-products")

rows=$(sqlite3 "$work/data/orders.sqlite" "select (select count(*) from orders) + (select count(*) from items)")
bytes=$(stat -c %s "$work/data/lake/bronze/users/users.json")

peer=$(BENCH_ORDERS=200000 cargo bench --quiet -p playground-sinks --bench mssql_peer 2>/dev/null | tail -1)
peer_rate=$(echo "$peer" | python3 -c 'import json,sys; print(json.load(sys.stdin)["peer_rows_per_s"])')
sqlite=$(BENCH_ORDERS="$N" cargo bench --quiet -p playground-sinks --bench sqlite_baseline 2>/dev/null | tail -1)
sqlite_rate=$(echo "$sqlite" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sqlite_rows_per_s"])')

python3 - "$N" "$us" "$ukb" "$os" "$okb" "$is" "$ikb" "$ps" "$pkb" "$rows" "$bytes" "$sqlite_rate" "${PY_USERS:-0}" "$azus" "$azukb" "$azps" "$azpkb" "$peer_rate" <<'PY'
import sys
n, us, ukb, os_, okb, is_, ikb, ps, pkb, rows, size, sqlite, py, azus, azukb, azps, azpkb, peer = sys.argv[1:]
peer = float(peer)
azus, azps, azukb, azpkb = float(azus), float(azps), int(azukb), int(azpkb)
n, rows, size = int(n), int(rows), int(size)
us, os_, is_, ps = map(float, (us, os_, is_, ps))
ukb, okb, ikb, pkb = map(int, (ukb, okb, ikb, pkb))
sqlite, py = float(sqlite), float(py)
users_rate = n / us
table_rate = rows / (os_ + is_)
print(f"end to end on the embedded default, {n:,} records")
print(f"  users -> users.json       {users_rate:>12,.0f} users/s  ({size / us / 1e6:,.0f} MB/s)  peak {ukb / 1024:.1f} MB   target >= 300,000/s, <= 50 MB")
print(f"  orders + items -> SQLite  {table_rate:>12,.0f} rows/s   ({rows:,} rows)          peak {max(okb, ikb) / 1024:.1f} MB   target >= 1,500,000/s, <= 50 MB")
print(f"  products -> {n:,} files {n / ps:>10,.0f} files/s                        peak {pkb / 1024:.1f} MB   target <= 50 MB")
print(f"  users -> Azurite (blocks) {n / azus:>12,.0f} users/s  ({size / azus / 1e6:,.0f} MB/s)  peak {azukb / 1024:.1f} MB   = {us / azus:.2f}x the directory backend's rate")
print(f"  products -> Azurite        {10000 / azps:>10,.0f} files/s  (10,000 blobs)        peak {azpkb / 1024:.1f} MB")
print(f"  items -> SQL Server (TDS test peer, tiberius bulk, 4 connections) {peer:,.0f} rows/s = {peer / sqlite:.2f}x SQLite alone (client-side ceiling)")
print(f"  baseline: SQLite alone    {sqlite:>12,.0f} rows/s   pipeline = {table_rate / sqlite:.2f}x SQLite alone")
if py > 0:
    print(f"  baseline: Python Faker    {py:>12,.0f} users/s  users end to end = {users_rate / py:,.0f}x")
ok = users_rate >= 300_000 and table_rate >= 1_500_000 and max(ukb, okb, ikb, pkb) <= 50 * 1024
print("  targets:", "met" if ok else "MISSED")
PY
