#!/usr/bin/env bash
# Events benchmark: events/s through the Event Hubs backend into the in-process AMQP peer
# (with the capture files as baseline), then the rate accuracy of the release pageviews
# service against the model. Prints human lines, then one JSON line.
# Knobs: BENCH_EVENTS (300000), BENCH_RATE_SECONDS (20; 0 skips the rate run).
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}

"$CARGO" build --release --quiet -p playground-pageviews
"$CARGO" bench --quiet -p playground-sinks --bench eventhubs_peer
