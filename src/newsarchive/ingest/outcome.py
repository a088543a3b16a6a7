"""What storing (or revisiting) one page came to, and what each outcome adds to a run's
counters: the CLI prints it, runs count it, the API answers with it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from newsarchive.db.models import RUN_COUNTERS

# A revisit's page is "revised" (a new version kept), "unchanged" or "gone" (404, 410, home).
Status = Literal["stored", "duplicate", "skipped", "failed", "revised", "unchanged", "gone"]

# The run counters each outcome adds to; a revisit counts as revisited, and revised if it kept
# a new version.
COUNTS: dict[Status, tuple[str, ...]] = {
    "stored": ("stored",),
    "duplicate": ("duplicates",),
    "skipped": ("skipped",),
    "failed": ("failed",),
    "revised": ("revisited", "revised"),
    "unchanged": ("revisited",),
    "gone": ("revisited",),
}
assert {c for counters in COUNTS.values() for c in counters} <= set(RUN_COUNTERS)


@dataclass(frozen=True)
class Outcome:
    label: str  # the URL asked for, or the file (and record) read
    status: Status
    reason: str | None = None
    article_id: int | None = None

    def line(self) -> str:
        """What the CLI prints: 'stored: URL (article 3)', 'failed: URL: reason'."""
        article = f" (article {self.article_id})" if self.article_id is not None else ""
        if self.status in ("stored", "duplicate", "unchanged") or not self.reason:
            return f"{self.status}: {self.label}{article}"
        return f"{self.status}: {self.label}{article}: {self.reason}"

    def counts(self) -> dict[str, int]:
        return dict.fromkeys(COUNTS[self.status], 1)


def totals_line(run_id: int, status: str, outcomes: list[Outcome]) -> str:
    """The run's closing line, as a crawl's: 'run 4 finished: stored 2, duplicates 0, ...'."""
    totals: dict[str, int] = {}
    for outcome in outcomes:
        for name, n in outcome.counts().items():
            totals[name] = totals.get(name, 0) + n
    names = ("stored", "duplicates", "skipped", "failed")
    return f"run {run_id} {status}: " + ", ".join(f"{name} {totals.get(name, 0)}" for name in names)
