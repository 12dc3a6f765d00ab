"""Numbers as a clerk reads them: rounded half up, no trailing zeros, points with two decimals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sbsk.config.metrics import Metric


def dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def num(value: Any, places: int = 2) -> str:
    """A number rounded half up to `places` decimals, without trailing zeros: 302400, 9026.65, 0.75."""
    if value is None:
        return "—"
    q = dec(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(q, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def pts(value: Any) -> str:
    """Points: at least 2, at most 4 decimals, so unrounded part points stay honest (3.00, 3.8127)."""
    text = num(value, 4)
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def percent(value: Any) -> str:
    return f"{num(dec(value) * 100, 2)}%"


def quantity(value: Any, metric: Metric) -> str:
    if value is None:
        return "无"
    return f"{num(value, 4 if metric.kind == 'count' else 2)}{metric.unit}"


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value
