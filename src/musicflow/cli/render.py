"""How the CLI shows results: Rich tables for people, CSV and JSON for programs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from musicflow.app.vocabulary import LIBRARY_KIND_WORDS
from musicflow.core.plurals import counted

if TYPE_CHECKING:
    from musicflow.app.taste import Count
    from musicflow.app.types import IngestReport, TrackStreams

TOP_COLUMNS = ("rank", "track", "artist", "streams", "plays", "minutes", "spotify_id")


def print_whole(console: Console, table: Table) -> None:
    """Print `table` with no cell cut short: its wrapping columns give way first (the no-wrap ones,
    numbers, never do); a table that cannot fit even so runs past the console's edge instead."""
    needed = narrowest(console, table)
    if needed <= console.width:
        console.print(table)
        return
    width = console.width
    console.width = needed
    try:
        console.print(table)
    finally:
        console.width = width


def narrowest(console: Console, table: Table) -> int:
    """The fewest columns `table` takes with no cell cut: a wrapping column as wide as its longest word,
    a no-wrap one as its longest line, with padding and borders."""
    widths = []
    for column in table.columns:
        cells = [column.header, *column.cells]
        texts = [cell.plain if isinstance(cell, Text) else str(cell) for cell in cells]
        pieces = [line for text in texts for line in text.splitlines()]
        if not column.no_wrap:
            pieces = [word for line in pieces for word in line.split()]
        widths.append(max((console.measure(piece).maximum for piece in pieces), default=0))
    padding = 2 * len(widths) if table.padding else 0
    return sum(widths) + padding + len(widths) + 1


def moment(timestamp: float | None) -> str:
    """A time as the CLI writes it: to the minute, in UTC ("" when there is none)."""
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _day(timestamp: int | None) -> str:
    if timestamp is None:
        return "-"
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")


def ingest_report(console: Console, report: IngestReport) -> None:
    seconds = report.stream_min_ms / 1000
    table = Table(title=f"Ingested into profile '{report.profile}'", show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("files read", f"{report.files_read:,}")
    table.add_row("plays in those files", f"{report.rows:,}")
    table.add_row("music plays", f"{report.music_plays:,}")
    table.add_row(f"streams (played ≥ {seconds:g} s)", f"{report.streams:,}")
    table.add_row("distinct tracks", f"{report.distinct_tracks:,}")
    table.add_row("dates", f"{_day(report.first_ended_at)} → {_day(report.last_ended_at)}")
    table.add_row("new plays stored", f"{report.new_plays:,}")
    table.add_row("plays already stored or repeated", f"{report.already_stored:,}")
    if report.library is not None:
        for kind, count in report.library.items():
            table.add_row(f"library: {LIBRARY_KIND_WORDS.get(kind, kind)}", f"{count:,}")
    console.print(table)
    if report.skipped:
        skipped = Table(title="Rows left out", show_header=False, box=None)
        skipped.add_column()
        skipped.add_column(justify="right")
        for reason, count in sorted(report.skipped.items(), key=lambda item: -item[1]):
            skipped.add_row(str(reason), f"{count:,}")
        console.print(skipped)
    for example in report.invalid_examples[:5]:
        console.print(Text.assemble("  ", ("invalid:", "yellow"), f" {example}"), highlight=False)
    if report.library_unreadable:
        kept = (
            "; nothing in it could be read, so the library stored before is kept"
            if report.library is None
            else ""
        )
        console.print(
            f"Library: {counted(report.library_unreadable, 'entry', 'entries')} without names (or with"
            " names no store keeps) left out"
            f"{kept}.",
            highlight=False,
        )
    # The damaged files apart from the others passed over, so that what the command says after them ("1
    # file could not be read (see above)") counts the files of the list it points to.
    for heading, files in (
        ("Files that could not be read", report.files_damaged),
        ("Files passed over", [f for f in report.files_passed_over if not f.damaged]),
    ):
        if files:
            console.print(f"{heading} ({len(files)}):", style="bold", highlight=False)
            for result in files:
                console.print(f"  {result.label}: {result.note}", highlight=False)


def ingest_document(report: IngestReport) -> dict[str, object]:
    """What `ingest --format json` writes: the report's counts, the rows left out and the files."""
    return {
        "import_id": report.import_id,
        "profile": report.profile,
        "files_read": report.files_read,
        "rows": report.rows,
        "music_plays": report.music_plays,
        "streams": report.streams,
        "stream_min_ms": report.stream_min_ms,
        "distinct_tracks": report.distinct_tracks,
        "first_day": _day(report.first_ended_at) if report.first_ended_at is not None else None,
        "last_day": _day(report.last_ended_at) if report.last_ended_at is not None else None,
        "new_plays": report.new_plays,
        "already_stored": report.already_stored,
        "left_out": {str(reason): count for reason, count in report.skipped.most_common()},
        "invalid_examples": report.invalid_examples[:5],
        "library": report.library,
        "library_unreadable": report.library_unreadable,
        "files": [
            {"file": f.label, "read_as": f.kind, "note": f.note, "rows": f.rows, "damaged": f.damaged}
            for f in report.files
        ],
    }


def top_table(console: Console, rows: Sequence[TrackStreams], profile: str, stream_min_ms: int) -> None:
    table = Table(title=f"Top tracks of '{profile}' (a stream is ≥ {stream_min_ms / 1000:g} s)")
    table.add_column("#", justify="right")
    table.add_column("track")
    table.add_column("artist")
    table.add_column("streams", justify="right")
    table.add_column("plays", justify="right")
    table.add_column("minutes", justify="right")
    for rank, row in enumerate(rows, start=1):
        table.add_row(
            str(rank),
            row.track,
            row.artist,
            f"{row.streams:,}",
            f"{row.plays:,}",
            f"{row.ms_played / 60000:,.0f}",
        )
    if not rows:  # an empty table says nothing the sentence does not
        console.print(f"No streams yet in '{profile}'.", highlight=False)
        return
    console.print(table)


ARTIST_COLUMNS = ("rank", "artist", "streams")


def artists_table(console: Console, artists: Sequence[Count], profile: str, stream_min_ms: int) -> None:
    if not artists:
        console.print(f"No streams yet in '{profile}'.", highlight=False)
        return
    table = Table(  # the threshold under the table: a title wider than it would wrap
        title=f"Top artists of '{profile}'", caption=f"a stream is ≥ {stream_min_ms / 1000:g} s"
    )
    table.add_column("#", justify="right")
    table.add_column("artist")
    table.add_column("streams", justify="right")
    for rank, artist in enumerate(artists, start=1):
        table.add_row(str(rank), artist.label, f"{artist.value:,}")
    console.print(table)


def artist_records(artists: Sequence[Count]) -> list[dict[str, object]]:
    return [
        {"rank": rank, "artist": artist.label, "streams": artist.value}
        for rank, artist in enumerate(artists, start=1)
    ]


def top_records(rows: Sequence[TrackStreams]) -> list[dict[str, object]]:
    """The top songs as `--format csv/json` gives them (columns `TOP_COLUMNS`)."""
    return [
        {
            "rank": rank,
            "track": row.track,
            "artist": row.artist,
            "streams": row.streams,
            "plays": row.plays,
            "minutes": round(row.ms_played / 60000, 1),
            "spotify_id": row.spotify_id,
        }
        for rank, row in enumerate(rows, start=1)
    ]
