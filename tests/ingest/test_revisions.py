"""Revisions, the pure part: schedules, the takedown policy, changes, the word diff."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsarchive.ingest.revisions import (
    RevisitState,
    Version,
    after_revisit,
    changed_fields,
    diff_segments,
    gone_reason,
    next_revisit,
    parse_schedule,
    word_diff,
)

SEEN = datetime(2025, 1, 1, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "delays"),
    [
        ("1h,1d,7d", [timedelta(hours=1), timedelta(days=1), timedelta(days=7)]),
        (" 30m , 2w ", [timedelta(minutes=30), timedelta(weeks=2)]),
        ("0", [timedelta(0)]),
        ("", []),
        ("90", [timedelta(seconds=90)]),
    ],
)
def test_schedules(text: str, delays: list[timedelta]) -> None:
    assert list(parse_schedule(text)) == delays


@pytest.mark.parametrize(
    ("text", "error"),
    [("1x", "not a duration"), ("1d,1h", "must not decrease"), ("-1h", "not a duration")],
)
def test_bad_schedules_say_what_is_wrong(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_schedule(text)


def test_next_revisit_follows_the_schedule_then_ends() -> None:
    schedule = parse_schedule("1h,1d")
    assert next_revisit(SEEN, 0, schedule, SEEN) == SEEN + timedelta(hours=1)
    assert next_revisit(SEEN, 1, schedule, SEEN + timedelta(hours=2)) == SEEN + timedelta(days=1)
    late = SEEN + timedelta(days=3)  # a crawl that did not run for days: due now, not in the past
    assert next_revisit(SEEN, 1, schedule, late) == late
    assert next_revisit(SEEN, 2, schedule, late) is None
    assert next_revisit(SEEN, 99, parse_schedule("0"), late) == late  # every run, for good


def version(title: str = "Ferry", text: str = "The ferry sails at nine.", **kw: object) -> Version:
    return Version(title, text, tuple(kw.get("authors", ("Ana Ruiz",))), kw.get("at", SEEN))  # type: ignore[arg-type]


def test_what_counts_as_a_change() -> None:
    assert changed_fields(version(), version(text=" The ferry  sails at nine. ")) == []
    assert changed_fields(version(), version(title="Ferry late")) == ["title"]
    assert changed_fields(version(), version(text="The ferry sails at ten.")) == ["text"]
    assert changed_fields(version(), version(authors=("Bo Li",))) == ["authors"]
    assert changed_fields(version(), version(at=SEEN + timedelta(hours=1))) == ["dates"]
    assert changed_fields(version(), version(at=None)) == []  # the new version gives no date


def test_word_diff_names_the_change_with_context() -> None:
    old = "one two three four five six seven eight nine ten eleven twelve"
    new = "one two three four five six SEVEN eight nine ten eleven twelve thirteen"
    assert word_diff(old, new, context=2) == (
        "... five six [-seven-] {+SEVEN+} eight nine ... eleven twelve {+thirteen+}"
    )
    assert word_diff(old, old) == ""
    assert word_diff("First.\nSecond.", "First.\nSecond, corrected.") == (
        "First. \u00b6 [-Second.-] {+Second, corrected.+}"
    )


def test_markup_in_a_diff_stays_text() -> None:
    """The diff is plain text; whoever shows it escapes it (the admin page does)."""
    assert word_diff("a", "<script>x</script>") == "[-a-] {+<script>x</script>+}"


@pytest.mark.parametrize(
    ("asked", "final", "redirected", "gone"),
    [
        ("https://h.example/news/1", "https://h.example/", True, True),
        ("https://h.example/news/1", "https://h.example/news/1-new", True, False),
        ("https://h.example/news/1", "https://h.example/", False, False),
        ("https://h.example/", "https://h.example/", True, False),
        ("https://h.example/?p=2895", "https://h.example/", True, True),  # a WordPress post
        ("https://h.example/news/1", "https://h.example/?p=2895", True, False),
    ],
)
def test_a_redirect_home_is_a_takedown(
    asked: str, final: str, redirected: bool, gone: bool
) -> None:
    reason = gone_reason(asked, final=final, redirected=redirected)
    assert (reason is not None) is gone
    if gone:
        assert reason == f"redirected to the home page {final}"


@pytest.mark.parametrize(("status", "reason"), [(404, "HTTP 404"), (410, "HTTP 410"), (500, None)])
def test_only_404_and_410_say_a_page_is_gone(status: int, reason: str | None) -> None:
    assert gone_reason("https://h.example/news/1", status=status) == reason


SCHEDULE = (timedelta(hours=1), timedelta(days=1), timedelta(days=7))


def _state(**given: object) -> RevisitState:
    values: dict[str, object] = {
        "first_seen": SEEN, "done": 0, "revisit_at": SEEN + SCHEDULE[0], "gone_since": None,
        "removed_at": None,
    }  # fmt: skip
    return RevisitState(**(values | given))  # type: ignore[arg-type]


def test_a_takedown_needs_two_gone_answers_and_any_answer_restores_it() -> None:
    now = SEEN + timedelta(hours=2)
    first = after_revisit(_state(), SCHEDULE, now, answered=True, gone="HTTP 404")
    assert (first.done, first.gone_since, first.removed_at) == (1, now, None)
    assert first.revisit_at == now  # asked again at the next run: one glitch is no takedown
    later = now + timedelta(hours=1)
    second = after_revisit(first, SCHEDULE, later, answered=True, gone="HTTP 404")
    assert (second.gone_since, second.removed_at) == (now, later)
    assert second.revisit_at == SEEN + SCHEDULE[2]  # the schedule goes on
    back = after_revisit(second, SCHEDULE, later, answered=True)
    assert (back.gone_since, back.removed_at, back.done) == (None, None, 3)


def test_a_failure_of_ours_neither_removes_nor_restores() -> None:
    removed = _state(gone_since=SEEN, removed_at=SEEN)
    after = after_revisit(removed, SCHEDULE, SEEN, answered=False)
    assert (after.gone_since, after.removed_at, after.done) == (SEEN, SEEN, 1)
    gone_once = _state(gone_since=SEEN)
    assert after_revisit(gone_once, SCHEDULE, SEEN, answered=False).removed_at is None


def test_a_long_repetitive_article_revised_by_one_word_diffs_at_once() -> None:
    """16,000 repetitive words, one changed: the diff shows that word, in milliseconds (the
    matcher alone took 39 s on such a text, on a public GET)."""
    old = " ".join(["the cat sat on the mat"] * 2700)
    new = old.replace("mat", "hat", 1)
    started = time.perf_counter()
    diff = word_diff(old, new)
    assert time.perf_counter() - started < 2
    assert diff.startswith("the cat sat on the [-mat-] {+hat+} the cat sat")


def test_two_unrelated_long_texts_diff_in_bounded_time() -> None:
    rng = random.Random(7)
    old, new = (" ".join(rng.choice("abc") for _ in range(16_000)) for _ in range(2))
    started = time.perf_counter()
    segments = diff_segments(old, new, context=10**9)
    assert time.perf_counter() - started < 2
    assert " ".join(w for kind, w in segments if kind != "added") == old
    assert " ".join(w for kind, w in segments if kind != "removed") == new


@given(
    st.lists(st.sampled_from("abcd"), max_size=40), st.lists(st.sampled_from("abcd"), max_size=40)
)
def test_the_diff_holds_both_versions(old: list[str], new: list[str]) -> None:
    segments = diff_segments(" ".join(old), " ".join(new), context=10**9)
    assert " ".join(w for kind, w in segments if kind != "added") == " ".join(old) or not segments
    assert " ".join(w for kind, w in segments if kind != "removed") == " ".join(new) or not segments
    assert (segments == []) == (old == new)


def test_a_pages_own_diff_marks_are_escaped() -> None:
    """Only the diff's marks read as changes: a text that writes [-x-] or {+y+} itself is
    shown with backslashes."""
    assert word_diff("a b", "a [-x-] {+y+}") == r"a [-b-] {+\[-x\-] \{+y\+}+}"
    assert word_diff("a", "a {+}") == r"a {+\{+}+}"  # one mark, escaped once
