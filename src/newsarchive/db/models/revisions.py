"""Revisions and takedowns: what a revisit found when an article's page changed or went."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from newsarchive.db.base import Base, UTCDateTime


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
