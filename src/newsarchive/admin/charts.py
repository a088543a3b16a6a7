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
