"""Commands about plays: `ingest`, `streams top`, and the `demo` that runs the whole job."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from musicflow.cli import render
from musicflow.cli.common import OutputFormat, ProfileOption, reports_errors, require_profile, state_of
from musicflow.cli.progress import Bar
from musicflow.ingest.service import ingest_paths


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
    profile: ProfileOption = "default",
) -> None:
    """Read your Spotify data export into MusicFlow (safe to run again: no play is counted twice)."""
    state = state_of(ctx)
    with state.store() as store, Bar(state.err, bytes_=True) as progress:
        report = ingest_paths(paths, store, profile, state.settings, progress)
    render.ingest_report(state.out, report)


@reports_errors
def streams_top(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many tracks.")] = 20,
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.TABLE
    ),
    profile: ProfileOption = "default",
) -> None:
    """Your most streamed tracks (a stream is a play of at least MUSICFLOW_STREAM_MIN_MS)."""
    state = state_of(ctx)
    with state.store() as store:
        profile_id = require_profile(store, profile)
        rows = store.track_streams(profile_id, state.settings.stream_min_ms, limit)
    if output is OutputFormat.TABLE:
        render.top_table(state.out, rows, profile, state.settings.stream_min_ms)
    elif output is OutputFormat.CSV:
        render.top_csv(rows)
    else:
        render.top_json(rows)
