"""Take the README's screenshots of the admin page with Debian's chromium.

    .venv/bin/python scripts/screenshots.py

Builds a small demo archive in a temporary SQLite database (the seed page from
../shared/corpus when present, and generated stories over 90 days), serves it, and writes
docs/screenshots/dashboard.png (with an open source health alert: one source's newest articles
lost their dates) and docs/screenshots/article.png.
"""

from __future__ import annotations

import random
import socket
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from newsarchive import archive
from newsarchive.api.app import create_app
from newsarchive.config import Settings
from newsarchive.db import migrate
from newsarchive.db.session import make_engine, make_sessionmaker, session_scope
from newsarchive.ingest.pipeline import Pipeline
from newsarchive.watch import source_health

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "corpus" / "seed" / "iran-turkey-warn-syria-safe-haven.html"
OUT = ROOT / "docs" / "screenshots"


def demo(database_url: str) -> int:
    migrate.upgrade(database_url)
    sessions = make_sessionmaker(make_engine(database_url))
    rng = random.Random(3)
    now = datetime.now(UTC)
    rows = []
    with session_scope(sessions) as session:
        ids = [archive.create_source(session, name, archive.SourceFields(feeds=[f"https://{name}.example/rss"], interval_minutes=30)).id
               for name in ("harbour-times", "valley-gazette", "city-wire")]  # fmt: skip
    for i in range(900):  # in the order they were first seen: the newest last
        published = now - timedelta(days=89 * (900 - i) / 900, hours=rng.random() * 2)
        url = f"https://demo.example/{i}"
        rows.append({"source_id": ids[i % 3], "url": url, "url_normalized": url, "url_key": url,
                     "content_hash": f"{i:064x}", "title": f"Demo story {i}", "text": "Demo text.",
                     "authors": [], "tags": [], "categories": [], "language": "en", "word_count": 2,
                     "published_at": published, "first_seen_at": published,
                     # harbour-times' newest 20 lost their dates: the health rules open an alert
                     "date_source": "first_seen" if i % 3 == 0 and i >= 840 else "page",
                     "fetched_at": published, "updated_at": published})  # fmt: skip
    with session_scope(sessions) as session:
        settings = Settings()
        archive.add_articles(
            session, archive.DayRule(settings.zone, settings.archive_tz_force), rows
        )
        run = archive.start_run(session, "crawl")
        archive.count(
            session,
            run.id,
            {"discovered": 42, "fetched": 40, "stored": 37, "duplicates": 2, "failed": 1},
            ids[0],
        )
        archive.finish_run(session, run.id)
    with session_scope(sessions) as session:
        source_health.evaluate(session, ids[0], now)
    if SEED.exists():
        [outcome] = Pipeline(sessions).import_paths([SEED])
        return outcome.article_id or 1
    return 1


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/demo.db"
        article_id = demo(url)
        settings = Settings(database_url=url, admin_token="demo")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings), port=port, log_level="warning")
        )
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page(
                base_url=f"http://127.0.0.1:{port}", viewport={"width": 1280, "height": 900}
            )
            page.goto("/admin/")
            page.fill("input[name=token]", "demo")
            page.click("button[type=submit]")
            page.wait_for_url("**/admin/")
            OUT.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUT / "dashboard.png"), full_page=True)
            page.goto(f"/admin/articles/{article_id}")
            page.screenshot(path=str(OUT / "article.png"), full_page=False)
            browser.close()
        server.should_exit = True
    print(f"wrote {OUT / 'dashboard.png'} and {OUT / 'article.png'}", file=sys.stderr)


if __name__ == "__main__":
    main()
