"""Synthetic but realistic news pages for the benchmarks: a story of ~500 words with a Zipf-like
vocabulary, inside the navigation, sidebar, comments and footer a real site wraps it in."""

from __future__ import annotations

import random
from html import escape

_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "was",
    "with",
    "he",
    "it",
    "as",
    "at",
    "by",
    "from",
    "his",
    "her",
    "they",
    "have",
    "be",
    "this",
    "are",
    "not",
    "an",
    "but",
    "had",
    "were",
    "which",
    "their",
    "has",
    "been",
    "its",
    "who",
    "will",
    "more",
    "said",
    "year",
    "after",
    "would",
    "there",
    "government",
    "minister",
    "council",
    "police",
    "city",
    "market",
    "people",
    "president",
    "country",
    "court",
    "officials",
    "report",
    "week",
    "company",
    "state",
    "school",
    "health",
    "water",
    "energy",
    "election",
    "party",
    "vote",
    "budget",
    "workers",
    "harbour",
    "bridge",
    "river",
    "storm",
    "flood",
    "fire",
    "bank",
    "prices",
    "rates",
    "trade",
    "union",
    "strike",
    "museum",
    "festival",
    "football",
    "season",
    "coach",
    "player",
    "league",
    "final",
    "match",
    "goal",
    "stadium",
    "team",
    "fans",
    "record",
    "injury",
    "scientists",
    "study",
    "climate",
    "ocean",
    "forest",
    "species",
    "research",
    "university",
    "hospital",
    "patients",
    "doctors",
    "vaccine",
    "virus",
    "data",
    "privacy",
    "software",
    "network",
    "internet",
    "phone",
    "platform",
    "users",
    "court",
    "judge",
    "trial",
    "lawyer",
    "appeal",
    "sentence",
    "prison",
    "border",
    "migrants",
    "treaty",
    "summit",
    "talks",
    "ceasefire",
]


def vocabulary(size: int = 5000, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    extra = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 10)))
        for _ in range(size)
    ]
    return _WORDS + extra


def zipf_words(rng: random.Random, vocab: list[str], n: int) -> list[str]:
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]
    return rng.choices(vocab, weights=weights, k=n)


def _teaser(rng: random.Random, vocab: list[str], k: int) -> str:
    words = " ".join(zipf_words(rng, vocab, 24))
    return (
        f'<div class="card"><div class="card-inner"><a href="/news/{k}"><img src="/img/{k}.jpg" '
        f'alt="" width="300" height="200"></a><div class="card-text"><h3><a href="/news/{k}">'
        f"{escape(words[:60])}</a></h3><p>{escape(words)}</p></div></div></div>"
    )


# Writers' names as real bylines have them ("Reporter 3" read as the label "Reporter" and a number
# and sent every page down the slow fallback of trafilatura's byline search).
WRITERS = [
    f"{first} {last}"
    for first in ("Ana", "Bo", "Claire", "Dmitri", "Emeka", "Fatima")
    for last in ("Ruiz", "Lindqvist", "Okafor")
]


def article_page(i: int, rng: random.Random, vocab: list[str], base: str) -> str:
    """About 120 KB, like the median page of the corpus: most of it is not the story."""
    words = zipf_words(rng, vocab, 520)
    title = " ".join(words[:8]).capitalize()
    paragraphs = []
    for start in range(8, len(words), 60):
        chunk = words[start : start + 60]
        paragraphs.append(" ".join(chunk).capitalize() + ".")
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    nav = "".join(
        f'<li class="menu-item"><a class="menu-link" href="/section/{w}/{k}">{w.title()}</a></li>'
        for k, w in enumerate(vocab[40:200])
    )
    cards = "".join(_teaser(rng, vocab, i + k) for k in range(1, 25))
    comments = "".join(
        f'<li class="comment"><span class="who">reader{k}</span><p>{escape(" ".join(zipf_words(rng, vocab, 40)))}</p></li>'
        for k in range(12)
    )
    tracking = "var cfg = " + repr({f"k{k}": "x" * 40 for k in range(400)}) + ";"
    footer = "".join(f'<li><a href="/info/{k}">{vocab[300 + k]}</a></li>' for k in range(120))
    day = 1 + i % 28
    writer = WRITERS[i % len(WRITERS)]
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{escape(title)} | Benchmark Herald</title>
<meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="Benchmark Herald">
<meta property="article:published_time" content="2024-03-{day:02d}T09:{i % 60:02d}:00+00:00">
<meta name="author" content="{writer}">
<meta property="article:section" content="{vocab[40 + i % 20].title()}">
<meta property="article:tag" content="{vocab[60 + i % 30]}"><meta property="article:tag" content="{vocab[90 + i % 30]}">
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "{escape(title)}",
"datePublished": "2024-03-{day:02d}T09:{i % 60:02d}:00+00:00", "author": {{"@type": "Person", "name": "{writer}"}},
"publisher": {{"@type": "Organization", "name": "Benchmark Herald"}}}}</script>
<link rel="canonical" href="{base}/news/{i}">
<script>{tracking}</script>
<style>body{{font-family:serif}}.ad{{height:250px}}.card{{display:inline-block}}</style></head>
<body><div id="page"><div class="wrap"><header class="site-header"><a class="logo" href="/">Benchmark Herald</a>
<nav class="main-menu"><ul>{nav}</ul></nav><form action="/search"><input name="q"></form></header>
<div class="ticker">Breaking: markets open higher · Subscribe to our newsletter</div>
<main><div class="layout"><div class="col-main"><article class="story"><h1>{escape(title)}</h1>
<p class="byline">By {writer}</p><div class="share">Share: <a href="#">Facebook</a> <a href="#">X</a></div>
<div class="body">{body}</div><div class="tags">Tags: <a href="/t/a">Alpha</a> <a href="/t/b">Beta</a></div></article>
<section class="related"><h2>More stories</h2>{cards}</section>
<section class="comments"><h3>Comments</h3><ul>{comments}</ul></section></div>
<aside class="col-side"><h3>Most read</h3>{cards[: len(cards) // 3]}<div class="ad">Advertisement</div></aside></div></main>
<footer><ul>{footer}</ul><p>© 2024 Benchmark Herald. All rights reserved.</p></footer></div></div>
</body></html>"""
