"""The archive's write version (migration 0015): what read answers are cached and tagged by."""

from __future__ import annotations

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from newsarchive.db.models import ArchiveVersion

# A Core statement on the session's connection: through the ORM, this one-row read took 8 % of
# an archive day's answer (profiled under load).
_VERSION = select(ArchiveVersion.__table__.c.epoch, ArchiveVersion.__table__.c.version).where(
    ArchiveVersion.__table__.c.id == 1
)


def write_version(session: Session) -> str:
    """The version as "<epoch>.<version>": changes with every write to what the API reads.
    Read it before the answer it tags: an answer read after it is at least as new (a write
    moves the version in its own transaction), so a cached answer is never older than its key."""
    epoch, version = session.connection().execute(_VERSION).one()
    return f"{epoch}.{version}"


def bump(session: Session | Connection) -> None:
    """For writers that take the triggers down for a while (the fresh bulk load)."""
    session.execute(update(ArchiveVersion).values(version=ArchiveVersion.version + 1))
