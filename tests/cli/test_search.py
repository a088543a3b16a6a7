"""`newsarchive search` prints each date as the page gave it, on both stores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from newsarchive.cli import cli
from tests.factories import add_article


def test_a_day_stays_a_day_and_a_time_keeps_its_zone(
    db_url: str, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", db_url)
    day = datetime(2019, 11, 18, tzinfo=UTC)
    add_article(sessions, "Harbour day", "The harbour opens.", day, precision="day", offset=0)
    add_article(
        sessions, "Harbour time", "The harbour closes.", datetime(2019, 11, 19, 9, 30, tzinfo=UTC),
        offset=60,
    )  # fmt: skip
    result = CliRunner().invoke(cli, ["search", "harbour", "--sort", "oldest"])
    assert result.exit_code == 0, result.output
    assert "2019-11-18" in result.output
    assert "2019-11-18 00:00" not in result.output  # no time is invented
    assert "2019-11-19 10:30 (UTC+01:00)" in result.output
