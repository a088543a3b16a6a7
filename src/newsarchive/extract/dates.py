"""Publication dates (pure): parsing what pages write, the page's own time zone, and which of a
page's dates is its publication date.

A news archive is organised by day, and the day depends on the zone: "2022-11-06T23:00:00Z" on a
German site is the 7th there. So every date is read in the zone the page writes its dates in,
and the chosen date is returned in that zone (storage converts it to UTC).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Literal

from dateutil import parser as dateparser
from htmldate.extractors import try_date_expr

from newsarchive.extract import zones

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
DATELINE_TEXTS = 10  # the dateline is among the first texts under the headline
DATELINE_MAX_CHARS = 60
_YEAR_OR_MONTH = re.compile(r"^\d{4}(?:-\d{1,2})?$")
_DOTTED_DATE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{2,4}\b")
_SLASHED = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b")
_SPACED_DOTS = re.compile(r"\b(\d{1,2})\.\s+(\d{1,2})\.\s+(\d{4})\b")
_NUMERIC_DATE = re.compile(r"^\d{1,2}[/-]\d{1,2}[/-]\d{2,4}\b")  # 01-11-2023, 10/05/2022
# A clock time written as four digits before a zone ('Updated 2010 GMT (0410 HKT)'), which
# date readers take for a year.
_HHMM_ZONE = re.compile(r"\(?\b\d{4}\s+(?:GMT|UTC|[A-Z]{1,3}[SD]?T)\b\)?")
# A dateline without a year: '30.11. | Buch der Woche', '[06月24日 11時30分]'.
_YEARLESS = re.compile(r"^\[?(?:(\d{1,2})\.(\d{1,2})\.(?!\d)|(\d{1,2})月(\d{1,2})日)")
# A clock time as bylines and timestamps write it: 10:39, 10:39:05, 10h39 (French), 3:05 pm.
_CLOCK = re.compile(
    r"(?<![\d:])(\d{1,2})(?::|h(?=\d))(\d{2})(?::(\d{2}))?(?![\d:])\s*([ap]\.?m\.?)?", re.IGNORECASE
)
Precision = Literal["day", "minute", "second"]


@dataclass(frozen=True)
class Published:
    at: datetime  # in the page's own zone; midnight there when precision is "day"
    source: str  # "page" or "url"
    raw: str  # what the page wrote
    precision: Precision = "second"  # "day": the page gave no time, and none is invented
    # A clock time the page wrote without an offset, on a page whose zone nothing says: `at`
    # carries it as UTC for want of better; storage reads it in the archive's fallback zone.
    wall: bool = False


def precision_of(raw: str) -> Precision:
    """How precise a written date is: a day unless it carries a clock time."""
    match = _CLOCK.search(raw)
    if match is None:
        return "day"
    return "second" if match[3] else "minute"


def clock_time(text: str) -> time | None:
    """The first clock time in a byline ('5. November 2021, 10:39 Uhr', '3:05 pm ET')."""
    for match in _CLOCK.finditer(text):
        hour, minute = int(match[1]), int(match[2])
        suffix = (match[4] or "").replace(".", "").lower()
        if suffix == "pm" and hour < 12:
            hour += 12
        elif suffix == "am" and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            return time(hour, minute)
    return None


def stored_date(
    at: datetime, precision: Precision, zone: tzinfo | None
) -> tuple[datetime, int | None]:
    """(the UTC instant to store, the site's UTC offset in minutes or None when unknown).

    A day-precise date is its own calendar day wherever it is read: it is stored as midnight of
    that day in the site's zone (UTC when unknown) with that offset, so its archive day never
    moves. A precise instant in an unknown zone gets no offset: the archive's zone decides."""
    if precision == "day":
        local = datetime.combine(at.date(), time(), zone or UTC)
    elif zone is not None:
        local = at.astimezone(zone)
    else:
        return at.astimezone(UTC), None
    offset = local.utcoffset() or timedelta(0)
    return local.astimezone(UTC), int(offset.total_seconds() // 60)


def parse_date(
    raw: str, now: datetime, zone: tzinfo | None = None, *, month_first: bool = False
) -> datetime | None:
    """An aware datetime in `zone` (UTC when None), or None for text that is not a plausible
    publication date. A value without an offset is read as local time in `zone`; numeric dates
    such as 01-11-2023 are day first unless `month_first` (a US page)."""
    value = _parse(raw, month_first=month_first)
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone or UTC)
    if not _plausible(value, now):
        return None
    return value.astimezone(zone or UTC)


def _plausible(value: datetime, now: datetime) -> bool:
    return EARLIEST <= value <= now + timedelta(days=1)


def _parse(raw: str, *, month_first: bool = False) -> datetime | None:
    raw = raw.strip()
    if not raw or len(raw) > 64 or _YEAR_OR_MONTH.match(raw):
        return None  # a year or a month alone does not say which day
    try:
        if _DOTTED_DATE.match(raw):  # 10.12.2022: day first, as everywhere dots are used
            return dateparser.parse(raw, dayfirst=True, tzinfos=zones.abbreviated)
        if _NUMERIC_DATE.match(raw):  # dateutil reads these month first, as only the US does
            return dateparser.parse(raw, dayfirst=not month_first, tzinfos=zones.abbreviated)
        try:
            return dateparser.isoparse(raw)
        except ValueError:
            return dateparser.parse(raw, tzinfos=zones.abbreviated)
    except (ValueError, OverflowError, dateparser.ParserError):
        return None


def page_zone(
    raw_dates: Iterable[str], url: str | None, lang: str | None, byline: Sequence[str] = ()
) -> tzinfo | None:
    """The zone the page lives in: the first offset other than UTC that its own dates carry
    (many sites write UTC in one place and local time in another); else the zone its byline
    names after a clock time ("11:26 pm EST"); else the zone of the country its domain or its
    html lang="xx-CC" names; else, on a .com-like domain, of a language spoken in one zone."""
    for raw in raw_dates:
        value = _parse(raw)
        offset = value.utcoffset() if value is not None else None
        if offset:
            return timezone(offset)
    return zones.byline_zone(byline[:DATELINE_TEXTS]) or zones.locale_zone(url, lang)


def visible_days(
    texts: Sequence[str], now: datetime, *, month_first: bool = False
) -> list[tuple[date, str]]:
    """Every date written in the short texts among the first ten under the headline, such as
    a byline ('04.02.2022 | 15:33 Uhr', 'Updated May 6, 2019'), in any language htmldate
    knows, each with the text it came from, in page order. Longer texts are prose, whose dates
    are about something else. Slashed dates are day first (htmldate's reading) unless
    `month_first` (a US page) or only month first makes sense ('12/25/2023')."""
    latest = now.replace(tzinfo=None) + timedelta(days=1)
    found = []
    for index, text in enumerate(texts[:DATELINE_TEXTS]):
        if len(text) > DATELINE_MAX_CHARS or in_a_sentence(texts, index):
            continue
        spaced = _SPACED_DOTS.sub(r"\1.\2.\3", text)  # "4. 2. 2022", as German typesetting has it
        spaced = _SLASHED.sub(lambda m: _month_first(m, month_first), spaced)
        spaced = _HHMM_ZONE.sub(" ", spaced)
        day = try_date_expr(spaced, "%Y-%m-%d", False, EARLIEST.replace(tzinfo=None), latest)
        if day:
            found.append((date.fromisoformat(day), text))
    return found


def in_a_sentence(texts: Sequence[str], index: int) -> bool:
    """Whether texts[index] is inline in prose that markup split around it ("Über dieses Thema
    berichtet: BR24 Radio am", "14.04.2026 um 17:50 Uhr", "."): the text before runs on into it
    and the sentence ends after it. A dateline stands on its own."""
    before = texts[index - 1] if index > 0 else ""
    after = texts[index + 1] if index + 1 < len(texts) else ""
    runs_on = len(before.split()) >= 3 and before[-1:].isalpha() and before[-1:].islower()
    return runs_on and (after[:1] in (".", ",", ";") or after[:1].islower())


def yearless_day(texts: Sequence[str]) -> tuple[int, int, str] | None:
    """(month, day, text) of a dateline that gives no year ('30.11. | Buch der Woche')."""
    for text in texts[:DATELINE_TEXTS]:
        match = _YEARLESS.match(text) if len(text) <= DATELINE_MAX_CHARS else None
        if match:
            if match[1]:
                return int(match[2]), int(match[1]), text
            return int(match[3]), int(match[4]), text
    return None


def _month_first(match: re.Match[str], month_first: bool) -> str:
    first, second, year = int(match[1]), int(match[2]), match[3]
    if first > 12 or not (month_first or second > 12):
        return match[0]  # day first, as htmldate reads it
    full_year = int(year) + (2000 if len(year) == 2 else 0)
    return f"{full_year:04d}-{first:02d}-{second:02d}"


@dataclass(frozen=True)
class Candidates:
    """What a page says about its dates, gathered by extract.py for choose_published."""

    visible: list[tuple[date, str]]  # the dateline's dates, in page order
    published: list[str]  # JSON-LD datePublished, meta tags, <time>, in that order
    modified: list[str]  # JSON-LD dateModified, modified meta tags
    yearless: tuple[int, int, str] | None = None
    month_first: bool = False


def choose_published(
    page: Candidates,
    guess: Callable[[], str | None],
    url_day: tuple[int, int, int] | None,
    zone: tzinfo | None,
    now: datetime,
) -> Published | None:
    """The date a reader sees next to the headline first: where it and the page's metadata
    disagree, the visible one is right about three times in four (republished and updated
    stories keep an old datePublished; some sites stamp meta tags when the page is rendered).
    Of several dateline dates, the one the best-ranked metadata date confirms, with that
    date's time; else the first. Then JSON-LD, meta tags and <time> in the order given; then
    the modified date; then a dateline without a year, in the year htmldate or the URL gives;
    then htmldate; then the URL."""
    parsed = _parsed(page.published, now, zone, page.month_first)
    modified = _parsed(page.modified, now, zone, page.month_first)
    shown = page.visible
    if shown and parsed and modified:  # nothing is published after its last change:
        last = max(value for value, _raw in parsed + modified).date()
        shown = [(day, text) for day, text in shown if day <= last]  # a later one is an event
    if shown:
        for value, raw in parsed:  # the same day with a time and zone: keep the precise one
            if any(value.date() in (day, _swapped(day)) for day, _text in shown):
                return Published(value, "page", raw, precision_of(raw), _wall(raw, zone))
        day, text = shown[0]
        clock = clock_time(text)  # '5. November 2021, 10:39 Uhr': keep the time it gives
        if clock is not None:
            at = datetime.combine(day, clock, zone or UTC)
            return Published(at, "page", text, "minute", wall=zone is None)
        return Published(datetime.combine(day, time(), zone or UTC), "page", text, "day")
    for value, raw in parsed or modified:
        return Published(value, "page", raw, precision_of(raw), _wall(raw, zone))
    guessed = guess()  # htmldate answers with a day: YYYY-MM-DD
    guessed_at = parse_date(guessed, now, zone) if guessed else None
    if page.yearless is not None:
        year = guessed_at.year if guessed_at is not None else (url_day[0] if url_day else None)
        dated = _in_year(page.yearless, year, now, zone)
        if dated is not None:
            return dated
    if guessed and guessed_at is not None:
        from_url = url_day is not None and guessed_at.timetuple()[:3] == url_day
        source = "url" if from_url else "page"
        return Published(guessed_at, source, guessed, precision_of(guessed))
    if url_day is not None:
        try:
            value = datetime(*url_day, tzinfo=zone or UTC)
        except ValueError:
            return None
        if _plausible(value, now):
            return Published(value, "url", "-".join(str(part) for part in url_day), "day")
    return None


def on_url_day(
    published: Published, url_day: tuple[int, int, int] | None, zone: tzinfo | None
) -> tuple[Published, tzinfo | None]:
    """A page of unknown zone that dates itself in UTC (2020-02-25T02:25:54Z) under a URL that
    says /2020/02/24/ was published on the 24th where its site is: the URL is written in the
    site's own day. The site's offset is then the one nearest UTC that puts the instant on the
    URL's day (the day is what that says, not the hour); it is returned as the page's zone."""
    if zone is not None or url_day is None or published.precision == "day" or published.wall:
        return published, zone
    try:
        day = date(*url_day)
    except ValueError:
        return published, zone
    utc = published.at.astimezone(UTC)
    gap = (day - utc.date()).days
    hours = -(utc.hour + 1) if gap == -1 else 24 - utc.hour if gap == 1 else None
    if hours is None or not -12 <= hours <= 14:  # the offsets zones have
        return published, zone
    inferred = timezone(timedelta(hours=hours))
    return replace(published, at=published.at.astimezone(inferred)), inferred


def _wall(raw: str, zone: tzinfo | None) -> bool:
    """Whether `raw` is a clock time with no offset on a page of unknown zone."""
    value = _parse(raw)
    return zone is None and value is not None and value.tzinfo is None and bool(_CLOCK.search(raw))


def _parsed(
    raws: list[str], now: datetime, zone: tzinfo | None, month_first: bool
) -> list[tuple[datetime, str]]:
    return [
        (value, raw)
        for raw in raws
        if (value := parse_date(raw, now, zone, month_first=month_first))
    ]


def _in_year(
    yearless: tuple[int, int, str], year: int | None, now: datetime, zone: tzinfo | None
) -> Published | None:
    """A dateline's month and day in `year`, or the year before when that would be future."""
    month, day_of_month, text = yearless
    if year is None:
        return None
    try:
        day = date(year, month, day_of_month)
        if day > now.date():
            day = day.replace(year=year - 1)
    except ValueError:
        return None
    return Published(datetime.combine(day, time(), zone or UTC), "page", text, "day")


def _swapped(day: date) -> date | None:
    """The same numbers read the other way round (day/month), where that is a date."""
    try:
        return day.replace(month=day.day, day=day.month)
    except ValueError:
        return None
