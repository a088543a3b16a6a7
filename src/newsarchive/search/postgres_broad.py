"""PostgreSQL's fast path for a search with more than EXACT_UP_TO matches and no filter but dates.

Reading a match's heap row costs a few microseconds and its tsvector (TOASTed) tens, so a
broad search never ranks or tests every match:
- relevance ranks the RELEVANCE_WINDOW most recent matches, found by walking the date index when
  matches are dense (RANK_SHARE of the range or more), else from the GIN index's bitmap sorted
  by date (every match's heap row, no tsvector);
- date pages walk the date index, testing each article (WALK_SHARE of the range or more);
- the total is the planner's estimate (its statistics of the tsvector column);
- up to FACETS_EXACT_UP_TO matches, the facets (and the total) are counted exactly on the rows
  the relevance window reads, in the same statement;
- past it, the source and language facets are counted on the matches of a sample of days
  (sampling.py) and scaled to the total; the days facet is counted exactly on the most recent
  days.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import Subquery, func, literal, null, select, text, tuple_, union_all
from sqlalchemy.orm import Session

from newsarchive import archive
from newsarchive.db import side_reads
from newsarchive.search.engine import EXACT_UP_TO, Ask, Broad
from newsarchive.search.facets import FACET_DAYS, exact_facets, sources_and_languages
from newsarchive.search.postgres_tsquery import ROWS, matches, rank
from newsarchive.search.query import Query
from newsarchive.search.sampling import sample_days

# A date page walks the date index when at least this share of the articles in its range match:
# about limit / share probes of ~30 us (a TOASTed tsvector read), 63 ms at worst, against
# sorting more than EXACT_UP_TO matches read from the heap.
WALK_SHARE = 0.01
# Relevance on a broad search ranks its RELEVANCE_WINDOW most recent matches (README: "Search"),
# walking the date index to find them when at least RANK_SHARE of the range matches.
RANK_SHARE = 0.3
RELEVANCE_WINDOW = 500
# Facets are counted from every match's row up to this many matches (a few microseconds a row),
# past it estimated from a sample of days holding about SAMPLE_MATCHES of them.
FACETS_EXACT_UP_TO = 50_000
SAMPLE_MATCHES = 6_000


def broad(
    session: Session,
    query: Query,
    ask: Ask,
    tuned: Callable[[Session], AbstractContextManager[object]],
) -> Broad | None:
    """The fast path's answer (None: the exact search's); `tuned` sets a second connection's
    session up as the caller set up this one (the page and the facets may run at once)."""
    if query.has_phrase:
        # The planner multiplies its words' frequencies, blind to their order and adjacency: at
        # 1M articles it estimated 11,737 for a phrase that 37 hold. Only the exact search knows.
        return None
    days = archive.day_conditions(ask.date_from, ask.date_to, ROWS.published_day)
    estimate = _estimate(session, query, days)
    if estimate <= EXACT_UP_TO and not ask.windowed:
        return None
    per_day = archive.day_counts_between(
        session, ask.date_from or date.min, ask.date_to or date.max
    )
    articles = sum(per_day.values())
    share = estimate / max(articles, 1)
    small = min(estimate, articles) <= EXACT_UP_TO
    if ask.sort == "relevance":
        if small and not ask.windowed:  # (a window's next page comes from the window)
            return None
        # the facets of a mid-frequency word counted on the rows the window reads anyway
        if ask.facets and share < RANK_SHARE and min(estimate, articles) <= FACETS_EXACT_UP_TO:
            with planner(session, enable_indexscan="off"):
                rows, per_day_matches, per_pair = _window_and_counts(session, query, days, ask)
            exact_total, exact = exact_facets(session, per_day_matches, per_pair)
            return Broad(rows, exact_total, True, exact, True, True)
        # dense matches: walk the date index to the window's; else sort the GIN bitmap's (kept
        # exact by the engine's memory for bitmaps: PostgresEngine.tuned, around every search)
        scans = {"enable_bitmapscan": "off"} if share >= RANK_SHARE else {"enable_indexscan": "off"}
    elif small or share < WALK_SHARE:
        return None  # sorting every match by date costs less than walking to them
    else:
        scans = {"enable_bitmapscan": "off"}  # walk the date index

    page = partial(_page, query=query, days=days, ask=ask, scans=scans)
    total = min(estimate, articles)
    windowed = ask.sort == "relevance"
    if not ask.facets or total <= FACETS_EXACT_UP_TO:
        # (past it: one pass over every match's row, the caller's, costs less than a sample)
        return Broad(page(session), total, False, {}, True, windowed)
    sampled = partial(_sampled, query=query, days=days, per_day=per_day, total=total)
    # (each takes tens of milliseconds at a million articles, and neither needs the other)
    facets, rows = side_reads.both(session, sampled, page, prepared=tuned)
    if facets is None:  # the sample held too few matches to scale: the caller counts them all
        return Broad(rows, total, False, {}, True, windowed)
    return Broad(rows, total, False, facets, False, windowed)


@contextmanager
def planner(session: Session, **values: str) -> Iterator[None]:
    """Planner settings (constants of the search modules, never input) for the statements
    inside, back to their defaults after them. (A failed statement aborts the transaction, and
    its rollback undoes them.)"""
    for name, value in values.items():
        session.execute(text(f"SET LOCAL {name} = {value}"))
    yield
    for name in values:
        session.execute(text(f"SET LOCAL {name} = DEFAULT"))


def matches_per_day(
    session: Session, query: Query, date_from: date | None, date_to: date | None
) -> dict[date, int]:
    """Exactly how many articles match on each archive day from date_from to date_to (either
    open), counted from the search rows."""
    day = ROWS.published_day
    counted = session.execute(
        select(day, func.count())
        .where(matches(query), *archive.day_conditions(date_from, date_to, day))
        .group_by(day)
    )
    return dict(counted.all())


def _estimate(session: Session, query: Query, days: Sequence[Any]) -> int:
    """The planner's estimate of the matches (its statistics of the tsvector column)."""
    stmt = select(ROWS.id).where(matches(query), *days)
    compiled = stmt.compile(dialect=session.get_bind().dialect)
    plan = (
        session.connection()
        .exec_driver_sql("EXPLAIN (FORMAT JSON) " + str(compiled), compiled.params)
        .scalar_one()
    )
    return int(plan[0]["Plan"]["Plan Rows"])


