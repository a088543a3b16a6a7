"""The extraction pool: a time limit per page, processes that replace themselves, that ignore
Ctrl-C from birth, and that end with the crawl however it ends."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.config import Settings
from newsarchive.crawl.pool import ExtractionPool
from newsarchive.db.models import Article, FrontierURL
from newsarchive.errors import Failed, Interrupted
from newsarchive.services import crawler
from tests.crawl.test_crawl_workers import crawl_process
from tests.factories import add_source
from tests.pages import LOREM, article_html
from tests.site import NewsSite

# trafilatura's body extraction is quadratic on many tiny blocks: seconds at this size
HOSTILE = "<html><body>" + "<p>x</p>" * 75_000 + "</body></html>"


@pytest.fixture
def pool() -> ExtractionPool:
    made = ExtractionPool(1, threading.Event(), time_limit=1.0)
    yield made  # type: ignore[misc]
    made.close()


def test_a_page_past_the_time_limit_fails_and_the_next_one_runs(pool: ExtractionPool) -> None:
    started = time.monotonic()
    with pytest.raises(Failed, match="NEWSARCHIVE_EXTRACT_TIMEOUT") as late:
        pool.run(time.sleep, 30)
    assert time.monotonic() - started < 10
    assert not late.value.retryable  # the same page would overrun again
    assert pool.run(pow, 2, 10) == 1024


def test_a_process_that_dies_is_replaced(pool: ExtractionPool) -> None:
    with pytest.raises(Failed, match="extraction process died") as died:
        pool.run(os._exit, 1)  # a worker killed mid-page (out of memory, a crash)
    assert died.value.retryable
    assert pool.run(pow, 2, 10) == 1024


def test_a_page_whose_process_died_while_stopping_goes_back_to_the_queue() -> None:
    stop = threading.Event()
    pool = ExtractionPool(1, stop, time_limit=5.0)
    try:
        stop.set()  # SIGTERM reached the whole process group
        with pytest.raises(Interrupted):
            pool.run(os._exit, 1)
    finally:
        pool.close()


def test_the_extraction_processes_load_no_store_code() -> None:
    """What the forkserver loads once for every worker: the extraction, not the database and web
    code the crawl itself holds (a worker's memory and each crawl's start-up are the cost)."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, newsarchive.crawl.forkserver_preload; print(*sys.modules)"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout.split()  # fmt: skip
    assert {"trafilatura", "newsarchive.ingest.prepare", "newsarchive.crawl.pool"} <= set(loaded)
    store = {m.split(".")[0] for m in loaded} & {"sqlalchemy", "fastapi", "alembic", "psycopg"}
    assert store == set()


def test_workers_are_born_deaf_to_ctrl_c(pool: ExtractionPool) -> None:
    """A Ctrl-C that reaches a process the forkserver has just forked, before any code of ours
    runs in it (with both cores busy, processes start slowly), cannot kill it: it is ignored
    from birth."""
    assert pool.run(pow, 2, 3) == 8  # the pool's forkserver is up
    context = multiprocessing.get_context("forkserver")
    child = context.Process(target=time.sleep, args=(3,))
    child.start()
    time.sleep(0.5)  # past the forkserver's own handlers: in the code the child runs
    os.kill(child.pid, signal.SIGINT)  # type: ignore[arg-type]
    child.join(10)
    assert child.exitcode == 0


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(_parent(int(entry.name)), []).append(int(entry.name))
            except (OSError, IndexError):
                continue
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


