"""Commands about plays: `ingest`, `streams top` and `streams artists`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from musicflow.app.error_map import PARTIAL
from musicflow.app.version_refs import NEGATIVE
from musicflow.app.vocabulary import DEFAULT_PROFILE, not_a_file_or_folder
from musicflow.cli import render
from musicflow.cli.common import (
    AppState,
    FormatOption,
    NumberArgumentCommand,
    OutputFormat,
    ProfileOption,
    TableOrJson,
    TableOrJsonOption,
    reports_errors,
    require_paths,
    state_of,
    usage_error,
    write_json,
    write_records,
)
from musicflow.cli.error_hints import profile_flag
from musicflow.cli.progress import Bar
from musicflow.core.plurals import counted, listed

if TYPE_CHECKING:
    from musicflow.app.service import MusicFlow
    from musicflow.app.types import ImportUndone, IngestReport

MAX_LIMIT = 1_000_000


def register(app: typer.Typer) -> None:
    app.command("ingest", cls=NumberArgumentCommand)(ingest)
    streams = typer.Typer(help="Your stream counts, from what you ingested.", no_args_is_help=True)
    streams.command("top")(streams_top)
    streams.command("artists")(streams_artists)
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
    the plays only it brought go, and with them the models that learned from them; plays another
    export also holds stay."""
    state = state_of(ctx)
    if str(paths[0]) == "undo" and not paths[0].exists():
        if len(paths) != 2:
            raise usage_error(ctx, "`ingest undo ID` takes one import's id (see `musicflow jobs list`)")
        if NEGATIVE.fullmatch(str(paths[1])):
            raise usage_error(
                ctx,
                f"`ingest undo ID` takes an import's id, as ingest printed it or `musicflow jobs list` shows"
                f" it, not {paths[1]}",
            )
        _undo(state, profile, str(paths[1]), output)
        return
    require_paths(ctx, paths, "file or folder")
    for path in paths:  # a device or a pipe is never read: /dev/zero would fill the memory, a FIFO never end
        problem = not_a_file_or_folder(path)
        if problem:
            raise usage_error(ctx, f"{path}: {problem}")
    with state.app() as app, Bar(state.err, bytes_=True) as progress:
        report = app.ingest(paths, profile, progress)
        drift = app.drift(profile) if report.new_plays else None
    if output is TableOrJson.JSON:
        write_json(render.ingest_document(report))
    else:
        render.ingest_report(state.out, report)
        named = profile_flag(profile)
        if report.import_id:  # an import holding plays no other holds (`MusicFlow.ingest`)
            state.err.print(
                f"Recorded as import {report.import_id}:"
                f" `musicflow ingest undo {report.import_id}{named}` takes it back.",
                highlight=False,
            )
        elif not report.files_damaged:
            state.err.print(_nothing_added(report), highlight=False)
        if drift is not None and drift.drifted:
            state.err.print(drift.summary, highlight=False)
        if report.new_plays:
            state.err.print(
                "New plays: a retrain of this profile is queued; a running `musicflow serve` does it by"
                f" itself (else `musicflow train{named}` or `musicflow jobs run`).",
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
    with state.app(create=False) as app:
        rows = app.top_streams(profile, limit)
    if output is OutputFormat.TABLE:
        render.top_table(state.out, rows, profile, state.settings.stream_min_ms)
    else:
        write_records(output, render.TOP_COLUMNS, render.top_records(rows))


@reports_errors
def streams_artists(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=MAX_LIMIT, help="How many artists.")] = 20,
    output: FormatOption = OutputFormat.TABLE,
    profile: ProfileOption = DEFAULT_PROFILE,
) -> None:
    """Your most streamed artists, every song of theirs counted: the numbers the taste page shows."""
    state = state_of(ctx)
    with state.app(create=False) as app:
        artists = app.top_artists(profile, limit)
    if output is OutputFormat.TABLE:
        render.artists_table(state.out, artists, profile, state.settings.stream_min_ms)
    else:
        write_records(output, render.ARTIST_COLUMNS, render.artist_records(artists))


def _nothing_added(report: IngestReport) -> str:
    """What an ingest that stored no new play says, instead of offering to take it back."""
    if report.music_plays:
        plays = "the play" if report.music_plays == 1 else f"all {report.music_plays:,} plays"
        were = "was" if report.music_plays == 1 else "were"
        return f"Nothing was added: {plays} of these files {were} already stored (nothing to take back)."
    if report.library is not None:
        return "No play was added: the files held your library alone (nothing to take back)."
    return "Nothing was added (nothing to take back)."


def _undo(state: AppState, profile: str, import_id: str, output: TableOrJson) -> None:
    from musicflow.errors import JobNotFoundError

    with state.app(create=False) as app:
        try:
            undone = app.undo_import(profile, import_id)
        except JobNotFoundError:
            holder = _profile_holding(app, import_id)
            if holder is None or holder == profile:
                raise
            raise JobNotFoundError(
                f"import {import_id} is of profile '{holder}', not '{profile}':"
                f" run `musicflow ingest undo {import_id}{profile_flag(holder)}`"
            ) from None
    if output is TableOrJson.JSON:
        write_json(undone.as_document())
        return
    state.out.print(f"Import {import_id} taken back: {_undone_words(undone)}.", highlight=False)
    models = _models_words(undone, profile_flag(profile))
    if models:
        state.out.print(models, highlight=False)


def _profile_holding(app: MusicFlow, job_id: str) -> str | None:
    """The profile whose job `job_id` is, when there is such a job."""
    from musicflow.errors import JobNotFoundError

    try:
        return app.job(job_id).profile
    except JobNotFoundError:
        return None


def _undone_words(undone: ImportUndone) -> str:
    """What taking an import back did, leaving out what it did not: "3,012 plays removed, and with
    them 375 songs that had no other play; 12 plays stay, as another import holds them too"."""
    said = []
    if undone.removed:
        removed = f"{counted(undone.removed, 'play')} removed"
        if undone.tracks:
            with_them = "it" if undone.removed == 1 else "them"
            removed += f", and with {with_them} {counted(undone.tracks, 'song')} that had no other play"
        said.append(removed)
    if undone.kept:
        them = "it" if undone.kept == 1 else "them"
        said.append(
            f"{'no play removed: ' if not undone.removed else ''}{counted(undone.kept, 'play')}"
            f" {'stays' if undone.kept == 1 else 'stay'}, as another import holds {them} too"
        )
    return "; ".join(said) or "it held no play"


def _models_words(undone: ImportUndone, named: str) -> str:
    """What became of the models that learned from the plays taken back, and what comes next."""
    said = []
    if undone.model_versions_removed:
        versions = [f"v{v}" for v in undone.model_versions_removed]
        one = len(versions) == 1
        which = f"Model {versions[0]}" if one else f"Models {listed(versions)}"
        said.append(f"{which} learned from them and {'is' if one else 'are'} removed too.")
        if undone.serving_version is None:
            said.append("No model answers until one is trained again.")
        else:
            said.append(f"Model v{undone.serving_version}, which did not, answers meanwhile.")
    if undone.retrain_queued:
        said.append(
            "A retrain of this profile is queued; a running `musicflow serve` does it by itself"
            f" (else `musicflow train{named}` or `musicflow jobs run`)."
        )
    elif undone.removed:
        said.append("No play of this profile is left to train a model on.")
    return " ".join(said)
