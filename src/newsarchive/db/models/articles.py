"""Articles, their raw pages, the per-day counts the date archive reads, and facts about the store."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, cast

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    func,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from newsarchive.db.base import Base, UTCDateTime, utc_now

if TYPE_CHECKING:
    from newsarchive.db.models.copies import ArticleCopy
    from newsarchive.db.models.sources import Source


DATE_SOURCES = ("page", "url", "feed", "sitemap", "first_seen")


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_published_at_id", "published_at", "id"),
        Index("ix_articles_source_id_published_at", "source_id", "published_at"),
        Index("ix_articles_published_day_published_at_id", "published_day", "published_at", "id"),
        Index("ix_articles_first_seen_at", "first_seen_at"),
        Index("ix_articles_revisit_at", "revisit_at"),
        Index("ix_articles_story_id", "story_id"),
        Index("ix_articles_source_id_first_seen_at", "source_id", "first_seen_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="RESTRICT"), index=False
    )
    url: Mapped[str] = mapped_column(Text)
    # The fetched (or given) URL, normalised: lets a re-ingest be spotted before fetching.
    url_normalized: Mapped[str] = mapped_column(Text, index=True)
    canonical_url: Mapped[str | None] = mapped_column(Text)
    # Normalised canonical URL, else normalised fetched URL: the article's identity.
    url_key: Mapped[str] = mapped_column(Text, unique=True)
    # sha256 of the normalised text: the same article under two unrelated URLs is stored once.
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)

    title: Mapped[str | None] = mapped_column(Text)
    # What the page declares (og:title, <title>) where the headline it shows differs, and which
    # rule of extract/titles.py chose the headline.
    declared_title: Mapped[str | None] = mapped_column(Text)
    title_rule: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str | None] = mapped_column(String(16), index=True)
    site_name: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    top_image: Mapped[str | None] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(Integer, default=0)

    # For a date the page gave without a time (precision "day"): midnight of that day in the
    # site's zone, a sort key, not a time anyone wrote.
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_precision: Mapped[str] = mapped_column(
        String(8), default="second", server_default="second"
    )  # "day" | "minute" | "second"
    # The site's UTC offset at published_at, in minutes; None when nothing says the site's zone
    # (a day-precise date always has one: its own zone's, else 0, so its day never moves).
    published_offset: Mapped[int | None] = mapped_column(Integer)
    # The site's own calendar day of published_at (archive.DayRule; meta "archive_tz" says the
    # fallback zone): what the date archive groups by. day_counts follows it by triggers.
    published_day: Mapped[date] = mapped_column(Date)
    date_source: Mapped[str] = mapped_column(String(16))
    # The date exactly as the winning source wrote it, for audits and re-extraction.
    date_raw: Mapped[str | None] = mapped_column(Text)
    modified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)

    # Revisions (ingest/revisions.py): how many versions the archive has seen (1: never changed),
    # when the next revisit is due (None: none planned), and takedowns: the first 404/410 of a
    # streak (gone_since), then, at a second one a run later, removed_at.
    revision_count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    revisit_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revisits_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    gone_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Stories (stories/signatures.py): the articles whose texts are near duplicates share a
    # story_id, the id of the story's first article (its own id when it has no copy); minhash:
    # the text's signature (None for a short text, which is not grouped on its text alone).
    story_id: Mapped[int | None] = mapped_column(Integer)
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    if TYPE_CHECKING:
        story_size: int  # how many articles share its story (a column property, below)
        copy_count: int  # at how many other URLs its text was seen (models/copies.py)
        copies: list[ArticleCopy]

    source: Mapped[Source] = relationship(lazy="joined", innerjoin=True)

    @property
    def source_name(self) -> str:
        return self.source.name

    @property
    def published_text(self) -> str:
        """The date as the page gave it: the site's day when it gave no time (a day stays a
        day), else the time in the site's zone with its offset, or in UTC when unknown."""
        if self.published_precision == "day":
            return self.published_day.isoformat()
        offset = self.published_offset
        if offset is None:
            return f"{self.published_at:%Y-%m-%d %H:%M} UTC"
        local = self.published_at + timedelta(minutes=offset)
        sign, minutes = ("+" if offset >= 0 else "-"), abs(offset)
        return f"{local:%Y-%m-%d %H:%M} (UTC{sign}{minutes // 60:02d}:{minutes % 60:02d})"


class DayCount(Base):
    """Articles per archive day, maintained by triggers on articles (migration 0003): the
    year, month and day counts of the archive never scan the article table."""

    __tablename__ = "day_counts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    articles: Mapped[int] = mapped_column(Integer)
    # Of which dated only by when the archive first saw them (date_source "first_seen").
    undated: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Meta(Base):
    """Facts about the store itself, such as the zone published_day was computed in."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ArticleRaw(Base):
    """The page as fetched, zlib-compressed, so any article can be re-extracted later."""

    __tablename__ = "article_raw"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    body: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(Text)
    charset: Mapped[str | None] = mapped_column(String(64))
    # The validators of the page's last answer: a revisit asks conditionally.
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)


# The tables behind the models, typed as tables, for the Core statements of the hot paths.
ARTICLES = cast(Table, Article.__table__)
_MEMBER = ARTICLES.alias("story_member")
# Read with every article (an index lookup): how many articles its story has.
Article.story_size = column_property(  # type: ignore[assignment]
    select(func.count())
    .select_from(_MEMBER)
    .where(_MEMBER.c.story_id == ARTICLES.c.story_id)
    .scalar_subquery()
)
ARTICLE_RAW = cast(Table, ArticleRaw.__table__)
