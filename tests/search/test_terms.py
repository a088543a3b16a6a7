"""The top words weigh a search's matches against the whole archive as it is now: the
archive's side is made once per write version, and made again after any write."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from newsarchive.search.service import SearchParams
from newsarchive.search.terms import top_terms
from tests.factories import add_article


def _ferry_score(sessions: sessionmaker[Session]) -> float | None:
    with sessions() as session:
        found = top_terms(session, SearchParams(q="harbour"))
    return next((t.score for t in found.terms if t.term == "ferry"), None)


def test_the_archive_side_follows_every_write(sessions: sessionmaker[Session]) -> None:
    for n in range(6):
        add_article(sessions, f"Harbour {n}", f"The harbour ferry number {n} sails at dawn.")
        add_article(sessions, f"Market {n}", f"The market sells bread and cheese, stall {n}.")
    before = _ferry_score(sessions)
    assert before is not None
    assert before == _ferry_score(sessions)  # nothing written: the same answer

    for n in range(30):  # now the archive at large talks of ferries too
        add_article(sessions, f"Ferry {n}", f"A ferry crossing, timetable {n}, delays expected.")
    after = _ferry_score(sessions)
    assert after is None or after < before
