# Two commands for a newcomer: `make run` and `make test`. Both set everything up first.
# `make check` is the fast loop while working: lint + the tests not marked slow, on every core
# (pytest-xdist), under a minute. `make test` (what CI runs) adds the knowledge-base check and the
# slow tests, one at a time: they start processes, send signals and wait on real time.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev

.PHONY: setup run test check lint bench chat clean

# Checked first: pip on an older Python spends minutes looking for versions that do not exist.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || { \
		echo "error: this project needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1 || echo missing)."; \
		echo "       Install one, then e.g. make PYTHON=python3.11 ..."; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# Starts the Telegram bot when a token is configured (environment or .env), else the console chat.
run: setup
	@if $(PY) -c 'import sys; from bot.config import merged_environment, token_configured; sys.exit(0 if token_configured(merged_environment()) else 1)'; then \
		echo "Starting the Telegram bot (token found in the environment or .env)."; \
		exec $(PY) -m bot run; \
	else \
		echo "No TELEGRAM_BOT_TOKEN configured (see .env.example): starting the console chat instead."; \
		exec $(PY) -m bot chat; \
	fi

chat: setup
	$(PY) -m bot chat

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy --strict bot

check: lint
	$(VENV)/bin/pytest -m "not slow" -n auto

test: check
	$(PY) -m bot check
	$(VENV)/bin/pytest -m slow -n 2

bench: setup
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
