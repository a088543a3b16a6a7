"""Turn page bytes into text: BOM, then the HTTP header's charset, then the page's own
declaration, then UTF-8, then statistical detection (pure). Bytes that are valid UTF-8 beyond
ASCII win over a declared single-byte charset: such a declaration is a template's mistake (real
Latin-1 text is almost never valid UTF-8), and sniffing browsers read them as UTF-8 too."""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

from charset_normalizer import from_bytes

# (no quantifier can take what the next one takes, and a tag ends at the next "<": runs of
# spaces or unclosed <meta openings cost linear time, not the cube of their length)
_META_CHARSET = re.compile(rb"""<meta[^<>]*?charset\s*=[\s"']*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# What browsers do (WHATWG Encoding): these labels really mean windows-1252.
_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}


@lru_cache(maxsize=64)
def _single_byte(codec: str) -> bool:
    """cp1252, latin-1, koi8-r, windows-1251...: one character a byte, every byte text."""
    high = bytes(range(0x80, 0x100))
    try:
        return len(high.decode(codec, errors="replace")) == len(high) and codec != "utf-8"
    except LookupError:
        return False


def _is_utf8_beyond_ascii(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charset(body: bytes) -> str | None:
    """The charset a <meta> in the first few KB declares, if it names a known codec."""
    match = _META_CHARSET.search(body[:4096])
    return _codec(match.group(1).decode("ascii", "ignore")) if match else None


def decode(body: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """Return (text, codec used). Never raises: the last resort replaces undecodable bytes."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body.decode(codec, errors="replace"), codec
    candidates = [c for c in (_codec(header_charset), declared_charset(body)) if c] + ["utf-8"]
    if _single_byte(candidates[0]) and _is_utf8_beyond_ascii(body):
        return body.decode("utf-8"), "utf-8"
    for codec in candidates:
        try:
            return body.decode(codec), codec
        except (UnicodeDecodeError, LookupError):
            continue
    best = from_bytes(body[:200_000]).best()
    guessed = (_codec(best.encoding) if best is not None else None) or "cp1252"
    return body.decode(guessed, errors="replace"), guessed
