"""What each extraction rule adds, measured on two disjoint halves of the corpus.

    .venv/bin/python benchmarks/extraction_rules.py [--corpus ../shared/corpus/articles]

Each rule is switched off in turn (its function replaced for the run) and the product is scored
again on the trafilatura set, split into the pages with even and with odd positions. A rule
that was fitted to a few pages helps on one half and not the other; a general rule gains on
both. Scores as in extraction.py; the last line is one JSON object {rule: {field: [gain on
half A, gain on half B]}}.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

from extraction import DEFAULT_CORPUS, load, product, run, score

from newsarchive.extract import article as extract
from newsarchive.extract import authors, boilerplate, dates, metadata, titles

Page = tuple[str, bytes, dict[str, Any]]

# rule name -> (module, attribute, stand-in that switches the rule off)
RULES: dict[str, tuple[object, str, Callable[..., Any]]] = {
    "date: the page's own zone": (dates, "page_zone", lambda *args: None),
    "date: byline under the headline first": (dates, "visible_days", lambda *args, **kw: []),
    "date: a dateline without a year": (dates, "yearless_day", lambda texts: None),
    "date: a clock before a zone is no year": (dates, "_HHMM_ZONE", re.compile("(?!)")),
    "title and date: screen-reader <h1>s skipped": (metadata, "_HIDDEN", re.compile("(?!)")),
    "date: US byline matched to metadata": (dates, "_swapped", lambda day: None),
    "author: bylines under and above the headline": (extract, "byline_names", lambda texts: []),
    "author: people before publishers": (authors, "is_organisation", lambda *args: False),
    "author: links to the writer's page": (metadata, "author_links", lambda tree: []),
    "author: a labelled author far from the headline": (
        metadata,
        "labelled_authors",
        lambda tree: [],
    ),
    "author: a dateline ending in the writer": (authors, "_DATED", re.compile("(?!)")),
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
    "text: the lead the description repeats kept": (extract, "shown_lead", lambda *args: None),
    "title: the <h1> the declared titles carry": (metadata, "headings", lambda tree: []),
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
        lambda title, site: " ".join(title.split()) if title else None,
    ),
}
FIELDS = ("title", "date_strict", "author", "snippet_pages")


def halves_score(pages: list[Page]) -> tuple[dict[str, float], dict[str, float]]:
    results, _rate = run(product, pages)
    return score(results, results, [], pages[0::2]), score(results, results, [], pages[1::2])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"skipped: no corpus at {args.corpus} (the team's ../shared/corpus/articles)")
        return
    pages = load(args.corpus / "trafilatura", None)
    full_a, full_b = halves_score(pages)
    print(f"{len(pages)} pages; half A (even) and half B (odd), gain in points of accuracy")
    print(f"{'rule':<48} {'field':<13} {'A':>6} {'B':>6}")
    gains: dict[str, dict[str, list[float]]] = {}
    for rule, (module, attribute, stand_in) in RULES.items():
        with mock.patch.object(module, attribute, stand_in):
            off_a, off_b = halves_score(pages)
        gains[rule] = {}
        for field in FIELDS:
            gain = [round(100 * (full_a[field] - off_a[field]), 1)]
            gain.append(round(100 * (full_b[field] - off_b[field]), 1))
            if gain != [0.0, 0.0]:
                gains[rule][field] = gain
                print(f"{rule:<48} {field:<13} {gain[0]:>+6.1f} {gain[1]:>+6.1f}")
    print(json.dumps(gains))


if __name__ == "__main__":
    main()
