#!/usr/bin/env bash
# The local silver job against a plain Parquet write of the same rows (issue 17): users,
# products, orders and items are generated (SQLite, the directory lake), then
# playground-silver copies orders and items to bronze and writes every silver Delta table,
# under /usr/bin/time on one core (taskset); the example plain_parquet writes the copied
# orders and items again as plain Parquet. Reported: rows/s per CPU-second, peak memory.
# Knobs: BENCH_SILVER_ORDERS (1,000,000), BENCH_SILVER_USERS (100,000),
# BENCH_SILVER_MEMORY_MB (SILVER_MEMORY_MB, 512).
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
orders=${BENCH_SILVER_ORDERS:-1000000}
users=${BENCH_SILVER_USERS:-100000}
command -v /usr/bin/time >/dev/null || { echo "bench/silver.sh needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
one_core=()
command -v taskset >/dev/null && one_core=(taskset -c 0)

"$CARGO" build --release --locked --quiet -p playground-users -p playground-products -p playground-orders -p playground-items
"$CARGO" build --release --locked --quiet -p playground-silver --bins --examples

export SEED=42 USERS_COUNT=$users PRODUCTS_COUNT=10000 ORDERS_COUNT=$orders LOG_FORMAT=json
export SILVER_MEMORY_MB=${BENCH_SILVER_MEMORY_MB:-512}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PLAYGROUND_DATA=$work TMPDIR=$work

COUNT=$users target/release/playground-users 2> "$work/users.log"
COUNT=10000 target/release/playground-products 2> "$work/products.log"
COUNT=$orders target/release/playground-orders 2> "$work/orders.log"
COUNT=$orders target/release/playground-items 2> "$work/items.log"

/usr/bin/time -f '%U %S %e %M' -o "$work/silver.time" \
  "${one_core[@]}" target/release/playground-silver 2> "$work/silver.log"
copied=$(grep '"copied"' "$work/silver.log" | jq -s 'map(.rows) | add')
rows=$((copied * 2 + users + 10000)) # copied once to bronze, written once to silver; users, products
read -r u s wall peak < "$work/silver.time"
cpu=$(echo "$u + $s" | bc -l)
plain=$("${one_core[@]}" target/release/examples/plain_parquet "$work/lake/bronze/orders/orders.parquet" "$work/lake/bronze/items/items.parquet")
plain_rate=$(echo "$plain" | jq -r .rows_per_s)
rate=$(echo "$rows / $cpu" | bc -l)
printf '%d orders + items rows copied, %d users, one core, SILVER_MEMORY_MB=%s\n' "$copied" "$users" "$SILVER_MEMORY_MB"
printf '%-58s %12.0f rows/s per CPU-s (%.2f CPU-s, %.1f s wall, %.0f MB peak)\n' "playground-silver: copy + every silver table" "$rate" "$cpu" "$wall" "$(echo "$peak / 1024" | bc -l)"
printf '%-58s %12.0f rows/s\n' "baseline: the same orders and items, plain Parquet" "$plain_rate"
printf '%-58s %12.2f\n' "silver / plain Parquet" "$(echo "$rate / $plain_rate" | bc -l)"
