#!/usr/bin/env bash
# The local Stream Analytics job against only parsing its input (issue 17): the pageviews and
# stars services replay one range into capture files, then playground-analytics processes
# them to the end (every output of query.asaql) under /usr/bin/time, one core (taskset), and
# the example parse_only decodes the same lines with the same reader and decoder.
# Reported: events/s per CPU-second (user + sys) and the ratio; peak memory.
# Knobs: BENCH_ANALYTICS_RATE (sessions/s, 10), BENCH_ANALYTICS_HOURS (1).
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
rate=${BENCH_ANALYTICS_RATE:-10}
hours=${BENCH_ANALYTICS_HOURS:-1}
command -v /usr/bin/time >/dev/null || { echo "bench/analytics.sh needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
one_core=()
command -v taskset >/dev/null && one_core=(taskset -c 0)

"$CARGO" build --release --locked --quiet -p playground-pageviews -p playground-stars -p playground-users
"$CARGO" build --release --locked --quiet -p playground-analytics --bins --examples

export SEED=42 USERS_COUNT=100000 PRODUCTS_COUNT=10000 SESSIONS_PER_SECOND=$rate LOG_FORMAT=json
export REPLAY_FROM=2026-12-01T09:00:00Z
REPLAY_UNTIL=$(date -u -d "2026-12-01T09:00:00Z + $hours hour" +%Y-%m-%dT%H:%M:%SZ)
export REPLAY_UNTIL
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PLAYGROUND_DATA=$work

COUNT=$USERS_COUNT VIP_COUNT=1000 target/release/playground-users 2> "$work/users.log"
for svc in pageviews stars; do
  target/release/playground-$svc 2> "$work/$svc.log"
done

# cpu_seconds FILE: user + sys from /usr/bin/time -f '%U %S %e %M'
cpu() { awk '{print $1 + $2}' "$1"; }

parse=$("${one_core[@]}" target/release/examples/parse_only "$work/events")
events=$(echo "$parse" | jq -r .events)

EXIT_WHEN_CAUGHT_UP=true /usr/bin/time -f '%U %S %e %M' -o "$work/job.time" \
  "${one_core[@]}" target/release/playground-analytics 2> "$work/job.log"
job_events=$(grep '"done"' "$work/job.log" | jq -r .events)
[ "$job_events" = "$events" ] || { echo "the job read $job_events events, the files hold $events" >&2; exit 1; }
job_cpu=$(cpu "$work/job.time")
job_rate=$(echo "$events / $job_cpu" | bc -l)
job_mem=$(awk '{print $4 / 1024}' "$work/job.time")
arrow=$(echo "$parse" | jq -r .arrow_decode_events_per_s)
serde=$(echo "$parse" | jq -r .serde_value_events_per_s)

printf 'range %s to %s at %s sessions/s: %d events, one core\n' "$REPLAY_FROM" "$REPLAY_UNTIL" "$rate" "$events"
printf '%-58s %12.0f events/s per CPU-s (%.2f CPU-s, %.0f MB peak)\n' "playground-analytics, every output, end to end" "$job_rate" "$job_cpu" "$job_mem"
printf '%-58s %12.0f events/s\n' "baseline: the same lines parsed into the job's Arrow columns" "$arrow"
printf '%-58s %12.0f events/s\n' "for scale: parsed into serde_json::Value" "$serde"
printf '%-58s %12.2f\n' "job / Arrow parse" "$(echo "$job_rate / $arrow" | bc -l)"
