# Two commands do all the set-up: `make run` and `make test`. Each installs what it needs, once.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
TOOLS_VENV := .venv-tools
SLITHER := $(TOOLS_VENV)/bin/slither
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
PYTEST_ARGS ?= -n 2  # two workers: the suite takes about half as long on two cores

.PHONY: setup run test lint pytest forge slither compile bench-gas bench-registry bench-bridge bench-reads cluster chaos chaos-short clean

setup: $(PY_STAMP) $(NODE_STAMP)

$(PY_STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	@touch $@

# `npm ci` refuses the lock here: the registry lacks forge/anvil's binaries for other platforms (404).
# `npm install --no-save` installs the locked versions and leaves package-lock.json untouched.
$(NODE_STAMP): package.json package-lock.json
	npm install --no-save --no-audit --no-fund --loglevel=error
	@touch $@

# slither pins an older web3 than the bridge, so it gets a virtualenv of its own
$(SLITHER):
	python3 -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/pip install -q --upgrade pip
	$(TOOLS_VENV)/bin/pip install -q slither-analyzer==0.11.6

run: setup
	$(PY) -m bridge.cli serve

compile: setup
	$(PY) -m bridge.cli compile

test: setup lint forge slither pytest

lint: setup
	$(VENV)/bin/ruff check src tests scripts
	$(VENV)/bin/ruff format --check src tests scripts

forge: $(NODE_STAMP)
	forge test

slither: $(NODE_STAMP) $(SLITHER)
	$(SLITHER) . --compile-force-framework foundry \
		--filter-paths "node_modules|tests/forge" \
		--exclude-informational --exclude-low --exclude-optimization --fail-medium

pytest: setup
	$(PY) -m pytest $(PYTEST_ARGS)

bench-gas: setup
	$(PY) scripts/bench_gas.py

bench-registry: setup
	$(PY) scripts/bench_registry.py

bench-bridge: setup
	$(PY) scripts/bench_bridge.py

bench-reads: setup
	$(PY) scripts/bench_reads.py

# PostgreSQL, anvil (1 s blocks), the registry service, 3 verifiers, 3 workers, 2 API processes: Ctrl-C stops
cluster: setup
	$(PY) scripts/cluster.py

# the cluster under load while workers, API processes and verifiers are killed: writes bench/cluster.json
chaos: setup
	$(PY) scripts/chaos.py

chaos-short: setup
	$(PY) scripts/chaos.py --short

clean:
	rm -rf out cache .pytest_cache .ruff_cache .hypothesis
