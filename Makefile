# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install clean bench docs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/sbsk demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

docs: $(STAMP)
	$(BIN)/python -m sbsk.outputs.analysts_doc

clean:
	rm -rf $(VENV) data/out/* data/raw/20*

# Provincial-scale benchmark (bench/run.py): 300k and 1M rows by default,
# BENCH_SIZES=300000,1000000,3000000 make bench for 3M too. Generated quarters are cached in bench/.data/.
bench: $(STAMP)
	$(BIN)/python bench/run.py $(if $(BENCH_SIZES),--sizes $(BENCH_SIZES))
