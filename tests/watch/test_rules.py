"""Source health, the pure rules: real breakage opens an alert, noise does not."""

from __future__ import annotations

import random

from newsarchive.watch.rules import RECENT, RunSample, Sample, judge_articles, judge_runs

GOOD = Sample(page_date=True, authors=True, title=True, words=600)
NO_DATE = Sample(page_date=False, authors=True, title=True, words=600)


def broken(verdicts: list) -> set[str]:  # type: ignore[type-arg]
    return {v.kind for v in verdicts if v.broken}


def test_too_little_record_judges_nothing() -> None:
    assert judge_articles([NO_DATE] * 20 + [GOOD] * 29) == []


def test_dates_vanishing_open_within_the_next_twenty_articles() -> None:
    record = [GOOD] * 30
    opened_at = next(
        n
        for n in range(1, RECENT + 1)
        if "dates_missing" in broken(judge_articles([NO_DATE] * n + record))
    )
    assert opened_at <= RECENT
    assert broken(judge_articles([NO_DATE] * RECENT + record)) == {"dates_missing"}


def test_a_few_bad_pages_are_noise() -> None:
    rng = random.Random(4)
    newest = [NO_DATE if rng.random() < 0.15 else GOOD for _ in range(RECENT)]
    assert broken(judge_articles(newest + [GOOD] * 100)) == set()


def test_a_source_that_never_gives_authors_is_not_watched_for_them() -> None:
    no_authors = Sample(page_date=True, authors=False, title=True, words=600)
    verdicts = judge_articles([no_authors] * 60)
    assert "authors_missing" not in {v.kind for v in verdicts}


def test_an_open_alert_keeps_its_baseline_and_closes_when_dates_return() -> None:
    """After 200 undated articles the record itself is undated: the open alert's baseline
    (100 %) still judges, so it stays open until the dates come back."""
    still = judge_articles([NO_DATE] * 220, {"dates_missing": 1.0})
    assert "dates_missing" in broken(still)
    back = judge_articles([GOOD] * RECENT + [NO_DATE] * 200, {"dates_missing": 1.0})
    assert "dates_missing" not in broken(back)


def test_short_texts() -> None:
    teaser = Sample(page_date=True, authors=True, title=True, words=80)
    assert broken(judge_articles([teaser] * RECENT + [GOOD] * 40)) == {"text_short"}


def test_fetch_failing_and_silent() -> None:
    failing = [RunSample(stored=0, failed=3, feeds_failed=1)] * 3
    assert broken(judge_runs(failing + [RunSample(5, 0, 0)] * 5)) == {"fetch_failing"}
    quiet = [RunSample(stored=0, failed=0, feeds_failed=0)] * 5
    assert broken(judge_runs(quiet + [RunSample(4, 0, 0)] * 10)) == {"silent"}
    assert broken(judge_runs([RunSample(1, 0, 0)] + quiet[:4] + [RunSample(4, 0, 0)] * 10)) == set()
    assert broken(judge_runs(quiet * 3)) == set()  # a source that never brought much
