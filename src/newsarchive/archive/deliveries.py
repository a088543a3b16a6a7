"""The webhook delivery queue (and, once delivered or given up, its log): queued in the
transaction that decided to send, taken one attempt at a time by whichever worker is free."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from newsarchive.db.models import Delivery

GIVEN_UP = timedelta(days=36500)  # a given-up delivery is due again in a century: never


def queue_delivery(session: Session, url: str, event: str, body: str, now: datetime) -> None:
    session.add(
        Delivery(url=url, event=event, body=body, created_at=now, attempts=0, next_try_at=now)
    )


def due_deliveries(session: Session, now: datetime, *, limit: int = 50) -> list[Delivery]:
    query = (
        select(Delivery)
        .where(Delivery.delivered_at.is_(None), Delivery.next_try_at <= now)
        .order_by(Delivery.next_try_at, Delivery.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def claim_delivery(session: Session, delivery_id: int, now: datetime, until: datetime) -> bool:
    """Take a due delivery for one attempt (until then no other worker tries it)."""
    result = session.connection().execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id, Delivery.delivered_at.is_(None), Delivery.next_try_at <= now
        )
        .values(next_try_at=until)
    )
    return result.rowcount == 1


def delivery_done(
    session: Session,
    delivery_id: int,
    *,
    now: datetime,
    error: str | None,
    retry_at: datetime | None,
) -> None:
    """An attempt's end: delivered (no error), or the error and the next try (None: given up)."""
    values: dict[str, Any] = {"attempts": Delivery.attempts + 1, "last_error": error}
    if error is None:
        values["delivered_at"] = now
    elif retry_at is not None:
        values["next_try_at"] = retry_at
    else:
        values["next_try_at"] = now + GIVEN_UP  # given up: kept as the log says
    session.execute(update(Delivery).where(Delivery.id == delivery_id).values(values))


def recent_deliveries(session: Session, *, limit: int = 20) -> list[Delivery]:
    return list(session.scalars(select(Delivery).order_by(Delivery.id.desc()).limit(limit)))
