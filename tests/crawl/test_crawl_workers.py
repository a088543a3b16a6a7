"""Real crawl processes: several workers sharing PostgreSQL, and a crawl killed mid-run."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from newsarchive.config import Settings
from newsarchive.db.models import Article, FrontierURL
from newsarchive.services import crawler
from tests.factories import add_source
from tests.pages import LOREM, article_html
from tests.site import NewsSite


def slow_site(site: NewsSite, pages: int, delay: float) -> str:
    """``pages`` articles that each take ``delay`` seconds, listed in one feed."""
    links = []
    for i in range(pages):
        html = article_html(f"Story {i}", paragraphs=[f"Story {i} begins. " + LOREM, LOREM])
        links.append(site.slow(f"/story/{i}", delay, html))
    return site.feed("/feed.rss", links)


def crawl_process(
    db_url: str, tmp_path: Path, *, own_group: bool = False, **env: str
) -> subprocess.Popen[bytes]:
    """`newsarchive crawl` in a process of its own; `own_group`: in a process group of its own,
    like a terminal's foreground job (a Ctrl-C there reaches the whole group)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
    environ |= {
        "NEWSARCHIVE_DATABASE_URL": db_url,
        "NEWSARCHIVE_ALLOW_PRIVATE_HOSTS": "true",
        "NEWSARCHIVE_HOST_DELAY": "0",
        "NEWSARCHIVE_EXTRACT_WORKERS": "0",
        "NEWSARCHIVE_CONCURRENCY": "2",
    } | env
    return subprocess.Popen(
        [sys.executable, "-m", "newsarchive", "crawl"],
        cwd=tmp_path,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=own_group,
    )


def next_run(settings: Settings, sessions: sessionmaker[Session], **update: object) -> None:
    """The next crawl, in this process: what it finds in the store is what is tested, and a
    crawl process of its own (with its imports) would only add seconds."""
    fast = {"host_delay": 0.0, "extract_workers": 0, "concurrency": 2} | update
    report = crawler(settings.model_copy(update=fast), sessions).run()
    assert report.status == "finished", report


def wait_while_running(process: subprocess.Popen[bytes], until: Callable[[], bool]) -> None:
    """Wait, 60 s at most, until `until()` holds; the process must still be running then."""
    deadline = time.monotonic() + 60
    while not until():
        assert process.poll() is None, process.communicate()[0].decode()
        assert time.monotonic() < deadline
        time.sleep(0.05)


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL: no chance to tidy up, as a power cut or the OOM killer gives none."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    if process.stdout:
        process.stdout.close()


def article_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Article)) or 0


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_three_workers_fetch_and_store_each_article_once(
    db_url: str, settings: Settings, sessions: sessionmaker[Session], site: NewsSite, tmp_path: Path
) -> None:
    feed = slow_site(site, pages=30, delay=0.05)
    add_source(sessions, "slow", feeds=[feed], interval_minutes=10_000)
    fast = settings.model_copy(update={"host_delay": 0.0, "extract_workers": 0})
    crawler(fast, sessions).run(max_articles=1)  # discovers the 30 and takes one

    workers = [crawl_process(db_url, tmp_path) for _ in range(3)]
    outputs = [w.communicate(timeout=120)[0].decode() for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0], outputs

    fetched = Counter(path for path, _h in site.requests if path.startswith("/story/"))
    assert len(fetched) == 30
    assert set(fetched.values()) == {1}, fetched
    assert article_count(sessions) == 30
    summaries = [
        re.search(r"^run \d+ \w+: .*\bstored (\d+),", out, re.MULTILINE) for out in outputs
    ]
    stored_by = [int(m.group(1)) for m in summaries if m]
    assert len(stored_by) == 3, outputs
    assert sum(stored_by) == 29
    assert sum(1 for n in stored_by if n > 0) >= 2, outputs  # the work was really shared


def test_killed_crawl_loses_nothing_and_the_next_run_finishes(
    db_url: str, settings: Settings, sessions: sessionmaker[Session], site: NewsSite, tmp_path: Path
) -> None:
    feed = slow_site(site, pages=12, delay=0.3)
    add_source(sessions, "slow", feeds=[feed])

    victim = crawl_process(db_url, tmp_path, NEWSARCHIVE_CRAWL_LEASE="1")
    wait_while_running(victim, lambda: article_count(sessions) >= 3)
    kill(victim)
    with sessions() as session:
        before = {a.id: a.url for a in session.scalars(select(Article))}
        claimed = session.scalar(
            select(func.count()).select_from(FrontierURL).where(FrontierURL.state == "claimed")
        )
    assert 3 <= len(before) < 12
    assert claimed, "the kill should have left URLs in hand"

    time.sleep(1.1)  # the killed worker's lease runs out (SQLite takes them back at once)
    next_run(settings, sessions, crawl_lease=1)

    with sessions() as session:
        after = {a.id: a.url for a in session.scalars(select(Article))}
        states = Counter(session.scalars(select(FrontierURL.state)))
    assert len(after) == 12
    assert before.items() <= after.items()  # nothing stored before the kill was lost or changed
    assert len(set(after.values())) == 12
    assert states == {"done": 12}


