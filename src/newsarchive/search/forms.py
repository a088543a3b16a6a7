"""A query's bare words widened to every form of them the archive holds, in each language it
holds (`lang=` narrows to one): "teacher" becomes teacher OR teachers, by the stems that the
articles' own languages give (stemming.py, archive/forms.py). Quoted words and phrases stay
as written. Both engines then match plain words, so they agree on what a query finds, snippets
mark the forms that matched, and an exact search stays possible."""

from __future__ import annotations

from sqlalchemy import Connection

from newsarchive import archive, stemming
from newsarchive.search.query import AnyOf, Query, Term

MAX_FORMS = 24  # forms one query word stands for, the shortest first
MAX_WIDENED = 256  # terms of a whole widened query: past it, later words keep fewer forms


def expand(connection: Connection, query: Query, lang: str | None = None) -> Query:
    """The query with each bare word replaced by all its forms (the word itself first)."""
    if not any(_bare(term) for term in _terms(query)):
        return query  # nothing to widen: no lookup at all
    held = [h for h in archive.languages_held(connection) if h in stemming.SNOWBALL]
    if lang is not None:
        narrowed = stemming.language_of(lang)
        languages = tuple(language for language in held if language == narrowed)
    else:
        languages = tuple(held)
    known: dict[str, tuple[str, ...]] = {}
    budget = [MAX_WIDENED]

    def forms(term: Term) -> tuple[Term, ...]:
        if not _bare(term) or not languages:
            return (term,)
        word = term.tokens[0]
        if word not in known:
            keys = [(language, stemming.stem(word, language)) for language in languages]
            limit = max(0, min(MAX_FORMS, budget[0]))
            found = archive.forms_of(connection, keys, limit) if limit else []
            known[word] = (word, *(f for f in found if f != word))
            budget[0] -= len(known[word])
        return tuple(Term((form,), exact=True) for form in known[word])

    must: list[Term | AnyOf] = []
    for clause in query.must:
        terms = clause.terms if isinstance(clause, AnyOf) else (clause,)
        widened = tuple(t for term in terms for t in forms(term))
        must.append(widened[0] if len(widened) == 1 else AnyOf(widened))
    must_not = tuple(t for term in query.must_not for t in forms(term))
    return Query(tuple(must), must_not)


def _bare(term: Term) -> bool:
    """A word written without quotes: it stands for all its forms."""
    return not term.exact and not term.is_phrase


def _terms(query: Query) -> list[Term]:
    terms = [t for c in query.must for t in (c.terms if isinstance(c, AnyOf) else (c,))]
    return [*terms, *query.must_not]
