"""What each extraction rule adds on each of the corpus's three sets of pages.

    .venv/bin/python benchmarks/extraction_rules.py [--corpus ../shared/corpus/articles] [--jobs N]

Each rule is switched off in turn (its function replaced for the run) and the product is scored
again on the aeb, trafilatura and fundus sets. A rule is kept only where it gains on each set it
touches and loses on none: one fitted to a few pages of one set shows as a gain there and a loss
or nothing elsewhere. Scores as in extraction.py; the rules run in parallel processes (--jobs,
default one per CPU). The last line is one JSON object {rule: {set: {field: points gained}}}.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

from extraction import DEFAULT_CORPUS, FIELDS, load, product, run, score

from newsarchive.extract import article as extract
from newsarchive.extract import (
    authors,
    boilerplate,
    chunks,
    dates,
    headline,
    meta_names,
    metadata,
    scripted,
    titles,
    zones,
)

Page = tuple[str, bytes, dict[str, Any]]
_clean_title = titles.clean_title  # (the rule below calls it without the page's address)


def _dropped_as_written(text: str, title: str | None) -> str:
    """The text without its first line only where that is the title exactly (case aside)."""
    first, _, rest = text.partition("\n")
    return rest if title and " ".join(first.split()).lower() == title.lower() else text


# rule name -> (module, attribute, stand-in that switches the rule off)
RULES: dict[str, tuple[object, str, Callable[..., Any]]] = {
    "date: the page's own zone": (dates, "page_zone", lambda *args: None),
    "date: the zone a byline names after its clock": (zones, "byline_zone", lambda texts: None),
    "date: byline under the headline first": (dates, "visible_days", lambda *args, **kw: []),
    "date: a date inside a sentence is no byline": (dates, "in_a_sentence", lambda *args: False),
    "date: a dateline without a year": (dates, "yearless_day", lambda texts: None),
    "date: a clock before a zone is no year": (dates, "_HHMM_ZONE", re.compile("(?!)")),
    "title and date: screen-reader <h1>s skipped": (headline, "_HIDDEN", re.compile("(?!)")),
    "date: US byline matched to metadata": (dates, "_swapped", lambda day: None),
    "date: a UTC stamp filed under its URL's day": (
        dates,
        "on_url_day",
        lambda published, url_day, zone: (published, zone),
    ),
    "author: bylines under and above the headline": (extract, "byline_names", lambda texts: []),
    "author: people before publishers": (authors, "is_organisation", lambda *args: False),
    "author: links to the writer's page": (metadata, "author_links", lambda tree: []),
    "author: a labelled author far from the headline": (
        metadata,
        "labelled_authors",
        lambda tree: [],
    ),
    "author: a dateline ending in the writer": (authors, "_DATED", re.compile("(?!)")),
    "author: a name before a date ('Jane Doe | 05.04.2025')": (
        authors,
        "_before_a_date",
        lambda text, following: [],
    ),
    "author: the byline above the headline": (
        metadata,
        "texts_before_headline",
        lambda *args, **kw: [],
    ),
    "author: co-authors a later source adds": (
        authors,
        "_with_coauthors",
        lambda people, later: people,
    ),
    "author: acronyms are organisations": (authors, "_ACRONYM", re.compile("(?!)")),
    "author: agencies credited beside the writers": (authors, "_the_site", lambda *args: True),
    "author: degrees after a name are no one": (authors, "_CREDENTIAL", re.compile("(?!)")),
    "author: counts and image credits refused": (authors, "_NOT_A_PERSON", re.compile("(?!)")),
    "author: a first name completed by a later source": (
        authors,
        "_completed",
        lambda people, later: people,
    ),
    "author: a JSON-LD person's full name from its profile": (
        metadata,
        "_full_name",
        lambda person: person,
    ),
    "author: a run-together user name spelled out": (
        authors,
        "_spelled_out",
        lambda people, guess: people,
    ),
    "text: read-also teasers and their lists removed": (
        boilerplate,
        "remove_teasers",
        lambda tree: 0,
    ),
    "text: calls to subscribe or follow removed": (
        boilerplate,
        "remove_calls_to_action",
        lambda tree: 0,
    ),
    "text: share and related-post widgets removed": (boilerplate, "WIDGETS", []),
    "text: a story split into chunks between ads read whole": (
        chunks,
        "holds",
        lambda *args: False,
    ),
    "text: the lead the description repeats kept": (extract, "shown_lead", lambda *args: None),
    "text: the article a Next.js script carries": (scripted, "article_html", lambda html: None),
    "title: the <h1> the declared titles carry": (headline, "headings", lambda tree: []),
    "title: a kicker joined as the declared title joins it": (
        extract,
        "as_declared",
        lambda text, parts, declared: text,
    ),
    "text: the headline's line dropped letter for letter": (
        extract,
        "drop_leading_title",
        lambda text, title: _dropped_as_written(text, title),
    ),
    "title: typographic quotes and dashes folded": (titles, "_TYPOGRAPHY", {}),
    "title: a site name ending <title> is a logo": (titles, "_site_side", lambda *args: False),
    "title: an <h1> naming the host is a logo": (titles, "_names_host", lambda *args: False),
    "title: the printed <h1> telling the same story": (titles, "same_story", lambda *args: False),
    "title: the one <h1> beside a lone <title>": (titles, "only_title_tag", lambda *args: False),
    "title: a site-name guess that is the headline": (
        extract,
        "plausible_site",
        lambda guess, *args: guess,
    ),
    "title: site name removed": (
        titles,
        "clean_title",
        lambda title, site, host=None: " ".join(title.split()) if title else None,
    ),
    "title: the site's address ending a title removed": (
        titles,
        "clean_title",
        lambda title, site, host=None: _clean_title(title, site),
    ),
    "author: Cxense's author tag": (
        extract,
        "AUTHOR_META",
        tuple(key for key in meta_names.AUTHOR_META if key != "cxenseparse:author"),
    ),
    "author: a Korean byline's role after the name": (authors, "_ROLE_KO", re.compile("(?!)")),
    "author: a byline the page's classes mark, far from the headline": (
        metadata,
        "classed_bylines",
        lambda tree: [],
    ),
    "author: the writer signing the story in bold": (
        extract,
        "signed",
        lambda text, in_bold: [],
    ),
}
Sets = dict[str, list[Page]]
Figures = dict[str, dict[str, float]]
_SETS: Sets = {}  # the pages, loaded once before the worker processes fork


def scores() -> Figures:
    figures = {}
    for kind, pages in _SETS.items():
        found, _cpu = run([("product", product)], pages)["product"]
        figures[kind] = score(kind, found, pages)  # (the fields FIELDS lists for the set)
    return figures


def without(rule: str) -> tuple[str, Figures]:
    module, attribute, stand_in = RULES[rule]
    with mock.patch.object(module, attribute, stand_in):
        return rule, scores()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rule", action="append", help="only this rule (repeatable)")
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"skipped: no corpus at {args.corpus} (the team's ../shared/corpus/articles)")
        return
    _SETS.update({kind: load(args.corpus / kind, None) for kind in FIELDS})
    print(", ".join(f"{len(p)} {kind} pages" for kind, p in _SETS.items()))
    full = scores()
    print(f"{'rule':<52} {'set':<12} {'field':<14} {'gain':>6}")
    gains: dict[str, dict[str, Figures]] = {}
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        for rule, off in pool.imap(without, args.rule or list(RULES)):
            gains[rule] = {}
            for kind, figures in full.items():
                for field, value in figures.items():
                    gain = round(100 * (value - off[kind][field]), 1)
                    if gain:
                        gains[rule].setdefault(kind, {})[field] = gain
                        print(f"{rule:<52} {kind:<12} {field:<14} {gain:>+6.1f}", flush=True)
    print(json.dumps(gains))


if __name__ == "__main__":
    main()
