"""The forms of words the archive holds, by language: what lets a search for one form of a
word find the others (stemming.py makes the keys; search/forms.py expands queries with it)."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from newsarchive.db.base import Base


class WordForm(Base):
    """A word as some article of this language writes it, under its stem in that language.
    Rows are only added: a form no article holds any more matches nothing."""

    __tablename__ = "word_forms"

    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    stem: Mapped[str] = mapped_column(Text, primary_key=True)
    form: Mapped[str] = mapped_column(Text, primary_key=True)
