"""A search: match, filter, count, sort, page by keyset, and facet; the same for both engines."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from newsarchive import archive
from newsarchive.db.models import Article, Source
from newsarchive.errors import InvalidInput
from newsarchive.search import cursors
from newsarchive.search.engine import Ask, Engine
from newsarchive.search.facets import exact_facets
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
                total, found_facets = _counted(session, _grouped(engine, query, params, hits))
            else:
                total = session.scalar(select(func.count()).select_from(hits)) or 0
            broad = replace(broad, total_exact=True, facets_exact=True)
    else:
        hits, matched = _matched(engine, query, params)
        ranked = matched if matched is not None else hits
        if facets:
            total, found_facets = _counted(session, _grouped(engine, query, params, ranked))
            rows = [(r.id, float(r.score)) for r in session.execute(_page_query(ranked, params))]
        else:
            (total, rows), found_facets = _counted_page(session, ranked, params), {}
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
    _hits, matched = _matched(engine, query, step)
    assert matched is not None
    while True:
        with engine.tuned(session, filtered=_filtered_beyond_dates(params)):
            rows = session.execute(_page_query(matched, step)).all()
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
        hits, matched = _matched(engine, query, params)
        found = matched if matched is not None else hits
        by_day = _grouped(engine, query, params, found, names=("published_day",))
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


def _filtered(params: SearchParams) -> bool:
    return bool(
        params.source
        or params.lang
        or params.collection
        or params.author
        or params.date_from
        or params.date_to
        or params.after_id is not None
        or params.up_to_id is not None
    )


def _matched(engine: Engine, query: Query, params: SearchParams) -> tuple[Any, Any]:
    """(hits, matched): the engine's matches as (id, score), and, when filters or a date sort
    need the article table, the filtered matches as (id, score, published_at); else None, so
    that counting and ranking never touch the article table."""
    hits = engine.matching(query, params.date_from, params.date_to).subquery("hits")
    if not _filtered(params) and params.sort == "relevance" and not params.collapse:
        return hits, None
    stmt, score = _filtered_matches(engine, query, params, hits)
    if params.collapse:
        stmt = _best_of_each_story(stmt, score, params.sort)
    return hits, stmt.subquery("matched")


def _filtered_matches(
    engine: Engine, query: Query, params: SearchParams, hits: Any
) -> tuple[Select, Any]:  # type: ignore[type-arg]
    """The matches that pass the filters, as (id, score, published_at), and their score
    column. An engine whose matches are a query of a table with the columns filtered on takes
    the filters in that query: joined to the article table, PostgreSQL ranked every match
    before the filter (reading each one's tsvector) where it now ranks those that pass."""
    rows = engine.rows
    if rows is not None:
        stmt = engine.matching(query, params.date_from, params.date_to)
        stmt, score = stmt.add_columns(rows.published_at), stmt.selected_columns.score
        if params.collapse:  # (stories are the articles')
            stmt = stmt.join(Article, Article.id == rows.id)
    else:
        rows = Article
        stmt = select(Article.id, hits.c.score, Article.published_at).join(
            hits, hits.c.id == Article.id
        )
        stmt, score = (
            stmt.where(*archive.day_conditions(params.date_from, params.date_to)),
            hits.c.score,
        )
    if params.source:
        stmt = stmt.join(Source, Source.id == rows.source_id).where(Source.name == params.source)
    if params.lang:
        stmt = stmt.where(rows.language == params.lang.lower())
    if params.collection:
        stmt = stmt.where(archive.in_collection(params.collection, rows.source_id))
    if params.author:
        stmt = stmt.where(engine.has_author(params.author))
    if params.after_id is not None:
        stmt = stmt.where(rows.id > params.after_id)
    if params.up_to_id is not None:
        stmt = stmt.where(rows.id <= params.up_to_id)
    return stmt, score


def _best_of_each_story(stmt: Select, score: Any, sort: Sort) -> Select:  # type: ignore[type-arg]
    """Of each story's matches, the one the sort puts first: counts, facets and pages then
    see one row per story."""
    key = score if sort == "relevance" else Article.published_at
    order = (key.asc(), Article.id.asc()) if sort == "oldest" else (key.desc(), Article.id.desc())
    place = func.row_number().over(partition_by=Article.story_id, order_by=order)
    ranked = stmt.add_columns(place.label("place_in_story")).subquery("ranked")
    return select(ranked.c.id, ranked.c.score, ranked.c.published_at).where(
        ranked.c.place_in_story == 1
    )


def _page_query(matched: Any, params: SearchParams) -> Select:  # type: ignore[type-arg]
    """One page of (id, score) in the requested order, after the cursor."""
    stmt = select(matched.c.id, matched.c.score)
    key = matched.c.score if params.sort == "relevance" else matched.c.published_at
    descending = params.sort != "oldest"
    if params.cursor:
        value, last_id = cursors.decode(params.cursor, params.sort)
        if descending:
            stmt = stmt.where(or_(key < value, and_(key == value, matched.c.id < last_id)))
        else:
            stmt = stmt.where(or_(key > value, and_(key == value, matched.c.id > last_id)))
    order = (key.desc(), matched.c.id.desc()) if descending else (key.asc(), matched.c.id.asc())
    return stmt.order_by(*order).limit(params.limit + 1)


def _counted_page(
    session: Session, ranked: Any, params: SearchParams
) -> tuple[int, list[tuple[int, float]]]:
    """The total and the page. A first page by relevance takes both from one statement, the
    count a window over the matches the page is ranked from, so each match is read once, not
    once to count and once more to rank (a later page's cursor would narrow such a count; a
    date page walks the date index and stops at the page's end, a count would rank them all)."""
    page = _page_query(ranked, params)
    if not params.cursor and params.sort == "relevance":  # (a date page can stop early)
        found = session.execute(page.add_columns(func.count().over().label("total"))).all()
        return (found[0].total if found else 0), [(r.id, float(r.score)) for r in found]
    total = session.scalar(select(func.count()).select_from(ranked)) or 0
    return total, [(r.id, float(r.score)) for r in session.execute(page)]


def _load(session: Session, ids: Sequence[int], *, summaries: bool = False) -> dict[int, Article]:
    """These articles by id; `summaries`: as a page of hits shows them (archive.paging)."""
    if not ids:
        return {}
    query = select(Article).where(Article.id.in_(ids))
    if summaries:
        query = query.options(*archive.paging.SUMMARY_LOADING)
    return {a.id: a for a in session.scalars(query)}


def _grouped(
    engine: Engine,
    query: Query,
    params: SearchParams,
    matched: Any,
    names: tuple[str, ...] = ("published_day", "source_id", "language"),
) -> Select:  # type: ignore[type-arg]
    """The matches counted per (day, source, language), or per the columns named. An engine
    whose matches are a query of a table with these columns is grouped as it is (joined to
    the article table, a PostgreSQL search would read every match twice)."""
    if engine.rows is not None and not params.collapse:
        own, _score = _filtered_matches(engine, query, params, None)
        columns = [getattr(engine.rows, name) for name in names]
        return own.with_only_columns(*columns, func.count()).group_by(*columns)
    columns = [getattr(Article, name) for name in names]
    return (
        select(*columns, func.count())
        .select_from(matched)
        .join(Article, Article.id == matched.c.id)
        .group_by(*columns)
    )


def _counted(session: Session, grouped: Select) -> tuple[int, dict[str, list[dict[str, Any]]]]:  # type: ignore[type-arg]
    """The total and the facets in one pass over the matches: each (day, source, language)
    counted once, then summed (there are far fewer of them than matches)."""
    rows = session.execute(grouped).all()
    return exact_facets(
        session,
        ((day, n) for day, _source_id, _language, n in rows),
        [(source_id, language, n) for _day, source_id, language, n in rows],
    )
