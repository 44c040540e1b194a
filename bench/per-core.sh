#!/usr/bin/env bash
# Per-core efficiency of the batch services (issue 18). Every path runs pinned to one core
# (taskset -c $BENCH_CORE) with wall time, CPU-seconds (user + sys) and peak memory, beside its
# own limit measured in the same run on the same core:
#   users -> users.json        against the service's own rendering alone (generate + JSON,
#                              examples/render_only.rs) and a plain sequential write of the
#                              same bytes (dd in 64 KiB pieces, with one fsync);
#   orders + items -> SQLite   against SQLite alone (the same rows, generated beforehand,
#                              the backend's own statements in one transaction; its wall
#                              time and CPU-seconds), and against
#                              generation + SQLite alone: on one core a service does both, so
#                              that sum is its limit, and SQLite alone over it is the ratio to
#                              SQLite alone such a service can expect;
#   users -> Azurite           against the directory backend, and the same bytes put into
#                              Azurite by a minimal client (bench/azurite_minimal_client.py).
#                              Azurite runs on the other core, so it is not charged to ours;
#                              its own CPU-seconds during each run are reported beside them.
#   users on one core          against the Python version's Faker loop on the same core
#                              (bench/python_baseline.py, pip package faker; skipped without it).
# The local paths run BENCH_REPEAT (3) times from scratch and the fastest run of each counts.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_RECORDS:-1000000}
CORE=${BENCH_CORE:-0}
OTHER=${BENCH_OTHER_CORE:-1}
REPEAT=${BENCH_REPEAT:-3}
BIN=target/release
CARGO=${CARGO:-cargo}
work=$(mktemp -d "${TMPDIR:-/tmp}/per-core.XXXXXX")
trap 'rm -rf "$work"' EXIT
command -v taskset >/dev/null || { echo "bench/per-core.sh: taskset (util-linux) is needed" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench/per-core.sh: /usr/bin/time (apt: time) is needed" >&2; exit 2; }

for s in users orders items; do $CARGO build --release --locked --quiet -p "playground-$s"; done
$CARGO build --release --locked --quiet -p playground-users --example render_only
# SQLite alone: built now and run below pinned, as its own executable.
sqlite_bin=$($CARGO bench --locked -p playground-sinks --bench sqlite_baseline --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json, sys; print([j["executable"] for j in map(json.loads, sys.stdin) if j.get("executable")][-1])')

# measure NAME CMD... : runs CMD pinned, appends "NAME wall user sys peak_kb" to $work/runs.
measure() {
  local name=$1; shift
  taskset -c "$CORE" /usr/bin/time -f "%e %U %S %M" -o "$work/$name.time" \
    env LOG_LEVEL=warn "$@" > "$work/$name.out"
  echo "$name $(cat "$work/$name.time")" >> "$work/runs"
}
data="$work/data"
users_json="$data/lake/bronze/users/users.json"

# The build's own writes are flushed first, so their writeback is not charged to the first run.
sync
# Each local path runs $REPEAT times from scratch; the report keeps each one's fastest run.
for _ in $(seq "$REPEAT"); do
  measure render COUNT="$N" VIP_COUNT=1000 target/release/examples/render_only
  rm -rf "$data/lake/bronze/users"
  measure users PLAYGROUND_DATA="$data" COUNT="$N" VIP_COUNT=1000 "$BIN/playground-users"
  # A plain write of the same bytes, 64 KiB at a time. Its CPU varies several-fold with how
  # long ago the memory it takes was freed (docs/decisions.md, issue 18): a rough bound.
  measure write dd if="$users_json" of="$work/copy.json" bs=64K conv=fsync status=none
  rm -f "$work/copy.json" "$data"/orders.sqlite*
  measure orders PLAYGROUND_DATA="$data" COUNT="$N" "$BIN/playground-orders"
  measure items PLAYGROUND_DATA="$data" ORDERS_COUNT="$N" "$BIN/playground-items"
done
rows=$(sqlite3 "$data/orders.sqlite" "select (select count(*) from orders) + (select count(*) from items)")
# SQLite alone, as often as the services ran and its fastest run kept, like theirs (one run
# of it moved between 1.75 and 2.14 M rows/s from one bench to the next).
# The same with one row per statement: SQLite alone as the issue measured it when it set the
# targets, before the backend's many-row statements.
for _ in $(seq "$REPEAT"); do
  taskset -c "$CORE" env BENCH_ORDERS="$N" "$sqlite_bin" >> "$work/sqlite.out"
  taskset -c "$CORE" env BENCH_ORDERS="$N" BENCH_ROWS_PER_STATEMENT=1 "$sqlite_bin" >> "$work/sqlite1.out"
done
# best FILE KEY: the best of those runs' KEY (the highest rate, the shortest time).
best() { python3 -c 'import json,sys; v=[json.loads(l) for l in open(sys.argv[1])]; f=max if "rows_per" in sys.argv[2] else min; print(f(sum(j[k] for k in sys.argv[2].split("+")) for j in v))' "$work/$1" "$2"; }
sqlite_rate=$(best sqlite.out sqlite_rows_per_s)
sqlite_cpu_rate=$(best sqlite.out sqlite_rows_per_cpu_s)
sqlite1_rate=$(best sqlite1.out sqlite_rows_per_s)
sqlite1_cpu_rate=$(best sqlite1.out sqlite_rows_per_cpu_s)
# Generating the same rows, timed in the same process before its inserts (fastest run).
generate_s=$(best sqlite.out generate_orders_s+generate_items_s)
generate_cpu=$(best sqlite.out generate_cpu_s)

# Azurite on the other core, on a free port, in the work directory.
. bench/azurite.sh
start_azurite taskset -c "$OTHER"
# Azurite's CPU-seconds so far (user + sys of its process, all threads).
azurite_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$az_pid/stat"; }
# The service and the client cut users.json into the same blocks, three in flight.
per_block=1000
a0=$(azurite_cpu)
measure az-users PLAYGROUND_DATA="$work/az-data" COUNT="$N" VIP_COUNT=1000 BLOCK_RECORDS="$per_block" STORAGE_CONNECTION_STRING="$az_conn" "$BIN/playground-users"
a1=$(azurite_cpu)
measure az-client python3 bench/azurite_minimal_client.py "$az_endpoint" "$az_account" "$az_key" minimal users.json "$users_json" "$(( (N + per_block - 1) / per_block ))" 3
a2=$(azurite_cpu)
echo "azurite-users $(python3 -c "print(round($a1 - $a0, 2))")" >> "$work/azurite-cpu"
echo "azurite-client $(python3 -c "print(round($a2 - $a1, 2))")" >> "$work/azurite-cpu"

# The Python version's users loop (Faker) on the same core: the issue's 200x goal.
faker_rate=0
if python3 -c 'import faker' 2>/dev/null; then
  faker_rate=$(taskset -c "$CORE" python3 bench/python_baseline.py 20000 |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["users_per_s"])')
fi

python3 - "$N" "$rows" "$(stat -c %s "$users_json")" "$sqlite_rate" "$work/runs" "$CORE" "$REPEAT" "$work/azurite-cpu" "$faker_rate" "$generate_s" "$sqlite_cpu_rate" "$generate_cpu" "$sqlite1_rate" "$sqlite1_cpu_rate" <<'PY'
import sys
n, rows, size, sqlite_rate, runs, core, repeat, azurite, faker, generate_s, sqlite_cpu_rate, generate_cpu, sqlite1_rate, sqlite1_cpu_rate = sys.argv[1:]
n, rows, size, sqlite_rate, faker, generate_s = int(n), int(rows), int(size), float(sqlite_rate), float(faker), float(generate_s)
sqlite_cpu_rate, generate_cpu = float(sqlite_cpu_rate), float(generate_cpu)
sqlite1_rate, sqlite1_cpu_rate = float(sqlite1_rate), float(sqlite1_cpu_rate)
azurite_cpu = dict((k, float(v)) for k, v in (line.split() for line in open(azurite)))
r = {}
for line in open(runs):
    name, wall, user, sys_, kb = line.split()
    run = dict(wall=float(wall), cpu=float(user) + float(sys_), mb=int(kb) / 1024)
    top = max(run["mb"], r[name]["mb"]) if name in r else run["mb"]
    if name not in r or run["wall"] < r[name]["wall"]:
        r[name] = run
    r[name]["mb"] = top  # peak memory: the highest of all runs, not of the fastest

def row(label, name, count, unit):
    x = r[name]
    print(f"  {label:<34} {x['wall']:>7.2f} {x['cpu']:>7.2f}  {count / x['wall']:>12,.0f} {count / x['cpu']:>12,.0f} {unit:<7} {x['mb']:>7.1f}")
    return count / x["wall"]

print(f"per core: every path pinned to core {core}, {n:,} records, release build, best of {repeat} local runs")
print(f"  {'path':<34} {'wall s':>7} {'CPU s':>7}  {'per wall s':>12} {'per CPU s':>12} {'':<7} {'peak MB':>7}")
users = row("users -> users.json", "users", n, "users")
render = row("  limit: generate + JSON only", "render", n, "users")
write = row("  limit: write the bytes (dd, fsync)", "write", size / 1e6, "MB")
tables = rows / (r["orders"]["wall"] + r["items"]["wall"])
tables_cpu = rows / (r["orders"]["cpu"] + r["items"]["cpu"])
row("orders -> SQLite", "orders", n, "rows")
row("items -> SQLite", "items", rows - n, "rows")
print(f"  {'orders + items -> SQLite':<34} {rows / tables:>7.2f} {rows / tables_cpu:>7.2f}  {tables:>12,.0f} {tables_cpu:>12,.0f} rows")
print(f"  {'  limit: SQLite alone (best run)':<34} {rows / sqlite_rate:>7.2f} {rows / sqlite_cpu_rate:>7.2f}  {sqlite_rate:>12,.0f} {sqlite_cpu_rate:>12,.0f} rows")
print(f"  {'    the same, one row a statement':<34} {rows / sqlite1_rate:>7.2f} {rows / sqlite1_cpu_rate:>7.2f}  {sqlite1_rate:>12,.0f} {sqlite1_cpu_rate:>12,.0f} rows")
print(f"  {'  limit: generating the rows alone':<34} {generate_s:>7.2f} {generate_cpu:>7.2f}  {rows / generate_s:>12,.0f} {rows / generate_cpu:>12,.0f} rows")
both = rows / sqlite_rate + generate_s
both_cpu = rows / sqlite_cpu_rate + generate_cpu
print(f"  {'  limit: generation + SQLite alone':<34} {both:>7.2f} {both_cpu:>7.2f}  {rows / both:>12,.0f} {rows / both_cpu:>12,.0f} rows")
az = row("users -> Azurite", "az-users", n, "users")
client = row("  limit: minimal client, same bytes", "az-client", size / 1e6, "MB")
print()
def verdict(ok): return "met" if ok else "MISSED"
print(f"  users end to end / generate + JSON       {users / render:5.2f}   target >= 0.80  {verdict(users / render >= 0.8)}")
users_cpu = r["render"]["cpu"] / r["users"]["cpu"]
print(f"    the same per CPU-second                {users_cpu:5.2f}   (the rest of the wall time is the disk, at the final fsync)")
# The target (0.85) was set against SQLite alone with one row a statement, the statements the
# services used then. The backend now inserts many rows a statement, and SQLite alone with those
# is shown as well: there generation is a quarter of the work, and no longer small beside
# SQLite (docs/decisions.md, issue 18).
print(f"  orders + items / SQLite alone            {tables / sqlite1_rate:5.2f}   target >= 0.85  {verdict(tables / sqlite1_rate >= 0.85)}   (one row a statement, as when the target was set)")
print(f"    the same per CPU-second                {tables_cpu / sqlite1_cpu_rate:5.2f}   target >= 0.85  {verdict(tables_cpu / sqlite1_cpu_rate >= 0.85)}")
print(f"    SQLite alone with the backend's statements: {tables / sqlite_rate:4.2f}, {tables_cpu / sqlite_cpu_rate:4.2f} per CPU-s;  at most {rows / both / sqlite_rate:4.2f}, {rows / both_cpu / sqlite_cpu_rate:4.2f} per CPU-s for a service that generates its rows")
print(f"  orders + items / generation + SQLite     {tables * both / rows:5.2f}   {tables_cpu * both_cpu / rows:5.2f} per CPU-s   (1 or more: the services add nothing measurable to generating and inserting)")
client_users = client * 1e6 / size * n
# Azurite is the bound when it kept its own core busy while our client waited, and a client
# that generates nothing does not do much better.
busy_users = azurite_cpu["azurite-users"] / r["az-users"]["wall"]
busy_client = azurite_cpu["azurite-client"] / r["az-client"]["wall"]
bound = busy_users >= 0.9 and az / client_users >= 0.85
azurite_verdict = "met" if az / users >= 0.5 else ("Azurite is the bound (below)" if bound else "MISSED")
print(f"  users -> Azurite / directory backend     {az / users:5.2f}   target >= 0.50  {azurite_verdict}")
print(f"  minimal client -> Azurite / directory    {client_users / users:5.2f}   (the same bytes with nothing generated)")
print(f"  users -> Azurite / minimal client        {az / client_users:5.2f}")
print(f"  Azurite's core busy: during users {busy_users:5.0%}, during the client {busy_client:5.0%}   ({azurite_cpu['azurite-users']:.2f} and {azurite_cpu['azurite-client']:.2f} CPU-s)")
if faker:
    print(f"  users per CPU-s / Python Faker loop      {n / r['users']['cpu'] / faker:5.0f}x  goal >= 200x  {verdict(n / r['users']['cpu'] / faker >= 200)}   (Faker: {faker:,.0f} users/s on the same core)")
else:
    print("  users / Python Faker loop: skipped (pip install faker)")
peak = max(r[k]["mb"] for k in ("users", "orders", "items", "az-users"))
print(f"  peak memory of a batch service           {peak:5.1f} MB  target <= 50  {verdict(peak <= 50)}")
PY
