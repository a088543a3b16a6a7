"""The crawl frontier: discovered URLs in their life, and the politeness state of hosts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from newsarchive.db.base import Base, UTCDateTime, utc_now


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
    # Set while the row is a revisit of a stored article (ingest/revisits.py).
    # (SET NULL: a deleted article's row stays "done", so discovery never stores it again)
    revisit_of: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    discovered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