def _page(
    session: Session, query: Query, days: Sequence[Any], ask: Ask, scans: dict[str, str]
) -> list[tuple[int, float]]:
    """A broad search's page, by relevance or date, with the scans that find it."""
    with planner(session, **scans):
        if ask.sort == "relevance":
            return _ranked(session, query, days, ask)
        return _walk(session, query, days, ask)


def _ranked(
    session: Session, query: Query, days: Sequence[Any], ask: Ask
) -> list[tuple[int, float]]:
    """The best of the RELEVANCE_WINDOW most recent matches, after the cursor: the window's
    ids first (no tsvector read but the match's), then only its articles ranked."""
    recent = (
        select(ROWS.id.label("id"))
        .where(matches(query), *days)
        .order_by(ROWS.published_at.desc(), ROWS.id.desc())
        .limit(RELEVANCE_WINDOW)
        .subquery("recent")
    )
    scored = (
        select(ROWS.id.label("id"), rank(query).label("score"))
        .join(recent, recent.c.id == ROWS.id)
        .subquery("scored")
    )
    return _best(session, scored, ask)


def _best(session: Session, scored: Subquery, ask: Ask) -> list[tuple[int, float]]:
    """The page of the window's (id, score) rows `scored`, best first, after the cursor."""
    stmt = select(scored.c.id, scored.c.score)
    if ask.after is not None:
        stmt = stmt.where(tuple_(scored.c.score, scored.c.id) < tuple_(*ask.after))
    stmt = stmt.order_by(scored.c.score.desc(), scored.c.id.desc()).limit(ask.limit + 1)
    return [(row.id, float(row.score)) for row in session.execute(stmt)]


def _window_and_counts(
    session: Session, query: Query, days: Sequence[Any], ask: Ask
) -> tuple[list[tuple[int, float]], list[tuple[date, int]], list[tuple[int, str | None, int]]]:
    """_ranked's page, and every match counted per day and per (source, language), from one
    read of the matches' rows: two statements read the same rows of the GIN index's bitmap
    twice (each about 45 ms for a word in 20,000 of 1,000,000 articles)."""
    matched = (
        select(
            ROWS.id,
            ROWS.published_at,
            ROWS.published_day,
            ROWS.source_id,
            ROWS.language,
        )
        .where(matches(query), *days)
        .cte("matched")
        .prefix_with("MATERIALIZED")  # (read once for both parts below)
    )
    recent = (
        select(matched.c.id)
        .order_by(matched.c.published_at.desc(), matched.c.id.desc())
        .limit(RELEVANCE_WINDOW)
        .subquery("recent")
    )
    day, source_id, language = matched.c.published_day, matched.c.source_id, matched.c.language
    counts = select(null(), day, source_id, language, func.count()).group_by(
        func.grouping_sets(tuple_(day), tuple_(source_id, language))
    )
    window: list[int] = []
    per_day: list[tuple[date, int]] = []
    per_pair: list[tuple[int, str | None, int]] = []
    found = session.execute(
        union_all(select(recent.c.id, null(), null(), null(), literal(0)), counts)
    )
    for article_id, on_day, source, lang, n in found:
        if article_id is not None:
            window.append(article_id)
        elif on_day is not None:  # (every article has a day and a source)
            per_day.append((on_day, n))
        else:
            per_pair.append((source, lang, n))
    scored = (
        select(ROWS.id.label("id"), rank(query).label("score"))
        .where(ROWS.id.in_(window))
        .subquery("scored")
    )
    return _best(session, scored, ask), per_day, per_pair