def test_sigterm_stops_a_looping_crawl_after_the_pages_in_hand(
    db_url: str, settings: Settings, sessions: sessionmaker[Session], site: NewsSite, tmp_path: Path
) -> None:
    feed = slow_site(site, pages=12, delay=0.3)
    add_source(sessions, "slow", feeds=[feed])
    looping = subprocess.Popen(
        [sys.executable, "-m", "newsarchive", "crawl", "--loop", "--interval", "60"],
        cwd=tmp_path,
        env={**os.environ, "NEWSARCHIVE_DATABASE_URL": db_url, "NEWSARCHIVE_ALLOW_PRIVATE_HOSTS": "true",
             "NEWSARCHIVE_HOST_DELAY": "0", "NEWSARCHIVE_EXTRACT_WORKERS": "0", "NEWSARCHIVE_CONCURRENCY": "2"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    wait_while_running(looping, lambda: article_count(sessions) >= 3)
    looping.send_signal(signal.SIGTERM)
    output = looping.communicate(timeout=30)[0].decode()
    assert looping.returncode == 0, output
    assert " interrupted: " in output
    with sessions() as session:
        states = Counter(session.scalars(select(FrontierURL.state)))
        stored = {a.url for a in session.scalars(select(Article))}
    assert "claimed" not in states  # every page in hand was finished and closed
    assert len(stored) < 12

    next_run(settings, sessions)
    assert article_count(sessions) == 12
    fetched = Counter(path for path, _h in site.requests if path.startswith("/story/"))
    assert set(fetched.values()) == {1}  # nothing fetched twice across the two runs


def test_ctrl_c_ends_the_run_after_the_pages_in_hand(
    db_url: str, settings: Settings, sessions: sessionmaker[Session], site: NewsSite, tmp_path: Path
) -> None:
    """SIGINT to the whole process group, as a terminal sends it, with extraction processes:
    no traceback, exit 0, the run interrupted, no page failed, the next run carries on."""
    feed = slow_site(site, pages=10, delay=0.3)
    add_source(sessions, "slow", feeds=[feed])
    crawl = crawl_process(db_url, tmp_path, own_group=True, NEWSARCHIVE_EXTRACT_WORKERS="1")
    wait_while_running(crawl, lambda: article_count(sessions) >= 2)
    os.killpg(crawl.pid, signal.SIGINT)
    output = crawl.communicate(timeout=30)[0].decode()
    assert crawl.returncode == 0, output
    assert "Traceback" not in output, output
    assert "KeyboardInterrupt" not in output, output
    assert " interrupted: " in output
    assert "failed 0" in output, output
    with sessions() as session:
        states = Counter(session.scalars(select(FrontierURL.state)))
    assert set(states) <= {"queued", "done"}, states
    next_run(settings, sessions)
    assert article_count(sessions) == 10


@pytest.mark.parametrize("after", [0.5, 1.0, 2.0])
def test_ctrl_c_while_processes_start_loses_no_page(
    after: float,
    db_url: str,
    settings: Settings,
    sessions: sessionmaker[Session],
    site: NewsSite,
    tmp_path: Path,
) -> None:
    """SIGINT to the process group early, while the crawl and its extraction processes are
    still starting (a second in, the imports are not done): whatever it interrupts, no page is
    recorded as failed, and the next run stores every one."""
    feed = slow_site(site, pages=8, delay=0.2)
    add_source(sessions, "slow", feeds=[feed])
    crawl = crawl_process(db_url, tmp_path, own_group=True, NEWSARCHIVE_EXTRACT_WORKERS="2")
    time.sleep(after)
    os.killpg(crawl.pid, signal.SIGINT)
    output = crawl.communicate(timeout=60)[0].decode()
    with sessions() as session:
        states = Counter(session.scalars(select(FrontierURL.state)))
    assert "failed" not in states, output
    next_run(settings, sessions)
    assert article_count(sessions) == 8
