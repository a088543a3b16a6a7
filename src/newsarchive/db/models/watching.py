"""Watching the archive: source health alerts, webhook deliveries (queue and log), saved searches. Alembic migration 0008 owns them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newsarchive.db.base import Base, UTCDateTime

if TYPE_CHECKING:
    from newsarchive.db.models.sources import Source


class Alert(Base):
    """A source's health alert (watch/rules.py): opened once when a rule finds it broken,
    closed by itself when the rule finds it well again."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_source_id_closed_at", "source_id", "closed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    baseline: Mapped[float] = mapped_column(Float)  # what the source was judged against
    message: Mapped[str] = mapped_column(Text)

    source: Mapped[Source] = relationship(lazy="joined")


class Delivery(Base):
    """A webhook to POST (watch/webhooks.py): kept until its receiver took it, tried again
    with backoff, and kept after that as the delivery log."""

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_delivered_at_next_try_at", "delivered_at", "next_try_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    event: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class SavedSearch(Base):
    """A search someone watches: after each crawl run its new matches (articles stored after
    `last_article_id`) are POSTed to its webhook; its Atom feed lists its newest matches."""

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    q: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))
    lang: Mapped[str | None] = mapped_column(String(16))
    author: Mapped[str | None] = mapped_column(String(200))
    webhook: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_article_id: Mapped[int] = mapped_column(Integer, default=0)  # matches up to it are sent
    last_delivery_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_delivery_count: Mapped[int] = mapped_column(Integer, default=0)
