"""The one keyset cursor codec: a page's last sort key and id, as an opaque URL-safe string.

A cursor comes back from clients, so decoding checks every part as a parameter would be
checked: a sort name must be the one asked for, times must be aware and storable, scores
finite, ids integers (not booleans) in the id columns' range. Anything else is InvalidInput
(a 422), never a database error.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from datetime import UTC, datetime
from typing import Any

from newsarchive.db.base import MAX_ID
from newsarchive.errors import InvalidInput

Part = type[datetime] | type[float] | type[int] | str  # a str part must equal that literal
_REFUSED = "invalid cursor: pass back the next_cursor of a previous page"


def encode(*parts: datetime | float | int | str) -> str:
    values = [p.isoformat() if isinstance(p, datetime) else p for p in parts]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode(cursor: str, *shape: Part, hint: str = "") -> tuple[Any, ...]:
    """The cursor's parts, checked against `shape` (a type, or a literal string)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(shape):
            raise ValueError
        return tuple(_part(value, kind) for value, kind in zip(values, shape, strict=True))
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(_REFUSED + hint) from None


def _part(value: Any, kind: Part) -> Any:
    if isinstance(kind, str):
        if value != kind:
            raise ValueError
        return value
    if kind is datetime:
        when = datetime.fromisoformat(value)
        if when.tzinfo is None:
            raise ValueError
        when.astimezone(UTC)  # OverflowError when its UTC time is outside years 1-9999
        return when
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError
        if not math.isfinite(value):
            raise ValueError
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
        raise ValueError
    return value
