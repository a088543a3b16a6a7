"""A search: match, filter, count, sort, page by keyset, and facet; the same for both engines."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newsarchive import archive
from newsarchive.db.models import Article
from newsarchive.errors import InvalidInput
from newsarchive.search import cursors, statements
from newsarchive.search.engine import Ask, Engine
from newsarchive.search.forms import expand
from newsarchive.search.postgres import PostgresEngine
from newsarchive.search.query import Query, Within, parse
from newsarchive.search.sqlite import SQLiteEngine

Sort = Literal["relevance", "newest", "oldest"]
ENGINES: dict[str, type[Engine]] = {"sqlite": SQLiteEngine, "postgresql": PostgresEngine}


def engine_for(session: Session) -> Engine:
    return ENGINES[session.get_bind().dialect.name]()


@dataclass(frozen=True)
class SearchParams:
    q: str
    date_from: date | None = None
    date_to: date | None = None
    source: str | None = None
    lang: str | None = None
    author: str | None = None
    collection: str | None = None  # only the articles of the sources in this collection
    sort: Sort = "relevance"
    limit: int = 20
    cursor: str | None = None
    collapse: bool = False  # one hit per story: its best-ranked article
    after_id: int | None = None  # only articles stored after this one (saved searches)
    up_to_id: int | None = None  # and up to this one


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float
    snippet: str


@dataclass(frozen=True)
class SearchPage:
    total: int
    hits: list[Hit]
    next_cursor: str | None
    facets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    total_exact: bool = True
    facets_exact: bool = True


def parsed(session: Session, params: SearchParams) -> Query:
    """The query parsed, its bare words widened to all their forms (search/forms.py)."""
    return expand(session.connection(), parse(params.q), params.lang)


def _prepared(session: Session, engine: Engine, params: SearchParams) -> tuple[Query, SearchParams]:
    """The query, and the filters left for article rows: an index that holds sources,
    languages and authors takes those filters (no row read; no other filter: the fast path).
    A source or collection that names no source stays a filter of rows, which finds none."""
    query = parsed(session, params)
    if not engine.filters_in_index:
        return query, params
    source = archive.find_source(session, params.source) if params.source else None
    members = archive.collection_members(session, params.collection) if params.collection else []
    language = params.lang.lower() if params.lang else None
    author = params.author or None
    if source is None and not members and language is None and author is None:
        return query, params
    groups = ((source.id,),) if source else ()
    within = Within(groups + ((tuple(members),) if members else ()), language, author)
    left = replace(
        params,
        source=None if source else params.source,
        collection=None if members else params.collection,
        lang=None,
        author=None,
    )
    return replace(query, within=within), left


def run_search(
    session: Session, params: SearchParams, *, facets: bool = True, exact: bool = False
) -> SearchPage:
    """One page of a search. Past EXACT_UP_TO matches the engine's fast path may answer, with
    estimated totals and facets (marked so); `exact` asks for every count exactly instead."""
    engine = engine_for(session)
    query, params = _prepared(session, engine, params)
    archive.check_day_range(params.date_from, params.date_to)
    with engine.tuned(session, filtered=_filtered_beyond_dates(params)):
        return _search(session, engine, query, params, facets=facets, exact=exact)


def _search(
    session: Session,
    engine: Engine,
    query: Query,
    params: SearchParams,
    *,
    facets: bool,
    exact: bool,
) -> SearchPage:
    # A relevance cursor says which ranking made its page (the recent window or every match),
    # and the next page comes from the same one, whatever the flags or the counts say now.
    windowed = bool(
        params.sort == "relevance" and params.cursor and cursors.in_window(params.cursor)
    )
    fast = not _filtered_beyond_dates(params)  # (exact counts, not an exact ranking)
    if params.sort == "relevance" and params.cursor:
        fast = fast and windowed
    # (with exact counts asked for, the fast path gives the page only)
    ask = _ask(params, facets and not exact, windowed)
    broad = engine.broad(session, query, ask) if fast else None
    if broad is not None:
        rows = broad.rows
        total, found_facets = broad.total, broad.facets
        if (facets and not found_facets) or (exact and not broad.total_exact):
            # the fast path gave the page; the counts are exact
            hits = engine.matching(query, params.date_from, params.date_to).subquery("hits")
            if facets:
                total, found_facets = statements.counted(
                    session, statements.grouped(engine, query, params, hits)
                )
            else:
                total = session.scalar(select(func.count()).select_from(hits)) or 0
            broad = replace(broad, total_exact=True, facets_exact=True)
    else:
        total, rows, found_facets = _every_match(session, engine, query, params, facets)
    more = len(rows) > params.limit
    rows = rows[: params.limit]
    articles = _load(session, [article_id for article_id, _score in rows], summaries=True)
    snippets = engine.snippets(session, query, list(articles.values()))
    page = [Hit(articles[i], score, snippets.get(i, "")) for i, score in rows]
    in_window = broad is not None and broad.windowed
    next_cursor = (
        cursors.encode(params.sort, page[-1].article, page[-1].score, in_window) if more else None
    )
    return SearchPage(
        total=total,
        hits=page,
        next_cursor=next_cursor,
        facets=found_facets,
        total_exact=broad is None or broad.total_exact,
        facets_exact=broad is None or broad.facets_exact or not facets,
    )


def _every_match(
    session: Session, engine: Engine, query: Query, params: SearchParams, facets: bool
) -> tuple[int, list[tuple[int, float]], statements.Facets]:
    """The exact total, the page and (asked for) the facets, from every match."""
    read_once = statements.counted_with_page(session, engine, query, params) if facets else None
    if read_once is not None:
        total, found_facets, rows = read_once
        return total, rows, found_facets
    hits, matched = statements.matches(engine, query, params)
    ranked = matched if matched is not None else hits
    if facets:
        total, found_facets = statements.counted(
            session, statements.grouped(engine, query, params, ranked)
        )
        page = session.execute(statements.page_query(ranked, params))
        return total, [(r.id, float(r.score)) for r in page], found_facets
    total, rows = statements.counted_page(session, ranked, params)
    return total, rows, {}


def _ask(params: SearchParams, facets: bool, windowed: bool) -> Ask:
    after = cursors.decode(params.cursor, params.sort) if params.cursor else None
    if after is not None and isinstance(after[0], datetime):  # engines compare in UTC
        after = (after[0].astimezone(UTC), after[1])
    return Ask(params.date_from, params.date_to, params.sort, params.limit, after, facets, windowed)


def iter_matches(session: Session, params: SearchParams, *, batch: int = 500) -> Iterator[Article]:
    """Every match, newest first, in keyset batches: memory stays flat however many there are."""
    engine = engine_for(session)
    query, params = _prepared(session, engine, params)
    step = SearchParams(**{**params.__dict__, "sort": "newest", "limit": batch, "cursor": None})
    _hits, matched = statements.matches(engine, query, step)
    assert matched is not None
    while True:
        with engine.tuned(session, filtered=_filtered_beyond_dates(params)):
            rows = session.execute(statements.page_query(matched, step)).all()
        articles = _load(session, [row.id for row in rows[:batch]])
        for row in rows[:batch]:
            yield articles[row.id]
        if len(rows) <= batch:
            return
        last = articles[rows[batch - 1].id]
        step = SearchParams(**{**step.__dict__, "cursor": cursors.encode("newest", last, 0.0)})
        session.expunge_all()


def matches_per_day(session: Session, params: SearchParams) -> Counter[date]:
    """Every match of a search (its days and filters) counted per archive day, exactly, as the
    days facet counts them: a day's count is that day's search total."""
    engine = engine_for(session)
    query, params = _prepared(session, engine, params)
    archive.check_day_range(params.date_from, params.date_to)
    days: Counter[date] = Counter()
    filtered = _filtered_beyond_dates(params)
    with engine.tuned(session, filtered=filtered):
        counted = (
            None if filtered else engine.per_day(session, query, params.date_from, params.date_to)
        )
        if counted is not None:
            return Counter(counted)
        hits, matched = statements.matches(engine, query, params)
        found = matched if matched is not None else hits
        by_day = statements.grouped(engine, query, params, found, names=("published_day",))
        for day, n in session.execute(by_day):
            days[day] += n
    return days


def iter_selection(session: Session, params: SearchParams) -> Iterator[Article]:
    """What an export takes: every match of the search or, when q is empty, every article
    the filters keep; newest first, flat memory."""
    archive.check_day_range(params.date_from, params.date_to)
    if params.q:
        parse(params.q)  # a bad query is refused before the first article
        return iter_matches(session, params)
    if params.author is not None:
        raise InvalidInput("'author' filters a search: give 'q' too")
    filters = archive.ArticleFilters(
        source=params.source,
        lang=params.lang,
        collection=params.collection,
        date_from=params.date_from,
        date_to=params.date_to,
    )
    return archive.iter_articles(session, filters)


def _filtered_beyond_dates(params: SearchParams) -> bool:
    """Filters only the general search applies (they need the article rows, or PostgreSQL's
    search rows: no engine's fast path takes them)."""
    return bool(
        params.source
        or params.lang
        or params.collection
        or params.author
        or params.collapse
        or params.after_id is not None
        or params.up_to_id is not None
    )


def _load(session: Session, ids: Sequence[int], *, summaries: bool = False) -> dict[int, Article]:
    """These articles by id; `summaries`: as a page of hits shows them (archive.paging)."""
    if not ids:
        return {}
    query = select(Article).where(Article.id.in_(ids))
    if summaries:
        query = query.options(*archive.paging.SUMMARY_LOADING)
    return {a.id: a for a in session.scalars(query)}
