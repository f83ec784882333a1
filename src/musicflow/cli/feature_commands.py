"""Commands about features: `catalog add|list|remove` and `features fetch|show|coverage|analyze`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from musicflow.app.error_map import PARTIAL
from musicflow.app.vocabulary import BUNDLED_CATALOG, DEFAULT_PROFILE
from musicflow.cli import error_hints
from musicflow.cli import render_features as show
from musicflow.cli.common import (
    AppState,
    FormatOption,
    MappingOption,
    OutputFormat,
    ProfileOption,
    TableOrJson,
    TableOrJsonOption,
    plain_text,
    profile_option,
    reports_errors,
    require_paths,
    state_of,
    usage_error,
    write_csv,
    write_json,
)
from musicflow.cli.progress import Bar
from musicflow.cli.score_commands import EngineName

if TYPE_CHECKING:
    from musicflow.app.service import MusicFlow
    from musicflow.app.types import FetchResult

SourceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        "-s",
        metavar="NAME",
        help="Ask only this source (repeatable); default: MUSICFLOW_FEATURE_SOURCES.",
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
    path: Annotated[
        Path,
        typer.Argument(
            help="A catalog file: CSV (optionally gzipped) or Parquet; `bundled`: the catalog shipped with"
            " MusicFlow."
        ),
    ],
    name: Annotated[
        str | None, typer.Option(callback=plain_text, help="Name of the catalog; default: the file name.")
    ] = None,
    mapping: MappingOption = None,
) -> None:
    """Import a catalog file (replaces a catalog of the same name); bad rows are counted and shown."""
    if path != Path(BUNDLED_CATALOG) or path.exists():
        require_paths(ctx, [path])
    state = state_of(ctx)
    with state.app() as app:
        imported = app.add_catalog(path, name, mapping)
    show.catalog_import(state.out, imported)


@reports_errors
def catalog_list(ctx: typer.Context, output: FormatOption = OutputFormat.TABLE) -> None:
    """The catalogs in the store."""
    state = state_of(ctx)
    with state.app(create=False) as app:
        catalogs = app.catalogs()
    if output is OutputFormat.JSON:
        write_json(show.catalog_records(catalogs))
    elif output is OutputFormat.CSV:
        write_csv(show.CATALOG_COLUMNS, show.catalog_records(catalogs))
    else:
        show.catalog_list(state.out, catalogs)


@reports_errors
def catalog_remove(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(callback=plain_text, help="The catalog's name (see `catalog list`).")
    ],
) -> None:
    """Remove a catalog; the catalogs left are asked again about every listener's songs."""
    state = state_of(ctx)
    with state.app(create=False) as app:
        answers = app.remove_catalog(name)
    again = (
        f" It is not imported again unless you ask: `musicflow catalog add {BUNDLED_CATALOG}`."
        if name == BUNDLED_CATALOG
        else ""
    )
    state.out.print(f"Removed catalog '{name}'.{again}", highlight=False)
    show.catalog_answers(state.out, answers)


@reports_errors
def features_fetch(
    ctx: typer.Context,
    source: SourceOption = None,
    output: TableOrJsonOption = TableOrJson.TABLE,
    profile: ProfileOption = DEFAULT_PROFILE,
) -> None:
    """Get features for every track you played; safe to stop and run again (it resumes)."""
    state = state_of(ctx)
    with state.app() as app, _sources_named(ctx, source):
        result = fetch_and_report(state, app, profile, source, as_json=output is TableOrJson.JSON)
    if result.stopped:
        raise typer.Exit(PARTIAL)


@contextmanager
def _sources_named(ctx: typer.Context, names: list[str] | None) -> Iterator[None]:
    """A `--source` that names no source is a usage error (the usage, the reason, exit 2), as Typer says
    any invalid option; one MUSICFLOW_FEATURE_SOURCES names stays a configuration error."""
    from musicflow.errors import ConfigError

    try:
        yield
    except ConfigError as exc:
        if names and any(f"source {name!r}" in str(exc) or str(exc).startswith(name) for name in names):
            raise usage_error(ctx, f"--source: {error_hints.message(exc)}") from exc
        raise


def fetch_and_report(
    state: AppState, app: MusicFlow, profile: str, sources: list[str] | None, *, as_json: bool = False
) -> FetchResult:
    """Run the fetch job with a progress bar, then show what each source did and the coverage."""
    with Bar(state.err) as bar:
        result = app.fetch_features(profile, sources, bar)
    if as_json:
        write_json({"runs": show.run_records(result.runs), "coverage": result.coverage.as_dict()})
        return result
    show.fetch_runs(state.out, result.runs)
    show.coverage_table(state.out, result.coverage, profile)
    return result


@reports_errors
def features_show(
    ctx: typer.Context,
    song: Annotated[str, typer.Option("--song", callback=plain_text, help="The song's title.")],
    artist: Annotated[str, typer.Option("--artist", callback=plain_text, help="Its (main) artist.")],
    source: SourceOption = None,
    output: FormatOption = OutputFormat.TABLE,
    profile: Annotated[
        str | None,
        profile_option(
            "Whose history resolves the name, as a prediction for them does (their song under a"
            " longer title, their version of it).",
            short=False,
        ),
    ] = None,
) -> None:
    """One song's merged features, each with the source it came from."""
    state = state_of(ctx)
    with state.app() as app, _sources_named(ctx, source):  # a look-up before any ingest makes the store
        if profile is not None:
            app.require_profile(profile)  # a profile named that holds nothing is said, with the known ones
        lookup = app.song_features(song, artist, source, profile=profile)
    if output is OutputFormat.JSON:
        write_json(show.song_json(lookup))
    elif output is OutputFormat.CSV:
        write_csv(show.SONG_COLUMNS, show.song_records(lookup))
    else:
        show.song_table(state.out, lookup)


@reports_errors
def features_coverage(
    ctx: typer.Context,
    output: FormatOption = OutputFormat.TABLE,
    profile: ProfileOption = DEFAULT_PROFILE,
) -> None:
    """How many of your tracks have features, from which sources, and which have none (csv: the counts
    by kind of coverage and by source)."""
    state = state_of(ctx)
    with state.app(create=False) as app:
        report = app.coverage(profile)
    if output is OutputFormat.JSON:
        write_json(report.as_dict())
    elif output is OutputFormat.CSV:
        write_csv(show.COVERAGE_COLUMNS, show.coverage_records(report))
    else:
        show.coverage_table(state.out, report, profile)


@reports_errors
def features_analyze(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="A folder of your audio files (searched recursively).")],
    engine: Annotated[
        EngineName,
        typer.Option("--engine", help="local: this process; dask: one file per task on a Dask cluster."),
    ] = EngineName.LOCAL,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Address of an existing Dask scheduler.")
    ] = None,
) -> None:
    """Measure tempo, key, loudness and more from your own audio files, for songs no source knows."""
    require_paths(ctx, [folder], "folder")
    state = state_of(ctx)
    from musicflow.app.catalog_scoring import audio_file_mapper

    def dashboard(link: str) -> None:
        state.err.print(f"Dask dashboard: {link}")

    with audio_file_mapper(engine, scheduler, dashboard) as mapper, state.app() as app, Bar(state.err) as bar:
        report = app.analyze_audio(
            folder, lambda done, total, path: bar.files_done(done, total, path.name), map_files=mapper
        )
    show.analyze_report(state.out, report)
