# The front door of the data playground. `make run` shows the whole playground on this
# machine with no settings; `make test` runs every test (what CI runs).
SHELL := /bin/bash
CARGO ?= cargo
DATA ?= playground-data
STREAM_SECONDS ?= 15
BIN := target/release

SERVICES := users products orders items pageviews stars

.PHONY: all build run test lint fmt bench bench-model bench-e2e clean help

all: build

help:
	@echo "make run    - build and run all six services on the embedded default (data in ./$(DATA))"
	@echo "make test   - formatting, clippy and the whole test suite"
	@echo "make bench  - generator and end-to-end benchmarks with same-run baselines"
	@echo "make lint   - cargo fmt --check and clippy -D warnings"

build:
	$(CARGO) build --release --workspace --bins

run: build
	@echo "== batch services: users, products, orders, items -> $(DATA)/"
	PLAYGROUND_DATA=$(DATA) $(BIN)/playground-users
	PLAYGROUND_DATA=$(DATA) $(BIN)/playground-products
	PLAYGROUND_DATA=$(DATA) $(BIN)/playground-orders
	PLAYGROUND_DATA=$(DATA) $(BIN)/playground-items
	@echo "== streams: pageviews and stars for $(STREAM_SECONDS) s (unset RUN_SECONDS runs them forever)"
	PLAYGROUND_DATA=$(DATA) RUN_SECONDS=$(STREAM_SECONDS) SESSIONS_PER_SECOND=50 $(BIN)/playground-pageviews & \
	PLAYGROUND_DATA=$(DATA) RUN_SECONDS=$(STREAM_SECONDS) SESSIONS_PER_SECOND=50 $(BIN)/playground-stars & \
	wait
	@echo
	@echo "The playground is in ./$(DATA):"
	@echo "  lake    $(DATA)/lake/bronze/users/users.json  (JSON lines)  and users/vip.json"
	@echo "          $(DATA)/lake/bronze/products/product_{id}.json"
	@echo "  tables  $(DATA)/orders.sqlite                   (orders, items)"
	@echo "  events  $(DATA)/events/{pageviews,stars}/{partition}/{yyyy}/{mm}/{dd}/{hh}/{mm}.json"
	@echo
	@echo "Look at it:"
	@echo "  head -n 2 $(DATA)/lake/bronze/users/users.json | jq ."
	@echo "  jq . $(DATA)/lake/bronze/products/product_0.json"
	@echo "  sqlite3 -header $(DATA)/orders.sqlite 'SELECT o.orderId, o.userId, o.orderDate, o.orderValue, count(*) AS items FROM orders o JOIN items i USING (orderId) GROUP BY o.orderId LIMIT 5'"
	@echo "  find $(DATA)/events -name '*.json' | head -n 1 | xargs head -n 3 | jq ."
	@echo "  cat $(DATA)/events/stars/*/*/*/*/*/*.json | jq -s 'group_by(.stars) | map({stars: .[0].stars, count: length})'"

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

tools/node_modules: tools/package.json tools/package-lock.json
	npm ci --prefix tools --no-audit --no-fund --loglevel=error
	touch tools/node_modules

test: lint tools/node_modules
	$(CARGO) test --workspace --locked

bench: bench-model bench-e2e

# Records/s of every generator on one core; the Python version's Faker loop is measured first
# (pip package faker) and passed in as the baseline.
bench-model:
	@python3 -c 'import faker' 2>/dev/null || pip install --quiet faker
	@py=$$(python3 bench/python_baseline.py 20000 | python3 -c 'import json,sys; print(json.load(sys.stdin)["users_per_s"])'); \
	BASELINE_USERS_PER_SEC=$$py $(CARGO) bench --locked -p playground-model --bench generators

bench-e2e:
	@python3 -c 'import faker' 2>/dev/null || pip install --quiet faker
	@PY_USERS=$$(python3 bench/python_baseline.py 20000 | python3 -c 'import json,sys; print(json.load(sys.stdin)["users_per_s"])') bench/e2e.sh

clean:
	$(CARGO) clean
	rm -rf $(DATA)
