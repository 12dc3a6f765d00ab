"""The metric catalogue: what each metric of transforms/intermediate means, read from the data file
beside the SQL models (transforms/intermediate/metrics.toml, whose header explains its fields)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from sbsk import TRANSFORMS_DIR
from sbsk.config.labels import fill, rubric_values

METRICS_FILE = TRANSFORMS_DIR / "intermediate" / "metrics.toml"
KINDS = {"count", "amount", "share", "ratio", "grade", "score"}
FRACTIONS = {"share", "ratio"}  # num ÷ den; the other kinds have den = 1
_KEYS = {"meaning", "kind", "unit", "short", "den"}


class CatalogueError(ValueError):
    """metrics.toml is broken; the message names the entry."""


@dataclass(frozen=True)
class Metric:
    name: str          # as the models emit it; a pattern such as assessor_{indicator} in the catalogue
    model: str         # the int_*_metrics model that produces it
    meaning: str
    kind: str
    unit: str = ""
    short: str = ""
    den: str = ""

    @property
    def is_fraction(self) -> bool:
        return self.kind in FRACTIONS

    def pattern(self) -> re.Pattern:
        parts = re.split(r"\{(\w+)\}", self.name)
        return re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>\\w+)" for i, p in enumerate(parts)))


@dataclass(frozen=True)
class Catalogue:
    metrics: tuple[Metric, ...]

    def entry(self, name: str) -> tuple[Metric, dict[str, str]] | None:
        """The entry documenting a metric the models emit, with what its pattern matched."""
        for metric in self.metrics:
            found = metric.pattern().fullmatch(name)
            if found:
                return metric, found.groupdict()
        return None

    def describe(self, name: str, rubric) -> Metric | None:
        """The metric as a clerk reads it, its wording filled from the rubric; None if undocumented."""
        found = self.entry(name)
        if found is None:
            return None
        metric, matched = found
        values = {**rubric_values(rubric), **matched}
        where = f"{METRICS_FILE.name} {metric.model}.{metric.name}"
        return replace(metric, name=name, meaning=fill(metric.meaning, values, where),
                       short=fill(metric.short, values, where), den=fill(metric.den, values, where))


def parse_catalogue(doc: dict, where: str = "metrics.toml") -> Catalogue:
    metrics, seen = [], set()
    for model, entries in doc.items():
        if not re.fullmatch(r"int_\w+_metrics", model) or not isinstance(entries, dict):
            raise CatalogueError(f"{where}: [{model}] is not an int_<return>_metrics model")
        for name, raw in entries.items():
            at = f"{where} {model}.{name}"
            if not isinstance(raw, dict) or set(raw) - _KEYS:
                raise CatalogueError(f"{at}: unknown key(s) {sorted(set(raw) - _KEYS) if isinstance(raw, dict) else raw}")
            if name in seen:
                raise CatalogueError(f"{at}: documented twice")
            seen.add(name)
            if not str(raw.get("meaning", "")).strip():
                raise CatalogueError(f"{at}: meaning is missing")
            kind = raw.get("kind")
            if kind not in KINDS:
                raise CatalogueError(f"{at}: kind {kind!r} is not one of {sorted(KINDS)}")
            if (kind in FRACTIONS) != bool(raw.get("den")):
                raise CatalogueError(f"{at}: a {kind} {'needs' if kind in FRACTIONS else 'takes no'} den")
            metrics.append(Metric(name, model, raw["meaning"], kind, raw.get("unit", ""), raw.get("short", ""),
                                  raw.get("den", "")))
    return Catalogue(tuple(metrics))


@cache
def load_catalogue(path: Path = METRICS_FILE) -> Catalogue:
    with open(path, "rb") as fh:
        return parse_catalogue(tomllib.load(fh), path.name)
