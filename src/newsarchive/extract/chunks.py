"""An article body that the page splits into chunks of the same markup (pure): Condé Nast's
sites (The New Yorker, Wired) print the story in several `div.body__inner-container` with ads
between them, and text extraction takes the first chunk for the whole body. Where it did, the
page is extracted again with the later chunks' contents moved into the first."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

# A story cut by ads comes in three parts or more; two blocks of one class are as often the
# story and a box written in the same editor (a company profile, a disclaimer).
MIN_CHUNKS = 3
MIN_PARAGRAPHS = 2  # a chunk of the story holds paragraphs, not one caption
MIN_PARAGRAPH_CHARS = 80  # on average: prose, not a list of links or comments' one-liners
MIN_CHUNK_CHARS = 300
_NOT_THE_STORY = re.compile(r"comment|related|teaser|recirc|newsletter|footer|sidebar", re.I)


def body_chunks(tree: HtmlElement) -> list[HtmlElement]:
    """The largest group of same-tag, same-class blocks that each hold prose, none inside
    another, innermost first among groups of the same prose (a chunk's wrappers repeat too)."""
    groups: dict[tuple[str, str], list[HtmlElement]] = {}
    for element in tree.iter("div", "section"):
        name = element.get("class")
        if name:
            groups.setdefault((str(element.tag), name), []).append(element)
    best: list[HtmlElement] = []
    best_chars = 0
    for (_tag, name), members in groups.items():
        if len(members) < MIN_CHUNKS or _NOT_THE_STORY.search(name):
            continue
        sizes = []
        for member in members:  # (most groups fail on their first member: stop there)
            sizes.append(_prose_chars(member))
            if not sizes[-1]:
                break
        if all(sizes) and sum(sizes) >= best_chars and not _nested(members):
            best, best_chars = members, sum(sizes)  # (a later group of equal prose is inside)
    return best


def words(chunk: HtmlElement) -> str:
    """The chunk's text with its spacing folded, kept before extraction prunes the tree."""
    return " ".join(chunk.text_content().split())


def holds(chunk_words: str, text: str) -> bool:
    """Whether extracted `text` came from one chunk alone (given by its `words`): its first and
    last lines of prose are both in it."""
    lines = [line for line in text.split("\n") if len(line) >= 40]
    if not lines:
        return False
    first, last = " ".join(lines[0].split())[:60], " ".join(lines[-1].split())[-60:]
    return first in chunk_words and last in chunk_words


def joined(tree: HtmlElement) -> HtmlElement:
    """The tree with its body chunks' contents moved into the first chunk."""
    chunks = body_chunks(tree)
    for chunk in chunks[1:]:
        for child in list(chunk):
            chunks[0].append(child)  # (lxml moves an element that is appended elsewhere)
        parent = chunk.getparent()
        if parent is not None:
            chunk.tail = None
            parent.remove(chunk)
    return tree


def _prose_chars(element: HtmlElement) -> int:
    """The characters of the element's paragraphs when they read as a chunk of a story, else 0."""
    paragraphs = [len(p.text_content().strip()) for p in element.iter("p")]
    chars = sum(paragraphs)
    if len(paragraphs) < MIN_PARAGRAPHS or chars < MIN_CHUNK_CHARS:
        return 0
    return chars if chars / len(paragraphs) >= MIN_PARAGRAPH_CHARS else 0


def _nested(members: list[HtmlElement]) -> bool:
    inside = set(members)
    return any(a in inside for member in members for a in member.iterancestors())
