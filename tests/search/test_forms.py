"""A word finds all its forms, by each article's language, on both stores; a quoted word finds
the form written; -word excludes every form; snippets mark the forms that matched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from newsarchive import archive, stemming
from newsarchive.db.models import WordForm
from newsarchive.db.session import session_scope
from newsarchive.search import SearchParams, run_search
from tests.factories import add_article

DAY = datetime(2024, 5, 1, 12, tzinfo=UTC)


def titles(sessions: sessionmaker[Session], q: str, **kwargs: object) -> set[str]:
    with sessions() as session:
        page = run_search(session, SearchParams(q=q, **kwargs))  # type: ignore[arg-type]
        return {hit.article.title or "" for hit in page.hits}


@pytest.fixture
def languages(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    stories = [
        ("Teachers strike for pay", "Thousands of teachers walked out on Monday.", "en"),
        ("A teacher retires", "After forty years the teacher said goodbye.", "en"),
        ("Lehrerinnen streiken", "Die Lehrerinnen der Stadt legten die Arbeit nieder.", "de"),
        ("Huelga de profesores", "Los profesores exigen mejores salarios.", "es"),
        ("Les enseignants en grève", "Les enseignants réclament des moyens.", "fr"),
        ("Kafe haberleri", "Bu bir deneme yazısıdır.", None),
    ]
    for n, (title, text, language) in enumerate(stories):
        add_article(sessions, title, text, DAY + timedelta(hours=n), language=language)
    return sessions


def test_a_word_finds_its_other_forms_in_every_language(
    languages: sessionmaker[Session],
) -> None:
    assert titles(languages, "teacher") == {"Teachers strike for pay", "A teacher retires"}
    assert titles(languages, "teachers") == {"Teachers strike for pay", "A teacher retires"}
    assert titles(languages, "lehrerin") == {"Lehrerinnen streiken"}
    assert titles(languages, "profesor") == {"Huelga de profesores"}
    assert titles(languages, "enseignant") == {"Les enseignants en grève"}
    assert titles(languages, "greve") == {"Les enseignants en grève"}  # accents as in search


def test_a_quoted_word_finds_only_the_form_written(languages: sessionmaker[Session]) -> None:
    assert titles(languages, '"teacher"') == {"A teacher retires"}
    assert titles(languages, '"teachers"') == {"Teachers strike for pay"}
    assert titles(languages, '"teachers strike"') == {"Teachers strike for pay"}


def test_excluding_a_word_excludes_all_its_forms(languages: sessionmaker[Session]) -> None:
    assert titles(languages, "strike OR retires -teacher") == set()
    assert titles(languages, "teacher -strikes") == {"A teacher retires"}


def test_or_and_phrases_keep_working(languages: sessionmaker[Session]) -> None:
    assert titles(languages, "lehrerin OR profesor") == {
        "Lehrerinnen streiken",
        "Huelga de profesores",
    }
    assert titles(languages, '"walked out" teacher') == {"Teachers strike for pay"}


def test_lang_narrows_the_forms_to_that_language(languages: sessionmaker[Session]) -> None:
    assert titles(languages, "teacher", lang="en") == {
        "Teachers strike for pay",
        "A teacher retires",
    }
    assert titles(languages, "teacher", lang="de") == set()


def test_a_language_without_a_stemmer_matches_words_as_written(
    languages: sessionmaker[Session],
) -> None:
    assert titles(languages, "haberleri") == {"Kafe haberleri"}
    assert titles(languages, "haber") == set()


def test_snippets_mark_the_forms_that_matched(languages: sessionmaker[Session]) -> None:
    with languages() as session:
        page = run_search(session, SearchParams(q="teacher walk", sort="newest"))
    [hit] = page.hits
    assert "<mark>teachers</mark>" in hit.snippet.lower()
    assert "<mark>walked</mark>" in hit.snippet.lower()


def test_a_title_match_ranks_above_a_mention(sessions: sessionmaker[Session]) -> None:
    add_article(sessions, "Budget news", "The harbour authority published its budget.", DAY)
    add_article(sessions, "Harbour reopens", "The port opened its gates again.", DAY)
    assert next(iter(titles(sessions, "harbours", limit=1))) == "Harbour reopens"


def test_a_changed_text_adds_its_new_forms(sessions: sessionmaker[Session]) -> None:
    article_id = add_article(sessions, "Markets", "Prices rose.", DAY)
    assert titles(sessions, "inflationary") == set()
    with session_scope(sessions) as session:
        values = {"text": "Prices rose: inflation worries grew.", "title": "Markets"}
        archive.update_article(session, article_id, values, archive.DayRule())
    assert titles(sessions, "inflationary") == set()  # another stem: not a form of inflation
    assert titles(sessions, "inflations") == {"Markets"}


def test_rebuilding_the_forms_finds_what_an_older_archive_holds(
    languages: sessionmaker[Session],
) -> None:
    """An archive from before forms were kept (migration 0012 fills it the same way)."""
    with session_scope(languages) as session:
        session.execute(delete(WordForm))
    assert titles(languages, "lehrerin") == set()
    with session_scope(languages) as session:
        assert archive.rebuild_forms(session.connection()) == 6
    assert titles(languages, "lehrerin") == {"Lehrerinnen streiken"}


@pytest.mark.parametrize(
    ("language", "word", "other"),
    [("en", "reviews", "review"), ("de", "Häfen", "hafen"), ("es", "huelgas", "huelga")],
)
def test_two_forms_share_a_key(language: str, word: str, other: str) -> None:
    assert stemming.stem(word.lower(), language) == stemming.stem(other, language)
    assert stemming.language_of(f"{language}-XX") == language
    assert stemming.forms("xx", ["words"]) == set()
