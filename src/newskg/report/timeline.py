"""The timeline of dated engagements: where each one's date range sits on a common axis.

Dates are the xsd:date bounds of an engagement's time interval (``nkg:notBefore``,
``nkg:notAfter``). An approximate date is a range, shown as a bar; a missing bound leaves
the bar open to the edge of the axis. Positions are fractions of the axis (0..1), so the
template can draw them at any width.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from newskg.report.model import Engagement


@dataclass
class TimelineRow:
    """One dated engagement on the axis: from ``left`` to ``right`` (fractions of the axis)."""

    engagement: Engagement
    left: float
    right: float
    open_before: bool
    open_after: bool

    @property
    def when(self) -> str:
        """The range in words: "2025-04-01 – 2025-04-30", "by 2025-12-28", "from 2010-01-01"."""
        e = self.engagement
        if e.not_before and e.not_after:
            return e.not_before if e.not_before == e.not_after else f"{e.not_before} – {e.not_after}"
        return f"by {e.not_after}" if e.not_after else f"from {e.not_before}"


@dataclass
class Timeline:
    """The axis (first and last day, tick marks) and the rows, earliest first."""

    start: date
    end: date
    ticks: list[tuple[float, str]]
    rows: list[TimelineRow]
    tick_unit: str = "month"  # what one tick mark stands for: month, quarter or year(s)


def _parse(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None  # a malformed bound is left out rather than breaking the page


def _tick_step(start: date, end: date) -> int:
    """Months between tick marks: monthly up to a year, quarterly up to three, then yearly or more."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return 1 if months <= 12 else 3 if months <= 36 else 12 * max(1, months // 120)


def _ticks(start: date, end: date) -> list[tuple[date, str]]:
    step = _tick_step(start, end)
    year, month = start.year, start.month
    if step >= 12:
        year, month = (year + 1, 1) if (month, start.day) != (1, 1) else (year, 1)
    elif start.day != 1:
        month += 1
    ticks: list[tuple[date, str]] = []
    while True:
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
        day = date(year, month, 1)
        if day > end:
            return ticks
        ticks.append((day, str(year) if step >= 12 or month == 1 else day.strftime("%b %Y")))
        month += step


def build_timeline(engagements: list[Engagement]) -> Timeline | None:
    """The timeline of the dated engagements, or None when none is dated."""
    dated = [(e, _parse(e.not_before), _parse(e.not_after)) for e in engagements]
    dated = [(e, lo, hi) for e, lo, hi in dated if lo or hi]
    if not dated:
        return None
    days = [d for _, lo, hi in dated for d in (lo, hi) if d]
    start, end = min(days), max(days)
    if (end - start).days < 30:  # one date or a short span: give the axis some width
        start, end = start - timedelta(days=15), end + timedelta(days=15)
    span = (end - start).days

    def at(day: date) -> float:
        return (day - start).days / span

    rows = [TimelineRow(e, at(lo) if lo else 0.0, at(hi) if hi else 1.0, lo is None, hi is None)
            for e, lo, hi in dated]
    rows.sort(key=lambda r: (r.left, r.right, r.engagement.label))
    step = _tick_step(start, end)
    unit = {1: "month", 3: "quarter", 12: "year"}.get(step, f"{step // 12} years")
    return Timeline(start, end, [(at(d), label) for d, label in _ticks(start, end)], rows, unit)
