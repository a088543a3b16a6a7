"""Revision queries: revisits (which stored articles a crawl fetches again, and when next),
the versions of a changed article, and takedowns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session, aliased

from newsarchive.archive.articles import without_taken_hash
from newsarchive.archive.forms import record_forms
from newsarchive.archive.frontier import CHUNK, ensure_hosts, insert_ignoring
from newsarchive.db.models import Article, ArticleRaw, FrontierURL, Revision, Source, Takedown

REVISIT_BATCH = 5000  # revisits queued per crawl run at most; the rest wait for the next run


def queue_revisits(session: Session, now: datetime, source_ids: Sequence[int] | None) -> int:
    """Put the stored articles whose revisit is due into the frontier (the same queue, leases
    and host slots as new URLs, so no two workers revisit one article at once); returns how
    many."""
    query = (
        select(Article.id, Article.url, Article.url_normalized, Article.source_id)
        .join(Source, Source.id == Article.source_id)
        .where(Article.revisit_at <= now, Source.enabled)
        .order_by(Article.revisit_at)
        .limit(REVISIT_BATCH)
    )
    if source_ids is not None:
        query = query.where(Article.source_id.in_(source_ids))
    due = session.execute(query).all()
    if not due:
        return 0
    hosts = {row.id: urlsplit(row.url_normalized).netloc for row in due}  # as discovery's
    ensure_hosts(session, hosts.values(), now)
    queued: list[int] = []
    for start in range(0, len(due), CHUNK):
        rows = [_frontier_row(row, hosts[row.id], now) for row in due[start : start + CHUNK]]
        stmt = insert_ignoring(session, FrontierURL).values(rows)
        excluded = stmt.excluded
        written = session.execute(
            stmt.on_conflict_do_update(
                index_elements=["url_normalized"],
                set_={
                    "state": "queued",
                    "attempts": 0,
                    "next_try_at": now,
                    "lease_until": None,
                    "claimed_by": None,
                    "last_error": None,
                    "revisit_of": excluded.revisit_of,
                    "article_id": excluded.article_id,
                },
                where=FrontierURL.state.not_in(("queued", "claimed")),
            ).returning(FrontierURL.revisit_of)
        )
        # only what this call queued: a row another worker queued or holds keeps its plan
        queued += [article_id for (article_id,) in written]
    session.execute(
        update(Article)
        .where(Article.id.in_(queued), Article.revisit_at <= now)
        .values(revisit_at=None)
    )
    return len(queued)


def _frontier_row(article: Any, host: str, now: datetime) -> dict[str, Any]:
    """A due article as a revisit in the frontier, ready now."""
    return {
        "url": article.url,
        "url_normalized": article.url_normalized,
        "host": host,
        "source_id": article.source_id,
        "state": "queued",
        "attempts": 0,
        "next_try_at": now,
        "discovered_at": now,
        "revisit_of": article.id,
        "article_id": article.id,
    }


def revisit_validators(session: Session, article_id: int) -> tuple[str | None, str | None]:
    """The ETag and Last-Modified of the article's last answer, for a conditional revisit."""
    row = session.execute(
        select(ArticleRaw.etag, ArticleRaw.last_modified).where(ArticleRaw.article_id == article_id)
    ).first()
    return (row.etag, row.last_modified) if row else (None, None)


