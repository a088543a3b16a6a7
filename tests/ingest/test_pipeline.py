"""Storing pages: one article per story, raw bytes kept, nothing half-written (both backends)."""

from __future__ import annotations

import gzip
import io
import json
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsarchive import archive
from newsarchive.db.models import Article, ArticleRaw, Source
from newsarchive.fetch.http import Fetcher
from newsarchive.fetch.page import Hint, Page
from newsarchive.ingest.pipeline import Pipeline
from newsarchive.ingest.prepare import Prepared, prepare
from tests.conftest import corpus
from tests.factories import add_source
from tests.pages import LOREM, article_html
from tests.site import NewsSite

NOW = datetime(2025, 2, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def pipeline(sessions: sessionmaker[Session]) -> Pipeline:
    fetcher = Fetcher(user_agent="test", timeout=3, allow_private=True)
    yield Pipeline(sessions, fetcher=fetcher, clock=lambda: NOW)
    fetcher.close()


def count(sessions: sessionmaker[Session], model: type = Article) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def story(n: int) -> str:
    return article_html(f"Story number {n}", paragraphs=[f"Paragraph {n}. " + LOREM, LOREM])


class TestIngestUrl:
    def test_stores_article_with_raw_page_and_host_source(
        self, pipeline: Pipeline, site: NewsSite, sessions: sessionmaker[Session]
    ) -> None:
        url = site.page("/news/1", story(1))
        outcome = pipeline.ingest_url(url)
        assert outcome.status == "stored", outcome
        with sessions() as session:
            article = session.get(Article, outcome.article_id)
            assert article is not None
            assert article.title == "Story number 1"
            assert article.source.name == "127.0.0.1"
            assert article.source.auto_created
            assert article.fetched_at == NOW
            raw = session.get(ArticleRaw, article.id)
            assert raw is not None
            assert zlib.decompress(raw.body) == story(1).encode()
            assert raw.size == len(story(1).encode())

    def test_a_stored_url_asked_again_is_revisited_under_its_stored_address(
        self, pipeline: Pipeline, site: NewsSite, sessions: sessionmaker[Session]
    ) -> None:
        url = site.page("/news/2", story(2))
        first = pipeline.ingest_url(url)
        again = pipeline.ingest_url(url + "?utm_source=newsletter&utm_medium=email#top")
        assert (again.status, again.article_id) == ("unchanged", first.article_id)
        assert len(site.requests_to("/news/2")) == 2  # the stored URL, without the tracking
        update = [f"Paragraph 2. {LOREM}", LOREM, "Update: the ferry is late tonight."]
        site.page("/news/2", article_html("Story number 2", paragraphs=update))
        changed = pipeline.ingest_url(url)
        assert (changed.status, changed.reason) == ("revised", "text")
        assert count(sessions) == 1
        with sessions() as session:
            assert archive.get_article(session, first.article_id or 0).revision_count == 2

    def test_mirror_with_same_canonical_is_a_duplicate(
        self, pipeline: Pipeline, site: NewsSite, sessions: sessionmaker[Session]
    ) -> None:
        canonical = site.url("/news/3")
        site.page("/news/3", article_html("Original", canonical=canonical))
        site.page(
            "/mirror/3",
            article_html(
                "Original", canonical=canonical, paragraphs=["Different words here. " * 12]
            ),
        )
        assert pipeline.ingest_url(canonical).status == "stored"
        assert pipeline.ingest_url(site.url("/mirror/3")).status == "duplicate"
        assert count(sessions) == 1

    def test_same_text_under_another_url_is_a_duplicate(
        self, pipeline: Pipeline, site: NewsSite, sessions: sessionmaker[Session]
    ) -> None:
        site.page("/a/4", story(4))
        site.page("/b/4", story(4).replace("Harbour Times", "Other Paper"))
        assert pipeline.ingest_url(site.url("/a/4")).status == "stored"
        assert pipeline.ingest_url(site.url("/b/4")).status == "duplicate"
        assert count(sessions) == 1

    @pytest.mark.parametrize("home", ["/", "/home", "/index.html", "/?utm_source=rss"])
    def test_home_page_canonical_does_not_merge_articles(
        self, pipeline: Pipeline, site: NewsSite, sessions: sessionmaker[Session], home: str
    ) -> None:
        for n in (5, 6):
            site.page(
                f"/news/{n}",
                article_html(f"Story {n}", canonical=home, paragraphs=[f"{n} " + LOREM]),
            )
            assert pipeline.ingest_url(site.url(f"/news/{n}")).status == "stored"
        assert count(sessions) == 2

    def test_a_wordpress_post_canonical_is_the_articles_own_address(
        self, pipeline: Pipeline, site: NewsSite, sessions: sessionmaker[Session]
    ) -> None:
        """'/?p=2895' names a post, not the home page: two addresses of the post are one."""
        for path, words in (("/2020/02/24/harbour", "First words. "), ("/amp/harbour", "Other. ")):
            html = article_html("Harbour", canonical="/?p=2895", paragraphs=[words * 30])
            site.page(path, html)
        assert pipeline.ingest_url(site.url("/2020/02/24/harbour")).status == "stored"
        assert pipeline.ingest_url(site.url("/amp/harbour")).status == "duplicate"
        with sessions() as session:
            [stored] = archive.list_articles(session, archive.ArticleFilters()).items
        assert stored.url_key == site.url("/?p=2895")

    def test_failures_are_outcomes_and_store_nothing(
        self, pipeline: Pipeline, site: NewsSite, sessions: sessionmaker[Session]
    ) -> None:
        site.page("/doc.pdf", b"%PDF", content_type="application/pdf")
        site.page("/empty", "<html><body><nav>Home</nav></body></html>")
        outcomes = [pipeline.ingest_url(site.url(p)) for p in ("/missing", "/doc.pdf", "/empty")]
        assert [o.status for o in outcomes] == ["failed", "skipped", "skipped"]
        assert outcomes[0].line() == f"failed: {site.url('/missing')}: HTTP 404"
        assert count(sessions) == 0
        assert count(sessions, Source) == 0

    def test_date_fallback_is_first_seen(
        self, pipeline: Pipeline, site: NewsSite, sessions: sessionmaker[Session]
    ) -> None:
        outcome = pipeline.ingest_url(
            site.page("/undated", article_html("Undated", published=None))
        )
        with sessions() as session:
            article = session.get(Article, outcome.article_id)
            assert article is not None
            assert (article.published_at, article.date_source) == (NOW, "first_seen")

    def test_page_date_is_stored_in_utc(
        self, pipeline: Pipeline, site: NewsSite, sessions: sessionmaker[Session]
    ) -> None:
        outcome = pipeline.ingest_url(
            site.page("/dated", article_html(published="2024-03-05T23:30:00-05:00"))
        )
        with sessions() as session:
            article = session.get(Article, outcome.article_id)
            assert article is not None
            assert article.published_at == datetime(2024, 3, 6, 4, 30, tzinfo=UTC)
            assert article.published_at.tzinfo is not None


class TestImport:
    def test_html_file_takes_its_canonical_url(self, pipeline: Pipeline, tmp_path: Path) -> None:
        path = tmp_path / "story.html"
        path.write_text(article_html(canonical="https://harbour.example/news/7"))
        [outcome] = pipeline.import_paths([path])
        assert outcome.status == "stored"

    def test_base_url_is_the_fallback(
        self, pipeline: Pipeline, tmp_path: Path, sessions: sessionmaker[Session]
    ) -> None:
        path = tmp_path / "story 8.html.gz"
        path.write_bytes(gzip.compress(story(8).encode()))
        [outcome] = pipeline.import_paths([path], base_url="https://harbour.example/archive/")
        assert outcome.status == "stored", outcome
        with sessions() as session:
            article = session.get(Article, outcome.article_id)
            assert article is not None
            assert article.url == "https://harbour.example/archive/story%208.html"
            assert article.source.name == "harbour.example"

    def test_no_url_at_all_is_skipped_with_the_fix(
        self, pipeline: Pipeline, tmp_path: Path
    ) -> None:
        path = tmp_path / "story.html"
        path.write_text(story(9))
        [outcome] = pipeline.import_paths([path])
        assert outcome.status == "skipped"
        assert "--base-url" in (outcome.reason or "")

    def test_warc_records_take_their_target_uri(
        self, pipeline: Pipeline, tmp_path: Path, sessions: sessionmaker[Session]
    ) -> None:
        path = _write_warc(
            tmp_path / "crawl.warc.gz",
            [(f"https://harbour.example/news/{n}", story(n).encode(), HTML) for n in (10, 11)]
            + [("https://harbour.example/logo.png", b"\x89PNG", "image/png")],
        )
        outcomes = list(pipeline.import_paths([path]))
        assert [o.status for o in outcomes] == ["stored", "stored"]
        assert [o.label for o in outcomes] == [
            f"https://harbour.example/news/10 in {path}",
            f"https://harbour.example/news/11 in {path}",
        ]
        assert count(sessions) == 2

    def test_a_record_whose_target_uri_is_no_url_is_reported(
        self, pipeline: Pipeline, tmp_path: Path, sessions: sessionmaker[Session]
    ) -> None:
        path = _write_warc(
            tmp_path / "crawl.warc.gz",
            [
                ("http://[bad/news/12", story(12).encode(), HTML),
                ("https://harbour.example/news/13", story(13).encode(), HTML),
            ],
        )
        outcomes = [(o.label, o.status, o.reason) for o in pipeline.import_paths([path])]
        assert outcomes == [
            (
                f"http://[bad/news/12 in {path}",
                "failed",
                "the record's target URI is not an http(s) URL",
            ),
            (f"https://harbour.example/news/13 in {path}", "stored", None),
        ]
        assert count(sessions) == 1

    def test_broken_file_is_reported_and_the_rest_go_on(
        self, pipeline: Pipeline, tmp_path: Path
    ) -> None:
        broken = tmp_path / "broken.warc.gz"
        broken.write_bytes(b"\x1f\x8b\x08\x00garbage that is not gzip")
        good = tmp_path / "good.html"
        good.write_text(article_html(canonical="https://harbour.example/news/12"))
        outcomes = list(pipeline.import_paths([broken, good]))
        assert [o.status for o in outcomes] == ["failed", "stored"]

    @pytest.mark.corpus
    def test_seed_page_imported_twice_is_one_article(
        self, pipeline: Pipeline, sessions: sessionmaker[Session]
    ) -> None:
        page = corpus("seed", "iran-turkey-warn-syria-safe-haven.html")
        first, second = pipeline.import_paths([page, page])
        assert (first.status, second.status) == ("stored", "duplicate")
        assert count(sessions) == 1
        expected = json.loads(corpus("seed", "expected.json").read_text())
        with sessions() as session:
            article = session.get(Article, first.article_id)
            assert article is not None
            assert article.url == expected["url"]
            assert article.source.name == "presswire.example"

    @pytest.mark.corpus
    def test_corpus_warcs_never_crash(self, pipeline: Pipeline) -> None:
        files = sorted(p for p in corpus("warc").iterdir() if p.name != "LICENSE")
        outcomes = list(pipeline.import_paths(files))
        assert {o.status for o in outcomes} <= {"stored", "duplicate", "skipped", "failed"}
        assert any(o.status == "stored" for o in outcomes)
        assert any(o.status == "failed" for o in outcomes)  # the deliberately broken ones


def test_store_never_raises_on_garbage(pipeline: Pipeline, sessions: sessionmaker[Session]) -> None:
    outcome = pipeline.store(
        Page(label="x", body=b"\xff\xfe\x00garbage", url="https://h.example/x")
    )
    assert outcome.status == "skipped"
    assert count(sessions) == 0


def test_an_extraction_bug_is_the_page_s_recorded_failure(
    sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    """An exception that is not an IngestError (a bug in a library or a rule, met on one odd
    page) fails that page with its reason and logs the traceback; the pages after it go on."""

    def buggy(page: Page, now: datetime) -> Prepared:
        if b"odd" in page.body:
            raise KeyError("@graph")
        return prepare(page, now)

    pipeline = Pipeline(sessions, clock=lambda: NOW, extractor=buggy)
    odd = pipeline.store(Page(label="odd", body=b"<p>odd</p>", url="https://h.example/odd"))
    assert (odd.status, odd.reason) == ("failed", "extraction failed (KeyError: '@graph')")
    assert count(sessions) == 0
    assert any(r.exc_info and r.getMessage() == "extraction raised" for r in caplog.records)
    fine = pipeline.store(Page(label="fine", body=story(1).encode(), url="https://h.example/1"))
    assert fine.status == "stored"
    assert pipeline.reextract(fine.article_id or 0).status == "stored"


HTML = "text/html; charset=utf-8"


def _write_warc(path: Path, records: list[tuple[str, bytes, str]]) -> Path:
    """A WARC of (target URI, body, content type) responses, each with its length given (else
    warcio buffers the body in a temporary file it leaves for the GC to close)."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, body, content_type in records:
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], "HTTP/1.1")
            payload = io.BytesIO(body)
            record = writer.create_warc_record(
                url, "response", payload=payload, length=len(body), http_headers=headers
            )
            writer.write_record(record)
    return path


class TestReextract:
    def test_restores_what_the_page_says(
        self, pipeline: Pipeline, site: NewsSite, sessions: sessionmaker[Session]
    ) -> None:
        outcome = pipeline.ingest_url(site.page("/r/1", story(21)))
        with sessions() as session, session.begin():
            article = session.get(Article, outcome.article_id)
            assert article is not None
            article.title, article.text = "broken", "broken text"
        again = pipeline.reextract(outcome.article_id)  # type: ignore[arg-type]
        assert again.status == "stored"
        with sessions() as session:
            article = session.get(Article, outcome.article_id)
            assert article is not None
            assert article.title == "Story number 21"
            assert "Paragraph 21." in article.text

    def test_a_feed_date_is_not_replaced_by_a_url_date(
        self, pipeline: Pipeline, sessions: sessionmaker[Session]
    ) -> None:
        """The README: re-extraction keeps a date from a feed or a sitemap over one in the URL."""
        feed_date = datetime(2024, 3, 4, 8, 15, tzinfo=UTC)
        page = Page(
            label="feed item",
            body=article_html("Dated by the feed", published=None).encode(),
            url="https://news.example.com/2024/03/01/dated-by-the-feed",
            hint=Hint(published=feed_date, date_source="feed"),
        )
        outcome = pipeline.store(page)
        assert outcome.status == "stored"
        assert pipeline.reextract(outcome.article_id).status == "stored"  # type: ignore[arg-type]
        with sessions() as session:
            article = session.get(Article, outcome.article_id)
            assert article is not None
            assert (article.published_at, article.date_source) == (feed_date, "feed")
            assert article.published_day.isoformat() == "2024-03-04"

    def test_a_utc_stamp_is_filed_under_the_day_its_url_names(
        self, pipeline: Pipeline, sessions: sessionmaker[Session]
    ) -> None:
        """#29: nothing says the site's zone; its URL says the 24th, its stamp is the 25th UTC."""
        page = Page(
            label="page",
            body=article_html("Filed by its URL", published="2020-02-25T02:25:54Z").encode(),
            url="https://news.example.com/2020/02/24/filed-by-its-url",
        )
        outcome = pipeline.store(page)
        assert outcome.status == "stored"
        with sessions() as session:
            article = session.get(Article, outcome.article_id)
            assert article is not None
            assert article.published_at == datetime(2020, 2, 25, 2, 25, 54, tzinfo=UTC)
            assert article.published_day.isoformat() == "2020-02-24"
            assert article.published_offset == -180

    def test_cli(
        self, pipeline: Pipeline, site: NewsSite, db_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from click.testing import CliRunner

        from newsarchive.cli import cli

        outcome = pipeline.ingest_url(site.page("/r/2", story(22)))
        monkeypatch.setenv("NEWSARCHIVE_DATABASE_URL", db_url)
        result = CliRunner().invoke(cli, ["reextract", "--all"])
        assert (result.exit_code, result.output) == (
            0,
            f"re-extracted: article {outcome.article_id}\n",
        )
        missing = CliRunner().invoke(cli, ["reextract", "99999"])
        assert missing.exit_code == 1
        assert missing.output == "failed: article 99999: article 99999 not found\n"
        assert CliRunner().invoke(cli, ["reextract"]).exit_code == 2


def test_an_exact_copy_at_another_url_is_counted_as_the_article_s_reach(
    pipeline: Pipeline, site: NewsSite, sessions: sessionmaker[Session]
) -> None:
    first = pipeline.ingest_url(site.page("/news/wire", story(30)))
    copy = pipeline.ingest_url(site.page("/other/wire-copy", story(30)))
    assert (copy.status, copy.reason, copy.article_id) == ("duplicate", "a copy", first.article_id)
    again = pipeline.ingest_url(site.url("/other/wire-copy") + "?utm_source=x")
    assert again.article_id == first.article_id
    assert count(sessions) == 1
    with sessions() as session:
        article = archive.get_article(session, first.article_id or 0)
        assert article.copy_count == 1  # each URL once
        assert [c.url for c in article.copies] == [site.url("/other/wire-copy")]
        assert article.copies[0].source_name == "127.0.0.1"


def test_a_story_s_outlets_count_the_sources_of_its_copies(
    pipeline: Pipeline, sessions: sessionmaker[Session]
) -> None:
    wire = add_source(sessions, "wire")
    paper = add_source(sessions, "paper")
    first = pipeline.store(
        Page(label="a", body=story(31).encode(), url="https://wire.example/a", source_id=wire)
    )
    copy = pipeline.store(
        Page(label="b", body=story(31).encode(), url="https://paper.example/b", source_id=paper)
    )
    assert copy.article_id == first.article_id
    with sessions() as session:
        article = archive.get_article(session, first.article_id or 0)
        assert archive.story_outlets(session, article.story_id or 0) == 2