@pytest.fixture
def alone() -> Iterator[None]:
    """One crawl busy with hostile pages on the machine at a time, whichever test worker runs
    it: two at once on two cores starved each other past these tests' time limits (and the
    processes one left were counted as the other's)."""
    with (Path(tempfile.gettempdir()) / "newsarchive-busy-crawl.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _busy_crawl(db_url: str, tmp_path: Path, *, limit: float) -> subprocess.Popen[bytes]:
    """`newsarchive crawl` with two extraction processes, once its forkserver and both workers
    are up (busy with the hostile pages the test listed)."""
    crawl = crawl_process(
        db_url, tmp_path, NEWSARCHIVE_EXTRACT_WORKERS="2", NEWSARCHIVE_EXTRACT_TIMEOUT=str(limit)
    )
    deadline = time.monotonic() + 60
    while len(_alive(_descendants(crawl.pid))) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    return crawl


def test_a_hostile_page_fails_alone_and_the_run_goes_on(
    site: NewsSite, settings: Settings, sessions: sessionmaker[Session]
) -> None:
    good = [
        site.page(f"/p/{i}", article_html(f"P{i}", paragraphs=[f"{i} " + LOREM])) for i in range(3)
    ]
    hostile = site.page("/hostile", HOSTILE)
    add_source(sessions, "newsroom", feeds=[site.feed("/rss", [hostile, *good])])
    limited = settings.model_copy(
        update={"host_delay": 0.0, "extract_workers": 1, "extract_timeout": 1.0}
    )
    report = crawler(limited, sessions).run()
    assert (report.status, report.counts["stored"], report.counts["failed"]) == ("finished", 3, 1)
    with sessions() as session:
        [error] = archive.get_run(session, report.run_id).errors
    assert error.url == hostile
    assert "NEWSARCHIVE_EXTRACT_TIMEOUT" in error.reason


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_a_killed_crawl_leaves_no_extraction_processes_and_the_next_run_carries_on(
    site: NewsSite,
    db_url: str,
    settings: Settings,
    sessions: sessionmaker[Session],
    tmp_path: Path,
    alone: None,
) -> None:
    pages = [site.page(f"/k/{i}", HOSTILE.replace("x", f"x{i}")) for i in range(4)]
    add_source(sessions, "slow", feeds=[site.feed("/rss", pages)])
    crawl = _busy_crawl(db_url, tmp_path, limit=60)
    try:
        helpers = _alive(_descendants(crawl.pid))
        assert len(helpers) >= 3
        crawl.kill()
        crawl.wait()
        # (a forkserver killed while it still loads the extraction code sees its pipe close
        # only when the imports are done: under a loaded machine, tens of seconds)
        deadline = time.monotonic() + 60
        while _alive(helpers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _alive(helpers) == set()
    finally:
        crawl.kill()
        crawl.communicate()
    with sessions() as session:
        claimed = session.scalars(select(FrontierURL).where(FrontierURL.state == "claimed"))
        assert len(list(claimed)) >= 1  # the killed run's pages, held by its leases
    # The next run takes them over at once (their worker is dead), whatever the store: with a
    # short limit each hostile page now fails alone, and none is left waiting for its lease.
    again = settings.model_copy(
        update={"host_delay": 0.0, "extract_workers": 1, "extract_timeout": 0.5}
    )
    started = time.monotonic()
    report = crawler(again, sessions).run()
    assert time.monotonic() - started < 60
    assert report.counts["failed"] == 4
    with sessions() as session:
        states = session.scalars(select(FrontierURL.state)).all()
        assert "claimed" not in states
        assert session.scalars(select(Article)).first() is None


def test_a_stop_finishes_a_quick_page_and_gives_up_a_slow_one() -> None:
    stop = threading.Event()
    pool = ExtractionPool(1, stop, time_limit=60.0)
    try:
        threading.Timer(0.3, stop.set).start()
        assert pool.run(time.sleep, 1) is None  # in hand at the stop, done within the grace
        started = time.monotonic()
        with pytest.raises(Interrupted):
            pool.run(time.sleep, 30)
        assert time.monotonic() - started < 3 + 5
    finally:
        pool.close()


def test_sigterm_with_a_hostile_page_in_hand_ends_the_run_at_once(
    site: NewsSite, db_url: str, sessions: sessionmaker[Session], tmp_path: Path, alone: None
) -> None:
    """A stop does not wait out a slow page (264 s before, with compose's 60 s to stop): the
    run ends within seconds and the page goes back to the queue, counted nowhere."""
    pages = [site.page(f"/h/{i}", HOSTILE.replace("x", f"h{i}")) for i in range(2)]
    add_source(sessions, "slow", feeds=[site.feed("/rss", pages)])
    crawl = _busy_crawl(db_url, tmp_path, limit=120)
    try:
        time.sleep(1)
        crawl.send_signal(signal.SIGTERM)
        started = time.monotonic()
        output = crawl.communicate(timeout=60)[0].decode()
        assert time.monotonic() - started < 15, output
    finally:
        crawl.kill()
        crawl.wait()
    assert crawl.returncode == 0, output
    with sessions() as session:
        states = set(session.scalars(select(FrontierURL.state)))
    assert states == {"queued"}, output
