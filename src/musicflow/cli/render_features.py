"""How feature commands show their results to people."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from musicflow.app.vocabulary import FEATURE_NAMES, SPECS
from musicflow.cli.render import moment
from musicflow.core.plurals import counted
from musicflow.core.timezone import iso_utc

if TYPE_CHECKING:
    from musicflow.app.types import (
        AnalyzeReport,
        CatalogAnswers,
        CatalogImport,
        CatalogInfo,
        CoverageReport,
        SongFeatures,
        SourceRun,
        StoredFeatures,
    )


def analyze_report(console: Console, report: AnalyzeReport) -> None:
    console.print(
        f"{counted(report.files, 'audio file')}: {report.analysed:,} analysed "
        f"({report.matched_played:,} matched to songs you played, {counted(report.new_songs, 'new song')}), "
        f"{report.unchanged:,} unchanged since the last scan, {sum(report.skipped.values()):,} skipped.",
        highlight=False,
        soft_wrap=True,
    )
    for reason, count in report.skipped.most_common():
        console.print(Text.assemble("  ", (f"{count:,}", "yellow"), f" {reason}"), highlight=False)
    for example in report.examples:
        console.print(f"    {example}", highlight=False, markup=False)


def catalog_import(console: Console, imported: CatalogImport) -> None:
    report = imported.report
    console.print(
        f"Catalog '{imported.name}' ({report.format_name}): {counted(imported.stored, 'row')} stored, "
        f"{counted(report.rows_bad, 'row')} could not be read.",
        highlight=False,
    )
    for reason, count in report.reasons.most_common():
        console.print(Text.assemble("  ", (f"{count:,}", "yellow"), f" {reason}"), highlight=False)
    for example in report.examples:
        console.print(f"    {example}", highlight=False, markup=False)
    for note, count in report.notes.most_common():
        console.print(f"  note: {count:,} × {note}", highlight=False, markup=False)
    catalog_answers(console, imported.answers)


SHOWN_LISTENERS = 5  # a store of many listeners: the first ones, and how many more


def catalog_answers(console: Console, answers: Sequence[CatalogAnswers]) -> None:
    """What the catalogs answer now for each listener's songs (asked again after a catalog changed)."""
    for answer in answers[:SHOWN_LISTENERS]:
        then = "as before" if answer.answered == answer.before else f"{answer.before:,} before"
        train = (
            f": `musicflow train --profile {answer.profile}` learns from them"
            if answer.answered > answer.before
            else ""
        )
        console.print(
            f"The catalogs give features for {answer.answered:,} of the {counted(answer.songs, 'song')}"
            f" '{answer.profile}' played ({then}){train}.",
            highlight=False,
            markup=False,
        )
    if len(answers) > SHOWN_LISTENERS:
        more = len(answers) - SHOWN_LISTENERS
        console.print(f"And so for {counted(more, 'other listener')}.", highlight=False)


def catalog_list(console: Console, catalogs: Sequence[CatalogInfo]) -> None:
    if not catalogs:
        console.print("No catalogs yet: `musicflow catalog add FILE`, or fetch with the bundled one.")
        return
    table = Table(title="Catalogs")
    for column in ("name", "file", "format", "rows", "imported"):
        table.add_column(column)
    for info in catalogs:
        table.add_row(info.name, info.file_name, info.format, f"{info.rows:,}", moment(info.imported_at))
    console.print(table)


