"""Which time zone a page lives in when its dates do not say: the zone of the country its domain
or html lang names, of a language spoken in one zone, or of a zone name it prints (pure)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta, timezone, tzinfo
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

# Countries with one time zone, by top-level domain (also the region of an html lang="de-AT").
COUNTRY_ZONES = {
    "de": "Europe/Berlin",
    "at": "Europe/Vienna",
    "ch": "Europe/Zurich",
    "li": "Europe/Vaduz",
    "fr": "Europe/Paris",
    "be": "Europe/Brussels",
    "lu": "Europe/Luxembourg",
    "nl": "Europe/Amsterdam",
    "it": "Europe/Rome",
    "es": "Europe/Madrid",
    "pt": "Europe/Lisbon",
    "uk": "Europe/London",
    "gb": "Europe/London",
    "ie": "Europe/Dublin",
    "dk": "Europe/Copenhagen",
    "se": "Europe/Stockholm",
    "no": "Europe/Oslo",
    "fi": "Europe/Helsinki",
    "pl": "Europe/Warsaw",
    "cz": "Europe/Prague",
    "sk": "Europe/Bratislava",
    "hu": "Europe/Budapest",
    "si": "Europe/Ljubljana",
    "hr": "Europe/Zagreb",
    "ro": "Europe/Bucharest",
    "gr": "Europe/Athens",
    "bg": "Europe/Sofia",
    "ee": "Europe/Tallinn",
    "lv": "Europe/Riga",
    "lt": "Europe/Vilnius",
    "ua": "Europe/Kyiv",
    "tr": "Europe/Istanbul",
    "il": "Asia/Jerusalem",
    "in": "Asia/Kolkata",
    "jp": "Asia/Tokyo",
    "kr": "Asia/Seoul",
    "cn": "Asia/Shanghai",
    "tw": "Asia/Taipei",
    "hk": "Asia/Hong_Kong",
    "sg": "Asia/Singapore",
    "za": "Africa/Johannesburg",
    "nz": "Pacific/Auckland",
    "co": "America/Bogota",
    "pe": "America/Lima",
    "bo": "America/La_Paz",
    "ve": "America/Caracas",
    "uy": "America/Montevideo",
    "py": "America/Asuncion",
    "cl": "America/Santiago",
    "ar": "America/Argentina/Buenos_Aires",
}
# Languages spoken (almost) only in one zone; English, Spanish and the like say nothing.
LANGUAGE_ZONES = {
    "de": "Europe/Berlin",
    "fr": "Europe/Paris",
    "it": "Europe/Rome",
    "nl": "Europe/Amsterdam",
    "pl": "Europe/Warsaw",
    "cs": "Europe/Prague",
    "sk": "Europe/Bratislava",
    "hu": "Europe/Budapest",
    "fi": "Europe/Helsinki",
    "sv": "Europe/Stockholm",
    "da": "Europe/Copenhagen",
    "nb": "Europe/Oslo",
    "no": "Europe/Oslo",
    "el": "Europe/Athens",
    "tr": "Europe/Istanbul",
    "he": "Asia/Jerusalem",
    "ja": "Asia/Tokyo",
    "ko": "Asia/Seoul",
    "uk": "Europe/Kyiv",
}
ZONE_NAMES = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "BST": 1,
    "IST": 5.5,
    "CET": 1,
    "CEST": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "JST": 9,
    "KST": 9,
    "AEST": 10,
    "AEDT": 11,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
}


def abbreviated(name: str | None, offset: int | None) -> tzinfo | None:
    """Offsets of the zone names news sites print; unknown names count as UTC (no warning)."""
    if offset is not None:
        return timezone(timedelta(seconds=offset))
    hours = ZONE_NAMES.get((name or "").upper())
    return timezone(timedelta(hours=hours)) if hours is not None else None


# A clock time and the zone it is in, as bylines print them ("11:26 pm EST", "12.42 CET"); not
# "Z", which ends an ISO stamp in any zone's site
_NAMED = "|".join(sorted((name for name in ZONE_NAMES if name != "Z"), key=len, reverse=True))
_CLOCK_IN_ZONE = re.compile(rf"\b\d{{1,2}}[:.h]\d{{2}}\s*(?:[aApP]\.?[mM]\.?)?\s*\(?({_NAMED})\b")
BYLINE_CHARS = 80


def byline_zone(texts: Sequence[str]) -> tzinfo | None:
    """The zone a byline under the headline names after its clock time ("11:26 pm EST,
    Tuesday, November 19, 2019"): the zone the site writes its times in. `texts`: the first
    texts under the headline, as many as the caller reads a dateline from."""
    for text in texts:
        found = _CLOCK_IN_ZONE.search(text) if len(text) <= BYLINE_CHARS else None
        if found:
            return abbreviated(found[1], None)
    return None


def locale_zone(url: str | None, lang: str | None) -> tzinfo | None:
    """The zone of the country the page's domain or its html lang="xx-CC" names; else, on a
    .com-like domain, of a language spoken in one zone."""
    country, language, region = locale(url, lang)
    name = COUNTRY_ZONES.get(country) or COUNTRY_ZONES.get(region[:2])
    if name is None and not (len(country) == 2 or len(region) == 2):
        # the language says where only when no country does: French on a .ca site or in
        # lang="fr-CA" is not Paris time
        name = LANGUAGE_ZONES.get(language)
    return ZoneInfo(name) if name else None


def month_first(url: str | None, lang: str | None) -> bool:
    """Whether the page writes 11/08/23 for November 8: a US page by its lang or its domain."""
    country, _language, region = locale(url, lang)
    return region == "us" or country in ("us", "gov", "edu")


def locale(url: str | None, lang: str | None) -> tuple[str, str, str]:
    """(top-level domain, language, region): 'https://x.example.at/', 'de-AT' ->
    ('at', 'de', 'at')."""
    host = (urlsplit(url).hostname or "") if url else ""
    language, _, region = (lang or "").lower().replace("_", "-").partition("-")
    return host.rpartition(".")[2], language, region
