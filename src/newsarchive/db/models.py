"""The tables. Alembic migrations own the schema; these mappings must match them exactly
(tests/test_migrations.py autogenerates against them and expects no difference)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    select,
    true,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from newsarchive.db.base import Base, UTCDateTime, utc_now

DATE_SOURCES = ("page", "url", "feed", "sitemap", "first_seen")


class Source(Base):
    """A site the archive follows. Pages ingested outside any registered source belong to a
    source named after their host (``auto_created``), which is never crawled by itself."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    home_url: Mapped[str | None] = mapped_column(Text)
    interval_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    auto_created: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_crawled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    feeds: Mapped[list[Feed]] = relationship(
        lazy="selectin", order_by="Feed.id", cascade="all, delete-orphan", back_populates="source"
    )


class Feed(Base):
    """A feed or sitemap that lists a source's articles, with what conditional GET needs."""

    __tablename__ = "feeds"
    __table_args__ = (UniqueConstraint("source_id", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # "feed" | "sitemap"
    url: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    source: Mapped[Source] = relationship(lazy="raise", back_populates="feeds")


class Host(Base):
    """Politeness state shared by every crawl worker: when the host may be asked again."""

    __tablename__ = "hosts"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    next_fetch_at: Mapped[datetime] = mapped_column(UTCDateTime)
    crawl_delay: Mapped[float | None] = mapped_column(Float)


class FrontierURL(Base):
    """A discovered article URL and where it is in its life: queued, claimed (leased to one
    worker), done, skipped or failed. Unique per normalised URL, so nothing is queued twice."""

    __tablename__ = "frontier"
    __table_args__ = (Index("ix_frontier_state_next_try_at", "state", "next_try_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    url_normalized: Mapped[str] = mapped_column(Text, unique=True)
    host: Mapped[str] = mapped_column(String(255))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    # What the feed or sitemap said of the article, for pages that do not say it themselves.
    hint_title: Mapped[str | None] = mapped_column(Text)
    hint_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hint_date_source: Mapped[str | None] = mapped_column(String(16))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    # Set while the row is a revisit of a stored article (crawl/revisits.py).
    # (SET NULL: a deleted article's row stays "done", so discovery never stores it again)
    revisit_of: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    discovered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


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

    source: Mapped[Source] = relationship(lazy="joined", innerjoin=True)

    @property
    def source_name(self) -> str:
        return self.source.name


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


class Revision(Base):
    """One version of an article whose page changed after it was stored. Written only once a
    change is seen: then the first version and each later one, in full, with its raw page; an
    article that never changes has no rows here (its article row is its only version)."""

    __tablename__ = "revisions"
    __table_args__ = (
        UniqueConstraint("article_id", "revision"),
        Index("ix_revisions_fetched_at", "fetched_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)  # 1: the version first stored
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # as this version said
    changed: Mapped[list[str]] = mapped_column(JSON, default=list)  # against the one before
    raw: Mapped[bytes] = mapped_column(LargeBinary)  # zlib, as in article_raw
    charset: Mapped[str | None] = mapped_column(String(64))


class StoryKey(Base):
    """The LSH index of stories: one row per band key of an article's signature. An article's
    near duplicates are the articles that share a key with it, published within a window."""

    __tablename__ = "story_keys"
    __table_args__ = (Index("ix_story_keys_article_id", "article_id"),)

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    published_day: Mapped[date] = mapped_column(Date)


class Takedown(Base):
    """An article's page answered gone (404/410, or a redirect to the home page) twice, a run
    apart; restored_at: a later revisit found it again."""

    __tablename__ = "takedowns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    restored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Run(Base):
    """One ingestion run: a crawl, an ``ingest`` of URLs or an ``import`` of files."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Written while the run's process lives (ingest/runs.py): a stale one means it died.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    discovered: Mapped[int] = mapped_column(Integer, default=0)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    feeds_failed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    revisited: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    revised: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    errors: Mapped[list[RunError]] = relationship(
        lazy="raise", order_by="RunError.id", cascade="all, delete-orphan"
    )
    sources: Mapped[list[RunSource]] = relationship(
        lazy="raise", order_by="RunSource.source_id", cascade="all, delete-orphan"
    )


class RunSource(Base):
    """A run's counts for one source."""

    __tablename__ = "run_sources"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    discovered: Mapped[int] = mapped_column(Integer, default=0)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    feeds_failed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    revisited: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    revised: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    source: Mapped[Source] = relationship(lazy="joined")


class RunError(Base):
    __tablename__ = "run_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    url: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


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
RUNS = cast(Table, Run.__table__)
STORY_KEYS = cast(Table, StoryKey.__table__)

# The tables of watching the archive live in watching.py; imported here so that one import path
# (and Base.metadata, which Alembic compares) has every table.
from newsarchive.db.watching import Alert, Delivery, SavedSearch  # noqa: E402

__all__ = ["Alert", "Delivery", "SavedSearch"]
