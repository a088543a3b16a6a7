"""Revisions, the pure part and the one home of their policy: when revisits are due, what counts
as a page taken down and when it is removed or restored, what counts as a change, the word diff
(no database, no network)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from newsarchive.fetch.urls import is_home_page

GONE_STATUSES = (404, 410)
# Word pairs the diff's matcher may compare (quadratic on repetitive text; a public GET of
# revisions must stay cheap whatever the stored texts): a few tens of milliseconds.
MAX_DIFF_CELLS = 4_000_000
_DURATION = re.compile(r"^(\d+)\s*([smhdw]?)$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "": 1}


def parse_schedule(text: str) -> tuple[timedelta, ...]:
    """'1h,1d,7d' -> the revisits' delays after an article is first seen; '' -> none (off);
    '0' -> a revisit at every crawl run. Raises ValueError saying which part is wrong."""
    parts = [part.strip().lower() for part in text.split(",") if part.strip()]
    delays = []
    for part in parts:
        match = _DURATION.match(part)
        if match is None:
            raise ValueError(f"not a duration (like 30m, 1h, 1d, 7d): {part!r}")
        delays.append(timedelta(seconds=int(match[1]) * _UNITS[match[2]]))
    if delays != sorted(delays):
        raise ValueError("durations must not decrease (like 1h,1d,7d)")
    return tuple(delays)


def next_revisit(
    first_seen: datetime, done: int, schedule: Sequence[timedelta], now: datetime
) -> datetime | None:
    """When the revisit after `done` ones is due; None when the schedule has ended. A schedule
    of one zero delay ('0') revisits at every run, for good."""
    if list(schedule) == [timedelta(0)]:
        return now
    if done >= len(schedule):
        return None
    return max(first_seen + schedule[done], now)


@dataclass(frozen=True)
class Version:
    """What a revisit compares: the fields a reader would call the story."""

    title: str | None
    text: str
    authors: tuple[str, ...]
    published_at: datetime | None


def changed_fields(old: Version, new: Version) -> list[str]:
    """Which of title, text, authors, dates differ; whitespace alone is no change, nor a title
    or a date the new version does not give."""
    changed = []
    if new.title is not None and _squashed(old.title or "") != _squashed(new.title):
        changed.append("title")
    if _squashed(old.text) != _squashed(new.text):
        changed.append("text")
    if [a.casefold() for a in old.authors] != [a.casefold() for a in new.authors]:
        changed.append("authors")
    if new.published_at is not None and old.published_at != new.published_at:
        changed.append("dates")
    return changed


def _squashed(text: str) -> str:
    return " ".join(text.split())


Segment = tuple[str, str]  # ("same" | "removed" | "added" | "gap", words)


def diff_segments(old: str, new: str, context: int = 8) -> list[Segment]:
    """The text's changes as runs of words: removed, added, and `context` unchanged words
    around each change ("gap" stands for the rest); paragraph breaks show as a pilcrow. []
    when nothing changed."""
    before, after = _words(old), _words(new)
    opcodes = _opcodes(before, after)
    if all(tag == "equal" for tag, *_ in opcodes):
        return []
    out: list[Segment] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            same = before[i1:i2]
            head = same[:context] if index > 0 else []
            tail = same[-context:] if index < len(opcodes) - 1 else []
            if len(same) > len(head) + len(tail):
                out += [("same", " ".join(head)), ("gap", "..."), ("same", " ".join(tail))]
            else:
                out.append(("same", " ".join(same)))
            continue
        if i2 > i1:
            out.append(("removed", " ".join(before[i1:i2])))
        if j2 > j1:
            out.append(("added", " ".join(after[j1:j2])))
    return [(kind, words) for kind, words in out if words]


Opcode = tuple[str, int, int, int, int]


def _opcodes(before: list[str], after: list[str]) -> list[Opcode]:
    """difflib's opcodes in bounded time. The words both versions share at the start and at the
    end are cut off first (a revision usually changes a few words in place: linear); the
    matcher, quadratic on repetitive text, compares only what is left, and only up to
    MAX_DIFF_CELLS word pairs; past that the middle reads as replaced whole."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    a, b = before[start : len(before) - end], after[start : len(after) - end]
    if len(a) * len(b) <= MAX_DIFF_CELLS:
        middle: list[Opcode] = list(
            difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
        )
    else:
        middle = [("replace", 0, len(a), 0, len(b))]
    shifted = [
        (tag, i1 + start, i2 + start, j1 + start, j2 + start) for tag, i1, i2, j1, j2 in middle
    ]
    ops: list[Opcode] = [op for op in shifted if op[1] < op[2] or op[3] < op[4]]
    if start:
        ops.insert(0, ("equal", 0, start, 0, start))
    if end:
        ops.append(("equal", len(before) - end, len(before), len(after) - end, len(after)))
    return _merged(ops) or [("equal", 0, 0, 0, 0)]


