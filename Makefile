# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The exact versions the tests ran with, hashes included (pip, setuptools, every dependency and the
# test tools): a new release of pandas, DuckDB or Prefect changes nothing until `make lock` is run.
# --no-deps: the lock is complete, and the venv's own pip (23.2) refuses a locked package that a
# dependency asks for with an extra (prefect's httpx[http2]) in --require-hashes mode (pypa/pip#9644);
# pip check then says whether the lock really was complete.
LOCK := requirements.lock
UV_VERSION := 0.13.9
comma := ,

.PHONY: demo test install clean bench bench-fixed bench-commands docs lock corpus fuzz

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip check
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/sbsk demo

# Two workers (pytest-xdist) on the two cores: much of the suite waits on child processes and Prefect
# servers. Each test file stays on one worker (--dist loadfile), so a module's or session's fixture
# (the real-flow year of tests/test_flows.py, the hostile files) is built once. TEST_WORKERS=0: serial.
TEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

docs: $(STAMP)
	$(BIN)/python -m sbsk.outputs.analysts_doc

# Re-resolve requirements.lock from pyproject.toml with uv, keeping every pin that still fits (after a
# dependency was added or changed); UPGRADE=pandas,duckdb moves those to their newest releases,
# UPGRADE=all moves everything. Then `make test`, and commit the lock with the code it was tested with.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	printf 'setuptools>=68\npip\n' | $(BIN)/uv pip compile pyproject.toml - --extra test --universal \
	    --python-version 3.11 --generate-hashes --custom-compile-command 'make lock' --quiet --output-file $(LOCK) \
	    $(if $(filter all,$(UPGRADE)),--upgrade,$(foreach p,$(subst $(comma), ,$(UPGRADE)),--upgrade-package $(p)))

clean:
	rm -rf $(VENV) data/out/* data/raw/20*

# Provincial-scale benchmark (bench/run.py): 300k and 1M rows by default, on every flavour of bench data
# (bench/writers.py: openpyxl, xlsxwriter, dates as text, messy layouts); BENCH_SIZES=300000,1000000,3000000
# make bench for 3M too, BENCH_FLAVOURS=xlsxwriter,messy for some flavours. Quarters are cached in bench/.data/.
bench: $(STAMP)
	$(BIN)/python bench/run.py $(if $(BENCH_SIZES),--sizes $(BENCH_SIZES)) $(if $(BENCH_FLAVOURS),--flavours $(BENCH_FLAVOURS))

# What a clerk waits for on a small quarter: `sbsk run` with the temporary server and against a running
# one, `sbsk check` of one file, and where the time goes; PASS/FAIL per target (bench/fixed_cost.py).
bench-fixed: $(STAMP)
	$(BIN)/python bench/fixed_cost.py

# `sbsk check` over public test suites' spreadsheets (corpus/manifest.toml): tracebacks, hangs, wrong or
# unclear verdicts, peak RSS. The files live outside the repository (CORPUS_DIR); corpus/extract.py puts
# them there from bare clones of the repositories the manifest pins.
CORPUS_DIR ?= /work/corpus
corpus: $(STAMP)
	$(BIN)/python corpus/run.py $(CORPUS_DIR) --json $(CORPUS_DIR)/verdicts.json

# The intake fuzz (tests/test_fuzz.py) at length: FUZZ_EXAMPLES mutated workbooks per property.
FUZZ_EXAMPLES ?= 300
fuzz: $(STAMP)
	SBSK_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -p no:randomly tests/test_fuzz.py -s

# dispatch, forecast, review, publish, diff, remind each timed against `sbsk run` on
# the same files, and the quarter's .docx and .html; PASS/FAIL per target (bench/commands.py). A city
# quarter (3,000 rows) by default; BENCH_COMMAND_SIZES=3000,300000 make bench-commands for 300k too.
bench-commands: $(STAMP)
	$(BIN)/python bench/commands.py $(if $(BENCH_COMMAND_SIZES),--sizes $(BENCH_COMMAND_SIZES))
