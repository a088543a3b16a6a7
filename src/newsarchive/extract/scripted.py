"""The article's HTML where a page carries it only in a script (pure): a Next.js page of the app
router sends its server-rendered content as `self.__next_f.push([1, "…"])` strings, and a long
HTML string in it is a text row (`24:T1b7b,<div>…`: the row's id, T, its length in bytes in hex,
the text). Read only when the page's own markup holds no article text."""

from __future__ import annotations

import json
import re

_PUSH = re.compile(r'self\.__next_f\.push\(\[1,\s*("(?:[^"\\]|\\.)*")\]\)', re.DOTALL)
_TEXT_ROW = re.compile(rb"(?:^|\n)[0-9a-f]+:T([0-9a-f]{1,8}),")
_PARAGRAPH = re.compile(r"<p[\s>]", re.IGNORECASE)
MIN_PARAGRAPHS = 3  # an article, not a caption or a teaser


def article_html(html: str) -> str | None:
    """The longest text row of the page's Next.js payload with MIN_PARAGRAPHS paragraphs or
    more, as a page of its own; None where there is none."""
    if "self.__next_f" not in html:
        return None
    payload = "".join(_decoded(m.group(1)) for m in _PUSH.finditer(html)).encode()
    best = ""
    for row in _TEXT_ROW.finditer(payload):
        text = payload[row.end() : row.end() + int(row.group(1), 16)]
        value = text.decode(errors="ignore")
        if len(_PARAGRAPH.findall(value)) >= MIN_PARAGRAPHS and len(value) > len(best):
            best = value
    return f"<html><body><article>{best}</article></body></html>" if best else None


def _decoded(literal: str) -> str:
    try:
        value = json.loads(literal)
    except ValueError:
        return ""
    return value if isinstance(value, str) else ""
