# Sourced by the benches that write to Azurite: start_azurite [PREFIX...] starts Azurite's blob
# service on a free port with its data under $work/azurite (PREFIX, e.g. `taskset -c 1`, runs
# it pinned), waits until it listens, stops it and removes $work on exit, and sets
# az_account, az_key (the public development key), az_endpoint and az_conn.
start_azurite() {
  local bin=tools/node_modules/.bin/azurite-blob port
  [ -x "$bin" ] || npm ci --prefix tools --no-audit --no-fund --loglevel=error
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$@" "$bin" --blobHost 127.0.0.1 --blobPort "$port" --location "$work/azurite" \
    --skipApiVersionCheck --loose --disableTelemetry --silent &
  az_pid=$!
  trap 'kill $az_pid 2>/dev/null; wait $az_pid 2>/dev/null; rm -rf "$work"' EXIT
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  az_account=devstoreaccount1
  az_key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
  az_endpoint="http://127.0.0.1:$port/$az_account"
  az_conn="DefaultEndpointsProtocol=http;AccountName=$az_account;AccountKey=$az_key;BlobEndpoint=$az_endpoint;"
}
