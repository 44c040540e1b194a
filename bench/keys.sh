#!/usr/bin/env bash
# Answer keys against the services that generate the same data (issue 16): the pageviews and
# stars services replay one range into capture files (release binaries, real sink), then the
# keys of every stream output are computed over the same range; events/s of each and the ratio.
# Knobs: BENCH_KEYS_RATE (sessions/s, 10), BENCH_KEYS_HOURS (1).
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
rate=${BENCH_KEYS_RATE:-10}
hours=${BENCH_KEYS_HOURS:-1}

"$CARGO" build --release --locked --quiet -p playground-pageviews -p playground-stars
"$CARGO" build --release --locked --quiet -p playground-model --example answer_keys

export SEED=42 USERS_COUNT=5000000 PRODUCTS_COUNT=100000 SESSIONS_PER_SECOND=$rate LOG_FORMAT=json
export REPLAY_FROM=2026-12-01T00:00:00Z
REPLAY_UNTIL=$(date -u -d "2026-12-01T00:00:00Z + $hours hour" +%Y-%m-%dT%H:%M:%SZ)
export REPLAY_UNTIL
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

events=0
start=$(date +%s.%N)
for svc in pageviews stars; do
  PLAYGROUND_DATA=$work target/release/playground-$svc 2> "$work/$svc.log"
  n=$(grep "\"done: $svc\"" "$work/$svc.log" | jq -r .events)
  events=$((events + n))
done
end=$(date +%s.%N)
services=$(echo "$events / ($end - $start)" | bc -l)

keys=$(VIP_COUNT=50000 HIGH_LATENCY_MS=2000 target/release/examples/answer_keys)
keyed=$(echo "$keys" | jq -r .events_per_s)

printf 'range %s to %s at %s sessions/s, one core each\n' "$REPLAY_FROM" "$REPLAY_UNTIL" "$rate"
printf '%-52s %12.0f events/s (%d events)\n' "pageviews + stars services, replay to capture files" "$services" "$events"
printf '%-52s %12.0f events/s (%s)\n' "answer keys, every stream output" "$keyed" "$keys"
printf '%-52s %12.2fx\n' "keys / services" "$(echo "$keyed / $services" | bc -l)"
