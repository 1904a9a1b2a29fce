# Tsunagu: `make run` starts everything, `make test` runs the tests.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.13 (see .python-version; pyenv picks it up from that file).
PYTHON ?= $(shell command -v python3.13 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
STAMP := $(VENV)/.installed-stamp
# The browser tests' own tools: Debian's Chromium and Japanese fonts, axe-core.
CHROMIUM := /usr/bin/chromium
AXE_JS := var/node/node_modules/axe-core/axe.min.js
# Stoplight Prism: a mock that checks requests against a vendor's OpenAPI
# description (tests/fakes/prism.py); its own prefix, since npm prunes
# packages another --no-save install put there.
PRISM := var/prism/node_modules/.bin/prism
# make run ADDR=0.0.0.0:9000: where the site listens; links and e-mails follow
# (BASE_URL=https://... when it is reached by another name); DEBUG=1 for
# Django's technical error pages instead of the site's own.
ADDR ?= 127.0.0.1:8000
DEMO_SOURCES_ADDR ?= 127.0.0.1:8001
BASE_URL ?=

.PHONY: help run install migrate demo browser-deps contract-deps test test-postgres lint format lock check messages clean bench-ingest bench-translation bench-api bench-publish

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-17s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' || \
		{ echo "Python 3.13 is needed (found $$($(PYTHON) --version)); set PYTHON=/path/to/python3.13"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	@touch $(STAMP)

install: $(STAMP) ## Create the virtual environment and install (once)

migrate: install ## Apply database migrations
	@mkdir -p var/static var/media
	$(MANAGE) migrate --noinput

demo: migrate ## Set up offices, page trees, groups and demo articles (idempotent)
	$(MANAGE) load_demo

run: install ## Set up and start everything on ADDR (default 127.0.0.1:8000; Ctrl-C stops all)
	@mkdir -p var/static var/media
	$(MANAGE) run_all --addr $(ADDR) --demo-sources-addr $(DEMO_SOURCES_ADDR) $(if $(BASE_URL),--base-url $(BASE_URL)) $(if $(filter 1,$(DEBUG)),--debug)

browser-deps: ## Chromium, Japanese fonts (apt, as root) and axe-core (npm) for tests/browser
	@if [ ! -x $(CHROMIUM) ] || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -q chromium fonts-noto-cjk \
			|| echo "apt-get could not install chromium fonts-noto-cjk: the browser tests will fail"; \
		else \
			echo "Run as root: apt-get install chromium fonts-noto-cjk (the browser tests need them)"; \
		fi; \
	fi
	@test -f $(AXE_JS) || npm install --no-save --no-audit --no-fund --prefix var/node axe-core@4 \
		|| echo "npm could not install axe-core: the browser tests will fail"

contract-deps: ## Prism (npm), which checks requests to X and Mailchimp against their API descriptions
	@test -x $(PRISM) || npm install --no-save --no-audit --no-fund --prefix var/prism @stoplight/prism-cli@5 \
		|| echo "npm could not install @stoplight/prism-cli: the contract tests will fail"

test: install browser-deps contract-deps ## Run the whole suite (SQLite; PostgreSQL when DATABASE_URL is set)
	$(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install browser-deps contract-deps ## Run the suite on the local PostgreSQL
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tsunagu} $(PY) -m pytest $(PYTEST_ARGS)

bench-ingest: install ## Benchmark: 1,000 sources on 100+ loopback hosts, two rounds, against reader
	$(PY) bench/ingest.py $(BENCH_ARGS)

bench-translation: install ## Benchmark: 200 articles into Japanese via a local DeepL, edited, re-filed
	$(PY) bench/translation.py $(BENCH_ARGS)

bench-api: install ## Benchmark: API, feed and page under wrk, cold and warm, against Wagtail's API and nginx
	@command -v wrk >/dev/null && command -v nginx >/dev/null || apt-get install -y wrk nginx
	$(PY) bench/api.py $(BENCH_ARGS)

bench-publish: install ## Benchmark: 500 articles through X, webhooks and the website, workers killed, then the issue
	$(PY) bench/publish.py $(BENCH_ARGS)

lint: install ## ruff check and ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install ## Fix what ruff can fix and format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install ## Django's system checks, and no model change without a migration
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

messages: install ## Update the Japanese catalogue (cms/locale) and compile it
	$(MANAGE) makemessages -l ja -i ".venv/*" -i "var/*" -i "tests/*" -i "docs/*"
	$(MANAGE) compilemessages -l ja -i ".venv"

lock: install ## Refresh constraints.txt from the installed versions
	@{ echo "# Exact versions tested together (pip constraints). Regenerate with \`make lock\`"; \
	   echo "# after changing the ranges in pyproject.toml."; \
	   $(PY) -m pip freeze --exclude-editable | grep -v '^-e'; } > constraints.txt

clean: ## Remove the virtual environment and local state (var/)
	rm -rf $(VENV) var
