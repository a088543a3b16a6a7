"""The LSH index that groups near-duplicate articles into stories."""

from __future__ import annotations

from datetime import date
from typing import cast

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Table
from sqlalchemy.orm import Mapped, mapped_column

from newsarchive.db.base import Base


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


STORY_KEYS = cast(Table, StoryKey.__table__)
