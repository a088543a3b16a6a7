"""Ingestion runs: their counters (one tuple, RUN_COUNTERS), per-source counts and errors."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, cast

from sqlalchemy import ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from newsarchive.db.base import Base, UTCDateTime, utc_now

if TYPE_CHECKING:
    from newsarchive.db.models.sources import Source


class Counters:
    """A run's counters, the same columns on a run and on each of its sources: the one list of
    them (RUN_COUNTERS below is read off it; the API's and the crawl report's follow)."""

    discovered: Mapped[int] = mapped_column(Integer, default=0)  # URLs new to the frontier
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    # feeds and sitemaps that could not be read
    feeds_failed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # stored articles fetched again, and of them those whose page changed
    revisited: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    revised: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


RUN_COUNTERS: tuple[str, ...] = tuple(Counters.__annotations__)


class Run(Counters, Base):
    """One ingestion run: a crawl, an ``ingest`` of URLs or an ``import`` of files."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Written while the run's process lives (ingest/runs.py): a stale one means it died.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    errors: Mapped[list[RunError]] = relationship(
        lazy="raise", order_by="RunError.id", cascade="all, delete-orphan"
    )
    sources: Mapped[list[RunSource]] = relationship(
        lazy="raise", order_by="RunSource.source_id", cascade="all, delete-orphan"
    )


class RunSource(Counters, Base):
    """A run's counts for one source."""

    __tablename__ = "run_sources"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )

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


RUNS = cast(Table, Run.__table__)