def _merged(ops: list[Opcode]) -> list[Opcode]:
    """Neighbouring runs of equal words as one."""
    out: list[Opcode] = []
    for op in ops:
        if out and op[0] == "equal" and out[-1][0] == "equal":
            out[-1] = ("equal", out[-1][1], op[2], out[-1][3], op[4])
        else:
            out.append(op)
    return out


def word_diff(old: str, new: str, context: int = 8) -> str:
    """diff_segments as one line, like `git diff --word-diff=plain`: removed words in [-...-],
    added ones in {+...+}, '...' for unchanged stretches. '' when nothing changed."""
    return plain(diff_segments(old, new, context))


def plain(segments: list[Segment]) -> str:
    marks = {"removed": "[-{}-]", "added": "{{+{}+}}", "same": "{}", "gap": "{}"}
    return " ".join(marks[kind].format(_escaped(words)) for kind, words in segments)


_MARKS = re.compile(r"\\|\[-|-\]|\{\+|\+\}")  # one pass: '{+}' is one mark, not two


def _escaped(words: str) -> str:
    """A page's own '[-', '-]', '{+' or '+}' (and backslashes) with a backslash, so that only
    the diff's marks read as changes."""
    return _MARKS.sub(lambda m: "\\" + m[0], words)


def _words(text: str) -> list[str]:
    return " \u00b6 ".join(" ".join(p.split()) for p in text.split("\n") if p.strip()).split()


def gone_reason(
    asked: str, *, status: int | None = None, final: str | None = None, redirected: bool = False
) -> str | None:
    """Why a revisit's answer says the page was taken down, or None: a 404 or 410, or a redirect
    to the site's home page (sites do that rather than answer 404)."""
    if status in GONE_STATUSES:
        return f"HTTP {status}"
    home = final is not None and is_home_page(final)
    if redirected and home and not is_home_page(asked):
        return f"redirected to the home page {final}"
    return None


@dataclass(frozen=True)
class RevisitState:
    """An article's revisit and takedown columns, before or after a revisit."""

    first_seen: datetime
    done: int  # revisits done
    revisit_at: datetime | None  # the next one due (None: the schedule has ended)
    gone_since: datetime | None  # the first gone answer of a streak
    removed_at: datetime | None  # taken down: a second gone answer, a run later


def after_revisit(
    state: RevisitState,
    schedule: Sequence[timedelta],
    now: datetime,
    *,
    answered: bool,
    gone: str | None = None,
) -> RevisitState:
    """The revisit and takedown policy, whole. The next revisit follows the schedule. Only an
    answer of the page counts for takedowns (`answered`: changed, unchanged or gone; a failure
    or a refusal of ours says nothing of the page). A first gone answer is only noted, and the
    page asked again at the next run (one glitch is no takedown); a second one marks the
    article removed; any answer after that restores it."""
    done = state.done + 1
    new = replace(state, done=done, revisit_at=next_revisit(state.first_seen, done, schedule, now))
    if not answered:
        return new
    if gone is None:
        return replace(new, gone_since=None, removed_at=None)
    if state.gone_since is None:
        return replace(new, gone_since=now, revisit_at=now)
    if state.removed_at is None:
        return replace(new, removed_at=now)
    return new


@dataclass(frozen=True)
class Entry:
    """One version as readers see it: what it said, what changed, the text's diff."""

    revision: int
    fetched_at: datetime
    title: str | None
    authors: list[str]
    published_at: datetime | None
    changed: list[str]
    diff: str
    segments: list[Segment] = field(default_factory=list)  # the diff as runs, to mark up


def history(versions: Sequence[Any], current: Any) -> list[Entry]:
    """Every version, oldest first, each with its diff against the one before. `versions`:
    the kept revisions (none while the page never changed); `current`: the article row."""
    if not versions:
        published = current.published_at if current.date_source == "page" else None
        return [
            Entry(1, current.fetched_at, current.title, list(current.authors), published, [], "")
        ]
    entries: list[Entry] = []
    previous = None
    for version in versions:
        segments: list[Segment] = []
        if previous is not None:
            segments = diff_segments(previous.text, version.text)
        diff = plain(segments)
        entries.append(
            Entry(
                version.revision,
                version.fetched_at,
                version.title,
                list(version.authors),
                version.published_at,
                list(version.changed),
                diff,
                segments,
            )
        )
        previous = version
    return entries
