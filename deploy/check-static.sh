#!/usr/bin/env bash
# Checks the binaries the container images copy (built by `make static`, as the Dockerfile
# does): statically linked (no program interpreter, no shared libraries) and working in an
# empty root holding nothing but the binary, as in a distroless static or scratch image.
# Then checks that such a binary resolves host names there, from /etc/hosts and from a DNS
# server named in /etc/resolv.conf (how compose services find `azurite` or `sqlserver`).
#
# usage: AZURITE=azurite-blob COMPOSE=docker-compose deploy/check-static.sh DIR SERVICE...
# (DIR holds playground-<SERVICE>; `make check-static` runs it.)
# As root it uses chroot; otherwise `unshare -r chroot` (the DNS part then needs root to
# bind port 53 and fails, saying so).
set -euo pipefail

dir=${1:?usage: check-static.sh DIR SERVICE...}
shift
(($#)) || { echo "usage: check-static.sh DIR SERVICE..." >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)

fail() { echo "check-static: FAIL: $*" >&2; exit 1; }

work=$(mktemp -d)
dns_pid=
azurite_pid=
cleanup() {
  [[ -n $dns_pid ]] && kill "$dns_pid" 2>/dev/null || true
  [[ -n $azurite_pid ]] && kill "$azurite_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# in_root ROOT CMD...: CMD in ROOT with an empty environment but for the variables in $vars.
chroot=$(command -v chroot || echo /usr/sbin/chroot)
vars=()
if [[ $(id -u) == 0 ]]; then
  in_root() { local root=$1; shift; env -i "${vars[@]}" "$chroot" "$root" "$@"; }
else
  unshare=$(command -v unshare)
  in_root() { local root=$1; shift; env -i "${vars[@]}" "$unshare" -r "$chroot" "$root" "$@"; }
fi

# 1. Static, and --help works in an empty root.
for s in "$@"; do
  bin=$dir/playground-$s
  [[ -x $bin ]] || fail "$bin is missing: run make static"
  headers=$(readelf -lW "$bin") dynamic=$(readelf -dW "$bin")
  if grep -q 'INTERP' <<<"$headers"; then fail "$bin has a program interpreter (dynamically linked)"; fi
  if grep -q '(NEEDED)' <<<"$dynamic"; then fail "$bin needs shared libraries: $(grep NEEDED <<<"$dynamic")"; fi
  desc=$(command -v file >/dev/null && file -b "$bin" | cut -d, -f1-2,4 || echo "no interpreter, no NEEDED")
  echo "check-static: playground-$s: $desc; ldd: $(ldd "$bin" 2>&1 | head -n1 | xargs)"

  root=$work/root-$s
  mkdir -p "$root"
  cp "$bin" "$root/"
  out=$(in_root "$root" "/playground-$s" --help) || fail "playground-$s --help failed in an empty root"
  [[ $(head -n1 <<<"$out") == "playground-$s "* ]] || fail "playground-$s --help printed: $(head -n3 <<<"$out")"
  echo "check-static: playground-$s --help runs in an empty root ($(find "$root" | wc -l) entries: / and the binary)"
done

# 2. Name resolution from a static glibc binary, in an empty root. The orders service dials
# SQL_SERVER; port 1 on 127.0.0.1 refuses, so "Connection refused" means the name resolved
# and "failed to lookup address" means it did not.
bin=$dir/playground-orders
[[ -x $bin ]] || { echo "check-static: name resolution is checked with playground-orders; not in the list, skipped"; exit 0; }
run_orders() { # root host
  local root=$1 host=$2
  vars=(SQL_SERVER="$host,1" SQL_USER=sa SQL_PASSWORD=x SQL_TRUST_CERT=true PLAYGROUND_DATA=/tmp)
  in_root "$root" /playground-orders 2>&1 </dev/null | tail -n1 || true
}
expect() { # what line
  local what=$1 line=$2
  case $what in
    resolved) [[ $line == *"Connection refused"* ]] || fail "expected the name to resolve (connection refused); got: $line" ;;
    unresolved) [[ $line == *"failed to lookup address"* ]] || fail "expected a lookup failure; got: $line" ;;
  esac
}

# 2a. /etc/hosts, with an nsswitch.conf as distroless images have it.
root=$work/root-hosts
mkdir -p "$root/etc" "$root/tmp"
cp "$bin" "$root/"
echo "127.0.0.1 localhost" >"$root/etc/hosts"
echo "127.0.0.1 sqlserver-by-hosts" >>"$root/etc/hosts"
echo "hosts: files dns" >"$root/etc/nsswitch.conf"
line=$(run_orders "$root" sqlserver-by-hosts)
expect resolved "$line"
echo "check-static: /etc/hosts: sqlserver-by-hosts resolved in an empty root (the service then got: ${line##*: connect: })"
line=$(run_orders "$root" not-in-hosts.invalid)
expect unresolved "$line"
echo "check-static: /etc/hosts: an unknown name fails to resolve, as it should"

# 2b. DNS via /etc/resolv.conf, with no nsswitch.conf at all (glibc's default: dns, files).
if [[ $(id -u) != 0 ]]; then
  fail "the DNS check binds 127.0.0.77:53 and needs root (CI runs as root)"
fi
root=$work/root-dns
mkdir -p "$root/etc" "$root/tmp"
cp "$bin" "$root/"
echo "nameserver 127.0.0.77" >"$root/etc/resolv.conf"
python3 "$here/dns-stub.py" 127.0.0.77 53 "$work/dns-ready" 2>"$work/dns.log" &
dns_pid=$!
for _ in $(seq 50); do [[ -f $work/dns-ready ]] && break; sleep 0.1; done
[[ -f $work/dns-ready ]] || fail "the DNS stub did not start: $(cat "$work/dns.log")"
line=$(run_orders "$root" sqlserver.playground.test)
expect resolved "$line"
grep -q 'sqlserver.playground.test type 1 -> 127.0.0.1' "$work/dns.log" || fail "the DNS stub saw no query: $(cat "$work/dns.log")"
echo "check-static: DNS: sqlserver.playground.test resolved through the DNS server in resolv.conf (no nsswitch.conf, no libnss_*.so)"
line=$(run_orders "$root" nowhere.invalid)
expect unresolved "$line"
echo "check-static: DNS: NXDOMAIN fails to resolve, as it should"

# 3. The users service with compose.yaml's own settings (interpolated by Compose), in a root
# laid out as the image and Docker make it (CA certificates as in distroless static, the
# /dev nodes and /etc/hosts Docker provides), uploads to Azurite found by the name `azurite`.
# (Without the CA bundle the Azure HTTP client refuses to start: scratch would not do.)
if [[ -z ${AZURITE:-} || -z ${COMPOSE:-} ]]; then
  fail "set AZURITE (azurite-blob) and COMPOSE (docker-compose) for the image-like run (make check-static does)"
fi
bin=$dir/playground-users
[[ -x $bin ]] || fail "$bin is missing: run make static"
repo=$(cd "$here/.." && pwd)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$AZURITE" --blobHost 127.0.0.1 --blobPort "$port" --location "$work/azurite" --skipApiVersionCheck \
  --loose --disableTelemetry >"$work/azurite.log" 2>&1 &
azurite_pid=$!
for _ in $(seq 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
  sleep 0.1
done
root=$work/root-image
mkdir -p "$root/etc/ssl/certs" "$root/dev" "$root/data"
ca=/etc/ssl/certs/ca-certificates.crt
[[ -f $ca ]] || fail "$ca is missing (apt-get install ca-certificates)"
cp "$ca" "$root/etc/ssl/certs/"
for node in "null 1 3" "random 1 8" "urandom 1 9"; do
  read -r name major minor <<<"$node"
  mknod -m 666 "$root/dev/$name" c "$major" "$minor" || fail "mknod $root/dev/$name (needs root)"
done
echo "127.0.0.1 azurite" >"$root/etc/hosts"
cp "$bin" "$root/"
mapfile -t vars < <("$COMPOSE" -f "$repo/compose.yaml" config --format json | python3 -c '
import json, sys
env = json.load(sys.stdin)["services"]["users"]["environment"]
for k, v in env.items():
    print(f"{k}={v}".replace("azurite:10000", "azurite:" + sys.argv[1]))
' "$port")
((${#vars[@]} > 5)) || fail "no environment for users from compose.yaml"
vars+=(COUNT=1000)
grep -q '^STORAGE_CONNECTION_STRING=.*BlobEndpoint=http://azurite:' <(printf '%s\n' "${vars[@]}") ||
  fail "compose.yaml gives users no Azurite connection string"
if ! out=$(in_root "$root" /playground-users 2>&1 </dev/null); then
  fail "playground-users with compose.yaml's settings failed in the image-like root: $(tail -n3 <<<"$out")"
fi
grep -q 'done: users/users.json' <<<"$out" || fail "playground-users did not finish: $(tail -n3 <<<"$out")"
kill "$azurite_pid" 2>/dev/null || true
echo "check-static: playground-users with compose.yaml's settings wrote users.json to Azurite at http://azurite:$port, from an image-like root"
echo "check-static: ok"
