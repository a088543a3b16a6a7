"""Stories at ingest, on both stores: copies of one article across sources share a story
whatever the edit (headline, boilerplate, a paragraph removed or reworded, the site's name);
different articles on the same topic from the same site do not; short texts stand alone; a
copy outside the window is another story; re-extraction and deletion keep groups right; two
crawl workers storing copies at once group them (PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.db.models import Article
from newsarchive.db.session import session_scope
from newsarchive.ingest.pipeline import Pipeline
from newsarchive.stories.grouping import group
from newsarchive.stories.rebuild import rebuild
from newsarchive.stories.signatures import signature
from tests.crawl.test_crawl_workers import crawl_process
from tests.factories import add_source
from tests.pages import article_html, story_paragraphs
from tests.site import NewsSite

ORIGINAL = story_paragraphs(seed=7)
BOILERPLATE = "This article is part of our series on the coast's working harbours."


def credited(paragraphs: list[str], who: str) -> list[str]:
    """A copy as a site runs it: with its own credit line (an identical text is refused as an
    exact duplicate before grouping, so every copy differs at least by this)."""
    return [*paragraphs, f"Additional reporting by {who}."]


def edits() -> dict[str, dict[str, object]]:
    """Each kind of edit a syndicated copy gets, as article_html arguments."""
    reworded = [*ORIGINAL]
    reworded[2] = " ".join(reversed(reworded[2].split()))  # one paragraph of five rewritten
    return {
        "another headline": {"title": "Harbour deal sealed", "paragraphs": credited(ORIGINAL, "B")},
        "boilerplate": {"paragraphs": [*ORIGINAL, BOILERPLATE]},
        "a paragraph removed": {"paragraphs": ORIGINAL[:3] + ORIGINAL[4:]},
        "a paragraph reworded": {"paragraphs": reworded},
        "another site name": {"site_name": "Coast Courier", "paragraphs": credited(ORIGINAL, "C")},
    }


@pytest.fixture
def store(site: NewsSite, sessions: sessionmaker[Session]) -> Callable[..., int]:
    """Store a page built from article_html(**kw) under `path`, fetched from the local site."""
    pipeline = Pipeline(sessions)

    def stored(path: str, **kw: object) -> int:
        kw.setdefault("title", "Harbour expansion approved")
        html = article_html(**kw)  # type: ignore[arg-type]
        page_url = site.page(path, html)
        outcome = pipeline.import_paths(
            [write(path, html)], base_url=page_url.rsplit("/", 1)[0] + "/"
        )
        [result] = list(outcome)
        assert result.article_id is not None, result
        return result.article_id

    def write(path: str, html: str) -> Path:
        target = Path.cwd() / (path.strip("/").replace("/", "-") + ".html")
        target.write_text(html)
        return target

    return stored


def story_of(sessions: sessionmaker[Session], article_id: int) -> int:
    with sessions() as session:
        story = archive.get_article(session, article_id).story_id
    assert story is not None
    return story


@pytest.mark.parametrize("edit", list(edits()))
def test_an_edited_copy_joins_the_story(
    store: Callable[..., int], sessions: sessionmaker[Session], edit: str
) -> None:
    first = store("/a/original", paragraphs=ORIGINAL)
    copy = store("/b/copy", **edits()[edit])
    assert story_of(sessions, first) == first
    assert story_of(sessions, copy) == first
    with sessions() as session:
        assert archive.get_article(session, copy).story_size == 2


def test_different_articles_on_one_topic_from_one_site_stay_apart(
    store: Callable[..., int], sessions: sessionmaker[Session]
) -> None:
    ids = [store(f"/a/{seed}", paragraphs=story_paragraphs(seed)) for seed in range(6)]
    assert [story_of(sessions, i) for i in ids] == ids


def test_short_texts_are_not_grouped_on_text_alone(
    store: Callable[..., int], sessions: sessionmaker[Session]
) -> None:
    brief = ["The ferry is late today because of the storm, the harbour office said."]
    one, two = (
        store("/a/brief", paragraphs=brief),
        store("/b/brief", paragraphs=brief, title="Late"),
    )
    assert (story_of(sessions, one), story_of(sessions, two)) == (one, two)


def test_a_copy_outside_the_window_is_another_story(
    store: Callable[..., int], sessions: sessionmaker[Session]
) -> None:
    first = store("/a/original", paragraphs=ORIGINAL, published="2024-03-05T09:30:00+00:00")
    late = store(
        "/b/late", paragraphs=ORIGINAL, title="Again", published="2024-03-20T09:30:00+00:00"
    )
    near = store(
        "/c/near", paragraphs=ORIGINAL, title="Near", published="2024-03-11T09:30:00+00:00"
    )
    assert [story_of(sessions, i) for i in (first, late, near)] == [first, late, first]


def test_reextraction_and_deletion_keep_groups_right(
    store: Callable[..., int], sessions: sessionmaker[Session]
) -> None:
    first = store("/a/original", paragraphs=ORIGINAL)
    copy = store("/b/copy", paragraphs=credited(ORIGINAL, "B"), title="Copy")
    third = store("/c/copy", paragraphs=credited(ORIGINAL, "C"), title="Third")
    assert Pipeline(sessions).reextract(copy).status == "stored"
    assert story_of(sessions, copy) == first
    with session_scope(sessions) as session:
        archive.delete_article(session, first)
    with sessions() as session:
        members = archive.story_members(session, first)  # the story keeps its id
        assert [a.id for a in members] == [copy, third]
        assert [a.story_size for a in members] == [2, 2]
        assert session.scalars(select(Article.id).where(Article.story_id == copy)).all() == []


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_workers_storing_copies_at_once_group_them(
    db_url: str, site: NewsSite, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    links = []
    for i in range(8):
        paragraphs = credited(ORIGINAL if i % 2 else ORIGINAL[1:], f"desk {i}")
        html = article_html(f"Harbour story, version {i}", paragraphs=paragraphs)
        links.append(site.slow(f"/copy/{i}", 0.2, html))
    add_source(sessions, "wire", feeds=[site.feed("/feed.rss", links)])
    workers = [crawl_process(db_url, tmp_path, NEWSARCHIVE_CONCURRENCY="4") for _ in range(2)]
    outputs = [w.communicate(timeout=120)[0].decode() for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    with sessions() as session:
        stories = set(session.scalars(select(Article.story_id)))
        stored = session.scalars(select(Article.id)).all()
    assert len(stored) == 8
    assert len(stories) == 1, stories


def test_rebuild_regroups_an_archive_stored_without_stories(
    store: Callable[..., int], sessions: sessionmaker[Session]
) -> None:
    """What a bulk load leaves (every article its own story) is grouped by a rebuild, as the
    crawl would have grouped it, with the same story ids."""
    first = store("/a/original", paragraphs=ORIGINAL)
    copies = [store(f"/{n}/copy", paragraphs=credited(ORIGINAL, n)) for n in "bcd"]
    other = store("/e/other", paragraphs=story_paragraphs(seed=99))
    with sessions() as session:
        as_stored = {a.id: a.story_id for a in session.scalars(select(Article))}
    with session_scope(sessions) as session:
        archive.ungroup_all(session)
    result = rebuild(sessions, workers=1)
    with sessions() as session:
        regrouped = {a.id: a.story_id for a in session.scalars(select(Article))}
    assert regrouped == as_stored == {first: first, **dict.fromkeys(copies, first), other: other}
    assert (result.articles, result.stories, result.in_stories) == (5, 1, 4)


def test_a_story_spans_the_window_from_its_first_day(
    store: Callable[..., int], sessions: sessionmaker[Session]
) -> None:
    """Copies a week apart each would chain a daily template into one endless story: the
    window counts from the story's first article."""
    first = store("/a/one", paragraphs=ORIGINAL, published="2024-03-01T09:00:00+00:00")
    second = store(
        "/b/two", paragraphs=credited(ORIGINAL, "B"), published="2024-03-07T09:00:00+00:00"
    )
    third = store(
        "/c/three", paragraphs=credited(ORIGINAL, "C"), published="2024-03-13T09:00:00+00:00"
    )
    assert [story_of(sessions, i) for i in (first, second, third)] == [first, first, third]


def test_a_first_article_that_leaves_hands_its_story_on(
    store: Callable[..., int], sessions: sessionmaker[Session]
) -> None:
    """Its page was rewritten into another story: its copies stay together, under the id of
    the earliest of them."""
    first = store("/a/original", paragraphs=ORIGINAL)
    copies = [store(f"/{n}/copy", paragraphs=credited(ORIGINAL, n)) for n in "bc"]
    other_text = story_paragraphs(seed=42)
    other = store("/d/other", paragraphs=other_text)
    rewritten = signature("\n".join(credited(other_text, "rewrite")))
    with session_scope(sessions) as session:
        day = archive.get_article(session, first).published_day
        assert group(session, first, rewritten, day) == other
    assert [story_of(sessions, i) for i in (first, *copies, other)] == [
        other, copies[0], copies[0], other,
    ]  # fmt: skip
