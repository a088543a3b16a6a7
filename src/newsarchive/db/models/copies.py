"""Reach: exact copies of a stored article found at other URLs (another outlet running the same
wire story word for word, a mirror). The copy is not stored again; where it was seen is."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, Text, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from newsarchive.db.base import Base, UTCDateTime
from newsarchive.db.models.articles import Article

if TYPE_CHECKING:
    from newsarchive.db.models.sources import Source


class ArticleCopy(Base):
    __tablename__ = "article_copies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    url_key: Mapped[str] = mapped_column(Text, unique=True)  # each URL counted once
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)

    source: Mapped[Source] = relationship(lazy="joined", innerjoin=True)

    @property
    def source_name(self) -> str:
        return self.source.name


Article.copies = relationship(  # type: ignore[assignment]
    ArticleCopy, order_by=ArticleCopy.first_seen_at, lazy="selectin", viewonly=True
)
# Read with every article (an index lookup): at how many other URLs its text was seen.
Article.copy_count = column_property(  # type: ignore[assignment]
    select(func.count())
    .where(ArticleCopy.article_id == Article.id)
    .correlate_except(ArticleCopy)
    .scalar_subquery()
)
