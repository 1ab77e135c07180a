# Quick start: `make demo` renders every example into out/ (PDF and DOCX); `make test` runs the test suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
EXAMPLES := $(wildcard examples/*.yaml examples/*.md examples/*.json)

.PHONY: setup demo test bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml scripts/install-system-deps.sh
	scripts/install-system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: setup
	@mkdir -p out
	@for input in $(EXAMPLES); do \
	  name=$$(basename $${input%.*}); \
	  $(BIN)/publisher render $$input -o out/$$name.pdf || exit $$?; \
	  $(BIN)/publisher render $$input -o out/$$name.docx || exit $$?; \
	  echo "out/$$name.pdf out/$$name.docx"; \
	done

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python benchmarks/render.py

clean:
	rm -rf out dist build .pytest_cache