def fetch_runs(console: Console, runs: Sequence[SourceRun]) -> None:
    table = Table(title="Feature fetch")
    for column in ("source", "to ask", "asked", "found", "not found", "undecided", "status"):
        table.add_column(column, justify="right" if column not in ("source", "status") else "left")
    for run in runs:
        if run.paused_until is not None:
            status = f"paused until {moment(run.paused_until)}"
        elif run.stopped:
            status = "stopped"
        else:
            status = "done"
        table.add_row(
            run.source,
            f"{run.pending:,}",
            f"{run.asked:,}",
            f"{run.answered:,}",
            f"{run.not_found:,}",
            f"{run.undecided:,}",
            status,
        )
    console.print(table)
    for run in runs:
        if run.paused_until is not None:
            console.print(
                Text.assemble(
                    (run.source, "yellow"),
                    " asked us to wait: run `musicflow features fetch` again after "
                    f"{moment(run.paused_until)}; everything fetched so far is kept.",
                ),
                highlight=False,
            )
        elif run.stopped:
            console.print(
                Text.assemble((f"{run.source} stopped: ", "yellow"), run.stopped, "; what it gave is kept."),
                soft_wrap=True,
            )
        if run.undecided:
            console.print(
                Text.assemble(
                    (run.source, "yellow"),
                    f": {counted(run.undecided, 'track')} got no answer to keep (no Spotify id to ask with,"
                    " or an answer refused as the warnings say): they stay to ask on the next fetch.",
                ),
                soft_wrap=True,
            )


def coverage_table(console: Console, report: CoverageReport, profile: str) -> None:
    if not report.tracks:  # a table of zeros says nothing the sentence does not (as `streams top`)
        console.print(f"No plays yet in '{profile}': no track to have features for.", highlight=False)
        return
    table = Table(title=f"Feature coverage of '{profile}'", show_header=True)
    table.add_column("tracks")
    table.add_column("count", justify="right")
    table.add_column("share", justify="right")
    table.add_column("share of streams", justify="right")
    none_streams = report.streams - report.full_streams - report.partial_streams
    for label, count, streams in (
        ("full audio features", report.full, report.full_streams),
        ("partial", report.partial, report.partial_streams),
        ("none", report.none, none_streams),
    ):
        of_streams = report.share(streams, of_streams=True)
        table.add_row(label, f"{count:,}", _percent(report.share(count)), _percent(of_streams))
    console.print(table)
    if report.by_source or report.not_found_by_source:
        sources = sorted(set(report.by_source) | set(report.not_found_by_source))
        by_source = Table(title="By source")
        by_source.add_column("source")
        by_source.add_column("tracks with features", justify="right")
        by_source.add_column("not found", justify="right")
        for source in sources:
            by_source.add_row(
                source, f"{report.by_source[source]:,}", f"{report.not_found_by_source[source]:,}"
            )
        console.print(by_source)
    if report.unresolved:
        console.print(
            f"Tracks with no features ({report.unresolved_total:,}), most streamed first:", style="bold"
        )
        for track in report.unresolved:
            console.print(
                f"  {track.track} — {track.artist} ({counted(track.streams, 'stream')})", highlight=False
            )


def _percent(share: float) -> str:
    """A share as a percentage, never 0% for some nor 100% for less than all: "<1%", ">99%"."""
    if 0 < share < 0.005:
        return "<1%"
    if 0.995 <= share < 1:
        return ">99%"
    return f"{share:.0%}"


def song_table(console: Console, found: SongFeatures) -> None:
    query = found.query
    if found.matched:
        console.print(f"{found.matched.did_you_mean} Showing it:", highlight=False, markup=False)
    table = Table(title=f"{query.song} — {query.artist}")
    table.add_column("feature")
    table.add_column("value", justify="right")
    table.add_column("source")
    table.add_column("fetched")
    for name in FEATURE_NAMES:
        answer = found.merged.source_of(name)
        if answer is None:
            table.add_row(name, Text("missing", style="dim"), "", "")
        else:
            value = found.merged.values[name]
            table.add_row(name, _shown(value), answer.label, moment(answer.fetched_at))
    console.print(table)
    if found.merged.spotify_id:
        console.print(f"Spotify id: {found.merged.spotify_id}", highlight=False)
    for source, reason in {**found.not_found, **found.failed}.items():
        console.print(f"  {source}: {reason}", highlight=False, markup=False)


