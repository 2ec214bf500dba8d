# Hatchway — the two commands are `make demo` and `make test`; both do their own setup.
# uv drives the locked Python env; when it is not installed, pip installs the pinned version.
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
UV_BOOTSTRAP := python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install -q uv==$(UV_VERSION)
else
UV_BOOTSTRAP := true
endif
PY := $(UV) run --frozen python
PYTEST := $(UV) run --frozen pytest

.PHONY: setup demo test audit bench bench-prover lint clean

.venv/.synced: pyproject.toml uv.lock
	$(UV_BOOTSTRAP)
	$(UV) sync --frozen
	@touch $@

# `npm install --no-save` rather than `npm ci`: the registry serves @foundry-rs/anvil's binary only
# for linux-x64, so its other platforms' optional packages can never enter the lock and `npm ci`
# refuses the lock as incomplete. `install` still takes every version from the lock and leaves it
# untouched (--no-save).
node_modules/.installed: package.json package-lock.json
	npm install --no-audit --no-fund --no-save
	@touch $@

# ape-vyper resolves compilers through vvm, which downloads from GitHub (unreachable here). The
# vyper 0.4.3 it wants is already in the locked env (from PyPI): expose it under vvm's layout and
# point vvm at it with VVM_BINARY_PATH (exported for every recipe below).
export VVM_BINARY_PATH := $(CURDIR)/.vvm
.vvm/vyper-0.4.3: .venv/.synced
	mkdir -p .vvm
	ln -sf ../.venv/bin/vyper $@

## setup: install the locked Python env (uv) and the locked node tools (anvil, snarkjs, circomlibjs)
setup: .venv/.synced node_modules/.installed .vvm/vyper-0.4.3

## demo: the main job on an embedded default: one chain on a local anvil, from deploy to escape-hatch exits
demo: setup
	$(UV) run --frozen hatchway demo

## test: the fast default profile (what CI runs)
test: setup
	$(PYTEST) -q -m "not slow" -n 2

## audit: deep fuzzing and the heavy sizes
audit: setup
	HYPOTHESIS_PROFILE=audit $(PYTEST) -q -n 2

## bench: the crypto benchmark with peers measured in the same run; writes bench/out/crypto-full.md
bench: setup
	$(UV) run --frozen hatchway bench --profile full

## bench-prover: our Groth16 prover vs snarkjs on the same circuit and keys (PROFILE=quick: 2^12,
## full: 2^16 and 2^18); writes bench/out/prover-<profile>.md
PROFILE ?= quick
bench-prover: setup
	$(PY) -m bench.prover $(PROFILE)

lint: setup
	$(UV) run --frozen ruff check offchain tests bench
	$(UV) run --frozen ruff format --check offchain tests bench

clean:
	rm -rf .venv node_modules .pytest_cache bench/out
