"""Commands about features: `catalog add|list|remove` and `features fetch|show|coverage`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer

from musicflow.cli import render_features as show
from musicflow.cli.common import (
    AppState,
    OutputFormat,
    ProfileOption,
    reports_errors,
    require_profile,
    state_of,
)
from musicflow.cli.progress import Bar
from musicflow.core.clock import SystemClock
from musicflow.errors import CatalogError, SongNotFoundError
from musicflow.features.analyze import analyze_into_store, require_audio_extra
from musicflow.features.catalog import import_catalog_file
from musicflow.features.catalog_files import ColumnMapping
from musicflow.features.coverage import coverage
from musicflow.features.fetch import SourceRun, fetch_features
from musicflow.features.lookup import no_features_message, song_features
from musicflow.features.sources import open_sources
from musicflow.store.sql import SqlStore

DAY = 86_400.0
TableOrJson = Annotated[OutputFormat, typer.Option("--format", "-f", help="table or json.")]

SourceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--source", "-s", help="Ask only this source (repeatable); default: MUSICFLOW_FEATURE_SOURCES."
    ),
]


def register(app: typer.Typer) -> None:
    catalog = typer.Typer(help="Offline feature catalogs (CSV or Parquet files).", no_args_is_help=True)
    catalog.command("add")(catalog_add)
    catalog.command("list")(catalog_list)
    catalog.command("remove")(catalog_remove)
    app.add_typer(catalog, name="catalog")
    features = typer.Typer(help="Track features from the configured sources.", no_args_is_help=True)
    features.command("fetch")(features_fetch)
    features.command("show")(features_show)
    features.command("coverage")(features_coverage)
    features.command("analyze")(features_analyze)
    app.add_typer(features, name="features")


@reports_errors
def catalog_add(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A catalog file: CSV (optionally gzipped) or Parquet.")],
    name: Annotated[str | None, typer.Option(help="Name of the catalog; default: the file name.")] = None,
    mapping: Annotated[
        str | None,
        typer.Option(help="Your columns, e.g. 'id=track_id,song=name,artist=artists,tempo=bpm'."),
    ] = None,
) -> None:
    """Import a catalog file (replaces a catalog of the same name); bad rows are counted and shown."""
    state = state_of(ctx)
    column_mapping = ColumnMapping.parse(mapping) if mapping else None
    with state.store() as store:
        imported = import_catalog_file(store.features, path, name, column_mapping)
    show.catalog_import(state.out, imported)


@reports_errors
def catalog_list(ctx: typer.Context) -> None:
    """The catalogs in the store."""
    state = state_of(ctx)
    with state.store() as store:
        show.catalog_list(state.out, store.features.catalogs())


@reports_errors
def catalog_remove(ctx: typer.Context, name: Annotated[str, typer.Argument()]) -> None:
    """Remove a catalog; features it gave are asked of the catalogs left on the next fetch."""
    state = state_of(ctx)
    with state.store() as store:
        removed = store.features.remove_catalog(name)
    if not removed:
        raise CatalogError(f"no catalog named '{name}': see `musicflow catalog list`")
    state.out.print(f"Removed catalog '{name}'.")


@reports_errors
def features_fetch(
    ctx: typer.Context, source: SourceOption = None, profile: ProfileOption = "default"
) -> None:
    """Get features for every track you played; safe to stop and run again (it resumes)."""
    state = state_of(ctx)
    with state.store() as store:
        profile_id = require_profile(store, profile)
        runs = fetch_and_report(state, store, profile, profile_id, source or state.settings.feature_sources)
    if any(run.stopped for run in runs):
        raise typer.Exit(3)


def fetch_and_report(
    state: AppState, store: SqlStore, profile: str, profile_id: int, sources: list[str]
) -> list[SourceRun]:
    """Run the fetch job with a progress bar, then show what each source did and the coverage."""
    settings = state.settings
    clock = SystemClock()
    with (
        open_sources(sources, settings, store.features, clock) as opened,
        Bar(state.err) as bar,
    ):
        runs = fetch_features(
            store.features,
            profile_id,
            opened,
            clock=clock,
            miss_ttl_s=settings.miss_ttl_days * DAY,
            progress=bar,
        )
    report = coverage(
        store.features,
        profile_id,
        stream_min_ms=settings.stream_min_ms,
        precedence=settings.feature_precedence,
        now=clock.now(),
    )
    show.fetch_runs(state.out, runs)
    show.coverage_table(state.out, report, profile)
    return runs


@reports_errors
def features_show(
    ctx: typer.Context,
    song: Annotated[str, typer.Option("--song", help="The song's title.")],
    artist: Annotated[str, typer.Option("--artist", help="Its (main) artist.")],
    source: SourceOption = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table or json.")
    ] = OutputFormat.TABLE,
) -> None:
    """One song's merged features, each with the source it came from."""
    state = state_of(ctx)
    settings = state.settings
    clock = SystemClock()
    with state.store() as store:
        names = source or settings.feature_sources
        with open_sources(names, settings, store.features, clock) as sources:
            found = song_features(
                store.features,
                song,
                artist,
                sources,
                precedence=settings.feature_precedence,
                clock=clock,
                miss_ttl_s=settings.miss_ttl_days * DAY,
            )
    if not found.merged.values:
        raise SongNotFoundError(no_features_message(song, artist, names, found))
    if output is OutputFormat.JSON:
        sys.stdout.write(orjson.dumps(show.song_json(found), option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        show.song_table(state.out, found)


@reports_errors
def features_coverage(
    ctx: typer.Context,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table or json.")
    ] = OutputFormat.TABLE,
    profile: ProfileOption = "default",
) -> None:
    """How many of your tracks have features, from which sources, and which have none."""
    state = state_of(ctx)
    with state.store() as store:
        profile_id = require_profile(store, profile)
        report = coverage(
            store.features,
            profile_id,
            stream_min_ms=state.settings.stream_min_ms,
            precedence=state.settings.feature_precedence,
            now=SystemClock().now(),
        )
    if output is OutputFormat.JSON:
        sys.stdout.write(orjson.dumps(report.as_dict(), option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        show.coverage_table(state.out, report, profile)


@reports_errors
def features_analyze(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="A folder of your audio files (searched recursively).")],
    engine: Annotated[
        str, typer.Option("--engine", help="local: this process; dask: one file per task on a Dask cluster.")
    ] = "local",
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Address of an existing Dask scheduler.")
    ] = None,
) -> None:
    """Measure tempo, key, loudness and more from your own audio files, for songs no source knows."""
    state = state_of(ctx)
    settings = state.settings
    require_audio_extra()
    if engine != "local" or scheduler:
        _analyze_on_cluster(state, folder, engine, scheduler)
        return
    with state.store() as store, Bar(state.err) as bar:
        report = analyze_into_store(
            store.features,
            folder,
            max_seconds=settings.audio_max_seconds,
            miss_ttl_s=settings.miss_ttl_days * DAY,
            now=SystemClock().now(),
            progress=lambda done, total, path: bar.files_done(done, total, path.name),
        )
    show.analyze_report(state.out, report)


def _analyze_on_cluster(state: AppState, folder: Path, engine: str, scheduler: str | None) -> None:
    from musicflow.app.scoring import audio_file_mapper

    def dashboard(link: str) -> None:
        state.err.print(f"Dask dashboard: {link}")

    with audio_file_mapper(engine, scheduler, dashboard) as mapper, state.app() as app, Bar(state.err) as bar:
        report = app.analyze_audio(
            folder, lambda done, total, path: bar.files_done(done, total, path.name), map_files=mapper
        )
    show.analyze_report(state.out, report)
