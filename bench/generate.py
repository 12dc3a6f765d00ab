"""Write a valid quarter of the eleven returns at provincial scale, for the benchmark.

Layout is the plain one of sbsk.outputs.return_writer.write_plain (title row, header row of Column.label,
then data; dates as dates, numbers as numbers, text as text), written in openpyxl's write-only mode
because the ordinary mode holds every cell in memory and writes ~4x slower.

Rows are spread as real returns are: most in R09/R01/R04/R05/R02, few in R03/R11, and R10 holds
exactly one row per unit (indicator A1), since a second one would be rejected. The units are the
registry's (reference/units.csv); more rows mean more rows per unit, not more units.

A return is split into several files only when one file would not be accepted, and then by unit,
because the same unit in two files of one return is an error (SPEC §3). "Accepted" depends on
--split: `excel` splits only at Excel's 1,048,576 rows; `product` (the default) also keeps each
sheet within the file limits sbsk.intake.guard enforces (cells per sheet, bytes of one XML part), which
are far below Excel's. openpyxl writes strings inline, so its sheet XML is larger than Excel's
for the same rows (Excel uses a shared-strings part): the byte limit binds a little earlier here.

Who writes the files is the --flavour (bench/writers.py): openpyxl (the default: inline strings, real
date cells), openpyxl-textdates, xlsxwriter (shared strings, as Excel writes), xlsxwriter-textdates, and
messy (the clerks' layouts of sbsk/samples/layouts at scale: merged headers, 亿元, 合计 and 小计 rows,
a 说明 sheet). The rows are the same whatever the flavour.

Generated quarters are cached under bench/.data/ keyed by size, seed, split, flavour and GENERATOR_VERSION.

    python bench/generate.py --rows 1000000 [--seed 1] [--quarter 2020Q3] [--split excel|product]
                             [--flavour openpyxl|openpyxl-textdates|xlsxwriter|xlsxwriter-textdates|messy]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import zipfile

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / ".data"
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from sbsk.schemas import load_returns  # noqa: E402
from sbsk.config.periods import Quarter  # noqa: E402
from sbsk.config.registry import load_registry  # noqa: E402

if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))
import writers  # noqa: E402

# Bump when the layout or the values change, so that cached quarters are regenerated.
GENERATOR_VERSION = 1
EXCEL_MAX_ROWS = 1_048_576
LAYOUT_ROWS = 2  # title row + header row
CHUNK = 20_000
XML_BYTES_PER_CELL = 64  # openpyxl's inline-string cells measure 50–52 bytes of sheet XML; with a margin

# Share of the rows each return gets (R10 is fixed at one row per unit and is not in here).
WEIGHTS = {
    "R09": 0.24, "R01": 0.20, "R04": 0.19, "R05": 0.14, "R02": 0.12,
    "R06": 0.04, "R07": 0.03, "R08": 0.025, "R11": 0.004, "R03": 0.001,
}
SECTORS = ["先进制造业", "新基建", "基础设施", "生态环保", "社会民生", "现代服务业", "其他"]
AREAS = ["水利", "交通", "能源", "城建", "农业农村", "社会事业", "生态环保"]
ITEMS = ["用地规划许可", "工程规划许可", "施工许可", "环评审批", "节能审查", "竣工验收备案", "消防设计审查"]


def allocate(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of `total` in proportion to `weights` (the parts add up exactly)."""
    raw = np.asarray(weights, dtype=float) / sum(weights) * total
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts))[: total - counts.sum()]:
        counts[i] += 1
    return counts.tolist()


def product_limits() -> dict[str, int]:
    """The file limits the reader enforces before parsing (sbsk.intake.guard.limits: the defaults with
    the SBSK_<NAME> overrides)."""
    from sbsk.intake.guard.limits import LIMITS

    return {name.upper(): getattr(LIMITS, name) for name in ("max_cells", "max_part_bytes", "max_file_bytes",
                                                              "max_total_bytes")}


