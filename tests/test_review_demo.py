"""The demo's sample reviews (SPEC §11): several groups, five or more assessors for some units and fewer
for others, one 回避 row, one lenient assessor; both half years evaluate."""

from __future__ import annotations

from review_builders import assessors_of, results_of, run_review
from sbsk.samples.review_demo import LENIENT, generate_reviews


def test_the_sample_reviews(dirs):
    raw, out = dirs
    paths = generate_reviews(raw, 2020)
    assert len(paths) == 6 and all(p.parent.name == "zdxmb" for p in paths)
    for period in ("2020H1", "2020H2"):
        results = run_review(dirs, period)
        rejected = [r for f in results for r in f.rejections]
        res = results_of(out, period)
        assert len(res) == 9 and all(r["total"] is not None for r in res.values())
        counts = {u: (r["assessors"], r["trimmed"]) for u, r in res.items()}
        assert counts["林州市"] == (6, 2) and counts["文峰区"] == (5, 2) and counts["滑县"] == (4, 0)
        assert counts["安阳县"] == (5, 2)                       # six in the group, one never scores it
        outliers = {a for a, (_, dev, outlier) in assessors_of(out, period).items() if outlier}
        assert outliers == {LENIENT}
        assert assessors_of(out, period)[LENIENT][1] > 8
        if period == "2020H1":
            (rej,) = rejected
            assert "回避" in rej["message"] and rej["value"] == "安阳县"
        else:
            assert rejected == []
