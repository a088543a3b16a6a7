"""Articles per day as an inline SVG bar chart, computed on the server (no script, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

WIDTH, HEIGHT, GAP = 900, 160, 1


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    count: int


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    peak: int
    first: date
    last: date


def daily_bars(counts: dict[date, int], first: date, last: date) -> Chart:
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    peak = max((counts.get(d, 0) for d in days), default=0)
    slot = WIDTH / len(days)
    bars = []
    for i, day in enumerate(days):
        n = counts.get(day, 0)
        h = 0.0 if peak == 0 else max(1.0 if n else 0.0, HEIGHT * n / peak)
        bars.append(
            Bar(
                x=round(i * slot, 2),
                y=round(HEIGHT - h, 2),
                width=round(slot - GAP, 2),
                height=round(h, 2),
                day=day,
                count=n,
            )
        )
    return Chart(bars=bars, width=WIDTH, height=HEIGHT, peak=peak, first=first, last=last)


@dataclass(frozen=True)
class Line:
    label: str
    points: str  # the polyline's "x,y x,y ..."
    dots: list[tuple[float, float, str]]  # each point, and its hover text


@dataclass(frozen=True)
class LineChart:
    lines: list[Line]
    width: int
    height: int
    peak: float
    first: date | None
    last: date | None


def lines(series: list[tuple[str, list[tuple[date, float]]]], unit: str = "") -> LineChart:
    """A line per series over shared x positions (the buckets, in order), scaled to the peak
    of all of them, so that two topics compare at a glance."""
    buckets = sorted({day for _label, points in series for day, _value in points})
    peak = max((v for _label, points in series for _day, v in points), default=0.0)
    slot = WIDTH / max(len(buckets) - 1, 1)
    where = {day: round(i * slot, 2) for i, day in enumerate(buckets)}
    drawn = []
    for label, points in series:
        coords = [
            (where[day], round(HEIGHT - (HEIGHT * value / peak if peak else 0.0), 2), day, value)
            for day, value in points
        ]
        drawn.append(
            Line(
                label=label,
                points=" ".join(f"{x},{y}" for x, y, _d, _v in coords),
                dots=[(x, y, f"{d}: {_shown(v, unit)}") for x, y, d, v in coords],
            )
        )
    first, last = (buckets[0], buckets[-1]) if buckets else (None, None)
    return LineChart(drawn, WIDTH, HEIGHT, peak, first, last)


def _shown(value: float, unit: str) -> str:
    return f"{value:.1%}" if unit == "share" else f"{value:,.0f}"
