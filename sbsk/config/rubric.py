"""The scoring rubric (SPEC §5–§6): a data file, validated on load."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path

from sbsk import REFERENCE_DIR, TRANSFORMS_DIR
from sbsk.config.honour_roll import HonourRoll, HonourRollError, parse_honour_roll
from sbsk.config.review_rubric import ReviewRubric, ReviewRubricError, parse_review

RUBRIC_FILE = REFERENCE_DIR / "rubric-2020.1.toml"
METHODS = {"assessor", "relative", "progress", "threshold", "graded"}
NO_BASE = {"zero", "full"}
PART_KEYS = {"share", "method", "source", "metric", "target", "time_progress", "monthly_time_progress", "min_count",
             "no_base"}
WARNING_KEYS = ("amber_ratio", "relative_red", "relative_amber")
# A time progress value as written: a number (0.75, exact as written) or a fraction ("7/12", exact).
Progress = Decimal | Fraction
_FRACTION = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")
REQUIRED_PARAMETERS = {
    "major_quality_min_investment", "major_quality_sectors", "signed_quality_min_amount",
    "approval_workday_limit", "over_plan_ratio", "total_mismatch_tolerance",
    "due_working_day", "dispatch_due_working_day",
}
# Returns are due by the n-th working day after the period end (SPEC §12); more than this is a typo.
MAX_DUE_WORKING_DAY = 30


class RubricError(ValueError):
    """The rubric is broken; the message names the bad entry."""


@cache
def contract_categories() -> tuple[str, ...]:
    """The categories the contract tables have a column for (quarter_results.score_a …), read from
    transforms/contract.sql: every rubric must define these; it may add others.

    Read from the text of the create statement, not by running the contract in DuckDB: every command
    that loads a rubric asks, `sbsk check` among them, and DuckDB's import and the contract's
    execution cost it ~0.3 s of its ~1.6 s."""
    sql = (TRANSFORMS_DIR / "contract.sql").read_text(encoding="utf-8")
    table = re.search(r"^create table if not exists quarter_results \((.*?)^\);", sql, re.S | re.M | re.I)
    if table is None:
        raise RubricError("transforms/contract.sql 中没有 quarter_results 表的定义")
    return tuple(m.upper() for m in re.findall(r"^\s+score_([a-z])\s", table.group(1), re.M))


def _check_contract_categories(categories: list[Category]) -> None:
    codes = [c.code for c in categories]
    shown = contract_categories()
    absent = [c for c in shown if c not in codes]
    if absent:
        raise RubricError(
            f"categories {', '.join(codes)}: the contract tables quarter_results and annual_results have a column "
            f"for each of the categories {', '.join(shown)} (score_{shown[0].lower()} … score_{shown[-1].lower()}), "
            f"so the rubric must define every one of them; missing {', '.join(absent)}. A rubric may add "
            f"categories: they count in the total and are shown in category_scores")


def _dec(value, where: str, places: int) -> Decimal:
    """A rubric number as the decimal written; more decimal places than the scoring keeps exactly
    (the SQL's fixed scales) is an error rather than a silent cut."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RubricError(f"{where}: {value!r} is not a number")
    found = Decimal(str(value))
    if found.as_tuple().exponent < -places:
        raise RubricError(f"{where}: {value} has more than {places} decimal places (write at most {places}: "
                          f"the scoring uses the number exactly as written)")
    return found


@dataclass(frozen=True)
class Part:
    number: int
    share: Decimal
    method: str
    source: str
    metric: str
    target: Decimal | None = None  # a constant target; None: time progress t(q)
    min_count: int = 1
    no_base: str = "zero"
    time_progress: tuple[Progress, ...] | None = None  # this part's own t(1..4), else the rubric's
    monthly_time_progress: tuple[Progress, ...] | None = None  # its own t(1..12) for a dispatch, else the rubric's

    def target_in(self, q: int, default: tuple[Progress, ...]) -> Progress | None:
        """The progress target for quarter q; None for methods that have none."""
        if self.method != "progress":
            return None
        if self.target is not None:
            return self.target
        return (self.time_progress or default)[q - 1]

    def target_in_month(self, m: int, default: tuple[Progress, ...]) -> Progress | None:
        """The progress target at the end of month m (SPEC §9): a constant target stays."""
        if self.method != "progress":
            return None
        if self.target is not None:
            return self.target
        return (self.monthly_time_progress or default)[m - 1]


@dataclass(frozen=True)
class Deduction:
    source: str
    metric: str
    points_each: Decimal


@dataclass(frozen=True)
class Indicator:
    code: str
    category: str
    name: str
    max_points: Decimal
    parts: tuple[Part, ...]
    deduction: Deduction | None = None

    @property
    def sources(self) -> set[str]:
        found = {p.source for p in self.parts}
        if self.deduction:
            found.add(self.deduction.source)
        return found


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    max_points: Decimal


@dataclass(frozen=True)
class Warnings:
    """The dispatch's 红灯/黄灯 thresholds (SPEC §9), exact decimals."""
    amber_ratio: Decimal      # progress: r / target at or above this (and below 1) is amber, below it red
    relative_red: Decimal     # relative: v / group maximum below this is red ...
    relative_amber: Decimal   # ... below this amber


@dataclass(frozen=True)
class Rubric:
    version: str
    total_points: Decimal
    time_progress: tuple[Decimal, ...]
    annual_weights: tuple[Decimal, ...]
    rewards: dict
    grades: dict[str, Decimal]
    categories: tuple[Category, ...]
    indicators: tuple[Indicator, ...]
    parameters: dict = field(default_factory=dict)
    review: ReviewRubric | None = None   # [review], the half-yearly on-site review (SPEC §11)
    years: tuple[int, ...] = ()     # the years this rubric governs (SPEC §5, rubric versions)
    path: Path | None = None        # the file it was loaded from
    chosen_by: str = "year"         # how it was chosen: year, --rubric or SBSK_RUBRIC (sbsk.config.rubric_years)
    monthly_time_progress: tuple[Progress, ...] = ()  # t(1..12) of a dispatch, required by parse_rubric
    warnings: Warnings | None = None                   # required by parse_rubric
    honour_roll: HonourRoll = HonourRoll()  # [honour_roll], the 红黑榜 rules (SPEC §13)

    def indicator(self, code: str) -> Indicator:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise KeyError(code)

    @property
    def metrics(self) -> set[str]:
        found = {p.metric for i in self.indicators for p in i.parts}
        return found | {i.deduction.metric for i in self.indicators if i.deduction}


def _part(raw: dict, number: int, where: str, return_codes: set[str]) -> Part:
    unknown = set(raw) - PART_KEYS
    if unknown:
        raise RubricError(f"{where}: unknown key(s) {sorted(unknown)}")
    for key in ("share", "method", "source", "metric"):
        if key not in raw:
            raise RubricError(f"{where}: missing {key!r}")
    if raw["method"] not in METHODS:
        raise RubricError(f"{where}: unknown method {raw['method']!r}; known: {sorted(METHODS)}")
    if raw["source"] not in return_codes:
        raise RubricError(f"{where}: source {raw['source']!r} is not a return code")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", raw["metric"]) and not re.fullmatch(r"assessor_[A-Z]\d+", raw["metric"]):
        raise RubricError(f"{where}: metric {raw['metric']!r} is not a metric name")
    share = _dec(raw["share"], f"{where}.share", 4)
    if share <= 0:
        raise RubricError(f"{where}: share must be positive")
    target = raw.get("target")
    if target is not None:
        if raw["method"] != "progress":
            raise RubricError(f"{where}: only a progress part takes a target")
        target = _dec(target, f"{where}.target", 6)
        if target <= 0:
            raise RubricError(f"{where}: target must be positive")
    time_progress = raw.get("time_progress")
    if time_progress is not None:
        if raw["method"] != "progress" or target is not None:
            raise RubricError(f"{where}: time_progress belongs to a progress part without a constant target")
        time_progress = _time_progress(time_progress, f"{where}.time_progress")
    monthly = raw.get("monthly_time_progress")
    if monthly is not None:
        if raw["method"] != "progress" or target is not None:
            raise RubricError(f"{where}: monthly_time_progress belongs to a progress part without a constant target")
        monthly = _time_progress(monthly, f"{where}.monthly_time_progress", 12, "month")
    min_count = raw.get("min_count", 1)
    if not isinstance(min_count, int) or min_count < 1:
        raise RubricError(f"{where}: min_count must be a whole number ≥ 1")
    no_base = raw.get("no_base", "zero")
    if no_base not in NO_BASE:
        raise RubricError(f"{where}: no_base must be one of {sorted(NO_BASE)}")
    return Part(number, share, raw["method"], raw["source"], raw["metric"], target, min_count, no_base, time_progress,
                monthly)


def _progress_value(value, where: str) -> Progress:
    if isinstance(value, str):
        m = _FRACTION.fullmatch(value)
        if not m or int(m.group(2)) == 0:
            raise RubricError(f"{where}: {value!r} is neither a number nor a fraction such as \"7/12\"")
        return Fraction(int(m.group(1)), int(m.group(2)))
    return _dec(value, where, 6)


def _time_progress(values, where: str, count: int = 4, per: str = "quarter") -> tuple[Progress, ...]:
    words = {4: "four", 12: "twelve"}[count]
    if not isinstance(values, list):
        raise RubricError(f"{where}: needs {words} values in (0, 1], one per {per}")
    found = tuple(_progress_value(t, f"{where}[{i}]") for i, t in enumerate(values))
    if len(found) != count or any(not (0 < t <= 1) for t in found):
        raise RubricError(f"{where}: needs {words} values in (0, 1], one per {per}")
    return found


def _warnings(raw, where: str = "dispatch") -> Warnings:
    if not isinstance(raw, dict):
        raise RubricError(f"[{where}]: missing; it holds {', '.join(WARNING_KEYS)}")
    unknown = set(raw) - set(WARNING_KEYS)
    if unknown:
        raise RubricError(f"[{where}]: unknown key(s) {sorted(unknown)}")
    values = {}
    for key in WARNING_KEYS:
        if key not in raw:
            raise RubricError(f"{where}.{key}: missing")
        values[key] = _dec(raw[key], f"{where}.{key}", 4)
        if not 0 < values[key] <= 1:
            raise RubricError(f"{where}.{key}: needs a ratio in (0, 1], got {raw[key]!r}")
    if values["relative_red"] > values["relative_amber"]:
        raise RubricError(f"{where}: relative_red ({raw['relative_red']}) must not exceed relative_amber "
                          f"({raw['relative_amber']})")
    return Warnings(**values)


def parse_years(value) -> tuple[int, ...]:
    """The years a rubric file claims (`years = [2020]`): whole years, at least one, each once."""
    if not isinstance(value, list) or not value or any(
            isinstance(y, bool) or not isinstance(y, int) or not 2000 <= y <= 2100 for y in value):
        raise RubricError(f"years: needs a list of the whole years the rubric governs, e.g. years = [2020]; "
                          f"got {value!r}")
    if len(set(value)) != len(value):
        raise RubricError(f"years: a year is listed twice in {value}")
    return tuple(sorted(value))


def parse_rubric(doc: dict, return_codes: set[str], review_items: list[str] | None = None) -> Rubric:
    """`review_items`: R12's item columns, which [review] must name (default: from returns.toml)."""
    version = str(doc.get("version", "")).strip()
    if not version:
        raise RubricError("rubric: version is missing")
    years = parse_years(doc.get("years"))
    total = _dec(doc.get("total_points"), "total_points", 2)

    categories: list[Category] = []
    for i, raw in enumerate(doc.get("categories", [])):
        where = f"categories[{i}] {raw.get('code', '?')}"
        if any(c.code == raw.get("code") for c in categories):
            raise RubricError(f"{where}: category code is listed twice")
        categories.append(Category(raw["code"], raw["name"], _dec(raw["max_points"], f"{where}.max_points", 2)))
    _check_contract_categories(categories)
    if sum(c.max_points for c in categories) != total:
        raise RubricError(
            f"rubric: category maxima add up to {sum(c.max_points for c in categories)}, not total_points {total}")

    indicators: list[Indicator] = []
    for i, raw in enumerate(doc.get("indicators", [])):
        code = raw.get("code", "?")
        where = f"indicator {code}"
        if any(ind.code == code for ind in indicators):
            raise RubricError(f"{where}: indicator code is listed twice")
        if not re.fullmatch(r"[A-Z]\d+", code):
            raise RubricError(f"{where}: code must be a letter and a number, such as A1")
        if raw.get("category") not in {c.code for c in categories}:
            raise RubricError(f"{where}: category {raw.get('category')!r} is not defined")
        max_points = _dec(raw.get("max_points"), f"{where}.max_points", 2)
        parts = tuple(_part(p, n, f"{where} part {n}", return_codes)
                      for n, p in enumerate(raw.get("parts", []), start=1))
        if not parts:
            raise RubricError(f"{where}: has no parts")
        shares = sum(p.share for p in parts)
        if shares != max_points:
            raise RubricError(f"{where}: part shares add up to {shares}, not its max_points {max_points}")
        deduction = None
        if "deduction" in raw:
            d = raw["deduction"]
            if d.get("source") not in return_codes:
                raise RubricError(f"{where} deduction: source {d.get('source')!r} is not a return code")
            deduction = Deduction(d["source"], d["metric"], _dec(d["points_each"], f"{where}.deduction.points_each", 2))
        indicators.append(Indicator(code, raw["category"], raw["name"], max_points, parts, deduction))

    for cat in categories:
        got = sum(ind.max_points for ind in indicators if ind.category == cat.code)
        if got != cat.max_points:
            raise RubricError(f"category {cat.code}: indicator maxima add up to {got}, not its max_points {cat.max_points}")

    time_progress = _time_progress(doc.get("time_progress"), "time_progress")
    monthly_time_progress = _time_progress(doc.get("monthly_time_progress"), "monthly_time_progress", 12, "month")
    warnings = _warnings(doc.get("dispatch"))
    weights = tuple(_dec(w, "annual_weights", 4) for w in doc.get("annual_weights", []))
    if len(weights) != 4 or any(w < 0 for w in weights) or sum(weights) <= 0:
        raise RubricError("annual_weights: needs four non-negative weights, not all zero")

    rewards = dict(doc.get("rewards", {}))
    for key in ("quarter_first_yuan", "quarter_last_yuan", "annual_first_yuan", "annual_last_yuan"):
        if not isinstance(rewards.get(key), int):
            raise RubricError(f"rewards.{key}: needs a whole number of yuan")
    tie_break = rewards.get("tie_break", [])
    if sorted(tie_break) != sorted(c.code for c in categories):
        raise RubricError(f"rewards.tie_break: must list each category once, got {tie_break}")

    grades = {k: _dec(v, f"grades.{k}", 4) for k, v in doc.get("grades", {}).items()}
    if not grades:
        raise RubricError("grades: none defined")
    params = dict(doc.get("parameters", {}))
    missing = REQUIRED_PARAMETERS - set(params)
    if missing:
        raise RubricError(f"parameters: missing {sorted(missing)}")
    review = None
    if "review" in doc:
        if review_items is None:
            from sbsk.schemas import load_returns

            r12 = load_returns().half_year["R12"]
            review_items = [c.field for c in r12.columns if c.type == "number"]
        try:
            review = parse_review(doc["review"], review_items)
        except ReviewRubricError as exc:
            raise RubricError(str(exc)) from exc
    for key in ("due_working_day", "dispatch_due_working_day"):
        n = params[key]
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_DUE_WORKING_DAY:
            raise RubricError(f"parameters.{key}: needs a whole number of working days from 1 to "
                              f"{MAX_DUE_WORKING_DAY}, got {n!r}")
    try:
        honour_roll = parse_honour_roll(doc.get("honour_roll"), total)
    except HonourRollError as exc:
        raise RubricError(str(exc)) from exc
    return Rubric(version, total, time_progress, weights, rewards, grades,
                  tuple(categories), tuple(indicators), params, review, years,
                  monthly_time_progress=monthly_time_progress, warnings=warnings, honour_roll=honour_roll)


def read_rubric_toml(path: Path) -> dict:
    """A rubric file's TOML, or a RubricError naming the file."""
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise RubricError(f"{path}: cannot be read ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(f"{path.name}: not valid TOML: {exc}") from exc


def load_rubric(path: Path | None = None) -> Rubric:
    """One rubric file, validated (without a path: SBSK_RUBRIC, else the shipped file). Which file
    governs a period's year is sbsk.config.rubric_years.rubric_for_year."""
    from sbsk.schemas import load_returns

    path = Path(path or os.environ.get("SBSK_RUBRIC") or RUBRIC_FILE)
    doc = read_rubric_toml(path)
    try:
        return replace(parse_rubric(doc, set(load_returns().returns)), path=path)
    except RubricError as exc:
        raise RubricError(f"{path}: {exc}") from None
    except (KeyError, TypeError) as exc:
        raise RubricError(f"{path.name}: malformed entry ({exc!r})") from exc


def rubric_for(version: str) -> tuple[Rubric, str | None]:
    """The rubric a stored result was scored with (reference/rubric-<version>.toml), else the one in
    force and a warning saying so."""
    path = REFERENCE_DIR / f"rubric-{version}.toml"
    rubric = load_rubric(path) if path.exists() else load_rubric()
    if rubric.version != version:
        return rubric, f"注意：未找到评分细则{version}版，分项说明按当前{rubric.version}版给出"
    return rubric, None
