"""Source health, the pure part: when a source's extraction or delivery is broken. Each rule
compares a source's newest articles (or runs) with its own record before them, so a source that
never gives authors is not alarmed about authors, and a few odd pages are not a breakage.

An alert opens once, keeps the baseline it was judged against, and closes by itself when the
newest articles come back near that baseline."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

RECENT = 20  # the newest articles judged; a breakage opens its alert within this many
BASELINE = 200  # articles before them that make the source's record
MIN_BASELINE = 30  # fewer: too little known of the source to judge it
MIN_SHARE = 0.5  # a field the source gives less often than this is not watched
DROP = 0.5  # open when the recent share falls under this part of the baseline's
RECOVER = 0.8  # close when it is back above this part of the baseline
SHORT = 0.4  # text_short: the recent median under this part of the baseline median
FAILED_RUNS = 3  # fetch_failing: this many runs in a row with failures and nothing stored
SILENT_RUNS = 5  # silent: this many runs in a row with nothing new, from a source that brings


@dataclass(frozen=True)
class Sample:
    """What one stored article says of its source's extraction."""

    page_date: bool  # dated by the page itself
    authors: bool
    title: bool
    words: int


@dataclass(frozen=True)
class RunSample:
    """One run's counts for the source."""

    stored: int
    failed: int
    feeds_failed: int


@dataclass(frozen=True)
class Verdict:
    kind: str
    broken: bool
    baseline: float  # the share or median judged against
    message: str


FIELDS = {"dates_missing": "page_date", "authors_missing": "authors"}
LABELS = {"dates_missing": "a date on the page", "authors_missing": "authors"}


def judge_articles(
    samples: Sequence[Sample], baselines: dict[str, float] | None = None
) -> list[Verdict]:
    """Verdicts for the extraction rules; `samples` newest first; `baselines`: those of the
    alerts open now (a breakage must not become the record it is judged against)."""
    baselines = baselines or {}
    recent, before = samples[:RECENT], samples[RECENT : RECENT + BASELINE]
    if len(before) < MIN_BASELINE or len(recent) < RECENT // 2:
        return []
    verdicts = []
    for kind, field in FIELDS.items():
        share = _share(recent, field)
        base = baselines.get(kind, _share(before, field))
        if base < MIN_SHARE:
            continue
        limit = RECOVER if kind in baselines else DROP
        broken = share < base * limit
        verdicts.append(
            Verdict(
                kind,
                broken,
                base,
                f"{share:.0%} of the newest {len(recent)} articles have "
                f"{LABELS[kind]}, against {base:.0%} before",
            )
        )
    median = statistics.median(s.words for s in recent)
    base = baselines.get("text_short", statistics.median(s.words for s in before))
    limit = RECOVER if "text_short" in baselines else SHORT
    verdicts.append(
        Verdict(
            "text_short",
            median < base * limit,
            base,
            f"the newest {len(recent)} articles have {median:.0f} words (median), "
            f"against {base:.0f} before",
        )
    )
    return verdicts


def judge_runs(runs: Sequence[RunSample]) -> list[Verdict]:
    """Verdicts for the delivery rules; `runs` newest first (the source's runs only)."""
    verdicts = []
    failing = runs[:FAILED_RUNS]
    if len(failing) == FAILED_RUNS:
        broken = all(r.stored == 0 and (r.failed or r.feeds_failed) for r in failing)
        verdicts.append(
            Verdict(
                "fetch_failing",
                broken,
                0.0,
                f"the last {FAILED_RUNS} runs stored nothing and had failures",
            )
        )
    quiet, earlier = runs[:SILENT_RUNS], runs[SILENT_RUNS : SILENT_RUNS * 4]
    if len(quiet) == SILENT_RUNS and earlier:
        usual = sum(r.stored for r in earlier) / len(earlier)
        if usual >= 1:
            broken = all(r.stored == 0 for r in quiet)
            verdicts.append(
                Verdict(
                    "silent",
                    broken,
                    usual,
                    f"no new article in the last {SILENT_RUNS} runs, against "
                    f"{usual:.1f} a run before",
                )
            )
    return verdicts


def _share(samples: Sequence[Sample], field: str) -> float:
    return sum(1 for s in samples if getattr(s, field)) / len(samples) if samples else 0.0