def add_revision(
    session: Session,
    article: Article,
    values: Mapping[str, Any],
    *,
    version: Mapping[str, Any],
    raw: Mapping[str, Any],
    now: datetime,
) -> int:
    """Keep the article's new version: on its first change the stored one becomes revision 1;
    the article row and its raw page then show the new one. Returns the new revision number.
    `values`: the article's new content columns; `version`: title, text, authors and
    published_at as the new page gave them, and `changed`."""
    if article.revision_count == 1:
        first = session.get(ArticleRaw, article.id)
        session.add(
            Revision(
                article_id=article.id,
                revision=1,
                fetched_at=article.fetched_at,
                title=article.title,
                text=article.text,
                authors=list(article.authors),
                published_at=article.published_at if article.date_source == "page" else None,
                changed=[],
                raw=first.body if first else b"",
                charset=first.charset if first else None,
            )
        )
    number = article.revision_count + 1
    session.add(
        Revision(
            article_id=article.id,
            revision=number,
            fetched_at=now,
            raw=raw["body"],
            charset=raw.get("charset"),
            **version,
        )
    )
    values = without_taken_hash(session, article.id, values)
    session.execute(
        update(Article)
        .where(Article.id == article.id)
        .values(**values, revision_count=number, fetched_at=now, updated_at=now)
    )
    session.execute(update(ArticleRaw).where(ArticleRaw.article_id == article.id).values(**raw))
    language = values.get("language", article.language)
    record_forms(session.connection(), language, (values.get("title"), values.get("text")))
    session.flush()
    return number


def keep_validators(
    session: Session, article_id: int, etag: str | None, last_modified: str | None
) -> None:
    if etag or last_modified:
        session.execute(
            update(ArticleRaw)
            .where(ArticleRaw.article_id == article_id)
            .values(etag=etag, last_modified=last_modified)
        )


def revisit_columns(session: Session, article_id: int) -> dict[str, Any] | None:
    """An article's revisit and takedown columns (None: the article was deleted meanwhile)."""
    query = select(
        Article.first_seen_at.label("first_seen"),
        Article.revisits_done.label("done"),
        Article.revisit_at,
        Article.gone_since,
        Article.removed_at,
    ).where(Article.id == article_id)
    row = session.execute(query).mappings().first()
    return dict(row) if row is not None else None


def set_revisit_columns(
    session: Session,
    article_id: int,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    now: datetime,
    reason: str,
) -> None:
    """Write what a revisit decided (ingest/revisions.after_revisit, from the `old` columns
    revisit_columns read) and follow it with the takedown log: one opened when the article
    becomes removed (with `reason`), closed when it is restored."""
    session.execute(
        update(Article)
        .where(Article.id == article_id)
        .values(
            revisits_done=new["done"],
            revisit_at=new["revisit_at"],
            gone_since=new["gone_since"],
            removed_at=new["removed_at"],
        )
    )
    was_removed, removed = old["removed_at"] is not None, new["removed_at"] is not None
    if was_removed and not removed:
        session.execute(
            update(Takedown)
            .where(and_(Takedown.article_id == article_id, Takedown.restored_at.is_(None)))
            .values(restored_at=now)
        )
    elif removed and not was_removed:
        session.add(Takedown(article_id=article_id, removed_at=now, reason=reason))


def latest_revision(session: Session, article_id: int) -> Revision | None:
    """The newest kept version (None while the page never changed)."""
    query = select(Revision).where(Revision.article_id == article_id)
    return session.scalars(query.order_by(Revision.revision.desc()).limit(1)).first()


def list_revisions(session: Session, article_id: int) -> list[Revision]:
    query = select(Revision).where(Revision.article_id == article_id).order_by(Revision.revision)
    return list(session.scalars(query))


def recent_revisions(
    session: Session, *, limit: int = 50
) -> list[tuple[Revision, Article, str | None]]:
    """The newest changes first (revisions after the first), with their articles and the text
    of the revision each replaced."""
    before = aliased(Revision)
    query = (
        select(Revision, Article, before.text)
        .join(Article, Article.id == Revision.article_id)
        .outerjoin(
            before,
            and_(
                before.article_id == Revision.article_id, before.revision == Revision.revision - 1
            ),
        )
        .where(Revision.revision > 1)
        .order_by(Revision.fetched_at.desc(), Revision.id.desc())
        .limit(limit)
    )
    return [(row[0], row[1], row[2]) for row in session.execute(query)]


def list_takedowns(session: Session, article_id: int) -> list[Takedown]:
    query = select(Takedown).where(Takedown.article_id == article_id).order_by(Takedown.id)
    return list(session.scalars(query))
