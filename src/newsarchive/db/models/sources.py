"""Sources the archive follows and the feeds and sitemaps that list their articles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newsarchive.db.base import Base, UTCDateTime, utc_now


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
    tags: Mapped[list[SourceCollection]] = relationship(
        lazy="selectin", order_by="SourceCollection.name", cascade="all, delete-orphan"
    )

    @property
    def collections(self) -> list[str]:
        """The collections the source is in ("germany", "national"), by name."""
        return [tag.name for tag in self.tags]


class SourceCollection(Base):
    """A source's membership of a collection: searches, timelines and exports filter by it."""

    __tablename__ = "source_collections"

    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


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
