"""`musicflow score` (a whole catalog scored into a file) and `musicflow recommend` (songs to try)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.table import Table

from musicflow.app.vocabulary import (
    DEFAULT_PER_ARTIST,
    DEFAULT_PROFILE,
    RecommendationQuestion,
    streams_shown,
)
from musicflow.cli import interrupted
from musicflow.cli.common import (
    FormatOption,
    MappingOption,
    OutputFormat,
    ProfileOption,
    reports_errors,
    require_paths,
    require_writable,
    state_of,
    usage_error,
    write_csv,
    write_json,
)
from musicflow.core.plurals import counted, sentence

if TYPE_CHECKING:
    from rich.console import Console

    from musicflow.app.types import Recommendations
    from musicflow.cli.progress import Bar

MAX_TOP = 1000  # songs one recommendation lists at most (so at most this many by one artist too)
RECOMMEND_COLUMNS = (
    "song",
    "artist",
    "spotify_id",
    "predicted_streams",
    "popularity",
    "artist_streams",
    "version_of",
    "how_sure",
    "ranked_by",
    "reasons",
)


class EngineName(StrEnum):
    LOCAL = "local"
    DASK = "dask"


EngineOption = Annotated[
    EngineName,
    typer.Option("--engine", help="local: this process; dask: the workers of a Dask cluster."),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Address of an existing Dask scheduler (tcp://host:8786); default: a local cluster.",
    ),
]


def register(app: typer.Typer) -> None:
    app.command("score")(score)
    app.command("recommend")(recommend)


@reports_errors
def score(
    ctx: typer.Context,
    catalog: Annotated[str, typer.Argument(help="A catalog file (CSV or Parquet) or an imported catalog.")],
    out: Annotated[Path, typer.Option("--out", help="Where the predictions go: .parquet or .csv.")],
    profile: ProfileOption = DEFAULT_PROFILE,
    mapping: MappingOption = None,
    engine: EngineOption = EngineName.LOCAL,
    scheduler: SchedulerOption = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Carry on a job that stopped: finished parts are kept.")
    ] = False,
) -> None:
    """Predict the streams of every song of a catalog; rows that cannot be scored go to a second file."""
    from musicflow.app.catalog_scoring import engine_named

    if mapping is not None:  # a mapping is for a catalog file, never an imported catalog
        require_paths(ctx, [Path(catalog)], "file (a mapping is for a catalog file)")
    require_writable(ctx, out)  # before the catalog is read and scored, not after
    if out.suffix.lower() not in (".parquet", ".csv"):  # as `scale/job.py` writes them
        raise usage_error(ctx, f"--out {out}: write the predictions to a .parquet or .csv file")
    state = state_of(ctx)
    chosen = engine_named(engine.value, scheduler, lambda link: state.err.print(f"Dask dashboard: {link}"))
    try:
        with state.app(create=False) as app, _Progress(state.err, Path(catalog).name) as shown:
            summary = app.score_catalog(
                profile,
                catalog,
                out,
                mapping=mapping,
                engine=chosen,
                resume=resume,
                progress=shown.scoring,
                reading=shown.reading,
            )
    except KeyboardInterrupt:
        _interrupted(out)
    state.out.print(
        f"{counted(summary.rows_scored, 'song')} scored into {summary.output} with model"
        f" v{summary.model_version} ({counted(summary.partitions, 'part')} on the {summary.engine} engine"
        + (f", {summary.partitions_resumed} already done before" if summary.partitions_resumed else "")
        + ")."
    )
    if summary.rows_rejected:
        state.out.print(
            f"{counted(summary.rows_rejected, 'row')} could not be scored:"
            f" {'it is' if summary.rows_rejected == 1 else 'each is'} in {summary.rejected_output}"
            " with the reason."
        )


class _Progress:
    """What `score` shows while it works: the bytes of a CSV file read while it is converted (a million
    rows take seconds), then the parts scored; one bar at a time, the first gone when the second starts."""

    def __init__(self, console: Console, name: str) -> None:
        self._console, self._name = console, name
        self._bar: Bar | None = None
        self._showing = ""

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *_: object) -> None:
        self._close()

    def reading(self, done: int, total: int) -> None:
        self._bar_for("reading", bytes_=True).files_done(done, total, f"reading {self._name}")

    def scoring(self, done: int, total: int) -> None:
        self._bar_for("scoring", bytes_=False).files_done(done, total, "scoring")

    def _bar_for(self, what: str, *, bytes_: bool) -> Bar:
        from musicflow.cli.progress import Bar

        if self._bar is None or self._showing != what:
            self._close()
            self._bar = Bar(self._console, bytes_=bytes_).__enter__()
            self._showing = what
        return self._bar

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def _interrupted(out: Path) -> NoReturn:
    """Ctrl-C during `score`: one line and exit 130, saying what `--resume` goes on from (the command
    run again without it starts again)."""
    from musicflow.app.catalog_scoring import parts_kept
    from musicflow.app.error_map import INTERRUPTED

    kept = parts_kept(out)
    if kept is None:
        interrupted()
    sys.stderr.write(f"\ninterrupted: {kept}\n")
    raise SystemExit(INTERRUPTED)


@reports_errors
def recommend(
    ctx: typer.Context,
    profile: ProfileOption = DEFAULT_PROFILE,
    top: Annotated[int, typer.Option("--top", min=1, max=MAX_TOP, help="How many songs.")] = 20,
    catalog: Annotated[
        list[str] | None, typer.Option("--catalog", help="Only this imported catalog (repeatable).")
    ] = None,
    per_artist: Annotated[
        int,
        typer.Option("--per-artist", min=1, max=MAX_TOP, help="At most this many songs by one artist."),
    ] = DEFAULT_PER_ARTIST,
    new_songs_only: Annotated[
        bool,
        typer.Option(
            "--new-songs-only", help="Leave out other versions (remixes, live) of songs you streamed."
        ),
    ] = False,
    by_prediction: Annotated[
        bool,
        typer.Option(
            "--by-prediction",
            help="Rank by predicted streams, not the way chosen for you when your model was trained.",
        ),
    ] = False,
    output_format: FormatOption = OutputFormat.TABLE,
) -> None:
    """Songs you never played that you might stream, ranked the way that found the most of your own later
    songs when your model was trained."""
    state = state_of(ctx)
    question = RecommendationQuestion(tuple(catalog or ()), top, per_artist, new_songs_only, by_prediction)
    with state.app(create=False) as app:
        answer = app.recommendations(profile, question)
    if output_format is OutputFormat.JSON:
        write_json(answer.as_document())
    elif output_format is OutputFormat.CSV:
        write_csv(
            RECOMMEND_COLUMNS,
            (
                {**r.as_document(), "ranked_by": r.ranked_by, "reasons": "; ".join(r.reason_words)}
                for r in answer.items
            ),
        )
    else:
        state.out.print(_table(answer))


def _table(answer: Recommendations) -> Table:
    # How sure the model is of a song depends only on whether its artist is one the listener streams:
    # said once under the table for each kind the list holds.
    lines = [answer.ranked_by] if answer.ranked_by else []
    lines += [f"How sure: {'; '.join(answer.how_sure)}."] if answer.how_sure else []
    if answer.note:
        lines.append(sentence(answer.note) + ".")
    if not answer.catalogs:
        lines.append("`musicflow catalog add FILE` imports one.")
    table = Table(title="Songs you have never played, best first", caption="\n".join(lines) or None)
    # What the list is ranked by besides the predicted streams is shown too, so that its order can be read.
    extra = [what for what, _ in answer.items[0].shown_beside()] if answer.items else []
    for column in ("#", "song", "artist", "predicted streams", *extra, "why"):
        table.add_column(column, justify="left" if column in ("song", "artist", "why") else "right")
    for rank, item in enumerate(answer.items, 1):
        why = "; ".join(item.reason_words)
        shown = [value for _, value in item.shown_beside()]
        streams = streams_shown(item.predicted_streams)
        table.add_row(str(rank), item.song, item.artist_words, streams, *shown, why)
    return table
