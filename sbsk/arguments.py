"""The argument types of the `sbsk` command: periods, years and versions, each refused with a Chinese
message that says how to write it, and which command a month or a quarter given to the other wants."""

from __future__ import annotations

import argparse
import re

from sbsk.config.periods import HalfYear, Month, Period, Quarter, parse_period


def period(text: str) -> Period:
    try:
        return parse_period(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def quarter(text: str) -> Quarter:
    try:
        return Quarter.parse(text)
    except ValueError:
        pass
    try:
        Month.parse(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"「{text}」不是季度：季度写作 YYYYQn，如 2020Q3") from None
    raise argparse.ArgumentTypeError(f"「{text}」是月份，不是季度（季度写作 YYYYQn，如 2020Q3）；"
                                     f"月调度请运行 sbsk dispatch {text.strip()}")


def month(text: str) -> Month:
    """A month the working-day calendar knows (SPEC §2: a date outside it is an error, never a guess)."""
    from sbsk.config.workdays import covered_years

    try:
        month = Month.parse(text)
    except ValueError:
        try:
            quarter = Quarter.parse(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"「{text}」不是月份：月份写作 YYYY-MM，如 2020-07") from None
        raise argparse.ArgumentTypeError(
            f"「{text}」是季度，不是月份（月份写作 YYYY-MM，如 {quarter.year}-{3 * quarter.q:02d}）；"
            f"季度考评请运行 sbsk run {quarter}") from None
    lo, hi = covered_years()
    if not lo <= month.year <= hi:
        raise argparse.ArgumentTypeError(f"「{month}」不在工作日历覆盖的年份内（{lo}—{hi}年），无法计算：请核对月份，"
                                         f"或更新 chinesecalendar 的节假日数据")
    return month


def half_year(text: str) -> HalfYear:
    try:
        return HalfYear.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def quarter_or_half(text: str) -> Quarter | HalfYear:
    if "H" not in text.upper():
        return quarter(text)  # a month gets the Chinese hint towards sbsk dispatch
    try:
        return HalfYear.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{exc}; a half year is written YYYYH1 or YYYYH2") from None


def status_target(text: str) -> int | HalfYear | Period:
    """`sbsk status`'s argument: a year, a half year (its review), or a quarter or month (its submissions)."""
    if re.fullmatch(r"\d{4}", text.strip()):
        return year(text)
    return half_year(text) if "H" in text.upper() else period(text)


def year(text: str) -> int:
    if not re.fullmatch(r"\d{4}", text):
        raise argparse.ArgumentTypeError(f"not a year: {text!r}")
    return int(text)


def version(text: str) -> int:
    if not re.fullmatch(r"[1-9]\d*", text.strip()):
        raise argparse.ArgumentTypeError(f"版本号应为 1、2、3 …，不是 {text!r}")
    return int(text)


def version_or_draft(text: str) -> int | str:
    return "draft" if text.strip().lower() in ("draft", "草稿") else version(text)
