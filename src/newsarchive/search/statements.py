"""A search's matches as statements: filtered, one per story, paged, and grouped for the
facets (service.py runs them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Date,
    Float,
    Integer,
    Select,
    String,
    and_,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from newsarchive import archive
from newsarchive.db.models import Article, Source
from newsarchive.search import cursors
from newsarchive.search.engine import Engine
from newsarchive.search.facets import exact_facets
from newsarchive.search.query import Query

if TYPE_CHECKING:
    from newsarchive.search.service import SearchParams, Sort

Facets = dict[str, list[dict[str, Any]]]


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


def matches(engine: Engine, query: Query, params: SearchParams) -> tuple[Any, Any]:
    """(hits, matched): the engine's matches as (id, score), and, when filters or a date sort
    need the article table, the filtered matches as (id, score, published_at); else None, so
    that counting and ranking never touch the article table."""
    hits = engine.matching(query, params.date_from, params.date_to).subquery("hits")
    if not _filtered(params) and params.sort == "relevance" and not params.collapse:
        return hits, None
    stmt, score = filtered_matches(engine, query, params, hits)
    if params.collapse:
        stmt = best_of_each_story(stmt, score, params.sort)
    return hits, stmt.subquery("matched")


def filtered_matches(
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


def best_of_each_story(stmt: Select, score: Any, sort: Sort) -> Select:  # type: ignore[type-arg]
    """Of each story's matches, the one the sort puts first: counts, facets and pages then
    see one row per story."""
    key = score if sort == "relevance" else Article.published_at
    order = (key.asc(), Article.id.asc()) if sort == "oldest" else (key.desc(), Article.id.desc())
    place = func.row_number().over(partition_by=Article.story_id, order_by=order)
    ranked = stmt.add_columns(place.label("place_in_story")).subquery("ranked")
    return select(ranked.c.id, ranked.c.score, ranked.c.published_at).where(
        ranked.c.place_in_story == 1
    )


def page_query(matched: Any, params: SearchParams, *, placed: bool = False) -> Select:  # type: ignore[type-arg]
    """One page of (id, score) in the requested order, after the cursor; `placed`: with each
    row's place in that order, for a statement that reads it with rows of another kind."""
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
    if placed:
        stmt = stmt.add_columns(func.row_number().over(order_by=order).label("place"))
    return stmt.order_by(*order).limit(params.limit + 1)


def counted_page(
    session: Session, ranked: Any, params: SearchParams
) -> tuple[int, list[tuple[int, float]]]:
    """The total and the page. A first page by relevance takes both from one statement, the
    count a window over the matches the page is ranked from, so each match is read once, not
    once to count and once more to rank (a later page's cursor would narrow such a count; a
    date page walks the date index and stops at the page's end, a count would rank them all)."""
    page = page_query(ranked, params)
    if not params.cursor and params.sort == "relevance":  # (a date page can stop early)
        found = session.execute(page.add_columns(func.count().over().label("total"))).all()
        return (found[0].total if found else 0), [(r.id, float(r.score)) for r in found]
    total = session.scalar(select(func.count()).select_from(ranked)) or 0
    return total, [(r.id, float(r.score)) for r in session.execute(page)]


def grouped(
    engine: Engine,
    query: Query,
    params: SearchParams,
    matched: Any,
    names: tuple[str, ...] = ("published_day", "source_id", "language"),
) -> Select:  # type: ignore[type-arg]
    """The matches counted per (day, source, language), or per the columns named. An engine
    whose matches are a query of a table with these columns is grouped as it is (joined to
    the article table, a PostgreSQL search would read every match twice)."""
    rows = _own_rows(engine, params)
    if rows is not None:
        own, _score = filtered_matches(engine, query, params, None)
        columns = [getattr(rows, name) for name in names]
        return own.with_only_columns(*columns, func.count()).group_by(*columns)
    columns = [getattr(Article, name) for name in names]
    return (
        select(*columns, func.count())
        .select_from(matched)
        .join(Article, Article.id == matched.c.id)
        .group_by(*columns)
    )


def _own_rows(engine: Engine, params: SearchParams) -> Any:
    """The engine's table of matches with the columns the facets count by (PostgreSQL's search
    rows), or None: there is none, or the search counts stories, which are the articles'."""
    return None if params.collapse else engine.rows


def counted(session: Session, statement: Select) -> tuple[int, Facets]:  # type: ignore[type-arg]
    """The total and the facets in one pass over the matches: each (day, source, language)
    counted once, then summed (there are far fewer of them than matches)."""
    return _summed(session, session.execute(statement).all())


def _summed(session: Session, groups: Sequence[Any]) -> tuple[int, Facets]:
    """The total and the facets from the matches counted per (day, source, language, n)."""
    return exact_facets(
        session,
        ((day, n) for day, _source_id, _language, n in groups),
        [(source_id, language, n) for _day, source_id, language, n in groups],
    )


def counted_with_page(
    session: Session, engine: Engine, query: Query, params: SearchParams
) -> tuple[int, Facets, list[tuple[int, float]]] | None:
    """The total, the facets and the page from one reading of the matches, where the engine's
    matches carry the columns the facets count by (PostgreSQL's search rows): its page and its
    groups were two statements, each finding and testing every match (a phrase's candidates
    rechecked twice: 157-160 ms in-process at a million articles, 81-84 in one). None
    elsewhere: a match there joins the article table for its groups, which the page does not
    need (SQLite's rare word: 5.3 ms in two statements, 6.7 in one)."""
    rows = _own_rows(engine, params)
    if rows is None:
        return None
    own, _score = filtered_matches(engine, query, params, None)
    found = own.add_columns(rows.published_day, rows.source_id, rows.language).cte("found")
    page = page_query(found, params, placed=True).subquery("page")
    groups = select(
        literal("group").label("kind"),
        cast(null(), Integer).label("id"),
        cast(null(), Float).label("score"),
        cast(null(), Integer).label("place"),
        found.c.published_day,
        found.c.source_id,
        found.c.language,
        func.count().label("n"),
    ).group_by(found.c.published_day, found.c.source_id, found.c.language)
    nothing = (
        cast(null(), Date),
        cast(null(), Integer),
        cast(null(), String),
        cast(null(), Integer),
    )
    hits = select(literal("hit"), page.c.id, page.c.score, page.c.place, *nothing)
    read = session.execute(union_all(groups, hits)).all()
    total, facets = _summed(
        session,
        [(r.published_day, r.source_id, r.language, r.n) for r in read if r.kind == "group"],
    )
    placed = sorted((row.place, row.id, float(row.score)) for row in read if row.kind == "hit")
    return total, facets, [(article_id, score) for _place, article_id, score in placed]
