"""The archive's write version (migration 0015): one row, moved on by triggers at every write
to what the API reads, so that read answers can carry an ETag and be cached (api/caching.py)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from newsarchive.db.base import Base


class ArchiveVersion(Base):
    __tablename__ = "archive_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Tells stores apart: a database made again from scratch counts from 0 again.
    epoch: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(BigInteger)
