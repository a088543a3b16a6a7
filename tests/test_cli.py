"""The command line: one line per item, exit codes, migrations, and `serve` for real."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from newsarchive import archive
from newsarchive.cli import cli
from newsarchive.cli.serve import _listen
from newsarchive.db.base import utc_now
from newsarchive.db.session import session_scope
from tests.pages import article_html, story_paragraphs
from tests.site import NewsSite, Receiver, free_port


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", db_url)
    monkeypatch.setenv("NEWSARCHIVE_ALLOW_PRIVATE_HOSTS", "true")

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(cli, list(args))

    return invoke


def test_ingest_prints_one_line_per_url(run, site: NewsSite) -> None:  # type: ignore[no-untyped-def]
    url = site.page("/news/1", article_html("One"))
    site.page("/x.pdf", b"%PDF", content_type="application/pdf")
    result = run("ingest", url, url + "?utm_source=x", site.url("/x.pdf"))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:3] == [
        f"stored: {url} (article 1)",
        f"unchanged: {url}?utm_source=x (article 1)",  # asked again: revisited now
        f"skipped: {site.url('/x.pdf')}: not HTML (application/pdf)",
    ]
    assert lines[3].startswith("run 1 finished: stored 1, duplicates 0, skipped 1, failed 0 (")


def test_ingest_exits_1_when_a_url_failed(run, site: NewsSite) -> None:  # type: ignore[no-untyped-def]
    result = run("ingest", site.url("/missing"))
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == f"failed: {site.url('/missing')}: HTTP 404"
    assert result.output.splitlines()[1].startswith("run 1 finished: stored 0, duplicates 0, ")


def test_runs_are_recorded(run, site: NewsSite, sessions) -> None:  # type: ignore[no-untyped-def]
    from newsarchive import archive
    from newsarchive.db.models import Run

    run("ingest", site.page("/n", article_html()), site.url("/missing"))
    with sessions() as session:
        [row] = session.query(Run).all()
        details = archive.get_run(session, row.id)
        assert (details.kind, details.status, details.stored, details.failed) == (
            "ingest",
            "finished",
            1,
            1,
        )
        assert [(e.url, e.reason) for e in details.errors] == [(site.url("/missing"), "HTTP 404")]
        assert details.finished_at is not None


def test_import_files_and_directories(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.html").write_text(article_html("A", canonical="https://h.example/a"))
    (folder / "b.html").write_text(
        article_html("B", paragraphs=["Another story altogether. " * 10])
    )
    (folder / "notes.txt").write_text("ignored")
    result = run("import", str(folder), "--base-url", "https://h.example/files/")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        f"stored: {folder / 'a.html'} (article 1)",
        f"stored: {folder / 'b.html'} (article 2)",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ingest", "not-a-url"], "Error: not an http(s) URL: not-a-url"),
        (["ingest"], "Error: Missing argument 'URLS...'."),
        (
            ["import", "/no/such/file.html"],
            "Error: Invalid value for 'PATHS...': Path '/no/such/file.html' does not exist.",
        ),
        (
            ["import", ".", "--base-url", "ftp://x"],
            "Error: --base-url is not an http(s) URL: ftp://x",
        ),
        (["serve", "--port", "99999"], "Error: Invalid value for '--port'"),
        (["frobnicate"], "Error: No such command 'frobnicate'."),
    ],
)
def test_bad_input_exits_2_with_one_line(run, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = run(*args)
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith(message)


def test_bad_setting_exits_2_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSARCHIVE_ARCHIVE_TZ", "Mars/Olympus")
    result = CliRunner().invoke(cli, ["db", "current"])
    assert result.exit_code == 2
    assert result.output.startswith("Error: NEWSARCHIVE_ARCHIVE_TZ")


def test_db_commands(empty_db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", empty_db_url)
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "current"]).output.startswith("base (empty)")
    upgraded = runner.invoke(cli, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.output.strip().endswith("(head)")
    assert runner.invoke(cli, ["db", "downgrade", "base"]).output.startswith("base (empty)")


@pytest.mark.parametrize(("workers", "log_format"), [("1", "text"), ("2", "json")])
def test_serve_migrates_and_answers_over_http(
    empty_db_url: str, tmp_path: Path, workers: str, log_format: str
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
    env["NEWSARCHIVE_DATABASE_URL"] = empty_db_url
    env["NEWSARCHIVE_LOG_FORMAT"] = log_format
    # The server's output goes to a file, not a pipe: nothing here waits on a running server's
    # output (a read blocks until it exits), and a full pipe cannot stall the server either.
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "newsarchive", "serve", "--port", str(port)]
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*command, "--workers", workers],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a group of its own: the workers go with it, whatever happens
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log.read_text(errors="replace")) from None
                time.sleep(0.05)
        assert response.status_code == 200
        assert response.json()["articles"] == 0
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=10).status_code == 200
    finally:
        _stop(server)
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    if log_format == "json":  # the server's own lines (startup, access) too
        events = [json.loads(line) for line in lines]
        assert any(
            "GET /api/health" in e["event"] and e["logger"] == "uvicorn.access" for e in events
        )
        assert any(e["event"].startswith("newsarchive ") for e in events)
    else:
        assert lines[0].startswith("newsarchive ")


def test_serve_workers_each_take_their_share_of_connections(
    empty_db_url: str, tmp_path: Path
) -> None:
    """Each worker listens on a socket of its own (SO_REUSEPORT), so a burst of new connections
    spreads over them: with one shared socket, the first worker awake took most of a burst."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
    env["NEWSARCHIVE_DATABASE_URL"] = empty_db_url
    command = [sys.executable, "-m", "newsarchive", "serve", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    clients: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 30
        while len(listening := set(_pids(port, "listening")) - {str(server.pid)}) < 2:
            assert server.poll() is None, "the server ended"
            assert time.monotonic() < deadline, listening  # a socket listening in each worker
            time.sleep(0.1)
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]
        time.sleep(0.5)
        held = Counter(_pids(port, "established"))
        assert len(held) == 2, held  # (all 16 on one of two sockets: 1 in 32,768)
        assert sum(held.values()) == 16
    finally:
        for client in clients:
            client.close()
        assert _stop(server) == 0


