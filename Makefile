# Vigie 15 — every command a developer or CI needs. `make run` and `make test` do all set-up.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DATA_DIR ?= ./data

.PHONY: run test check lint typecheck bench soak screenshots clean install

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## the whole platform embedded, with simulated SAMU traffic (UI on http://127.0.0.1:8000/)
	$(BIN)/vigie up --data-dir $(DATA_DIR) --simulate

test: $(STAMP)  ## the full test suite (what .ci/run calls)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

bench: $(STAMP)  ## every benchmark; writes docs/benchmarks.md
	$(BIN)/python -m bench.run_all

soak: $(STAMP)  ## an hour of simulated traffic at 10x peak (not part of bench); SOAK_MINUTES=60
	$(BIN)/python -m bench.soak --minutes $${SOAK_MINUTES:-60}

screenshots: $(STAMP)  ## the README's pictures (UI in Chromium, a PDF page) into docs/screenshots/
	$(BIN)/python -m tests.e2e_browser.screenshots

clean:
	rm -rf $(VENV) build *.egg-info
