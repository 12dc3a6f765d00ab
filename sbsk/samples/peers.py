"""A sample R13 全省对标数据 for the demo (SPEC §10): the other cities' metrics of a period, drawn
around the home city's own aggregated metrics of a stored quarter (so the sample ranks it somewhere
plausible), with one city's value of one part missing, so the forecast leaves that part out."""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

from sbsk import REFERENCE_DIR
from sbsk.config.level import load_level
from sbsk.config.periods import Month, Quarter
from sbsk.config.registry import load_registry
from sbsk.config.rubric_years import rubric_for_year
from sbsk.outputs.return_writer import write_plain
from sbsk.schemas import load_returns
from sbsk.store.forecast import home_values
from sbsk.store.warehouse import read_only

PROVINCE = REFERENCE_DIR / "province"
LEFT_OUT = ("C7", 1, "济源示范区")  # the sample's gap: this city sent nothing for this part


def _value(home: Fraction, method: str, rng: random.Random) -> float | str:
    if method == "progress":  # a ratio, written as people write it
        ratio = min(float(home) * rng.uniform(0.7, 1.3), 0.99) if home else rng.uniform(0.3, 0.9)
        return f"{ratio * 100:.0f}%"
    base = float(home) if home else rng.uniform(1, 10)
    scaled = base * rng.uniform(0.5, 1.6)
    return round(scaled) if method == "threshold" else round(scaled, 2)


def write_peer_sample(raw_dir: Path, out_dir: Path, period: Quarter | Month, like: Quarter, seed: int = 2020) -> Path:
    """R13 for `period` under raw_dir/<period>/zdxmb/, drawn around the home city's values in `like`."""
    ret = load_returns().peer["R13"]
    rubric = rubric_for_year(period.year, None, PROVINCE)
    level = load_level(PROVINCE)
    cities = [u.name for u in load_registry(PROVINCE / "units.csv", PROVINCE / "unit_groups.csv").for_year(period.year)
              if u.code != level.home_unit]
    with read_only(out_dir) as con:
        home = home_values(con, like, rubric, rubric_for_year(like.year))
    rng = random.Random(f"{seed}-{period}")
    rows = []
    for city in cities:
        for ind in rubric.indicators:
            for part in ind.parts:
                if (ind.code, part.number) not in home or (ind.code, part.number, city) == LEFT_OUT:
                    continue
                rows.append({"unit": city, "indicator": ind.code, "part": part.number,
                             "value": _value(home[(ind.code, part.number)], part.method, rng),
                             "source": f"省{period.chinese}通报（示例）"})
    path = Path(raw_dir) / str(period) / ret.owner / f"R13-{ret.table}.xlsx"
    return write_plain(path, ret, rows, title=f"{period.chinese} {ret.title}")
