"""Search on both engines, with articles whose text and dates the tests choose."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive
from newsarchive.db.models import Article
from newsarchive.db.session import session_scope
from newsarchive.errors import InvalidInput
from newsarchive.search import SearchParams, run_search
from newsarchive.search.service import matches_per_day
from tests.factories import add_article

DAY = datetime(2024, 5, 1, 12, tzinfo=UTC)


def titles(sessions: sessionmaker[Session], q: str, **kwargs: object) -> list[str]:
    with sessions() as session:
        page = run_search(session, SearchParams(q=q, **kwargs))  # type: ignore[arg-type]
        return [hit.article.title for hit in page.hits]


@pytest.fixture
def corpus(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    add_article(
        sessions, "Harbour expansion approved", "The city council voted to expand the harbour.", DAY
    )
    add_article(
        sessions,
        "Port strike ends",
        "Dock workers at the port return after the strike.",
        DAY + timedelta(days=1),
        source="beta",
    )
    add_article(
        sessions,
        "Council budget",
        "The council of the city passed a budget for schools.",
        DAY + timedelta(days=2),
        language="de",
    )
    add_article(
        sessions,
        "Football final",
        "The harbour team won the football final at the stadium.",
        DAY + timedelta(days=3),
        authors=["Ana Ruiz"],
    )
    add_article(
        sessions,
        "Café in Zürich",
        "A new café opened near the lake in Zürich.",
        DAY + timedelta(days=4),
        source="beta",
        authors=["Bo Li", "Ana Ruiz"],
    )
    return sessions


class TestSyntax:
    def test_all_words_must_match(self, corpus: sessionmaker[Session]) -> None:
        assert titles(corpus, "council city", sort="oldest") == [
            "Harbour expansion approved",
            "Council budget",
        ]

    def test_phrase_needs_the_words_in_order(self, corpus: sessionmaker[Session]) -> None:
        assert titles(corpus, '"city council"') == ["Harbour expansion approved"]

    def test_or(self, corpus: sessionmaker[Session]) -> None:
        assert set(titles(corpus, "strike OR stadium")) == {"Port strike ends", "Football final"}

    def test_exclusion(self, corpus: sessionmaker[Session]) -> None:
        assert titles(corpus, "harbour -football") == ["Harbour expansion approved"]

    def test_excluded_phrase(self, corpus: sessionmaker[Session]) -> None:
        assert titles(corpus, 'council -"for schools"') == ["Harbour expansion approved"]

    def test_case_and_diacritics_do_not_matter(self, corpus: sessionmaker[Session]) -> None:
        assert titles(corpus, "ZURICH cafe") == ["Café in Zürich"]
        assert titles(corpus, "zürich") == ["Café in Zürich"]

    def test_no_match_is_an_empty_page(self, corpus: sessionmaker[Session]) -> None:
        with corpus() as session:
            page = run_search(session, SearchParams(q="submarine"))
        assert (page.total, page.hits, page.next_cursor) == (0, [], None)

    def test_title_outranks_body(self, sessions: sessionmaker[Session]) -> None:
        add_article(
            sessions, "Weather report", "Rain in the lighthouse district today and tomorrow."
        )
        add_article(sessions, "Lighthouse restored", "The old tower shines again over the bay.")
        assert titles(sessions, "lighthouse")[0] == "Lighthouse restored"


class TestFilters:
    def test_source(self, corpus: sessionmaker[Session]) -> None:
        assert titles(corpus, "the", source="beta", sort="oldest") == [
            "Port strike ends",
            "Café in Zürich",
        ]

    def test_language(self, corpus: sessionmaker[Session]) -> None:
        assert titles(corpus, "council", lang="de") == ["Council budget"]

    def test_author(self, corpus: sessionmaker[Session]) -> None:
        assert titles(corpus, "the", author="ana ruiz", sort="oldest") == [
            "Football final",
            "Café in Zürich",
        ]

    def test_author_is_the_whole_name_in_any_case(self, corpus: sessionmaker[Session]) -> None:
        add_article(
            corpus, "Feria", "The harbour fair.", authors=["José Núñez", "Ana", "Al-Aziz O'Neil"]
        )
        assert titles(corpus, "harbour", author="al-aziz o'neil") == ["Feria"]
        assert titles(corpus, "harbour", author="Al Aziz O Neil") == []
        assert titles(corpus, "harbour", author="JOSÉ NÚÑEZ") == ["Feria"]
        assert titles(corpus, "harbour", author="Ana") == ["Feria"]
        assert titles(corpus, "harbour", author="Ruiz") == []
        assert titles(corpus, "harbour", author="Ruiz Ana") == []
        assert titles(corpus, "harbour", author="Jose Nunez") == []  # the name as written
        assert titles(corpus, "neil") == []  # (an author's name is not the text's)

    def test_collection(self, corpus: sessionmaker[Session]) -> None:
        with session_scope(corpus) as session:
            beta = archive.get_source_by_name(session, "beta")
            archive.add_to_collections(beta, ["docks"])
        assert titles(corpus, "the", collection="docks", sort="oldest") == [
            "Port strike ends",
            "Café in Zürich",
        ]
        assert titles(corpus, "the", collection="docks", source="alpha") == []
        assert titles(corpus, "the", collection="nowhere") == []
        assert titles(corpus, "the", source="nobody") == []

    def test_filters_follow_an_article_that_changes_source_language_or_authors(
        self, corpus: sessionmaker[Session]
    ) -> None:
        with session_scope(corpus) as session:
            moved = session.scalars(select(Article).where(Article.title == "Football final")).one()
            moved.source_id = archive.get_source_by_name(session, "beta").id
            moved.language = "fr"
            moved.authors = ["Bo Li"]
        assert titles(corpus, "harbour", author="Ana Ruiz") == []
        assert titles(corpus, "harbour", author="Bo Li") == ["Football final"]
        assert titles(corpus, "harbour", source="alpha") == ["Harbour expansion approved"]
        assert titles(corpus, "harbour", source="beta") == ["Football final"]
        assert titles(corpus, "harbour", lang="en") == ["Harbour expansion approved"]
        assert titles(corpus, "harbour", lang="FR") == ["Football final"]
        with session_scope(corpus) as session:
            session.delete(session.get(Article, moved.id))
        assert titles(corpus, "harbour", source="beta") == []
        assert titles(corpus, "harbour", lang="fr") == []

    def test_filters_and_words_never_match_each_other(self, corpus: sessionmaker[Session]) -> None:
        """Where the index holds each article's source, language and authors as tokens
        (SQLite), a text that writes such a token passes no filter, and a search for one
        finds only the texts that write it."""
        with corpus() as session:
            beta = archive.get_source_by_name(session, "beta").id
        author = "zza" + b"bo li".hex()
        tokens = f"zzs{beta} zzl{b'de'.hex()} zzs zzl {author}"
        add_article(corpus, "Tokens", f"The council wrote {tokens} here.")
        assert titles(corpus, f"zzs{beta}") == ["Tokens"]
        assert titles(corpus, author) == ["Tokens"]
        assert titles(corpus, "council", source="beta") == []
        assert titles(corpus, "council", lang="de") == ["Council budget"]
        assert titles(corpus, "council", author="Bo Li") == []

    def test_date_range_is_inclusive(self, corpus: sessionmaker[Session]) -> None:
        found = titles(
            corpus, "the", date_from=date(2024, 5, 2), date_to=date(2024, 5, 3), sort="oldest"
        )
        assert found == ["Port strike ends", "Council budget"]

    def test_backwards_range_is_refused(self, corpus: sessionmaker[Session]) -> None:
        with pytest.raises(InvalidInput, match="after"):
            titles(corpus, "the", date_from=date(2024, 5, 3), date_to=date(2024, 5, 1))


class TestSortAndPaging:
    def test_newest_and_oldest(self, corpus: sessionmaker[Session]) -> None:
        newest = titles(corpus, "the", sort="newest")
        assert newest == list(reversed(titles(corpus, "the", sort="oldest")))
        assert newest[0] == "Café in Zürich"

    @pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
    def test_cursor_never_repeats_or_skips(
        self, sessions: sessionmaker[Session], sort: str
    ) -> None:
        for i in range(23):
            # Ties on purpose: same instant for pairs, and near-identical texts for equal scores.
            add_article(
                sessions,
                f"Tide table {i}",
                "tide " * (1 + i % 3) + "water",
                DAY + timedelta(hours=i // 2),
            )
        seen: list[int] = []
        cursor = None
        with sessions() as session:
            while True:
                page = run_search(
                    session,
                    SearchParams(q="tide", sort=sort, limit=4, cursor=cursor),
                )  # type: ignore[arg-type]
                assert page.total == 23
                seen += [hit.article.id for hit in page.hits]
                cursor = page.next_cursor
                if cursor is None:
                    break
        assert len(seen) == len(set(seen)) == 23
        if sort != "relevance":
            with sessions() as session:
                page = run_search(session, SearchParams(q="tide", sort=sort, limit=100))  # type: ignore[arg-type]
            assert seen == [hit.article.id for hit in page.hits]

    def test_cursor_of_another_sort_is_refused(self, corpus: sessionmaker[Session]) -> None:
        with corpus() as session:
            page = run_search(session, SearchParams(q="the", limit=1))
            with pytest.raises(InvalidInput, match="cursor"):
                run_search(
                    session,
                    SearchParams(q="the", sort="newest", cursor=page.next_cursor),
                )


class TestFacetsAndSnippets:
    def test_facets_count_the_whole_result_set(self, corpus: sessionmaker[Session]) -> None:
        with corpus() as session:
            page = run_search(session, SearchParams(q="the", limit=1))
        assert page.total == 5
        assert page.facets["sources"] == [
            {"name": "alpha", "count": 3},
            {"name": "beta", "count": 2},
        ]
        assert {"language": "de", "count": 1} in page.facets["languages"]
        assert page.facets["days"][0] == {"date": "2024-05-05", "count": 1}
        assert sum(d["count"] for d in page.facets["days"]) == 5

    def test_snippet_marks_hits_and_escapes_the_rest(self, sessions: sessionmaker[Session]) -> None:
        add_article(
            sessions,
            "Markup",
            'Fees rose 2 < 3 at the harbour & AT&T <script>alert("x")</script> bay',
        )
        with sessions() as session:
            [hit] = run_search(session, SearchParams(q="harbour")).hits
        assert "<mark>harbour</mark>" in hit.snippet
        assert "2 &lt; 3" in hit.snippet
        assert "&amp;" in hit.snippet
        unmarked = hit.snippet.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in unmarked  # a stored <script> is dropped or escaped, never markup
        assert ">" not in unmarked

    def test_each_hit_has_the_passage_of_its_own_article(
        self, sessions: sessionmaker[Session]
    ) -> None:
        places = ["quay", "lighthouse", "ferry", "marina", "dock", "pier"]
        for i, place in enumerate(places):
            add_article(
                sessions,
                f"Report {i}",
                f"The storm damaged the {place} overnight.",
                DAY + timedelta(days=i, hours=i),
            )
        with sessions() as session:
            hits = run_search(session, SearchParams(q="storm", sort="newest")).hits
        assert len(hits) == len(places)
        for hit in hits:
            assert places[int(hit.article.title.split()[-1])] in hit.snippet


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=120) | st.text(alphabet="\"-() ORANDNOT*^:+~\\'", max_size=40))
def test_any_input_gives_results_or_a_readable_refusal(
    corpus: sessionmaker[Session], text: str
) -> None:
    for sort in ("relevance", "newest"):
        try:
            with corpus() as session:
                page = run_search(session, SearchParams(q=text, sort=sort, limit=3))  # type: ignore[arg-type]
        except InvalidInput as exc:
            refusal = exc.detail
        else:
            refusal = None
            assert page.total >= len(page.hits)
        if refusal is not None:
            assert refusal
            assert "\n" not in refusal


@pytest.mark.parametrize("backend", ["postgresql"])
def test_postgresql_plans_every_search_afresh(
    sessions: sessionmaker[Session], backend: str
) -> None:
    """No server-side prepared statements: PostgreSQL could reuse a generic plan made for a
    rare word (sort every match) for a word in most articles (walk the date index instead)."""
    add_article(sessions, "Harbour", "harbour news")
    with sessions() as session:
        for _ in range(8):
            run_search(session, SearchParams(q="harbour"))
        prepared = session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
    assert prepared == 0


def test_an_edited_article_is_found_by_its_new_words_and_day_and_a_deleted_one_not_at_all(
    sessions: sessionmaker[Session],
) -> None:
    """What the search reads follows every write of the article (on PostgreSQL a trigger keeps
    its own copy of the words, day and source: migration 0018)."""
    kept = add_article(sessions, "Harbour news", "The harbour opened a new quay.", DAY)
    gone = add_article(sessions, "Harbour strike", "Dock workers at the harbour strike.", DAY)
    with session_scope(sessions) as session:
        article = session.get(Article, kept)
        assert article is not None
        article.title, article.text = "Lighthouse news", "The lighthouse was painted white."
    with session_scope(sessions) as session:
        session.delete(session.get(Article, gone))
    assert titles(sessions, "harbour") == []
    assert titles(sessions, "lighthouse") == ["Lighthouse news"]
    later = DAY + timedelta(days=3)
    with session_scope(sessions) as session:  # a new day, the words as they were
        article = session.get(Article, kept)
        assert article is not None
        article.published_at, article.published_day = later, later.date()
    assert titles(sessions, "lighthouse", date_from=DAY.date(), date_to=DAY.date()) == []
    assert titles(sessions, "lighthouse", date_from=later.date()) == ["Lighthouse news"]
    with sessions() as session:
        per_day = matches_per_day(session, SearchParams(q="lighthouse"))
        assert per_day == {later.date(): 1}
        page = run_search(session, SearchParams(q="white"), facets=True)
        assert page.facets["days"] == [{"date": later.date().isoformat(), "count": 1}]
    with session_scope(sessions) as session:  # what the filters read, the words as they were
        article = session.get(Article, kept)
        assert article is not None
        article.language, article.authors = "de", ["Ana Ruiz"]
    assert titles(sessions, "lighthouse", lang="en") == []
    assert titles(sessions, "lighthouse", lang="de") == ["Lighthouse news"]
    assert titles(sessions, "lighthouse", author="ana ruiz") == ["Lighthouse news"]


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgresql_search_settings_end_with_the_search(sessions: sessionmaker[Session]) -> None:
    """The planner settings a search runs with (a row's cost, one process, the bitmap's memory)
    are the server's own again for the transaction's next statement."""
    add_article(sessions, "Harbour", "harbour news")
    names = ("cpu_tuple_cost", "max_parallel_workers_per_gather", "work_mem", "enable_seqscan")
    with sessions() as session:
        before = [session.scalar(text(f"SHOW {name}")) for name in names]
        assert run_search(session, SearchParams(q="harbour", lang="en")).total == 1
        assert matches_per_day(session, SearchParams(q="harbour"))
        after = [session.scalar(text(f"SHOW {name}")) for name in names]
    assert after == before
