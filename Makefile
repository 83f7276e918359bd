# Two commands: `make run` starts the whole system, `make test` runs every test.
# Both set up what they need first: a virtualenv, pinned packages, generated gRPC code,
# Swiss Ephemeris files, headless Chromium (the console's browser tests), wrk (bench/http.py's load), the
# gateway's generated configuration and the TypeScript client's npm packages.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup run chaos admin test test-fast gen render clean-data help seed-demo

help:
	@echo "make run    - start the whole system (gateway on http://127.0.0.1:8000)"
	@echo "make test   - run all tests (unit, integration on real servers, end-to-end)"
	@echo "make chaos  - kill every process in turn under load; check nothing was lost (CHAOS_SECONDS per victim)"
	@echo "make admin EMAIL=... PASSWORD=...  - create (or promote) an admin in the local run's database"
	@echo "make seed-demo N=500 - load N demo people into the system 'make run' started (discovery to try)"

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -c 'import pathlib, site; root = pathlib.Path.cwd(); \
	  pathlib.Path(site.getsitepackages()[0], "numeros.pth").write_text("\n".join(str(root / p) for p in ("", "lib", "gen")) + "\n")'
	touch $(STAMP)

gen: $(STAMP)
	PYTHON=$(PY) scripts/gen-protos gen

# The TypeScript client's pinned npm packages (openapi-typescript, tsc), for its tests.
TS_CLIENT := clients/typescript
$(TS_CLIENT)/node_modules/.package-lock.json: $(TS_CLIENT)/package.json $(TS_CLIENT)/package-lock.json
	npm ci --prefix $(TS_CLIENT) --no-audit --no-fund

setup: $(STAMP) gen $(TS_CLIENT)/node_modules/.package-lock.json
	scripts/prepare-ephe
	scripts/prepare-system-packages

run: setup
	$(PY) -m devstack run

# Its own system on free ports (a `make run` may keep running); exit status 1 when a target is missed.
CHAOS_SECONDS ?= 15
chaos: setup
	$(PY) -m devstack chaos --seconds-per-victim $(CHAOS_SECONDS)

# Identity's admin bootstrap on the local run's database (NUMEROS_DATA_DIR, NUMEROS_POSTGRES_PORT as `make run`
# reads them); an existing account with EMAIL is promoted and keeps its password.
admin: $(STAMP)
	@test -n "$(EMAIL)" || { echo "usage: make admin EMAIL=you@example.com PASSWORD=..."; exit 2; }
	@$(PY) -m devstack admin create --email "$(EMAIL)" $(if $(PASSWORD),--password "$(PASSWORD)")

test: setup
	$(PY) -m pytest -q --durations=20

test-fast: setup
	$(PY) -m pytest -q -m "not e2e"

# N demo people (names, birth data, genders, preferences, locations around five cities, photos) as
# identity.user.registered events into the running system; their numbers come from the running chart.
N ?= 500
seed-demo: $(STAMP)
	$(PY) -m devstack.demo $(N)

render: $(STAMP)
	$(PY) -m services.gateway render

clean-data:
	rm -rf var
