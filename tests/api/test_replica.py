"""Reads from a streaming replica (NEWSARCHIVE_READ_DATABASE_URL), against a real primary and a
real replica this test starts: initdb and pg_basebackup into temporary folders, free ports, run
as the postgres user (the machine's own server takes no replication connections)."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from newsarchive.api.app import create_app
from newsarchive.config import Settings
from newsarchive.db import migrate
from newsarchive.db.replica import COOKIE
from tests.api.conftest import AUTH
from tests.conftest import IN_CI
from tests.pages import article_html
from tests.site import NewsSite, free_port

BIN = Path("/usr/lib/postgresql/15/bin")


def as_postgres(*command: str | Path) -> None:
    subprocess.run(
        ["runuser", "-u", "postgres", "--", *map(str, command)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def start(data: Path, port: int, *extra: str) -> None:
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(
            f"port = {port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{data.parent}'\nfsync = off\n" + "".join(extra)
        )
    as_postgres(BIN / "pg_ctl", "-D", data, "-l", data.parent / f"{data.name}.log", "-w", "start")


@contextmanager
def servers(replicas: int) -> Iterator[tuple[str, list[str], list[Path]]]:
    """(primary URL, replica URLs, replica data folders) of a fresh primary and its streaming
    replicas, stopped and deleted after."""
    if not (BIN / "initdb").exists() or shutil.which("runuser") is None or os.geteuid() != 0:
        if IN_CI:
            pytest.fail("the replica test needs PostgreSQL 15's server binaries and root")
        pytest.skip("needs PostgreSQL 15's server binaries and root (to run them as postgres)")
    base = Path(tempfile.mkdtemp(prefix="newsarchive-replica-"))
    user = pwd.getpwnam("postgres")
    os.chown(base, user.pw_uid, user.pw_gid)
    primary = base / "primary"
    copies = [base / f"replica{n}" for n in range(replicas)]
    url = "postgresql+psycopg://postgres@127.0.0.1:{}/postgres"
    try:
        primary_port = free_port()
        as_postgres(BIN / "initdb", "-D", primary, "-A", "trust", "-U", "postgres")
        start(primary, primary_port, "wal_level = replica\nmax_wal_senders = 8\n")
        urls = []
        for data in copies:
            as_postgres(
                BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary_port), "-U",
                "postgres", "-D", data, "-R", "-X", "stream",
            )  # fmt: skip
            port = free_port()
            start(data, port, "hot_standby = on\n")
            urls.append(url.format(port))
        yield url.format(primary_port), urls, copies
    finally:
        for data in (*copies, primary):
            stop(data)
        shutil.rmtree(base, ignore_errors=True)


def stop(data: Path) -> None:
    if (data / "postmaster.pid").exists():
        as_postgres(BIN / "pg_ctl", "-D", data, "-m", "immediate", "stop")


@pytest.fixture
def primary_and_replica() -> Iterator[tuple[str, str]]:
    with servers(1) as (primary, replicas, _folders):
        yield primary, replicas[0]


def replica_sql(url: str, sql: str) -> object:
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        return conn.execute(sql).fetchone()


def caught_up(primary_url: str, replica_url: str) -> None:
    """Wait until the replica has replayed everything the primary has written so far (the
    migration and the app's start): under load it can take a while."""
    position = replica_sql(primary_url, "SELECT pg_current_wal_lsn()::text")[0]  # type: ignore[index]
    deadline = time.monotonic() + 30
    with psycopg.connect(replica_url.replace("+psycopg", ""), autocommit=True) as conn:
        while not conn.execute(
            "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (position,)
        ).fetchone()[0]:  # type: ignore[index]
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.05)


def test_reads_go_to_the_replica_and_a_writer_reads_its_writes(
    primary_and_replica: tuple[str, str], site: NewsSite
) -> None:
    primary_url, replica_url = primary_and_replica
    migrate.upgrade(primary_url)
    settings = Settings(
        database_url=primary_url, read_database_url=replica_url, admin_token="test-token",
        allow_private_hosts=True, host_delay=0,
    )  # fmt: skip
    url = site.page("/news/1", article_html(title="Harbour opens"))
    with (
        TestClient(create_app(settings)) as writer,
        TestClient(create_app(settings)) as reader,
    ):
        # The replica lags: once it has the schema, it stops replaying the primary's log.
        caught_up(primary_url, replica_url)
        replica_sql(replica_url, "SELECT pg_wal_replay_pause()")
        created = writer.post("/api/ingest", json={"url": url}, headers=AUTH)
        assert created.status_code == 201, created.text
        assert COOKIE in created.cookies
        article = f"/api/articles/{created.json()['id']}"

        # The writer reads its write at once (from the primary, the replica being behind)...
        assert writer.get(article).json()["title"] == "Harbour opens"
        # ...while a reader without the cookie reads the replica, which has not got it yet.
        assert reader.get(article).status_code == 404
        assert reader.get("/api/search", params={"q": "harbour"}).json()["total"] == 0

        replica_sql(replica_url, "SELECT pg_wal_replay_resume()")
        caught_up(primary_url, replica_url)
        assert reader.get(article).json()["title"] == "Harbour opens"
        assert reader.get("/api/search", params={"q": "harbour"}).json()["total"] == 1
        # A cookie that is not a log position is no way around anything: the primary answers.
        writer.cookies.set(COOKIE, "'; DROP TABLE articles; --")
        assert writer.get(article).status_code == 200


def test_a_replica_url_must_be_postgresql() -> None:
    with pytest.raises(ValueError, match="PostgreSQL streaming replica"):
        Settings(read_database_url="sqlite:////tmp/x.db")
    assert Settings(read_database_url="").read_database_url is None
    with pytest.raises(ValueError, match="needs a PostgreSQL database_url"):
        Settings(database_url="sqlite:////tmp/x.db", read_database_url="postgresql://db2/archive")


def test_reads_take_turns_over_replicas_and_skip_one_that_stopped(site: NewsSite) -> None:
    with servers(2) as (primary_url, replica_urls, folders):
        migrate.upgrade(primary_url)
        settings = Settings(
            database_url=primary_url, read_database_url=",".join(replica_urls),
            admin_token="test-token", allow_private_hosts=True, host_delay=0,
        )  # fmt: skip
        assert settings.read_database_urls == replica_urls
        url = site.page("/news/1", article_html(title="Harbour opens"))
        with TestClient(create_app(settings)) as client:
            assert client.post("/api/ingest", json={"url": url}, headers=AUTH).status_code == 201
            for replica in replica_urls:
                caught_up(primary_url, replica)
            client.cookies.clear()  # a reader that wrote nothing
            for n in range(10):
                found = client.get("/api/search", params={"q": "harbour", "n": n})
                assert found.json()["total"] == 1
            ours = (  # the app's pooled connections to each replica
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
                "AND pid <> pg_backend_pid()"
            )
            connected = [replica_sql(r, ours)[0] for r in replica_urls]  # type: ignore[index]
            assert all(n >= 1 for n in connected), connected

            stop(folders[0])  # one replica stops answering mid-test
            for n in range(10):  # every read is answered by the other
                found = client.get("/api/archive", params={"n": n})
                assert found.status_code == 200, found.text
                assert found.json()["years"][0]["count"] == 1
            stop(folders[1])  # with none left, the primary reads
            assert client.get("/api/search", params={"q": "harbour"}).json()["total"] == 1
