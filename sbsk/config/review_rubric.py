"""The rubric's [review] section (SPEC §11): the on-site review's items, their maxima, the trimming
and outlier rules and the weight of the review in the annual composite. Validated on load."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

REVIEW_KEYS = {"items", "trim_min", "outlier_points", "annual_review_weight", "review_groups"}
ITEM_KEYS = {"field", "name", "max_points"}
REVIEW_RETURN = "R12"


class ReviewRubricError(ValueError):
    """[review] is broken; the message names the bad entry."""


@dataclass(frozen=True)
class ReviewItem:
    field: str              # the R12 column (returns.toml) and the review_scores column
    name: str               # as printed, e.g. 项目谋划
    max_points: Decimal


@dataclass(frozen=True)
class ReviewRubric:
    items: tuple[ReviewItem, ...]
    trim_min: int                    # drop one highest and one lowest value from this many assessors on
    outlier_points: Decimal          # |mean deviation| above this raises outlier_assessor
    annual_review_weight: Decimal    # w in the annual total (1 − w) × composite + w × review mean
    review_groups: tuple[str, ...]   # the template's drop-down; other group names may be typed

    @property
    def max_total(self) -> Decimal:
        return sum((i.max_points for i in self.items), Decimal(0))

    def item(self, field: str) -> ReviewItem:
        for it in self.items:
            if it.field == field:
                return it
        raise KeyError(field)


def _number(value, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ReviewRubricError(f"{where}: {value!r} is not a number")
    return Decimal(str(value))


def parse_review(raw: dict, item_columns: list[str]) -> ReviewRubric:
    """`item_columns` are R12's number columns (returns.toml): the items must name exactly these."""
    unknown = set(raw) - REVIEW_KEYS
    if unknown:
        raise ReviewRubricError(f"review: unknown key(s) {sorted(unknown)}")
    items = []
    for i, it in enumerate(raw.get("items", [])):
        where = f"review.items[{i}] {it.get('field', '?')}"
        if set(it) - ITEM_KEYS or not {"field", "name", "max_points"} <= set(it):
            raise ReviewRubricError(f"{where}: needs exactly the keys {sorted(ITEM_KEYS)}")
        if any(x.field == it["field"] for x in items):
            raise ReviewRubricError(f"{where}: the item is listed twice")
        top = _number(it["max_points"], f"{where}.max_points")
        if top <= 0 or top != top.quantize(Decimal("0.01")):
            raise ReviewRubricError(f"{where}: max_points must be positive, with at most 2 decimals")
        items.append(ReviewItem(it["field"], str(it["name"]).strip(), top))
    fields = [i.field for i in items]
    if sorted(fields) != sorted(item_columns):
        raise ReviewRubricError(f"review.items name {sorted(fields)}, but {REVIEW_RETURN}'s number columns in "
                                f"schemas/returns.toml are {sorted(item_columns)}: they must be the same")
    trim_min = raw.get("trim_min", 5)
    if isinstance(trim_min, bool) or not isinstance(trim_min, int) or trim_min < 3:
        raise ReviewRubricError("review.trim_min: a whole number ≥ 3 (dropping two values must leave one)")
    outlier = _number(raw.get("outlier_points", 8), "review.outlier_points")
    if outlier < 0 or outlier != outlier.quantize(Decimal("0.0001")):
        raise ReviewRubricError("review.outlier_points: a non-negative number with at most 4 decimals")
    weight = _number(raw.get("annual_review_weight", 0), "review.annual_review_weight")
    if not (0 <= weight <= 1) or weight != weight.quantize(Decimal("0.0001")):
        raise ReviewRubricError("review.annual_review_weight: a number in [0, 1] with at most 4 decimals")
    groups = raw.get("review_groups", [])
    if not isinstance(groups, list) or not all(isinstance(g, str) and g.strip() for g in groups):
        raise ReviewRubricError("review.review_groups: a list of group names")
    return ReviewRubric(tuple(items), trim_min, outlier, weight, tuple(g.strip() for g in groups))
