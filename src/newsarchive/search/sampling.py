"""Which archive days a broad search samples to estimate its total and its facets (pure).

A search that matches hundreds of thousands of articles cannot look at every match in a few
milliseconds; it looks at the matches on a systematic sample of days instead: the days are laid
end to end by their article counts, cut into STRIPES equal periods, and the first `fraction` of
each period is taken. The sample is spread evenly over the whole archive (a word whose use rose
or fell over the years is sampled in every year alike), and how many articles it holds is known
exactly from the per-day counts, so matches in the sample / articles in the sample is an
unbiased estimate of the share of articles that match.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

STRIPES = 32


@dataclass(frozen=True)
class DaySample:
    spans: list[tuple[int, int]]  # inclusive ranges of day numbers, oldest first
    articles: int  # articles on those days
    of: int  # articles on all days


def sample_days(counts: Mapping[int, int], fraction: float) -> DaySample:
    """Days holding about `fraction` of the articles of `counts` (day number -> articles)."""
    total = sum(counts.values())
    if fraction >= 1 or total == 0:
        days = sorted(counts)
        return DaySample([(days[0], days[-1])] if days else [], total, total)
    period = total / STRIPES
    taken = fraction * period
    spans: list[tuple[int, int]] = []
    articles = 0
    position = 0.0
    for day in sorted(counts):
        if (position % period) < taken:
            if spans and spans[-1][1] == day - 1:
                spans[-1] = (spans[-1][0], day)
            else:
                spans.append((day, day))
            articles += counts[day]
        position += counts[day]
    return DaySample(spans, articles, total)


def scaled(count: int, sample: DaySample) -> int:
    """A count seen in the sample, scaled to the whole archive."""
    if sample.articles == 0:
        return 0
    return round(count * sample.of / sample.articles)