def rows_per_file(columns: int, split: str, max_rows_per_file: int | None, flavour: str = "openpyxl") -> int:
    """The most data rows one file of a return with `columns` columns may hold."""
    layout_rows = LAYOUT_ROWS
    if flavour == "messy":  # extra columns and rows around the data (bench/writers.py)
        columns, layout_rows = columns + writers.MESSY_EXTRA_COLUMNS, writers.MESSY_EXTRA_ROWS
    cap = EXCEL_MAX_ROWS - layout_rows
    if split == "product":
        limits = product_limits()
        if "MAX_CELLS" in limits:  # the used area from A1, layout rows included
            cap = min(cap, limits["MAX_CELLS"] // columns - layout_rows)
        if "MAX_PART_BYTES" in limits:
            cap = min(cap, limits["MAX_PART_BYTES"] // (columns * XML_BYTES_PER_CELL) - layout_rows)
    return min(cap, max_rows_per_file) if max_rows_per_file else cap


def plan(rows: int, units: list[tuple[str, str]], limit_of) -> list[dict]:
    """Which file holds which units of which return, and how many rows each unit gets.

    `limit_of(code)` is the most rows one file of that return may hold."""
    n_units = len(units)
    if rows < 2 * n_units * (len(WEIGHTS) + 1):
        raise SystemExit(f"--rows {rows} is too small for {n_units} units in every return")
    # units differ in size: a fixed, uneven spread of the rows over them (up to 1.6x)
    unit_weights = [1.0 + 0.6 * ((i * 7) % n_units) / max(n_units - 1, 1) for i in range(n_units)]
    counts = dict(zip(WEIGHTS, allocate(rows - n_units, list(WEIGHTS.values()))))
    counts["R10"] = n_units
    files = []
    for code in sorted(counts):
        per_unit = [1] * n_units if code == "R10" else [max(c, 1) for c in allocate(counts[code], unit_weights)]
        for group in _split_by_unit(code, list(zip(units, per_unit)), limit_of(code)):
            files.append({"code": code, "units": group, "rows": sum(n for _, n in group)})
    return files


def _split_by_unit(code: str, units: list, limit: int) -> list[list]:
    """Fewest files of at most `limit` rows, never splitting a unit (first-fit decreasing)."""
    groups: list[list] = []
    for unit, n in sorted(units, key=lambda u: -u[1]):
        if n > limit:
            raise SystemExit(f"{code}: unit {unit[1]} alone has {n:,} rows, more than one file may hold ({limit:,}); "
                             f"a unit cannot be split over two files of one return (try --split excel)")
        for group in groups:
            if sum(m for _, m in group) + n <= limit:
                group.append((unit, n))
                break
        else:
            groups.append([(unit, n)])
    return groups


class Values:
    """Vectorised value makers for one chunk of rows."""

    def __init__(self, rng: np.random.Generator, quarter: Quarter):
        self.rng = rng
        self.q = quarter
        self._days = [date(2015, 1, 1) + timedelta(days=i) for i in range(365 * 20)]
        self._origin = date(2015, 1, 1)

    def dates(self, n: int, lo: date, hi: date) -> np.ndarray:
        start, stop = (lo - self._origin).days, (hi - self._origin).days
        return self.rng.integers(start, stop + 1, n)

    def as_dates(self, offsets: np.ndarray, present: np.ndarray | None = None) -> list:
        days = self._days
        if present is None:
            return [days[i] for i in offsets.tolist()]
        return [days[i] if p else None for i, p in zip(offsets.tolist(), present.tolist())]

    def money(self, n: int, median: float, lo: float = 1.0, hi: float = 5e7) -> np.ndarray:
        return np.round(np.clip(self.rng.lognormal(np.log(median), 1.0, n), lo, hi), 2)

    def choice(self, n: int, options: list, p: list[float] | None = None) -> list:
        return [options[i] for i in self.rng.choice(len(options), n, p=p).tolist()]

    def flag(self, n: int, p: float) -> np.ndarray:
        return self.rng.random(n) < p

    def yes_no(self, mask: np.ndarray) -> list[str]:
        return ["是" if m else "否" for m in mask.tolist()]


def _codes(unit_code: str, serials: range, tag: str) -> list[str]:
    return [f"2020-{unit_code}-{tag}-{s % 100:02d}-{s:06d}" for s in serials]


def make_rows(code: str, v: Values, unit: tuple[str, str], serials: range) -> list[list]:
    """One chunk of rows of return `code` for one unit, in the return's column order."""
    n = len(serials)
    ucode, uname = unit
    q = v.q
    ytd_lo, end = q.year_start, q.end
    names = [f"{uname}{code}项目{s:06d}" for s in serials]
    unit_col = [uname] * n
    if code == "R01":
        coded = v.flag(n, 0.7)
        codes = _codes(ucode, serials, "01")
        implemented = v.flag(n, 0.3)
        listed = v.dates(n, date(q.year - 1, 6, 1), end)
        started = listed + v.rng.integers(0, 90, n)
        started = np.minimum(started, (end - v._origin).days)
        return list(zip(
            unit_col, names, [c if k else None for c, k in zip(codes, coded.tolist())],
            v.choice(n, ["省重大", "省重点"], [0.6, 0.4]), v.money(n, 30000).tolist(), v.choice(n, SECTORS),
            v.as_dates(listed), v.yes_no(implemented), v.as_dates(started, implemented)))
    if code == "R02":
        amount = v.money(n, 20000)
        return list(zip(
            unit_col, names, v.as_dates(v.dates(n, date(q.year - 1, 10, 1), end)), amount.tolist(),
            v.choice(n, ["省外", "境外", "省内"], [0.5, 0.1, 0.4]),
            np.round(amount * v.rng.uniform(0, 0.8, n), 2).tolist(),
            v.yes_no(v.flag(n, 0.1)), v.yes_no(v.flag(n, 0.4))))
    if code == "R03":
        count = v.rng.integers(1, 40, n)
        return list(zip(
            unit_col, v.as_dates(v.dates(n, ytd_lo, end)), count.tolist(), v.money(n, 200000).tolist(),
            np.floor(count * v.rng.uniform(0, 1, n)).astype(int).tolist()))
    if code == "R04":
        new = v.flag(n, 0.4)
        pending = new & v.flag(n, 0.1)  # a 新开工 project not started yet
        started = np.where(new, v.dates(n, ytd_lo, end), v.dates(n, date(q.year - 3, 1, 1), date(q.year - 1, 12, 31)))
        done = ~pending & v.flag(n, 0.1)
        completed = np.minimum(started + v.rng.integers(30, 900, n), (end - v._origin).days)
        plan_ = v.money(n, 8000, lo=100)
        # a few 开而未动 (nothing invested yet) and over-plan projects, as real data has: they are flags, not errors
        ratio = np.where(v.flag(n, 0.001), 0.0, np.where(v.flag(n, 0.001), 1.8, v.rng.uniform(0.05, 1.2, n)))
        return list(zip(
            unit_col, names, _codes(ucode, serials, "04"), v.money(n, 60000, lo=10000).tolist(),
            ["新开工" if x else "续建" for x in new.tolist()], v.as_dates(started, ~pending),
            v.as_dates(completed, done), plan_.tolist(), np.round(plan_ * ratio, 2).tolist()))
    if code in ("R05", "R08"):
        plan_ = v.money(n, 5000, lo=10)
        middle = v.choice(n, ["省重点", "市重点"], [0.3, 0.7]) if code == "R05" else v.choice(n, AREAS)
        return list(zip(unit_col, names, middle, plan_.tolist(),
                        np.round(plan_ * v.rng.uniform(0, 1.2, n), 2).tolist()))
    if code == "R06":
        allocated = v.money(n, 800, lo=10)
        doc = v.flag(n, 0.8)
        return list(zip(
            unit_col, names, [f"豫发改投资〔{q.year}〕{s % 1000 + 1}号" if d else None
                              for s, d in zip(serials, doc.tolist())],
            allocated.tolist(), np.round(allocated * v.rng.uniform(0, 1, n), 2).tolist()))
    if code == "R07":
        bond = v.money(n, 5000, lo=10)
        return list(zip(unit_col, names, bond.tolist(), np.round(bond * v.rng.uniform(0, 1, n), 2).tolist()))
    if code == "R09":
        due = v.dates(n, ytd_lo, date(q.year, 12, 31))
        accepted_mask = v.flag(n, 0.9)
        accepted = np.minimum(due - v.rng.integers(5, 120, n), (end - v._origin).days - 60)
        completed_mask = accepted_mask & v.flag(n, 0.75)
        completed = accepted + v.rng.integers(1, 60, n)
        return list(zip(unit_col, names, v.choice(n, ITEMS), v.as_dates(due),
                        v.as_dates(accepted, accepted_mask), v.as_dates(completed, completed_mask)))
    if code == "R10":
        return [[uname, "A1", round(float(v.rng.uniform(0, 3)), 1), "专班评定"] for _ in serials]
    if code == "R11":
        return list(zip(
            unit_col, [f"{uname}关于推进项目建设的若干措施（{s}）" for s in serials],
            [f"{uname[:2]}政〔{q.year}〕{s + 1}号" for s in serials], v.as_dates(v.dates(n, ytd_lo, end)),
            v.choice(n, ["放管服改革", "推进项目"]), v.choice(n, ["优", "良", "一般"], [0.2, 0.5, 0.3])))
    raise ValueError(code)


def write_file(path: str, code: str, units: list, quarter: str, seed: int, flavour: str = "openpyxl") -> int:
    """Write one file of one return (worker process) in the given flavour; returns the data rows written."""
    ret = load_returns().returns[code]
    q = Quarter.parse(quarter)
    # a separate, reproducible stream per file, independent of how the pool schedules the files
    v = Values(np.random.default_rng([seed, int(code[1:]), int(units[0][0][0])]), q)
    written = sum(n for _, n in units)

    def rows():
        for unit, n in units:
            for start in range(0, n, CHUNK):
                yield from make_rows(code, v, tuple(unit), range(start, min(start + CHUNK, n)))

    tmp = Path(path).with_suffix(".tmp")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    writers.write(flavour, tmp, code, ret, f"{q.chinese}{ret.title}", rows(), quarter, seed)
    os.replace(tmp, path)
    return written


def check_file(path: Path, limits: dict[str, int]) -> list[str]:
    """What of the product's declared-size limits a written file breaks (cheap: the zip directory only)."""
    problems = []
    size = path.stat().st_size
    if size > limits.get("MAX_FILE_BYTES", size):
        problems.append(f"{path.name}: {size:,} bytes > MAX_FILE_BYTES")
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
    for info in infos:
        if info.file_size > limits.get("MAX_PART_BYTES", info.file_size):
            problems.append(f"{path.name}: part {info.filename} {info.file_size:,} bytes > MAX_PART_BYTES")
    total = sum(i.file_size for i in infos)
    if total > limits.get("MAX_TOTAL_BYTES", total):
        problems.append(f"{path.name}: {total:,} bytes unpacked > MAX_TOTAL_BYTES")
    return problems


def quarter_dir(rows: int, seed: int, quarter: str, split: str = "product", max_rows_per_file: int | None = None,
                flavour: str = "openpyxl") -> Path:
    name = f"q{rows}-s{seed}-{quarter}-v{GENERATOR_VERSION}-{split}"
    if flavour != "openpyxl":  # the first bench data keeps its name (and its cache)
        name += f"-{flavour}"
    if split == "product":  # the limits are the product's to change: new limits, a new layout
        name += "-" + hashlib.sha256(json.dumps(product_limits(), sort_keys=True).encode()).hexdigest()[:8]
    if max_rows_per_file:
        name += f"-max{max_rows_per_file}"
    return DATA_DIR / name


def ensure(rows: int, seed: int = 1, quarter: str = "2020Q3", split: str = "product",
           max_rows_per_file: int | None = None, workers: int | None = None, quiet: bool = False,
           flavour: str = "openpyxl") -> Path:
    """The folder of a generated quarter (its raw/ is a --raw-dir), generating it unless cached."""
    if flavour not in writers.FLAVOURS:
        raise SystemExit(f"unknown flavour {flavour!r}; known: {', '.join(writers.FLAVOURS)}")
    folder = quarter_dir(rows, seed, quarter, split, max_rows_per_file, flavour)
    manifest = folder / "manifest.json"
    if manifest.exists():
        return folder
    if folder.exists():
        shutil.rmtree(folder)  # an interrupted generation
    defs, registry = load_returns(), load_registry()
    units = [(u.code, u.name) for u in registry.for_year(Quarter.parse(quarter).year)]
    files = plan(rows, units, lambda code: rows_per_file(len(defs.returns[code].columns), split, max_rows_per_file,
                                                          flavour))
    for f in files:
        ret = defs.returns[f["code"]]
        parts = [g for g in files if g["code"] == f["code"]]
        part = "" if len(parts) == 1 else f"-part{parts.index(f) + 1}"
        f["path"] = str(folder / "raw" / quarter / ret.owner / f"{ret.code}-{ret.table}{part}.xlsx")
    started = time.perf_counter()
    if not quiet:
        print(f"generating {rows:,} rows ({len(files)} files, split: {split}, flavour: {flavour}) into {folder} …",
              file=sys.stderr,
              flush=True)
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count()) as pool:
        futures = [pool.submit(write_file, f["path"], f["code"], f["units"], quarter, seed, flavour)
                   for f in sorted(files, key=lambda f: -f["rows"])]  # biggest first: shortest makespan
        for fut in futures:
            fut.result()
    seconds = time.perf_counter() - started
    if split == "product":
        problems = [p for f in files for p in check_file(Path(f["path"]), product_limits())]
        if problems:
            raise SystemExit("generated files break the product's limits (raise XML_BYTES_PER_CELL?):\n"
                             + "\n".join(problems))
    manifest.write_text(json.dumps({
        "rows": rows, "seed": seed, "quarter": quarter, "split": split, "flavour": flavour,
        "generator_version": GENERATOR_VERSION,
        "limits": product_limits() if split == "product" else {}, "seconds": round(seconds, 1),
        "files": [{"path": str(Path(f["path"]).relative_to(folder / "raw")), "return_code": f["code"],
                   "rows": f["rows"], "units": [u[0] for u, _ in f["units"]]} for f in files],
    }, ensure_ascii=False, indent=1), encoding="utf-8")
    if not quiet:
        print(f"generated in {seconds:.0f} s", file=sys.stderr, flush=True)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, required=True, help="total data rows over the eleven returns")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quarter", default="2020Q3")
    parser.add_argument("--split", choices=["product", "excel"], default="product",
                        help="split a return (by unit) to fit the product's file limits (default) or Excel's only")
    parser.add_argument("--max-rows-per-file", type=int, help="split returns even earlier (testing)")
    parser.add_argument("--flavour", choices=writers.FLAVOURS, default=writers.DEFAULT_FLAVOUR,
                        help="who writes the files, and how (bench/writers.py)")
    args = parser.parse_args()
    print(ensure(args.rows, args.seed, args.quarter, args.split, args.max_rows_per_file, flavour=args.flavour) / "raw")


if __name__ == "__main__":
    main()
