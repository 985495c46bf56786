# Two commands on a fresh machine with Python 3.11 and git:
#   make run   set up .venv, run the pipeline (dvc repro) on the embedded synthetic world
#   make test  set up .venv, run the whole test suite (notebooks included)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed

export DVC_NO_ANALYTICS := 1
export PATH := $(BIN):$(PATH)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test setup bench constraints clean

run: $(STAMP)
	dvc repro
	@python -m risico where

test: $(STAMP)
	python -m pytest

setup: $(STAMP)

# uv (pinned in constraints.txt, installed with the venv's own pip) installs exactly the pinned versions,
# in parallel; it reads no pip configuration. UV_CACHE_DIR=$$(mktemp -d) make setup measures a cold cache.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

bench: $(STAMP)
	python bench/bench_generate.py

# Re-resolve the pinned versions (then review the diff of constraints.txt).
constraints: $(STAMP)
	{ echo "# Pinned versions for Python 3.11 (Linux x86_64)."; echo "# Regenerate with: make constraints"; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v -i '^risico'; } > constraints.txt

clean:
	rm -rf $(VENV)
