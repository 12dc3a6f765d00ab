"""`sbsk explain QUARTER UNIT`: how each of a unit's points was earned or lost (SPEC §8).

Everything is read back from the published database (indicator_scores keeps each part's numerator,
denominator and basis), so the explanation shows the numbers that were actually scored; the rubric
file only supplies what the database does not keep: each part's share, method, metric and source,
and the metric catalogue (transforms/intermediate/metrics.toml) what each metric means.

build.py reads the database into one dict, indicator.py and parts.py explain an indicator and each
of its parts, numbers.py writes numbers as a clerk reads them, text.py renders the dict as text and
command.py is the command.
"""

from sbsk.outputs.explain.build import NoResult, build_explanation
from sbsk.outputs.explain.command import explain_command
from sbsk.outputs.explain.text import render_text

__all__ = ["NoResult", "build_explanation", "explain_command", "render_text"]