def _walk(session: Session, query: Query, days: Sequence[Any], ask: Ask) -> list[tuple[int, float]]:
    """A date page: the date index walked in order, each article tested."""
    newest = ask.sort != "oldest"
    order = (
        (ROWS.published_at.desc(), ROWS.id.desc())
        if newest
        else (ROWS.published_at.asc(), ROWS.id.asc())
    )
    walked = select(ROWS.id, rank(query)).where(matches(query), *days)
    if ask.after is not None:
        key = tuple_(ROWS.published_at, ROWS.id)
        walked = walked.where(key < tuple_(*ask.after) if newest else key > tuple_(*ask.after))
    found = session.execute(walked.order_by(*order).limit(ask.limit + 1))
    return [(article_id, float(score)) for article_id, score in found]


def _sampled(
    session: Session, query: Query, days: Sequence[Any], per_day: dict[date, int], total: int
) -> dict[str, list[dict[str, Any]]] | None:
    """_facets from the GIN index's bitmap and the date index's, ANDed: only the sampled
    matches' rows are read."""
    with planner(session, enable_indexscan="off"):
        return _facets(session, query, days, per_day, total)


def _facets(
    session: Session, query: Query, days: Sequence[Any], per_day: dict[date, int], total: int
) -> dict[str, list[dict[str, Any]]] | None:
    """In one pass over the matches on a sample of days and on the FACET_DAYS most recent days
    with articles: sources and languages counted on the sample and scaled to `total`, the days
    counted exactly on the recent days (and older ones, if too few of those had a match).
    None when the sample holds too few matches to scale."""
    # (half as much again: the total is an estimate, and a word is rarer on some days)
    sample = sample_days(
        {day.toordinal(): n for day, n in per_day.items()}, 1.5 * SAMPLE_MATCHES / max(total, 1)
    )
    # the days as lists (PostgreSQL tests a row against a list with one hash lookup, where
    # a span at a time cost ~30 comparisons on each of a common word's 600,000 matches)
    sampled_days = [date.fromordinal(d) for a, b in sample.spans for d in range(a, b + 1)]
    article_days = sorted(per_day, reverse=True)
    recent_days = article_days[:FACET_DAYS]
    sampled = ROWS.published_day.in_(sampled_days)
    recent = ROWS.published_day.between(recent_days[-1], recent_days[0])
    columns = (ROWS.published_day, ROWS.source_id, ROWS.language)
    rows = session.execute(
        select(*columns, func.count().filter(recent), func.count().filter(sampled))
        .where(matches(query), ROWS.published_day.in_(sorted({*sampled_days, *recent_days})))
        .group_by(
            func.grouping_sets(tuple_(ROWS.published_day), tuple_(ROWS.source_id, ROWS.language))
        )
    ).all()
    on_days = sorted(
        ((day, n) for day, _s, _l, n, _n in rows if day is not None and n), reverse=True
    )
    on_sample = [(s, lang, n) for day, s, lang, _n, n in rows if day is None and n]
    matched = sum(n for _source, _language, n in on_sample)
    if matched < SAMPLE_MATCHES / 10:
        return None
    return {
        **sources_and_languages(session, on_sample, total / matched),
        "days": _days(session, query, article_days, on_days),
    }


def _days(
    session: Session,
    query: Query,
    article_days: list[date],
    counted: list[tuple[date, int]],
) -> list[dict[str, Any]]:
    """The days facet: `counted` (the matches per day on the FACET_DAYS most recent days with
    articles) and, while fewer than FACET_DAYS of those days had a match, older days."""
    taken = FACET_DAYS
    while len(counted) < FACET_DAYS and taken < len(article_days):
        # as many more days as the share of days with a match says are missing, and then
        # some; at most as many as were read so far (a word gone quiet lately is not read in
        # every older day at once)
        share = len(counted) / taken
        wanted = min(int((FACET_DAYS - len(counted)) / max(share, 0.01) * 1.2) + 1, taken)
        newest = article_days[taken]
        oldest = article_days[min(taken + wanted, len(article_days)) - 1]
        counted += sorted(matches_per_day(session, query, oldest, newest).items(), reverse=True)
        taken += wanted
    return [{"date": day.isoformat(), "count": n} for day, n in counted[:FACET_DAYS]]
