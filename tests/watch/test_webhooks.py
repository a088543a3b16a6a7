"""Webhook bodies: JSON whose times read as ISO 8601, as every other answer of the archive."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from newsarchive.watch import webhooks


def test_times_in_a_body_are_iso_8601() -> None:
    at = datetime(2026, 12, 4, 19, 27, 16, 811001, tzinfo=UTC)
    sent = json.loads(webhooks.body("alert.opened", {"since": at, "source": "harbour"}))
    assert sent == {
        "event": "alert.opened",
        "since": "2026-12-04T19:27:16+00:00",
        "source": "harbour",
    }
