"""The source and language facets, from match counts per (source id, language): one shape and
one order (most first, then by value) whether the counts are exact or a sample scaled up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from newsarchive import archive

MAX_FACET_VALUES = 50
FACET_DAYS = 366  # the days facet: the most recent days that have matches


def sources_and_languages(
    session: Session, counts: Iterable[tuple[int, str | None, int]], scale: float = 1.0
) -> dict[str, list[dict[str, Any]]]:
    """{"sources": [{"name", "count"}], "languages": [{"language", "count"}]}, each count
    multiplied by `scale` (a sample's counts, scaled to every match)."""
    sources: Counter[int] = Counter()
    languages: Counter[str | None] = Counter()
    for source_id, language, n in counts:
        sources[source_id] += n
        languages[language] += n
    names = archive.source_names(session, list(sources))
    by_name = Counter({names[source_id]: n for source_id, n in sources.items()})
    return {
        "sources": _top(by_name, "name", scale),
        "languages": _top(languages, "language", scale),
    }


def exact_facets(
    session: Session,
    per_day: Iterable[tuple[date, int]],
    per_source_language: Iterable[tuple[int, str | None, int]],
) -> tuple[int, dict[str, list[dict[str, Any]]]]:
    """The total and the facets from every match counted per day and per (source id,
    language)."""
    days: Counter[date] = Counter()
    for day, n in per_day:
        days[day] += n
    return sum(days.values()), {
        **sources_and_languages(session, per_source_language),
        "days": [
            {"date": day.isoformat(), "count": days[day]}
            for day in sorted(days, reverse=True)[:FACET_DAYS]
        ],
    }


def _top(counts: Counter[Any], label: str, scale: float) -> list[dict[str, Any]]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0] is None, item[0]))
    return [{label: value, "count": round(n * scale)} for value, n in ordered[:MAX_FACET_VALUES]]