def song_json(found: SongFeatures) -> dict[str, object]:
    query = found.query
    return {
        "song": query.song,
        "artist": query.artist,
        "matched": found.matched.as_document() if found.matched else None,
        "did_you_mean": found.matched.did_you_mean if found.matched else None,
        "spotify_id": found.merged.spotify_id,
        "isrc": found.merged.isrc,
        "features": {
            name: _sourced_json(value, found.merged.source_of(name), name)
            for name, value in found.merged.values.items()
        },
        "missing": [name for name in FEATURE_NAMES if name not in found.merged.values],
        "not_found": found.not_found,
        "failed": found.failed,
    }


def _sourced_json(value: object, answer: StoredFeatures | None, name: str) -> dict[str, object]:
    return {
        "value": value,
        "source": answer.source if answer else None,
        "origin": answer.origin if answer else None,
        "fetched_at": iso_utc(answer.fetched_at) if answer else None,
        "meaning": SPECS[name].meaning,
    }


def _shown(value: object) -> str:
    """A value as the table shows it: three decimals, or three significant digits where those would
    round a value that is not zero to 0 (acousticness 5.99e-05 is not none at all). CSV and JSON give the
    value exact."""
    if isinstance(value, float):
        shown = f"{value:.3f}".rstrip("0").rstrip(".")
        if value != 0 and shown in ("0", "-0"):
            return f"{value:.3g}"
        return shown
    return str(value)


# --- the same results as records, for `--format csv` and `--format json` --------------------------
CATALOG_COLUMNS = ("name", "file", "format", "rows", "imported")
SONG_COLUMNS = ("feature", "value", "source", "origin", "fetched")
COVERAGE_COLUMNS = ("group", "name", "tracks", "streams", "share_of_tracks", "share_of_streams", "not_found")


def catalog_records(catalogs: Sequence[CatalogInfo]) -> list[dict[str, object]]:
    return [
        {
            "name": info.name,
            "file": info.file_name,
            "format": info.format,
            "rows": info.rows,
            "imported": iso_utc(info.imported_at),
        }
        for info in catalogs
    ]


def run_records(runs: Sequence[SourceRun]) -> list[dict[str, object]]:
    return [
        {
            "source": run.source,
            "to_ask": run.pending,
            "asked": run.asked,
            "found": run.answered,
            "not_found": run.not_found,
            "undecided": run.undecided,
            "stopped": run.stopped,
            "paused_until": iso_utc(run.paused_until) if run.paused_until is not None else None,
        }
        for run in runs
    ]


def song_records(found: SongFeatures) -> list[dict[str, object]]:
    """Every feature of the table, a missing one with empty cells."""
    records: list[dict[str, object]] = []
    for name in FEATURE_NAMES:
        answer = found.merged.source_of(name)
        records.append(
            {
                "feature": name,
                "value": found.merged.values.get(name),
                "source": answer.source if answer else None,
                "origin": answer.origin if answer else None,
                "fetched": iso_utc(answer.fetched_at) if answer else None,
            }
        )
    return records


def coverage_records(report: CoverageReport) -> list[dict[str, object]]:
    """The coverage table's rows (group `coverage`), then each source's (group `source`)."""
    none_streams = report.streams - report.full_streams - report.partial_streams
    records: list[dict[str, object]] = [
        {
            "group": "coverage",
            "name": label,
            "tracks": count,
            "streams": streams,
            "share_of_tracks": round(report.share(count), 4),
            "share_of_streams": round(report.share(streams, of_streams=True), 4),
        }
        for label, count, streams in (
            ("full audio features", report.full, report.full_streams),
            ("partial", report.partial, report.partial_streams),
            ("none", report.none, none_streams),
        )
    ]
    for source in sorted(set(report.by_source) | set(report.not_found_by_source)):
        records.append(
            {
                "group": "source",
                "name": source,
                "tracks": report.by_source[source],
                "not_found": report.not_found_by_source[source],
            }
        )
    return records
