# The two commands a fresh machine needs are `make run` and `make test`; each installs what is missing first.
PY := .venv/bin/python

.PHONY: install install-dev install-build run test test-all lint bench bundle bundle-test

install:
	packaging/install.sh

install-dev:
	packaging/install.sh --dev

# dev + PyInstaller: the tests check the bundle's spec, so `make test` needs it too.
install-build:
	packaging/install.sh --build

run: install
	$(PY) main.py

test: install-build
	tests/run.sh

lint: install-dev
	$(PY) -m ruff check . && $(PY) -m ruff format --check . && $(PY) -m mypy

bench: install
	$(PY) main.py bench

# A one-folder app in dist/aris/ that runs without Python (packaging/README.md).
bundle: install-build
	PYTHON=$(PY) packaging/build.sh

# Builds the bundle and runs its --self-test offline, with no Python on the PATH.
bundle-test: install-build
	tests/run.sh -m bundle -v tests/packaging
