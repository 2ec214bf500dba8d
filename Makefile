# Hatchway — the two commands are `make demo` and `make test`; both do their own setup.
UV ?= uv
PY := $(UV) run --frozen python
PYTEST := $(UV) run --frozen pytest

.PHONY: setup demo test audit bench lint clean

.venv/.synced: pyproject.toml uv.lock
	$(UV) sync --frozen
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## setup: install the locked Python env (uv) and the locked node tools (anvil, snarkjs, circomlibjs)
setup: .venv/.synced node_modules/.installed

## demo: the main job on an embedded default (for now: crypto benchmark + a small tree demo)
demo: setup
	$(PY) -m offchain.cli demo

## test: the fast default profile (what CI runs)
test: setup
	$(PYTEST) -q -m "not slow" -n 2

## audit: deep fuzzing and the heavy sizes
audit: setup
	HYPOTHESIS_PROFILE=audit $(PYTEST) -q -n 2

## bench: the crypto benchmark with peers measured in the same run; writes bench/out/crypto.md
bench: setup
	$(PY) -m bench.crypto

lint: setup
	$(UV) run --frozen ruff check offchain tests bench
	$(UV) run --frozen ruff format --check offchain tests bench

clean:
	rm -rf .venv node_modules .pytest_cache bench/out
