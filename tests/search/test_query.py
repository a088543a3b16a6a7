from dataclasses import replace

import pytest

from newsarchive.errors import InvalidInput
from newsarchive.search.fts5 import to_fts5
from newsarchive.search.postgres_tsquery import to_tsquery
from newsarchive.search.query import AnyOf, Query, Term, Within, parse


def t(*tokens: str) -> Term:
    return Term(tokens)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("harbour", Query((t("harbour"),))),
        ("Harbour  EXPANSION", Query((t("harbour"), t("expansion")))),
        ('"city council" vote', Query((t("city", "council"), t("vote")))),
        ("harbour OR port", Query((AnyOf((t("harbour"), t("port"))),))),
        ("a OR b OR c d", Query((AnyOf((t("a"), t("b"), t("c"))), t("d")))),
        ("harbour -football", Query((t("harbour"),), (t("football"),))),
        ('harbour -"premier league"', Query((t("harbour"),), (t("premier", "league"),))),
        ("e-mail", Query((t("e", "mail"),))),
        ('"unclosed phrase', Query((t("unclosed", "phrase"),))),
        ("or and not", Query((t("or"), t("and"), t("not")))),  # lowercase: plain words
        ("OR harbour OR", Query((t("harbour"),))),
        ("Zürich", Query((t("zürich"),))),
        ("x AND y", Query((t("x"), t("and"), t("y")))),
        ("title:secret NEAR(a b)", Query((t("title", "secret"), t("near", "a"), t("b")))),
    ],
)
def test_parse(text: str, expected: Query) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no words"),
        ("   ", "no words"),
        ('"" () *', "no words"),
        ("-harbour", "not excluded"),
        ("x" * 501, "longer than"),
        (" ".join(f"w{i}" for i in range(40)), "at most 32"),
    ],
)
def test_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse(text)


def test_fts5_rendering_quotes_every_token() -> None:
    rendered = to_fts5(parse('harbour OR port "city council" -football'))
    assert rendered == '(("harbour" OR "port") AND "city council") NOT ("football")'


def test_fts5_rendering_keeps_words_and_filters_in_their_own_columns() -> None:
    """The words match title and text only; the filters match the tag tokens only, so a
    user who types a tag token ("zzs7") finds it in no filter, and an article that writes it
    passes none."""
    query = replace(parse("zzs7 port"), within=Within(((7,), (3, 9)), "pt-br", "ANA"))
    assert to_fts5(query) == (
        '({title text} : "zzs7" AND "port") AND {search_tags} : (zzs7)'
        " AND {search_tags} : (zzs3 OR zzs9) AND {search_tags} : (zzl70742d6272)"
        " AND {search_tags} : (zza616e61)"
    )


def test_tsquery_rendering_binds_every_token() -> None:
    from sqlalchemy.dialects import postgresql

    compiled = to_tsquery(parse("harbour OR port -x")).compile(dialect=postgresql.dialect())
    sql = str(compiled)
    assert "harbour" not in sql  # values travel as bound parameters
    assert set(compiled.params.values()) == {"harbour", "port", "x"}
