"""What the admin page's forms send, read and checked."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError

from newsarchive import archive
from newsarchive.errors import InvalidInput


def parse_day(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"not a date (YYYY-MM-DD): {value}") from None


def source_fields(form: dict[str, Any], *, new: bool) -> tuple[str, archive.SourceFields]:
    from newsarchive.api.schemas import SourceIn

    def lines(key: str) -> list[str]:
        values = form.get(key) or []
        return [line.strip() for v in values for line in str(v).splitlines() if line.strip()]

    interval = str(form.get("interval") or "0").strip()
    try:
        checked = SourceIn(
            name=str(form.get("name") or "").strip() or ("-" if not new else ""),
            home=str(form.get("home") or "").strip() or None,
            feeds=lines("feed"),
            sitemaps=lines("sitemap"),
            interval=int(interval) if interval.isdigit() else -1,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"{where}: {first['msg']}") from None
    fields = archive.SourceFields(
        home_url=str(checked.home) if checked.home else "",
        feeds=[str(u) for u in checked.feeds],
        sitemaps=[str(u) for u in checked.sitemaps],
        interval_minutes=checked.interval,
    )
    return checked.name, fields
