# Two commands work on a fresh machine with only Python 3.11:
#   make demo   create .venv, install chainrule and matplotlib (the demo's only extra), run the demo
#   make test   create .venv, install chainrule with the test extra, run the whole test suite
# Also: make lint, make docs (the documentation site, strict), make typecheck (mypy), make bench.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-demo
DOCS_STAMP := $(VENV)/.installed-docs
TYPECHECK_STAMP := $(VENV)/.installed-typecheck

.PHONY: demo test test-fast lint docs docs-pages typecheck bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP) $(DEMO_STAMP)

# The demo needs numpy, h5py (chainrule's own dependencies) and matplotlib for its picture: nothing else.
$(DEMO_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[demo]'
	touch $(DEMO_STAMP)

# The documentation site needs MkDocs, Material and mkdocstrings (the `docs` extra); mypy is the `typecheck` extra.
$(DOCS_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	touch $(DOCS_STAMP)

$(TYPECHECK_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[typecheck]'
	touch $(TYPECHECK_STAMP)

demo: $(DEMO_STAMP)
	$(BIN)/chainrule demo

test: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 -q

test-fast: $(STAMP)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 -q -m "not slow"

lint: $(STAMP)
	$(BIN)/python -m ruff check src tests benchmarks examples docs/tools

# The site, into site/: strict, so a broken reference or a docstring griffe cannot read fails the build.
# Needs neither the network nor TensorFlow. The generated pages are checked by tests/test_docs.py.
docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict

# Regenerate docs/support.md, docs/examples/ and docs/api/ (and mkdocs.yml's lists of them) after a change.
docs-pages: $(STAMP)
	PYTHONPATH=src $(BIN)/python docs/tools/gen_support.py
	PYTHONPATH=src $(BIN)/python docs/tools/gen_examples.py
	PYTHONPATH=src $(BIN)/python docs/tools/gen_api.py

typecheck: $(TYPECHECK_STAMP)
	$(BIN)/python -m mypy

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	CHAINRULE_DATA="$${CHAINRULE_DATA:-$(abspath ../shared/datasets)}" $(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build site src/*.egg-info .pytest_cache .mypy_cache
