"""Article pages the tests build themselves, so core behaviour never depends on the corpus."""

from __future__ import annotations

import json
import random
from html import escape

LOREM = (
    "The city council voted on Tuesday to expand the harbour, after months of debate about the "
    "cost of dredging and the effect on the fishing fleet that has worked these waters for "
    "generations. Supporters said the project would bring jobs and larger ships to the port."
)


def article_html(
    title: str = "Harbour expansion approved",
    *,
    paragraphs: list[str] | None = None,
    site_name: str | None = "Harbour Times",
    lang: str | None = "en",
    charset_meta: str | None = "utf-8",
    published: str | None = "2024-03-05T09:30:00+01:00",
    canonical: str | None = None,
    json_ld: dict | None = None,
    authors_meta: str | None = None,
    extra_head: str = "",
    title_tag: str | None = None,
) -> str:
    """A realistic article page: navigation, sidebar and footer around the story."""
    paragraphs = paragraphs if paragraphs is not None else [LOREM, LOREM.replace("city", "town")]
    head = [f'<meta charset="{charset_meta}">' if charset_meta else ""]
    head.append(
        f"<title>{escape(title_tag or title)}{' | ' + escape(site_name) if site_name else ''}</title>"
    )
    head.append(f'<meta property="og:title" content="{escape(title)}">')
    if site_name:
        head.append(f'<meta property="og:site_name" content="{escape(site_name)}">')
    if published:
        head.append(f'<meta property="article:published_time" content="{published}">')
    if canonical:
        head.append(f'<link rel="canonical" href="{escape(canonical)}">')
    if authors_meta:
        head.append(f'<meta name="author" content="{escape(authors_meta)}">')
    if json_ld is not None:
        head.append(f'<script type="application/ld+json">{json.dumps(json_ld)}</script>')
    head.append(extra_head)
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    lang_attr = f' lang="{lang}"' if lang else ""
    return f"""<!DOCTYPE html>
<html{lang_attr}><head>{"".join(head)}</head>
<body>
<header><nav><a href="/">Home</a> <a href="/local">Local</a> <a href="/sport">Sport</a></nav></header>
<main><article><h1>{escape(title)}</h1>
{body}
</article>
<aside><h3>Most read</h3><ul><li><a href="/a">Another story entirely</a></li></ul></aside></main>
<footer><p>Copyright Harbour Times. All rights reserved.</p></footer>
</body></html>"""


def under_headline(html: str, fragment: str) -> str:
    """The page with `fragment` right after its <h1>: where bylines and datelines sit."""
    return html.replace("</h1>", f"</h1>\n{fragment}", 1)


_TOPIC = [
    "harbour",
    "ferry",
    "council",
    "port",
    "crews",
    "pier",
    "berth",
    "customs",
    "dredging",
    "fleet",
    "fishing",
    "quay",
    "ships",
    "island",
    "tide",
    "storm",
    "mayor",
    "budget",
    "plan",
    "vote",
    "residents",
    "market",
    "season",
    "summer",
    "winter",
    "crossing",
    "captain",
    "cargo",
    "timetable",
    "engineers",
    "bridge",
    "repairs",
    "ticket",
    "prices",
    "passengers",
    "harbourmaster",
    "coast",
    "guard",
    "lighthouse",
    "boatyard",
    "ferries",
    "route",
    "schedule",
    "delay",
    "union",
    "strike",
    "wages",
    "contract",
]
_GLUE = [
    "the",
    "a",
    "of",
    "to",
    "and",
    "in",
    "on",
    "for",
    "with",
    "after",
    "before",
    "said",
    "that",
    "would",
    "could",
    "will",
    "by",
]


def story_paragraphs(seed: int, paragraphs: int = 5, sentences: int = 4) -> list[str]:
    """Paragraphs of a made-up article on the harbour: articles of different seeds share a
    topic and its words, not their sentences (what two different stories of one site do)."""
    rng = random.Random(seed)
    out = []
    for _ in range(paragraphs):
        said = []
        for _ in range(sentences):
            words = [rng.choice(_TOPIC if rng.random() < 0.6 else _GLUE) for _ in range(12)]
            said.append(" ".join(words).capitalize() + ".")
        out.append(" ".join(said))
    return out
