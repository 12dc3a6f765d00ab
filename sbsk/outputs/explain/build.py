"""Reading one unit's quarter back from the published database into the explanation (a dict that
`--json` prints as it is and text.py renders)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from sbsk.config.labels import flag_labels
from sbsk.config.metrics import load_catalogue
from sbsk.config.periods import Quarter
from sbsk.config.registry import reference_set_registry
from sbsk.config.rubric import Rubric, rubric_for
from sbsk.outputs.explain.indicator import explain_indicator, flag_concerns
from sbsk.schemas import load_returns
from sbsk.store.runs import scoring_rubric


class NoResult(LookupError):
    """Nothing to explain: the quarter or the unit has no stored result."""


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def resolve_unit(con: duckdb.DuckDBPyConnection, text: str, year: int, reference_dir: Path | None = None) -> str | None:
    """A code or any name the registry of the reference set knows (林州, 林州市人民政府, 內黃縣 …; --reference
    DIR, default the shipped one); else a code or name in `units`."""
    code = reference_set_registry(reference_dir).resolve(text, year)
    if code:
        return code
    found = con.execute("select unit_code from units where unit_code = ? or unit_name = ?",
                        [text.strip(), text.strip()]).fetchone()
    return found[0] if found else None


class Sources:
    """The unit's staged rows per return in the quarter, with their files (read once per return)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, quarter: str, unit_code: str):
        self.con, self.quarter, self.unit_code = con, quarter, unit_code
        self.defs = load_returns()
        self._seen: dict[str, dict] = {}

    def __call__(self, code: str) -> dict:
        if code not in self._seen:
            self._seen[code] = self._read(code)
        return self._seen[code]

    def _read(self, code: str) -> dict:
        ret = self.defs.returns.get(code)
        info = {"return_code": code, "title": ret.title if ret else "", "table": None, "rows": 0, "files": []}
        if ret is None:
            return info
        info["table"] = f"stg_{ret.table}"
        try:
            rows, files = self.con.execute(
                f"select count(*), coalesce(list(distinct source_file order by source_file), []) "
                f"from stg_{ret.table} where quarter = ? and unit_code = ?", [self.quarter, self.unit_code]).fetchone()
        except duckdb.CatalogException:
            return info
        info["rows"], info["files"] = rows, list(files)
        return info


def build_explanation(con: duckdb.DuckDBPyConnection, quarter: Quarter, unit_code: str) -> dict:
    q = str(quarter)
    result = _rows(con, "select * from quarter_results where quarter = ? and unit_code = ?", [q, unit_code])
    if not result:
        if not con.execute("select count(*) from quarter_results where quarter = ?", [q]).fetchone()[0]:
            raise NoResult(f"{quarter.chinese}（{q}）没有考评结果，请先运行 sbsk run {q}")
        raise NoResult(f"{quarter.chinese}（{q}）没有 {unit_code} 的考评结果（该单位本年可能不参加考评）")
    res = result[0]
    rubric, warning = rubric_for(res["rubric_version"])
    scored = scoring_rubric(con, [q], res["rubric_version"])  # the file the run recorded, e.g. --rubric
    if scored is not None and scored.version == res["rubric_version"]:
        rubric, warning = scored, None
    scores = {r["indicator_code"]: r for r in _rows(
        con, "select * from indicator_scores where quarter = ? and unit_code = ?", [q, unit_code])}
    if any("numerator_1" not in r for r in scores.values()):
        raise NoResult(f"数据库由旧版本生成，得分表中没有指标的分子、分母；请重新运行 sbsk run {q} 后再查看")
    metas = {r["indicator_code"]: r for r in _rows(
        con, "select * from rubric_indicators where rubric_version = ?", [res["rubric_version"]])}
    ctx = _context(con, quarter, res, rubric)
    indicators = [explain_indicator(ind, metas.get(ind.code, {}), scores.get(ind.code), ctx)
                  for ind in rubric.indicators]
    return {
        "quarter": q, "unit_code": unit_code, "unit_name": res["unit_name"], "unit_group": res["unit_group"],
        "group_label": ctx["group_label"], "total": float(res["total"]), "group_rank": res["group_rank"],
        "group_size": len(ctx["group_results"]), "reward_yuan": res["reward_yuan"], "status": res["status"],
        "rubric_version": res["rubric_version"], "time_progress": float(rubric.time_progress[quarter.q - 1]),
        "categories": _categories(con, q, unit_code, res, rubric),
        "warning": warning, "indicators": indicators,
        "unit_flags": [f for f in ctx["data_flags"] if not any(flag_concerns(f, i) for i in rubric.indicators)],
    }


def _categories(con: duckdb.DuckDBPyConnection, q: str, unit_code: str, res: dict, rubric: Rubric) -> list[dict]:
    """Every category the unit was scored in, also one the rubric adds beyond A–D (category E): as the run
    stored them (rubric_indicators, category_scores), else from the rubric and the score_a … columns."""
    stored = con.execute("select category_code, any_value(category_name), sum(max_points) from rubric_indicators "
                         "where rubric_version = ? group by 1 order by 1", [res["rubric_version"]]).fetchall()
    cats = stored or [(c.code, c.name, c.max_points) for c in rubric.categories]
    scores = dict(con.execute("select category_code, score from category_scores where quarter = ? and unit_code = ?",
                              [q, unit_code]).fetchall())
    found = []
    for code, name, maximum in cats:
        value = scores.get(code, res.get(f"score_{code.lower()}"))
        found.append({"code": code, "name": name, "max_points": float(maximum),
                      "points": None if value is None else float(value)})
    return found


def _context(con: duckdb.DuckDBPyConnection, quarter: Quarter, res: dict, rubric: Rubric) -> dict:
    q, unit_code, group = str(quarter), res["unit_code"], res["unit_group"]
    label = con.execute("select any_value(group_label) from units where unit_group = ?", [group]).fetchone()[0]
    labels = flag_labels(rubric)
    data_flags = _rows(con, "select flag, return_code, detail, source_file, sheet, row_number from data_flags "
                            "where quarter = ? and unit_code = ? order by return_code nulls last, flag, "
                            "source_file, row_number", [q, unit_code])
    return {
        "rubric": rubric,
        "catalogue": load_catalogue(),
        "flag_labels": labels,
        "sources": Sources(con, q, unit_code),
        "missing": {r[0] for r in con.execute(
            "select distinct return_code from data_flags where quarter = ? and flag = 'missing_return' "
            "and return_code is not null", [q]).fetchall()},
        "group_rows": _rows(con, "select * from indicator_scores where quarter = ? and unit_group = ? "
                                 "order by unit_code", [q, group]),  # tied leaders in a stable order
        "group_results": _rows(con, "select unit_code, unit_name from quarter_results where quarter = ? "
                                    "and unit_group = ?", [q, group]),
        "names": dict(con.execute("select unit_code, unit_name from units").fetchall()),
        "group_label": label or group,
        "data_flags": [{**f, "label": labels.get(f["flag"], f["flag"])} for f in data_flags],
    }
