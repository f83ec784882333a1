"""A catalog read's report of what was not usable (its rows are `core.songs.CatalogRow`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

MAX_EXAMPLES = 10


@dataclass
class CatalogReport:
    """What a read made of a file: bad rows are counted by reason, the first few described with a line.

    `notes` counts fields left out of otherwise good rows because of a known quirk (tempo 0 = unknown,
    loudness a little above 0 dB), so a user sees that values were dropped and why.
    """

    format_name: str
    rows_read: int = 0
    rows_ok: int = 0
    rows_bad: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)
    notes: Counter[str] = field(default_factory=Counter)

    def count_bad(self, reason: str, where: str, detail: str = "") -> None:
        self.rows_read += 1
        self.rows_bad += 1
        self.reasons[reason] += 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(f"{where}: {detail or reason}")

    def count_ok(self, notes: list[str]) -> None:
        self.rows_read += 1
        self.rows_ok += 1
        self.notes.update(notes)


class RowError(ValueError):
    """One row cannot be used; `reason` groups like rows in the report, the message gives the detail."""

    def __init__(
        self, reason: str, detail: str = "", *, song: str | None = None, artists: str | None = None
    ) -> None:
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail or reason
        self.song = song  # the row's song and artists, where they were read before the row failed
        self.artists = artists

    @property
    def words(self) -> str:
        """The reason with its detail, each said once ("no audio features", "truncated row (3 of 9
        fields)")."""
        return self.detail if self.detail.startswith(self.reason) else f"{self.reason}: {self.detail}"
