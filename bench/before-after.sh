#!/usr/bin/env bash
# Before and after, back to back (issue 18): the batch services of revision REV (default
# 7c137d0, the last commit before issue 18's work) against the current checkout's, both
# release builds, pinned to one core, alternated for BENCH_ROUNDS rounds from scratch. Prints
# each run, the best of each side with its CPU-seconds and peak memory, and whether both wrote
# the same data (SHA-256 of users.json, vip.json, and of both tables read back in key order).
#
# On these VMs the same work costs more when its memory was freed long ago (docs/decisions.md,
# issue 18), so the sides take turns instead of running one after the other.
set -euo pipefail
cd "$(dirname "$0")/.."
REV=${1:-7c137d0}
N=${BENCH_RECORDS:-1000000}
CORE=${BENCH_CORE:-0}
ROUNDS=${BENCH_ROUNDS:-3}
CARGO=${CARGO:-cargo}
command -v taskset >/dev/null || { echo "bench/before-after.sh: taskset (util-linux) is needed" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench/before-after.sh: /usr/bin/time (apt: time) is needed" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "bench/before-after.sh: sqlite3 is needed" >&2; exit 2; }

# The old revision in a worktree of its own with a target directory of its own, kept between
# runs (a release build of the three services takes minutes).
old=${BEFORE_DIR:-${TMPDIR:-/tmp}/playground-before-$REV}
if [ ! -d "$old" ]; then git worktree add --detach "$old" "$REV" >/dev/null; fi
services=(-p playground-users -p playground-orders -p playground-items)
(cd "$old" && CARGO_TARGET_DIR="$old/target" $CARGO build --release --locked --quiet "${services[@]}")
$CARGO build --release --locked --quiet "${services[@]}"

work=$(mktemp -d "${TMPDIR:-/tmp}/before-after.XXXXXX")
trap 'rm -rf "$work"' EXIT
# run SIDE NAME ENV... BIN: one pinned run, appended to $work/runs as "SIDE NAME wall cpu kb".
run() {
  local side=$1 name=$2; shift 2
  taskset -c "$CORE" /usr/bin/time -f "%e %U %S %M" -o "$work/t" env LOG_LEVEL=warn "$@" > /dev/null
  read -r wall user sys kb < "$work/t"
  echo "$side $name $wall $(python3 -c "print(round($user + $sys, 2))") $kb" | tee -a "$work/runs"
}
sync
for _ in $(seq "$ROUNDS"); do
  for side in before after; do
    bin=target/release
    [ "$side" = before ] && bin=$old/target/release
    data=$work/$side
    rm -rf "$data"
    run "$side" users PLAYGROUND_DATA="$data" COUNT="$N" VIP_COUNT=1000 "$bin/playground-users"
    run "$side" orders PLAYGROUND_DATA="$data" COUNT="$N" "$bin/playground-orders"
    run "$side" items PLAYGROUND_DATA="$data" ORDERS_COUNT="$N" "$bin/playground-items"
  done
done

digest() { sha256sum | cut -c1-16; }
for side in before after; do
  data=$work/$side
  echo "$side" \
    "$(digest < "$data/lake/bronze/users/users.json")" \
    "$(digest < "$data/lake/bronze/users/vip.json")" \
    "$(sqlite3 -csv "$data/orders.sqlite" 'select * from orders order by orderId' | digest)" \
    "$(sqlite3 -csv "$data/orders.sqlite" 'select * from items order by orderId, rowId' | digest)"
done > "$work/digests"
rows=$(sqlite3 "$work/after/orders.sqlite" "select (select count(*) from orders) + (select count(*) from items)")

python3 - "$work/runs" "$work/digests" "$N" "$rows" "$REV" "$CORE" "$ROUNDS" <<'PY'
import sys
runs, digests, n, rows, rev, core, rounds = sys.argv[1:]
n, rows = int(n), int(rows)
best = {}
for line in open(runs):
    side, name, wall, cpu, kb = line.split()
    wall, cpu, mb = float(wall), float(cpu), int(kb) / 1024
    key = (side, name)
    peak = max(mb, best[key][2]) if key in best else mb
    if key not in best or wall < best[key][0]:
        best[key] = (wall, cpu, peak)
    best[key] = (best[key][0], best[key][1], peak)
def side(s):
    u = best[(s, "users")]
    o, i = best[(s, "orders")], best[(s, "items")]
    return u, (o[0] + i[0], o[1] + i[1], max(o[2], i[2]))
print(f"\nbefore ({rev}) and after (this checkout), core {core}, {n:,} records, best of {rounds} alternated rounds")
print(f"  {'path':<26} {'side':<7} {'wall s':>7} {'CPU s':>7} {'per wall s':>12} {'per CPU s':>12} {'peak MB':>8}")
result = {}
for s in ("before", "after"):
    users, tables = side(s)
    result[s] = (users, tables)
    for label, (wall, cpu, mb), count in (("users -> users.json", users, n), ("orders + items -> SQLite", tables, rows)):
        print(f"  {label:<26} {s:<7} {wall:>7.2f} {cpu:>7.2f} {count / wall:>12,.0f} {count / cpu:>12,.0f} {mb:>8.1f}")
(bu, bt), (au, at) = result["before"], result["after"]
print(f"  after / before: users {bu[0] / au[0]:.2f}x per wall s, {bu[1] / au[1]:.2f}x per CPU s; "
      f"orders + items {bt[0] / at[0]:.2f}x, {bt[1] / at[1]:.2f}x")
d = [line.split() for line in open(digests)]
same = d[0][1:] == d[1][1:]
print(f"  data (SHA-256 of users.json, vip.json, orders, items): {'the same' if same else 'DIFFERENT'}  {' '.join(d[1][1:])}")
sys.exit(0 if same else 1)
PY
