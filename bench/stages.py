"""Timing a quarter stage by stage: exclusive time per stage, the stage table, and the wrappers
that time the product's functions (and each step of sbsk.pipeline) without touching its code."""

from __future__ import annotations

import time
from contextlib import contextmanager

class Stopwatch:
    """Exclusive time per stage: time spent in a nested stage is not counted again in its parent."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._stack: list[list] = []   # [stage, started, time taken by nested stages]
        self.skipped: list[str] = []

    @contextmanager
    def stage(self, name: str):
        frame = [name, time.perf_counter(), 0.0]
        self._stack.append(frame)
        try:
            yield
        finally:
            self._stack.pop()
            elapsed = time.perf_counter() - frame[1]
            self.seconds[name] = self.seconds.get(name, 0.0) + elapsed - frame[2]
            if self._stack:
                self._stack[-1][2] += elapsed

    def wrap(self, module, attr: str, name: str) -> None:
        """Time every call of module.attr as stage `name`, without touching the production code."""
        original = getattr(module, attr, None)
        if original is None:  # renamed by a concurrent change: its time lands in the enclosing stage
            self.skipped.append(f"{module.__name__}.{attr}")
            return

        def timed(*args, **kwargs):
            with self.stage(name):
                return original(*args, **kwargs)

        timed.__wrapped__ = original
        setattr(module, attr, timed)

    def step(self, step, args: dict):
        """A sbsk.pipeline Call: run the step, its own time counted as its stage (STEP_STAGES)."""
        with self.stage(STEP_STAGES[step.name]):
            return step.run(**args)


# Rows of the stage table: (stage, what it covers). Keys are Stopwatch stage names.
STAGES = [
    ("discover", "discover(): list and sha256 the files"),
    ("archive", "archive_file(): copy into the raw archive"),
    ("read.safety.trial", "guard.trial.trial_parse: in a warm capped child, the zip looked into (each part "
                          "inflated once, DTD search, small sheets' cells counted) and the one fastexcel parse, "
                          "handed over as Arrow IPC"),
    ("read.safety", "rest of guard.inspection.inspect (magic bytes, an OLE file's encryption check)"),
    ("read.fastexcel", "reader: the sheets as pandas grids (from the sandboxed parse's Arrow)"),
    ("read.detect", "reader: header detection (_best_header, _choose, _stated_unit)"),
    ("read.classify", "reader._classify: data/blank/total/notes per row"),
    ("read.other", "rest of ingest.read_file / read_table (slicing, copies)"),
    ("validate.parse", "parse.parse_table: text → typed"),
    ("validate.pandera", "validate._schema_errors: Pandera, lazy"),
    ("validate.totals", "ingest.check_totals: 合计 rows"),
    ("validate.other", "rest of ingest.validate_file / check_owner"),
    ("ingest.other", "rest of the ingest step (progress lines, lineage)"),
    ("combine", "the combine step: reject_unit_overlaps + missing_returns"),
    ("stage", "publish._frames + warehouse.load_staging"),
    ("score", "prepare_quarter + intermediate + indicator_scores/quarter_totals"),
    ("rank", "marts/quarter_results (rank, rewards, tie-break)"),
    ("publish.other", "copy/open DB, schema, inserts, commit, checkpoint, fsync, rename"),
    ("dispatch", "a dispatch only: transforms/dispatch (ranking with movement, warnings) and the warnings' wording"),
    ("outputs", "the report step: validation report + bulletin workbooks (a dispatch: its workbook) + annotated copies"),
    ("export", "the export step: the quarter's Parquet copies"),
]
# The stage each step of sbsk.pipeline.QUARTER_STEPS is counted as (outside its nested stages).
STEP_STAGES = {"discover": "discover", "archive": "archive", "ingest": "ingest.other", "combine": "combine",
               "publish": "publish.other", "report": "outputs", "export": "export"}


def instrument(sw: Stopwatch) -> None:
    import fastexcel

    from sbsk.store import dispatch

    from sbsk.intake import ingest, reader, validate
    from sbsk.store import models as scoring
    from sbsk.store import publish

    from sbsk.intake.guard import inspection

    sw.wrap(reader, "inspect", "read.safety")  # wrapped where they are called
    sw.wrap(inspection, "trial_parse", "read.safety.trial")
    sw.wrap(fastexcel, "read_excel", "read.fastexcel")  # opening parses the shared strings: real read work
    sw.wrap(reader._Sheets, "load", "read.fastexcel")  # sheets from the sandboxed parse, or read here
    for attr in ("_best_header", "_choose", "_stated_unit"):
        sw.wrap(reader, attr, "read.detect")
    sw.wrap(reader, "_classify", "read.classify")
    sw.wrap(validate, "parse_table", "validate.parse")
    sw.wrap(validate, "_schema_errors", "validate.pandera")
    sw.wrap(ingest, "check_totals", "validate.totals")
    sw.wrap(ingest, "read_file", "read.other")
    sw.wrap(ingest, "check_owner", "validate.other")
    sw.wrap(ingest, "validate_file", "validate.other")
    sw.wrap(publish, "_frames", "stage")
    sw.wrap(publish, "load_staging", "stage")
    sw.wrap(publish, "prepare_quarter", "score")
    # a dispatch calls them under its own names: the same stages, so the two runs compare stage by stage
    sw.wrap(dispatch, "_frames", "stage")
    sw.wrap(dispatch, "load_staging", "stage")
    sw.wrap(dispatch, "prepare_dispatch", "score")
    sw.wrap(dispatch, "run_models", "dispatch")
    sw.wrap(dispatch, "_warnings_frame", "dispatch")
    sw.wrap(scoring, "union_models", "score")
    original = getattr(scoring, "run_models", None)
    if original is None:
        sw.skipped.append("sbsk.store.models.run_models")
        return

    def run_models(con, layer, names=None):
        # one model at a time (as run_models does anyway), so that ranking is timed on its own
        if names is None:
            with sw.stage("score"):
                return original(con, layer, names)
        built = []
        for name in names:
            with sw.stage("rank" if name == "quarter_results" else "score"):
                built += original(con, layer, [name])
        return built

    scoring.run_models = run_models
