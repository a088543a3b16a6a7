"""Read answers carry an ETag from the archive's write version, a client that sends it back
gets 304 until something writes, and the per-process cache of answers never serves one from
before a write: whoever wrote (this app, another worker, a crawl's own session), on both stores."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.api.app import create_app
from newsarchive.archive import bulk
from newsarchive.config import Settings
from newsarchive.db.models import ArchiveVersion
from tests.api.conftest import AUTH
from tests.factories import add_article, add_source
from tests.pages import article_html
from tests.site import NewsSite

WHEN = datetime(2024, 3, 5, 9, tzinfo=UTC)
READS = [
    ("/api/search", {"q": "harbour"}),
    ("/api/search.atom", {"q": "harbour"}),
    ("/api/archive", {}),
    ("/api/archive/2024", {}),
    ("/api/archive/2024/3", {}),
    ("/api/archive/2024/3/5", {}),
    ("/api/archive/2024/3/5.atom", {}),
    ("/api/timeline", {"q": "harbour", "from": "2024-03-01", "to": "2024-03-10"}),
    ("/api/timeline", {"q": "harbour", "from": "2024-03-01", "to": "2024-03-10", "format": "csv"}),
    ("/api/terms", {"q": "harbour"}),
]


@pytest.fixture
def other_worker(settings: Settings) -> Iterator[TestClient]:
    """A second app over the same database, as a second `serve --workers` process is."""
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def _harbour(sessions: sessionmaker[Session], title: str = "Harbour opens") -> int:
    return add_article(sessions, title, "The new harbour opens to ships in the bay.", WHEN)


@pytest.mark.parametrize(("path", "params"), READS)
def test_an_answer_is_not_modified_until_a_write(
    client: TestClient, sessions: sessionmaker[Session], path: str, params: dict[str, str]
) -> None:
    _harbour(sessions)
    first = client.get(path, params=params)
    assert first.status_code == 200, first.text
    tag = first.headers["etag"]
    assert tag.startswith('W/"')
    assert first.headers["cache-control"] == "no-cache"

    again = client.get(path, params=params, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    assert client.get(path, params=params).content == first.content  # the kept bytes

    _harbour(sessions, "Harbour closes")  # a write outside the API, as a crawl's
    after = client.get(path, params=params, headers={"If-None-Match": tag})
    assert after.status_code == 200
    assert after.headers["etag"] != tag
    assert after.content != first.content


def test_the_cache_never_answers_from_before_a_write(
    client: TestClient, other_worker: TestClient, sessions: sessionmaker[Session], site: NewsSite
) -> None:
    _harbour(sessions)
    for worker in (client, other_worker):  # each process keeps the answer
        assert worker.get("/api/search", params={"q": "harbour"}).json()["total"] == 1
    url = site.page("/news/harbour-2", article_html("Second harbour opens"))
    created = client.post("/api/ingest", json={"url": url}, headers=AUTH)  # through one worker
    assert created.status_code == 201, created.text
    for worker in (client, other_worker):  # the other worker sees it too, at once
        assert worker.get("/api/search", params={"q": "harbour"}).json()["total"] == 2

    article_id = created.json()["id"]
    assert other_worker.get(f"/api/articles/{article_id}").json()["title"] == "Second harbour opens"
    (source_id,) = [
        s["id"] for s in client.get("/api/sources").json() if s["name"] == created.json()["source"]
    ]
    deleted = client.delete(f"/api/sources/{source_id}?with_articles=true", headers=AUTH)
    assert deleted.status_code == 204, deleted.text
    assert other_worker.get(f"/api/articles/{article_id}").status_code == 404
    assert other_worker.get("/api/search", params={"q": "harbour"}).json()["total"] == 1


def test_a_kept_answer_costs_one_read_and_no_transaction(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    """A repeated read reads the write version and nothing else, outside any transaction (no
    BEGIN, no COMMIT: round trips that cost a kept answer most of its time under load)."""
    _harbour(sessions)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    statements: list[str] = []
    commits: list[object] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, sql, *_a: statements.append(sql))
    event.listen(engine, "commit", commits.append)
    first = client.get("/api/search", params={"q": "harbour"})
    assert first.status_code == 200
    assert commits  # the answer made: the request's transaction committed
    statements.clear()
    commits.clear()
    again = client.get("/api/search", params={"q": "harbour"})
    assert again.content == first.content
    assert len(statements) == 1
    assert "archive_version" in statements[0]
    assert commits == []


def test_a_tag_names_its_store(client: TestClient, sessions: sessionmaker[Session]) -> None:
    """The version counts from the store's own epoch: a database made again from scratch at
    the same address never answers 304 to a tag from the one before."""
    tag = client.get("/api/archive").headers["etag"]
    with sessions.begin() as session:
        epoch = session.scalar(select(ArchiveVersion.epoch))
        assert epoch is not None
        assert len(epoch) == 32
        session.execute(update(ArchiveVersion).values(epoch="0" * 32))
    assert client.get("/api/archive", headers={"If-None-Match": tag}).status_code == 200


def test_every_writer_moves_the_version(sessions: sessionmaker[Session]) -> None:
    """Triggers, not the API, count the writes: the bulk load (whose article triggers are
    down while it runs), a source's change, a deletion."""

    def version() -> str:
        with sessions() as session:
            return archive.write_version(session)

    seen = [version()]
    with sessions.begin() as session:
        row = {
            "url": "https://example.org/a", "url_normalized": "https://example.org/a",
            "url_key": "https://example.org/a", "content_hash": "a" * 64, "title": "Bulk",
            "text": "Loaded in bulk.", "language": "en", "date_source": "page",
            "published_at": WHEN, "first_seen_at": WHEN, "fetched_at": WHEN, "updated_at": WHEN,
            "source_id": add_source(sessions, "bulk"),
        }  # fmt: skip
        bulk.load_fresh(session.connection(), archive.DayRule(), [row])
    seen.append(version())
    article_id = _harbour(sessions)
    seen.append(version())
    with sessions.begin() as session:
        source = archive.get_source_by_name(session, "bulk")
        archive.update_source(session, source, archive.SourceFields(interval_minutes=99))
    seen.append(version())
    with sessions.begin() as session:
        archive.delete_article(session, article_id)
    seen.append(version())
    assert len(set(seen)) == len(seen), seen


@pytest.mark.parametrize(("path", "params"), READS)
def test_a_read_waits_for_no_commit_thread(
    client: TestClient, sessions: sessionmaker[Session], path: str, params: dict[str, str]
) -> None:
    """A read ends its transaction on its own thread: with every commit thread taken (a burst
    of writes), reads still answer."""
    _harbour(sessions)
    limiter = client.app.state.finishing  # type: ignore[attr-defined]
    borrowers = [object() for _ in range(int(limiter.total_tokens))]

    async def hold() -> None:
        for borrower in borrowers:
            await limiter.acquire_on_behalf_of(borrower)

    async def release() -> None:
        for borrower in borrowers:
            limiter.release_on_behalf_of(borrower)

    client.portal.call(hold)  # type: ignore[union-attr]
    pool = ThreadPoolExecutor(1)
    try:
        status = pool.submit(client.get, path, params=params).result(timeout=30).status_code
    finally:
        client.portal.call(release)  # type: ignore[union-attr]
        pool.shutdown()
    assert status == 200
