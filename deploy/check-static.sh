#!/usr/bin/env bash
# Checks the binaries the container images copy (built by `make static`, as the Dockerfile
# does): statically linked (no program interpreter, no shared libraries) and working in an
# empty root holding nothing but the binary, as in a distroless static or scratch image.
# Then checks that such a binary resolves host names there, from /etc/hosts and from a DNS
# server named in /etc/resolv.conf (how compose services find `azurite` or `sqlserver`).
#
# usage: deploy/check-static.sh DIR SERVICE...     (DIR holds playground-<SERVICE>)
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
cleanup() {
  [[ -n $dns_pid ]] && kill "$dns_pid" 2>/dev/null || true
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
  if readelf -lW "$bin" | grep -q 'INTERP'; then fail "$bin has a program interpreter (dynamically linked)"; fi
  if readelf -dW "$bin" | grep -q '(NEEDED)'; then fail "$bin needs shared libraries: $(readelf -dW "$bin" | grep NEEDED)"; fi
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
echo "check-static: ok"
