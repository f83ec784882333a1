"""Commands about plays: `ingest` and `streams top`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from musicflow.app.error_map import PARTIAL
from musicflow.app.vocabulary import DEFAULT_PROFILE
from musicflow.cli import render
from musicflow.cli.common import (
    AppState,
    FormatOption,
    OutputFormat,
    ProfileOption,
    TableOrJson,
    TableOrJsonOption,
    reports_errors,
    require_paths,
    state_of,
    write_json,
)
from musicflow.cli.progress import Bar
from musicflow.core.plurals import counted

MAX_LIMIT = 1_000_000


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    streams = typer.Typer(help="Your stream counts, from what you ingested.", no_args_is_help=True)
    streams.command("top")(streams_top)
    app.add_typer(streams, name="streams")


@reports_errors
def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(help="my_spotify_data.zip, its unpacked folder, or single history JSON files."),
    ],
    profile: ProfileOption = DEFAULT_PROFILE,
    output: TableOrJsonOption = TableOrJson.TABLE,
) -> None:
    """Read your Spotify data export into MusicFlow (safe to run again: no play is counted twice).

    `musicflow ingest undo ID` takes an import back (an earlier ingest or an upload, see `jobs list`):
    the plays only it brought go, those another export also holds stay."""
    state = state_of(ctx)
    if len(paths) == 2 and str(paths[0]) == "undo" and not paths[0].exists():
        _undo(state, profile, str(paths[1]), output)
        return
    require_paths(ctx, paths, "file or folder")
    with state.app() as app, Bar(state.err, bytes_=True) as progress:
        report = app.ingest(paths, profile, progress)
        drift = app.drift(profile) if report.new_plays else None
    if output is TableOrJson.JSON:
        write_json(render.ingest_document(report))
    else:
        render.ingest_report(state.out, report)
        if report.import_id:
            state.err.print(
                f"Recorded as import {report.import_id}:"
                f" `musicflow ingest undo {report.import_id}` takes it back.",
                highlight=False,
            )
        if drift is not None and drift.drifted:
            state.err.print(drift.summary, highlight=False)
        if report.new_plays:
            state.err.print(
                "New plays: a retrain of this profile is queued; a running `musicflow serve` does it by"
                " itself (else `musicflow train` or `musicflow jobs run`).",
                highlight=False,
            )
    if report.files_damaged:
        damaged = len(report.files_damaged)
        state.err.print(
            f"{counted(damaged, 'file')} could not be read (see above); the rest was stored. Run the same"
            f" command again once {'it is' if damaged == 1 else 'they are'} fixed: no play is counted twice.",
            highlight=False,
        )
        raise typer.Exit(PARTIAL)


@reports_errors
def streams_top(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=MAX_LIMIT, help="How many tracks.")] = 20,
    output: FormatOption = OutputFormat.TABLE,
    profile: ProfileOption = DEFAULT_PROFILE,
) -> None:
    """Your most streamed tracks (a stream is a play of at least MUSICFLOW_STREAM_MIN_MS)."""
    state = state_of(ctx)
    with state.app() as app:
        rows = app.top_streams(profile, limit)
    if output is OutputFormat.TABLE:
        render.top_table(state.out, rows, profile, state.settings.stream_min_ms)
    elif output is OutputFormat.CSV:
        render.top_csv(rows)
    else:
        render.top_json(rows)


def _undo(state: AppState, profile: str, import_id: str, output: TableOrJson) -> None:
    with state.app() as app:
        undone = app.undo_import(profile, import_id)
    if output is TableOrJson.JSON:
        write_json(
            {"plays_removed": undone.removed, "plays_kept": undone.kept, "tracks_removed": undone.tracks}
        )
        return
    state.out.print(
        f"Import {import_id} taken back: {counted(undone.removed, 'play')} removed, {undone.kept:,} kept"
        f" (another export holds them), {counted(undone.tracks, 'song')} no play was left of removed."
        + (" A retrain of this profile is queued." if undone.removed else ""),
        highlight=False,
    )
