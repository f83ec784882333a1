"""Commands about the model: `train`, `evaluate`, `predict`, and `models list|show|promote|rollback|prune`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from musicflow.app.error_map import FAILED, PARTIAL
from musicflow.app.results import evaluation_document
from musicflow.app.vocabulary import DEFAULT_PROFILE, MAX_NAME, Evaluation, SongRequest
from musicflow.cli import error_hints
from musicflow.cli import render_model as show
from musicflow.cli.common import (
    FormatOption,
    NumberArgumentCommand,
    OutputFormat,
    ProfileOption,
    TableOrJson,
    TableOrJsonOption,
    plain_text,
    profile_option,
    reports_errors,
    require_empty_folder,
    require_paths,
    require_writable,
    state_of,
    usage_error,
    write_csv,
    write_json,
)
from musicflow.cli.progress import Bar
from musicflow.cli.score_commands import EngineName, EngineOption, SchedulerOption
from musicflow.cli.songs_csv import read_songs, write_predictions
from musicflow.core.plurals import counted
from musicflow.errors import ModelError

if TYPE_CHECKING:
    from musicflow.app.types import ProfileTraining


def _any_version(value: str) -> object:
    from musicflow.app.version_refs import parse_ref  # the store's modules load with it: not at start-up

    return parse_ref(value)


def _a_version_number(value: str) -> object:
    from musicflow.app.version_refs import parse_number

    return parse_number(value)


def _checked_by(parse: Callable[[str], object]) -> Callable[[str | None], str | None]:
    """A callback checking a version reference as the command line is read, with the application's
    parser: one that names no version (`abc`, `v0`) is a usage error (exit 2) in the application's
    words, before any store is opened."""

    def check(value: str | None) -> str | None:
        if value is not None:
            try:
                parse(value)
            except ModelError as exc:
                raise typer.BadParameter(str(exc)) from None
        return value

    return check


version_ref = _checked_by(_any_version)  # a number or 'champion'
version_number = _checked_by(_a_version_number)  # promoting needs the number of a version

VersionArgument = Annotated[
    str, typer.Argument(metavar="VERSION", help="A version number: 3 or v3.", callback=version_number)
]
VersionOrChampion = Annotated[
    str,
    typer.Argument(
        metavar="VERSION", help="A version number (3 or v3), or 'champion'.", callback=version_ref
    ),
]


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("evaluate")(evaluate)
    app.command("predict")(predict)
    models = typer.Typer(help="Your model versions and which one serves.", no_args_is_help=True)
    models.command("list")(models_list)
    models.command("show", cls=NumberArgumentCommand)(models_show)
    models.command("promote", cls=NumberArgumentCommand)(models_promote)
    models.command("rollback")(models_rollback)
    models.command("prune")(models_prune)
    app.add_typer(models, name="models")


@reports_errors
def train(
    ctx: typer.Context,
    profile: Annotated[
        str | None,
        profile_option(),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Serve the new version even if it evaluates worse.")
    ] = False,
    output: TableOrJsonOption = TableOrJson.TABLE,
    every: Annotated[
        bool, typer.Option("--all", help="Every profile with plays, each as a task (see --engine).")
    ] = False,
    engine: EngineOption = EngineName.LOCAL,
    scheduler: SchedulerOption = None,
    reproduce: Annotated[
        str | None,
        typer.Option(
            "--reproduce",
            metavar="VERSION",
            callback=version_ref,
            help="Build this version again from what it learned from and compare its predictions with it;"
            " registers nothing.",
        ),
    ] = None,
    rebuilt_to: Annotated[
        Path | None,
        typer.Option("--output", help="With --reproduce: write the rebuilt model's files to this folder."),
    ] = None,
) -> None:
    """Train a model of your taste, evaluate it honestly, and register it as a new version.

    With --reproduce VERSION, build that version again from the plays up to its cut-off and the
    features, options and seeds it recorded, and say whether it predicts the same (exit 1 if not)."""
    if every and profile is not None:
        raise usage_error(ctx, "--all trains every profile: leave out --profile")
    if not every and (engine is not EngineName.LOCAL or scheduler is not None):
        raise usage_error(ctx, "--engine and --scheduler go with --all (every profile, each as a task)")
    if every and reproduce is not None:
        raise usage_error(ctx, "--reproduce rebuilds one version of one profile: leave out --all")
    if every:
        _train_all(ctx, engine, scheduler, force, output)
        return
    state = state_of(ctx)
    if reproduce is None:
        if rebuilt_to is not None:
            raise usage_error(ctx, "--output goes with --reproduce VERSION")
    else:
        if force:
            raise usage_error(ctx, "--reproduce registers nothing: leave out --force")
        if rebuilt_to is not None:
            require_empty_folder(ctx, rebuilt_to)  # before the minutes of rebuilding, not after
        with state.app(create=False) as app:
            rebuilt = app.reproduce(profile or DEFAULT_PROFILE, reproduce, rebuilt_to)
        if output is TableOrJson.JSON:
            write_json(rebuilt.as_document())
        else:
            show.reproduction(state.out, rebuilt)
        if not rebuilt.identical:
            state.err.print(
                f"Version {rebuilt.version} was not rebuilt identically: its predictions differ by up to"
                f" {rebuilt.max_difference:.3g} streams."
                + (f" Since it was trained: {'; '.join(rebuilt.changes)}." if rebuilt.changes else ""),
                highlight=False,
            )
            raise typer.Exit(FAILED)
        return
    with state.app() as app, Bar(state.err) as bar:
        training = app.train(
            profile or DEFAULT_PROFILE,
            force=force,
            progress=lambda message, fraction: bar.files_done(round(fraction * 100), 100, message),
        )
    if output is TableOrJson.JSON:
        write_json(show.training_document(training))
    else:
        show.training_run(state.out, training)


def _train_all(
    ctx: typer.Context, engine: EngineName, scheduler: str | None, force: bool, output: TableOrJson
) -> None:
    """Every profile trained; the table (or JSON) of outcomes; exit 1 if all failed, 3 if some did."""
    from musicflow.app.catalog_scoring import engine_named
    from musicflow.app.error_map import FAILED, PARTIAL

    state = state_of(ctx)
    chosen = engine_named(engine.value, scheduler, lambda link: state.err.print(f"Dask dashboard: {link}"))

    # How far it is, in a terminal only: the outcomes are the table's (or the JSON's), said once.
    with state.app() as app, Bar(state.err) as bar:
        bar.start("training every profile", len(app.profiles()))

        def heard(outcome: ProfileTraining) -> None:
            bar.advance(1, f"{outcome.profile}: {outcome.outcome}")

        done = app.train_all(chosen, force=force, on_outcome=heard)
    if output is TableOrJson.JSON:
        write_json(done.as_document())
    else:
        show.training_round(state.out, done)
    failed = len(done.failed)
    if failed:
        trained = sum(1 for p in done.profiles if p.outcome in ("published", "kept champion"))
        raise typer.Exit(PARTIAL if trained else FAILED)


@reports_errors
def evaluate(
    ctx: typer.Context,
    version: Annotated[
        str, typer.Option("--version", help="Which version (default: the champion).", callback=version_ref)
    ] = "champion",
    output: FormatOption = OutputFormat.TABLE,
    profile: ProfileOption = DEFAULT_PROFILE,
) -> None:
    """The stored evaluation of a model version (csv: one row per split, model and metric)."""
    state = state_of(ctx)
    with state.app(create=False) as app:
        found = app.model(profile, version)
    if output is OutputFormat.JSON:
        write_json(
            {
                "profile": profile,
                "version": found.version,
                "evaluation": evaluation_document(found.evaluation),
            }
        )
    elif output is OutputFormat.CSV:
        write_csv(show.EVALUATION_COLUMNS, show.evaluation_records(Evaluation.from_dict(found.evaluation)))
    else:
        state.out.print(f"Model v{found.version} of '{profile}'", highlight=False)
        show.evaluation(state.out, Evaluation.from_dict(found.evaluation))


@reports_errors
def predict(
    ctx: typer.Context,
    song: Annotated[str | None, typer.Option("--song", callback=plain_text, help="The song's title.")] = None,
    artist: Annotated[
        str | None, typer.Option("--artist", callback=plain_text, help="Its (main) artist.")
    ] = None,
    input_csv: Annotated[
        Path | None,
        typer.Option("--input", help="A CSV of songs: columns song, artist, optional spotify_id."),
    ] = None,
    output_file: Annotated[
        Path | None,
        typer.Option("--output", help="Write the predictions of --input here (CSV, or JSON with -f json)."),
    ] = None,
    output: Annotated[
        OutputFormat | None,
        typer.Option(
            "--format", "-f", help="table, csv or json (default: table for one song, csv for --input)."
        ),
    ] = None,
    profile: ProfileOption = DEFAULT_PROFILE,
    log: Annotated[
        bool, typer.Option("--log", help="Record the predictions in the prediction log, as the API does.")
    ] = False,
) -> None:
    """How many times will you stream this song? One song, or a CSV of songs."""
    if input_csv is not None and (song is not None or artist is not None):
        raise usage_error(ctx, "--input reads the songs from its file: leave out --song and --artist")
    given_blank = [n for n, v in (("--song", song), ("--artist", artist)) if v is not None and not v.strip()]
    if input_csv is None and given_blank:
        raise usage_error(ctx, f"{given_blank[0]} is empty: say the song's title and its artist")
    too_long = [(n, v) for n, v in (("--song", song), ("--artist", artist)) if v and len(v) > MAX_NAME]
    if too_long:
        name, value = too_long[0]
        raise usage_error(ctx, f"{name} is {len(value):,} characters long: at most {MAX_NAME} are taken")
    if input_csv is None and not (song and artist):
        given, missing = ("--song", "--artist") if song else ("--artist", "--song")
        if song or artist:
            raise usage_error(ctx, f"{given} goes with {missing}: say both the song's title and its artist")
        raise usage_error(ctx, "say which song: --song TITLE --artist NAME, or --input SONGS.csv")
    if output_file is not None and input_csv is None:
        raise usage_error(ctx, "--output goes with --input (a CSV of songs)")
    if output_file is not None and output is OutputFormat.TABLE:
        raise usage_error(ctx, "--output writes csv or json: choose one with --format")
    if input_csv is not None:
        require_paths(ctx, [input_csv])
    if output_file is not None:
        require_writable(ctx, output_file)  # before a minute of predicting, not after
    state = state_of(ctx)
    if input_csv is not None:
        chosen = output or OutputFormat.CSV
        requests = read_songs(input_csv)
        with state.app(create=False) as app:
            answers = app.predict_many(profile, requests, log_via="cli" if log else None)
        if chosen is OutputFormat.TABLE:
            show.prediction_table(state.out, requests, answers)
            return
        try:
            if chosen is OutputFormat.JSON:
                write_json(answers.as_document(), output_file)
            else:
                write_predictions(output_file, requests, answers)
        except OSError as exc:  # a folder given as the file, no permission, a full disk
            raise usage_error(ctx, f"cannot write {output_file}: {exc.strerror or exc}") from None
        if output_file is not None:
            show.batch_summary(state.out, answers, output_file)
        return
    assert song is not None and artist is not None
    with state.app(create=False) as app:
        answer = app.predict(profile, song, artist, log_via="cli" if log else None)
    if output is OutputFormat.JSON:
        write_json(answer.as_document())
    elif output is OutputFormat.CSV:
        write_predictions(None, [SongRequest(song, artist)], [answer])
    else:
        show.prediction(state.out, answer)


@reports_errors
def models_list(
    ctx: typer.Context, output: FormatOption = OutputFormat.TABLE, profile: ProfileOption = DEFAULT_PROFILE
) -> None:
    """Every version of your model, newest first; the champion serves predictions."""
    state = state_of(ctx)
    with state.app(create=False) as app:
        versions = app.models(profile)
        none = app.no_model(profile) if not versions and output is OutputFormat.TABLE else None
    if output is OutputFormat.JSON:
        write_json(show.version_records(versions))
    elif output is OutputFormat.CSV:
        write_csv(show.VERSION_COLUMNS, show.version_records(versions))
    elif none is not None:
        said = error_hints.message(none)
        state.out.print(f"{said[:1].upper()}{said[1:]}.", highlight=False)
    else:
        show.versions(state.out, profile, versions)


@reports_errors
def models_show(
    ctx: typer.Context,
    version: VersionOrChampion,
    output: TableOrJsonOption = TableOrJson.TABLE,
    profile: ProfileOption = DEFAULT_PROFILE,
) -> None:
    """One version: what it was trained on, its features, its evaluation."""
    state = state_of(ctx)
    with state.app(create=False) as app:
        found = app.model(profile, version)
        learned = app.learned_from(found)
    if output is TableOrJson.JSON:
        write_json(show.version_document(found, learned))
    else:
        show.version(state.out, found, learned)


@reports_errors
def models_promote(
    ctx: typer.Context, version: VersionArgument, profile: ProfileOption = DEFAULT_PROFILE
) -> None:
    """Make a version the champion (the one that serves)."""
    state = state_of(ctx)
    with state.app(create=False) as app:
        move = app.promote(profile, version)
    show.move(state.out, move)


@reports_errors
def models_rollback(ctx: typer.Context, profile: ProfileOption = DEFAULT_PROFILE) -> None:
    """Return to the previous champion."""
    state = state_of(ctx)
    with state.app(create=False) as app:
        move = app.rollback(profile)
    show.move(state.out, move)


@reports_errors
def models_prune(
    ctx: typer.Context,
    keep: Annotated[
        int | None,
        typer.Option(
            "--keep",
            metavar="N",
            help="Keep the newest N versions, besides the champion and the version a rollback returns to"
            " (default: the setting MUSICFLOW_MODEL_KEEP_VERSIONS, 5).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be removed, and remove nothing.")
    ] = False,
    output: TableOrJsonOption = TableOrJson.TABLE,
    profile: ProfileOption = DEFAULT_PROFILE,
) -> None:
    """Remove old versions of your model (their files and records), keeping the champion, the version a
    rollback returns to and the newest N. Their logged predictions are still judged (`accuracy`)."""
    if keep is not None and keep < 1:
        raise usage_error(
            ctx, f"--keep {keep} would keep no version: keep 1 or more (the newest is always kept)"
        )
    state = state_of(ctx)
    with state.app(create=False) as app:
        pruned = app.prune_models(profile, keep, dry_run=dry_run)
    if output is TableOrJson.JSON:
        write_json(pruned.as_document())
    else:
        show.pruning(state.out, pruned)
    if pruned.not_deleted:
        state.err.print(
            f"Could not delete {counted(len(pruned.not_deleted), 'folder')} of removed versions:"
            f" {', '.join(pruned.not_deleted)}. Delete them by hand, or run the command again.",
            highlight=False,
        )
        raise typer.Exit(PARTIAL)
