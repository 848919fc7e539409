# Two entry points, each self-installing into .venv:
#   make demo   runs the main job
#   make test   runs lint, type checks and the test suite
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench-verify clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# installs, then compiles the engine's Numba kernels (cached beside the
# source: about 40 s, once) so that the first run does not pay for it
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/interop warmup
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/interop demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest

test: lint typecheck pytest

bench-verify: $(STAMP)
	mkdir -p benchmarks/results
	$(BIN)/interop bench verify $${INTEROP_DATA:-../shared/data}/fvc2002 --json benchmarks/results/verify.json --det docs/img/det-fvc2002.png

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
