"""The `musicflow` command: thin wiring from arguments to the library, and Rich output for people."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.text import Text

from musicflow import __version__, demo, render
from musicflow.config import Settings, load_settings
from musicflow.errors import MusicflowError, ProfileNotFoundError
from musicflow.ingest.service import ingest_paths
from musicflow.store import open_store
from musicflow.store.sql import SqlStore

app = typer.Typer(
    name="musicflow",
    help="How much will I stream this song? A model of your own taste, from your Spotify data export.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
streams_app = typer.Typer(help="Your stream counts, from what you ingested.", no_args_is_help=True)
app.add_typer(streams_app, name="streams")

P = ParamSpec("P")
R = TypeVar("R")

ProfileOption = Annotated[
    str, typer.Option("--profile", "-p", help="Whose data: each profile is kept apart.")
]


class OutputFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


@dataclass
class AppState:
    settings: Settings
    out: Console
    err: Console

    @contextmanager
    def store(self) -> Iterator[SqlStore]:
        store = open_store(self.settings)
        try:
            yield store
        finally:
            store.close()


def _state(ctx: typer.Context) -> AppState:
    state = ctx.find_root().obj
    assert isinstance(state, AppState)
    return state


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Show our own errors as one clear line and a non-zero exit, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except MusicflowError as exc:
            message = Text.assemble(("error: ", "bold red"), str(exc))
            Console(stderr=True, soft_wrap=True).print(message, highlight=False)
            raise typer.Exit(exc.exit_code) from exc

    return wrapper


def _version(value: bool) -> None:
    if value:
        typer.echo(f"musicflow {__version__}")
        raise typer.Exit()


@app.callback()
@reports_errors
def main_options(
    ctx: typer.Context,
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="More log output.")] = 0,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    settings = load_settings()
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else settings.log_level.upper()
    err = Console(stderr=True)
    logging.basicConfig(
        level=level, format="%(message)s", handlers=[RichHandler(console=err, show_path=False)], force=True
    )
    ctx.obj = AppState(settings=settings, out=Console(), err=err)


@app.command()
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
    state = _state(ctx)
    with state.store() as store, render.ByteProgress(state.err) as progress:
        report = ingest_paths(paths, store, profile, state.settings, progress)
    render.ingest_report(state.out, report)


@streams_app.command("top")
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
    state = _state(ctx)
    with state.store() as store:
        profile_id = store.profile_id(profile)
        if profile_id is None:
            raise ProfileNotFoundError(
                f"profile '{profile}' has no data yet: run `musicflow ingest my_spotify_data.zip"
                f" --profile {profile}` first"
            )
        rows = store.track_streams(profile_id, state.settings.stream_min_ms, limit)
    if output is OutputFormat.TABLE:
        render.top_table(state.out, rows, profile, state.settings.stream_min_ms)
    elif output is OutputFormat.CSV:
        render.top_csv(rows)
    else:
        render.top_json(rows)


@app.command("demo")
@reports_errors
def run_demo(
    ctx: typer.Context,
    profile: ProfileOption = "demo",
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many top tracks.")] = 10,
) -> None:
    """The whole job on the bundled demo export: ingest it, then show the listener's top tracks."""
    state = _state(ctx)
    with demo.export_path() as export, state.store() as store:
        with render.ByteProgress(state.err) as progress:
            report = ingest_paths([export], store, profile, state.settings, progress)
        render.ingest_report(state.out, report)
        profile_id = store.ensure_profile(profile)
        rows = store.track_streams(profile_id, state.settings.stream_min_ms, limit)
    render.top_table(state.out, rows, profile, state.settings.stream_min_ms)


def main() -> None:
    app()
