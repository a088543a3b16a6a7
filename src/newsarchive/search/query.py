"""The search language, parsed once into a small tree that each engine renders (pure).

    words            all must match              harbour expansion
    "a phrase"       the words in this order     "city council"
    "word"           this form only              "teachers"
    OR               either side                 harbour OR port
    -word, -"a b"    must not match              harbour -football

A word written bare also matches its other forms (search/forms.py expands it); a quoted word or
phrase matches the forms written. Words are split the way both engines' tokenizers split text (runs of letters and digits), so
"e-mail" is the phrase "e mail", and every token handed on is plain alphanumerics: no user text
ever reaches an engine's query syntax. Anything else in the input is ignored; a query with
nothing left to search, or only excluded words, is refused with a readable reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsarchive.errors import InvalidInput
from newsarchive.stemming import WORD  # the engines' split, one pattern for text and queries

MAX_QUERY_CHARS = 500
MAX_TERMS = 32
_LEXEME = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    """One word, or a phrase of several, lowercased. `exact`: quoted, so only the forms
    written match (a phrase always matches its words as written)."""

    tokens: tuple[str, ...]
    exact: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.tokens) > 1


@dataclass(frozen=True)
class AnyOf:
    """Matches when any of its terms does (a OR b OR c)."""

    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Within:
    """Article filters an engine takes in its own index (Engine.filters_in_index), not by
    reading each match's row: every group of sources is one filter (a source, a collection's
    members), the language, and an author's name."""

    source_groups: tuple[tuple[int, ...], ...] = ()
    language: str | None = None
    author: str | None = None


@dataclass(frozen=True)
class Query:
    must: tuple[Term | AnyOf, ...]
    must_not: tuple[Term, ...] = ()
    within: Within = Within()

    @property
    def has_phrase(self) -> bool:
        """Whether a phrase is searched for or excluded."""
        return any(term.is_phrase for term in self.must_not) or any(
            term.is_phrase
            for clause in self.must
            for term in (clause.terms if isinstance(clause, AnyOf) else (clause,))
        )

    def words(self) -> list[str]:
        """Every positive token, for highlighting."""
        out: list[str] = []
        for clause in self.must:
            for term in clause.terms if isinstance(clause, AnyOf) else (clause,):
                out.extend(term.tokens)
        return out


def tokens(text: str) -> tuple[str, ...]:
    return tuple(t.lower() for t in WORD.findall(text))


def _term(found: tuple[str, ...], quoted: bool) -> Term:
    return Term(found, exact=quoted and len(found) == 1)  # a phrase is never widened


def parse(text: str) -> Query:
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidInput(f"query longer than {MAX_QUERY_CHARS} characters")
    items: list[tuple[str, Term | None]] = []  # ("term", t) | ("neg", t) | ("or", None)
    for match in _LEXEME.finditer(text):
        negated, quoted, bare = match.group(1), match.group(2), match.group(3)
        was_quoted = quoted is not None
        if bare is not None:
            if bare == "OR":
                items.append(("or", None))
                continue
            negated = "-" if bare.startswith("-") and len(bare) > 1 else ""
            quoted = bare[1:] if negated else bare
        found = tokens(quoted or "")
        if found:
            items.append(("neg" if negated else "term", _term(found, was_quoted)))
    must: list[Term | AnyOf] = []
    must_not: list[Term] = []
    pending_or = False
    for kind, term in items:
        if kind == "or":
            pending_or = bool(must)  # a leading or doubled OR is just ignored
            continue
        assert term is not None
        if kind == "neg":
            must_not.append(term)
            pending_or = False
        elif pending_or:
            last = must.pop()
            previous = last.terms if isinstance(last, AnyOf) else (last,)
            must.append(AnyOf((*previous, term)))
            pending_or = False
        else:
            must.append(term)
    if not must:
        if must_not:
            raise InvalidInput("a query needs at least one word that is not excluded with '-'")
        raise InvalidInput("the query has no words to search for")
    count = sum(len(c.terms) if isinstance(c, AnyOf) else 1 for c in must) + len(must_not)
    if count > MAX_TERMS:
        raise InvalidInput(f"a query may have at most {MAX_TERMS} words and phrases")
    return Query(tuple(must), tuple(must_not))
