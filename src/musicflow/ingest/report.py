"""What one ingest run did, in numbers a person can check against their export."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from musicflow.core.plays import SkipReason

LIBRARY = "library"  # the kind of a file read as the listener's library (YourLibrary.json)


@dataclass
class FileResult:
    """One input file: read as a history, or passed over with the reason."""

    label: str
    kind: str | None = None
    note: str | None = None
    rows: int = 0
    music_plays: int = 0
    new_plays: int = 0
    damaged: bool = False  # it should have been readable and was not (a broken member, truncated JSON)


@dataclass
class IngestReport:
    profile: str
    stream_min_ms: int
    files: list[FileResult] = field(default_factory=list)
    rows: int = 0
    music_plays: int = 0
    streams: int = 0
    new_plays: int = 0
    skipped: Counter[SkipReason] = field(default_factory=Counter)
    invalid_examples: list[str] = field(default_factory=list)
    track_keys: set[str] = field(default_factory=set)
    first_ended_at: int | None = None
    last_ended_at: int | None = None
    import_id: str | None = None  # the import these plays are recorded under (to take it back)
    library: dict[str, int] | None = None  # entries stored per kind, when a library file was read
    library_unreadable: int = 0

    @property
    def histories_read(self) -> int:
        return sum(1 for f in self.files if f.kind is not None and f.kind != LIBRARY)

    @property
    def files_read(self) -> int:
        """Files read, histories and the library."""
        return sum(1 for f in self.files if f.kind is not None)

    @property
    def files_passed_over(self) -> list[FileResult]:
        return [f for f in self.files if f.kind is None]

    @property
    def files_damaged(self) -> list[FileResult]:
        return [f for f in self.files if f.damaged]

    @property
    def distinct_tracks(self) -> int:
        return len(self.track_keys)

    @property
    def already_stored(self) -> int:
        return self.music_plays - self.new_plays