def _stop(server: subprocess.Popen[bytes]) -> int | None:
    """Stop a server started in a session of its own; its exit status, or None if it had to
    be killed (with its workers)."""
    server.terminate()
    try:
        return server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        return None


def _pids(port: int, state: str) -> list[str]:
    """The process of each socket on this local port in this state (ss, from iproute2)."""
    found = subprocess.run(
        ["ss", "-tnpH", "state", state, f"( sport = :{port} )"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return re.findall(r"pid=(\d+)", found)


def test_serve_answers_without_waiting_for_delayed_acks() -> None:
    """Every connection the server accepts sends at once (TCP_NODELAY): without it, a response
    written head then body waited 40 ms for the client's delayed ACK, on every request."""
    listener = _listen("127.0.0.1", free_port())
    try:
        listener.listen()
        with socket.create_connection(listener.getsockname()[:2]):
            accepted, _address = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        listener.close()


class TestSourcesAndCrawl:
    def test_add_list_remove(self, run) -> None:  # type: ignore[no-untyped-def]
        added = run(
            "sources", "add", "harbour", "--home", "https://harbour.example/",
            "--feed", "https://harbour.example/rss", "--feed", "https://harbour.example/atom",
            "--sitemap", "https://harbour.example/sitemap.xml", "--interval", "30",
        )  # fmt: skip
        assert added.exit_code == 0, added.output
        assert added.output == "added source harbour (id 1, 3 feeds and sitemaps)\n"
        listed = run("sources", "list")
        assert "harbour" in listed.output
        assert "feed: https://harbour.example/atom" in listed.output
        assert "30 min" in listed.output
        again = run("sources", "add", "harbour")
        assert again.exit_code == 2
        assert again.output == "Error: a source named 'harbour' already exists\n"
        assert run("sources", "remove", "harbour").output == "removed source harbour\n"
        missing = run("sources", "remove", "harbour")
        assert (missing.exit_code, missing.output) == (2, "Error: source 'harbour' not found\n")

    @pytest.mark.parametrize(
        ("args", "error"),
        [
            (["x", "--feed", "feed.xml"], "--feed: not an http(s) URL: feed.xml"),
            (["x", "--home", "ftp://x.example/"], "--home: not an http(s) URL: ftp://x.example/"),
            (["bad\x07name"], "NAME: String should match pattern"),
            (["x", "--interval", "600000"], "--interval: Input should be less than or equal to"),
            (["x"] + ["--feed=https://x.example/f"] * 101, "--feed: List should have at most 100"),
        ],
    )
    def test_add_checks_like_the_api(self, run, args: list[str], error: str) -> None:  # type: ignore[no-untyped-def]
        """The same rules as POST /api/sources and the admin page: one check for all three."""
        result = run("sources", "add", *args)
        assert result.exit_code == 2
        assert result.output.startswith(f"Error: {error}"), result.output
        assert run("sources", "list").output.count("x.example") == 0

    @pytest.fixture
    def local_source(self, run, site: NewsSite, monkeypatch) -> str:  # type: ignore[no-untyped-def]
        """A source whose feed lists one stored-to-be page (returned) and one missing page."""
        monkeypatch.setenv("NEWSARCHIVE_HOST_DELAY", "0")
        monkeypatch.setenv("NEWSARCHIVE_EXTRACT_WORKERS", "0")
        page = site.page("/a", article_html())
        run("sources", "add", "local", "--feed", site.feed("/rss", [page, site.url("/gone")]))
        return page

    def test_crawl_prints_a_summary_and_exits_0_despite_failures(
        self, run, local_source: str, db_url: str
    ) -> None:  # type: ignore[no-untyped-def]
        result = run("crawl")
        assert result.exit_code == 0, result.output
        database = db_url if "postgresql" in db_url else f"sqlite:///{Path(db_url[10:]).resolve()}"
        assert result.stdout == (
            "run 1 finished: discovered 2, fetched 1, stored 1, duplicates 0, skipped 0, failed 1"
            f" (database: {database})\n"
        )

    @pytest.fixture
    def json_logs(self, monkeypatch) -> None:  # type: ignore[no-untyped-def]
        # before the first command runs: the settings are read once per process (get_settings)
        monkeypatch.setenv("NEWSARCHIVE_LOG_FORMAT", "json")

    def test_crawl_logs_one_json_line_per_page(
        self, run, site: NewsSite, json_logs: None, local_source: str
    ) -> None:  # type: ignore[no-untyped-def]
        import json

        page = local_source
        result = run("crawl")
        events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
        pages = {e["url"]: e for e in events if e["event"] == "page"}
        assert pages[page]["status"] == "stored"
        assert pages[site.url("/gone")]["status"] == "failed"
        assert pages[site.url("/gone")]["reason"] == "HTTP 404"
        assert {"run", "source", "url", "status", "duration_ms", "time", "level"} <= set(
            pages[page]
        )
        assert any(e["event"] == "run finished" and e["status"] == "finished" for e in events)

    def test_a_crawl_whose_feeds_are_all_refused_says_so(  # type: ignore[no-untyped-def]
        self, run, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("NEWSARCHIVE_ALLOW_PRIVATE_HOSTS", "false")
        assert run("sources", "add", "local", "--feed", "http://127.0.0.1:9/rss").exit_code == 0
        result = run("crawl")
        assert result.exit_code == 0, result.output
        [line] = result.stdout.splitlines()  # (the log goes to stderr)
        assert line.startswith("run 1 finished: discovered 0, fetched 0, stored 0, duplicates 0")
        assert line.split(" (database: ")[0].endswith(
            "; feeds or sitemaps failed 1 (first: feed: refused to fetch 127.0.0.1 (127.0.0.1): "
            "private or loopback address (NEWSARCHIVE_ALLOW_PRIVATE_HOSTS=true allows it) "
            "at http://127.0.0.1:9/rss)"
        )
        listed = run("sources", "list")
        assert "last error: refused to fetch 127.0.0.1" in " ".join(listed.output.split())

    def test_a_source_whose_feeds_were_all_refused_stays_due(  # type: ignore[no-untyped-def]
        self, run, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("NEWSARCHIVE_ALLOW_PRIVATE_HOSTS", "false")
        added = run(
            "sources", "add", "local", "--feed", "http://127.0.0.1:9/rss", "--interval", "600"
        )
        assert added.exit_code == 0
        for number in (1, 2):  # not skipped for ten hours because the first run found nothing
            line = run("crawl").stdout.splitlines()[0]
            assert line.startswith(f"run {number} finished: ")
            assert "feeds or sitemaps failed 1" in line

    def test_a_home_page_only_source_that_is_refused_says_so(  # type: ignore[no-untyped-def]
        self, run, monkeypatch: pytest.MonkeyPatch, sessions
    ) -> None:
        monkeypatch.setenv("NEWSARCHIVE_ALLOW_PRIVATE_HOSTS", "false")
        assert run("sources", "add", "home", "--home", "http://127.0.0.1:9/").exit_code == 0
        line = run("crawl").stdout.splitlines()[0]
        assert "; feeds or sitemaps failed 1 (first: robots.txt: refused to fetch 127.0.0.1" in line
        assert "the source has only a home page, so nothing was found" in line
        with sessions() as session:
            [row] = archive.get_run(session, 1).sources
            assert row.feeds_failed == 1

    def test_crawl_of_an_unknown_source_is_bad_input(self, run) -> None:  # type: ignore[no-untyped-def]
        result = run("crawl", "--source", "nope")
        assert (result.exit_code, result.output) == (2, "Error: source 'nope' not found\n")

    def test_crawl_that_cannot_happen_exits_non_zero(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
        result = CliRunner().invoke(cli, ["crawl"])
        assert result.exit_code == 1
        assert result.output.startswith("Error: cannot use the database: connection failed")
        assert "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_search_prints_a_table(run, sessions) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import add_article

    add_article(sessions, "Harbour opens", "The new harbour opens to ships.")
    add_article(sessions, "Fair", "The fair returns.")
    result = run("search", "harbour", "--limit", "5")
    assert result.exit_code == 0, result.output
    assert "1 found" in result.output
    assert "Harbour opens" in result.output
    assert "Fair" not in result.output
    bad = run("search", "--", "-harbour")
    assert bad.exit_code == 2
    assert bad.output.startswith("Error: a query needs at least one word")


def test_serve_refuses_a_schema_it_does_not_know_or_was_told_not_to_migrate(
    empty_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import text

    from newsarchive.db import migrate
    from newsarchive.db.session import make_engine

    monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", empty_db_url)
    refused = CliRunner().invoke(cli, ["serve", "--no-migrate"])
    assert refused.exit_code == 1
    assert "run `newsarchive db upgrade`" in refused.output
    migrate.upgrade(empty_db_url)
    engine = make_engine(empty_db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    newer = CliRunner().invoke(cli, ["serve"])
    assert newer.exit_code == 1
    assert "newer than this newsarchive" in newer.output


@pytest.mark.parametrize("url", ["x.db", "", "mysql://root@127.0.0.1/news"])
def test_a_database_url_that_is_not_one_is_one_line(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", url)
    result = CliRunner().invoke(cli, ["sources", "list"])
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: NEWSARCHIVE_DATABASE_URL: Value error, ")
    assert "is not a SQLite or PostgreSQL URL" in line


def test_serve_on_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
        env["NEWSARCHIVE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'a.db'}"
        done = subprocess.run(
            [sys.executable, "-m", "newsarchive", "serve", "--port", str(port)],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""  # no banner for a server that never started
    assert done.stderr.strip().splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]


def test_the_serve_banner_names_the_database_file_absolutely(tmp_path: Path) -> None:
    from newsarchive.cli.common import safe_url
    from newsarchive.config import Settings

    settings = Settings(database_url="sqlite:///relative.db")
    assert safe_url(settings) == f"sqlite:///{tmp_path / 'relative.db'}"
    secret = Settings(database_url="postgresql://u:secret@db/x")
    assert safe_url(secret) == "postgresql+psycopg://u:***@db/x"


def test_interval_without_loop_is_bad_input(run) -> None:  # type: ignore[no-untyped-def]
    result = run("crawl", "--interval", "5")
    assert (result.exit_code, result.output) == (
        2,
        "Error: --interval needs --loop (one run ends by itself)\n",
    )


def test_log_lines_go_above_the_progress_bar(tmp_path: Path, site: NewsSite) -> None:
    """On a terminal, each page's log line starts a line of its own above the bar, rather than
    being written into the middle of it."""
    import pty
    import re

    links = [site.page(f"/news/{n}", article_html(f"Story {n}")) for n in range(6)]
    feed = site.feed("/feed.rss", links)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
    env |= {"NEWSARCHIVE_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
            "NEWSARCHIVE_ALLOW_PRIVATE_HOSTS": "true", "NEWSARCHIVE_HOST_DELAY": "0",
            "NEWSARCHIVE_EXTRACT_WORKERS": "0", "TERM": "xterm", "COLUMNS": "200"}  # fmt: skip
    added = CliRunner().invoke(cli, ["sources", "add", "local", "--feed", feed], env=env)
    assert added.exit_code == 0, added.output  # (in this process: only the crawl needs a terminal)
    leader, follower = pty.openpty()
    crawl = subprocess.Popen(
        [sys.executable, "-m", "newsarchive", "crawl"],
        cwd=tmp_path, env=env, stdin=follower, stdout=follower, stderr=follower,
    )  # fmt: skip
    os.close(follower)
    chunks = []
    deadline = time.monotonic() + 60
    try:
        while select.select([leader], [], [], max(0.0, deadline - time.monotonic()))[0]:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the crawl ended
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
        if crawl.poll() is None and time.monotonic() >= deadline:
            crawl.kill()  # still writing after a minute: it fails below, and ends here
    assert crawl.wait(timeout=60) == 0
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode(errors="replace"))
    page_lines = [
        m.start() for m in re.finditer(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ info +page", screen)
    ]
    assert len(page_lines) == 6, screen
    assert all(start == 0 or screen[start - 1] in "\r\n" for start in page_lines), screen
    assert "UnknownTimezoneWarning" not in screen


class TestConsistency:
    def test_a_query_starting_with_a_dash_says_to_use_double_dash(self, run) -> None:  # type: ignore[no-untyped-def]
        result = run("search", "-audi")
        assert result.exit_code == 2
        assert result.output == (
            "Error: No such option '-a'. (a query that starts with '-' goes after '--': "
            "newsarchive search -- -word)\n"
        )

    def test_search_in_an_unknown_source_is_bad_input(self, run) -> None:  # type: ignore[no-untyped-def]
        result = run("search", "harbour", "--source", "nosuch")
        assert (result.exit_code, result.output) == (2, "Error: source 'nosuch' not found\n")

    def test_import_of_a_failing_file_exits_1_like_ingest(self, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        broken = tmp_path / "broken.warc.gz"
        broken.write_bytes(b"\x1f\x8b not really gzip")
        result = run("import", str(broken))
        assert result.exit_code == 1, result.output
        assert result.output.startswith(f"failed: {broken}")

    def test_import_help_names_every_kind_of_file(self, run) -> None:  # type: ignore[no-untyped-def]
        text = " ".join(run("import", "--help").output.split())
        for suffix in (".html", ".htm", ".xhtml", ".warc", ".arc", ".jsonl", "gzipped"):
            assert suffix in text


def test_stories_rebuild_groups_and_says_so(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    story = story_paragraphs(seed=5)
    for name, paragraphs in [
        ("a", story),
        ("b", [*story, "Wire report."]),
        ("c", story_paragraphs(6)),
    ]:
        (tmp_path / f"{name}.html").write_text(article_html(f"Story {name}", paragraphs=paragraphs))
    assert run("import", str(tmp_path), "--base-url", "https://h.example/").exit_code == 0
    result = run("stories", "rebuild", "--workers", "2")
    assert result.exit_code == 0, result.output
    assert result.output == "grouped 3 articles: 1 stories with copies, holding 2 articles\n"
    exported = run("export", "--articles", "-o", str(tmp_path / "out.jsonl"))  # no signatures
    assert exported.exit_code == 0, exported.output
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [sorted({"story_id", "minhash"} & set(r)) for r in rows if r["type"] == "article"] == [
        [],
        [],
        [],
    ]


def test_webhooks_send_delivers_what_is_due(run, sessions) -> None:  # type: ignore[no-untyped-def]
    with Receiver() as receiver:
        with session_scope(sessions) as session:
            archive.queue_delivery(session, receiver.url, "alert.opened", '{"a": 1}', utc_now())
        result = run("webhooks", "send", "--budget", "5")
        assert (result.exit_code, result.output) == (0, "delivered 1\n")
        assert [body for _p, _h, body in receiver.posts] == [b'{"a": 1}']
        assert run("webhooks", "send").output == "delivered 0\n"


def test_an_upgrade_of_an_archive_that_exists_says_it_may_take_minutes(
    empty_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsarchive.db import migrate

    monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", empty_db_url)
    new = CliRunner().invoke(cli, ["db", "upgrade"])
    assert new.exit_code == 0, new.output
    assert "upgrading" not in new.output  # a new archive: nothing to wait for
    migrate.downgrade(empty_db_url, "0015")
    behind = CliRunner().invoke(cli, ["db", "upgrade"])
    assert behind.exit_code == 0, behind.output
    head = migrate.head_revision(empty_db_url)
    assert f"upgrading the archive's schema from 0015 to {head}: on a large archive" in (
        behind.output
    )
    again = CliRunner().invoke(cli, ["db", "upgrade"])
    assert "upgrading" not in again.output
