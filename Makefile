# The two commands a fresh machine needs are `make run` and `make test`; each installs what is missing first.
PY := .venv/bin/python

.PHONY: install install-dev run test test-all lint bench

install:
	scripts/install.sh

install-dev:
	scripts/install.sh --dev

run: install
	$(PY) main.py

test: install-dev
	scripts/test.sh

lint: install-dev
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

bench: install
	$(PY) main.py bench
